"""How Tensors and gradcheck reports look in Jupyter: the HTML behind their `_repr_html_`.

A notebook shows the richest form an object offers; these are small self-contained HTML
snippets (inline styles only, so they look the same in Jupyter, in an exported page and on
GitHub). The plain-text forms stay the reprs.

>>> from autograd_mini import Tensor
>>> x = Tensor([1.0, 2.0], requires_grad=True, name="x")
>>> (x * x).sum().backward()
>>> html = tensor_html(x)
>>> "shape (2,)" in html and "requires_grad" in html and "grad" in html
True
"""
from __future__ import annotations

import html

import numpy as np

_BOX = "font-family:monospace;font-size:12px;line-height:1.35"
_PRE = "margin:2px 0 4px 0;padding:0;background:none"
_MAX_ELEMENTS = 60  # larger arrays are summarised by numpy ("...")


def _values(array: np.ndarray) -> str:
    text = np.array2string(np.asarray(array), separator=", ", threshold=_MAX_ELEMENTS, precision=4,
                           suppress_small=True)
    return f'<pre style="{_PRE}">{html.escape(text)}</pre>'


def tensor_html(tensor) -> str:
    """One Tensor as HTML: a header line (shape, dtype, name, requires_grad, the op that made it),
    its values, and its `.grad` when one is set."""
    facts = [f"shape {tensor.shape}", str(tensor.dtype)]
    if tensor.name:
        facts.append(f"name={tensor.name!r}")
    if tensor._ctx is not None:
        facts.append(f"grad_fn={tensor._ctx.op_name}")
    elif tensor.requires_grad:
        facts.append("requires_grad")
    else:
        facts.append("constant")
    parts = [f'<div style="{_BOX}"><b>Tensor</b> <span style="color:#566573">'
             f'{html.escape(" · ".join(facts))}</span>', _values(tensor.data)]
    grad = tensor.grad
    if grad is not None:
        grad_data = getattr(grad, "data", grad)
        parts += ['<span style="color:#B03A2E">grad</span>', _values(grad_data)]
    return "".join(parts) + "</div>"


_CELL = "padding:2px 8px;text-align:right;border-bottom:1px solid #ddd"


def report_html(report) -> str:
    """A GradcheckReport as an HTML table: one row per input, mismatches in red."""
    color = "#1E8449" if report.ok else "#B03A2E"
    head, table = report.table()
    rows = []
    for c, cells in zip(report.inputs, table):
        style = "" if c.ok else ' style="color:#B03A2E;font-weight:bold"'
        rows.append(f"<tr{style}>" + "".join(f'<td style="{_CELL}">{html.escape(x)}</td>' for x in cells)
                    + "</tr>")
    header = "".join(f'<th style="{_CELL}">{h}</th>' for h in head)
    culprit = (f'<div style="color:#B03A2E">{html.escape(report.culprit)}</div>' if report.culprit else "")
    second = report_html(report.second_order) if report.second_order is not None else ""
    return (f'<div style="{_BOX}"><b style="color:{color}">{html.escape(report.headline)}</b> '
            f'<span style="color:#566573">({html.escape(report.settings)})</span>'
            f'<table style="border-collapse:collapse;margin:4px 0"><tr>{header}</tr>{"".join(rows)}</table>'
            f'<div style="color:#566573">{html.escape(report.legend)}</div>{culprit}{second}</div>')
