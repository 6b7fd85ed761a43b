"""Save/load keeps everything (dtypes, optimizer state, custom objects); bad files and paths fail clearly."""
import os
import pathlib

import numpy as np
import pytest

import autograd_mini as am
import nn
from nn import Dense, Sequential
from nn.optimizers import Adam


@pytest.fixture(autouse=True)
def _fresh_names():
    yield
    nn.utils.clear_session()


X = np.random.default_rng(1).normal(size=(24, 2))
Y = (X[:, :1] * X[:, 1:] > 0).astype(float)


def swish(x):
    return x * nn.activations.sigmoid(x)


def tiny_init(shape, dtype):
    return np.full(shape, 0.01, dtype)


def doubled_mse(y_true, y_pred):
    return nn.losses.mse(y_true, y_pred) * 2.0


def _float64_model():
    am.set_default_dtype("float64")
    try:
        model = Sequential([Dense(4, activation="tanh", input_shape=[2]), Dense(1, activation="sigmoid")])
    finally:
        am.set_default_dtype("float32")
    model.compile(optimizer=Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    return model


def test_float64_model_reloads_as_float64_and_trains_on_identically(tmp_path):
    model = _float64_model()
    model.save(tmp_path / "m.nn")
    loaded = nn.load_model(tmp_path / "m.nn")
    assert [w.dtype for w in loaded.weights] == [np.float64] * 4
    assert loaded.predict(X, verbose=0).dtype == np.float64
    for a, b in zip(model.optimizer.slots, loaded.optimizer.slots):  # Adam's m and v came back
        np.testing.assert_array_equal(a["m"], b["m"])
        np.testing.assert_array_equal(a["v"], b["v"])
    assert loaded.optimizer.iterations == model.optimizer.iterations
    a = model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    b = loaded.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    assert a == b
    for w_a, w_b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(w_a, w_b)


def test_custom_activation_initializer_and_loss_through_custom_objects(tmp_path):
    model = Sequential([Dense(3, activation=swish, kernel_initializer=tiny_init, input_shape=[2]), Dense(1)])
    model.compile(optimizer="sgd", loss=doubled_mse)
    model.save(tmp_path / "m.nn")
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*custom_objects=\{'swish': swish\}"):
        nn.load_model(tmp_path / "m.nn")
    with pytest.raises(ValueError, match="tiny_init"):
        nn.load_model(tmp_path / "m.nn", custom_objects={"swish": swish})
    with pytest.raises(ValueError, match="doubled_mse"):
        nn.load_model(tmp_path / "m.nn", custom_objects={"swish": swish, "tiny_init": tiny_init})
    loaded = nn.load_model(tmp_path / "m.nn", custom_objects={"swish": swish, "tiny_init": tiny_init,
                                                                 "doubled_mse": doubled_mse})
    assert loaded.layers[0].activation is swish and loaded.layers[0].kernel_initializer is tiny_init
    assert loaded.loss.fn is doubled_mse
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert nn.load_model(tmp_path / "m.nn", compile=False,
                         custom_objects={"swish": swish, "tiny_init": tiny_init}).optimizer is None


class HalfMSE(nn.losses.MeanSquaredError):
    name = "half_mse"

    def __call__(self, y_true, y_pred, sample_weight=None):
        return super().__call__(y_true, y_pred) * 0.5


def test_custom_loss_class_comes_back_as_an_instance(tmp_path):
    model = Sequential([Dense(1, input_shape=[2])])
    model.compile(optimizer="sgd", loss=HalfMSE())
    model.save(tmp_path / "m.nn")
    with pytest.raises(ValueError, match="HalfMSE"):
        nn.load_model(tmp_path / "m.nn")
    loaded = nn.load_model(tmp_path / "m.nn", custom_objects={"HalfMSE": HalfMSE})
    assert isinstance(loaded.loss.fn, HalfMSE)
    assert loaded.evaluate(X, Y, verbose=0) == pytest.approx(model.evaluate(X, Y, verbose=0))


@pytest.mark.parametrize("bad", [None, 3, 2.5, b"", ["m.nn"], ""])
def test_path_of_the_wrong_type_is_a_type_error(tmp_path, bad):
    with pytest.raises(TypeError, match="filepath"):
        nn.load_model(bad)
    with pytest.raises(TypeError, match="filepath"):
        Sequential([Dense(1, input_shape=[1])]).save(bad)


def test_custom_objects_must_be_a_dict(tmp_path):
    Sequential([Dense(1, input_shape=[1])]).save(tmp_path / "m.nn")
    with pytest.raises(TypeError, match="custom_objects"):
        nn.load_model(tmp_path / "m.nn", custom_objects=[swish])


def test_failed_save_leaves_the_existing_file_as_it_was(tmp_path, monkeypatch):
    model = _float64_model()
    path = tmp_path / "m.nn"
    model.save(path)
    before = path.read_bytes()
    model.layers[0].kernel.data[...] = 7.0
    import nn.saving as saving

    def broken(array):
        raise OSError("disk full")
    monkeypatch.setattr(saving, "_npy", broken)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.nn"]
    assert not np.any(nn.load_model(path).layers[0].kernel.data == 7.0)


@pytest.fixture(scope="module")
def saved_bytes(tmp_path_factory):
    model = Sequential([Dense(3, activation="relu", input_shape=[2]), Dense(1, activation="sigmoid")])
    model.compile(optimizer=Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("fuzz") / "m.nn"
    model.save(path)
    nn.utils.clear_session()
    return path.read_bytes()


def _damaged(data: bytes, rng: np.random.Generator):
    """Truncations at every length class, single and multiple byte flips, anywhere in the file."""
    for cut in sorted(set(np.linspace(0, len(data) - 1, 60).astype(int))):
        yield f"truncated to {cut} bytes", data[:cut]
    for i in rng.choice(len(data), size=min(len(data), 250), replace=False):
        flipped = bytearray(data)
        flipped[i] ^= 1 << int(rng.integers(8))
        yield f"bit flip at {i}", bytes(flipped)
    for _ in range(40):
        flipped = bytearray(data)
        for i in rng.choice(len(data), size=8, replace=False):
            flipped[i] = int(rng.integers(256))
        yield "8 random bytes", bytes(flipped)
    yield "a foreign zip", _foreign_zip()
    yield "a text file", b"hello, world\n" * 20


def _foreign_zip() -> bytes:
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("config.json", '{"format": "keras"}')
    return buffer.getvalue()


def test_every_corrupt_truncated_or_foreign_file_raises_value_error_naming_the_file(saved_bytes, tmp_path):
    """A damaged file either loads as a complete, working model (a flip in a spot nothing
    depends on, such as a zip comment or timestamp) or raises ValueError naming the file."""
    path = tmp_path / "damaged.nn"
    rng = np.random.default_rng(0)
    outcomes = {"ValueError": 0, "loaded": 0}
    for what, data in _damaged(saved_bytes, rng):
        path.write_bytes(data)
        try:
            model = nn.load_model(path)
        except ValueError as err:
            assert str(path) in str(err), (what, err)
            outcomes["ValueError"] += 1
        except Exception as err:  # noqa: BLE001 -- the point of the test
            pytest.fail(f"{what}: {type(err).__name__}: {err}")
        else:
            outcomes["loaded"] += 1
            assert model.predict(X[:2], verbose=0).shape == (2, 1)
    assert outcomes["ValueError"] > 250  # most damage is caught (CRCs cover the data); the rest is harmless


def test_a_directory_or_missing_file_keeps_its_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load_model(tmp_path / "missing.nn")
    with pytest.raises((IsADirectoryError, PermissionError)):
        nn.load_model(tmp_path)
    with pytest.raises(FileNotFoundError):
        nn.load_model(pathlib.Path(tmp_path / "missing.nn"))


class Doubling(nn.Layer):
    """A user's layer without weights: saved by class name, rebuilt through custom_objects."""
    default_name = "doubling"

    def call(self, x):
        return x * 2.0


def test_custom_layer_class_through_custom_objects(tmp_path):
    model = Sequential([Dense(2, input_shape=[2]), Doubling()])
    model.save(tmp_path / "m.nn")
    with pytest.raises(ValueError, match=r"unknown layer class 'Doubling'.*custom_objects=\{'Doubling': Doubling\}"):
        nn.load_model(tmp_path / "m.nn")
    loaded = nn.load_model(tmp_path / "m.nn", custom_objects={"Doubling": Doubling})
    assert isinstance(loaded.layers[1], Doubling)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
