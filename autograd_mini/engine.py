"""Reverse mode: walk the graph from the output back to the leaves, once, without recursion.

>>> from autograd_mini import Tensor
>>> a = Tensor(3.0, requires_grad=True)
>>> b = a * a + a          # a is used twice: its gradients add up
>>> b.backward()
>>> float(a.grad)          # d(a² + a)/da = 2a + 1
7.0

The walk (`run_backward`) only computes gradients; where they go is a `GradSink`'s business:
`AccumulateGrad` adds them to `.grad` (what `backward()` does), `CollectGrads` returns them
for chosen tensors (what `grad()` needs), and tools subclass `GradSink` to watch each step
(the flipbook). That is the one extension point; the walk itself has no hooks or fast paths.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from . import grad_mode
from .function import _RELEASED, Function, fit_to_shape
from .tensor import Tensor


def topological_order(root: Tensor) -> list[Tensor]:
    """Every non-leaf tensor that `root` depends on, inputs before the ops that use them.

    An explicit stack instead of recursion, so a 200,000-op chain does not hit Python's limit."""
    order: list[Tensor] = []
    visited: set[int] = set()
    stack = [(root, False)]
    while stack:
        tensor, parents_done = stack.pop()
        if parents_done:
            order.append(tensor)
            continue
        if id(tensor) in visited:
            continue
        visited.add(id(tensor))
        stack.append((tensor, True))
        for parent in tensor._ctx.parents:
            if parent._ctx is not None and id(parent) not in visited:
                stack.append((parent, False))
    return order


class GradSink:
    """Where the walk's gradients go; subclass it to watch or redirect backward.

    The walk calls, in order: `reached(tensor, grad)` when a non-leaf tensor's gradient is
    complete, just before its op's backward runs; `leaf(tensor, grad)` for every gradient sent
    to a leaf that requires grad (a leaf used twice gets two calls); `step(tensor, grad, results)`
    after the op's backward, with `results` as the backward returned them (one per input).
    `run_backward` returns `result()`. Every method does nothing here.

    >>> class Count(GradSink):
    ...     def __init__(self): self.ops = 0
    ...     def step(self, tensor, grad, results): self.ops += 1
    ...     def result(self): return self.ops
    >>> x = Tensor(2.0, requires_grad=True)
    >>> run_backward((x * x).exp(), np.array(1.0), sink=Count())
    2
    """

    def reached(self, tensor: Tensor, grad) -> None: ...
    def leaf(self, tensor: Tensor, grad) -> None: ...
    def step(self, tensor: Tensor, grad, results: tuple) -> None: ...
    def result(self): return None


class AccumulateGrad(GradSink):
    """backward()'s sink: add to each leaf's `.grad` (and a retain_grad() tensor's), as PyTorch."""

    def reached(self, tensor, grad):
        if tensor._retain_grad:
            _accumulate_grad(tensor, grad)

    def leaf(self, tensor, grad):
        _accumulate_grad(tensor, grad)


class CollectGrads(GradSink):
    """grad()'s sink: the gradients of `inputs` (leaves or not), returned in order; no `.grad` is touched."""

    def __init__(self, inputs: Sequence[Tensor]):
        self.positions = {id(t): i for i, t in enumerate(inputs)}
        self.found = [None] * len(inputs)

    def reached(self, tensor, grad):
        i = self.positions.get(id(tensor))
        if i is not None:
            self.found[i] = grad if self.found[i] is None else self.found[i] + grad

    leaf = reached

    def result(self):
        return self.found


def backward(root: Tensor, grad=None, *, create_graph: bool = False, retain_graph: bool | None = None) -> None:
    """Add d(root)/d(leaf) to `.grad` of every leaf that requires grad (accumulating, as PyTorch).

    grad: the upstream gradient; may be omitted only for a one-element `root`.
    create_graph: record the backward pass too, so the gradients can be differentiated again.
    retain_graph: keep saved arrays for another backward (defaults to create_graph)."""
    run_backward(root, _seed(root, grad, create_graph), create_graph=create_graph,
                 retain_graph=create_graph if retain_graph is None else retain_graph)


