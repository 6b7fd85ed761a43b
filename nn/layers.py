"""Layers: Dense (one affine op of the engine, then its activation) and Activation.

>>> from nn import Dense
>>> layer = Dense(3, activation="sigmoid", input_shape=[2])   # weights exist right away
>>> [w.name for w in layer.weights], layer.kernel.shape, layer.count_params()
(['dense/kernel', 'dense/bias'], (2, 3), 9)

What the diagrams and summary read from any layer: `name`, `type(layer).__name__`,
`input_shape` / `output_shape` (tuples with None for the batch, or None before build),
`count_params()`, `weights` (leaf Tensors), `activation_name`; Dense also has `units`,
`kernel`, `bias`, `use_bias`.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

import autograd_mini as am
from autograd_mini import Tensor

from . import activations, initializers
from .fused import IN_PLACE, DenseActivation
from .utils import unique_name


def _declared_shape(input_shape, input_dim) -> tuple | None:
    if input_shape is not None:
        shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
        if not shape or not all(isinstance(n, (int, np.integer)) and n > 0 for n in shape):
            raise ValueError(f"input_shape must be positive sizes like [3] or (3,), got {input_shape!r}")
        return (None,) + tuple(int(n) for n in shape)
    if input_dim is not None:
        if isinstance(input_dim, bool) or not isinstance(input_dim, (int, np.integer)) or input_dim <= 0:
            raise ValueError(f"input_dim must be a positive integer such as 3, got {input_dim!r}")
        return (None, int(input_dim))
    return None


class Layer:
    """Base class: a name, an optional declared input shape, weights created by `build`."""

    default_name = "layer"

    def __init__(self, name: str | None = None, input_shape: Sequence[int] | None = None,
                 input_dim: int | None = None):
        self.name = name or unique_name(self.default_name)
        self.declared_input_shape = _declared_shape(input_shape, input_dim)
        self.input_shape: tuple | None = None
        self.output_shape: tuple | None = None
        self.built = False
        self.trainable = True
        if self.declared_input_shape is not None:
            self.build(self.declared_input_shape)

    # --- shapes and weights -------------------------------------------------------------
    def build(self, input_shape: tuple) -> None:
        """Create the weights for inputs of `input_shape` (batch axis first, may be None)."""
        self.input_shape = (None,) + tuple(input_shape[1:])
        self.output_shape = self.compute_output_shape(self.input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    @property
    def weights(self) -> list[Tensor]:
        return []

    trainable_weights = weights

    @property
    def activation_name(self) -> str:
        return "linear"

    def count_params(self) -> int:
        return int(sum(w.size for w in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as numpy arrays (Keras order: kernel, then bias)."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights: Sequence) -> None:
        """Replace the weights' values in place (the Tensors stay the same objects)."""
        arrays = self._check_weights(weights)
        for w, a in zip(self.weights, arrays):
            w.data[...] = a

    def _check_weights(self, weights: Sequence) -> list[np.ndarray]:
        """Every array cast to the weight's dtype and shape-checked, before anything is changed."""
        mine = self.weights
        weights = list(weights)
        expected = ", ".join(f"{w.name.split('/')[-1]} {w.shape}" for w in mine) or "none"
        if len(weights) != len(mine):
            raise ValueError(f"layer {self.name!r} expects {len(mine)} weight arrays ({expected}), "
                             f"got {len(weights)}")
        arrays = []
        for w, given in zip(mine, weights):
            a = np.asarray(given.data if isinstance(given, Tensor) else given, dtype=w.dtype)
            if a.shape != w.shape:
                raise ValueError(f"layer {self.name!r}: weight {w.name!r} has shape {w.shape}, "
                                 f"got an array of shape {a.shape} (expected {expected})")
            arrays.append(a)
        return arrays

    # --- computing ----------------------------------------------------------------------
    def __call__(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(x)
        if not self.built:
            self.build((None,) + x.shape[1:])
        return self.call(x)

    def call(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def pre_activation(self, x: Tensor) -> Tensor:
        """The layer's output before its activation (fit hands it to a loss that takes logits)."""
        return x

    def train_call(self, x: Tensor, buffers=None, logits: bool = False) -> Tensor:
        """What fit runs: the same function as `call` (`pre_activation` with logits=True), possibly
        with fused ops writing the weights' gradients into the optimizer's `buffers` (see nn.fused)."""
        return self.pre_activation(x) if logits else self.call(x)

    def get_config(self) -> dict:
        config = {"name": self.name}
        if self.input_shape is not None:
            config["input_shape"] = list(self.input_shape[1:])
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} output_shape={self.output_shape}>"


class Dense(Layer):
    """Fully connected: activation(x @ kernel + bias), the affine part one `linear` op.

    kernel has shape (inputs, units), bias (units,); both are leaf Tensors named
    "<layer>/kernel" and "<layer>/bias" with requires_grad=True."""

    default_name = "dense"

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", *,
                 input_shape: Sequence[int] | None = None, input_dim: int | None = None, name: str | None = None):
        if not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Dense units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)  # unknown names fail here, not at fit time
        if not isinstance(use_bias, (bool, np.bool_)):
            raise TypeError(f"Dense(use_bias={use_bias!r}): use_bias must be True or False")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        super().__init__(name, input_shape, input_dim)

    def build(self, input_shape: tuple) -> None:
        inputs = input_shape[-1]
        dtype = am.get_default_dtype()
        self.kernel = Tensor(self.kernel_initializer((inputs, self.units), dtype), requires_grad=True,
                             name=f"{self.name}/kernel")
        if self.use_bias:
            self.bias = Tensor(self.bias_initializer((self.units,), dtype), requires_grad=True,
                               name=f"{self.name}/bias")
        super().build(input_shape)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[:-1]) + (self.units,)

    @property
    def weights(self) -> list[Tensor]:
        if self.kernel is None:
            return []
        return [self.kernel, self.bias] if self.use_bias else [self.kernel]

    trainable_weights = weights

    @property
    def activation_name(self) -> str:
        return activations.name_of(self.activation)

    # set after construction too (Keras allows `layer.activation = None`): names and None resolved
    activation = property(lambda self: self._activation,
                          lambda self, value: setattr(self, "_activation", activations.get(value)))

    def set_weights(self, weights: Sequence) -> None:
        if not self.built and len(weights) >= 1:  # the kernel's shape says the input width
            self.build((None, np.shape(weights[0])[0]))
        super().set_weights(weights)

    def pre_activation_check(self, x: Tensor) -> None:
        if x.data.shape[-1] != self.kernel.data.shape[0]:
            raise ValueError(f"Input of shape {x.shape} is incompatible with the layer {self.name!r}: it "
                             f"expects inputs with {self.kernel.shape[0]} features "
                             f"(expected width {self.kernel.shape[0]}), got {x.shape[-1]} (input shape {x.shape})")

    def pre_activation(self, x: Tensor) -> Tensor:
        self.pre_activation_check(x)
        return am.linear(x, self.kernel, self.bias)

    def call(self, x: Tensor) -> Tensor:
        return self.activation(self.pre_activation(x))

    def train_call(self, x: Tensor, buffers=None, logits: bool = False) -> Tensor:
        name = "linear" if logits else self.activation_name
        if name not in IN_PLACE:  # softmax, custom: the two ops of call
            return self.call(x)
        self.pre_activation_check(x)
        weights = (self.kernel,) if self.bias is None else (self.kernel, self.bias)
        return DenseActivation.apply(x, *weights, activation=name, buffers=buffers)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "activation": self.activation_name,
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer)}


class Activation(Layer):
    """Applies an activation function by name: "linear", "sigmoid", "relu", "tanh", "softmax"."""

    default_name = "activation"

    def __init__(self, activation, *, input_shape: Sequence[int] | None = None, name: str | None = None):
        self.activation = activations.get(activation)
        super().__init__(name, input_shape)

    @property
    def activation_name(self) -> str:
        return activations.name_of(self.activation)

    activation = property(lambda self: self._activation,
                          lambda self, value: setattr(self, "_activation", activations.get(value)))

    def call(self, x: Tensor) -> Tensor:
        return self.activation(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": self.activation_name}


class Input:
    """Declares the input shape as the first entry of a Sequential (Keras's `keras.Input(shape=...)`).

    It is not a layer: `model.layers` does not list it, as in Keras."""

    def __init__(self, shape: Sequence[int], name: str | None = None):
        self.shape = (None,) + tuple(_declared_shape(shape, None)[1:])
        self.name = name

    def __repr__(self) -> str:
        return f"Input(shape={self.shape[1:]})"


LAYERS = {"Dense": Dense, "Activation": Activation}
