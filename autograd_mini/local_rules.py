"""Each op's local derivative at the recorded numbers: ∂(output element)/∂(input element).

The numbers always come from the op's own ``backward`` (run again on the side, on a fresh node
rebuilt from the recorded inputs), so they are right for a user's Function too and whether or
not ``backward()`` has already freed the graph. For built-in ops, :data:`SUBSTITUTIONS` also
writes the op's ``rule`` with the numbers put in (``σ(z)·(1−σ(z)) = 0.5987·(1−0.5987)``);
tests/explain/test_explain.py checks every one of them against the op's backward.

>>> import autograd_mini as am
>>> z = am.Tensor(0.4, requires_grad=True)
>>> s = z.sigmoid()
>>> node = LocalNode(s)
>>> [(j, round(d, 4)) for j, d in node.row((), 0)]
[((), 0.2403)]
>>> substitution(node, (), 0, ())
'0.5987·(1−0.5987)'
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from .function import fit_to_shape
from .grad_mode import no_grad
from .tensor import Tensor

__all__ = ["LocalNode", "local_text", "rule_clause", "substitution", "SUBSTITUTIONS", "number"]

class LocalNode:
    """One op of a recorded graph, rebuilt so its backward can run as often as asked.

    tensor: the op's output Tensor (``tensor._ctx`` is the recorded node)."""

    def __init__(self, tensor: Tensor):
        ctx = tensor._ctx
        self.tensor, self.op = tensor, type(ctx)
        self.parents = ctx.parents
        fresh = type(ctx).__new__(type(ctx))  # a node of its own: the recorded one stays as it was
        fresh.parents = ctx.parents
        with no_grad():  # forward again on the recorded inputs: the saved arrays backward needs
            fresh.run_forward(ctx.parents, dict(getattr(ctx, "_options", None) or {}))
        self.ctx = fresh
        self._rows: dict = {}

    def vjp(self, upstream: np.ndarray) -> list:
        """The op's backward on `upstream`: one array (input's shape) or None per input."""
        ctx = self.ctx
        with no_grad():
            results = ctx.backward(ctx, np.array(upstream, dtype=self.tensor.data.dtype))
        if type(results) is not tuple:
            results = tuple(results) if type(results) is list else (results,)
        out = []
        for pos, (parent, result) in enumerate(zip(self.parents, results)):
            if result is None or not parent.requires_grad:
                out.append(None)
                continue
            result = fit_to_shape(result, parent.data.shape, ctx, pos)
            out.append(np.asarray(result.data if isinstance(result, Tensor) else result))
        return out

    def row(self, i: tuple, pos: int) -> list:
        """[(j, ∂out[i]/∂input_pos[j])] for the input elements out[i] depends on.

        A zero local derivative through a same-shape or broadcast input (a dead relu) is kept:
        it is the reason a gradient stops; so is any into a one-element output (a loss whose
        prediction is right). Other zeros (a 0 inside a matmul) add nothing and are left out."""
        key = (i, pos)
        if key not in self._rows:
            onehot = np.zeros(self.tensor.data.shape)
            onehot[i] = 1.0
            grads = self.vjp(onehot)
            for p, g in enumerate(grads):
                self._rows[(i, p)] = [] if g is None else _connected(g, i, self.parents[p].data.shape,
                                                                     self.tensor.data.shape)
        return self._rows[key]


def _connected(g: np.ndarray, i: tuple, in_shape: tuple, out_shape: tuple) -> list:
    if int(np.prod(out_shape)) == 1:  # a loss or a full reduction: every input element counts
        return [(tuple(int(n) for n in j), float(g[j])) for j in np.ndindex(in_shape)]
    entries = {tuple(int(n) for n in j): float(g[tuple(j)]) for j in np.argwhere(g != 0)}
    diagonal = broadcast_index(i, in_shape, out_shape)
    if diagonal is not None and diagonal not in entries:
        entries[diagonal] = float(g[diagonal])
    return sorted(entries.items())


def broadcast_index(i: tuple, in_shape: tuple, out_shape: tuple) -> Optional[tuple]:
    """The input element that broadcasting pairs with output element i, or None when the
    input does not broadcast to the output (a matmul's, a reduction's input)."""
    if len(in_shape) > len(out_shape) or any(
            n != 1 and n != m for n, m in zip(reversed(in_shape), reversed(out_shape))):
        return None
    tail = i[len(i) - len(in_shape):] if in_shape else ()
    return tuple(0 if n == 1 else k for n, k in zip(in_shape, tail))


