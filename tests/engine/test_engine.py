"""The backward engine: reuse, diamonds, accumulation, what gets a gradient, no_grad,
deep graphs without recursion, and memory (freed by refcount, saved arrays released)."""
import gc
import time
import weakref

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Function, Tensor, gradcheck


def numeric_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function of one float64 array (independent of the engine)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


def value(f):
    """f on Tensors, as a plain float function of an array (no graph recorded)."""
    def run(a):
        with am.no_grad():
            return f(Tensor(a)).item()
    return run


# --- reuse and diamonds -------------------------------------------------------------------------

def test_reuse_x_times_x():
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, -4.0, 6.0])


def test_reuse_x_plus_x():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    y = x + x
    y.backward(np.array([1.0, 3.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 6.0])


def test_node_used_many_times():
    x = Tensor(np.array(1.5), requires_grad=True)
    h = x * 2.0  # an intermediate used four times
    y = h * h * h + h
    y.backward()
    assert x.grad.item() == pytest.approx(2 * (3 * 3.0 ** 2 + 1))


def test_diamond_graph():
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((3, 4))

    def f(x):
        a = x * 2.0          # the top of the diamond
        b = a.exp()          # left
        c = a.sigmoid()      # right
        return (b * c + a.tanh()).sum()  # bottom, with a third path from a

    x = Tensor(x0, requires_grad=True)
    f(x).backward()
    np.testing.assert_allclose(x.grad.data, numeric_grad(value(f), x0), rtol=1e-6, atol=1e-8)
    assert gradcheck(f, [x0])


def test_nested_diamonds_and_shared_leaves():
    rng = np.random.default_rng(1)
    x0, w0 = rng.standard_normal(4), rng.standard_normal(4)

    def f(x, w):
        a = x * w
        b = a + x
        c = a * b
        d = c.tanh() + b.sigmoid() * a
        return (d * w).sum()

    assert gradcheck(f, [x0, w0])
    x, w = Tensor(x0, requires_grad=True), Tensor(w0, requires_grad=True)
    f(x, w).backward()
    np.testing.assert_allclose(x.grad.data, numeric_grad(value(lambda t: f(t, Tensor(w0))), x0), rtol=1e-6)
    np.testing.assert_allclose(w.grad.data, numeric_grad(value(lambda t: f(Tensor(x0), t)), w0), rtol=1e-6)


# --- accumulation and who gets a gradient --------------------------------------------------------

def test_leaf_gradients_accumulate_across_backward_calls():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0 + 3.0, 4.0 + 3.0])
    x.grad = None
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_backward_on_a_leaf():
    x = Tensor(np.array(2.0), requires_grad=True)
    x.backward()
    x.backward()
    assert x.grad.item() == 2.0


def test_backward_with_explicit_grad():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (x * x).backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 0.0, -6.0])
    x.grad = None
    (x * 2.0).backward(Tensor([1.0, 1.0, 1.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, 2.0])


def test_inputs_without_requires_grad_get_no_grad():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    c = Tensor(np.array([3.0, 4.0]))
    h = x * c
    (h * h).sum().backward()
    assert c.grad is None
    assert h.grad is None  # an intermediate keeps no gradient unless asked
    np.testing.assert_array_equal(x.grad.data, 2 * np.array([3.0, 8.0]) * np.array([3.0, 4.0]))


class Recording(Function):
    """x * y that records which input gradients backward was asked for and computed."""
    calls = []

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        Recording.calls.append((need_x, need_y))
        return (grad * y if need_x else None), (grad * x if need_y else None)


def test_needs_input_grad_lets_backward_skip():
    Recording.calls.clear()
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    data = Tensor(np.array([5.0, 6.0]))
    Recording.apply(x, data).sum().backward()
    Recording.apply(data, x).sum().backward()
    assert Recording.calls == [(True, False), (False, True)]
    np.testing.assert_array_equal(x.grad.data, [10.0, 12.0])
    assert data.grad is None


def test_only_the_needed_part_of_the_graph_is_walked():
    Recording.calls.clear()
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    const = Recording.apply(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))  # nothing to differentiate
    assert const.grad_fn is None
    (x * const).sum().backward()
    assert Recording.calls == []


def test_a_branch_that_returns_none_contributes_nothing():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = Tensor(np.array([3.0, 4.0]), requires_grad=True)

    class FirstOnly(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad, None  # declines to give b a gradient

    FirstOnly.apply(x, y).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])
    assert y.grad is None


# --- recording ---------------------------------------------------------------------------------

