"""Property tests: random shapes and broadcasting, checked against finite differences or
against identities the gradient must satisfy. Hypothesis draws shapes and a seed; the
numbers come from np.random.default_rng(seed), so no pathological floats (ties within eps)."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import autograd_mini as am
from autograd_mini import Tensor, gradcheck

FAST = settings(max_examples=50, deadline=None)
seeds = st.integers(0, 2**32 - 1)
pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)

OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": lambda a, b: am.maximum(a, b),
    "pow": lambda a, b: a ** b,
}


@FAST
@given(shapes=pairs, op=st.sampled_from(sorted(OPS)), seed=seeds)
def test_binary_ops_match_finite_differences(shapes, op, seed):
    (sa, sb), _ = shapes
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.0, sa)  # positive: a valid base for pow
    b = rng.uniform(0.5, 2.0, sb) * rng.choice([-1.0, 1.0], sb)  # away from 0: a valid divisor
    report = gradcheck(OPS[op], [a, b])
    assert report, str(report)


@FAST
@given(shapes=pairs, seed=seeds)
def test_gradient_of_a_broadcast_sum_counts_the_copies(shapes, seed):
    (sa, sb), out_shape = shapes
    rng = np.random.default_rng(seed)
    a = Tensor(rng.standard_normal(sa), requires_grad=True)
    b = Tensor(rng.standard_normal(sb), requires_grad=True)
    (a + b).sum().backward()
    # each element of an input is used once per copy broadcasting made of it
    np.testing.assert_array_equal(a.grad.data, np.full(sa, np.prod(out_shape) / np.prod(sa)))
    np.testing.assert_array_equal(b.grad.data, np.full(sb, np.prod(out_shape) / np.prod(sb)))
    assert a.grad.shape == sa and b.grad.shape == sb


@FAST
@given(shapes=pairs, seed=seeds)
def test_gradient_of_product_is_the_other_factor_summed(shapes, seed):
    (sa, sb), out_shape = shapes
    rng = np.random.default_rng(seed)
    a0, b0, g = rng.standard_normal(sa), rng.standard_normal(sb), rng.standard_normal(out_shape)
    a = Tensor(a0, requires_grad=True)
    (a * Tensor(b0)).backward(g)
    # d/da <g, a*b> = g*b, summed over the axes that broadcasting added or stretched
    full = np.broadcast_to(g * b0, out_shape)
    expected = full.sum(axis=tuple(range(len(out_shape) - len(sa)))) if len(out_shape) > len(sa) else full
    expected = expected.sum(axis=tuple(i for i, n in enumerate(sa) if n == 1), keepdims=True)
    np.testing.assert_allclose(a.grad.data, expected.reshape(sa), rtol=1e-12, atol=1e-12)


@FAST
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4), seed=seeds)
def test_backward_is_linear_in_the_upstream_gradient(shape, seed):
    rng = np.random.default_rng(seed)
    x0, g1, g2 = rng.standard_normal(shape), rng.standard_normal(shape), rng.standard_normal(shape)

    def f(x):
        return (x.tanh() * x + x.exp().sigmoid()) * 2.0

    x = Tensor(x0, requires_grad=True)
    y = f(x)
    y.backward(g1, retain_graph=True)
    y.backward(g2)  # accumulates
    both = x.grad.data
    x.grad = None
    f(x).backward(g1 + g2)
    np.testing.assert_allclose(both, x.grad.data, rtol=1e-12, atol=1e-12)


@st.composite
def reductions(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=3, max_side=4))
    axes = draw(st.lists(st.integers(-len(shape), len(shape) - 1), unique_by=lambda a: a % len(shape)))
    axis = draw(st.sampled_from([None, tuple(axes)] + ([axes[0]] if axes else [])))
    return shape, axis, draw(st.booleans())


@FAST
@given(spec=reductions(), op=st.sampled_from(["sum", "mean", "max"]), seed=seeds)
def test_reductions_match_finite_differences(spec, op, seed):
    shape, axis, keepdims = spec
    x = np.random.default_rng(seed).standard_normal(shape)
    out = getattr(Tensor(x), op)(axis=axis, keepdims=keepdims)
    assert out.shape == getattr(np, op)(x, axis=axis, keepdims=keepdims).shape
    report = gradcheck(lambda t: getattr(t, op)(axis=axis, keepdims=keepdims), [x])
    assert report, str(report)


@FAST
@given(spec=reductions(), seed=seeds)
def test_mean_gradient_is_one_over_count(spec, seed):
    shape, axis, keepdims = spec
    x = Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)
    out = x.mean(axis=axis, keepdims=keepdims)
    out.sum().backward()
    count = x.data.size // max(out.data.size, 1)
    np.testing.assert_allclose(x.grad.data, np.full(shape, 1.0 / count))


@FAST
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=3), data=st.data())
def test_transpose_and_reshape_gradients_are_the_inverse_moves(shape, data):
    perm = data.draw(st.permutations(range(len(shape))))
    seed = data.draw(seeds)
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    v = rng.standard_normal(int(np.prod(shape)))
    (x.transpose(*perm).reshape(-1) * v).sum().backward()
    expected = v.reshape(tuple(shape[p] for p in perm)).transpose(np.argsort(perm))
    np.testing.assert_array_equal(x.grad.data, expected)


@FAST
@given(n=st.integers(1, 6), index=st.lists(st.integers(0, 5), min_size=1, max_size=10), seed=seeds)
def test_indexing_gradient_counts_repeats(n, index, seed):
    index = [i % n for i in index]
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal(n), requires_grad=True)
    w = rng.standard_normal(len(index))
    (x[index] * w).sum().backward()
    expected = np.zeros(n)
    np.add.at(expected, index, w)
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12, atol=1e-12)


@st.composite
def matmul_shapes(draw):
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    (ba, bb), _ = draw(mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2))
    sa = ba + (n, k) if draw(st.booleans()) else (k,)
    sb = bb + (k, m) if draw(st.booleans()) else (k,)
    return sa, sb


@FAST
@given(shapes=matmul_shapes(), seed=seeds)
def test_matmul_matches_finite_differences(shapes, seed):
    sa, sb = shapes
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    np.testing.assert_allclose((Tensor(a) @ Tensor(b)).data, a @ b)
    report = gradcheck(lambda x, y: x @ y, [a, b])
    assert report, str(report)
