"""Metrics with Keras's names: numbers that report progress; computed with numpy, outside the graph.

>>> from nn import metrics
>>> metrics.binary_accuracy([1, 0, 1], [0.9, 0.2, 0.4])   # 0.4 <= 0.5 counts as class 0
Tensor(0.6666667)

The functions return the mean over samples (what fit reports) as a Tensor without a graph.
In fit, a metric is averaged over every sample seen in the epoch, on the predictions made
before each step's update (as Keras does).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograd_mini import Tensor

Total = Callable[[np.ndarray, np.ndarray], float]  # (y_true, y_pred) -> sum over samples of the metric


def _binary_accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> float:
    # a sample's accuracy is the fraction of its outputs on the right side of the threshold
    return np.count_nonzero(y_true == (y_pred > threshold)) / y_pred.shape[-1]


def _categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return np.count_nonzero(y_true.argmax(axis=-1) == y_pred.argmax(axis=-1))


def _sparse_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    labels = y_true.reshape(y_pred.shape[:-1]).astype(np.int64)
    return np.count_nonzero(labels == y_pred.argmax(axis=-1))


def _mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.abs(y_pred - y_true).sum()) / y_pred.shape[-1]


def _mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.square(y_pred - y_true).sum()) / y_pred.shape[-1]


def _arrays(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_pred = np.asarray(y_pred.data if isinstance(y_pred, Tensor) else y_pred, dtype=float)
    y_true = np.asarray(y_true.data if isinstance(y_true, Tensor) else y_true, dtype=y_pred.dtype)
    if y_pred.ndim == 1 and y_true.ndim == 1:  # a column of single outputs
        y_pred, y_true = y_pred[:, None], y_true[:, None]
    elif y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true[..., None]
    return y_true, y_pred


def _mean(total: float, y_pred: np.ndarray) -> Tensor:
    samples = max(y_pred.size // y_pred.shape[-1], 1) if y_pred.ndim else 1
    return Tensor(np.asarray(total / samples, dtype=np.float32))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    """Fraction of outputs on the right side of `threshold` (y_pred > threshold means class 1)."""
    y_true, y_pred = _arrays(y_true, y_pred)
    return _mean(_binary_accuracy(y_true, y_pred, threshold), y_pred)


def categorical_accuracy(y_true, y_pred) -> Tensor:
    """Fraction of samples whose largest output is the one-hot target's class."""
    y_true, y_pred = _arrays(y_true, y_pred)
    return _mean(_categorical_accuracy(y_true, y_pred), y_pred)


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    """Fraction of samples whose largest output is the integer label."""
    y_pred = np.asarray(y_pred.data if isinstance(y_pred, Tensor) else y_pred)
    y_true = np.asarray(y_true.data if isinstance(y_true, Tensor) else y_true)
    return _mean(_sparse_categorical_accuracy(y_true, y_pred), y_pred)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    y_true, y_pred = _arrays(y_true, y_pred)
    return _mean(_mean_absolute_error(y_true, y_pred), y_pred)


def mean_squared_error(y_true, y_pred) -> Tensor:
    y_true, y_pred = _arrays(y_true, y_pred)
    return _mean(_mean_squared_error(y_true, y_pred), y_pred)


mae, mse = mean_absolute_error, mean_squared_error


@dataclass(frozen=True)
class MetricSpec:
    """A compiled metric: the name it is logged under and its numpy function, which returns the
    sum over the batch's samples (fit divides the epoch's sum by the samples seen)."""
    name: str
    total: Total


