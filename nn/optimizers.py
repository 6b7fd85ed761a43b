"""Optimizers with Keras's names, defaults and update formulas; usable by hand, PyTorch style.

>>> import autograd_mini as am
>>> from nn.optimizers import SGD
>>> w = am.Tensor([1.0, 2.0], requires_grad=True)
>>> opt = SGD([w], lr=0.1)   # PyTorch style; Keras style: SGD(0.1, params=model.parameters())
>>> (w * w).sum().backward()               # grad = 2w
>>> opt.step(); w                          # w - 0.1 · 2w
Tensor([0.8, 1.6], requires_grad=True)
>>> opt.zero_grad()

Updates are done in place on each parameter's numpy array, so the Tensors users hold (and
model.weights) always show the current values. compile() binds an optimizer to the model.

Why flat storage: a numpy call has a fixed cost whatever the array's size (benchmarks/README.md),
so on a small network a formula applied weight by weight costs far more than its arithmetic. As PyTorch's
`foreach` and apex's flat-buffer optimizers do, bind() lays the parameters of one dtype out in
one array and points each `.data` at its piece; their gradients and the slots get the same
layout, and step() runs the formula once on the whole arrays (SGD: 2 numpy calls for the whole
model). step() copies each `.grad` into the flat gradient array (it never writes to a `.grad`);
fit skips `.grad` altogether: its backward sends the gradients to the optimizer's
`GradientBuffers` and its fused ops write them there in place (see nn.fused).

>>> b = am.Tensor([0.5], requires_grad=True)
>>> opt = SGD([w, b], lr=0.1)
>>> w.data.base is b.data.base, w           # views of one array; the same Tensor and values
(True, Tensor([0.8, 1.6], requires_grad=True))

A parameter the layout cannot hold (listed twice, sharing memory with another, not
C-contiguous, not requiring grad) is updated on its own. When a parameter of a group lost its
view (`.data` replaced) or has no gradient, step() updates that group weight by weight. Slots
are views: write them in place (`slots["m"][...] = a`).
"""
from __future__ import annotations

import math
from typing import Callable, Iterable

import numpy as np

from autograd_mini import Tensor
from autograd_mini.engine import AccumulateGrad

from .validation import check_bool, check_number, unknown_name


