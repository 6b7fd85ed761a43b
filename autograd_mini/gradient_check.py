"""gradcheck: compare backward with central finite differences, in float64, and say where they differ.

>>> import autograd_mini as am
>>> report = am.gradcheck(lambda x: (x * x.sigmoid()).sum(), [am.Tensor([0.5, -1.0, 2.0], dtype="float64")])
>>> bool(report)
True
>>> print(report)                                      # doctest: +SKIP
gradcheck passed (full mode, eps=1e-06, atol=1e-05, rtol=0.001)
input  shape  max abs err  max rel err  worst index  analytic  numeric  status  Taylor
...

On a mismatch every op of the recorded graph is checked on its own, at the values it saw,
and the report names the first Function whose backward disagrees with its forward.
A point where the function has a kink (relu at 0, tied maxima) is reported as such, not as a
failure, when the analytic value lies between the left and right slopes. Every input also gets
a Taylor-remainder verdict (autograd_mini.finite_differences): an element-by-element mismatch
that the Taylor test finds to be rounding (the remainder shrinks as h²) is not a failure.
`order=2` also checks the second derivatives (autograd_mini.second_order_check).

The same report serves `check_grad` (numpy code with a hand-written gradient,
autograd_mini.numpy_gradient_check) and `autograd_mini.testing.assert_grad_close`.
"""
from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .engine import run_backward, topological_order
from .finite_differences import TaylorVerdict, default_eps, taylor_test
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
    name: str | None = None  # the parameter's name in f, when f has one
    taylor: TaylorVerdict | None = None
    rescued: bool = False  # elements disagreed, but the Taylor test found the gradient right
    analytic_array: np.ndarray | None = field(default=None, repr=False)  # full mode only
    numeric_array: np.ndarray | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{self.index} {self.name}" if self.name else str(self.index)

    def where(self) -> str:
        """'input 1 (b1), element (2,)' -- for the one-line summaries."""
        text = f"input {self.index}" + (f" ({self.name})" if self.name else "")
        return text + (f", element {self.worst_index}" if self.worst_index is not None else "")


_ALONE = "the op checked alone at the inputs it saw in f"  # how the first wrong op was singled out


class GradcheckReport:
    """Truthy when every gradient matched. str() is the table; repr() a one-line summary.

    title: "gradcheck", "check_grad", ...; sides: what "analytic" and "numeric" are, for the
    legend under the table; second_order: the report of the second-derivative check (order=2)."""

    def __init__(self, inputs: list[InputCheck], culprit: str | None, settings: str, *,
                 title: str = "gradcheck", sides: tuple[str, str] = ("backward of f", "central differences of f"),
                 second_order: "GradcheckReport | None" = None):
        self.inputs = inputs
        self.culprit = culprit  # which op's backward is wrong, when one could be singled out
        self.settings = settings
        self.title = title
        self.sides = sides
        self.second_order = second_order
        self.ok = all(c.ok for c in inputs) and (second_order is None or second_order.ok)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return f"<{type(self).__name__} passed: {len(self.inputs)} input(s)>"
        bad = [c for c in self.inputs if not c.ok]
        if not bad:  # only the second order failed
            return repr(self.second_order).replace("FAILED", "FAILED second order", 1)
        first = bad[0]
        culprit = f"; {self.culprit.split(_ALONE)[0].rstrip('; ')}" if self.culprit else ""
        return (f"<{type(self).__name__} FAILED: {first.where()}: analytic {first.analytic:.6g} "
                f"vs numeric {first.numeric:.6g}{culprit}>")

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The header and one row of cells per input (for str() and the HTML view)."""
        head = ["input", "shape", "max abs err", "max rel err", "worst index", "analytic", "numeric", "status",
                "Taylor"]
        return head, [_row(c) for c in self.inputs]

    @property
    def headline(self) -> str:
        return f"{self.title} {'passed' if all(c.ok for c in self.inputs) else 'FAILED'}"

    @property
    def legend(self) -> str:
        return (f"analytic: {self.sides[0]}; numeric: {self.sides[1]}; Taylor: how "
                "|f(x+hu) - f(x) - h<analytic, u>| shrinks with h (h^2: right, h: wrong)")

    def __str__(self) -> str:
        head, rows = self.table()
        rows = [head] + rows
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = [f"{self.headline} ({self.settings})"]
        lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        lines.append(self.legend)
        if self.culprit:
            lines.append(self.culprit)
        if self.second_order is not None:
            lines += ["", str(self.second_order)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter shows the table, as HTML (autograd_mini.display)."""
        from .display import report_html
        return report_html(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """IPython's plain-text view is the table too, not the one-line repr."""
        printer.text(str(self))


def _row(c: InputCheck) -> list[str]:
    status = "ok" if c.ok else "MISMATCH"
    if c.rescued:
        status += " (rounding: Taylor h^2)"
    if c.kinks:
        status += f" ({c.kinks} at a kink)"
    return [c.label, str(c.shape), f"{c.max_abs_error:.3g}", f"{c.max_rel_error:.3g}",
            "-" if c.worst_index is None else str(c.worst_index),
            f"{c.analytic:.6g}", f"{c.numeric:.6g}", status, _taylor_cell(c)]


def _taylor_cell(c: InputCheck) -> str:
    if c.taylor is None:
        return "-"
    if c.kinks and c.taylor.verdict == "h":  # the sweep's direction crosses the kinks the table found
        return f"h (slope {c.taylor.slope:.2f}, kinks)"
    return str(c.taylor)


def gradcheck(f: Callable[..., Tensor], inputs, *, eps: float | None = None, atol: float = 1e-5,
              rtol: float = 1e-3, fast_mode: bool = False, seed: int = 0, order: int = 1) -> GradcheckReport:
    """Check the gradient of `f(*inputs)` with respect to every input against finite differences.

    inputs: a Tensor/array or a sequence of them; each is cast to float64 for the check.
    A non-scalar output is reduced with a random upstream gradient v, checking vᵀJ.
    eps: the finite-difference step; None picks it for the dtype (1e-6 in float64).
    fast_mode: compare one random directional derivative per input instead of every element
    (two evaluations of f per input instead of two per element) -- for large inputs.
    order=2: also check the second derivatives (see `gradgradcheck`)."""
    if order not in (1, 2):
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order!r}")
    if isinstance(inputs, (Tensor, np.ndarray)) or np.isscalar(inputs):
        inputs = [inputs]
    if any(isinstance(x, Tensor) and x.dtype == np.float32 for x in inputs):
        warnings.warn("gradcheck: float32 inputs are cast to float64 for the check", stacklevel=2)
    arrays = [np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64) for x in inputs]
    eps = default_eps(np.float64) if eps is None else eps
    rng = np.random.default_rng(seed)
    names = input_names(f, len(arrays))

    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = _call(f, leaves)
    upstream = np.ones(out.shape) if out.data.size == 1 else rng.standard_normal(out.shape)
    analytic = _analytic(out, upstream, leaves)

    def objective(values: list[np.ndarray]) -> float:
        with no_grad():
            return float(np.sum(upstream * _call(f, [Tensor(v) for v in values]).data))

    checks = [compare_input(i, objective, arrays, analytic[i], eps, atol, rtol, fast_mode, rng, name=names[i])
              for i in range(len(arrays))]
    culprit = None if all(c.ok for c in checks) else _find_wrong_op(out, eps, atol, rtol, rng)
    second = None
    if order == 2:
        from .second_order_check import check_second_order
        second = check_second_order(f, arrays, names, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode,
                                    seed=seed)
    report = GradcheckReport(checks, culprit, settings_text(fast_mode, [eps], atol, rtol), second_order=second)
    return remember(report)


