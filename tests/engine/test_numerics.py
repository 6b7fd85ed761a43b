"""Numerics at the extremes: saturating sigmoid/tanh without overflow, log(0) as numpy."""
import gc
import warnings

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Tensor


@pytest.fixture
def warnings_are_errors():
    gc.collect()  # objects left by earlier tests (a notebook kernel's sockets) warn when freed: not here
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):  # numpy's floating point errors raise too
            yield


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_saturates_exactly_without_warning(dtype, warnings_are_errors):
    x = Tensor(np.array([-1000.0, 1000.0], dtype=dtype), requires_grad=True)
    y = x.sigmoid()
    assert y.data[0] == 0.0 and y.data[1] == 1.0
    y.sum().backward()
    assert np.all(np.isfinite(x.grad.data))
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_saturates_exactly_without_warning(dtype, warnings_are_errors):
    x = Tensor(np.array([-1000.0, 1000.0], dtype=dtype), requires_grad=True)
    y = x.tanh()
    assert y.data[0] == -1.0 and y.data[1] == 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


def test_saturated_second_derivative_is_finite(warnings_are_errors):
    for f in (lambda x: x.sigmoid(), lambda x: x.tanh()):
        for x in (-1000.0, 1000.0):
            assert am.grad(am.grad(f))(np.float64(x)).item() == 0.0


def test_sigmoid_matches_the_textbook_formula():
    x = np.linspace(-30, 30, 121)
    # absolute accuracy: sigmoid is computed as (1 + tanh(x/2)) / 2, within an ulp of 1 everywhere
    # (but not to full relative precision in the far left tail, where 1 + tanh cancels)
    np.testing.assert_allclose(Tensor(x).sigmoid().data, 1 / (1 + np.exp(-x)), rtol=1e-12, atol=3e-16)


def test_log_of_zero_is_minus_inf_as_numpy():
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    with np.errstate(divide="ignore"):
        expected = np.log(x.data)
        y = x.log()
    np.testing.assert_array_equal(y.data, expected)
    assert y.data[0] == -np.inf
    with np.errstate(divide="ignore"):
        y.sum().backward()  # 1/0: inf, as numpy says, not an exception
    assert x.grad.data[0] == np.inf and x.grad.data[1] == 1.0


def test_log_of_zero_warns_like_numpy():
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        Tensor(0.0).log()


def test_float32_stays_float32_through_ops():
    x = Tensor(np.array([0.5, 1.5], dtype=np.float32), requires_grad=True)
    y = ((x.sigmoid() * 2.0 + x.tanh()).exp() / x).log().sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32