def test_nothing_recorded_under_no_grad():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with am.no_grad():
        assert not am.is_grad_enabled()
        y = (x * 2.0).exp().sum()
        with am.enable_grad():
            z = x * 2.0
    assert am.is_grad_enabled()
    assert y.requires_grad is False and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None


def test_no_grad_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with am.no_grad():
            1 / 0
    assert am.is_grad_enabled()


def test_nothing_recorded_when_no_input_requires_grad():
    a, b = Tensor(np.ones(3)), Tensor(np.ones(3))
    for out in (a + b, a * b, a @ b, a.exp(), a.sum(), a[0], a.reshape(3, 1), am.maximum(a, b)):
        assert out.requires_grad is False and out.grad_fn is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        (a * b).sum().backward()


def test_retain_grad_on_intermediates():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = (x * 3.0).retain_grad()
    y = (h * h).sum()
    y.backward()
    np.testing.assert_array_equal(h.grad.data, 2 * np.array([3.0, 6.0]))
    np.testing.assert_array_equal(x.grad.data, 2 * np.array([3.0, 6.0]) * 3.0)


def test_retained_gradients_accumulate_across_backward_calls_like_leaves():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = (x * 3.0).retain_grad()
    y = (h * h).sum()
    y.backward(retain_graph=True)
    y.backward()  # PyTorch: h.grad 2h, then 4h
    np.testing.assert_array_equal(h.grad.data, 4 * np.array([3.0, 6.0]))
    np.testing.assert_array_equal(x.grad.data, 4 * np.array([3.0, 6.0]) * 3.0)


@pytest.mark.parametrize("reduce", [np.sum, np.mean, np.max])
def test_numpy_reductions_of_a_tensor_stay_in_the_graph(reduce):
    x = Tensor(np.array([[1.0, 4.0], [3.0, 2.0]]), requires_grad=True)
    out = reduce(x, axis=0)  # numpy hands the call to Tensor.sum/mean/max (with dtype=/out= keywords)
    assert isinstance(out, Tensor) and out.grad_fn is not None
    np.testing.assert_allclose(out.data, reduce(x.data, axis=0))
    out.sum().backward()
    expected = {np.sum: np.ones((2, 2)), np.mean: np.full((2, 2), 0.5), np.max: np.array([[0, 1], [1, 0]])}[reduce]
    np.testing.assert_array_equal(x.grad.data, expected)
    with pytest.raises(TypeError, match="out= is not supported"):
        reduce(x, out=np.empty(2))


def test_numpy_sum_with_another_dtype_is_refused_by_name():
    with pytest.raises(TypeError, match="dtype=float64 differs from the Tensor's float32"):
        np.sum(Tensor(np.ones(3, np.float32)), dtype=np.float64)


# --- deep graphs --------------------------------------------------------------------------------

def test_200k_op_chain_without_recursion():
    start = time.perf_counter()
    x = Tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
        y = y + 1.0
    y.backward()
    assert x.grad.item() == pytest.approx(1.0000001 ** 100_000, rel=1e-9)
    del y  # dropping the chain is refcount deallocation 200k deep: must not crash either
    assert time.perf_counter() - start < 30  # ~3 s here; a guard against accidental quadratic time


# --- memory -----------------------------------------------------------------------------------

