"""Losses with Keras's names and formulas, each one op of the engine with a hand-written backward.

>>> import autograd_mini as am
>>> from nn import losses
>>> y_pred = am.Tensor([[0.5], [2.0]], requires_grad=True)
>>> loss = losses.mean_squared_error([1.0, 2.0], y_pred)   # (0.25 + 0) / 2
>>> loss
Tensor(0.125, grad_fn=mean_squared_error)
>>> loss.backward(); y_pred.grad                            # 2 (ŷ - y) / n
Tensor([[-0.5],
        [ 0. ]])

Arguments are (y_true, y_pred), as in Keras. Reductions: "sum_over_batch_size" (the default,
what fit reports: the mean over samples of each sample's loss), "sum", and "none" (one loss per
sample; Keras's plain function forms return this). A sample's loss is the mean over its outputs
(MSE, MAE, binary crossentropy) or the sum over classes (categorical crossentropy).

Crossentropy from logits (`from_logits=True`) is one stable expression, with no clipping: a
confident wrong answer keeps costing more. When the probabilities come from a sigmoid
(softmax) op -- `model(x)` of a model ending in sigmoid, `am.sigmoid(z)`, `Activation("softmax")`
-- binary (categorical) crossentropy is computed from that op's input, the logits, as Keras's
TensorFlow backend does (it looks at the op that made the probabilities): the graph then holds
the op that actually ran (`sigmoid_binary_crossentropy` on the logits), and `model(x)` +
`backward()` give the loss and gradients `fit` and `evaluate` use. Probabilities from anywhere
else are clipped to [1e-7, 1 - 1e-7] as Keras does, so a confident wrong answer costs at most
-log(1e-7) ≈ 16.1 there. (Under `no_grad()` no op is recorded, so there is nothing to look at:
the probabilities are clipped.)

>>> z = am.Tensor([[-9.0]], requires_grad=True)
>>> binary_crossentropy([[1.0]], am.sigmoid(z))           # -log σ(-9), not clipped at 16.1
Tensor(9.000123, grad_fn=sigmoid_binary_crossentropy)

The ops (graph nodes with hand-written backward) are in nn.loss_ops. Keras's loss objects
(MeanSquaredError(), BinaryCrossentropy(from_logits=True), ...) are here too.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograd_mini import Tensor

from .loss_ops import (EPSILON, BinaryCrossentropyOp, CategoricalCrossentropyOp, MeanAbsoluteErrorOp,
                       MeanSquaredErrorOp, SigmoidBinaryCrossentropyOp, SoftmaxCategoricalCrossentropyOp)

REDUCTIONS = ("sum_over_batch_size", "sum", "none")
__all__ = ["mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "mse", "mae", "Loss", "MeanSquaredError", "MeanAbsoluteError",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "get", "EPSILON"]


# --- the functions users call (and compile(loss="...") uses) -----------------------------------
def _prepare(y_true, y_pred) -> tuple[Tensor, Tensor]:
    """y_pred as a Tensor (keeping its graph), y_true as a constant of the same dtype and rank."""
    if isinstance(y_true, Tensor) and isinstance(y_pred, Tensor) and y_true.data.shape == y_pred.data.shape:
        return y_true, y_pred  # already in shape (what fit passes): nothing to convert
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor(y_pred)
    if not isinstance(y_true, Tensor):  # a constant: a float array of y_pred's dtype needs no Tensor() checks
        y_true = Tensor._make(np.asarray(y_true, dtype=y_pred.data.dtype), None)
    true_shape, pred_shape = y_true.data.shape, y_pred.data.shape
    if len(true_shape) == len(pred_shape) - 1 and pred_shape[-1] == 1:  # Keras: (n,) targets for (n, 1) outputs
        y_true = y_true.reshape(true_shape + (1,))
    if y_true.data.shape != pred_shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; y_true and y_pred "
                         f"must have the same shape")
    return y_true, y_pred


def _check(reduction: str | None) -> str:
    if reduction == "sum_over_batch_size":
        return reduction
    if reduction is None:  # Keras 3: None means no reduction
        return "none"
    reduction = "sum_over_batch_size" if reduction == "mean" else reduction
    if reduction not in REDUCTIONS:
        raise ValueError(f"unknown reduction {reduction!r}; valid: {', '.join(REDUCTIONS)}")
    return reduction


def mean_squared_error(y_true, y_pred, reduction: str = "sum_over_batch_size") -> Tensor:
    """Mean of (y_pred - y_true)² (Keras "mse")."""
    return MeanSquaredErrorOp.apply(*_prepare(y_true, y_pred), reduction=_check(reduction))


def mean_absolute_error(y_true, y_pred, reduction: str = "sum_over_batch_size") -> Tensor:
    """Mean of |y_pred - y_true| (Keras "mae")."""
    return MeanAbsoluteErrorOp.apply(*_prepare(y_true, y_pred), reduction=_check(reduction))


def _logits_of(y_pred, op_name: str):
    """The input of the op that made `y_pred` if that op is `op_name` (sigmoid, softmax), else None."""
    ctx = y_pred._ctx if isinstance(y_pred, Tensor) else None
    return ctx.parents[0] if ctx is not None and ctx.op_name == op_name else None


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, reduction: str = "sum_over_batch_size") -> Tensor:
    """Crossentropy of 0/1 targets and probabilities (or logits with from_logits=True); probabilities
    made by a sigmoid op are taken back to its logits (see the module docstring)."""
    logits = None if from_logits else _logits_of(y_pred, "sigmoid")
    if logits is not None:
        y_pred, from_logits = logits, True
    op = SigmoidBinaryCrossentropyOp if from_logits else BinaryCrossentropyOp
    return op.apply(*_prepare(y_true, y_pred), reduction=_check(reduction))


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, reduction: str = "sum_over_batch_size") -> Tensor:
    """Crossentropy of one-hot targets and class probabilities (or logits with from_logits=True);
    probabilities made by a softmax op are taken back to its logits (see the module docstring)."""
    logits = None if from_logits else _logits_of(y_pred, "softmax")
    if logits is not None:
        y_pred, from_logits = logits, True
    op = SoftmaxCategoricalCrossentropyOp if from_logits else CategoricalCrossentropyOp
    y_true, y_pred = _prepare(y_true, y_pred)
    if y_pred.data.shape[-1:] == (1,):
        warnings.warn(f"In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, num_classes) with "
                      f"num_classes > 1. Received: y_pred.shape={y_pred.shape}. Consider using 'binary_crossentropy' "
                      f"if you only have 2 classes.", SyntaxWarning, stacklevel=2)
    return op.apply(y_true, y_pred, reduction=_check(reduction))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    reduction: str = "sum_over_batch_size") -> Tensor:
    """Categorical crossentropy with integer class labels (shape (n,) or (n, 1)) as targets."""
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor(y_pred)
    labels = np.asarray(y_true.data if isinstance(y_true, Tensor) else y_true).reshape(-1).astype(np.int64)
    if labels.size != int(np.prod(y_pred.shape[:-1])):
        raise ValueError(f"{labels.size} labels for {int(np.prod(y_pred.shape[:-1]))} samples of y_pred {y_pred.shape}")
    one_hot = np.zeros(y_pred.shape, dtype=y_pred.dtype)
    one_hot.reshape(-1, y_pred.shape[-1])[np.arange(labels.size), labels] = 1.0
    return categorical_crossentropy(one_hot, y_pred, from_logits=from_logits, reduction=reduction)


mse, mae = mean_squared_error, mean_absolute_error


class Loss:
    """Keras's loss objects: `BinaryCrossentropy(from_logits=False)(y_true, y_pred)` -> scalar Tensor.

    compile(loss=...) accepts them as well as names; they call the functions above."""
    name = "loss"
    function: Callable[..., Tensor]

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str | None = None):
        # Keras 3's "mean_with_sample_weight": the weighted sum over the sum of the weights
        self.reduction = reduction if reduction == "mean_with_sample_weight" else _check(reduction)
        self.name = name or type(self).name

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        return self._reduce(lambda r: type(self).function(y_true, y_pred, reduction=r), sample_weight)

    def _reduce(self, per_sample, sample_weight) -> Tensor:
        """The loss with this object's reduction, each sample's loss weighted as Keras weighs it."""
        if sample_weight is None and self.reduction != "mean_with_sample_weight":
            return per_sample(self.reduction)
        return _weighted(per_sample("none"), sample_weight, self.reduction)

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class _ProbabilityLoss(Loss):
    """A crossentropy: on probabilities by default, on logits with from_logits=True."""

    def __init__(self, from_logits: bool = False, reduction: str = "sum_over_batch_size", name: str | None = None):
        super().__init__(reduction, name)
        if not isinstance(from_logits, (bool, np.bool_)):
            raise TypeError(f"{type(self).__name__}(from_logits={from_logits!r}): from_logits must be True or False")
        self.from_logits = bool(from_logits)

    def __call__(self, y_true, y_pred, sample_weight=None, from_logits: bool | None = None) -> Tensor:
        logits = self.from_logits if from_logits is None else from_logits
        return self._reduce(lambda r: type(self).function(y_true, y_pred, from_logits=logits, reduction=r),
                            sample_weight)

    def get_config(self) -> dict:
        return {"from_logits": self.from_logits, **super().get_config()}


def _weighted(losses: Tensor, sample_weight, reduction: str) -> Tensor:
    """Keras's weighting: a weight per sample (a scalar, (n,) or (n, 1)) times that sample's loss,
    then "sum", "sum_over_batch_size" (divided by the number of losses), "mean_with_sample_weight"
    (divided by the sum of the weights) or "none"."""
    weights = np.asarray(1.0 if sample_weight is None else
                         (sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight), dtype=losses.dtype)
    while weights.ndim > losses.ndim and weights.shape[-1] == 1:
        weights = weights[..., 0]
    try:
        weights = np.broadcast_to(weights, losses.shape)
    except ValueError:
        raise ValueError(f"sample_weight of shape {np.shape(sample_weight)} does not fit the {losses.shape} losses "
                         f"(one weight per sample, or one number)") from None
    weighted = losses * Tensor(weights)
    if reduction == "none":
        return weighted
    total = weighted.sum()
    if reduction == "sum":
        return total
    denominator = float(weights.sum()) if reduction == "mean_with_sample_weight" else max(weighted.data.size, 1)
    return total / denominator if denominator else total * 0.0


class MeanSquaredError(Loss):
    name, function = "mean_squared_error", staticmethod(mean_squared_error)


class MeanAbsoluteError(Loss):
    name, function = "mean_absolute_error", staticmethod(mean_absolute_error)


class BinaryCrossentropy(_ProbabilityLoss):
    name, function = "binary_crossentropy", staticmethod(binary_crossentropy)


class CategoricalCrossentropy(_ProbabilityLoss):
    name, function = "categorical_crossentropy", staticmethod(categorical_crossentropy)


class SparseCategoricalCrossentropy(_ProbabilityLoss):
    name, function = "sparse_categorical_crossentropy", staticmethod(sparse_categorical_crossentropy)


LOSS_CLASSES = {cls.__name__: cls for cls in (MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
                                               CategoricalCrossentropy, SparseCategoricalCrossentropy)}


@dataclass(frozen=True)
class LossSpec:
    """A compiled loss: its name, its function, the final activation it can absorb, and how to save it.

    When the model's last activation is `fuses_with`, fit calls `fn(y, logits, from_logits=True)`."""
    name: str
    fn: Callable[..., Tensor]
    fuses_with: str | None = None
    config: object = None  # a name, or {"class_name", "config"} for a loss object


