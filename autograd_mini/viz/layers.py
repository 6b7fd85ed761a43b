"""Which layer each node of a graph diagram belongs to, for the boxes drawn around layers.

A tensor named ``"dense_1/kernel"`` belongs to layer ``dense_1`` (:func:`layer_of_name`); an
op without a name is placed from its neighbours (:func:`assign_layers`).

>>> import autograd_mini as am
>>> layer_of_name(am.Tensor(1.0, name="dense_1/kernel")), layer_of_name(am.Tensor(1.0, name="x"))
('dense_1', None)
"""
from __future__ import annotations

from typing import Callable, Optional

from ..tensor import Tensor


def layer_of_name(tensor: Tensor) -> Optional[str]:
    """The layer a tensor belongs to by its name: ``"dense_1/kernel"`` -> ``"dense_1"``.

    The default for draw_graph's `layer_of`: a name with a ``/`` is ``<layer>/<what>``
    (nested layers ``"model/block/dense"`` keep the full path before the last ``/``)."""
    name = tensor.name
    if name and "/" in name:
        return name.rsplit("/", 1)[0]
    return None


def assign_layers(ops: list[Tensor], leaves: list[Tensor], parents: list[tuple],
                  layer_of: Callable[[Tensor], Optional[str]]) -> dict:
    """{("op", i) | ("leaf", j): layer} for the ops (inputs first) and leaves of a graph;
    parents[i] holds, per input of op i, an op index (>= 0) or a leaf as ~index (< 0).

    `layer_of` names the layer of some tensors (by default from names like "dense/kernel"); an
    op it does not name joins the one layer its inputs come from if it uses that layer's
    parameters directly (a Dense's linear op) or if its output goes on into that layer. Ops
    between two layers stay outside both."""
    leaf_layer = [layer_of(t) for t in leaves]
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
    consumers = _consumers(len(ops), parents)
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


def _consumers(n_ops: int, parents: list[tuple]) -> list[list[int]]:
    """consumers[k]: the ops that use op k's output, each once."""
    consumers: list[list[int]] = [[] for _ in range(n_ops)]
    for i, refs in enumerate(parents):
        for k in set(refs):
            if k >= 0:
                consumers[k].append(i)
    return consumers
