"""A Recording replays the ops of one call on new arrays (autograd_mini.recording), and fit uses
it for built-in models: replaying must compute exactly what building the graph afresh computes."""
import gc
import weakref

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Recording, Tensor, record
from nn import Activation, Dense, Sequential
from nn import training
from nn.callbacks import LambdaCallback


def _params(rng):
    w = Tensor(rng.standard_normal((3, 4)), requires_grad=True, dtype=np.float64)
    b = Tensor(rng.standard_normal(4), requires_grad=True, dtype=np.float64)
    v = Tensor(rng.standard_normal((4, 1)), requires_grad=True, dtype=np.float64)
    return w, b, v


def _loss_fn(w, b, v):
    # broadcasting (b), a weight used twice (w), matmul, unary ops and a reduction
    def loss(x, y):
        h = am.tanh(x @ w + b) * am.sigmoid(x @ w)
        error = h @ v - y
        return (error * error).mean() + (w * w).sum()  # (no `** 2`: a Python number is a constant)
    return loss


def test_replay_gives_the_values_and_gradients_of_a_fresh_graph():
    rng = np.random.default_rng(0)
    params = _params(rng)
    loss_fn = _loss_fn(*params)
    step = record(loss_fn, rng.standard_normal((5, 3)), rng.standard_normal((5, 1)))
    for _ in range(3):
        x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 1))
        fresh = loss_fn(Tensor(x), Tensor(y))
        for p in params:
            p.grad = None
        fresh.backward()
        expected = [p.grad.data.copy() for p in params]
        for p in params:
            p.grad = None
        replayed = step(x, y)
        step.backward()
        assert replayed is step.output
        np.testing.assert_array_equal(replayed.data, fresh.data)  # the same ops on the same numbers
        for p, g in zip(params, expected):
            np.testing.assert_array_equal(p.grad.data, g)


def test_replayed_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    params = _params(rng)
    loss_fn = _loss_fn(*params)
    step = record(loss_fn, rng.standard_normal((4, 3)), rng.standard_normal((4, 1)))
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 1))
    step(x, y)
    step.backward()
    eps = 1e-6
    for p in params:
        numeric = np.zeros_like(p.data)
        for i in np.ndindex(p.data.shape):
            old = p.data[i]
            p.data[i] = old + eps
            up = float(step(x, y).data)
            p.data[i] = old - eps
            down = float(step(x, y).data)
            p.data[i] = old
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(p.grad.data, numeric, rtol=1e-6, atol=1e-8)


def test_constants_made_during_the_call_are_refused_by_name_unless_not_strict():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"input 1 of mul is a constant of shape \(\) made during the call"):
        record(lambda x: (x * w * 3.0).sum(), [1.0, 1.0])
    frozen = record(lambda x: (x * w * 3.0).sum(), [1.0, 1.0], strict=False)  # 3.0 frozen on purpose
    assert frozen.problem is not None
    assert float(frozen([2.0, 1.0]).data) == pytest.approx(3.0 * (2.0 + 2.0))
    # a constant computed from the data would be stale: refused
    with pytest.raises(ValueError, match="constant of shape \\(2,\\)"):
        record(lambda x: (w * Tensor(x.data > 0)).sum(), [1.0, -1.0])


def test_weights_and_listed_constants_are_read_afresh_on_every_call():
    w = Tensor([1.0, 2.0], requires_grad=True)
    scale = Tensor([10.0, 10.0])  # a frozen weight: no grad, lives outside the function
    with pytest.raises(ValueError, match="constant"):
        record(lambda x: (x * w * scale).sum(), [1.0, 1.0])
    step = record(lambda x: (x * w * scale).sum(), [1.0, 1.0], constants=[scale])
    scale.data[...] = 2.0                   # changed in place
    assert float(step([1.0, 1.0]).data) == 6.0
    w.data = np.array([0.0, 5.0], np.float32)  # replaced
    assert float(step([1.0, 1.0]).data) == 10.0


def test_a_retained_gradient_belongs_to_one_call():
    w = Tensor([1.0, 2.0], requires_grad=True)
    kept = {}

    def f(x):
        kept["h"] = (x * w).retain_grad()
        return (kept["h"] * kept["h"]).sum()

    step = record(f, [1.0, 1.0])
    step.backward()
    np.testing.assert_array_equal(kept["h"].grad.data, [2.0, 4.0])  # 2h, h = x·w
    step([2.0, 2.0])
    assert kept["h"].grad is None  # new values: the old gradient is dropped, not accumulated into
    step.backward()
    np.testing.assert_array_equal(kept["h"].grad.data, [4.0, 8.0])


def test_calls_with_other_shapes_or_counts_are_refused():
    w = Tensor([[1.0], [2.0]], requires_grad=True)
    step = record(lambda x: (x @ w).sum(), np.ones((3, 2), np.float32))
    with pytest.raises(ValueError, match=r"input 0 was \(3, 2\) float32, got \(4, 2\) float32"):
        step(np.ones((4, 2), np.float32))
    with pytest.raises(ValueError, match=r"got \(3, 2\) float64"):
        step(np.ones((3, 2), np.float64))
    with pytest.raises(TypeError, match="takes 1 input array"):
        step(np.ones((3, 2), np.float32), np.ones(2))
    with pytest.raises(ValueError, match="there is no graph"):
        record(lambda x: (x * 2.0).sum(), [1.0])  # nothing requires grad


