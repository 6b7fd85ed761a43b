"""From a linear unit to a deep ReLU network (seed 004: "Introduction to Deep Learning Using Keras").

1. The linear unit with three inputs (sugars, fiber, protein -> calories), its
   weights before training -- one per input and a bias -- and after: trained on
   cereals generated as calories = 90 + 2.5·sugars + 1.5·fiber + 4·protein + noise,
   it finds those numbers back.
2. The course's network: three hidden layers of 512 ReLU units and a linear output,
   on concrete mixes whose compressive strength follows a known nonlinear formula
   (Abrams' law; ``nn.synthetic.make_concrete``: no download). Training curve,
   and predicted against true strength next to the best straight-line fit.

    python examples/deep_regression.py [--out DIR] [--quick]
"""
import argparse
import os
from pathlib import Path

# One BLAS thread unless you say otherwise (set before numpy loads): these matrices are small, and on a
# shared or busy machine OpenBLAS's worker threads fight for the cores -- a 128×512 @ 512×512 product
# measured 1.5 ms on one thread and 21 ms on two under load.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


import numpy as np

import nn
from nn import Dense, Sequential
from nn import plots
from nn.synthetic import make_cereals, make_concrete


def r2_score(y_true, y_pred):
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    return float(1 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))


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
    nn.set_random_seed(0)

    # --- 1. the linear unit -------------------------------------------------------------------------
    model = Sequential([Dense(units=1, input_shape=[3])])
    w, b = model.weights                                    # autograd_mini Tensors
    print(f"Weights\n{w}\n\nBias\n{b}")                      # the course's print, before any training
    results.update(linear_kernel_shape=list(w.shape), linear_bias_shape=list(b.shape),
                       linear_params=model.count_params())

    cereals = make_cereals()
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.5), loss="mse")
    model.fit(cereals.data, cereals.target, epochs=800, verbose=0)
    kernel, bias = model.get_weights()
    A = np.column_stack([cereals.data, np.ones(len(cereals.data))])
    exact = np.linalg.lstsq(A.astype(np.float64), cereals.target.astype(np.float64), rcond=None)[0]
    print(f"\ntrained on {len(cereals.data)} cereals: calories = "
          + " + ".join(f"{v:.2f}·{n}" for v, n in zip(kernel.ravel(), cereals.feature_names))
          + f" + {bias[0]:.2f}")
    print("least squares:              calories = "
          + " + ".join(f"{v:.2f}·{n}" for v, n in zip(exact[:3], cereals.feature_names)) + f" + {exact[3]:.2f}")
    print("the formula that made them: calories = "
          + " + ".join(f"{v:.2f}·{n}" for v, n in zip(cereals.coef, cereals.feature_names))
          + f" + {cereals.intercept:.2f}")
    results.update(linear_weights=kernel.ravel().tolist(), linear_bias=float(bias[0]),
                       least_squares=exact.tolist())

    # --- 2. three hidden layers of 512 ReLU units ---------------------------------------------------
    concrete = make_concrete()
    X, y = concrete.data, concrete.target
    n_train = int(0.8 * len(X))                             # validation_split=0.2 takes the last 20 %
    mean, std = X[:n_train].mean(axis=0), X[:n_train].std(axis=0)
    X = (X - mean) / std                                    # inputs on one scale (training statistics)
    if args.quick:                                           # a smaller slice of the same data
        X, y, n_train = X[:320], y[:320], 256

    model = Sequential([
        Dense(512, activation="relu", input_shape=[8]),
        Dense(512, activation="relu"),
        Dense(512, activation="relu"),
        Dense(1),
    ])
    model.summary()
    results["deep_params"] = model.count_params()
    results["deep_kernel_shapes"] = [list(k.shape) for k in model.get_weights()[0::2]]
    model.compile(optimizer="adam", loss="mae")
    epochs = 3 if args.quick else 30
    history = model.fit(X, y, validation_split=0.2, epochs=epochs, verbose=0)
    X_val, y_val = X[n_train:], y[n_train:]
    deep = model.predict(X_val, verbose=0).ravel()

    # the best a straight line can do on the same split (least squares, fitted on the training part)
    A = np.column_stack([X, np.ones(len(X))]).astype(np.float64)
    coef = np.linalg.lstsq(A[:n_train], y[:n_train].astype(np.float64), rcond=None)[0]
    linear = A[n_train:] @ coef

    mae = float(np.mean(np.abs(deep - y_val)))
    print(f"\n{epochs} epochs: training MAE {history.history['loss'][-1]:.2f} MPa, "
          f"validation MAE {history.history['val_loss'][-1]:.2f} MPa")
    print(f"validation R²: 3×512 ReLU network {r2_score(y_val, deep):.3f}, "
          f"best straight line {r2_score(y_val, linear):.3f}  (strength spread: std {y_val.std():.1f} MPa)")
    results.update(deep_val_mae=mae, deep_r2=r2_score(y_val, deep), linear_r2=r2_score(y_val, linear),
                       linear_val_mae=float(np.mean(np.abs(linear - y_val))),
                       history={k: [float(v) for v in vs] for k, vs in history.history.items()})

    plots.plot_history(history, title="3×512 ReLU network on concrete strength", loss_label="MAE (MPa)",
                       path=out / "deep_regression_history.png", figsize=(6, 3.6))
    plots.plot_parity(y_val, {"3×512 ReLU": deep, "straight line": linear}, xlabel="true strength (MPa)",
                      ylabel="predicted strength (MPa)", title="Validation mixes",
                      path=out / "deep_regression_parity.png")
    results["two_linear_layers_gap"] = two_linear_layers_are_one()
    for path in sorted(out.glob("deep_regression_*")):
        print(f"wrote {path}")
    return results


# --- under the hood: two linear layers are one (why the course adds activations) ------------------
def two_linear_layers_are_one(n_inputs: int = 3, hidden: int = 8) -> float:
    """Dense(8) then Dense(1), nothing in between: (x·W1 + b1)·W2 + b2 = x·(W1·W2) + (b1·W2 + b2),
    so one Dense(1) with W = W1·W2 and b = b1·W2 + b2 makes the same predictions. Returns the
    largest difference between the two models' predictions on 100 random inputs."""
    nn.set_random_seed(1)
    two = Sequential([Dense(hidden, input_shape=[n_inputs]), Dense(1)])
    w1, b1, w2, b2 = (w.astype(np.float64) for w in two.get_weights())
    one = Sequential([Dense(1, input_shape=[n_inputs])])
    one.set_weights([w1 @ w2, b1 @ w2 + b2])
    x = np.random.default_rng(1).normal(size=(100, n_inputs)).astype("float32")
    gap = float(np.max(np.abs(two.predict(x, verbose=0) - one.predict(x, verbose=0))))
    print(f"\ntwo linear layers are one: Dense({hidden}) → Dense(1) ({two.count_params()} weights) and "
          f"Dense(1) with W = W1·W2, b = b1·W2 + b2 ({one.count_params()} weights)\n"
          f"  predict the same: largest difference on 100 inputs {gap:.2g} (float32 rounding); "
          "an activation in between is what makes depth add anything")
    return gap

if __name__ == "__main__":
    main()