class Optimizer:
    """Base class: holds the parameters and per-parameter state ("slots"); subclasses define `update`.

    `update(value, grad, slots)` works on any arrays of one shape: one weight, or (flat storage,
    see the module docstring) all the weights of one dtype at once."""

    slot_names: tuple[str, ...] = ()     # per-parameter state, saved with the model
    scratch_names: tuple[str, ...] = ()  # per-parameter working arrays (not state, not saved)
    name = "optimizer"

    def __init__(self, learning_rate, params: Iterable[Tensor] | None = None, lr: float | None = None):
        if callable(learning_rate) and not isinstance(learning_rate, Tensor):
            raise TypeError(f"{type(self).__name__}(learning_rate={learning_rate!r}): learning-rate schedules are "
                            f"not supported; pass a number >= 0 (a callback can change optimizer.learning_rate)")
        if not isinstance(learning_rate, (int, float, np.number, str, type(None))):  # SGD(model.parameters(), ...)
            params, learning_rate = learning_rate, None
        if lr is not None:  # PyTorch's name
            learning_rate = lr
        # 0 is valid (PyTorch and Keras accept it): the weights stay frozen
        where, arg = type(self).__name__, "lr" if lr is not None else "learning_rate"
        self.learning_rate = check_number(where, arg, self.default_learning_rate if learning_rate is None
                                          else learning_rate, low=0.0)
        if params is not None:
            params = _check_params(where, params)
        self.iterations = 0
        self.params: list[Tensor] = []
        self.slots: list[dict[str, np.ndarray]] = []
        self._groups: list[_FlatGroup] = []          # parameters laid out in one array per dtype
        self._loose: list[tuple[Tensor, dict]] = []  # the others, updated one by one
        self.buffers = GradientBuffers({})           # fit's gradients, one array per parameter
        if params is not None:
            self.bind(params)

    default_learning_rate = 0.001

    def bind(self, params: Iterable[Tensor]) -> None:
        """Optimize these parameters from now on (state is reset when the parameters change)."""
        params = list(params)
        if [id(p) for p in params] != [id(p) for p in self.params]:
            self.params = params
            self.slots = [{s: np.zeros_like(p.data) for s in self.slot_names + self.scratch_names}
                          for p in params]
            self._lay_out()
        elif not all(group.intact() for group in self._groups):
            self._lay_out()  # someone replaced a parameter's .data: lay them out again, keeping the state

    def _lay_out(self) -> None:
        """Group the parameters flat storage can hold by dtype; the others stay loose."""
        pairs = list(zip(self.params, self.slots))
        eligible = _flattenable(pairs)
        by_dtype: dict[np.dtype, list] = {}
        for i, pair in enumerate(pairs):
            if i in eligible:
                by_dtype.setdefault(pair[0].data.dtype, []).append(pair)
        self._groups = [_FlatGroup(members) for members in by_dtype.values()]
        self._loose = [pair for i, pair in enumerate(pairs) if i not in eligible]
        arrays = {id(p): grad for group in self._groups for p, _, grad in group.views}
        for p, _ in self._loose:
            arrays.setdefault(id(p), np.zeros_like(p.data))
        self.buffers.arrays = arrays  # the same object: fit's recorded ops keep pointing at it

    # A copy (copy.deepcopy, pickle) gets the parameters and slots as plain arrays; flat storage
    # is memory shared between them, so the copy lays its own out again (same values and state).
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_groups"], state["_loose"] = [], []
        state["buffers"] = GradientBuffers({})  # laid out again with the copy's parameters
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.params:
            self._lay_out()

    def zero_grad(self) -> None:
        """Forget the gradients: the next backward starts fresh instead of accumulating (PyTorch's
        set-to-none: a gradient array you kept is never written to)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient in `.grad`."""
        self.step_with(lambda p: None if p.grad is None else p.grad.data)

    def step_with(self, grad_of: Callable[[Tensor], np.ndarray | None]) -> None:
        """One update from the gradients `grad_of(param)` gives (None: no gradient, no update).
        fit passes `self.buffers.gradient`; step() reads `.grad`."""
        self.iterations += 1
        update = self.update
        for group in self._groups:
            if group.collect(grad_of):  # one update for the whole group
                update(group.values, group.grads, group.slots)
                continue
            for p, slots in group.members:
                grad = grad_of(p)
                if grad is not None:
                    update(p.data, grad, slots)
        for p, slots in self._loose:
            grad = grad_of(p)
            if grad is not None:
                update(p.data, grad, slots)

    def apply_gradients(self, grads_and_vars: Iterable[tuple]) -> None:
        """Keras's form: one update from explicit (gradient, variable) pairs."""
        pairs = list(grads_and_vars)
        for pair in pairs:
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and isinstance(pair[1], Tensor)):
                raise TypeError(f"apply_gradients(grads_and_vars=...): each entry must be a (gradient, variable) "
                                f"pair with a Tensor variable, got {pair!r}")
            if np.shape(pair[0].data if isinstance(pair[0], Tensor) else pair[0]) != pair[1].shape:
                raise ValueError(f"apply_gradients(grads_and_vars=...): a gradient of shape {np.shape(pair[0])} "
                                 f"for the variable {pair[1].name or ''} of shape {pair[1].shape}")
        self.bind([v for _, v in pairs])
        self.iterations += 1
        for (g, v), slots in zip(pairs, self.slots):
            self.update(v.data, np.asarray(g.data if isinstance(g, Tensor) else g, dtype=v.dtype), slots)

    def update(self, value: np.ndarray, grad: np.ndarray, slots: dict) -> None:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name, "learning_rate": self.learning_rate}

    @classmethod
    def from_config(cls, config: dict) -> "Optimizer":
        """The optimizer get_config() describes (Keras's Optimizer.from_config)."""
        return cls(**{k: v for k, v in config.items() if k != "name"})

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


def _flattenable(pairs: list[tuple[Tensor, dict]]) -> set[int]:
    """Indices of the parameters flat storage can hold: a float, writeable, C-contiguous array
    that needs a gradient, slots of its shape, and memory of its own -- a Tensor listed twice
    or two Tensors on one array must keep updating that one memory as many times as listed."""
    ok = {i for i, (p, slots) in enumerate(pairs)
          if p.requires_grad and p.data.dtype.kind == "f" and p.data.flags.c_contiguous and p.data.flags.writeable
          and all(s.shape == p.data.shape and s.dtype == p.data.dtype for s in slots.values())}
    spans = sorted((p.data.__array_interface__["data"][0], p.data.nbytes, i)
                   for i, (p, _) in enumerate(pairs) if p.data.nbytes)
    for (start, size, i), (next_start, _, j) in zip(spans, spans[1:]):
        if next_start < start + size:  # overlapping memory (contiguous arrays: the bounds say it)
            ok.discard(i)
            ok.discard(j)
    return ok


