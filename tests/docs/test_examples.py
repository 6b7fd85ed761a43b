"""Every example runs in quick mode, prints its headline numbers, and writes its figures.

The scripts run in this process (``runpy`` + their ``main(argv)``), which saves a Python
start-up per script; one test runs the README's first command as a real subprocess.
"""
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")  # the examples draw: they need the `plot` extra

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def run_example(monkeypatch, tmp_path):
    import nn.utils
    counts = getattr(nn.utils, "_name_counts", None)
    saved = dict(counts) if counts is not None else None

    def run(name, *args):
        module = runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name=f"example_{name}")
        out = tmp_path / name
        results = module["main"](["--quick", "--out", str(out), *args])
        return results, out
    yield run
    if saved is not None:  # leave layer naming ("dense", "dense_1", ...) as the other tests found it
        counts.clear()
        counts.update(saved)


def assert_files(out, *names):
    for name in names:
        path = out / name
        assert path.is_file() and path.stat().st_size > 1000, f"{name} missing or empty"
        head = path.read_bytes()[:200]
        if name.endswith(".png"):
            assert head.startswith(b"\x89PNG")
        elif name.endswith(".svg"):
            assert b"<svg" in path.read_bytes()[:2000]
        elif name.endswith(".gif"):
            assert head[:6] in (b"GIF87a", b"GIF89a")


def test_quickstart(run_example, capsys):
    r, out = run_example("quickstart")
    assert r["accuracy"] >= 0.94                              # virginica from petal width
    assert r["loss"] < 0.4
    assert r["w"] > 0 and r["b"] < 0                          # probability grows with petal width
    assert all(g != 0 for g in r["hood_grads"])
    assert_files(out, "quickstart_graph.svg", "quickstart_history.png", "quickstart_probability.png")
    svg = (out / "quickstart_graph.svg").read_text()
    assert "grad" in svg and "sigmoid" in svg and "dense/kernel" in svg
    assert "accuracy: 0.9" in capsys.readouterr().out


def test_quickstart_without_matplotlib(run_example, monkeypatch, capsys):
    """`pip install .` has no matplotlib: the README's first command still prints and draws the graph."""
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    r, out = run_example("quickstart")
    assert r["accuracy"] >= 0.94
    assert (out / "quickstart_graph.svg").is_file() and not (out / "quickstart_history.png").exists()
    assert 'pip install "autograd_mini[plot]"' in capsys.readouterr().out


def test_house_prices(run_example):
    r, out = run_example("house_prices")
    assert r["price_10_flats"] == pytest.approx(99711.77, abs=1.0)   # Keras's number, 500 epochs
    assert r["hand_update_matches"]                                    # θ := θ − α·∂J/∂θ, by hand
    assert np.allclose(r["hand_theta"], r["fit_theta"], rtol=1e-5, atol=1e-3)
    assert r["fit_theta"][1] == pytest.approx(4000.28, abs=0.5)       # θ1 after epoch 1, any init ≈ 0
    assert_files(out, "house_prices_loss.png", "house_prices_fit.png")


def test_relu_neuron(run_example):
    r, out = run_example("relu_neuron")
    assert r["w"] > 1.0 and r["b"] < -0.5                    # on its way to w0 = 2, w1 = −2
    assert r["error_increases_batch32"] == 0                  # full batch: the error only falls
    assert r["error_increases_batch1"] > 10                   # one-sample batches jitter
    assert r["dead_weights"] == pytest.approx([-0.02, 0.0])   # the dying ReLU never moves
    assert list(r["dead_units"].values()) == [[0]]
    assert list(r["alive_units"].values()) == [[]]
    assert_files(out, "relu_neuron_frames.png", "relu_neuron_training.gif", "relu_neuron_batch_sizes.png",
                 "relu_neuron_dead.png")


