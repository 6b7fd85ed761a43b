"""Keras 3's own test cases for what nn offers, ported: the inputs and expected values are those of
keras/src/{losses/losses_test.py, metrics/accuracy_metrics_test.py, metrics/regression_metrics_test.py,
optimizers/{sgd,adam,rmsprop}_test.py, layers/core/dense_test.py, models/sequential_test.py,
callbacks/early_stopping_test.py}. Cases for features nn does not have (label smoothing, axis,
ignore_class, bfloat16, weight decay, clipping, amsgrad, centered, EMA, regularizers, LoRA,
quantization, functional models, KerasTensors) are listed in the README's "Deliberate differences
from Keras" instead."""
import pickle
import warnings

import numpy as np
import pytest

import autograd_mini as am
import nn
from nn import Dense, Input, Sequential, losses, metrics
from nn.callbacks import EarlyStopping
from nn.optimizers import SGD, Adam, RMSprop


@pytest.fixture(autouse=True)
def _fresh_names():
    yield
    nn.utils.clear_session()


def close(value, expected, places=None, atol=1e-6, rtol=1e-6):
    value = np.asarray(value.data if isinstance(value, am.Tensor) else value, dtype=float)
    if places is not None:  # Keras's assertAlmostEqual(x, y, places)
        np.testing.assert_allclose(value, expected, atol=1.5 * 10.0 ** -places, rtol=0)
    else:
        np.testing.assert_allclose(value, expected, atol=atol, rtol=rtol)


YT = np.array([[1, 9, 2], [-5, -2, 6]])
YP = np.array([[4, 8, 12], [8, 1, 3]], dtype="float32")


# --- losses_test.py: MeanSquaredErrorTest, MeanAbsoluteErrorTest --------------------------------
class TestMeanSquaredError:
    def test_config(self):
        obj = losses.MeanSquaredError(name="mymse")
        again = losses.MeanSquaredError(**obj.get_config())
        assert again.get_config() == obj.get_config() and again.name == "mymse"

    def test_base_function_reduction(self):
        loss = losses.mean_squared_error(np.array([4, 8, 12]), np.array([[3], [0], [1]]), reduction="none")
        assert loss.shape == (3,)

    def test_all_correct_unweighted(self):
        y = np.array([[4, 8, 12], [8, 1, 3]])
        close(losses.MeanSquaredError()(y, y.astype("float32")), 0.0, places=7)

    def test_unweighted(self):
        close(losses.MeanSquaredError()(YT, YP), 49.5, places=5)

    def test_scalar_weighted(self):
        close(losses.MeanSquaredError()(YT, YP, sample_weight=2.3), 113.85, places=4)

    def test_sample_weighted(self):
        close(losses.MeanSquaredError()(YT, YP, sample_weight=np.array([[1.2], [3.4]])), 767.8 / 6, places=4)

    def test_zero_weighted(self):
        close(losses.MeanSquaredError()(YT, YP, sample_weight=0), 0.0, places=7)

    def test_no_reduction(self):
        close(losses.MeanSquaredError(reduction=None)(YT, YP, sample_weight=2.3), [84.3333, 143.3666], places=3)

    def test_sum_reduction(self):
        close(losses.MeanSquaredError(reduction="sum")(YT, YP, sample_weight=2.3), 227.69998, places=3)

    def test_mean_with_sample_weight_reduction(self):
        loss = losses.MeanSquaredError(reduction="mean_with_sample_weight")(YT, YP, sample_weight=np.array([[1.2], [3.4]]))
        close(loss, (110 / 3 * 1.2 + 187 / 3 * 3.4) / (1.2 + 3.4), places=4)


