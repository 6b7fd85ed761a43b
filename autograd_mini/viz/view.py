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
from .legend import GRAPH_EDGE_KEYS, GRAPH_NODE_KEYS, legend_lines
from .tooltips import op_tooltip, tooltip_attr, value_tooltip
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
                 max_nodes=None, compact=False, depth: Optional[int] = None):
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
        fold(self, collapse, max_nodes, depth)
        if depth is not None and self.layers:  # what stays drawn of a deeper layer joins its box
            cut = {key: "/".join(name.split("/")[:depth]) for key, name in self.layers.items()}
            self.layers = {key: name for key, name in cut.items() if name}

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
             pending_grads: bool = False, legend: bool = False, nested: bool = False,
             edge_texts: Optional[Mapping] = None, blocked: Optional[set] = None,
             precision: Optional[int] = None) -> Diagram:
        """Build the Diagram. For backward frames: `grads` (tensor -> gradient array or None)
        replaces `.grad`, `active` highlights one op, `flowed` is the set of (op, input
        position) edges the gradient has run through, `edge_grads` labels some of them,
        `pending_grads` reserves a grad line on values that have none yet (steady layout).
        `legend` adds a key to the colours and edges; `nested` draws layer paths
        ("model/block/dense") as clusters inside clusters instead of one cluster per path.
        `edge_texts` {(op, input position): text} writes text on those gradient edges (also on
        invisible ones, so every frame reserves the same room); `blocked` edges carry a zero
        gradient and are drawn as blocked flow; `precision`: significant digits of the numbers."""
        get_grad = grads if grads is not None else _grad_array
        if show_grad_flow is None:
            show_grad_flow = show_grads and (flowed is not None or self._any_grad(get_grad))
        if grads is None and show_grads and title is None and self._grads_only_on_leaves():
            title = "gradients of intermediate values were not kept: retain_grads(output) before backward()"
        pen = _Pen(self, get_grad, (show_values, show_grads, max_elements, pending_grads,
                                    rankdir.upper() in ("TB", "BT"), precision),
                   show_grad_flow, active, flowed, edge_grads, pending_grads)
        pen.edge_texts, pen.blocked = edge_texts or {}, blocked or set()
        for i in range(len(self.ops)):
            sid = self.rep.get(i)
            if sid is not None:
                pen.connect_hidden_op(i, sid)
            else:
                pen.draw_op(i)
        pen.draw_lone_leaves()
        pen.draw_summaries()
        return pen.diagram(rankdir, title, graph_attr, legend, nested)

    def _grads_only_on_leaves(self) -> bool:
        """After a backward without retain_grads: leaves have gradients, the ops none."""
        return bool(self.ops) and not any(_grad_array(t) is not None for t in self.ops) and any(
            _grad_array(t) is not None for t in self.leaves)

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


