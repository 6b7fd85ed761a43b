"""Every loss and metric against its numpy formula; every loss's backward against gradcheck (float64)."""
import numpy as np
import pytest

import autograd_mini as am
import nn
from nn import losses, metrics

rng = np.random.default_rng(0)
N, K = 5, 3
Y_REG, P_REG = rng.normal(size=(N, K)), rng.normal(size=(N, K))
Y_BIN = rng.integers(0, 2, size=(N, K)).astype(float)
P_BIN = rng.uniform(0.05, 0.95, size=(N, K))
LOGITS = rng.normal(scale=2.0, size=(N, K))
LABELS = rng.integers(0, K, size=N)
ONE_HOT = np.eye(K)[LABELS]
P_CAT = rng.uniform(0.1, 1.0, size=(N, K))  # unnormalized on purpose: Keras divides by the row sum


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _bce(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def _cce(y, p):
    p = np.clip(p / p.sum(-1, keepdims=True), 1e-7, 1 - 1e-7)
    return -(y * np.log(p)).sum(-1)


T64 = lambda a: am.Tensor(np.asarray(a, dtype=np.float64))  # noqa: E731

# (name, function, y_true, y_pred, per-sample numpy formula, y_true differentiable)
CASES = [
    ("mse", losses.mean_squared_error, Y_REG, P_REG, lambda y, p: ((p - y) ** 2).mean(-1), True),
    ("mae", losses.mean_absolute_error, Y_REG, P_REG, lambda y, p: np.abs(p - y).mean(-1), True),
    ("bce", losses.binary_crossentropy, Y_BIN, P_BIN, lambda y, p: _bce(y, p).mean(-1), True),
    ("bce_logits", lambda y, p, **kw: losses.binary_crossentropy(y, p, from_logits=True, **kw), Y_BIN, LOGITS,
     lambda y, z: _bce(y, 1 / (1 + np.exp(-z))).mean(-1), True),
    ("cce", losses.categorical_crossentropy, ONE_HOT, P_CAT, _cce, True),
    ("cce_logits", lambda y, p, **kw: losses.categorical_crossentropy(y, p, from_logits=True, **kw), ONE_HOT,
     LOGITS, lambda y, z: _cce(y, _softmax(z)), True),
    ("sparse", losses.sparse_categorical_crossentropy, LABELS, P_CAT, lambda y, p: _cce(np.eye(K)[y], p), False),
    ("sparse_logits", lambda y, p, **kw: losses.sparse_categorical_crossentropy(y, p, from_logits=True, **kw),
     LABELS, LOGITS, lambda y, z: _cce(np.eye(K)[y], _softmax(z)), False),
]


@pytest.mark.parametrize("name,fn,y,p,formula,_", CASES, ids=[c[0] for c in CASES])
def test_loss_value_matches_numpy(name, fn, y, p, formula, _):
    per_sample = formula(y, p)
    assert float(fn(y, T64(p))) == pytest.approx(per_sample.mean(), rel=1e-6)
    assert float(fn(y, T64(p), reduction="sum")) == pytest.approx(per_sample.sum(), rel=1e-6)
    np.testing.assert_allclose(fn(y, T64(p), reduction="none").data, per_sample, rtol=1e-6)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
@pytest.mark.parametrize("name,fn,y,p,formula,y_differentiable", CASES, ids=[c[0] for c in CASES])
def test_loss_gradient_passes_gradcheck(name, fn, y, p, formula, y_differentiable, reduction):
    if y_differentiable:
        report = am.gradcheck(lambda yt, yp: fn(yt, yp, reduction=reduction), [T64(y), T64(p)])
    else:
        report = am.gradcheck(lambda yp: fn(y, yp, reduction=reduction), [T64(p)])
    assert report


@pytest.mark.parametrize("name", ["mse", "bce", "bce_logits", "cce", "cce_logits"])
def test_loss_second_derivative_passes_gradcheck(name):
    _, fn, y, p, _, _ = next(c for c in CASES if c[0] == name)
    first = lambda yp: am.grad(lambda q: fn(y, q))(yp)  # noqa: E731
    assert am.gradcheck(first, [T64(p)])


def test_bce_clips_probabilities_like_keras():
    y, p = np.array([[1.0], [0.0]]), am.Tensor(np.array([[0.0], [1.0]]), requires_grad=True)
    loss = losses.binary_crossentropy(y, p)
    assert float(loss) == pytest.approx(-np.log(1e-7), rel=1e-6)  # ≈ 16.118, not inf
    loss.backward()
    assert np.all(p.grad.data == 0.0)  # no gradient through the clip


def test_losses_accept_1d_targets_for_single_outputs():
    p = am.Tensor(np.array([[1.0], [3.0]]))
    assert float(losses.mse([0.0, 1.0], p)) == pytest.approx((1 + 4) / 2)
    with pytest.raises(ValueError, match=r"y_true has shape \(3, 1\) but y_pred has shape \(2, 1\)"):
        losses.mse([0.0, 1.0, 2.0], p)


def test_fused_sigmoid_bce_equals_clipped_formula_where_not_saturated():
    z = np.linspace(-5, 5, 11)[:, None]
    y = (z > 0.3).astype(float)
    fused = losses.binary_crossentropy(y, T64(z), from_logits=True)
    plain = losses.binary_crossentropy(y, T64(1 / (1 + np.exp(-z))))
    assert float(fused) == pytest.approx(float(plain), rel=1e-9)
    # saturated: the clipped loss stops at -log(1e-7); the fused one keeps growing (as Keras on TensorFlow)
    assert float(losses.binary_crossentropy([[1.0]], T64([[-40.0]]), from_logits=True)) == pytest.approx(40.0)


# --- metrics -------------------------------------------------------------------------------
def test_binary_accuracy_threshold_is_strict():
    assert float(metrics.binary_accuracy([1, 0], [0.5, 0.5])) == 0.5  # 0.5 counts as class 0, as Keras
    y, p = Y_BIN, P_BIN
    assert float(metrics.binary_accuracy(y, p)) == pytest.approx((y == (p > 0.5)).mean())
    assert float(metrics.binary_accuracy(y, p, threshold=0.7)) == pytest.approx((y == (p > 0.7)).mean())


def test_other_metrics_match_numpy():
    assert float(metrics.categorical_accuracy(ONE_HOT, P_CAT)) == pytest.approx(
        (ONE_HOT.argmax(-1) == P_CAT.argmax(-1)).mean())
    assert float(metrics.sparse_categorical_accuracy(LABELS, P_CAT)) == pytest.approx(
        (LABELS == P_CAT.argmax(-1)).mean())
    assert float(metrics.mae(Y_REG, P_REG)) == pytest.approx(np.abs(Y_REG - P_REG).mean(), rel=1e-6)
    assert float(metrics.mse(Y_REG, P_REG)) == pytest.approx(((Y_REG - P_REG) ** 2).mean(), rel=1e-6)


def test_accuracy_resolves_like_keras():
    def resolved(loss, width, sparse):
        return nn.metrics.get("accuracy", loss, width, sparse).total
    assert resolved("mean_squared_error", 1, False) is nn.metrics._binary_accuracy
    assert resolved("categorical_crossentropy", 3, False) is nn.metrics._categorical_accuracy
    assert resolved("sparse_categorical_crossentropy", 3, True) is nn.metrics._sparse_categorical_accuracy
    assert nn.metrics.get("acc", "binary_crossentropy", 1, False).name == "acc"


def test_fit_metrics_are_epoch_means_over_samples():
    """With lr=0 nothing changes, so the epoch's running means equal evaluate's numbers."""
    nn.set_random_seed(3)
    model = nn.Sequential([nn.Dense(1, input_dim=2, activation="sigmoid")])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.0), loss="binary_crossentropy",
                  metrics=["accuracy", "mae"])
    x = rng.normal(size=(10, 2))
    y = (x[:, 0] > 0).astype(float)
    history = model.fit(x, y, batch_size=3, epochs=1, verbose=0)
    loss, accuracy, mae = model.evaluate(x, y, verbose=0)
    p = model.predict(x, verbose=0)[:, 0]
    assert history.history["accuracy"][0] == pytest.approx(accuracy) == pytest.approx(((p > 0.5) == y).mean())
    assert history.history["mae"][0] == pytest.approx(mae, rel=1e-5)
    assert history.history["loss"][0] == pytest.approx(loss, rel=1e-5)
    assert loss == pytest.approx(_bce(y, p.astype(np.float64)).mean(), rel=1e-4)