def test_iris_logistic(run_example):
    r, out = run_example("iris_logistic")
    assert r["accuracy"] >= 0.94
    assert r["hand_accuracy"] == pytest.approx(0.96)          # the talk's w = 3, b = −5
    assert r["hand_loss"] < r["loss"]                         # 500 SGD epochs are not at the optimum yet
    assert_files(out, "iris_by_hand.png", "iris_logistic.png", "iris_logistic_history.png")


def test_loss_landscape(run_example):
    r, out = run_example("loss_landscape")
    assert r["start_accuracy"] == pytest.approx(2 / 3)
    assert r["flat_epochs"] >= 200                            # accuracy flat while ...
    assert r["loss_decreasing"]                               # ... the loss falls at every step
    assert r["start_loss"] > 5 > 1 > r["end_loss"]
    assert r["end_accuracy"] >= 0.94
    assert r["flat_share"] > 0.2
    assert_files(out, "loss_landscape.png", "loss_landscape_path.png")


def test_iris_hidden_layer(run_example):
    r, out = run_example("iris_hidden_layer")
    assert r["logistic_accuracy"] == pytest.approx(2 / 3)     # stuck: all "not versicolor"
    assert r["logistic_p_max"] < 0.5
    assert r["hidden_accuracy"] >= 0.9                        # the hidden layer learns the bump
    assert r["params"] == 10
    assert_files(out, "versicolor_logistic.png", "versicolor_hidden_frames.png", "versicolor_hidden.png",
                 "versicolor_network.svg")
    assert "σ" in (out / "versicolor_network.svg").read_text(encoding="utf-8")


def test_xor(run_example):
    r, out = run_example("xor")
    assert r["solved"]                                        # predict().round() == targets
    assert r["first_epoch"] is not None and r["first_epoch"] <= 300
    for variant in ("16relu", "16relu_16relu", "32relu"):
        assert r[f"{variant}_solved"] == r[f"{variant}_seeds"]
    assert_files(out, "xor_decision_surfaces.png", "xor_history.png")


def test_deep_regression(run_example):
    r, out = run_example("deep_regression")
    assert r["linear_kernel_shape"] == [3, 1] and r["linear_bias_shape"] == [1]
    assert r["linear_params"] == 4
    assert np.allclose(r["linear_weights"], r["least_squares"][:3], atol=0.15)   # the formula, found back
    assert r["linear_bias"] == pytest.approx(r["least_squares"][3], abs=1.0)
    assert r["deep_params"] == 530_433
    assert r["deep_kernel_shapes"] == [[8, 512], [512, 512], [512, 512], [512, 1]]
    loss = r["history"]["loss"]
    assert loss[-1] < loss[0] and "val_loss" in r["history"]
    assert_files(out, "deep_regression_history.png", "deep_regression_parity.png")


def test_quickstart_is_the_readme_command(tmp_path):
    """`python examples/quickstart.py` from anywhere: exit 0, headline numbers, files in --out."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(EXAMPLES / "quickstart.py"), "--quick", "--out", "figs"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "accuracy: 0.9" in done.stdout and "wrote figs" in done.stdout
    assert (tmp_path / "figs" / "quickstart_graph.svg").is_file()
    help_text = subprocess.run([sys.executable, str(EXAMPLES / "quickstart.py"), "--help"],
                               capture_output=True, text=True, timeout=60).stdout
    assert "--out" in help_text and "--quick" in help_text


def test_examples_import_no_private_helpers():
    """A learner can copy any script into a notebook: it imports only the library and public packages."""
    scripts = sorted(EXAMPLES.glob("*.py"))
    assert len(scripts) == 8 and not [p for p in scripts if p.name.startswith("_")]
    for script in scripts:
        imports = re.findall(r"^\s*(?:from|import)\s+(\S+)", script.read_text(encoding="utf-8"), re.M)
        private = [name for name in imports if any(part.startswith("_") for part in name.split("."))]
        assert not private, f"{script.name} imports {private}"
