"""Why fit minimizes the loss, not the accuracy (seed 002, part 2: the PyData talk's heatmaps).

Accuracy and binary cross-entropy of sigmoid(w·x + b) on iris petal width over
(w, b) in [−10, 10]², with the path training takes from (−9, −9), drawn every 25
epochs. The accuracy is flat where the path starts -- no direction to follow --
while the loss still slopes, and fit walks down the loss.

    python examples/loss_landscape.py [--out DIR] [--quick]
"""
import argparse
from pathlib import Path

import numpy as np

import nn
from nn import Activation, Dense, Sequential
from nn import plots
from nn.callbacks import WeightHistory
from nn.datasets import load_iris

def landscape(x, y, W, B):
    """Loss and accuracy of p = sigmoid(w·x + b) at every grid point (w, b), all samples at once.

    The loss is the mean of −(y·log p + (1 − y)·log(1 − p)), written with z = w·x + b as
    log(1 + e^z) − y·z: the form fit minimizes for a sigmoid output (as Keras's TensorFlow
    backend does), exact even where p rounds to 0 or 1, so the slope never vanishes.
    """
    z = W[..., None] * x + B[..., None]                    # (rows, cols, samples)
    loss = np.mean(np.logaddexp(0, z) - y * z, axis=-1)
    accuracy = np.mean((z > 0) == (y > 0.5), axis=-1)      # p > 0.5 exactly when z > 0
    return loss, accuracy


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
    x = iris.data[:, 3].astype(np.float64)
    y = (iris.target == 2).astype(np.float64)

    W, B, _ = plots.grid_eval(lambda w, b: w, (-10, 10), (-10, 10), n=41 if args.quick else 121)
    loss_grid, accuracy_grid = landscape(x, y, W, B)

    # --- the talk's training run: start at (−9, −9), look every 25 epochs ----------------------
    # the talk's Keras model: one Dense unit and a sigmoid, binary cross-entropy, plain SGD
    model = Sequential()
    model.add(Dense(1, input_dim=1))
    model.add(Activation("sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    model.set_weights([np.array([[-9.0]]), np.array([-9.0])])
    path = WeightHistory(every=25)
    epochs = 500 if args.quick else 1500
    history = model.fit(iris.data[:, 3], y, epochs=epochs, verbose=0, callbacks=[path])
    trajectory = path.flat()                                 # rows of (w, b)
    path_loss, path_accuracy = landscape(x, y, trajectory[:, 0], trajectory[:, 1])

    # how long the accuracy stays flat while the loss goes down
    flat = int(np.argmax(path_accuracy != path_accuracy[0]))
    flat = flat if path_accuracy[flat] != path_accuracy[0] else len(path_accuracy)
    w, b = trajectory[-1]
    print(f"start (w, b) = (−9, −9): loss {path_loss[0]:.3f}, accuracy {path_accuracy[0]:.4f}")
    print(f"accuracy stays {path_accuracy[0]:.4f} for the first {path.epochs[flat - 1]} epochs, "
          f"while the loss falls {path_loss[0]:.3f} → {path_loss[flat - 1]:.3f}")
    share = float(np.mean(np.isclose(accuracy_grid, path_accuracy[0])))
    print(f"accuracy is exactly {path_accuracy[0]:.4f} on {share:.0%} of the (w, b) square: "
          f"a plateau without a slope")
    print(f"after {epochs} epochs: (w, b) = ({w:.3f}, {b:.3f}), loss {path_loss[-1]:.4f}, "
          f"accuracy {path_accuracy[-1]:.4f}  (the talk picked w = 3, b = −5 by hand)")
    decreasing = bool(np.all(np.diff(path_loss) <= 1e-6))
    print(f"the loss decreases at every recorded step: {decreasing}")
    results.update(start_loss=float(path_loss[0]), start_accuracy=float(path_accuracy[0]),
                       flat_epochs=int(path.epochs[flat - 1]), flat_share=share,
                       end_w=float(w), end_b=float(b), end_loss=float(path_loss[-1]),
                       end_accuracy=float(path_accuracy[-1]), loss_decreasing=decreasing,
                       fit_loss=float(history.history["loss"][-1]))

    # --- figures ------------------------------------------------------------------------------
    fig, (left, right) = plots.subplots_grid(2, ncols=2, panel_size=(5.4, 4.4))
    plots.plot_landscape(W, B, accuracy_grid, trajectory=trajectory, zlabel="accuracy", cmap="RdBu_r",
                         vmin=0, vmax=1, contours=None, ax=left,
                         trajectory_label="every 25 epochs", title="accuracy: flat where training starts")
    plots.plot_landscape(W, B, loss_grid, trajectory=trajectory, zlabel="binary cross-entropy", log=True,
                         ax=right, trajectory_label="every 25 epochs", title="loss: a slope everywhere")
    fig.suptitle(f"sigmoid(w·x + b) on iris petal width: SGD from (−9, −9), {epochs} epochs")
    plots.savefig(fig, out / "loss_landscape.png")
    plots.plot_series({"loss (binary cross-entropy)": path_loss, "accuracy": path_accuracy},
                      x=path.epochs, xlabel="epoch", ylabel="value along the path", marker="o",
                      title="Along the path: the loss falls while the accuracy waits",
                      path=out / "loss_landscape_path.png")
    results.update(mse_beside_cross_entropy(x, y, out / "loss_landscape_mse_vs_ce.png"))
    for path in sorted(out.glob("loss_landscape*")):
        print(f"wrote {path}")
    return results


# --- under the hood: MSE's landscape beside cross-entropy's, with gradient arrows ----------------
def mse_beside_cross_entropy(x, y, path, n: int = 81, arrows: int = 11) -> dict:
    """Both losses of sigmoid(w·x + b) over (w, b), each with arrows along −gradient (the way SGD
    steps), the gradients computed by the engine at every arrow at once. Far from the answer
    MSE's landscape is a plateau (σ' ≈ 0 there: tiny arrows), cross-entropy's keeps its slope."""
    import autograd_mini as am

    def losses(w, b):
        p = (w * x + b).sigmoid()                       # (grid, grid, samples)
        ce = -(y * p.log() + (1.0 - y) * (1.0 - p).log()).mean(axis=-1)
        return ce, ((p - y) ** 2.0).mean(axis=-1)
    grid = np.linspace(-10, 10, n)
    W, B = np.meshgrid(grid, grid)
    with am.no_grad():
        surfaces = [s.data for s in losses(am.Tensor(W[..., None]), am.Tensor(B[..., None]))]
    coarse = np.linspace(-9, 9, arrows)
    Wc, Bc = np.meshgrid(coarse, coarse)
    fig, axes = plots.subplots_grid(2, ncols=2, panel_size=(5.2, 4.2))
    slopes = {}
    for k, (name, surface) in enumerate((("binary cross-entropy", surfaces[0]), ("MSE", surfaces[1]))):
        w, b = am.Tensor(Wc[..., None], requires_grad=True), am.Tensor(Bc[..., None], requires_grad=True)
        losses(w, b)[k].sum().backward()                # each point's loss depends on its own (w, b) only
        gw, gb = w.grad.data[..., 0], b.grad.data[..., 0]
        size = np.hypot(gw, gb)
        plots.plot_landscape(W, B, surface, zlabel=name, log=True, ax=axes[k], contours=10, title=name)
        axes[k].quiver(Wc, Bc, -gw / np.maximum(size, 1e-12), -gb / np.maximum(size, 1e-12),
                       np.log10(np.maximum(size, 1e-12)), cmap="autumn", scale=25, width=0.006)
        slopes[name] = float(np.median(size))
    fig.suptitle("−gradient directions (colour: log10 of its size): MSE flattens out, cross-entropy does not")
    plots.savefig(fig, path)
    print(f"median gradient size over the square: cross-entropy {slopes['binary cross-entropy']:.3g}, "
          f"MSE {slopes['MSE']:.3g}")
    return {"median_gradient_ce": slopes["binary cross-entropy"], "median_gradient_mse": slopes["MSE"]}

if __name__ == "__main__":
    main()
