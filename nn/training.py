"""fit, evaluate and predict: the training loop (the hot path) and the batched inference loops.

One training step is: forward through the layers (each Dense with its activation one fused op,
see nn.fused), one loss op, backward, and the optimizer's in-place update. The first batch of
each shape records its graph; later batches of that shape replay it (autograd_mini.record: the
same ops on the new arrays, no graph built or sorted again) when every layer, activation and
the loss are built-in -- their code never branches on values, so the graph depends on the
shape alone. Like Keras's traced train step, the recording lives for one call of fit: change
the layers between fits, not inside one. Around the step the loop stays lean: the data are
converted once, batches are slices, there is one permutation per epoch (none when one batch
holds everything), the input is a constant Tensor (no gradient is computed for the data), and
metrics are numpy on the predictions, outside the graph.
"""
from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

import autograd_mini as am
from autograd_mini import Recording, Tensor, tuned_walk

from . import activations as activations_module
from . import data_checks
from . import losses as losses_module
from . import metrics as metrics_module
from .activations import sigmoid_array, softmax_array
from .layers import LAYERS
from .callbacks import CallbackList, History
from .progress import Progress
from .utils import as_rows, rng, to_array


class NonFiniteLossWarning(RuntimeWarning):
    """The loss became nan or inf and fit stopped (always shown, not just the first time)."""


warnings.simplefilter("always", NonFiniteLossWarning)

_TO_PROBABILITIES = {"sigmoid": sigmoid_array, "softmax": softmax_array}


@dataclass
class Plan:
    """What one compiled model computes per batch, decided once per call of fit/evaluate."""
    forward: Callable[[Tensor], Tensor]          # x -> output, or logits when the loss absorbs the activation
    loss: Callable[[Tensor, Tensor], Tensor]     # (y, forward(x)) -> scalar loss Tensor
    predictions: Callable[[np.ndarray], np.ndarray]  # forward's array -> the model's output (for metrics)
    metrics: list
    # fit's recorded steps by batch shape (see _forward_and_loss); None: this model's steps are not replayed
    recordings: dict | None = None
    weights: tuple = ()


def make_plan(model, y: np.ndarray, buffers=None) -> Plan:
    """buffers: the optimizer's GradientBuffers, where fit's fused ops write the weights' gradients."""
    spec = model.loss
    last = model.layers[-1]
    width = model.output_shape[-1]
    sparse = y.shape[-1] == 1 and width > 1
    metric_specs = [metrics_module.get(m, spec.name, width, sparse) for m in model.compiled_metrics]
    # fused ops where they exist (nn.fused)
    steps = [functools.partial(layer.train_call, buffers=buffers) for layer in model.layers]
    recordings = {} if _replayable(model) else None
    weights = tuple(model.weights)
    if spec.fuses_with is not None and last.activation_name == spec.fuses_with:
        # e.g. sigmoid + binary crossentropy: one stable op on the logits, as Keras's TF backend does
        fn = spec.fn
        steps[-1] = functools.partial(last.train_call, buffers=buffers, logits=True)
        return Plan(_chain(steps), lambda y_, z: fn(y_, z, from_logits=True),
                    _TO_PROBABILITIES[spec.fuses_with], metric_specs, recordings, weights)
    builtin = isinstance(spec.fn, losses_module.Loss) or spec in losses_module.LOSSES.values()
    fn = spec.fn if builtin else _reduced(spec.fn)
    return Plan(_chain(steps), fn, lambda a: a, metric_specs, recordings, weights)


def _replayable(model) -> bool:
    """Does a training step build the same graph for every batch of one shape? Provably so for
    the built-in layers, activations and losses: their Python code never branches on values.
    A custom layer, activation or loss might, so its steps are built afresh every time."""
    loss = model.loss.fn
    builtin_loss = (loss in losses_module.BUILTIN_FUNCTIONS
                    or type(loss) in losses_module.LOSS_CLASSES.values())
    return builtin_loss and all(type(layer) in LAYERS.values() and activations_module.is_builtin(layer.activation)
                                for layer in model.layers)


