"""GradientHistory's norms against a hand computation, plot_gradient_flow, and nn.health_report."""
import numpy as np
import pytest

import nn
from nn import Dense, GradientHistory, Sequential, health_report


def _neuron(w, b, lr):
    nn.utils.set_random_seed(0)
    model = Sequential([Dense(1, input_shape=[1])])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=lr), loss="mean_squared_error")
    model.set_weights([np.array([[w]]), np.array([b])])
    return model


def test_norms_match_the_hand_derivation_step_by_step():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y = 2.0 * x - 1.0
    w, b, lr = 0.5, 0.1, 0.01
    model = _neuron(w, b, lr)
    grads = GradientHistory(every=1)
    model.fit(x, y, epochs=2, batch_size=3, shuffle=False, verbose=0, callbacks=[grads])
    expected_w, expected_b = [], []
    for _ in range(2):  # by hand: J = (1/n) Σ (w x + b − y)², ∂J/∂w = (2/n) Σ (h − y) x, ∂J/∂b = (2/n) Σ (h − y)
        for start in (0, 3):
            xb, yb = x[start:start + 3], y[start:start + 3]
            h = w * xb + b
            dw, db = 2 / 3 * np.sum((h - yb) * xb), 2 / 3 * np.sum(h - yb)
            expected_w.append(abs(dw))
            expected_b.append(abs(db))
            w, b = w - lr * dw, b - lr * db
    kernel, bias = [n for n in grads.norms if n.endswith("/kernel")][0], [n for n in grads.norms if n.endswith("/bias")][0]
    assert grads.steps == [1, 2, 3, 4] and grads.epochs == [0, 0, 1, 1]
    np.testing.assert_allclose(grads.norms[kernel], expected_w, rtol=1e-5)
    np.testing.assert_allclose(grads.norms[bias], expected_b, rtol=1e-5)
    layer = grads.layer_of[kernel]
    np.testing.assert_allclose(grads.layer_norms()[layer], np.hypot(expected_w, expected_b), rtol=1e-5)
    counts, edges = grads.histograms[kernel][0]
    assert counts.sum() == 1 and edges[0] <= -expected_w[0] <= edges[-1]  # one value: ∂J/∂w < 0 at the start


def test_every_n_steps_and_bad_arguments():
    model = _neuron(0.5, 0.1, 0.01)
    grads = GradientHistory(every=3)
    model.fit(np.arange(8.0), np.arange(8.0), epochs=3, batch_size=2, verbose=0, callbacks=[grads])
    assert grads.steps == [3, 6, 9, 12]
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="every"):
            GradientHistory(every=bad)


def test_plot_gradient_flow(tmp_path):
    pytest.importorskip("matplotlib")
    from nn.plots import plot_gradient_flow
    nn.utils.set_random_seed(1)
    model = Sequential([Dense(4, activation="sigmoid", input_shape=[2]), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    grads = GradientHistory()
    x = np.random.default_rng(0).normal(size=(32, 2))
    model.fit(x, (x[:, 0] > 0).astype(float), epochs=3, batch_size=8, verbose=0, callbacks=[grads])
    fig = plot_gradient_flow(grads, path=tmp_path / "flow.png")
    assert (tmp_path / "flow.png").stat().st_size > 5000
    left, right = fig.axes[:2]
    assert len(left.get_lines()) == 4 and left.get_yscale() == "log"
    assert [t.get_text() for t in right.get_xticklabels()] == [layer.name for layer in model.layers]
    with pytest.raises(ValueError, match="recorded steps"):
        plot_gradient_flow(GradientHistory())


def test_health_report_names_vanishing_exploding_and_dead():
    dead = Sequential([Dense(2, activation="relu", input_shape=[1]), Dense(1)])
    dead.compile(optimizer="sgd", loss="mse")
    dead.set_weights([np.array([[-1.0, 1.0]]), np.array([-1.0, 0.0]), np.array([[1.0], [1.0]]), np.array([0.0])])
    x, y = np.array([[1.0], [2.0], [3.0]]), np.array([[1.0], [2.0], [4.0]])
    report = health_report(dead, x, y)
    first, second = [layer.name for layer in dead.layers]
    assert report.dead_units == {first: [0]} and not report.healthy
    assert "dead ReLU unit [0]" in str(report) and "another initialization" in str(report)
    assert dead.layers[0].kernel.grad is None  # computed on the side
    prices = Sequential([Dense(1, input_shape=[1])])  # seed 000's prices: a huge MSE gradient
    prices.compile(optimizer="sgd", loss="mse")
    report = health_report(prices, [[1.0], [2.0]], [[10000.0], [20000.0]])
    assert report.exploding == [prices.layers[0].name] and "lower learning rate" in str(report)
    flat = Sequential([Dense(1, activation="sigmoid", input_shape=[1])])
    flat.compile(optimizer="sgd", loss="mse")
    flat.set_weights([np.array([[60.0]]), np.array([0.0])])  # σ saturated: σ' ≈ e^-60
    report = health_report(flat, [[1.0], [2.0]], [[0.0], [0.0]])
    assert report.vanishing == [flat.layers[0].name] and "vanishes" in str(report)
    with pytest.raises(ValueError, match="needs y"):
        health_report(flat, [[1.0]])


def test_health_report_from_a_gradient_history():
    model = _neuron(0.5, 0.1, 0.01)
    grads = GradientHistory()
    model.fit(np.arange(4.0), np.arange(4.0) * 2, epochs=1, batch_size=4, verbose=0, callbacks=[grads])
    report = health_report(model, np.arange(4.0), history=grads)
    assert report.healthy and report.norms[model.layers[0].name] == pytest.approx(grads.layer_norms()[model.layers[0].name][-1])
    assert "GradientHistory, step 1" in str(report)
