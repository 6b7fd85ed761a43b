"""σ accurate in both tails (issue 10, point 2): a few ulps against a long-double reference down to
where σ underflows (about -87 in float32, -708 in float64), exactly 0 and 1 at ±1000, a finite
gradient everywhere, no warnings; fit's fused layers use the same function; the loss from logits
(-log σ, the log-sigmoid) is as accurate."""
import warnings

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini.ops.unary import sigmoid_array
from nn.fused import IN_PLACE
from nn.loss_ops import SigmoidBinaryCrossentropyOp

LIMITS = {np.float32: 87.0, np.float64: 708.0}  # e^-x is a normal number up to here


def _ulps(got, reference, dtype):
    return np.abs(got.astype(np.longdouble) - reference) / np.spacing(reference.astype(dtype)).astype(np.longdouble)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_within_a_few_ulps_in_both_tails(dtype):
    x = np.linspace(-LIMITS[dtype], LIMITS[dtype], 40001).astype(dtype)
    reference = 1 / (1 + np.exp(-x.astype(np.longdouble)))
    got = am.Tensor(x).sigmoid().data
    assert got.dtype == dtype
    assert _ulps(got, reference, dtype).max() <= 4
    assert got[0] > 0  # -87 (float32) / -708 (float64): not rounded to 0 as 1 + tanh(x/2) did below -17 / -37


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_exactly_0_and_1_far_out_with_finite_gradient_and_no_warning(dtype):
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        x = am.Tensor(np.array([-1000.0, -100.0, 100.0, 1000.0], dtype), requires_grad=True)
        y = x.sigmoid()
        y.sum().backward()
    assert y.data[0] == 0.0 and y.data[-1] == 1.0 and y.data[-2] == 1.0
    assert np.isfinite(x.grad.data).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_fused_sigmoid_is_the_same_function_bit_for_bit(dtype):
    x = np.linspace(-120, 120, 2001).astype(dtype)
    in_place = x.copy()
    IN_PLACE["sigmoid"][0](in_place)
    np.testing.assert_array_equal(in_place, sigmoid_array(x))
    np.testing.assert_array_equal(in_place, am.Tensor(x).sigmoid().data)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("target", [1.0, 0.0])
def test_log_sigmoid_of_the_loss_from_logits_is_within_a_few_ulps(dtype, target):
    z = np.linspace(-LIMITS[dtype], LIMITS[dtype], 20001).astype(dtype)
    y = np.full_like(z, target)
    terms = SigmoidBinaryCrossentropyOp.apply(am.Tensor(y[:, None]), am.Tensor(z[:, None]), reduction="none").data
    zl = z.astype(np.longdouble)
    reference = np.log1p(np.exp(-zl)) if target == 1.0 else np.log1p(np.exp(zl))  # -log σ(z), -log(1 - σ(z))
    normal = reference > np.finfo(dtype).tiny
    assert _ulps(terms[normal], reference[normal], dtype).max() <= 4


def test_log_sigmoid_far_out_is_finite_and_linear():
    # -log σ(z) for z = -20, -40 (PyTorch: 20, 40; the textbook log(sigmoid) in float32: inf), ±1000
    z = am.Tensor([[-20.0], [-40.0], [-1000.0], [1000.0]], requires_grad=True, dtype="float32")
    loss = SigmoidBinaryCrossentropyOp.apply(am.Tensor(np.ones((4, 1)), dtype="float32"), z, reduction="none")
    np.testing.assert_allclose(loss.data, [20.0, 40.0, 1000.0, 0.0], rtol=1e-7)
    loss.sum().backward()
    np.testing.assert_array_equal(z.grad.data, [[-1.0], [-1.0], [-1.0], [0.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_nan_beside_a_far_tail_stays_nan_without_warnings(dtype):
    from autograd_mini.ops.unary import exp_minus_abs, sigmoid_and_exp_minus_abs
    x = np.array([np.nan, -1000.0, 1000.0], dtype)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        s, e = sigmoid_array(x), exp_minus_abs(x)
        both = sigmoid_and_exp_minus_abs(x)
    assert np.isnan(s[0]) and s[1] == 0.0 and s[2] == 1.0
    assert np.isnan(e[0]) and e[1] == 0.0 and e[2] == 0.0
    np.testing.assert_array_equal(both[0], s)
    np.testing.assert_array_equal(both[1], e)
