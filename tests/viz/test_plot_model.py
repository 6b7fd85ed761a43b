"""nn.plot_model: layers (Keras's boxes), neurons (the PyData talk's pictures), ops (clustered)."""
import re

import numpy as np
import pytest

import nn
from nn import Activation, Dense, Sequential
from nn.diagram import plot_model
from conftest import needs_dot, svg_texts

NODE = re.compile(r'^\t+(\w+) \[label="((?:[^"\\]|\\.)*)"', re.M)
EDGE = re.compile(r"^\t+(\w+) -> (\w+)$", re.M)  # visible edges (invisible ones carry attributes)


def nodes(dot):
    return {m.group(1): m.group(2).replace("\\n", "\n") for m in NODE.finditer(dot.source)}


def edges(dot):
    return EDGE.findall(dot.source)


def talk_hidden_layer():
    """The talk's network: Dense(3) -> sigmoid -> Dense(1) -> sigmoid on one input."""
    nn.set_random_seed(0)
    return Sequential([Dense(3, input_dim=1, name="hidden"), Activation("sigmoid", name="sig1"),
                       Dense(1, name="out"), Activation("sigmoid", name="sig2")])


def test_neurons_logistic_regression_is_x_then_affine_then_sigmoid():
    model = Sequential([Dense(1, input_dim=1), Activation("sigmoid")])
    dot = plot_model(model, detail="neurons")
    labels = list(nodes(dot).values())
    assert labels == ["x", "w·x + b", "σ\nŷ"]
    assert len(edges(dot)) == 2


def test_neurons_view_of_the_talks_hidden_layer_has_its_nine_nodes():
    dot = plot_model(talk_hidden_layer(), detail="neurons")
    labels = nodes(dot)
    # x; three paths of w_i·x + b_i then σ (y_i); the weighted sum; the final σ
    assert len(labels) == 1 + 3 + 3 + 1 + 1
    assert sorted(v for v in labels.values() if v.startswith("w")) == ["w₁·x + b₁", "w₂·x + b₂", "w₃·x + b₃"]
    assert sorted(v for v in labels.values() if v.startswith("σ")) == ["σ\ny₁", "σ\ny₂", "σ\ny₃", "σ\nŷ"]
    assert "W₁·y₁ + W₂·y₂ + W₃·y₃ + B" in labels.values()
    # x feeds the 3 paths, each path its σ, the 3 σ feed the sum, the sum the last σ
    assert len(edges(dot)) == 3 + 3 + 3 + 1
    by_label = {v: k for k, v in labels.items()}
    assert (by_label["σ\ny₂"], by_label["W₁·y₁ + W₂·y₂ + W₃·y₃ + B"]) in edges(dot)
    assert re.findall(r'label="(\w+) \((\w+)\)"', dot.source) == [
        ("hidden", "Dense"), ("sig1", "Activation"), ("out", "Dense"), ("sig2", "Activation")]


def test_neurons_with_weights_show_the_numbers():
    model = talk_hidden_layer()
    dot = plot_model(model, detail="neurons", show_weights=True)
    w = model.layers[0].kernel.data[0]
    first = [v for v in nodes(dot).values() if v.startswith("w₁·x")][0]
    assert first.split("\n")[1] == f"= {'−' if w[0] < 0 else ''}{abs(w[0]):.3g}·x + 0"
    W = model.layers[2].kernel.data[:, 0]
    assert f"{abs(W[2]):.3g}·y₃" in dot.source


def test_neurons_dense_with_activation_and_many_units():
    model = Sequential([Dense(20, input_shape=[5], activation="relu", name="wide"),
                        Dense(4, activation="softmax", name="probs")])
    dot = plot_model(model, detail="neurons", max_units=6)
    labels = list(nodes(dot).values())
    assert labels.count("relu\ny₁") == 1 and labels.count("relu\ny₂₀") == 1
    assert sum(v.startswith("relu") for v in labels) == 5  # 6 slots: 5 units and "⋮"
    assert "⋮ 15 more" in labels
    assert sum(v.startswith("softmax") for v in labels) == 4
    assert "Σᵢ wᵢ₁·xᵢ + b₁" in labels
    # softmax mixes all of its layer's units: 4 units x 4 softmax nodes
    softmax_in = [e for e in edges(dot) if nodes(dot)[e[1]].startswith("softmax")]
    assert len(softmax_in) == 16
    # one box per layer, holding both its columns
    assert re.findall(r'label="(\w+) \(Dense, (\w+)\)"', dot.source) == [("wide", "relu"), ("probs", "softmax")]


