"""The faster paths of the perf branch give the textbook paths' numbers, number for number."""
import numpy as np
import pytest

import autograd_mini as am
import nn
from autograd_mini.ops.unary import exp_minus_abs, sigmoid_and_exp_minus_abs, sigmoid_array

EDGES = [-1000.0, -745.0, -709.0, -100.0, -88.0, -87.0, -40.0, -17.0, -1.0, -1e-30, -0.0, 0.0,
         1e-30, 0.5, 17.0, 40.0, 87.0, 88.0, 100.0, 709.0, 745.0, 1000.0, np.inf, -np.inf]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 1e-3, 30.0])
def test_sigmoid_and_exp_minus_abs_equal_the_two_functions_bit_for_bit(dtype, scale):
    rng = np.random.default_rng(7)
    for x in (np.array(EDGES, dtype), (rng.standard_normal((150, 3)) * scale).astype(dtype),
              np.array(3.0, dtype), np.zeros((0, 2), dtype), np.array([np.nan, 1.0], dtype)):
        with np.errstate(all="raise", invalid="ignore"):  # quiet in the tails, as the two functions
            s, e = sigmoid_and_exp_minus_abs(x)
            s_ref, e_ref = sigmoid_array(x), exp_minus_abs(x)
        assert s.dtype == s_ref.dtype and e.dtype == e_ref.dtype
        np.testing.assert_array_equal(s, s_ref, strict=True)
        np.testing.assert_array_equal(e, e_ref, strict=True)
        assert np.array_equal(np.signbit(s), np.signbit(s_ref), equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loss_from_logits_equals_its_formula_from_the_two_functions(dtype):
    """SigmoidBinaryCrossentropyOp with the shared σ/e^-|z| gives the textbook formula's bits."""
    rng = np.random.default_rng(3)
    z = np.concatenate([rng.standard_normal(40) * 5, [-1000.0, -90.0, 0.0, 90.0, 1000.0]]).astype(dtype)[:, None]
    y = (rng.random(z.shape) < 0.5).astype(dtype)
    logits = am.Tensor(z, requires_grad=True)
    loss = nn.losses.binary_crossentropy(y, logits, from_logits=True)
    loss.backward()
    terms = np.maximum(z, 0.0) - z * y + np.log1p(exp_minus_abs(z))
    expected = np.asarray(terms.sum() * (1.0 / len(z)))
    np.testing.assert_array_equal(loss.data, expected)
    np.testing.assert_array_equal(logits.grad.data, (sigmoid_array(z) - y) * (1.0 / len(z)))


@pytest.mark.parametrize("y_true", [np.array([[0.0], [1.0]]), np.array([0, 1]), [[1], [0]], [1.0, 0.0],
                                    np.array([[True], [False]]), np.array([[0.5], [1.0]], np.float32)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_take_targets_as_a_plain_tensor_would(y_true, dtype):
    """nn.losses._prepare makes the targets' Tensor without Tensor()'s checks: the same Tensor as
    Tensor(np.asarray(y_true, dtype=y_pred.dtype)) (the textbook path) and the same loss."""
    from nn.losses import _prepare
    y_pred = am.Tensor(np.array([[0.25], [0.75]], dtype), requires_grad=True)
    fast, pred = _prepare(y_true, y_pred)
    slow = am.Tensor(np.asarray(y_true, dtype=dtype))
    slow = slow.reshape(slow.shape + (1,)) if slow.ndim == 1 else slow
    assert pred is y_pred and fast.dtype == slow.dtype and not fast.requires_grad and fast.grad_fn is None
    np.testing.assert_array_equal(fast.data, slow.data, strict=True)
    np.testing.assert_array_equal(nn.losses.binary_crossentropy(y_true, y_pred).data,
                                  nn.losses.binary_crossentropy(slow, y_pred).data, strict=True)


def test_losses_still_refuse_targets_of_another_shape():
    with pytest.raises(ValueError, match=r"y_true has shape \(3, 1\) but y_pred has shape \(2, 1\)"):
        nn.losses.mean_squared_error(np.zeros((3, 1)), am.Tensor(np.zeros((2, 1))))
