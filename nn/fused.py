"""The op fit trains Dense layers with: activation(x @ W + b) as one graph node.

`model(x)` records the textbook graph -- `linear`, then `sigmoid` (or relu, tanh) -- which is
what the diagrams draw. fit computes the very same function as one op instead: the activation
is applied in place on the affine output, and its derivative is read off that output
(σ' = σ(1 - σ), tanh' = 1 - tanh², relu' = [out > 0]), so the pre-activation array is never
kept. One node instead of two per layer halves the engine's bookkeeping and saves a
batch-sized array per layer. tests/test_nn_fused.py checks both paths agree, and gradcheck.

>>> import numpy as np, autograd_mini as am
>>> x, w, b = am.Tensor([[1.0, 2.0]]), am.Tensor([[0.5], [-0.25]], requires_grad=True), am.Tensor([0.1])
>>> DenseActivation.apply(x, w, b, activation="relu")
Tensor([[0.1]], grad_fn=dense)
"""
from __future__ import annotations

import numpy as np

from autograd_mini import Function
from autograd_mini.ops.linalg import affine_grads
from autograd_mini.ops.unary import sigmoid_array


IN_PLACE = {  # activation name -> (apply in place on z, d activation / dz from the output)
    "sigmoid": (lambda z: sigmoid_array(z, out=z), lambda out: out * (1.0 - out)),
    "tanh": (lambda z: np.tanh(z, out=z), lambda out: 1.0 - out * out),
    "relu": (lambda z: np.maximum(z, 0.0, out=z), lambda out: np.asarray(out) > 0),
}


class DenseActivation(Function):
    """activation(x @ W + b) for an elementwise activation in IN_PLACE."""
    __slots__ = ("activation",)
    rule = "∂act(x@W+b)ᵢⱼ/∂xᵢₖ = act′·Wₖⱼ, ∂act(x@W+b)ᵢⱼ/∂Wₖⱼ = act′·xᵢₖ, ∂act(x@W+b)ᵢⱼ/∂bⱼ = act′"
    op_name = "dense"

    @staticmethod
    def forward(ctx, x, w, b=None, activation="sigmoid"):
        out = x @ w
        if b is not None:
            out += b
        ctx.activation = activation
        IN_PLACE[activation][0](out)
        ctx.save_for_backward(x, w, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w, out = ctx.saved_tensors
        grad_z = grad * IN_PLACE[ctx.activation][1](out)
        return affine_grads(ctx, x, w, grad_z)
