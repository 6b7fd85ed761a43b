"""Reductions: sum, mean, max over all axes or some, with or without keepdims.

Written with array methods (x.sum) rather than np.sum & co: the module functions add a layer
of Python dispatch per call, a visible part of an op's cost on small arrays (measured in
benchmarks/README.md, "Small choices in the code").

>>> from autograd_mini import Tensor
>>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> x.sum(axis=0)
Tensor([4., 6.], grad_fn=sum)
"""
import numpy as np

from ..function import Function
from . import generic

AxisError = getattr(np, "exceptions", np).AxisError  # numpy >= 1.25 moved it; an IndexError and a ValueError


def reduced_shapes(shape: tuple, axis) -> tuple[tuple, tuple]:
    """(shape with keepdims=True, shape without) of a reduction over `axis` (None: all axes).

    An axis outside the array raises numpy's AxisError. A 0-d array accepts axis 0 and -1,
    as numpy's sum and PyTorch do."""
    ndim = len(shape)
    if axis is None:
        return (1,) * ndim, ()
    axes = axis if isinstance(axis, tuple) else (axis,)
    limit = max(ndim, 1)
    for a in axes:
        if not -limit <= a < limit:
            raise AxisError(a, ndim)
    reduced = {a % limit for a in axes}
    kept = tuple(1 if i in reduced else n for i, n in enumerate(shape))
    return kept, tuple(n for i, n in enumerate(shape) if i not in reduced)


class Sum(Function):
    __slots__ = ("in_shape", "kept_shape")
    rule = "∂(Σx)/∂xᵢ = 1"

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.in_shape = x.shape
        ctx.kept_shape, out_shape = reduced_shapes(x.shape, axis)
        if not x.ndim:  # numpy refuses some axes on 0-d arrays; the sum of one number is itself
            return x.copy()
        return x.sum(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        # every input element contributed with slope 1: copy the gradient back over the reduced axes
        return generic.broadcast_to(grad.reshape(ctx.kept_shape), ctx.in_shape)


class Mean(Function):
    __slots__ = ("in_shape", "kept_shape", "count")
    rule = "∂(mean x)/∂xᵢ = 1/n"

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.in_shape = x.shape
        ctx.kept_shape, out_shape = reduced_shapes(x.shape, axis)
        out = x.sum(axis=axis, keepdims=keepdims) if x.ndim else x.copy()
        ctx.count = x.size // max(out.size, 1) if x.size else 0
        return out / ctx.count if ctx.count else out * np.nan  # the mean of nothing is nan, as numpy

    @staticmethod
    def backward(ctx, grad):
        return generic.broadcast_to(grad.reshape(ctx.kept_shape) / ctx.count, ctx.in_shape)


class Max(Function):
    """Reduction max. Tied maxima share the gradient equally."""
    __slots__ = ("kept_shape",)
    rule = "∂(max x)/∂xᵢ = 1/k where xᵢ is one of k maxima, else 0"

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.kept_shape, out_shape = reduced_shapes(x.shape, axis)
        kept = x.max(axis=axis, keepdims=True) if x.ndim else x.copy()
        winners = x == kept
        share = winners / winners.sum(axis=axis, keepdims=True)  # 1/k for each of k tied maxima
        ctx.save_for_backward(share.astype(x.dtype, copy=False))
        return kept if keepdims else kept.reshape(out_shape)

    @staticmethod
    def backward(ctx, grad):
        (share,) = ctx.saved_tensors
        return generic.times_slope(grad.reshape(ctx.kept_shape), share)  # 0 where not a maximum, even from inf
