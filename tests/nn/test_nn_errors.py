"""Every error the nn issue lists, with the message it promises."""
import numpy as np
import pytest

import autograd_mini as am
from nn import Activation, Dense, Sequential


def _model(**compile_args):
    model = Sequential([Dense(1, input_shape=[3])])
    if compile_args:
        model.compile(**compile_args)
    return model


@pytest.mark.parametrize("call,valid", [
    (lambda: _model(optimizer="sgd", loss="mean_squared_eror"), "mean_squared_error"),
    (lambda: _model(optimizer="sgdd", loss="mse"), "sgd, adam, rmsprop"),
    (lambda: Dense(3, activation="sigmod"), "linear, sigmoid, relu, tanh, softmax"),
    (lambda: Activation("rellu"), "relu"),
    (lambda: _model(optimizer="sgd", loss="mse", metrics=["acuracy"]), "accuracy"),
    (lambda: Dense(3, kernel_initializer="glorot"), "glorot_uniform"),
])
def test_unknown_names_list_the_valid_ones(call, valid):
    with pytest.raises(ValueError, match="valid names") as info:
        call()
    assert valid in str(info.value)


def test_unknown_activation_fails_in_the_constructor():
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod'"):
        Dense(3, activation="sigmod")


def test_x_y_length_mismatch_names_both_lengths():
    model = _model(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="x has 4, y has 3"):
        model.fit(np.ones((4, 3)), [1, 2, 3], verbose=0)
    with pytest.raises(ValueError, match="x has 2, y has 1"):
        model.evaluate(np.ones((2, 3)), [1], verbose=0)


def test_input_width_mismatch_names_expected_and_given():
    model = _model(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"expects 3 features.*got 2"):
        model.fit(np.ones((4, 2)), np.ones(4), verbose=0)
    with pytest.raises(ValueError, match=r"expects 3 features.*got 5"):
        model.predict(np.ones((1, 5)), verbose=0)
    with pytest.raises(ValueError, match=r"expects 3 features per sample, but x is 1-D"):
        model.predict([1.0, 2.0, 3.0], verbose=0)
    with pytest.raises(ValueError, match=r"expects inputs with 3 features \(expected width 3\), got 2"):
        model(am.Tensor(np.ones((1, 2))))


def test_fit_and_evaluate_before_compile():
    model = _model()
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.ones((2, 3)), np.ones(2), verbose=0)
    with pytest.raises(RuntimeError, match="compile"):
        model.evaluate(np.ones((2, 3)), np.ones(2), verbose=0)
    assert model.predict(np.ones((2, 3)), verbose=0).shape == (2, 1)  # predict needs no compile


def test_set_weights_wrong_count_or_shape_names_the_layer():
    model = Sequential([Dense(2, input_dim=3, name="hidden"), Dense(1, name="out")])
    with pytest.raises(ValueError, match=r"'hidden'.*expects 2 weight arrays"):
        model.layers[0].set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"layer 'out': weight 'out/kernel' has shape \(2, 1\).*\(3, 1\)"):
        model.set_weights([np.zeros((3, 2)), np.zeros(2), np.zeros((3, 1)), np.zeros(1)])
    with pytest.raises(ValueError, match=r"has 4 weight arrays \(hidden: 2, out: 2\), got 3"):
        model.set_weights([np.zeros((3, 2)), np.zeros(2), np.zeros((2, 1))])
    before = model.get_weights()
    with pytest.raises(ValueError):
        model.set_weights([np.ones((3, 2)), np.ones(2), np.ones((2, 1)), np.ones(3)])
    for a, b in zip(model.get_weights(), before):  # nothing was half-set
        np.testing.assert_array_equal(a, b)


def test_targets_that_do_not_fit_the_output():
    model = Sequential([Dense(3, input_dim=1, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        model.fit([1.0, 2.0], [0, 2], verbose=0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="validation_split"):
        _model(optimizer="sgd", loss="mse").fit(np.ones((4, 3)), np.ones(4), validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match="too few"):
        _model(optimizer="sgd", loss="mse").fit(np.ones((1, 3)), np.ones(1), validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match="positive integer"):
        Dense(0)
    with pytest.raises(ValueError, match="input_shape"):
        Dense(1, input_shape=[0])
    with pytest.raises(TypeError, match="unexpected keyword"):
        _model(optimizer="sgd", loss="mse").fit(np.ones((2, 3)), np.ones(2), epoch=3)
    with pytest.raises(ValueError, match="no samples"):
        _model(optimizer="sgd", loss="mse").fit(np.ones((0, 3)), np.ones(0), verbose=0)
    with pytest.raises(ValueError, match="numbers"):
        _model(optimizer="sgd", loss="mse").fit([["a", "b", "c"]], [1.0], verbose=0)
