"""plot_model: a model as a diagram, in three levels of detail.

>>> from nn import Sequential, Dense, Activation
>>> from nn.diagram import plot_model
>>> model = Sequential([Dense(3, input_dim=1), Activation("sigmoid"), Dense(1), Activation("sigmoid")])
>>> dot = plot_model(model, detail="neurons")      # the PyData talk's hidden-layer picture
>>> len([line for line in dot.body if " [label=" in line])   # x; 3 × (w_i·x + b_i, σ); sum; σ
9

* ``detail="layers"`` (default): Keras's plot_model: one box per layer with its name, type,
  activation, input and output shapes and parameter count, from the input down.
* ``detail="neurons"``: one node per unit with its formula (``w₁·x + b₁``), its activation
  (``σ``) as a node of its own, every connection drawn; ``show_weights=True`` writes the
  numbers in. Dense(1) then sigmoid on one input is logistic regression, x → w·x + b → σ.
* ``detail="ops"``: the graph of one forward pass (autograd_mini.draw_graph), each layer's
  ops and weights in a box named after the layer.

All three return an :class:`autograd_mini.viz.render.Diagram`: ``.pipe(format="svg")``,
``.render(path)`` and Jupyter display work without the Graphviz program.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

import graphviz
import numpy as np

import autograd_mini as am
from autograd_mini.viz.graph import _q, _rec, draw_graph, format_array
from autograd_mini.viz.legend import legend_lines
from autograd_mini.viz.render import Diagram

from . import activations

__all__ = ["plot_model"]

FONT = "Helvetica"
SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "softmax": "softmax"}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_STYLE = {
    "input": 'shape=ellipse style=filled fillcolor="#d6eaf8" color="#2874a6"',
    "unit": 'shape=ellipse style=filled fillcolor="#ffffff" color="#566573"',
    "act": 'shape=ellipse style=filled fillcolor="#d5f5e3" color="#1e8449"',
    "output": 'shape=ellipse style=filled fillcolor="#fdebd0" color="#ca6f1e" penwidth=2',
    "more": 'shape=plaintext fontcolor="#566573"',
    "layer": 'shape=record style="rounded,filled" fillcolor="#ffffff" color="#34495e"',
    "input_layer": 'shape=record style="rounded,filled" fillcolor="#d6eaf8" color="#2874a6"',
}


# (meaning, DOT style) for the HTML view's legend
_LAYER_LEGEND = ([("input", _STYLE["input_layer"]), ("layer", _STYLE["layer"])],
                 [("data flows from one layer to the next", 'color="#566573"')])
_NEURON_LEGEND = ([("input", _STYLE["input"]), ("unit: w·x + b", _STYLE["unit"]),
                   ("activation", _STYLE["act"]), ("output", _STYLE["output"])],
                  [("connection (one weight)", 'color="#566573"')])


def plot_model(model, to_file: Union[str, os.PathLike, None] = None, show_shapes: bool = True, *,
               detail: str = "layers", show_layer_names: bool = True, show_params: bool = True,
               show_activations: bool = True, show_dtype: bool = False,
               show_weights: bool = False, max_units: int = 8, rankdir: Optional[str] = None,
               dpi: Optional[int] = None, x=None, depth: Optional[int] = None,
               legend: bool = False, **draw_options) -> Diagram:
    """Draw `model` (a Sequential) as a :class:`~autograd_mini.viz.render.Diagram`.

    to_file: as in Keras, also write the diagram to this file, in the format its extension names
        (.svg always works; .png, .pdf and the rest need what Diagram.render needs; .gv/.dot: the
        DOT source). The diagram is returned either way (Jupyter shows it).
    dpi: resolution of a raster file (.png, .jpg); SVG and PDF are vector and ignore it.
    detail: "layers", "neurons" or "ops" (see the module docstring).
    show_shapes / show_dtype / show_layer_names / show_params / show_activations: what the
        layer boxes say ("layers"); layer names also title the boxes around units and ops.
    show_weights: ("neurons") write each unit's numbers under its formula.
    max_units: ("neurons") units drawn per layer; the rest is one "⋮ n more" node.
    rankdir: "TB" for "layers" (as Keras), "LR" otherwise, unless given.
    x: ("ops") the input of the forward pass drawn; default one sample of N(0, 1) numbers.
    depth: ("ops") boxes follow nesting, model → layer → op; None expands every level,
        1 shows the model's box with one node per layer, 0 one node for the whole model.
    legend: draw a key to the colours and edges into the picture (any detail).
    draw_options: ("ops") passed to autograd_mini.draw_graph (show_values, max_nodes, ...).
    """
    if not hasattr(model, "layers") or not hasattr(model, "get_config"):
        raise TypeError(f"plot_model(model={model!r}): model must be a Sequential model")
    draw_options, show_activations = _check_draw_options(detail, draw_options, show_activations)
    target = _file_format(to_file) if to_file is not None else None
    if detail == "ops":
        draw_options["legend"] = legend
    diagram = _draw(model, detail, show_shapes, show_layer_names, show_params, show_activations,
                    show_dtype, show_weights, max_units, rankdir, x, depth, draw_options)
    if legend and detail != "ops":
        diagram.body.extend(legend_lines(*diagram.legend_entries))
    if target is not None:
        _write(diagram, *target, dpi)
    return diagram


def _check_draw_options(detail: str, options: dict, show_activations: bool) -> tuple[dict, bool]:
    """Refuse unknown keyword arguments by name; Keras's spellings work (show_layer_activations;
    expand_nested: a Sequential of layers has nothing nested to expand, as in Keras)."""
    import inspect
    from autograd_mini.viz.graph import draw_graph
    from .validation import unknown_keywords
    options = dict(options)
    show_activations = options.pop("show_layer_activations", show_activations)
    options.pop("expand_nested", None)
    ops_options = set(inspect.signature(draw_graph).parameters) - {"tensor"}
    allowed = ops_options if detail == "ops" else set()
    unknown = set(options) - allowed
    if unknown:
        known = sorted(set(inspect.signature(plot_model).parameters) - {"model", "draw_options"}
                       | {"show_layer_activations", "expand_nested"} | ops_options)
        if detail != "ops" and unknown <= ops_options:
            raise TypeError(f"plot_model(): {', '.join(sorted(unknown))} only appl{'ies' if len(unknown) == 1 else 'y'} "
                            f"with detail='ops' (draw_graph's options); got detail={detail!r}")
        raise unknown_keywords("plot_model()", unknown, known)
    return options, show_activations


_RASTER = ("png", "jpg", "jpeg", "gif", "bmp", "webp")


def _file_format(to_file) -> tuple[Path, str]:
    """The path and the format its extension names (checked before anything is drawn)."""
    path = Path(to_file)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in graphviz.FORMATS and fmt not in ("gv", "dot"):
        hint = f" (for the level of detail, use detail={str(to_file)!r})" if str(to_file) in (
            "layers", "neurons", "ops") else ""
        raise ValueError(f"plot_model(to_file={str(to_file)!r}): the file's extension names its format; "
                         f"use .svg, .png, .pdf (or another Graphviz format, or .gv for the DOT source){hint}")
    return path, fmt


def _write(diagram: Diagram, path: Path, fmt: str, dpi: Optional[int]) -> None:
    if path.parent != Path(""):
        path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("gv", "dot"):
        path.write_text(diagram.source, encoding="utf-8")
        return
    if dpi is not None and fmt in _RASTER:
        diagram.attr(dpi=str(int(dpi)))
    # the DOT source is saved beside the file (graphviz's render) and removed again (cleanup)
    diagram.render(outfile=path, format=fmt, cleanup=True)


def _draw(model, detail, show_shapes, show_layer_names, show_params, show_activations, show_dtype,
          show_weights, max_units, rankdir, x, depth, draw_options) -> Diagram:
    layers = list(getattr(model, "layers", None) or [])
    if not layers:
        raise ValueError("plot_model: the model has no layers; add some with model.add(Dense(...))")
    if depth is not None and detail != "ops":
        raise ValueError(f"plot_model: depth={depth!r} is for detail='ops' (the layers and "
                         f"neurons pictures have one level), got detail={detail!r}")
    if detail == "layers":
        return _layers_view(model, layers, show_shapes, show_layer_names, show_params,
                            show_activations, show_dtype, rankdir or "TB")
    if not getattr(model, "built", False) or model.input_shape is None:
        raise ValueError(f"plot_model(detail={detail!r}) needs the model's input shape: give the "
                         "first layer input_shape=[...] (or input_dim=...), or call model.build() "
                         "or fit() once")
    if detail == "neurons":
        return _neurons_view(model, layers, show_layer_names, show_weights, max_units, rankdir or "LR")
    if detail == "ops":
        return _ops_view(model, layers, x, rankdir or "LR", show_layer_names,
                         {"depth": depth, **draw_options})
    raise ValueError(f"plot_model: detail must be 'layers', 'neurons' or 'ops', got {detail!r}")


def _new_diagram(name: str, rankdir: str, **graph_attr) -> Diagram:
    return Diagram(name=name, graph_attr={"rankdir": rankdir, "fontname": FONT, **graph_attr},
                   node_attr={"fontname": FONT, "fontsize": "10"},
                   edge_attr={"color": "#566573", "arrowsize": "0.6"})


def _shape(shape) -> str:
    return "?" if shape is None else "(" + ", ".join("None" if n is None else str(n) for n in shape) + ")"


# --- "layers": Keras's boxes ------------------------------------------------------------------
def _layers_view(model, layers, show_shapes, show_names, show_params, show_activations,
                 show_dtype, rankdir) -> Diagram:
    dot = _new_diagram(getattr(model, "name", "model"), rankdir, nodesep="0.3", ranksep="0.35")
    vertical = rankdir.upper() in ("TB", "BT")

    def box(fields: list) -> str:
        """Fields stacked; a field given as a tuple is a row of cells side by side."""
        parts = [("{" + "|".join(_rec(c) for c in f) + "}") if isinstance(f, tuple) else _rec(f)
                 for f in fields]
        inner = "|".join(parts)
        return f'"{{{inner}}}"' if vertical else f'"{inner}"'

    dtype = str(getattr(model, "dtype", am.get_default_dtype()))
    input_shape = getattr(model, "input_shape", None)
    fields = ["input (InputLayer)" if show_names else "InputLayer"]
    if show_shapes:
        fields.append(f"output: {_shape(input_shape)}")
    if show_dtype:
        fields.append(dtype)
    dot.body.append(f"\tinput [label={box(fields)} {_STYLE['input_layer']}]\n")
    previous = "input"
    for k, layer in enumerate(layers):
        kind = type(layer).__name__
        title = f"{layer.name} ({kind})" if show_names else kind
        fields = [title]
        act = getattr(layer, "activation_name", "linear")
        if show_activations and kind != "Activation" and act != "linear":
            fields[0] += f"\nactivation: {act}"
        elif kind == "Activation":
            fields[0] += f"\n{act}"
        if show_shapes:
            fields.append((f"input: {_shape(layer.input_shape)}", f"output: {_shape(layer.output_shape)}"))
        if show_dtype:
            fields.append(dtype)
        if show_params:
            count = layer.count_params() if getattr(layer, "built", True) else 0
            fields.append(f"params: {count:,}")
        dot.body.append(f"\tlayer{k} [label={box(fields)} {_STYLE['layer']}]\n")
        dot.body.append(f"\t{previous} -> layer{k}\n")
        previous = f"layer{k}"
    if show_params:
        total = model.count_params() if hasattr(model, "count_params") else sum(
            layer.count_params() for layer in layers)
        dot.attr(label=f"{getattr(model, 'name', 'model')}: {total:,} parameters", labelloc="b",
                 fontsize="11")
    dot.legend_entries = _LAYER_LEGEND  # the key shown by save_html / interactive()
    return dot


# --- "neurons": one node per unit --------------------------------------------------------------
class _Stage:
    """A column of units: their node ids, the name of each unit's output (or None)."""

    def __init__(self, ids, names, layer=None):
        self.ids, self.names, self.layer = ids, names, layer


