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

Crossentropy on probabilities clips them to [1e-7, 1 - 1e-7] as Keras does, so a confident
wrong answer costs at most -log(1e-7) ≈ 16.1. With `from_logits=True` the loss is computed
from the pre-activation values in one stable expression (no clipping: it keeps growing).
`fit` uses this automatically when the model ends in sigmoid (softmax) and the loss is
binary (categorical) crossentropy — exactly what Keras's TensorFlow backend does — so the
loss and its gradient never saturate at the clip; the reported value differs from the
clipped formula only where a probability is beyond 1e-7 of 0 or 1.

Backward passes are written with operators, so second derivatives with respect to y_pred work.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograd_mini import Function, Tensor
from autograd_mini.ops import dual

from .activations import Softmax, sigmoid_array, softmax_array

EPSILON = 1e-7  # keras.backend.epsilon()
REDUCTIONS = ("sum_over_batch_size", "sum", "none")


class _Loss(Function):
    """Shared bookkeeping: the reduction, and the factor that spreads the upstream gradient."""
    __slots__ = ("reduction", "batch_shape", "per_sample_divisor", "scale")

    @staticmethod
    def reduce(ctx, terms: np.ndarray, reduction: str, per_sample: str = "mean") -> np.ndarray:
        """Reduce elementwise loss terms; a sample's loss is the mean (or sum) of its row."""
        width = terms.shape[-1] if terms.ndim else 1
        divisor = width if per_sample == "mean" else 1
        samples = terms.size // width if width else 0
        ctx.reduction, ctx.batch_shape, ctx.per_sample_divisor = reduction, terms.shape[:-1], divisor
        # d(reduced loss)/d(each term), used by every backward
        ctx.scale = 1.0 / (divisor * max(samples, 1)) if reduction == "sum_over_batch_size" else 1.0 / divisor
        if reduction == "none":
            return terms.sum(axis=-1) / divisor
        return terms.sum() * ctx.scale  # rows share one width: the mean of row means is the overall mean

    @staticmethod
    def spread(ctx, grad):
        """The upstream gradient times d(reduced loss)/d(term), broadcastable against the terms."""
        if ctx.reduction == "none":
            return grad.reshape(ctx.batch_shape + (1,)) * (1.0 / ctx.per_sample_divisor)
        return grad * ctx.scale


class MeanSquaredError(_Loss):
    """mean((ŷ - y)²); gradient 2(ŷ - y)/n."""
    __slots__ = ()
    op_name = "mean_squared_error"

    @staticmethod
    def forward(ctx, y_true, y_pred, reduction="sum_over_batch_size"):
        ctx.save_for_backward(y_true, y_pred)
        diff = y_pred - y_true
        return _Loss.reduce(ctx, np.square(diff), reduction)

    @staticmethod
    def backward(ctx, grad):
        y_true, y_pred = ctx.saved_tensors
        g = (y_pred - y_true) * (_Loss.spread(ctx, grad) * 2.0)
        return (-g if ctx.needs_input_grad[0] else None), g


class MeanAbsoluteError(_Loss):
    """mean(|ŷ - y|); gradient sign(ŷ - y)/n (0 where they are equal)."""
    __slots__ = ()
    op_name = "mean_absolute_error"

    @staticmethod
    def forward(ctx, y_true, y_pred, reduction="sum_over_batch_size"):
        diff = y_pred - y_true
        ctx.save_for_backward(np.sign(diff))  # a constant: |·| has no second derivative
        return _Loss.reduce(ctx, np.abs(diff), reduction)

    @staticmethod
    def backward(ctx, grad):
        (sign,) = ctx.saved_tensors
        g = _Loss.spread(ctx, grad) * sign
        return (-g if ctx.needs_input_grad[0] else None), g


