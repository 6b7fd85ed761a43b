"""PNG and PDF with no Graphviz program on PATH: the WebAssembly SVG drawn by resvg."""
import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import autograd_mini as am
from autograd_mini.viz.render import Diagram, GraphvizNotInstalledError, svg_to

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def small_graph() -> Diagram:
    w = am.Tensor([0.5, -1.0], requires_grad=True, name="w")
    loss = (w * 2.0).sigmoid().sum()
    loss.backward()
    return am.draw_graph(loss)


def test_png_without_dot_is_a_real_picture_of_the_graph(no_dot):
    d = small_graph()
    png = d.pipe(format="png")
    assert png.startswith(PNG_SIGNATURE) and len(png) > 5_000
    image = Image.open(io.BytesIO(png)).convert("L")
    # dot's size at 96 dpi: the SVG's points times 4/3 (width="NNNpt" in the SVG)
    svg = d.pipe(format="svg").decode()
    width_pt = float(svg.split('width="', 1)[1].split("pt", 1)[0])
    assert abs(image.width - width_pt * 4 / 3) <= 2
    pixels = np.asarray(image)
    assert (pixels < 100).mean() > 0.005  # there is dark ink: text and lines, not a blank page
    assert (pixels > 240).mean() > 0.5    # on a white background


def test_pdf_without_dot_has_one_page_of_the_diagrams_size(no_dot, tmp_path):
    d = small_graph()
    out = d.render(tmp_path / "graph", format="pdf")
    assert out == os.fspath(tmp_path / "graph.pdf")
    pdf = Path(out).read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") and len(pdf) > 10_000
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") >= 1
    svg = d.pipe(format="svg").decode()
    width_pt = float(svg.split('width="', 1)[1].split("pt", 1)[0])
    media = pdf.split(b"/MediaBox", 1)[1].split(b"]", 1)[0].strip(b" [").split()
    assert abs(float(media[2]) - width_pt) < 1.5


def test_keras_style_plot_model_to_png_file_without_dot(no_dot, tmp_path):
    from nn import Dense, Sequential
    from nn.diagram import plot_model

    model = Sequential([Dense(3, input_dim=2, activation="relu"), Dense(1)])
    out = plot_model(model).render(outfile=tmp_path / "model.png")
    data = Path(out).read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 5_000


def test_jupyter_png_bundle_without_dot(no_dot):
    bundle = small_graph()._repr_mimebundle_(include=["image/png"])
    assert bundle["image/png"].startswith(PNG_SIGNATURE)


def test_svg_to_refuses_other_formats_by_name():
    with pytest.raises(ValueError, match="format must be 'png' or 'pdf', got 'gif'"):
        svg_to(b"<svg/>", "gif")


def test_missing_resvg_says_what_to_install(no_dot, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "resvg_py":
            raise ImportError("no resvg here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(GraphvizNotInstalledError, match="pip install resvg-py"):
        small_graph().pipe(format="png")


@pytest.mark.parametrize("dpi", [None, "192"])
def test_png_without_dot_has_the_size_dot_gives_it(dpi, monkeypatch, tmp_path):
    from autograd_mini.viz.render import has_dot_program

    if not has_dot_program():
        pytest.skip("compares with the Graphviz program's PNG; `dot` is not installed")
    d = Diagram()
    d.edge("x * w", "relu")
    if dpi:
        d.attr(dpi=dpi)  # Graphviz scales the SVG by dpi/72; dot's PNG then has a pixel per point
    real = Image.open(io.BytesIO(d.pipe(format="png"))).size
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    ours = Image.open(io.BytesIO(d.pipe(format="png"))).size
    # the heights agree to the pixel; widths follow each renderer's text metrics (a few %)
    assert abs(ours[1] - real[1]) <= 3 and ours[0] == pytest.approx(real[0], rel=0.1), (ours, real)
    svg = d.pipe(format="svg").decode()
    height_pt = float(svg.split('height="', 1)[1].split("pt", 1)[0])
    assert abs(ours[1] - height_pt * (1 if dpi else 4 / 3)) <= 1