def _chain(steps: list) -> Callable[[Tensor], Tensor]:
    """x -> the layers' train_calls one after the other."""
    def forward(x: Tensor) -> Tensor:
        for step in steps:
            x = step(x)
        return x
    return forward


def _reduced(loss_fn: Callable) -> Callable:
    """A custom loss may return one value per sample: Keras averages them over the batch."""
    def loss(y_true: Tensor, y_pred: Tensor) -> Tensor:
        value = loss_fn(y_true, y_pred)
        if not isinstance(value, Tensor):
            raise TypeError(f"the loss {getattr(loss_fn, '__name__', loss_fn)!r} returned {type(value).__name__}; "
                            f"it must return a Tensor computed from y_pred (use Tensor operations or nn.losses)")
        return value if value.data.ndim == 0 else value.mean()
    return loss


# --- data ----------------------------------------------------------------------------------
def prepare_x(model, x) -> np.ndarray:
    x = as_rows(to_array(x, model.dtype, "x"), model.input_width, "x")
    data_checks.check_finite(x, "x")
    if not model.built:
        model.build((None,) + x.shape[1:])
    return x


def prepare_xy(model, x, y) -> tuple[np.ndarray, np.ndarray]:
    x = prepare_x(model, x)
    y = to_array(y, model.dtype, "y")
    data_checks.check_finite(y, "y")
    if y.ndim == 0:
        y = y.reshape(1, 1)
    elif y.ndim == 1:
        y = y[:, None]
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same number of samples: x has {len(x)}, y has {len(y)}")
    if len(x) == 0:
        raise ValueError("x and y hold no samples")
    out = model.output_shape[1:]
    sparse = model.loss is not None and model.loss.name == "sparse_categorical_crossentropy"
    if y.shape[1:] != out and not (sparse and y.shape[1:] == (1,)):
        hint = ""
        if y.shape[1:] == (1,) and out[-1] > 1:
            hint = " (one-hot encode y, or use loss='sparse_categorical_crossentropy' for integer labels)"
        raise ValueError(f"y has shape {y.shape} but the model outputs {out[-1] if len(out) == 1 else out} "
                         f"values per sample (output shape {model.output_shape}){hint}")
    if model.loss is not None:
        data_checks.check_labels(y, model.loss.name, out[-1])
    return x, y


def _validation(model, validation_data, validation_split, x, y):
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) < 2:
            raise ValueError("validation_data must be a tuple (x_val, y_val)")
        return (x, y, *prepare_xy(model, validation_data[0], validation_data[1]))
    if validation_split:
        if not 0.0 < validation_split < 1.0:
            raise ValueError(f"validation_split must be between 0 and 1, got {validation_split}")
        split_at = int(math.floor(len(x) * (1.0 - validation_split)))
        if split_at in (0, len(x)):
            raise ValueError(f"{len(x)} samples are too few to split with validation_split={validation_split}")
        return x[:split_at], y[:split_at], x[split_at:], y[split_at:]
    return x, y, None, None


# --- fit -----------------------------------------------------------------------------------
def fit(model, x, y, epochs: int = 1, batch_size: int | None = 32, verbose="auto", callbacks=None,
        validation_split: float = 0.0, validation_data=None, shuffle: bool = True,
        initial_epoch: int = 0) -> History:
    model.require_compiled("fit")
    x, y = prepare_xy(model, x, y)
    x, y, x_val, y_val = _validation(model, validation_data, validation_split, x, y)
    batch_size = batch_size or 32
    verbose = 1 if verbose == "auto" else int(verbose)
    steps = max(1, math.ceil(len(x) / batch_size))
    params = model.weights
    optimizer = model.optimizer
    optimizer.bind(params)
    plan = make_plan(model, y, optimizer.buffers)
    for p in params:  # fit's gradients live in the optimizer's buffers, never in .grad: none is left stale
        p.grad = None

    history = History()
    hooks = CallbackList(list(callbacks or []) + [history], model,
                         {"epochs": epochs, "steps": steps, "verbose": verbose})
    progress = Progress(verbose, epochs, steps)
    model.stop_training = False
    model.history = history
    history.stop_reason = None
    progress.train_begin()
    hooks.on_train_begin()
    # numpy's overflow warnings would only repeat what the non-finite-loss message below says better
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(initial_epoch, epochs):
            hooks.on_epoch_begin(epoch)
            progress.epoch_begin(epoch)
            logs, bad_batch = _train_epoch(plan, params, optimizer, x, y, batch_size, shuffle, hooks, progress)
            if x_val is not None:
                val = _evaluate_arrays(plan, x_val, y_val, batch_size)
                logs.update({"val_" + k: v for k, v in val.items()})
            hooks.on_epoch_end(epoch, logs)
            progress.epoch_end(epoch, logs)
            if bad_batch is not None:
                history.stop_reason = _nonfinite_message(model, epoch, epochs, bad_batch, steps, logs["loss"])
                warnings.warn(history.stop_reason, NonFiniteLossWarning, stacklevel=3)
                break
            if model.stop_training:
                break
    for p in params:  # what a callback was shown belonged to fit's last step
        p.grad = None
    progress.train_end()
    hooks.on_train_end()
    return history


