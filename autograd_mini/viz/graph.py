"""Draw the computational graph behind a tensor: ops, values, shapes and gradients.

>>> import autograd_mini as am
>>> from autograd_mini.viz.graph import draw_graph, retain_grads
>>> w = am.Tensor([0.5, -1.0], requires_grad=True, name="w")
>>> loss = (w * 2.0).sigmoid().sum()
>>> retain_grads(loss).backward()      # keep every intermediate gradient for the picture
>>> dot = draw_graph(loss)             # a graphviz.Digraph (autograd_mini.viz.render.Diagram)
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
step-by-step picture of backward, see :mod:`autograd_mini.viz.flipbook`.

This module is the entry point; the work is done by :mod:`~autograd_mini.viz.view` (the graph
walk and the Diagram), :mod:`~autograd_mini.viz.fold` (repeats folded, the node cap),
:mod:`~autograd_mini.viz.layers` (layer clusters) and :mod:`~autograd_mini.viz.labels` (labels).
"""
from __future__ import annotations

from typing import Callable, Mapping, Optional, Sequence, Union

from .edge_notes import blocked_edges, rule_texts
from .layers import layer_of_name
from .labels import format_array
from .labels import dot_string as _q, record_field as _rec  # noqa: F401  (nn.diagram imports these)
from .view import FONT, GRAD_COLOR, Diagram, GraphView, as_roots  # noqa: F401  (re-exported)
from ..engine import topological_order
from ..tensor import Tensor

__all__ = ["draw_graph", "retain_grads", "layer_of_name", "format_array", "Diagram"]


def draw_graph(tensor: Union[Tensor, Sequence[Tensor]], *, show_values: bool = True,
               show_grads: bool = True, rankdir: str = "LR", names: Optional[Mapping] = None,
               max_elements: int = 6, show_grad_flow: Optional[bool] = None,
               layer_of: Optional[Callable[[Tensor], Optional[str]]] = layer_of_name,
               cluster_layers: bool = True, collapse: Union[bool, int] = True,
               max_nodes: Optional[int] = 400, compact: bool = False,
               title: Optional[str] = None, graph_attr: Optional[Mapping] = None,
               legend: bool = False, depth: Optional[int] = None,
               precision: Optional[int] = None, show_rules: bool = False) -> Diagram:
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
    legend: add a key to the colours and edge styles.
    depth: how many levels of layer nesting are drawn as boxes in boxes (a layer path
        ``"model/block/dense"`` has 3 levels); the ops of deeper layers become one node per
        layer. None: every level. Hover text (SVG tooltips) holds every node's full values.
    precision: significant digits of values and gradients; default 4, with every digit before
        the point (and two after) from 1000 up: -79996.21 stays -79996.21, not -8e+04.
    show_rules: write on each edge the op's local derivative for that input, its rule and its
        value at the recorded numbers (``∂σ(z)/∂z = σ(z)·(1−σ(z)) = 0.6682·(1−0.6682) = 0.2217``).

    Once gradients are known, an edge whose gradient is zero (a dead ReLU's) is drawn as blocked
    flow -- grey, dotted, ending in a bar -- not as a red flowing arrow.
    """
    if depth is not None and (not isinstance(depth, int) or isinstance(depth, bool) or depth < 0):
        raise ValueError(f"draw_graph: depth must be None or an int >= 0, got {depth!r}")
    _check_precision(precision)
    view = GraphView(tensor, names=names, layer_of=layer_of if cluster_layers else None,
                     collapse=collapse, max_nodes=max_nodes, compact=compact, depth=depth)
    blocked = blocked_edges(view, _grad_of) if show_grads and view._any_grad(_grad_of) else None
    return view.draw(show_values=show_values, show_grads=show_grads, rankdir=rankdir,
                     max_elements=max_elements, show_grad_flow=show_grad_flow, title=title,
                     graph_attr=graph_attr, legend=legend, nested=True, precision=precision,
                     blocked=blocked, edge_texts=rule_texts(view, max_elements) if show_rules else None)


def _check_precision(precision) -> None:
    if precision is not None and (not isinstance(precision, int) or isinstance(precision, bool)
                                  or precision < 1):
        raise ValueError(f"draw_graph: precision must be a whole number of significant digits "
                         f">= 1, or None for the default; got {precision!r}")


def _grad_of(t: Tensor):
    return t.grad


def retain_grads(tensor: Union[Tensor, Sequence[Tensor]]) -> Union[Tensor, Sequence[Tensor]]:
    """Mark every non-leaf tensor behind `tensor` to keep its gradient; return `tensor`.

    ``retain_grads(loss).backward()`` then ``draw_graph(loss)`` shows a gradient on every
    value, not only on the leaves. Costs one graph walk; the engine itself is unchanged."""
    for root in as_roots(tensor):
        if root._ctx is not None:
            for t in topological_order(root):
                t.retain_grad()
    return tensor
