"""Elementwise functions of one tensor."""
import numpy as np

from ..function import Function
from . import generic


class Exp(Function):
    __slots__ = ()
    rule = "∂eˣ/∂x = eˣ"

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out  # d/dx e^x = e^x


class Log(Function):
    __slots__ = ()
    rule = "∂ln x/∂x = 1/x"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)  # log(0) = -inf with numpy's warning, as numpy does

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


def sigmoid_array(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(x) = 1 / (1 + e^-x) on a numpy array, accurate to a few ulps in both tails.

    The formula itself is accurate: for x > 0, 1 + e^-x is near 1 and nothing cancels; for x < 0,
    e^-x is large, and 1 + e^-x and its reciprocal keep their relative precision (it is
    1 + tanh(x/2) that cancels, for x < 0). Where e^-x overflows (x below about -88 in float32,
    -709 in float64) σ is exactly 0, where it underflows exactly 1 -- quietly, also under
    np.errstate(all="raise"). The op, nn's fused layers and the loss from logits all call this
    function; `out=x` computes it in place.

    >>> sigmoid_array(np.array([-1000.0, -40.0, 0.0, 1000.0]))
    array([0.00000000e+00, 4.24835426e-18, 5.00000000e-01, 1.00000000e+00])
    """
    with np.errstate(over="ignore", under="ignore"):  # e^-x overflowing (σ = 0) or underflowing (σ = 1) is expected
        return _reciprocal_of_one_plus_exp(np.negative(x), out)


def sigmoid_and_exp_minus_abs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sigmoid_array(x), exp_minus_abs(x)) under one np.errstate: the loss from logits needs
    both. The same formulas, so the same numbers as the two functions.

    >>> s, e = sigmoid_and_exp_minus_abs(np.array([-1000.0, 0.0, 2.0]))
    >>> s.tolist() == sigmoid_array(np.array([-1000.0, 0.0, 2.0])).tolist(), e.tolist()[:2]
    (True, [0.0, 1.0])
    """
    with np.errstate(over="ignore", under="ignore"):
        return _reciprocal_of_one_plus_exp(np.negative(x), None), _exp_of_negative(np.abs(x))


def _reciprocal_of_one_plus_exp(t, out):
    """1 / (1 + e^t), in t's memory: t is a scratch array (a numpy scalar for 0-d input)."""
    denominator = np.exp(t, out=t) if type(t) is np.ndarray else np.exp(t)
    denominator += 1.0
    return np.divide(1.0, denominator, out=out)


def _exp_of_negative(t):
    """e^-t, in t's memory: t is a scratch array (a numpy scalar for 0-d input)."""
    if type(t) is not np.ndarray:
        return np.exp(-t)
    np.negative(t, out=t)
    return np.exp(t, out=t)


def exp_minus_abs(x: np.ndarray) -> np.ndarray:
    """e^-|x|, in (0, 1]: never overflows; where it underflows to 0 it does so without a warning,
    even under np.errstate(all="raise")."""
    with np.errstate(under="ignore"):
        return _exp_of_negative(np.abs(x))


# The activations' backward formulas, from the output; the ops and nn's fused layers share them,
# so both compute the same numbers.
def sigmoid_grad(grad, s):
    """grad · σ'(x) with σ' = σ(1 - σ) from the output s: exactly 0, not nan, when saturated."""
    return grad * (s * (1.0 - s))


def tanh_grad(grad, t):
    """grad · tanh'(x) with tanh' = 1 - tanh² from the output t."""
    return grad * (1.0 - t * t)


def relu_grad(grad, positive):
    """grad where x > 0, else 0 (even from an infinite gradient); `positive` is the mask x > 0."""
    return generic.times_slope(grad, positive)


class Sigmoid(Function):
    """σ(x), accurate in both tails (see sigmoid_array)."""
    __slots__ = ()
    rule = "∂σ(z)/∂z = σ(z)·(1−σ(z))"

    @staticmethod
    def forward(ctx, x):
        out = sigmoid_array(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return sigmoid_grad(grad, s)


class Tanh(Function):
    __slots__ = ()
    rule = "∂tanh(x)/∂x = 1−tanh²(x)"

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (t,) = ctx.saved_tensors
        return tanh_grad(grad, t)


class Relu(Function):
    """max(x, 0). The slope at exactly 0 is taken as 0, as in PyTorch and Keras."""
    __slots__ = ()
    rule = "∂relu(z)/∂z = [z > 0] (1 if z > 0, else 0)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x > 0)  # a constant mask: relu's second derivative is 0
        return np.maximum(x, 0.0)     # relu(-inf) = 0 and relu(-3) = +0.0 (x * mask would give nan, -0.0)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        return relu_grad(grad, positive)


class Abs(Function):
    __slots__ = ()
    rule = "∂|x|/∂x = sign(x)"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (sign,) = ctx.saved_tensors
        return generic.times_slope(grad, sign)  # slope 0 at 0 passes 0, even from inf
