"""numpy functions on Tensors: `np.exp(t)`, `np.maximum(t, 0)`, `np.sum(t, axis=1)` go through the graph.

numpy hands a call with a Tensor argument to `Tensor.__array_ufunc__` (ufuncs: np.exp, np.add,
np.matmul, ...) or `Tensor.__array_function__` (np.sum, np.where, np.reshape, ...); both land here.

- The functions the engine differentiates become the same ops as the Tensor methods.
- Comparisons, piecewise-constant functions (np.equal, np.less, np.isfinite, np.sign, np.floor,
  np.round, ...) and questions about an array (np.shape, np.allclose, np.argmax, ...) compute
  on the numbers and return what numpy returns: numpy arrays, as the comparison operators do.
- Any other numpy function on a Tensor that requires grad would silently cut it out of the
  graph, so it raises an error naming the function and what to write instead. On constants
  (or under no_grad) it computes on the numbers and returns numpy's result.
- An `out=` numpy array receives the numbers (`w.data -= lr * w.grad` is np.subtract with out=).

>>> import numpy as np
>>> import autograd_mini as am
>>> x = am.Tensor([0.5, -1.0], requires_grad=True)
>>> y = np.sum(np.exp(x) * np.maximum(x, 0))
>>> y.backward()
>>> x.grad                               # (1 + x)·eˣ where x > 0, else 0
Tensor([2.4730818, 0.       ])
>>> np.less(x, 0)
array([False,  True])
"""
from __future__ import annotations

import operator

import numpy as np

from . import grad_mode
from .tensor import Tensor


def array_ufunc(ufunc, method: str, inputs: tuple, kwargs: dict):
    """Tensor.__array_ufunc__: a numpy ufunc called with a Tensor among its operands."""
    out = kwargs.pop("out", None)
    if out is not None:
        return _into_arrays(ufunc, method, inputs, kwargs, out)
    if method == "__call__" and not kwargs:
        rule = _UFUNCS.get(ufunc)
        if rule is not None:
            ref = next(x for x in inputs if isinstance(x, Tensor))
            return rule(*[x if isinstance(x, Tensor) else ref._lift(x) for x in inputs])
    if method == "reduce" and ufunc in _REDUCTIONS and set(kwargs) <= {"axis", "keepdims"} \
            and isinstance(inputs[0], Tensor):
        return getattr(inputs[0], _REDUCTIONS[ufunc])(kwargs.get("axis", 0), kwargs.get("keepdims", False))
    if ufunc in _PIECEWISE_CONSTANT and method == "__call__":  # slope 0 almost everywhere: plain numbers
        return ufunc(*_numbers(inputs), **kwargs)
    name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    return _on_numbers(name, getattr(ufunc, method), inputs, kwargs)


def array_function(func, types, args: tuple, kwargs: dict):
    """Tensor.__array_function__: a numpy function (np.sum, np.where, ...) with a Tensor argument."""
    if func in _PIECEWISE_CONSTANT:
        return func(*_numbers(args), **_numbers(kwargs))
    rule = _FUNCTIONS.get(func)
    # np.where and np.dot take a Tensor at any position; the others operate on their first argument
    if rule is not None and (func in (np.where, np.dot) or (args and isinstance(args[0], Tensor))):
        return rule(*args, **kwargs)
    return _on_numbers(_numpy_name(func), func, args, kwargs)


def _on_numbers(name: str, func, args: tuple, kwargs: dict):
    """Run numpy on the Tensors' numbers; refuse when that would cut a Tensor that needs a gradient
    out of the graph (a float result computed from it)."""
    result = func(*_numbers(args), **_numbers(kwargs))
    if grad_mode.is_grad_enabled() and _has_float(result) and _needs_grad((args, kwargs)):
        raise TypeError(f"{name} is not differentiated by autograd_mini, and the Tensor passed to it requires "
                        f"grad: {_instead(name)}")
    return result


def _instead(name: str) -> str:
    specific = _INSTEAD.get(name, "")
    return ((specific + "; or " if specific else "use the Tensor ops (+ - * / ** @, exp log tanh sigmoid relu "
             "abs sum mean max reshape transpose, am.maximum am.where) or the numpy functions that map to them; ")
            + "wrap numpy code with a hand-written backward in an am.Function (README: 'Your own op'); or pass "
              "t.data (t.detach()) to compute on the numbers without a gradient")


