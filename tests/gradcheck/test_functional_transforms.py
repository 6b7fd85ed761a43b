"""jacobian, hessian, vjp, jvp, value_and_grad against finite differences (float64) and hand formulas."""
import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Function, Tensor

rng = np.random.default_rng(3)
W = rng.standard_normal((3, 4))
A = rng.standard_normal((4, 4))


def numeric_jacobian(f, x, eps=1e-6):
    """d f(x) / d x by central differences on plain numpy: shape f(x).shape + x.shape."""
    out = np.asarray(f(x))
    J = np.zeros(out.shape + x.shape)
    for j in np.ndindex(x.shape):
        d = np.zeros(x.shape)
        d[j] = eps
        J[(...,) + j] = (np.asarray(f(x + d)) - np.asarray(f(x - d))) / (2 * eps)
    return J


def net(x):
    """Works on arrays and on Tensors alike (numpy functions go through the graph)."""
    return np.tanh(W @ x) * np.sum(x ** 2)


def test_jacobian_against_finite_differences():
    x = rng.standard_normal(4)
    J = am.jacobian(net)(Tensor(x, dtype="float64"))
    assert isinstance(J, Tensor) and J.shape == (3, 4)
    np.testing.assert_allclose(J.data, numeric_jacobian(net, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(am.jacobian(net)(x).data, J.data)  # arrays work as well


def test_jacobian_hand_formulas_and_shapes():
    x = rng.standard_normal(4)
    np.testing.assert_allclose(am.jacobian(lambda v: W @ v)(x).data, W)                      # linear map: W
    np.testing.assert_allclose(am.jacobian(np.exp)(x).data, np.diag(np.exp(x)))               # elementwise: diagonal
    X = rng.standard_normal((2, 3))
    J = am.jacobian(lambda m: np.sum(m * m, axis=1))(X)                                       # rows' squared norms
    assert J.shape == (2, 2, 3)
    expected = np.zeros((2, 2, 3))
    expected[0, 0], expected[1, 1] = 2 * X[0], 2 * X[1]
    np.testing.assert_allclose(J.data, expected)


def test_jacobian_argnums_and_tuple_outputs():
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    Jx, Jy = am.jacobian(lambda a, b: a * b, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(Jx.data, np.diag(y))
    np.testing.assert_allclose(Jy.data, np.diag(x))
    (J_sum, J_prod) = am.jacobian(lambda a: (a.sum(), a * 2.0))(x)
    np.testing.assert_allclose(J_sum.data, np.ones(3))
    np.testing.assert_allclose(J_prod.data, 2 * np.eye(3))


def test_hessian_hand_formulas():
    x = rng.standard_normal(4)
    H = am.hessian(lambda v: 0.5 * (v @ (A @ v)))(x)
    np.testing.assert_allclose(H.data, (A + A.T) / 2, rtol=1e-12)
    np.testing.assert_allclose(am.hessian(lambda v: np.sum(np.exp(v)))(x).data, np.diag(np.exp(x)))
    y = rng.standard_normal(4)
    (Hxx, Hxy), (Hyx, Hyy) = am.hessian(lambda a, b: np.sum(a * b ** 2), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(Hxx.data, np.zeros((4, 4)))
    np.testing.assert_allclose(Hxy.data, np.diag(2 * y))
    np.testing.assert_allclose(Hyx.data, np.diag(2 * y))
    np.testing.assert_allclose(Hyy.data, np.diag(2 * x))


def test_hessian_against_finite_differences_of_the_gradient():
    X, y = rng.standard_normal((5, 4)), np.array([0, 2, 1, 1, 0])

    def softmax_loss(w):
        scores = X @ np.reshape(w, (4, 3))
        scores = scores - np.max(scores, axis=1, keepdims=True)
        return -np.mean(np.log(np.exp(scores[np.arange(5), y]) / np.sum(np.exp(scores), axis=1)))

    w = rng.standard_normal(12)
    H = am.hessian(softmax_loss)(w)
    numeric = numeric_jacobian(lambda v: am.grad(softmax_loss)(v).data, w)
    np.testing.assert_allclose(H.data, numeric, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(H.data, H.data.T, atol=1e-12)  # symmetric


def test_vjp_is_cotangent_times_jacobian():
    x, ct = rng.standard_normal(4), rng.standard_normal(3)
    out, vjp_fn = am.vjp(net, x)
    np.testing.assert_allclose(out.data, net(x))
    (g,) = vjp_fn(ct)
    np.testing.assert_allclose(g.data, ct @ numeric_jacobian(net, x), rtol=1e-6)
    (g2,) = vjp_fn(2 * ct)  # reusable
    np.testing.assert_allclose(g2.data, 2 * g.data)
    _, vjp_two = am.vjp(lambda a, b: a * b, x, 2 * x)
    ga, gb = vjp_two(np.ones(4))
    np.testing.assert_allclose(ga.data, 2 * x)
    np.testing.assert_allclose(gb.data, x)
    with pytest.raises(ValueError, match=r"cotangent has shape \(2,\), f's output has shape \(3,\)"):
        vjp_fn(np.ones(2))


def test_jvp_is_jacobian_times_tangent():
    x, t = rng.standard_normal(4), rng.standard_normal(4)
    out, t_out = am.jvp(net, (x,), (t,))
    np.testing.assert_allclose(out.data, net(x))
    np.testing.assert_allclose(t_out.data, numeric_jacobian(net, x) @ t, rtol=1e-6)
    _, t_two = am.jvp(lambda a, b: a * b + a, (x, 2 * x), (t, np.ones(4)))
    np.testing.assert_allclose(t_two.data, t * 2 * x + x + t)  # d(ab + a) = b da + a db + da
    _, t_id = am.jvp(lambda a: a, (x,), (t,))
    np.testing.assert_allclose(t_id.data, t)
    with pytest.raises(ValueError, match=r"tangent 0 has shape \(3,\), primal 0 has shape \(4,\)"):
        am.jvp(net, (x,), (np.ones(3),))


class ArraySquare(Function):
    """x², with a backward that only works on arrays (not differentiable again)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return np.asarray(grad) * 2 * np.asarray(x)


def test_jvp_through_a_backward_that_is_not_differentiable_falls_back_to_the_jacobian():
    x, t = rng.standard_normal(3), rng.standard_normal(3)
    _, t_out = am.jvp(lambda a: ArraySquare.apply(a), (x,), (t,))
    np.testing.assert_allclose(t_out.data, 2 * x * t)


def test_value_and_grad():
    x = rng.standard_normal(4)
    value, g = am.value_and_grad(lambda v: np.sum(np.tanh(v) ** 2))(x)
    assert value.item() == pytest.approx(np.sum(np.tanh(x) ** 2))
    np.testing.assert_allclose(g.data, 2 * np.tanh(x) * (1 - np.tanh(x) ** 2))
    value, (ga, gb) = am.value_and_grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, 3 * x)
    assert value.item() == pytest.approx(3 * np.sum(x * x))
    np.testing.assert_allclose(ga.data, 3 * x)
    np.testing.assert_allclose(gb.data, x)