def test_softmax_classifier_with_sparse_labels_trains():
    nn.set_random_seed(0)
    iris = nn.datasets.load_iris()
    model = nn.Sequential([nn.Dense(8, activation="relu", input_shape=[4]), nn.Dense(3, activation="softmax")])
    model.compile(optimizer=nn.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(iris.data, iris.target, epochs=60, verbose=0)
    assert model.evaluate(iris.data, iris.target, verbose=0)[1] > 0.9
    probabilities = model.predict(iris.data[:5], verbose=0)
    np.testing.assert_allclose(probabilities.sum(1), 1.0, rtol=1e-5)


def test_softmax_activation_gradcheck():
    assert am.gradcheck(lambda z: (nn.activations.softmax(z) * T64(ONE_HOT)).sum(), [T64(LOGITS)])


def test_keras_loss_and_metric_objects():
    y, p = Y_BIN, P_BIN
    assert float(losses.BinaryCrossentropy()(y, T64(p))) == pytest.approx(_bce(y, p).mean())
    assert float(losses.BinaryCrossentropy(from_logits=True)(y, T64(LOGITS))) == pytest.approx(
        float(losses.binary_crossentropy(y, T64(LOGITS), from_logits=True)))
    assert float(losses.MeanSquaredError(reduction="sum")(Y_REG, T64(P_REG))) == pytest.approx(
        ((P_REG - Y_REG) ** 2).mean(-1).sum())
    assert losses.CategoricalCrossentropy().name == "categorical_crossentropy"
    assert float(metrics.BinaryAccuracy(threshold=0.7)(y, p)) == pytest.approx((y == (p > 0.7)).mean())
    assert float(metrics.MeanAbsoluteError()(Y_REG, P_REG)) == pytest.approx(np.abs(Y_REG - P_REG).mean(), rel=1e-6)


def test_compile_with_objects_fuses_and_logs_like_keras():
    model = nn.Sequential([nn.Dense(1, input_dim=1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss=losses.BinaryCrossentropy(), metrics=[metrics.BinaryAccuracy()])
    assert model.loss.fuses_with == "sigmoid"  # a probability loss object still fuses with the sigmoid
    history = model.fit([0.0, 1.0], [0.0, 1.0], epochs=1, verbose=0)
    assert list(history.history) == ["binary_accuracy", "loss"]
    logits_model = nn.Sequential([nn.Dense(1, input_dim=1)])
    logits_model.compile(optimizer="sgd", loss=losses.BinaryCrossentropy(from_logits=True))
    assert logits_model.loss.fuses_with is None
    logits_model.fit([0.0, 1.0], [0.0, 1.0], epochs=1, verbose=0)
