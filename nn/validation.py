"""Arguments checked where they enter: each message names the argument, the value given and
what is accepted (with close matches for a misspelled name).

>>> from nn.validation import check_int, unknown_name
>>> check_int("fit", "epochs", 3, minimum=0)
3
>>> check_int("fit", "batch_size", -1, minimum=1)
Traceback (most recent call last):
...
ValueError: fit(batch_size=-1): batch_size must be an integer >= 1
>>> unknown_name("loss", "mean_squard_error", ["mean_squared_error", "mae"])
"unknown loss 'mean_squard_error' (did you mean 'mean_squared_error'?); valid names: mean_squared_error, mae"
"""
from __future__ import annotations

import difflib
import math
import numbers
from typing import Any, Iterable

import numpy as np


def unknown_name(kind: str, given: Any, valid: Iterable[str]) -> str:
    """The message for a name that is not one of `valid`, with the closest matches."""
    valid = list(valid)
    close = difflib.get_close_matches(str(given).lower(), valid, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return f"unknown {kind} {given!r}{hint}; valid names: {', '.join(valid)}"


def unknown_keywords(where: str, given: Iterable[str], valid: Iterable[str]) -> TypeError:
    """TypeError naming each unexpected keyword argument, with close matches."""
    valid = list(valid)
    parts = []
    for name in sorted(given):
        close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return TypeError(f"{where} got unexpected keyword argument{'s' if len(parts) > 1 else ''} {', '.join(parts)}; "
                     f"accepted: {', '.join(valid)}")


def check_int(where: str, name: str, value: Any, minimum: int | None = None) -> int:
    """An integer (bools refused) at least `minimum`."""
    accepted = "an integer" + ("" if minimum is None else f" >= {minimum}")
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{where}({name}={value!r}): {name} must be {accepted}, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where}({name}={value!r}): {name} must be {accepted}")
    return int(value)


def check_number(where: str, name: str, value: Any, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number in the range [low, high] (an end excluded when *_open)."""
    left = "" if low is None else f"{'>' if low_open else '>='} {low:g}"
    right = "" if high is None else f"{'<' if high_open else '<='} {high:g}"
    accepted = "a finite number" + (f" {left}" if left else "") + (" and" if left and right else "") + \
        (f" {right}" if right else "")
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{where}({name}={value!r}): {name} must be {accepted}, got {type(value).__name__}")
    given, value = value, float(value)
    bad = (not math.isfinite(value)
           or (low is not None and (value <= low if low_open else value < low))
           or (high is not None and (value >= high if high_open else value > high)))
    if bad:
        raise ValueError(f"{where}({name}={given!r}): {name} must be {accepted}")
    return value


def check_bool(where: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}({name}={value!r}): {name} must be True or False, got {type(value).__name__}")
    return bool(value)


def check_choice(where: str, name: str, value: Any, choices: Iterable) -> Any:
    choices = list(choices)
    if value not in choices or isinstance(value, bool) and True not in choices:
        close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close and isinstance(value, str) else ""
        raise ValueError(f"{where}({name}={value!r}): {name} must be one of "
                         f"{', '.join(repr(c) for c in choices)}{hint}")
    return value


def check_verbose(where: str, value: Any) -> int | str:
    """Keras's verbose: "auto" (returned as is), 0 (silent), 1 (progress bar) or 2 (one line per epoch)."""
    if isinstance(value, str) and value == "auto":
        return value
    if not isinstance(value, (numbers.Integral, np.integer)) or value not in (0, 1, 2):  # True/False: 1/0
        raise ValueError(f"{where}(verbose={value!r}): verbose must be 'auto', 0, 1 or 2")
    return int(value)


def check_batch_size(where: str, value: Any) -> int:
    """None means Keras's default, 32."""
    return 32 if value is None else check_int(where, "batch_size", value, minimum=1)
