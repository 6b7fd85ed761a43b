"""gradcheck: compare backward with central finite differences, in float64, and say where they differ.

>>> import autograd_mini as am
>>> report = am.gradcheck(lambda x: (x * x.sigmoid()).sum(), [am.Tensor([0.5, -1.0, 2.0])])
>>> bool(report)
True
>>> print(report)                                      # doctest: +SKIP
gradcheck passed (full mode, eps=1e-06, atol=1e-05, rtol=0.001)
input  shape  max abs err  max rel err  worst index  analytic  numeric  status
...

On a mismatch every op of the recorded graph is checked on its own, at the values it saw,
and the report names the first Function whose backward disagrees with its forward.
A point where the function has a kink (relu at 0, tied maxima) is reported as such, not as a
failure, when the analytic value lies between the left and right slopes.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .engine import run_backward, topological_order
from .grad_mode import no_grad
from .tensor import Tensor


@dataclass
class InputCheck:
    """How one input's gradient compared."""
    index: int
    shape: tuple
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple | None  # the element with the largest error (None in fast mode)
    analytic: float
    numeric: float
    kinks: int  # elements where a kink explained the difference
    ok: bool


class GradcheckReport:
    """Truthy when every gradient matched. str() is the table; repr() a one-line summary."""

    def __init__(self, inputs: list[InputCheck], culprit: str | None, settings: str):
        self.inputs = inputs
        self.culprit = culprit  # which op's backward is wrong, when one could be singled out
        self.settings = settings
        self.ok = all(c.ok for c in inputs)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return f"<GradcheckReport passed: {len(self.inputs)} input(s)>"
        bad = [c for c in self.inputs if not c.ok]
        first = bad[0]
        where = f" at {first.worst_index}" if first.worst_index is not None else ""
        culprit = f"; {self.culprit}" if self.culprit else ""
        return (f"<GradcheckReport FAILED: input {first.index}{where} analytic {first.analytic:.6g} "
                f"vs numeric {first.numeric:.6g}{culprit}>")

    def __str__(self) -> str:
        head = ["input", "shape", "max abs err", "max rel err", "worst index", "analytic", "numeric", "status"]
        rows = [head]
        for c in self.inputs:
            status = "ok" if c.ok else "MISMATCH"
            if c.kinks:
                status += f" ({c.kinks} at a kink)"
            rows.append([str(c.index), str(c.shape), f"{c.max_abs_error:.3g}", f"{c.max_rel_error:.3g}",
                         "-" if c.worst_index is None else str(c.worst_index),
                         f"{c.analytic:.6g}", f"{c.numeric:.6g}", status])
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = [f"gradcheck {'passed' if self.ok else 'FAILED'} ({self.settings})"]
        lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        if self.culprit:
            lines.append(self.culprit)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter shows the table, as HTML (autograd_mini.display)."""
        from .display import report_html
        return report_html(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """IPython's plain-text view is the table too, not the one-line repr."""
        printer.text(str(self))


def gradcheck(f: Callable[..., Tensor], inputs, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, fast_mode: bool = False, seed: int = 0) -> GradcheckReport:
    """Check the gradient of `f(*inputs)` with respect to every input against finite differences.

    inputs: a Tensor/array or a sequence of them; each is cast to float64 for the check.
    A non-scalar output is reduced with a random upstream gradient v, checking vᵀJ.
    fast_mode: compare one random directional derivative per input instead of every element
    (two evaluations of f per input instead of two per element) -- for large inputs."""
    if isinstance(inputs, (Tensor, np.ndarray)) or np.isscalar(inputs):
        inputs = [inputs]
    if any(isinstance(x, Tensor) and x.dtype == np.float32 for x in inputs):
        warnings.warn("gradcheck: float32 inputs are cast to float64 for the check", stacklevel=2)
    arrays = [np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64) for x in inputs]
    rng = np.random.default_rng(seed)

    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = _call(f, leaves)
    upstream = np.ones(out.shape) if out.data.size == 1 else rng.standard_normal(out.shape)
    analytic = _analytic(out, upstream, leaves)

    def objective(values: list[np.ndarray]) -> float:
        with no_grad():
            return float(np.sum(upstream * _call(f, [Tensor(v) for v in values]).data))

    checks = [_compare(i, objective, arrays, analytic[i], eps, atol, rtol, fast_mode, rng)
              for i in range(len(arrays))]
    culprit = None if all(c.ok for c in checks) else _find_wrong_op(out, eps, atol, rtol, rng)
    settings = f"{'fast' if fast_mode else 'full'} mode, eps={eps:g}, atol={atol:g}, rtol={rtol:g}"
    report = GradcheckReport(checks, culprit, settings)
    if not report:  # the pytest plugin prints these under a failing test (and clears them per test)
        del _failed_reports[:-9]  # outside pytest nobody clears the list: keep it small
        _failed_reports.append(report)
    return report


_failed_reports: list[GradcheckReport] = []


