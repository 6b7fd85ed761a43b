"""Reverse mode: walk the graph from the output back to the leaves, once, without recursion.

>>> from autograd_mini import Tensor
>>> a = Tensor(3.0, requires_grad=True)
>>> b = a * a + a          # a is used twice: its gradients add up
>>> b.backward()
>>> float(a.grad)          # d(a² + a)/da = 2a + 1
7.0
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from . import grad_mode
from .function import _RELEASED, fit_to_shape
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


def backward(root: Tensor, grad=None, *, create_graph: bool = False, retain_graph: bool | None = None) -> None:
    """Add d(root)/d(leaf) to `.grad` of every leaf that requires grad (accumulating, as PyTorch).

    grad: the upstream gradient; may be omitted only for a one-element `root`.
    create_graph: record the backward pass too, so the gradients can be differentiated again.
    retain_graph: keep saved arrays for another backward (defaults to create_graph)."""
    seed = _seed(root, grad, create_graph)
    if root._ctx is None:  # a leaf: its gradient is the seed
        _accumulate_grad(root, seed)
        return
    run_backward(root, seed, create_graph=create_graph,
                 retain_graph=create_graph if retain_graph is None else retain_graph)


def run_backward(root: Tensor, seed, *, create_graph: bool, retain_graph: bool,
                 inputs: Sequence[Tensor] | None = None,
                 on_step: Callable[[Tensor, object, tuple], None] | None = None,
                 order: Sequence[Tensor] | None = None):
    """The engine. Without `inputs`, gradients go into leaves' `.grad`; with `inputs`, they are
    returned for those tensors only and no `.grad` is touched (what `grad()` needs).

    on_step(tensor, grad, results), if given, is called after each op's backward has run and
    its results have been passed on: `grad` is the gradient the op received, `results` one
    gradient (or None) per input, as the backward returned them (before fitting to the input's
    shape). For tools that watch backward (autograd_mini.viz.flipbook); when None, the cost is
    one `is not None` check per op.

    order: `topological_order(root)` computed before, for a graph known to have kept its shape
    (autograd_mini.recording replays the same nodes every step); None sorts the graph now."""
    wanted = {id(t): i for i, t in enumerate(inputs)} if inputs is not None else None
    found = [None] * len(inputs) if inputs is not None else None
    grads = {id(root): seed}  # gradient waiting at each non-leaf; dropped as soon as it is used
    ndarray = np.ndarray
    previous_mode = grad_mode.enabled
    grad_mode.enabled = create_graph  # record the backward ops only when asked to
    try:
        for tensor in reversed(topological_order(root) if order is None else order):
            grad = grads.pop(id(tensor), None)
            if grad is None:
                continue
            if wanted is not None and id(tensor) in wanted:
                found[wanted[id(tensor)]] = grad
            if tensor._retain_grad and wanted is None:  # with inputs=, no .grad is touched
                _accumulate_grad(tensor, grad)  # accumulates across backward calls, as PyTorch
            ctx = tensor._ctx
            parents = ctx.parents
            if create_graph:
                ctx._out = tensor  # lets saved_tensors hand back graph Tensors
                try:
                    results = ctx.backward(ctx, grad)
                finally:
                    ctx._out = None
            else:
                results = ctx.backward(ctx, grad)
            if not retain_graph:
                ctx._saved = _RELEASED
            if type(results) is not tuple:
                # a list holds one gradient per input; anything else (an array, a Tensor, None) is
                # one gradient -- never iterate over an array's rows as if they were gradients
                results = tuple(results) if type(results) is list else (results,)
            if len(results) != len(parents):
                raise RuntimeError(_count_message(ctx, len(results), len(parents)))
            index = -1
            for parent in parents:
                index += 1
                result = results[index]
                if result is None or not parent.requires_grad:
                    continue
                if type(result) is not ndarray or result.shape != parent.data.shape:
                    result = fit_to_shape(result, parent.data.shape, ctx, index)
                if parent._ctx is not None:
                    key = id(parent)
                    waiting = grads.get(key)
                    grads[key] = result if waiting is None else waiting + result
                elif wanted is None:
                    if parent.grad is None and (result is parent._grad_buffer or (  # written where we offered
                            type(result) is ndarray and result.dtype == parent.data.dtype and result.flags.writeable)):
                        parent.grad = Tensor._make(result, None)  # the first gradient, taken without a copy
                    else:
                        _accumulate_grad(parent, result)
                elif id(parent) in wanted:
                    i = wanted[id(parent)]
                    found[i] = result if found[i] is None else found[i] + result
            if on_step is not None:
                on_step(tensor, grad, results)
    finally:
        grad_mode.enabled = previous_mode
    return found


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
    """Add `grad` to tensor.grad (a leaf's, or one kept by retain_grad), storing the first as is."""
    if isinstance(grad, Tensor):  # create_graph: keep the gradient differentiable
        tensor.grad = grad if tensor.grad is None else tensor.grad + grad
        return
    if grad.dtype != tensor.data.dtype:
        grad = grad.astype(tensor.data.dtype)
    if tensor.grad is None:
        # the first gradient is stored as is; a read-only broadcast view is made real
        tensor.grad = Tensor._make(grad if grad.flags.writeable else grad.copy(), None)
    else:
        tensor.grad = Tensor._make(tensor.grad.data + grad, None)
