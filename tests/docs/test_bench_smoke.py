"""Smoke run of the performance benchmark (benchmarks/bench.py --quick), without PyTorch.

Not a measurement: it checks that the script runs, that every contender computes the same
thing as the hand-written numpy version (the script exits 1 otherwise), and that it prints
its table."""
import subprocess
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"


@pytest.mark.skipif(not BENCH.exists(), reason="benchmarks/ not in this checkout")
def test_bench_quick_runs_and_prints_the_table():
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--no-torch"],
        capture_output=True, text=True, timeout=120, cwd=BENCH.parent.parent,
    )
    elapsed = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "| workload | numpy | library | torch | lib/numpy | lib/torch |" in proc.stdout, output
    assert "CHECK FAILED" not in proc.stdout, output
    for workload in ("sigmoid BCE", "3x512 ReLU", "elementwise", "-op chain", "peak memory"):
        assert workload in proc.stdout, output
    assert elapsed < 60, f"the --quick run took {elapsed:.1f} s"


PAIRED = BENCH.parent / "paired.py"


@pytest.mark.skipif(not PAIRED.exists(), reason="benchmarks/ not in this checkout")
def test_paired_quick_runs_each_side_in_its_own_process_and_prints_both():
    """benchmarks/paired.py, the working tree against itself: each side's child process must
    import the library from the side's folder (the script refuses otherwise), and the table
    names all three workloads with a difference of exactly zero (one side, measured once)."""
    proc = subprocess.run([sys.executable, str(PAIRED), "WORKTREE", "--quick"],
                          capture_output=True, text=True, timeout=120, cwd=BENCH.parent.parent)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    for workload in ("eager", "fit", "elementwise"):
        line = next(line for line in proc.stdout.splitlines() if line.startswith(workload))
        assert "+0.00µs" in line, output