@pytest.fixture
def no_cycle_collector():
    """Only reference counting may free things in this test."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(x):
    h = x * 2.0
    a = h.exp()
    out = (a * h.sigmoid()).sum()
    return out, h, a


def test_graph_freed_by_refcount_when_output_dropped(no_cycle_collector):
    x = Tensor(np.ones(3), requires_grad=True)
    out, h, a = _build(x)
    tensor_ref, node_ref, out_node_ref = weakref.ref(h), weakref.ref(a.grad_fn), weakref.ref(out.grad_fn)
    del h, a
    assert tensor_ref() is not None and node_ref() is not None  # still needed by out
    del out
    assert tensor_ref() is None and node_ref() is None and out_node_ref() is None
    assert x.grad is None


def test_graph_freed_by_refcount_after_backward(no_cycle_collector):
    x = Tensor(np.ones(3), requires_grad=True)
    out, h, a = _build(x)
    refs = [weakref.ref(h), weakref.ref(a), weakref.ref(a.grad_fn), weakref.ref(out.grad_fn)]
    del h, a
    out.backward()
    del out
    assert all(r() is None for r in refs)
    assert x.grad is not None and x.grad.grad_fn is None  # the gradient does not hold the graph


def test_graph_freed_after_grad(no_cycle_collector):
    seen = []

    def f(t):
        out, h, a = _build(t)
        seen.extend([weakref.ref(h), weakref.ref(a.grad_fn)])
        return out

    g = am.grad(f)(np.ones(3))
    assert g.shape == (3,) and g.grad_fn is None
    assert seen and all(r() is None for r in seen)

    # from a Tensor that requires grad, the gradient is itself in the graph (for grad of grad) ...
    x = Tensor(np.ones(3), requires_grad=True)
    g = am.grad(f)(x)
    assert g.requires_grad
    del g  # ... and the graph goes with it
    assert all(r() is None for r in seen)


def test_saved_arrays_released_after_backward():
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    a = abs(x)                      # saves sign(x): an array only the node holds
    m = a.max()                     # saves the share of each maximum
    saved = [weakref.ref(a.grad_fn.saved_tensors[0]), weakref.ref(m.grad_fn.saved_tensors[0])]
    assert all(r() is not None for r in saved)
    m.backward()
    assert all(r() is None for r in saved)  # freed although a and m are still alive
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0])


def test_second_backward_through_released_graph_raises():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"(?s)second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).exp().sum()
    y.backward(retain_graph=True)
    first = x.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * first)
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_create_graph_keeps_the_graph():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x * x).sum()
    y.backward(create_graph=True)
    y.backward()  # retain_graph defaults to create_graph
    np.testing.assert_allclose(x.grad.data, 2 * 3 * np.array([1.0, 4.0]))


# --- grad() ------------------------------------------------------------------------------------

def test_grad_does_not_touch_dot_grad():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    g = am.grad(lambda t: (t * t).sum())(x)
    np.testing.assert_array_equal(g.data, [2.0, 4.0])
    assert x.grad is None


def test_grad_of_constant_function_is_zero():
    g = am.grad(lambda t: Tensor(3.0))(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(g.data, [0.0, 0.0])


def test_grad_accepts_numbers_arrays_and_tensors():
    f = lambda t: (t * t * t).sum()
    assert am.grad(f)(2.0).item() == 12.0
    np.testing.assert_array_equal(am.grad(f)(np.array([1.0, 2.0])).data, [3.0, 12.0])
    np.testing.assert_array_equal(am.grad(f)(Tensor([1.0, 2.0])).data, [3.0, 12.0])
    assert am.grad(f)(np.array([1.0, 2.0])).dtype == np.float64


def test_grad_argnums():
    f = lambda a, b, c: (a * am.exp(b) + c).sum()
    a0, b0 = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    ga, gb = am.grad(f, argnums=(0, 1))(a0, b0, 3.0)
    np.testing.assert_allclose(ga.data, np.exp(b0))
    np.testing.assert_allclose(gb.data, a0 * np.exp(b0))
    gb_only = am.grad(f, argnums=1)(a0, b0, 3.0)
    np.testing.assert_allclose(gb_only.data, a0 * np.exp(b0))
    gc_ = am.grad(f, argnums=2)(a0, b0, 3.0)
    assert gc_.item() == 2.0


def test_grad_argnums_with_one_tensor_at_two_positions_gives_each_partial():
    x = Tensor(2.0, requires_grad=True, dtype=np.float64)
    f = lambda a, b: a * b * b
    da, db = am.grad(f, argnums=(0, 1))(x, x)
    assert (float(da.data), float(db.data)) == (4.0, 8.0)  # ∂f/∂a = b², ∂f/∂b = 2ab at a = b = 2
    # the partials stay differentiable: d/dx (x² + 2x²) = 6x
    outer = am.grad(lambda x: sum(am.grad(f, argnums=(0, 1))(x, x)))
    assert float(outer(2.0).data) == pytest.approx(12.0)
    with pytest.raises(ValueError, match=r"argnums=\(0, 0\) names a position twice"):
        am.grad(f, argnums=(0, 0))(x, x)


def test_grad_leaves_an_outer_graph_usable():
    # grad() of a function of an outer graph's tensor walks into that graph; it must not free it
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * x
    with am.no_grad():
        g = am.grad(lambda t: (t * t).sum())(h)
    np.testing.assert_array_equal(g.data, 2 * h.data)
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_grad_function_leaves_retained_intermediate_grads_alone():
    x = Tensor(2.0, requires_grad=True)
    seen = {}

    def f(x):
        h = (x * x).retain_grad()
        seen["h"] = h
        return h * 3.0

    assert float(am.grad(f)(x)) == 12.0
    assert seen["h"].grad is None and x.grad is None
