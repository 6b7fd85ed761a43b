"""Tensor: construction and dtype rules, attributes, operators on either side."""
import re

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Tensor


@pytest.fixture
def default_dtype():
    """Whatever a test does to the default dtype is undone afterwards."""
    before = am.get_default_dtype()
    yield before
    am.set_default_dtype(before)


# --- construction and dtype ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_float_arrays_keep_their_dtype(dtype):
    for data in (np.ones((2, 3), dtype=dtype), np.array(1.5, dtype=dtype)):
        t = Tensor(data)
        assert t.dtype == dtype
        assert t.shape == data.shape
        np.testing.assert_array_equal(t.data, data)


@pytest.mark.parametrize("scalar", [np.float64(1.5), np.float32(1.5), np.float16(1.5)])
def test_numpy_float_scalars_keep_their_dtype(scalar):
    t = Tensor(scalar)
    assert t.dtype == scalar.dtype
    assert t.shape == () and t.ndim == 0
    assert t.item() == 1.5


@pytest.mark.parametrize("data", [1, 1.5, True, -3, [1, 2, 3], [[1.0, 2.0], [3.0, 4.0]], (1, 2.5),
                                  np.array([1, 2]), np.array([True, False]), np.int64(3), np.uint8(7),
                                  np.bool_(True)],
                         ids=repr)
def test_ints_bools_and_python_numbers_become_default_float32(data):
    t = Tensor(data)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float32))


def test_explicit_dtype():
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float64), dtype="float32").dtype == np.float32
    assert Tensor(2.5, dtype=np.float64).item() == 2.5


@pytest.mark.parametrize("dtype", [int, "int32", bool, "complex64"])
def test_a_non_float_dtype_is_refused_by_name(dtype):
    with pytest.raises(TypeError, match=f"got dtype={np.dtype(dtype)}: use float32 or float64"):
        Tensor([1, 2], dtype=dtype)


def test_set_default_dtype_round_trip(default_dtype):
    assert default_dtype == np.float32
    am.set_default_dtype("float64")
    assert am.get_default_dtype() == np.float64
    assert Tensor(1).dtype == np.float64
    assert Tensor([1.5, 2]).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32  # floats still keep theirs
    am.set_default_dtype(np.float32)
    assert Tensor(1).dtype == np.float32


def test_set_default_dtype_rejects_non_float(default_dtype):
    with pytest.raises(TypeError, match="int32"):
        am.set_default_dtype("int32")
    assert am.get_default_dtype() == default_dtype


@pytest.mark.parametrize("data", ["abc", None, {"a": 1}, [1, "a"], [[1, 2], [3]], np.array(["x", "y"]),
                                  1 + 2j, np.array([1 + 1j]), object()],
                         ids=["str", "None", "dict", "mixed list", "ragged", "str array", "complex",
                              "complex array", "object"])
def test_non_numeric_data_raises_naming_the_value(data):
    with pytest.raises((TypeError, ValueError)) as info:
        Tensor(data)
    assert repr(data) in str(info.value)


# --- attributes -----------------------------------------------------------------------------

def test_attributes():
    data = np.arange(6.0).reshape(2, 3)
    t = Tensor(data, requires_grad=True)
    assert isinstance(t.data, np.ndarray)
    assert t.grad is None
    assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.float64 and t.size == 6
    assert t.requires_grad is True and t.is_leaf and t.grad_fn is None
    assert Tensor(1.0).requires_grad is False
    assert t.numpy() is t.data
    assert len(t) == 2
    item = Tensor(np.array([[2.5]])).item()
    assert item == 2.5 and type(item) is float
    assert float(Tensor(3.0)) == 3.0 and int(Tensor(3.0)) == 3


def test_grad_is_a_tensor_and_assignable():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x).sum().backward()
    assert isinstance(x.grad, Tensor)
    np.testing.assert_array_equal(np.asarray(x.grad), [2.0, 4.0])
    x.grad = None
    assert x.grad is None


def test_detach():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    np.testing.assert_array_equal(d.data, y.data)
    assert np.shares_memory(d.data, y.data)  # the same numbers, not a copy
    (d * x).sum().backward()  # d is a constant: x's gradient is d's value
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_array_protocol():
    t = Tensor(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(np.asarray(t), [1.0, 2.0, 3.0])
    a = np.array(t, dtype=np.float32)
    assert a.dtype == np.float32
    c = np.array(t, copy=True)
    c[0] = 99
    assert t.data[0] == 1.0
    assert np.exp(np.asarray(t))[0] == np.exp(1.0)


def test_repr():
    r = repr(Tensor([1.0, 2.0]))
    assert r == "Tensor([1., 2.])"
    assert "requires_grad=True" in repr(Tensor([1.0], requires_grad=True))
    y = Tensor([1.0], requires_grad=True) * 2
    assert "grad_fn=mul" in repr(y)
    assert "dtype=float64" in repr(Tensor(np.ones(2)))
    assert "\n" not in repr(Tensor(np.ones(5)))
    big = repr(Tensor(np.arange(1000.0)))  # summarised, not a thousand numbers
    assert "..." in big and len(big) < 200


# --- operators ---------------------------------------------------------------------------------

OPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "**": lambda a, b: a ** b, "@": lambda a, b: a @ b,
}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("kind", ["tensor", "ndarray", "number"])
def test_operators_either_side(op, kind):
    rng = np.random.default_rng(0)
    a = rng.uniform(0.5, 2.0, (3, 3))
    other = rng.uniform(0.5, 2.0, (3, 3)) if kind != "number" else 1.5
    if op == "@" and kind == "number":  # not defined, as in numpy: a ValueError naming the op
        with pytest.raises(ValueError, match="matmul"):
            Tensor(a) @ other
        with pytest.raises(ValueError, match="matmul"):
            other @ Tensor(a)
        return
    as_operand = {"tensor": Tensor, "ndarray": np.asarray, "number": lambda v: v}[kind]
    f = OPS[op]
    x = Tensor(a, requires_grad=True)

    right = f(x, as_operand(other))
    left = f(as_operand(other), x)
    assert type(right) is Tensor and type(left) is Tensor
    np.testing.assert_allclose(right.data, f(a, np.asarray(other)))
    np.testing.assert_allclose(left.data, f(np.asarray(other), a))
    assert right.requires_grad and left.requires_grad
    (right.sum() + left.sum()).backward()
    assert x.grad.shape == a.shape


