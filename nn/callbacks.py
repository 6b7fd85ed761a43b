"""Callbacks: code that fit calls at the start/end of training, of each epoch and of each batch.

>>> import nn
>>> class LossHistory(nn.callbacks.Callback):          # seed 001's callback, unchanged
...     def on_train_begin(self, logs={}):
...         self.losses = []
...     def on_batch_end(self, batch, logs={}):
...         self.losses.append(logs.get("loss"))

Built in: History (what fit returns), EarlyStopping (Keras's arguments and defaults),
WeightHistory (snapshots of the weights every N epochs, to draw a path across a loss
landscape), LambdaCallback, LivePlot (the training curves redrawn in place in a notebook) and
GradientHistory (per layer and weight, the gradient's norm during fit).
"""
from __future__ import annotations

import time
import warnings
from typing import Callable, Sequence

import numpy as np


class Callback:
    """Override any of the hooks; `self.model` is the model being trained, `self.params` holds
    epochs, steps (batches per epoch) and verbose. `logs` is a dict of current values
    ("loss", metrics, and at epoch end "val_..."); in on_batch_end they are the epoch's running means."""

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass

    # Keras 3's names for the batch hooks; by default they call the short names, as in Keras
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs)


def _overrides(callback: Callback, *names: str) -> bool:
    """Whether a hook was redefined (in a subclass, or set on the instance as LambdaCallback does)."""
    for name in names:
        hook = getattr(callback, name)
        if getattr(hook, "__func__", hook) is not getattr(Callback, name):
            return True
    return False


class CallbackList:
    """Calls every callback in turn; batch hooks only go to callbacks that define them (fit's hot loop)."""

    def __init__(self, callbacks: Sequence[Callback], model, params: dict):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self.batch_begin = [cb for cb in self.callbacks
                            if _overrides(cb, "on_batch_begin", "on_train_batch_begin")]
        self.batch_end = [cb for cb in self.callbacks if _overrides(cb, "on_batch_end", "on_train_batch_end")]
        # called every epoch, and few callbacks define it (History does not): skip the no-ops
        self.epoch_begin = [cb for cb in self.callbacks if _overrides(cb, "on_epoch_begin")]

    def on_train_begin(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        for cb in self.epoch_begin:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)