LOSSES = {
    "mean_squared_error": LossSpec("mean_squared_error", mean_squared_error, None, "mean_squared_error"),
    "mean_absolute_error": LossSpec("mean_absolute_error", mean_absolute_error, None, "mean_absolute_error"),
    "binary_crossentropy": LossSpec("binary_crossentropy", binary_crossentropy, "sigmoid", "binary_crossentropy"),
    "categorical_crossentropy": LossSpec("categorical_crossentropy", categorical_crossentropy, "softmax",
                                         "categorical_crossentropy"),
    "sparse_categorical_crossentropy": LossSpec("sparse_categorical_crossentropy", sparse_categorical_crossentropy,
                                                "softmax", "sparse_categorical_crossentropy"),
}
_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error"}
BUILTIN_FUNCTIONS = frozenset(spec.fn for spec in LOSSES.values())


def get(identifier) -> LossSpec:
    """A loss by Keras name ("mse", "binary_crossentropy", ...), a loss object (BinaryCrossentropy()),
    a saved {"class_name", "config"} dict, or any callable(y_true, y_pred) -> Tensor."""
    if isinstance(identifier, dict) and identifier.get("class_name") in LOSS_CLASSES:
        identifier = LOSS_CLASSES[identifier["class_name"]](**identifier.get("config", {}))
    if isinstance(identifier, Loss):
        fuses = LOSSES.get(type(identifier).name, LossSpec("", None)).fuses_with
        if getattr(identifier, "from_logits", False):
            fuses = None  # the model already outputs logits
        config = {"class_name": type(identifier).__name__, "config": identifier.get_config()}
        return LossSpec(identifier.name, identifier, fuses, config)
    if callable(identifier):
        name = getattr(identifier, "__name__", "custom_loss")
        return LossSpec(name, identifier, None, name)
    key = str(identifier).lower()
    key = _ALIASES.get(key, key)
    if key not in LOSSES:
        from .validation import unknown_name
        raise ValueError("loss: " + unknown_name("loss", identifier, sorted(LOSSES) + sorted(_ALIASES)))
    return LOSSES[key]