def _train_epoch(plan: Plan, params, optimizer, x, y, batch_size, shuffle, hooks, progress):
    """One pass over the data. Returns the epoch's logs and the index of a batch whose loss was
    not finite (training stops there: that step's update is not applied)."""
    n = len(x)
    if shuffle and n > batch_size:  # one permutation per epoch; nothing to shuffle in a single batch
        order = rng().permutation(n)
        x, y = x[order], y[order]
    predictions, metric_specs = plan.predictions, plan.metrics
    want_running_logs = bool(hooks.batch_end) or progress.live
    loss_total, seen = 0.0, 0
    metric_totals = [0.0] * len(metric_specs)
    bad_batch = None
    for step, start in enumerate(range(0, n, batch_size)):
        for cb in hooks.batch_begin:
            cb.on_train_batch_begin(step)
        # one batch holding everything is the data itself: no views to make
        xb, yb = (x, y) if n <= batch_size else (x[start:start + batch_size], y[start:start + batch_size])
        out, loss, recording = _forward_and_loss(plan, xb, yb)
        value = float(loss.data)
        count = len(xb)
        loss_total += value * count
        seen += count
        if metric_specs:
            y_pred = predictions(out.data)
            for i, spec in enumerate(metric_specs):
                metric_totals[i] += spec.total(yb, y_pred)
        if not math.isfinite(value):
            bad_batch = step
            break
        _backward_and_update(loss, recording, optimizer)
        if hooks.batch_end:  # callbacks may read this step's gradients: each .grad a copy of its own
            _show_gradients(params, optimizer.buffers)
        if want_running_logs:
            logs = _logs(loss_total, metric_totals, metric_specs, seen)
            for cb in hooks.batch_end:
                cb.on_train_batch_end(step, logs)
            progress.batch_end(step + 1, logs)
    return _logs(loss_total, metric_totals, metric_specs, seen), bad_batch


def _backward_and_update(loss: Tensor, recording, optimizer) -> None:
    """backward into the optimizer's gradient arrays (nn.optimizers.GradientBuffers, not .grad),
    through the recorded order when the step was replayed; then the update."""
    buffers = optimizer.buffers
    buffers.begin()
    if recording is None:
        tuned_walk.run(loss, np.ones((), loss.data.dtype), buffers)  # engine.run_backward's walk
    else:
        recording.backward(sink=buffers)  # the same as above, without sorting the graph again
    optimizer.step_with(buffers.gradient)


def _show_gradients(params, buffers) -> None:
    """Each weight's gradient of this step as its `.grad`, a copy the user may keep."""
    for p in params:
        grad = buffers.gradient(p)
        p.grad = None if grad is None else Tensor._make(grad.copy(), None)


