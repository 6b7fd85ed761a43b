"""The key to a diagram's colours and edge styles: drawn into the graph (``legend=True``) and
shown by the interactive HTML view, from one list of entries.

>>> import autograd_mini as am
>>> w = am.Tensor([0.5, -1.0], requires_grad=True, name="w")
>>> dot = am.draw_graph((w * 2.0).sum(), legend=True)
>>> "cluster_legend" in dot.source and "parameter (requires grad)" in dot.source
True
>>> legend_colors('shape=box fillcolor="#d5f5e3" color="#1e8449"')
('#d5f5e3', '#1e8449')
"""
from __future__ import annotations

import re
from typing import Sequence

from .labels import dot_string

__all__ = ["GRAPH_NODE_KEYS", "GRAPH_EDGE_KEYS", "legend_colors", "legend_lines", "LegendEntry"]

#: (what it means, DOT node attributes) -- see :data:`GRAPH_NODE_KEYS`
LegendEntry = tuple

# What draw_graph's node kinds mean; the styles are view.py's (filled in by view.py).
GRAPH_NODE_KEYS = [
    ("param", "parameter (requires grad)"),
    ("input", "input (no grad)"),
    ("const", "constant"),
    ("op", "op (hover: its rule)"),
    ("value", "value an op made"),
    ("output", "output"),
    ("summary", "folded / not drawn"),
]
# (meaning, DOT edge attributes)
GRAPH_EDGE_KEYS = [
    ("forward: input to op", 'color="#566573"'),
    ("gradient flow (backward)", 'style=dashed color="#c0392b" dir=back'),
    ("zero gradient: flow blocked", 'style=dotted color="#7f8c8d" dir=back arrowtail=tee penwidth=1.5'),
]

_FILL = re.compile(r'fillcolor="([^"]+)"')
_STROKE = re.compile(r'(?<![a-z])color="([^"]+)"')


def legend_colors(style: str) -> tuple:
    """(fill, outline) colours of a DOT attribute string (white and grey where unset)."""
    fill, stroke = _FILL.search(style), _STROKE.search(style)
    return (fill[1] if fill else "#ffffff", stroke[1] if stroke else "#566573")


def legend_lines(nodes: Sequence[LegendEntry], edges: Sequence[LegendEntry]) -> list:
    """DOT lines of a boxed legend: one sample node per (meaning, node style), one sample
    edge per (meaning, edge style), all in one rank -- a column in a left-to-right graph, a
    row in a top-to-bottom one -- so the legend runs along one side of the picture."""
    lines = ['\tsubgraph cluster_legend {\n\t\tlabel="legend" style="rounded" color="#aab7b8" '
             'fontcolor="#566573" fontsize=10 tooltip="legend"\n']
    for k, (meaning, style) in enumerate(nodes):
        lines.append(f"\t\tlegend_n{k} [label={dot_string(meaning)} {style} fontsize=9 "
                     f"tooltip={dot_string(meaning)}]\n")
    for k, (meaning, style) in enumerate(edges):
        a, b = f"legend_e{k}a", f"legend_e{k}b"
        lines.append(f'\t\t{a} [label="" shape=point width=0.05 color="#aab7b8"]\n'
                     f"\t\t{b} [label={dot_string(meaning)} shape=plaintext fontsize=9]\n"
                     f"\t\t{a} -> {b} [{style} tooltip={dot_string(meaning)}]\n")
    chain = [f"legend_n{k}" for k in range(len(nodes))] + [
        f"legend_e{k}a" for k in range(len(edges))]
    lines.append("\t\t{rank=same; " + " ".join(chain) + "}\n")
    lines.append("\t}\n")
    return lines
