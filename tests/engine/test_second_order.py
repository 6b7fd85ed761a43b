"""Higher order: the backward pass recorded with create_graph, for every op.

The pattern: gradcheck the function x -> grad(f)(x). Its "analytic" gradient is the backward
of the recorded backward; its numeric one is finite differences of the first derivative."""
import itertools
import zlib

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Tensor, grad, gradcheck
from conftest import BINARY_OPS


def seeded(*key) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def assert_second_order(f, *inputs, argnums=0):
    """gradcheck of the gradient of the scalar function f (all its inputs at once when tuple)."""
    rng = seeded("weights", [np.shape(x) for x in inputs])
    if isinstance(argnums, int):
        g = lambda *xs: grad(f, argnums)(*xs)
    else:
        weights = [rng.standard_normal(np.shape(inputs[i])) for i in argnums]

        def g(*xs):  # one scalar from all the gradients, each weighted at random
            grads = grad(f, argnums)(*xs)
            return sum((gi * w).sum() for gi, w in zip(grads, weights))
    report = gradcheck(g, list(inputs))
    assert report, str(report)


# --- unary ops: second derivative vs finite differences of the first -----------------------

UNARY = {
    "exp": (lambda x: x.exp(), lambda r, s: r.standard_normal(s)),
    "log": (lambda x: x.log(), lambda r, s: r.uniform(0.3, 3.0, s)),
    "sigmoid": (lambda x: x.sigmoid(), lambda r, s: 2 * r.standard_normal(s)),
    "tanh": (lambda x: x.tanh(), lambda r, s: r.standard_normal(s)),
    "relu": (lambda x: x.relu(), lambda r, s: r.uniform(0.2, 2.0, s) * r.choice([-1.0, 1.0], s)),
    "abs": (lambda x: abs(x), lambda r, s: r.uniform(0.2, 2.0, s) * r.choice([-1.0, 1.0], s)),
    "neg": (lambda x: -x, lambda r, s: r.standard_normal(s)),
    "pow3": (lambda x: x ** 3, lambda r, s: r.standard_normal(s)),
    "sqrt": (lambda x: x ** 0.5, lambda r, s: r.uniform(0.3, 3.0, s)),
    "2**x": (lambda x: 2.0 ** x, lambda r, s: r.standard_normal(s)),
    "reciprocal": (lambda x: 1.0 / x, lambda r, s: r.uniform(0.5, 2.0, s)),
}


@pytest.mark.parametrize("shape", [(), (3, 4)])
@pytest.mark.parametrize("op", list(UNARY))
def test_unary_second_derivative(op, shape):
    f, make = UNARY[op]
    rng = seeded(op, shape)
    x, c = make(rng, shape), rng.standard_normal(shape)
    # d/dx sum(c * f(x)) = c * f'(x): its gradient is c * f''(x), elementwise
    assert_second_order(lambda t: (c * f(t)).sum(), np.asarray(x, dtype=np.float64))


SECOND_DERIVATIVES = {  # closed forms at a scalar point
    "exp": lambda x: np.exp(x),
    "log": lambda x: -1 / x ** 2,
    "sigmoid": lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s),
    "tanh": lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
    "relu": lambda x: 0.0,
    "abs": lambda x: 0.0,
    "neg": lambda x: 0.0,
    "pow3": lambda x: 6 * x,
    "sqrt": lambda x: -0.25 * x ** -1.5,
    "2**x": lambda x: np.log(2) ** 2 * 2 ** x,
    "reciprocal": lambda x: 2 / x ** 3,
}


@pytest.mark.parametrize("op", list(SECOND_DERIVATIVES))
def test_grad_of_grad_scalar_closed_form(op):
    f = UNARY[op][0]
    for x in (0.7, 1.3):
        expected = SECOND_DERIVATIVES[op](x)
        assert grad(grad(f))(np.float64(x)).item() == pytest.approx(expected, rel=1e-9, abs=1e-12)
        # the same through the other API: backward(create_graph=True), then backward of x.grad
        t = Tensor(np.float64(x), requires_grad=True)
        f(t).backward(create_graph=True)
        first = t.grad
        t.grad = None
        if first.requires_grad:
            first.backward()
            assert t.grad.item() == pytest.approx(expected, rel=1e-9, abs=1e-12)
        else:  # first derivative constant in x
            assert expected == 0.0


def test_third_order():
    assert grad(grad(grad(lambda x: x ** 4)))(np.float64(2.0)).item() == pytest.approx(24 * 2.0)
    assert grad(grad(grad(lambda x: x.exp())))(np.float64(0.5)).item() == pytest.approx(np.exp(0.5))
    assert grad(grad(grad(lambda x: x.tanh())))(np.float64(0.3)).item() == pytest.approx(
        -2 * (1 - np.tanh(0.3) ** 2) ** 2 + 4 * np.tanh(0.3) ** 2 * (1 - np.tanh(0.3) ** 2))


