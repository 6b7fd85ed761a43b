"""Draw the computational graph behind a tensor: ops, values, shapes and gradients.

>>> import autograd_mini as am
>>> from autograd_mini.draw import draw_graph, retain_grads
>>> w = am.Tensor([0.5, -1.0], requires_grad=True, name="w")
>>> loss = (w * 2.0).sigmoid().sum()
>>> retain_grads(loss).backward()      # keep every intermediate gradient for the picture
>>> dot = draw_graph(loss)             # a graphviz.Digraph (autograd_mini.render.Diagram)
>>> "sigmoid" in dot.source and "grad" in dot.source
True

What the picture shows (all of it from the tensors themselves, nothing recorded extra):

* an ellipse per op, labelled with the op's name (``add``, ``matmul``, ``sigmoid``,
  ``sum axis=1`` ...), and a box per value: its name when one is known, shape and dtype,
  the numbers when there are a few (``max_elements``) and summary statistics otherwise,
  and, once backward has run, its gradient in red;
* leaves that require grad (parameters) in green, other leaves (inputs) in blue, Python
  numbers lifted into the graph (constants) as small dashed boxes, the output in orange;
* after backward, dashed red arrows running against the forward edges: the gradient flow;
* clusters per layer when tensors carry layer names (``"dense_1/kernel"``: the part before
  the last ``/``, see :func:`layer_of_name`), repeated structure collapsed into one node
  ("12 × [matmul → add → sigmoid]"), and a node cap (``max_nodes``) that keeps the part of
  the graph next to the output and summarizes the rest in one node.

Non-leaf tensors keep their gradient only after ``t.retain_grad()`` (as in PyTorch); call
:func:`retain_grads` on the output before ``backward()`` to keep them all. For a
step-by-step picture of backward, see :mod:`autograd_mini.draw_backward`.
"""
from __future__ import annotations

from collections import Counter, deque
from typing import Callable, Iterable, Mapping, Optional, Sequence, Union

import numpy as np

from .engine import topological_order
from .tensor import Tensor

try:  # SVG without the Graphviz program; plain graphviz.Digraph if render.py is unavailable
    from .render import Diagram
except ImportError:  # pragma: no cover
    from graphviz import Digraph as Diagram

__all__ = ["draw_graph", "retain_grads", "layer_of_name", "format_array", "Diagram"]

# --- looks -----------------------------------------------------------------------------------
FONT = "Helvetica"
GRAD_COLOR = "#c0392b"
# Labels are plain text and records, not HTML-like labels: the pip-only WebAssembly Graphviz
# (autograd_mini.render) is built without the XML parser HTML labels need, and the picture
# must be the same with and without the Graphviz program.
_STYLE = {  # node attributes per kind of node, written once per node line
    "op": 'shape=ellipse style=filled fillcolor="#eeeeee" color="#888888" fontsize=10 '
          'margin="0.05,0.02" height=0.3',
    "op_active": 'shape=ellipse style="filled,bold" fillcolor="#f9e79f" color="#b7950b" '
                 'penwidth=2.5 fontsize=10 margin="0.05,0.02" height=0.3',
    "value": 'shape=Mrecord style=filled fillcolor="#ffffff" color="#7f8c8d"',
    "param": 'shape=Mrecord style=filled fillcolor="#d5f5e3" color="#1e8449" penwidth=1.5',
    "input": 'shape=Mrecord style=filled fillcolor="#d6eaf8" color="#2874a6"',
    "const": 'shape=box style="dashed,filled" fillcolor="#fbfcfc" color="#aab7b8" fontsize=9 '
             'fontcolor="#566573" margin="0.04,0.02" height=0.2 width=0.3',
    "output": 'shape=Mrecord style=filled fillcolor="#fdebd0" color="#ca6f1e" penwidth=2.5',
    "summary": 'shape=note style=filled fillcolor="#fcf3cf" color="#b7950b" fontsize=9',
}
_ACTIVE_VALUE = ' fillcolor="#f9e79f" penwidth=2.5'
_GRAD_EDGE = f'[style=dashed color="{GRAD_COLOR}" dir=back arrowtail=normal arrowsize=0.6'
_CLUSTER_STYLE = 'style="rounded,dashed" color="#5d6d7e" fontcolor="#34495e" fontsize=11 margin=10'


