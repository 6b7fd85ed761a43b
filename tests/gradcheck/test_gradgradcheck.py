"""gradcheck(order=2) / gradgradcheck: second derivatives against finite differences of the first,
with the op whose backward is not differentiated correctly named."""
import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Function, gradcheck, gradgradcheck

pytest_plugins = ["pytester"]


class DetachedCube(Function):
    """x³ with a right first derivative, computed on arrays: create_graph cannot record it."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * np.asarray(x) ** 2


class CubeSlope(Function):
    """3x², whose backward says 3x (should be 6x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 3 * x ** 2

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x


class Cube(Function):
    """x³ whose backward uses CubeSlope: the first derivative right, the second wrong."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * CubeSlope.apply(x)


X = np.array([0.5, -1.2, 2.0])
WEIGHTS = np.random.default_rng(0).standard_normal((3, 2))


def expression(cube):
    """The custom op among correct ones."""
    return lambda x, w: (cube.apply(x.tanh()).reshape(3, 1) * w).sigmoid().sum()


@pytest.mark.parametrize("cube,inside", [
    (DetachedCube, "leaves the graph: it computes on arrays"),
    (Cube, "inside its backward, the first wrong op: CubeSlope ('cubeslope'), input 0, element ("),
])
def test_right_first_wrong_second_derivative_passes_gradcheck_fails_gradgradcheck(cube, inside):
    f = expression(cube)
    assert gradcheck(f, [X, WEIGHTS])
    report = gradgradcheck(f, [X, WEIGHTS])
    assert not report
    assert all(c.ok for c in report.inputs)  # the first-order part passed
    second = report.second_order
    assert [c.ok for c in second.inputs] == [False, True]  # x's second derivative is wrong, w's is right
    assert second.inputs[0].taylor.verdict == "h"
    assert second.culprit.startswith(f"first op whose backward is not differentiated correctly: {cube.__name__} "
                                     f"('{cube.op_name}'), input 0, element (")
    assert inside in second.culprit
    text = str(report)
    assert "gradcheck passed" in text and "second order FAILED" in text and "Hessian-vector products" in text
    assert "FAILED second order" in repr(report) and cube.__name__ in repr(report)
    assert gradcheck(f, [X, WEIGHTS], order=2).ok is False  # the same as order=2


def test_second_order_of_the_right_cube_passes_and_matches_the_hand_formula():
    class GoodCube(Cube):
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    report = gradgradcheck(lambda t: GoodCube.apply(t).sum(), [X])
    assert report, str(report)
    (check,) = report.second_order.inputs
    # s(x) = Σ v·3x²·w, so ds/dx = 6x·v·w elementwise: the table's analytic value is one of those
    assert check.max_abs_error < 1e-6


def test_built_in_ops_pass_second_order():
    rng = np.random.default_rng(1)
    x, w = rng.uniform(0.5, 1.5, (3, 4)), rng.standard_normal((4, 2))

    def f(x_, w_):
        h = np.tanh(x_ @ w_) + am.maximum(x_ @ w_, 0.3) + np.exp(-x_).sum(axis=1, keepdims=True)
        return (h.sigmoid() * np.log(x_[:, :2]) + (x_ ** 1.5).mean() + abs(h).max()).sum()

    report = gradgradcheck(f, [x, w])
    assert report, str(report)


def test_order_is_checked():
    with pytest.raises(ValueError, match="order must be 1 or 2, got 3"):
        gradcheck(lambda t: t.sum(), [X], order=3)


FAILING_TEST = '''
import numpy as np
from autograd_mini import Function, gradgradcheck


class DetachedSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * np.asarray(x)


def test_second_order():
    assert gradgradcheck(lambda t: (DetachedSquare.apply(t) * t).sum(), [np.array([1.0, -2.0])])
'''


def test_pytest_shows_both_orders(pytester):
    from test_gradcheck import _plugin_args
    pytester.makepyfile(test_sub=FAILING_TEST)
    result = pytester.runpytest(*_plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*gradcheck report*",
        "gradcheck passed (full mode*",
        "second order FAILED*",
        "0 t*(2,)*MISMATCH*",
        "first op whose backward is not differentiated correctly: DetachedSquare*",
    ])