def _shown_units(n: int, max_units: int) -> list:
    """Unit indices to draw (0-based) with None where the elided ones go."""
    if n <= max_units:
        return list(range(n))
    keep = max(max_units - 1, 1)
    return list(range(keep - 1)) + [None, n - 1] if keep > 1 else [0, None]


def _sub(i: int) -> str:
    return str(i).translate(_SUB)


def _neurons_view(model, layers, show_names, show_weights, max_units, rankdir) -> Diagram:
    """One column of nodes per stage: the inputs, then per Dense its units and (if it has an
    activation) their activations; each layer's columns in one box."""
    # mclimit=0: no crossing minimization, which would rotate fully connected columns;
    # the units stay in order, held by invisible edges within each column
    dot = _new_diagram(getattr(model, "name", "model"), rankdir, nodesep="0.35", ranksep="0.6",
                       splines="line", mclimit="0", remincross="false")
    columns = _neuron_columns(layers)
    stage = _input_column(dot, int(model.input_shape[-1]), max_units, show_names)
    dense_count = sum(1 for c in columns if c[0] == "dense")
    dense_seen = 0
    letters = iter(["y", "h", "g", "u", "v", "q"] + [f"a{k}" for k in range(7, 100)])
    pending = None  # [layer, cluster key, lines]: a layer's box is written when it is complete
    edge_lines = []
    for c, (kind, layer, units, act) in enumerate(columns):
        last = c == len(columns) - 1
        if kind == "dense":
            dense_seen += 1
            letters_wb = _param_letters(dense_seen, dense_count)
            lines, edges, new_stage = _dense_column(c, layer, units, stage, last, letters_wb,
                                                    show_weights, max_units)
        else:
            # outputs get names when a Dense comes next (its formulas use them): y₁, y₂, ...
            needs_names = not last and columns[c + 1][0] == "dense"
            letter = next(letters) if needs_names else ("ŷ" if last else None)
            lines, edges, new_stage = _activation_column(c, units, act, stage, last, letter,
                                                         max_units)
        lines.append(_keep_order(new_stage.ids))
        # a Dense with an activation is one box holding both columns
        if pending is not None and pending[0] is layer:
            pending[2].extend(lines)
        else:
            if pending is not None:
                _cluster(dot, pending[1], pending[2], show_names, _layer_title(pending[0]))
            pending = [layer, f"c{c}", lines]
        edge_lines.extend(edges)
        stage = new_stage
    _cluster(dot, pending[1], pending[2], show_names, _layer_title(pending[0]))
    dot.body.extend(edge_lines)
    dot.legend_entries = _NEURON_LEGEND  # the key shown by save_html / interactive()
    return dot