def test_backward_twice_needs_a_new_call_and_the_graph_dies_with_the_recording():
    w = Tensor([1.0, 2.0], requires_grad=True)
    step = record(lambda x: (am.sigmoid(x * w)).sum(), [1.0, 1.0])
    step.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        step.backward()
    step([0.5, 0.5])
    step.backward()  # a new call, a new graph
    node = weakref.ref(step.output.grad_fn)
    gc.disable()
    try:
        del step
        assert node() is None  # no reference cycle: freed by refcount alone
    finally:
        gc.enable()


# --- fit replays its steps: the same training as building every step afresh -----------------
def _train(make_model, loss, x, y, replay, monkeypatch):
    """fit 4 epochs of batches of 8, with or without replayed steps; a callback reads the gradients
    after every batch, as a learner's tool would."""
    monkeypatch.setattr(training, "_replayable", _replayable if replay else (lambda model: False))
    rng = np.random.default_rng(7)
    model = make_model()
    model.set_weights([rng.standard_normal(w.shape).astype(np.float32) * 0.5 for w in model.get_weights()])
    model.compile(optimizer="sgd", loss=loss)
    seen = []
    watcher = LambdaCallback(on_batch_end=lambda batch, logs: seen.append([w.grad.data.copy() for w in model.weights]))
    history = model.fit(x, y, epochs=4, batch_size=8, verbose=0, shuffle=False, callbacks=[watcher])
    return history.history["loss"], model.get_weights(), seen


_replayable = training._replayable


CASES = {
    "sigmoid + bce (fused loss)": (lambda: Sequential([Dense(5, activation="tanh", input_dim=3),
                                                        Dense(1, activation="sigmoid")]), "binary_crossentropy", 1),
    "relu + mse": (lambda: Sequential([Dense(6, activation="relu", input_dim=3), Dense(2)]), "mse", 2),
    "softmax + cce": (lambda: Sequential([Dense(4, activation="relu", input_dim=3),
                                          Dense(3, activation="softmax")]), "categorical_crossentropy", 3),
    "sparse labels (one-hot made from the data: never replayed)": (
        lambda: Sequential([Dense(3, activation="softmax", input_dim=3)]), "sparse_categorical_crossentropy", "sparse"),
    "activation layer on the data first (a constant leaf: never replayed)": (
        lambda: Sequential([Activation("tanh", input_shape=[3]), Dense(1)]), "mae", 1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_with_replayed_steps_trains_exactly_as_building_each_step(case, monkeypatch):
    make_model, loss, width = CASES[case]
    rng = np.random.default_rng(3)
    x = rng.standard_normal((20, 3)).astype(np.float32)  # batches of 8, 8 and 4: two shapes recorded
    if width == "sparse":
        y = rng.integers(0, 3, size=(20, 1)).astype(np.float32)
    elif loss == "categorical_crossentropy":
        y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, size=20)]
    elif loss == "binary_crossentropy":
        y = (rng.random((20, 1)) > 0.5).astype(np.float32)
    else:
        y = rng.standard_normal((20, width)).astype(np.float32)
    fresh = _train(make_model, loss, x, y, False, monkeypatch)
    replayed = _train(make_model, loss, x, y, True, monkeypatch)
    np.testing.assert_array_equal(replayed[0], fresh[0])
    for a, b in zip(replayed[1], fresh[1]):
        np.testing.assert_array_equal(a, b)
    assert len(replayed[2]) == len(fresh[2]) == 12
    for step_a, step_b in zip(replayed[2], fresh[2]):
        for a, b in zip(step_a, step_b):
            np.testing.assert_array_equal(a, b)


def test_fit_records_one_step_per_batch_shape_for_builtin_models_only():
    model = Sequential([Dense(4, activation="relu", input_dim=2), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    y = np.zeros((10, 1), np.float32)
    plan = training.make_plan(model, y)
    assert plan.recordings == {}
    out, loss, recording = training._forward_and_loss(plan, np.ones((4, 2), np.float32), y[:4])
    assert isinstance(recording, Recording) and recording.output is loss
    again = training._forward_and_loss(plan, np.full((4, 2), 2.0, np.float32), y[:4])
    assert again[2] is recording and again[0] is out  # replayed: the same Tensors, new numbers
    np.testing.assert_array_equal(out.data, model.predict(np.full((4, 2), 2.0, np.float32), verbose=0))
    training._forward_and_loss(plan, np.ones((2, 2), np.float32), y[:2])
    assert sorted(plan.recordings) == [(2, 2), (4, 2)]

    custom = Sequential([Dense(4, activation=lambda t: t * t.sigmoid(), input_dim=2), Dense(1)])
    custom.compile(optimizer="sgd", loss="mse")
    assert training.make_plan(custom, y).recordings is None  # a custom activation might branch on values
    own_loss = Sequential([Dense(1, input_dim=2)])
    own_loss.compile(optimizer="sgd", loss=lambda y_true, y_pred: ((y_pred - y_true) ** 2).mean())
    assert training.make_plan(own_loss, y).recordings is None
