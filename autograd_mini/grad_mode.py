"""Whether operations record a graph. `no_grad()` switches recording off.

>>> import autograd_mini as am
>>> w = am.Tensor(2.0, requires_grad=True)
>>> with am.no_grad():
...     y = w * 3
>>> y.requires_grad
False
"""
from __future__ import annotations

import contextlib
from typing import Iterator

# A module attribute read on every op: the cheapest switch Python offers.
enabled = True


def is_grad_enabled() -> bool:
    return enabled


@contextlib.contextmanager
def set_grad_enabled(mode: bool) -> Iterator[None]:
    global enabled
    previous, enabled = enabled, bool(mode)
    try:
        yield
    finally:
        enabled = previous


def no_grad():
    """Context manager (and decorator) under which no op records a graph."""
    return set_grad_enabled(False)


def enable_grad():
    """Context manager that turns recording back on inside a `no_grad()` block."""
    return set_grad_enabled(True)
