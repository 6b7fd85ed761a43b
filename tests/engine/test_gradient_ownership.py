"""No stale, no shared gradients (issue 10, point 3): after fit/evaluate/predict no weight holds a
gradient; a backward after fit gives exactly that backward's gradient; no two Tensors' .grad
share memory; a gradient the user holds is never written to by a later step."""
import numpy as np
import pytest

import autograd_mini as am
import nn
from autograd_mini import Tensor

X = np.array([[1.0], [2.0], [3.0]])
Y = np.array([[10.0], [20.0], [30.0]])


def test_two_leaves_never_share_a_gradient_array():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # Add hands one array to both inputs
    assert not np.shares_memory(a.grad.data, b.grad.data)
    a.grad.data *= 2
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])


def test_a_leaf_used_as_the_root_does_not_keep_the_callers_seed_array():
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([5.0, 6.0], dtype=x.dtype)
    x.backward(seed)
    seed[:] = 0
    np.testing.assert_array_equal(x.grad.data, [5.0, 6.0])


def test_retained_and_leaf_gradients_do_not_share_memory():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.reshape((2,)).retain_grad()  # reshape's backward passes a view of its gradient on
    y.sum().backward()
    assert not np.shares_memory(x.grad.data, y.grad.data)


def test_a_gradient_the_user_holds_is_never_written_to():
    w = Tensor([1.0, 2.0], requires_grad=True)
    opt = nn.optimizers.SGD([w], lr=0.1)
    (w * w).sum().backward()
    held = w.grad
    snapshot = held.data.copy()
    (w * w).sum().backward()  # accumulates into a new array
    opt.step()
    opt.zero_grad()
    (w * 3.0).sum().backward()
    opt.step()
    np.testing.assert_array_equal(held.data, snapshot)


def _model(dtype):
    am.set_default_dtype(dtype)
    try:
        model = nn.Sequential([nn.Dense(1, input_dim=1)])
    finally:
        am.set_default_dtype("float32")
    model.set_weights([np.array([[2.0]]), np.array([1.0])])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_no_weight_holds_a_gradient_after_fit_evaluate_or_predict():
    model = _model("float32")
    model.fit(X, Y, epochs=3, batch_size=2, verbose=0)
    assert all(w.grad is None for w in model.weights)
    model.evaluate(X, Y, verbose=0)
    model.predict(X, verbose=0)
    assert all(w.grad is None for w in model.weights)


def test_a_backward_after_fit_gives_exactly_that_backwards_gradient():
    model = _model("float64")
    model.fit(X, Y, epochs=2, batch_size=2, verbose=0)
    kernel, bias = model.weights
    k, b = float(kernel.data[0, 0]), float(bias.data[0])
    nn.losses.mean_squared_error(Y, model(Tensor(X))).backward()
    error = k * X + b - Y  # by hand: d/dk mean(error²) = 2 mean(error·x), d/db = 2 mean(error)
    np.testing.assert_allclose(kernel.grad.data, [[2 * np.mean(error * X)]], rtol=1e-12)
    np.testing.assert_allclose(bias.grad.data, [2 * np.mean(error)], rtol=1e-12)


def test_callbacks_see_each_steps_gradient_as_an_array_of_their_own():
    model = _model("float64")
    seen = []
    watcher = nn.LambdaCallback(on_batch_end=lambda batch, logs: seen.append(model.weights[0].grad))
    model.fit(X, Y, epochs=1, batch_size=1, verbose=0, shuffle=False, callbacks=[watcher])
    assert len(seen) == 3 and len({id(g.data) for g in seen}) == 3
    assert not np.shares_memory(seen[0].data, seen[1].data)
    assert model.weights[0].grad is None


def test_create_graph_gradients_do_not_share_memory_and_stay_differentiable():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward(create_graph=True)  # Add hands one gradient to both inputs
    assert a.grad is not b.grad and not np.shares_memory(a.grad.data, b.grad.data)
    a.grad.data[0] = 99.0
    assert b.grad.tolist() == [1.0, 1.0]
    x, c = Tensor(2.0, requires_grad=True), Tensor(5.0, requires_grad=True)
    (x * x * c + x * c).backward(create_graph=True)  # dx = 2xc + c = 25, still a function of x and c
    assert float(x.grad) == 25.0 and x.grad.grad_fn is not None
    c.grad = None
    x.grad.backward()  # d(2xc + c)/dc = 2x + 1
    assert float(c.grad) == 5.0


def test_clone_copies_and_passes_the_gradient():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = x.clone()
    assert not np.shares_memory(x.data, y.data) and y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.tolist() == [2.0, -4.0]


def test_backward_takes_pytorchs_gradient_keyword():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3.0).backward(gradient=np.array([1.0, 10.0], dtype=x.dtype))
    assert x.grad.tolist() == [3.0, 30.0]
    with pytest.raises(TypeError, match="gradient="):
        (x * 3.0).backward(np.ones(2), gradient=np.ones(2))
