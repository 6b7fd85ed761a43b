"""Every op's gradient against central finite differences (gradcheck, float64).

Non-scalar outputs are reduced by gradcheck with a random upstream gradient, so each check is
of vᵀJ for a random v; scalar outputs are first multiplied by a random constant so the
upstream is never just 1.
"""
import itertools
import zlib

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Tensor, gradcheck
from conftest import BINARY_OPS

SHAPES = [(), (4,), (3, 4), (1, 4), (3, 1), (2, 3, 4)]
PAIRS = list(itertools.product(SHAPES, SHAPES))  # every ordered pair: all of them broadcast


def _stable_seed(key) -> int:
    """A seed from the test's parameters: different data per case, the same on every run."""
    return zlib.crc32(repr(key).encode())


def check(f, *inputs, **kwargs):
    """Assert that gradcheck passes, with a random upstream even for scalar outputs."""
    rng = np.random.default_rng(_stable_seed(("upstream", [np.shape(x) for x in inputs])))
    scale = rng.uniform(0.5, 2.0) * rng.choice([-1.0, 1.0])

    def g(*xs):
        out = f(*xs)
        return out * scale if out.ndim == 0 else out

    report = gradcheck(g, list(inputs), **kwargs)
    assert report, str(report)
    return report


# --- binary ops, every broadcasting pair -------------------------------------------------

def _operands(op, sa, sb):
    rng = np.random.default_rng(_stable_seed((op, sa, sb)))
    a = rng.standard_normal(sa)
    b = rng.standard_normal(sb)
    if op == "div":  # keep the divisor away from 0
        b = rng.uniform(0.5, 2.0, sb) * rng.choice([-1.0, 1.0], sb)
    if op == "pow":  # positive base, so a**b and its log(a) slope are real
        a = rng.uniform(0.5, 2.0, sa)
    return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)


@pytest.mark.parametrize("sa,sb", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_binary_op_broadcasting(op, sa, sb):
    a, b = _operands(op, sa, sb)
    out = BINARY_OPS[op](Tensor(a), Tensor(b))
    assert out.shape == np.broadcast_shapes(sa, sb)
    check(BINARY_OPS[op], a, b)


@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_binary_op_only_one_side_needs_grad(op):
    a, b = _operands(op, (3, 1), (4,))
    # the other operand a constant: an ndarray, so only one input is a graph leaf
    check(lambda x: BINARY_OPS[op](x, Tensor(b)), a)
    check(lambda y: BINARY_OPS[op](Tensor(a), y), b)


@pytest.mark.parametrize("expr", [
    lambda x: 2.0 + x, lambda x: x + 2.0, lambda x: 2.0 - x, lambda x: x - 2.0,
    lambda x: 3.0 * x, lambda x: x * 3.0, lambda x: 2.0 / x, lambda x: x / 2.0,
    lambda x: x ** 3, lambda x: x ** 0.5, lambda x: 2.0 ** x, lambda x: x ** -1.5,
    lambda x: np.full((3, 4), 1.5) * x, lambda x: np.arange(4.0) - x, lambda x: x / np.full(4, 3.0),
])
def test_operators_with_numbers_and_arrays(expr):
    x = np.random.default_rng(1).uniform(0.5, 2.0, (3, 4))
    check(expr, x)


# --- unary ops ------------------------------------------------------------------------------

def _away_from_zero(rng, shape):
    return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


UNARY = {
    "exp": (lambda x: x.exp(), lambda r, s: r.standard_normal(s)),
    "log": (lambda x: x.log(), lambda r, s: r.uniform(0.2, 3.0, s)),
    "sigmoid": (lambda x: x.sigmoid(), lambda r, s: 3 * r.standard_normal(s)),
    "relu": (lambda x: x.relu(), _away_from_zero),
    "tanh": (lambda x: x.tanh(), lambda r, s: 2 * r.standard_normal(s)),
    "abs": (lambda x: abs(x), _away_from_zero),
    "neg": (lambda x: -x, lambda r, s: r.standard_normal(s)),
    "am.exp": (lambda x: am.exp(x), lambda r, s: r.standard_normal(s)),
    "am.log": (lambda x: am.log(x), lambda r, s: r.uniform(0.2, 3.0, s)),
    "am.sigmoid": (lambda x: am.sigmoid(x), lambda r, s: r.standard_normal(s)),
    "am.relu": (lambda x: am.relu(x), _away_from_zero),
    "am.tanh": (lambda x: am.tanh(x), lambda r, s: r.standard_normal(s)),
}


@pytest.mark.parametrize("shape", [(), (4,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("op", list(UNARY))
def test_unary_op(op, shape):
    f, make = UNARY[op]
    x = make(np.random.default_rng(_stable_seed((op, shape))), shape)
    check(f, np.asarray(x, dtype=np.float64))


# --- reductions -----------------------------------------------------------------------------

AXES = [None, 0, 1, 2, -1, -3, (0, 2), (-1, 0), (0, 1, 2), ()]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("op", ["sum", "mean", "max"])
def test_reduction(op, axis, keepdims):
    x = np.random.default_rng(_stable_seed((op, axis, keepdims))).standard_normal((2, 3, 4))
    out = getattr(Tensor(x), op)(axis=axis, keepdims=keepdims)
    expected = getattr(np, op)(x, axis=axis, keepdims=keepdims)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected)
    check(lambda t: getattr(t, op)(axis=axis, keepdims=keepdims), x)
    # the module functions are the same ops
    check(lambda t: getattr(am, op)(t, axis, keepdims), x)


@pytest.mark.parametrize("op", ["sum", "mean", "max"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_of_scalar_and_vector(op, keepdims):
    check(lambda t: getattr(t, op)(keepdims=keepdims), np.array(1.7))
    check(lambda t: getattr(t, op)(axis=0, keepdims=keepdims), np.array([0.3, -1.2, 2.5, 0.9]))


def test_max_ties_share_the_gradient_equally():
    x = Tensor(np.array([1.0, 3.0, 3.0, 2.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5, 0.0])

    x = Tensor(np.array([[1.0, 1.0, 1.0], [2.0, 0.0, 5.0]]), requires_grad=True)
    (x.max(axis=1) * Tensor(np.array([3.0, 10.0]))).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1.0, 1.0, 1.0], [0.0, 0.0, 10.0]])

    x = Tensor(np.array([[4.0, 0.0], [4.0, 4.0]]), requires_grad=True)
    x.max(axis=0, keepdims=True).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.5, 0.0], [0.5, 1.0]])