class BinaryCrossentropy(_Loss):
    """-(y log p + (1-y) log(1-p)) with p clipped to [1e-7, 1-1e-7]; gradient (p-y)/(p(1-p))/n, 0 where clipped."""
    __slots__ = ("clipped", "inside")
    op_name = "binary_crossentropy"

    @staticmethod
    def forward(ctx, y_true, y_pred, reduction="sum_over_batch_size"):
        ctx.save_for_backward(y_true, y_pred)
        c = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        ctx.clipped, ctx.inside = c, (y_pred >= EPSILON) & (y_pred <= 1.0 - EPSILON)
        elementwise = -(y_true * np.log(c) + (1.0 - y_true) * np.log(1.0 - c))
        return _Loss.reduce(ctx, elementwise, reduction)

    @staticmethod
    def backward(ctx, grad):
        y_true, y_pred = ctx.saved_tensors
        c = ctx.clipped
        if isinstance(y_pred, Tensor):  # create_graph: let the gradient depend on y_pred itself
            c = dual.where(ctx.inside, y_pred, c)
        up = _Loss.spread(ctx, grad)
        grad_pred = (c - y_true) / (c * (1.0 - c)) * ctx.inside * up
        grad_true = (np.log(1.0 - ctx.clipped) - np.log(ctx.clipped)) * up if ctx.needs_input_grad[0] else None
        return grad_true, grad_pred


class SigmoidBinaryCrossentropy(_Loss):
    """Binary crossentropy of σ(z) from the logits z: max(z,0) - z·y + log(1 + e^-|z|); gradient (σ(z) - y)/n."""
    __slots__ = ("probs",)
    op_name = "sigmoid_binary_crossentropy"

    @staticmethod
    def forward(ctx, y_true, logits, reduction="sum_over_batch_size"):
        ctx.save_for_backward(y_true, logits)
        ctx.probs = sigmoid_array(logits)  # kept: the gradient is σ(z) - y
        terms = np.abs(logits)  # softplus(z) - z·y, with softplus(z) = max(z, 0) + log(1 + e^-|z|)
        np.negative(terms, out=terms)
        np.exp(terms, out=terms)
        np.log1p(terms, out=terms)
        terms += np.maximum(logits, 0.0)
        terms -= logits * y_true
        return _Loss.reduce(ctx, terms, reduction)

    @staticmethod
    def backward(ctx, grad):
        y_true, logits = ctx.saved_tensors
        probs = logits.sigmoid() if isinstance(logits, Tensor) else ctx.probs
        up = _Loss.spread(ctx, grad)
        return (-logits * up if ctx.needs_input_grad[0] else None), (probs - y_true) * up


class CategoricalCrossentropy(_Loss):
    """-Σ y log q over classes, q = p / Σp clipped to [1e-7, 1-1e-7] (Keras's formula on probabilities)."""
    __slots__ = ("clipped", "inside")
    op_name = "categorical_crossentropy"

    @staticmethod
    def forward(ctx, y_true, y_pred, reduction="sum_over_batch_size"):
        ctx.save_for_backward(y_true, y_pred)
        q = y_pred / y_pred.sum(axis=-1, keepdims=True)
        c = np.clip(q, EPSILON, 1.0 - EPSILON)
        ctx.clipped, ctx.inside = c, (q >= EPSILON) & (q <= 1.0 - EPSILON)
        return _Loss.reduce(ctx, -(y_true * np.log(c)), reduction, per_sample="sum")

    @staticmethod
    def backward(ctx, grad):
        y_true, y_pred = ctx.saved_tensors
        total = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / total
        c = dual.where(ctx.inside, q, ctx.clipped) if isinstance(y_pred, Tensor) else ctx.clipped
        up = _Loss.spread(ctx, grad)
        grad_q = -y_true / c * ctx.inside * up
        # through the normalization q = p / Σp:  dL/dp = (dL/dq - Σ dL/dq ⊙ q) / Σp
        grad_pred = (grad_q - (grad_q * q).sum(axis=-1, keepdims=True)) / total
        return (-np.log(ctx.clipped) * up if ctx.needs_input_grad[0] else None), grad_pred