def gradgradcheck(f: Callable[..., Tensor], inputs, *, eps: float | None = None, atol: float = 1e-5,
                  rtol: float = 1e-3, fast_mode: bool = False, seed: int = 0) -> GradcheckReport:
    """`gradcheck(f, inputs, order=2)` (PyTorch's name): first and second derivatives.

    >>> import autograd_mini as am
    >>> bool(am.gradgradcheck(lambda x: (x ** 3).sum(), [am.Tensor([0.5, -1.0], dtype="float64")]))
    True
    """
    return gradcheck(f, inputs, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode, seed=seed, order=2)


_failed_reports: list[GradcheckReport] = []


def remember(report: GradcheckReport) -> GradcheckReport:
    """Keep a failed report for the pytest plugin, which prints it under the failing test."""
    if not report:
        del _failed_reports[:-9]  # outside pytest nobody clears the list: keep it small
        _failed_reports.append(report)
    return report


def settings_text(fast_mode: bool, steps: Sequence[float], atol: float, rtol: float) -> str:
    eps = "/".join(f"{e:g}" for e in dict.fromkeys(steps))  # one per dtype, in input order
    return f"{'fast' if fast_mode else 'full'} mode, eps={eps}, atol={atol:g}, rtol={rtol:g}"


def input_names(f: Callable, count: int) -> list[str | None]:
    """f's positional parameter names, to label the inputs (None where f has no such names)."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return [None] * count
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [p.name for p in params if p.kind in kinds][:count]
    return names + [None] * (count - len(names))


def _call(f, tensors) -> Tensor:
    out = f(*tensors)
    if not isinstance(out, Tensor):
        hint = ("check_grad(f, grad_f, *arrays) checks numpy code against a hand-written gradient"
                if isinstance(out, (float, np.floating, np.ndarray)) else "f must compute with Tensor operations")
        raise TypeError(f"gradcheck: f must return a Tensor, got {type(out).__name__}: f's result does not "
                        f"come from its Tensor inputs through the graph; {hint}")
    return out


def _analytic(out: Tensor, upstream: np.ndarray, leaves: list[Tensor]) -> list[np.ndarray]:
    if not out.requires_grad:
        return [np.zeros_like(x.data) for x in leaves]
    found = run_backward(out, upstream.astype(out.dtype), create_graph=False, retain_graph=True, inputs=leaves) \
        if out._ctx is not None else [upstream if x is out else None for x in leaves]
    return [np.zeros_like(x.data) if g is None else np.asarray(g, dtype=np.float64) for g, x in zip(found, leaves)]


def compare_input(i: int, objective: Callable[[list], float], arrays: list[np.ndarray], analytic: np.ndarray,
                  eps: float, atol: float, rtol: float, fast_mode: bool, rng, *, name: str | None = None,
                  taylor: bool = True) -> InputCheck:
    """Compare `analytic` (the gradient of `objective` for input i) with central differences;
    each shifted input keeps input i's dtype. taylor: add the Taylor verdict, which may clear a
    mismatch that is only rounding."""
    x = arrays[i]

    def shifted(delta) -> float:
        values = list(arrays)
        values[i] = (x + delta).astype(x.dtype, copy=False)
        return objective(values)

    if fast_mode:
        check = _directional(i, x, shifted, analytic, eps, atol, rtol, rng)
        if check is None:  # a kink on the way: element by element can tell it from a wrong gradient
            check = _elementwise(i, x, shifted, analytic, eps, atol, rtol)
    else:
        check = _elementwise(i, x, shifted, analytic, eps, atol, rtol)
    check.name = name
    if taylor:
        check.taylor = taylor_test(lambda v: shifted(v - x), x, analytic, rng=rng)
        if not check.ok and check.taylor.consistent:
            check.ok = check.rescued = True
    return check


def _directional(i, x, shifted, analytic, eps, atol, rtol, rng) -> InputCheck | None:
    """One random direction u: <analytic, u> against the directional derivative; None at a kink."""
    u = rng.standard_normal(x.shape)
    up, down = shifted(eps * u), shifted(-eps * u)
    numeric = (up - down) / (2 * eps)
    a = float(np.sum(analytic * u))
    err = abs(a - numeric)
    ok = err <= atol + rtol * abs(numeric)
    if not ok:
        base = shifted(0 * u)
        right, left = (up - base) / eps, (base - down) / eps
        if abs(right - left) > atol + rtol * max(abs(left), abs(right)):
            return None  # one direction mixes every element's kink and cannot tell them apart
    return InputCheck(i, x.shape, err, err / max(abs(numeric), 1e-12), None, a, numeric, 0, ok)


def _elementwise(i, x, shifted, analytic, eps, atol, rtol) -> InputCheck:
    base = shifted(np.zeros(x.shape))
    rounding = float(np.finfo(x.dtype).eps)
    numeric = np.zeros(x.shape)
    kink = np.zeros(x.shape, dtype=bool)
    for j in np.ndindex(x.shape):
        delta = np.zeros(x.shape)
        delta[j] = eps
        up, down = shifted(delta), shifted(-delta)
        # the step actually taken: in float32, x ± eps is rounded
        h_up = float((x[j] + np.asarray(eps, x.dtype)) - x[j]) if x.dtype != np.float64 else eps
        h_down = float(x[j] - (x[j] - np.asarray(eps, x.dtype))) if x.dtype != np.float64 else eps
        numeric[j] = (up - down) / (h_up + h_down)
        a = analytic[j]
        if abs(a - numeric[j]) > atol + rtol * abs(numeric[j]):
            # a kink: left and right slopes differ, and the analytic value is one of them or between
            right, left = (up - base) / h_up, (base - down) / h_down
            # rounding in f's values moves one-sided slopes by ~ulp(f)/h: that alone is no kink
            noise = 8 * rounding * max(abs(up), abs(down), abs(base)) / min(h_up, h_down)
            tol = atol + rtol * max(abs(left), abs(right)) + noise
            kink[j] = abs(right - left) > tol and min(left, right) - tol <= a <= max(left, right) + tol
    err = np.abs(analytic - numeric)
    rel = err / np.maximum(np.abs(numeric), 1e-12)
    bad = (err > atol + rtol * np.abs(numeric)) & ~kink
    worst = tuple(int(k) for k in np.unravel_index(np.argmax(np.where(kink, -1, err)), x.shape)) if x.size else ()
    return InputCheck(i, x.shape, float(np.max(np.where(kink, 0, err), initial=0)),
                      float(np.max(np.where(kink, 0, rel), initial=0)), worst,
                      float(analytic[worst]) if x.size else 0.0, float(numeric[worst]) if x.size else 0.0,
                      int(kink.sum()), not bad.any(), analytic_array=np.asarray(analytic, dtype=np.float64),
                      numeric_array=numeric)


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
                    f"backward gives {check.analytic:.6g}, finite differences {check.numeric:.6g}; "
                    f"{_ALONE} (with a random upstream gradient of shape {tensor.shape}: this op's "
                    f"numbers, not f's in the table)")
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
        check = compare_input(i, objective, list(values), analytic[i], eps, atol, rtol, False, rng, taylor=False)
        if not check.ok:
            return check
    return None
