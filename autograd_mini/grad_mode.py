"""Whether operations record a graph -- a switch of each thread, as in PyTorch.

`no_grad()` switches recording off, `enable_grad()` back on, `set_grad_enabled(mode)` to
`mode`; all three restore the previous mode when their block ends (however it ends), nest,
and work as decorators. The mode belongs to the thread that set it: a `no_grad()` block or
a running `backward()` in one thread never changes what another thread records, and a new
thread starts with recording on.

>>> import autograd_mini as am
>>> w = am.Tensor(2.0, requires_grad=True)
>>> with am.no_grad():
...     y = w * 3
>>> y.requires_grad
False
>>> @am.no_grad()
... def frozen(t):
...     return t * 3
>>> frozen(w).requires_grad, (w * 3).requires_grad
(False, True)
"""
from __future__ import annotations

import functools
import sys
import threading
import types
from typing import Callable


class _ThreadMode(threading.local):
    """One `enabled` flag per thread; the class attribute is every new thread's starting value."""
    enabled = True


# Read on every op (autograd_mini.function): one thread-local attribute, no function call.
_state = _ThreadMode()


def is_grad_enabled() -> bool:
    """Does this thread record graphs now?"""
    return _state.enabled


class _GradMode:
    """Sets the mode on entering, restores the one before on leaving; a decorator too."""
    mode = True

    def __init__(self) -> None:
        self._previous: list[bool] = []  # a stack: the same object may be entered again inside itself

    def __enter__(self) -> None:
        self._previous.append(_state.enabled)
        _state.enabled = self.mode

    def __exit__(self, *exc) -> bool:
        _state.enabled = self._previous.pop()
        return False

    def __call__(self, func: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(func)
        def in_mode(*args, **kwargs):
            with _Fixed(mode):  # a fresh context per call: safe from several threads and recursion
                return func(*args, **kwargs)
        return in_mode


class _Fixed(_GradMode):
    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = mode


class no_grad(_GradMode):
    """Context manager (and decorator: `@no_grad()` or `@no_grad`) under which no op records a graph."""
    mode = False

    def __new__(cls, func: Callable | None = None):
        if func is not None:  # used bare, `@no_grad`: decorate at once
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func: Callable | None = None) -> None:
        super().__init__()


class enable_grad(_GradMode):
    """Context manager (and decorator) that turns recording back on, e.g. inside a `no_grad()` block."""
    mode = True

    def __new__(cls, func: Callable | None = None):
        if func is not None:
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func: Callable | None = None) -> None:
        super().__init__()


class set_grad_enabled(_GradMode):
    """Set this thread's mode to `mode` at once (as torch.set_grad_enabled); used with `with`,
    or as a decorator, the previous mode comes back at the end of the block or call.

    >>> import autograd_mini as am
    >>> with am.set_grad_enabled(False):
    ...     am.is_grad_enabled()
    False
    >>> am.is_grad_enabled()
    True
    """

    def __init__(self, mode: bool) -> None:
        super().__init__()
        if not isinstance(mode, (bool, _numpy_bool())):
            raise TypeError(f"set_grad_enabled(mode): mode must be True or False, got {mode!r}")
        self.mode = bool(mode)
        self._before = _state.enabled
        _state.enabled = self.mode

    def __enter__(self) -> None:
        self._previous.append(self._before)  # the mode before the call, set again on leaving

    def __call__(self, func: Callable) -> Callable:
        _state.enabled = self._before  # as a decorator: change nothing until the function runs
        return super().__call__(func)


def _numpy_bool() -> type:
    import numpy as np
    return np.bool_


class _Module(types.ModuleType):
    """`grad_mode.enabled` reads and writes the calling thread's mode (the name older code uses)."""

    @property
    def enabled(self) -> bool:
        return _state.enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        _state.enabled = bool(value)


sys.modules[__name__].__class__ = _Module
