"""autograd_mini: a small, fast, readable reverse-mode autodiff engine on numpy.

>>> import autograd_mini as am
>>> x = am.Tensor([1.0, -2.0], requires_grad=True)
>>> loss = am.sigmoid(x).sum()
>>> loss.backward()
>>> x.grad.shape
(2,)
"""
import numpy as np

from .dtypes import get_default_dtype, set_default_dtype
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor
from .function import Function
from .engine import backward
from .functional import grad, value_and_grad, jacobian, hessian, vjp, jvp
from .recording import Recording, record
from .ops.linalg import Linear, linear
from .ops.select import Maximum, Where
from .ops.shape import BroadcastTo
# eager (it is small): the function `explain` must win over its module of the same name
from .explain import Explanation, explain
from . import ops

__all__ = [
    "Tensor", "Function", "backward", "grad", "gradcheck", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "get_default_dtype", "set_default_dtype",
    "exp", "log", "sigmoid", "relu", "tanh", "abs", "maximum", "where", "matmul", "linear",
    "sum", "mean", "max", "reshape", "transpose", "broadcast_to", "draw_graph", "retain_grads",
    "backward_frames", "save_flipbook", "record", "Recording",
    "explain", "Explanation", "backward_steps",
    "GradcheckReport", "check_grad", "gradgradcheck", "value_and_grad", "jacobian", "hessian", "vjp", "jvp",
]


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def exp(x) -> Tensor: return _tensor(x).exp()
def log(x) -> Tensor: return _tensor(x).log()
def sigmoid(x) -> Tensor: return _tensor(x).sigmoid()
def relu(x) -> Tensor: return _tensor(x).relu()
def tanh(x) -> Tensor: return _tensor(x).tanh()
def abs(x) -> Tensor: return _tensor(x).abs()  # noqa: A001  (mirrors numpy/torch naming)
def matmul(a, b) -> Tensor: return _tensor(a) @ b
def sum(x, axis=None, keepdims=False) -> Tensor: return _tensor(x).sum(axis, keepdims)  # noqa: A001
def mean(x, axis=None, keepdims=False) -> Tensor: return _tensor(x).mean(axis, keepdims)
def max(x, axis=None, keepdims=False) -> Tensor: return _tensor(x).max(axis, keepdims)  # noqa: A001
def reshape(x, *shape) -> Tensor: return _tensor(x).reshape(*shape)
def transpose(x, *axes) -> Tensor: return _tensor(x).transpose(*axes)
def broadcast_to(x, shape) -> Tensor: return BroadcastTo.apply(_tensor(x), shape=tuple(shape))


def maximum(a, b) -> Tensor:
    """Elementwise maximum; at ties the gradient is shared equally."""
    a = _tensor(a)
    return Maximum.apply(a, a._lift(b))


def where(condition, a, b) -> Tensor:
    """`a` where `condition` holds, else `b` (condition: a boolean array, not differentiated)."""
    a = _tensor(a)
    return Where.apply(a, a._lift(b), condition=np.asarray(condition, dtype=bool))


def __getattr__(name):
    # gradcheck and drawing load on first use: `import autograd_mini` stays cheap
    if name in ("gradcheck", "gradgradcheck", "GradcheckReport"):
        from . import gradient_check as module
        return getattr(module, name)
    if name == "testing":  # Hypothesis strategies and assert_grad_close, for users' own test suites
        import importlib  # not `from . import testing`: that asks this __getattr__ for it again
        return importlib.import_module(".testing", __name__)
    if name == "check_grad":
        from .numpy_gradient_check import check_grad
        return check_grad
    if name in ("draw_graph", "retain_grads"):
        from .viz import graph as draw
        return getattr(draw, name)
    if name in ("backward_frames", "save_flipbook", "backward_steps"):
        from .viz import flipbook as draw_backward
        return getattr(draw_backward, name)
    raise AttributeError(f"module 'autograd_mini' has no attribute {name!r}")



