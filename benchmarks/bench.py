#!/usr/bin/env python
"""autograd_mini performance benchmark (issue 6): the library against the same computation
written by hand in numpy (the physical limit of a numpy engine) and against PyTorch eager CPU.

    python benchmarks/bench.py                 # every workload, 15 interleaved rounds
    python benchmarks/bench.py --only small,mlp --rounds 31
    python benchmarks/bench.py --quick         # a few seconds: smoke run, numbers meaningless
    python benchmarks/bench.py --profile small # cProfile of the library side of one workload

Workloads (names for --only / --profile):
  small        one training step through model.fit of the talk's network: 1->3->1, sigmoid,
               binary crossentropy, SGD(0.01), 150 iris samples, one full batch per epoch
  eager        the same step as a learner writes it, a graph built every step: model(x),
               nn.losses.binary_crossentropy, backward(), opt.step(), opt.zero_grad() (issue 10)
  mlp          one step of the 3x512 ReLU regression (8 inputs, batch 256, MSE, SGD(0.01))
               through model.fit, one batch per epoch
  elementwise  forward+backward of y = (sigmoid(x*w + b) * x).sum(), 100 float32 elements,
               reported per op (5 ops)
  chain        backward of a 200,000-op chain y = x * 1.0000001 * 1.0000001 * ...
  memory       peak traced memory (tracemalloc) of one training step of `mlp`: a whole
               fit(epochs=1) call, with what fit keeps for the call (a copy of the weights)

How it measures (same process for every contender):
  * every contender is warmed up, then timed over n steps (n calibrated so one measurement
    takes --target seconds) and divided by n; the library is timed as users run it,
    `model.fit(x, y, epochs=n, batch_size=..., verbose=0)`, so fit's own overhead counts;
  * rounds are interleaved (numpy, pause, library, pause, torch, pause, ... the order rotating
    every round) with a --pause (0.3 s) before each contender: on a 2-core machine the BLAS
    threads of one contender keep spinning for a moment after it finishes;
  * right before each timed measurement one untimed step runs (waking the BLAS threads is not
    a per-step cost of training), and weights are reset to the shared initial values;
  * the table shows the median over rounds of each contender's per-step time, and as ratios
    the median over rounds of the ratio within a round (the machine's speed drifts over minutes;
    measurements seconds apart share the drift, so their ratio mostly cancels it);
  * every workload first checks that the contenders compute the same thing: the same initial
    weights are given to all of them and the first-step loss and the updated weights (or the
    gradients) must agree, otherwise the script exits 1.

PyTorch (eager, CPU, float32, torch.set_num_threads = numpy's BLAS threads) is optional:
without it the torch column says n/a. HIPS autograd and micrograd are not benchmarked.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import math
import os
import pstats
import statistics
import sys
import time
import tracemalloc
from pathlib import Path


def _early_threads(argv):
    """--threads N must reach OpenBLAS before numpy is imported, so it is read here."""
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--threads=") else (
            argv[i + 1] if arg == "--threads" and i + 1 < len(argv) else None)
        if value is not None and value.isdigit():
            for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ[var] = value


if __name__ == "__main__":
    _early_threads(sys.argv[1:])

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

F32 = np.float32
LR = 0.01  # keras.optimizers.SGD() default learning rate (the setting)
CHAIN_LENGTH = 200_000
CHAIN_FACTOR = 1.0000001

WORKLOADS = ("small", "eager", "mlp", "elementwise", "chain", "memory")


# ------------------------------------------------------------------------------------------
# optional contenders
# ------------------------------------------------------------------------------------------
class Unavailable(Exception):
    """A contender that cannot run here (not installed, not written yet); the reason is shown."""


def blas_threads() -> int:
    """How many threads numpy's OpenBLAS uses (its default: one per core, unless told)."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var)
        if value and value.isdigit():
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_torch = None
_torch_note = None


def import_torch(enabled: bool):
    global _torch, _torch_note
    if _torch is not None or _torch_note is not None:
        return _torch
    if not enabled:
        _torch_note = "torch disabled (--no-torch)"
        return None
    try:
        import torch
    except ImportError:
        _torch_note = "torch not installed (pip install torch to add the PyTorch column)"
        return None
    torch.set_num_threads(blas_threads())
    _torch = torch
    return torch


def need_torch():
    if _torch is None:
        raise Unavailable(_torch_note or "torch not available")
    return _torch


