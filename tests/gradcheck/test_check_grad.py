"""check_grad: numpy code with a hand-written gradient (CS231n's two-layer net) against finite
differences -- passes when right, and each planted bug fails naming the input and the element."""
import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import check_grad

pytest_plugins = ["pytester"]


def two_layer_net(W1, b1, W2, b2, X, y, reg, bug=None):
    """CS231n's affine-relu-affine-softmax loss and its hand-written gradients (numpy only).
    bug: plant one of the classic mistakes in the backward pass."""
    n = X.shape[0]
    hidden = np.maximum(0, X @ W1 + b1)
    scores = hidden @ W2 + b2
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1
    dscores /= n
    dW2 = hidden.T @ dscores + 2 * reg * W2
    db2 = dscores.sum(axis=0) * (2 if bug == "doubled bias" else 1)
    dhidden = dscores @ W2.T
    if bug != "missing relu mask":
        dhidden[hidden <= 0] = 0
    dW1 = X.T @ dhidden + 2 * reg * W1
    db1 = dhidden.sum(axis=0)
    if bug == "transposed weight":
        dW2 = dW2.T
    return loss, (dW1, db1, dW2, db2)


@pytest.fixture
def net():
    """5 samples, 4 features, 3 hidden units, 3 classes (W2 square, so a transposed dW2 fits)."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 4)), np.array([0, 1, 2, 2, 1])
    params = [rng.standard_normal((4, 3)), rng.standard_normal(3) * 0.1,
              rng.standard_normal((3, 3)), rng.standard_normal(3) * 0.1]
    hidden = X @ params[0] + params[1]
    assert (hidden > 0).any() and (hidden < 0).any()  # the ReLU mask matters
    return X, y, params


def check(net, bug=None, **options):
    X, y, params = net

    def loss(W1, b1, W2, b2):
        return two_layer_net(W1, b1, W2, b2, X, y, 0.05, bug)[0]

    def grads(W1, b1, W2, b2):
        return two_layer_net(W1, b1, W2, b2, X, y, 0.05, bug)[1]

    return check_grad(loss, grads, *params, **options)


def test_cs231n_two_layer_net_passes(net):
    report = check(net)
    assert report, str(report)
    assert [c.name for c in report.inputs] == ["W1", "b1", "W2", "b2"]
    assert all(c.max_rel_error < 1e-6 for c in report.inputs)  # float64: far inside the tolerance
    assert all(c.taylor.verdict == "h^2" for c in report.inputs)
    text = str(report)
    assert text.startswith("check_grad passed")
    assert "analytic: grad_f (your gradient); numeric: central differences of f" in text
    assert check(net, fast_mode=True)


@pytest.mark.parametrize("bug,bad_input,hint", [
    ("doubled bias", "b2", "2 x the numeric gradient"),
    ("transposed weight", "W2", "transpose"),
    ("missing relu mask", "W1", "missing mask"),
])
def test_planted_bugs_fail_naming_input_and_element(net, bug, bad_input, hint):
    report = check(net, bug)
    assert not report
    failing = [c for c in report.inputs if not c.ok]
    assert failing[0].name == bad_input
    assert failing[0].taylor.verdict == "h"  # not rounding: the remainder shrinks only as h
    # the element named is a real disagreement, with both sides as computed
    X, y, params = net
    analytic = two_layer_net(*params, X, y, 0.05, bug)[1][failing[0].index]
    assert failing[0].analytic == pytest.approx(analytic[failing[0].worst_index])
    assert abs(failing[0].analytic - failing[0].numeric) > 1e-3
    line = report.culprit
    assert line.startswith(f"grad_f is wrong for input {failing[0].index} ({bad_input}), element (")
    assert "grad_f gives" in line and "central differences of f give" in line and hint in line
    assert f"{bad_input}" in repr(report) and "FAILED" in repr(report)
    assert "MISMATCH" in str(report)
    fast = check(net, bug, fast_mode=True)  # one directional derivative per input
    assert not fast and [c.name for c in fast.inputs if not c.ok][0] == bad_input


def test_missing_relu_mask_also_breaks_b1_but_not_the_second_layer(net):
    report = check(net, "missing relu mask")
    assert [c.ok for c in report.inputs] == [False, False, True, True]


@pytest.mark.parametrize("eps", [None, 1e-6])
def test_float32_code_is_judged_by_the_taylor_verdict_without_false_alarms(net, eps):
    """In float32 the element-by-element errors are rounding (~1e-4 at the best step, ~0.1 at
    float64's step); the Taylor remainder still shrinks as h², so the right gradient passes."""
    X, y, params = net
    net32 = (X.astype(np.float32), y, [p.astype(np.float32) for p in params])
    report = check(net32, eps=eps)
    assert report, str(report)
    assert f"eps={eps or 0.001:g}" in report.settings
    assert any(c.rescued for c in report.inputs)  # an element-wise false alarm, cleared
    assert all(c.taylor.verdict == "h^2" for c in report.inputs)
    assert "ok (rounding: Taylor h^2)" in str(report)


@pytest.mark.parametrize("bug,bad_input", [("doubled bias", "b2"), ("transposed weight", "W2"),
                                           ("missing relu mask", "W1")])
def test_float32_planted_bugs_still_fail(net, bug, bad_input):
    X, y, params = net
    report = check((X.astype(np.float32), y, [p.astype(np.float32) for p in params]), bug)
    assert not report
    assert [c.name for c in report.inputs if not c.ok][0] == bad_input
    assert all(c.taylor.verdict == "h" for c in report.inputs if not c.ok)


# --- errors ---------------------------------------------------------------------------------

def test_grad_f_with_the_wrong_number_of_gradients():
    with pytest.raises(TypeError, match=r"one gradient per array \(2, as a tuple\), got 1 values"):
        check_grad(lambda a, b: float(np.sum(a * b)), lambda a, b: (b,), np.ones(2), np.ones(2))


def test_grad_f_with_a_wrong_shape_names_the_input():
    with pytest.raises(ValueError, match=r"shape \(3, 2\) for input 0 \(W\), which has shape \(2, 3\)"):
        check_grad(lambda W: float(np.sum(W)), lambda W: np.ones((3, 2)), np.ones((2, 3)))


def test_f_must_return_a_scalar():
    with pytest.raises(TypeError, match=r"f must return a scalar .* shape \(2,\)"):
        check_grad(lambda a: a * 2, lambda a: 2 * np.ones(2), np.ones(2))


def test_single_array_gradient_needs_no_tuple():
    assert check_grad(lambda a: float(np.sum(a ** 3)), lambda a: 3 * a ** 2, np.array([1.0, -2.0]))


def test_gradcheck_on_numpy_returning_float_points_to_check_grad():
    with pytest.raises(TypeError, match="check_grad"):
        am.gradcheck(lambda a: float(np.sum(a.data)), [np.ones(2)])


# --- the pytest section ---------------------------------------------------------------------

FAILING_TEST = '''
import numpy as np
from autograd_mini import check_grad


def test_wrong_gradient():
    f = lambda W, b: float(np.sum((np.array([[1.0, 2.0]]) @ W + b) ** 2))
    def grad_f(W, b):
        z = np.array([[1.0, 2.0]]) @ W + b
        return np.array([[1.0], [2.0]]) @ (2 * z), 4 * z[0]   # the bias gradient doubled
    assert check_grad(f, grad_f, np.ones((2, 3)), np.zeros(3))
'''


def test_pytest_shows_the_check_grad_report(pytester):
    from test_gradcheck import _plugin_args
    pytester.makepyfile(test_sub=FAILING_TEST)
    result = pytester.runpytest(*_plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*gradcheck report*",
        "check_grad FAILED (full mode*",
        "input*shape*analytic*numeric*status*Taylor",
        "0 W*(2, 3)*ok*",
        "1 b*(3,)*MISMATCH*h (slope*",
        "analytic: grad_f (your gradient); numeric: central differences of f*",
        "grad_f is wrong for input 1 (b), element (*2 x the numeric gradient*",
    ])


def test_taylor_column_at_kinks_says_so():
    report = am.gradcheck(lambda t: t.relu().sum(), [np.array([0.0, 1.0, -2.0])])
    assert report and report.inputs[0].kinks == 1
    assert "h (slope 1.00, kinks)" in str(report)  # the remainder is O(h) across a kink: not a bug


def test_first_wrong_op_line_explains_its_upstream_gradient():
    from test_gradcheck import bigger_expression
    rng = np.random.default_rng(0)
    report = am.gradcheck(bigger_expression, [rng.standard_normal((3, 4)), rng.standard_normal((4, 2))])
    assert report.culprit.startswith("first wrong op: BadSquare ('badsquare'), input 0, element (")
    assert ("the op checked alone at the inputs it saw in f (with a random upstream gradient of shape (3, 2): "
            "this op's numbers, not f's in the table)") in report.culprit
    assert "checked alone" not in repr(report)  # the one-line repr keeps only the verdict