def _check_params(where: str, params) -> list:
    """The parameters to optimize: Tensors (a generator such as model.parameters() is fine)."""
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"{where}(params={params!r}): params must be an iterable of Tensors, e.g. "
                        f"model.parameters()") from None
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}(params=[..., {type(p).__name__}, ...]): params must hold Tensors "
                            f"(e.g. model.parameters()), got a {type(p).__name__}")
    return params


class _FlatGroup:
    """Parameters of one dtype as views of one array; their gradients and slots likewise.

    The per-parameter slot dicts are given views of the group's slot arrays, so saving,
    loading and apply_gradients see the same state as the whole-group update."""

    def __init__(self, members: list[tuple[Tensor, dict]]):
        self.members = members
        dtype = members[0][0].data.dtype
        total = sum(p.data.size for p, _ in members)
        self.values, self.grads = np.empty(total, dtype), np.zeros(total, dtype)
        self.slots = {name: np.empty(total, dtype) for name in members[0][1]}
        self.views: list[tuple[Tensor, np.ndarray, np.ndarray]] = []  # (param, value view, gradient view)
        start = 0
        for p, slots in members:
            shape, end = p.data.shape, start + p.data.size
            value = self.values[start:end].reshape(shape)
            value[...] = p.data
            p.data = value
            for name, flat in self.slots.items():
                view = flat[start:end].reshape(shape)
                view[...] = slots[name]
                slots[name] = view
            self.views.append((p, value, self.grads[start:end].reshape(shape)))
            start = end

    def intact(self) -> bool:
        """Does every parameter still hold its view? (False after `p.data = new_array`.)"""
        return all(p.data is value for p, value, _ in self.views)

    def collect(self, grad_of) -> bool:
        """Put every parameter's gradient into the flat gradient array (a copy unless it is there
        already), so one update on the flat arrays stands for the per-parameter ones. False, and
        nothing copied, when a parameter lost its view or has no gradient."""
        found = []
        for p, value, grad_view in self.views:
            grad = grad_of(p)
            if grad is None or p.data is not value:
                return False
            found.append((grad_view, grad))
        for grad_view, grad in found:
            if grad is not grad_view:
                np.copyto(grad_view, grad)
        return True


