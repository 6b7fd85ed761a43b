"""Two versions of the library side by side: is a change faster, by how many microseconds?

bench.py compares the library with hand-written numpy and PyTorch; this script compares the
library with itself at another commit, for changes of a microsecond or two that the shared
machine's drift (±20% from minute to minute) hides in separate runs. Each side runs in its own
process (two versions of one package cannot share one), the sides alternate round after round,
and each process reports the minimum over 9 repeats of its timings; the table gives both
sides' medians and the median of the per-round differences.

    python benchmarks/paired.py df89988              # that commit against the working tree
    python benchmarks/paired.py df89988 HEAD --rounds 6
    python benchmarks/paired.py HEAD --quick         # smoke run (numbers mean nothing)

Workloads (µs per step; elementwise per op), the library side of bench.py's:
eager (model(x), loss, backward, step, zero_grad on the talk's 1→3→1 network),
fit (one step of model.fit on it, an epoch of one batch), elementwise (five ops, forward and
backward, 100 float32 elements). One BLAS thread. A commit is checked out with `git archive`
into a temporary folder; the working tree is used as it is.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKLOADS = ("eager", "fit", "elementwise")


def measure(quick: bool) -> dict:
    """In a child process whose PYTHONPATH puts one version first: µs per step of each workload."""
    import numpy as np

    sys.path.insert(0, str(HERE))
    import bench  # this tree's harness (data, weights, model builder)

    sys.path.insert(0, os.environ["PYTHONPATH"])  # the library from the version measured (bench.py puts its own tree first)

    am, _ = bench.import_library()
    x, y, _ = bench.iris_petal_width()
    sizes, acts, loss = (1, 3, 1), ("sigmoid", "sigmoid"), "binary_crossentropy"
    weights = bench.init_weights(sizes, 0)
    eager = bench.LibraryEager(bench.library_model(sizes, acts, loss, weights), x, y, loss)
    fit = bench.LibraryFit(bench.library_model(sizes, acts, loss, weights), x, y)
    rng = np.random.default_rng(3)
    xv, wv, bv = (am.Tensor(rng.standard_normal(100).astype(np.float32), requires_grad=True) for _ in range(3))

    def elementwise():
        ((xv * wv + bv).sigmoid() * xv).sum().backward()
        xv.grad = wv.grad = bv.grad = None

    repeat, scale = (2, 0.02) if quick else (9, 1.0)
    epochs = max(2, int(200 * scale))

    def best(fn, number):
        number = max(1, int(number * scale))
        return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6

    return {"library": am.__file__,
            "eager": best(eager.step, 2000),
            "fit": best(lambda: fit.run(epochs), 5) / epochs,
            "elementwise": best(elementwise, 3000) / bench.ELEMENTWISE_OPS}


def checkout(rev: str, into: Path) -> Path:
    """`rev` as a folder: the working tree for "WORKTREE", else `git archive` of the commit."""
    if rev == "WORKTREE":
        return ROOT
    target = into / rev.replace("/", "_")
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def run_side(source: Path, quick: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=str(source), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    args = [sys.executable, str(Path(__file__).resolve()), "--child"] + (["--quick"] if quick else [])
    done = subprocess.run(args, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"measuring {source} failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["library"].startswith(str(source)):
        raise SystemExit(f"the child imported {result['library']}, not the version in {source}")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", nargs="?", help="a commit (or WORKTREE)")
    parser.add_argument("b", nargs="?", default="WORKTREE", help="a commit, or WORKTREE (default)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.quick)))
        return 0
    if args.a is None:
        parser.error("give a commit to compare with (e.g. HEAD~3)")
    with tempfile.TemporaryDirectory() as tmp:
        sides = {name: checkout(name, Path(tmp)) for name in dict.fromkeys([args.a, args.b])}
        rounds = {name: [] for name in sides}
        for i in range(1 if args.quick else args.rounds):
            for name in (list(sides) if i % 2 == 0 else list(sides)[::-1]):
                rounds[name].append(run_side(sides[name], args.quick))
    print_table(args.a, args.b, rounds)
    return 0


def print_table(a: str, b: str, rounds: dict) -> None:
    print(f"{'workload':12s} {a[:14]:>14s} {b[:14]:>14s} {'b - a (median of rounds)':>26s}")
    for w in WORKLOADS:
        ta, tb = [r[w] for r in rounds[a]], [r[w] for r in rounds[b]]
        diff = statistics.median(y - x for x, y in zip(ta, tb))
        print(f"{w:12s} {statistics.median(ta):12.2f}µs {statistics.median(tb):12.2f}µs "
              f"{diff:+20.2f}µs ({diff / statistics.median(ta):+.1%})")


if __name__ == "__main__":
    sys.exit(main())
