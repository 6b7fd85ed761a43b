"""Ops that pick between values: elementwise maximum and where."""
import numpy as np

from ..function import Function
from . import generic


class Maximum(Function):
    """Elementwise max(a, b). At ties each side gets half the gradient."""
    __slots__ = ()
    rule = "∂max(a,b)/∂a = [a>b] + ½[a=b], ∂max(a,b)/∂b = [b>a] + ½[a=b]"

    @staticmethod
    def forward(ctx, a, b):
        share_a = (a > b) + 0.5 * (a == b)  # 1 where a wins, 0.5 at a tie, 0 where b wins
        ctx.save_for_backward(share_a.astype(np.result_type(a, b)))
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        (share_a,) = ctx.saved_tensors
        # a side that lost has slope 0 and gets 0, even from an infinite gradient (inf * 0 would be nan)
        return generic.times_slope(grad, share_a), generic.times_slope(grad, 1.0 - share_a)


class Where(Function):
    """`a` where `condition`, else `b`; `condition` is a constant boolean array."""
    __slots__ = ("condition",)
    rule = "∂where(c,a,b)/∂a = [c], ∂where(c,a,b)/∂b = [not c]"
    op_name = "where"

    @staticmethod
    def forward(ctx, a, b, condition):
        ctx.condition = condition
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        # the side not taken gets 0, even from an infinite gradient (inf * 0 would be nan)
        return generic.times_slope(grad, ctx.condition), generic.times_slope(grad, ~ctx.condition)