class GradientBuffers(AccumulateGrad):
    """An optimizer's gradient arrays, as the sink of fit's backward (autograd_mini.engine.GradSink).

    A training step: `begin()`, then backward sends each weight's gradient here (`leaf`): the first
    is copied into the weight's array -- unless an op already wrote it there, having asked for
    the array with `take` (nn.fused) -- and later ones are added. `gradient(p)` is the step's
    gradient of p, or None; `step_with(buffers.gradient)` applies them. No `.grad` is touched;
    a leaf that is not the optimizer's gets its `.grad` as from backward()."""

    def __init__(self, arrays: dict[int, np.ndarray]):
        self.arrays = arrays  # id(param) -> its gradient array
        self.state: dict[int, str] = {}  # id(param) -> "offered" (handed out by take) or "received"

    def begin(self) -> None:
        self.state.clear()

    def take(self, tensor: Tensor) -> np.ndarray | None:
        """The array to write `tensor`'s first gradient of this step into, or None when it has one."""
        key = id(tensor)
        if key not in self.arrays or key in self.state:
            return None
        self.state[key] = "offered"
        return self.arrays[key]

    def leaf(self, tensor: Tensor, grad) -> None:
        key = id(tensor)
        array = self.arrays.get(key)
        if array is None:
            super().leaf(tensor, grad)
            return
        if self.state.get(key) == "received":
            array += grad
        elif grad is not array:  # not written in place by the op that took the array
            np.copyto(array, grad)
        self.state[key] = "received"

    def gradient(self, tensor: Tensor) -> np.ndarray | None:
        key = id(tensor)
        return self.arrays[key] if self.state.get(key) == "received" else None


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum; Keras's defaults and formulas:

        momentum = 0:  w ← w - lr·g
        otherwise:     v ← momentum·v - lr·g;  w ← w + v   (nesterov: w ← w + momentum·v - lr·g)
    """
    name = "sgd"
    default_learning_rate = 0.01
    scratch_names = ("step",)  # lr·g, kept between steps so an update allocates nothing

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False,
                 params: Iterable[Tensor] | None = None, lr: float | None = None):
        momentum = check_number("SGD", "momentum", momentum, 0.0, 1.0)
        self.momentum, self.nesterov = momentum, check_bool("SGD", "nesterov", nesterov)
        self.slot_names = ("momentum",) if momentum else ()
        super().__init__(learning_rate, params, lr)

    def update(self, value, grad, slots):
        step = np.multiply(grad, self.learning_rate, out=slots["step"])  # lr·g
        if not self.momentum:
            value -= step
            return
        v = slots["momentum"]
        v *= self.momentum
        v -= step                       # v ← momentum·v - lr·g
        if self.nesterov:               # w ← w + momentum·v - lr·g
            value -= step
            value += np.multiply(v, self.momentum, out=slots["step"])
        else:                           # w ← w + v
            value += v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam as Keras computes it; note where epsilon goes (outside the bias correction of v):

        m ← m + (g - m)(1 - β1);  v ← v + (g² - v)(1 - β2)
        w ← w - lr·sqrt(1 - β2^t)/(1 - β1^t) · m / (sqrt(v) + ε)
    """
    name = "adam"
    slot_names = ("m", "v")

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 params: Iterable[Tensor] | None = None, lr: float | None = None):
        self.beta_1 = check_number("Adam", "beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = check_number("Adam", "beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = check_number("Adam", "epsilon", epsilon, low=0.0)
        super().__init__(learning_rate, params, lr)

    def step_with(self, grad_of) -> None:
        self._alpha_for(self.iterations + 1)
        super().step_with(grad_of)

    def apply_gradients(self, grads_and_vars) -> None:
        self._alpha_for(self.iterations + 1)
        super().apply_gradients(grads_and_vars)

    def _alpha_for(self, t: int) -> None:
        # the bias corrections of both moments folded into one step size, once per step
        self._alpha = self.learning_rate * math.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)

    def update(self, value, grad, slots):
        m, v = slots["m"], slots["v"]
        m += (grad - m) * (1.0 - self.beta_1)
        v += (grad * grad - v) * (1.0 - self.beta_2)
        value -= (m * self._alpha) / (np.sqrt(v) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """RMSprop, Keras's compile() default: v ← ρv + (1-ρ)g²;  w ← w - lr·g / sqrt(v + ε)."""
    name = "rmsprop"
    slot_names = ("velocity",)

    def __init__(self, learning_rate=0.001, rho: float = 0.9, epsilon: float = 1e-7,
                 params: Iterable[Tensor] | None = None, lr: float | None = None):
        self.rho = check_number("RMSprop", "rho", rho, 0.0, 1.0)
        self.epsilon = check_number("RMSprop", "epsilon", epsilon, low=0.0)
        super().__init__(learning_rate, params, lr)

    def update(self, value, grad, slots):
        v = slots["velocity"]
        v *= self.rho
        v += (1.0 - self.rho) * grad * grad
        value -= self.learning_rate * grad / np.sqrt(v + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def get(identifier: str | Optimizer) -> Optimizer:
    """An optimizer by name with Keras's defaults ("sgd", "adam", "rmsprop"), or an instance as is."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        raise TypeError(f"optimizer={identifier.__name__}: pass an instance, {identifier.__name__}(), or a name "
                        f"such as {identifier.name!r}")
    if not isinstance(identifier, str):
        raise TypeError(f"optimizer={identifier!r}: optimizer must be a name ({', '.join(OPTIMIZERS)}) or an "
                        f"Optimizer such as SGD(0.01), got {type(identifier).__name__}")
    key = identifier.lower()
    if key not in OPTIMIZERS:
        raise ValueError("optimizer: " + unknown_name("optimizer", identifier, OPTIMIZERS))
    return OPTIMIZERS[key]()


def from_config(config: dict) -> Optimizer:
    """Rebuild an optimizer from get_config() (used by load_model)."""
    config = dict(config)
    cls = OPTIMIZERS.get(str(config.pop("name", "")).lower())
    if cls is None:
        raise ValueError(f"unknown optimizer in config {config!r}; valid names: {', '.join(OPTIMIZERS)}")
    return cls(**config)
