"""Quickstart: the PyData talk's logistic regression on iris petal width -- then open the hood.

Trains sigmoid(w·x + b) to tell virginica irises from the others by petal width,
prints loss, accuracy and the weights, and writes the computational graph of the
loss -- values and gradients on every node -- and the training curves.

    python examples/quickstart.py [--out DIR] [--quick]
"""
from _common import Run, affine  # first: repo on sys.path, headless plots, one BLAS thread
from _talk_model import logistic_regression

import graphviz
import numpy as np

import autograd_mini as am
from autograd_mini.viz.graph import retain_grads
import nn
from nn import plots
from nn.datasets import load_iris


def main(argv=None):
    run = Run(__doc__, argv)
    nn.utils.set_random_seed(0)

    iris = load_iris()
    petal_width = iris.data[:, 3]                          # (150,) in cm
    is_virginica = (iris.target == 2).astype("float32")    # 1 for virginica, else 0

    # --- the talk's Keras model, unchanged (examples/_talk_model.py) ------------------------------
    model = logistic_regression()                          # Dense(1) + sigmoid, cross-entropy, SGD
    history = model.fit(petal_width, is_virginica, epochs=500, verbose=0)

    loss, accuracy = model.evaluate(petal_width, is_virginica, verbose=0)
    kernel, bias = model.get_weights()                     # numpy copies: shapes (1, 1) and (1,)
    w, b = float(kernel[0, 0]), float(bias[0])
    line = affine(w, b, digits=3)
    run.report("loss", float(loss))
    run.report("accuracy", float(accuracy),
               f"accuracy: {accuracy:.4f}  ({round(accuracy * 150)}/150 irises classified right)")
    run.report("w", w, f"learned: P(virginica | petal width x) = sigmoid({line})")
    run.results["b"] = b

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
    run.results["hood_grads"] = [dw, db]
    graph = am.draw_graph(batch_loss, show_values=True, show_grads=True)
    try:
        run.path("quickstart_graph.svg").write_bytes(graph.pipe(format="svg"))
    except graphviz.ExecutableNotFound as err:             # no renderer: keep the DOT text
        run.path("quickstart_graph.gv").write_text(graph.source, encoding="utf-8")
        print(f"graph saved as DOT text only: {err}")

    # --- figures (matplotlib: pip install "autograd_mini[plot]") ----------------------------------
    try:
        plots.require_matplotlib()
    except ImportError as err:
        print(f"no figures: {err}")
        return run.done()
    plots.plot_history(history, loss_label="binary cross-entropy",
                       title=f"Logistic regression on petal width: loss {loss:.3f}, accuracy {accuracy:.3f}",
                       path=run.path("quickstart_history.png"))
    plots.plot_probability_curve(
        petal_width, is_virginica, {f"sigmoid({line})": model},
        class_names=("not virginica", "virginica"), xlabel="petal width (cm)",
        title="P(virginica | petal width)", path=run.path("quickstart_probability.png"))
    return run.done()


if __name__ == "__main__":
    main()
