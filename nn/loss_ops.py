"""The loss ops: each loss one Function of the engine, forward and backward written by hand.

The functions and Keras-style classes users call live in nn.losses; these are the graph nodes
they create (op names as shown in diagrams: "mean_squared_error", "sigmoid_binary_crossentropy", ...).

>>> import autograd_mini as am
>>> from nn.loss_ops import MeanSquaredErrorOp
>>> MeanSquaredErrorOp.apply(am.Tensor([[1.0]]), am.Tensor([[3.0]], requires_grad=True))
Tensor(4., grad_fn=mean_squared_error)

Each op takes (y_true, y_pred, reduction=...) and reduces elementwise terms: a sample's loss is
the mean of its row (MSE, MAE, binary crossentropy) or the sum (categorical crossentropy), then
"sum_over_batch_size" averages over samples, "sum" adds them, "none" keeps one per sample.
Backward passes are written with operators, so second derivatives with respect to y_pred work
(under create_graph the saved clipped values are re-expressed through y_pred).
"""
from __future__ import annotations

import numpy as np

from autograd_mini import Function, Tensor
from autograd_mini.ops import generic

from autograd_mini.ops.unary import sigmoid_and_exp_minus_abs

from .activations import Softmax, softmax_array

EPSILON = 1e-7  # keras.backend.epsilon(): how close to 0 and 1 probabilities are clipped


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
        # rows share one width: the mean of row means is the overall mean (a 0-d array, not a numpy scalar)
        return np.asarray(np.add.reduce(terms, axis=None) * ctx.scale)  # terms.sum(), without its Python wrapper

    @staticmethod
    def spread(ctx, grad):
        """The upstream gradient times d(reduced loss)/d(term), broadcastable against the terms."""
        if ctx.reduction == "none":
            return grad.reshape(ctx.batch_shape + (1,)) * (1.0 / ctx.per_sample_divisor)
        if type(grad) is np.ndarray and grad.ndim == 0:  # backward's seed: a Python number is
            return float(grad) * ctx.scale                # cheaper to multiply with than a 0-d array
        return grad * ctx.scale


class _ClippedLoss(_Loss):
    """A loss of probabilities clipped to [1e-7, 1-1e-7], as Keras does; the gradient is 0 where clipped."""
    __slots__ = ("clipped", "inside")

    @staticmethod
    def clip(ctx, probs: np.ndarray) -> np.ndarray:
        """The clipped probabilities; remembers them and where no clipping happened."""
        ctx.clipped = np.clip(probs, EPSILON, 1.0 - EPSILON)
        ctx.inside = (probs >= EPSILON) & (probs <= 1.0 - EPSILON)
        return ctx.clipped

    @staticmethod
    def clipped_for_backward(ctx, probs):
        """The clipped probabilities for a backward; under create_graph (`probs` a Tensor) expressed
        through `probs` where unclipped, so the gradient depends on them and second derivatives work."""
        if isinstance(probs, Tensor):
            return generic.where(ctx.inside, probs, ctx.clipped)
        return ctx.clipped


class MeanSquaredErrorOp(_Loss):
    """mean((ŷ - y)²); gradient 2(ŷ - y)/n."""
    __slots__ = ()
    rule = "∂MSE/∂y = −2(ŷ−y)/n, ∂MSE/∂ŷ = 2(ŷ−y)/n"
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


class MeanAbsoluteErrorOp(_Loss):
    """mean(|ŷ - y|); gradient sign(ŷ - y)/n (0 where they are equal)."""
    __slots__ = ()
    rule = "∂MAE/∂y = −sign(ŷ−y)/n, ∂MAE/∂ŷ = sign(ŷ−y)/n"
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


