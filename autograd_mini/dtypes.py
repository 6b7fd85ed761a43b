"""The default float dtype: what ints, bools and Python numbers become.

>>> import autograd_mini as am
>>> am.Tensor(1).dtype
dtype('float32')
>>> am.set_default_dtype("float64"); am.Tensor(1).dtype
dtype('float64')
"""
from __future__ import annotations

import numpy as np

_default = np.dtype(np.float32)  # Keras and PyTorch both default to float32


def get_default_dtype() -> np.dtype:
    return _default


def set_default_dtype(dtype) -> None:
    """Set the float dtype that non-float data (ints, bools, Python numbers) becomes."""
    global _default
    if dtype is None:  # np.dtype(None) would quietly mean float64
        raise TypeError("set_default_dtype(dtype=None): dtype must be a float dtype such as 'float32' or "
                        "'float64'")
    try:
        new = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"set_default_dtype(dtype={dtype!r}): dtype must be a float dtype such as 'float32' "
                        f"or 'float64'") from None
    if new.kind != "f":
        raise TypeError(f"default dtype must be a float dtype, got {new}")
    _default = new
