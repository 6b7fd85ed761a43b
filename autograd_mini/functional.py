"""grad(f): the gradient of a scalar function as a function, as in HIPS autograd and JAX.

>>> from autograd_mini import grad
>>> f = lambda x: x ** 3
>>> float(grad(f)(2.0))          # 3x²
12.0
>>> float(grad(grad(f))(2.0))    # 6x: grads nest
12.0
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from . import grad_mode
from .engine import _seed, run_backward, topological_order
from .tensor import Tensor


def grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """Return a function computing d f(*args) / d args[argnums] for a scalar-valued f.

    Arguments may be numbers, arrays or Tensors; the result is a Tensor shaped like the
    argument (a tuple of them when argnums is a sequence). If f(*args) depends on a Tensor
    that requires grad besides the differentiated arguments -- another argument, a Tensor f
    closes over, the variable of an outer grad -- the result stays in the graph, which is what
    lets grad(grad(f)), mixed partials and gradient penalties work. Under no_grad() it never does."""
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)

    def gradient(*args, **kwargs):
        args = list(args)
        for p in positions:
            if p >= len(args):
                raise TypeError(f"grad: argnums={argnums} but f was called with {len(args)} positional arguments")
        if len(set(positions)) != len(positions):
            raise ValueError(f"grad: argnums={argnums} names a position twice")
        record = grad_mode.is_grad_enabled()
        outer = [isinstance(args[p], Tensor) and args[p].requires_grad for p in positions]
        graph_ids = [id(args[p]) for p, in_graph in zip(positions, outer) if in_graph]
        variables = []
        for p, in_graph in zip(positions, outer):
            # a Tensor already in an outer graph is used as is, so the outer grad sees through us
            v = args[p] if in_graph else Tensor(args[p], requires_grad=True)
            if in_graph and graph_ids.count(id(v)) > 1:
                # one Tensor passed at two positions: each gets its own pass-through node, so the
                # partial derivative of each position is collected apart (f(x, x) -> ∂f/∂a, ∂f/∂b)
                v = v.reshape(v.shape)
            args[p] = v
            variables.append(v)
        with grad_mode.enable_grad():
            out = f(*args, **kwargs)
        if not isinstance(out, Tensor) or out.data.size != 1:
            shape = out.shape if isinstance(out, Tensor) else type(out).__name__
            raise TypeError(f"grad(f) needs f to return a scalar Tensor, got {shape}")
        if not out.requires_grad:  # f does not depend on its argument at all
            found = [None] * len(variables)
        else:
            create_graph = record and (any(outer) or _depends_on_others(out, variables))
            # retain: f's own graph dies with `out` anyway, but the walk may reach an outer graph
            found = run_backward(out, _seed(out, None, create_graph), create_graph=create_graph,
                                 retain_graph=True, inputs=variables)
        results = []
        for v, g in zip(variables, found):
            if g is None:
                g = np.zeros_like(v.data)
            results.append(g if isinstance(g, Tensor) else Tensor._make(np.asarray(g, dtype=v.data.dtype), None))
        return results[0] if single else tuple(results)

    gradient.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    gradient.__doc__ = f"Gradient of {getattr(f, '__name__', 'f')} with respect to argument(s) {argnums}."
    return gradient


def _depends_on_others(out: Tensor, variables: list) -> bool:
    """Does `out` depend on a leaf that requires grad other than `variables`? Then someone may
    differentiate the gradient with respect to it, so the backward pass must be recorded."""
    mine = {id(v) for v in variables}
    for tensor in topological_order(out):
        for parent in tensor._ctx.parents:
            if parent._ctx is None and parent.requires_grad and id(parent) not in mine:
                return True
    return False
