"""Elementwise functions of one tensor."""
import functools

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

    With e = e^-|x| (in (0, 1], never overflows): σ(|x|) = 1 / (1 + e) and σ(-|x|) = e / (1 + e),
    so neither side subtracts nearly equal numbers; σ(x) goes smoothly to 0 where e^x underflows
    (about -88 in float32, -745 in float64) and is exactly 0 and 1 at ±1000, without warnings.
    The op and nn's fused layers both call this function; `out=x` computes it in place.

    >>> sigmoid_array(np.array([-1000.0, -40.0, 0.0, 1000.0]))
    array([0.00000000e+00, 4.24835426e-18, 5.00000000e-01, 1.00000000e+00])
    """
    negative = x < 0
    t = -np.abs(x)
    if t.size and t.min() < _smallest_normal_log(t.dtype):  # e^t underflows to 0 there, as it should:
        with np.errstate(under="ignore"):                     # quietly (checked first: errstate costs µs)
            e = np.exp(t)
    else:
        e = np.exp(t)                   # e = e^-|x|
    big = 1.0 / (1.0 + e)               # σ(|x|)
    small = e * big                     # σ(-|x|) = e^-|x| · σ(|x|)
    if out is None:
        return np.where(negative, small, big)
    np.copyto(out, big)
    np.copyto(out, small, where=negative)
    return out


@functools.lru_cache(maxsize=8)
def _smallest_normal_log(dtype) -> float:
    """log of the smallest normal number of `dtype`: below it e^t loses precision, then underflows."""
    return float(np.log(np.finfo(dtype).tiny))


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
        return grad * s * (1.0 - s)  # σ' = σ(1 - σ): exactly 0, not nan, when saturated


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
        return grad * (1.0 - t * t)


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
        return generic.where(positive, grad, 0.0)  # slope 0 passes 0, even from an infinite gradient


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
        return generic.where(sign != 0, grad, 0.0) * sign  # slope 0 at 0 passes 0, even from inf
