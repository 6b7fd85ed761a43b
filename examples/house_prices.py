"""House prices with one linear neuron (seed 000: "The math behind simplified Keras neural networks").

The tweet's six-line Keras program, then the math behind ``fit``: the first epoch's
update computed by hand -- θ := θ − α·∂J/∂θ -- next to the library's.

    python examples/house_prices.py [--out DIR] [--quick]
"""
import argparse
from pathlib import Path

import numpy as np

import nn
from nn import Dense, Sequential
from nn import plots


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

    # --- the seed's program (keras.Sequential -> nn.Sequential) -----------------------------
    model = Sequential([Dense(units=1, input_shape=[1])])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    num_of_flats = (1, 2, 3, 4, 5, 6, 7)
    price_of_house = (10000, 20000, 30000, 40000, 50000, 60000, 70000)

    # --- epoch 1 by hand: h(x) = θ0 + θ1·x,  J(θ) = (1/n) Σ (h(x) − y)²  --------------------
    x = np.array(num_of_flats, dtype=np.float32)
    y = np.array(price_of_house, dtype=np.float32)
    kernel, bias = model.get_weights()
    theta1, theta0 = np.float32(kernel[0, 0]), np.float32(bias[0])
    alpha = np.float32(0.01)                                  # Keras's SGD default learning rate
    n = np.float32(len(x))                                    # 7 samples < batch_size 32: one step per epoch
    h = theta0 + theta1 * x
    J = np.mean((h - y) ** 2)
    dJ_dtheta0 = np.float32(2) / n * np.sum(h - y)            # ∂J/∂θ0 = (2/n) Σ (h − y)
    dJ_dtheta1 = np.float32(2) / n * np.sum((h - y) * x)      # ∂J/∂θ1 = (2/n) Σ (h − y)·x
    hand = (theta0 - alpha * dJ_dtheta0, theta1 - alpha * dJ_dtheta1)

    results["explained"] = explain_first_step(model, x, y, (dJ_dtheta0, dJ_dtheta1))
    first = model.fit(num_of_flats, price_of_house, epochs=1, verbose=0)
    kernel1, bias1 = model.get_weights()
    lib = (float(bias1[0]), float(kernel1[0, 0]))
    print("epoch 1 by hand vs model.fit(epochs=1):  h = θ0 + θ1·x,  J = (1/n)·Σ(h − y)²,  α = 0.01")
    print(f"  {'':32s} {'θ0 (bias)':>14s} {'θ1 (weight)':>14s}")
    print(f"  {'start':32s} {theta0:14.4f} {theta1:14.4f}")
    print(f"  {'∂J/∂θj = (2/n)·Σ(h − y)·xj':32s} {dJ_dtheta0:14.4f} {dJ_dtheta1:14.4f}   (x0 = 1)")
    print(f"  {'by hand: θj := θj − α·∂J/∂θj':32s} {hand[0]:14.4f} {hand[1]:14.4f}")
    print(f"  {'model.fit(epochs=1)':32s} {lib[0]:14.4f} {lib[1]:14.4f}")
    print(f"  J(θ) at the start = {J:.6g} (fit's loss for epoch 1: {first.history['loss'][0]:.6g})")
    results["hand_update_matches"] = bool(np.allclose(hand, lib, rtol=1e-5, atol=1e-3))
    print(f"  same update: {results['hand_update_matches']}")
    results.update(hand_theta=[float(v) for v in hand], fit_theta=list(lib), first_loss=float(J))
    print("  (the tutorial's θj := θj + α Σ (y − h)·xj is the same rule with the factor 2/n "
          "folded into α)")

    # --- the remaining epochs, then the price for 10 flats ----------------------------------
    epochs = 500                                              # the seed's program: fast, even for --quick
    rest = model.fit(num_of_flats, price_of_house, epochs=epochs - 1, verbose=0)
    losses = first.history["loss"] + rest.history["loss"]
    price = float(model.predict([10.0], verbose=0)[0, 0])
    kernel, bias = model.get_weights()
    results.update(price_10_flats=price, weight=float(kernel[0, 0]), bias=float(bias[0]),
                   final_loss=float(losses[-1]))
    print(f"model.predict([10.0]) after {epochs} epochs: {price:.2f}   (Keras: 99711.77)")
    print(f"  = 10 × w + b = 10 × {kernel[0, 0]:.4f} + {bias[0]:.4f}")
    print(f"  final loss (MSE): {losses[-1]:.2f}")

    # --- figures ------------------------------------------------------------------------------
    plots.plot_history({"loss": losses}, logy=True, title="House prices: MSE per epoch (SGD, α = 0.01)",
                       loss_label="MSE", path=out / "house_prices_loss.png", figsize=(6, 3.4))
    fig = plots.plot_fit(num_of_flats, price_of_house, model, xs=np.linspace(0, 11, 50),
                         data_label="training data", curve_label=f"price = {kernel[0, 0]:.1f}·flats + {bias[0]:.1f}",
                         xlabel="number of flats", ylabel="price", title="One linear neuron, 500 epochs of SGD")
    ax = fig.axes[0]
    ax.plot([10], [price], "*", color="gold", mec="black", ms=14, zorder=4, label="model.predict([10.0])")
    ax.annotate(f"10 flats → {price:,.2f}", (10, price), xytext=(-130, -5), textcoords="offset points",
                arrowprops=dict(arrowstyle="->"))
    ax.legend(frameon=False, fontsize=8)
    plots.savefig(fig, out / "house_prices_fit.png")
    for path in sorted(out.glob("house_prices_*")):
        print(f"wrote {path}")
    return results


# --- under the hood: am.explain derives ∂J/∂θ0 and ∂J/∂θ1 of the first step, term by term ------
def explain_first_step(model, x, y, by_hand):
    """The chain rule with the numbers, next to the hand derivation above: J's graph at the
    starting weights (one linear op, then MSE), explained for θ0 (the bias) and θ1 (the weight).
    Each of the 7 paths is one term (2/n)·(h − y)·xj of the sum; they add up to ∂J/∂θj."""
    import autograd_mini as am
    from nn.losses import mean_squared_error

    dense = model.layers[0]
    J = mean_squared_error(am.Tensor(y.reshape(-1, 1), name="y"), model(am.Tensor(x.reshape(-1, 1), name="x")))
    J.name = "J"
    totals = []
    for theta, label, hand in ((dense.bias, "θ0", by_hand[0]), (dense.kernel, "θ1", by_hand[1])):
        why = am.explain(J, theta)
        print(f"\nam.explain(J, {label}) -- {label} is {theta.name}; by hand above: {hand:.2f}\n{why}")
        totals.append(why.total)
    return totals


if __name__ == "__main__":
    main()
