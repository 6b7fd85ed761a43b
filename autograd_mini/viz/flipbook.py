"""Backward, one step at a time: as text (:func:`backward_steps`) and as a flipbook of diagrams.

>>> import autograd_mini as am
>>> w = am.Tensor(0.5, requires_grad=True, name="w")
>>> loss = (w * 2.0).sigmoid()
>>> steps = backward_steps(loss)       # the seed, then one step per op's backward
>>> print(steps[1])
step 1/2: sigmoid.backward, rule ∂σ(z)/∂z = σ(z)·(1−σ(z))
  to mul: upstream 1 × local (0.7311·(1−0.7311) = 0.1966) = 0.1966
>>> frames = backward_frames(loss)     # one diagram per step, drawn from the same steps
>>> len(frames), w.grad is None        # the steps compute gradients on the side
(3, True)

Step 0 is the seed (d loss / d loss = 1) on the output; step k is the op whose backward runs
k-th: its rule, and for each input what arrives (upstream), the op's local derivative at the
recorded numbers, and what it sends. The gradients are the engine's own: the engine's backward
runs with a hook that records each step, and leaves its gradients on the side, so ``.grad`` is
left alone. Call it before ``loss.backward()`` (or pass ``retain_graph=True`` to that backward):
a backward frees what the ops saved.

The frames all share one layout -- same nodes, edges, labels and sizes; only colours and the
text that has arrived change -- so paging does not jump. :func:`save_flipbook` writes them as
SVG files of one size plus an ``index.html`` that pages through them (buttons and arrow keys).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from .html import html_page
from .labels import format_array
from .layers import layer_of_name
from .view import Diagram, GraphView
from ..engine import GradSink, _seed, run_backward, topological_order
from ..function import _RELEASED, fit_to_shape
from ..local_rules import LocalNode, local_text
from ..tensor import Tensor

__all__ = ["Step", "Flipbook", "backward_steps", "backward_frames", "save_flipbook"]

_LOCAL_LIMIT = 64  # local derivatives are worked out for outputs of at most this many elements


@dataclass
class Step:
    """One step of backward: `op`'s backward ran (step 0: the seed). Printable as text.

    upstream: the gradient that arrived at the op's output; sent {input position: array};
    local {input position: text of the local derivative, or None when it is a full Jacobian};
    grads {id(tensor): gradient so far} after this step (a snapshot)."""
    number: int
    count: int
    tensor: Optional[Tensor]
    op: str
    rule: Optional[str]
    output_label: str
    upstream: np.ndarray
    sent: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    local: dict = field(default_factory=dict)
    grads: dict = field(default_factory=dict)

    def lines(self, max_elements: int = 6) -> list:
        if self.tensor is None:
            return [f"step 0/{self.count}: the seed, ∂{self.output_label}/∂{self.output_label} = "
                    f"{_numbers(self.upstream, max_elements)}"]
        rule = f", rule {self.rule}" if self.rule else f" (no rule: its numbers come from {self.op_class}.backward)"
        lines = [f"step {self.number}/{self.count}: {self.op}.backward{rule}"]
        for pos, g in self.sent.items():
            up, local = _numbers(self.upstream, max_elements), self.local.get(pos)
            if local is not None and " = " in local:
                local = f"({local})"
            what = f"upstream {up} through the Jacobian" if local is None else f"upstream {up} × local {local}"
            lines.append(f"  to {self.inputs[pos]}: {what} = {_numbers(g, max_elements)}")
        return lines

    @property
    def op_class(self) -> str:
        return type(self.tensor._ctx).__name__ if self.tensor is not None else ""

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _numbers(a, max_elements: int = 6) -> str:
    a = np.asarray(a)
    return " ".join(format_array(a, max_elements))


def backward_steps(tensor: Tensor, grad=None) -> list:
    """The backward pass as a list of :class:`Step`: the seed, then one per op, in the order the
    engine runs them; each prints as text (op, rule, upstream × local = what it sends).

    The engine itself runs the steps (:func:`~autograd_mini.engine.run_backward` with a
    :class:`~autograd_mini.engine.GradSink` that records each step and touches no ``.grad``);
    here they are recorded, and the gradients that have arrived are added up step by step."""
    seed = _seed(tensor, grad, create_graph=False)
    from ..explain import _Labels  # the same names as explain's narration
    order = topological_order(tensor) if tensor._ctx is not None else []
    labels = _Labels(tensor, None, order)
    steps = [Step(0, len(order), None, "seed", None, labels.of(tensor), np.asarray(seed),
                  grads={id(tensor): seed})]
    if tensor._ctx is None:
        return steps
    for t in order:
        if t._ctx._saved is _RELEASED:
            raise RuntimeError(
                "backward steps need the values the ops saved, and a backward() already freed "
                "them: take the steps before calling backward(), or call "
                "backward(retain_graph=True)")
    recorded = []

    class Record(GradSink):  # touches no .grad, so taking the steps changes nothing
        def step(self, t: Tensor, upstream, results: tuple) -> None:
            ctx = t._ctx
            sent = {pos: np.asarray(fit_to_shape(result, parent.data.shape, ctx, pos))
                    for pos, (parent, result) in enumerate(zip(ctx.parents, results))
                    if result is not None and parent.requires_grad}
            recorded.append((t, np.asarray(upstream), sent))

    run_backward(tensor, seed, create_graph=False, retain_graph=True, sink=Record())
    grads = {id(tensor): seed}
    for k, (t, upstream, sent) in enumerate(recorded, 1):
        parents = t._ctx.parents
        for pos, result in sent.items():
            key = id(parents[pos])
            waiting = grads.get(key)
            grads[key] = result if waiting is None else waiting + result
        step = Step(k, len(order), t, t._ctx.op_name, getattr(t._ctx, "rule", None), labels.of(t),
                    upstream, sent, {pos: labels.of(parents[pos]) for pos in sent},
                    grads=dict(grads))  # a snapshot: the arrays are never changed in place
        _add_local(step)
        steps.append(step)
    return steps


def _add_local(step: Step) -> None:
    """The local derivative per input, as text (None where it is a full Jacobian)."""
    if step.tensor.data.size > _LOCAL_LIMIT:
        return
    node = LocalNode(step.tensor)
    for pos in step.sent:
        step.local[pos] = local_text(node, pos, limit=_LOCAL_LIMIT)


def backward_frames(tensor: Tensor, grad=None, *, max_frames: Optional[int] = 200,
                    show_values: bool = True, rankdir: str = "LR", names=None,
                    max_elements: int = 6, layer_of=layer_of_name, compact: bool = False,
                    show_edge_grads: bool = True, precision: Optional[int] = None) -> list:
    """One :class:`Diagram` per step of :func:`backward_steps`: the seed, then each op's backward
    in the order the engine runs them (``len(frames) == 1 + number of ops``).

    Each frame's caption is the step as text: the op's rule with the numbers, upstream × local
    = what it sends. Every frame has the same nodes, edges, edge labels and node sizes (what has
    not happened yet is invisible or a grey ``grad ·``), so the layout holds still while paging.
    A zero gradient is drawn as blocked flow. The result is a :class:`Flipbook` (a list) that pages
    itself when shown in Jupyter. max_frames guards against drawing a huge graph by mistake (None:
    no limit)."""
    view = GraphView(tensor, names=names, layer_of=layer_of, collapse=False, max_nodes=None,
                     compact=compact)
    n_ops = len(view.ops)
    if max_frames is not None and n_ops + 1 > max_frames:
        raise ValueError(f"this graph has {n_ops} ops, so {n_ops + 1} frames; more than "
                         f"max_frames={max_frames} (pass max_frames=None to draw them anyway)")
    steps = backward_steps(tensor, grad)
    edge_texts, blocked = {}, set()
    for step in steps[1:]:
        i = view.op_index[id(step.tensor)]
        for pos, g in step.sent.items():
            if show_edge_grads:
                edge_texts[(i, pos)] = " ".join(format_array(g, max_elements, precision))
            if not np.any(g):
                blocked.add((i, pos))
    captions = _captions(steps, max_elements)
    frames, flowed = Flipbook(), set()
    for step, caption in zip(steps, captions):
        active = None
        if step.tensor is not None:
            active = view.op_index[id(step.tensor)]
            flowed.add((active, -1))
            flowed.update((active, pos) for pos in step.sent)
        frames.append(view.draw(
            show_values=show_values, show_grads=True, rankdir=rankdir, max_elements=max_elements,
            show_grad_flow=True, title=caption, grads=lambda x, a=step.grads: a.get(id(x)),
            active=active, flowed=set(flowed), edge_texts=edge_texts, pending_grads=True,
            blocked=blocked, precision=precision, graph_attr={"labeljust": "l", "fontsize": "10"}))
    _same_node_sizes(frames)
    return frames


class Flipbook(list):
    """The frames of :func:`backward_frames`: a list of Diagrams that, shown in Jupyter, pages
    itself (← and →, in the page: no kernel needed, so it works in a saved notebook too)."""

    title = "backward, step by step"

    def __repr__(self) -> str:
        return f"<Flipbook: {len(self)} frames, {self.title}>"

    def _repr_html_(self) -> str:
        from .html import InteractiveView
        return InteractiveView(list(self), title=self.title)._repr_html_() if self else ""

    def save(self, directory: Union[str, os.PathLike], prefix: str = "step") -> list:
        """:func:`save_flipbook` of these frames."""
        return save_flipbook(self, directory, prefix=prefix, title=self.title)


def _captions(steps: list, max_elements: int) -> list:
    """Each step's text as a left-aligned caption, all with the same number of lines."""
    texts = [step.lines(max_elements) for step in steps]
    height = max(len(t) for t in texts)
    return [_left_lines(t + [" "] * (height - len(t))) for t in texts]


