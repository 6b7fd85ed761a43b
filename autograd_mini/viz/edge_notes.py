"""What diagrams write on edges: each op's local derivative (its rule with the numbers), and
which edges carry a zero gradient (drawn as blocked flow, not as flowing).

>>> import autograd_mini as am
>>> from autograd_mini.viz.view import GraphView
>>> z = am.Tensor(-1.0, requires_grad=True, name="z")
>>> view = GraphView(z.relu() * 2.0)
>>> rule_texts(view)[(0, 0)]
'∂relu(z)/∂z = [z > 0] (1 if z > 0, else 0)\\n= [-1 > 0] = 0'
>>> from autograd_mini.viz.graph import retain_grads
>>> retain_grads(view.roots[0]).backward()    # every gradient kept: z's is 0, relu blocked it
>>> sorted(blocked_edges(view, lambda t: t.grad))
[(0, 0)]
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from ..local_rules import LocalNode, local_text, rule_clause, says_value

__all__ = ["rule_texts", "blocked_edges"]


def rule_texts(view, max_elements: int = 6) -> dict:
    """{(op index, input position): the op's rule for that input and its value at the recorded
    numbers} for every input that needs a gradient."""
    texts = {}
    for i, t in enumerate(view.ops):
        if i in view.rep:  # folded away
            continue
        node = None
        for pos, parent in enumerate(t._ctx.parents):
            if not parent.requires_grad:
                continue
            node = node or LocalNode(t)
            rule = rule_clause(node.op, pos) or f"from {node.op.__name__}.backward"
            value = local_text(node, pos, max_elements)
            texts[(i, pos)] = rule if value is None or says_value(rule, value) else f"{rule}\n= {value}"
    return texts


def blocked_edges(view, get_grad: Callable) -> set:
    """The (op index, input position) edges whose gradient is all zeros.

    Read off the gradients that are known (leaves', the output's, values kept with retain_grad):
    an op whose output gradient is zero sends zero to every input; an input used once receives
    exactly what its one edge sent. Only for an input used several times is the op's backward
    run again (autograd_mini.local_rules) to see what that one edge carried."""
    uses: dict = {}
    for i, refs in enumerate(view.parents):
        for k in refs:
            uses[k] = uses.get(k, 0) + 1
    blocked = set()
    for i, t in enumerate(view.ops):
        upstream = _array(get_grad(t))
        if upstream is None and id(t) in view.root_ids:
            upstream = np.ones(t.data.shape)
        sent = None
        for pos, parent in enumerate(t._ctx.parents):
            if not parent.requires_grad:
                continue
            if upstream is not None and not np.any(upstream):
                blocked.add((i, pos))
                continue
            g = _array(get_grad(parent))
            if uses[view.parents[i][pos]] > 1 and upstream is not None:
                sent = sent if sent is not None else LocalNode(t).vjp(upstream)
                g = sent[pos]
            if g is not None and not np.any(g):
                blocked.add((i, pos))
    return blocked


def _array(g) -> Optional[np.ndarray]:
    if g is None:
        return None
    return np.asarray(getattr(g, "data", g))