def test_maximum_ties_share_the_gradient_equally():
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 5.0, 3.0]), requires_grad=True)
    am.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.0, 0.5])
    np.testing.assert_array_equal(b.grad.data, [0.5, 1.0, 0.5])

    # broadcast: a scalar tied with one element, above another, below a third
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    s = Tensor(np.array(2.0), requires_grad=True)
    am.maximum(a, s).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.0, 0.5, 1.0])
    assert s.grad.item() == 1.5


# --- shape ops ------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(6, 4), (-1,), (4, 3, 2), (2, 12), (24, 1), (1, 2, 1, 12)])
def test_reshape(shape):
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    check(lambda t: t.reshape(shape), x)
    check(lambda t: t.reshape(*shape), x)
    check(lambda t: am.reshape(t, shape), x)


def test_reshape_scalar():
    check(lambda t: t.reshape(1, 1), np.array(0.7))
    check(lambda t: t.reshape(()), np.array([0.7]))


@pytest.mark.parametrize("axes", [(), (1, 0, 2), (2, 0, 1), (0, 2, 1), (-1, 0, 1), (2, 1, 0)], ids=str)
def test_transpose(axes):
    x = np.random.default_rng(3).standard_normal((2, 3, 4))
    out = Tensor(x).transpose(*axes)
    np.testing.assert_array_equal(out.data, x.transpose(*axes) if axes else x.T)
    check(lambda t: t.transpose(*axes), x)
    if axes:
        check(lambda t: t.transpose(axes), x)
        check(lambda t: am.transpose(t, axes), x)


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (4,)])
def test_dot_T(shape):
    x = np.random.default_rng(4).standard_normal(shape)
    assert Tensor(x).T.shape == x.T.shape
    check(lambda t: t.T, x)


INDICES = {
    "int": 1,
    "negative int": -1,
    "slice": (slice(None), slice(1, 3)),
    "step": (Ellipsis, slice(None, None, 2)),
    "mixed": (0, slice(None), -1),
    "newaxis": (None, 1),
    "int array with repeats": np.array([1, 0, 1, 1]),
    "list with repeats": [0, 0, 1],
    "axis-1 array with repeats": (slice(None), [2, 2, 0]),
    "paired arrays": ([0, 1, 1], [2, 2, 0]),
    "paired arrays with repeats": ([1, 1, 1], [0, 0, 0], [3, 3, 3]),
    "boolean mask": np.array([True, False]),
}