def test_layers_view_is_kerass_chain_of_boxes():
    dot = plot_model(talk_hidden_layer())
    labels = nodes(dot)
    assert list(labels) == ["input", "layer0", "layer1", "layer2", "layer3"]
    assert edges(dot) == [("input", "layer0"), ("layer0", "layer1"), ("layer1", "layer2"), ("layer2", "layer3")]
    assert labels["layer0"] == "{hidden (Dense)|{input: (None, 1)|output: (None, 3)}|params: 6}"
    assert labels["layer1"].startswith("{sig1 (Activation)\nsigmoid|")
    assert labels["input"] == "{input (InputLayer)|output: (None, 1)}"
    assert "10 parameters" in dot.source and "rankdir=TB" in dot.source
    bare = plot_model(talk_hidden_layer(), show_shapes=False, show_params=False, show_layer_names=False)
    assert "(None" not in bare.source and "params" not in bare.source and "hidden" not in bare.source
    unbuilt = plot_model(Sequential([Dense(2, activation="relu", name="d")]))
    assert nodes(unbuilt)["layer0"] == "{d (Dense)\nactivation: relu|{input: ?|output: ?}|params: 0}"


def test_ops_view_clusters_each_layers_ops():
    model = talk_hidden_layer()
    dot = plot_model(model, detail="ops", show_values=False)
    clusters = re.findall(r'subgraph cluster_\d+ \{\n\t\tlabel="([^"]+)"', dot.source)
    # model → layer → op: the layers' boxes inside the model's (plot_model's depth=None)
    assert clusters == [model.name, "hidden (Dense)", "sig1 (Activation)", "out (Dense)", "sig2 (Activation)"]
    inside = {title: part for title, part in zip(clusters, dot.source.split("subgraph")[1:])}
    assert 'label="linear"' in inside["hidden (Dense)"] and '"hidden/kernel|' in inside["hidden (Dense)"]
    assert 'label="sigmoid"' in inside["sig1 (Activation)"].split("\t}")[0]
    # x and 4 weights; an op node and a value node for linear, sigmoid, linear, sigmoid
    assert len(nodes(dot)) == 5 + 2 * 4
    x = np.array([[0.5]], dtype=np.float32)
    with_x = plot_model(model, detail="ops", x=x)
    assert f"{float(model.predict(x, verbose=0)[0, 0]):.4g}" in with_x.source


def test_bad_requests_say_what_to_do():
    with pytest.raises(ValueError, match="'layers', 'neurons' or 'ops'"):
        plot_model(talk_hidden_layer(), detail="units")
    with pytest.raises(ValueError, match="input_shape"):
        plot_model(Sequential([Dense(2)]), detail="neurons")
    with pytest.raises(ValueError, match="no layers"):
        plot_model(Sequential())


def test_every_view_renders_svg_without_the_graphviz_program(no_dot):
    model = talk_hidden_layer()
    assert "W₁·y₁ + W₂·y₂ + W₃·y₃ + B" in svg_texts(plot_model(model, detail="neurons").pipe(format="svg"))
    assert "hidden (Dense)" in svg_texts(plot_model(model).pipe(format="svg"))
    assert "linear" in svg_texts(plot_model(model, detail="ops").pipe(format="svg"))


@needs_dot
def test_png_with_the_graphviz_program():
    png = plot_model(talk_hidden_layer(), detail="neurons").pipe(format="png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_top_level_names_are_the_diagram_functions():
    import autograd_mini as am
    import nn
    from autograd_mini.viz import flipbook as draw_backward, graph as draw
    from nn import diagram
    assert nn.plot_model is diagram.plot_model
    assert am.draw_graph is draw.draw_graph and am.retain_grads is draw.retain_grads
    assert am.backward_frames is draw_backward.backward_frames
    assert am.save_flipbook is draw_backward.save_flipbook
    assert am.gradcheck.__module__ == "autograd_mini.gradient_check"  # the function, not the module


def test_ops_view_depth_folds_layers_into_one_node_each():
    model = talk_hidden_layer()
    top = plot_model(model, detail="ops", depth=1, show_values=False)
    clusters = re.findall(r'subgraph cluster_\d+ \{\n\t\tlabel="([^"]+)"', top.source)
    assert clusters == [model.name]  # the model's box; each layer one node inside it
    assert top.source.count('label="▸ hidden (Dense): 1 op\\n') == 1 and "▸ sig2 (Activation)" in top.source
    assert 'label="linear"' not in top.source
    with pytest.raises(ValueError, match="depth=1 is for detail='ops'"):
        plot_model(model, detail="layers", depth=1)


@pytest.mark.parametrize("detail", ["layers", "neurons", "ops"])
def test_legend_in_every_detail(detail):
    dot = plot_model(talk_hidden_layer(), detail=detail, legend=True)
    assert "cluster_legend" in dot.source and "cluster_legend" not in plot_model(
        talk_hidden_layer(), detail=detail).source
    meanings = [meaning for meaning, _ in dot.legend_entries[0]]
    assert all(f'label="{m}"' in dot.source for m in meanings)