class History(Callback):
    """What fit returns: `.history` maps "loss", each metric and "val_..." to per-epoch lists;
    `.epoch` lists the epoch indices; `.params` the fit settings."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []  # a model fitted again starts a fresh History, as in Keras

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return f"<History epochs={len(self.epoch)} keys={list(self.history)}>"


_LARGER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1", "iou")
_SMALLER_IS_BETTER = ("loss", "error", "mse", "mae", "mape", "msle", "hinge", "crossentropy", "divergence")


def _direction(monitor: str) -> bool | None:
    """True: larger is better; False: smaller; None: the name does not say (Keras then refuses)."""
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if "loss" in name:
        return False
    if any(word in name for word in _LARGER_IS_BETTER):
        return True
    if any(word in name for word in _SMALLER_IS_BETTER):
        return False
    return None


def _improves_when_larger(monitor: str) -> bool:
    return bool(_direction(monitor))


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.

    mode "auto" reads the direction from the name (accuracy: larger is better; loss, errors:
    smaller; a name that says neither is refused when fit starts, as Keras does: pass mode).
    With restore_best_weights=True the model ends with the weights of its best epoch.
    Keras's own test cases run against it (tests/nn/test_keras_ported.py).

    >>> stop = EarlyStopping(monitor="loss", patience=10, restore_best_weights=True)
    >>> stop.monitor_op.__name__
    'less'
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0):
        super().__init__()
        from .validation import check_bool, check_choice, check_int, check_number
        if not isinstance(monitor, str):
            raise TypeError(f"EarlyStopping(monitor={monitor!r}): monitor must be a logged name such as 'val_loss'")
        check_choice("EarlyStopping", "mode", mode, ("auto", "min", "max"))
        self.monitor, self.mode = monitor, mode
        self.patience = check_int("EarlyStopping", "patience", patience, minimum=0)
        self.verbose = check_int("EarlyStopping", "verbose", int(verbose) if isinstance(verbose, bool) else verbose, 0)
        self.baseline = None if baseline is None else check_number("EarlyStopping", "baseline", baseline)
        self.restore_best_weights = check_bool("EarlyStopping", "restore_best_weights", restore_best_weights)
        self.start_from_epoch = check_int("EarlyStopping", "start_from_epoch", start_from_epoch, minimum=0)
        min_delta = check_number("EarlyStopping", "min_delta", min_delta)
        direction = {"max": True, "min": False}.get(mode, _direction(monitor))
        self.larger_is_better = bool(direction)
        self._direction_known = direction is not None
        self.monitor_op = np.greater if self.larger_is_better else np.less
        self.min_delta = abs(min_delta) if self.larger_is_better else -abs(min_delta)
        self.wait, self.stopped_epoch, self.best_epoch, self.best, self.best_weights = 0, 0, 0, None, None

    def _improves(self, value: float, reference: float | None) -> bool:
        if reference is None:  # the first epoch seen is the best so far
            return True
        return bool(self.monitor_op(value - self.min_delta, reference))

    def on_train_begin(self, logs=None):
        if not self._direction_known:
            raise ValueError(f"EarlyStopping(monitor={self.monitor!r}, mode='auto'): cannot tell whether "
                             f"{self.monitor!r} should be maximized or minimized; pass mode='max' or mode='min'")
        # an instance may be reused across fits: every per-run number starts afresh
        self.wait, self.stopped_epoch, self.best_epoch, self.best, self.best_weights = 0, 0, 0, None, None

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"EarlyStopping monitors {self.monitor!r}, which fit does not log; "
                          f"available: {', '.join(logs or {})}", stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._improves(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class WeightHistory(Callback):
    """Snapshots of all weights (Keras order) before training and after every `every`-th epoch
    (and after the last one), for drawing how training moved through weight space. `losses[i]`
    is the epoch's logged loss (nan for the initial snapshot); epochs count on across fits.

    >>> path = WeightHistory(every=25)                 # model.fit(..., callbacks=[path])
    >>> # path.epochs -> [0, 25, 50, ...]; path.weights[i] -> model.get_weights() at path.epochs[i]
    >>> # path.flat() -> array (snapshots, parameters): for one neuron its columns are w and b
    """

    def __init__(self, every: int = 1):
        super().__init__()
        if every < 1:
            raise ValueError(f"WeightHistory(every=...) must be at least 1, got {every}")
        self.every = int(every)
        self.epochs: list[int] = []
        self.weights: list[list[np.ndarray]] = []
        self.losses: list[float] = []

    def _record(self, epoch: int, loss: float) -> None:
        if self.epochs and self.epochs[-1] == epoch:
            return
        self.epochs.append(epoch)
        self.weights.append(self.model.get_weights())
        self.losses.append(loss)

    def on_train_begin(self, logs=None):
        # epochs count across fits: a second fit continues the same path where the first ended
        self._offset = self.epochs[-1] if self.epochs else 0
        self._last = None
        if not self.epochs:
            self._record(0, float("nan"))

    def on_epoch_end(self, epoch, logs=None):
        self._last = (self._offset + epoch + 1, (logs or {}).get("loss", float("nan")))
        if self._last[0] % self.every == 0:
            self._record(*self._last)

    def on_train_end(self, logs=None):
        if self._last is not None:
            self._record(*self._last)

    def flat(self) -> np.ndarray:
        """One row per snapshot: every weight flattened and concatenated (kernel, bias, ...)."""
        return np.array([np.concatenate([w.ravel() for w in ws]) for ws in self.weights])


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. LambdaCallback(on_epoch_end=lambda epoch, logs: ...)."""

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_batch_begin: Callable | None = None, on_batch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None):
        super().__init__()
        for hook, fn in [("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                         ("on_batch_begin", on_batch_begin), ("on_batch_end", on_batch_end),
                         ("on_train_begin", on_train_begin), ("on_train_end", on_train_end)]:
            if fn is not None:
                setattr(self, hook, fn)


class LivePlot(Callback):
    """The loss and metric curves, redrawn in place while fit runs in a notebook; in a script (or
    any run outside Jupyter) the final figure is written to `path` when training ends.

    >>> live = LivePlot(path="outputs/training.png")    # model.fit(..., callbacks=[live])
    >>> live.every_seconds
    0.5

    keys: which logged values to draw (default: all); logy: losses on a log scale.
    every_seconds: at most one redraw per this many seconds, and never more often than keeps
        drawing under a fifth of the time (a redraw takes 0.1-0.3 s); the last epoch is always drawn.
    diagram: also show the model as units with their current weights (plot_model detail="neurons"),
        redrawn with the curves -- for small models.
    `.figure` is the last figure drawn, `.history` the values per epoch.
    """

    def __init__(self, keys: Sequence[str] | None = None, *, path: str | None = "training.png",
                 every_seconds: float = 0.5, logy: bool = False, diagram: bool = False):
        super().__init__()
        if every_seconds < 0:
            raise ValueError(f"LivePlot(every_seconds=...) must be at least 0, got {every_seconds}")
        from .plots import require_matplotlib
        require_matplotlib()  # say so now, not after training
        self.keys, self.path, self.every_seconds = keys, path, float(every_seconds)
        self.logy, self.diagram = logy, diagram
        self.figure = None
        self.history: dict[str, list[float]] = {}

    def on_train_begin(self, logs=None):
        from .progress import in_notebook

        self.history, self._drawn_at, self._handles, self._wait = {}, 0.0, None, self.every_seconds
        self._live = in_notebook()

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if self._live and time.perf_counter() - self._drawn_at >= self._wait:
            self._show()

    def on_train_end(self, logs=None):
        if not self.history:
            return
        if self._live:
            self._show()
        else:
            self._draw()
            if self.path:
                from .plots import savefig
                savefig(self.figure, self.path)
                print(f"LivePlot: wrote {self.path}")

    def _draw(self):
        from .plots import plot_history

        keys = [k for k in self.keys if k in self.history] if self.keys else None
        epochs = len(next(iter(self.history.values())))
        total = self.params.get("epochs", epochs)
        self.figure = plot_history(self.history, keys, logy=self.logy, title=f"epoch {epochs}/{total}")
        return self.figure

    def _show(self):
        """Draw, then replace what this callback displayed (one picture per fit, updated in place)."""
        from IPython.display import display

        started = time.perf_counter()
        shown = [self._draw()]
        if self.diagram:
            from .diagram import plot_model
            shown.append(plot_model(self.model, detail="neurons", show_weights=True))
        if self._handles is None:
            self._handles = [display(item, display_id=True) for item in shown]
        else:
            for handle, item in zip(self._handles, shown):
                handle.update(item)
        self._drawn_at = time.perf_counter()
        # drawing (a PNG: ~0.1-0.3 s) takes at most a fifth of the time: training stays the main work
        self._wait = max(self.every_seconds, 4 * (self._drawn_at - started))


class GradientHistory(Callback):
    """Per layer and weight, the gradient's norm (and a small histogram of its values), every
    `every` training steps, read after each step's backward: how gradients behave while a model
    trains (vanishing, exploding, dead layers). Draw it with nn.plots.plot_gradient_flow; feed it
    to nn.health.health_report.

    >>> grads = GradientHistory(every=1)               # model.fit(..., callbacks=[grads])
    >>> grads.steps, grads.norms                        # after fit: [1, 2, ...], {"dense/kernel": [...]}
    ([], {})

    `steps[i]` counts training steps across fits (1 = after the first batch), `epochs[i]` the epoch
    (0-based) of record i; `norms[name][i]` is ‖∂loss/∂weight‖₂ at record i; `histograms[name][i]`
    (counts, bin edges) of the gradient's values; `layer_of[name]` the weight's layer.
    """

    def __init__(self, every: int = 1, bins: int = 10):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"GradientHistory(every=...) must be a whole number of steps >= 1, got {every!r}")
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
            raise ValueError(f"GradientHistory(bins=...) must be a whole number >= 1, got {bins!r}")
        self.every, self.bins = int(every), int(bins)
        self.steps: list[int] = []
        self.epochs: list[int] = []
        self.norms: dict[str, list[float]] = {}
        self.histograms: dict[str, list[tuple]] = {}
        self.layer_of: dict[str, str] = {}
        self._step, self._epoch = 0, 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self._step % self.every == 0:
            self._record()

    def _record(self) -> None:
        self.steps.append(self._step)
        self.epochs.append(self._epoch)
        for layer in self.model.layers:
            for w in layer.weights:
                g = w.grad
                values = np.zeros(0) if g is None else np.asarray(g.data, dtype=np.float64).ravel()
                self.layer_of[w.name] = layer.name
                self.norms.setdefault(w.name, []).append(
                    float(np.sqrt(np.dot(values, values))) if g is not None else float("nan"))
                finite = values[np.isfinite(values)]
                self.histograms.setdefault(w.name, []).append(
                    np.histogram(finite, bins=self.bins) if finite.size else (np.zeros(self.bins, int), None))

    def layer_norms(self) -> dict[str, list[float]]:
        """Per layer, the norm of all its weights' gradients together at each record."""
        squares: dict = {}
        for name, norms in self.norms.items():
            layer = self.layer_of[name]
            squares[layer] = squares.get(layer, 0.0) + np.square(np.asarray(norms))
        return {layer: np.sqrt(total).tolist() for layer, total in squares.items()}
