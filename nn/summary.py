"""model.summary(): Keras 3's table of layers, output shapes and parameter counts.

>>> from nn import Sequential, Dense
>>> print(summary_text(Sequential([Dense(1, input_shape=[3], name="d")])))   # doctest: +NORMALIZE_WHITESPACE
Model: "sequential..."
...
"""
from __future__ import annotations

COLUMNS = (("Layer (type)", 33, "left"), ("Output Shape", 24, "left"), ("Param #", 15, "right"))


def _size(count: int, itemsize: int) -> str:
    """Keras's byte counts: "8.00 B", "18.00 KB", "1.00 MB" (powers of 1024)."""
    size = float(count * itemsize)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def _cell(text: str, width: int, align: str) -> str:
    inner = width - 2
    if len(text) > inner:
        text = text[: inner - 1] + "…"
    return " " + (text.ljust(inner) if align == "left" else text.rjust(inner)) + " "


def _row(cells, left: str, mid: str, right: str) -> str:
    return left + mid.join(_cell(c, w, a) for c, (_, w, a) in zip(cells, COLUMNS)) + right


def _rule(left: str, fill: str, mid: str, right: str) -> str:
    return left + mid.join(fill * w for _, w, _ in COLUMNS) + right


def _shape(shape) -> str:
    return "?" if shape is None else "(" + ", ".join("None" if n is None else str(n) for n in shape) + ")"


def summary_text(model) -> str:
    rows = []
    for layer in model.layers:
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        rows.append([f"{layer.name} ({type(layer).__name__})", _shape(layer.output_shape), params])
    lines = [f'Model: "{model.name}"',
             _rule("┏", "━", "┳", "┓"),
             _row([c for c, _, _ in COLUMNS], "┃", "┃", "┃"),
             _rule("┡", "━", "╇", "┩")]
    for i, row in enumerate(rows):
        if i:
            lines.append(_rule("├", "─", "┼", "┤"))
        lines.append(_row(row, "│", "│", "│"))
    lines.append(_rule("└", "─", "┴", "┘"))
    total = model.count_params()
    itemsize = model.dtype.itemsize
    lines += [f" Total params: {total:,} ({_size(total, itemsize)})",
              f" Trainable params: {total:,} ({_size(total, itemsize)})",
              f" Non-trainable params: 0 ({_size(0, itemsize)})"]
    if not model.built:
        lines.append(" The model is not built yet: give the first layer input_shape=[...] (or input_dim=...),"
                     " or call fit/predict/build once; shapes and parameters appear then.")
    return "\n".join(lines)
