"""Optimizer steps against the update formulas computed by hand (Keras's forms)."""
import math

import numpy as np
import pytest

import autograd_mini as am
import nn
from nn.optimizers import SGD, Adam, RMSprop

GRADS = [np.array([0.5, -1.0]), np.array([0.25, 2.0]), np.array([-1.0, 0.5])]


def _run(opt, start=(1.0, -2.0)):
    """Feed the fixed gradients above through opt.step(); return the values after each step."""
    w = am.Tensor(np.array(start), requires_grad=True)
    opt.bind([w])
    values = []
    for g in GRADS:
        w.grad = am.Tensor(g)
        opt.step()
        values.append(w.data.copy())
    return values


def test_sgd_plain():
    w = np.array([1.0, -2.0])
    for g, got in zip(GRADS, _run(SGD(learning_rate=0.1))):
        w = w - 0.1 * g
        np.testing.assert_allclose(got, w)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov):
    w, v, m, lr = np.array([1.0, -2.0]), np.zeros(2), 0.9, 0.1
    for g, got in zip(GRADS, _run(SGD(learning_rate=lr, momentum=m, nesterov=nesterov))):
        v = m * v - lr * g
        w = w + (m * v - lr * g if nesterov else v)
        np.testing.assert_allclose(got, w)


def test_adam_keras_epsilon_placement():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1.0  # a large epsilon makes its placement visible
    w, m, v = np.array([1.0, -2.0]), np.zeros(2), np.zeros(2)
    textbook = w.copy()
    for t, (g, got) in enumerate(zip(GRADS, _run(Adam(learning_rate=lr, epsilon=eps))), start=1):
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        w = w - m * alpha / (np.sqrt(v) + eps)
        textbook = textbook - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        np.testing.assert_allclose(got, w, rtol=1e-12)
    assert not np.allclose(w, textbook)  # Keras's form is not the textbook one


def test_rmsprop():
    lr, rho, eps = 0.01, 0.9, 1e-7
    w, v = np.array([1.0, -2.0]), np.zeros(2)
    for g, got in zip(GRADS, _run(RMSprop(learning_rate=lr))):
        v = rho * v + (1 - rho) * g * g
        w = w - lr * g / np.sqrt(v + eps)
        np.testing.assert_allclose(got, w)


def test_keras_defaults():
    assert nn.optimizers.get("sgd").get_config() == {"name": "sgd", "learning_rate": 0.01, "momentum": 0.0,
                                                     "nesterov": False}
    assert nn.optimizers.get("adam").get_config() == {"name": "adam", "learning_rate": 0.001, "beta_1": 0.9,
                                                      "beta_2": 0.999, "epsilon": 1e-7}
    assert nn.optimizers.get("rmsprop").get_config() == {"name": "rmsprop", "learning_rate": 0.001, "rho": 0.9,
                                                         "epsilon": 1e-7}
    model = nn.Sequential([nn.Dense(1, input_dim=1)])
    model.compile(loss="mse")
    assert isinstance(model.optimizer, RMSprop)  # Keras's compile() default


def test_pytorch_style_by_hand_on_model_parameters():
    model = nn.Sequential([nn.Dense(2, input_dim=3, activation="tanh"), nn.Dense(1)])
    opt = SGD(model.parameters(), lr=0.1)
    x, y = am.Tensor(np.ones((4, 3))), np.zeros((4, 1))
    before = [w.data.copy() for w in model.weights]
    opt.zero_grad()
    loss = nn.losses.mse(y, model(x))
    loss.backward()
    grads = [w.grad.data.copy() for w in model.weights]
    opt.step()
    for w, b, g in zip(model.weights, before, grads):
        np.testing.assert_allclose(w.data, b - 0.1 * g, rtol=1e-6)
    opt.zero_grad()
    assert all(w.grad is None for w in model.weights)


def test_fit_step_equals_hand_computed_step():
    """One full-batch epoch of fit == one SGD step on the MSE gradient computed by hand."""
    model = nn.Sequential([nn.Dense(1, input_shape=[2])])
    model.set_weights([np.array([[0.5], [-0.25]]), np.array([0.1])])
    model.compile(optimizer=SGD(learning_rate=0.05), loss="mse")
    x = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    y = np.array([1.0, 0.0, 2.0])
    W, b = np.array([[0.5], [-0.25]]), np.array([0.1])
    g = 2 * (x @ W + b - y[:, None]) / 3
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_allclose(model.layers[0].kernel.data, W - 0.05 * x.T @ g, rtol=1e-6)
    np.testing.assert_allclose(model.layers[0].bias.data, b - 0.05 * g.sum(0), rtol=1e-6)


def test_optimizer_state_continues_across_fits():
    model = nn.Sequential([nn.Dense(1, input_dim=1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit([1.0, 2.0], [2.0, 4.0], epochs=3, verbose=0)
    assert model.optimizer.iterations == 3
    model.fit([1.0, 2.0], [2.0, 4.0], epochs=2, verbose=0)
    assert model.optimizer.iterations == 5


def test_apply_gradients_keras_style():
    w = am.Tensor([1.0, 2.0], requires_grad=True)
    opt = SGD(learning_rate=0.5)
    opt.apply_gradients([(np.array([1.0, -1.0]), w)])
    np.testing.assert_allclose(w.data, [0.5, 2.5])
