"""numpy functions on Tensors go through the graph (checked by gradcheck), comparisons give numpy
booleans, other functions refuse by name; the three weight-update idioms; exact float64 from lists."""
import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Tensor, gradcheck

rng = np.random.default_rng(7)
A, B = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
POSITIVE = rng.uniform(0.5, 2.0, (3, 4))
M, V = rng.standard_normal((4, 2)), rng.standard_normal(4)

# name -> (f on Tensors using numpy functions only, its inputs)
DIFFERENTIABLE = {
    "exp": (lambda a: np.exp(a), [A]),
    "log": (lambda a: np.log(a), [POSITIVE]),
    "tanh": (lambda a: np.tanh(a), [A]),
    "sqrt": (lambda a: np.sqrt(a), [POSITIVE]),
    "square": (lambda a: np.square(a), [A]),
    "reciprocal": (lambda a: np.reciprocal(a), [POSITIVE]),
    "abs": (lambda a: np.abs(a), [A]),
    "negative": (lambda a: np.negative(a), [A]),
    "exp2 expm1": (lambda a: np.exp2(a) + np.expm1(a), [A]),
    "log1p log2 log10": (lambda a: np.log1p(a) + np.log2(a) + np.log10(a), [POSITIVE]),
    "maximum minimum": (lambda a, b: np.maximum(a, 0.2) * np.minimum(a, b) + np.fmax(a, b) - np.fmin(a, b), [A, B]),
    "array on the left": (lambda a: (B + a) * (B - a) / (POSITIVE ** a) + B * a, [A]),
    "power": (lambda a, b: np.power(a, b) + np.float_power(a, 2.0), [POSITIVE, B]),
    "matmul": (lambda a, m: np.matmul(a, m) + A @ m, [A, M]),
    "dot": (lambda a, m, v: np.dot(a, m).sum() + np.dot(v, v) + np.dot(2.0, v).sum() + np.dot(A, v).sum(), [A, M, V]),
    "sum": (lambda a: np.sum(a, axis=1, keepdims=True) * np.sum(a) + np.add.reduce(a), [A]),
    "mean": (lambda a: np.mean(a, axis=0) + np.mean(a), [A]),
    "max min": (lambda a: np.max(a, axis=1) - np.min(a, axis=1) + np.amax(a) + np.maximum.reduce(a, axis=1), [A]),
    "where": (lambda a, b: np.where(A > 0, a, b) + np.where(B > 0, a, 1.0), [A, B]),
    "transpose": (lambda a: np.transpose(a) @ a + np.transpose(a, (1, 0)).sum(), [A]),
    "reshape ravel": (lambda a: np.reshape(a, (2, 6)).sum(axis=0) * np.ravel(a)[:6], [A]),
    "squeeze expand_dims swapaxes": (lambda a: np.squeeze(np.expand_dims(a, 0), 0) + np.swapaxes(a[None], 0, 1)[:, 0],
                                     [A]),
    "broadcast_to outer": (lambda v: np.broadcast_to(v, (3, 4)) * np.outer(v, V)[:3], [V]),
    "clip": (lambda a: np.clip(a, -0.5, 0.7) + np.clip(a, None, 0.1), [A]),
}


@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
def test_numpy_functions_on_tensors_are_differentiated(name):
    f, inputs = DIFFERENTIABLE[name]
    out = f(*[Tensor(x, requires_grad=True) for x in inputs])
    assert isinstance(out, Tensor) and out.requires_grad  # in the graph, not an array
    # the numbers are numpy's own
    np.testing.assert_allclose(out.data, f(*inputs), rtol=1e-12)
    report = gradcheck(lambda *ts: f(*ts), inputs)
    assert report, str(report)


def test_cs231n_numpy_loss_runs_on_tensors_unchanged():
    """A loss written for numpy arrays, called with Tensors: gradcheck checks its autodiff gradient."""
    X, y = rng.standard_normal((5, 4)), np.array([0, 1, 2, 2, 1])

    def numpy_loss(W1, b1, W2, b2):
        hidden = np.maximum(0, X @ W1 + b1)
        scores = hidden @ W2 + b2
        scores = scores - np.max(scores, axis=1, keepdims=True)
        probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
        return -np.mean(np.log(probs[np.arange(5), y])) + 0.05 * (np.sum(W1 * W1) + np.sum(W2 * W2))

    params = [rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal((3, 3)), rng.standard_normal(3)]
    assert isinstance(numpy_loss(*params), float)  # still plain numpy code
    assert gradcheck(numpy_loss, params)


# --- comparisons and questions: numpy results ---------------------------------------------------

@pytest.mark.parametrize("ufunc", [np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal])
def test_comparison_ufuncs_give_numpy_booleans(ufunc):
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [(ufunc(t, 2.0), ufunc(t.data, 2.0)), (ufunc(np.full(3, 2.0), t), ufunc(2.0, t.data))]:
        assert type(result) is np.ndarray and result.dtype == bool
        np.testing.assert_array_equal(result, expected)


def test_array_compared_with_a_tensor_and_value_questions():
    t = Tensor([1.0, np.inf, -2.0], requires_grad=True)
    np.testing.assert_array_equal(np.array([0.0, 0.0, 0.0]) < t, [True, True, False])
    np.testing.assert_array_equal(np.isfinite(t), [True, False, True])
    np.testing.assert_array_equal(np.sign(t), [1.0, 1.0, -1.0])  # piecewise constant: no gradient
    assert np.shape(t) == (3,) and np.ndim(t) == 1 and int(np.argmax(t)) == 1
    assert np.allclose(Tensor([1.0, 2.0], requires_grad=True), [1.0, 2.0])


