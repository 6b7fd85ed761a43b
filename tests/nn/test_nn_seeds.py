"""Each seed tutorial's Keras code, written the seed's way with nn imports, gives Keras's numbers
(reference values measured with Keras 3.15, see the nn README section)."""
import numpy as np
import pytest

import autograd_mini as am

import nn
from nn import Activation, Dense, Sequential
from nn.datasets import load_iris


# --- seed 000: house prices, one neuron ---------------------------------------------------------
def test_seed000_house_price_matches_keras(capsys):
    import nn as keras  # the seed writes keras.Sequential / keras.layers.Dense

    model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[1])])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    num_of_flats = (1, 2, 3, 4, 5, 6, 7)
    price_of_house = (10000, 20000, 30000, 40000, 50000, 60000, 70000)
    model.fit(num_of_flats, price_of_house, epochs=500)
    prediction = model.predict([10.0])
    assert prediction.shape == (1, 1) and prediction.dtype == np.float32
    assert abs(float(prediction[0, 0]) - 99711.77) < 1  # Keras 3: 99711.73 .. 99711.81 depending on init
    assert "loss:" in capsys.readouterr().out


def test_seed000_from_zero_init_is_the_articles_number():
    model = Sequential([Dense(units=1, input_shape=[1])])
    model.set_weights([np.zeros((1, 1)), np.zeros(1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    history = model.fit((1, 2, 3, 4, 5, 6, 7), (10000, 20000, 30000, 40000, 50000, 60000, 70000),
                        epochs=500, verbose=0)
    assert abs(float(model.predict([10.0], verbose=0)[0, 0]) - 99711.77) < 0.05
    assert history.history["loss"][0] == pytest.approx(2e9)  # mean(y²): the loss before the first step
    w, b = model.layers[0].get_weights()
    assert float(w[0, 0]) == pytest.approx(9942.90, abs=0.05) and float(b[0]) == pytest.approx(282.74, abs=0.05)
    # "Equivalent to: input * kernel + bias"
    assert float(10 * w[0, 0] + b[0]) == pytest.approx(float(model.predict([10.0], verbose=0)[0, 0]), rel=1e-6)


# --- seed 001: one ReLU neuron, and the dying ReLU --------------------------------------------
def _bilinear():
    x = np.linspace(0, 3, 31)
    y = np.where(x <= 1, 0.0, 2 * (x - 1))
    return np.array(x, ndmin=2).T, np.array(y, ndmin=2).T


class LossHistory(nn.callbacks.Callback):
    def on_train_begin(self, logs={}):
        self.losses = []

    def on_batch_end(self, batch, logs={}):
        self.losses.append(logs.get("loss"))


def test_seed001_single_relu_neuron_learns():
    nn.set_random_seed(0)
    model = Sequential()
    model.add(Dense(1, input_dim=1, kernel_initializer="normal"))
    model.add(Activation("relu"))
    model.compile(loss="mean_squared_error", optimizer="sgd")
    weights = model.layers[0].get_weights()
    w0, w1 = weights[0][0][0], weights[1][0]
    assert abs(w0) < 0.3 and w1 == 0.0  # N(0, 0.05²) kernel, zero bias
    X_train, Y_train = _bilinear()
    history = LossHistory()
    model.fit(X_train, Y_train, nb_epoch=2000, verbose=0, callbacks=[history])  # Keras 1's name, accepted
    weights = model.layers[0].get_weights()
    w0, w1 = weights[0][0][0], weights[1][0]
    assert w0 > 1.3 and w1 < -1.0  # the article: w0 1.69, w1 -1.54
    assert len(history.losses) == 2000 and history.losses[-1] < history.losses[0] / 5


def test_seed001_dying_relu_never_updates_and_is_reported():
    model = Sequential()
    model.add(Dense(1, input_dim=1))
    model.add(Activation("relu"))
    model.compile(loss="mean_squared_error", optimizer="sgd")
    model.layers[0].set_weights([np.array([[-0.02]]), np.array([0.0])])
    X_train, Y_train = _bilinear()
    X_train = X_train[1:]  # x > 0: the neuron outputs 0 everywhere
    model.fit(X_train, Y_train[1:], epochs=200, verbose=0)
    w, b = model.layers[0].get_weights()
    assert w[0, 0] == np.float32(-0.02) and b[0] == 0.0
    assert nn.dead_relu_units(model, X_train) == {model.layers[1].name: [0]}


# --- seed 002: iris, logistic regression and one hidden layer ----------------------------------
@pytest.fixture(scope="module")
def iris():
    return load_iris(as_frame=False)


def _logistic_regression():
    model = Sequential()
    model.add(Dense(1, input_dim=1))
    model.add(Activation("sigmoid"))
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_seed002_logistic_regression_classifies_virginica(iris):
    nn.set_random_seed(0)
    petal_width, is_virginica = iris.data[:, 3], (iris.target == 2).astype("float32")
    model = _logistic_regression()
    history = model.fit(petal_width, is_virginica, epochs=500, verbose=0)
    w, b = model.get_weights()
    assert w.shape == (1, 1) and b.shape == (1,)
    assert model.metrics_names == ["loss", "accuracy"]
    loss, accuracy = model.evaluate(petal_width, is_virginica, verbose=0)
    assert accuracy >= 0.94 and loss < 0.45  # Keras (sgd, 500 epochs): 0.9467, loss 0.36 .. 0.39
    assert list(history.history) == ["accuracy", "loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    probabilities = model.predict(np.linspace(0, 2.5, 6), verbose=0)
    assert probabilities.shape == (6, 1) and np.all(np.diff(probabilities[:, 0]) > 0)


def test_seed002_versicolor_is_stuck_for_logistic_regression(iris):
    nn.set_random_seed(0)
    petal_width, is_versicolor = iris.data[:, 3], (iris.target == 1).astype("float32")
    model = _logistic_regression()
    model.fit(petal_width, is_versicolor, epochs=500, verbose=0)
    loss, accuracy = model.evaluate(petal_width, is_versicolor, verbose=0)
    assert accuracy == pytest.approx(100 / 150)  # sigmoid is monotonic: everything predicted "no"
    assert 0.58 < loss < 0.68  # the talk: "loss around 0.63 and can't go lower"
    assert np.all(model.predict(petal_width, verbose=0) < 0.5)


def test_seed002_hidden_layer_solves_versicolor(iris):
    nn.set_random_seed(0)
    petal_width, is_versicolor = iris.data[:, 3], (iris.target == 1).astype("float32")
    model = Sequential()
    model.add(Dense(3, input_dim=1))
    model.add(Activation("sigmoid"))
    model.add(Dense(1))
    model.add(Activation("sigmoid"))
    assert model.count_params() == 10  # the talk counts 10 too
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.1), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(petal_width, is_versicolor, epochs=600, verbose=0)
    loss, accuracy = model.evaluate(petal_width, is_versicolor, verbose=0)
    assert accuracy >= 0.95 and loss < 0.2  # Keras (Adam 0.1, 600 epochs): 0.96, loss 0.113


# --- seed 003: XOR -------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seed003_xor_is_solved(seed):
    nn.set_random_seed(seed)
    training_data = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], "float32")
    target_data = np.array([[0], [1], [1], [0]], "float32")
    model = Sequential()
    model.add(Dense(16, input_dim=2, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="mean_squared_error", optimizer="adam", metrics=["binary_accuracy"])
    history = model.fit(training_data, target_data, epochs=500, verbose=0)
    accuracy = history.history["binary_accuracy"]
    first = accuracy.index(1.0) + 1  # Keras: epochs 44 .. 105 over five seeds
    assert first <= 300 and all(a == 1.0 for a in accuracy[first - 1:])
    assert model.predict(training_data, verbose=0).round().tolist() == [[0], [1], [1], [0]]


# --- seed 004: the linear unit and the 3x512 network ------------------------------------------
def test_seed004_linear_unit_weights():
    model = Sequential([Dense(units=1, input_shape=[3])])
    w, b = model.weights
    assert isinstance(w, am.Tensor) and w.requires_grad and w.name == f"{model.layers[0].name}/kernel"
    assert w.shape == (3, 1) and b.shape == (1,) and np.all(b.data == 0.0)
    assert model.count_params() == 4
    print("Weights\n{}\n\nBias\n{}".format(w, b))


def test_seed004_deep_network_shapes_and_parameters():
    model = Sequential([
        Dense(units=512, activation="relu", input_shape=[8]),
        Dense(units=512, activation="relu"),
        Dense(units=512, activation="relu"),
        Dense(units=1),
    ])
    assert [layer.count_params() for layer in model.layers] == [4608, 262656, 262656, 513]
    assert model.count_params() == 530433
    assert [tuple(w.shape) for w in model.weights] == [(8, 512), (512,), (512, 512), (512,), (512, 512),
                                                        (512,), (512, 1), (1,)]
    lines = []
    model.summary(print_fn=lines.append)
    assert " Total params: 530,433 (2.02 MB)" in lines[0]
    assert model.predict(np.ones((3, 8)), verbose=0).shape == (3, 1)