class TestMeanAbsoluteError:
    def test_config(self):
        obj = losses.MeanAbsoluteError(name="myname")
        assert losses.MeanAbsoluteError(**obj.get_config()).name == "myname"

    def test_all_correct_unweighted(self):
        y = np.array([[4, 8, 12], [8, 1, 3]])
        close(losses.MeanAbsoluteError()(y, y.astype("float32")), 0.0, places=7)

    def test_unweighted(self):
        close(losses.MeanAbsoluteError()(YT, YP), 5.5, places=5)

    def test_scalar_weighted(self):
        close(losses.MeanAbsoluteError()(YT, YP, sample_weight=2.3), 12.65, places=4)

    def test_sample_weighted(self):
        close(losses.MeanAbsoluteError()(YT, YP, sample_weight=np.array([[1.2], [3.4]])), 81.4 / 6, places=4)

    def test_zero_weighted(self):
        close(losses.MeanAbsoluteError()(YT, YP, sample_weight=0), 0.0, places=7)

    def test_no_reduction(self):
        close(losses.MeanAbsoluteError(reduction=None)(YT, YP, sample_weight=2.3), [10.7333, 14.5666], places=3)

    def test_sum_reduction(self):
        close(losses.MeanAbsoluteError(reduction="sum")(YT, YP, sample_weight=2.3), 25.29999, places=4)

    def test_mean_with_sample_weight_reduction(self):
        loss = losses.MeanAbsoluteError(reduction="mean_with_sample_weight")(YT, YP, sample_weight=np.array([[1.2], [3.4]]))
        close(loss, (14 / 3 * 1.2 + 19 / 3 * 3.4) / (1.2 + 3.4), places=4)


# --- losses_test.py: BinaryCrossentropyTest ---------------------------------------------------------
EYE = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype="float32")
BCE_T, BCE_P = np.array([1, 0, 1, 0]).reshape([2, 2]), np.array([1, 1, 1, 0], dtype="float32").reshape([2, 2])
BCE_LT, BCE_LOGITS = np.array([[1, 0, 1], [0, 1, 1]]), np.array([[10.0, -10.0, 10.0], [10.0, 10.0, -10.0]])


class TestBinaryCrossentropy:
    def test_config(self):
        obj = losses.BinaryCrossentropy(name="bce")
        assert losses.BinaryCrossentropy(**obj.get_config()).get_config() == obj.get_config()

    def test_all_correct_unweighted(self):
        close(losses.BinaryCrossentropy()(EYE, EYE), 0.0, places=6)
        logits = np.array([[10.0, -10.0, -10.0], [-10.0, 10.0, -10.0], [-10.0, -10.0, 10.0]])
        close(losses.BinaryCrossentropy(from_logits=True)(EYE, logits), 0.0, places=3)

    def test_unweighted(self):
        y_pred = np.array([[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]], dtype="float32")
        close(losses.BinaryCrossentropy()(EYE, y_pred), 0.20046903, rtol=1e-6)
        close(losses.BinaryCrossentropy()(BCE_T, BCE_P), 3.98559, places=3)
        close(losses.BinaryCrossentropy(from_logits=True)(BCE_LT, BCE_LOGITS), 3.3333, places=3)

    def test_scalar_weighted(self):
        close(losses.BinaryCrossentropy()(BCE_T, BCE_P, sample_weight=2.3), 9.1668, places=2)
        close(losses.BinaryCrossentropy(from_logits=True)(BCE_LT, BCE_LOGITS, sample_weight=2.3), 7.666, places=3)

    def test_sample_weighted(self):
        close(losses.BinaryCrossentropy()(BCE_T, BCE_P, sample_weight=np.array([1.2, 3.4]).reshape((2, 1))),
              4.7827, places=2)
        close(losses.BinaryCrossentropy(from_logits=True)(BCE_LT, BCE_LOGITS, sample_weight=np.array([4, 3])),
              10.0, places=3)

    def test_no_reduction(self):
        close(losses.BinaryCrossentropy(from_logits=True, reduction=None)(BCE_LT, BCE_LOGITS), [0.0, 6.666],
              atol=1e-3)

    def test_shape_mismatch(self):
        y_pred = np.array([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]])
        with pytest.raises(ValueError, match="must have the same shape"):
            losses.BinaryCrossentropy()(np.array([[0], [1], [2]]), y_pred)


