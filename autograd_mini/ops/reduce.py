"""Reductions: sum, mean, max over all axes or some, with or without keepdims.

Written with array methods (x.sum) rather than np.sum & co: the module functions add
microseconds of dispatch per call, which is most of an op's cost on small arrays."""
import numpy as np

from ..function import Function
from . import generic


def _kept_shape(shape: tuple, axis) -> tuple:
    """The shape of a reduction with keepdims=True: reduced axes become 1."""
    if axis is None:
        return (1,) * len(shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = {a % len(shape) for a in axes}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    __slots__ = ("in_shape", "kept_shape")
    rule = "∂(Σx)/∂xᵢ = 1"

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.in_shape = x.shape
        ctx.kept_shape = _kept_shape(x.shape, axis)
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
        ctx.kept_shape = _kept_shape(x.shape, axis)
        out = x.sum(axis=axis, keepdims=keepdims)
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
        kept = x.max(axis=axis, keepdims=True)
        winners = x == kept
        share = winners / winners.sum(axis=axis, keepdims=True)  # 1/k for each of k tied maxima
        ctx.save_for_backward(share.astype(x.dtype, copy=False))
        ctx.kept_shape = kept.shape
        if keepdims:
            return kept
        return kept.reshape(()) if axis is None else np.squeeze(kept, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        (share,) = ctx.saved_tensors
        return grad.reshape(ctx.kept_shape) * share
