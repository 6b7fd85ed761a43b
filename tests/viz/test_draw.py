"""draw_graph: the DOT it writes for known graphs, and that it renders with and without `dot`."""
import re
import time

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini.viz.graph import draw_graph, format_array, layer_of_name, retain_grads
from autograd_mini.viz.render import Diagram, GraphvizNotInstalledError
from conftest import needs_dot, svg_texts

NODE = re.compile(r"^\t+(\w+) \[(label=.*)\]$", re.M)
EDGE = re.compile(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)


def nodes(dot):
    """{node id: its attribute text} from the DOT source."""
    return {m.group(1): m.group(2) for m in NODE.finditer(dot.source)}


def edges(dot, grad=None):
    """(tail, head) pairs; grad=True: only gradient-flow edges, False: only forward edges."""
    out = []
    for m in EDGE.finditer(dot.source):
        is_grad = "dir=back" in (m.group(3) or "")
        if grad is None or grad == is_grad:
            out.append((m.group(1), m.group(2)))
    return out


LABEL = re.compile(r'label="((?:[^"\\]|\\.)*)"')


def fields(attrs):
    """A node's label as its record fields, unescaped: ["w", "2 · float32", "[0.5, -1]", ...]."""
    text = LABEL.search(attrs).group(1)
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    parts = re.split(r"(?<!\\)\|", text)
    return [re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), f) for f in parts]


def label_of(dot, first):
    """The fields of the one node whose label starts with the field `first` (a name, an op)."""
    found = [fields(attrs) for attrs in nodes(dot).values() if fields(attrs)[0] == first]
    assert len(found) == 1, (first, found)
    return found[0]


def attrs_of(dot, first):
    found = [attrs for attrs in nodes(dot).values() if fields(attrs)[0] == first]
    assert len(found) == 1, (first, found)
    return found[0]


def logistic():
    """p = sigmoid(sum(w * x) + b): 4 ops, 3 leaves (w, b parameters; x data)."""
    x = am.Tensor([1.0, 2.0], name="x")
    w = am.Tensor([0.5, -1.0], requires_grad=True, name="w")
    b = am.Tensor(0.25, requires_grad=True, name="b")
    p = ((w * x).sum() + b).sigmoid()
    return x, w, b, p


def test_forward_graph_structure():
    x, w, b, p = logistic()
    dot = draw_graph(p)
    assert isinstance(dot, Diagram)
    ids = nodes(dot)
    assert len(ids) == 3 + 2 * 4  # 3 leaves; an op node and a value node per op
    assert sorted(i for i in ids if i.startswith("o")) == ["o0", "o1", "o2", "o3"]
    # each op -> its value (4), plus the inputs: mul 2, sum 1, add 2, sigmoid 1
    assert len(edges(dot)) == 4 + 6
    assert edges(dot, grad=True) == []  # no backward yet: no gradient flow, no grads
    assert "grad" not in dot.source
    for op in ("mul", "sum", "add", "sigmoid"):
        assert f'label="{op}"' in dot.source
    # names, shapes, dtypes and the numbers themselves
    assert label_of(dot, "w") == ["w", "2 · float32", "[0.5, -1]"]
    assert label_of(dot, "x") == ["x", "2 · float32", "[1, 2]"]
    assert label_of(dot, "b") == ["b", "scalar · float32", "0.25"]
    assert label_of(dot, "output") == ["output", "scalar · float32", f"{float(p.data):.4g}"]
    assert fields(nodes(dot)["v0"]) == ["2 · float32", "[0.5, -2]"]  # unnamed intermediate
    assert label_of(draw_graph(p, rankdir="TB"), "w") == ["w", "2 · float32", "[0.5, -1]"]
    assert ("v3", "o3") not in edges(dot) and ("o3", "v3") in edges(dot)


def test_gradients_and_gradient_flow_after_backward():
    x, w, b, p = logistic()
    retain_grads(p).backward()
    dot = draw_graph(p)
    s = float(p.data) * (1 - float(p.data))  # dp/dz for z = sum(w*x) + b
    assert label_of(dot, "b")[-1] == f"grad {s:.4g}"
    assert label_of(dot, "w")[-1] == f"grad [{s * 1:.4g}, {s * 2:.4g}]"
    assert len(label_of(dot, "x")) == 3  # data gets no gradient
    assert label_of(dot, "output")[-1] == "grad 1"
    # gradient flow: against each op -> value edge (4) and each input edge that needs grad (5: not x)
    grad_edges = edges(dot, grad=True)
    assert len(grad_edges) == 4 + 5
    assert ("l1", "o0") not in grad_edges  # x is l1: no gradient flows into data
    assert len(edges(dot, grad=False)) == 10
    assert draw_graph(p, show_grads=False).source.count("grad") == 0
    assert "dir=back" not in draw_graph(p, show_grad_flow=False).source


