"""The tuned walk (autograd_mini/tuned_walk.py, what backward(), fit and Recording run) computes
exactly what the textbook walk (engine.run_backward) computes: the same gradients bit for
bit, the same errors, the same state afterwards -- on random graphs and on the edge cases."""
import threading

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Function, Tensor, engine, tuned_walk


# --- random graphs -----------------------------------------------------------------------------
UNARY = [lambda a: a.sigmoid(), lambda a: a.tanh(), lambda a: a.relu(), lambda a: a.exp() * 0.5,
         lambda a: (a * a + 1.0).log(), lambda a: a.abs(), lambda a: a * 3.0, lambda a: -a,
         lambda a: a.sum(axis=0, keepdims=True), lambda a: a.mean(axis=-1, keepdims=True),
         lambda a: a.T.T, lambda a: a.reshape(-1).reshape(a.shape)]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (b * b + 1.0),
          lambda a, b: am.ops.select.Maximum.apply(a, b)]


def random_graph(seed: int, dtype):
    """Leaves of broadcastable shapes (some constant, some used many times), random ops with
    shared subexpressions, a few retain_grad() tensors; returns (leaves, output)."""
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,), (1, 3), (4, 1), ()]
    leaves = [Tensor(rng.standard_normal(shapes[i % len(shapes)]).astype(dtype), requires_grad=bool(i % 4),
                     name=f"leaf{i}") for i in range(int(rng.integers(2, 7)))]
    pool = list(leaves)
    for _ in range(int(rng.integers(3, 25))):
        if rng.random() < 0.4:
            t = UNARY[rng.integers(len(UNARY))](pool[rng.integers(len(pool))])
        else:
            a, b = (pool[i] for i in rng.integers(len(pool), size=2))
            t = BINARY[rng.integers(len(BINARY))](a, b)
        if t.requires_grad and rng.random() < 0.15:
            t.retain_grad()
        pool.append(t)
    out = sum((t.sum() if t.ndim else t for t in pool[len(leaves):][-3:]), Tensor(np.zeros((), dtype)))
    return pool, out


def _grads(tensors):
    return [None if t.grad is None else t.grad.data.copy() for t in tensors]


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert (x is None) == (y is None)
        if x is not None:
            assert x.dtype == y.dtype and x.shape == y.shape
            assert np.array_equal(x, y, equal_nan=True) and x.tobytes() == y.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_graphs_same_bits_as_textbook_walk(dtype):
    differentiable = 0
    for seed in range(150):
        pool, out = random_graph(seed, dtype)
        if not out.requires_grad:
            continue
        differentiable += 1
        engine.backward(out, retain_graph=True)  # textbook, twice: the second adds to .grad
        engine.backward(out, retain_graph=True)
        textbook = _grads(pool)
        for t in pool:
            t.grad = None
        out.backward(retain_graph=True)  # tuned
        out.backward()
        _same(textbook, _grads(pool))
    assert differentiable > 100


def test_upstream_gradient_and_nonscalar_root():
    pool, out = random_graph(7, np.float64)
    root = pool[-1]
    upstream = np.random.default_rng(0).standard_normal(root.shape)
    engine.backward(root, upstream, retain_graph=True)
    textbook = _grads(pool)
    for t in pool:
        t.grad = None
    root.backward(upstream)
    _same(textbook, _grads(pool))


def test_saved_arrays_freed_unless_retained():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    z = (x.exp() * x).sum()
    z.backward(retain_graph=True)
    z.backward()  # kept by the first


def test_sink_walk_sees_the_same_steps():
    """Recording.backward and fit use walk() with a sink: the calls it receives are run_backward's."""
    class Log(engine.GradSink):
        def __init__(self):
            self.calls = []

        def reached(self, tensor, grad): self.calls.append(("reached", id(tensor), np.array(grad).tobytes()))
        def leaf(self, tensor, grad): self.calls.append(("leaf", id(tensor), np.array(grad).tobytes()))
        def step(self, tensor, grad, results): self.calls.append(("step", id(tensor), len(results)))

    for seed in range(40):
        pool, out = random_graph(seed, np.float64)
        if not out.requires_grad:
            continue
        textbook, tuned = Log(), Log()
        engine.run_backward(out, np.array(1.0), sink=textbook, retain_graph=True)
        tuned_walk.run(out, np.array(1.0), tuned, retain_graph=True)
        assert textbook.calls == tuned.calls


