"""Make the README's "Explain a gradient" pictures: python docs/img/make_explain_images.py.

The talk's neuron -- one virginica of petal width 1.8 under the hand-fitted w = 3, b = -5 --
its backward flipbook's sigmoid step and its graph with each op's rule on the edges (SVG; no
Graphviz program needed); and the gradient flow of the talk's 1→3→1 network (needs matplotlib).
"""
from pathlib import Path

import autograd_mini as am

HERE = Path(__file__).resolve().parent


def talks_neuron():
    x = am.Tensor(1.8, name="x")
    w = am.Tensor(3.0, requires_grad=True, name="w")
    b = am.Tensor(-5.0, requires_grad=True, name="b")
    z = w * x + b
    z.name = "z"
    p = z.sigmoid()
    p.name = "p"
    loss = -p.log()
    loss.name = "loss"
    return loss


def main() -> None:
    frames = am.backward_frames(talks_neuron())
    for name, diagram in (("flipbook_step", frames[3]),                # sigmoid's step
                          ("graph_with_rules", am.draw_graph(talks_neuron(), show_rules=True))):
        path = HERE / f"{name}.svg"
        path.write_bytes(diagram.pipe(format="svg"))
        print("wrote", path.relative_to(HERE.parent.parent))
    gradient_flow(HERE / "gradient_flow.png")


def gradient_flow(path) -> None:
    """The README's GradientHistory example: the 1→3→1 sigmoid network on versicolor, 20 epochs."""
    import nn
    from nn.datasets import load_iris
    from nn.plots import plot_gradient_flow

    iris = load_iris()
    nn.set_random_seed(0)
    net = nn.Sequential([nn.Dense(3, activation="sigmoid", input_dim=1, name="hidden"),
                         nn.Dense(1, activation="sigmoid", name="output")])
    net.compile(optimizer="adam", loss="binary_crossentropy")
    grads = nn.GradientHistory(every=1)
    net.fit(iris.data[:, 3], (iris.target == 1).astype("float32"), epochs=20, verbose=0, callbacks=[grads])
    plot_gradient_flow(grads, path=path)
    print("wrote", path.relative_to(HERE.parent.parent))


if __name__ == "__main__":
    main()
