"""Make the README's diagrams: python docs/img/make_images.py (writes the SVGs next to this file).

Works without the Graphviz program (pip-only WebAssembly renderer); with it, `dot` renders.
"""
from pathlib import Path

import autograd_mini as am
import nn
from autograd_mini.viz.graph import draw_graph, retain_grads
from nn import Activation, Dense, Sequential
from nn.diagram import plot_model

HERE = Path(__file__).resolve().parent


def save(diagram, name: str) -> None:
    path = HERE / f"{name}.svg"
    path.write_bytes(diagram.pipe(format="svg"))
    print("wrote", path.relative_to(HERE.parent.parent))


def main() -> None:
    # The talk's first picture: logistic regression, x -> w·x + b -> σ
    nn.utils.clear_session()
    logistic = Sequential([Dense(1, input_dim=1), Activation("sigmoid")])
    save(plot_model(logistic, detail="neurons"), "logistic_regression")

    # The talk's second picture: a hidden layer of three paths joined by a weighted sum
    nn.utils.clear_session()
    nn.set_random_seed(0)
    hidden = Sequential([Dense(3, input_dim=1), Activation("sigmoid"), Dense(1), Activation("sigmoid")])
    save(plot_model(hidden, detail="neurons"), "hidden_layer")
    save(plot_model(hidden), "hidden_layer_layers")

    # One graph with values and gradients: the loss of one virginica (y = 1) of petal width
    # 1.8 under the talk's hand-fitted logistic regression, w = 3, b = -5
    x = am.Tensor(1.8, name="x")
    w = am.Tensor(3.0, requires_grad=True, name="w")
    b = am.Tensor(-5.0, requires_grad=True, name="b")
    p = (w * x + b).sigmoid()
    loss = -p.log()
    retain_grads(loss).backward()  # keep every intermediate gradient for the picture
    save(draw_graph(loss), "graph_with_grads")


if __name__ == "__main__":
    main()
