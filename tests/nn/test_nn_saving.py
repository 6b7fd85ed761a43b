"""save / load_model: round trip of architecture, weights and optimizer; bad files raise ValueError."""
import io
import json
import os
import zipfile

import numpy as np
import pytest

import nn
from nn import Activation, Dense, Sequential


@pytest.fixture
def trained(tmp_path):
    nn.set_random_seed(1)
    model = Sequential([Dense(3, input_dim=2), Activation("tanh"), Dense(1, activation="sigmoid")], name="xor")
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
    y = np.array([0, 1, 1, 0], dtype="float32")
    model.fit(x, y, epochs=20, verbose=0)
    path = tmp_path / "xor.nn"
    model.save(path)
    return model, path, x, y


def test_round_trip(trained):
    model, path, x, y = trained
    loaded = nn.load_model(path)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    assert loaded.name == "xor" and loaded.layers[2].activation_name == "sigmoid"
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert [w.name for w in loaded.weights] == [w.name for w in model.weights]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations
    assert loaded.loss.name == "binary_crossentropy" and loaded.compiled_metrics == ["accuracy"]
    # training continues exactly as the original would (optimizer state restored)
    nn.set_random_seed(7)
    model.fit(x, y, epochs=5, verbose=0)
    nn.set_random_seed(7)
    loaded.fit(x, y, epochs=5, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_format_is_documented_npz_layout(trained):
    _, path, _, _ = trained
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
        assert config["format"] == "autograd_mini.nn" and config["version"] == 1
        assert [w["name"].split("/")[1] for w in config["weights"]] == ["kernel", "bias"] * 2
        assert config["compile"]["loss"] == "binary_crossentropy"
        assert "weights/0000.npy" in zf.namelist()
    with np.load(path) as archive:  # numpy can read it too
        assert archive["weights/0000"].shape == (2, 3)


def test_unbuilt_and_uncompiled_models(tmp_path):
    model = Sequential([Dense(2), Dense(1)])
    model.save(tmp_path / "m")
    loaded = nn.load_model(tmp_path / "m")
    assert not loaded.built and loaded.optimizer is None and len(loaded.layers) == 2


def test_save_is_atomic_and_leaves_no_temporary_files(trained, tmp_path):
    model, path, _, _ = trained
    before = path.read_bytes()
    model.save(path)  # overwrite
    assert sorted(os.listdir(tmp_path)) == ["xor.nn"]
    assert zipfile.ZipFile(path).testzip() is None and len(path.read_bytes()) == len(before)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "empty"])
def test_corrupt_files_raise_value_error(trained, tmp_path, damage):
    _, path, _, _ = trained
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(b"not a model at all" * 10)
    elif damage == "flip":  # corrupt compressed weight bytes in the middle: the zip CRC catches it
        for i in range(len(data) // 3, len(data) // 3 + 40):
            data[i] ^= 0xFF
    else:
        data = bytearray()
    bad = tmp_path / "bad.nn"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="cannot load a model from"):
        nn.load_model(bad)


def _rewrite(path, out, edit_config=None, drop=None, replace=None):
    with zipfile.ZipFile(path) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    if edit_config:
        config = json.loads(entries["config.json"])
        edit_config(config)
        entries["config.json"] = json.dumps(config).encode()
    if drop:
        del entries[drop]
    for name, array in (replace or {}).items():
        buffer = io.BytesIO()
        np.save(buffer, array)
        entries[name] = buffer.getvalue()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)


def test_mismatched_weight_shape_names_the_layer(trained, tmp_path):
    _, path, _, _ = trained
    _rewrite(path, tmp_path / "m.nn", replace={"weights/0002.npy": np.zeros((4, 1), "float32")})
    with pytest.raises(ValueError, match=r"layer 'dense_\d+'.*shape \(3, 1\).*\(4, 1\)"):
        nn.load_model(tmp_path / "m.nn")


def test_missing_weight_file(trained, tmp_path):
    _, path, _, _ = trained
    _rewrite(path, tmp_path / "m.nn", drop="weights/0001.npy")
    with pytest.raises(ValueError, match="corrupt, truncated"):
        nn.load_model(tmp_path / "m.nn")


def test_wrong_format_or_version_or_layer(trained, tmp_path):
    _, path, _, _ = trained
    _rewrite(path, tmp_path / "a.nn", edit_config=lambda c: c.update(format="something else"))
    with pytest.raises(ValueError, match="does not describe"):
        nn.load_model(tmp_path / "a.nn")
    _rewrite(path, tmp_path / "b.nn", edit_config=lambda c: c.update(version=99))
    with pytest.raises(ValueError, match="version 99"):
        nn.load_model(tmp_path / "b.nn")
    _rewrite(path, tmp_path / "c.nn", edit_config=lambda c: c["model"]["layers"][0].update(class_name="Conv2D"))
    with pytest.raises(ValueError, match="unknown layer class 'Conv2D'"):
        nn.load_model(tmp_path / "c.nn")
    _rewrite(path, tmp_path / "d.nn", edit_config=lambda c: c["model"]["layers"][0]["config"].update(units=5))
    with pytest.raises(ValueError, match="cannot load"):
        nn.load_model(tmp_path / "d.nn")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load_model(tmp_path / "nope.nn")


def test_custom_loss_needs_custom_objects(tmp_path):
    def my_loss(y_true, y_pred):
        return nn.losses.mse(y_true, y_pred) * 2.0
    model = Sequential([Dense(1, input_dim=1)])
    model.compile(optimizer="sgd", loss=my_loss)
    model.save(tmp_path / "m.nn")
    with pytest.raises(ValueError, match="custom_objects"):
        nn.load_model(tmp_path / "m.nn")
    assert nn.load_model(tmp_path / "m.nn", custom_objects={"my_loss": my_loss}).loss.fn is my_loss
    assert nn.load_model(tmp_path / "m.nn", compile=False).optimizer is None


def test_loss_and_metric_objects_round_trip(tmp_path):
    model = Sequential([Dense(1, input_dim=1)])
    model.compile(optimizer=nn.optimizers.SGD(0.1, momentum=0.5), loss=nn.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[nn.metrics.BinaryAccuracy(threshold=0.0), "mae"])
    model.fit([-1.0, 1.0], [0.0, 1.0], epochs=2, verbose=0)
    model.save(tmp_path / "m.nn")
    loaded = nn.load_model(tmp_path / "m.nn")
    assert loaded.loss.fn.from_logits and loaded.loss.fuses_with is None
    assert loaded.compiled_metrics[0].threshold == 0.0 and loaded.compiled_metrics[1] == "mae"
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.evaluate([-1.0, 1.0], [0.0, 1.0], verbose=0) == model.evaluate([-1.0, 1.0], [0.0, 1.0], verbose=0)
