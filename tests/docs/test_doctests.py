"""Every docstring example in autograd_mini and nn runs, module by module, as pytest collects it.

Each module starts from the same global state (default dtype float32, grad mode on, nn's random
seed 0), so examples do not depend on the order they run in. A module whose import needs an
optional dependency that is not installed is skipped, naming it."""
import doctest
import importlib
import importlib.util
import pkgutil

import numpy as np
import pytest

import autograd_mini
import nn

MODULES = sorted(
    info.name for package in (autograd_mini, nn)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
)
OPTIONAL = {"matplotlib", "IPython", "ipywidgets", "selenium", "PIL", "resvg_py", "torch"}


@pytest.fixture
def clean_state():
    from autograd_mini import grad_mode
    autograd_mini.set_default_dtype("float32")
    nn.utils.set_random_seed(0)
    nn.utils.clear_session()  # layer names start again at "dense"
    with grad_mode.enable_grad():
        yield
    autograd_mini.set_default_dtype("float32")


# examples that call code missing from the repository: skipped, named, until it arrives
MISSING = {"autograd_mini.gradient_check": "autograd_mini.second_order_check"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, clean_state):
    if name in MISSING and importlib.util.find_spec(MISSING[name]) is None:
        pytest.skip(f"{name}'s examples need {MISSING[name]}, which is not in the repository")
    try:
        module = importlib.import_module(name)
    except ImportError as err:
        if err.name and err.name.split(".")[0] in OPTIONAL:
            pytest.skip(f"{name} needs the optional {err.name}")
        raise
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)  # in the module's namespace
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list = []
    for test in tests:
        runner.run(test, out=lambda text: failures.append(text))
    assert runner.failures == 0, "".join(failures)