def local_text(node: LocalNode, pos: int, max_elements: int = 6, limit: int = 64) -> Optional[str]:
    """Input `pos`'s local derivative as short text: the rule's numbers and value for one element
    (``0.6682·(1−0.6682) = 0.2217``), ``⊙ [..]`` for an elementwise op, the row ``[..]`` for a
    one-element output; None for a full Jacobian (or an output over `limit` elements)."""
    from .viz.labels import format_array
    out = node.tensor.data
    in_shape = node.parents[pos].data.shape
    if out.size > limit:
        return None
    if out.size == 1:
        i = (0,) * out.ndim
        row = np.zeros(in_shape)
        for j, d in node.row(i, pos):
            row[j] = d
        value = " ".join(format_array(row, max_elements))
        numbers = substitution(node, i, pos, (0,) * len(in_shape)) if row.size == 1 else None
        return f"{numbers} = {value}" if numbers and not says_value(numbers, value) else value
    diagonal = np.zeros(out.shape)
    for i in np.ndindex(out.shape):
        entries = node.row(i, pos)
        if any(j != broadcast_index(i, in_shape, out.shape) for j, d in entries if d != 0):
            return None  # not elementwise: a Jacobian
        diagonal[i] = sum(d for _, d in entries)
    summed = " (summed over the broadcast axes)" if in_shape != out.shape else ""
    return "⊙ " + " ".join(format_array(diagonal, max_elements)) + summed


def says_value(text: Optional[str], value: str) -> bool:
    """Does `text` already end in the number `value` (so it need not be written again)?
    The rules write minus as −, numbers as -: both count."""
    if not text:
        return False
    text, value = text.replace("−", "-"), value.replace("−", "-")
    return text == value or text.endswith(f"= {value}")


def rule_clause(op: type, pos: int) -> Optional[str]:
    """The part of ``op.rule`` about input `pos` (clauses start with ∂, in input order)."""
    rule = getattr(op, "rule", None)
    if not rule:
        return None
    clauses = ["∂" + c if k else c for k, c in enumerate(rule.split(", ∂"))]
    return clauses[pos] if pos < len(clauses) else clauses[-1]


def number(x: float) -> str:
    """A number in explanations: 4 significant digits, all the digits before the point.

    >>> number(0.598687), number(-79996.2104), number(1e-7), number(-0.0)
    ('0.5987', '-79996.21', '1e-07', '0')
    """
    from .viz.labels import number_text
    return number_text(x)


# --- the rules with numbers put in -------------------------------------------------------------
# fn(node, i, pos, j) -> (text, value): the value is computed from the formula, independently of
# backward, so a test can hold each rule against the op's backward.
Substitution = Callable[[LocalNode, tuple, int, tuple], tuple]
SUBSTITUTIONS: dict[str, Substitution] = {}


def _rule(*names: str):
    def register(fn):
        for name in names:
            SUBSTITUTIONS[name] = fn
        return fn
    return register


def substitution(node: LocalNode, i: tuple, pos: int, j: tuple) -> Optional[str]:
    """The op's rule with the numbers of output element i / input element j put in, or None."""
    found = substitution_value(node, i, pos, j)
    return None if found is None else found[0]


def substitution_value(node: LocalNode, i: tuple, pos: int, j: tuple) -> Optional[tuple]:
    """(text, value) from the op's rule, or None when no substitution is known for the op."""
    for cls in node.op.__mro__:
        fn = SUBSTITUTIONS.get(cls.__name__)
        if fn is not None and cls.__module__.split(".")[0] in ("autograd_mini", "nn"):
            try:
                return fn(node, i, pos, j)
            except (IndexError, KeyError, ValueError, TypeError, AttributeError):
                return None  # a shape the substitution does not cover: the number alone is shown
    return None


def _x(node: LocalNode, pos: int, i: tuple) -> float:
    """Input `pos` at output element i (broadcast)."""
    data = node.parents[pos].data
    return float(data[broadcast_index(i, data.shape, node.tensor.data.shape)])


def _out(node: LocalNode, i: tuple) -> float:
    return float(node.tensor.data[i])


N = number


def P(x: float) -> str:
    """A number inside a formula: negative ones in parentheses (1−(-0.5)², not 1−-0.5²)."""
    return number(x) if x >= 0 else f"({number(x)})"


@_rule("Add")
def _add(node, i, pos, j):
    return "1", 1.0


@_rule("Sub")
def _sub(node, i, pos, j):
    return ("1", 1.0) if pos == 0 else ("−1", -1.0)


@_rule("Neg")
def _neg(node, i, pos, j):
    return "−1", -1.0


@_rule("Mul")
def _mul(node, i, pos, j):
    other = _x(node, 1 - pos, i)
    return N(other), other


