"""The seeds' notebooks (examples/notebooks/) run top to bottom in a fresh Jupyter kernel.

Checked as a reader would see them: no error, every figure a picture (image/png), every diagram an
SVG, training output compact (a fit leaves at most a couple of lines), and each notebook well under
a minute. The files are stored without outputs (README: "Notebooks"), which is checked too.
"""
import time
from pathlib import Path

import pytest

from jupyter_kernel import execute, mime_types, nbformat, text_lines

pytest.importorskip("matplotlib")  # the notebooks draw: they need the `plot` extra

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "examples" / "notebooks").glob("*.ipynb"))
SEEDS = ["000", "001", "002", "003", "004"]


def test_one_notebook_per_seed_stored_without_outputs():
    assert [path.name[:3] for path in NOTEBOOKS] == SEEDS
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code), path.name
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_a_fresh_kernel(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    execute(nb, tmp_path)                        # raises CellExecutionError, with the cell, on any error
    seconds = time.perf_counter() - started
    assert seconds < 60, f"{path.name} took {seconds:.0f} s"
    pictures = diagrams = 0
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        types = mime_types(cell.outputs)
        assert "application/vnd.jupyter.stderr" not in types
        assert not [o for o in cell.outputs if o["output_type"] == "error"]
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], (cell.source, cell.outputs)
        for out in cell.outputs:
            plain = out.get("data", {}).get("text/plain", "")
            if "Figure size" in plain:                 # a figure's text form: the picture must be there
                assert "image/png" in out["data"], cell.source
                pictures += 1
            if "Diagram at" in plain:                  # a diagram's text form: the SVG must be there
                assert "image/svg+xml" in out["data"] and "<svg" in out["data"]["text/html"], cell.source
                diagrams += 1
        if ".fit(" in cell.source and "verbose=2" not in cell.source:
            assert len(text_lines(cell.outputs)) <= 4, (cell.source, text_lines(cell.outputs))
    assert pictures >= 2 and diagrams >= 1
