"""Diagrams people can explore: one self-contained HTML file (no network; the script and
styles are inlined) with pan and zoom, hover details, collapsible layer boxes, search and a
legend. The same viewer pages through a flipbook and shows inline in Jupyter.

>>> import autograd_mini as am
>>> w = am.Tensor([0.5, -1.0], requires_grad=True, name="w")
>>> page = html_page([am.draw_graph((w * 2.0).sum()).pipe(format="svg")], title="w * 2")
>>> "<svg" in page and 'id="search"' in page and "http" not in page.split("<svg", 1)[0]
True

Use it as ``diagram.save_html("graph.html")`` (then open the file in a browser) or
``diagram.interactive()`` in a notebook; the controls:

* drag to pan, the mouse wheel (or the + / − buttons) to zoom, "fit" to see it all;
* hover a node: its full values and gradient, shape, dtype, and for ops the local rule;
* click a layer's box to collapse it (what is inside is hidden), click again to expand;
* type in the search box and press Enter: matching nodes are outlined, Enter again goes to
  the next one;
* flipbooks: ← and → (or the buttons) page through the frames.
"""
from __future__ import annotations

import html
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Optional, Sequence, Union

from .legend import legend_colors

__all__ = ["html_page", "save_html", "InteractiveView"]

_PROLOG = re.compile(rb"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def inline_svg(svg: bytes) -> str:
    """SVG bytes made fit to sit inside HTML: no XML prolog or DOCTYPE."""
    return _PROLOG.sub(b"", svg, count=1).decode("utf-8")


def legend_html(entries: Optional[tuple]) -> str:
    """The side panel: a swatch per node kind and a line per edge style, and how to use it."""
    parts = ["<h2>legend</h2>"]
    nodes, edges = entries or ((), ())
    for meaning, style in nodes:
        fill, stroke = legend_colors(style)
        dashed = "dashed" if "dashed" in style else "solid"
        parts.append(f'<div class="key"><span class="swatch" style="background:{fill};'
                     f'border-color:{stroke};border-style:{dashed}"></span>{html.escape(meaning)}</div>')
    for meaning, style in edges:
        _, stroke = legend_colors(style)
        dashed = "dashed" if "dashed" in style else "solid"
        parts.append(f'<div class="key"><span class="line" style="border-top-color:{stroke};'
                     f'border-top-style:{dashed}"></span>{html.escape(meaning)}</div>')
    parts.append("<p>Drag to pan, wheel to zoom. Hover a node for its full values and "
                 "gradient. Click a box to collapse or expand it. Search: type, then Enter.</p>")
    return "\n".join(parts)


def html_page(svgs: Sequence[bytes], *, title: str = "diagram",
              legend: Optional[tuple] = None, pager: Optional[bool] = None) -> str:
    """The viewer page for one SVG, or a flipbook of several (paged with ← and →).

    legend: (node entries, edge entries), each (meaning, DOT style); None: no legend panel.
    pager: show the frames one at a time with a pager (default: when there are several).
    """
    if not svgs:
        raise ValueError("html_page needs at least one SVG")
    flip = len(svgs) > 1 if pager is None else pager
    if flip:  # the frames as JSON; "</" escaped so no frame can end the script element
        data = json.dumps([inline_svg(s) for s in svgs]).replace("</", "<\\/")
        stage, extra = "", f'<script type="application/json" id="frames">{data}</script>'
        pager = ('<button id="prev" title="previous (←)">← back</button><span id="pos"></span>'
                 '<button id="next" title="next (→)">next →</button>')
    else:
        stage, extra, pager = inline_svg(svgs[0]), "", ""
    side = f'<aside id="legend">{legend_html(legend)}</aside>' if legend is not None else ""
    return (f'<!doctype html>\n<html><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_asset('viewer.css')}</style></head>\n"
            f'<body><div id="bar"><h1>{html.escape(title)}</h1>{pager}'
            '<button id="zoom-out" title="zoom out">−</button><button id="zoom-in" title="zoom in">+</button>'
            '<button id="fit" title="fit to the window">fit</button>'
            '<input id="search" type="search" placeholder="search nodes (Enter)" autocomplete="off">'
            '<span id="search-count"></span></div>\n'
            f'<div id="main"><div id="view"><div id="stage">{stage}</div></div>{side}</div>\n'
            f'<div id="tip" hidden></div>{extra}\n<script>{_asset("viewer.js")}</script></body></html>\n')


def save_html(diagrams, path: Union[str, os.PathLike], title: Optional[str] = None) -> str:
    """Write the viewer for a Diagram (or a list of them: a flipbook) to `path`; return it.

    >>> import os, tempfile
    >>> import autograd_mini as am
    >>> path = save_html(am.draw_graph(am.Tensor([1.0, 2.0]) * 2.0), os.path.join(tempfile.mkdtemp(), "g.html"))
    >>> open(path, encoding="utf-8").read().count("<svg")
    1
    """
    diagrams = list(diagrams) if isinstance(diagrams, (list, tuple)) else [diagrams]
    page = html_page([d.pipe(format="svg") for d in diagrams], title=title or _title(diagrams[0]),
                     legend=getattr(diagrams[0], "legend_entries", None))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return os.fspath(path)


def _title(diagram) -> str:
    return str(diagram.name or "diagram").replace("_", " ")


class InteractiveView:
    """The viewer shown inline by Jupyter (``diagram.interactive()``): the page in an
    ``<iframe srcdoc>``, so several views on one notebook page keep their own scripts.

    >>> import autograd_mini as am
    >>> InteractiveView(am.draw_graph(am.Tensor([1.0]) * 2.0))._repr_html_()[:15]
    '<iframe srcdoc='
    """

    def __init__(self, diagrams, title: Optional[str] = None, height: int = 520):
        diagrams = list(diagrams) if isinstance(diagrams, (list, tuple)) else [diagrams]
        self.page = html_page([d.pipe(format="svg") for d in diagrams],
                              title=title or _title(diagrams[0]),
                              legend=getattr(diagrams[0], "legend_entries", None))
        self.height = height

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.page, quote=True)}" style="width:100%;'
                f'height:{self.height}px;border:1px solid #d5d8dc" sandbox="allow-scripts"></iframe>')
