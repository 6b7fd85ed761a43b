"""Plumbing shared by the example scripts: arguments, the output folder, headline numbers.

Every example is ``python examples/NAME.py [--out DIR] [--quick]``: figures go to
``DIR`` (default ``./outputs``), ``--quick`` is a shortened run (the tests use it).
Its ``main(argv)`` returns the headline numbers it printed, as a dict.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# Run from a source checkout without installing: the repository root goes first on sys.path.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("MPLBACKEND", "Agg")  # headless, even if something imports pyplot
# One BLAS thread unless the user says otherwise: the examples' matrices are small, and on a
# shared or busy machine OpenBLAS's worker threads fight for cores -- a 128×512 @ 512×512
# product measured 1.5 ms on one thread and 21 ms on two under load. (Takes effect only if
# this module is imported before numpy, as the examples do.)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


class Run:
    """Arguments, output paths and the headline numbers of one example run."""

    def __init__(self, description: str, argv=None):
        parser = argparse.ArgumentParser(description=(description or "").strip().splitlines()[0])
        parser.add_argument("--out", default="outputs", metavar="DIR",
                            help="folder for the figures (default: ./outputs)")
        parser.add_argument("--quick", action="store_true",
                            help="a short run with fewer epochs (what the tests use)")
        args = parser.parse_args(argv)
        self.quick: bool = args.quick
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.results: dict = {}
        self.files: list[Path] = []
        self._start = time.perf_counter()

    def epochs(self, full: int, quick: int) -> int:
        """``full`` epochs normally, ``quick`` with --quick."""
        return quick if self.quick else full

    def path(self, name: str) -> Path:
        """Where to write the output file ``name``; remembered for the summary at the end."""
        path = self.out / name
        self.files.append(path)
        return path

    def report(self, key: str, value, text: str | None = None):
        """Record a headline number and print it (``text`` defaults to ``key: value``)."""
        self.results[key] = value
        if text is None:
            shown = f"{value:.4f}" if isinstance(value, float) else str(value)
            text = f"{key}: {shown}"
        print(text, flush=True)
        return value

    def done(self) -> dict:
        """Print the files written and the run time; returns the headline numbers."""
        for path in self.files:
            if path.exists():
                print(f"wrote {path}")
        print(f"done in {time.perf_counter() - self._start:.1f} s"
              + (" (--quick)" if self.quick else ""), flush=True)
        return self.results


def affine(w: float, b: float, x: str = "x", digits: int = 2) -> str:
    """``w·x + b`` as text with a real minus sign: affine(1.5, -2.4) -> '1.50·x − 2.40'."""
    return f"{w:.{digits}f}·{x} {'−' if b < 0 else '+'} {abs(b):.{digits}f}"