# --- losses_test.py: CategoricalCrossentropyTest, SparseCategoricalCrossentropyTest ----------------
CCE_P = np.array([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]], dtype="float32")
CCE_LOGITS = np.array([[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0]])
ONE_HOT = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
LABELS = np.array([[0], [1], [2]])
WEIGHTS = np.array([[1.2], [3.4], [5.6]]).reshape((3, 1))


@pytest.mark.parametrize("cls, y_true", [(losses.CategoricalCrossentropy, ONE_HOT),
                                         (losses.SparseCategoricalCrossentropy, LABELS)])
class TestCategoricalCrossentropies:
    def test_config(self, cls, y_true):
        obj = cls(name="cce", from_logits=True)
        again = cls(**obj.get_config())
        assert again.get_config() == obj.get_config() and again.from_logits

    def test_all_correct_unweighted(self, cls, y_true):
        close(cls()(y_true, EYE), 0.0, places=3)
        logits = np.array([[10.0, 0.0, 0.0], [0.0, 10.0, 0.0], [0.0, 0.0, 10.0]])
        close(cls(from_logits=True)(y_true, logits), 0.0, places=3)

    def test_unweighted(self, cls, y_true):
        close(cls()(y_true, CCE_P), 0.3239, places=3)
        close(cls(from_logits=True)(y_true, CCE_LOGITS), 0.0573, places=3)

    def test_scalar_weighted(self, cls, y_true):
        close(cls()(y_true, CCE_P, sample_weight=2.3), 0.7449, places=3)
        close(cls(from_logits=True)(y_true, CCE_LOGITS, sample_weight=2.3), 0.1317, places=3)

    def test_sample_weighted(self, cls, y_true):
        close(cls()(y_true, CCE_P, sample_weight=WEIGHTS), 1.0696, places=3)
        close(cls(from_logits=True)(y_true, CCE_LOGITS, sample_weight=WEIGHTS), 0.31829, places=3)

    def test_no_reduction(self, cls, y_true):
        close(cls(from_logits=True, reduction=None)(y_true, CCE_LOGITS), (0.001822, 0.000459, 0.169846), atol=1e-5)


def test_sparse_unweighted_with_rank_1_labels():
    close(losses.SparseCategoricalCrossentropy()(np.array([0, 1, 2]), CCE_P), 0.3239, places=3)


def test_categorical_shape_mismatch():
    with pytest.raises(ValueError, match="must have the same shape"):
        losses.CategoricalCrossentropy()(np.array([[0], [1], [2]]), CCE_P)