def test_readme_example():
    f = lambda x: x ** 3
    assert grad(f)(2.0).item() == 12.0
    assert grad(grad(f))(2.0).item() == 12.0


# --- binary ops, through broadcasting -------------------------------------------------------

PAIRS = [((3, 4), (3, 4)), ((), (3, 4)), ((4,), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)),
         ((1, 4), (2, 3, 4)), ((3, 4), ())]


@pytest.mark.parametrize("sa,sb", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_binary_second_order(op, sa, sb):
    rng = seeded(op, sa, sb)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    if op == "div":
        b = rng.uniform(0.5, 2.0, sb) * rng.choice([-1.0, 1.0], sb)
    if op == "pow":
        a = rng.uniform(0.5, 2.0, sa)
    c = rng.standard_normal(np.broadcast_shapes(sa, sb))
    fn = BINARY_OPS[op]

    def f(x, y):
        o = fn(x, y)
        return (c * o * o).sum()  # o*o: the gradient depends on x and y even for linear ops

    assert_second_order(f, a, b, argnums=(0, 1))


# --- the other ops ---------------------------------------------------------------------------

def _square_weighted(op, shape_out, rng):
    c = rng.standard_normal(shape_out)
    return lambda t: (c * op(t) * op(t)).sum()


OTHER = {
    "sum": (lambda t: t.sum(axis=1), (2, 3, 4)),
    "sum keepdims": (lambda t: t.sum(axis=(0, 2), keepdims=True), (2, 3, 4)),
    "sum all": (lambda t: t.sum(), (2, 3, 4)),
    "mean": (lambda t: t.mean(axis=-1), (2, 3, 4)),
    "mean all keepdims": (lambda t: t.mean(keepdims=True), (3, 4)),
    "max": (lambda t: t.max(axis=0), (3, 4)),
    "max keepdims": (lambda t: t.max(axis=(1, 2), keepdims=True), (2, 3, 4)),
    "max all": (lambda t: t.max(), (3, 4)),
    "reshape": (lambda t: t.reshape(4, 6), (2, 3, 4)),
    "transpose": (lambda t: t.transpose(2, 0, 1), (2, 3, 4)),
    "T": (lambda t: t.T, (3, 4)),
    "getitem slice": (lambda t: t[:, 1:], (3, 4)),
    "getitem repeats": (lambda t: t[[0, 2, 2, 1]], (3, 4)),
    "getitem pairs": (lambda t: t[[0, 0, 2], [1, 1, 3]], (3, 4)),
    "broadcast_to": (lambda t: am.broadcast_to(t, (2, 3, 4)), (3, 1)),
    "where": (lambda t: am.where(np.arange(12).reshape(3, 4) % 3 == 0, t, t.exp()), (3, 4)),
    "relu": (lambda t: t.relu(), (3, 4)),
    "abs": (lambda t: abs(t), (3, 4)),
}


@pytest.mark.parametrize("name", list(OTHER))
def test_other_ops_second_order(name):
    op, shape = OTHER[name]
    rng = seeded(name)
    x = rng.standard_normal(shape)
    out_shape = op(Tensor(x)).shape
    assert_second_order(_square_weighted(op, out_shape, rng), x)


MATMUL = [((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
          ((2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2))]


@pytest.mark.parametrize("sa,sb", MATMUL, ids=[f"{a}@{b}" for a, b in MATMUL])
def test_matmul_second_order(sa, sb):
    rng = seeded("matmul", sa, sb)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    c = rng.standard_normal((a @ b).shape)

    def f(x, y):
        o = x @ y
        return (c * o * o).sum()

    assert_second_order(f, a, b, argnums=(0, 1))


@pytest.mark.parametrize("sx", [(5, 3), (2, 5, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("units", [4, 1])  # one unit: dx is an outer product (computed by broadcasting)
def test_linear_second_order(sx, bias, units):
    rng = seeded("linear", sx, bias)
    x, w, b = rng.standard_normal(sx), rng.standard_normal((3, units)), rng.standard_normal(units)
    c = rng.standard_normal(sx[:-1] + (units,))
    if bias:
        f = lambda x_, w_, b_: (c * am.linear(x_, w_, b_).tanh()).sum()
        assert_second_order(f, x, w, b, argnums=(0, 1, 2))
    else:
        f = lambda x_, w_: (c * am.linear(x_, w_).tanh()).sum()
        assert_second_order(f, x, w, argnums=(0, 1))


# --- Hessian-vector product -------------------------------------------------------------------

def fd_hessian(f, x: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    """The Hessian from function values only (second central differences), in float64."""
    n = x.size
    h = np.zeros((n, n))
    e = np.eye(n) * eps
    for i in range(n):
        for j in range(n):
            h[i, j] = (f(x + e[i] + e[j]) - f(x + e[i] - e[j]) - f(x - e[i] + e[j]) + f(x - e[i] - e[j])) / (4 * eps ** 2)
    return h


def test_hessian_vector_product():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((4, 4))
    x0, v = rng.standard_normal(4), rng.standard_normal(4)

    def f(x):
        h = (Tensor(w) @ x).tanh()
        return (h * h).sum() + (x.exp() * x).sum() + am.maximum(x, 0.1 * x).sum() * x.sigmoid().sum()

    def f_value(a):
        with am.no_grad():
            return f(Tensor(a)).item()

    expected = fd_hessian(f_value, x0) @ v

    hvp = grad(lambda x: (grad(f)(x) * v).sum())(x0)  # H v = ∇(∇f · v)
    np.testing.assert_allclose(hvp.data, expected, rtol=1e-5, atol=1e-6)

    x = Tensor(x0, requires_grad=True)  # the same through backward(create_graph=True)
    f(x).backward(create_graph=True)
    g = x.grad
    x.grad = None
    (g * v).sum().backward()
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-5, atol=1e-6)


def test_argnums_tuple_nested():
    f = lambda a, b: (a * a * b.exp()).sum()
    a0, b0 = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    # d²f/da db = 2a e^b, elementwise
    mixed = grad(lambda a, b: grad(f, argnums=0)(a, b).sum(), argnums=1)(a0, b0)
    np.testing.assert_allclose(mixed.data, 2 * a0 * np.exp(b0))
    ga, gb = grad(lambda a, b: grad(f, argnums=(0, 1))(a, b)[1].sum(), argnums=(0, 1))(a0, b0)
    np.testing.assert_allclose(ga.data, 2 * a0 * np.exp(b0))
    np.testing.assert_allclose(gb.data, a0 * a0 * np.exp(b0))


# --- regressions -----------------------------------------------------------------------------

def test_detached_operand_is_a_constant_at_second_order():
    # x and x.detach() hold the very same array; only the first may be differentiated again
    f = lambda x: (x * x.detach()).sum()
    assert grad(grad(f))(np.float64(3.0)).item() == 0.0
    f = lambda x: (x.detach() * x * x).sum()
    assert grad(grad(f))(np.float64(3.0)).item() == pytest.approx(2 * 3.0)
    shared = np.array([1.0, 2.0])  # two Tensors made from one ndarray
    c = Tensor(shared)
    g2 = grad(lambda x: grad(lambda t: (t * c).sum())(x).sum())(Tensor(shared, requires_grad=True))
    np.testing.assert_array_equal(g2.data, [0.0, 0.0])


@pytest.mark.parametrize("op", ["exp", "sigmoid", "tanh", "pow3", "sqrt", "2**x"])
def test_zero_d_outputs_stay_in_the_graph(op):
    # numpy hands back scalars from 0-d ufuncs; a saved output must still be the graph's Tensor
    f = UNARY[op][0]
    x = 0.8
    assert grad(grad(f))(Tensor(np.float64(x))).item() == pytest.approx(SECOND_DERIVATIVES[op](x), rel=1e-9)


def test_nested_grad_through_a_closure():
    # the inner f closes over the outer variable b: the inner gradient must stay in b's graph
    a0, b0 = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    mixed = grad(lambda b: grad(lambda a: (a * a * am.exp(b)).sum())(a0).sum())(b0)
    np.testing.assert_allclose(mixed.data, 2 * a0 * np.exp(b0))
    assert_second_order(lambda b: grad(lambda a: (a * a * am.exp(b)).sum())(a0).sum(), b0)


def test_top_level_grad_records_nothing():
    # no Tensor that requires grad, not inside another grad: a plain result, no graph kept
    g = grad(lambda x: (x * x.exp()).sum())(np.array([1.0, 2.0]))
    assert g.grad_fn is None and not g.requires_grad


def test_gradient_penalty_through_backward():
    # grad() inside a function differentiated by backward/gradcheck, closing over the parameter w:
    # the penalty depends on w through the inner gradient, which must therefore be recorded
    rng = np.random.default_rng(4)
    x0, w0 = rng.standard_normal((3, 2)), rng.standard_normal(2)

    def penalty(w):
        g = grad(lambda x: (x * w).tanh().sum())(x0)
        return (g * g).sum()

    report = gradcheck(penalty, [w0])
    assert report, str(report)
    w = Tensor(w0, requires_grad=True)
    penalty(w).backward()
    np.testing.assert_allclose(w.grad.data, np.asarray(grad(penalty)(w0)), rtol=1e-12)


def test_grad_under_no_grad_records_nothing():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with am.no_grad():
        g = grad(lambda x: (x * w).exp().sum())(np.array([0.5, 0.25]))
    assert g.grad_fn is None and not g.requires_grad
    np.testing.assert_allclose(g.data, w.data * np.exp(w.data * np.array([0.5, 0.25])))
