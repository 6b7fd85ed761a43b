"""Tensor: a numpy array that remembers the op that made it.

The graph points backwards only: a tensor holds its `_ctx` (the Function node that
produced it) and the node holds its input tensors. Nothing points from a node to its
output, so there is no reference cycle and a graph dies by refcount as soon as the
user drops its last tensor.

>>> from autograd_mini import Tensor
>>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
Tensor([2., 4., 6.])
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from . import dtypes


def as_array(data: Any, dtype=None) -> np.ndarray:
    """Turn user data into an array: floats keep their dtype, everything else becomes the default."""
    if isinstance(data, Tensor):
        array = data.data
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:  # Python numbers, nested lists/tuples: numbers from Python become the default float
        try:
            array = np.asarray(data)
        except (ValueError, TypeError) as err:
            raise ValueError(f"cannot make a Tensor from {data!r}: {err}") from None
        if array.dtype.kind in "biuf":  # straight to the dtype asked for: no float32 round trip
            exact = dtype is not None and np.dtype(dtype).kind == "f"
            array = array.astype(dtype if exact else dtypes.get_default_dtype())
    if array.dtype.kind in "biu":
        array = array.astype(dtypes.get_default_dtype())
    elif array.dtype.kind != "f":
        raise TypeError(f"Tensor data must be numeric, got {data!r} (numpy dtype {array.dtype})")
    if dtype is not None:
        if np.dtype(dtype).kind != "f":
            raise TypeError(f"Tensors hold floating-point numbers (gradients are real numbers); got "
                            f"dtype={np.dtype(dtype)}: use float32 or float64")
        array = array.astype(dtype, copy=False)
    return array


def _comparison(compare):
    """A comparison operator: the arrays compared, a numpy bool array; NotImplemented for
    anything that is not numbers (so `t == None` is False and `t in [None, t]` works)."""
    def method(self, other):
        if isinstance(other, Tensor):
            return compare(self.data, other.data)
        try:
            other = self._lift(other).data
        except (TypeError, ValueError):
            return NotImplemented
        return compare(self.data, other)
    method.__name__ = f"__{compare.__name__}__"
    return method


class Tensor:
    """An n-dimensional array with reverse-mode autodiff, in the style of PyTorch.

    Tensor(data, requires_grad=False, dtype=None, name=None)
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "name", "_retain_grad", "__weakref__")

    def __init__(self, data: Any, requires_grad: bool = False, dtype=None, name: str | None = None):
        self.data = as_array(data, dtype)
        if not isinstance(requires_grad, (bool, np.bool_)):  # bool("no") would be True
            raise TypeError(f"Tensor(requires_grad={requires_grad!r}): requires_grad must be True or False")
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._ctx = None
        self.name = name
        self._retain_grad = False

    @classmethod
    def _make(cls, data: np.ndarray, ctx) -> "Tensor":
        """Fast constructor for op outputs: no validation, `ctx` is the producing node or None."""
        t = object.__new__(cls)
        t.data = data
        t._ctx = ctx
        t.requires_grad = ctx is not None
        t.grad = None
        t.name = None
        t._retain_grad = False
        return t

    # --- plain attributes -------------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    dtype = property(lambda self: self.data.dtype)
    size = property(lambda self: self.data.size)
    is_leaf = property(lambda self: self._ctx is None)
    grad_fn = property(lambda self: self._ctx, doc="The Function node that made this tensor (None for leaves).")
    T = property(lambda self: self.transpose())

    def item(self) -> float:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def tolist(self):
        return self.data.tolist()

    def clone(self) -> "Tensor":
        """The same numbers in new memory, still in the graph (gradients pass through), as torch.clone."""
        return Clone.apply(self)

    def detach(self) -> "Tensor":
        """The same numbers, cut from the graph."""
        return Tensor._make(self.data, None)

    def retain_grad(self) -> "Tensor":
        """Keep this non-leaf tensor's gradient in `.grad` after backward (as in PyTorch)."""
        self._retain_grad = True
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    def zero_grad(self) -> None:
        """Forget the gradient: the next backward stores a new one (PyTorch's set-to-none).
        A gradient array you kept is never written to."""
        self.grad = None

    # numpy functions and in-place updates on Tensors: autograd_mini/numpy_dispatch.py
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _numpy_dispatch.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _numpy_dispatch.array_function(func, types, args, kwargs)

    def __iadd__(self, other): return _numpy_dispatch.update_in_place(self, other, "+=")
    def __isub__(self, other): return _numpy_dispatch.update_in_place(self, other, "-=")
    def __imul__(self, other): return _numpy_dispatch.update_in_place(self, other, "*=")
    def __itruediv__(self, other): return _numpy_dispatch.update_in_place(self, other, "/=")

    # --- copies and pickles (as PyTorch: a leaf's copy is a new leaf; its .grad is copied) ------
    def __getstate__(self) -> dict:
        """What a pickle or a deepcopy keeps: the numbers, requires_grad, name, a copy of .grad.
        Not the graph (a pickled op output loads as a leaf)."""
        return {"data": np.array(self.data), "requires_grad": self.requires_grad, "name": self.name,
                "grad": None if self.grad is None else np.array(self.grad.data),
                "retain_grad": self._retain_grad}

    def __setstate__(self, state: dict) -> None:
        self.data, self.requires_grad, self.name = state["data"], state["requires_grad"], state["name"]
        self.grad = None if state["grad"] is None else Tensor._make(state["grad"], None)
        self._ctx, self._retain_grad = None, state["retain_grad"]

    def __deepcopy__(self, memo: dict) -> "Tensor":
        """An independent leaf with the same numbers, requires_grad and .grad; an op's output
        (it belongs to a graph) is refused, as in PyTorch: copy `t.detach()` instead.

        >>> import copy
        >>> w = Tensor([1.0], requires_grad=True)
        >>> c = copy.deepcopy(w); c.data[0] = 5.0; w
        Tensor([1.], requires_grad=True)
        """
        if self._ctx is not None:
            raise RuntimeError("copy.deepcopy works for leaf Tensors (made by the user, not by an op); this one is "
                               "an op's output inside a graph: copy t.detach() for its numbers")
        copied = object.__new__(Tensor)
        memo[id(self)] = copied
        copied.__setstate__(self.__getstate__())
        return copied

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return np.asarray(self.data, dtype=dtype)

    def __len__(self) -> int:
        return len(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=20)
        extras = []
        if self.data.dtype != dtypes.get_default_dtype():
            extras.append(f"dtype={self.data.dtype}")
        if self.name:
            extras.append(f"name={self.name!r}")
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx.op_name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "Tensor(" + ", ".join([body] + extras) + ")"

    def _repr_html_(self) -> str:
        """Jupyter's view: shape, dtype, requires_grad, the op that made it, values and `.grad`."""
        from .display import tensor_html
        return tensor_html(self)

    # --- graph ------------------------------------------------------------------------
    def backward(self, grad=None, create_graph: bool = False, retain_graph: bool | None = None, *,
                 gradient=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (see autograd_mini.backward).
        `gradient=` is PyTorch's name for `grad` (the upstream gradient).

        The walk is engine.run_backward; without create_graph its tuned copy runs
        (autograd_mini/tuned_walk.py: the same steps and numbers, fewer Python operations)."""
        if gradient is not None:
            if grad is not None:
                raise TypeError("backward() got both grad= and gradient= (PyTorch's name for it): pass one")
            grad = gradient
        if create_graph:
            _engine.backward(self, grad, create_graph=True, retain_graph=retain_graph)
        else:
            _tuned_walk.backward(self, grad, retain_graph=bool(retain_graph))

    # --- operators: numpy broadcasting, Tensors/arrays/numbers on either side -----------
    def _lift(self, other) -> "Tensor":
        """Wrap a non-Tensor operand as a constant; Python numbers take this tensor's dtype."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return Tensor._make(np.asarray(other, dtype=self.data.dtype), None)
        return Tensor(other)

    def __add__(self, other): return Add.apply(self, self._lift(other))
    def __radd__(self, other): return Add.apply(self._lift(other), self)
    def __sub__(self, other): return Sub.apply(self, self._lift(other))
    def __rsub__(self, other): return Sub.apply(self._lift(other), self)
    def __mul__(self, other): return Mul.apply(self, self._lift(other))
    def __rmul__(self, other): return Mul.apply(self._lift(other), self)
    def __truediv__(self, other): return Div.apply(self, self._lift(other))
    def __rtruediv__(self, other): return Div.apply(self._lift(other), self)
    def __pow__(self, other): return Pow.apply(self, self._lift(other))
    def __rpow__(self, other): return Pow.apply(self._lift(other), self)
    def __matmul__(self, other): return MatMul.apply(self, self._lift(other))
    def __rmatmul__(self, other): return MatMul.apply(self._lift(other), self)
    def __neg__(self): return Neg.apply(self)
    def __pos__(self): return self
    def __abs__(self): return Abs.apply(self)
    def __getitem__(self, index): return GetItem.apply(self, index=_plain_index(index))

    # comparisons are not differentiable: numpy boolean arrays, outside the graph (as PyTorch's
    # bool tensors). Python numbers compare at this Tensor's dtype.
    __eq__ = _comparison(operator.eq)
    __ne__ = _comparison(operator.ne)
    __lt__ = _comparison(operator.lt)
    __le__ = _comparison(operator.le)
    __gt__ = _comparison(operator.gt)
    __ge__ = _comparison(operator.ge)
    __hash__ = object.__hash__  # by identity, as PyTorch: Tensors stay usable as dict keys and in sets

    # --- methods ----------------------------------------------------------------------
    def exp(self) -> "Tensor": return Exp.apply(self)
    def log(self) -> "Tensor": return Log.apply(self)
    def sigmoid(self) -> "Tensor": return Sigmoid.apply(self)
    def relu(self) -> "Tensor": return Relu.apply(self)
    def tanh(self) -> "Tensor": return Tanh.apply(self)
    def abs(self) -> "Tensor": return Abs.apply(self)

    # dtype/out: what np.sum(t), np.mean(t), np.max(t) pass on to these methods
    def sum(self, axis=None, keepdims: bool = False, dtype=None, out=None) -> "Tensor":
        if dtype is not None or out is not None:
            _numpy_reduction_args("sum", self, dtype, out)
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False, dtype=None, out=None) -> "Tensor":
        if dtype is not None or out is not None:
            _numpy_reduction_args("mean", self, dtype, out)
        return Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims: bool = False, out=None) -> "Tensor":
        if out is not None:
            _numpy_reduction_args("max", self, None, out)
        return Max.apply(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape) -> "Tensor":
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Reshape.apply(self, shape=shape)

    def transpose(self, *axes) -> "Tensor":
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return Transpose.apply(self, axes=axes or None)


