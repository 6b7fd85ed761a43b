"""Keeping big graph diagrams readable: repeated blocks folded into one node, and a node cap.

A block of ops repeated 4 or more times in a row keeps its first and last repeat and the
rest becomes one node "⋯ N × [block]"; with ``max_nodes``, the part of the graph next to the
output is drawn and the rest becomes one "… N earlier ops not drawn" node.

>>> import autograd_mini as am
>>> h = am.Tensor([1.0, 2.0])
>>> for k in range(20):
...     h = (h * am.Tensor([0.5, 0.5], requires_grad=True) + 1.0).sigmoid()
>>> "⋯ 17 × [mul → add → sigmoid]" in am.draw_graph(h).source
True

:func:`fold` decides it for a :class:`~autograd_mini.viz.view.GraphView`, filling its
``rep`` ({op index: summary node id}, the ops not drawn) and ``summaries`` ({summary node
id: what it hides}); the rest here are its steps and what drawing needs from them.
"""
from __future__ import annotations

from collections import Counter, deque
from typing import TYPE_CHECKING, Optional, Union

from .labels import dot_string, options_text

if TYPE_CHECKING:
    from .view import GraphView


def fold(view: GraphView, collapse: Union[bool, int], max_nodes: Optional[int],
         depth: Optional[int] = None) -> None:
    """Fold layers nested deeper than `depth` (None: none), repeats (`collapse`: True, or how
    many repeats it takes, 3 or more; False: none), then hide what exceeds `max_nodes` (None:
    no cap); fills view.rep and view.summaries."""
    if depth is not None and view.layers:
        fold_deep_layers(view, depth)
    # a run is folded when it repeats min_repeats times: its first and last repeat stay
    min_repeats = 4 if collapse is True else max(int(collapse or 0), 3) if collapse else 0
    if min_repeats and len(view.ops) >= 2 * min_repeats:
        collapse_repeats(view, min_repeats)
    if max_nodes is not None and count_nodes(view) > max_nodes:
        cap_nodes(view, max_nodes)
    finish_summaries(view)


def collapse_repeats(view: GraphView, min_repeats: int, max_period: int = 8) -> None:
    """Fold runs of repeated blocks. The graph is cut into segments at tensors that every
    later op reaches only through them (cut points in the op order); segments get a
    signature (op names, options, how inputs connect); a segment sequence repeating
    `min_repeats` times or more keeps its first and last repeat and hides the rest."""
    ops, parents = view.ops, view.parents
    n = len(ops)
    # cut after op k when no op after k uses an op before k
    lowest_later = n  # min op index used by ops after k
    cuts = []
    for k in range(n - 1, -1, -1):
        if lowest_later >= k and k < n - 1:
            cuts.append(k)
        for ref in parents[k]:
            if 0 <= ref < lowest_later:
                lowest_later = ref
    cuts.reverse()
    bounds = [-1] + cuts + [n - 1]
    segments = [(bounds[s] + 1, bounds[s + 1] + 1) for s in range(len(bounds) - 1)]
    sig_ids: dict = {}
    seq = []
    for start, stop in segments:
        parts = []
        for i in range(start, stop):
            t = ops[i]
            if id(t) in view.root_ids:
                parts.append(("root", i))  # never the same as another: never folded
                continue
            ins = tuple(("leaf", view.leaves[~k].data.shape) if k < 0 else
                        ("in",) if k < start else k - start for k in parents[i])
            parts.append((t._ctx.op_name, options_text(t._ctx), t.data.shape, ins))
        seq.append(sig_ids.setdefault(tuple(parts), len(sig_ids)))
    m = len(seq)
    s = 0
    while s < m:
        best = None
        for p in range(1, max_period + 1):
            if s + p * min_repeats > m:
                break
            block = seq[s:s + p]
            r = 1
            while seq[s + r * p:s + (r + 1) * p] == block:
                r += 1
            if r >= min_repeats and (best is None or r * p > best[0] * best[1]):
                best = (r, p)
        if best is None:
            s += 1
            continue
        r, p = best
        o = _block_phase(view, segments, s + p, p)
        first_hidden = segments[s + p + o][0]
        last_hidden = segments[s + (r - 1) * p + o - 1][1]
        block_ops = [ops[i]._ctx.op_name for i in range(first_hidden, segments[s + 2 * p + o - 1][1])]
        sid = f"s{len(view.summaries)}"
        view.summaries[sid] = {"kind": "repeat", "repeats": r - 2, "block": block_ops,
                               "ops": range(first_hidden, last_hidden)}
        for i in range(first_hidden, last_hidden):
            view.rep[i] = sid
        s += r * p


def fold_deep_layers(view: GraphView, depth: int) -> None:
    """Ops of a layer nested more than `depth` levels deep ("model/block/dense" is 3 levels)
    become one node per level-(depth + 1) group, drawn in its level-`depth` cluster."""
    groups: dict = {}
    for i in range(len(view.ops)):
        layer = view.layers.get(("op", i))
        parts = layer.split("/") if layer else []
        if len(parts) > depth:
            groups.setdefault("/".join(parts[:depth + 1]), []).append(i)
    for path, members in groups.items():
        sid = f"s{len(view.summaries)}"
        outer = path.rsplit("/", 1)[0] if "/" in path else None
        view.summaries[sid] = {"kind": "group", "ops": members, "path": path, "layer": outer}
        for i in members:
            view.rep[i] = sid