@_rule("Div")
def _div(node, i, pos, j):
    a, b = _x(node, 0, i), _x(node, 1, i)
    return (f"1/{P(b)}", 1.0 / b) if pos == 0 else (f"−{P(a)}/{P(b)}²", -a / (b * b))


@_rule("Pow")
def _pow(node, i, pos, j):
    a, b = _x(node, 0, i), _x(node, 1, i)
    if pos == 0:
        return f"{P(b)}·{P(a)}^({P(b)}−1)", b * a ** (b - 1)
    if a <= 0:
        return f"0 (a = {P(a)} ≤ 0)", 0.0
    return f"{P(_out(node, i))}·ln {P(a)}", _out(node, i) * float(np.log(a))


@_rule("Exp")
def _exp(node, i, pos, j):
    return f"e^{P(_x(node, 0, i))}", _out(node, i)


@_rule("Log")
def _log(node, i, pos, j):
    x = _x(node, 0, i)
    return f"1/{P(x)}", 1.0 / x


@_rule("Sigmoid")
def _sigmoid(node, i, pos, j):
    s = _out(node, i)
    return f"{P(s)}·(1−{P(s)})", s * (1.0 - s)


@_rule("Tanh")
def _tanh(node, i, pos, j):
    t = _out(node, i)
    return f"1−{P(t)}²", 1.0 - t * t


@_rule("Relu")
def _relu(node, i, pos, j):
    z = _x(node, 0, i)
    return f"[{N(z)} > 0]", float(z > 0)


@_rule("Abs")
def _abs(node, i, pos, j):
    x = _x(node, 0, i)
    return f"sign({N(x)})", float(np.sign(x))


@_rule("Maximum")
def _maximum(node, i, pos, j):
    a, b = _x(node, pos, i), _x(node, 1 - pos, i)
    return f"[{N(a)} > {N(b)}] + ½[{N(a)} = {N(b)}]", float(a > b) + 0.5 * float(a == b)


@_rule("Where")
def _where(node, i, pos, j):
    condition = np.asarray(node.ctx._options["condition"])
    c = bool(np.broadcast_to(condition, node.tensor.data.shape)[i])
    picked = c if pos == 0 else not c
    return f"[{'not ' if pos else ''}{c}]", float(picked)


@_rule("Sum", "Reshape", "Transpose", "BroadcastTo", "GetItem", "ScatterAdd", "Clone")
def _move(node, i, pos, j):
    return "1", 1.0


@_rule("Mean")
def _mean(node, i, pos, j):
    n = node.ctx.count
    return f"1/{n}", 1.0 / n


@_rule("Max")
def _max(node, i, pos, j):
    x = node.parents[0].data
    axis = node.ctx._options.get("axis")
    top = x.max(axis=axis, keepdims=True)
    winners = (x == top).sum(axis=axis, keepdims=True)
    k = int(np.broadcast_to(winners, x.shape)[j])
    if x[j] != np.broadcast_to(top, x.shape)[j]:
        return "0 (not the maximum)", 0.0
    return f"1/{k}", 1.0 / k


@_rule("MatMul")
def _matmul(node, i, pos, j):
    a, b = node.parents[0].data, node.parents[1].data
    if a.ndim > 2 or b.ndim > 2:
        raise ValueError("batched matmul")
    if pos == 0:  # ∂(AB)[r, c]/∂A[r, k] = B[k, c]
        value = b[j[-1], i[-1]] if b.ndim == 2 else b[j[-1]]
        name = f"B[{j[-1]}, {i[-1]}]" if b.ndim == 2 else f"B[{j[-1]}]"
    else:  # ∂(AB)[r, c]/∂B[k, c] = A[r, k]
        value = a[i[0], j[0]] if a.ndim == 2 else a[j[0]]
        name = f"A[{i[0]}, {j[0]}]" if a.ndim == 2 else f"A[{j[0]}]"
    return name, float(value)


@_rule("Linear")
def _linear(node, i, pos, j):
    x, w = node.parents[0].data, node.parents[1].data
    if pos == 2:
        return "1", 1.0
    if pos == 0:  # ∂z[r, c]/∂x[r, k] = W[k, c]
        value = float(w[j[-1], i[-1]])
        return f"W[{j[-1]}, {i[-1]}]", value
    value = float(x[i[0], j[0]] if x.ndim == 2 else x[j[0]])  # ∂z[r, c]/∂W[k, c] = x[r, k]
    return (f"x[{i[0]}, {j[0]}]" if x.ndim == 2 else f"x[{j[0]}]"), value


