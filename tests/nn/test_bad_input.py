"""Hypothesis-driven bad input over the public entry points: the right exception type, a message
that names the argument, and a model left exactly as it was."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_mini as am
import nn
from nn import Dense, Sequential
from nn.optimizers import SGD, Adam, RMSprop
from model_state import assert_unchanged, fingerprint

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
X = np.random.default_rng(0).normal(size=(8, 3))
Y = (X[:, 0] > 0).astype(float)

_MODEL = None


def model():
    """One compiled, trained model shared by the examples (every refused call must leave it alone)."""
    global _MODEL
    if _MODEL is None:
        _MODEL = Sequential([Dense(4, activation="relu", input_shape=[3]), Dense(1, activation="sigmoid")])
        _MODEL.compile(optimizer=Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
        _MODEL.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    return _MODEL


def not_an_int():
    return st.one_of(st.floats(allow_nan=True), st.text(max_size=4), st.none(), st.booleans(),
                     st.lists(st.integers(), max_size=2))


def _refused(call, argument, types=(TypeError, ValueError)):
    m = model()
    before = fingerprint(m)
    with pytest.raises(types) as err:
        call(m)
    assert argument in str(err.value), f"{argument!r} not named in: {err.value}"
    assert_unchanged(before, m)


BAD_INTS = {
    "epochs": st.one_of(st.integers(max_value=-1), not_an_int()),
    "batch_size": st.one_of(st.integers(max_value=0), not_an_int().filter(lambda v: v is not None)),
    "initial_epoch": st.one_of(st.integers(max_value=-1), not_an_int()),
}


@SETTINGS
@given(st.sampled_from(sorted(BAD_INTS)).flatmap(lambda name: st.tuples(st.just(name), BAD_INTS[name])))
def test_fit_integer_arguments(case):
    name, value = case
    _refused(lambda m: m.fit(X, Y, verbose=0, **{name: value}), name)


@SETTINGS
@given(st.one_of(st.floats().filter(lambda v: not 0.0 <= v < 1.0), st.text(max_size=3), st.none()))
def test_fit_validation_split(value):
    _refused(lambda m: m.fit(X, Y, verbose=0, validation_split=value), "validation_split")


@SETTINGS
@given(st.one_of(st.integers().filter(lambda v: v not in (0, 1, 2)), st.text(max_size=5).filter(lambda v: v != "auto"),
                 st.floats(), st.none()),
       st.sampled_from(["fit", "evaluate", "predict"]))
def test_verbose(value, method):
    args = (X,) if method == "predict" else (X, Y)
    _refused(lambda m: getattr(m, method)(*args, verbose=value), "verbose")


@SETTINGS
@given(st.one_of(st.integers(max_value=0), st.floats(), st.text(max_size=3), st.booleans()),
       st.sampled_from(["evaluate", "predict"]))
def test_evaluate_predict_batch_size(value, method):
    args = (X,) if method == "predict" else (X, Y)
    _refused(lambda m: getattr(m, method)(*args, batch_size=value, verbose=0), "batch_size")


@SETTINGS
@given(st.one_of(st.integers(), st.text(max_size=3), st.none(), st.floats()))
def test_fit_shuffle_and_evaluate_return_dict(value):
    _refused(lambda m: m.fit(X, Y, verbose=0, shuffle=value), "shuffle")
    _refused(lambda m: m.evaluate(X, Y, verbose=0, return_dict=value), "return_dict")


@SETTINGS
@given(st.one_of(st.text(max_size=6), st.integers(), st.lists(st.integers(), min_size=1, max_size=2)))
def test_fit_callbacks(value):
    _refused(lambda m: m.fit(X, Y, verbose=0, callbacks=value), "callbacks")


@SETTINGS
@given(st.text(min_size=1, max_size=8).filter(lambda k: k.isidentifier() and k not in (
    "x", "y", "epochs", "batch_size", "verbose", "callbacks", "validation_split", "validation_data", "shuffle",
    "initial_epoch", "nb_epoch")))
def test_fit_unknown_keyword(name):
    _refused(lambda m: m.fit(X, Y, verbose=0, **{name: 1}), repr(name), TypeError)


NAMES = st.text(max_size=12).filter(lambda s: s.strip().lower() not in (
    "sgd", "adam", "rmsprop", "mse", "mae", "mean_squared_error", "mean_absolute_error", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "accuracy", "acc", "binary_accuracy",
    "categorical_accuracy", "sparse_categorical_accuracy") and s == s.strip())


@SETTINGS
@given(NAMES, st.sampled_from(["optimizer", "loss", "metrics"]))
def test_compile_unknown_names(name, argument):
    kwargs = {"optimizer": "sgd", "loss": "mse", "metrics": None}
    kwargs[argument] = [name] if argument == "metrics" else name
    _refused(lambda m: m.compile(**kwargs), argument)


@SETTINGS
@given(st.one_of(st.integers(), st.floats(), st.none(), st.lists(st.integers(), max_size=2)))
def test_compile_optimizer_of_the_wrong_type(value):
    _refused(lambda m: m.compile(optimizer=value, loss="mse"), "optimizer")


def test_compile_metrics_as_a_string_says_list():
    _refused(lambda m: m.compile(optimizer="sgd", loss="mse", metrics="accuracy"), "metrics", TypeError)


def test_close_matches_are_suggested():
    m = model()
    with pytest.raises(ValueError, match="did you mean 'mean_squared_error'"):
        m.compile(optimizer="sgd", loss="mean_sqared_error")
    with pytest.raises(ValueError, match="did you mean 'adam'"):
        m.compile(optimizer="adma", loss="mse")
    with pytest.raises(ValueError, match="did you mean 'accuracy'"):
        m.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="did you mean 'relu'"):
        Dense(2, activation="rellu")
    with pytest.raises(TypeError, match="did you mean 'epochs'"):
        m.fit(X, Y, epoch=3, verbose=0)


OPTIMIZER_ARGS = [
    (SGD, "learning_rate", st.one_of(st.floats(max_value=-1e-9), st.just(float("nan")), st.just(float("inf")),
                                      st.text(max_size=3), st.booleans())),
    (SGD, "momentum", st.one_of(st.floats().filter(lambda v: not 0 <= v <= 1), st.text(max_size=2))),
    (SGD, "nesterov", st.one_of(st.integers(), st.text(max_size=2))),
    (Adam, "beta_1", st.floats().filter(lambda v: not 0 <= v < 1)),
    (Adam, "beta_2", st.floats().filter(lambda v: not 0 <= v < 1)),
    (Adam, "epsilon", st.one_of(st.floats(max_value=-1e-12), st.text(max_size=2))),
    (RMSprop, "rho", st.floats().filter(lambda v: not 0 <= v <= 1)),
    (RMSprop, "lr", st.one_of(st.floats(max_value=-1e-9), st.text(min_size=1, max_size=3))),
]


@SETTINGS
@given(st.sampled_from(range(len(OPTIMIZER_ARGS))).flatmap(
    lambda i: st.tuples(st.just(i), OPTIMIZER_ARGS[i][2])))
def test_optimizer_arguments(case):
    i, value = case
    cls, name, _ = OPTIMIZER_ARGS[i]
    with pytest.raises((TypeError, ValueError), match=name):
        cls(**{name: value})


def test_learning_rate_zero_is_valid_and_freezes_the_weights():
    w = am.Tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([w], lr=0)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_array_equal(w.data, [1.0, 2.0])
    m = Sequential([Dense(2, input_shape=[3]), Dense(1)])
    m.compile(optimizer=Adam(learning_rate=0.0), loss="mse")
    before = m.get_weights()
    m.fit(X, Y, epochs=2, verbose=0)
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)


@SETTINGS
@given(st.one_of(st.integers(max_value=0), st.floats(), st.text(max_size=3), st.none()))
def test_dense_units(value):
    with pytest.raises((TypeError, ValueError), match="units"):
        Dense(value)


@SETTINGS
@given(NAMES.filter(lambda s: s.lower() not in ("linear", "sigmoid", "relu", "tanh", "softmax")))
def test_dense_activation_names(value):
    with pytest.raises(ValueError, match="activation"):
        Dense(2, activation=value)


def test_engine_entry_points():
    with pytest.raises(TypeError, match="dtype"):
        am.set_default_dtype(None)
    assert am.get_default_dtype() == np.float32
    with pytest.raises(ValueError, match=r"axes=\(5, 0\)"):
        am.Tensor(np.ones((2, 3))).transpose(5, 0)
    with pytest.raises(TypeError, match="learning_rate"):
        SGD("0.1")


def test_learning_rate_schedule_is_refused_by_name():
    with pytest.raises(TypeError, match="learning_rate.*schedules are not supported"):
        SGD(lambda step: 0.1)


@pytest.mark.parametrize("make", [lambda: nn.losses.BinaryCrossentropy(label_smoothing=0.1),
                                  lambda: SGD(weight_decay=0.004), lambda: Adam(amsgrad=True),
                                  lambda: RMSprop(centered=True), lambda: Dense(2, kernel_regularizer="l2")])
def test_keras_options_nn_lacks_are_refused_by_name(make):
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        make()


@pytest.mark.parametrize("call, argument", [
    (lambda: Dense(2, use_bias="yes"), "use_bias"),
    (lambda: Dense(2, input_dim=-1), "input_dim"),
    (lambda: Sequential([Dense(1, input_shape=[1])]).summary(print_fn=3), "print_fn"),
    (lambda: Sequential([Dense(1, input_shape=[1])]).summary(line_lenght=80), "line_lenght"),
    (lambda: Sequential([Dense(1, input_shape=[1])]).set_weights(None), "weights"),
    (lambda: Sequential([Dense(1)]).build("x"), "input_shape"),
    (lambda: Sequential().pop(), "pop"),
    (lambda: nn.utils.set_random_seed("a"), "seed"),
    (lambda: nn.metrics.BinaryAccuracy(threshold="a"), "threshold"),
    (lambda: nn.losses.BinaryCrossentropy(from_logits="yes"), "from_logits"),
    (lambda: nn.load_model("m.nn", compile="no"), "compile"),
    (lambda: am.Tensor([1.0], requires_grad="no"), "requires_grad"),
    (lambda: SGD(0.1).apply_gradients([(1.0, 2.0)]), "grads_and_vars"),
    (lambda: SGD(0.1).apply_gradients([(np.ones(3), am.Tensor(np.ones(2)))]), "grads_and_vars"),
    (lambda: nn.plot_model(3), "model"),
    (lambda: nn.plot_model(model(), typo_option=1), "typo_option"),
    (lambda: nn.EarlyStopping(patience=-1), "patience"),
    (lambda: nn.EarlyStopping(mode="maximum"), "mode"),
    (lambda: model().fit(X, Y, validation_data=(X, Y, np.ones(len(X))), verbose=0), "validation_data"),
    (lambda: model().fit(X, Y, validation_data=X, verbose=0), "validation_data"),
])
def test_more_entry_points_name_the_argument(call, argument):
    with pytest.raises((TypeError, ValueError, IndexError)) as err:
        call()
    assert argument in str(err.value), str(err.value)


def test_draw_graph_refuses_unknown_keywords_by_name():
    w = am.Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="show_valus"):
        am.draw_graph(w * 2, show_valus=True)
