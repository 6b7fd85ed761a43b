"""nn: Keras-compatible Sequential models, trained by the autograd_mini engine.

Type a Keras tutorial with these imports instead of keras's and it runs unchanged:

>>> from nn import Sequential, Dense, Activation
>>> model = Sequential([Dense(3, input_dim=1), Activation("sigmoid"), Dense(1), Activation("sigmoid")])
>>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

Under it, every weight is an autograd_mini Tensor (`model.weights`, `layer.kernel`,
`layer.bias`), `model(x)` returns a Tensor graph you can `.backward()` through and draw,
and the losses are engine ops with hand-written gradients (`nn.losses`).
"""
from . import activations, callbacks, initializers, layers, losses, metrics, optimizers, utils
from .callbacks import Callback, EarlyStopping, GradientHistory, History, LambdaCallback, WeightHistory
from .health import dead_relu_units, health_report
from .layers import Activation, Dense, Input, Layer
from .models import Sequential
from .saving import load_model, save_model
from .training import NonFiniteLossWarning
from .utils import set_random_seed

# Keras's older import path, which seed 001 uses (`from keras.layers.core import Dense, Activation`):
# the layers live in one module, so `nn.layers.core` names that same module.
import sys as _sys  # noqa: E402

_sys.modules[f"{__name__}.layers.core"] = layers
layers.core = layers

__all__ = [
    "Sequential", "Dense", "Activation", "Input", "Layer", "load_model", "save_model",
    "Callback", "History", "EarlyStopping", "WeightHistory", "LambdaCallback", "dead_relu_units",
    "GradientHistory", "health_report",
    "set_random_seed", "NonFiniteLossWarning", "activations", "callbacks", "initializers", "layers",
    "losses", "metrics", "optimizers", "utils", "datasets", "plot_model",
]


def __getattr__(name):
    # these load on first use: `import nn` stays cheap (plots needs matplotlib, diagram graphviz)
    if name == "plot_model":
        from .diagram import plot_model
        return plot_model
    if name in ("datasets", "synthetic", "plots", "diagram", "loss_ops", "training", "progress", "saving",
                "health", "summary"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'nn' has no attribute {name!r}")
