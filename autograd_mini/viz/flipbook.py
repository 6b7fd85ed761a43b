"""Backward, one step at a time: a flipbook of diagrams for teaching backpropagation.

>>> import autograd_mini as am
>>> from autograd_mini.viz.flipbook import backward_frames
>>> w = am.Tensor([0.5, -1.0], requires_grad=True, name="w")
>>> loss = (w * 2.0).sigmoid().sum()
>>> frames = backward_frames(loss)     # the seed, then one frame per op's backward
>>> len(frames)                        # mul, sigmoid, sum
4
>>> w.grad is None                     # the frames compute gradients on the side
True

Frame 0 shows the seed (d loss / d loss = 1) on the output; frame k highlights the op whose
backward runs at step k, labels the edges it just sent gradients along with those gradients,
and shows every gradient that has arrived so far (a value used twice first shows the part
that has arrived). The steps and gradients are the engine's own: the engine's backward runs,
with a hook that records each step, and leaves its gradients on the side, so ``.grad`` is
left alone. Call it before ``loss.backward()`` (or pass ``retain_graph=True`` to that
backward): a backward frees what the ops saved.

:func:`save_flipbook` writes the frames as SVG files plus an ``index.html`` that pages
through them (buttons and arrow keys).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from .html import html_page
from .layers import layer_of_name
from .view import Diagram, GraphView
from ..engine import _seed, run_backward, topological_order
from ..function import _RELEASED, fit_to_shape
from ..tensor import Tensor

__all__ = ["backward_steps", "backward_frames", "save_flipbook"]


def backward_steps(tensor: Tensor, grad=None):
    """Run backward's steps on the side, yielding after each one.

    Yields ``(op, grads, sent)``: the tensor whose op just ran backward (None for the seed),
    the gradients so far ``{id(tensor): array}`` (a snapshot), and ``sent`` ``{input position: array}``,
    what this step passed to each of the op's inputs. Nothing is written to ``.grad``.

    The engine itself runs the steps (:func:`~autograd_mini.engine.run_backward` with an
    ``on_step`` hook, all of them before the first op's step is yielded); here they are only
    recorded, then replayed to add up the gradients that have arrived at each step."""
    seed = _seed(tensor, grad, create_graph=False)
    yield None, {id(tensor): seed}, {}
    if tensor._ctx is None:
        return
    order = topological_order(tensor)
    for t in order:
        if t._ctx._saved is _RELEASED:
            raise RuntimeError(
                "backward frames need the values the ops saved, and a backward() already freed "
                "them: draw the frames before calling backward(), or call "
                "backward(retain_graph=True)")
    steps = []

    def record(t: Tensor, _grad, results: tuple) -> None:
        ctx = t._ctx
        sent = {pos: np.asarray(fit_to_shape(result, parent.data.shape, ctx, pos))
                for pos, (parent, result) in enumerate(zip(ctx.parents, results))
                if result is not None and parent.requires_grad}
        steps.append((t, sent))

    # inputs=(): the engine touches no .grad, so drawing the steps changes nothing
    run_backward(tensor, seed, create_graph=False, retain_graph=True, inputs=(), on_step=record)
    grads = {id(tensor): seed}
    for t, sent in steps:
        parents = t._ctx.parents
        for pos, result in sent.items():
            key = id(parents[pos])
            waiting = grads.get(key)
            grads[key] = result if waiting is None else waiting + result
        yield t, dict(grads), sent  # a snapshot: the arrays are never changed in place


def backward_frames(tensor: Tensor, grad=None, *, max_frames: Optional[int] = 200,
                    show_values: bool = True, rankdir: str = "LR", names=None,
                    max_elements: int = 6, layer_of=layer_of_name, compact: bool = False,
                    show_edge_grads: bool = True) -> list:
    """One :class:`Diagram` per backward step: the seed, then each op's backward in the
    order the engine runs them (``len(frames) == 1 + number of ops``).

    Every frame has the same nodes and edges (edges the gradient has not used yet are
    invisible, gradients not arrived yet are a grey ``grad ·``), so the layout holds still
    while paging. max_frames guards against drawing a huge graph by mistake (None: no limit).
    """
    view = GraphView(tensor, names=names, layer_of=layer_of, collapse=False, max_nodes=None,
                     compact=compact)
    n_ops = len(view.ops)
    if max_frames is not None and n_ops + 1 > max_frames:
        raise ValueError(f"this graph has {n_ops} ops, so {n_ops + 1} frames; more than "
                         f"max_frames={max_frames} (pass max_frames=None to draw them anyway)")
    frames = []
    flowed: set = set()
    step = 0
    for t, grads, sent in backward_steps(tensor, grad):
        arrived = grads
        active = None
        edge_grads = {}
        if t is None:
            caption = "backward: the seed, d output / d output = 1"
        else:
            step += 1
            active = view.op_index[id(t)]
            flowed.add((active, -1))
            for pos, g in sent.items():
                flowed.add((active, pos))
                if show_edge_grads:
                    edge_grads[(active, pos)] = g
            caption = (f"backward step {step}/{n_ops}: {t._ctx.op_name}.backward sends "
                       f"the gradient to its input{'s' if len(t._ctx.parents) > 1 else ''}")
        frames.append(view.draw(
            show_values=show_values, show_grads=True, rankdir=rankdir, max_elements=max_elements,
            show_grad_flow=True, title=caption, grads=lambda x, a=arrived: a.get(id(x)),
            active=active, flowed=set(flowed), edge_grads=edge_grads, pending_grads=True))
    return frames


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