def test_categorical_crossentropy_warns_for_one_class():
    y = np.array([[1], [1]], dtype="float32")
    with pytest.warns(SyntaxWarning, match=r"expected y_pred.shape to be \(batch_size, num_classes\)"):
        losses.categorical_crossentropy(y, np.array([[0.5], [0.5]], dtype="float32"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        losses.categorical_crossentropy(ONE_HOT, CCE_P)


def test_bad_reduction_is_refused():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="abc")


# --- metrics: accuracy_metrics_test.py, regression_metrics_test.py ---------------------------------
class TestBinaryAccuracy:
    def test_config(self):
        obj = metrics.BinaryAccuracy(name="binary_accuracy", dtype="float32")
        config = obj.get_config()
        assert obj.name == "binary_accuracy" and config["name"] == "binary_accuracy" and config["dtype"] == "float32"
        again = metrics.BinaryAccuracy.from_config(config)
        assert again.name == "binary_accuracy" and again.dtype == np.float32

    def test_unweighted(self):
        for y_true in (np.array([[1], [1], [0], [0]]), np.array([1, 1, 0, 0])):  # and the broadcasting case
            m = metrics.BinaryAccuracy(name="binary_accuracy", dtype="float32")
            m.update_state(y_true, np.array([[0.98], [1], [0], [0.6]]))
            close(m.result(), 0.75, atol=1e-3)

    def test_weighted(self):
        m = metrics.BinaryAccuracy()
        m.update_state(np.array([[1], [1], [0], [0]]), np.array([[0.98], [1], [0], [0.6]]),
                       sample_weight=np.array([1, 0, 0, 1]))
        close(m.result(), 0.5, atol=1e-3)

    def test_weighted_rank_1(self):
        m = metrics.BinaryAccuracy()
        m.update_state(np.array([1, 1, 0, 0]), np.array([0.98, 1, 0, 0.6]), sample_weight=np.array([1, 0, 0, 1]))
        close(m.result(), 0.5, atol=1e-3)

    def test_weighted_nd_weights(self):
        m = metrics.BinaryAccuracy()
        m.update_state(np.array([[1, 1], [0, 0]]), np.array([[0.98, 1], [0, 0.6]]),
                       sample_weight=np.array([[1, 0], [0, 1]]))
        close(m.result(), 0.5, atol=1e-3)

    def test_weighted_nd_broadcast_weights(self):
        m = metrics.BinaryAccuracy()
        m.update_state(np.array([[1, 1], [0, 0]]), np.array([[0.98, 1], [0, 0.6]]), sample_weight=np.array([[1, 0]]))
        close(m.result(), 1.0, atol=1e-3)

    def test_threshold(self):
        y_true, y_pred = np.array([[1], [1], [0], [0]]), np.array([[0.98], [0.5], [0.1], [0.2]])
        low, high = metrics.BinaryAccuracy(threshold=0.3), metrics.BinaryAccuracy(threshold=0.9)
        low.update_state(y_true, y_pred)
        high.update_state(y_true, y_pred)
        close(low.result(), 1.0)
        close(high.result(), 0.75)


class TestCategoricalAccuracies:
    def test_config(self):
        for cls, name in ((metrics.CategoricalAccuracy, "categorical_accuracy"),
                          (metrics.SparseCategoricalAccuracy, "sparse_categorical_accuracy")):
            config = cls(name=name, dtype="float32").get_config()
            assert config["name"] == name and config["dtype"] == "float32"
            assert cls.from_config(config).name == name

    def test_categorical_unweighted_and_weighted(self):
        y_true, y_pred = np.array([[0, 0, 1], [0, 1, 0]]), np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        m = metrics.CategoricalAccuracy()
        m.update_state(y_true, y_pred)
        close(m.result(), 0.5, atol=1e-3)
        m = metrics.CategoricalAccuracy()
        m.update_state(y_true, y_pred, sample_weight=np.array([0.7, 0.3]))
        close(m.result(), 0.3, atol=1e-3)

    def test_sparse_unweighted_and_weighted(self):
        y_true, y_pred = np.array([[2], [1]]), np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        m = metrics.SparseCategoricalAccuracy()
        m.update_state(y_true, y_pred)
        close(m.result(), 0.5, atol=1e-3)
        m = metrics.SparseCategoricalAccuracy()
        m.update_state(y_true, y_pred, sample_weight=np.array([0.7, 0.3]))
        close(m.result(), 0.3, atol=1e-3)

    @pytest.mark.parametrize("y_true, y_pred", [
        (np.array([[0], [1], [2]]), np.array([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]])),
        (np.array([0, 1], dtype=np.int64), np.array([[0.9, 0.1], [0.1, 0.9]], dtype=np.float32)),
        (np.array([[0], [0]], dtype=np.int64), np.array([[[0.9, 0.1, 0.0], [0.8, 0.15, 0.05]]], dtype=np.float32)),
        (np.array([[0], [1], [2]]), np.eye(3)),
        (np.array([0, 1, 2], dtype=np.int32), np.array([[0.9, 0.1, 0.0], [0.0, 0.9, 0.1], [0.1, 0.0, 0.9]])),
        (np.array([[0], [1]]), np.array([[0.9, 0.1], [0.1, 0.9]])),
        (np.array([2, 1, 0], dtype=np.int32), np.eye(3)[::-1].astype(np.float32)),
    ])
    def test_sparse_label_shapes(self, y_true, y_pred):
        m = metrics.SparseCategoricalAccuracy()
        m.update_state(y_true, y_pred)
        close(m.result(), 1.0, atol=1e-4)


