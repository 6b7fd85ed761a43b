"""A model call that raises leaves the model exactly as before (weights, built, compiled, optimizer state)."""
import numpy as np
import pytest

import nn
from nn import Dense, Sequential
from nn.optimizers import Adam, SGD
from model_state import assert_unchanged, fingerprint, still_trains


@pytest.fixture(autouse=True)
def _fresh_names():
    yield
    nn.utils.clear_session()


X = np.random.default_rng(2).normal(size=(16, 3))
Y = (X[:, 0] > 0).astype(float)


def _trained():
    model = Sequential([Dense(4, activation="tanh", input_shape=[3]), Dense(1, activation="sigmoid")])
    model.compile(optimizer=Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    return model


def test_failed_compile_keeps_the_optimizer_and_its_state():
    model = _trained()
    before = fingerprint(model)
    with pytest.raises(ValueError, match="unknown loss"):
        model.compile(optimizer="sgd", loss="not_a_loss")
    with pytest.raises(ValueError, match="unknown metric"):
        model.compile(optimizer=SGD(0.1), loss="mse", metrics=["accuracy", "nope"])
    assert_unchanged(before, model)
    assert isinstance(model.optimizer, Adam)
    still_trains(model, X, Y)


def test_refused_fit_on_an_unbuilt_model_does_not_build_it():
    model = Sequential([Dense(4), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError):
        model.fit(np.ones((5, 7)), np.ones((5, 2)), verbose=0)  # y's width does not fit the model
    assert not model.built and model.input_shape is None and model.weights == []
    model.fit(X, Y, verbose=0)  # and the right data still builds it
    assert model.input_shape == (None, 3)


def test_refused_predict_and_evaluate_do_not_build():
    model = Sequential([Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError):
        model.predict([[1.0, np.nan]], verbose=0)
    with pytest.raises(ValueError):
        model.evaluate([[1.0, 2.0]], [[1.0, 2.0, 3.0]], verbose=0)
    assert not model.built


class Boom(nn.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError("callback failed")


def test_fit_that_raises_midway_restores_weights_and_optimizer_state():
    model = _trained()
    before = fingerprint(model)
    with pytest.raises(RuntimeError, match="callback failed"):
        model.fit(X, Y, epochs=5, batch_size=4, callbacks=[Boom(2)], verbose=0)
    assert_unchanged(before, model)
    twin_run = model.fit(X, Y, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"]
    fresh = _trained_like(before)
    assert twin_run == fresh.fit(X, Y, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"]


def _trained_like(state):
    """A second model built from scratch with the same numbers (weights and Adam state)."""
    import copy
    model = Sequential([Dense(4, activation="tanh", input_shape=[3]), Dense(1, activation="sigmoid")])
    model.compile(optimizer=Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    dtype = model.weights[0].dtype
    model.set_weights([np.frombuffer(w[2], dtype).reshape(m.shape) for w, m in zip(state["weights"], model.weights)])
    opt = model.optimizer
    opt.bind(model.weights)
    for slots, saved in zip(opt.slots, state["optimizer"][4]):
        for name, raw in saved.items():
            slots[name][...] = np.frombuffer(raw, dtype).reshape(slots[name].shape)
    opt.iterations = state["optimizer"][2]
    return copy.deepcopy(model)


def test_set_weights_with_one_bad_array_changes_nothing():
    model = _trained()
    before = fingerprint(model)
    good = model.get_weights()
    bad = [w + 1 for w in good]
    bad[3] = np.zeros((5,))
    with pytest.raises(ValueError, match="shape"):
        model.set_weights(bad)
    assert_unchanged(before, model)


def test_failed_add_leaves_model_and_layer_alone():
    model = Sequential([Dense(2, input_shape=[3])])
    before = fingerprint(model)
    with pytest.raises(TypeError):
        model.add("dense")
    with pytest.raises(ValueError, match="Input"):
        model.add(nn.Input(shape=[4]))
    assert_unchanged(before, model)


def test_keyboard_interrupt_keeps_what_was_trained():
    model = _trained()
    before = model.get_weights()

    class Stop(nn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, epochs=3, batch_size=4, callbacks=[Stop()], verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_load_model_of_a_bad_file_returns_nothing_half_loaded(tmp_path):
    path = tmp_path / "bad.nn"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ValueError, match="bad.nn"):
        nn.load_model(path)
