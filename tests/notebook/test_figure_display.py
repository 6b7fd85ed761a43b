"""nn.plots figures carry their own picture for Jupyter and stay plain matplotlib Figures in scripts."""
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from nn import plots  # noqa: E402


def test_a_figure_is_a_figure_with_a_png_for_notebooks(tmp_path):
    fig = plots.plot_history({"loss": [1.0, 0.5, 0.25]})
    assert isinstance(fig, Figure) and repr(fig).endswith("with 1 Axes>")
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    plots.savefig(fig, tmp_path / "loss.svg")                 # scripts: save it, as before
    assert b"<svg" in (tmp_path / "loss.svg").read_bytes()[:500]