# --- public helpers --------------------------------------------------------------------------
def retain_grads(tensor: Union[Tensor, Sequence[Tensor]]) -> Union[Tensor, Sequence[Tensor]]:
    """Mark every non-leaf tensor behind `tensor` to keep its gradient; return `tensor`.

    ``retain_grads(loss).backward()`` then ``draw_graph(loss)`` shows a gradient on every
    value, not only on the leaves. Costs one graph walk; the engine itself is unchanged."""
    for root in _as_roots(tensor):
        if root._ctx is not None:
            for t in topological_order(root):
                t.retain_grad()
    return tensor


def layer_of_name(tensor: Tensor) -> Optional[str]:
    """The layer a tensor belongs to by its name: ``"dense_1/kernel"`` -> ``"dense_1"``.

    The default for draw_graph's `layer_of`: a name with a ``/`` is ``<layer>/<what>``
    (nested layers ``"model/block/dense"`` keep the full path before the last ``/``)."""
    name = tensor.name
    if name and "/" in name:
        return name.rsplit("/", 1)[0]
    return None


def format_array(a: np.ndarray, max_elements: int = 6) -> list[str]:
    """The numbers of `a` as text lines: all of them if there are at most `max_elements`,
    else summary statistics (mean, std, range; and how many are nan/inf).

    >>> format_array(np.array([0.5, -1.0, 2.0]))
    ['[0.5, -1, 2]']
    >>> format_array(np.arange(100.0))
    ['mean 49.5 · std 28.87', 'range [0, 99]']
    """
    a = np.asarray(a)
    if a.size <= max_elements:
        return [_nested(a.tolist())]
    flat = a.reshape(-1)
    finite = np.isfinite(flat)
    lines = []
    if not finite.all():
        n_nan = int(np.isnan(flat).sum())
        n_inf = flat.size - n_nan - int(finite.sum())
        bad = [f"{n} {what}" for n, what in ((n_nan, "nan"), (n_inf, "inf")) if n]
        lines.append(" · ".join(bad) + " !")
        flat = flat[finite]
        if flat.size == 0:
            return lines
    flat = flat.astype(np.float64, copy=False)
    lines.insert(0, f"mean {_num(flat.mean())} · std {_num(flat.std())}")
    lines.insert(1, f"range [{_num(flat.min())}, {_num(flat.max())}]")
    return lines


# --- the public entry point ------------------------------------------------------------------
def draw_graph(tensor: Union[Tensor, Sequence[Tensor]], *, show_values: bool = True,
               show_grads: bool = True, rankdir: str = "LR", names: Optional[Mapping] = None,
               max_elements: int = 6, show_grad_flow: Optional[bool] = None,
               layer_of: Optional[Callable[[Tensor], Optional[str]]] = layer_of_name,
               cluster_layers: bool = True, collapse: Union[bool, int] = True,
               max_nodes: Optional[int] = 400, compact: bool = False,
               title: Optional[str] = None, graph_attr: Optional[Mapping] = None) -> Diagram:
    """The graph that produced `tensor` (or several outputs) as a :class:`Diagram`.

    tensor: the output (one Tensor or a list of them).
    show_values / show_grads: the numbers and, once backward has run, the gradients.
    rankdir: "LR" (left to right), "TB", "RL" or "BT".
    names: extra names, ``{"w": w, ...}`` (as ``dict(model.named_parameters())`` in torchviz)
        or ``{w: "w"}``; a tensor's own ``.name`` is used otherwise.
    max_elements: show the numbers of arrays with at most this many elements, stats otherwise.
    show_grad_flow: dashed red arrows against every edge the gradient ran through; default:
        when any tensor of the graph has a gradient.
    layer_of: tensor -> layer name or None, for clusters; default: the name's prefix
        (``"dense_1/kernel"``). Ops without a name are put in a layer from their neighbours.
    cluster_layers: draw a box around each layer's ops and parameters.
    collapse: fold runs of repeated structure (the same ops, 4 or more times in a row) into
        one node, keeping the first and last repeat; an int (3 or more) sets how many repeats
        are needed; False draws every op.
    max_nodes: at most about this many nodes: the part next to the output is drawn, the rest
        becomes one summary node. None draws everything.
    compact: one node per op holding its output value (half the nodes) instead of two.
    title: a caption under the graph.
    """
    view = GraphView(tensor, names=names, layer_of=layer_of if cluster_layers else None,
                     collapse=collapse, max_nodes=max_nodes, compact=compact)
    return view.draw(show_values=show_values, show_grads=show_grads, rankdir=rankdir,
                     max_elements=max_elements, show_grad_flow=show_grad_flow, title=title,
                     graph_attr=graph_attr)


