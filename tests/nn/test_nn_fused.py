"""fit trains Dense layers through one fused op (nn.fused); it must be the same function as the
textbook graph model(x) records, with correct gradients."""
import functools

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Tensor, gradcheck
from nn import Dense, Sequential
from nn.layers import Layer
from nn.fused import IN_PLACE, DenseActivation


@pytest.mark.parametrize("activation", sorted(IN_PLACE))
@pytest.mark.parametrize("bias", [True, False])
def test_fused_dense_matches_linear_then_activation(activation, bias):
    rng = np.random.default_rng(0)
    layer = Dense(4, activation=activation, input_dim=3, use_bias=bias)
    if bias:
        layer.bias.data[...] = rng.standard_normal(4)
    x = Tensor(rng.standard_normal((5, 3)).astype(np.float32))
    fused, textbook = layer.train_call(x), layer.call(x)
    assert fused.grad_fn.op_name == "dense"
    np.testing.assert_allclose(fused.data, textbook.data, rtol=1e-6, atol=1e-7)
    upstream = rng.standard_normal((5, 4)).astype(np.float32)
    grads = []
    for out in (fused, textbook):
        for w in layer.weights:
            w.grad = None
        (out * upstream).sum().backward()
        grads.append([w.grad.data.copy() for w in layer.weights])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("activation", sorted(IN_PLACE))
@pytest.mark.parametrize("units", [2, 1])
def test_fused_dense_gradcheck(activation, units):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, units)), rng.standard_normal(units)
    if activation == "relu":  # keep away from the kink so finite differences are meaningful
        x = np.abs(x) + 0.5
        w = np.abs(w)
    report = gradcheck(lambda x, w, b: DenseActivation.apply(x, w, b, activation=activation), [x, w, b])
    assert report, str(report)


def test_fused_dense_second_order():
    f = lambda w: DenseActivation.apply(Tensor([[0.3, -1.2]], dtype=np.float64), w, activation="tanh").sum()
    w0 = np.array([[0.5], [0.25]])
    assert gradcheck(lambda w: am.grad(f)(w).sum(), [w0])


def test_fit_trains_through_fused_ops_and_gives_the_same_model():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((32, 2)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:] > 0).astype(np.float32)
    weights = None
    for fused in (True, False):
        model = Sequential([Dense(8, activation="tanh", input_dim=2), Dense(1, activation="sigmoid")])
        if weights is None:
            weights = model.get_weights()
        model.set_weights(weights)
        if not fused:  # the textbook path, op by op
            for layer in model.layers:
                layer.train_call = functools.partial(Layer.train_call, layer)
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        history = model.fit(x, y, epochs=5, batch_size=32, verbose=0, shuffle=False)
        if fused:
            fused_losses, fused_weights = history.history["loss"], model.get_weights()
    np.testing.assert_allclose(fused_losses, history.history["loss"], rtol=1e-5)
    for a, b in zip(fused_weights, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
