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
    off_mark = None


_state = _ThreadMode()

# How many threads have recording off. Ops read it first (autograd_mini.function): while it is 0,
# every thread records and the thread-local read (~4x a plain global read) is skipped. A thread
# only counts while its own mode is off, and changes its own mode only, so reading 0 proves that
# the reading thread records.
_threads_off = [0]
_count_lock = threading.Lock()


class _OffMark:
    """Each thread's counter entry, made once and kept in its local state: `count()` while its
    recording is off counts it in _threads_off, `release()` counts it out when recording comes
    back on or the thread ends (its local state is dropped then, and this object with it).
    Kept rather than made anew at each switch: backward() switches twice per call."""

    def __init__(self) -> None:
        self.counted = False

    def count(self) -> None:
        if not self.counted:
            self.counted = True
            with _count_lock:
                _threads_off[0] += 1

    def release(self) -> None:
        if self.counted:
            self.counted = False
            with _count_lock:
                _threads_off[0] -= 1

    __del__ = release


def _set(mode: bool) -> None:
    """Set this thread's mode, keeping _threads_off in step (raised before, lowered after)."""
    state = _state
    if mode == state.enabled:
        return
    mark = state.off_mark
    if mark is None:
        mark = state.off_mark = _OffMark()
    if mode:
        state.enabled = True
        mark.release()
    else:
        mark.count()
        state.enabled = False


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
        _set(self.mode)

    def __exit__(self, *exc) -> bool:
        _set(self._previous.pop())
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


class _Switch(_GradMode):
    """A switch to one fixed mode, usable as `with sw():`, `@sw()` or bare `@sw`."""

    def __new__(cls, func: Callable | None = None):
        if func is not None:  # used bare, `@no_grad`: decorate at once
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func: Callable | None = None) -> None:
        super().__init__()


class no_grad(_Switch):
    """Context manager (and decorator: `@no_grad()` or `@no_grad`) under which no op records a graph."""
    mode = False


class enable_grad(_Switch):
    """Context manager (and decorator) that turns recording back on, e.g. inside a `no_grad()` block."""
    mode = True


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
        self._previous = []
        if type(mode) is not bool and not isinstance(mode, (bool, _numpy_bool())):
            raise TypeError(f"set_grad_enabled(mode): mode must be True or False, got {mode!r}")
        self.mode = bool(mode)
        self._before = _state.enabled
        _set(self.mode)

    def __enter__(self) -> None:
        self._previous.append(self._before)  # the mode before the call, set again on leaving

    def __call__(self, func: Callable) -> Callable:
        _set(self._before)  # as a decorator: change nothing until the function runs
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
        _set(bool(value))


sys.modules[__name__].__class__ = _Module
