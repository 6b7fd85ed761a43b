"""Run notebook cells in a real Jupyter kernel (nbclient + ipykernel) and read what it sent back.

A helper for the notebook tests, not a test module. The kernel is this interpreter (sys.executable),
named through a kernelspec written to a temporary folder, so a "python3" kernel installed elsewhere
on the machine is never picked up by mistake.
"""
from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need the `notebook` extra")
nbclient = pytest.importorskip("nbclient", reason="the notebook tests need the `notebook` extra")
pytest.importorskip("ipykernel", reason="the notebook tests need the `notebook` extra")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402  (installed with nbclient)
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

KERNEL = "autograd-mini-tests"


def _kernel_manager() -> AsyncKernelManager:
    folder = Path(tempfile.mkdtemp(prefix="am-kernel-")) / KERNEL
    folder.mkdir()
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "autograd_mini tests", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec))
    specs = KernelSpecManager(kernel_dirs=[str(folder.parent)], ensure_native_kernel=False)
    return AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)


class CountingClient(nbclient.NotebookClient):
    """A NotebookClient that also counts, per cell, the display updates the kernel sent
    (each one replaced an output in place, so the saved notebook only shows the last)."""

    def __init__(self, nb, **kwargs):
        super().__init__(nb, **kwargs)
        self.updates: dict[int, int] = {}

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] == "update_display_data":
            self.updates[cell_index] = self.updates.get(cell_index, 0) + 1
        return super().process_message(msg, cell, cell_index)


def execute(nb, cwd: Path, timeout: int = 120) -> CountingClient:
    """Execute `nb` in place in a fresh kernel started in `cwd`; raises CellExecutionError on an error."""
    client = CountingClient(nb, km=_kernel_manager(), timeout=timeout, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(cwd)}})
    # One BLAS thread, as the test process: on a shared 2-core machine, BLAS threads fighting for the
    # cores made a 3x512 ReLU network's epoch 10x slower.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    try:
        client.execute(env=env)
    finally:
        # Finalize the kernel client's sockets now, inside this test: left to a later garbage
        # collection, their ResourceWarnings would land in whichever test runs then.
        gc.collect()
    return client


def run_cells(cells: list[str], cwd: Path, timeout: int = 120):
    """A notebook of these code cells, executed; returns (notebook, client)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    client = execute(nb, cwd, timeout)
    return nb, client


def text_lines(outputs) -> list[str]:
    """The non-blank lines of text a reader sees in a cell's outputs (streams and text/plain
    displays). Blank ones are left out: how a kernel splits a stream into messages varies (on
    Python 3.13 a print's text can arrive with an extra empty line)."""
    lines = []
    for out in outputs:
        if out["output_type"] == "stream":
            lines += out["text"].splitlines()
        elif "data" in out:
            lines += out["data"].get("text/plain", "").splitlines()
    return [line for line in lines if line.strip()]


def mime_types(outputs) -> set[str]:
    return {mime for out in outputs for mime in out.get("data", {})}