def import_library():
    """autograd_mini and its nn package; nn may not exist yet in an early checkout."""
    import autograd_mini as am
    try:
        import nn
        missing = [n for n in ("Sequential", "Dense") if not hasattr(nn, n)]
    except ImportError as err:
        raise Unavailable(f"nn package not importable: {err}") from None
    if missing:
        raise Unavailable(f"nn has no {', '.join(missing)} yet")
    return am, nn


# ------------------------------------------------------------------------------------------
# shared data and weights
# ------------------------------------------------------------------------------------------
def glorot_uniform(rng, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(F32)


def init_weights(sizes, seed):
    """Keras's default Dense init: glorot-uniform kernels (inputs, units), zero biases."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        weights += [glorot_uniform(rng, fan_in, fan_out), np.zeros(fan_out, F32)]
    return weights


def iris_petal_width():
    """x: petal width (150, 1); y: is_versicolor (150, 1), float32. Generated if nn is absent."""
    try:
        from nn.datasets import load_iris
        data, target = load_iris(return_X_y=True)
        x = np.ascontiguousarray(data[:, 3:4], dtype=F32)
        y = (target == 1).astype(F32).reshape(-1, 1)
        return x, y, "iris (nn.datasets.load_iris)"
    except Exception:  # noqa: BLE001 - any failure: same shapes, made up
        rng = np.random.default_rng(0)
        x = rng.uniform(0.1, 2.5, size=(150, 1)).astype(F32)
        y = ((x > 1.0) & (x < 1.8)).astype(F32)
        return x, y, "generated stand-in for iris (nn.datasets not available)"


def regression_data(n=256, d=8, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(F32)
    y = (np.sin(x[:, :1]) + 0.5 * x[:, 1:2] * x[:, 2:3] - 0.25 * x[:, 3:4]).astype(F32)
    return x, y


# ------------------------------------------------------------------------------------------
# hand-written numpy: what a careful person writes for exactly this model
# ------------------------------------------------------------------------------------------
def sigmoid_(z):
    """σ in place as 0.5 (1 + tanh(z/2)): one expression, stable at ±1000."""
    z *= 0.5
    np.tanh(z, out=z)
    z += 1.0
    z *= 0.5
    return z


class HandSmall:
    """1 -> 3 (sigmoid) -> 1 (sigmoid), binary crossentropy from the logits, SGD; full batch."""

    def __init__(self, x, y, weights, lr=LR):
        self.x, self.y, self.lr = x, y, lr
        self.neg_sign = (1.0 - 2.0 * y).astype(F32)  # BCE(σ(z), y) = softplus(-(2y-1) z)
        self.inv_n = F32(1.0 / len(x))
        self.params = [w.copy() for w in weights]
        self.grads = [np.empty_like(w) for w in weights]

    def set_weights(self, weights):
        for p, w in zip(self.params, weights):
            p[...] = w

    def step(self):
        x, y = self.x, self.y
        W1, b1, W2, b2 = self.params
        gW1, gb1, gW2, gb2 = self.grads
        h = x @ W1
        h += b1
        sigmoid_(h)
        z = h @ W2
        z += b2
        t = z * self.neg_sign
        p = sigmoid_(z)
        np.logaddexp(0.0, t, out=t)
        loss = float(t.mean())
        dz = p
        dz -= y
        dz *= self.inv_n                    # dL/dz = (σ(z) - y) / n
        np.matmul(h.T, dz, out=gW2)
        np.sum(dz, axis=0, out=gb2)
        dh = dz @ W2.T
        dh *= h
        dh *= 1.0 - h                       # σ' = σ (1 - σ)
        np.matmul(x.T, dh, out=gW1)
        np.sum(dh, axis=0, out=gb1)
        for p_, g in zip(self.params, self.grads):
            g *= self.lr
            p_ -= g
        return loss


class HandMLP:
    """8 -> 512 -> 512 -> 512 (ReLU) -> 1, mean squared error, SGD; one batch."""

    def __init__(self, x, y, weights, lr=LR):
        self.x, self.y, self.lr = x, y, lr
        self.params = [w.copy() for w in weights]
        self.grads = [np.empty_like(w) for w in weights]
        self.scale = F32(2.0 / y.size)

    def set_weights(self, weights):
        for p, w in zip(self.params, weights):
            p[...] = w

    def step(self):
        params, grads = self.params, self.grads
        layers = len(params) // 2
        hs = [self.x]
        for i in range(layers):
            h = hs[-1] @ params[2 * i]
            h += params[2 * i + 1]
            if i < layers - 1:
                np.maximum(h, 0.0, out=h)
            hs.append(h)
        d = hs.pop()
        d -= self.y
        flat = d.ravel()
        loss = float(flat @ flat) / flat.size
        d *= self.scale                     # dL/dout = 2 (out - y) / n
        for i in reversed(range(layers)):
            h = hs[i]
            np.matmul(h.T, d, out=grads[2 * i])
            np.sum(d, axis=0, out=grads[2 * i + 1])
            if i > 0:                       # no gradient for the input data
                d = d @ params[2 * i].T
                d *= h > 0                  # relu'
        for p, g in zip(params, grads):
            g *= self.lr
            p -= g
        return loss


# ------------------------------------------------------------------------------------------
# the library (nn on autograd_mini)
# ------------------------------------------------------------------------------------------
def library_model(sizes, activations, loss, weights, lr=LR):
    """A Keras-style Sequential of Dense layers, compiled with SGD(lr), holding `weights`."""
    _, nn = import_library()
    layers = [nn.Dense(sizes[1], activation=activations[0], input_shape=(sizes[0],))]
    layers += [nn.Dense(units, activation=act) for units, act in zip(sizes[2:], activations[1:])]
    model = nn.Sequential(layers)
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=lr), loss=loss)
    model.set_weights([w.copy() for w in weights])
    return model


class LibraryFit:
    """`model.fit(x, y, epochs=n, batch_size=len(x), verbose=0)`: n steps, one batch each."""

    def __init__(self, model, x, y):
        self.model, self.x, self.y = model, x, y

    def set_weights(self, weights):
        self.model.set_weights([w.copy() for w in weights])

    def run(self, n):
        return self.model.fit(self.x, self.y, epochs=n, batch_size=len(self.x), verbose=0)

    def first_loss(self):
        history = self.run(1)
        return float(history.history["loss"][0])

    def get_weights(self):
        return [np.asarray(w) for w in self.model.get_weights()]


class LibraryEager:
    """One step as a learner writes it: the graph built every step, an nn.losses function,
    backward(), opt.step(), opt.zero_grad() -- no fit, no recording."""

    def __init__(self, model, x, y, loss, lr=LR):
        am, nn = import_library()
        self.model, self.x, self.y = model, am.Tensor(x), y
        self.loss_fn = getattr(nn.losses, loss)
        self.opt = nn.optimizers.SGD(model.parameters(), lr=lr)

    def set_weights(self, weights):
        self.model.set_weights([w.copy() for w in weights])

    def step(self):
        loss = self.loss_fn(self.y, self.model(self.x))
        loss.backward()
        self.opt.step()
        self.opt.zero_grad()
        return loss.item()

    def get_weights(self):
        return [np.asarray(w) for w in self.model.get_weights()]


# ------------------------------------------------------------------------------------------
# PyTorch eager
# ------------------------------------------------------------------------------------------
class TorchStep:
    """The same network in torch.nn, float32: zero_grad / forward / loss / backward / step / item."""

    def __init__(self, sizes, activations, loss, x, y, weights, lr=LR):
        torch = need_torch()
        self.torch = torch
        mods = []
        for (fan_in, fan_out), act in zip(zip(sizes[:-1], sizes[1:]), activations):
            mods.append(torch.nn.Linear(fan_in, fan_out))
            if act == "sigmoid":
                mods.append(torch.nn.Sigmoid())
            elif act == "relu":
                mods.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*mods)
        self.linears = [m for m in mods if isinstance(m, torch.nn.Linear)]
        self.loss_fn = {"binary_crossentropy": torch.nn.BCELoss(), "mse": torch.nn.MSELoss()}[loss]
        self.opt = torch.optim.SGD(self.model.parameters(), lr=lr)
        self.x, self.y = torch.from_numpy(x.copy()), torch.from_numpy(y.copy())
        self.set_weights(weights)

    def set_weights(self, weights):
        with self.torch.no_grad():
            for lin, (w, b) in zip(self.linears, zip(weights[::2], weights[1::2])):
                lin.weight.copy_(self.torch.from_numpy(w.T.copy()))
                lin.bias.copy_(self.torch.from_numpy(b))

    def get_weights(self):
        out = []
        for lin in self.linears:
            out += [lin.weight.detach().numpy().T.copy(), lin.bias.detach().numpy().copy()]
        return out

    def step(self):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        return loss.item()


# ------------------------------------------------------------------------------------------
# checks: the contenders must compute the same thing
# ------------------------------------------------------------------------------------------
class Mismatch(Exception):
    pass


def check_close(what, expected, got, rtol=1e-4, atol=1e-6):
    expected, got = np.asarray(expected, dtype=np.float64), np.asarray(got, dtype=np.float64)
    if expected.shape != got.shape or not np.allclose(expected, got, rtol=rtol, atol=atol):
        diff = np.max(np.abs(expected - got)) if expected.shape == got.shape else "shape"
        raise Mismatch(f"{what}: expected {np.ravel(expected)[:4]}..., got {np.ravel(got)[:4]}... "
                       f"(max abs diff {diff})")


def check_training(name, hand_cls, x, y, weights, other_first_loss, other_weights, who):
    """One step from the same weights: same loss before the update, same weights after it."""
    hand = hand_cls(x, y, weights)
    loss = hand.step()
    check_close(f"{name}: first-step loss, hand numpy vs {who}", loss, other_first_loss)
    for i, (a, b) in enumerate(zip(hand.params, other_weights)):
        check_close(f"{name}: weight {i} after one SGD step, hand numpy vs {who}", a, b, rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------------------------------
# contenders and measurement
# ------------------------------------------------------------------------------------------
class Contender:
    """run(n) performs n steps and returns nothing; `reset()` (untimed) runs before each
    measurement; `per` = ops per step (the elementwise workload is reported per op);
    `fixed_n` = steps per measurement when it must not be calibrated (the chain)."""

    def __init__(self, run, reset=None, per=1, fixed_n=None, prepare=None):
        self.run, self.reset, self.per, self.fixed_n, self.prepare = run, reset, per, fixed_n, prepare
        self.n = fixed_n or 1

    def measure(self, n):
        gc.collect()
        if self.fixed_n is None:
            # one untimed step first: after the pause the BLAS threads are asleep, and waking them
            # is not what a training loop pays per step
            if self.reset is not None:
                self.reset()
            self.run(1)
        if self.reset is not None:
            self.reset()
        state = self.prepare() if self.prepare is not None else None
        start = time.perf_counter()
        if state is None:
            self.run(n)
        else:
            self.run(n, state)
        elapsed = time.perf_counter() - start
        del state
        return elapsed / n / self.per

    def calibrate(self, target, quick=False):
        """Warm up, then choose the steps per measurement so that one takes about `target` s."""
        if self.fixed_n is not None:
            if not quick:
                self.measure(self.fixed_n)  # warm-up
            return
        per_step = self.measure(1) * self.per
        if not quick:
            per_step = min([per_step] + [self.measure(1) * self.per for _ in range(2)])
            self.measure(max(1, int(0.02 / max(per_step, 1e-9))))  # a longer warm-up
            per_step = min(per_step, self.measure(max(1, int(0.01 / max(per_step, 1e-9)))) * self.per)
        least = 1 if quick else 3
        self.n = int(min(max(least, round(target / max(per_step, 1e-9))), 1_000_000))


def interleaved(contenders: dict, rounds: int, pause: float, target: float, quick=False) -> dict:
    """Median per-step seconds of each contender over `rounds` interleaved rounds."""
    for c in contenders.values():
        time.sleep(pause)
        c.calibrate(target, quick)
    samples = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            time.sleep(pause)
            samples[name].append(contenders[name].measure(contenders[name].n))
    medians = {name: statistics.median(v) for name, v in samples.items()}
    medians["_rounds"] = samples  # the ratios are taken round by round (see paired_ratio)
    return medians


def paired_ratio(values: dict, a: str, b: str):
    """Median over rounds of a/b measured in the same round (seconds apart), or None.

    The machine's speed drifts by ±15-20% over minutes on a shared VM; a ratio of two medians
    mixes the drift into it, a median of same-round ratios mostly cancels it."""
    rounds = values.get("_rounds") or {}
    if a not in rounds or b not in rounds:
        return None
    return statistics.median(x / y for x, y in zip(rounds[a], rounds[b]))


# ------------------------------------------------------------------------------------------
# workloads: each returns {contender: Contender or Unavailable} after verifying them
# ------------------------------------------------------------------------------------------
def _training_workload(name, sizes, activations, loss, x, y, hand_cls, seed):
    weights = init_weights(sizes, seed)
    out, notes = {}, []

    hand = hand_cls(x, y, weights)
    out["numpy"] = Contender(lambda n: [hand.step() for _ in range(n)],
                             reset=lambda: hand.set_weights(weights))

    try:
        lib = LibraryFit(library_model(sizes, activations, loss, weights), x, y)
        first = lib.first_loss()
        check_training(name, hand_cls, x, y, weights, first, lib.get_weights(), "library")
        notes.append("library == hand numpy (first-step loss and weights after one step)")
        out["library"] = Contender(lib.run, reset=lambda: lib.set_weights(weights))
    except Unavailable as err:
        out["library"] = err

    try:
        tstep = TorchStep(sizes, activations, loss, x, y, weights)
        first = tstep.step()
        check_training(name, hand_cls, x, y, weights, first, tstep.get_weights(), "torch")
        notes.append("torch == hand numpy")
        out["torch"] = Contender(lambda n: [tstep.step() for _ in range(n)],
                                 reset=lambda: tstep.set_weights(weights))
    except Unavailable as err:
        out["torch"] = err
    return out, notes


def workload_small(args):
    x, y, source = iris_petal_width()
    out, notes = _training_workload("small", (1, 3, 1), ("sigmoid", "sigmoid"), "binary_crossentropy",
                                    x, y, HandSmall, seed=0)
    return out, [f"data: {source}"] + notes


def workload_eager(args):
    x, y, source = iris_petal_width()
    sizes, activations, loss = (1, 3, 1), ("sigmoid", "sigmoid"), "binary_crossentropy"
    weights = init_weights(sizes, 0)
    out, notes = _training_workload("eager", sizes, activations, loss, x, y, HandSmall, seed=0)
    del out["library"]  # the fit contender: replaced by the eager loop
    notes = [n for n in notes if not n.startswith("library")]
    try:
        lib = LibraryEager(library_model(sizes, activations, loss, weights), x, y, loss)
        first = lib.step()
        check_training("eager", HandSmall, x, y, weights, first, lib.get_weights(), "library (eager)")
        notes.insert(0, "library (eager) == hand numpy (first-step loss and weights after one step)")
        out["library"] = Contender(lambda n: [lib.step() for _ in range(n)], reset=lambda: lib.set_weights(weights))
    except Unavailable as err:
        out["library"] = err
    return out, [f"data: {source}"] + notes


def workload_mlp(args):
    x, y = regression_data()
    return _training_workload("mlp", (8, 512, 512, 512, 1), ("relu", "relu", "relu", None), "mse",
                              x, y, HandMLP, seed=2)


ELEMENTWISE_OPS = 5  # x*w, +b, sigmoid, *x, sum


def workload_elementwise(args):
    rng = np.random.default_rng(3)
    xv, wv, bv = (rng.standard_normal(100).astype(F32) for _ in range(3))
    out, notes = {}, []

    def hand_grads():
        z = xv * wv
        z += bv
        s = sigmoid_(z)
        value = float(np.dot(s, xv))            # (s * x).sum()
        dz = s * (1.0 - s)                      # ds/dz, upstream of s is x
        dz *= xv
        return value, (s + dz * wv, dz * xv, dz)  # d/dx (two paths), d/dw, d/db

    expected_value, expected = hand_grads()
    out["numpy"] = Contender(lambda n: [hand_grads() for _ in range(n)], per=ELEMENTWISE_OPS)

    try:
        import autograd_mini as am
        x, w, b = (am.Tensor(v, requires_grad=True) for v in (xv, wv, bv))

        def lib_step():
            x.grad = w.grad = b.grad = None
            y = ((x * w + b).sigmoid() * x).sum()
            y.backward()
            return y

        y = lib_step()
        check_close("elementwise: value, library", expected_value, float(y))
        for label, t, e in zip("xwb", (x, w, b), expected):
            check_close(f"elementwise: d/d{label}, library", e, np.asarray(t.grad))
        notes.append("library == hand numpy (value and the three gradients)")
        out["library"] = Contender(lambda n: [lib_step() for _ in range(n)], per=ELEMENTWISE_OPS)
    except Unavailable as err:
        out["library"] = err

    try:
        torch = need_torch()
        tx, tw, tb = (torch.tensor(v, requires_grad=True) for v in (xv, wv, bv))

        def torch_step():
            tx.grad = tw.grad = tb.grad = None
            y = (torch.sigmoid(tx * tw + tb) * tx).sum()
            y.backward()
            return y

        y = torch_step()
        check_close("elementwise: value, torch", expected_value, y.item())
        for label, t, e in zip("xwb", (tx, tw, tb), expected):
            check_close(f"elementwise: d/d{label}, torch", e, t.grad.numpy())
        notes.append("torch == hand numpy")
        out["torch"] = Contender(lambda n: [torch_step() for _ in range(n)], per=ELEMENTWISE_OPS)
    except Unavailable as err:
        out["torch"] = err
    return out, notes


def workload_chain(args):
    length = args.chain_length
    expected = float(np.float32(CHAIN_FACTOR)) ** length  # float32 rounds the factor
    out, notes = {}, [f"chain of {length:,} multiplications; only the backward is timed "
                      "(building the chain is not)"]

    # hand numpy: the backward of the chain is the product of the local derivatives
    def hand_backward(n):
        for _ in range(n):
            g = np.ones((), F32)
            c = np.asarray(CHAIN_FACTOR, F32)
            for _ in range(length):
                g = g * c
        return g

    out["numpy"] = Contender(hand_backward, fixed_n=1)

    def chain_contender(who, leaf, grad_of):
        """Check d/dx for the framework whose scalar leaf is `leaf(1.0)`, then time its backward."""
        def build():
            x = leaf(1.0)
            y = x
            for _ in range(length):
                y = y * CHAIN_FACTOR
            return x, y

        def backward(n, state):
            state[1].backward()

        x, y = build()
        y.backward()
        check_close(f"chain: d/dx, {who}", expected, grad_of(x), rtol=1e-3)
        return Contender(backward, fixed_n=1, prepare=build)  # the checked chain is freed on return

    try:
        import autograd_mini as am
        out["library"] = chain_contender("library", lambda v: am.Tensor(v, requires_grad=True),
                                         lambda x: float(x.grad))
    except Unavailable as err:
        out["library"] = err

    try:
        torch = need_torch()
        out["torch"] = chain_contender("torch", lambda v: torch.tensor(v, requires_grad=True),
                                       lambda x: x.grad.item())
    except Unavailable as err:
        out["torch"] = err
    notes.append(f"d/dx = {np.float32(CHAIN_FACTOR)}^{length} = {expected:.6f} checked for every contender")
    return out, notes


def peak_bytes(step, repeats=3):
    """Peak traced memory above the level before `step` (median of `repeats`, after a warm-up)."""
    step()
    results = []
    for _ in range(repeats):
        gc.collect()
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            step()
            results.append(tracemalloc.get_traced_memory()[1] - base)
        finally:
            tracemalloc.stop()
    return statistics.median(results)


def fit_step_peak_bytes(lib, repeats=3):
    """Peak traced memory of one training step inside a running fit (the second epoch's only
    batch), above the level at that step's start. What the fit call holds before its steps --
    the copy of the weights an atomic fit keeps (nn/atomic.py), the recorded graph -- is in that
    level; peak_bytes(lambda: lib.run(1)) measures the whole call, those included."""
    _, nn = import_library()

    class StepPeak(nn.callbacks.Callback):
        epoch, base, peak = 0, 0, None

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_begin(self, batch, logs=None):  # (a batch-begin hook changes nothing in fit's step)
            if self.epoch == 1:
                tracemalloc.reset_peak()
                self.base = tracemalloc.get_traced_memory()[0]

        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.peak = tracemalloc.get_traced_memory()[1] - self.base

    results = []
    for _ in range(repeats):
        gc.collect()
        probe = StepPeak()
        tracemalloc.start()
        try:
            lib.model.fit(lib.x, lib.y, epochs=2, batch_size=len(lib.x), verbose=0, callbacks=[probe])
        finally:
            tracemalloc.stop()
        results.append(probe.peak)
    return statistics.median(results)


def workload_memory(args):
    """Not timed: peak bytes of one mlp training step. Returns values, not Contenders."""
    x, y = regression_data()
    sizes, acts = (8, 512, 512, 512, 1), ("relu", "relu", "relu", None)
    weights = init_weights(sizes, seed=2)
    hand = HandMLP(x, y, weights)
    out = {"numpy": peak_bytes(hand.step)}
    notes = []
    try:
        lib = LibraryFit(library_model(sizes, acts, "mse", weights), x, y)
        out["library"] = peak_bytes(lambda: lib.run(1))
        weights_bytes = sum(w.nbytes for w in weights)
        step = fit_step_peak_bytes(lib)
        notes.append(f"library: of its peak, {fmt_bytes(weights_bytes)} is the copy of the weights fit keeps to "
                     f"restore them if it raises (nn/atomic.py); a later step inside a running fit peaks "
                     f"{fmt_bytes(step)} above its start (the graph recorded at the first step holds the last "
                     f"step's activations, so that is not the whole footprint)")
    except Unavailable as err:
        out["library"] = err
    out["torch"] = Unavailable("not measurable with tracemalloc (torch's C++ allocator is invisible to it)")
    activations = sum(256 * n * 4 for n in sizes[1:])
    params = sum(w.nbytes for w in weights)
    return out, notes + [f"for scale: parameters {fmt_bytes(params)}, one batch of activations {fmt_bytes(activations)}"]


# ------------------------------------------------------------------------------------------
# bars (issue 6) and the table
# ------------------------------------------------------------------------------------------
BARS = {
    # workload: (title, bar lib/numpy, bar lib/torch, absolute bar on the library (seconds))
    "small": ("1 fit step, 1→3→1 sigmoid BCE, 150 samples", 1.5, 0.5, None),
    "eager": ("1 eager step (model(x), loss, backward, step), 1→3→1", 1.4, 0.6, None),
    "mlp": ("1 fit step, 3x512 ReLU MSE, batch 256", 1.15, 1.1, None),
    "elementwise": ("fwd+bwd of a 100-elem elementwise expr, per op", None, 0.8, None),
    "chain": ("backward of a 200,000-op chain", None, None, 2.0),
    "memory": ("peak memory of a 3x512 training step", 1.3, None, None),
}


def fmt_time(s):
    if s is None:
        return "—"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} µs"


def fmt_bytes(b):
    if b is None:
        return "—"
    if b >= 1 << 20:
        return f"{b / (1 << 20):.2f} MiB"
    return f"{b / 1024:.0f} KiB"


def judge(name, values):
    """Cells for one row: values are numbers or Unavailable."""
    title, bar_np, bar_torch, bar_abs = BARS[name]
    if name == "chain" and values.get("_length", CHAIN_LENGTH) != CHAIN_LENGTH:
        title = f"backward of a {values['_length']:,}-op chain"
    fmt = fmt_bytes if name == "memory" else fmt_time
    num = lambda k: values.get(k) if isinstance(values.get(k), (int, float)) else None  # noqa: E731
    np_v, lib_v, t_v = num("numpy"), num("library"), num("torch")
    r_np = paired_ratio(values, "library", "numpy") or (lib_v / np_v if lib_v and np_v else None)
    r_t = paired_ratio(values, "library", "torch") or (lib_v / t_v if lib_v and t_v else None)
    bars, verdicts = [], []
    if bar_np is not None:
        bars.append(f"lib/numpy ≤ {bar_np}")
        if r_np is not None:
            verdicts.append(r_np <= bar_np)
    if bar_torch is not None:
        bars.append(f"lib/torch ≤ {bar_torch}")
        if r_t is not None:
            verdicts.append(r_t <= bar_torch)
    if bar_abs is not None:
        bars.append(f"library < {bar_abs:g} s")
        if lib_v is not None:
            verdicts.append(lib_v < bar_abs)
    if not bars:
        result = "report"
    elif lib_v is None:
        result = "n/a"
    else:
        result = "PASS" if all(verdicts) else "FAIL"
        missing = (bar_np is not None and r_np is None) or (bar_torch is not None and r_t is None)
        if missing and result == "PASS":
            result = "PASS (partial)"
    cell = lambda v: fmt(v) if v is not None else "n/a"  # noqa: E731
    ratio = lambda r: f"{r:.2f}×" if r is not None else "—"  # noqa: E731
    return [title, cell(np_v), cell(lib_v), cell(t_v), ratio(r_np), ratio(r_t), "; ".join(bars) or "—", result]


HEADER = ["workload", "numpy", "library", "torch", "lib/numpy", "lib/torch", "bar (issue 6)", "result"]


def print_tables(rows):
    widths = [max(len(r[i]) for r in [HEADER] + rows) for i in range(len(HEADER))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths))  # noqa: E731
    print()
    print(line(HEADER))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    print()
    print("Markdown:")
    print()
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join("---" for _ in HEADER) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()


# ------------------------------------------------------------------------------------------
# profile
# ------------------------------------------------------------------------------------------
def profile(name, args, top=20):
    builders = {"small": workload_small, "eager": workload_eager, "mlp": workload_mlp,
                "elementwise": workload_elementwise}
    if name not in builders:
        sys.exit(f"--profile: choose one of {', '.join(builders)}")
    contenders, _ = builders[name](args)
    lib = contenders["library"]
    if isinstance(lib, Unavailable):
        sys.exit(f"library not available: {lib}")
    lib.calibrate(args.target, args.quick)
    n = max(lib.n, 1) * 5
    profiler = cProfile.Profile()
    profiler.enable()
    lib.run(n)
    profiler.disable()
    for key, label in (("tottime", "own time"), ("cumulative", "cumulative time")):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(key).print_stats(top)
        print(f"cProfile of the library side of '{name}', {n} steps, sorted by {label}:")
        print(buf.getvalue())


# ------------------------------------------------------------------------------------------
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="tiny rounds and a 5,000-op chain: a smoke test, the numbers mean nothing")
    p.add_argument("--rounds", type=int, help="interleaved rounds per workload (default 15; chain at most 5; quick 2)")
    p.add_argument("--only", help=f"comma-separated workloads: {','.join(WORKLOADS)}")
    p.add_argument("--pause", type=float, help="seconds of sleep before each contender (default 0.3)")
    p.add_argument("--target", type=float, help="seconds per timed measurement (default 0.2)")
    p.add_argument("--chain-length", type=int, help=f"default {CHAIN_LENGTH:,} (quick: 5,000)")
    p.add_argument("--threads", type=int,
                   help="BLAS threads for numpy and torch alike (default: numpy's default, one per core)")
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if it is installed")
    p.add_argument("--strict", action="store_true", help="exit 2 if a bar of issue 6 is missed")
    p.add_argument("--profile", metavar="NAME", help="cProfile the library side of one workload, then exit")
    args = p.parse_args(argv)
    args.pause = args.pause if args.pause is not None else (0.02 if args.quick else 0.3)
    args.target = args.target if args.target is not None else (0.01 if args.quick else 0.2)
    args.chain_length = args.chain_length or (5_000 if args.quick else CHAIN_LENGTH)
    if args.rounds is not None and args.rounds < 1:
        p.error("--rounds must be at least 1")
    only = args.only.split(",") if args.only else list(WORKLOADS)
    unknown = [w for w in only if w not in WORKLOADS]
    if unknown:
        p.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    args.workloads = [w for w in WORKLOADS if w in only]
    return args


def main(argv=None):
    args = parse_args(argv)
    import_torch(not args.no_torch)
    if args.profile:
        profile(args.profile, args)
        return 0

    import platform
    versions = [f"python {platform.python_version()}", f"numpy {np.__version__}"]
    if _torch is not None:
        versions.append(f"torch {_torch.__version__} ({_torch.get_num_threads()} threads)")
    print(f"autograd_mini benchmark — {', '.join(versions)}; {os.cpu_count()} cores, "
          f"numpy BLAS threads {blas_threads()}")
    print(f"settings: pause {args.pause} s, {args.target} s per measurement"
          + (", --quick (numbers are not meaningful)" if args.quick else ""))
    if _torch is None:
        print(f"note: {_torch_note}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 1.0:  # more than one core busy before we start
        print(f"warning: the machine is busy (load average {load:.1f} on {os.cpu_count()} cores): timings are "
              "noisy, and multi-threaded BLAS/OpenMP (torch most of all) can be many times slower; "
              "measure on a quiet machine, or compare with --threads 1")

    builders = {"small": workload_small, "eager": workload_eager, "mlp": workload_mlp,
                "elementwise": workload_elementwise, "chain": workload_chain, "memory": workload_memory}
    rows, failed_checks, missed = [], [], False
    for name in args.workloads:
        print(f"\n[{name}] {BARS[name][0]}", flush=True)
        try:
            contenders, notes = builders[name](args)
        except Mismatch as err:
            print(f"  CHECK FAILED: {err}")
            failed_checks.append(name)
            continue
        for note in notes:
            print(f"  {note}")
        for who, c in contenders.items():
            if isinstance(c, Unavailable):
                print(f"  {who}: skipped — {c}")
        if name == "memory":
            values = {k: v for k, v in contenders.items() if not isinstance(v, Unavailable)}
        else:
            runnable = {k: v for k, v in contenders.items() if isinstance(v, Contender)}
            default_rounds = 2 if args.quick else (5 if name == "chain" else 15)
            rounds = args.rounds or default_rounds
            if name == "chain" and args.rounds:
                rounds = min(args.rounds, 5)
            values = interleaved(runnable, rounds, args.pause, args.target, args.quick)
            print(f"  {rounds} rounds; steps per measurement: "
                  + ", ".join(f"{k} {v.n}" for k, v in runnable.items()))
            for other in ("numpy", "torch"):
                per_round = [x / y for x, y in zip(values["_rounds"].get("library", []),
                                                   values["_rounds"].get(other, []))]
                if per_round:
                    print(f"  library/{other} per round: median {statistics.median(per_round):.2f}, "
                          f"range {min(per_round):.2f}-{max(per_round):.2f}")
        values["_length"] = args.chain_length
        row = judge(name, values)
        print("  " + " | ".join(f"{h}: {c}" for h, c in zip(HEADER[1:], row[1:])), flush=True)
        rows.append(row)
        missed |= row[-1] == "FAIL"

    print_tables(rows)
    if failed_checks:
        print(f"contenders disagree in: {', '.join(failed_checks)} (see CHECK FAILED above)")
        return 1
    if args.strict and missed:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
