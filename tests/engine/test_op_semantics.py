"""Ops agree with numpy and PyTorch at the edges (issue 10, point 4): a zero local derivative
passes back 0 whatever comes from upstream, axis errors are numpy's AxisError, relu at -inf and
at negatives, x**0 at 0, division by tiny float32 numbers, comparisons and hashing."""
import warnings

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Tensor

AxisError = getattr(np, "exceptions", np).AxisError


def _grad_with_upstream(f, x, upstream):
    x = Tensor(x, requires_grad=True)
    f(x).backward(np.asarray(upstream, dtype=x.dtype))
    return x.grad.data


# --- a zero local derivative passes back 0, even from an infinite gradient ------------------------
def test_relu_passes_zero_where_its_slope_is_zero_even_from_inf():
    g = _grad_with_upstream(am.relu, np.array([-1.0, 0.0, 2.0]), [np.inf, np.inf, np.inf])
    np.testing.assert_array_equal(g, [0.0, 0.0, np.inf])


def test_where_passes_zero_to_the_side_not_taken_even_from_inf():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    am.where([True, False], a, b).backward(np.array([np.inf, -np.inf]))
    np.testing.assert_array_equal(a.grad.data, [np.inf, 0.0])
    np.testing.assert_array_equal(b.grad.data, [0.0, -np.inf])


def test_maximum_passes_zero_to_the_loser_even_from_inf():
    a, b = Tensor([1.0, 5.0, 2.0], requires_grad=True), Tensor([3.0, 4.0, 2.0], requires_grad=True)
    am.maximum(a, b).backward(np.array([np.inf, np.inf, np.inf]))
    np.testing.assert_array_equal(a.grad.data, [0.0, np.inf, np.inf])
    np.testing.assert_array_equal(b.grad.data, [np.inf, 0.0, np.inf])


def test_max_reduction_and_abs_pass_zero_where_the_slope_is_zero():
    g = _grad_with_upstream(lambda x: x.max(), np.array([1.0, 3.0]), np.inf)
    np.testing.assert_array_equal(g, [0.0, np.inf])
    g = _grad_with_upstream(am.abs, np.array([0.0, -2.0]), [np.inf, 1.0])
    np.testing.assert_array_equal(g, [0.0, -1.0])


def test_the_zero_slope_rule_holds_for_second_derivatives_too():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    (gx,) = [am.grad(lambda t: (am.relu(t) * t).sum())(x)]  # d/dx relu(x)·x = 2x for x > 0, 0 else
    np.testing.assert_allclose(gx.data, [0.0, 4.0])


# --- relu's values -------------------------------------------------------------------------------
def test_relu_of_minus_inf_is_zero_and_of_negatives_plus_zero():
    out = am.relu(Tensor([-np.inf, -3.0, -0.0, 2.0])).data
    np.testing.assert_array_equal(out, [0.0, 0.0, 0.0, 2.0])
    assert not np.signbit(out).any()  # +0.0, as PyTorch, not -0.0
    assert np.isnan(am.relu(Tensor([np.nan])).data).all()  # nan stays nan, as numpy.maximum and PyTorch


# --- x ** 0 ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_of_x_to_the_zero_at_zero_is_zero(dtype):
    x = Tensor([0.0, 2.0], requires_grad=True, dtype=dtype)
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    y = Tensor([0.0, 3.0], requires_grad=True, dtype=dtype)  # mixed exponents: only b = 0 is special
    (y ** Tensor([0.0, 2.0], dtype=dtype)).sum().backward()
    np.testing.assert_array_equal(y.grad.data, [0.0, 6.0])


def test_second_derivative_of_x_to_the_zero_is_zero():
    assert float(am.grad(am.grad(lambda x: x ** 0))(0.0)) == 0.0


# --- reductions on 0-d tensors and axis errors --------------------------------------------------
@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis", [0, -1])
def test_reductions_of_a_0d_tensor_accept_axis_0_and_minus_1(reduce, axis):
    x = Tensor(3.0, requires_grad=True)
    out = getattr(x, reduce)(axis=axis)
    assert out.shape == () and float(out) == 3.0
    out.backward()
    assert float(x.grad) == 1.0


@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_an_axis_outside_the_tensor_raises_numpys_axis_error(reduce):
    for x, axis in [(Tensor(3.0), 1), (Tensor([1.0, 2.0]), 1), (Tensor([[1.0]]), (0, -3))]:
        with pytest.raises(AxisError):
            getattr(x, reduce)(axis=axis)
        with pytest.raises(IndexError):  # an AxisError is an IndexError, as in numpy
            getattr(x, reduce)(axis=axis)


def test_axis_error_from_numpy_inside_an_op_is_not_turned_into_a_plain_value_error():
    class Squeeze(am.Function):
        @staticmethod
        def forward(ctx, x):
            return np.squeeze(x, axis=3)

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(AxisError):
        Squeeze.apply(Tensor([1.0]))


# --- division by tiny numbers -------------------------------------------------------------------
def test_division_gradient_does_not_overflow_for_tiny_float32_divisors():
    a = Tensor(np.float32(1e-20), requires_grad=True)
    b = Tensor(np.float32(1e-20), requires_grad=True)
    (a / b).backward()
    # d(a/b)/db = -a/b² = -1e20: representable in float32 (b² = 1e-40 is not)
    assert np.isfinite(b.grad.data) and b.grad.data == pytest.approx(-1e20, rel=1e-6)
    assert a.grad.data == pytest.approx(1e20, rel=1e-6)


# --- comparisons and hashing --------------------------------------------------------------------
def test_comparisons_return_numpy_boolean_arrays_outside_the_graph():
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [(t == 2.0, [False, True, False]), (t != 2.0, [True, False, True]),
                             (t < 2.0, [True, False, False]), (t <= 2.0, [True, True, False]),
                             (t > 2.0, [False, False, True]), (t >= 2.0, [False, True, True]),
                             (t == Tensor([1.0, 0.0, 3.0]), [True, False, True]),
                             (np.array([3.0, 2.0, 1.0]) > t, [True, False, False])]:
        assert isinstance(result, np.ndarray) and result.dtype == bool
        np.testing.assert_array_equal(result, expected)
    assert am.grad(lambda x: x ** 2)(3.0) == 6.0
    assert Tensor(np.float32(0.1)) == 0.1  # a Python number compares at the Tensor's dtype


def test_tensors_hash_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b}) == 2 and {a: 1}[a] == 1 and hash(a) != hash(b)
    assert a in [b, a]  # identity first, as Python's containers do


def test_edge_ops_raise_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = Tensor([-np.inf, -1.0, 0.0, 2.0], requires_grad=True)
        am.relu(x).sum().backward()
        y = Tensor(0.0, requires_grad=True)
        (y ** 0).backward()


def test_comparing_with_something_that_is_not_numbers_falls_back_to_identity():
    t = Tensor([1.0, 2.0])
    assert (t == None) is False and (t != "auto") is True  # noqa: E711
    assert t in [None, "auto", t]
    with pytest.raises(TypeError):
        t < "a"