@pytest.mark.parametrize("call,name,advice", [
    (lambda t: np.sin(t), "np.sin", "am.Function (forward np.sin, backward grad * np.cos(x))"),
    (lambda t: np.std(t), "np.std", "((t - t.mean()) ** 2).mean() ** 0.5"),
    (lambda t: np.linalg.norm(t), "np.linalg.norm", "use the Tensor ops"),
    (lambda t: np.cumsum(t), "np.cumsum", "use the Tensor ops"),
    (lambda t: np.add.accumulate(t), "np.add.accumulate", "use the Tensor ops"),
])
def test_undifferentiated_functions_refuse_by_name(call, name, advice):
    t = Tensor([0.5, 1.0], requires_grad=True)
    with pytest.raises(TypeError) as err:
        call(t)
    message = str(err.value)
    assert message.startswith(f"{name} is not differentiated by autograd_mini")
    assert advice in message and "t.data" in message
    # on a constant, or under no_grad, they compute on the numbers
    expected = call(t.data)
    np.testing.assert_allclose(call(Tensor(t.data)), expected)
    with am.no_grad():
        np.testing.assert_allclose(call(t), expected)


def test_out_arrays_receive_the_numbers_and_tensors_refuse():
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = np.zeros(2)
    assert np.add(t, 1.0, out=out) is out
    np.testing.assert_array_equal(out, [2.0, 3.0])
    with pytest.raises(TypeError, match=r"out=<Tensor>.*out=t.data"):
        np.add(t, 1.0, out=Tensor(np.zeros(2)))


def test_numpy_options_the_tensor_versions_lack_are_refused():
    t = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="np.sum on a Tensor: where= not supported"):
        np.sum(t, where=np.array([True, False]))
    with pytest.raises(TypeError, match="np.dot on Tensors of 3 and 2 dimensions.*np.matmul"):
        np.dot(Tensor(np.ones((2, 2, 2)), requires_grad=True), np.ones((2, 2)))


# --- the update idioms ----------------------------------------------------------------------------

def _loss(w):
    return ((w * Tensor([1.0, 2.0, 3.0]) - 1.0) ** 2).sum()


def _train(update, steps=3):
    w = Tensor([0.5, -0.5, 0.25], requires_grad=True)
    original = w
    losses = []
    for _ in range(steps):
        loss = _loss(w)
        losses.append(loss.item())
        w.grad = None
        loss.backward()
        update(w)
    assert w is original and w.is_leaf and w.requires_grad
    return losses, w


def micrograd_update(w):
    w.data -= 0.05 * w.grad


def pytorch_update(w):
    with am.no_grad():
        w -= 0.05 * w.grad


def test_the_micrograd_and_pytorch_idioms_train_the_same_leaf():
    by_data, w1 = _train(micrograd_update)
    by_no_grad, w2 = _train(pytorch_update)
    assert by_data == by_no_grad
    assert by_data[2] < by_data[1] < by_data[0]
    np.testing.assert_array_equal(w1.data, w2.data)
    # one step by hand: w - 0.05 * dL/dw, with dL/dw = 2 (w·c - 1)·c
    c = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    w = np.array([0.5, -0.5, 0.25], dtype=np.float32)
    np.testing.assert_allclose(_train(pytorch_update, steps=1)[1].data, w - 0.05 * 2 * (w * c - 1) * c, rtol=1e-6)


def test_in_place_update_of_a_trainable_leaf_outside_no_grad_raises_saying_what_to_write():
    w = Tensor([0.5, -0.5, 0.25], requires_grad=True, name="kernel")
    _loss(w).backward()
    before = w.data.copy()
    with pytest.raises(RuntimeError) as err:
        w -= 0.05 * w.grad
    message = str(err.value)
    assert "`kernel -= ...` on a Tensor that requires grad" in message
    assert "`kernel.data -= ...`" in message and "`with am.no_grad(): kernel -= ...`" in message
    assert "w -= 0.05 * w.grad" in str(err.traceback[0].statement)  # raised at the user's line
    np.testing.assert_array_equal(w.data, before)  # nothing changed
    for update in ("w += 1.0", "w *= 2.0", "w /= 2.0"):
        with pytest.raises(RuntimeError, match="requires grad"):
            exec(update, {"w": w})


def test_in_place_on_other_tensors_stays_in_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    y -= 1.0  # a non-leaf: y = y - 1.0, differentiable as before
    y *= x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 6 * x.data - 1.0)  # d/dx (3x - 1)·x


def test_no_grad_update_keeps_dtype_and_checks_shape():
    w = Tensor(np.ones(3, np.float32), requires_grad=True)
    with am.no_grad():
        w -= np.full(3, 0.25)  # float64 value: w stays float32
        assert w.dtype == np.float32 and w.data.tolist() == [0.75] * 3
        with pytest.raises(ValueError, match=r"shape \(2, 3\) does not fit the Tensor's shape \(3,\)"):
            w += np.ones((2, 3))


# --- exact float64 from Python numbers ------------------------------------------------------------

def test_float64_from_a_list_is_exact():
    t = Tensor([0.3, -1.2], dtype="float64")
    assert t.data.tolist() == [0.3, -1.2]  # no float32 round trip (0.30000001192...)
    assert Tensor(0.1, dtype=np.float64).item() == 0.1
    assert Tensor([[1, 2]], dtype="float64").data.tolist() == [[1.0, 2.0]]
    assert Tensor([0.3]).dtype == np.float32  # the default is unchanged
    assert Tensor([0.3], dtype="float32").data.tolist() == [np.float32(0.3).item()]
