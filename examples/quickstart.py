"""Quickstart: the PyData talk's logistic regression on iris petal width -- then open the hood.

Trains sigmoid(w·x + b) to tell virginica irises from the others by petal width,
prints loss, accuracy and the weights, and writes the computational graph of the
loss -- values and gradients on every node -- and the training curves.

    python examples/quickstart.py [--out DIR] [--quick]
"""
import argparse
from pathlib import Path

import graphviz
import numpy as np

import autograd_mini as am
from autograd_mini.viz.graph import retain_grads
import nn
from nn import Activation, Dense, Sequential
from nn import plots
from nn.datasets import load_iris


def affine(w: float, b: float, digits: int = 2) -> str:
    """``w·x + b`` as text with a real minus sign: affine(1.5, -2.4) -> '1.50·x − 2.40'."""
    return f"{w:.{digits}f}·x {'−' if b < 0 else '+'} {abs(b):.{digits}f}"


def parse_arguments(argv=None) -> argparse.Namespace:
    """--out DIR for the figures (default ./outputs), --quick for a short run (what the tests use)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("outputs"), metavar="DIR",
                        help="folder for the figures (default: ./outputs)")
    parser.add_argument("--quick", action="store_true", help="a short run with fewer epochs (what the tests use)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def main(argv=None):
    args = parse_arguments(argv)
    out, results = args.out, {}
    nn.utils.set_random_seed(0)

    iris = load_iris()
    petal_width = iris.data[:, 3]                          # (150,) in cm
    is_virginica = (iris.target == 2).astype("float32")    # 1 for virginica, else 0

    # --- the talk's Keras model, unchanged ---------------------------------------------------------
    model = Sequential()
    model.add(Dense(1, input_dim=1))
    model.add(Activation("sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    history = model.fit(petal_width, is_virginica, epochs=500, verbose=0)

    loss, accuracy = model.evaluate(petal_width, is_virginica, verbose=0)
    kernel, bias = model.get_weights()                     # numpy copies: shapes (1, 1) and (1,)
    w, b = float(kernel[0, 0]), float(bias[0])
    line = affine(w, b, digits=3)
    results.update(loss=float(loss), accuracy=float(accuracy), w=w, b=b)
    print(f"loss: {loss:.4f}")
    print(f"accuracy: {accuracy:.4f}  ({round(accuracy * 150)}/150 irises classified right)")
    print(f"learned: P(virginica | petal width x) = sigmoid({line})")

    # --- open the hood: the same computation on autograd_mini Tensors ----------------------------
    # Four flowers, one forward pass through the model, the loss, backward.
    rows = np.array([0, 70, 110, 140])       # a setosa; a versicolor at 1.8 cm (a miss); two virginicas
    x = am.Tensor(petal_width[rows].reshape(-1, 1), name="petal width")
    p = model(x)                                           # sigmoid(x @ kernel + bias): a Tensor
    target = am.Tensor(is_virginica[rows].reshape(-1, 1), name="is virginica")
    batch_loss = nn.losses.binary_crossentropy(target, p)
    retain_grads(batch_loss)                               # keep intermediate grads for the picture
    dense = model.layers[0]
    dense.kernel.grad = dense.bias.grad = None             # gradients accumulate: start from none
    batch_loss.backward()
    dw, db = float(dense.kernel.grad.data[0, 0]), float(dense.bias.grad.data[0])
    print(f"hood: 4 flowers, x = {', '.join(f'{v:.1f}' for v in petal_width[rows])} cm, "
          f"p = {', '.join(f'{v:.3f}' for v in p.data.ravel())}, loss = {float(batch_loss.data):.4f}")
    print(f"      ∂loss/∂w = {dw:+.4f}, ∂loss/∂b = {db:+.4f}  (dense.kernel.grad, dense.bias.grad)")
    results["hood_grads"] = [dw, db]
    graph = am.draw_graph(batch_loss, show_values=True, show_grads=True)
    try:
        (out / "quickstart_graph.svg").write_bytes(graph.pipe(format="svg"))
    except graphviz.ExecutableNotFound as err:             # no renderer: keep the DOT text
        (out / "quickstart_graph.gv").write_text(graph.source, encoding="utf-8")
        print(f"graph saved as DOT text only: {err}")

    # --- figures (matplotlib: pip install "autograd_mini[plot]") ----------------------------------
    try:
        plots.require_matplotlib()
    except ImportError as err:
        print(f"no figures: {err}")
        for path in sorted(out.glob("quickstart_*")):
            print(f"wrote {path}")
        return results
    plots.plot_history(history, loss_label="binary cross-entropy",
                       title=f"Logistic regression on petal width: loss {loss:.3f}, accuracy {accuracy:.3f}",
                       path=out / "quickstart_history.png")
    plots.plot_probability_curve(
        petal_width, is_virginica, {f"sigmoid({line})": model},
        class_names=("not virginica", "virginica"), xlabel="petal width (cm)",
        title="P(virginica | petal width)", path=out / "quickstart_probability.png")
    for path in sorted(out.glob("quickstart_*")):
        print(f"wrote {path}")
    return results


if __name__ == "__main__":
    main()
