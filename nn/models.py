"""Sequential: a stack of layers with Keras's compile / fit / evaluate / predict.

>>> import numpy as np
>>> from nn import Sequential, Dense
>>> model = Sequential([Dense(units=1, input_shape=[1])])
>>> model.compile(optimizer="sgd", loss="mean_squared_error")
>>> history = model.fit((1, 2, 3, 4, 5, 6, 7), (10000, 20000, 30000, 40000, 50000, 60000, 70000),
...                     epochs=500, verbose=0)
>>> round(float(model.predict([10.0], verbose=0)[0, 0]))   # Keras: 99711.77
99712

Under it everything is autograd_mini: `model.weights` are the leaf Tensors, `model(x)`
on a Tensor returns the output Tensor with its graph, ready for `.backward()`.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

import autograd_mini as am
from autograd_mini import Tensor

from . import losses, optimizers, training
from .atomic import atomic
from . import validation as check
from . import metrics as metrics_module
from .layers import Input, Layer
from .utils import unique_name


class Sequential:
    """A linear stack of layers. Sequential([Dense(3, input_shape=[1]), Activation("sigmoid"), ...])."""

    def __init__(self, layers: Sequence[Layer] | None = None, name: str | None = None):
        self.name = name or unique_name("sequential")
        self._layers: list[Layer] = []
        self._input_shape: tuple | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: losses.LossSpec | None = None
        self.compiled_metrics: list = []
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # --- structure ----------------------------------------------------------------------
    @atomic(values=False)
    def add(self, layer: Layer | Input) -> None:
        """Append a layer; when the input shape is known it is built at once (weights exist)."""
        if isinstance(layer, Input):
            if self._layers:
                raise ValueError("Input(shape=...) must come first in a Sequential model")
            if self._input_shape is not None:
                raise ValueError(f"Sequential model {self.name!r} has already been configured to use input shape "
                                 f"{self._input_shape}; a model takes one Input")
            self._input_shape = layer.shape
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a layer such as Dense(...), got {layer!r}")
        if any(layer.name == other.name and layer is not other for other in self._layers):  # reuse is sharing
            raise ValueError(f"All layers added to a Sequential model should have unique names: {layer.name!r} is "
                             f"already the name of layer {[l.name for l in self._layers].index(layer.name)}; "
                             f"pass name=... or leave it out")
        if not self._layers and self._input_shape is None:
            self._input_shape = layer.declared_input_shape
        elif self._layers and layer.declared_input_shape is not None and layer.built \
                and (not self.built or layer.input_shape[1:] != self.output_shape[1:]):
            layer.built = False  # Keras ignores input_shape on a later layer: built again for its real input
        self._layers.append(layer)
        if self._input_shape is not None:
            self.build(self._input_shape)

    def pop(self) -> Layer:
        """Remove the last layer (Keras's Sequential.pop)."""
        if not self._layers:
            raise IndexError(f"pop(): Sequential model {self.name!r} has no layers to remove")
        return self._layers.pop()

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    @layers.setter
    def layers(self, value) -> None:
        raise AttributeError("`model.layers` cannot be set: use `add()` and `pop()` to change the layers")

    @atomic(values=False)
    def build(self, input_shape: tuple | None = None) -> None:
        """Build every layer for inputs of `input_shape` (batch first); done on first data otherwise."""
        if input_shape is None and self._input_shape is None:
            raise ValueError("build() needs an input shape, e.g. model.build((None, 3)), or give the first layer "
                             "input_shape=[3]")
        if input_shape is not None and (not isinstance(input_shape, (tuple, list)) or len(input_shape) < 2 or not all(
                n is None or isinstance(n, (int, np.integer)) and n > 0 for n in input_shape)):
            raise ValueError(f"build(input_shape={input_shape!r}): input_shape must be a tuple with the batch "
                             f"first, such as (None, 3)")
        shape = tuple(input_shape if input_shape is not None else self._input_shape)
        if self.built and self._input_shape is not None and shape[1:] != tuple(self._input_shape[1:]):
            raise ValueError(f"Sequential model {self.name!r} has already been configured to use input shape "
                             f"{self._input_shape}; build({input_shape}) asks for {(None,) + shape[1:]}")
        self._input_shape = (None,) + shape[1:]
        shape = self._input_shape
        for layer in self._layers:
            if not layer.built:
                layer.build(shape)
            elif layer.input_shape[1:] != shape[1:]:
                raise ValueError(f"layer {layer.name!r} was built for inputs {layer.input_shape}, but the "
                                 f"layer before it outputs {shape}")
            shape = layer.output_shape

    @property
    def built(self) -> bool:
        return bool(self._layers) and all(layer.built for layer in self._layers)

    @property
    def input_shape(self) -> tuple | None:
        return self._input_shape

    @property
    def output_shape(self) -> tuple | None:
        return self._layers[-1].output_shape if self._layers else None

    @property
    def input_width(self) -> int | None:
        """The number of features per sample the model expects (None until known)."""
        return None if self._input_shape is None else self._input_shape[-1]

    @property
    def dtype(self) -> np.dtype:
        weights = self.weights
        return weights[0].dtype if weights else am.get_default_dtype()

    @property
    def weights(self) -> list[Tensor]:
        """Every weight Tensor, layer by layer, kernel then bias (Keras order)."""
        return [w for layer in self._layers for w in layer.weights]

    trainable_weights = weights

    def parameters(self) -> Iterator[Tensor]:
        """The weights, PyTorch style: `SGD(model.parameters(), lr=0.1)`."""
        return iter(self.weights)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """The output shape for inputs of `input_shape` (batch axis kept), without building anything."""
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self._layers)

    # --- computing ----------------------------------------------------------------------
    def __call__(self, x) -> Tensor:
        """The output as a Tensor with its graph (x: Tensor, array or list)."""
        if not self._layers:
            raise ValueError(f"Sequential model {self.name!r} has no layers: add some with model.add(Dense(...))")
        if not isinstance(x, Tensor):
            x = Tensor(training.prepare_x(self, x))
        else:
            if x.ndim <= 1 and self.input_width in (None, 1):  # numbers: one sample each, as fit reads them
                x = x.reshape(-1, 1)
            if not self.built:
                self.build((None,) + x.shape[1:])
        return self.call(x)

    def call(self, x: Tensor) -> Tensor:
        for layer in self._layers:
            x = layer.call(x)
        return x

    # --- training -----------------------------------------------------------------------
    @atomic(values=False)
    def compile(self, optimizer="rmsprop", loss=None, metrics: Sequence | None = None) -> None:
        """Choose the optimizer ("sgd", "adam", "rmsprop" or an Optimizer), the loss (a name or
        callable(y_true, y_pred) -> Tensor) and metrics ("accuracy", "binary_accuracy", "mae", ...)."""
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"compile(metrics={metrics!r}): metrics must be a list such as ['accuracy'], "
                            f"got {type(metrics).__name__}")
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss if isinstance(loss, losses.LossSpec) or loss is None else losses.get(loss)
        for m in metrics or []:
            metrics_module.check(m)
        self.compiled_metrics = list(metrics or [])
        if self.built:
            self.optimizer.bind(self.weights)

    def require_compiled(self, what: str) -> None:
        if self.optimizer is None:
            raise RuntimeError(f"You must compile your model before {what}: call "
                               f"model.compile(optimizer=..., loss=...) first.")
        if self.loss is None:
            raise RuntimeError(f"{what} needs a loss: call model.compile(optimizer=..., loss=...) with a loss "
                               f"such as 'mean_squared_error'.")
        if not self._layers:
            raise RuntimeError(f"{what}: the model has no layers; add some with model.add(Dense(...))")

    @property
    def metrics_names(self) -> list[str]:
        return ["loss"] + [m if isinstance(m, str) else getattr(m, "name", getattr(m, "__name__", "metric"))
                           for m in self.compiled_metrics]

    @atomic(values=True)
    def fit(self, x, y, epochs: int = 1, batch_size: int | None = 32, verbose="auto", callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle: bool = True,
            initial_epoch: int = 0, **legacy):
        """Train for `epochs` passes over (x, y); returns a History (`.history["loss"]`, ...).

        validation_split: the *last* fraction of the samples, taken before any shuffling (as
        Keras), is held out and evaluated after each epoch as "val_loss" and "val_<metric>".
        A nan or inf loss stops training (a NonFiniteLossWarning says at which epoch and what to
        try); the update of that step is not applied, so the weights are the last good ones."""
        if "nb_epoch" in legacy:  # Keras 1's name, still in old tutorials (seed 001)
            epochs = legacy.pop("nb_epoch")
        if legacy:
            raise check.unknown_keywords("fit()", legacy, _FIT_ARGUMENTS)
        epochs = check.check_int("fit", "epochs", epochs, minimum=0)
        batch_size = check.check_batch_size("fit", batch_size)
        verbose = check.check_verbose("fit", verbose)
        callbacks = _check_callbacks(callbacks)
        validation_split = check.check_number("fit", "validation_split", validation_split, 0.0, 1.0, high_open=True)
        if validation_data is not None and (not isinstance(validation_data, (tuple, list))
                                            or len(validation_data) != 2):
            raise ValueError(f"fit(validation_data={_short(validation_data)}): validation_data must be a tuple "
                             f"(x_val, y_val) (sample weights, Keras's third entry, are not supported)")
        shuffle = check.check_bool("fit", "shuffle", shuffle)
        initial_epoch = check.check_int("fit", "initial_epoch", initial_epoch, minimum=0)
        return training.fit(self, x, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                            callbacks=callbacks, validation_split=validation_split,
                            validation_data=validation_data, shuffle=shuffle, initial_epoch=initial_epoch)

    @atomic(values=False)
    def evaluate(self, x, y, batch_size: int | None = 32, verbose="auto", return_dict: bool = False):
        """The loss on (x, y), or [loss, *metrics] when metrics were compiled (no graph is recorded)."""
        batch_size = check.check_batch_size("evaluate", batch_size)
        verbose = check.check_verbose("evaluate", verbose)
        return_dict = check.check_bool("evaluate", "return_dict", return_dict)
        return training.evaluate(self, x, y, batch_size=batch_size, verbose=verbose, return_dict=return_dict)

    @atomic(values=False)
    def predict(self, x, batch_size: int | None = 32, verbose="auto") -> np.ndarray:
        """The outputs as a numpy array of shape (samples, units), computed in batches without a graph."""
        if not self._layers:
            raise ValueError(f"Sequential model {self.name!r} has no layers: add some with model.add(Dense(...))")
        batch_size = check.check_batch_size("predict", batch_size)
        verbose = check.check_verbose("predict", verbose)
        return training.predict(self, x, batch_size=batch_size, verbose=verbose)

    # --- weights, summary, saving -------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        return [w.data.copy() for w in self.weights]

    @atomic(values=True)
    def set_weights(self, weights: Sequence) -> None:
        """Set every weight (Keras order). Everything is checked before anything changes."""
        if not isinstance(weights, (list, tuple)):
            raise TypeError(f"set_weights(weights=...): weights must be a list of arrays (as get_weights() "
                            f"returns), got {type(weights).__name__}")
        weights = list(weights)
        expected = sum(len(layer.weights) for layer in self._layers)
        if len(weights) != expected:
            per_layer = ", ".join(f"{layer.name}: {len(layer.weights)}" for layer in self._layers)
            raise ValueError(f"model {self.name!r} has {expected} weight arrays ({per_layer}), got {len(weights)}")
        checked, start = [], 0
        for layer in self._layers:
            count = len(layer.weights)
            checked.append(layer._check_weights(weights[start:start + count]))
            start += count
        for layer, arrays in zip(self._layers, checked):
            for w, a in zip(layer.weights, arrays):
                w.data[...] = a

    def summary(self, line_length=None, positions=None, print_fn=None, **keras_options) -> None:
        """Print Keras's table: layer (type), output shape, parameter count, and totals.

        print_fn receives the whole table as one string (default: print). Keras's layout options
        (line_length, positions, expand_nested, ...) are accepted and ignored: the table has Keras's
        default layout."""
        from .summary import summary_text
        unknown = set(keras_options) - {"expand_nested", "show_trainable", "layer_range"}
        if unknown:
            raise check.unknown_keywords("summary()", unknown, ["line_length", "positions", "print_fn",
                                                              "expand_nested", "show_trainable", "layer_range"])
        if print_fn is not None and not callable(print_fn):
            raise TypeError(f"summary(print_fn={print_fn!r}): print_fn must be a function such as print")
        (print_fn or print)(summary_text(self))

    def get_config(self) -> dict:
        return {"name": self.name, "input_shape": None if self._input_shape is None else list(self._input_shape[1:]),
                "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                           for layer in self._layers]}

    def save(self, filepath) -> None:
        """Save architecture, weights and optimizer (see nn.saving for the format)."""
        from .saving import save_model
        save_model(self, filepath)

    def __repr__(self) -> str:
        return f"<Sequential {self.name!r}: {len(self._layers)} layers, {self.count_params()} parameters>"


_FIT_ARGUMENTS = ("x", "y", "epochs", "batch_size", "verbose", "callbacks", "validation_split", "validation_data",
                  "shuffle", "initial_epoch")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_callbacks(callbacks) -> list:
    from .callbacks import Callback
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks] if isinstance(callbacks, Callback) else callbacks
        if not isinstance(callbacks, list):
            raise TypeError(f"fit(callbacks={_short(callbacks)}): callbacks must be a list of Callback objects, "
                            f"e.g. [EarlyStopping(patience=3)]")
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"fit(callbacks=[..., {_short(cb)}, ...]): each callback must be a Callback object "
                            f"(nn.callbacks), got {type(cb).__name__}")
    return list(callbacks)
