"""nn.callbacks.LivePlot: curves redrawn in place in a notebook (a real kernel), a file in a script."""
import base64
import sys

import numpy as np
import pytest

from nn import Activation, Dense, Sequential
from nn.callbacks import LivePlot

pytest.importorskip("matplotlib")


def _model():
    model = Sequential([Dense(1, input_dim=1), Activation("sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    return model


X = np.linspace(0, 2.5, 60)
Y = (X > 1.6).astype("float32")


def test_in_a_script_the_final_figure_is_written(tmp_path, capsys):
    live = LivePlot(path=tmp_path / "curves.png")
    history = _model().fit(X, Y, epochs=30, verbose=0, callbacks=[live])
    assert (tmp_path / "curves.png").read_bytes().startswith(b"\x89PNG")
    assert f"LivePlot: wrote {tmp_path / 'curves.png'}" in capsys.readouterr().out
    assert live.history["loss"] == pytest.approx(history.history["loss"])
    (loss_axes, metric_axes) = live.figure.axes
    assert len(loss_axes.lines[0].get_xdata()) == 30 and live.figure._suptitle.get_text() == "epoch 30/30"


def test_keys_pick_curves_and_bad_arguments_are_named(tmp_path):
    live = LivePlot(["loss"], path=None)
    _model().fit(X, Y, epochs=3, verbose=0, callbacks=[live])
    assert len(live.figure.axes) == 1 and not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match=r"every_seconds=\.\.\.\) must be at least 0, got -1"):
        LivePlot(every_seconds=-1)


def test_without_matplotlib_it_says_so_before_training(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'pip install "autograd_mini\[plot\]"'):
        LivePlot()


def test_in_a_notebook_one_picture_is_updated_in_place(tmp_path):
    from jupyter_kernel import run_cells
    cell = """
import numpy as np, nn
from nn.callbacks import LivePlot
x = np.linspace(0, 2.5, 60); y = (x > 1.6).astype("float32")
model = nn.Sequential([nn.Dense(2, input_dim=1, activation="sigmoid"), nn.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
model.fit(x, y, epochs=20, verbose=0, callbacks=[LivePlot(every_seconds=0, diagram=True)]);
"""
    nb, client = run_cells([cell], tmp_path)
    outputs = nb.cells[0].outputs
    assert [out["output_type"] for out in outputs] == ["display_data", "display_data"]
    assert base64.b64decode(outputs[0]["data"]["image/png"]).startswith(b"\x89PNG")
    assert "<svg" in outputs[1]["data"]["image/svg+xml"]        # the units with their weights
    assert client.updates[0] >= 2                                # both redrawn (at least) at the end
    assert not (tmp_path / "training.png").exists()             # nothing written in a notebook
