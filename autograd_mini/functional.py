"""Function transforms, with JAX's names and meanings: grad, value_and_grad, jacobian, hessian, vjp, jvp.

>>> from autograd_mini import grad
>>> f = lambda x: x ** 3
>>> float(grad(f)(2.0))          # 3x²
12.0
>>> float(grad(grad(f))(2.0))    # 6x: grads nest
12.0
>>> import autograd_mini as am
>>> am.jacobian(lambda x: x * x)(am.Tensor([1.0, 2.0]))       # diag(2x)
Tensor([[2., 0.],
        [0., 4.]])
>>> am.hessian(lambda x: (x ** 3).sum())(am.Tensor([1.0, 2.0]))   # diag(6x)
Tensor([[ 6.,  0.],
        [ 0., 12.]])

Arguments may be numbers, arrays or Tensors; results are Tensors. jacobian and hessian build
their results from one backward pass per output element: they are constants, not
differentiable again. jvp (forward mode) is computed with two reverse passes (the transpose of
the vjp), which needs every backward on the way to be differentiable -- as the built-in ops'.
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
    value_and_gradient = value_and_grad(f, argnums)

    def gradient(*args, **kwargs):
        return value_and_gradient(*args, **kwargs)[1]

    gradient.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    gradient.__doc__ = f"Gradient of {getattr(f, '__name__', 'f')} with respect to argument(s) {argnums}."
    return gradient


def value_and_grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """Return a function computing `(f(*args), grad(f, argnums)(*args))` in one pass, as JAX's.

    >>> import autograd_mini as am
    >>> value, slope = am.value_and_grad(lambda x: x ** 3)(2.0)
    >>> float(value), float(slope)
    (8.0, 12.0)
    """
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)

    def value_and_gradient(*args, **kwargs):
        args, variables, outer = _variables("grad", args, positions, argnums)
        record = grad_mode.is_grad_enabled()
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
        results = [_as_tensor(g, v) for v, g in zip(variables, found)]
        return out, (results[0] if single else tuple(results))

    value_and_gradient.__name__ = f"value_and_grad_{getattr(f, '__name__', 'f')}"
    return value_and_gradient


def _variables(caller: str, args, positions: tuple, argnums) -> tuple[list, list, list]:
    """The arguments with the differentiated ones made Tensors that require grad; those
    variables; and whether each was already in an outer graph."""
    args = list(args)
    for p in positions:
        if p >= len(args):
            raise TypeError(f"{caller}: argnums={argnums} but f was called with {len(args)} positional arguments")
    if len(set(positions)) != len(positions):
        raise ValueError(f"{caller}: argnums={argnums} names a position twice")
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
    return args, variables, outer


def _as_tensor(g, like: Tensor) -> Tensor:
    """A gradient as a Tensor shaped like `like`: zeros for None (no dependence)."""
    if g is None:
        g = np.zeros_like(like.data)
    return g if isinstance(g, Tensor) else Tensor._make(np.asarray(g, dtype=like.data.dtype), None)


def _backward_to(out: Tensor, seed, variables: list, create_graph: bool = False) -> list:
    """d<seed, out>/d variable for each variable (None where out does not depend on it)."""
    if not out.requires_grad:
        return [None] * len(variables)
    if out._ctx is None:  # out is one of the variables itself
        return [seed if v is out else None for v in variables]
    return run_backward(out, seed, create_graph=create_graph, retain_graph=True, inputs=variables)


def jacobian(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """Return a function computing the Jacobian of f with respect to args[argnums] (JAX's jacrev).

    The result has shape f's output shape + the argument's shape; a tuple over argnums when
    argnums is a sequence, and a tuple over f's outputs when f returns a tuple.

    >>> import autograd_mini as am
    >>> am.jacobian(lambda x, y: x * y, argnums=1)(am.Tensor([1.0, 2.0]), am.Tensor([3.0, 4.0]))
    Tensor([[1., 0.],
            [0., 2.]])
    """
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)

    def jac(*args, **kwargs):
        args, variables, _ = _variables("jacobian", args, positions, argnums)
        with grad_mode.enable_grad():
            outs = f(*args, **kwargs)
        several = isinstance(outs, tuple)
        results = []
        for out in (outs if several else (outs,)):
            if not isinstance(out, Tensor):
                raise TypeError(f"jacobian(f) needs f to return a Tensor (or a tuple of them), got "
                                f"{type(out).__name__}")
            blocks = _jacobian_blocks(out, variables)
            results.append(blocks[0] if single else tuple(blocks))
        return tuple(results) if several else results[0]

    jac.__name__ = f"jacobian_{getattr(f, '__name__', 'f')}"
    return jac


def _jacobian_blocks(out: Tensor, variables: list) -> list[Tensor]:
    """One backward pass per element of `out`: row k of each block is d out[k] / d variable."""
    blocks = [np.zeros(out.shape + v.shape, dtype=np.result_type(out.dtype, v.dtype)) for v in variables]
    seed = np.zeros(out.shape, dtype=out.dtype)
    for k in np.ndindex(out.shape):
        seed[k] = 1
        for block, g in zip(blocks, _backward_to(out, seed, variables)):
            if g is not None:
                block[k] = np.asarray(getattr(g, "data", g))
        seed[k] = 0
    return [Tensor._make(block, None) for block in blocks]


def hessian(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """Return a function computing the Hessian of the scalar f (the Jacobian of its gradient).

    Shape: the argument's shape twice; for a sequence argnums, H[i][j] = d²f / d args[i] d args[j].
    """
    return jacobian(grad(f, argnums), argnums)


def vjp(f: Callable, *primals) -> tuple:
    """`(f(*primals), vjp_fn)`, where `vjp_fn(cotangent)` is the tuple of cotangentᵀ·(df/dprimal),
    one per primal: what one backward pass computes (JAX's vjp).

    >>> import autograd_mini as am
    >>> out, vjp_fn = am.vjp(lambda x: x * x, am.Tensor([1.0, 2.0]))
    >>> vjp_fn(am.Tensor([1.0, 10.0]))
    (Tensor([ 2., 40.]),)
    """
    args, variables, outer = _variables("vjp", primals, tuple(range(len(primals))), "all")
    with grad_mode.enable_grad():
        out = f(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"vjp(f, ...) needs f to return a Tensor, got {type(out).__name__}")
    record = grad_mode.is_grad_enabled()

    def vjp_fn(cotangent) -> tuple:
        in_graph = isinstance(cotangent, Tensor) and cotangent.requires_grad
        seed = cotangent if in_graph else np.asarray(getattr(cotangent, "data", cotangent), dtype=out.dtype)
        if np.shape(seed) != out.shape:
            raise ValueError(f"vjp_fn: the cotangent has shape {np.shape(seed)}, f's output has shape {out.shape}")
        found = _backward_to(out, seed, variables, create_graph=record and (any(outer) or in_graph))
        return tuple(_as_tensor(g, v) for g, v in zip(found, variables))

    return out, vjp_fn


def jvp(f: Callable, primals: Sequence, tangents: Sequence) -> tuple:
    """`(f(*primals), J·tangents)`: the directional derivative of f along the tangents, one per
    primal (JAX's jvp). Computed by reverse mode twice: J·t is the gradient, with respect to the
    cotangent u, of <uᵀJ, t>.

    >>> import autograd_mini as am
    >>> out, t_out = am.jvp(lambda x: x * x, (am.Tensor([1.0, 2.0]),), (am.Tensor([1.0, 10.0]),))
    >>> t_out
    Tensor([ 2., 40.])
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents; give one tangent per primal")
    args, variables, _ = _variables("jvp", primals, tuple(range(len(primals))), "all")
    for i, (v, t) in enumerate(zip(variables, tangents)):
        if np.shape(getattr(t, "data", t)) != v.shape:
            raise ValueError(f"jvp: tangent {i} has shape {np.shape(getattr(t, 'data', t))}, primal {i} has "
                             f"shape {v.shape}")
    tangents = [np.asarray(getattr(t, "data", t), dtype=v.dtype) for v, t in zip(variables, tangents)]
    with grad_mode.enable_grad():
        out = f(*args)
        if not isinstance(out, Tensor):
            raise TypeError(f"jvp(f, ...) needs f to return a Tensor, got {type(out).__name__}")
        u = Tensor(np.zeros(out.shape, dtype=out.dtype), requires_grad=True)
        found = _backward_to(out, u, variables, create_graph=True)
        pairs = [(g, t) for g, t in zip(found, tangents) if g is not None]
        if not pairs:
            return out, Tensor._make(np.zeros(out.shape, dtype=out.dtype), None)
        if all(isinstance(g, Tensor) and g.requires_grad for g, _ in pairs):
            total = sum((g * t).sum() for g, t in pairs)
            (tangent_out,) = _backward_to(total, np.ones((), total.dtype), [u])
            return out, _as_tensor(tangent_out, u)
    # a backward that is not differentiable (a user's Function on arrays): contract the Jacobian
    blocks = _jacobian_blocks(out, variables)
    tangent_out = sum(np.tensordot(b.data, t, axes=t.ndim) for b, t in zip(blocks, tangents))
    return out, Tensor._make(np.asarray(tangent_out, dtype=out.dtype), None)


def _depends_on_others(out: Tensor, variables: list) -> bool:
    """Does `out` depend on a leaf that requires grad other than `variables`? Then someone may
    differentiate the gradient with respect to it, so the backward pass must be recorded."""
    mine = {id(v) for v in variables}
    for tensor in topological_order(out):
        for parent in tensor._ctx.parents:
            if parent._ctx is None and parent.requires_grad and id(parent) not in mine:
                return True
    return False
