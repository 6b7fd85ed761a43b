"""am.explain: the chain rule with the numbers equals backward's gradient; every built-in op's rule
agrees with its backward; nothing touches .grad."""
import inspect
import math

import numpy as np
import pytest

import autograd_mini as am
import nn  # noqa: F401  (registers nn's ops: softmax, losses, dense)
from autograd_mini import Function, Tensor
from autograd_mini.explain import LISTED, explain
from autograd_mini.local_rules import LocalNode, rule_clause, substitution_value
from nn import activations, fused, loss_ops


def _leaf(rng, *shape, name=None):
    return Tensor(rng.normal(size=shape), requires_grad=True, name=name)


def _graphs(rng):
    """(loss, leaves) for graphs of each kind: reuse, diamond, broadcasting, matmul, reductions."""
    a, b = _leaf(rng, 3, name="a"), _leaf(rng, 3, name="b")
    yield "reuse", (a * a + a * b).sigmoid().sum() * a.sum(), [a, b]
    x = _leaf(rng, name="x")
    h = x.tanh()
    yield "diamond", (h.exp() * h.sigmoid() - h / (h * h + 1.0)) * x, [x]
    m, bias = _leaf(rng, 4, 3, name="m"), _leaf(rng, 3, name="bias")
    yield "broadcasting", ((m + bias).relu() * bias).mean(), [m, bias]
    xs, w, c = _leaf(rng, 5, 4, name="xs"), _leaf(rng, 4, 2, name="w"), _leaf(rng, 2, name="c")
    yield "matmul", ((xs @ w + c).tanh() ** 2.0).sum(), [xs, w, c]
    t = _leaf(rng, 3, 4, name="t")
    yield "reductions", t.max(axis=1).sum() + t.mean(axis=0).abs().sum() + (t.exp().sum(axis=1, keepdims=True)
                                                                             .log() * t).mean(), [t]
    v = _leaf(rng, 2, 3, name="v")
    yield "shapes", (v.transpose() @ v.reshape(3, 2).T)[1:, :2].sum() + am.maximum(v, 0.1).sum(), [v]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_total_equals_backward_over_random_graphs(seed):
    rng = np.random.default_rng(seed)
    for kind, loss, leaves in _graphs(rng):
        explained = {}
        for leaf in leaves:
            for index in {None, 0, leaf.data.size - 1}:
                explained[(id(leaf), index)] = explain(loss, leaf, index=index)
        assert all(leaf.grad is None for leaf in leaves), f"{kind}: explain touched .grad"
        loss.backward()
        for leaf in leaves:
            for index in {None, 0, leaf.data.size - 1}:
                e = explained[(id(leaf), index)]
                picked = e.index if index is not None else np.unravel_index(
                    np.argmax(np.abs(leaf.grad.data)), leaf.data.shape)
                assert e.index == tuple(picked), kind
                assert math.isclose(e.total, float(leaf.grad.data[e.index]), rel_tol=1e-10, abs_tol=1e-12), kind
                _check_paths(e, kind)


def _check_paths(e, kind):
    for path in e.paths:
        assert math.isclose(math.prod(path.factors), path.value, rel_tol=1e-12, abs_tol=1e-300), kind
        assert len(path.ops) == len(path.factors)
    if not e.grouped:
        assert len(e.paths) == e.n_paths <= LISTED
        assert math.isclose(sum(p.value for p in e.paths), e.total, rel_tol=1e-9, abs_tol=1e-12), kind
    else:
        assert e.n_paths is None or e.n_paths > LISTED
        if len(e.routes) == e.n_routes:
            assert math.isclose(sum(r.value for r in e.routes), e.total, rel_tol=1e-9, abs_tol=1e-12), kind
        if e.n_paths is not None and len(e.routes) == e.n_routes:
            assert sum(r.count for r in e.routes) == e.n_paths, kind


def test_total_against_finite_differences():
    rng = np.random.default_rng(7)
    w = _leaf(rng, 3, 2, name="w")
    x = Tensor(rng.normal(size=(4, 3)))

    def f(wv):
        return float(((x.data @ wv) ** 2).sum() ** 0.5)
    loss = ((x @ w) ** 2.0).sum() ** 0.5
    for index in [(0, 0), (2, 1)]:
        step = np.zeros((3, 2))
        step[index] = 1e-6
        numeric = (f(w.data + step) - f(w.data - step)) / 2e-6
        assert math.isclose(explain(loss, w, index=index).total, numeric, rel_tol=1e-6)


