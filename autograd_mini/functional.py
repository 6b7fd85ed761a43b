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
from .engine import _seed, run_backward
from .tensor import Tensor


# How many grad() calls are running their f right now. Inside one, a nested grad's result may be
# differentiated by it -- through any argument, or a Tensor f closes over -- so it is recorded.
_running = 0


def grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """Return a function computing d f(*args) / d args[argnums] for a scalar-valued f.

    Arguments may be numbers, arrays or Tensors; the result is a Tensor shaped like the
    argument (a tuple of them when argnums is a sequence). If an argument is a Tensor that
    requires grad, or the call is inside another grad's f, the result stays in the graph,
    which is what lets grad(grad(f)) and mixed partials work."""
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)

    def gradient(*args, **kwargs):
        args = list(args)
        for p in positions:
            if p >= len(args):
                raise TypeError(f"grad: argnums={argnums} but f was called with {len(args)} positional arguments")
        global _running
        create_graph = grad_mode.enabled and (_running > 0 or any(
            isinstance(a, Tensor) and a.requires_grad for a in (*args, *kwargs.values())))
        outer = [isinstance(args[p], Tensor) and args[p].requires_grad for p in positions]
        variables = []
        for p, in_graph in zip(positions, outer):
            # a Tensor already in an outer graph is used as is, so the outer grad sees through us
            v = args[p] if in_graph else Tensor(args[p], requires_grad=True)
            args[p] = v
            variables.append(v)
        _running += 1
        try:
            with grad_mode.enable_grad():
                out = f(*args, **kwargs)
        finally:
            _running -= 1
        if not isinstance(out, Tensor) or out.data.size != 1:
            shape = out.shape if isinstance(out, Tensor) else type(out).__name__
            raise TypeError(f"grad(f) needs f to return a scalar Tensor, got {shape}")
        if not out.requires_grad:  # f does not depend on its argument at all
            found = [None] * len(variables)
        else:
            found = run_backward(out, _seed(out, None, create_graph), create_graph=create_graph,
                                 retain_graph=create_graph, inputs=variables)
        results = []
        for v, g in zip(variables, found):
            if g is None:
                g = np.zeros_like(v.data)
            results.append(g if isinstance(g, Tensor) else Tensor._make(np.asarray(g, dtype=v.data.dtype), None))
        return results[0] if single else tuple(results)

    gradient.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    gradient.__doc__ = f"Gradient of {getattr(f, '__name__', 'f')} with respect to argument(s) {argnums}."
    return gradient