_INSTEAD = {
    "np.sin": "write an am.Function (forward np.sin, backward grad * np.cos(x))",
    "np.cos": "write an am.Function (forward np.cos, backward -grad * np.sin(x))",
    "np.std": "use ((t - t.mean()) ** 2).mean() ** 0.5",
    "np.var": "use ((t - t.mean()) ** 2).mean()",
    "np.copy": "use the Tensor itself (Tensors are not changed in place), or t.detach() for a constant",
    "np.concatenate": "index and combine with Tensor ops, or keep the pieces as separate Tensors",
    "np.stack": "index and combine with Tensor ops, or keep the pieces as separate Tensors",
}


def _numpy_name(func) -> str:
    """'np.sum', 'np.linalg.norm': the name as the user typed it."""
    module = (getattr(func, "__module__", None) or "numpy").split(".")[1:]
    public = [part for part in module if not part.startswith("_") and part not in ("core", "lib")]
    return ".".join(["np", *public, func.__name__])


def _numbers(value):
    """Tensors (also inside lists, tuples and dicts) replaced by their arrays."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, (list, tuple)):
        return type(value)(_numbers(v) for v in value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    return value


def _needs_grad(value) -> bool:
    if isinstance(value, Tensor):
        return value.requires_grad
    if isinstance(value, (list, tuple)):
        return any(_needs_grad(v) for v in value)
    if isinstance(value, dict):
        return any(_needs_grad(v) for v in value.values())
    return False


def _has_float(result) -> bool:
    """Is there a real number in numpy's result (which would carry a gradient)?"""
    if isinstance(result, (list, tuple)):
        return any(_has_float(r) for r in result)
    if isinstance(result, float):
        return True
    dtype = getattr(result, "dtype", None)
    return dtype is not None and dtype.kind in "fc"


def _into_arrays(ufunc, method, inputs, kwargs, out):
    """out=: numpy arrays receive the numbers (`w.data -= lr * w.grad`); a Tensor cannot."""
    outs = out if isinstance(out, tuple) else (out,)
    if any(isinstance(o, Tensor) for o in outs):
        raise TypeError(f"np.{ufunc.__name__}(..., out=<Tensor>): a Tensor's numbers are not written in place by "
                        f"numpy; write into its array (out=t.data), or update it with `with am.no_grad(): t -= ...`")
    return getattr(ufunc, method)(*_numbers(inputs), out=out, **_numbers(kwargs))


# --- the differentiable ufuncs ----------------------------------------------------------------

def _maximum(a: Tensor, b: Tensor) -> Tensor:
    from .ops.select import Maximum
    return Maximum.apply(a, b)


def _minimum(a: Tensor, b: Tensor) -> Tensor:
    return -_maximum(-a, -b)


_UFUNCS = {
    np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul, np.true_divide: operator.truediv,
    np.power: operator.pow, np.float_power: operator.pow, np.matmul: operator.matmul, np.negative: operator.neg,
    np.positive: operator.pos, np.absolute: operator.abs,
    np.exp: Tensor.exp, np.log: Tensor.log, np.tanh: Tensor.tanh,
    np.sqrt: lambda a: a ** 0.5, np.square: lambda a: a * a, np.reciprocal: lambda a: 1.0 / a,
    np.exp2: lambda a: 2.0 ** a, np.expm1: lambda a: a.exp() - 1.0, np.log1p: lambda a: (a + 1.0).log(),
    np.log2: lambda a: a.log() * (1 / np.log(2.0)), np.log10: lambda a: a.log() * (1 / np.log(10.0)),
    np.maximum: _maximum, np.minimum: _minimum, np.fmax: _maximum, np.fmin: _minimum,
}
_REDUCTIONS = {np.add: "sum", np.maximum: "max"}
# Their derivative is 0 wherever it exists: the result is numbers, like a comparison's
_PIECEWISE_CONSTANT = {np.sign, np.floor, np.ceil, np.trunc, np.rint, np.floor_divide, np.round, np.around,
                       np.fix}


# --- the differentiable numpy functions ------------------------------------------------------

def _refuse(name: str, **given) -> None:
    """numpy options the Tensor versions do not have: an error naming them, not a silent ignore."""
    used = [k for k, v in given.items() if v is not None]
    if used:
        raise TypeError(f"np.{name} on a Tensor: {', '.join(f'{k}=' for k in used)} not supported "
                        f"(the result is a new Tensor in the graph)")


def _sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    _refuse("sum", initial=initial, where=where)
    return a.sum(axis, bool(keepdims), dtype, out)


def _mean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    _refuse("mean", where=where)
    return a.mean(axis, bool(keepdims), dtype, out)


def _max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    _refuse("max", initial=initial, where=where)
    return a.max(axis, bool(keepdims), out)


def _min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    _refuse("min", initial=initial, where=where, out=out)
    return -((-a).max(axis, bool(keepdims)))