def test_the_talks_neuron_one_path_with_the_rules():
    x = Tensor(1.5, name="x")
    w = Tensor(0.8, requires_grad=True, name="w")
    b = Tensor(-0.5, requires_grad=True, name="b")
    z = w * x + b
    z.name = "z"
    p = z.sigmoid()
    p.name = "p"
    e = explain(p, w)
    assert e.n_paths == 1 and e.paths[0].ops == ("sigmoid", "add", "mul")
    s = 1 / (1 + math.exp(-(0.8 * 1.5 - 0.5)))
    assert math.isclose(e.paths[0].factors[0], s * (1 - s), rel_tol=1e-6)
    text = str(e)
    assert "∂σ(z)/∂z = σ(z)·(1−σ(z)) = 0.6682·(1−0.6682) = 0.2217" in text
    assert "∂(a·b)/∂a = b = 1.5" in text and "what backward puts into w.grad" in text
    assert "<table>" in e._repr_html_() and "| ∂p/∂z | `sigmoid`" in e._repr_markdown_()


def test_after_backward_and_grad_left_alone():
    a = Tensor([1.0, -2.0, 0.5], requires_grad=True, name="a")
    loss = (a.relu() * a).sum()
    loss.backward()  # frees the saved arrays: explain rebuilds what it needs
    before = a.grad.data.copy()
    e = explain(loss, a, index=1)
    np.testing.assert_array_equal(a.grad.data, before)
    assert e.total == before[1] == 0.0
    # the dead relu's zero slope is on the path: the reason the gradient stops
    zero_path = [p for p in e.paths if "relu" in p.ops]
    assert zero_path and zero_path[0].factors[-1] == 0.0
    assert "[-2 > 0] = 0" in str(e)


def test_intermediate_wrt_and_the_default_index_named():
    rng = np.random.default_rng(3)
    a = _leaf(rng, 4)
    h = a.exp()
    loss = (h * h.sigmoid()).sum()
    h.retain_grad()
    e = explain(loss, h)
    loss.backward()
    k = int(np.argmax(np.abs(h.grad.data)))
    assert e.index == (k,) and math.isclose(e.total, float(h.grad.data[k]), rel_tol=1e-12)
    assert "the element with the largest |gradient|" in str(e)


def test_many_paths_are_grouped_by_route():
    rng = np.random.default_rng(4)
    x = Tensor(rng.normal(size=(20, 3)))
    w1, w2 = _leaf(rng, 3, 5, name="w1"), _leaf(rng, 5, 1, name="w2")
    loss = ((x @ w1).tanh() @ w2).sigmoid().mean() + (w1 * w1).sum()
    e = explain(loss, w1, index=(0, 0))
    loss.backward()
    assert e.grouped and e.n_paths > LISTED and e.n_routes == 3
    assert math.isclose(e.total, float(w1.grad.data[0, 0]), rel_tol=1e-10)
    _check_paths(e, "mlp")
    text = str(e)
    assert "grouped by route" in text and text.count("  largest path: ") == 3


class Cube(Function):  # a user's op: no rule
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x ** 2


def test_a_users_op_without_a_rule_gets_numbers_from_its_backward():
    x = Tensor(2.0, requires_grad=True, name="x")
    y = Cube.apply(x) * 0.5
    e = explain(y, x)
    assert e.total == 6.0 and e.paths[0].factors == (0.5, 12.0)
    assert "from Cube.backward = 12" in str(e)


def test_refusals_name_the_argument():
    a = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="output must have one element"):
        explain(a * 2.0, a)
    with pytest.raises(ValueError, match="not in output's graph"):
        explain((a * 2.0).sum(), Tensor(1.0, requires_grad=True))
    with pytest.raises(IndexError, match="index=5"):
        explain((a * 2.0).sum(), a, index=5)
    with pytest.raises(TypeError, match="wrt must be a Tensor"):
        explain((a * 2.0).sum(), 3.0)


# --- every built-in op's rule against its backward ---------------------------------------------------
def _builtin_ops():
    modules = [am.ops.arithmetic, am.ops.unary, am.ops.reduce, am.ops.select, am.ops.shape, am.ops.linalg,
               activations, fused, loss_ops]
    return sorted({cls for m in modules for _, cls in inspect.getmembers(m, inspect.isclass)
                   if issubclass(cls, Function) and cls is not Function and not cls.__name__.startswith("_")
                   and cls.__module__ == m.__name__}, key=lambda c: c.__name__)


