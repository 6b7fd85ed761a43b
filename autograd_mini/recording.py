"""record: build a computation's graph once, then run the same ops again on new arrays.

A training step builds the very same graph every time -- the same ops on arrays of the same
shapes; only the numbers change. Building it costs Python work per op (a node, a Tensor, the
checks of `apply`), and backward sorts it again. A Recording keeps the graph of one call:
calling it runs each node's forward again on new input arrays, in the recorded order (the
graph's Tensors are reused, their arrays replaced), and its `backward()` walks the recorded
order instead of sorting. fit trains built-in layers and losses this way, as Keras traces its
train step once.

>>> import autograd_mini as am
>>> w = am.Tensor([1.0, 2.0], requires_grad=True)
>>> step = am.record(lambda x: (x * w).sum(), [3.0, 4.0])
>>> step.output                       # the recorded call: 3·1 + 4·2
Tensor(11., grad_fn=sum)
>>> step([1.0, 1.0])                  # the same ops on new numbers
Tensor(3., grad_fn=sum)
>>> step.backward(); w.grad           # d/dw of the last call
Tensor([1., 1.])

What can be recorded: a function whose ops do not depend on the numbers (no `if` on values),
called again with inputs of the recorded shapes and dtypes (checked on every call). On each
call the graph's leaves are read as they are then: the inputs hold the new arrays, weights
(leaves that require grad, and Tensors listed in `constants`) their current values. Any other
leaf was made *during* the recorded call -- from a Python number (`x * 2.0`) or from the data
(`Tensor(y.data > 0)`) -- and a replay would reuse its recorded value, as tf.function bakes in
Python values at trace time. `record` refuses such a graph, naming the leaf, unless
strict=False (then those values are frozen on purpose).
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from .engine import GradSink, _seed, topological_order
from .tensor import Tensor, as_array
from .tuned_walk import only_own_ops, walk


class Recording:
    """The graph of one call, replayable on new input arrays (see the module docstring).

    inputs: the leaf Tensors that receive new arrays on each call; output: the result Tensor
    (the same object after every call, holding the latest numbers)."""

    __slots__ = ("inputs", "output", "problem", "_order", "_shapes", "_own_ops_only")

    def __init__(self, inputs: Iterable[Tensor], output: Tensor, constants: Iterable[Tensor] = ()):
        self.inputs = tuple(inputs)
        self.output = output
        self._shapes = tuple((t.data.shape, t.data.dtype) for t in self.inputs)
        self._order = topological_order(output) if output._ctx is not None else []
        self._own_ops_only = only_own_ops(self._order)  # see tuned_walk.walk
        self.problem = self._find_problem(constants)

    def _find_problem(self, constants: Iterable[Tensor]) -> str | None:
        """Why replaying would not compute what calling the function again computes, or None."""
        if self.output._ctx is None:
            return "the output is not computed by any op from a tensor that requires grad: there is no graph"
        known = {id(t) for t in self.inputs} | {id(t) for t in constants}
        for tensor in self._order:
            node = tensor._ctx
            for index, parent in enumerate(node.parents):
                if parent._ctx is None and not parent.requires_grad and id(parent) not in known:
                    return (f"input {index} of {node.op_name} is a constant of shape {parent.data.shape} made "
                            f"during the call (from a Python number or from the data); a replay would reuse its "
                            f"recorded value. Pass it as an input, list it in constants= if it is a Tensor "
                            f"that lives outside the function, or use strict=False to freeze it on purpose")
        return None

    def __call__(self, *arrays) -> Tensor:
        """Run the recorded ops on new input arrays; returns `output` (the same Tensor, new numbers)."""
        if len(arrays) != len(self.inputs):
            raise TypeError(f"this recording takes {len(self.inputs)} input array(s), got {len(arrays)}")
        for i, (tensor, array, (shape, dtype)) in enumerate(zip(self.inputs, arrays, self._shapes)):
            if type(array) is not np.ndarray:
                array = np.asarray(array.data if isinstance(array, Tensor) else array, dtype=dtype)
            if array.shape != shape or array.dtype != dtype:
                raise ValueError(f"a recording replays the shapes it recorded: input {i} was "
                                 f"{shape} {dtype}, got {array.shape} {array.dtype}; record again for other shapes")
            tensor.data = array
        for tensor in self._order:  # inputs before the ops that use them
            recorded = tensor._ctx
            node = type(recorded).__new__(type(recorded))  # a fresh node: nothing left over from the last call
            tensor.data = node.run_forward(recorded.parents, recorded._options)
            node.parents = recorded.parents
            tensor._ctx = node
            tensor.grad = None  # a gradient kept by retain_grad() belonged to the last call's values
        return self.output

    def backward(self, grad=None, sink: GradSink | None = None) -> None:
        """`output.backward(grad)` through the recorded order, the graph not sorted again; the
        gradients go to `sink` (see autograd_mini.engine.GradSink; default: `.grad`, as backward()).
        The walk is engine.run_backward's, in its tuned copy (autograd_mini/tuned_walk.py)."""
        walk(self._order, self.output, _seed(self.output, grad, False), sink, own_ops_only=self._own_ops_only)

    def __repr__(self) -> str:
        return f"<Recording of {len(self._order)} ops on inputs {[s for s, _ in self._shapes]}>"


def record(fn: Callable[..., Tensor], *example_inputs, constants: Iterable[Tensor] = (),
           strict: bool = True) -> Recording:
    """Call fn(*inputs) once on Tensors holding `example_inputs` and keep its graph for replays.

    constants: Tensors fn uses that are neither inputs nor require grad (e.g. frozen weights):
    read afresh on each call. strict: refuse a graph with other constants (see the module docs)."""
    inputs = [Tensor._make(as_array(a), None) for a in example_inputs]
    output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"record needs a function returning a Tensor, got {type(output).__name__}")
    recording = Recording(inputs, output, constants)
    if recording.problem is not None and (strict or recording.output._ctx is None):
        raise ValueError(f"cannot record this function: {recording.problem}")
    return recording
