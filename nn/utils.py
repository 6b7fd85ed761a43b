"""Shared helpers: the random generator behind initialization and shuffling, unique layer
names, and turning user data (tuples, lists, 1-D arrays) into the model's arrays.

>>> import nn
>>> nn.utils.set_random_seed(0)          # same weights and same shuffles on every run
>>> nn.utils.unique_name("dense"), nn.utils.unique_name("dense")   # doctest: +SKIP
('dense', 'dense_1')
"""
from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

import numpy as np

import autograd_mini as am

# One generator for the whole package, so one seed reproduces initialization *and* shuffling.
# Until set_random_seed is called we draw from numpy's global generator, so the old tutorials'
# `np.random.seed(0)` (seed 001) makes a run reproducible too; after it, from our own Generator.
_rng: np.random.Generator | None = None
_name_counts: defaultdict[str, int] = defaultdict(int)
_name_lock = threading.Lock()  # models built in two threads never get one name twice


def set_random_seed(seed: int) -> None:
    """Make weight initialization and shuffling reproducible (as keras.utils.set_random_seed).

    nn then draws from its own Generator, so user code calling np.random does not shift it;
    numpy's global generator is seeded too (as Keras does) for the user's own random draws."""
    global _rng
    from .validation import check_int
    seed = check_int("set_random_seed", "seed", seed, minimum=0)
    _rng = np.random.default_rng(seed)
    np.random.seed(seed)


def rng():
    """The package's random source: our Generator once seeded, numpy's global one before.
    Both offer uniform(low, high, size), normal(loc, scale, size) and permutation(n)."""
    return np.random if _rng is None else _rng


def unique_name(prefix: str) -> str:
    """Keras-style names: the first "dense", then "dense_1", "dense_2", ... (per process)."""
    with _name_lock:
        count = _name_counts[prefix]
        _name_counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def clear_session() -> None:
    """Restart layer/model naming at "dense", "sequential" (as keras.backend.clear_session)."""
    _name_counts.clear()


def to_array(data: Any, dtype, what: str = "x") -> np.ndarray:
    """User data as a float array of `dtype`: Tensors, arrays, tuples, lists, pandas columns."""
    from .data_checks import as_numbers
    return as_numbers(data, dtype, what)


def as_rows(x: np.ndarray, width: int | None, what: str = "x") -> np.ndarray:
    """Give `x` a sample axis: a 1-D array feeds a model with one input (each number a sample),
    a single number becomes one sample; the feature width is checked against `width`."""
    if x.ndim == 0:
        x = x.reshape(1, 1)
    elif x.ndim == 1:
        if width not in (None, 1):
            raise ValueError(
                f"{what}: the model expects {width} features per sample, but {what} is 1-D "
                f"(shape {x.shape}, read as {len(x)} samples of 1 feature); "
                f"pass rows of {width} numbers, e.g. {what}.reshape(-1, {width})")
        x = x.reshape(-1, 1)
    if width is not None and x.shape[-1] != width:
        raise ValueError(f"{what}: the model expects {width} features per sample (input width {width}), "
                         f"but got {x.shape[-1]} (data shape {x.shape})")
    return x


def __getattr__(name):
    # keras.utils.plot_model, loaded on first use (it needs graphviz, which `import nn` does not)
    if name == "plot_model":
        from .diagram import plot_model
        return plot_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
