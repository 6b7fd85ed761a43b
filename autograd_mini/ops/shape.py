"""Ops that move numbers around without changing them: reshape, transpose, broadcast, index, clone."""
import numpy as np

from ..function import Function
from ..tensor import Tensor


class Clone(Function):
    """The same numbers in new memory (torch.clone): the gradient passes through unchanged."""
    __slots__ = ()
    rule = "∂clone(x)/∂x = 1"

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Reshape(Function):
    __slots__ = ("in_shape",)
    rule = "∂reshape(x)/∂x = 1 (each element moves unchanged)"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


class Transpose(Function):
    __slots__ = ("axes",)
    rule = "∂(xᵀ)ⱼᵢ/∂xᵢⱼ = 1"

    @staticmethod
    def forward(ctx, x, axes=None):
        if axes is not None and sorted(a % x.ndim if isinstance(a, (int, np.integer)) and -x.ndim <= a < x.ndim
                                       else -1 for a in axes) != list(range(x.ndim)):
            raise ValueError(f"transpose(axes={tuple(axes)}): axes must list each of the {x.ndim} dimensions "
                             f"once, each in {-x.ndim}..{x.ndim - 1}")
        ctx.axes = tuple(range(x.ndim))[::-1] if axes is None else tuple(a % x.ndim for a in axes)
        return x.transpose(ctx.axes)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(tuple(np.argsort(ctx.axes)))  # the inverse permutation


class BroadcastTo(Function):
    __slots__ = ()
    rule = "∂broadcast(x)/∂x = 1 (each copy; copies add up)"
    op_name = "broadcast_to"

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad  # the engine sums it back down to x's shape


class GetItem(Function):
    """x[index] with numpy indexing; repeated indices accumulate their gradients."""
    __slots__ = ("index", "in_shape")
    rule = "∂x[idx]/∂x = 1 at idx, else 0 (repeats add up)"
    op_name = "getitem"

    @staticmethod
    def forward(ctx, x, index):
        ctx.index, ctx.in_shape = index, x.shape
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        if isinstance(grad, Tensor):
            return ScatterAdd.apply(grad, index=ctx.index, shape=ctx.in_shape)
        return ScatterAdd.forward(None, grad, ctx.index, ctx.in_shape)


class ScatterAdd(Function):
    """The adjoint of indexing: a zero array of `shape` with `values` added at `index`."""
    __slots__ = ("index",)
    rule = "∂scatter(v)[idx]/∂v = 1"
    op_name = "scatter_add"

    @staticmethod
    def forward(ctx, values, index, shape):
        if ctx is not None:
            ctx.index = index
        out = np.zeros(shape, dtype=values.dtype)
        np.add.at(out, index, values)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index]