def _neuron_columns(layers) -> list:
    """(kind, layer, units, activation) per column: "dense" and "act" (Dense layers with an
    activation make two columns); other layers are refused by name."""
    columns = []
    for layer in layers:
        kind = type(layer).__name__
        act = getattr(layer, "activation_name", "linear")
        if hasattr(layer, "units"):
            columns.append(("dense", layer, layer.units, None))
            if act != "linear":
                columns.append(("act", layer, layer.units, act))
        elif kind == "Activation" or act != "linear":
            if act != "linear":
                size = layer.output_shape[-1] if layer.output_shape else None
                columns.append(("act", layer, size, act))
        else:
            raise ValueError(f"plot_model(detail='neurons') draws Dense and Activation layers, not "
                             f"{kind} ({layer.name!r}); try detail='layers' or 'ops'")
    return columns


def _input_column(dot, width: int, max_units: int, show_names: bool) -> _Stage:
    """The inputs' column (x, or x₁, x₂, ...), drawn in its box; the first stage."""
    ids, names, lines = [], [], []
    for i in _shown_units(width, max_units):
        if i is None:
            ids.append("in_more")
            names.append(None)
            lines.append(f"\tin_more [label={_q(f'⋮ {width - max_units + 1} more')} {_STYLE['more']}]\n")
            continue
        name = "x" if width == 1 else f"x{_sub(i + 1)}"
        ids.append(f"in{i}")
        names.append(name)
        lines.append(f"\tin{i} [label={_q(name)} {_STYLE['input']}]\n")
    lines.append(_keep_order(ids))
    _cluster(dot, "inputs", lines, show_names, "input")
    stage = _Stage(ids, names)
    stage.size = width
    return stage


