"""The engine core reads like the textbook (issue 10, point 5): the walk has one extension point
(GradSink) that tools use; the replay layer's tuned loop gives the textbook walk's numbers; and
no engine-core function grows past about 40 lines or a dozen branches."""
import ast
import pathlib

import numpy as np

import autograd_mini as am
from autograd_mini import Tensor
from autograd_mini.engine import AccumulateGrad, CollectGrads, GradSink, run_backward

ROOT = pathlib.Path(am.__file__).resolve().parent
BRANCHES = (ast.If, ast.For, ast.While, ast.ExceptHandler, ast.IfExp, ast.comprehension, ast.With)


def test_a_sink_sees_every_step_in_order_and_what_reached_the_leaves():
    class Watch(GradSink):
        def __init__(self):
            self.steps, self.leaves = [], []

        def step(self, tensor, grad, results):
            self.steps.append(tensor.grad_fn.op_name)

        def leaf(self, tensor, grad):
            self.leaves.append((tensor.name, float(grad)))

        def result(self):
            return self

    a, b = Tensor(2.0, requires_grad=True, name="a"), Tensor(3.0, requires_grad=True, name="b")
    watch = run_backward((a * b).exp(), np.array(1.0, dtype=a.dtype), sink=Watch())
    assert watch.steps == ["exp", "mul"]
    e6 = float(np.exp(np.float32(6.0)))
    assert [n for n, _ in watch.leaves] == ["a", "b"]
    np.testing.assert_allclose([g for _, g in watch.leaves], [3 * e6, 2 * e6], rtol=1e-6)
    assert a.grad is None and b.grad is None  # a sink decides where gradients go


def test_collect_grads_returns_gradients_of_non_leaves_too_and_touches_no_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    found = run_backward((h * h).sum(), np.array(1.0, dtype=x.dtype), sink=CollectGrads([h, x]))
    np.testing.assert_allclose(found[0].data if isinstance(found[0], Tensor) else found[0], [6.0, 12.0])
    np.testing.assert_allclose(found[1], [18.0, 36.0])
    assert x.grad is None


def test_accumulate_grad_is_what_backward_uses():
    x = Tensor([1.0, 2.0], requires_grad=True)
    run_backward((x * x).sum(), np.array(1.0, dtype=x.dtype), sink=AccumulateGrad())
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_the_replayed_backward_gives_the_textbook_walks_numbers_exactly():
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    b = Tensor(rng.standard_normal(2), requires_grad=True)

    def f(x, y):
        h = am.relu(am.linear(x, w, b)) * (b * b).sum(axis=0, keepdims=True)  # broadcasting; b and w used twice
        error = h - y
        return (error * error).mean() + (w * w).sum()

    x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    step = am.record(f, x, y)
    for _ in range(2):
        x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
        step(x, y)
        w.grad = b.grad = None
        step.backward()
        replayed = [w.grad.data.copy(), b.grad.data.copy()]
        w.grad = b.grad = None
        am.engine.backward(f(Tensor(x), Tensor(y)))  # the textbook walk (Tensor.backward runs the tuned one)
        np.testing.assert_array_equal(replayed[0], w.grad.data)
        np.testing.assert_array_equal(replayed[1], b.grad.data)


def _measure(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines = node.end_lineno - node.lineno + 1
            branches = 1 + sum(isinstance(n, BRANCHES) for n in ast.walk(node)) + sum(
                len(n.values) - 1 for n in ast.walk(node) if isinstance(n, ast.BoolOp))
            yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", lines, branches


def test_no_engine_core_function_is_long_or_branchy():
    core = [ROOT / name for name in ("tensor.py", "function.py", "engine.py", "grad_mode.py", "dtypes.py")]
    core += sorted((ROOT / "ops").glob("*.py"))
    too_big = [(name, lines, branches) for path in core for name, lines, branches in _measure(path)
               if lines > 40 or branches > 13]
    assert not too_big, too_big


def test_the_backward_walk_fits_on_one_screen():
    (walk,) = [(lines, branches) for name, lines, branches in _measure(ROOT / "engine.py")
               if name.endswith(" run_backward")]
    assert walk[0] <= 32 and walk[1] <= 13  # it was 74 lines and 32 branches before issue 10