class _Pen:
    """One drawing of a GraphView: node lines per layer (the clusters), edge lines, and what
    has been drawn so far. GraphView.draw runs its steps in order."""

    def __init__(self, view: GraphView, get_grad, value_opts: tuple, show_grad_flow: bool,
                 active, flowed, edge_grads, pending: bool):
        self.view, self.get_grad, self.value_opts = view, get_grad, value_opts
        self.show_grad_flow, self.active, self.flowed = show_grad_flow, active, flowed
        self.edge_grads, self.pending = edge_grads, pending
        self.layers = view.layers or {}
        self.buckets: dict[Optional[str], list[str]] = {None: []}  # node lines per layer
        self.edges: list[str] = []
        self.drawn_leaves = visible_leaves(view)
        self.emitted_leaves: set = set()
        self.summary_edges: set = set()  # (summary id, target) pairs drawn once
        self.edge_texts: Mapping = {}  # (op, input position) -> text on that edge
        self.blocked: set = set()  # (op, input position) edges carrying a zero gradient

    def emit(self, line: str, layer: Optional[str]) -> None:
        self.buckets.setdefault(layer, []).append(line)

    def value_node(self, node_id: str, t: Tensor, kind: str, layer, head=None, extra="",
                   tip_head: Optional[str] = None) -> None:
        """A value's box: the short label, and the full numbers as its tooltip."""
        view = self.view
        grad = self.get_grad(t)
        label = value_label(t, kind, view._title(t), grad, self.value_opts, head=head)
        show_values, show_grads = self.value_opts[:2]
        tip = value_tooltip(t, view._title(t), grad if show_grads else None, show_values)
        tip = tooltip_attr(f"{tip_head}\n{tip}" if tip_head else tip)
        self.emit(f"\t{node_id} [label={label} {_STYLE[kind]}{extra}{tip}]\n", layer)

    def leaf_node(self, j: int) -> None:
        if j in self.emitted_leaves:
            return
        self.emitted_leaves.add(j)
        t = self.view.leaves[j]
        self.value_node(f"l{j}", t, self.view._leaf_kind(t), self.layers.get(("leaf", j)))

    def connect_hidden_op(self, i: int, sid: str) -> None:
        """Op i is not drawn: connect what is drawn among its inputs to its summary node."""
        view = self.view
        for k in view.parents[i]:
            if k < 0:
                if ~k not in self.drawn_leaves:
                    continue
                self.leaf_node(~k)
                src = f"l{~k}"
            else:
                src = view.rep.get(k) or view.node_id(k)
            if src != sid and (src, sid) not in self.summary_edges:
                self.summary_edges.add((src, sid))
                self.edges.append(f"\t{src} -> {sid}\n")

    def draw_op(self, i: int) -> None:
        """Op i: its node (and its output's, unless compact), then the edges from its inputs."""
        view = self.view
        t = view.ops[i]
        ctx = t._ctx
        layer = self.layers.get(("op", i))
        for k in view.parents[i]:
            if k < 0:
                self.leaf_node(~k)
        options = options_text(ctx)
        kind = "output" if id(t) in view.root_ids else "value"
        op_tip = op_tooltip(ctx, t)
        if view.compact:
            head = ctx.op_name + (f" {options}" if options else "")
            extra = _ACTIVE_VALUE if self.active == i else ""
            self.value_node(f"o{i}", t, kind, layer, head=head, extra=extra, tip_head=op_tip)
        else:
            label = dot_string(ctx.op_name + (f"\n{options}" if options else ""))
            style = _STYLE["op_active" if self.active == i else "op"]
            self.emit(f"\to{i} [label={label} {style}{tooltip_attr(op_tip)}]\n", layer)
            self.value_node(f"v{i}", t, kind, layer)
            self.edges.append(f"\to{i} -> v{i}\n")
            if self.show_grad_flow and ((i, -1) in self.flowed if self.flowed is not None else True):
                self.edges.append(f"\to{i} -> v{i} {_GRAD_EDGE}]\n")
            elif self.pending:
                self.edges.append(f"\to{i} -> v{i} [style=invis]\n")
        self.input_edges(i)

    def input_edges(self, i: int) -> None:
        """The forward edges into op i and, where the gradient ran, the dashed ones back."""
        view = self.view
        for pos, k in enumerate(view.parents[i]):
            if k >= 0 and k in view.rep:
                src = view.rep[k]
                if (src, i) in self.summary_edges:
                    continue
                self.summary_edges.add((src, i))
            else:
                src = view.node_id(k)
            text = self.edge_texts.get((i, pos))
            if text is None and self.edge_grads and (i, pos) in self.edge_grads:
                text = " ".join(format_array(self.edge_grads[(i, pos)], *self.value_opts[2:6:3]))
            if not self.show_grad_flow:  # the text, if any, on the forward edge
                self.edges.append(f"\t{src} -> o{i}{' [' + edge_label(text)[1:] + ']' if text else ''}\n")
                continue
            self.edges.append(f"\t{src} -> o{i}\n")
            parent = view.leaves[~k] if k < 0 else view.ops[k]
            ran = parent.requires_grad if self.flowed is None else (i, pos) in self.flowed
            zero = (i, pos) in self.blocked
            extra = edge_label(text, self.active == i, BLOCKED_COLOR if zero else GRAD_COLOR) if text else ""
            if ran:
                style = _BLOCKED_EDGE if zero else _GRAD_EDGE
                self.edges.append(f"\t{src} -> o{i} {style}{extra}]\n")
            elif self.pending and parent.requires_grad:  # same label, invisible: the layout holds
                self.edges.append(f"\t{src} -> o{i} [style=invis{extra}]\n")

    def draw_lone_leaves(self) -> None:
        """Leaves drawn although no drawn op uses them: outputs that are leaves themselves."""
        view = self.view
        for j in sorted(self.drawn_leaves - self.emitted_leaves):
            t = view.leaves[j]
            kind = "output" if id(t) in view.root_ids else view._leaf_kind(t)
            self.value_node(f"l{j}", t, kind, self.layers.get(("leaf", j)))

    def draw_summaries(self) -> None:
        for sid, info in self.view.summaries.items():
            label = summary_label(self.view, info)
            self.emit(f"\t{sid} [label={label} {_STYLE['summary']} tooltip={label}]\n",
                      info.get("layer"))  # a folded sub-layer sits in its layer's box

    def diagram(self, rankdir: str, title, graph_attr, legend: bool, nested: bool) -> Diagram:
        """The Diagram: graph settings, a cluster per layer (nested by path if asked), the
        nodes outside layers, the edges, and the legend."""
        dot = Diagram(name="computational_graph", graph_attr={
            "rankdir": rankdir, "fontname": FONT, "nodesep": "0.25", "ranksep": "0.3",
            **({"label": title, "labelloc": "b", "fontsize": "12"} if title else {}),
            **dict(graph_attr or {})},
            node_attr={"fontname": FONT, "fontsize": "10", "margin": "0.08,0.04", "height": "0.3"},
            edge_attr={"color": "#566573", "arrowsize": "0.6"})
        groups = {layer: lines for layer, lines in self.buckets.items() if layer is not None}
        dot.body.extend(cluster_lines(groups, nested))
        dot.body.extend(self.buckets[None])
        dot.body.extend(self.edges)
        if legend:
            dot.body.extend(legend_lines(*legend_entries(self.show_grad_flow)))
        dot.legend_entries = legend_entries(self.show_grad_flow)  # for the HTML view's key
        return dot


