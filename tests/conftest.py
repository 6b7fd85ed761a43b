"""Helpers shared by several test files: import them with `from conftest import ...`.

The diagram tests (test_draw, test_render, test_plot_model): SVG output read back as XML,
and running with or without the Graphviz program `dot`::

    from conftest import needs_dot, svg_texts

    @needs_dot
    def test_png(): ...                  # skipped where `dot` is not installed

    def test_svg(no_dot):                # the fixture: `dot` hidden for this test
        assert svg_texts(diagram.pipe(format="svg")) == ["x"]

The op tests (test_ops_gradcheck, test_second_order): ``BINARY_OPS``, every binary op by name.
"""
import shutil
import xml.etree.ElementTree as ET

import pytest

import autograd_mini as am
from autograd_mini.viz.render import has_dot_program

SVG_NS = "{http://www.w3.org/2000/svg}"

# Decided at import, before any test fiddles with PATH.
DOT_INSTALLED = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(
    not DOT_INSTALLED,
    reason="the Graphviz program `dot` is not installed (apt-get install -y graphviz; CI does)",
)


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """Hide any Graphviz program: PATH is an empty directory."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert not has_dot_program()


def svg_texts(svg: bytes) -> list:
    """Parse as XML (a real SVG, not just text) and return its <text> contents."""
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg"
    return [t.text for t in root.iter(SVG_NS + "text")]


BINARY_OPS = {  # name -> f(a, b) on Tensors; with broadcasting
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a ** b,
    "maximum": lambda a, b: am.maximum(a, b),
}
