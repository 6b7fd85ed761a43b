"""Errors say what was wrong: which op, which shapes, which Function, which input."""
import re

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Function, Tensor


# --- shape mismatches name the op and both shapes -------------------------------------------

@pytest.mark.parametrize("name,f", [
    ("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b), ("pow", lambda a, b: a ** b), ("maximum", lambda a, b: am.maximum(a, b)),
])
def test_elementwise_shape_mismatch(name, f):
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(4))
    with pytest.raises(ValueError) as info:
        f(a, b)
    message = str(info.value)
    assert name in message and "(3,)" in message and "(4,)" in message


def test_add_shape_mismatch_message():
    with pytest.raises(ValueError, match=re.escape("add: cannot combine shapes (3,) and (4,)")):
        Tensor(np.ones(3)) + Tensor(np.ones(4))


def test_other_forward_errors_name_the_op_and_shapes_without_blaming_broadcasting():
    with pytest.raises(ValueError) as info:
        Tensor(np.ones(3)).reshape(2, 2)
    assert str(info.value).startswith("reshape on inputs of shape (3,): cannot reshape array of size 3")
    assert "cannot combine" not in str(info.value)


def test_linear_needs_a_weight_matrix():
    with pytest.raises(ValueError, match=re.escape("the weights must be a matrix (inputs, units), got shape (3,)")):
        am.linear(Tensor(np.ones((2, 3))), Tensor(np.ones(3), requires_grad=True))


def test_matmul_shape_mismatch_message():
    with pytest.raises(ValueError) as info:
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    message = str(info.value)
    assert "matmul" in message and "(2, 3)" in message and "(4, 5)" in message
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):
        np.ones((2, 3)) @ Tensor(np.ones((4, 5)))  # ndarray on the left: the same error


def test_reshape_error_names_op():
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\)"):
        Tensor(np.ones((2, 3))).reshape(4, 2)


# --- backward misuse --------------------------------------------------------------------------

def test_backward_on_non_scalar_without_grad():
    y = Tensor(np.ones(3), requires_grad=True) * 2
    with pytest.raises(RuntimeError) as info:
        y.backward()
    message = str(info.value)
    assert "scalar" in message and "grad" in message and "(3,)" in message


def test_backward_with_grad_of_wrong_shape():
    y = Tensor(np.ones(3), requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        y.backward(np.ones(2))


def test_backward_on_tensor_without_graph():
    with pytest.raises(RuntimeError, match="requires_grad"):
        (Tensor(np.ones(3)) * 2).sum().backward()


def test_grad_needs_scalar_function():
    with pytest.raises(TypeError, match="scalar"):
        am.grad(lambda x: x * 2)(np.ones(3))
    with pytest.raises(TypeError, match="scalar"):
        am.grad(lambda x: 3.0)(np.ones(3))
    with pytest.raises(TypeError, match="argnums"):
        am.grad(lambda x, y: (x * y).sum(), argnums=2)(1.0, 2.0)


# --- a custom Function whose backward is malformed --------------------------------------------

class TwoInputsOneGradient(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, grad):
        return (grad,)


class OneInputTwoGradients(Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 2, grad


class TwoInputsBareArray(Function):
    """Returns the upstream array itself for two inputs: one gradient, not one per row."""
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad


class WrongShapeForInput1(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad[:2]


class WrongShapeForInput0(Function):
    @staticmethod
    def forward(ctx, a):
        return a.sum()

    @staticmethod
    def backward(ctx, grad):
        return np.ones(5) * grad  # the input has 3 elements


@pytest.mark.parametrize("shape", [(2,), (3,), (2, 3)])
def test_backward_returning_too_few_gradients(shape):
    for fn in (TwoInputsOneGradient, TwoInputsBareArray):
        a, b = Tensor(np.ones(shape), requires_grad=True), Tensor(np.ones(shape), requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            fn.apply(a, b).sum().backward()
        message = str(info.value)
        assert fn.__name__ in message and "input 1" in message and "1 gradient(s) for 2 input(s)" in message


def test_backward_returning_too_many_gradients():
    a = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        OneInputTwoGradients.apply(a).sum().backward()
    message = str(info.value)
    assert "OneInputTwoGradients" in message and "2 gradient(s) for 1 input(s)" in message
    assert "input 1" in message


def test_backward_returning_wrong_shape_names_function_and_input():
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError) as info:
        WrongShapeForInput1.apply(a, b).sum().backward()
    message = str(info.value)
    assert "WrongShapeForInput1" in message and "input 1" in message
    assert "(2,)" in message and "(3,)" in message

    with pytest.raises(ValueError, match=r"WrongShapeForInput0.*\(5,\).*input 0.*\(3,\)"):
        WrongShapeForInput0.apply(Tensor(np.ones(3), requires_grad=True)).backward()


def test_malformed_backward_caught_under_create_graph_too():
    a = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="WrongShapeForInput0.*input 0"):
        WrongShapeForInput0.apply(a).backward(create_graph=True)
    with pytest.raises(RuntimeError, match="OneInputTwoGradients"):
        am.grad(lambda x: am.grad(lambda t: OneInputTwoGradients.apply(t).sum())(x).sum())(np.ones(3))


def test_broadcast_shaped_gradient_is_not_an_error():
    # a backward may return its gradient in the broadcast (output) shape: the engine sums it down
    class ScaleRows(Function):
        @staticmethod
        def forward(ctx, x, s):
            ctx.save_for_backward(x, s)
            return x * s

        @staticmethod
        def backward(ctx, grad):
            x, s = ctx.saved_tensors
            return grad * s, grad * x  # grad * x has x's (3, 4) shape; s is (3, 1)

    x, s = Tensor(np.ones((3, 4)), requires_grad=True), Tensor(np.full((3, 1), 2.0), requires_grad=True)
    ScaleRows.apply(x, s).sum().backward()
    np.testing.assert_array_equal(s.grad.data, np.full((3, 1), 4.0))