@_rule("DenseActivation")
def _dense(node, i, pos, j):
    out = _out(node, i)
    act = node.ctx.activation
    slope = {"sigmoid": out * (1 - out), "tanh": 1 - out * out, "relu": float(out > 0)}[act]
    slope_text = {"sigmoid": f"{P(out)}·(1−{P(out)})", "tanh": f"1−{P(out)}²",
                  "relu": f"[{N(out)} > 0]"}[act]
    text, value = _linear(node, i, pos, j)
    return f"{slope_text} · {text if pos == 2 else P(value)}", slope * value


@_rule("Softmax")
def _softmax(node, i, pos, j):
    s = node.tensor.data
    si, sj = float(s[i]), float(s[j])
    same = float(i == j)
    return f"{P(si)}·({int(same)} − {P(sj)})", si * (same - sj)


def _loss_n(node) -> float:
    """The n in a loss's rule: what one term's slope is divided by (1 / the op's scale)."""
    ctx = node.ctx
    return float(ctx.per_sample_divisor) if ctx.reduction == "none" else 1.0 / ctx.scale


def _loss_values(node, j):
    y_true, y_pred = node.parents[0].data, node.parents[1].data
    shape = np.broadcast_shapes(y_true.shape, y_pred.shape)
    return (float(np.broadcast_to(y_true, shape)[j]), float(np.broadcast_to(y_pred, shape)[j]),
            _loss_n(node))


@_rule("MeanSquaredErrorOp")
def _mse(node, i, pos, j):
    y, yhat, n = _loss_values(node, j)
    sign = "" if pos else "−"
    value = 2.0 * (yhat - y) / n
    return f"{sign}2·({P(yhat)}−{P(y)})/{P(n)}", value if pos else -value


@_rule("MeanAbsoluteErrorOp")
def _mae(node, i, pos, j):
    y, yhat, n = _loss_values(node, j)
    value = float(np.sign(yhat - y)) / n
    return f"{'' if pos else '−'}sign({P(yhat)}−{P(y)})/{P(n)}", value if pos else -value


@_rule("BinaryCrossentropyOp")
def _bce(node, i, pos, j):
    y, p, n = _loss_values(node, j)
    eps = 1e-7
    c = min(max(p, eps), 1 - eps)
    if pos == 0:
        return f"(ln(1−{P(c)}) − ln {P(c)})/{P(n)}", (np.log(1 - c) - np.log(c)) / n
    if not eps <= p <= 1 - eps:
        return f"0 (p = {P(p)} clipped)", 0.0
    return f"({P(p)}−{P(y)})/({P(p)}·(1−{P(p)}))/{P(n)}", (p - y) / (p * (1 - p)) / n


@_rule("SigmoidBinaryCrossentropyOp")
def _sigmoid_bce(node, i, pos, j):
    y, z, n = _loss_values(node, j)
    if pos == 0:
        return f"−{P(z)}/{P(n)}", -z / n
    s = float(0.5 * (1 + np.tanh(z / 2)))
    return f"(σ({N(z)})−{P(y)})/{P(n)} = ({P(s)}−{P(y)})/{P(n)}", (s - y) / n


def _row_of(node, j):
    y_true, y_pred = node.parents[0].data, node.parents[1].data
    shape = np.broadcast_shapes(y_true.shape, y_pred.shape)
    row = j[:-1]
    return np.broadcast_to(y_true, shape)[row], np.broadcast_to(y_pred, shape)[row], j[-1]


@_rule("CategoricalCrossentropyOp")
def _cce(node, i, pos, j):
    y, p, k = _row_of(node, j)
    n = _loss_n(node)
    total = float(p.sum())
    q = float(np.clip(p[k] / total, 1e-7, 1 - 1e-7))
    if pos == 0:
        return f"−ln {P(q)}/{P(n)}", -float(np.log(q)) / n
    if not 1e-7 <= p[k] / total <= 1 - 1e-7:
        return f"0 (q = {P(p[k] / total)} clipped)", 0.0
    value = (float(y.sum()) - float(y[k]) / q) / total / n
    return f"({P(float(y.sum()))} − {P(float(y[k]))}/{P(q)})/{P(total)}/{P(n)}", value


@_rule("SoftmaxCategoricalCrossentropyOp")
def _softmax_cce(node, i, pos, j):
    y, z, k = _row_of(node, j)
    n = _loss_n(node)
    top = float(z.max())
    lse = top + float(np.log(np.exp(z - top).sum()))
    if pos == 0:
        return f"({P(lse)} − {P(float(z[k]))})/{P(n)}", (lse - float(z[k])) / n
    s = float(np.exp(z[k] - lse))
    return f"({P(s)}·{P(float(y.sum()))} − {P(float(y[k]))})/{P(n)}", (s * float(y.sum()) - float(y[k])) / n


def _function_rule_note(op: type) -> str:
    """What explain says about a user's op without a rule."""
    return f"from {op.__name__}.backward"

