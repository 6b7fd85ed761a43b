"""Versicolor needs a hidden layer (seed 002, part 3: the PyData talk).

Versicolor irises have middling petal widths: the probability should rise, then
fall. Logistic regression -- a sigmoid, monotonic -- gets stuck at accuracy 2/3
by calling every flower "not versicolor". Dense(3) + sigmoid + Dense(1) + sigmoid
learns the bump: its probability curve over the histogram after 300, 600, … 1800
epochs, and the talk's neuron-level diagram of the network.

    python examples/iris_hidden_layer.py [--out DIR] [--quick]
"""
import argparse
from pathlib import Path

import numpy as np

import nn
from nn import Activation, Dense, Sequential
from nn import plots
from nn.datasets import load_iris
from nn.diagram import plot_model


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
    iris = load_iris()
    X = iris.data[:, 3]                                      # petal width (cm)
    is_versicolor = (iris.target == 1).astype("float32")
    names = ("not versicolor", "versicolor")

    # --- logistic regression: stuck at 2/3 --------------------------------------------------------
    nn.set_random_seed(0)
    # the talk's Keras model: one Dense unit and a sigmoid, binary cross-entropy, plain SGD
    logistic = Sequential()
    logistic.add(Dense(1, input_dim=1))
    logistic.add(Activation("sigmoid"))
    logistic.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    logistic.fit(X, is_versicolor, epochs=100 if args.quick else 500, verbose=0)
    loss, accuracy = logistic.evaluate(X, is_versicolor, verbose=0)
    p_max = float(logistic.predict(X, verbose=0).max())
    print(f"logistic regression: loss {loss:.4f}, accuracy {accuracy:.4f} "
          f"(= 100/150: every flower called 'not versicolor'; highest probability {p_max:.3f} < 0.5)")
    logistic_accuracy = float(accuracy)
    results.update(logistic_loss=float(loss), logistic_accuracy=logistic_accuracy, logistic_p_max=p_max)
    plots.plot_probability_curve(X, is_versicolor, {"logistic regression": logistic}, class_names=names,
                                 xlabel="petal width (cm)", title=f"A sigmoid cannot make a bump: "
                                 f"accuracy {accuracy:.3f}", path=out / "versicolor_logistic.png")

    # --- the hidden layer ---------------------------------------------------------------------------
    nn.set_random_seed(0)
    model = Sequential()
    model.add(Dense(3, input_dim=1))
    model.add(Activation("sigmoid"))
    model.add(Dense(1))
    model.add(Activation("sigmoid"))
    # The talk: Adam at its default rate and 1800 epochs; --quick takes a 10x rate for 300.
    optimizer = nn.optimizers.Adam(learning_rate=0.01) if args.quick else "adam"
    model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    every = 50 if args.quick else 300
    stages = []
    for stage in range(1, 7):
        model.fit(X, is_versicolor, epochs=every, verbose=0)
        loss, accuracy = model.evaluate(X, is_versicolor, verbose=0)
        stages.append((stage * every, float(loss), float(accuracy), model.get_weights()))
        print(f"after {stage * every:4d} epochs: loss {loss:.4f}, accuracy {accuracy:.4f}")
    talk_epochs = stages[-1][0]
    more = 0 if args.quick else 1800                              # then keep going: the bump sharpens
    if more:
        model.fit(X, is_versicolor, epochs=more, verbose=0)
    loss, accuracy = model.evaluate(X, is_versicolor, verbose=0)
    total = talk_epochs + more
    if more:
        print(f"after {total:4d} epochs: loss {loss:.4f}, accuracy {accuracy:.4f}")
    results.update(hidden_loss=float(loss), hidden_accuracy=float(accuracy), hidden_epochs=total,
                       stages=[s[:3] for s in stages])
    results["params"] = model.count_params()
    print(f"parameters: {model.count_params()} "
               f"(3 × (w, b) in the hidden layer + w1, w2, w3, B)")

    viewer = Sequential([Dense(3, input_dim=1), Activation("sigmoid"), Dense(1), Activation("sigmoid")])
    fig, axes = plots.subplots_grid(6, ncols=3, panel_size=(3.6, 2.6))
    for i, (ax, (epochs, stage_loss, stage_accuracy, weights)) in enumerate(zip(axes, stages)):
        viewer.set_weights(weights)
        plots.plot_probability_curve(X, is_versicolor, {"hidden layer": viewer}, class_names=names, ax=ax,
                                     xlabel="petal width (cm)", legend=i == 0, legend_loc="upper right",
                                     title=f"{epochs} epochs: loss {stage_loss:.3f}, acc {stage_accuracy:.3f}")
    fig.suptitle("Dense(3) → sigmoid → Dense(1) → sigmoid learning P(versicolor | petal width)")
    plots.savefig(fig, out / "versicolor_hidden_frames.png")
    curves = {f"hidden layer, {total} epochs, accuracy {accuracy:.3f}": model,
              f"logistic regression, accuracy {logistic_accuracy:.3f}": logistic}
    plots.plot_probability_curve(X, is_versicolor, curves,
                                 class_names=names, xlabel="petal width (cm)", title="The hidden layer "
                                 "learns the bump", path=out / "versicolor_hidden.png")

    # --- the talk's picture of the network: one node per neuron, with the learned weights --------
    diagram = plot_model(model, detail="neurons", show_weights=True)
    (out / "versicolor_network.svg").write_bytes(diagram.pipe(format="svg"))
    results["hidden_units"] = hidden_unit_curves(model, X, is_versicolor, out / "versicolor_hidden_units.png")
    for path in sorted(out.glob("versicolor_*")):
        print(f"wrote {path}")
    return results


# --- under the hood: what each hidden unit computes --------------------------------------------
def hidden_unit_curves(model, x, y, path) -> list:
    """Each hidden unit is its own sigmoid(w·x + b) of petal width -- a rising or falling step --
    and the output unit weighs them, v1·h1 + v2·h2 + v3·h3 + B, before its sigmoid: a rising
    step minus a later one is the bump. Returns each unit's (w, b, v)."""
    (w, b), (v, c) = model.layers[0].get_weights(), model.layers[2].get_weights()
    xs = np.linspace(0, 2.6, 200)
    hidden = 1 / (1 + np.exp(-(xs[:, None] * w + b)))
    mix = hidden @ v[:, 0] + c[0]
    fig, (top, bottom) = plots.subplots_grid(2, ncols=1, panel_size=(6.4, 2.6))
    for k in range(hidden.shape[1]):
        top.plot(xs, hidden[:, k], label=f"h{k + 1} = σ({w[0, k]:.2f}·x {'−' if b[k] < 0 else '+'} {abs(b[k]):.2f}),"
                                         f" weight to the output v{k + 1} = {v[k, 0]:.2f}")
    top.set(ylabel="hidden unit output", title="The hidden units: one sigmoid step each")
    top.legend(frameon=False, fontsize=7)
    bottom.plot(xs, mix, color="gray", ls="--", label="v·h + B (before the output sigmoid)")
    bottom.plot(xs, 1 / (1 + np.exp(-mix)), color=plots.CURVE, label="P(versicolor) = σ(v·h + B)")
    bottom.plot(x, y, "|", color=plots.POSITIVE, alpha=0.5, label="irises (1 = versicolor)")
    bottom.set(xlabel="petal width (cm)", ylabel="output")
    bottom.legend(frameon=False, fontsize=7)
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    plots.savefig(fig, path)
    return [(float(w[0, k]), float(b[k]), float(v[k, 0])) for k in range(hidden.shape[1])]

if __name__ == "__main__":
    main()