def _dense_column(c: int, layer, units: int, stage: _Stage, last: bool, letters: tuple,
                  show_weights: bool, max_units: int) -> tuple:
    """A Dense layer's units: each its formula over the previous column's names (and its
    numbers with show_weights), fully connected. Returns (node lines, edge lines, stage)."""
    wname, bname = letters
    kernel = layer.kernel.data if show_weights else None
    bias = layer.bias.data if (show_weights and layer.bias is not None) else None
    lines, edges, new_ids = [], [], []
    for j in _shown_units(units, max_units):
        if j is None:
            nid = f"c{c}_more"
            lines.append(f"\t{nid} [label={_q(f'⋮ {units - max_units + 1} more')} {_STYLE['more']}]\n")
        else:
            nid = f"c{c}u{j}"
            text = _formula(wname, bname, j, units, stage, layer.use_bias)
            if kernel is not None:
                text += "\n" + _numbers(kernel[:, j], None if bias is None else bias[j], stage)
            lines.append(f"\t{nid} [label={_q(text)} {_STYLE['output' if last else 'unit']}]\n")
        new_ids.append(nid)
        edges.extend(f"\t{src} -> {nid}\n" for src in stage.ids)  # fully connected
    new_stage = _Stage(new_ids, [None] * len(new_ids))
    new_stage.size = units
    return lines, edges, new_stage


