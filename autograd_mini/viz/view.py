"""The graph walk and the diagram: :class:`GraphView` walks the graph behind some outputs once,
then draws it as a :class:`Diagram` (DOT text), as often as asked.

>>> import autograd_mini as am
>>> w = am.Tensor([0.5, -1.0], requires_grad=True, name="w")
>>> view = GraphView((w * 2.0).sum())
>>> [t._ctx.op_name for t in view.ops], len(view.leaves)
(['mul', 'sum'], 2)
>>> "mul" in view.draw().source
True

Node ids are deterministic (``o3``: op 3, ``v3``: its output value, ``l0``: leaf 0, ``s0``: a
summary node), so the same graph always gives the same text. The layers come from
:mod:`~autograd_mini.viz.layers`, what is folded or capped from :mod:`~autograd_mini.viz.fold`,
the labels from :mod:`~autograd_mini.viz.labels`; how nodes look is set here.
"""
from __future__ import annotations

from typing import Callable, Mapping, Optional

from .fold import fold, summary_label, visible_leaves
from .layers import assign_layers, layer_of_name
from .labels import dot_string, edge_label, format_array, options_text, value_label
from ..engine import topological_order
from ..tensor import Tensor

try:  # SVG without the Graphviz program; plain graphviz.Digraph if render.py is unavailable
    from .render import Diagram
except ImportError:  # pragma: no cover
    from graphviz import Digraph as Diagram

# --- looks -----------------------------------------------------------------------------------
from .labels import FONT, GRAD_COLOR  # noqa: E402  (defined with the labels that use them)
# Plain-text and record labels only (why: autograd_mini.viz.labels).
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
# a zero gradient: grey, dotted, ending in a bar (⊣) -- the flow stops here
BLOCKED_COLOR = "#7f8c8d"
_BLOCKED_EDGE = f'[style=dotted color="{BLOCKED_COLOR}" dir=back arrowtail=tee arrowsize=0.8 penwidth=1.5'
_CLUSTER_STYLE = 'style="rounded,dashed" color="#5d6d7e" fontcolor="#34495e" fontsize=11 margin=10'


class GraphView:
    """The graph behind some output tensors, prepared for drawing: deterministic node ids,
    layers, the collapsed and the capped parts. :meth:`draw` makes a Diagram from the current
    values and gradients (or from ones given, which is how backward frames are drawn)."""

    def __init__(self, tensor, *, names=None, layer_of=layer_of_name, collapse=True,
                 max_nodes=None, compact=False):
        self.roots = as_roots(tensor)
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
        self.layers = assign_layers(ops, leaves, parents, layer_of) if layer_of is not None else None

        # What is drawn: hidden ops are represented by a summary node (rep[i] = its id).
        self.rep: dict[int, str] = {}
        self.summaries: dict[str, dict] = {}
        fold(self, collapse, max_nodes)

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
             pending_grads: bool = False, edge_texts: Optional[Mapping] = None,
             blocked: Optional[set] = None, precision: Optional[int] = None) -> Diagram:
        """Build the Diagram. For backward frames: `grads` (tensor -> gradient array or None)
        replaces `.grad`, `active` highlights one op, `flowed` is the set of (op, input
        position) edges the gradient has run through, `edge_grads` labels some of them,
        `pending_grads` reserves a grad line on values that have none yet (steady layout).
        `edge_texts` {(op, input position): text} writes text on those gradient edges (also on
        invisible ones, so every frame reserves the same room); `blocked` edges carry a zero
        gradient and are drawn as blocked flow; `precision`: significant digits of the numbers."""
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
                      rankdir.upper() in ("TB", "BT"), precision)
        drawn_leaves = visible_leaves(self)
        emitted_leaves: set = set()
        edges: list[str] = []
        summary_edges: set = set()

        def leaf_node(j: int) -> None:
            if j in emitted_leaves:
                return
            emitted_leaves.add(j)
            t = leaves[j]
            kind = self._leaf_kind(t)
            label = value_label(t, kind, self._title(t), get_grad(t), value_opts)
            emit(f'\tl{j} [label={label} {_STYLE[kind]}]\n', layers.get(("leaf", j)))

        for i, t in enumerate(ops):
            sid = rep.get(i)
            if sid is not None:  # hidden: only connect what is drawn to its summary node
                for k in parents[i]:
                    if k < 0:
                        if ~k in drawn_leaves:
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
            options = options_text(ctx)
            is_root = id(t) in self.root_ids
            if compact:
                kind = "output" if is_root else "value"
                head = op_text + (f" {options}" if options else "")
                label = value_label(t, kind, self._title(t), get_grad(t), value_opts, head=head)
                style = _STYLE[kind] + (_ACTIVE_VALUE if active == i else "")
                emit(f"\to{i} [label={label} {style}]\n", layer)
            else:
                label = dot_string(op_text + (f"\n{options}" if options else ""))
                emit(f"\to{i} [label={label} {_STYLE['op_active' if active == i else 'op']}]\n",
                     layer)
                kind = "output" if is_root else "value"
                vlabel = value_label(t, kind, self._title(t), get_grad(t), value_opts)
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
                note = (edge_texts or {}).get((i, pos)) if not show_grad_flow else None
                edges.append(f"\t{src} -> o{i}{' [' + edge_label(note)[1:] + ']' if note else ''}\n")
                if show_grad_flow:
                    parent = leaves[~k] if k < 0 else ops[k]
                    if flowed is None:
                        ran = parent.requires_grad
                    else:
                        ran = (i, pos) in flowed
                    text = (edge_texts or {}).get((i, pos))
                    if text is None and edge_grads and (i, pos) in edge_grads:
                        text = " ".join(format_array(edge_grads[(i, pos)], max_elements, precision))
                    extra = edge_label(text, active == i) if text else ""
                    if ran:
                        style = _BLOCKED_EDGE if blocked and (i, pos) in blocked else _GRAD_EDGE
                        edges.append(f"\t{src} -> o{i} {style}{extra}]\n")
                    elif pending_grads and parent.requires_grad:
                        edges.append(f"\t{src} -> o{i} [style=invis{extra}]\n")
        for j in sorted(drawn_leaves - emitted_leaves):  # leaves that are outputs themselves
            t = leaves[j]
            kind = "output" if id(t) in self.root_ids else self._leaf_kind(t)
            label = value_label(t, kind, self._title(t), get_grad(t), value_opts)
            emit(f'\tl{j} [label={label} {_STYLE[kind]}]\n', layers.get(("leaf", j)))
        for sid, info in self.summaries.items():
            buckets[None].append(f"\t{sid} [label={summary_label(self, info)} {_STYLE['summary']}]\n")

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
            body.append(f'\tsubgraph cluster_{k} {{\n\t\tlabel={dot_string(layer)} {_CLUSTER_STYLE}\n')
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


# --- small helpers ---------------------------------------------------------------------------
def as_roots(tensor) -> list:
    """`tensor` as a list of output tensors: one Tensor, or a non-empty sequence of them."""
    roots = [tensor] if isinstance(tensor, Tensor) else list(tensor)
    for r in roots:
        if not isinstance(r, Tensor):
            raise TypeError(f"draw_graph needs a Tensor (or a list of them), got {type(r).__name__}")
    if not roots:
        raise ValueError("draw_graph needs at least one tensor")
    return roots


def _name_map(names) -> dict:
    """{id(tensor): name} from draw_graph's `names`, either way round."""
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
    """`t.grad` as an array, or None."""
    g = t.grad
    if g is None:
        return None
    return g.data if isinstance(g, Tensor) else g
