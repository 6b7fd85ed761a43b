"""fit / evaluate / predict check the data once per call: non-finite values, labels vs loss, non-numbers."""
import numpy as np
import pytest

import nn
from nn import Dense, Sequential
from model_state import assert_unchanged, fingerprint


@pytest.fixture(autouse=True)
def _fresh_names():
    yield
    nn.utils.clear_session()


def _binary():
    model = Sequential([Dense(4, activation="relu", input_shape=[2]), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _softmax(loss="sparse_categorical_crossentropy"):
    model = Sequential([Dense(4, activation="relu", input_shape=[2]), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss=loss)
    return model


X = np.random.default_rng(0).normal(size=(10, 2))
Y = (X[:, 0] > 0).astype(float)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_non_finite_x_is_refused_naming_count_and_first_row(method, bad):
    model = _binary()
    x = X.copy()
    x[3, 1] = bad
    x[7, 0] = bad
    before = fingerprint(model)
    args = (x,) if method == "predict" else (x, Y)
    with pytest.raises(ValueError, match=r"x holds 2 non-finite values.*row 3") as err:
        getattr(model, method)(*args, verbose=0)
    assert "drop those rows" in str(err.value)
    assert_unchanged(before, model)


def test_non_finite_y_and_validation_data_are_refused():
    model = _binary()
    y = Y.copy()
    y[4] = np.nan
    with pytest.raises(ValueError, match=r"y holds 1 non-finite value .*row 4"):
        model.fit(X, y, verbose=0)
    x_val = X.copy()
    x_val[0, 0] = np.inf
    with pytest.raises(ValueError, match="non-finite"):
        model.fit(X, Y, validation_data=(x_val, Y), verbose=0)


def test_binary_crossentropy_refuses_labels_outside_0_1_with_the_fix():
    model = _binary()
    before = fingerprint(model)
    with pytest.raises(ValueError, match=r"between 0 and 1.*holds 2 \(the first in row 2\).*"
                                         r"Dense\(3, activation='softmax'\).*sparse_categorical_crossentropy"):
        model.fit(X, np.array([0, 1, 2, 0, 1, 2, 0, 1, 0, 1.0]), verbose=0)
    assert_unchanged(before, model)
    with pytest.raises(ValueError, match="between 0 and 1"):
        model.evaluate(X, -Y, verbose=0)


def test_binary_crossentropy_loss_object_is_checked_too():
    model = Sequential([Dense(1, input_shape=[2])])
    model.compile(optimizer="sgd", loss=nn.losses.BinaryCrossentropy(from_logits=True))
    with pytest.raises(ValueError, match="between 0 and 1"):
        model.fit(X, Y * 3, verbose=0)
    model.fit(X, Y * 0.5, verbose=0)  # soft targets inside [0, 1] are fine


@pytest.mark.parametrize("labels, shown", [([-1], "-1"), ([3], "3"), ([0.5], "0.5")])
def test_sparse_labels_outside_the_classes_are_refused(labels, shown):
    model = _softmax()
    y = np.zeros(10)
    y[6] = labels[0]
    before = fingerprint(model)
    with pytest.raises(ValueError, match=rf"integer class labels 0\.\.2 .* 3 outputs.*holds {shown} "
                                         rf"\(the first in row 6\).*Renumber"):
        model.fit(X, y, verbose=0)
    assert_unchanged(before, model)


def test_sparse_loss_with_one_hot_rows_says_which_loss_fits():
    model = _softmax()
    with pytest.raises(ValueError, match="one-hot.*categorical_crossentropy.*argmax"):
        model.fit(X, np.eye(3)[np.arange(10) % 3], verbose=0)


def test_categorical_one_hot_of_the_wrong_width_is_refused():
    model = _softmax("categorical_crossentropy")
    with pytest.raises(ValueError, match=r"y has shape \(10, 4\) but the model outputs 3"):
        model.fit(X, np.eye(4)[np.arange(10) % 4], verbose=0)
    with pytest.raises(ValueError, match="one-hot encode y"):
        model.fit(X, np.arange(10) % 3, verbose=0)


@pytest.mark.parametrize("data, message", [
    (None, "x is None"),
    ([[1.0, 2.0], [3.0]], "x is ragged.*row 1 has 1"),
    ([[1.0, None], [3.0, 4.0]], r"x holds None at index \(0, 1\)"),
    ([["1.0", "2.0"]], "x must be numbers.*strings such as '1.0'"),
    ("12", "x must be numbers.*string '12'"),
    (np.array([[1.0, "a"]], dtype=object), "x must be numbers.*string 'a'"),
    ([[1.0, {"a": 1}]], "x must be numbers.*dict"),
])
@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_non_numbers_are_refused_by_name(method, data, message):
    model = _binary()
    before = fingerprint(model)
    args = (data,) if method == "predict" else (data, np.zeros(1))
    with pytest.raises((TypeError, ValueError), match=message):
        getattr(model, method)(*args, verbose=0)
    assert_unchanged(before, model)


def test_predict_none_is_a_type_error_not_nan():
    with pytest.raises(TypeError, match="x is None"):
        _binary().predict(None, verbose=0)


def test_y_none_is_refused_by_name():
    with pytest.raises(TypeError, match="y is None"):
        _binary().fit(X, None, verbose=0)


def test_good_data_still_trains():
    model = _binary()
    history = model.fit(X, Y, epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    sparse = _softmax()
    sparse.fit(X, np.arange(10) % 3, epochs=2, verbose=0)
