"""Helpers a backward can call on numpy arrays *and* on Tensors.

A backward normally runs on arrays (fast); under `backward(create_graph=True)` the same
code runs on Tensors and is itself recorded. Operators and methods (`+`, `@`, `.sum`,
`.reshape`) already work on both; these cover the few numpy functions that do not."""
import numpy as np

from ..tensor import Tensor


def log(x):
    return x.log() if isinstance(x, Tensor) else np.log(x)


def where(condition, a, b):
    """Elementwise `a if condition else b`; `condition` is a constant boolean array."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        from .select import Where
        a, b = (a, a._lift(b)) if isinstance(a, Tensor) else (b._lift(a), b)  # numbers take the Tensor's dtype
        return Where.apply(a, b, condition=np.asarray(condition))
    return np.where(condition, a, b)


def times_slope(grad, slope):
    """grad · slope for a constant local slope (a mask, the shares of a tie, a sign), and exactly 0
    wherever the slope is 0 -- even where grad is inf or nan, which the plain product would turn
    into nan: a zero local derivative passes back 0, as in PyTorch's relu, where and maximum.

    On arrays the mask is applied only when grad is not all finite: np.where costs many times a
    multiply on large arrays (benchmarks/README.md)."""
    if not isinstance(grad, Tensor) and np.isfinite(grad).all():
        return grad * slope
    return where(np.asarray(slope) == 0, 0.0, grad) * slope


def broadcast_to(x, shape):
    """`x` repeated up to `shape`. On arrays a filled new array: cheaper than np.broadcast_to
    (benchmarks/README.md), whose read-only view a leaf's .grad would have to copy anyway."""
    if isinstance(x, Tensor):
        from .shape import BroadcastTo
        return BroadcastTo.apply(x, shape=shape)
    out = np.empty(shape, dtype=x.dtype)
    out[...] = x
    return out


def matrix_transpose(x):
    """Swap the last two axes (x.T for a matrix, per-matrix for a batch)."""
    if x.ndim == 2:
        return x.T
    axes = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return x.transpose(axes)