def test_leaf_root():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.backward(np.array([3.0, 4.0]))
    assert x.grad.tolist() == [3.0, 4.0]
    x.grad.data[0] = 99.0  # its own array
    x.backward(np.array([1.0, 1.0]))
    assert x.grad.tolist() == [100.0, 5.0]


class _TwoForOne(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class _WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return np.ones((5, 5))


class _Boom(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        raise ZeroDivisionError("inside backward")


@pytest.mark.parametrize("op, error", [(_TwoForOne, RuntimeError), (_WrongShape, ValueError),
                                       (_Boom, ZeroDivisionError)])
def test_same_errors_and_grad_mode_restored(op, error):
    messages = []
    for run in (lambda y: engine.backward(y), lambda y: y.backward()):
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = op.apply(x).sum()
        with pytest.raises(error) as caught:
            run(y)
        messages.append(str(caught.value))
        assert am.is_grad_enabled() and x.grad is None
        y = op.apply(x).sum()
        with am.no_grad():  # off before the failed backward: still off after it
            with pytest.raises(error):
                run(y)
            assert not am.is_grad_enabled()
    assert messages[0] == messages[1]


def test_backward_ops_run_with_grad_mode_off():
    """A backward that uses a Tensor requiring grad records nothing, as in the textbook walk."""
    w = Tensor(2.0, requires_grad=True)

    class Scaled(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2.0

        @staticmethod
        def backward(ctx, grad):
            seen.append(am.is_grad_enabled())
            return (w * grad).data

    seen = []
    x = Tensor(3.0, requires_grad=True)
    Scaled.apply(x).backward()
    engine.backward(Scaled.apply(x))
    assert seen == [False, False] and am.is_grad_enabled()


def test_other_threads_keep_recording_during_backward():
    started, release, result = threading.Event(), threading.Event(), {}

    class Slow(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            started.set()
            release.wait(5)
            return grad

    def other():
        started.wait(5)
        result["requires_grad"] = (Tensor(1.0, requires_grad=True) * 2).requires_grad
        release.set()

    thread = threading.Thread(target=other)
    thread.start()
    Slow.apply(Tensor(1.0, requires_grad=True)).backward()
    thread.join()
    assert result["requires_grad"] is True


def test_200k_chain_has_no_recursion():
    x = Tensor(1.0, requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(200_000):
        y = y * 1.0000001
    y.backward()
    assert abs(float(x.grad) - 1.0000001 ** 200_000) < 1e-9 * float(x.grad)


def test_topological_order_is_the_engines():
    for seed in range(60):
        _, out = random_graph(seed, np.float64)
        if out._ctx is not None:
            assert [id(t) for t in tuned_walk.topological_order(out)] == \
                   [id(t) for t in engine.topological_order(out)]


def test_user_sink_and_recorded_user_op_see_grad_mode_off():
    """The walk leaves grad mode alone only where no user code runs; a user's sink or op sees it off."""
    class Watch(engine.GradSink):
        def __init__(self):
            self.modes = []

        def reached(self, tensor, grad):
            self.modes.append(am.is_grad_enabled())

    x = Tensor([1.0, 2.0], requires_grad=True)
    sink = Watch()
    tuned_walk.run((x.sigmoid() * x).sum(), np.array(1.0, np.float32), sink)
    assert sink.modes and not any(sink.modes) and am.is_grad_enabled()

    seen = []

    class Spy(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1.0

        @staticmethod
        def backward(ctx, grad):
            seen.append(am.is_grad_enabled())
            return grad

    step = am.record(lambda a: Spy.apply(a * x).sum(), [3.0, 4.0])
    step([1.0, 1.0])
    step.backward()
    assert seen == [False] and am.is_grad_enabled()


def test_every_library_op_counts_as_own_and_a_users_does_not():
    import nn  # noqa: F401  (its ops register as Function subclasses)

    def subclasses(cls):
        found, stack = [], [cls]
        while stack:
            for sub in stack.pop().__subclasses__():
                found.append(sub)
                stack.append(sub)
        return found

    library = [c for c in subclasses(Function) if c.__module__.split(".")[0] in ("autograd_mini", "nn")]
    assert len(library) > 30 and all(tuned_walk._is_own(c) for c in library)
    assert not tuned_walk._is_own(_Boom) and not tuned_walk._is_own(_TwoForOne)
