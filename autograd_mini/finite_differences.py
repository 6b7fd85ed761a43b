"""Finite-difference steps per dtype, and the Taylor-remainder test.

A central difference (f(x+h) - f(x-h)) / 2h has two errors: truncation, which shrinks as h²,
and rounding, which grows as (machine epsilon)/h. The step that balances them is about the
cube root of the machine epsilon: 1e-6 for float64, 1e-3 for float32.

Even at the best step, float32 code leaves element-by-element comparisons with errors of
1e-4 or so: a false alarm at the usual tolerances. The Taylor test asks another question
that rounding cannot fool: along a random direction u, does the remainder

    r(h) = | f(x + h·u) - f(x) - h·<g, u> |

shrink as h² when h shrinks (g is the derivative), or only as h (g is not)?

>>> import numpy as np
>>> f = lambda v: float(np.sum(np.sin(v)))
>>> x = np.array([0.3, -1.2, 2.0])
>>> taylor_test(f, x, np.cos(x)).verdict          # the right gradient
'h^2'
>>> taylor_test(f, x, 2 * np.cos(x)).verdict      # a wrong one
'h'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

_STEPS = {8: 1e-6, 4: 1e-3, 2: 3e-2}  # float64, float32, float16: about cbrt(machine epsilon)


def default_eps(dtype) -> float:
    """The central-difference step for inputs of `dtype` (what `eps=None` means).

    >>> default_eps(np.float64), default_eps(np.float32)
    (1e-06, 0.001)
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        return _STEPS[8]
    return _STEPS.get(dtype.itemsize, float(np.finfo(dtype).eps) ** (1 / 3))


@dataclass
class TaylorVerdict:
    """How the first-order Taylor remainder shrank over a sweep of steps h.

    verdict: "h^2" (the gradient is the derivative), "h" (it is not), "exact" (the remainder
    is at rounding level already: f is linear along u and the gradient right), or "unclear"
    (too few steps above rounding, or a slope in between, e.g. a kink on the way)."""
    verdict: str
    slope: float | None  # log-log slope of r(h) at the smallest steps that are above rounding
    steps: tuple = field(default=(), repr=False)
    remainders: tuple = field(default=(), repr=False)

    @property
    def consistent(self) -> bool:
        return self.verdict in ("h^2", "exact")

    def __str__(self) -> str:
        if self.slope is None:
            return self.verdict
        return f"{self.verdict} (slope {self.slope:.2f})"


def taylor_test(f: Callable[[np.ndarray], float], x: np.ndarray, gradient: np.ndarray, *,
                rng: np.random.Generator | None = None, rounding: float | None = None) -> TaylorVerdict:
    """Taylor-remainder test of `gradient` as the derivative of the scalar function `f` at `x`.

    Steps h = 0.1·4⁻ᵏ along a random direction u scaled to x's magnitude (largest |uᵢ| = max|xᵢ|,
    at least 1); only remainders clearly above `rounding` (the relative rounding error of f,
    default: that of x's dtype) count."""
    rng = np.random.default_rng(0) if rng is None else rng
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    rounding = float(np.finfo(dtype).eps) if rounding is None else rounding
    u = rng.standard_normal(x.shape)
    scale = max(float(np.max(np.abs(x), initial=0.0)), 1.0)
    u *= scale / max(float(np.max(np.abs(u), initial=0.0)), 1e-300)
    f0 = f(x)
    slope0 = float(np.sum(np.asarray(gradient, dtype=np.float64) * u))
    count = 9 if dtype.itemsize >= 8 else 7  # float32 reaches rounding after a few quarterings
    steps = tuple(0.1 * 4.0 ** -k for k in range(count))
    with np.errstate(all="ignore"):  # the larger steps may leave f's domain: those give nan, and are skipped
        values = [f((x + h * u).astype(dtype, copy=False)) for h in steps]
    remainders = tuple(abs(v - f0 - h * slope0) for v, h in zip(values, steps))
    # rounding noise in r: an ulp or so of the values subtracted; 16x that is "clearly above"
    floor = 16 * rounding * max(abs(f0), *(abs(v) for v in values if np.isfinite(v)), 1e-30)
    usable = [(h, r) for h, r in zip(steps, remainders) if np.isfinite(r) and r > floor]
    if not usable:
        finite = all(np.isfinite(r) for r in remainders)
        return TaylorVerdict("exact" if finite else "unclear", None, steps, remainders)
    slopes = [np.log(r1 / r2) / np.log(h1 / h2) for (h1, r1), (h2, r2) in zip(usable, usable[1:])
              if h1 / h2 < 5]  # neighbours only: a gap means a step was lost to nan or rounding
    if not slopes:
        return TaylorVerdict("unclear", None, steps, remainders)
    slope = float(slopes[-1])
    verdict = "h^2" if slope >= 1.7 else "h" if slope <= 1.3 else "unclear"
    return TaylorVerdict(verdict, slope, steps, remainders)