def _block_phase(view: GraphView, segments, start: int, p: int) -> int:
    """Where a repeating block is cut: 0..p-1 segments after `start`. Preferably where a
    layer begins, else where parameters come in after an op that takes none (the start of
    `h = sigmoid(h @ w + b)`), so the folded block reads as the code that made it."""
    best, best_score = 0, -1
    for o in range(p):
        i = segments[start + o][0]
        if i == 0:
            continue
        score = 0
        if view.layers is not None:
            here, before = view.layers.get(("op", i)), view.layers.get(("op", i - 1))
            score += 2 * (here != before and here is not None)
        takes = any(k < 0 for k in view.parents[i])
        took = any(k < 0 for k in view.parents[i - 1])
        score += takes and not took
        if score > best_score:
            best, best_score = o, score
    return best


def count_nodes(view: GraphView) -> int:
    """How many nodes the picture has as folded so far."""
    per_op = 1 if view.compact else 2
    visible_ops = len(view.ops) - len(view.rep)
    return per_op * visible_ops + len(view.summaries) + len(visible_leaves(view))


def visible_leaves(view: GraphView) -> set:
    """The leaves (indices) drawn: inputs of ops that are drawn, and leaves that are outputs."""
    seen = set()
    for i, refs in enumerate(view.parents):
        if i not in view.rep:
            seen.update(~k for k in refs if k < 0)
    for r in view.roots:
        if r._ctx is None:
            seen.add(view.leaf_index[id(r)])
    return seen


def cap_nodes(view: GraphView, max_nodes: int) -> None:
    """Keep the ops nearest the output (breadth first from it) within `max_nodes` nodes;
    every other op is hidden behind one summary node."""
    per_op = 1 if view.compact else 2
    budget = max(max_nodes - 1, per_op)  # one node is the summary
    kept: set = set()
    leaves_counted: set = set()
    summaries_counted: set = set()
    used = 0
    queue = deque(view.op_index[id(r)] for r in view.roots if r._ctx is not None)
    used += sum(1 for r in view.roots if r._ctx is None)  # leaves drawn as outputs
    queued = set(queue)
    while queue:
        i = queue.popleft()
        sid = view.rep.get(i)
        if sid is None:
            new_leaves = {~k for k in view.parents[i] if k < 0} - leaves_counted
            cost = per_op + len(new_leaves)
        else:
            new_leaves = set()
            cost = 0 if sid in summaries_counted else 1
        if used + cost > budget:
            break
        used += cost
        kept.add(i)
        leaves_counted |= new_leaves
        if sid is not None:
            summaries_counted.add(sid)
        for k in view.parents[i]:
            if k >= 0 and k not in queued:
                queued.add(k)
                queue.append(k)
    hidden = [i for i in range(len(view.ops)) if i not in kept]
    if not hidden:
        return
    sid = f"s{len(view.summaries)}"
    for i in hidden:
        view.rep[i] = sid  # ops folded into a repeat summary that is not kept join this one
    view.summaries[sid] = {"kind": "cap", "ops": hidden, "max_nodes": max_nodes}


def finish_summaries(view: GraphView) -> None:
    """Drop summaries that lost all their ops to another; count what each one hides."""
    owned = Counter(view.rep.values())
    for sid in list(view.summaries):
        if not owned[sid]:
            del view.summaries[sid]
    for sid, info in view.summaries.items():
        info["ops"] = [i for i in info["ops"] if view.rep.get(i) == sid]
    visible = visible_leaves(view)
    hidden_leaves: dict[str, set] = {}
    for i, sid in view.rep.items():
        for k in view.parents[i]:
            if k < 0 and ~k not in visible:
                hidden_leaves.setdefault(sid, set()).add(~k)
    for sid, info in view.summaries.items():
        info["leaves"] = sorted(hidden_leaves.get(sid, ()))


def summary_label(view: GraphView, info: dict) -> str:
    """The label of a summary node: what it hides, how many, from which layers."""
    ops = view.ops
    n = len(info["ops"])
    counts = Counter(ops[i]._ctx.op_name for i in info["ops"])
    mix = " · ".join(f"{name} ×{c:,}" for name, c in counts.most_common(4))
    if len(counts) > 4:
        mix += " · …"
    rows = []
    if info["kind"] == "group":
        rows.append(f"▸ {info['path'].rsplit('/', 1)[-1]}: {n:,} op{'s' * (n != 1)}")
        rows.append(mix)
    elif info["kind"] == "repeat":
        block = " → ".join(info["block"])
        if len(block) > 60:
            block = block[:57] + "…"
        rows.append(f"⋯ {info['repeats']:,} × [{block}]")
        rows.append(f"{n:,} ops folded")
    else:
        rows.append(f"… {n:,} earlier ops not drawn")
        rows.append(mix)
    if info["leaves"]:
        params = sum(1 for j in info["leaves"] if view.leaves[j].requires_grad)
        others = len(info["leaves"]) - params
        bits = [f"{params:,} parameters"] * bool(params) + [f"{others:,} inputs/constants"] * bool(others)
        rows.append("+ " + ", ".join(bits))
    if view.layers and info["kind"] != "group":
        names = []
        for i in info["ops"]:
            name = view.layers.get(("op", i))
            if name and (not names or names[-1] != name):
                names.append(name)
        if names:
            rows.append(names[0] if len(names) == 1 else f"layers {names[0]} … {names[-1]}")
    if info["kind"] == "cap":
        rows.append(f"(max_nodes={info['max_nodes']}; max_nodes=None draws all)")
    return dot_string("\n".join(rows))
