"""Diagrams to explore, without a browser: tooltips, legend, nesting depth, the HTML page, and
the WebAssembly renderer's size limit. (In a real browser: tests/viz/test_browser.py.)"""
import re
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini.viz import render
from autograd_mini.viz.graph import draw_graph, retain_grads
from autograd_mini.viz.html import html_page
from autograd_mini.viz.render import GraphvizNotInstalledError, count_nodes

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


def nested(blocks=2, layers=2):
    rng = np.random.default_rng(0)
    h = am.Tensor(rng.normal(size=(4, 3)), name="x")
    for block in range(blocks):
        for layer in range(layers):
            prefix = f"model/block{block}/dense{layer}"
            w = am.Tensor(rng.normal(size=(3, 3)), requires_grad=True, name=f"{prefix}/kernel")
            b = am.Tensor(np.zeros(3), requires_grad=True, name=f"{prefix}/bias")
            h = (h @ w + b).tanh()
    loss = h.sum()
    retain_grads(loss).backward()
    return loss


def svg_tooltips(svg: bytes) -> dict:
    """{node id: tooltip} from a Graphviz SVG (the tooltip is an <a xlink:title> in the node)."""
    out = {}
    for g in ET.fromstring(svg).iter(SVG + "g"):
        if g.get("class") == "node":
            a = g.find(f".//{SVG}a")
            out[g.find(SVG + "title").text] = a.get(XLINK_TITLE) if a is not None else None
    return out


def test_svg_tooltips_hold_full_values_gradient_shape_dtype_and_rule(no_dot):
    w = am.Tensor(np.arange(10.0) / 4, requires_grad=True, name="w")
    loss = (w * w).sum()
    loss.backward()
    tips = svg_tooltips(draw_graph(loss).pipe(format="svg"))
    weights = next(t for t in tips.values() if t and t.startswith("w\n"))
    # ten numbers: the label shows statistics (max_elements=6), the tooltip every number
    assert weights.splitlines() == [
        "w", "shape 10 · float64", "value [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25]",
        "grad [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]"]
    np.testing.assert_allclose(2 * w.data, w.grad.data)  # what the tooltip says is the gradient
    mul = next(t for t in tips.values() if t and t.startswith("mul\n"))
    rule = getattr(type(loss._ctx.parents[0]._ctx), "rule", None)
    assert (f"rule {rule}" if rule else "rule: Mul.backward") in mul
    assert "output shape 10 · float64" in mul


def test_big_arrays_show_their_corners_in_the_tooltip():
    from autograd_mini.viz.tooltips import MAX_TOOLTIP_ELEMENTS, full_values

    assert full_values(np.arange(MAX_TOOLTIP_ELEMENTS, dtype=float)).count(",") == MAX_TOOLTIP_ELEMENTS - 1
    big = full_values(np.arange(10_000.0))
    assert big == "[0, 1, 2, ..., 9997, 9998, 9999]"


def test_legend_is_drawn_on_request(no_dot):
    w = am.Tensor([0.5, -1.0], requires_grad=True, name="w")
    loss = (w * 2.0).sigmoid().sum()
    loss.backward()
    assert "cluster_legend" not in draw_graph(loss).source
    svg = draw_graph(loss, legend=True).pipe(format="svg").decode()
    for meaning in ("parameter (requires grad)", "input (no grad)", "output",
                    "forward: input to op", "gradient flow (backward)"):
        assert f">{meaning}<" in svg
    # the legend's parameter sample has the parameters' colours
    assert '<title>legend_n0</title>' in svg and 'fill="#d5f5e3"' in svg


def test_nested_layer_names_draw_boxes_in_boxes():
    source = draw_graph(nested()).source
    labels = re.findall(r'subgraph cluster_\d+ \{\n\t\tlabel="([^"]+)"', source)
    assert labels == ["model", "block0", "dense0", "dense1", "block1", "dense0", "dense1"]
    # the block boxes sit inside the model's: two more "{" open before the first "}" closes
    first_close = source.index("\t}\n")
    assert source[:first_close].count("subgraph cluster_") == 3


def test_depth_folds_deeper_layers_into_one_node_each():
    loss = nested()
    two = draw_graph(loss, depth=2).source
    labels = re.findall(r'subgraph cluster_\d+ \{\n\t\tlabel="([^"]+)"', two)
    assert labels == ["model", "block0", "block1"]
    assert len(re.findall(r'label="▸ dense\d: \d+ ops?\\n', two)) == 4
    one = draw_graph(loss, depth=1).source
    assert re.findall(r'subgraph cluster_\d+ \{\n\t\tlabel="([^"]+)"', one) == ["model"]
    assert 'label="▸ block0: ' in one and 'label="▸ block1: ' in one
    with pytest.raises(ValueError, match=r"depth must be None or an int >= 0, got -1"):
        draw_graph(loss, depth=-1)


def test_html_page_is_self_contained():
    loss = nested(1, 1)
    page = html_page([draw_graph(loss).pipe(format="svg")], title="a <graph>",
                     legend=draw_graph(loss).legend_entries)
    assert page.count("<svg") == 1 and "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert "<title>a &lt;graph&gt;</title>" in page
    outside_svg = page.split("<svg", 1)[0] + page.rsplit("</svg>", 1)[1]
    assert not re.search(r"(src|href)=\"?(https?:)?//", outside_svg)  # nothing fetched
    assert "parameter (requires grad)" in page


def test_flipbook_frames_cannot_close_the_script():
    page = html_page([b'<svg><text>&lt;/script&gt;</text></svg>', b"<svg></svg>"], pager=True)
    data = page.split('id="frames">', 1)[1].split("</script>", 1)[0]
    assert "</" not in data


def test_interactive_view_for_jupyter():
    view = draw_graph(nested(1, 1)).interactive(height=300)
    html = view._repr_html_()
    assert html.startswith("<iframe srcdoc=") and "height:300px" in html and "&lt;svg" in html


def test_count_nodes_counts_node_statements_only():
    source = draw_graph(nested(1, 1), legend=True).source
    lines = source.splitlines()
    expected = sum(1 for line in lines if re.match(r'\s*\w+ \[', line)
                   and not re.match(r"\s*(graph|node|edge) \[", line))
    assert count_nodes(source) == expected > 10


def test_too_big_for_webassembly_fails_up_front_saying_what_to_do(no_dot, monkeypatch):
    def no_render(*args, **kwargs):
        raise AssertionError("the renderer should not be started")

    monkeypatch.setattr(render, "_wasm_backend", no_render)
    nodes = "".join(f"\tn{k} [label=x]\n" for k in range(render.WASM_MAX_NODES + 1))
    start = time.perf_counter()
    with pytest.raises(GraphvizNotInstalledError) as info:
        render.render_svg("digraph {\n" + nodes + "}")
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert f"{render.WASM_MAX_NODES + 1:,} nodes" in message and "apt-get install graphviz" in message
    assert "max_nodes=" in message


def test_webassembly_renders_past_its_default_stack(no_dot):
    """4,003 nodes: wasmtime's default 512 KiB WebAssembly stack ran out here ("call stack
    exhausted"); the renderer's 2 MiB stack on its own thread lays it out."""
    rng = np.random.default_rng(0)
    h = am.Tensor(rng.normal(size=4), name="x")
    for k in range(500):
        h = (h * am.Tensor(rng.normal(size=4), requires_grad=True) + 1.0).sigmoid()
    dot = draw_graph(h, collapse=False, max_nodes=None, show_values=False)
    assert count_nodes(dot.source) > 3_000
    svg = dot.pipe(format="svg")
    assert svg.count(b'class="node"') == count_nodes(dot.source)