# --- the graph, walked once; drawn one or more times -----------------------------------------
class GraphView:
    """The graph behind some output tensors, prepared for drawing: deterministic node ids,
    layers, the collapsed and the capped parts. :meth:`draw` makes a Diagram from the current
    values and gradients (or from ones given, which is how backward frames are drawn)."""

    def __init__(self, tensor, *, names=None, layer_of=layer_of_name, collapse=True,
                 max_nodes=None, compact=False):
        self.roots = _as_roots(tensor)
        self.compact = compact
        self._names = _name_map(names)
        # Ops (non-leaf tensors) inputs first, as the engine orders them; leaves by first use.
        ops: list[Tensor] = []
        op_index: dict[int, int] = {}
        for root in self.roots:
            if root._ctx is None:
                continue
            for t in topological_order(root):
                if id(t) not in op_index:
                    op_index[id(t)] = len(ops)
                    ops.append(t)
        leaves: list[Tensor] = []
        leaf_index: dict[int, int] = {}
        # parents[i]: per input of op i, an int: >= 0 an op index, < 0 a leaf (~index)
        parents: list[tuple] = []
        for t in ops:
            refs = []
            for p in t._ctx.parents:
                k = op_index.get(id(p))
                if k is None:
                    k = leaf_index.get(id(p))
                    if k is None:
                        k = leaf_index[id(p)] = len(leaves)
                        leaves.append(p)
                    k = ~k
                refs.append(k)
            parents.append(tuple(refs))
        for root in self.roots:
            if root._ctx is None and id(root) not in leaf_index:
                leaf_index[id(root)] = len(leaves)
                leaves.append(root)
        self.ops, self.leaves, self.parents = ops, leaves, parents
        self.op_index, self.leaf_index = op_index, leaf_index
        self.root_ids = {id(r) for r in self.roots}
        self.layers = self._assign_layers(layer_of) if layer_of is not None else None

        # What is drawn: hidden ops are represented by a summary node (rep[i] = its id).
        self.rep: dict[int, str] = {}
        self.summaries: dict[str, dict] = {}
        # a run is folded when it repeats min_repeats times: its first and last repeat stay
        min_repeats = 4 if collapse is True else max(int(collapse or 0), 3) if collapse else 0
        if min_repeats and len(ops) >= 2 * min_repeats:
            self._collapse(min_repeats)
        if max_nodes is not None and self._count_nodes() > max_nodes:
            self._cap(max_nodes)
        self._finish_summaries()

    # -- layers -------------------------------------------------------------------------
    def _assign_layers(self, layer_of) -> dict:
        """{("op", i) | ("leaf", j): layer}. `layer_of` names the layer of some tensors (by
        default from names like "dense/kernel"); an op it does not name joins the one layer its
        inputs come from if it uses that layer's parameters directly (a Dense's linear op) or
        if its output goes on into that layer. Ops between two layers stay outside both."""
        ops, parents = self.ops, self.parents
        leaf_layer = [layer_of(t) for t in self.leaves]
        tagged = [layer_of(t) for t in ops]
        forward: list[Optional[str]] = [None] * len(ops)
        direct = [False] * len(ops)  # uses a parameter of its candidate layer itself
        for i in range(len(ops)):
            if tagged[i] is not None:
                forward[i] = tagged[i]
                continue
            found = {leaf_layer[~k] if k < 0 else forward[k] for k in parents[i]} - {None}
            if len(found) == 1:
                forward[i] = name = found.pop()
                direct[i] = any(k < 0 and leaf_layer[~k] == name for k in parents[i])
        consumers = self._consumers()
        final: list[Optional[str]] = [None] * len(ops)
        for i in range(len(ops) - 1, -1, -1):
            name = tagged[i] or forward[i]
            if tagged[i] is not None or (name is not None and (
                    direct[i] or any(final[c] == name for c in consumers[i]))):
                final[i] = name
        layers = {}
        for i, name in enumerate(final):
            if name is not None:
                layers[("op", i)] = name
        for j, name in enumerate(leaf_layer):
            if name is not None:
                layers[("leaf", j)] = name
        return layers

    def _consumers(self) -> list[list[int]]:
        if not hasattr(self, "_consumer_lists"):
            consumers: list[list[int]] = [[] for _ in self.ops]
            for i, refs in enumerate(self.parents):
                for k in set(refs):
                    if k >= 0:
                        consumers[k].append(i)
            self._consumer_lists = consumers
        return self._consumer_lists

    # -- collapsing repeated structure --------------------------------------------------
    def _collapse(self, min_repeats: int, max_period: int = 8) -> None:
        """Fold runs of repeated blocks. The graph is cut into segments at tensors that every
        later op reaches only through them (cut points in the op order); segments get a
        signature (op names, options, how inputs connect); a segment sequence repeating
        `min_repeats` times or more keeps its first and last repeat and hides the rest."""
        ops, parents = self.ops, self.parents
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
                if id(t) in self.root_ids:
                    parts.append(("root", i))  # never the same as another: never folded
                    continue
                ins = tuple(("leaf", self.leaves[~k].data.shape) if k < 0 else
                            ("in",) if k < start else k - start for k in parents[i])
                parts.append((t._ctx.op_name, _options_text(t._ctx), t.data.shape, ins))
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
            o = self._block_phase(segments, s + p, p)
            first_hidden = segments[s + p + o][0]
            last_hidden = segments[s + (r - 1) * p + o - 1][1]
            block_ops = [ops[i]._ctx.op_name for i in range(first_hidden, segments[s + 2 * p + o - 1][1])]
            sid = f"s{len(self.summaries)}"
            self.summaries[sid] = {"kind": "repeat", "repeats": r - 2, "block": block_ops,
                                   "ops": range(first_hidden, last_hidden)}
            for i in range(first_hidden, last_hidden):
                self.rep[i] = sid
            s += r * p

    def _block_phase(self, segments, start: int, p: int) -> int:
        """Where a repeating block is cut: 0..p-1 segments after `start`. Preferably where a
        layer begins, else where parameters come in after an op that takes none (the start of
        `h = sigmoid(h @ w + b)`), so the folded block reads as the code that made it."""
        best, best_score = 0, -1
        for o in range(p):
            i = segments[start + o][0]
            if i == 0:
                continue
            score = 0
            if self.layers is not None:
                here, before = self.layers.get(("op", i)), self.layers.get(("op", i - 1))
                score += 2 * (here != before and here is not None)
            takes = any(k < 0 for k in self.parents[i])
            took = any(k < 0 for k in self.parents[i - 1])
            score += takes and not took
            if score > best_score:
                best, best_score = o, score
        return best

    # -- the node cap ---------------------------------------------------------------------
    def _count_nodes(self) -> int:
        per_op = 1 if self.compact else 2
        visible_ops = len(self.ops) - len(self.rep)
        return per_op * visible_ops + len(self.summaries) + len(self._visible_leaves())

    def _visible_leaves(self) -> set:
        seen = set()
        for i, refs in enumerate(self.parents):
            if i not in self.rep:
                seen.update(~k for k in refs if k < 0)
        for r in self.roots:
            if r._ctx is None:
                seen.add(self.leaf_index[id(r)])
        return seen

    def _cap(self, max_nodes: int) -> None:
        """Keep the ops nearest the output (breadth first from it) within `max_nodes` nodes;
        every other op is hidden behind one summary node."""
        per_op = 1 if self.compact else 2
        budget = max(max_nodes - 1, per_op)  # one node is the summary
        kept: set = set()
        leaves_counted: set = set()
        summaries_counted: set = set()
        used = 0
        queue = deque(self.op_index[id(r)] for r in self.roots if r._ctx is not None)
        used += sum(1 for r in self.roots if r._ctx is None)  # leaves drawn as outputs
        queued = set(queue)
        while queue:
            i = queue.popleft()
            sid = self.rep.get(i)
            if sid is None:
                new_leaves = {~k for k in self.parents[i] if k < 0} - leaves_counted
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
            for k in self.parents[i]:
                if k >= 0 and k not in queued:
                    queued.add(k)
                    queue.append(k)
        hidden = [i for i in range(len(self.ops)) if i not in kept]
        if not hidden:
            return
        sid = f"s{len(self.summaries)}"
        for i in hidden:
            self.rep[i] = sid  # ops folded into a repeat summary that is not kept join this one
        self.summaries[sid] = {"kind": "cap", "ops": hidden, "max_nodes": max_nodes}

    def _finish_summaries(self) -> None:
        """Drop summaries that lost all their ops to another; count what each one hides."""
        owned = Counter(self.rep.values())
        for sid in list(self.summaries):
            if not owned[sid]:
                del self.summaries[sid]
        for sid, info in self.summaries.items():
            info["ops"] = [i for i in info["ops"] if self.rep.get(i) == sid]
        visible = self._visible_leaves()
        hidden_leaves: dict[str, set] = {}
        for i, sid in self.rep.items():
            for k in self.parents[i]:
                if k < 0 and ~k not in visible:
                    hidden_leaves.setdefault(sid, set()).add(~k)
        for sid, info in self.summaries.items():
            info["leaves"] = sorted(hidden_leaves.get(sid, ()))

    # -- drawing --------------------------------------------------------------------------
    def node_id(self, ref: int) -> str:
        """The id of the node showing op `ref`'s output (ref >= 0) or leaf ~ref."""
        if ref < 0:
            return f"l{~ref}"
        return f"o{ref}" if self.compact else f"v{ref}"

    def draw(self, *, show_values=True, show_grads=True, rankdir="LR", max_elements=6,
             show_grad_flow=None, title=None, graph_attr=None,
             grads: Optional[Callable[[Tensor], object]] = None, active: Optional[int] = None,
             flowed: Optional[set] = None, edge_grads: Optional[Mapping] = None,
             pending_grads: bool = False) -> Diagram:
        """Build the Diagram. For backward frames: `grads` (tensor -> gradient array or None)
        replaces `.grad`, `active` highlights one op, `flowed` is the set of (op, input
        position) edges the gradient has run through, `edge_grads` labels some of them,
        `pending_grads` reserves a grad line on values that have none yet (steady layout)."""
        ops, leaves, parents, rep = self.ops, self.leaves, self.parents, self.rep
        compact = self.compact
        get_grad = grads if grads is not None else _grad_array
        if show_grad_flow is None:
            show_grad_flow = show_grads and (flowed is not None or self._any_grad(get_grad))
        if grads is None and show_grads and title is None and self.ops and not any(
                _grad_array(t) is not None for t in self.ops) and any(
                _grad_array(t) is not None for t in self.leaves):
            title = "gradients of intermediate values were not kept: retain_grads(output) before backward()"
        layers = self.layers or {}
        buckets: dict[Optional[str], list[str]] = {None: []}

        def emit(line: str, layer: Optional[str]) -> None:
            bucket = buckets.get(layer)
            if bucket is None:
                bucket = buckets[layer] = []
            bucket.append(line)

        value_opts = (show_values, show_grads, max_elements, pending_grads,
                      rankdir.upper() in ("TB", "BT"))
        visible_leaves = self._visible_leaves()
        emitted_leaves: set = set()
        edges: list[str] = []
        summary_edges: set = set()

        def leaf_node(j: int) -> None:
            if j in emitted_leaves:
                return
            emitted_leaves.add(j)
            t = leaves[j]
            kind = self._leaf_kind(t)
            label = self._value_label(t, kind, get_grad(t), value_opts)
            emit(f'\tl{j} [label={label} {_STYLE[kind]}]\n', layers.get(("leaf", j)))

        for i, t in enumerate(ops):
            sid = rep.get(i)
            if sid is not None:  # hidden: only connect what is drawn to its summary node
                for k in parents[i]:
                    if k < 0:
                        if ~k in visible_leaves:
                            leaf_node(~k)
                            src = f"l{~k}"
                        else:
                            continue
                    else:
                        src = rep.get(k) or self.node_id(k)
                    if src != sid and (src, sid) not in summary_edges:
                        summary_edges.add((src, sid))
                        edges.append(f"\t{src} -> {sid}\n")
                continue
            ctx = t._ctx
            layer = layers.get(("op", i))
            for k in parents[i]:
                if k < 0:
                    leaf_node(~k)
            op_text = ctx.op_name
            options = _options_text(ctx)
            is_root = id(t) in self.root_ids
            if compact:
                kind = "output" if is_root else "value"
                head = op_text + (f" {options}" if options else "")
                label = self._value_label(t, kind, get_grad(t), value_opts, head=head)
                style = _STYLE[kind] + (_ACTIVE_VALUE if active == i else "")
                emit(f"\to{i} [label={label} {style}]\n", layer)
            else:
                label = _q(op_text + (f"\n{options}" if options else ""))
                emit(f"\to{i} [label={label} {_STYLE['op_active' if active == i else 'op']}]\n",
                     layer)
                kind = "output" if is_root else "value"
                vlabel = self._value_label(t, kind, get_grad(t), value_opts)
                emit(f"\tv{i} [label={vlabel} {_STYLE[kind]}]\n", layer)
                edges.append(f"\to{i} -> v{i}\n")
                if show_grad_flow and (i, -1) in flowed if flowed is not None else show_grad_flow:
                    edges.append(f"\to{i} -> v{i} {_GRAD_EDGE}]\n")
                elif pending_grads:
                    edges.append(f"\to{i} -> v{i} [style=invis]\n")
            for pos, k in enumerate(parents[i]):
                if k >= 0 and k in rep:
                    src = rep[k]
                    if (src, i) in summary_edges:
                        continue
                    summary_edges.add((src, i))
                else:
                    src = self.node_id(k)
                edges.append(f"\t{src} -> o{i}\n")
                if show_grad_flow:
                    parent = leaves[~k] if k < 0 else ops[k]
                    if flowed is None:
                        ran = parent.requires_grad
                    else:
                        ran = (i, pos) in flowed
                    if ran:
                        extra = ""
                        if edge_grads and (i, pos) in edge_grads:
                            text = " ".join(format_array(edge_grads[(i, pos)], max_elements))
                            extra = f' xlabel={_q(text)} fontcolor="{GRAD_COLOR}" fontsize=8'
                        edges.append(f"\t{src} -> o{i} {_GRAD_EDGE}{extra}]\n")
                    elif pending_grads and parent.requires_grad:
                        edges.append(f"\t{src} -> o{i} [style=invis]\n")
        for j in sorted(visible_leaves - emitted_leaves):  # leaves that are outputs themselves
            t = leaves[j]
            kind = "output" if id(t) in self.root_ids else self._leaf_kind(t)
            label = self._value_label(t, kind, get_grad(t), value_opts)
            emit(f'\tl{j} [label={label} {_STYLE[kind]}]\n', layers.get(("leaf", j)))
        for sid, info in self.summaries.items():
            buckets[None].append(f"\t{sid} [label={self._summary_label(info)} {_STYLE['summary']}]\n")

        dot = Diagram(name="computational_graph", graph_attr={
            "rankdir": rankdir, "fontname": FONT, "nodesep": "0.25", "ranksep": "0.3",
            **({"label": title, "labelloc": "b", "fontsize": "12"} if title else {}),
            **dict(graph_attr or {})},
            node_attr={"fontname": FONT, "fontsize": "10", "margin": "0.08,0.04", "height": "0.3"},
            edge_attr={"color": "#566573", "arrowsize": "0.6"})
        body = dot.body
        for k, (layer, lines) in enumerate(buckets.items()):
            if layer is None:
                continue
            body.append(f'\tsubgraph cluster_{k} {{\n\t\tlabel={_q(layer)} {_CLUSTER_STYLE}\n')
            body.extend(lines)
            body.append("\t}\n")
        body.extend(buckets[None])
        body.extend(edges)
        return dot

    def _any_grad(self, get_grad) -> bool:
        return any(get_grad(t) is not None for t in self.leaves) or any(
            get_grad(t) is not None for t in self.ops)

    def _leaf_kind(self, t: Tensor) -> str:
        if id(t) in self.root_ids:
            return "output"
        if t.requires_grad:
            return "param"
        if t.data.ndim == 0 and self._title(t) is None:
            return "const"
        return "input"

    def _title(self, t: Tensor) -> Optional[str]:
        return self._names.get(id(t)) or t.name

    def _value_label(self, t: Tensor, kind: str, grad, opts, head: Optional[str] = None) -> str:
        """A record: name | shape · dtype | the numbers | the gradient (fields stacked)."""
        show_values, show_grads, max_elements, pending, vertical_graph = opts
        data = t.data
        if kind == "const":  # a Python number lifted into the graph: just the number
            return _q(_nested(data.tolist()))
        fields = [head] if head else []
        title = self._title(t)
        if title:
            fields.append(title)
        elif kind == "output" and not head:
            fields.append("output")
        fields.append(f"{_shape_text(data.shape)} · {data.dtype}")
        if show_values:
            fields.append("\n".join(format_array(data, max_elements)))
        if show_grads:
            if grad is not None:
                fields.append("grad " + "\n".join(format_array(np.asarray(grad), max_elements)))
            elif pending and t.requires_grad:
                fields.append("grad ·")
        record = "|".join(_rec(f) for f in fields)
        # records stack their fields across the rank direction: top to bottom in an LR graph
        return f'"{{{record}}}"' if vertical_graph else f'"{record}"'

    def _summary_label(self, info: dict) -> str:
        ops = self.ops
        n = len(info["ops"])
        counts = Counter(ops[i]._ctx.op_name for i in info["ops"])
        mix = " · ".join(f"{name} ×{c:,}" for name, c in counts.most_common(4))
        if len(counts) > 4:
            mix += " · …"
        rows = []
        if info["kind"] == "repeat":
            block = " → ".join(info["block"])
            if len(block) > 60:
                block = block[:57] + "…"
            rows.append(f"⋯ {info['repeats']:,} × [{block}]")
            rows.append(f"{n:,} ops folded")
        else:
            rows.append(f"… {n:,} earlier ops not drawn")
            rows.append(mix)
        if info["leaves"]:
            params = sum(1 for j in info["leaves"] if self.leaves[j].requires_grad)
            others = len(info["leaves"]) - params
            bits = [f"{params:,} parameters"] * bool(params) + [f"{others:,} inputs/constants"] * bool(others)
            rows.append("+ " + ", ".join(bits))
        if self.layers:
            names = []
            for i in info["ops"]:
                name = self.layers.get(("op", i))
                if name and (not names or names[-1] != name):
                    names.append(name)
            if names:
                rows.append(names[0] if len(names) == 1 else f"layers {names[0]} … {names[-1]}")
        if info["kind"] == "cap":
            rows.append(f"(max_nodes={info['max_nodes']}; max_nodes=None draws all)")
        return _q("\n".join(rows))


