"""Second derivatives: `gradcheck(f, inputs, order=2)` and `gradgradcheck`.

The gradient g(x) = ∇(vᵀ f)(x) is a function too. Its backward is the backward of the
*recorded* backward pass (create_graph): each op's backward written with Tensor operations.
With random weights w, the scalar s(x) = Σ <g_i(x), w_i> has the gradient H·w (a
Hessian-vector product per input); that is compared with central differences of s, where s
is computed by plain first-order backward passes.

On a mismatch each op of f's graph is checked the same way on its own, inputs first, and the
report names the first op whose backward is not differentiated correctly -- and, inside that
backward, the op that is wrong, or that the backward leaves the graph (arrays, not Tensors).

>>> import autograd_mini as am
>>> report = am.gradgradcheck(lambda x: (x.tanh() * x).sum(), [am.Tensor([0.5, -1.0], dtype="float64")])
>>> bool(report), report.second_order.title
(True, 'second order')
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .engine import topological_order
from .functional import _backward_to
from .gradient_check import _ALONE, GradcheckReport, _analytic, _find_wrong_op, compare_input, settings_text
from .tensor import Tensor

_SIDES = ("backward of the recorded backward (create_graph=True)",
          "central differences of the first derivative")


def check_second_order(f: Callable[..., Tensor], arrays: Sequence[np.ndarray], names: Sequence[str | None], *,
                       eps: float, atol: float, rtol: float, fast_mode: bool, seed: int) -> GradcheckReport:
    """The second-order part of gradcheck(order=2): gradients of s(x) = Σ <∇(vᵀf)(x), w_i>."""
    rng = np.random.default_rng(seed + 1)
    first = _FirstDerivative(f, arrays, rng)
    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    s, out = first.recorded(leaves)
    analytic = _analytic(s, np.ones(()), leaves)
    checks = [compare_input(i, first.value, list(arrays), analytic[i], eps, atol, rtol, fast_mode, rng,
                            name=names[i]) for i in range(len(arrays))]
    culprit = None
    if not all(c.ok for c in checks):
        culprit = _find_wrong_second_derivative(out, eps, atol, rtol, rng)
    settings = settings_text(fast_mode, [eps], atol, rtol) + ", Hessian-vector products"
    return GradcheckReport(checks, culprit, settings, title="second order", sides=_SIDES)


class _FirstDerivative:
    """s(x) = Σ <∇(vᵀ f)(x), w_i> for fixed random v (upstream) and w_i (one per input)."""

    def __init__(self, f: Callable, arrays: Sequence[np.ndarray], rng):
        self.f = f
        out = f(*[Tensor(a.copy(), requires_grad=True) for a in arrays])
        self.upstream = rng.standard_normal(out.shape)
        self.weights = [rng.standard_normal(a.shape) for a in arrays]

    def recorded(self, leaves: list[Tensor]) -> tuple[Tensor, Tensor]:
        """s as a Tensor whose graph includes the backward pass; and f's output."""
        out = self.f(*leaves)
        found = _backward_to(out, Tensor(self.upstream.astype(out.dtype)), leaves, create_graph=True)
        return _weighted_sum(found, self.weights), out

    def value(self, values: list[np.ndarray]) -> float:
        """s at `values`, by a plain first-order backward pass (what order 1 checked)."""
        leaves = [Tensor(v, requires_grad=True) for v in values]
        out = self.f(*leaves)
        found = _backward_to(out, self.upstream.astype(out.dtype), leaves)
        return float(sum(np.sum(np.asarray(getattr(g, "data", g)) * w)
                         for g, w in zip(found, self.weights) if g is not None))


def _weighted_sum(grads: Sequence, weights: Sequence[np.ndarray]) -> Tensor:
    total = Tensor(np.zeros(()))
    for g, w in zip(grads, weights):
        if g is not None:
            total = total + ((g if isinstance(g, Tensor) else Tensor(g)) * w).sum()
    return total


def _find_wrong_second_derivative(out: Tensor, eps, atol, rtol, rng) -> str | None:
    """Check each op of f's graph alone at the inputs it saw; name the first whose recorded
    backward has the wrong derivative, and what inside that backward is wrong."""
    if out._ctx is None:
        return None
    for tensor in topological_order(out):
        ctx = tensor._ctx
        op, options = type(ctx), ctx._options
        values = [p.data.astype(np.float64) for p in ctx.parents]
        wanted = [i for i, needed in enumerate(ctx.needs_input_grad) if needed]
        alone = lambda *ts, op=op, options=options: op.apply(*ts, **options)  # noqa: E731
        first = _FirstDerivative(_only(alone, values, wanted), [values[i] for i in wanted], rng)
        leaves = [Tensor(values[i].copy(), requires_grad=True) for i in wanted]
        s, _ = first.recorded(leaves)
        analytic = _analytic(s, np.ones(()), leaves)
        for k, i in enumerate(wanted):
            check = compare_input(k, first.value, [values[j] for j in wanted], analytic[k], eps, atol, rtol,
                                  False, rng, taylor=False)
            if not check.ok:
                where = f"element {check.worst_index}: " if check.worst_index is not None else ""
                return (f"first op whose backward is not differentiated correctly: {op.__name__} ('{op.op_name}'), "
                        f"input {i}, {where}the backward of its backward gives {check.analytic:.6g}, finite "
                        f"differences of its backward {check.numeric:.6g}; {_inside(s, eps, atol, rtol, rng)}")
    return "no single op's backward disagrees on its own: check how the ops are combined (or use a larger eps)"


def _only(op_alone: Callable, values: list[np.ndarray], wanted: list[int]) -> Callable:
    """The op as a function of the inputs that need a gradient; the others fixed at their values."""
    def f(*tensors):
        inputs = [Tensor(v) for v in values]
        for i, t in zip(wanted, tensors):
            inputs[i] = t
        return op_alone(*inputs)
    return f


def _inside(s: Tensor, eps, atol, rtol, rng) -> str:
    """What is wrong inside a backward: an op of its recorded graph, or a cut (arrays, not Tensors)."""
    inner = _find_wrong_op(s, eps, atol, rtol, rng) if s._ctx is not None else None
    if inner and inner.startswith("first wrong op"):
        return "inside its backward, the " + inner.split("; " + _ALONE)[0]
    return ("its backward is right as a function of the numbers but leaves the graph: it computes on arrays "
            "(np.asarray, .data, a numpy function on arrays) where Tensor operations would be recorded")
