"""Function: one op = one class with a `forward` and a `backward` on numpy arrays.

Every built-in op is written this way, and so is a user's own op:

>>> import numpy as np
>>> from autograd_mini import Function, Tensor
>>> class Cube(Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad):
...         (x,) = ctx.saved_tensors
...         return grad * 3 * x ** 2
>>> x = Tensor(2.0, requires_grad=True)
>>> Cube.apply(x).backward(); float(x.grad)
12.0

The instance made by `apply` is the `ctx`: it is also the graph node, holding the input
tensors (`parents`) and what forward saved. Backward may return one gradient per input in
any broadcast shape; the engine reduces it to the input's shape (see `fit_to_shape`).

Higher order: written with operators that numpy arrays and Tensors share, the same
backward runs on arrays normally and on Tensors under `backward(create_graph=True)`; then
`saved_tensors` hands back the input/output Tensors themselves so the result stays in
the graph.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .grad_mode import _state as _grad_state, _threads_off
from .tensor import Tensor, as_array

AxisError = getattr(np, "exceptions", np).AxisError
_RELEASED = object()  # marks saved arrays freed after a backward without retain_graph
_data = operator.attrgetter("data")  # each input's array (map with it: no Python frame per op)
_requires_grad = operator.attrgetter("requires_grad")


class Function:
    """Base class of every op. Subclasses define static `forward(ctx, *arrays, **options)`
    returning an array and `backward(ctx, grad)` returning one gradient (or None) per input."""

    # __weakref__: a node can be watched without being kept alive (tools, and the tests that
    # check a dropped graph is freed by refcount)
    __slots__ = ("parents", "_saved", "_out", "_options", "__weakref__")
    op_name = "function"  # the name users know the op by, shown in reprs and diagrams
    # the local derivative as text, one clause per input in input order ("∂(a·b)/∂a = b, ∂(a·b)/∂b = a"),
    # shown by am.explain, backward_steps and diagrams; None: they say it comes from `backward`
    rule: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "op_name" not in cls.__dict__:
            cls.op_name = cls.__name__.lower()

    @staticmethod
    def forward(ctx, *arrays, **options):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    @property
    def needs_input_grad(self) -> tuple:
        """One bool per input: does it need a gradient? Lets backward skip work (e.g. for data)."""
        return tuple(map(_requires_grad, self.parents))

    # --- what forward hands to backward ------------------------------------------------
    def save_for_backward(self, *arrays) -> None:
        self._saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is _RELEASED:
            raise RuntimeError(
                f"{type(self).__name__}: trying to backward through the graph a second time; its saved "
                "arrays were freed by the first backward. Pass retain_graph=True to the first backward "
                "to keep them.")
        if self._out is None:
            return saved
        return tuple(self._as_graph_tensor(a, i) for i, a in enumerate(saved))

    def _as_graph_tensor(self, array, position):
        """create_graph mode: a saved input or output becomes its Tensor, anything else a constant.

        Arrays are matched by identity. Two inputs can hold the very same array (x * x.detach(),
        or two Tensors made from one ndarray), so the input at the saved position wins: forward
        saves its inputs in input order, as every built-in op does."""
        parents = self.parents
        if position < len(parents) and array is parents[position].data:
            return parents[position]
        for parent in parents:
            if array is parent.data:
                return parent
        if array is self._out.data:
            return self._out
        return array

    # --- building the graph --------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs, **options) -> Tensor:
        """Run forward on the inputs' arrays; record a node if grad mode is on and an input needs grad."""
        tensors = inputs
        for x in inputs:
            if not isinstance(x, Tensor):  # a number or an array passed straight to apply: make constants
                tensors = tuple(t if isinstance(t, Tensor) else Tensor._make(as_array(t), None) for t in inputs)
                break
        ctx = cls.__new__(cls)
        out = ctx.run_forward(tensors, options)
        if (not _threads_off[0] or _grad_state.enabled) and any(map(_requires_grad, tensors)):  # see grad_mode
            ctx.parents = tensors
            return Tensor._make(out, ctx)
        return Tensor._make(out, None)

    def run_forward(self, tensors, options: dict) -> np.ndarray:
        """Run forward as this node on the tensors' arrays; always returns an ndarray.

        The one place forward is called: by apply, and by a Recording (autograd_mini.recording)
        that runs the node again on new arrays."""
        self._saved = ()
        self._out = None
        self._options = options
        try:
            out = type(self).forward(self, *map(_data, tensors), **options)
        except AxisError:  # an IndexError too: `except IndexError` must still catch it, so it stays as is
            raise
        except ValueError as err:  # numpy's shape errors, made to name the op and every shape
            shapes = " and ".join(str(t.data.shape) for t in tensors)
            if "broadcast" in str(err) or "mismatch" in str(err):  # numpy could not pair the shapes
                raise ValueError(f"{self.op_name}: cannot combine shapes {shapes}: {err}") from None
            raise ValueError(f"{self.op_name} on inputs of shape {shapes}: {err}") from None
        if type(out) is not np.ndarray:
            # numpy returns a scalar, not a 0-d array, from ufuncs on 0-d arrays. A saved output
            # must be the very array the output Tensor holds, or create_graph takes it for a constant
            scalar, out = out, np.asarray(out)
            if self._saved:
                self._saved = tuple(out if a is scalar else a for a in self._saved)
        return out

    def __repr__(self) -> str:
        return f"<{self.op_name}>"


def fit_to_shape(grad: Any, shape: tuple, ctx: Function, index: int):
    """Reduce a broadcast gradient to its input's `shape`; the one place broadcasting is undone.

    Also the one place a backward's output is checked: a gradient that cannot be summed
    down to the input's shape is a bug in that Function's backward, and we say which."""
    if not isinstance(grad, (np.ndarray, Tensor)):
        grad = np.asarray(grad)
    gshape = grad.shape
    if gshape == shape:  # the common case: nothing to do
        return grad
    if not _broadcasts_to(shape, gshape):
        raise ValueError(
            f"{type(ctx).__name__}.backward returned a gradient of shape {gshape} for input {index}, "
            f"which has shape {shape}")
    extra = len(gshape) - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    """Would numpy broadcast `shape` up to `target`? (Cheaper than np.broadcast_shapes: benchmarks/README.md.)"""
    if len(shape) > len(target):
        return False
    return all(n == 1 or n == m for n, m in zip(reversed(shape), reversed(target)))
