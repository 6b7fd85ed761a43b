"""Explain a gradient: the chain rule written out with the recorded numbers.

``explain(output, wrt)`` follows every path from `output` back to `wrt` through the recorded
graph. Along a path each op contributes its local derivative -- its ``rule`` with the numbers
put in, e.g. ``∂σ(z)/∂z = σ(z)·(1−σ(z)) = 0.5987·(1−0.5987) = 0.2403`` -- the path's value is
the product, and the gradient is the sum over the paths: what backward puts into ``wrt.grad``.

>>> import autograd_mini as am
>>> x = am.Tensor(1.5, name="x")
>>> w = am.Tensor(0.8, requires_grad=True, name="w")
>>> b = am.Tensor(-0.5, requires_grad=True, name="b")
>>> z = w * x + b; z.name = "z"
>>> p = z.sigmoid(); p.name = "p"
>>> e = explain(p, w)
>>> round(e.total, 4), e.paths[0].ops, [round(f, 4) for f in e.paths[0].factors]
(0.3326, ('sigmoid', 'add', 'mul'), [0.2217, 1.0, 1.5])
>>> print(e)
∂p/∂w = 0.3326   (1 path)
path 1: p ← z ← mul ← w = 0.3326
  ∂p/∂z    sigmoid  ∂σ(z)/∂z = σ(z)·(1−σ(z)) = 0.6682·(1−0.6682) = 0.2217
  ∂z/∂mul  add      ∂(a+b)/∂a = 1
  ∂mul/∂w  mul      ∂(a·b)/∂a = b = 1.5
  product: 0.2217 × 1 × 1.5 = 0.3326
sum over 1 path = 0.3326 = what backward puts into w.grad

Nothing is written to ``.grad`` and it works before or after ``backward()``: each op's local
derivatives come from its own backward, run again on the side (autograd_mini.local_rules), so
they are right for a user's Function too, rule or not. Many paths (through a matmul or a sum)
are grouped by route -- the chain of ops they follow -- with each route's sum and its largest
path; up to 8 paths are always listed one by one.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

import numpy as np

from .engine import topological_order
from .local_rules import LocalNode, number, rule_clause, says_value, substitution
from .tensor import Tensor

__all__ = ["explain", "Explanation", "Path", "Route", "Factor"]

LISTED = 8            # up to this many paths are listed one by one
MAX_ROUTES = 32       # routes (chains of ops) listed; more are summed up in one line
MAX_ELEMENTS = 4000   # element-level paths are traced when the graph between has at most this many elements


@dataclass(frozen=True)
class Factor:
    """One link of a path: ∂ out_label / ∂ in_label at the recorded numbers."""
    op: str                  # the op's name ("sigmoid")
    op_class: str            # its Function class ("Sigmoid"): a rule-less op's numbers come from its backward
    out_label: str           # "p" or "p[2]"
    in_label: str            # "z"
    rule: Optional[str]      # the rule's clause for this input, None for an op without a rule
    numbers: Optional[str]   # the rule with the numbers put in, when known
    value: float             # from the op's own backward

    def text(self) -> str:
        return f"∂{self.out_label}/∂{self.in_label}  {self.op}  {self.formula()}"

    def formula(self) -> str:
        """The rule, the numbers put in, the value: each said once."""
        value = number(self.value)
        parts = [self.rule or f"from {self.op_class}.backward"]
        if self.numbers and not says_value(parts[0], self.numbers):
            parts.append(self.numbers)
        if not says_value(parts[-1], value):
            parts.append(value)
        return " = ".join(parts)


@dataclass(frozen=True)
class Path:
    """One path from the output to `wrt` (one element of each tensor on the way)."""
    factors_detail: tuple          # Factor per op, output first
    value: float                   # the product of the factors

    @property
    def ops(self) -> tuple:
        return tuple(f.op for f in self.factors_detail)

    @property
    def factors(self) -> tuple:
        return tuple(f.value for f in self.factors_detail)

    def chain(self) -> str:
        labels = [f.out_label for f in self.factors_detail] + [self.factors_detail[-1].in_label]
        return " ← ".join(labels)


@dataclass(frozen=True)
class Route:
    """The paths that follow one chain of ops, summed: `count` paths (None: not counted), `value`
    their sum (exact, from the ops' backward), `largest` the path with the largest |value|."""
    ops: tuple
    labels: tuple
    value: float
    count: Optional[int]
    largest: Optional[Path]


@dataclass
class Explanation:
    """How ∂output/∂wrt[index] is computed. `paths`: every path when there are at most 8,
    else each route's largest path; `routes`: the sums per chain of ops; `total`: the gradient."""
    output_label: str
    wrt_label: str
    index: tuple
    wrt_size: int
    index_reason: str
    total: float
    paths: list = field(default_factory=list)
    routes: list = field(default_factory=list)
    n_paths: Optional[int] = None
    n_routes: int = 0
    grouped: bool = False
    output_is_wrt: bool = False

    def __str__(self) -> str:
        return "\n".join(_narration(self))

    def __repr__(self) -> str:
        return f"<Explanation ∂{self.output_label}/∂{self.wrt_label} = {number(self.total)}>"

    def _repr_markdown_(self) -> str:
        return _markdown(self)

    def _repr_html_(self) -> str:
        return _html(self)


def explain(output: Tensor, wrt: Tensor, *, index=None) -> Explanation:
    """How ∂output/∂wrt is computed, path by path, with the numbers (see the module docstring).

    output: a one-element Tensor; wrt: a Tensor in its graph (leaf or intermediate); index: the
    element of `wrt` (an int into the flattened array, or a tuple); default: the one with the
    largest |gradient|."""
    _check(output, wrt)
    between = _between(output, wrt)
    nodes = {id(t): LocalNode(t) for t in between}
    grad = _gradient(output, wrt, between, nodes)
    index, reason = _pick_index(wrt, grad, index)
    labels = _Labels(output, wrt, between)
    out_i = (0,) * output.data.ndim
    route_list, n_routes = _routes(output, wrt, between)
    elements = _element_graph(output, wrt, between, nodes, out_i)
    e = Explanation(labels.of(output), labels.of(wrt), index, wrt.data.size, reason, float(grad[index]),
                    n_routes=n_routes, output_is_wrt=output is wrt)
    counts = _count_paths(wrt, index, between, nodes, elements) if elements is not None else None
    if counts is not None:
        e.n_paths = counts.get((id(output), out_i), 0)
    if output is wrt:
        e.n_paths = 1
    elif e.n_paths is not None and e.n_paths <= LISTED:
        e.paths = _all_paths(output, out_i, wrt, nodes, counts, labels)
    else:
        e.grouped = True
    for route in route_list:
        value = _route_value(output, route, wrt, nodes)[index]
        largest = count = None
        if elements is not None:
            largest, count = _route_paths(output, out_i, route, wrt, index, nodes, elements, labels)
        e.routes.append(Route(tuple(nodes[id(t)].op.op_name for t, _ in route), _route_labels(route, wrt, labels),
                              float(value), count, largest))
    if e.grouped:
        e.paths = [r.largest for r in e.routes if r.largest is not None]
    return e


# --- the graph between output and wrt ------------------------------------------------------------
def _check(output, wrt) -> None:
    if not isinstance(output, Tensor):
        raise TypeError(f"explain: output must be a Tensor, got {type(output).__name__}")
    if not isinstance(wrt, Tensor):
        raise TypeError(f"explain: wrt must be a Tensor, got {type(wrt).__name__}")
    if output.data.size != 1:
        raise ValueError(f"explain: output must have one element (a loss), got shape {output.shape}; "
                         "call .sum() or pick an element first")


def _between(output: Tensor, wrt: Tensor) -> list:
    """The ops on some path from `output` down to `wrt`, inputs first (wrt itself excluded)."""
    if output is wrt:
        return []
    if output._ctx is None:
        raise ValueError("explain: output has no recorded graph (a leaf, or computed from tensors that did not "
                         "require grad, or under no_grad()), so nothing leads from wrt to it")
    found = {id(wrt)}
    between = []
    for t in topological_order(output):
        if t is wrt:
            continue
        if any(id(p) in found for p in t._ctx.parents):
            found.add(id(t))
            between.append(t)
    if id(output) not in found:
        raise ValueError(f"explain: wrt (shape {wrt.shape}{', name ' + repr(wrt.name) if wrt.name else ''}) "
                         "is not in output's graph: no recorded op leads from it to output")
    if not wrt.requires_grad:
        raise ValueError("explain: wrt does not require grad, so backward gives it no gradient; "
                         "make it with requires_grad=True")
    return between


def _gradient(output: Tensor, wrt: Tensor, between: list, nodes: dict) -> np.ndarray:
    """∂output/∂wrt from the ops' own backward, on the side (reverse order, sums at each tensor)."""
    grads = {id(output): np.ones(output.data.shape, output.data.dtype)}
    inside = {id(t) for t in between} | {id(wrt)}
    for t in reversed(between):
        upstream = grads.pop(id(t), None)
        if upstream is None:
            continue
        for parent, g in zip(t._ctx.parents, nodes[id(t)].vjp(upstream)):
            if g is not None and id(parent) in inside:
                waiting = grads.get(id(parent))
                grads[id(parent)] = g if waiting is None else waiting + g
    if output is wrt:
        return grads[id(output)]
    return grads.get(id(wrt), np.zeros(wrt.data.shape, wrt.data.dtype))


def _pick_index(wrt: Tensor, grad: np.ndarray, index) -> tuple:
    shape = wrt.data.shape
    if index is None:
        flat = int(np.argmax(np.abs(grad))) if grad.size else 0
        picked = tuple(int(k) for k in np.unravel_index(flat, shape)) if shape else ()
        reason = "" if wrt.data.size == 1 else "the element with the largest |gradient|"
        return picked, reason
    try:
        if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
            picked = tuple(int(k) for k in np.unravel_index(int(index) % max(wrt.data.size, 1), shape))
            if not -wrt.data.size <= int(index) < wrt.data.size:
                raise IndexError
        else:
            picked = tuple(int(k) for k in index)
            np.zeros(shape)[picked]  # raises for an index outside the shape
            picked = tuple(k % n for k, n in zip(picked, shape))
            if len(picked) != len(shape):
                raise IndexError
    except (TypeError, IndexError, ValueError):
        raise IndexError(f"explain: index={index!r} is not an element of wrt (shape {wrt.shape}); "
                         "give an int below its size or a tuple of one int per axis") from None
    return picked, "the element asked for"


class _Labels:
    """Names in the narration: a tensor's own name, else its op's name (numbered when repeated)."""

    def __init__(self, output, wrt, between):
        self.names = {}
        seen: dict = {}
        for t in list(between) + ([wrt] if wrt is not None else []) + [output]:
            if id(t) in self.names:
                continue
            if t.name:
                self.names[id(t)] = t.name
            elif t._ctx is not None and t is not wrt:
                name = t._ctx.op_name
                seen[name] = seen.get(name, 0) + 1
                self.names[id(t)] = name if seen[name] == 1 else f"{name}{_subscript(seen[name])}"
            else:
                self.names[id(t)] = "wrt" if t is wrt else "output"

    def of(self, t: Tensor, i: Optional[tuple] = None) -> str:
        name = self.names.get(id(t)) or t.name or "input"
        if i is None or t.data.size == 1:
            return name
        return f"{name}[{', '.join(str(k) for k in i)}]"


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


# --- element paths -------------------------------------------------------------------------------
def _element_graph(output, wrt, between, nodes, out_i) -> Optional[dict]:
    """{id(tensor): set of element indices reached from the output}, or None when too many."""
    if output is wrt:
        return {id(output): {out_i}}
    inside = {id(t) for t in between} | {id(wrt)}
    reached = {id(output): {out_i}}
    total = 1
    for t in reversed(between):
        node = nodes[id(t)]
        for i in sorted(reached.get(id(t), ())):
            for pos, parent in enumerate(t._ctx.parents):
                if id(parent) not in inside:
                    continue
                target = reached.setdefault(id(parent), set())
                for j, _ in node.row(i, pos):
                    if j not in target:
                        target.add(j)
                        total += 1
            if total > MAX_ELEMENTS:
                return None
    return reached


def _count_paths(wrt, index, between, nodes, elements) -> dict:
    """{(id(tensor), i): number of element paths from tensor[i] down to wrt[index]}."""
    counts = {(id(wrt), index): 1}
    for t in between:
        node = nodes[id(t)]
        for i in elements.get(id(t), ()):
            n = 0
            for pos, parent in enumerate(t._ctx.parents):
                for j, _ in node.row(i, pos):
                    n += counts.get((id(parent), j), 0) if (parent is not wrt or j == index) else 0
            counts[(id(t), i)] = n
    return counts


def _factor(node: LocalNode, i, pos, j, d, labels) -> Factor:
    return Factor(node.op.op_name, node.op.__name__, labels.of(node.tensor, i), labels.of(node.parents[pos], j),
                  rule_clause(node.op, pos), substitution(node, i, pos, j), d)


def _all_paths(output, out_i, wrt, nodes, counts, labels) -> list:
    """Every element path (there are few), depth first without recursion, output first."""
    paths = []
    stack = [(output, out_i, ())]
    while stack:
        t, i, factors = stack.pop()
        if t is wrt and factors:
            paths.append(Path(factors, float(np.prod([f.value for f in factors]))))
            continue
        node = nodes.get(id(t))
        if node is None:
            continue
        branches = []
        for pos, parent in enumerate(t._ctx.parents):
            for j, d in node.row(i, pos):
                if counts.get((id(parent), j), 0):
                    branches.append((parent, j, factors + (_factor(node, i, pos, j, d, labels),)))
        stack.extend(reversed(branches))
    return paths


# --- routes: chains of ops ---------------------------------------------------------------------------
def _routes(output, wrt, between) -> tuple:
    """Up to MAX_ROUTES chains [(tensor, input position), ...] from output to wrt, and how many there are."""
    if output is wrt:
        return [], 0
    inside = {id(t) for t in between}
    number_of = {id(wrt): 1}
    for t in between:
        number_of[id(t)] = sum(number_of.get(id(p), 0) for p in t._ctx.parents)
    routes = []
    stack = [(output, ())]
    while stack and len(routes) < MAX_ROUTES:
        t, chain = stack.pop()
        branches = []
        for pos, parent in enumerate(t._ctx.parents):
            if parent is wrt:
                routes.append(chain + ((t, pos),))
            elif id(parent) in inside:
                branches.append((parent, chain + ((t, pos),)))
        stack.extend(reversed(branches))
    return routes[:MAX_ROUTES], number_of[id(output)]


def _route_labels(route, wrt, labels) -> tuple:
    """The tensors along a route; where an op takes the same tensor at two inputs (x @ x, x * x),
    which input the route goes through."""
    names = [labels.of(t) for t, _ in route] + [labels.of(wrt)]
    for k, (t, pos) in enumerate(route):
        parents = t._ctx.parents
        if sum(p is parents[pos] for p in parents) > 1:
            names[k + 1] += f" (input {pos} of {t._ctx.op_name})"
    return tuple(names)


def _route_value(output, route, wrt, nodes) -> np.ndarray:
    """The part of ∂output/∂wrt that runs along one chain of ops (backward restricted to it)."""
    upstream = np.ones(output.data.shape, output.data.dtype)
    for t, pos in route:
        upstream = nodes[id(t)].vjp(upstream)[pos]
        if upstream is None:
            return np.zeros(wrt.data.shape)
    return upstream


def _route_paths(output, out_i, route, wrt, index, nodes, elements, labels) -> tuple:
    """The route's largest element path (by |value|) and its number of element paths.

    One pass bottom-up keeps, per element, the largest |product| below it and how many paths;
    then the largest path is read top-down."""
    tables = [{index: (1.0, 1)}]  # per level: element -> (largest |product| below, paths below)
    for t, pos in reversed(route):
        node, below, above = nodes[id(t)], tables[-1], {}
        for i in elements.get(id(t), ()):
            reach = [(abs(d) * below[j][0], below[j][1]) for j, d in node.row(i, pos) if j in below]
            if reach:
                above[i] = (max(r[0] for r in reach), sum(r[1] for r in reach))
        tables.append(above)
    tables.reverse()  # tables[k]: the elements of route[k]'s output
    if out_i not in tables[0]:
        return None, 0
    factors, i = [], out_i
    for k, (t, pos) in enumerate(route):
        below, node = tables[k + 1], nodes[id(t)]
        _, j, d = max(((abs(d) * below[j][0], j, d) for j, d in node.row(i, pos) if j in below),
                      key=lambda option: option[0])
        factors.append(_factor(node, i, pos, j, d, labels))
        i = j
    return Path(tuple(factors), float(np.prod([f.value for f in factors]))), tables[0][out_i][1]


# --- text, Markdown, HTML ------------------------------------------------------------------------------
def _headline(e: Explanation) -> str:
    which = f"{e.wrt_label}[{', '.join(map(str, e.index))}]" if e.wrt_size > 1 else e.wrt_label
    if e.n_paths is None:
        count = f"{e.n_routes} route{'s' if e.n_routes != 1 else ''} of ops"
    else:
        count = f"{e.n_paths:,} path{'s' if e.n_paths != 1 else ''}"
        if e.grouped:
            count += f" along {e.n_routes} route{'s' if e.n_routes != 1 else ''} of ops"
    line = f"∂{e.output_label}/∂{which} = {number(e.total)}   ({count})"
    if e.index_reason and e.wrt_size > 1:
        line += f"\n{e.wrt_label} has {e.wrt_size} elements; shown: {which}, {e.index_reason} (index= picks another)"
    return line


def _narration(e: Explanation) -> list:
    lines = [_headline(e)]
    if e.output_is_wrt:
        return lines + [f"{e.wrt_label} is the output itself: its derivative with respect to itself is 1"]
    if not e.grouped:
        for k, path in enumerate(e.paths, 1):
            lines += _path_lines(path, f"path {k}")
        lines.append(f"sum over {len(e.paths)} path{'s' if len(e.paths) != 1 else ''} = "
                     f"{number(sum(p.value for p in e.paths))} = what backward puts into {e.wrt_label}.grad")
        return lines
    lines.append(f"more than {LISTED} paths: grouped by route (the chain of ops they follow), "
                 "each route's sum and its largest path")
    for k, route in enumerate(e.routes, 1):
        counted = f"{route.count:,} path{'s' if route.count != 1 else ''}, " if route.count else ""
        lines.append(f"route {k}: {' ← '.join(route.labels)}: {counted}sum = {number(route.value)}")
        if route.largest is not None:
            lines += ["  " + line for line in _path_lines(route.largest, "largest path")]
    if e.n_routes > len(e.routes):
        rest = e.total - sum(r.value for r in e.routes)
        lines.append(f"… and {e.n_routes - len(e.routes)} more routes, together {number(rest)}")
    lines.append(f"sum over all routes = {number(e.total)} = what backward puts into {e.wrt_label}.grad")
    return lines


def _path_lines(path: Path, title: str) -> list:
    lines = [f"{title}: {path.chain()} = {number(path.value)}"]
    width = max(len(f"∂{f.out_label}/∂{f.in_label}") for f in path.factors_detail)
    op_width = max(len(f.op) for f in path.factors_detail)
    for f in path.factors_detail:
        head = f"∂{f.out_label}/∂{f.in_label}"
        lines.append(f"  {head.ljust(width)}  {f.op.ljust(op_width)}  {f.formula()}")
    if len(path.factors) > 1:
        lines.append("  product: " + " × ".join(number(v) for v in path.factors) + f" = {number(path.value)}")
    return lines


def _markdown(e: Explanation) -> str:
    out = ["**" + _headline(e).replace("\n", "**  \n") + ("" if "\n" in _headline(e) else "**"), ""]
    for title, path in _titled_paths(e):
        out += [f"*{title}*: {path.chain()} = **{number(path.value)}**", "",
                "| | op | rule | with the numbers |", "|---|---|---|---|"]
        for f in path.factors_detail:
            numbers = (f.numbers + " = " if f.numbers and not says_value(f.numbers, number(f.value)) else "") + number(f.value)
            out.append(f"| ∂{f.out_label}/∂{f.in_label} | `{f.op}` | {f.rule or f'from {f.op_class}.backward'} | {numbers} |")
        out.append("")
    out.append(_narration(e)[-1])
    return "\n".join(out)


def _html(e: Explanation) -> str:
    esc = html.escape
    parts = [f"<div><p><b>{esc(_headline(e)).replace(chr(10), '<br>')}</b></p>"]
    for title, path in _titled_paths(e):
        rows = "".join(
            f"<tr><td>∂{esc(f.out_label)}/∂{esc(f.in_label)}</td><td><code>{esc(f.op)}</code></td>"
            f"<td>{esc(f.rule or f'from {f.op_class}.backward')}</td><td>"
            f"{esc(f.numbers + ' = ') if f.numbers and not says_value(f.numbers, number(f.value)) else ''}"
            f"<b>{esc(number(f.value))}</b></td></tr>" for f in path.factors_detail)
        parts.append(f"<p><i>{esc(title)}</i>: {esc(path.chain())} = <b>{esc(number(path.value))}</b></p>"
                     f"<table><tr><th></th><th>op</th><th>rule</th><th>with the numbers</th></tr>{rows}</table>")
    parts.append(f"<p>{esc(_narration(e)[-1])}</p></div>")
    return "".join(parts)


def _titled_paths(e: Explanation) -> list:
    if not e.grouped:
        return [(f"path {k}", p) for k, p in enumerate(e.paths, 1)]
    return [(f"route {k} ({r.count:,} paths, sum {number(r.value)}): largest path" if r.count else
             f"route {k}: largest path", r.largest) for k, r in enumerate(e.routes, 1) if r.largest]
