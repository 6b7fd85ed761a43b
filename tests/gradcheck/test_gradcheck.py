"""gradcheck itself: passes on correct ops, catches and names a wrong one, is quiet at kinks,
reads well, and shows its table under a failing pytest assert."""
import warnings
from importlib.metadata import entry_points

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Function, Tensor, gradcheck

pytest_plugins = ["pytester"]

COLUMNS = ["input", "shape", "max abs err", "max rel err", "worst index", "analytic", "numeric", "status"]


class BadSquare(Function):
    """x² whose backward forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x  # should be grad * 2 * x


class BadSecondInput(Function):
    """a * b with the sign of b's gradient flipped."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, -grad * a


def bigger_expression(x, w):
    """BadSquare somewhere in the middle of correct ops."""
    h = (x @ w).tanh()
    return (BadSquare.apply(h * 0.5 + 1.0).sigmoid() * h).sum()


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 4)), rng.standard_normal((4, 2))


# --- passing --------------------------------------------------------------------------------

def test_passes_on_correct_ops(data):
    x, w = data
    f = lambda x_, w_: ((x_ @ w_).tanh().sigmoid() * (x_ @ w_).relu()).mean() + am.maximum(x_, 0.1).sum()
    report = gradcheck(f, [x, w])
    assert report
    assert report.ok and bool(report) is True
    r = repr(report)
    assert "\n" not in r and "passed" in r
    text = str(report)
    assert "passed" in text.splitlines()[0]
    for column in COLUMNS:
        assert column in text
    assert text.count("\n") >= 3  # a header and one row per input


def test_accepts_a_single_tensor_array_or_list():
    f = lambda t: (t * t).sum()
    assert gradcheck(f, Tensor(np.array([1.0, 2.0])))
    assert gradcheck(f, np.array([1.0, 2.0]))
    assert gradcheck(f, [np.array([1.0, 2.0])])
    assert gradcheck(lambda t: t * 3.0, np.array(2.0))  # scalar output


def test_input_that_is_not_used():
    assert gradcheck(lambda a, b: (a * 2.0).sum(), [np.ones(3), np.ones(2)])


def test_function_returning_an_input():
    assert gradcheck(lambda a: a, [np.ones(3)])


# --- catching a wrong op --------------------------------------------------------------------

def test_catches_and_names_a_wrong_function_inside_an_expression(data):
    x, w = data
    report = gradcheck(bigger_expression, [x, w])
    assert not report
    text, r = str(report), repr(report)
    assert "FAILED" in text and "MISMATCH" in text
    for column in COLUMNS:
        assert column in text
    assert "BadSquare" in text and "input 0" in text
    assert "\n" not in r and "FAILED" in r and "BadSquare" in r
    assert report.culprit.startswith("first wrong op: BadSquare")


def test_names_the_input_index_of_the_wrong_gradient():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    report = gradcheck(lambda a_, b_: BadSecondInput.apply(a_.exp(), b_ * 2.0).sum(), [a, b])
    assert not report
    assert [c.ok for c in report.inputs] == [True, False]
    assert "BadSecondInput" in report.culprit and "input 1" in report.culprit
    assert "element (" in report.culprit


def test_failing_input_row_points_at_the_worst_element():
    x = np.array([0.1, 5.0, -0.2])
    report = gradcheck(lambda t: BadSquare.apply(t).sum(), [x])
    (check,) = report.inputs
    assert check.worst_index == (1,)
    assert check.analytic == pytest.approx(5.0) and check.numeric == pytest.approx(10.0, rel=1e-6)
    assert check.max_abs_error == pytest.approx(5.0, rel=1e-6)