# --- small helpers ---------------------------------------------------------------------------
def _as_roots(tensor) -> list:
    roots = [tensor] if isinstance(tensor, Tensor) else list(tensor)
    for r in roots:
        if not isinstance(r, Tensor):
            raise TypeError(f"draw_graph needs a Tensor (or a list of them), got {type(r).__name__}")
    if not roots:
        raise ValueError("draw_graph needs at least one tensor")
    return roots


def _name_map(names) -> dict:
    out = {}
    for key, value in (names or {}).items():
        if isinstance(key, Tensor):
            out[id(key)] = str(value)
        elif isinstance(value, Tensor):
            out[id(value)] = str(key)
        else:
            raise TypeError("names: a mapping {name: Tensor} or {Tensor: name}")
    return out


def _grad_array(t: Tensor):
    g = t.grad
    if g is None:
        return None
    return g.data if isinstance(g, Tensor) else g


def _options_text(ctx) -> str:
    """The op's keyword options worth showing: `axis=1`, `keepdims`, `shape=(2, 3)`."""
    options = getattr(ctx, "_options", None)
    if not options:
        return ""
    parts = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(key)
            continue
        if isinstance(value, np.ndarray):
            text = f"array{_shape_text(value.shape)}" if value.size > 4 else str(value.tolist())
        else:
            text = repr(value)
        if len(text) > 24:
            text = text[:21] + "…"
        parts.append(f"{key}={text}")
    return " ".join(parts)


def _shape_text(shape: tuple) -> str:
    if not shape:
        return "scalar"
    return "×".join(str(n) for n in shape)


def _num(x) -> str:
    text = f"{x:.4g}"
    return "0" if text == "-0" else text


def _nested(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    return _num(value)


def _q(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, newlines as \\n (centred lines)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_RECORD_SPECIAL = str.maketrans({c: "\\" + c for c in '{}|<>"\\'})


def _rec(text: str) -> str:
    """One record field: the record syntax characters escaped, newlines as \\n."""
    return text.translate(_RECORD_SPECIAL).replace("\n", "\\n")
