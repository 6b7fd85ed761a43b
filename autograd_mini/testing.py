"""Tools for your own gradient tests: Hypothesis strategies and `assert_grad_close`.

Needs Hypothesis (`pip install "autograd_mini[test]"`) for the strategies.

>>> import numpy as np
>>> import autograd_mini as am
>>> from hypothesis import given, settings
>>> from autograd_mini.testing import tensors, assert_grad_close
>>> @settings(max_examples=20, deadline=None)
... @given(tensors(shape=(3,), dtype="float64", away_from=(0.0,)))
... def test_relu_gradient(x):
...     x.relu().sum().backward()
...     assert_grad_close(x.grad, (x.data > 0).astype(float))
>>> test_relu_gradient()
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .gradient_check import GradcheckReport, InputCheck, remember
from .tensor import Tensor

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError:  # assert_grad_close works without Hypothesis; the strategies say what to install
    st = hnp = None

__all__ = ["dtypes", "shapes", "broadcastable_shapes", "arrays", "tensors", "assert_grad_close"]


def _hypothesis():
    if st is None:
        raise ImportError("autograd_mini.testing's strategies need Hypothesis: pip install hypothesis "
                          "(or autograd_mini[test])")


def dtypes() -> "st.SearchStrategy[np.dtype]":
    """float32 or float64 (the dtypes a Tensor holds)."""
    _hypothesis()
    return st.sampled_from([np.dtype(np.float32), np.dtype(np.float64)])


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> "st.SearchStrategy[tuple]":
    """Array shapes, small enough for element-by-element finite differences."""
    _hypothesis()
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
                         max_side: int = 4) -> "st.SearchStrategy[tuple]":
    """Tuples of `num_shapes` shapes that numpy broadcasts together (e.g. ((3, 1), (4,)))."""
    _hypothesis()
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side).map(lambda b: b.input_shapes)


def arrays(shape=None, dtype=None, *, min_value: float = -3.0, max_value: float = 3.0,
           away_from: Sequence[float] = (), margin: float = 1e-3, distinct: bool = False) -> "st.SearchStrategy":
    """Float arrays for gradient tests.

    shape, dtype: fixed values or strategies (drawn from `shapes()` and float64 when None).
    away_from: kinks to stay at least `margin` from (e.g. (0.0,) for relu and abs): values
    closer are pushed out to kink ± margin, so finite differences never straddle a kink.
    distinct: every pair of values at least `margin` apart (no tied maxima)."""
    _hypothesis()
    shape = shapes() if shape is None else shape
    dtype = np.dtype(np.float64) if dtype is None else dtype
    if not isinstance(dtype, st.SearchStrategy):
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"arrays(dtype=...): a float dtype, got {dtype}")
    kinks = tuple(float(k) for k in away_from)

    def push(value: float) -> float:
        for k in kinks:
            if abs(value - k) < margin:
                value = k + margin if value >= k else k - margin
        return value

    def elements(dt: np.dtype):
        width = 32 if np.dtype(dt).itemsize == 4 else 64
        return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, width=width).map(push)

    def build(dt):
        strategy = hnp.arrays(dt, shape, elements=elements(dt), unique=distinct)
        if distinct:
            strategy = strategy.filter(lambda a: a.size < 2 or np.min(np.diff(np.sort(a, axis=None))) >= margin)
        return strategy

    return dtype.flatmap(build) if isinstance(dtype, st.SearchStrategy) else build(dtype)


def tensors(shape=None, dtype=None, *, requires_grad: bool = True, **options) -> "st.SearchStrategy[Tensor]":
    """Tensors (requiring grad by default) holding `arrays(shape, dtype, **options)`."""
    return arrays(shape, dtype, **options).map(lambda a: Tensor(a, requires_grad=requires_grad))


def assert_grad_close(actual, expected, *, atol: float = 1e-5, rtol: float = 1e-3,
                      names: Sequence[str] | None = None) -> GradcheckReport:
    """Assert that gradients match element by element: |actual - expected| <= atol + rtol·|expected|.

    actual, expected: one gradient or a sequence of them (arrays or Tensors). On a mismatch
    the AssertionError carries gradcheck's table (worst element, both values), and pytest's
    gradcheck section shows it too. Returns the report."""
    single = not isinstance(actual, (list, tuple))
    actual = [actual] if single else list(actual)
    expected = [expected] if single else list(expected)
    if len(actual) != len(expected):
        raise AssertionError(f"assert_grad_close: {len(actual)} actual gradients but {len(expected)} expected")
    names = list(names) if names is not None else [None] * len(actual)
    checks = [_compare(i, a, e, atol, rtol, names[i]) for i, (a, e) in enumerate(zip(actual, expected))]
    bad = [c for c in checks if not c.ok]
    culprit = (f"first mismatch: {bad[0].where()}: actual {bad[0].analytic:.6g}, expected {bad[0].numeric:.6g}"
               if bad else None)
    report = GradcheckReport(checks, culprit, f"atol={atol:g}, rtol={rtol:g}", title="assert_grad_close",
                             sides=("actual", "expected"))
    if not report:
        remember(report)
        raise AssertionError(str(report))
    return report


def _compare(i: int, actual, expected, atol: float, rtol: float, name) -> InputCheck:
    a = np.asarray(getattr(actual, "data", actual), dtype=np.float64)
    e = np.asarray(getattr(expected, "data", expected), dtype=np.float64)
    if a.shape != e.shape:
        raise AssertionError(f"assert_grad_close: gradient {i} has shape {a.shape}, expected shape {e.shape}")
    err = np.abs(a - e)
    bad = ~(err <= atol + rtol * np.abs(e))  # nan counts as a mismatch
    score = np.where(np.isnan(err), np.inf, err)
    worst = tuple(int(k) for k in np.unravel_index(np.argmax(score), a.shape)) if a.size else ()
    rel = err / np.maximum(np.abs(e), 1e-12)
    return InputCheck(i, a.shape, float(np.max(err, initial=0)), float(np.max(rel, initial=0)), worst,
                      float(a[worst]) if a.size else 0.0, float(e[worst]) if a.size else 0.0, 0, not bad.any(),
                      name=name, analytic_array=a, numeric_array=e)