def test_ndarray_on_the_left_returns_a_tensor():
    t = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    for out in (np.ones(3) * t, np.ones(3) + t, np.ones(3) - t, np.ones(3) / t, np.ones(3) ** t,
                np.ones((2, 3)) @ t, np.float64(2.0) * t, np.ones(3, dtype=np.float32) * t):
        assert type(out) is Tensor
        assert out.requires_grad
    y = np.array([1.0, 2.0, 3.0]) * t
    y.sum().backward()
    np.testing.assert_array_equal(t.grad.data, [1.0, 2.0, 3.0])


def test_unary_operators():
    t = Tensor(np.array([-1.0, 2.0]))
    np.testing.assert_array_equal((-t).data, [1.0, -2.0])
    np.testing.assert_array_equal(abs(t).data, [1.0, 2.0])
    assert (+t) is t


def test_python_numbers_take_the_tensors_dtype():
    t32 = Tensor(np.ones(2, dtype=np.float32))
    for out in (t32 * 2.5, 2.5 * t32, t32 + 1, t32 ** 2, 1 / t32, t32 - True):
        assert out.dtype == np.float32
    t64 = Tensor(np.ones(2))
    assert (t64 * 2.5).dtype == np.float64 and (3 - t64).dtype == np.float64


def test_float32_leaf_gets_float32_grad_from_float64_graph():
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    (x * np.full(3, 2.0)).sum().backward()  # the product is float64
    assert x.grad.dtype == np.float32


def test_methods_and_module_functions_match_numpy():
    rng = np.random.default_rng(1)
    a = rng.uniform(0.1, 2.0, (3, 4))
    t = Tensor(a)
    checks = {
        "exp": (t.exp(), am.exp(t), np.exp(a)),
        "log": (t.log(), am.log(t), np.log(a)),
        "sigmoid": (t.sigmoid(), am.sigmoid(t), 1 / (1 + np.exp(-a))),
        "relu": ((t - 1).relu(), am.relu(t - 1), np.maximum(a - 1, 0)),
        "tanh": (t.tanh(), am.tanh(t), np.tanh(a)),
        "sum": (t.sum(axis=1), am.sum(t, axis=1), a.sum(axis=1)),
        "mean": (t.mean(axis=0, keepdims=True), am.mean(t, 0, True), a.mean(axis=0, keepdims=True)),
        "max": (t.max(), am.max(t), a.max()),
        "matmul": (t @ t.T, am.matmul(t, t.T), a @ a.T),
        "maximum": (am.maximum(t, 1.0), am.maximum(t, Tensor(1.0)), np.maximum(a, 1.0)),
    }
    for name, (method, function, expected) in checks.items():
        np.testing.assert_allclose(method.data, expected, rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(function.data, expected, rtol=1e-12, err_msg=name)
    # module functions accept arrays and numbers too
    np.testing.assert_allclose(am.exp(a).data, np.exp(a))
    assert am.tanh(0.0).item() == 0.0


def test_reshape_transpose_forms():
    t = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert t.reshape(6, 4).shape == t.reshape((6, 4)).shape == t.reshape([6, 4]).shape == (6, 4)
    assert t.reshape(-1).shape == (24,)
    assert t.transpose().shape == (4, 3, 2) and t.T.shape == (4, 3, 2)
    assert t.transpose(1, 0, 2).shape == t.transpose((1, 0, 2)).shape == (3, 2, 4)
    np.testing.assert_array_equal(t.transpose(2, 0, 1).data, t.data.transpose(2, 0, 1))


def test_no_graph_when_nothing_requires_grad():
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    out = (a * b).exp().sum()
    assert out.requires_grad is False and out.grad_fn is None


def test_getitem_forms():
    t = Tensor(np.arange(12.0).reshape(3, 4))
    assert t[1].shape == (4,)
    assert t[:, 1].shape == (3,)
    assert t[[0, 0, 2]].shape == (3, 4)
    assert t[t.data > 5].shape == (6,)
    assert re.search(r"grad_fn=getitem", repr(Tensor(np.ones(3), requires_grad=True)[0]))


def test_tensor_index_is_cast_to_integers_and_repeats_accumulate():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[Tensor([0, 2, 2])]
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [1.0, 3.0, 3.0])
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 2.0])