def _where(condition, *values):
    if len(values) != 2:  # np.where(condition): the indices where it holds
        return np.where(*_numbers((condition,) + values))
    from .ops.select import Where
    a, b = values
    ref = a if isinstance(a, Tensor) else b
    if not isinstance(ref, Tensor):  # only the condition was a Tensor
        return np.where(_numbers(condition), a, b)
    a, b = (v if isinstance(v, Tensor) else ref._lift(v) for v in (a, b))
    return Where.apply(a, b, condition=np.asarray(_numbers(condition), dtype=bool))


def _dot(a, b, out=None):
    _refuse("dot", out=out)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * b
    if np.ndim(a) > 2 or np.ndim(b) > 2:
        raise TypeError(f"np.dot on Tensors of {np.ndim(a)} and {np.ndim(b)} dimensions: only vectors and "
                        f"matrices; use np.matmul or @ (batches of matrices) instead")
    return a @ b if isinstance(a, Tensor) else b._lift(a) @ b


def _reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if order != "C":
        raise TypeError(f"np.reshape on a Tensor: order={order!r} not supported (only 'C')")
    return a.reshape(newshape if shape is None else shape)


def _squeeze(a, axis=None):
    return a.reshape(np.squeeze(np.empty(a.shape, dtype=bool), axis).shape)


def _expand_dims(a, axis):
    return a.reshape(np.expand_dims(np.empty(a.shape, dtype=bool), axis).shape)


def _swapaxes(a, axis1, axis2):
    axes = list(range(a.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return a.transpose(axes)


def _broadcast_to(a, shape, subok=False):
    from .ops.shape import BroadcastTo
    return BroadcastTo.apply(a, shape=tuple(np.broadcast_shapes(a.shape, tuple(np.atleast_1d(shape)))))


def _clip(a, a_min=None, a_max=None, out=None, **kwargs):
    _refuse("clip", out=out)
    low, high = kwargs.pop("min", a_min), kwargs.pop("max", a_max)
    if kwargs:
        _refuse("clip", **kwargs)
    if low is not None:
        a = _maximum(a, a._lift(low))
    return a if high is None else _minimum(a, a._lift(high))


_FUNCTIONS = {
    np.sum: _sum, np.mean: _mean, np.max: _max, np.amax: _max, np.min: _min, np.amin: _min,
    np.where: _where, np.dot: _dot, np.transpose: lambda a, axes=None: a.transpose(*(() if axes is None else (axes,))),
    np.reshape: _reshape, np.ravel: lambda a, order="C": _reshape(a, -1, order), np.squeeze: _squeeze,
    np.expand_dims: _expand_dims, np.swapaxes: _swapaxes, np.broadcast_to: _broadcast_to, np.clip: _clip,
    np.outer: lambda a, b, out=None: a.reshape(-1, 1) * (b.reshape(1, -1) if isinstance(b, Tensor) else np.ravel(b)),
}


# --- in-place updates --------------------------------------------------------------------------

_OPERATORS = {"+=": operator.add, "-=": operator.sub, "*=": operator.mul, "/=": operator.truediv}
_UFUNC_OF = {"+=": np.add, "-=": np.subtract, "*=": np.multiply, "/=": np.true_divide}


def update_in_place(t: Tensor, other, symbol: str) -> Tensor:
    """`t += ...`, `t -= ...`, `t *= ...`, `t /= ...`.

    On a trainable leaf (requires grad, made by the user) under no_grad: the numbers change in
    place, as PyTorch's `with torch.no_grad(): w -= lr * w.grad`. Outside no_grad that would
    silently replace the weight by a new, untrainable tensor: an error says what to write.
    Any other Tensor: a new Tensor, `t = t - ...`, in the graph as usual."""
    if t._ctx is None and t.requires_grad:
        if grad_mode.is_grad_enabled():
            name = t.name or "w"
            raise RuntimeError(
                f"`{name} {symbol} ...` on a Tensor that requires grad (a trainable weight) would replace it by a new "
                f"tensor computed from it, which is no longer a trainable leaf. To update the weight, write "
                f"`{name}.data {symbol} ...` or `with am.no_grad(): {name} {symbol} ...`")
        value = other.data if isinstance(other, Tensor) else np.asarray(other)
        try:
            _UFUNC_OF[symbol](t.data, value, out=t.data, casting="same_kind")
        except ValueError:
            raise ValueError(f"`t {symbol} value`: a value of shape {np.shape(value)} does not fit the Tensor's "
                             f"shape {t.shape} (it may broadcast to it, not beyond)") from None
        return t
    return _OPERATORS[symbol](t, other)
