"""Small datasets that ship inside the ``nn`` package.

Everything here is read from files installed with the package; nothing is ever
downloaded, so these loaders work offline, in CI and from an installed wheel.

Example::

    >>> from nn.datasets import load_iris
    >>> iris = load_iris()
    >>> iris.data.shape, iris.target.shape
    ((150, 4), (150,))
    >>> iris.feature_names[3], iris.target_names.tolist()
    ('petal_width', ['setosa', 'versicolor', 'virginica'])
    >>> X, y = load_iris(return_X_y=True)
    >>> petal_width = X[:, 3:]            # shape (150, 1), float32
    >>> is_virginica = (y == 2).astype("float32")
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = ["Bunch", "load_iris"]

_PACKAGE = __name__.rpartition(".")[0] or "nn"
_IRIS_FILE = "iris.csv"
_IRIS_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
_IRIS_CLASSES = ["setosa", "versicolor", "virginica"]

_IRIS_DESCR = """\
Iris plants dataset (Fisher, 1936; the values as printed in Fisher's paper and
in R's ``iris``, which is also what scikit-learn and seaborn ship).

150 samples, 50 per class, 4 numeric features in centimetres:
sepal_length, sepal_width, petal_length, petal_width.
Classes (target 0, 1, 2): setosa, versicolor, virginica.
Rows are ordered by class: 0-49 setosa, 50-99 versicolor, 100-149 virginica.
"""


class Bunch(dict):
    """A dict whose keys can also be read as attributes (``iris.data``)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value

    def __dir__(self):
        return list(self.keys()) + list(super().__dir__())


def _data_file(name: str):
    """Return a Traversable for ``nn/data/<name>``.

    ``importlib.resources`` finds the file wherever the package lives (source
    tree, installed wheel, zip).  Python 3.11 cannot build resource paths for a
    *namespace* package whose ``__path__`` holds a non-directory entry (as with
    setuptools editable installs), so in that case fall back to the directory
    of this module.
    """
    try:
        path = resources.files(_PACKAGE).joinpath("data").joinpath(name)
        if path.is_file():
            return path
    except (NotADirectoryError, TypeError, ModuleNotFoundError):
        pass
    path = Path(__file__).resolve().parent / "data" / name
    if not path.is_file():
        raise FileNotFoundError(f"data file {name!r} is missing from the {_PACKAGE!r} package "
                                f"(is package-data 'data/*.csv' installed?)")
    return path


def _read_data_file(name: str) -> str:
    """Return the text of ``nn/data/<name>`` (works from a source tree or a wheel)."""
    return _data_file(name).read_text(encoding="utf-8")


def load_iris(*, return_X_y: bool = False, as_frame: bool = False):
    """Load Fisher's iris dataset from the copy shipped with the package.

    Parameters
    ----------
    return_X_y:
        If True, return the tuple ``(data, target)`` instead of a Bunch.
    as_frame:
        Accepted for scikit-learn compatibility; only ``False`` is supported
        (``nn`` does not depend on pandas).

    Returns
    -------
    Bunch with
        ``data``          float32 array of shape (150, 4),
        ``target``        int64 array of shape (150,) with values 0, 1, 2,
        ``feature_names`` list of the 4 column names,
        ``target_names``  array ``['setosa', 'versicolor', 'virginica']``,
        ``DESCR``         a short description,
        ``filename``      name of the data file inside ``nn/data``,
    or ``(data, target)`` when ``return_X_y=True``.

    Example
    -------
    >>> X, y = load_iris(return_X_y=True)
    >>> X[0].tolist(), int(y[0])   # doctest: +ELLIPSIS
    ([5.09..., 3.5, 1.39..., 0.20...], 0)
    """
    if as_frame:
        raise ValueError("nn.datasets.load_iris does not support as_frame=True (no pandas dependency); "
                         "use pandas.DataFrame(iris.data, columns=iris.feature_names) yourself")

    reader = csv.reader(io.StringIO(_read_data_file(_IRIS_FILE)))
    header = next(reader)
    if header != _IRIS_FEATURES + ["species"]:
        raise ValueError(f"unexpected header in {_IRIS_FILE}: {header!r}")

    rows, labels = [], []
    for record in reader:
        if not record:
            continue
        *features, species = record
        rows.append([float(v) for v in features])
        labels.append(_IRIS_CLASSES.index(species))

    data = np.asarray(rows, dtype=np.float32)
    target = np.asarray(labels, dtype=np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        feature_names=list(_IRIS_FEATURES),
        target_names=np.asarray(_IRIS_CLASSES),
        DESCR=_IRIS_DESCR,
        filename=_IRIS_FILE,
    )
