"""The data given to fit / evaluate / predict, checked once per call before any step runs.

One pass over the arrays (cheap next to training) catches what would otherwise train on
silently: nan or inf values (one inf turns every weight into nan while the loss can stay
finite), labels a loss cannot read (binary crossentropy outside [0, 1], a sparse label of -1
taken as the last class), and data that are not numbers at all (None, ragged rows, strings,
objects). Each message names the array, says what is wrong and where, and how to fix it.

>>> import numpy as np
>>> from nn.data_checks import as_numbers
>>> as_numbers([[1, 2], [3, 4]], np.float32, "x").dtype
dtype('float32')
>>> as_numbers([[1, 2], [3]], np.float32, "x")
Traceback (most recent call last):
...
ValueError: x is ragged: its rows have different lengths (row 0 has 2 values, row 1 has 1); give every sample the same number of features
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_mini as am


def as_numbers(data: Any, dtype, what: str) -> np.ndarray:
    """`data` as a float array of `dtype`; None, ragged rows, strings and objects refused by name."""
    if data is None:
        raise TypeError(f"{what} is None; pass the data as an array, list or tuple of numbers")
    if isinstance(data, am.Tensor):
        data = data.data
    elif hasattr(data, "to_numpy"):  # pandas Series / DataFrame
        data = data.to_numpy()
    if isinstance(data, (str, bytes)):
        raise ValueError(f"{what} must be numbers (an array, list or tuple), got the string {data[:40]!r}")
    try:
        raw = np.asarray(data)
    except ValueError:
        raise ValueError(_ragged_message(data, what)) from None
    if raw.dtype.kind in "USa":
        raise ValueError(f"{what} must be numbers, but it holds strings such as {str(raw.flat[0])!r}: convert them first, "
                         f"e.g. {what} = np.asarray({what}, dtype=float), or encode categories as integers")
    if raw.dtype.kind == "O":
        raise ValueError(_object_message(raw, what))
    if raw.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be real numbers, got numpy dtype {raw.dtype}")
    return raw.astype(dtype, copy=False)


def _ragged_message(data, what: str) -> str:
    lengths = [len(row) if hasattr(row, "__len__") else 1 for row in data]
    first = next(i for i, n in enumerate(lengths) if n != lengths[0])
    return (f"{what} is ragged: its rows have different lengths (row 0 has {lengths[0]} values, row {first} has "
            f"{lengths[first]}); give every sample the same number of features")


def _object_message(raw: np.ndarray, what: str) -> str:
    for index, value in np.ndenumerate(raw):
        if value is None:
            return f"{what} holds None at index {index}; fill or drop the missing values first"
        if isinstance(value, str):
            return (f"{what} must be numbers, but it holds the string {value!r} at index {index}: convert it first, "
                    f"e.g. float(...)")
        if not isinstance(value, (int, float, np.number, bool)):
            return (f"{what} must be numbers, but it holds a {type(value).__name__} at index {index} "
                    f"(rows of different lengths or nested objects?)")
    return f"{what} must be an array of numbers, got numpy dtype object"


def check_finite(array: np.ndarray, what: str) -> None:
    """Refuse nan and inf: say how many, and the first row holding one."""
    if np.isfinite(array).all():
        return
    bad = ~np.isfinite(array)
    count = int(bad.sum())
    row = int(np.argwhere(bad)[0][0]) if array.ndim else 0
    value = array[row] if array.ndim else array
    raise ValueError(f"{what} holds {count} non-finite value{'s' if count > 1 else ''} (nan or inf); the first is in "
                     f"row {row}: {np.array2string(np.asarray(value), threshold=8)}. Training on them would turn "
                     f"the weights into nan: drop those rows (e.g. keep = np.isfinite({what}).all(axis=1)) "
                     f"or fill them in")


def check_labels(y: np.ndarray, loss_name: str | None, width: int) -> None:
    """Labels the loss can read: binary crossentropy wants [0, 1], sparse categorical
    crossentropy integers in [0, width)."""
    if loss_name == "binary_crossentropy":
        outside = (y < 0) | (y > 1)
        if outside.any():
            row = int(np.argwhere(outside)[0][0])
            classes = np.unique(y)
            hint = ""
            if len(classes) <= 20 and np.all(classes == np.round(classes)):
                k = len(classes)
                hint = (f" For {k} classes use Dense({k}, activation='softmax') with "
                        f"loss='sparse_categorical_crossentropy'.")
            raise ValueError(f"y: binary_crossentropy needs targets between 0 and 1, but y holds "
                             f"{_values(y[outside])} (the first in row {row}).{hint}")
    elif loss_name == "sparse_categorical_crossentropy":
        if y.ndim > 1 and y.shape[-1] != 1:
            raise ValueError(f"y has shape {y.shape}, one-hot rows, but sparse_categorical_crossentropy reads one "
                             f"class index per sample: use loss='categorical_crossentropy', or pass "
                             f"y.argmax(axis=-1)")
        labels = y.reshape(len(y), -1)[:, 0] if y.ndim > 1 else y
        bad = (labels < 0) | (labels >= width) | (labels != np.round(labels))
        if bad.any():
            row = int(np.argmax(bad))
            raise ValueError(f"y: sparse_categorical_crossentropy needs integer class labels 0..{width - 1} for a "
                             f"model with {width} outputs, but y holds {_values(labels[bad])} (the first in row "
                             f"{row}). Renumber the classes from 0 (e.g. y - y.min()), or give the last layer as "
                             f"many units as there are classes")


def _values(values: np.ndarray) -> str:
    unique = np.unique(values)
    shown = ", ".join(f"{v:g}" for v in unique[:5])
    return shown + (f" and {len(unique) - 5} more" if len(unique) > 5 else "")
