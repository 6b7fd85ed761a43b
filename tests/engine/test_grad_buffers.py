"""Gradient arrays: backward() gives every .grad an array of its own; zero_grad() sets it to None
(PyTorch's set-to-none), so an array a user kept is never written to. fit's gradients live in
the optimizer's arrays (nn.optimizers.GradientBuffers), written in place by the fused ops."""
import numpy as np

import autograd_mini as am
from autograd_mini import Tensor
from autograd_mini.ops.linalg import Linear

rng = np.random.default_rng(0)


def _step(x, w, b):
    out = Linear.apply(x, w, b)
    (out * out).sum().backward()
    return 2 * out.data  # d(sum out²)/d out


def test_zero_grad_sets_to_none_and_the_next_gradient_is_a_new_array_with_the_right_values():
    x = Tensor(rng.standard_normal((5, 3)))
    w, b = Tensor(rng.standard_normal((3, 2)), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    _step(x, w, b)
    first = w.grad.data
    snapshot = first.copy()
    w.zero_grad(), b.zero_grad()
    assert w.grad is None and b.grad is None
    w.data += 0.5  # a training step changed the weights
    upstream = _step(x, w, b)
    assert w.grad.data is not first
    np.testing.assert_array_equal(first, snapshot)  # the kept array was not written to
    np.testing.assert_allclose(w.grad.data, x.data.T @ upstream)
    np.testing.assert_allclose(b.grad.data, upstream.sum(axis=0))


def test_setting_grad_to_none_never_overwrites_a_kept_gradient():
    x = Tensor(rng.standard_normal((4, 3)))
    w, b = Tensor(rng.standard_normal((3, 2)), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    _step(x, w, b)
    kept = w.grad
    snapshot = kept.data.copy()
    w.grad = None  # not zero_grad(): the old array is the user's now
    w.data *= 3.0
    _step(x, w, b)
    assert w.grad.data is not kept.data
    np.testing.assert_array_equal(kept.data, snapshot)


def test_a_leaf_used_twice_in_one_op_gets_both_gradients():
    w = Tensor(rng.standard_normal((3, 3)), requires_grad=True)
    for _ in range(3):  # with buffers recycled between steps
        w.zero_grad()
        out = Linear.apply(w, w)  # w @ w: the op asks a buffer for input 0 and input 1
        g = rng.standard_normal((3, 3))
        (out * g).sum().backward()
        np.testing.assert_allclose(w.grad.data, g @ w.data.T + w.data.T @ g)


def test_a_weight_shared_by_two_ops_accumulates_over_recycled_steps():
    x = Tensor(rng.standard_normal((4, 3)))
    w = Tensor(rng.standard_normal((3, 3)), requires_grad=True)
    for _ in range(3):
        w.zero_grad()
        h = Linear.apply(x, w)
        out = Linear.apply(h, w)  # the same weight twice: the second gradient is added, not written over
        out.sum().backward()
        ones = np.ones((4, 3))
        expected = h.data.T @ ones + x.data.T @ (ones @ w.data.T)
        np.testing.assert_allclose(w.grad.data, expected)


def test_grad_function_returns_fresh_arrays_and_leaves_grad_untouched():
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    x = Tensor(rng.standard_normal((5, 3)))
    f = lambda w: (Linear.apply(x, w) ** 2).sum()
    g1 = am.grad(f)(w)
    w.data += 1.0
    g2 = am.grad(f)(w)
    assert w.grad is None
    assert not np.shares_memory(g1.data, g2.data)
    np.testing.assert_allclose(g2.data, 2 * x.data.T @ (x.data @ w.data))


def test_fit_writes_the_gradients_into_the_optimizers_arrays_and_leaves_grad_alone(monkeypatch):
    from nn import Dense, Sequential
    from nn.optimizers import GradientBuffers
    model = Sequential([Dense(4, activation="relu", input_dim=3), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.standard_normal((16, 3)).astype(np.float32), rng.standard_normal((16, 1)).astype(np.float32)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    arrays = dict(model.optimizer.buffers.arrays)
    copies = []
    original = GradientBuffers.leaf
    monkeypatch.setattr(GradientBuffers, "leaf", lambda self, t, g: (copies.append(g is not self.arrays[id(t)]),
                                                                     original(self, t, g)))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert model.optimizer.buffers.arrays == arrays  # the same arrays, step after step
    assert copies == [False] * 8  # every weight's gradient written in place by the fused ops, 2 steps
    assert all(w.grad is None for w in model.weights)
