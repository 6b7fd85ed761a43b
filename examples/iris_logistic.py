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
    results.update(penalty_and_gradient_curves(out / "iris_ce_vs_mse.png"))
    for path in sorted(out.glob("iris_*")):
        print(f"wrote {path}")
    return results


# --- under the hood: cross-entropy's penalty and gradient against MSE's ---------------------------
def penalty_and_gradient_curves(path) -> dict:
    """For a virginica (y = 1) predicted p = σ(z): the penalty, −log p (cross-entropy) against
    (1 − p)² (MSE), and its gradient with respect to z, computed by the engine. Cross-entropy's
    is p − 1: strongest when the model is confidently wrong. MSE's is 2(p − 1)·σ'(z), and σ'(z)
    vanishes there: a confidently wrong sigmoid learns slowly under MSE. am.explain shows why."""
    import autograd_mini as am
    from nn.losses import binary_crossentropy, mean_squared_error

    z = np.linspace(-8.0, 8.0, 321).reshape(-1, 1)
    ones = am.Tensor(np.ones_like(z))
    curves = {}
    for name, loss_of in (("cross-entropy", lambda t: binary_crossentropy(ones, t, from_logits=True, reduction="none")),
                          ("MSE", lambda t: mean_squared_error(ones, t.sigmoid(), reduction="none"))):
        logits = am.Tensor(z, requires_grad=True)
        penalty = loss_of(logits)
        penalty.sum().backward()                        # one gradient per z: the samples are independent
        curves[name] = (penalty.data.ravel(), logits.grad.data.ravel())
    wrong = am.Tensor([[-6.0]], requires_grad=True, name="z")   # p = σ(−6) = 0.0025 for a virginica
    for name, loss in (("cross-entropy", binary_crossentropy(am.Tensor([[1.0]], name="y"), wrong, from_logits=True)),
                       ("MSE", mean_squared_error(am.Tensor([[1.0]], name="y"), wrong.sigmoid()))):
        loss.name = name
        print(f"\na confidently wrong prediction, p = σ(−6) = 0.0025 for a virginica -- am.explain({name}, z):")
        print(am.explain(loss, wrong))
    p = 1 / (1 + np.exp(-z.ravel()))
    fig, (left, right) = plots.subplots_grid(2, ncols=2, panel_size=(4.6, 3.4))
    for name, (penalty, gradient) in curves.items():
        left.plot(p, penalty, label=name)
        right.plot(p, gradient, label=name)
    left.set(xlabel="predicted p for a virginica (y = 1)", ylabel="penalty", title="the loss as a penalty")
    right.set(xlabel="predicted p for a virginica (y = 1)", ylabel="∂loss/∂z  (p = σ(z))",
              title="its gradient: CE pushes hardest when most wrong")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(frameon=False)
    plots.savefig(fig, path)
    at = int(np.argmin(np.abs(z.ravel() + 6.0)))
    return {"ce_gradient_at_wrong": float(curves["cross-entropy"][1][at]),
            "mse_gradient_at_wrong": float(curves["MSE"][1][at])}

if __name__ == "__main__":
    main()
