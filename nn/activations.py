"""Activation functions by Keras name. Each is one op of the engine (softmax is defined here).

>>> import autograd_mini as am
>>> from nn import activations
>>> activations.get("sigmoid")(am.Tensor([0.0, 2.0]))
Tensor([0.5     , 0.880797])
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from autograd_mini import Function, Tensor
from autograd_mini.ops.unary import sigmoid_array  # noqa: F401  (σ on arrays: metrics, fused losses)


def linear(x: Tensor) -> Tensor:
    """The identity: Keras's default activation (no op is recorded)."""
    return x


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def relu(x: Tensor) -> Tensor:
    return x.relu()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


class Softmax(Function):
    """softmax over the last axis: e^x / Σ e^x, shifted by the row maximum so e^x cannot overflow."""
    __slots__ = ()
    rule = "∂softmax(x)ᵢ/∂xⱼ = sᵢ·([i=j] − sⱼ)"
    op_name = "softmax"

    @staticmethod
    def forward(ctx, x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        out = e / e.sum(axis=-1, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        # Jacobian-vector product of softmax: s ⊙ (g - Σ g⊙s)
        return s * (grad - (grad * s).sum(axis=-1, keepdims=True))


def softmax(x: Tensor) -> Tensor:
    return Softmax.apply(x)


ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "linear": linear, "sigmoid": sigmoid, "relu": relu, "tanh": tanh, "softmax": softmax,
}
_NAMES = {fn: name for name, fn in ACTIVATIONS.items()}


def get(identifier: str | Callable | None) -> Callable[[Tensor], Tensor]:
    """An activation by name ("relu", ...); None means linear; a callable is used as is."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    key = str(identifier).lower()
    if key not in ACTIVATIONS:
        from .validation import unknown_name
        raise ValueError("activation: " + unknown_name("activation", identifier, ACTIVATIONS))
    return ACTIVATIONS[key]


def name_of(fn: Callable) -> str:
    """The Keras name of an activation function ("linear" for the identity)."""
    name = _NAMES.get(fn)  # a dict lookup: fit asks once per layer per step
    return name if name is not None else getattr(fn, "__name__", "custom")


def is_builtin(fn: Callable) -> bool:
    """Is this one of the activations above (not a user's callable)?"""
    return fn in _NAMES


def softmax_array(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


__all__ = ["linear", "sigmoid", "relu", "tanh", "softmax", "Softmax", "get", "name_of"]
