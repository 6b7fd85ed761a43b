"""copy.deepcopy and pickle give independent Tensors and models that train exactly as the original."""
import copy
import pickle

import numpy as np
import pytest

import autograd_mini as am
import nn
from nn.optimizers import SGD, Adam, RMSprop

RNG = np.random.default_rng(3)
X = RNG.normal(size=(40, 3))
Y = (X @ np.array([1.0, -1.0, 0.5]) > 0).astype(float)


@pytest.fixture(autouse=True)
def _fresh_names():
    """Layer names restart after each test, as other test files expect ("dense", not "dense_7")."""
    yield
    nn.utils.clear_session()



def _deep(obj):
    return copy.deepcopy(obj)


def _pickled(obj):
    return pickle.loads(pickle.dumps(obj))


def _pickled_v0(obj):
    return pickle.loads(pickle.dumps(obj, protocol=0))


COPIERS = [_deep, _pickled, _pickled_v0]


@pytest.mark.parametrize("copier", COPIERS)
def test_leaf_tensor_copy_is_independent_and_keeps_grad(copier):
    w = am.Tensor([1.0, 2.0], requires_grad=True, name="w", dtype="float64")
    (w * w).sum().backward()
    c = copier(w)
    assert c is not w and c.requires_grad and c.name == "w" and c.dtype == np.float64 and c.is_leaf
    np.testing.assert_array_equal(c.grad.data, [2.0, 4.0])
    c.data[0] = 9.0
    c.grad.data[0] = 7.0
    np.testing.assert_array_equal(w.data, [1.0, 2.0])
    np.testing.assert_array_equal(w.grad.data, [2.0, 4.0])
    (c * c).sum().backward()  # the copy is a working leaf: its gradients accumulate on its own
    np.testing.assert_array_equal(c.grad.data, [7.0 + 18.0, 8.0])


@pytest.mark.parametrize("copier", COPIERS)
def test_tensor_without_grad(copier):
    t = am.Tensor(np.arange(6.0).reshape(2, 3))
    c = copier(t)
    assert c.grad is None and not c.requires_grad and c.shape == (2, 3)
    np.testing.assert_array_equal(c.data, t.data)


def test_deepcopy_of_an_op_output_is_refused_and_pickle_gives_a_leaf():
    w = am.Tensor([1.0], requires_grad=True)
    y = w * 2
    with pytest.raises(RuntimeError, match="detach"):
        copy.deepcopy(y)
    p = _pickled(y)
    assert p.is_leaf and p.requires_grad
    np.testing.assert_array_equal(p.data, [2.0])


def test_shared_tensor_stays_shared_inside_one_copy():
    w = am.Tensor([1.0], requires_grad=True)
    a, b = copy.deepcopy([w, w])
    assert a is b and a is not w


def _model(optimizer, metrics=("accuracy",)):
    nn.utils.set_random_seed(0)
    model = nn.Sequential([nn.Dense(5, activation="tanh", input_shape=[3]), nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=list(metrics))
    return model


def _epochs(model, n=3):
    """Per-epoch losses and the weights after each epoch (batches of 8: 5 optimizer steps per epoch)."""
    out = []
    for _ in range(n):
        h = model.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
        out.append((h.history["loss"][0], [w.copy() for w in model.get_weights()]))
    return out


def _assert_same_run(a, b):
    for (loss_a, w_a), (loss_b, w_b) in zip(a, b):
        assert loss_a == loss_b
        for x, y in zip(w_a, w_b):
            np.testing.assert_array_equal(x, y)


OPTIMIZERS = [lambda: SGD(0.1, momentum=0.9), lambda: Adam(0.01), lambda: RMSprop(0.01), lambda: "sgd"]


@pytest.mark.parametrize("copier", COPIERS)
@pytest.mark.parametrize("make_optimizer", OPTIMIZERS)
def test_trained_model_copy_trains_exactly_as_the_original(copier, make_optimizer):
    model = _model(make_optimizer())
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)  # optimizer state exists (momentum, m, v)
    twin = copier(model)
    before = model.get_weights()
    run_twin = _epochs(twin)
    for a, b in zip(before, model.get_weights()):  # training the copy leaves the original alone
        np.testing.assert_array_equal(a, b)
    assert run_twin[0][0] != run_twin[-1][0]  # the copy really trains
    _assert_same_run(run_twin, _epochs(model))
    assert twin.optimizer.iterations == model.optimizer.iterations


@pytest.mark.parametrize("copier", COPIERS)
def test_compiled_untrained_and_uncompiled_models_copy(copier):
    model = _model(Adam(0.01))
    twin = copier(model)
    _assert_same_run(_epochs(twin, 2), _epochs(model, 2))
    bare = nn.Sequential([nn.Dense(2, input_shape=[3])])
    twin = copier(bare)
    assert twin.optimizer is None and [w.shape for w in twin.weights] == [(3, 2), (2,)]
    assert twin.weights[0] is not bare.weights[0]


@pytest.mark.parametrize("copier", COPIERS)
def test_copied_optimizer_state_is_equal_and_independent(copier):
    model = _model(Adam(0.01))
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    twin = copier(model)
    for s_a, s_b in zip(model.optimizer.slots, twin.optimizer.slots):
        for name in ("m", "v"):
            np.testing.assert_array_equal(s_a[name], s_b[name])
            assert not np.shares_memory(s_a[name], s_b[name])
    assert twin.optimizer.params[0] is twin.weights[0]  # the copy's optimizer moves the copy's weights


def test_optimizer_used_by_hand_copies_with_its_parameters():
    w = am.Tensor([1.0, -2.0], requires_grad=True)
    opt = SGD([w], lr=0.1, momentum=0.5)
    (w * w).sum().backward()
    opt.step()
    w2, opt2 = copy.deepcopy((w, opt))
    for t, o in ((w, opt), (w2, opt2)):
        o.zero_grad()
        (t * t).sum().backward()
        o.step()
    np.testing.assert_array_equal(w.data, w2.data)
    assert w2.data is not w.data
