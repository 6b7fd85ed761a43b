"""Text for the graph diagrams: numbers, shapes, op options, value labels, and DOT escaping.

>>> import numpy as np
>>> from autograd_mini.viz.labels import format_array, shape_text, dot_string
>>> format_array(np.array([0.5, -1.0, 2.0])), shape_text((2, 3)), dot_string("x * w")
(['[0.5, -1, 2]'], '2×3', '"x * w"')

Labels are plain text and records, not HTML-like labels: the pip-only WebAssembly Graphviz
(autograd_mini.viz.render) is built without the XML parser HTML labels need, and the picture
must be the same with and without the Graphviz program.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..tensor import Tensor

FONT = "Helvetica"        # one font and size for every label (view.py uses the same)
GRAD_COLOR = "#c0392b"


def format_array(a: np.ndarray, max_elements: int = 6, precision: Optional[int] = None) -> list[str]:
    """The numbers of `a` as text lines: all of them if there are at most `max_elements`,
    else summary statistics (mean, std, range; and how many are nan/inf); `precision`: significant
    digits (see :func:`number_text`).

    >>> format_array(np.array([0.5, -1.0, 2.0]))
    ['[0.5, -1, 2]']
    >>> format_array(np.arange(100.0))
    ['mean 49.5 · std 28.87', 'range [0, 99]']
    """
    a = np.asarray(a)
    if a.size <= max_elements:
        return [nested_text(a.tolist(), precision)]
    flat = a.reshape(-1)
    finite = np.isfinite(flat)
    lines = []
    if not finite.all():
        n_nan = int(np.isnan(flat).sum())
        n_inf = flat.size - n_nan - int(finite.sum())
        bad = [f"{n} {what}" for n, what in ((n_nan, "nan"), (n_inf, "inf")) if n]
        lines.append(" · ".join(bad) + " !")
        flat = flat[finite]
        if flat.size == 0:
            return lines
    flat = flat.astype(np.float64, copy=False)
    lines.insert(0, f"mean {number_text(flat.mean(), precision)} · std {number_text(flat.std(), precision)}")
    lines.insert(1, f"range [{number_text(flat.min(), precision)}, {number_text(flat.max(), precision)}]")
    return lines


def value_label(t: Tensor, kind: str, title: Optional[str], grad, opts: tuple,
                head: Optional[str] = None) -> str:
    """A value's node label, a record: head | title | shape · dtype | the numbers | the gradient.

    kind: "const" (a Python number lifted into the graph: just the number), "output", or any
    other node kind; opts: (show_values, show_grads, max_elements, pending, vertical_graph[, precision])."""
    show_values, show_grads, max_elements, pending, vertical_graph = opts[:5]
    precision = opts[5] if len(opts) > 5 else None
    data = t.data
    if kind == "const":
        return dot_string(nested_text(data.tolist(), precision))
    fields = [head] if head else []
    if title:
        fields.append(title)
    elif kind == "output" and not head:
        fields.append("output")
    fields.append(f"{shape_text(data.shape)} · {data.dtype}")
    if show_values:
        fields.append("\n".join(format_array(data, max_elements, precision)))
    if show_grads:
        if grad is not None:
            fields.append("grad " + "\n".join(format_array(np.asarray(grad), max_elements, precision)))
        elif pending and t.requires_grad:
            fields.append("grad ·")
    record = "|".join(record_field(f) for f in fields)
    # records stack their fields across the rank direction: top to bottom in an LR graph
    return f'"{{{record}}}"' if vertical_graph else f'"{record}"'


def edge_label(text: str, emphasis: bool = False, color: str = GRAD_COLOR) -> str:
    """DOT attributes writing `text` on a gradient edge: a real label (laid out, so it never
    sits on a box), in the diagram's font and size, in the gradient's colour.

    >>> edge_label("0.25")
    ' label="0.25" fontname="Helvetica" fontsize=10 fontcolor="#c0392b"'
    """
    weight = ' penwidth=2' if emphasis else ''
    return f' label={dot_string(text)} fontname="{FONT}" fontsize=10 fontcolor="{color}"{weight}'


def options_text(ctx) -> str:
    """The op's keyword options worth showing: `axis=1`, `keepdims`, `shape=(2, 3)`."""
    options = getattr(ctx, "_options", None)
    if not options:
        return ""
    parts = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(key)
            continue
        if isinstance(value, np.ndarray):
            text = f"array{shape_text(value.shape)}" if value.size > 4 else str(value.tolist())
        else:
            text = repr(value)
        if len(text) > 24:
            text = text[:21] + "…"
        parts.append(f"{key}={text}")
    return " ".join(parts)


def shape_text(shape: tuple) -> str:
    """``2×3``; ``scalar`` for a 0-d shape."""
    if not shape:
        return "scalar"
    return "×".join(str(n) for n in shape)


def number_text(x, precision: Optional[int] = None) -> str:
    """`x` with `precision` significant digits; by default 4, but every digit before the point
    and two after it for numbers from 1000 up to a billion (a price of −79996.21 stays that,
    not ``-8e+04``). Never ``-0``.

    >>> number_text(0.598687), number_text(-79996.2104), number_text(1234.5678, precision=3)
    ('0.5987', '-79996.21', '1.23e+03')
    """
    if precision is None:
        magnitude = abs(float(x))
        digits = len(str(int(magnitude))) if 1000 <= magnitude < 1e9 else 0
        precision = max(4, digits + 2)
    elif not isinstance(precision, int) or isinstance(precision, bool) or precision < 1:
        raise ValueError(f"precision must be a whole number of significant digits >= 1 (or None "
                         f"for the default), got {precision!r}")
    text = f"{x:.{precision}g}"
    return "0" if text == "-0" else text


def nested_text(value, precision: Optional[int] = None) -> str:
    """A number, or nested lists of them (``ndarray.tolist()``), with :func:`number_text`."""
    if isinstance(value, list):
        return "[" + ", ".join(nested_text(v, precision) for v in value) + "]"
    return number_text(value, precision)


def dot_string(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, newlines as \\n (centred lines)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_RECORD_SPECIAL = str.maketrans({c: "\\" + c for c in '{}|<>"\\'})


def record_field(text: str) -> str:
    """One record field: the record syntax characters escaped, newlines as \\n."""
    return text.translate(_RECORD_SPECIAL).replace("\n", "\\n")
