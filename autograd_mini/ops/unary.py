"""Elementwise functions of one tensor."""
import numpy as np

from ..function import Function


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
    """σ(x) = 1 / (1 + e^-x) on a numpy array, computed as (1 + tanh(x/2)) / 2: one expression,
    no overflow at ±1000. `out=x` computes it in place (fit's fused ops).

    >>> sigmoid_array(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    if out is None:
        out = np.tanh(x * 0.5)  # (a numpy scalar for 0-d x: the += below rebinds it)
    else:
        np.tanh(np.multiply(x, 0.5, out=out), out=out)
    out += 1.0
    out *= 0.5
    return out


class Sigmoid(Function):
    """σ(x), overflow-free (see sigmoid_array)."""
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
        positive = x > 0
        ctx.save_for_backward(positive)  # a constant mask: relu's second derivative is 0
        return x * positive

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        return grad * positive


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
        return grad * sign
