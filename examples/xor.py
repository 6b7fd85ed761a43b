"""XOR: a problem no single line separates, solved by one hidden layer (seed 003).

The tutorial's network -- Dense(16, relu) + Dense(1, sigmoid), mean squared error,
Adam, binary_accuracy -- the epoch where the accuracy first reaches 100 %, the
decision surface, and the variants the tutorial tries: a second hidden layer, and
32 units instead of 16. The epoch depends on the random initialization, so each
network is trained from several seeds (one with --quick).

    python examples/xor.py [--out DIR] [--quick]
"""
import argparse
from pathlib import Path

import numpy as np

import nn
from nn import Dense, Sequential
from nn import plots

training_data = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], "float32")
target_data = np.array([[0], [1], [1], [0]], "float32")

VARIANTS = {
    "16 relu": lambda: [Dense(16, input_dim=2, activation="relu"), Dense(1, activation="sigmoid")],
    "16 relu + 16 relu": lambda: [Dense(16, input_dim=2, activation="relu"), Dense(16, activation="relu"),
                                  Dense(1, activation="sigmoid")],
    "32 relu": lambda: [Dense(32, input_dim=2, activation="relu"), Dense(1, activation="sigmoid")],
}


def train(layers, seed, epochs):
    nn.set_random_seed(seed)
    model = Sequential()
    for layer in layers():
        model.add(layer)
    model.compile(loss="mean_squared_error", optimizer="adam", metrics=["binary_accuracy"])
    history = model.fit(training_data, target_data, epochs=epochs, verbose=0)
    accuracy = history.history["binary_accuracy"]
    first = next((i + 1 for i, a in enumerate(accuracy) if a == 1.0), None)
    return model, history, first


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
    epochs = 300 if args.quick else 500
    seeds = range(1 if args.quick else 5)
    print(f"{'network':18s} {'params':>6s}  first epoch at 100 % accuracy, per seed")
    best = {}
    for name, layers in VARIANTS.items():
        firsts, solved = [], 0
        for seed in seeds:
            model, history, first = train(layers, seed, epochs)
            prediction = model.predict(training_data, verbose=0)
            is_solved = bool(np.array_equal(prediction.round(), target_data))
            solved += is_solved
            firsts.append(first)
            if seed == 0:
                best[name] = (model, history, first, prediction)
        median = int(np.median([f for f in firsts if f])) if any(firsts) else None
        shown = ", ".join(str(f) if f else "never" for f in firsts)
        print(f"{name:18s} {model.count_params():6d}  {shown}   (solved {solved}/{len(firsts)}, "
              f"median epoch {median})")
        key = name.replace(" + ", "_").replace(" ", "")
        results[f"{key}_first_epochs"] = firsts
        results[f"{key}_solved"] = solved
        results[f"{key}_seeds"] = len(firsts)

    model, history, first, prediction = best["16 relu"]
    print(f"the tutorial's network, seed 0: 100 % accuracy from epoch {first}; "
          f"predict -> [{', '.join(f'{p:.3f}' for p in prediction.ravel())}], "
          f"rounded {prediction.round().ravel().astype(int).tolist()}"
          f" (targets {target_data.ravel().astype(int).tolist()})")
    results.update(first_epoch=first, prediction=prediction.ravel().tolist(),
                       solved=bool(np.array_equal(prediction.round(), target_data)))

    # --- figures -----------------------------------------------------------------------------------
    fig, axes = plots.subplots_grid(3, ncols=3, panel_size=(4.0, 3.8))
    for ax, (name, (m, h, f, _)) in zip(axes, best.items()):
        plots.plot_decision_surface(m, training_data, target_data, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5),
                                    resolution=120, annotate=True, ax=ax, class_names=("XOR = 0", "XOR = 1"),
                                    title=f"{name}: 100 % at epoch {f}")
    fig.suptitle("XOR decision surfaces (seed 0); black line: output 0.5")
    plots.savefig(fig, out / "xor_decision_surfaces.png")
    plots.plot_history(history, title=f"XOR, Dense(16, relu) + Dense(1, sigmoid): 100 % from epoch {first}",
                       path=out / "xor_history.png")
    for path in sorted(out.glob("xor_*")):
        print(f"wrote {path}")
    return results


if __name__ == "__main__":
    main()
