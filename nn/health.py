"""Training health beyond Keras: which ReLU units are dead (zero on every sample).

>>> import numpy as np
>>> from nn import Sequential, Dense, dead_relu_units
>>> model = Sequential([Dense(2, activation="relu", input_shape=[1])])
>>> model.set_weights([np.array([[1.0, -1.0]]), np.array([0.0, -5.0])])
>>> dead_relu_units(model, np.array([[1.0], [2.0], [3.0]]))   # unit 1 is -x - 5 < 0 everywhere
{'dense...': [1]}

A dead unit passes no gradient back (relu' = 0 wherever its input is negative), so plain
gradient descent can never revive it: seed 001's "dying ReLU". Remedies: another
initialization (set_random_seed, a different kernel_initializer), more units, a smaller
learning rate, or inputs scaled around 0.
"""
from __future__ import annotations

import numpy as np

import autograd_mini as am

from .training import prepare_x


def dead_relu_units(model, x) -> dict[str, list[int]]:
    """For every layer whose output is a ReLU, the indices of units that output 0 on every sample of x.

    Layers are keyed by name (only ReLU layers appear; an empty list means all units are alive)."""
    x = am.Tensor(prepare_x(model, x))
    report: dict[str, list[int]] = {}
    with am.no_grad():
        for layer in model.layers:
            x = layer.call(x)
            if layer.activation_name == "relu":
                alive = (x.data > 0).reshape(-1, x.shape[-1]).any(axis=0)
                report[layer.name] = np.flatnonzero(~alive).tolist()
    return report
