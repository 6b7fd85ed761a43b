"""The backward walk of `engine.run_backward`, tuned: what `Tensor.backward()`, fit and a
Recording run. Read engine.py first -- that is the walk; this file is the same walk again.

Same steps, same order, same numbers: every op's backward runs outputs before inputs (the
order of `engine.topological_order`, so gradients that meet are added in the same order
and give the same bits), grad mode is off while a user's op or sink runs (the library's own
never read it), each backward runs through engine.call_backward (saved arrays freed unless
`retain_graph`, its output counted), gradients are fitted to their input's shape as
`fit_to_shape` does, and each leaf's `.grad` gets its own array. tests/engine/test_tuned_walk.py runs
both walks on random graphs and compares every gradient bit for bit.

What is tuned (fewer Python operations per node, nothing skipped):
- the graph is sorted with a flat stack (no tuple per entry);
- the default sink (`.grad`) is one function call per leaf instead of a method and a call, and
  a sink's methods that do nothing are not called;
- a gradient that is already an array of its input's shape skips the `fit_to_shape` call;
- grad mode is switched off directly, without a context-manager object, and only when a
  user's op or sink could notice it (see `walk`).
create_graph is not offered here: `backward(create_graph=True)` takes engine.run_backward.

>>> from autograd_mini import Tensor
>>> a = Tensor(3.0, requires_grad=True)
>>> backward(a * a + a, None)
>>> float(a.grad)
7.0
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .engine import AccumulateGrad, GradSink, _accumulate_grad, _seed, call_backward
from .function import fit_to_shape
from .grad_mode import _set as _set_grad_mode, _state as _grad_state
from .tensor import Tensor


def topological_order(root: Tensor) -> list[Tensor]:
    """engine.topological_order's result (the same list, in the same order), with a flat stack:
    a tensor is pushed twice, under a None marker the second time, meaning "its inputs are done"."""
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list = [root]
    push, pop, seen = stack.append, stack.pop, visited.add
    while stack:
        tensor = pop()
        if tensor is None:  # the marker: the tensor below it has all its inputs in `order`
            order.append(pop())
            continue
        if id(tensor) in visited:
            continue
        seen(id(tensor))
        push(tensor)
        push(None)
        for parent in tensor._ctx.parents:
            if parent._ctx is not None and id(parent) not in visited:
                push(parent)
    return order


def backward(root: Tensor, grad=None, retain_graph: bool = False) -> None:
    """`engine.backward(root, grad, retain_graph=...)` without create_graph: into every `.grad`."""
    run(root, _seed(root, grad, False), None, retain_graph)


def run(root: Tensor, seed, sink: GradSink | None = None, retain_graph: bool = False) -> None:
    """`engine.run_backward(root, seed, sink=sink, retain_graph=...)` (sink None means `.grad`)."""
    if root._ctx is None:  # a leaf: its gradient is the seed
        _accumulate_grad(root, seed) if sink is None else sink.leaf(root, seed)
        return
    walk(topological_order(root), root, seed, sink, retain_graph)


def walk(order: Sequence[Tensor], root: Tensor, seed, sink: GradSink | None, retain_graph: bool = False,
         own_ops_only: bool | None = None) -> None:
    """run_backward's loop over `order` (reversed: outputs first). sink None means `.grad`.

    own_ops_only: are all ops in `order` the library's own? (computed when None; a Recording
    knows it once for all its calls). Then grad mode is left as it is: the library's backward
    functions and sinks compute on arrays and never read it, so switching it off -- which costs
    more than a small graph's whole walk bookkeeping -- changes nothing; a user's op or sink
    runs with grad mode off, as in engine.run_backward."""
    if own_ops_only is None:
        own_ops_only = only_own_ops(order)
    switch = _grad_state.enabled and not (own_ops_only and (sink is None or _is_own(type(sink))))
    if switch:
        _set_grad_mode(False)
    try:
        _loop(order, root, seed, sink, retain_graph)
    finally:
        if switch:
            _set_grad_mode(True)


def only_own_ops(order: Sequence[Tensor]) -> bool:
    """Are all the ops that made these tensors the library's own (see `walk`)?"""
    return all(_is_own(type(tensor._ctx)) for tensor in order)


_OWN: dict[type, bool] = {}  # class -> defined in autograd_mini or nn?


def _is_own(cls: type) -> bool:
    """Is this op (or sink) class one of the library's own, whose backward never reads grad mode?"""
    own = _OWN.get(cls)
    if own is None:
        own = _OWN[cls] = cls.__module__.partition(".")[0] in ("autograd_mini", "nn")
    return own


def _loop(order, root, seed, sink, retain_graph) -> None:
    grads = {id(root): seed}
    ndarray = np.ndarray
    calls_reached, retain, calls_step = _SINK_KINDS.get(type(sink)) or _sink_kind(type(sink))
    reached = sink.reached if calls_reached else None
    step = sink.step if calls_step else None
    leaf = _accumulate_grad if sink is None else sink.leaf
    for tensor in reversed(order):
        grad = grads.pop(id(tensor), None)
        if grad is None:
            continue
        if reached is not None:
            reached(tensor, grad)
        elif retain and tensor._retain_grad:
            _accumulate_grad(tensor, grad)
        ctx = tensor._ctx
        parents = ctx.parents
        results = call_backward(ctx, tensor, grad, False, retain_graph)
        index = -1
        for parent in parents:
            index += 1
            result = results[index]
            if result is None or not parent.requires_grad:
                continue
            shape = parent.data.shape
            if type(result) is not ndarray or result.shape != shape:
                result = fit_to_shape(result, shape, ctx, index)
            if parent._ctx is None:
                leaf(parent, result)
            else:
                waiting = grads.get(id(parent))
                grads[id(parent)] = result if waiting is None else waiting + result
        if step is not None:
            step(tensor, grad, results)


_SINK_KINDS: dict[type, tuple[bool, bool, bool]] = {}


def _sink_kind(kind: type) -> tuple[bool, bool, bool]:
    """How the loop treats a sink class: (call its `reached`, keep retain_grad() gradients
    inline, call its `step`). The default sink (None: `.grad`) keeps them and calls nothing;
    a method that does nothing (GradSink's own) is not called; AccumulateGrad's `reached` is inlined."""
    if kind is type(None):
        found = (False, True, False)
    else:
        found = (kind.reached not in (GradSink.reached, AccumulateGrad.reached),
                 kind.reached is AccumulateGrad.reached, kind.step is not GradSink.step)
    _SINK_KINDS[kind] = found
    return found