def _cases(rng):
    """op class -> a tensor made by it from float64 inputs that all require grad."""
    def t(*shape, low=None):
        data = rng.uniform(0.2, 1.5, size=shape) if low else rng.normal(size=shape)
        return Tensor(data, requires_grad=True)
    ops = am.ops
    probs = Tensor(rng.uniform(0.1, 0.9, size=(3, 2)), requires_grad=True)
    onehot = Tensor(np.eye(2)[[0, 1, 1]], requires_grad=True)
    return {
        "Add": t(2, 3) + t(3), "Sub": t(3) - t(2, 3), "Mul": t(2, 3) * t(3), "Div": t(3) / t(2, 3, low=1),
        "Neg": -t(3), "Pow": t(3, low=1) ** t(3), "Exp": t(3).exp(), "Log": t(3, low=1).log(),
        "Sigmoid": t(3).sigmoid(), "Tanh": t(3).tanh(), "Relu": t(5).relu(), "Abs": t(4).abs(),
        "Sum": t(2, 3).sum(axis=0), "Mean": t(2, 3).mean(axis=1), "Max": Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 0.5, 1.0]]),
                                                                           requires_grad=True).max(axis=1),
        "Maximum": am.maximum(t(4), Tensor(np.array([0.0, 5.0, -5.0, 0.0]), requires_grad=True)),
        "Where": am.where([True, False, True], t(3), t(3)),
        "Reshape": t(2, 3).reshape(3, 2), "Clone": t(2, 3).clone(), "Transpose": t(2, 3).transpose(),
        "BroadcastTo": am.broadcast_to(t(3), (2, 3)), "GetItem": t(4)[[0, 2, 2]],
        "ScatterAdd": ops.shape.ScatterAdd.apply(t(3), index=[0, 2, 2], shape=(4,)),
        "MatMul": t(2, 3) @ t(3, 2), "Linear": am.linear(t(2, 3), t(3, 2), t(2)),
        "DenseActivation": fused.DenseActivation.apply(t(2, 3), t(3, 2), t(2), activation="tanh"),
        "Softmax": activations.Softmax.apply(t(2, 3)),
        "MeanSquaredErrorOp": loss_ops.MeanSquaredErrorOp.apply(t(3, 2), t(3, 2)),
        "MeanAbsoluteErrorOp": loss_ops.MeanAbsoluteErrorOp.apply(t(3, 2), t(3, 2)),
        "BinaryCrossentropyOp": loss_ops.BinaryCrossentropyOp.apply(t(3, 2, low=1) * 0.5, probs),
        "SigmoidBinaryCrossentropyOp": loss_ops.SigmoidBinaryCrossentropyOp.apply(t(3, 2, low=1) * 0.5, t(3, 2)),
        "CategoricalCrossentropyOp": loss_ops.CategoricalCrossentropyOp.apply(onehot, probs),
        "SoftmaxCategoricalCrossentropyOp": loss_ops.SoftmaxCategoricalCrossentropyOp.apply(onehot, t(3, 2)),
    }


def test_every_builtin_op_has_a_rule_that_agrees_with_its_backward():
    cases = _cases(np.random.default_rng(5))
    classes = _builtin_ops()
    assert {c.__name__ for c in classes} == set(cases), "a built-in op without a case here"
    for cls in classes:
        out = cases[cls.__name__]
        assert type(out._ctx).__name__ == cls.__name__
        assert cls.rule and all(rule_clause(cls, pos).startswith("∂") for pos in range(len(out._ctx.parents)))
        node = LocalNode(out)
        checked = 0
        for i in np.ndindex(out.data.shape):
            for pos in range(len(node.parents)):
                for j, d in node.row(i, pos):
                    text, value = substitution_value(node, i, pos, j)
                    assert math.isclose(value, d, rel_tol=1e-9, abs_tol=1e-12), (cls.__name__, i, pos, j, text)
                    checked += 1
        assert checked, cls.__name__


def test_output_itself_and_a_graph_that_was_not_recorded():
    a = Tensor(2.0, requires_grad=True, name="a")
    y = a * a
    y.name = "y"
    e = explain(y, y)
    assert e.total == 1.0 and "the output itself" in str(e)
    with am.no_grad():
        z = a * 2.0
    with pytest.raises(ValueError, match="no recorded graph"):
        explain(z, a)
    b = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="b")
    routes = explain((b @ b).sum() * 1.0 + (b * 0.0).sum(), b, index=(0, 1))
    labels = [r.labels[-1] for r in routes.routes]
    assert "b (input 0 of matmul)" in labels and "b (input 1 of matmul)" in labels