def _numpy_reduction_args(name: str, tensor: Tensor, dtype, out) -> None:
    """np.sum(t) and friends call t.sum(axis=..., dtype=None, out=None): accept those, refuse the rest."""
    if out is not None:
        raise TypeError(f"{name}: out= is not supported on Tensors (the result is a new Tensor in the graph)")
    if dtype is not None and np.dtype(dtype) != tensor.data.dtype:
        raise TypeError(f"{name}: dtype={np.dtype(dtype)} differs from the Tensor's {tensor.data.dtype}; "
                        f"convert the Tensor first (Tensor(t.data, dtype=...))")


def _plain_index(index):
    """Indices may be Tensors (whose data is float): numpy wants integer arrays."""
    def plain(i):
        return i.data.astype(np.intp) if isinstance(i, Tensor) else i
    return tuple(plain(i) for i in index) if isinstance(index, tuple) else plain(index)


# The ops need Tensor defined first; Tensor's methods look them up at call time.
from .ops.arithmetic import Add, Sub, Mul, Div, Neg, Pow  # noqa: E402
from .ops.unary import Exp, Log, Sigmoid, Relu, Tanh, Abs  # noqa: E402
from .ops.reduce import Sum, Mean, Max  # noqa: E402
from .ops.shape import Clone, Reshape, Transpose, GetItem  # noqa: E402
from .ops.linalg import MatMul  # noqa: E402
from . import engine as _engine  # noqa: E402
from . import numpy_dispatch as _numpy_dispatch  # noqa: E402
from . import tuned_walk as _tuned_walk  # noqa: E402
