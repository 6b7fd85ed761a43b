"""Synthetic datasets generated from known formulas: no files, no downloads, reproducible.

They stand in for the real tables the seed tutorials use (Kaggle's *80 Cereals* and
UCI's *Concrete Compressive Strength*) with the same columns and realistic ranges, and
-- unlike real data -- an exact answer to compare a trained model with.

>>> from nn.synthetic import make_cereals, make_concrete
>>> cereals = make_cereals()
>>> cereals.data.shape, cereals.feature_names
((77, 3), ['sugars', 'fiber', 'protein'])
>>> concrete = make_concrete()
>>> concrete.data.shape, concrete.target_names
((1030, 8), ['CompressiveStrength'])
"""
from __future__ import annotations

import numpy as np

from .datasets import Bunch  # the same dict-with-attributes as nn.datasets.load_iris returns

__all__ = ["Bunch", "make_cereals", "make_concrete", "concrete_strength", "CEREAL_WEIGHTS",
           "CEREAL_BIAS"]

#: calories = 90 + 2.5·sugars + 1.5·fiber + 4·protein (+ noise): the linear unit's true weights.
CEREAL_WEIGHTS = (2.5, 1.5, 4.0)
CEREAL_BIAS = 90.0


def make_cereals(n_samples: int = 77, noise: float = 3.0, seed: int = 0, dtype="float32"):
    """Breakfast cereals: calories per serving from sugars, fiber and protein (grams).

    ``calories = 90 + 2.5·sugars + 1.5·fiber + 4·protein + N(0, noise²)`` -- the b=90,
    w=2.5 of the tutorial's one-input example, extended to the three inputs of its
    ``Dense(units=1, input_shape=[3])``. Returns a Bunch with ``data`` (n, 3),
    ``target`` (n,), ``feature_names``, ``target_names``, ``coef``, ``intercept``, ``DESCR``.
    """
    rng = np.random.default_rng(seed)
    sugars = rng.integers(0, 16, n_samples).astype(float)
    fiber = np.round(rng.gamma(1.2, 1.8, n_samples).clip(0, 14), 1)
    protein = rng.integers(1, 7, n_samples).astype(float)
    X = np.column_stack([sugars, fiber, protein])
    y = CEREAL_BIAS + X @ np.array(CEREAL_WEIGHTS) + rng.normal(0, noise, n_samples)
    return Bunch(
        data=X.astype(dtype), target=np.round(y).astype(dtype),
        feature_names=["sugars", "fiber", "protein"], target_names=["calories"],
        coef=np.array(CEREAL_WEIGHTS), intercept=CEREAL_BIAS,
        DESCR=make_cereals.__doc__,
    )


_CONCRETE_FEATURES = ["Cement", "BlastFurnaceSlag", "FlyAsh", "Water", "Superplasticizer",
                      "CoarseAggregate", "FineAggregate", "Age"]
_AGES = np.array([1, 3, 7, 14, 28, 56, 90, 180, 365])
_AGE_WEIGHTS = np.array([1, 6, 13, 6, 42, 9, 6, 2, 2], dtype=float)


def concrete_strength(X) -> np.ndarray:
    """The noise-free compressive strength (MPa) of mixes ``X`` (columns as in :func:`make_concrete`).

    Abrams' law on the water/binder ratio, with slag and fly ash counting as 0.6 and
    0.4 of cement, superplasticizer reducing the effective water by 1 % per kg/m³
    (at most 30 %), and the ACI 209 moist-curing age factor ``t / (4 + 0.85 t)``::

        binder   = cement + 0.6·slag + 0.4·flyash
        ratio    = water·(1 − min(0.01·superplasticizer, 0.3)) / binder
        strength = 96 / 7.5**ratio · age / (4 + 0.85·age)

    Aggregates do not enter: the network has to learn to ignore them.
    """
    X = np.asarray(X, dtype=float)
    cement, slag, flyash, water, sp, _, _, age = X.T
    binder = cement + 0.6 * slag + 0.4 * flyash
    ratio = water * (1 - np.minimum(0.01 * sp, 0.3)) / binder
    return 96.0 / 7.5 ** ratio * age / (4 + 0.85 * age)


def make_concrete(n_samples: int = 1030, noise: float = 2.0, seed: int = 0, dtype="float32"):
    """Concrete mixes and their compressive strength, generated with :func:`concrete_strength`.

    Eight inputs in kg per m³ of mix (Cement, BlastFurnaceSlag, FlyAsh, Water,
    Superplasticizer, CoarseAggregate, FineAggregate) and Age in days, drawn in the
    ranges of the UCI table (1,030 mixes); the target ``CompressiveStrength`` (MPa) is
    the formula plus ``N(0, noise²)``. A nonlinear target: a linear model explains part
    of it, a ReLU network most of it. Returns a Bunch like :func:`make_cereals`.
    """
    rng = np.random.default_rng(seed)
    n = n_samples
    cement = rng.uniform(100, 540, n)
    slag = np.where(rng.random(n) < 0.45, 0.0, rng.uniform(10, 360, n))
    flyash = np.where(rng.random(n) < 0.55, 0.0, rng.uniform(20, 200, n))
    water = rng.uniform(125, 245, n)
    sp = np.where(rng.random(n) < 0.35, 0.0, rng.uniform(1, 32, n))
    coarse = rng.uniform(800, 1145, n)
    fine = rng.uniform(595, 990, n)
    age = rng.choice(_AGES, n, p=_AGE_WEIGHTS / _AGE_WEIGHTS.sum()).astype(float)
    X = np.round(np.column_stack([cement, slag, flyash, water, sp, coarse, fine, age]), 1)
    y = np.maximum(concrete_strength(X) + rng.normal(0, noise, n), 2.0)
    return Bunch(
        data=X.astype(dtype), target=np.round(y, 2).astype(dtype),
        feature_names=list(_CONCRETE_FEATURES), target_names=["CompressiveStrength"],
        formula=concrete_strength, DESCR=make_concrete.__doc__,
    )
