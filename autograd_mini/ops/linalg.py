"""Matrix products: matmul (numpy's @, 1-D, 2-D and batched) and the affine map of a Dense layer."""
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
    def backward(ctx, dz):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        dx = dz @ w.T if need[0] else None                    # dx = dz·Wᵀ
        if x.ndim != 2:
            x, dz = as_rows(x), as_rows(dz)                   # any batch axes as one
        dw = x.T @ dz if need[1] else None                    # dW = xᵀ·dz
        db = dz.sum(axis=0) if len(need) == 3 and need[2] else None  # db = Σ dz over the batch
        return (dx, dw) if len(need) == 2 else (dx, dw, db)


def as_rows(a):
    """A batch of vectors as a matrix, one row each: leading axes folded into one."""
    return a if a.ndim == 2 else a.reshape((-1, a.shape[-1]))


def linear(x, w, b=None):
    """x @ w + b as a single graph node (what a Dense layer computes)."""
    return Linear.apply(x, w) if b is None else Linear.apply(x, w, b)
