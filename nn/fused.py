"""The op fit trains Dense layers with: activation(x @ W + b) as one graph node.

`model(x)` records the textbook graph -- `linear`, then `sigmoid` (or relu, tanh) -- which is
what the diagrams draw. fit computes the very same function as one op instead: the activation
is applied in place on the affine output, and its derivative is read off that output with the
ops' own formulas (autograd_mini.ops.unary: sigmoid_grad, tanh_grad, relu_grad), so the
pre-activation array is never kept and the numbers are those of the textbook graph.
tests/nn/test_nn_fused.py checks both paths agree, number for number.

The weights' gradients are written into the optimizer's arrays when fit passes them
(`buffers`, an nn.optimizers.GradientBuffers): a training step then allocates no weight-sized
arrays, and no Tensor's `.grad` is touched.

>>> import numpy as np, autograd_mini as am
>>> x, w, b = am.Tensor([[1.0, 2.0]]), am.Tensor([[0.5], [-0.25]], requires_grad=True), am.Tensor([0.1])
>>> DenseActivation.apply(x, w, b, activation="relu")
Tensor([[0.1]], grad_fn=dense)
"""
from __future__ import annotations

import numpy as np

from autograd_mini import Function
from autograd_mini.ops.linalg import as_rows
from autograd_mini.ops.unary import relu_grad, sigmoid_array, sigmoid_grad, tanh_grad

IN_PLACE = {  # activation name -> (apply in place on z, upstream gradient -> gradient at z, from the output)
    "sigmoid": (lambda z: sigmoid_array(z, out=z), sigmoid_grad),
    "tanh": (lambda z: np.tanh(z, out=z), tanh_grad),
    "relu": (lambda z: np.maximum(z, 0.0, out=z), lambda grad, out: relu_grad(grad, out > 0)),
    "linear": (lambda z: z, lambda grad, out: grad),
}


class DenseActivation(Function):
    """activation(x @ W + b) for an elementwise activation in IN_PLACE.

    buffers: where dW and db go (an object with `take(weight) -> array or None`), or None."""
    __slots__ = ("activation", "buffers")
    rule = "∂act(x@W+b)ᵢⱼ/∂xᵢₖ = act′·Wₖⱼ, ∂act(x@W+b)ᵢⱼ/∂Wₖⱼ = act′·xᵢₖ, ∂act(x@W+b)ᵢⱼ/∂bⱼ = act′"
    op_name = "dense"

    @staticmethod
    def forward(ctx, x, w, b=None, activation="sigmoid", buffers=None):
        out = x @ w
        if b is not None:
            out += b
        ctx.activation, ctx.buffers = activation, buffers
        IN_PLACE[activation][0](out)
        ctx.save_for_backward(x, w, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w, out = ctx.saved_tensors
        dz = IN_PLACE[ctx.activation][1](grad, out)
        parents = ctx.parents
        buffers = ctx.buffers if ctx._out is None else None  # under create_graph gradients are Tensors
        dx = dz @ w.T if parents[0].requires_grad else None   # dx = dz·Wᵀ
        if x.ndim != 2:
            x, dz = as_rows(x), as_rows(dz)
        dw = db = None
        if parents[1].requires_grad:                          # dW = xᵀ·dz
            into = None if buffers is None else buffers.take(parents[1])
            dw = x.T @ dz if into is None else np.matmul(x.T, dz, out=into)
        if len(parents) == 3 and parents[2].requires_grad:    # db = Σ dz (np.add.reduce: what .sum() calls)
            db = dz.sum(axis=0) if buffers is None else np.add.reduce(dz, axis=0, out=buffers.take(parents[2]))
        return (dx, dw) if len(parents) == 2 else (dx, dw, db)
