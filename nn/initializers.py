"""Weight initializers with Keras's names and formulas (all draw from nn.utils.rng()).

>>> from nn import initializers
>>> initializers.get("glorot_uniform")((3, 2), "float32").shape
(3, 2)

fan_in/fan_out of a kernel of shape (inputs, units) are inputs and units, as in Keras.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .utils import rng

Initializer = Callable[[tuple, np.dtype], np.ndarray]


def zeros(shape: tuple, dtype) -> np.ndarray:
    return np.zeros(shape, dtype=dtype)


def ones(shape: tuple, dtype) -> np.ndarray:
    return np.ones(shape, dtype=dtype)


def _fans(shape: tuple) -> tuple[int, int]:
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[-2], shape[-1]


def glorot_uniform(shape: tuple, dtype) -> np.ndarray:
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)): Keras's default kernel initializer."""
    fan_in, fan_out = _fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng().uniform(-limit, limit, size=shape).astype(dtype)


def glorot_normal(shape: tuple, dtype) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    return _truncated_normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), dtype)


def he_uniform(shape: tuple, dtype) -> np.ndarray:
    limit = math.sqrt(6.0 / _fans(shape)[0])
    return rng().uniform(-limit, limit, size=shape).astype(dtype)


def he_normal(shape: tuple, dtype) -> np.ndarray:
    return _truncated_normal(shape, math.sqrt(2.0 / _fans(shape)[0]), dtype)


def random_normal(shape: tuple, dtype) -> np.ndarray:
    """N(0, 0.05²): Keras's RandomNormal defaults (the init of seed 001's single neuron)."""
    return rng().normal(0.0, 0.05, size=shape).astype(dtype)


def random_uniform(shape: tuple, dtype) -> np.ndarray:
    """U(-0.05, 0.05): Keras's RandomUniform defaults."""
    return rng().uniform(-0.05, 0.05, size=shape).astype(dtype)


def _truncated_normal(shape: tuple, stddev: float, dtype) -> np.ndarray:
    # Keras draws from a normal truncated at 2 standard deviations, rescaled by 0.8796...
    # so that the truncated distribution has the requested standard deviation.
    stddev = stddev / 0.87962566103423978
    values = rng().normal(0.0, stddev, size=shape)
    bad = np.abs(values) > 2 * stddev
    while bad.any():
        values[bad] = rng().normal(0.0, stddev, size=int(bad.sum()))
        bad = np.abs(values) > 2 * stddev
    return values.astype(dtype)


INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros, "ones": ones, "glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal,
    "he_uniform": he_uniform, "he_normal": he_normal, "random_normal": random_normal,
    "random_uniform": random_uniform,
}
_ALIASES = {"normal": "random_normal", "uniform": "random_uniform", "zero": "zeros", "one": "ones"}


def get(identifier: str | Initializer) -> Initializer:
    """An initializer by Keras name, or a callable `(shape, dtype) -> array` passed through."""
    if callable(identifier):
        return identifier
    key = _ALIASES.get(str(identifier).lower(), str(identifier).lower())
    if key not in INITIALIZERS:
        from .validation import unknown_name
        raise ValueError("initializer: " + unknown_name("initializer", identifier, sorted(INITIALIZERS)))
    return INITIALIZERS[key]


def name_of(init: Initializer) -> str:
    """The Keras name of a built-in initializer (what save() and get_config() record)."""
    for key, fn in INITIALIZERS.items():
        if fn is init:
            return key
    return getattr(init, "__name__", "custom")