def _call(f, tensors) -> Tensor:
    out = f(*tensors)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: f must return a Tensor, got {type(out).__name__}")
    return out


def _analytic(out: Tensor, upstream: np.ndarray, leaves: list[Tensor]) -> list[np.ndarray]:
    if not out.requires_grad:
        return [np.zeros_like(x.data) for x in leaves]
    found = run_backward(out, upstream.astype(out.dtype), create_graph=False, retain_graph=True, inputs=leaves) \
        if out._ctx is not None else [upstream if x is out else None for x in leaves]
    return [np.zeros_like(x.data) if g is None else np.asarray(g, dtype=np.float64) for g, x in zip(found, leaves)]


def _compare(i, objective, arrays, analytic, eps, atol, rtol, fast_mode, rng) -> InputCheck:
    x = arrays[i]
    base_values = list(arrays)

    def shifted(delta) -> float:
        values = list(base_values)
        values[i] = x + delta
        return objective(values)

    if fast_mode:  # one random direction u: compare <analytic, u> with the directional derivative
        u = rng.standard_normal(x.shape)
        up, down = shifted(eps * u), shifted(-eps * u)
        numeric = (up - down) / (2 * eps)
        a = float(np.sum(analytic * u))
        err = abs(a - numeric)
        ok = err <= atol + rtol * abs(numeric)
        if not ok:
            base = objective(base_values)
            right, left = (up - base) / eps, (base - down) / eps
            if abs(right - left) > atol + rtol * max(abs(left), abs(right)):
                # a kink on the way: one direction mixes every element's kink and cannot tell
                # them from a wrong gradient; element by element can
                return _compare(i, objective, arrays, analytic, eps, atol, rtol, False, rng)
        return InputCheck(i, x.shape, err, err / max(abs(numeric), 1e-12), None, a, numeric, 0, ok)

    base = objective(base_values)
    numeric = np.zeros(x.shape)
    kink = np.zeros(x.shape, dtype=bool)
    for j in np.ndindex(x.shape):
        delta = np.zeros(x.shape)
        delta[j] = eps
        up, down = shifted(delta), shifted(-delta)
        numeric[j] = (up - down) / (2 * eps)
        a = analytic[j]
        if abs(a - numeric[j]) > atol + rtol * abs(numeric[j]):
            # a kink: left and right slopes differ, and the analytic value is one of them or between
            right, left = (up - base) / eps, (base - down) / eps
            tol = atol + rtol * max(abs(left), abs(right))
            kink[j] = abs(right - left) > tol and min(left, right) - tol <= a <= max(left, right) + tol
    err = np.abs(analytic - numeric)
    rel = err / np.maximum(np.abs(numeric), 1e-12)
    bad = (err > atol + rtol * np.abs(numeric)) & ~kink
    worst = tuple(int(k) for k in np.unravel_index(np.argmax(np.where(kink, -1, err)), x.shape)) if x.size else ()
    return InputCheck(i, x.shape, float(np.max(np.where(kink, 0, err), initial=0)),
                      float(np.max(np.where(kink, 0, rel), initial=0)), worst,
                      float(analytic[worst]) if x.size else 0.0, float(numeric[worst]) if x.size else 0.0,
                      int(kink.sum()), not bad.any())


def _find_wrong_op(out: Tensor, eps, atol, rtol, rng) -> str | None:
    """Check each op of the graph alone, inputs first; name the first whose backward is wrong."""
    if out._ctx is None:
        return None
    for tensor in topological_order(out):
        ctx = tensor._ctx
        op = type(ctx)
        values = [p.data.astype(np.float64) for p in ctx.parents]
        wanted = [i for i, needed in enumerate(ctx.needs_input_grad) if needed]
        check = gradcheck_function(op, values, wanted, ctx._options, eps, atol, rtol, rng)
        if check is not None:
            where = f"element {check.worst_index}: " if check.worst_index is not None else ""
            return (f"first wrong op: {op.__name__} ('{op.op_name}'), input {check.index}, {where}"
                    f"backward gives {check.analytic:.6g}, finite differences {check.numeric:.6g}")
    return "no single op disagrees on its own: check how the ops are combined (or use a smaller eps)"


def gradcheck_function(op, values: Sequence[np.ndarray], wanted: Sequence[int], options: dict,
                       eps: float, atol: float, rtol: float, rng) -> InputCheck | None:
    """Check one Function's backward at `values`; return the first failing input's check, or None."""
    leaves = [Tensor(v.copy(), requires_grad=i in wanted) for i, v in enumerate(values)]
    out = op.apply(*leaves, **options)
    upstream = rng.standard_normal(out.shape)
    analytic = _analytic(out, upstream, leaves)

    def objective(vals):
        with no_grad():
            return float(np.sum(upstream * op.apply(*[Tensor(v) for v in vals], **options).data))

    for i in wanted:
        check = _compare(i, objective, list(values), analytic[i], eps, atol, rtol, False, rng)
        if not check.ok:
            return check
    return None
