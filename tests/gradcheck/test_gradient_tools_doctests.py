"""The docstring examples of the gradient-testing modules run as written."""
import doctest
import importlib

import pytest

MODULES = ["autograd_mini.gradient_check", "autograd_mini.numpy_gradient_check", "autograd_mini.finite_differences",
           "autograd_mini.second_order_check", "autograd_mini.functional", "autograd_mini.numpy_dispatch"]


@pytest.mark.filterwarnings("ignore:gradcheck. float32 inputs")
@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