def legend_entries(show_grad_flow: bool = True) -> tuple:
    """(node entries, edge entries) for this module's node kinds: (meaning, DOT style)."""
    nodes = [(meaning, _STYLE[kind]) for kind, meaning in GRAPH_NODE_KEYS]
    return nodes, GRAPH_EDGE_KEYS if show_grad_flow else GRAPH_EDGE_KEYS[:1]


def cluster_lines(groups: Mapping, nested: bool) -> list:
    """DOT lines of one cluster per layer ({layer path: node lines}); with `nested`, a path
    "model/block/dense" is a cluster "dense" inside "block" inside "model"."""
    lines: list = []
    if not nested:
        for k, (layer, body) in enumerate(groups.items(), start=1):
            lines.append(f"\tsubgraph cluster_{k} {{\n\t\tlabel={dot_string(layer)} "
                         f"{_CLUSTER_STYLE} tooltip={dot_string(layer)}\n")
            lines.extend(body)
            lines.append("\t}\n")
        return lines
    open_path: list = []  # the clusters open now, outermost first
    ids: dict = {}
    for layer in sorted(groups, key=_path_order(groups)):
        parts = layer.split("/")
        common = 0
        while common < min(len(open_path), len(parts)) and open_path[common] == parts[common]:
            common += 1
        lines.extend("\t}\n" for _ in open_path[common:])
        del open_path[common:]
        for depth in range(common, len(parts)):
            path = "/".join(parts[:depth + 1])
            key = ids.setdefault(path, len(ids) + 1)
            lines.append(f"\tsubgraph cluster_{key} {{\n\t\tlabel={dot_string(parts[depth])} "
                         f"{_CLUSTER_STYLE} tooltip={dot_string(path)}\n")
            open_path.append(parts[depth])
        lines.extend(groups[layer])
    lines.extend("\t}\n" for _ in open_path)
    return lines


def _path_order(groups: Mapping):
    """Sort key keeping paths that share a prefix together, in order of first appearance."""
    first: dict = {}
    for n, layer in enumerate(groups):
        parts = layer.split("/")
        for depth in range(1, len(parts) + 1):
            first.setdefault("/".join(parts[:depth]), n)
    return lambda layer: [first["/".join(layer.split("/")[:d])] for d in range(1, layer.count("/") + 2)]


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