class SoftmaxCategoricalCrossentropy(_Loss):
    """Categorical crossentropy of softmax(z) from the logits: Σy·logsumexp(z) - Σ y·z; gradient (softmax(z)Σy - y)/n."""
    __slots__ = ("probs", "lse")
    op_name = "softmax_categorical_crossentropy"

    @staticmethod
    def forward(ctx, y_true, logits, reduction="sum_over_batch_size"):
        ctx.save_for_backward(y_true, logits)
        top = logits.max(axis=-1, keepdims=True)
        lse = top + np.log(np.exp(logits - top).sum(axis=-1, keepdims=True))
        ctx.probs, ctx.lse = softmax_array(logits), lse
        return _Loss.reduce(ctx, y_true * (lse - logits), reduction, per_sample="sum")

    @staticmethod
    def backward(ctx, grad):
        y_true, logits = ctx.saved_tensors
        probs = Softmax.apply(logits) if isinstance(logits, Tensor) else ctx.probs
        up = _Loss.spread(ctx, grad)
        grad_logits = (probs * y_true.sum(axis=-1, keepdims=True) - y_true) * up
        return ((ctx.lse - logits) * up if ctx.needs_input_grad[0] else None), grad_logits


# --- the functions users call (and compile(loss="...") uses) -----------------------------------
def _prepare(y_true, y_pred) -> tuple[Tensor, Tensor]:
    """y_pred as a Tensor (keeping its graph), y_true as a constant of the same dtype and rank."""
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor(y_pred)
    if not isinstance(y_true, Tensor):
        y_true = Tensor(np.asarray(y_true, dtype=y_pred.dtype))
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:  # Keras: (n,) targets for (n, 1) outputs
        y_true = y_true.reshape(y_true.shape + (1,))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; they must match")
    return y_true, y_pred


def _check(reduction: str) -> str:
    reduction = "sum_over_batch_size" if reduction == "mean" else reduction
    if reduction not in REDUCTIONS:
        raise ValueError(f"unknown reduction {reduction!r}; valid: {', '.join(REDUCTIONS)}")
    return reduction


def mean_squared_error(y_true, y_pred, reduction: str = "sum_over_batch_size") -> Tensor:
    """Mean of (y_pred - y_true)² (Keras "mse")."""
    return MeanSquaredError.apply(*_prepare(y_true, y_pred), reduction=_check(reduction))


def mean_absolute_error(y_true, y_pred, reduction: str = "sum_over_batch_size") -> Tensor:
    """Mean of |y_pred - y_true| (Keras "mae")."""
    return MeanAbsoluteError.apply(*_prepare(y_true, y_pred), reduction=_check(reduction))


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, reduction: str = "sum_over_batch_size") -> Tensor:
    """Crossentropy of 0/1 targets and probabilities (or logits with from_logits=True)."""
    op = SigmoidBinaryCrossentropy if from_logits else BinaryCrossentropy
    return op.apply(*_prepare(y_true, y_pred), reduction=_check(reduction))


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, reduction: str = "sum_over_batch_size") -> Tensor:
    """Crossentropy of one-hot targets and class probabilities (or logits with from_logits=True)."""
    op = SoftmaxCategoricalCrossentropy if from_logits else CategoricalCrossentropy
    return op.apply(*_prepare(y_true, y_pred), reduction=_check(reduction))


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


@dataclass(frozen=True)
class LossSpec:
    """A compiled loss: its name, its function, and the final activation it can absorb.

    When the model's last activation is `fuses_with`, fit calls `fn(y, logits, from_logits=True)`."""
    name: str
    fn: Callable[..., Tensor]
    fuses_with: str | None = None


LOSSES = {
    "mean_squared_error": LossSpec("mean_squared_error", mean_squared_error),
    "mean_absolute_error": LossSpec("mean_absolute_error", mean_absolute_error),
    "binary_crossentropy": LossSpec("binary_crossentropy", binary_crossentropy, "sigmoid"),
    "categorical_crossentropy": LossSpec("categorical_crossentropy", categorical_crossentropy, "softmax"),
    "sparse_categorical_crossentropy": LossSpec("sparse_categorical_crossentropy",
                                                sparse_categorical_crossentropy, "softmax"),
}
_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error"}


def get(identifier: str | Callable) -> LossSpec:
    """A loss by Keras name ("mse", "binary_crossentropy", ...) or a callable(y_true, y_pred) -> Tensor."""
    if callable(identifier):
        return LossSpec(getattr(identifier, "__name__", "custom_loss"), identifier)
    key = str(identifier).lower()
    key = _ALIASES.get(key, key)
    if key not in LOSSES:
        raise ValueError(f"unknown loss {identifier!r}; valid names: {', '.join(sorted(LOSSES) + sorted(_ALIASES))}")
    return LOSSES[key]
