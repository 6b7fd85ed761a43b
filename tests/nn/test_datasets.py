"""Tests for nn.datasets (the iris copy shipped inside the package)."""

import hashlib
import importlib
import pickle
import socket
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import nn.datasets
from nn.datasets import load_iris

# sha256 of nn/data/iris.csv as committed (Fisher's values, as in R / scikit-learn / seaborn).
IRIS_SHA256 = "9cc1c345c71bcc9b486b74cbf6063fa66f4bb5e0f603a4b3c3471ec2e5e8e355"


def test_shapes_and_dtypes():
    iris = load_iris()
    assert iris.data.shape == (150, 4)
    assert iris.data.dtype == np.float32
    assert iris.target.shape == (150,)
    assert np.issubdtype(iris.target.dtype, np.integer)
    assert iris.feature_names == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert list(iris.target_names) == ["setosa", "versicolor", "virginica"]
    assert "Iris" in iris.DESCR


def test_class_counts_and_order():
    y = load_iris().target
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert set(y.tolist()) == {0, 1, 2}
    # rows are grouped by class, as in every canonical copy
    assert (y[:50] == 0).all() and (y[50:100] == 1).all() and (y[100:] == 2).all()


def test_known_values():
    iris = load_iris()
    np.testing.assert_allclose(iris.data[0], [5.1, 3.5, 1.4, 0.2], rtol=0, atol=1e-6)
    assert iris.target_names[iris.target[0]] == "setosa"
    np.testing.assert_allclose(iris.data[50], [7.0, 3.2, 4.7, 1.4], atol=1e-6)
    np.testing.assert_allclose(iris.data[149], [5.9, 3.0, 5.1, 1.8], atol=1e-6)
    assert iris.target_names[iris.target[149]] == "virginica"
    # Fisher/R values (the UCI file differs on these two rows)
    np.testing.assert_allclose(iris.data[34], [4.9, 3.1, 1.5, 0.2], atol=1e-6)
    np.testing.assert_allclose(iris.data[37], [4.9, 3.6, 1.4, 0.1], atol=1e-6)


def test_petal_width_and_column_statistics():
    X = load_iris().data.astype(np.float64)
    pw = X[:, 3]
    assert pw.min() == pytest.approx(0.1)
    assert pw.max() == pytest.approx(2.5)
    assert pw.sum() == pytest.approx(179.9, abs=1e-4)
    assert pw.mean() == pytest.approx(1.199333, abs=1e-6)
    assert pw.std() == pytest.approx(0.759693, abs=1e-6)  # population std (ddof=0)
    np.testing.assert_allclose(X.sum(axis=0), [876.5, 458.6, 563.7, 179.9], atol=1e-3)
    # the per-class petal-width ranges that the virginica/versicolor tutorials rely on
    y = load_iris().target
    assert pw[y == 0].max() == pytest.approx(0.6)
    assert pw[y == 2].min() == pytest.approx(1.4)


def test_return_X_y_tuple():
    X, y = load_iris(return_X_y=True)
    iris = load_iris()
    assert X.shape == (150, 4) and y.shape == (150,)
    np.testing.assert_array_equal(X, iris.data)
    np.testing.assert_array_equal(y, iris.target)


def test_as_frame_is_not_supported():
    with pytest.raises(ValueError, match="as_frame"):
        load_iris(as_frame=True)


def test_each_call_returns_fresh_arrays():
    a = load_iris()
    a.data[0, 0] = -1.0
    a.target[0] = 2
    b = load_iris()
    assert b.data[0, 0] == pytest.approx(5.1)
    assert b.target[0] == 0


def test_bunch_attribute_and_key_access():
    iris = load_iris()
    assert iris["data"] is iris.data
    with pytest.raises(AttributeError):
        iris.no_such_field
    restored = pickle.loads(pickle.dumps(iris))
    np.testing.assert_array_equal(restored.data, iris.data)


def test_data_file_is_package_data():
    import nn

    path = nn.datasets._data_file("iris.csv")
    assert path.is_file()
    assert Path(nn.datasets.__file__).resolve().parent / "data" / "iris.csv" == Path(str(path)).resolve()
    if getattr(nn, "__file__", None):  # regular package: importlib.resources must find it directly
        assert resources.files("nn").joinpath("data").joinpath("iris.csv").is_file()
    raw = path.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == IRIS_SHA256
    text = raw.decode("utf-8")
    assert text.splitlines()[0] == "sepal_length,sepal_width,petal_length,petal_width,species"
    assert len(text.splitlines()) == 151


def test_no_network_access(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("nn.datasets must not touch the network")

    monkeypatch.setattr(socket, "socket", forbidden)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    monkeypatch.setattr(socket, "getaddrinfo", forbidden)
    module = importlib.reload(nn.datasets)
    X, y = module.load_iris(return_X_y=True)
    assert X.shape == (150, 4)
    assert module.load_iris().data.shape == (150, 4)