def run_backward(root: Tensor, seed, *, create_graph: bool = False, retain_graph: bool = False,
                 sink: GradSink | None = None, inputs: Sequence[Tensor] | None = None):
    """The engine: every op's backward, outputs before inputs, each gradient summed before use.

    sink: where gradients go (default AccumulateGrad); inputs: shorthand for CollectGrads(inputs)."""
    if sink is None:
        sink = AccumulateGrad() if inputs is None else CollectGrads(inputs)
    if root._ctx is None:  # a leaf: its gradient is the seed
        sink.leaf(root, seed)
        return sink.result()
    grads = {id(root): seed}  # gradient waiting at each non-leaf; dropped as soon as it is used
    with grad_mode.set_grad_enabled(bool(create_graph)):  # record the backward ops only when asked to
        for tensor in reversed(topological_order(root)):
            grad = grads.pop(id(tensor), None)
            if grad is None:  # nothing flows here (e.g. only into inputs that need no grad)
                continue
            sink.reached(tensor, grad)
            ctx = tensor._ctx
            results = call_backward(ctx, tensor, grad, create_graph, retain_graph)
            for index, (parent, result) in enumerate(zip(ctx.parents, results)):
                if result is None or not parent.requires_grad:
                    continue
                result = fit_to_shape(result, parent.data.shape, ctx, index)
                if parent._ctx is None:
                    sink.leaf(parent, result)
                else:
                    waiting = grads.get(id(parent))
                    grads[id(parent)] = result if waiting is None else waiting + result
            sink.step(tensor, grad, results)
    return sink.result()


def call_backward(ctx: Function, tensor: Tensor, grad, create_graph: bool, retain_graph: bool) -> tuple:
    """One op's backward: one gradient (or None) per input, as a tuple of the right length."""
    if create_graph:
        ctx._out = tensor  # lets saved_tensors hand back graph Tensors
    try:
        results = ctx.backward(ctx, grad)
    finally:
        ctx._out = None
    if not retain_graph:
        ctx._saved = _RELEASED
    if type(results) is not tuple:
        # a list holds one gradient per input; anything else (an array, a Tensor, None) is
        # one gradient -- never iterate over an array's rows as if they were gradients
        results = tuple(results) if type(results) is list else (results,)
    if len(results) != len(ctx.parents):
        raise RuntimeError(_count_message(ctx, len(results), len(ctx.parents)))
    return results


def _count_message(ctx, returned: int, expected: int) -> str:
    name = type(ctx).__name__
    if returned < expected:
        which = f"no gradient for input {returned}" + (f" to {expected - 1}" if expected - returned > 1 else "")
    else:
        which = f"there is no input {expected}"
    return (f"{name}.backward returned {returned} gradient(s) for {expected} input(s): {which}; "
            f"return one per input, in input order (None where none)")


def _seed(root: Tensor, grad, create_graph: bool):
    if not root.requires_grad:
        raise RuntimeError("backward() on a tensor that does not require grad: no input of the "
                           "computation had requires_grad=True (or it ran under no_grad())")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(f"backward() needs a scalar output or an explicit grad: this tensor has "
                               f"shape {root.shape}; call .sum() first or pass grad= of that shape")
        seed = np.ones(root.data.shape, root.data.dtype) if root.data.ndim else np.array(1, root.data.dtype)
    else:
        seed = np.asarray(grad, dtype=root.data.dtype)
        if seed.shape != root.data.shape:
            raise ValueError(f"backward(grad=...) got a gradient of shape {seed.shape} for a tensor "
                             f"of shape {root.shape}")
    return Tensor._make(seed, None) if create_graph else seed


def _accumulate_grad(tensor: Tensor, grad) -> None:
    """Add `grad` to tensor.grad (a leaf's, or one kept by retain_grad).

    Every `.grad` owns its memory: the first gradient is copied (an op may hand one array to
    several inputs, as `a + b` does; under create_graph a `clone`, which stays differentiable),
    and a sum is a new array, so a gradient the user holds is never changed by a later backward."""
    if isinstance(grad, Tensor):  # create_graph: keep the gradient differentiable (a clone is in the graph too)
        tensor.grad = grad.clone() if tensor.grad is None else tensor.grad + grad
    elif tensor.grad is None:
        tensor.grad = Tensor._make(grad.astype(tensor.data.dtype), None)  # astype copies
    else:
        tensor.grad = Tensor._make((tensor.grad.data + grad).astype(tensor.data.dtype, copy=False), None)
