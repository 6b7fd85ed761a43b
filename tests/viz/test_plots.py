"""nn.plots: every helper draws headless and writes a non-empty image; a clear error without matplotlib."""
import sys

import numpy as np
import pytest

from nn import plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 2000, path
    return data


@pytest.fixture(scope="module")
def mpl():
    return pytest.importorskip("matplotlib")


def test_plot_history_losses_and_metrics(mpl, tmp_path):
    history = {"loss": np.linspace(1, 0.1, 20), "accuracy": np.linspace(0.3, 1, 20),
               "val_loss": np.linspace(1.1, 0.2, 20), "val_accuracy": np.linspace(0.2, 0.9, 20)}
    fig = plots.plot_history(history, logy=True, title="run", path=tmp_path / "h.png")
    _png(tmp_path / "h.png")
    assert len(fig.axes) == 2                               # losses left, metrics right
    assert {l.get_label() for l in fig.axes[0].lines} == {"loss (last 0.1)", "val_loss (last 0.2)"}

    class History:  # anything with a .history dict, as fit returns
        history = {"loss": [3.0, 2.0, 1.0]}
    fig = plots.plot_history(History(), path=tmp_path / "h1.png")
    assert len(fig.axes) == 1
    with pytest.raises(KeyError, match="accuracy"):
        plots.plot_history(History(), keys=["accuracy"])


def test_plot_series_and_fit(mpl, tmp_path):
    plots.plot_series({"batch 2": np.random.rand(50), "batch 64": np.linspace(1, 0, 50)},
                      logy=True, path=tmp_path / "s.png")
    _png(tmp_path / "s.png")
    x = np.linspace(0, 3, 30)
    plots.plot_fit(x, np.maximum(0, 2 * (x - 1)), {"relu": lambda v: np.maximum(0, 2 * (v - 1)),
                                                     "line": lambda v: v},
                   path=tmp_path / "f.png")
    _png(tmp_path / "f.png")


class _Model:
    """Stands in for an nn model: predict takes an (n, k) array and returns (n, 1)."""

    def __init__(self, fn):
        self.fn = fn
        self.calls = []

    def predict(self, x, verbose=0):
        self.calls.append(np.shape(x))
        return self.fn(np.asarray(x)).reshape(-1, 1)


def test_plot_probability_curve(mpl, tmp_path):
    rng = np.random.default_rng(0)
    x = np.round(rng.uniform(0.1, 2.5, 150), 1)
    labels = x > 1.6
    model = _Model(lambda v: 1 / (1 + np.exp(-(3 * v[:, 0] - 5))))
    fig = plots.plot_probability_curve(
        x, labels, {"learned": model, "hand-picked": lambda v: 1 / (1 + np.exp(-(3 * v - 5)))},
        class_names=("not virginica", "virginica"), xlabel="petal width", path=tmp_path / "p.png")
    _png(tmp_path / "p.png")
    assert model.calls and model.calls[0][1] == 1            # a model gets a column of inputs
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert {"not virginica", "virginica", "learned", "hand-picked", "threshold 0.5"} <= set(legend)


def test_landscape_with_trajectory(mpl, tmp_path):
    X, Y, Z = plots.grid_eval(lambda w, b: (w - 3) ** 2 + (b + 5) ** 2 + 0.1, n=41)
    assert X.shape == Y.shape == Z.shape == (41, 41)
    assert np.isclose(Z.min(), 0.1, atol=0.2)
    _, _, Z2 = plots.grid_eval(lambda w, b: w * b, (-1, 1), (-1, 1), n=5, vectorized=False)
    assert Z2.shape == (5, 5)
    path = np.column_stack([np.linspace(-9, 3, 10), np.linspace(-9, -5, 10)])
    plots.plot_landscape(X, Y, Z, trajectory=path, log=True, path=tmp_path / "l.png")
    _png(tmp_path / "l.png")
    fig, axes = plots.subplots_grid(2, ncols=2, panel_size=(4, 3))
    plots.plot_landscape(X, Y, (Z < 20).astype(float), cmap="RdBu_r", zlabel="accuracy", ax=axes[0])
    plots.plot_landscape(X, Y, Z, ax=axes[1], contours=None)
    plots.savefig(fig, tmp_path / "sub" / "both.svg")
    assert (tmp_path / "sub" / "both.svg").read_text().lstrip().startswith("<?xml")


def test_decision_surface(mpl, tmp_path):
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([0, 1, 1, 0])
    xor = _Model(lambda v: np.abs(v[:, 0] - v[:, 1]))
    plots.plot_decision_surface(xor, x, y, resolution=50, annotate=True, path=tmp_path / "d.png")
    _png(tmp_path / "d.png")
    assert xor.calls[0] == (2500, 2)
    plots.plot_decision_surface(lambda g: g[:, 0] * 0 + 0.3, x, path=tmp_path / "d2.png")  # no boundary
    _png(tmp_path / "d2.png")


def test_frames_strip_and_gif(mpl, tmp_path):
    x = np.linspace(0, 3, 20)
    frames = []
    fig, axes = plots.subplots_grid(5, ncols=3)
    assert len(axes) == 5 and len(fig.axes) == 6 and not fig.axes[5].get_visible()
    for i, ax in enumerate(axes):
        plots.plot_fit(x, x, lambda v, i=i: v * i / 4, ax=ax, title=f"step {i}")
        frames.append(plots.plot_fit(x, x, lambda v, i=i: v * i / 4))
    plots.savefig(fig, tmp_path / "strip.png")
    _png(tmp_path / "strip.png")
    assert plots.figure_to_array(frames[0]).shape[-1] == 4
    plots.save_gif(frames, tmp_path / "a.gif", fps=10)
    assert (tmp_path / "a.gif").read_bytes()[:6] in (b"GIF87a", b"GIF89a")
    with pytest.raises(ValueError):
        plots.save_gif([], tmp_path / "none.gif")

    fig = plots.plot_fit(x, x, lambda v: v * 0, xs=x)
    line = fig.axes[0].lines[0]
    plots.animate(fig, lambda i: line.set_ydata(x * i / 3), 4, tmp_path / "b.gif", hold_last=0)
    from PIL import Image
    with Image.open(tmp_path / "b.gif") as gif:
        assert gif.n_frames == 4


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    # None in sys.modules makes `import matplotlib` raise ImportError, as if not installed.
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "autograd_mini\[plot\]"'):
        plots.plot_history({"loss": [1.0, 0.5]})
    with pytest.raises(ImportError, match="matplotlib"):
        plots.save_gif([np.zeros((2, 2, 4), np.uint8)], "x.gif")


def test_plot_parity(mpl, tmp_path):
    y = np.linspace(0, 80, 100)
    fig = plots.plot_parity(y, {"deep": y + 1, "linear": 0.8 * y + 5}, path=tmp_path / "par.png")
    _png(tmp_path / "par.png")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0].startswith("deep: RMSE 1, R² 0.998")
