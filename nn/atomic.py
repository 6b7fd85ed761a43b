"""All or nothing: a model method that raises leaves the model exactly as it was.

compile, fit, evaluate, predict, set_weights, add and load check their arguments first, but a
problem can still show up half-way (the data's shape decides how an unbuilt model is built,
a callback raises in epoch 3). `@atomic(...)` takes a snapshot of what the call may change and
puts it back when the call raises an Exception: the attributes of the model and of its layers
(built or not, compiled loss, metrics and optimizer), each weight Tensor's array, values and
gradient, and the optimizer's attributes and state. A KeyboardInterrupt is the user stopping
training on purpose: what was trained so far is kept, as in Keras.

>>> import numpy as np, nn
>>> model = nn.Sequential([nn.Dense(1)])
>>> try:
...     model.predict([["not", "numbers"]], verbose=0)
... except ValueError:
...     pass
>>> model.built                              # not built with the refused data's shape
False
"""
from __future__ import annotations

import functools
from typing import Callable


class Snapshot:
    """What a model call may change, to put back; `values=False` skips copying the weights'
    numbers (for calls that never write them: predict, evaluate, compile, add)."""

    def __init__(self, model, values: bool = True, extra_layers=()):
        self.model = model
        self.model_attrs = dict(model.__dict__)
        layers = list(model._layers) + [layer for layer in extra_layers if layer not in model._layers]
        self.layers = [(layer, dict(layer.__dict__)) for layer in layers]
        self.tensors = [(w, w.data, w.data.copy() if values else None, w.grad,
                         None if w.grad is None or not values else w.grad.data.copy(), w.requires_grad)
                       for w in model.weights]
        opt = model.optimizer
        self.optimizer = None if opt is None else (opt, dict(opt.__dict__), _slot_copies(opt, values))

    def restore(self) -> None:
        self.model.__dict__.clear()
        self.model.__dict__.update(self.model_attrs)
        for layer, attrs in self.layers:
            layer.__dict__.clear()
            layer.__dict__.update(attrs)
        for w, data, values, grad, grad_values, requires_grad in self.tensors:
            w.data, w.grad, w.requires_grad = data, grad, requires_grad
            if values is not None:
                data[...] = values  # in place: `data` may be a view of the optimizer's flat storage
            if grad_values is not None:
                grad.data[...] = grad_values  # the engine writes later gradients into the same buffer
        if self.optimizer is not None:
            opt, attrs, slots = self.optimizer
            opt.__dict__.clear()
            opt.__dict__.update(attrs)
            for slot_dict, entries, copies in slots:
                slot_dict.clear()
                slot_dict.update(entries)
                for name, values in copies.items():
                    entries[name][...] = values


def _slot_copies(opt, values: bool) -> list:
    """The optimizer's state to put back; its scratch arrays (working space, not state) are not copied."""
    state = tuple(getattr(opt, "slot_names", ()))
    return [(slots, dict(slots), {k: v.copy() for k, v in slots.items() if k in state} if values else {})
            for slots in opt.slots]


def atomic(values: bool = True) -> Callable:
    """Decorate a Sequential method: if it raises an Exception, the model is restored."""
    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def run(self, *args, **kwargs):
            extra = [a for a in args if hasattr(a, "built") and hasattr(a, "weights")]  # add(layer)
            snapshot = Snapshot(self, values, extra)
            try:
                return method(self, *args, **kwargs)
            except Exception:
                snapshot.restore()
                raise
        return run
    return decorate