def _left_lines(lines: list) -> str:
    return "".join(line + "\\l" for line in lines)


_NODE_LINE = re.compile(r'^(\t+)(\w+) \[label=("(?:[^"\\]|\\.)*")(.*)\]$')
_CHAR_WIDTH = 0.095  # inches per character at 10 pt, generous (Graphviz grows a node if needed)


def _same_node_sizes(frames: list) -> None:
    """Give every value node, in every frame, the width its widest label needs in any frame:
    a gradient arriving then changes the text, not the size, and nothing moves."""
    widest: dict = {}
    for frame in frames:
        for line in frame.body:
            m = _NODE_LINE.match(line.rstrip("\n"))
            if m:
                text = m.group(3)[1:-1].replace("\\l", "\n").replace("\\n", "\n").replace("\\", "")
                chars = max(len(part) for part in re.split(r"\n|(?<!\\)\|", text))
                widest[m.group(2)] = max(widest.get(m.group(2), 0), chars)
    for frame in frames:
        for k, line in enumerate(frame.body):
            m = _NODE_LINE.match(line.rstrip("\n"))
            if m and m.group(2) in widest:
                width = round(0.3 + _CHAR_WIDTH * widest[m.group(2)], 2)
                frame.body[k] = f"{m.group(1)}{m.group(2)} [label={m.group(3)}{m.group(4)} width={width}]\n"


def save_flipbook(frames: Sequence[Diagram], directory: Union[str, os.PathLike],
                  prefix: str = "step", title: str = "backward, step by step") -> list:
    """Write each frame as ``<directory>/<prefix>_000.svg`` ... and an ``index.html`` that
    pages through them (the interactive viewer: ← and →, pan, zoom, hover, search; one file
    with every frame inside); return the SVG paths. Works without the Graphviz program."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths, svgs = [], []
    for k, frame in enumerate(frames):
        path = directory / f"{prefix}_{k:03d}.svg"
        svgs.append(frame.pipe(format="svg"))
        path.write_bytes(svgs[-1])
        paths.append(path)
    # the pager is the interactive viewer (autograd_mini.viz.html), the frames inlined
    page = html_page(svgs, title=title, legend=getattr(frames[0], "legend_entries", None),
                     pager=True) if svgs else ""
    (directory / "index.html").write_text(page, encoding="utf-8")
    return paths
