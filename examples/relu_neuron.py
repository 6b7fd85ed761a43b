"""One ReLU neuron learns a bent line (seed 001: "First Steps With Neural Nets in Keras").

Data from f(x) = 0 for x ≤ 1 and 2·(x − 1) beyond; one Dense unit with weights drawn
from N(0, 0.05) and a ReLU. Prints the weights before and after training, draws the
predictions frame by frame (a strip and a GIF), the training error per iteration for
two batch sizes, and the dying-ReLU case: an initialization that maps every sample
below 0, weights that never move, and ``nn.dead_relu_units`` saying why.

    python examples/relu_neuron.py [--out DIR] [--quick]
"""
import argparse
from pathlib import Path

import numpy as np

import nn
from nn import Activation, Callback, Dense, Sequential, WeightHistory, dead_relu_units
from nn import plots


def f(x):
    """The tutorial's bilinear function: 0 for x ≤ 1, 2·(x − 1) for x > 1."""
    return np.where(x <= 1, 0.0, 2 * (x - 1))


def make_neuron():
    model = Sequential()
    model.add(Dense(1, input_dim=1, kernel_initializer="normal"))   # N(0, 0.05), bias 0
    model.add(Activation("relu"))
    model.compile(loss="mean_squared_error", optimizer="sgd")
    return model


class TrainingError(Callback):
    """The error on the whole training set after every weight update (every batch)."""

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y, self.errors = x, y, []

    def on_batch_end(self, batch, logs=None):
        (w,), (b,) = self.model.get_weights()[0][0], self.model.get_weights()[1]
        self.errors.append(float(np.mean((np.maximum(w * self.x + b, 0) - self.y) ** 2)))