REG_T = np.array([[0, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 0], [0, 0, 0, 0, 1]])
REG_P = np.array([[0, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 0], [1, 1, 1, 1, 1]])


@pytest.mark.parametrize("cls", [metrics.MeanSquaredError, metrics.MeanAbsoluteError])
def test_regression_metrics(cls):
    m = cls()
    m.update_state(REG_T, REG_P)
    close(m.result(), 0.5, atol=1e-5)
    close(cls()(REG_T, REG_P, sample_weight=np.array([1.0, 1.5, 2.0, 2.5])), 0.54285, atol=1e-5)
    config = cls(name="my_mae").get_config()
    assert cls.from_config(config).name == "my_mae"


def test_metric_state_accumulates_and_resets():
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [0]], [[0.9], [0.1]])   # 2 right
    m.update_state([[1], [0]], [[0.1], [0.1]])   # 1 right
    close(m.result(), 0.75)
    m.reset_state()
    close(m.result(), 0.0)


# --- optimizers: sgd_test.py, adam_test.py, rmsprop_test.py ------------------------------------------
def _one_step(optimizer):
    var = am.Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    optimizer.apply_gradients(zip([np.array([1.0, 6.0, 7.0, 2.0])], [var]))
    return var.data


def test_sgd_single_step():
    optimizer = SGD(learning_rate=0.5)
    close(_one_step(optimizer), [0.5, -1.0, -0.5, 3.0], atol=1e-4, rtol=1e-4)
    assert optimizer.iterations == 1 and optimizer.learning_rate == 0.5


def test_adam_single_step():
    close(_one_step(Adam(learning_rate=0.5)), [0.5, 1.5, 2.5, 3.5], atol=1e-4, rtol=1e-4)


def test_rmsprop_single_step():
    close(_one_step(RMSprop(learning_rate=0.5)), [-0.5811, 0.4189, 1.4189, 2.4189], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("momentum", [-1.0, 2.0])
def test_sgd_invalid_momentum(momentum):
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=momentum)