class BinaryCrossentropyOp(_ClippedLoss):
    """-(y log p + (1-y) log(1-p)) with p clipped to [1e-7, 1-1e-7]; gradient (p-y)/(p(1-p))/n, 0 where clipped."""
    __slots__ = ()
    rule = "∂BCE/∂y = (ln(1−p) − ln p)/n, ∂BCE/∂p = (p−y)/(p·(1−p))/n"
    op_name = "binary_crossentropy"

    @staticmethod
    def forward(ctx, y_true, y_pred, reduction="sum_over_batch_size"):
        ctx.save_for_backward(y_true, y_pred)
        c = _ClippedLoss.clip(ctx, y_pred)
        elementwise = -(y_true * np.log(c) + (1.0 - y_true) * np.log(1.0 - c))
        return _Loss.reduce(ctx, elementwise, reduction)

    @staticmethod
    def backward(ctx, grad):
        y_true, y_pred = ctx.saved_tensors
        c = _ClippedLoss.clipped_for_backward(ctx, y_pred)
        up = _Loss.spread(ctx, grad)
        grad_pred = (c - y_true) / (c * (1.0 - c)) * ctx.inside * up
        grad_true = (np.log(1.0 - ctx.clipped) - np.log(ctx.clipped)) * up if ctx.needs_input_grad[0] else None
        return grad_true, grad_pred


class SigmoidBinaryCrossentropyOp(_Loss):
    """Binary crossentropy of σ(z) from the logits z: softplus(z) - z·y; gradient (σ(z) - y)/n."""
    __slots__ = ("probs",)
    rule = "∂BCE/∂y = −z/n, ∂BCE/∂z = (σ(z)−y)/n"
    op_name = "sigmoid_binary_crossentropy"

    @staticmethod
    def forward(ctx, y_true, logits, reduction="sum_over_batch_size"):
        ctx.save_for_backward(y_true, logits)
        # softplus(z) - z·y as max(z, 0) - z·y + log(1 + e^-|z|) (TensorFlow's form): for y = 1 and
        # z > 0 (or y = 0 and z < 0) the large parts cancel exactly, so -log σ keeps its digits
        # σ(z) as the sigmoid op computes it (kept: the gradient is σ(z) - y), and e^-|z|, in one go
        ctx.probs, e = sigmoid_and_exp_minus_abs(logits)
        terms = np.maximum(logits, 0.0)
        terms -= logits * y_true
        terms += np.log1p(e)
        return _Loss.reduce(ctx, terms, reduction)

    @staticmethod
    def backward(ctx, grad):
        y_true, logits = ctx.saved_tensors
        probs = logits.sigmoid() if isinstance(logits, Tensor) else ctx.probs
        up = _Loss.spread(ctx, grad)
        return (-logits * up if ctx.needs_input_grad[0] else None), (probs - y_true) * up


class CategoricalCrossentropyOp(_ClippedLoss):
    """-Σ y log q over classes, q = p / Σp clipped to [1e-7, 1-1e-7] (Keras's formula on probabilities)."""
    __slots__ = ()
    rule = "∂CCE/∂yᵢ = −ln qᵢ/n, ∂CCE/∂pᵢ = (Σy − yᵢ/qᵢ)/(Σp)/n"
    op_name = "categorical_crossentropy"

    @staticmethod
    def forward(ctx, y_true, y_pred, reduction="sum_over_batch_size"):
        ctx.save_for_backward(y_true, y_pred)
        q = y_pred / y_pred.sum(axis=-1, keepdims=True)
        c = _ClippedLoss.clip(ctx, q)
        return _Loss.reduce(ctx, -(y_true * np.log(c)), reduction, per_sample="sum")

    @staticmethod
    def backward(ctx, grad):
        y_true, y_pred = ctx.saved_tensors
        total = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / total
        c = _ClippedLoss.clipped_for_backward(ctx, q)
        up = _Loss.spread(ctx, grad)
        grad_q = -y_true / c * ctx.inside * up
        # through the normalization q = p / Σp:  dL/dp = (dL/dq - Σ dL/dq ⊙ q) / Σp
        grad_pred = (grad_q - (grad_q * q).sum(axis=-1, keepdims=True)) / total
        return (-np.log(ctx.clipped) * up if ctx.needs_input_grad[0] else None), grad_pred


class SoftmaxCategoricalCrossentropyOp(_Loss):
    """Categorical crossentropy of softmax(z) from the logits: Σy·logsumexp(z) - Σ y·z; gradient (softmax(z)Σy - y)/n."""
    __slots__ = ("probs", "lse")
    rule = "∂CCE/∂yᵢ = (logsumexp(z) − zᵢ)/n, ∂CCE/∂zᵢ = (softmax(z)ᵢ·Σy − yᵢ)/n"
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