@pytest.mark.parametrize("name", list(INDICES))
def test_getitem(name):
    x = np.random.default_rng(5).standard_normal((2, 3, 4))
    index = INDICES[name]
    index = tuple(index) if isinstance(index, tuple) else index
    np.testing.assert_array_equal(Tensor(x)[index].data, x[index])
    check(lambda t: t[index], x)


def test_getitem_repeated_index_accumulates():
    x = Tensor(np.arange(4.0), requires_grad=True)
    x[[1, 1, 1, 3]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 3.0, 0.0, 1.0])


# --- matmul and linear ---------------------------------------------------------------------

MATMUL = [((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
          ((2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2)), ((3,), (5, 3, 4)), ((5, 2, 3), (3,)),
          ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (4, 3, 1))]


@pytest.mark.parametrize("sa,sb", MATMUL, ids=[f"{a}@{b}" for a, b in MATMUL])
def test_matmul(sa, sb):
    rng = np.random.default_rng(_stable_seed(("matmul", sa, sb)))
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    out = Tensor(a) @ Tensor(b)
    assert out.shape == (a @ b).shape
    np.testing.assert_allclose(out.data, a @ b)
    check(lambda x, y: x @ y, a, b)
    check(lambda x, y: am.matmul(x, y), a, b)
    check(lambda x: x @ b, a)          # ndarray on the right
    check(lambda y: a @ y, b)          # ndarray on the left: numpy hands over to Tensor.__rmatmul__


@pytest.mark.parametrize("sx", [(5, 3), (2, 5, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("units", [4, 1])  # one unit: dx is an outer product (computed by broadcasting)
def test_linear(sx, bias, units):
    rng = np.random.default_rng(_stable_seed(("linear", sx, bias)))
    x, w, b = rng.standard_normal(sx), rng.standard_normal((3, units)), rng.standard_normal(units)
    if bias:
        np.testing.assert_allclose(am.linear(Tensor(x), Tensor(w), Tensor(b)).data, x @ w + b)
        check(lambda x_, w_, b_: am.linear(x_, w_, b_), x, w, b)
        check(lambda w_: am.linear(Tensor(x), w_, Tensor(b)), w)  # x as data: no gradient wanted
    else:
        np.testing.assert_allclose(am.linear(Tensor(x), Tensor(w)).data, x @ w)
        check(lambda x_, w_: am.linear(x_, w_), x, w)


# --- where, broadcast_to ----------------------------------------------------------------------

@pytest.mark.parametrize("sc,sa,sb", [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), ()), ((3, 1), (1, 4), (3, 4)),
                                      ((2, 3, 4), (3, 1), (4,)), ((4,), (2, 3, 4), (3, 1))])
def test_where(sc, sa, sb):
    rng = np.random.default_rng(_stable_seed(("where", sc, sa, sb)))
    cond = rng.random(sc) > 0.5
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    np.testing.assert_array_equal(am.where(cond, Tensor(a), Tensor(b)).data, np.where(cond, a, b))
    check(lambda x, y: am.where(cond, x, y), a, b)


@pytest.mark.parametrize("shape,target", [((), (3, 4)), ((4,), (3, 4)), ((3, 1), (2, 3, 4))])
def test_broadcast_to(shape, target):
    x = np.random.default_rng(7).standard_normal(shape)
    check(lambda t: am.broadcast_to(t, target), x)


# --- a few ops composed ----------------------------------------------------------------------

def test_composite_mlp_loss():
    rng = np.random.default_rng(8)
    x, w1, b1 = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    w2, y = rng.standard_normal((4, 2)), rng.standard_normal((5, 2))

    def loss(w1_, b1_, w2_):
        h = (Tensor(x) @ w1_ + b1_).tanh()
        logits = h @ w2_
        p = logits.sigmoid()
        return ((p - y) ** 2).mean() + 0.1 * (w1_ * w1_).sum() + logits.max(axis=1).mean()

    check(loss, w1, b1, w2)


def test_composite_softmax_cross_entropy():
    rng = np.random.default_rng(9)
    z = rng.standard_normal((4, 5))
    labels = np.array([0, 3, 3, 1])

    def loss(t):
        shifted = t - t.max(axis=1, keepdims=True)
        logp = shifted - shifted.exp().sum(axis=1, keepdims=True).log()
        return -logp[np.arange(4), labels].mean()

    check(loss, z)