def _activation_column(c: int, units: int, act: str, stage: _Stage, last: bool, letter,
                       max_units: int) -> tuple:
    """An activation's nodes, one per unit after the unit it applies to (softmax: after every
    unit, as it mixes them). Returns (node lines, edge lines, stage)."""
    symbol = SYMBOL.get(act, act)
    elementwise = act != "softmax"
    lines, edges, new_ids, new_names = [], [], [], []
    for j, src in zip(_shown_units(units, max_units), stage.ids):
        if j is None:
            nid, name = f"c{c}_more", None
            lines.append(f"\t{nid} [label={_q('⋮')} {_STYLE['more']}]\n")
        else:
            nid = f"c{c}u{j}"
            name = None if letter is None else letter if units == 1 else f"{letter}{_sub(j + 1)}"
            label = symbol if name is None else f"{symbol}\n{name}"
            lines.append(f"\t{nid} [label={_q(label)} {_STYLE['output' if last else 'act']}]\n")
        new_ids.append(nid)
        new_names.append(name)
        if elementwise:
            edges.append(f"\t{src} -> {nid}\n")
    if not elementwise:
        edges.extend(f"\t{src} -> {nid}\n" for src in stage.ids for nid in new_ids)
    new_stage = _Stage(new_ids, new_names)
    new_stage.size = units
    return lines, edges, new_stage


def _layer_title(layer) -> str:
    title = f"{layer.name} ({type(layer).__name__})"
    act = getattr(layer, "activation_name", "linear")
    if hasattr(layer, "units") and act != "linear":
        title = f"{layer.name} (Dense, {act})"
    return title


def _keep_order(ids) -> str:
    """Units stay in order down their column: invisible edges within one rank."""
    if len(ids) < 2:
        return ""
    # in a left-to-right graph a flat edge a -> b puts b above a: chain them last to first
    return "\t\t{rank=same; " + " -> ".join(reversed(ids)) + " [style=invis]}\n"


