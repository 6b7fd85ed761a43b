"""+ - * / ** and unary minus. Each backward is the derivative on paper; broadcasting
is undone by the engine, so `grad` here may have the broadcast (output) shape."""
import numpy as np

from ..function import Function
from . import generic


class Add(Function):
    __slots__ = ()
    rule = "∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1"

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    __slots__ = ()
    rule = "∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1"

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Function):
    __slots__ = ()
    rule = "∂(a·b)/∂a = b, ∂(a·b)/∂b = a"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    __slots__ = ()
    rule = "∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # -a/b² as (a/b)/b: b·b would underflow to 0 (and the gradient to inf) for |b| < 1e-19 in float32
        return (grad / b if need_a else None), (-grad * (a / b) / b if need_b else None)


class Neg(Function):
    __slots__ = ()
    rule = "∂(−a)/∂a = −1"

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """a ** b. d/da = b·a^(b-1), 0 where b = 0 (x**0 is constant, even at x = 0);
    d/db = a^b·log(a), taken as 0 where a <= 0 (as PyTorch at a = 0)."""
    __slots__ = ()
    rule = "∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a (0 where a ≤ 0)"

    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = None
        if need_a:
            constant = np.asarray(b) == 0  # a^0 = 1 everywhere: slope 0, not 0·0^-1 = nan
            if constant.any():
                grad_a = generic.where(constant, 0.0, grad * b * a ** generic.where(constant, 1.0, b - 1))
            else:
                grad_a = grad * b * a ** (b - 1)
        grad_b = None
        if need_b:
            positive = np.asarray(a) > 0  # log(a) is real only here; elsewhere the slope is taken as 0
            grad_b = grad * out * generic.log(generic.where(positive, a, 1.0)) * positive
        return grad_a, grad_b
