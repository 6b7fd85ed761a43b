"""Is this iris a virginica? Logistic regression on petal width (seed 002, part 1: the PyData talk).

The talk's histogram of petal widths with the fitted sigmoid on top, the accuracy
(the talk: 0.96 with scikit-learn and Keras), and the weights the talk picked by hand,
w = 3 and b = −5, next to the learned ones.

    python examples/iris_logistic.py [--out DIR] [--quick]
"""
import argparse
from pathlib import Path

import numpy as np

import nn
from nn import Activation, Dense, Sequential
from nn import plots
from nn.datasets import load_iris


def sigmoid(z):
    """The talk's sigmoid: 1 / (1 + exp(−z))."""
    return 1 / (1 + np.exp(-z))


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
    X = iris.data[:, 3]                                     # petal width (cm)
    is_virginica = (iris.target == 2).astype("float32")
    print(f"{len(X)} irises, {int(is_virginica.sum())} virginica")

    # --- playing with w and b by hand, as in the talk -------------------------------------------
    tries = [(1, 0), (5, 0), (1, 3), (1, -3), (3, -1), (3, -10), (3, -5)]
    fig, axes = plots.subplots_grid(len(tries), ncols=4, panel_size=(3.3, 2.5))
    for ax, (w, b) in zip(axes, tries):
        plots.plot_probability_curve(X, is_virginica, lambda x, w=w, b=b: sigmoid(w * x + b),
                                     class_names=("not virginica", "virginica"), xlabel="petal width",
                                     ax=ax, legend=False, title=f"sigmoid({affine(w, b, digits=0)})")
    fig.suptitle("Fitting by hand: change w to squeeze the curve, b to shift it (w=3, b=−5 fits)")
    plots.savefig(fig, out / "iris_by_hand.png")

    # --- the talk's Keras model ----------------------------------------------------------------
    model = Sequential()
    model.add(Dense(1, input_dim=1))
    model.add(Activation("sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    history = model.fit(X, is_virginica, epochs=500, verbose=0)
    loss, accuracy = model.evaluate(X, is_virginica, verbose=0)
    learned = model.get_weights()
    w, b = float(learned[0][0, 0]), float(learned[1][0])

    # --- the hand-picked weights, evaluated by the same model -----------------------------------
    model.set_weights([np.array([[3.0]]), np.array([-5.0])])
    hand_loss, hand_accuracy = model.evaluate(X, is_virginica, verbose=0)
    model.set_weights(learned)

    print(f"{'':12s} {'w':>7s} {'b':>7s} {'loss':>7s} {'accuracy':>9s}  boundary (p = 0.5 at x = −b/w)")
    print(f"{'learned':12s} {w:7.3f} {b:7.3f} {loss:7.4f} {accuracy:9.4f}  {-b / w:.3f} cm")
    print(f"{'by hand':12s} {3.0:7.3f} {-5.0:7.3f} {hand_loss:7.4f} {hand_accuracy:9.4f}  {5 / 3:.3f} cm")
    results.update(w=w, b=b, loss=float(loss), accuracy=float(accuracy),
                       hand_loss=float(hand_loss), hand_accuracy=float(hand_accuracy))

    plots.plot_probability_curve(
        X, is_virginica,
        {f"learned: sigmoid({affine(w, b)}), accuracy {accuracy:.3f}": model,
         f"by hand: sigmoid(3·x − 5), accuracy {hand_accuracy:.3f}": lambda x: sigmoid(3 * x - 5)},
        class_names=("not virginica", "virginica"), xlabel="petal width (cm)",
        title="P(virginica | petal width) over the histogram", path=out / "iris_logistic.png")
    plots.plot_history(history, title="Training (SGD, 500 epochs)", loss_label="binary cross-entropy",
                       path=out / "iris_logistic_history.png")
    for path in sorted(out.glob("iris_*")):
        print(f"wrote {path}")
    return results


if __name__ == "__main__":
    main()
