"""What a Jupyter kernel sends for each kind of object: the mime bundles a notebook displays.

One fresh kernel runs all the cells below (no %matplotlib magic anywhere); each test reads the
outputs of its cell: text/html for Tensors and gradcheck reports, image/png for figures,
image/svg+xml (sized to the output width) for diagrams and plot_model.
"""
import base64
import re

import pytest

from jupyter_kernel import mime_types, run_cells

CELLS = {
    "setup": """
import numpy as np
import autograd_mini as am
import nn
from autograd_mini import Function, Tensor

class BadSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x  # wrong on purpose: forgets the factor 2

w = Tensor([0.5, -1.5, 2.0], requires_grad=True, name="w")
y = (w * w).sum()
y.backward()
""",
    "leaf": "w",
    "made_by_op": "w * w",
    "constant": "Tensor(np.zeros((3, 40)))",
    "report_ok": "am.gradcheck(lambda x: (x * x.sigmoid()).sum(), [Tensor([0.5, -1.0, 2.0])])",
    "report_failed": "am.gradcheck(lambda x: BadSquare.apply(x).sum(), [Tensor([1.0, 2.0])])",
    "figure": "nn.plots.plot_history({'loss': [1.0, 0.5, 0.25], 'accuracy': [0.5, 0.75, 1.0]})",
    "diagram": "am.draw_graph(y)",
    "explain": "am.explain(y, w)",
    "plot_model": """
model = nn.Sequential([nn.Dense(3, input_dim=1), nn.Activation("sigmoid"), nn.Dense(1)])
nn.plot_model(model)""",
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    nb, _ = run_cells(list(CELLS.values()), tmp_path_factory.mktemp("display"))
    return {name: cell.outputs for name, cell in zip(CELLS, nb.cells)}


def result_of(outputs) -> dict:
    """The mime bundle of the cell's value (other outputs, e.g. warnings, are streams)."""
    (result,) = [out for out in outputs if out["output_type"] == "execute_result"]
    return result["data"]


def html_of(outputs) -> str:
    return result_of(outputs)["text/html"]


def test_tensor_as_html_with_shape_dtype_grad(outputs):
    html = html_of(outputs["leaf"])
    assert "shape (3,)" in html and "float32" in html and "name=&#x27;w&#x27;" in html
    assert "requires_grad" in html
    assert "[ 0.5, -1.5,  2. ]" in html                         # the values
    assert re.search(r"grad</span><pre[^>]*>\[ 1., -3.,  4.\]", html)   # .grad = 2w, shown after it
    assert mime_types(outputs["leaf"]) == {"text/plain", "text/html"}


def test_tensor_made_by_an_op_names_it_and_has_no_grad_yet(outputs):
    html = html_of(outputs["made_by_op"])
    assert "grad_fn=mul" in html and ">grad<" not in html
    constant = html_of(outputs["constant"])
    assert "shape (3, 40)" in constant and "constant" in constant and "..." in constant  # summarised


def test_gradcheck_report_as_an_html_table_and_plain_table(outputs):
    ok = result_of(outputs["report_ok"])
    assert "<table" in ok["text/html"] and "gradcheck passed" in ok["text/html"] and ">Taylor<" in ok["text/html"]
    assert ok["text/plain"].startswith("gradcheck passed") and "max abs err" in ok["text/plain"]
    failed = result_of(outputs["report_failed"])
    assert "gradcheck FAILED" in failed["text/html"] and "MISMATCH" in failed["text/html"]
    assert "BadSquare" in failed["text/html"]                     # the culprit op is named
    assert "MISMATCH" in failed["text/plain"]


def test_figures_display_as_png_in_a_fresh_kernel(outputs):
    data = result_of(outputs["figure"])
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")


def test_diagrams_display_as_svg_scaled_to_the_output_width(outputs):
    for name in ("diagram", "plot_model"):
        data = result_of(outputs[name])
        svg = data["image/svg+xml"]
        assert "<svg" in svg and 'style="max-width:100%;height:auto"' in svg
        # inline too, so that an exported page (where image/svg+xml becomes an <img>) scales it
        assert data["text/html"].startswith('<svg style="max-width:100%;height:auto"')
    assert "Dense" in result_of(outputs["plot_model"])["image/svg+xml"]


def test_explain_shows_its_chain_rule_as_formatted_tables(outputs):
    data = result_of(outputs["explain"])
    assert "<table" in data["text/html"] and "∂(a·b)/∂a = b" in data["text/html"]
    assert "| op | rule |" in data["text/markdown"]