def test_without_retained_grads_the_leaves_have_them_and_a_hint_says_why_the_rest_do_not():
    x, w, b, p = logistic()
    p.backward()
    dot = draw_graph(p)
    assert label_of(dot, "w")[-1].startswith("grad")
    assert not label_of(dot, "output")[-1].startswith("grad")
    assert "retain_grads" in dot.source


def test_kinds_of_nodes_look_different():
    x, w, b, p = logistic()
    q = p * 2.0  # 2.0 becomes a constant leaf
    dot = draw_graph(q)
    fills = {}
    for first, kind in (("w", "param"), ("x", "input"), ("output", "output"), ("2", "const")):
        fills[kind] = re.search(r'fillcolor="([^"]+)"', attrs_of(dot, first)).group(1)
    assert len(set(fills.values())) == 4
    assert "dashed" in attrs_of(dot, "2") and "shape=box" in attrs_of(dot, "2")


def test_names_option_and_summary_statistics_for_big_values():
    x = am.Tensor(np.arange(12.0).reshape(3, 4))
    w = am.Tensor(np.ones((4, 2)), requires_grad=True)
    y = (x @ w).max(axis=1).mean()
    dot = draw_graph(y, names={"X": x, w: "W"})
    assert label_of(dot, "X") == ["X", "3×4 · float64", "mean 5.5 · std 3.452\nrange [0, 11]"]
    assert label_of(dot, "W")[1] == "4×2 · float64"
    assert label_of(dot, "max\naxis=1")  # op options shown
    assert "matmul" in dot.source and "mean" in dot.source
    assert "[2, 2]" not in draw_graph(y, show_values=False).source


def test_format_array():
    assert format_array(np.float32(0.5)) == ["0.5"]
    assert format_array(np.array([[1.0, 2.0], [3.0, 4.0]])) == ["[[1, 2], [3, 4]]"]
    lines = format_array(np.array([1.0, np.nan, np.inf, 3.0, 5.0, 7.0, 9.0]))
    assert lines[0] == "mean 5 · std 2.828" and "1 nan · 1 inf" in lines[-1]


def test_node_order_is_deterministic():
    def build():
        am_x = am.Tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
        h = (am_x * am_x).exp() + am_x.sigmoid() * am_x.tanh()
        return (h.max() + h.sum()).log()
    assert draw_graph(build()).source == draw_graph(build()).source


def test_a_value_used_twice_gets_two_edges_and_a_leaf_output_is_one_node():
    a = am.Tensor(3.0, requires_grad=True, name="a")
    dot = draw_graph(a * a)
    assert edges(dot).count(("l0", "o0")) == 2
    single = draw_graph(am.Tensor([1.0, 2.0], name="lonely"))
    assert len(nodes(single)) == 1 and edges(single) == []


def test_several_outputs_share_one_picture():
    x = am.Tensor([1.0, -1.0], requires_grad=True, name="x")
    h = x.sigmoid()
    dot = draw_graph([h.sum(), (h * 3.0).mean()])
    assert dot.source.count('"output|') == 2
    assert label_of(dot, "sigmoid")  # the shared op is drawn once


def test_compact_mode_puts_each_value_in_its_op_node():
    x, w, b, p = logistic()
    dot = draw_graph(p, compact=True)
    assert len(nodes(dot)) == 3 + 4
    assert len(edges(dot)) == 6
    assert label_of(dot, "sigmoid")[1:3] == ["scalar · float32", f"{float(p.data):.4g}"]


def test_layers_from_names_become_clusters():
    x = am.Tensor([[1.0, 2.0]], name="x")
    h = x
    for name, (n_in, n_out) in (("dense", (2, 3)), ("dense_1", (3, 1))):
        kernel = am.Tensor(np.ones((n_in, n_out)), requires_grad=True, name=f"{name}/kernel")
        bias = am.Tensor(np.zeros(n_out), requires_grad=True, name=f"{name}/bias")
        z = am.linear(h, kernel, bias)  # unnamed: joins the layer of its parameters
        h = z.sigmoid()
        h.name = f"{name}/output"
    pre = h * 2.0  # after the last layer: in no layer
    dot = draw_graph(pre)
    clusters = re.findall(r'subgraph (cluster_\w+) \{\n\t\tlabel="([\w/]+)"', dot.source)
    assert [name for _, name in clusters] == ["dense", "dense_1"]
    inside = [part.split("\t}")[0] for part in dot.source.split("subgraph")[1:]]
    assert inside[0].count('label="linear"') == 1 and inside[0].count('label="sigmoid"') == 1
    assert "dense/kernel|" in inside[0] and "dense/bias|" in inside[0] and '"x|' not in inside[0]
    assert all('label="mul"' not in part for part in inside)  # the op after the layers
    assert layer_of_name(am.Tensor(1.0, name="a/b/c")) == "a/b"
    assert "subgraph" not in draw_graph(pre, cluster_layers=False).source


