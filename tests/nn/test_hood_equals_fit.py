"""Hood = fit (issue 10, point 1): the graph a learner builds with model(x) and nn.losses, its
backward(), model.evaluate and the loss fit reports are the same numbers -- loss and gradients,
float32 and float64 -- at the PyData talk's start points on iris petal widths (seed 002: the
landscape's corners, (w, b) = (-9, -9) first) and at saturated points."""
import numpy as np
import pytest

import autograd_mini as am
import nn
from nn import Activation, Dense, Sequential
from nn.datasets import load_iris
from nn.optimizers import SGD

IRIS = load_iris()
X = IRIS.data[:, 3]                           # petal width (cm)
Y = (IRIS.target == 2).astype(np.float64)     # is it a virginica?
CORNERS = [(-9.0, -9.0), (-9.0, 9.0), (9.0, -9.0), (9.0, 9.0)]
SATURATED = [(60.0, -100.0), (-300.0, 50.0), (1000.0, 0.0), (0.0, -1000.0)]


class CapturingSGD(SGD):
    """SGD that keeps the gradients fit hands to each update (the gradients fit actually used)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = []

    def update(self, value, grad, slots):
        self.seen.append(np.array(grad))
        super().update(value, grad, slots)


def _logistic(dtype, w, b, activation_layer):
    am.set_default_dtype(dtype)
    try:
        layers = ([Dense(1, input_dim=1), Activation("sigmoid")] if activation_layer
                  else [Dense(1, activation="sigmoid", input_dim=1)])
        model = Sequential(layers)
    finally:
        am.set_default_dtype("float32")
    model.set_weights([np.array([[w]]), np.array([b])])
    model.compile(optimizer=CapturingSGD(0.0), loss="binary_crossentropy")
    return model


def _reference_bce(w, b):
    """-mean(y log σ(z) + (1-y) log(1-σ(z))) in long double, from log σ(z) = -log1p(e^-z) (z > 0)."""
    z = np.longdouble(w) * X.astype(np.longdouble) + np.longdouble(b)
    log_sig = np.where(z > 0, -np.log1p(np.exp(-np.abs(z))), z - np.log1p(np.exp(-np.abs(z))))
    log_one_minus = log_sig - z
    y = Y.astype(np.longdouble)
    loss = -np.mean(y * log_sig + (1 - y) * log_one_minus)
    sig = np.exp(log_sig)
    return float(loss), (float(np.mean((sig - y) * X)), float(np.mean(sig - y)))


def _three_ways(model, dtype):
    x = am.Tensor(X.reshape(-1, 1), dtype=dtype)
    hood = nn.losses.binary_crossentropy(Y, model(x))
    hood.backward()
    grads = np.concatenate([w.grad.data.ravel() for w in model.weights])
    evaluated = model.evaluate(X, Y, batch_size=len(X), verbose=0)
    history = model.fit(X, Y, epochs=1, batch_size=len(X), verbose=0)
    fit_grads = model.optimizer.seen[-1]  # lr = 0: the weights stay at the start point
    return float(hood.item()), grads, evaluated, history.history["loss"][0], fit_grads


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation_layer", [True, False], ids=["Activation layer", "Dense activation"])
@pytest.mark.parametrize("w, b", CORNERS + SATURATED)
def test_model_loss_backward_evaluate_and_fit_agree(w, b, dtype, activation_layer):
    model = _logistic(dtype, w, b, activation_layer)
    hood, grads, evaluated, reported, fit_grads = _three_ways(model, dtype)
    assert evaluated == pytest.approx(hood, rel=1e-12) and reported == pytest.approx(hood, rel=1e-12)
    np.testing.assert_array_equal(fit_grads, grads)  # the same ops: the same numbers
    loss, (grad_w, grad_b) = _reference_bce(w, b)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    assert hood == pytest.approx(loss, rel=rtol)
    np.testing.assert_allclose(grads, [grad_w, grad_b], rtol=rtol, atol=1e-30)
    assert model.weights[0].grad is None  # fit released what it used


def test_the_talks_start_point_gives_the_talks_numbers():
    model = _logistic("float32", -9.0, -9.0, True)
    hood, grads, *_ = _three_ways(model, "float32")
    assert hood == pytest.approx(9.078, abs=5e-4)               # not 5.37, and not nan
    np.testing.assert_allclose(grads, [-0.675, -0.333], atol=5e-4)  # not ~1e-6


def test_the_graph_holds_the_op_that_ran():
    model = _logistic("float32", -9.0, -9.0, True)
    loss = nn.losses.binary_crossentropy(Y, model(am.Tensor(X.reshape(-1, 1))))
    assert loss.grad_fn.op_name == "sigmoid_binary_crossentropy"
    assert loss.grad_fn.parents[1].grad_fn.op_name == "linear"  # the logits, not the probabilities
    from autograd_mini.viz.graph import draw_graph
    assert "sigmoid_binary_crossentropy" in draw_graph(loss).source


def test_the_hidden_layer_network_agrees_too():
    rng = np.random.default_rng(0)
    for dtype in ("float32", "float64"):
        am.set_default_dtype(dtype)
        try:
            model = Sequential([Dense(3, activation="sigmoid", input_dim=1), Dense(1, activation="sigmoid")])
        finally:
            am.set_default_dtype("float32")
        model.set_weights([rng.standard_normal(w.shape) * 6 for w in model.get_weights()])
        model.compile(optimizer=CapturingSGD(0.0), loss="binary_crossentropy")
        hood, grads, evaluated, reported, fit_grads = _three_ways(model, dtype)
        assert evaluated == pytest.approx(hood, rel=1e-12) and reported == pytest.approx(hood, rel=1e-12)
        np.testing.assert_array_equal(fit_grads, grads)


def test_softmax_probabilities_are_taken_back_to_their_logits():
    z = am.Tensor([[-50.0, 0.0, 50.0]], requires_grad=True, dtype="float64")
    loss = nn.losses.categorical_crossentropy([[1.0, 0.0, 0.0]], nn.activations.softmax(z))
    assert loss.grad_fn.op_name == "softmax_categorical_crossentropy"
    assert loss.item() == pytest.approx(100.0, rel=1e-12)  # log-sum-exp, not the clip's 16.1
    loss.backward()
    np.testing.assert_allclose(z.grad.data, [[-1.0, 0.0, 1.0]], atol=1e-21)


def test_probabilities_from_elsewhere_are_still_clipped_as_keras_does():
    p = am.Tensor([[0.0], [1.0]], requires_grad=True)
    loss = nn.losses.binary_crossentropy([[1.0], [0.0]], p)
    assert loss.grad_fn.op_name == "binary_crossentropy"
    assert 15.9 < loss.item() < 16.2  # -log(1e-7) = 16.1, at float32's rounding of 1e-7 and 1 - 1e-7