def _cluster(dot, key, lines, show_names, title) -> None:
    if show_names:
        dot.body.append(f'\tsubgraph cluster_{key} {{\n\t\tlabel={_q(title)} style="rounded,dashed" '
                        f'color="#aab7b8" fontcolor="#566573" fontsize=9\n')
        dot.body.extend(lines)
        dot.body.append("\t}\n")
    else:
        dot.body.extend(lines)


def _param_letters(k: int, count: int) -> tuple:
    """w, b for the first Dense and W, B for the second (the talk's names); w⁽³⁾, b⁽³⁾ after."""
    if k == 1:
        return "w", "b"
    if k == 2:
        return "W", "B"
    sup = f"({k})".translate(_SUP)
    return f"w{sup}", f"b{sup}"


def _formula(w: str, b: str, j: int, units: int, stage, use_bias: bool) -> str:
    """Unit j's affine formula over the previous column's names."""
    n_in = stage.size
    names = stage.names
    bias = (f" + {b}{_sub(j + 1)}" if units > 1 else f" + {b}") if use_bias else ""
    if n_in == 1:
        w_j = f"{w}{_sub(j + 1)}" if units > 1 else w
        return f"{w_j}·{names[0]}{bias}"
    if n_in > 4 or None in names:  # too many terms to write out: a sum
        var = _stem(names)
        w_ij = f"{w}ᵢ{_sub(j + 1)}" if units > 1 else f"{w}ᵢ"
        return f"Σᵢ {w_ij}·{var}ᵢ{bias}"
    terms = []
    for i, name in enumerate(names):
        w_ij = f"{w}{_sub(i + 1)}{_sub(j + 1)}" if units > 1 else f"{w}{_sub(i + 1)}"
        terms.append(f"{w_ij}·{name}")
    return " + ".join(terms) + bias


def _stem(names) -> str:
    for name in names:
        if name:
            return name.rstrip("₀₁₂₃₄₅₆₇₈₉")
    return "x"


def _numbers(column: np.ndarray, bias, stage) -> str:
    """The unit's formula in numbers: "= 0.52·x − 0.31" (or its weights' summary if long)."""
    if len(column) > 4 or None in stage.names:
        text = "w: " + " ".join(format_array(column, 4))
        return text + (f"\nb = {_signed(bias, first=True)}" if bias is not None else "")
    parts = []
    for i, (wv, name) in enumerate(zip(column, stage.names)):
        parts.append(f"{_signed(wv, first=(i == 0))}·{name}")
    if bias is not None:
        parts.append(_signed(bias))
    return "= " + " ".join(parts)


def _signed(value, first: bool = False) -> str:
    v = float(value)
    text = f"{abs(v):.3g}"
    if first:
        return ("−" if v < 0 else "") + text
    return ("− " if v < 0 else "+ ") + text


# --- "ops": one forward pass, clustered by layer ----------------------------------------------
def _ops_view(model, layers, x, rankdir, show_names, draw_options) -> Diagram:
    if x is None:
        rng = np.random.default_rng(0)
        x = rng.normal(size=(1,) + tuple(model.input_shape[1:]))
    x = x if isinstance(x, am.Tensor) else am.Tensor(np.asarray(x, dtype=model.dtype))
    if x.name is None:
        x.name = "x"
    layer_names: dict = {}
    h = x
    model_name = getattr(model, "name", "model")
    for layer in layers:
        # "model/layer": draw_graph nests the layer's box in the model's (its depth option)
        label = f"{model_name}/{layer.name} ({type(layer).__name__})"
        for w in layer.weights:
            layer_names[id(w)] = label
        out = layer.call(h)
        stack = [out]
        while stack:  # the ops this layer added: everything between its input and output
            t = stack.pop()
            if t is h or t._ctx is None or id(t) in layer_names:
                continue
            layer_names[id(t)] = label
            stack.extend(t._ctx.parents)
        h = out
    # a forward pass: gradients left on the weights by some earlier backward are not its own
    options = {"rankdir": rankdir, "cluster_layers": show_names, "show_grads": False, **draw_options}
    return draw_graph(h, layer_of=lambda t: layer_names.get(id(t)), **options)