def chain(n_steps, width=4, seed=0):
    """h = sigmoid(h * w_k + b_k), n_steps times, then sum: 3 * n_steps + 1 ops."""
    rng = np.random.default_rng(seed)
    h = am.Tensor(rng.normal(size=width), name="x")
    for k in range(n_steps):
        w = am.Tensor(rng.normal(size=width), requires_grad=True, name=f"w{k}")
        b = am.Tensor(rng.normal(size=width), requires_grad=True, name=f"b{k}")
        h = (h * w + b).sigmoid()
    return h.sum()


def test_repeated_structure_is_collapsed():
    loss = chain(20)
    full = draw_graph(loss, collapse=False, max_nodes=None)
    assert len(nodes(full)) == 2 * 61 + 41
    folded = draw_graph(loss, max_nodes=None)
    summary = [attrs for attrs in nodes(folded).values() if "folded" in attrs]
    assert len(summary) == 1
    assert re.search(r"⋯ \d+ × \[(\w+ → ){2}\w+\]", summary[0])
    assert len(nodes(folded)) < 40
    assert 'label="sum"' in folded.source  # the output end stays drawn
    # every drawn node is connected
    connected = {n for e in edges(folded) for n in e}
    assert set(nodes(folded)) <= connected
    assert draw_graph(loss, collapse=3, max_nodes=None).source != draw_graph(loss, collapse=50, max_nodes=None).source


def test_node_cap_keeps_the_output_end_and_summarizes_the_rest():
    loss = chain(100, seed=1)
    capped = draw_graph(loss, collapse=False, max_nodes=60)
    ids = nodes(capped)
    assert len(ids) <= 60
    summary = [attrs for attrs in ids.values() if "earlier ops not drawn" in attrs]
    assert len(summary) == 1 and "sigmoid ×" in summary[0] and "parameters" in summary[0]
    assert 'label="sum"' in capped.source and '"output|' in capped.source
    assert '"w0|' not in capped.source and '"w99|' in capped.source
    tails = {t for t, h in edges(capped)}
    assert any(t.startswith("s") for t in tails)  # the summary feeds what is drawn


def test_a_6000_op_graph_draws_in_full_and_folded():
    loss = chain(2000)  # 6,001 ops, 4,001 leaves
    retain_grads(loss).backward()
    start = time.perf_counter()
    dot = draw_graph(loss, collapse=False, max_nodes=None)
    source = dot.source
    elapsed = time.perf_counter() - start
    assert source.count('label="sigmoid"') == 2000
    assert len(nodes(dot)) == 2 * 6001 + 4001
    # a guard against accidental quadratic time, not a timing (measured in benchmarks/, never in a test)
    assert elapsed < 30.0, f"drawing 6,001 ops took {elapsed:.2f} s"
    start = time.perf_counter()
    folded = draw_graph(loss).source
    assert time.perf_counter() - start < 30.0 and len(folded) < len(source) // 50


def test_svg_without_the_graphviz_program(no_dot, tmp_path):
    x, w, b, p = logistic()
    retain_grads(p).backward()
    dot = draw_graph(p)
    texts = svg_texts(dot.pipe(format="svg"))
    assert "sigmoid" in texts and "w" in texts and any(t and t.startswith("grad") for t in texts)
    path = dot.render(tmp_path / "graph", format="svg")
    assert path.endswith(".svg") and b"<svg" in open(path, "rb").read()
    assert "image/svg+xml" in dot._repr_mimebundle_()


def test_other_formats_without_the_program_name_it(no_dot):
    x, w, b, p = logistic()
    with pytest.raises(GraphvizNotInstalledError, match="apt-get install graphviz"):
        draw_graph(p).pipe(format="gif")  # PNG and PDF work without it now


@needs_dot
def test_png_with_the_graphviz_program(tmp_path):
    x, w, b, p = logistic()
    retain_grads(p).backward()
    png = draw_graph(p).pipe(format="png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    path = draw_graph(p).render(tmp_path / "graph", format="png")
    assert open(path, "rb").read(4) == b"\x89PNG"
