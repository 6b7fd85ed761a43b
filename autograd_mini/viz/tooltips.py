"""Hover text for diagram nodes: the full values and gradient, shape, dtype and the op's rule.

Written into the DOT source as Graphviz ``tooltip`` attributes, so any browser shows them on
an SVG (as the native tooltip) and the interactive HTML view (:mod:`autograd_mini.viz.html`)
shows them in its own panel. Labels keep the short summary; the tooltip has the numbers.

>>> import numpy as np
>>> import autograd_mini as am
>>> t = am.Tensor(np.arange(8.0), name="x")
>>> print(value_tooltip(t, "x", grad=None))
x
shape 8 · float64
value [0, 1, 2, 3, 4, 5, 6, 7]
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .labels import dot_string, options_text, shape_text

__all__ = ["full_values", "value_tooltip", "op_tooltip", "MAX_TOOLTIP_ELEMENTS"]

#: Arrays up to this many elements are written out in full; bigger ones show their corners
#: (numpy's "..." summary). Every node carries its tooltip, so this bounds the file size.
MAX_TOOLTIP_ELEMENTS = 256


def full_values(a, max_elements: int = MAX_TOOLTIP_ELEMENTS) -> str:
    """`a` as text, every element when there are at most `max_elements` (6 significant digits),
    else its first and last three, flattened.

    >>> full_values(np.array([[0.5, -1.0], [2.0, 1e-9]]))
    '[[0.5, -1], [2, 1e-09]]'
    >>> full_values(np.arange(1000.0))
    '[0, 1, 2, ..., 997, 998, 999]'
    """
    a = np.asarray(a)
    if a.size <= max_elements:
        return _nested(a.tolist())
    flat = a.reshape(-1)  # numpy's array2string would do this too, 20x slower per node
    head = ", ".join(_number(x) for x in flat[:3].tolist())
    tail = ", ".join(_number(x) for x in flat[-3:].tolist())
    return f"[{head}, ..., {tail}]"


def _number(x) -> str:
    text = f"{x:.6g}"
    return "0" if text == "-0" else text


def _nested(value) -> str:
    """Nested lists of numbers (``ndarray.tolist()``; depth = the array's ndim) as text."""
    if isinstance(value, list):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    return _number(value)


def value_tooltip(t, title: Optional[str], grad, show_values: bool = True) -> str:
    """A value's hover text: its name, shape and dtype, values (unless not `show_values`),
    and its gradient if one is given."""
    data = t.data
    lines = []
    if title:
        lines.append(title)
    lines.append(f"shape {shape_text(data.shape)} · {data.dtype}")
    if show_values:
        lines.append(f"value {full_values(data)}")
    if grad is not None:
        lines.append(f"grad {full_values(grad)}")
    return "\n".join(lines)


def op_tooltip(ctx, out) -> str:
    """An op's hover text: its name and options, its local derivative rule, its output."""
    options = options_text(ctx)
    lines = [ctx.op_name + (f" {options}" if options else "")]
    rule = getattr(type(ctx), "rule", None)  # the op's derivative as text, where it has one
    lines.append(f"rule {rule}" if rule else f"rule: {type(ctx).__name__}.backward")
    lines.append(f"output shape {shape_text(out.data.shape)} · {out.data.dtype}")
    return "\n".join(lines)


def tooltip_attr(text: str) -> str:
    """`` tooltip="..."`` for a DOT node line."""
    return f" tooltip={dot_string(text)}"