def test_sgd_correctness_with_golden():
    optimizer = SGD(nesterov=True)
    x = am.Tensor(np.ones([10]), requires_grad=True)
    grads, first_grads = np.arange(0.1, 1.1, 0.1), np.full((10,), 0.01)
    golden = np.array([
        [0.9999] * 10,
        [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
        [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
        [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
        [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599]])
    optimizer.apply_gradients(zip([first_grads], [x]))
    for i in range(5):
        close(x.data, golden[i], rtol=5e-4, atol=5e-4)
        optimizer.apply_gradients(zip([grads], [x]))


@pytest.mark.parametrize("optimizer", [SGD(learning_rate=0.5, momentum=0.06, nesterov=True),
                                       Adam(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5),
                                       RMSprop(learning_rate=0.5, rho=0.8, epsilon=1e-6)])
def test_optimizer_config_round_trip(optimizer):
    revived = type(optimizer).from_config(optimizer.get_config())
    assert revived.get_config() == optimizer.get_config()
    assert nn.optimizers.from_config(optimizer.get_config()).get_config() == optimizer.get_config()


# --- layers/core/dense_test.py -------------------------------------------------------------------
def test_dense_basics():
    layer = Dense(units=4, activation="relu", kernel_initializer="random_uniform", bias_initializer="ones",
                  use_bias=False)
    out = layer(am.Tensor(np.random.default_rng(0).normal(size=(2, 3))))
    assert out.shape == (2, 4) and len(layer.trainable_weights) == 1
    layer = Dense(units=5, activation="sigmoid")
    assert layer(am.Tensor(np.ones((2, 3, 4)))).shape == (2, 3, 5) and len(layer.trainable_weights) == 2


@pytest.mark.parametrize("units", [0, -3, 2.5, None, "64"])
def test_dense_invalid_units_raises(units):
    with pytest.raises(ValueError, match="positive integer"):
        Dense(units)


KERNEL, BIAS, INPUTS = np.array([[1.0, -2.0], [3.0, -4.0]]), np.array([5.0, -6.0]), np.array([[-1.0, 2.0]])


def test_dense_correctness():
    layer = Dense(units=2, activation="relu")
    layer.build((1, 2))
    layer.set_weights([KERNEL, BIAS])
    close(layer(INPUTS), [[10.0, 0.0]])
    layer = Dense(units=2, use_bias=False)
    layer.build((1, 2))
    layer.set_weights([KERNEL])
    assert layer.bias is None
    close(layer(INPUTS), [[5.0, -6.0]])


def test_dense_errors():
    layer = Dense(units=2, activation="relu")
    layer(np.ones((1, 2)))
    with pytest.raises(ValueError, match="incompatible with the layer"):
        layer(np.ones((1, 3)))


@pytest.mark.parametrize("activation, expected", [(None, [[5.0, -6.0]]), ("relu", [[5.0, 0.0]])])
def test_dense_activation(activation, expected):
    layer = Dense(units=2, use_bias=False, activation=activation)
    layer.build((1, 2))
    layer.set_weights([KERNEL])
    close(layer(INPUTS), expected)


def test_dense_without_activation_set():
    layer = Dense(units=2, use_bias=False, activation="relu")
    layer.build((1, 2))
    layer.set_weights([KERNEL])
    layer.activation = None  # set after construction: the next call uses it
    assert layer.bias is None
    close(layer(INPUTS), [[5.0, -6.0]])
    model = Sequential([Input(shape=(2,)), layer])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(INPUTS, [[5.0, -6.0]], verbose=0)  # and fit uses it too (linear: the loss is 0, nothing moves)
    close(layer.kernel.data, KERNEL)


# --- models/sequential_test.py -------------------------------------------------------------------
def test_basic_flow_with_input():
    for model in (Sequential(name="seq"), None):
        if model is None:
            model = Sequential(layers=[Input(shape=(2,)), Dense(4), Dense(5)])
        else:
            model.add(Input(shape=(2,)))
            model.add(Dense(4))
            model.add(Dense(5))
        assert len(model.layers) == 2 and model.built and len(model.weights) == 4
        assert model(np.random.random((3, 2))).shape == (3, 5)
    model.pop()
    assert len(model.layers) == 1 and model.built and len(model.weights) == 2
    assert model(np.random.random((3, 2))).shape == (3, 4)


def test_legacy_flow_with_input_shape():
    for first in (Dense(4, input_shape=(2,)), Dense(4, input_dim=2)):
        model = Sequential(name="seq")
        model.add(first)
        model.add(Dense(5))
        assert len(model.layers) == 2 and model.built and len(model.weights) == 4
        nn.utils.clear_session()
    model = Sequential(name="seq")  # subsequent input_shapes are ignored
    model.add(Dense(4, input_shape=(2,)))
    model.add(Dense(5, input_shape=(3, 4)))
    assert len(model.layers) == 2 and model.built and len(model.weights) == 4
    assert model(np.ones((1, 2))).shape == (1, 5)


def test_basic_flow_deferred():
    model = Sequential(name="seq")
    model.add(Dense(4))
    model.add(Dense(5))
    assert len(model.layers) == 2 and not model.built
    assert model(np.random.random((3, 2))).shape == (3, 5)
    assert model.built
    model.pop()
    assert len(model.layers) == 1 and model.built and len(model.weights) == 2
    assert model(np.random.random((3, 2))).shape == (3, 4)


def test_sequential_errors():
    model = Sequential()
    model.add(Input(shape=(2,)))
    with pytest.raises(ValueError, match="already been configured"):
        model.add(Input(shape=(2,)))
    model = Sequential()
    model.add(Dense(2, name="dense"))
    with pytest.raises(ValueError, match="should have unique names"):
        model.add(Dense(2, name="dense"))
    with pytest.raises(ValueError, match="no layers"):
        Sequential()(np.random.random((3, 2)))
    model = Sequential()
    model.add(Input(shape=(2,)))
    model.add(Dense(2))
    with pytest.raises(ValueError, match="already been configured"):
        model.build((3, 4))
    model.build((3, 2))  # but this works


def test_serialization_round_trip(tmp_path):
    for build in (False, True):
        model = Sequential(name="seq")
        model.add(Dense(4))
        model.add(Dense(5))
        if build:
            model.build((2, 3))
        model.save(tmp_path / "m.nn")
        revived = nn.load_model(tmp_path / "m.nn")
        assert len(revived.layers) == 2 and revived.built == build


def test_pickleable():
    model = Sequential(name="seq")
    model.add(Dense(4))
    assert len(pickle.loads(pickle.dumps(model)).layers) == 1


def test_bad_layer():
    with pytest.raises(TypeError, match="expects a layer"):  # Keras: ValueError (see the README)
        Sequential(name="seq").add({})


def test_compute_output_shape():
    assert Sequential([Dense(4), Dense(8)]).compute_output_shape((1, 2)) == (1, 8)


def test_layers_setter():
    with pytest.raises(AttributeError, match=r"Use `add\(\)` and `pop\(\)`|use `add\(\)` and `pop\(\)`"):
        Sequential().layers = [Dense(4)]


def test_functional_properties():
    model = Sequential(name="seq")
    model.add(Input(shape=(2,)))
    model.add(Dense(4))
    assert model.input_shape == (None, 2) and model.output_shape == (None, 4)


# --- callbacks/early_stopping_test.py --------------------------------------------------------------
RNG = np.random.default_rng(0)
X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = (RNG.random((10, 5)), RNG.random((10, 1)), RNG.random((10, 5)),
                                    RNG.random((10, 1)))


def _relu_model(metrics_=("mse",), loss="mae", optimizer="adam"):
    model = Sequential((Dense(1, activation="relu"), Dense(1, activation="relu")))
    model.compile(loss=loss, optimizer=optimizer, metrics=list(metrics_))
    return model


def test_early_stopping_modes():
    model = _relu_model(["mse", "acc", "accuracy"])
    cases = [("max", "val_mse", "max"), ("min", "val_loss", "min"), ("auto", "val_mse", "min"),
             ("auto", "loss", "min"), ("auto", "acc", "max"), ("auto", "val_accuracy", "max")]
    for mode, monitor, expected_mode in cases:
        cbks = [EarlyStopping(patience=0, monitor=monitor, mode=mode)]
        model.fit(X_TRAIN, Y_TRAIN, batch_size=5, validation_data=(X_TEST, Y_TEST), callbacks=cbks, epochs=2,
                  verbose=0)
        assert cbks[0].monitor_op is (np.greater if expected_mode == "max" else np.less)
    with pytest.raises(ValueError):
        model.fit(X_TRAIN, Y_TRAIN, batch_size=5, validation_data=(X_TEST, Y_TEST),
                  callbacks=[EarlyStopping(patience=0, monitor="unknown")], epochs=2, verbose=0)


@pytest.mark.parametrize("patience", [0, 1, 2, 3])
def test_early_stopping_patience(patience):
    stopper = EarlyStopping(monitor="loss", patience=patience)
    stopper.set_model(Sequential())
    stopper.model.compile(loss="mse", optimizer="sgd")
    stopper.on_train_begin()
    for epoch, loss in enumerate([10.0, 9.0, 8.0, 9.0, 8.9, 8.8, 8.7, 8.6, 8.5]):
        stopper.on_epoch_end(epoch=epoch, logs={"loss": loss})
        if stopper.model.stop_training:
            break
    assert stopper.stopped_epoch == max(patience, 1) + 2


def test_early_stopping_reuse():
    data = RNG.random((100, 1))
    labels = np.where(data > 0.5, 1, 0)
    model = _relu_model(["mse"], optimizer="sgd")
    stopper = EarlyStopping(monitor="mse", patience=3)
    assert len(model.fit(data, labels, callbacks=[stopper], verbose=0, epochs=20).epoch) >= 3
    assert len(model.fit(data, labels, callbacks=[stopper], verbose=0, epochs=20).epoch) >= 3


def test_state_reset_across_fit_calls():
    stopper = EarlyStopping(monitor="loss", patience=3)
    stopper.set_model(Sequential())
    stopper.on_train_begin()
    stopper.best, stopper.wait, stopper.stopped_epoch, stopper.best_epoch = 0.1, 3, 5, 5
    stopper.best_weights = object()
    stopper.on_train_begin()
    assert stopper.best is None and stopper.wait == 0 and stopper.stopped_epoch == 0
    assert stopper.best_epoch == 0 and stopper.best_weights is None


def test_early_stopping_with_baseline():
    model = _relu_model(["mse"], optimizer="sgd")
    stopper = EarlyStopping(monitor="mse", patience=3, baseline=0.6)
    assert len(model.fit(X_TRAIN, Y_TRAIN, callbacks=[stopper], verbose=0, epochs=20).epoch) >= 3


class _DummyModel:
    def __init__(self):
        self.stop_training, self.weights = False, -1

    def get_weights(self):
        return self.weights

    def set_weights(self, weights):
        self.weights = weights


def _run_dummy(stopper, losses_, stop_at=None):
    stopper.set_model(_DummyModel())
    stopper.on_train_begin()
    trained = 0
    for epoch, loss in enumerate(losses_):
        trained += 1
        stopper.model.weights = epoch
        stopper.on_epoch_end(epoch, logs={"val_loss": loss})
        if epoch == stop_at:
            stopper.model.stop_training = True
        if stopper.model.stop_training:
            break
    stopper.on_train_end()
    return trained, stopper.model.get_weights()


def test_early_stopping_final_weights_when_restoring_model_weights():
    _, weights = _run_dummy(EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True),
                            [0.2, 0.15, 0.1, 0.11, 0.12])
    assert weights == 2
    losses_ = [0.9, 0.8, 0.7, 0.71, 0.72, 0.73]
    trained, weights = _run_dummy(EarlyStopping(monitor="val_loss", patience=5, baseline=0.5,
                                                restore_best_weights=True), losses_)
    assert (trained, weights) == (5, 2)
    trained, weights = _run_dummy(EarlyStopping(monitor="val_loss", patience=5, baseline=0.5,
                                                restore_best_weights=True), losses_, stop_at=3)
    assert (trained, weights) == (4, 2)


def test_early_stopping_with_start_from_epoch():
    model = _relu_model(["mse"], optimizer="sgd")
    stopper = EarlyStopping(monitor="mse", patience=3, start_from_epoch=2)
    assert len(model.fit(X_TRAIN, Y_TRAIN, callbacks=[stopper], verbose=0, epochs=20).epoch) >= 5
    stopper = EarlyStopping(monitor="mse", patience=0, start_from_epoch=2)
    assert len(model.fit(X_TRAIN, Y_TRAIN, callbacks=[stopper], verbose=0, epochs=20).epoch) >= 2