def _forward_and_loss(plan: Plan, xb: np.ndarray, yb: np.ndarray):
    """One step's output and loss Tensors, and the Recording that made them (None if there is none).

    The first batch of each shape builds the graph as usual and keeps it as a Recording; later
    batches of that shape replay it: the same ops on the new arrays, no graph built again."""
    recordings = plan.recordings
    if recordings is not None:
        found = recordings.get(xb.shape)
        if found is not None:
            recording, out = found
            return out, recording(xb, yb), recording
    x_in, y_in = Tensor._make(xb, None), Tensor._make(yb, None)
    out = plan.forward(x_in)
    loss = plan.loss(y_in, out)
    if recordings is None or xb.shape in recordings:
        return out, loss, None
    recording = Recording((x_in, y_in), loss, constants=plan.weights)
    if recording.problem is not None:  # e.g. a target turned into a constant from the data
        recordings[xb.shape] = None     # (sparse labels made one-hot): build this shape every time
        return out, loss, None
    recordings[xb.shape] = (recording, out)
    return out, loss, recording


def _logs(loss_total: float, metric_totals: list, metric_specs: list, seen: int) -> dict:
    """Epoch means, keys sorted as Keras sorts them ("accuracy" before "loss")."""
    if not metric_specs:  # called once per epoch (per batch with callbacks): skip sorting one key
        return {"loss": float(loss_total / seen)}
    logs = {"loss": loss_total / seen}
    for spec, total in zip(metric_specs, metric_totals):
        logs[spec.name] = total / seen
    return {key: float(value) for key, value in sorted(logs.items())}


def _nonfinite_message(model, epoch, epochs, batch, steps, loss) -> str:
    where = f"epoch {epoch + 1}/{epochs}" + (f", batch {batch + 1}/{steps}" if steps > 1 else "")
    weights_ok = all(np.isfinite(w.data).all() for w in model.weights)
    kept = ("The weights are kept as they were before that step (the last one with a finite loss)."
            if weights_ok else "The weights themselves already hold nan/inf values.")
    return (f"Training stopped at {where}: the loss became {loss}. {kept} Try a smaller learning rate "
            f"(e.g. SGD(learning_rate=0.001)), or scale inputs and targets to around 1 "
            f"(e.g. prices in units of 10,000 instead of dollars).")


# --- evaluate and predict: batched, no graph -------------------------------------------------
def _evaluate_arrays(plan: Plan, x: np.ndarray, y: np.ndarray, batch_size: int) -> dict:
    loss_total, metric_totals = 0.0, [0.0] * len(plan.metrics)
    with am.no_grad():
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            out = plan.forward(Tensor._make(xb, None))
            loss_total += float(plan.loss(Tensor._make(yb, None), out).data) * len(xb)
            if plan.metrics:
                y_pred = plan.predictions(out.data)
                for i, spec in enumerate(plan.metrics):
                    metric_totals[i] += spec.total(yb, y_pred)
    return _logs(loss_total, metric_totals, plan.metrics, len(x))


def evaluate(model, x, y, batch_size: int | None = 32, verbose="auto", return_dict: bool = False):
    model.require_compiled("evaluate")
    x, y = prepare_xy(model, x, y)
    batch_size = batch_size or 32
    verbose = 1 if verbose == "auto" else int(verbose)
    progress = Progress(verbose, 0, max(1, math.ceil(len(x) / batch_size)))
    progress.epoch_begin(0)
    plan = make_plan(model, y)
    logs = _evaluate_arrays(plan, x, y, batch_size)
    progress.epoch_end(0, logs)
    if return_dict:
        return logs
    results = [logs["loss"]] + [logs[spec.name] for spec in plan.metrics]  # compile order, as Keras
    return results[0] if len(results) == 1 else results


def predict(model, x, batch_size: int | None = 32, verbose="auto") -> np.ndarray:
    x = prepare_x(model, x)
    batch_size = batch_size or 32
    verbose = 1 if verbose == "auto" else int(verbose)
    progress = Progress(verbose, 0, max(1, math.ceil(len(x) / batch_size)))
    progress.epoch_begin(0)
    with am.no_grad():
        outputs = [model.call(Tensor._make(x[start:start + batch_size], None)).data
                   for start in range(0, len(x), batch_size)]
    progress.epoch_end(0, {})
    return np.concatenate(outputs) if outputs else np.zeros((0,) + model.output_shape[1:], model.dtype)
