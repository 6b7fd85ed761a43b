"""check_grad: a hand-written gradient of numpy code against finite differences (CS231n's check).

The same machinery and report as `gradcheck`: one table per input, kinks told apart, the
Taylor verdict, the pytest section -- for code that never sees a Tensor.

>>> import numpy as np
>>> import autograd_mini as am
>>> f = lambda w: float(np.sum(np.tanh(w) ** 2))
>>> grad_f = lambda w: 2 * np.tanh(w) * (1 - np.tanh(w) ** 2)
>>> bool(am.check_grad(f, grad_f, np.array([0.5, -1.0, 2.0])))
True
>>> report = am.check_grad(f, lambda w: 2 * np.tanh(w), np.array([0.5, -1.0, 2.0]))
>>> bool(report)
False
>>> print(report.culprit)  # doctest: +ELLIPSIS
grad_f is wrong for input 0 (w), element (2,): grad_f gives 1.92806, central differences of f give 0.136...
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .finite_differences import default_eps
from .gradient_check import GradcheckReport, InputCheck, compare_input, input_names, remember, settings_text


def check_grad(f: Callable[..., float], grad_f: Callable, *arrays, eps: float | None = None,
               atol: float = 1e-5, rtol: float = 1e-3, fast_mode: bool = False, seed: int = 0) -> GradcheckReport:
    """Check `grad_f(*arrays)` (one gradient per array) against central differences of the
    scalar `f(*arrays)`; both are plain Python/numpy functions of numpy arrays.

    Float arrays keep their dtype (float32 code is checked in float32, judged by the Taylor
    verdict); anything else becomes float64. f and grad_f get copies: they may not see the
    changes they make. eps=None picks the step per dtype (1e-6 for float64, 1e-3 for float32)."""
    if not arrays:
        raise TypeError("check_grad(f, grad_f, *arrays): give at least one array to differentiate f with respect to")
    arrays = [_as_input(a, i) for i, a in enumerate(arrays)]
    names = input_names(f, len(arrays))
    steps = [default_eps(a.dtype) if eps is None else eps for a in arrays]
    analytic = _gradients(grad_f, arrays, names)

    def objective(values: list[np.ndarray]) -> float:
        return _scalar(f(*[v.copy() for v in values]))

    rng = np.random.default_rng(seed)
    checks = [compare_input(i, objective, arrays, analytic[i], steps[i], atol, rtol, fast_mode, rng, name=names[i])
              for i in range(len(arrays))]
    bad = [c for c in checks if not c.ok]
    culprit = _blame(bad) if bad else None
    report = GradcheckReport(checks, culprit, settings_text(fast_mode, steps, atol, rtol), title="check_grad",
                             sides=("grad_f (your gradient)", "central differences of f"))
    return remember(report)


def _as_input(a, i: int) -> np.ndarray:
    array = np.array(getattr(a, "data", a))  # a copy; a Tensor gives its numbers
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(f"check_grad: array {i} must be numeric (float arrays are differentiated), got dtype "
                        f"{array.dtype}")
    return array


def _scalar(value) -> float:
    """f's result as a float; f must return one number."""
    size = np.size(value)
    if size != 1:
        raise TypeError(f"check_grad: f must return a scalar (the loss), got {type(value).__name__} of shape "
                        f"{np.shape(value)}; sum it, or check each output with its own f")
    return float(np.asarray(getattr(value, "data", value)).reshape(()))


def _gradients(grad_f: Callable, arrays: list[np.ndarray], names: list) -> list[np.ndarray]:
    """grad_f's gradients, one per array, checked for count and shape."""
    found = grad_f(*[a.copy() for a in arrays])
    if len(arrays) == 1 and not isinstance(found, (tuple, list)):
        found = (found,)
    if not isinstance(found, (tuple, list)) or len(found) != len(arrays):
        got = f"{len(found)} values" if isinstance(found, (tuple, list)) else type(found).__name__
        raise TypeError(f"check_grad: grad_f must return one gradient per array ({len(arrays)}, as a tuple), "
                        f"got {got}")
    grads = []
    for i, (g, a) in enumerate(zip(found, arrays)):
        g = np.asarray(getattr(g, "data", g), dtype=np.float64)
        if g.shape != a.shape:
            label = f"input {i}" + (f" ({names[i]})" if names[i] else "")
            raise ValueError(f"check_grad: grad_f returned a gradient of shape {g.shape} for {label}, "
                             f"which has shape {a.shape}")
        grads.append(g)
    return grads


def _blame(bad: list[InputCheck]) -> str:
    """The first failing input, element and both sides, plus what the pattern of errors suggests."""
    first = bad[0]
    text = (f"grad_f is wrong for {first.where()}: grad_f gives {first.analytic:.6g}, central differences of f "
            f"give {first.numeric:.6g}")
    hints = [(c, diagnose(c.analytic_array, c.numeric_array)) for c in bad]
    hints = [f"{c.name or 'input ' + str(c.index)}: {hint}" for c, hint in hints if hint]
    return text + (" -- " + "; ".join(hints) if hints else "")


def diagnose(analytic: np.ndarray | None, numeric: np.ndarray | None) -> str | None:
    """A guess at the bug from the pattern of the errors (a factor, a transpose, a missing mask).

    >>> diagnose(np.array([2.0, -4.0]), np.array([1.0, -2.0]))
    'grad_f is 2 x the numeric gradient everywhere: a term counted twice (or a missing factor)?'
    """
    if analytic is None or numeric is None or not numeric.size:
        return None
    close = lambda a, b: np.allclose(a, b, rtol=1e-3, atol=1e-5)  # noqa: E731
    norm = float(np.sum(numeric * numeric))
    if norm > 0:
        factor = float(np.sum(analytic * numeric)) / norm
        if abs(factor - 1) > 1e-3 and close(analytic, factor * numeric):
            return (f"grad_f is {factor:.3g} x the numeric gradient everywhere: a term counted twice (or a "
                    f"missing factor)?")
    if analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1] and close(analytic.T, numeric):
        return "grad_f is the transpose of the numeric gradient: a product taken in the wrong order?"
    wrong = ~np.isclose(analytic, numeric, rtol=1e-3, atol=1e-5)
    zero = wrong & (np.abs(numeric) <= 1e-7) & (np.abs(analytic) > 1e-5)
    if zero.any():
        return (f"{int(zero.sum())} of the {int(wrong.sum())} wrong elements should be 0 but are not: a missing "
                f"mask (e.g. ReLU's)?")
    return None
