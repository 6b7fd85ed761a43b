"""What Keras users type works: plot_model(to_file=...), and the seeds' import paths."""
import pytest

import nn
from nn import Activation, Dense, Sequential


def _model():
    return Sequential([Dense(3, input_dim=1, name="hidden"), Activation("sigmoid"), Dense(1, name="out")])


def test_seed_import_paths():
    from nn.layers.core import Activation as CoreActivation, Dense as CoreDense   # seed 001
    from nn.models import Sequential as ModelsSequential                           # seeds 001-003
    from nn.utils import plot_model
    assert CoreDense is Dense and CoreActivation is Activation and ModelsSequential is Sequential
    assert plot_model is nn.plot_model
    import importlib
    assert importlib.import_module("nn.layers.core").Dense is Dense


def test_plot_model_to_file_svg_keras_arguments(tmp_path):
    target = tmp_path / "figs" / "model.svg"
    diagram = nn.plot_model(_model(), to_file=str(target), show_shapes=True, show_layer_names=True,
                            rankdir="LR", dpi=200)
    svg = target.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "hidden (Dense)" in svg and "(None, 3)" in svg
    assert "rankdir=LR" in diagram.source and "dpi" not in diagram.source   # vector: no dpi
    assert sorted(p.name for p in target.parent.iterdir()) == ["model.svg"]  # no DOT source left beside
    nn.plot_model(_model(), tmp_path / "plain.svg", show_layer_names=False)  # Keras's positional to_file
    assert "hidden (Dense)" not in (tmp_path / "plain.svg").read_text(encoding="utf-8")


def test_plot_model_to_file_dot_source_and_bad_extensions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    nn.plot_model(_model(), to_file="model.gv")
    assert (tmp_path / "model.gv").read_text().startswith("digraph")
    for bad, accepted in [("model", "use .svg, .png, .pdf"), ("model.txt", "extension names its format"),
                          ("neurons", "use detail='neurons'")]:
        with pytest.raises(ValueError, match=rf"plot_model\(to_file='{bad}'\).*{accepted}"):
            nn.plot_model(_model(), to_file=bad)
    assert not (tmp_path / "model.txt").exists()


def test_plot_model_to_file_png_and_pdf(tmp_path):
    """With or without the Graphviz program (Diagram.render makes PNG and PDF either way)."""
    from PIL import Image
    nn.plot_model(_model(), to_file=tmp_path / "small.png", dpi=50)
    nn.plot_model(_model(), to_file=tmp_path / "large.png", dpi=150)
    with Image.open(tmp_path / "small.png") as small, Image.open(tmp_path / "large.png") as large:
        assert small.format == large.format == "PNG"
        assert large.width == pytest.approx(3 * small.width, rel=0.1)       # dpi scales the raster
    nn.plot_model(_model(), to_file=tmp_path / "model.pdf")
    assert (tmp_path / "model.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["large.png", "model.pdf", "small.png"]