def test_fast_mode(data):
    x, w = data
    good = gradcheck(lambda x_, w_: (x_ @ w_).tanh().sum(), [x, w], fast_mode=True)
    assert good and "fast mode" in str(good)
    big = np.random.default_rng(2).standard_normal((60, 50))
    assert gradcheck(lambda t: (t.sigmoid() * t).mean(), [big], fast_mode=True)

    bad = gradcheck(bigger_expression, [x, w], fast_mode=True)
    assert not bad
    assert "BadSquare" in str(bad) and "input 0" in bad.culprit


# --- kinks ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name,f,x", [
    ("relu at 0", lambda t: t.relu(), np.array([0.0, 1.0, -2.0])),
    ("three-way max tie", lambda t: t.max(), np.array([3.0, 3.0, 3.0, 1.0])),
    ("max tie along an axis", lambda t: t.max(axis=1), np.array([[2.0, 2.0, 2.0], [0.0, 1.0, 2.0]])),
    ("maximum tie", lambda t: am.maximum(t, 1.0) * 3.0 + t.relu(), np.array([1.0, 0.0, 2.0])),
])
@pytest.mark.parametrize("fast_mode", [False, True])
def test_kinks_are_reported_not_failed(name, f, x, fast_mode):
    report = gradcheck(f, [x], fast_mode=fast_mode)
    assert report, str(report)
    assert "at a kink" in str(report)
    assert report.inputs[0].kinks >= 1


def test_symmetric_kink_agrees_with_central_differences():
    # |x| at 0: the central difference is 0, which is the analytic slope: nothing to explain
    report = gradcheck(lambda t: abs(t), [np.array([0.0, 1.0])])
    assert report and report.inputs[0].kinks == 0


@pytest.mark.parametrize("fast_mode", [False, True])
def test_wrong_op_at_a_kink_point_still_fails(fast_mode):
    # relu at 0 is a kink, but BadSquare elsewhere is still wrong
    report = gradcheck(lambda t: BadSquare.apply(t).relu().sum() + t.relu().sum(),
                       [np.array([0.0, 1.5, 2.0])], fast_mode=fast_mode)
    assert not report and "BadSquare" in report.culprit


# --- settings and dtypes --------------------------------------------------------------------

def test_float32_inputs_warn():
    x = Tensor(np.array([0.5, 1.5], dtype=np.float32))
    with pytest.warns(UserWarning, match="float32"):
        report = gradcheck(lambda t: (t * t).sum(), [x])
    assert report


def test_float64_inputs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda t: (t * t).sum(), [np.array([0.5, 1.5])])


def test_tolerances_are_used_and_shown():
    x = np.array([1.0, 2.0])
    report = gradcheck(lambda t: BadSquare.apply(t).sum(), [x], atol=10.0)
    assert report  # a difference of at most 2 passes with atol=10
    assert "atol=10" in str(report)


# --- the pytest plugin ------------------------------------------------------------------------

FAILING_TEST = '''
import numpy as np
from autograd_mini import Function, gradcheck


class BadSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


def test_wrong_gradient():
    assert gradcheck(lambda t: (BadSquare.apply(t) * 3.0).sum(), [np.array([1.0, -2.0, 0.5])])


def test_right_gradient():
    assert gradcheck(lambda t: (t * t * 3.0).sum(), [np.array([1.0, -2.0, 0.5])])
'''


def _plugin_args() -> list:
    """The entry point registers the plugin once the package is pip-installed; else name it."""
    installed = any(ep.value == "autograd_mini.pytest_plugin" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "autograd_mini.pytest_plugin"]


def test_pytest_shows_the_report_under_a_failing_assert(pytester):
    pytester.makepyfile(test_sub=FAILING_TEST)
    result = pytester.runpytest(*_plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines([
        "*gradcheck report*",
        "gradcheck FAILED (full mode*",
        "input*shape*max abs err*max rel err*worst index*analytic*numeric*status*",
        "0*(3,)*MISMATCH*",
        "first wrong op: BadSquare*input 0*",
    ])
    # the passing test's section does not appear, nor a stale report from the failing one
    assert result.stdout.str().count("gradcheck report") == 1