class Metric:
    """Keras's metric objects for compile(metrics=[...]): BinaryAccuracy(threshold=0.5), ...

    As in Keras they keep a running weighted mean: `update_state(y_true, y_pred, sample_weight=None)`
    adds a batch, `result()` is the mean so far, `reset_state()` starts again; calling the object
    does update_state and returns result().

    >>> m = BinaryAccuracy()
    >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]); float(m.result())
    0.75
    """
    name = "metric"

    def __init__(self, name: str | None = None, dtype=None):
        self.name = name or type(self).name
        self.dtype = np.dtype("float32" if dtype is None else dtype)
        self.reset_state()

    def total(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return _TOTALS[type(self).name](y_true, y_pred)

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """The metric per sample (or per output, for binary accuracy), as Keras's function gives it."""
        return _VALUES[type(self).name](y_true, y_pred)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        values = self.values(*_state_arrays(self, y_true, y_pred))
        if sample_weight is None:
            self._total += float(values.sum())
            self._count += values.size
            return
        weights = np.asarray(sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight, dtype=float)
        while values.ndim > weights.ndim and values.ndim:  # Keras: values reduced to the weights' rank
            values = values.mean(axis=-1)
        weights = np.broadcast_to(weights, values.shape)
        self._total += float((values * weights).sum())
        self._count += float(weights.sum())

    def result(self) -> Tensor:
        return Tensor(np.asarray(self._total / self._count if self._count else 0.0, dtype=self.dtype))

    def reset_state(self) -> None:
        self._total, self._count = 0.0, 0.0

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": str(self.dtype)}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)


class BinaryAccuracy(Metric):
    name = "binary_accuracy"

    def __init__(self, name: str | None = None, dtype=None, threshold: float = 0.5):
        from .validation import check_number
        self.threshold = check_number("BinaryAccuracy", "threshold", threshold)
        super().__init__(name, dtype)

    def total(self, y_true, y_pred):
        return _binary_accuracy(y_true, y_pred, self.threshold)

    def values(self, y_true, y_pred):
        return (y_true == (y_pred > self.threshold)).astype(float)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


class CategoricalAccuracy(Metric):
    name = "categorical_accuracy"


class SparseCategoricalAccuracy(Metric):
    name = "sparse_categorical_accuracy"


class MeanAbsoluteError(Metric):
    name = "mean_absolute_error"


class MeanSquaredError(Metric):
    name = "mean_squared_error"


def _state_arrays(metric: Metric, y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(metric, SparseCategoricalAccuracy):  # integer labels: no reshaping to y_pred's shape
        return (np.asarray(y_true.data if isinstance(y_true, Tensor) else y_true),
                np.asarray(y_pred.data if isinstance(y_pred, Tensor) else y_pred, dtype=float))
    return _arrays(y_true, y_pred)


def _sparse_values(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    labels = y_true.astype(np.int64)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:  # (n, 1) labels: one per sample
        labels = labels[..., 0]
    return (labels.reshape(-1) == y_pred.argmax(axis=-1).reshape(-1)).astype(float)


_VALUES = {
    "categorical_accuracy": lambda t, p: (t.argmax(axis=-1) == p.argmax(axis=-1)).astype(float),
    "sparse_categorical_accuracy": _sparse_values,
    "mean_absolute_error": lambda t, p: np.abs(p - t).mean(axis=-1),
    "mean_squared_error": lambda t, p: np.square(p - t).mean(axis=-1),
}


METRIC_CLASSES = {cls.__name__: cls for cls in (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                                                 MeanAbsoluteError, MeanSquaredError)}
_TOTALS: dict[str, Total] = {
    "binary_accuracy": _binary_accuracy,
    "categorical_accuracy": _categorical_accuracy,
    "sparse_categorical_accuracy": _sparse_categorical_accuracy,
    "mean_absolute_error": _mean_absolute_error,
    "mean_squared_error": _mean_squared_error,
}
_ALIASES = {"mae": "mean_absolute_error", "mse": "mean_squared_error"}
VALID_NAMES = ("accuracy", "acc", *_TOTALS, *_ALIASES)


def check(identifier) -> None:
    """Raise ValueError for an unknown metric name (compile calls this, before any data is seen)."""
    if isinstance(identifier, dict) and identifier.get("class_name") in METRIC_CLASSES:
        return
    if not callable(identifier) and str(identifier).lower() not in VALID_NAMES:
        from .validation import unknown_name
        raise ValueError("metrics: " + unknown_name("metric", identifier, VALID_NAMES))


def from_config(config):
    """The inverse of to_config: a name stays a name, a dict becomes its metric object."""
    if isinstance(config, dict):
        return METRIC_CLASSES[config["class_name"]](**config.get("config", {}))
    return config


def to_config(identifier):
    """What save() records for a compiled metric: its name, or {"class_name", "config"} for an object."""
    if isinstance(identifier, Metric):
        return {"class_name": type(identifier).__name__, "config": identifier.get_config()}
    return identifier if isinstance(identifier, str) else getattr(identifier, "__name__", "custom_metric")


def get(identifier, loss_name: str, output_width: int, sparse_targets: bool) -> MetricSpec:
    """Resolve a metric for a model, as Keras does: "accuracy" means binary accuracy for one
    output or binary crossentropy, sparse categorical accuracy for integer labels, categorical
    otherwise. The logged name is the one the user wrote ("acc" stays "acc")."""
    check(identifier)
    identifier = from_config(identifier)
    if isinstance(identifier, Metric):
        return MetricSpec(identifier.name, identifier.total)
    if callable(identifier):
        name = getattr(identifier, "__name__", "custom_metric")

        def total(y_true, y_pred, fn=identifier):
            # a custom metric returns per-sample values or their mean; either way, weight by samples
            value = fn(Tensor._make(y_true, None), Tensor._make(y_pred, None))
            value = np.asarray(value.data if isinstance(value, Tensor) else value, dtype=float)
            return float(value.sum()) if value.ndim else float(value) * len(y_pred)
        return MetricSpec(name, total)
    name = str(identifier)
    key = name.lower()
    if key in ("accuracy", "acc"):
        if output_width == 1 or loss_name == "binary_crossentropy":
            key = "binary_accuracy"
        elif sparse_targets or loss_name == "sparse_categorical_crossentropy":
            key = "sparse_categorical_accuracy"
        else:
            key = "categorical_accuracy"
    return MetricSpec(name, _TOTALS[_ALIASES.get(key, key)])
