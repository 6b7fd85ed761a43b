"""The seeds' "under the hood" moments in the examples: each block's numbers against a hand computation.

The blocks are called directly (the whole example scripts run in tests/docs/test_examples.py)."""
import runpy
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def example(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return lambda name: runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name=f"hood_{name}")


def test_house_prices_explains_the_hand_derivation(example, capsys):
    import nn
    module = example("house_prices")
    model = nn.Sequential([nn.Dense(1, input_shape=[1])])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    model.set_weights([np.array([[0.5]]), np.array([0.0])])
    x = np.arange(1.0, 8.0, dtype=np.float32)
    y = 10000 * x
    h = 0.5 * x.astype(np.float64)
    hand = (2 / 7 * np.sum(h - y), 2 / 7 * np.sum((h - y) * x))       # ∂J/∂θ0, ∂J/∂θ1 of the seed
    totals = module["explain_first_step"](model, x, y, hand)
    np.testing.assert_allclose(totals, hand, rtol=1e-5)
    out = capsys.readouterr().out
    assert f"∂J/∂{model.layers[0].bias.name} = -79996   (7 paths)" in out   # every digit, not -8e+04
    assert out.count("(7 paths)") == 2 and "∂MSE/∂ŷ = 2(ŷ−y)/n = 2·(0.5−10000)/7" in out


def test_dead_relu_gradient_is_zero_on_every_path(example, tmp_path, capsys):
    module = example("relu_neuron")
    dead = module["make_neuron"]()
    dead.set_weights([np.array([[-0.02]]), np.array([0.0])])
    x = np.linspace(0, 3, 31).astype("float32").reshape(-1, 1)
    result = module["explain_dead_neuron"](dead, x, module["f"](x), tmp_path / "flip")
    assert result["total"] == 0.0 and len(result["factors"]) == 3
    assert all(factors[1] == 0.0 for factors in result["factors"])       # relu's [z > 0] = 0 on each path
    assert "[-0.04 > 0] = 0" in capsys.readouterr().out
    last = (tmp_path / "flip" / f"step_00{result['frames'] - 1}.svg").read_text()
    assert (tmp_path / "flip" / "index.html").is_file() and "linear.backward" in last


def test_two_linear_layers_are_one(example):
    gap = example("deep_regression")["two_linear_layers_are_one"]()
    assert gap < 1e-5


def test_cross_entropy_against_mse(example, tmp_path, capsys):
    result = example("iris_logistic")["penalty_and_gradient_curves"](tmp_path / "ce.png")
    s = 1 / (1 + np.exp(6.0))                                              # p = σ(−6), y = 1
    assert result["ce_gradient_at_wrong"] == pytest.approx(s - 1, rel=1e-6)
    assert result["mse_gradient_at_wrong"] == pytest.approx(2 * (s - 1) * s * (1 - s), rel=1e-6)
    assert (tmp_path / "ce.png").stat().st_size > 5000
    assert "∂σ(z)/∂z = σ(z)·(1−σ(z))" in capsys.readouterr().out


def test_hidden_unit_curves(example, tmp_path):
    import nn
    model = nn.Sequential([nn.Dense(3, input_dim=1), nn.Activation("sigmoid"), nn.Dense(1), nn.Activation("sigmoid")])
    weights = [np.array([[-6.0, -3.0, -3.0]]), np.array([4.0, 4.0, 5.0]), np.array([[-8.0], [3.0], [4.0]]),
               np.array([-1.0])]
    model.set_weights(weights)
    units = example("iris_hidden_layer")["hidden_unit_curves"](model, np.array([0.2, 1.3]), np.array([0.0, 1.0]),
                                                                 tmp_path / "units.png")
    assert units == [(-6.0, 4.0, -8.0), (-3.0, 4.0, 3.0), (-3.0, 5.0, 4.0)]
    assert (tmp_path / "units.png").stat().st_size > 5000


def test_mse_landscape_is_flatter_than_cross_entropy(example, tmp_path):
    from nn.datasets import load_iris
    iris = load_iris()
    x, y = iris.data[:, 3].astype(np.float64), (iris.target == 2).astype(np.float64)
    result = example("loss_landscape")["mse_beside_cross_entropy"](x, y, tmp_path / "l.png", n=21, arrows=5)
    assert result["median_gradient_mse"] < 0.1 * result["median_gradient_ce"]
    # by hand: cross-entropy's gradient is (mean((σ(z) − y)·x), mean(σ(z) − y)) at each arrow
    w, b = np.meshgrid(np.linspace(-9, 9, 5), np.linspace(-9, 9, 5))
    error = 1 / (1 + np.exp(-(w[..., None] * x + b[..., None]))) - y
    size = np.hypot((error * x).mean(axis=-1), error.mean(axis=-1))
    assert result["median_gradient_ce"] == pytest.approx(float(np.median(size)), rel=1e-9)
