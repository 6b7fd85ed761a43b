"""Training health beyond Keras: which ReLU units are dead (zero on every sample), and a report
(:func:`health_report`) naming the layers whose gradients vanish or explode, with what to try.

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

from dataclasses import dataclass, field

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


VANISHING = 1e-7      # a layer gradient norm below this (or 1e-5 × the largest layer's) has vanished
EXPLODING = 1e3       # above this (or not finite) it has exploded


@dataclass
class HealthReport:
    """What :func:`health_report` found: per layer the gradient norm, the layers whose gradients
    vanish or explode, the dead ReLU units, and what to try. ``str()`` says it in words."""
    norms: dict
    vanishing: list
    exploding: list
    dead_units: dict
    advice: list = field(default_factory=list)
    source: str = ""

    @property
    def healthy(self) -> bool:
        return not (self.vanishing or self.exploding or any(self.dead_units.values()))

    def __str__(self) -> str:
        from autograd_mini.viz.labels import number_text  # (loaded on first use, as all drawing code)
        lines = [f"gradient norm per layer ({self.source}):"]
        lines += [f"  {layer:<16} {number_text(norm)}" + (" ← vanishing" if layer in self.vanishing else
                                                  " ← exploding" if layer in self.exploding else "")
                  for layer, norm in self.norms.items()]
        for layer, units in self.dead_units.items():
            if units:
                lines.append(f"  {layer}: dead ReLU unit{'s' if len(units) > 1 else ''} {units} "
                             "(0 on every sample, so its gradient is 0)")
        lines += ["healthy: nothing vanishes, explodes or is dead"] if self.healthy else \
            ["what to try:"] + [f"  - {a}" for a in self.advice]
        return "\n".join(lines)


def health_report(model, x, y=None, *, history=None) -> HealthReport:
    """Name the layers whose gradients vanish or explode, and the dead ReLU units, with what to try.

    The gradients are the last record of a GradientHistory (`history`) if given, else one
    gradient of the compiled loss on (x, y) (computed on the side: no `.grad` is touched).

    >>> import numpy as np, nn
    >>> model = nn.Sequential([nn.Dense(1, activation="relu", input_shape=[1])])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> model.set_weights([np.array([[-1.0]]), np.array([-1.0])])   # -x - 1 < 0 for x >= 0
    >>> report = health_report(model, [[1.0], [2.0]], [[1.0], [2.0]])
    >>> report.vanishing, report.dead_units
    (['dense...'], {'dense...': [0]})
    """
    if history is not None:
        if not history.steps:
            raise ValueError("health_report: history (a GradientHistory) has no records yet: pass it to fit first")
        norms = {layer: values[-1] for layer, values in history.layer_norms().items()}
        source = f"GradientHistory, step {history.steps[-1]}"
    elif y is not None:
        norms, source = _gradient_norms(model, x, y), "one gradient of the loss on (x, y)"
    else:
        raise ValueError("health_report needs y (to compute a gradient) or history= (a GradientHistory)")
    largest = max([n for n in norms.values() if np.isfinite(n)], default=0.0)
    vanishing = [layer for layer, n in norms.items()
                 if np.isfinite(n) and (n < VANISHING or n < 1e-5 * largest)]
    exploding = [layer for layer, n in norms.items() if not np.isfinite(n) or n > EXPLODING]
    dead = dead_relu_units(model, x)
    return HealthReport(norms, vanishing, exploding, dead, _advice(vanishing, exploding, dead), source)


def _gradient_norms(model, x, y) -> dict:
    """‖∂loss/∂(layer's weights)‖ per layer, from the textbook graph model(x) and the compiled loss."""
    from autograd_mini.engine import run_backward
    from .training import prepare_xy

    model.require_compiled("health_report")
    xs, ys = prepare_xy(model, x, y)
    loss = model.loss.fn(am.Tensor(ys), model(am.Tensor(xs)))
    weights = [w for layer in model.layers for w in layer.weights]
    grads = run_backward(loss, np.ones(loss.data.shape, loss.data.dtype), create_graph=False,
                         retain_graph=False, inputs=weights)  # inputs=: no .grad is touched
    norms: dict = {}
    for w, g in zip(weights, grads):
        layer = w.name.rsplit("/", 1)[0]
        square = 0.0 if g is None else float(np.sum(np.square(np.asarray(g, dtype=np.float64))))
        norms[layer] = norms.get(layer, 0.0) + square
    return {layer: float(np.sqrt(v)) for layer, v in norms.items()}


def _advice(vanishing: list, exploding: list, dead: dict) -> list:
    advice = []
    if vanishing:
        advice.append(f"{', '.join(vanishing)}: the gradient vanishes -- saturated sigmoid/tanh units or dead "
                      "ReLUs pass almost nothing back. Try relu (or tanh instead of sigmoid) in hidden layers, "
                      "inputs scaled to mean 0 and std 1, a different initialization, or fewer layers.")
    if exploding:
        advice.append(f"{', '.join(exploding)}: the gradient explodes -- a lower learning rate, inputs and "
                      "targets scaled to around 1 (prices in the tens of thousands make MSE's gradient huge), "
                      "or fewer layers.")
    if any(dead.values()):
        advice.append("dead ReLU units never learn (their gradient is exactly 0): another initialization "
                      "(set_random_seed, kernel_initializer), more units, a smaller learning rate, or inputs "
                      "scaled around 0.")
    return advice
