"""Matrix products: matmul (numpy's @, 1-D, 2-D and batched) and the affine map of a Dense layer."""
import functools

import numpy as np

from ..function import Function
from .generic import matrix_transpose as mT


class MatMul(Function):
    __slots__ = ()
    rule = "∂(A@B)ᵢⱼ/∂Aᵢₖ = Bₖⱼ, ∂(A@B)ᵢⱼ/∂Bₖⱼ = Aᵢₖ"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:  # dot product
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # numpy treats a vector as a matrix with a 1 prepended (a) or appended (b); do the same
        a_vec, b_vec = a.ndim == 1, b.ndim == 1
        if a_vec:
            a = a.reshape((1,) + a.shape)
            grad = grad.reshape(grad.shape[:-1] + (1,) + grad.shape[-1:])
        if b_vec:
            b = b.reshape(b.shape + (1,))
            grad = grad.reshape(grad.shape + (1,))
        grad_a = grad @ mT(b) if need_a else None  # dL/dA = G Bᵀ
        grad_b = mT(a) @ grad if need_b else None  # dL/dB = Aᵀ G
        if a_vec and grad_a is not None:
            grad_a = grad_a.reshape(grad_a.shape[:-2] + grad_a.shape[-1:])
        if b_vec and grad_b is not None:
            grad_b = grad_b.reshape(grad_b.shape[:-1])
        return grad_a, grad_b  # batch axes that were broadcast are summed by the engine


class Linear(Function):
    """x @ W + b in one op: the affine map of a Dense layer (bias added in place, no temporary)."""
    __slots__ = ()
    rule = "∂(x@W+b)ᵢⱼ/∂xᵢₖ = Wₖⱼ, ∂(x@W+b)ᵢⱼ/∂Wₖⱼ = xᵢₖ, ∂(x@W+b)ᵢⱼ/∂bⱼ = 1"
    op_name = "linear"

    @staticmethod
    def forward(ctx, x, w, b=None):
        if w.ndim != 2:
            raise ValueError(f"the weights must be a matrix (inputs, units), got shape {w.shape}")
        ctx.save_for_backward(x, w)
        out = x @ w
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return affine_grads(ctx, x, w, grad)


def affine_grads(ctx, x, w, grad) -> tuple:
    """Gradients of z = x @ W (+ b) given dL/dz, for the inputs that need one:
    dx = dz Wᵀ, dW = xᵀ dz, db = dz summed over the batch (W a matrix; x folded into one).
    Shared by every op ending in an affine map. dW and db go straight into the weights'
    gradient buffers when the engine offers them (ctx.grad_buffer): a training step then
    allocates no weight-sized arrays."""
    need = ctx.needs_input_grad
    grad_x = None
    if need[0]:
        # one unit (W is a column): dz Wᵀ is an outer product, ~5x faster as a broadcast multiply
        grad_x = grad * w.T if w.shape[1] == 1 else grad @ w.T
    grad_w = None
    if need[1]:
        if x.ndim != 2:  # fold any leading batch axes into one
            x, grad = x.reshape((-1, x.shape[-1])), grad.reshape((-1, grad.shape[-1]))
        out = ctx.grad_buffer(1)
        grad_w = x.T @ grad if out is None else np.matmul(x.T, grad, out=out)
    if len(need) == 2:
        return grad_x, grad_w
    grad_b = None
    if need[2]:
        if grad.ndim != 2:  # not a batch of rows: the engine sums the broadcast axes
            grad_b = grad
        else:
            # db = 1ᵀ dz: BLAS's matrix-vector product is 2-4x faster than numpy's sum over axis 0
            ones = _ones(grad.shape[0], grad.dtype)
            out = ctx.grad_buffer(2)
            grad_b = ones @ grad if out is None else np.matmul(ones, grad, out=out)
    return grad_x, grad_w, grad_b


@functools.lru_cache(maxsize=32)
def _ones(n: int, dtype) -> np.ndarray:
    """A read-only vector of n ones (one per batch size seen; they never change)."""
    ones = np.ones(n, dtype)
    ones.flags.writeable = False
    return ones


def linear(x, w, b=None):
    """x @ w + b as a single graph node (what a Dense layer computes)."""
    return Linear.apply(x, w) if b is None else Linear.apply(x, w, b)