def weights_text(model):
    kernel, bias = model.get_weights()
    return f"w0: {kernel[0, 0]:.2f}, w1: {bias[0]:.2f}"


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
    x = np.linspace(0, 3, 31).astype("float32")
    y = f(x).astype("float32")
    X_train, Y_train = np.array(x, ndmin=2).T, np.array(y, ndmin=2).T   # as in the tutorial

    # --- the tutorial's neuron ------------------------------------------------------------------
    nn.set_random_seed(0)
    model = make_neuron()
    results["initial"] = weights_text(model)
    print(f"neural net initialized with weights {weights_text(model)}")
    epochs = 400 if args.quick else 2000
    snapshots = WeightHistory(every=epochs // (8 if args.quick else 20))     # 21 frames (9 with --quick)
    history = model.fit(X_train, Y_train, epochs=epochs, verbose=0, callbacks=[snapshots])
    kernel, bias = model.get_weights()
    results["trained"] = weights_text(model)
    print(f"neural net weights after training {weights_text(model)}   (the true line: w0 = 2, w1 = −2)")
    results.update(w=float(kernel[0, 0]), b=float(bias[0]), final_loss=float(history.history["loss"][-1]))
    print(f"training error (MSE) after {epochs} epochs: {history.history['loss'][-1]:.5f}")

    # predictions frame by frame: put each snapshot's weights back into a model and predict
    viewer = make_neuron()
    xs = np.linspace(0, 3, 100)
    frames = []
    for epoch, weights in zip(snapshots.epochs, snapshots.weights):
        viewer.set_weights(weights)
        frames.append((epoch, weights, viewer.predict(xs.reshape(-1, 1), verbose=0).ravel()))

    def draw(ax, epoch, weights, pred, legend):
        plots.plot_fit(x, y, {"ReLU(w0·x + w1)": lambda v: np.interp(v, xs, pred)}, xs=xs, ax=ax,
                       ylim=(-0.2, 4.2), legend=legend,
                       title=f"epoch {epoch}: w0 {weights[0][0, 0]:.2f}, w1 {weights[1][0]:.2f}")

    strip = [frames[i] for i in np.linspace(0, len(frames) - 1, 6).round().astype(int)]
    fig, axes = plots.subplots_grid(len(strip), ncols=3)
    for i, (ax, frame) in enumerate(zip(axes, strip)):
        draw(ax, *frame, legend=i == 0)
    fig.suptitle("One ReLU neuron learning f(x) = max(0, 2·(x − 1))")
    plots.savefig(fig, out / "relu_neuron_frames.png")
    movie = plots.plot_fit(x, y, {"ReLU(w0·x + w1)": lambda v: v * 0}, xs=xs, ylim=(-0.2, 4.2),
                           figsize=(4.2, 3.0))
    line, ax = movie.axes[0].lines[-1], movie.axes[0]

    def update(i):
        epoch, weights, pred = frames[i]
        line.set_ydata(pred)
        ax.set_title(f"epoch {epoch}: w0 {weights[0][0, 0]:.2f}, w1 {weights[1][0]:.2f}")
    plots.animate(movie, update, len(frames), out / "relu_neuron_training.gif", fps=6)

    # --- training error per iteration: small batches jitter, the full batch does not ----------
    curves = {}
    iterations = 300 if args.quick else 1500
    for batch_size in (32, 1):
        nn.set_random_seed(0)
        neuron = make_neuron()
        errors = TrainingError(x, y)
        steps = -(-len(x) // batch_size)                     # weight updates per epoch
        neuron.fit(X_train, Y_train, epochs=-(-iterations // steps), batch_size=batch_size, verbose=0,
                   callbacks=[errors])
        ups = int(np.sum(np.diff(errors.errors[:iterations]) > 0))
        label = f"batch_size={batch_size}" + (" (all 31 samples)" if batch_size >= len(x) else "")
        curves[f"{label}: error rose in {ups} of {iterations} updates"] = errors.errors[:iterations]
        results[f"error_increases_batch{batch_size}"] = ups
        print(f"{label}: the training error went up in {ups} of the first {iterations} weight updates")
    fig, (left, right) = plots.subplots_grid(2, ncols=2, panel_size=(5.2, 3.6))
    plots.plot_series(curves, xlabel="iteration (weight update)", ylabel="training error (MSE)", logy=True,
                      ax=left, title="Training error per iteration", legend_loc="upper right")
    window = slice(iterations - iterations // 10, iterations)
    plots.plot_series({k: v[window] for k, v in curves.items()}, x=np.arange(window.start, window.stop) + 1,
                      xlabel="iteration (weight update)", ylabel="training error (MSE)", ax=right,
                      title="Zoom on the last 10 %: one-sample batches jitter")
    right.get_legend().remove()
    plots.savefig(fig, out / "relu_neuron_batch_sizes.png")

    # --- the dying ReLU -------------------------------------------------------------------------
    dead = make_neuron()
    dead.set_weights([np.array([[-0.02]]), np.array([0.0])])     # w0·x + w1 ≤ 0 for every x ≥ 0
    print(f"neural net initialized with weights {weights_text(dead)}")
    dead.fit(X_train, Y_train, epochs=200 if args.quick else 2000, verbose=0)
    print(f"neural net weights after training {weights_text(dead)}   (they never moved)")
    report = dead_relu_units(dead, X_train)
    print(f"nn.dead_relu_units(model, X_train) -> {report}: the ReLU outputs 0 on every sample, "
          f"so every gradient is 0")
    results.update(dead_weights=[float(dead.get_weights()[0][0, 0]), float(dead.get_weights()[1][0])],
                       dead_units=report, alive_units=dead_relu_units(model, X_train))
    plots.plot_fit(x, y, {f"dead neuron: {weights_text(dead)}": dead, f"trained neuron: {weights_text(model)}":
                          model}, xs=xs, ylim=(-0.2, 4.2), title="Dying ReLU: all inputs map below 0",
                   path=out / "relu_neuron_dead.png")
    results["dead_explained"] = explain_dead_neuron(dead, X_train, Y_train, out / "relu_neuron_dead_flipbook")
    for path in sorted(out.glob("relu_neuron_*")):
        print(f"wrote {path}")
    return results


# --- under the hood: why the dead neuron never learns, in numbers and step by step --------------
def explain_dead_neuron(model, x, y, directory):
    """am.explain of ∂loss/∂w for the dead neuron on three samples (x = 1, 2, 3): every path
    runs through relu, whose local derivative [z > 0] is 0 -- so every product, and the
    gradient, is exactly 0. Then the backward flipbook, where the flow is drawn blocked."""
    import autograd_mini as am
    from nn.losses import mean_squared_error

    samples = slice(10, None, 10)                        # x = 1, 2, 3: three paths, listed one by one
    loss = mean_squared_error(am.Tensor(y[samples], name="y"), model(am.Tensor(x[samples], name="x")))
    loss.name = "loss"
    why = am.explain(loss, model.layers[0].kernel)
    print(f"\nam.explain(loss, w) for the dead neuron:\n{why}")
    frames = am.backward_frames(loss)
    am.save_flipbook(frames, directory, title="A dead ReLU: the gradient is blocked at relu")
    print(f"backward, step by step (flow blocked at relu): {directory}/index.html")
    return {"total": why.total, "factors": [p.factors for p in why.paths], "frames": len(frames)}


if __name__ == "__main__":
    main()
