"""autograd_mini.testing: the Hypothesis strategies draw what they promise, and assert_grad_close
fails with gradcheck's table."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mini as am
from autograd_mini import Tensor, gradcheck
from autograd_mini.testing import arrays, assert_grad_close, broadcastable_shapes, dtypes, shapes, tensors

FAST = settings(max_examples=25, deadline=None)
pytest_plugins = ["pytester"]


@FAST
@given(tensors(shape=shapes(max_dims=2), dtype=dtypes(), away_from=(0.0, 1.0), margin=0.01))
def test_tensors_have_drawn_shapes_and_dtypes_and_avoid_kinks(t):
    assert isinstance(t, Tensor) and t.requires_grad and t.dtype in (np.float32, np.float64)
    assert t.ndim <= 2 and np.all(np.abs(t.data) <= 3.0 + 0.01)
    assert np.all(np.abs(t.data - 0.0) >= 0.01 - 1e-6) and np.all(np.abs(t.data - 1.0) >= 0.01 - 1e-6)


@FAST
@given(arrays(shape=(6,), dtype="float64", distinct=True, margin=0.05))
def test_distinct_values_are_apart(a):
    assert np.min(np.diff(np.sort(a))) >= 0.05


@FAST
@given(broadcastable_shapes(num_shapes=3))
def test_broadcastable_shapes_broadcast(shapes3):
    assert len(shapes3) == 3
    np.broadcast_shapes(*shapes3)  # raises if they do not


@FAST
@given(st.data())
def test_property_broadcast_ops_pass_gradcheck(data):
    """What the strategies are for: a gradient property over drawn shapes and values."""
    a_shape, b_shape = data.draw(broadcastable_shapes(max_dims=2, max_side=3))
    a = data.draw(arrays(shape=a_shape))
    b = data.draw(arrays(shape=b_shape, away_from=(0.0,), margin=0.1))
    report = gradcheck(lambda x, y: x * y + x / y + am.maximum(x, y) * 0.0, [a, b], fast_mode=True)
    assert report, str(report)


@FAST
@given(tensors(shape=(4,), dtype="float64", away_from=(0.0,)))
def test_abs_gradient_is_the_sign(x):
    abs(x).sum().backward()
    assert_grad_close(x.grad, np.sign(x.data))


def test_assert_grad_close_passes_and_returns_the_report():
    report = assert_grad_close([np.ones(2), Tensor([1.0, 2.0])], [np.ones(2), np.array([1.0, 2.0 + 1e-9])])
    assert report and "assert_grad_close passed" in str(report)


def test_assert_grad_close_fails_with_the_table():
    with pytest.raises(AssertionError) as err:
        assert_grad_close([np.ones(3), np.array([[1.0, 2.0], [3.0, 4.0]])],
                          [np.ones(3), np.array([[1.0, 2.0], [3.0, 4.5]])], names=["b", "W"])
    text = str(err.value)
    assert text.startswith("assert_grad_close FAILED (atol=1e-05, rtol=0.001)")
    assert "worst index" in text and "MISMATCH" in text
    assert "analytic: actual; numeric: expected" in text
    assert "first mismatch: input 1 (W), element (1, 1): actual 4, expected 4.5" in text


def test_assert_grad_close_shapes_and_nan():
    with pytest.raises(AssertionError, match=r"gradient 0 has shape \(2,\), expected shape \(3,\)"):
        assert_grad_close(np.ones(2), np.ones(3))
    with pytest.raises(AssertionError, match="element \\(1,\\): actual nan"):
        assert_grad_close(np.array([1.0, np.nan]), np.array([1.0, 1.0]))


@FAST
@given(arrays(shape=(3,), dtype="float32", away_from=(0.0,)))
def test_float32_arrays_hold_float32_values(a):
    assert a.dtype == np.float32 and np.all(np.abs(a) >= np.float32(1e-3))


def test_reachable_from_the_package_and_new_names_exported():
    assert am.testing.assert_grad_close is assert_grad_close
    for name in ["check_grad", "gradgradcheck", "GradcheckReport", "jacobian", "hessian", "vjp", "jvp",
                 "value_and_grad"]:
        assert name in am.__all__ and callable(getattr(am, name))
