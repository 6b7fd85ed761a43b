"""What fit, evaluate and predict print: Keras's meanings of `verbose`, sized for where they print.

verbose=0: silent.  verbose=2: one permanent line per epoch, "Epoch 3/500 - 7/7 - 0s - 2ms/step - loss: 0.1234"
(Keras prints "Epoch 3/500" on a line of its own; we join them so a log gets one line per epoch).
verbose=1 (and "auto") depends on where the output goes:

- in Jupyter (an IPython kernel, printing to the cell): ONE display per fit, updated in place
  (epoch, a bar, time left, loss and metrics) and ending as a one-line summary
  "500 epochs in 1.2s (2ms/epoch) - accuracy: 0.9600 - loss: 0.2102". The cell keeps one line.
- on a terminal: one line rewritten in place ("Epoch 37/500 · 3/7 ━━━━━━━━━━━ 3s left - loss: ..."),
  with a permanent line now and then: every epoch of a short run, every k-th of a long one
  (k = 2, 5, 10, 20, 50, ...: about 20 lines) and always the last.
- elsewhere (a log file, a pipe, CI): the permanent lines only, and a first line saying so.

Logged values are the epoch's running means; keys sorted as Keras sorts them ("accuracy" before "loss").

>>> import io
>>> log = io.StringIO()                     # not a terminal: permanent lines only
>>> p = Progress(verbose=1, epochs=2, steps=1, stream=log)
>>> for epoch in range(2):
...     p.epoch_begin(epoch); p.epoch_end(epoch, {"loss": 0.5})
>>> p.train_end()
>>> len(log.getvalue().splitlines())
2
"""
from __future__ import annotations

import html
import re
import sys
import time
from typing import TextIO

BAR_WIDTH = 20
SUMMARIZE_AFTER = 50  # epochs; longer runs print about 20 permanent lines
REDRAW_EVERY = 0.05   # seconds between terminal redraws (20 a second)
UPDATE_EVERY = 0.1    # seconds between notebook display updates (each one is a message to the browser)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def in_notebook(stream: TextIO | None = None) -> bool:
    """True when printing to `stream` (default sys.stdout) lands in a Jupyter cell: an IPython
    kernel is running this code and the stream is its stdout.

    >>> in_notebook()                       # a doctest runs in no kernel
    False
    """
    ipython = sys.modules.get("IPython")
    if ipython is None or getattr(ipython.get_ipython(), "kernel", None) is None:
        return False
    # the kernel's own stdout (ipykernel's OutStream), not a file it was redirected to
    return type(stream or sys.stdout).__module__.startswith("ipykernel")


def is_interactive(stream: TextIO) -> bool:
    """A terminal or a notebook: places where a line can be redrawn in place."""
    return (hasattr(stream, "isatty") and stream.isatty()) or in_notebook(stream)


def format_value(value: float, signed: bool = False) -> str:
    """Keras's number format: 4 decimals, or scientific notation for small values (verbose=2
    tests the signed value, verbose=1 the magnitude: Keras's own quirk, kept)."""
    return f"{value:.4f}" if (value if signed else abs(value)) > 1e-3 else f"{value:.4e}"


def format_logs(logs: dict, signed: bool = False) -> str:
    return "".join(f" - {key}: {format_value(value, signed)}" for key, value in logs.items())


def format_step_time(seconds: float, unit: str = "step") -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def format_duration(seconds: float) -> str:
    """'0.8s', '12s', '3:05' (minutes:seconds)."""
    if seconds >= 60:
        return f"{seconds // 60:.0f}:{seconds % 60:02.0f}"
    return f"{seconds:.1f}s" if seconds < 10 else f"{seconds:.0f}s"


def _nice_step(epochs: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that shows at most ~20 of `epochs` lines."""
    scale = 1
    while True:
        for mantissa in (1, 2, 5):
            if mantissa * scale * 20 >= epochs:
                return mantissa * scale
        scale *= 10


def _where(verbose: int, stream: TextIO | None) -> str:
    if verbose != 1:
        return "silent" if verbose == 0 else "lines"
    if in_notebook(stream):
        return "notebook"
    out = stream or sys.stdout
    return "terminal" if hasattr(out, "isatty") and out.isatty() else "log"


class Progress:
    """The printer for one call of fit (epochs >= 1), evaluate or predict (epochs = 0).

    fit calls train_begin, then per epoch epoch_begin, batch_end (when `live`), epoch_end,
    and train_end once at the end (also after an early stop)."""

    def __init__(self, verbose: int, epochs: int, steps: int, stream: TextIO | None = None):
        self.verbose, self.epochs, self.steps = verbose, epochs, steps
        self.mode = _where(verbose, stream)
        self.stream = stream or sys.stdout
        self.live = self.mode in ("terminal", "notebook")  # wants batch_end calls (running logs)
        self.every = _nice_step(epochs) if self.mode in ("terminal", "log") and epochs > SUMMARIZE_AFTER else 1
        self._width = 0          # visible width of the terminal line being redrawn
        self._display = None     # the notebook's display handle
        self._begun = self._last = time.perf_counter()
        self._run = 0            # epochs finished in this call (fit may start at initial_epoch)
        self._epoch, self._logs, self._printed = -1, {}, -1
        self._fraction_shown = 0.0

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def _shown(self, epoch: int) -> bool:
        return self.every == 1 or epoch == 0 or (epoch + 1) % self.every == 0 or epoch + 1 == self.epochs

    def train_begin(self) -> None:
        self._begun = time.perf_counter()
        if self.mode == "log" and self.every > 1:
            self._write(f"Training {self.epochs} epochs; not a terminal, so showing every {self.every}th "
                        f"(verbose=2 shows all, verbose=0 none)\n")

    def epoch_begin(self, epoch: int) -> None:
        if self.mode == "silent":  # nothing to time or show (called once per epoch: keep it cheap)
            return
        self._start = time.perf_counter()
        self._epoch = epoch
        if self._display is None and self.mode == "notebook" and self.epochs >= 1:
            self._show_in_notebook(self._line(0, {}), 0.0)

    def batch_end(self, step: int, logs: dict) -> None:
        """Redraw the live line (throttled: a batch takes microseconds, a redraw much longer)."""
        if not self.live or step >= self.steps:
            return
        now = time.perf_counter()
        if now - self._last < (REDRAW_EVERY if self.mode == "terminal" else UPDATE_EVERY):
            return
        self._last = now
        self._update(self._line(step, logs))

    def epoch_end(self, epoch: int, logs: dict) -> None:
        if self.mode == "silent":
            return
        self._logs = logs
        elapsed = time.perf_counter() - self._start
        if self.mode == "lines":
            header = f"Epoch {epoch + 1}/{self.epochs} - " if self.epochs > 1 else ""
            self._write(f"{header}{self.steps}/{self.steps} - {elapsed:.0f}s - "
                        f"{format_step_time(elapsed / max(self.steps, 1))}{format_logs(logs, signed=True)}\n")
        elif self.mode == "notebook" and self.epochs == 0:
            self._write(self._permanent(elapsed, logs) + "\n")  # evaluate/predict: one line
        elif self.mode in ("terminal", "log") and self._shown(epoch):
            self._print_permanent(epoch, elapsed, logs)
        elif self.live and time.perf_counter() - self._last >= (REDRAW_EVERY if self.mode == "terminal"
                                                                 else UPDATE_EVERY):
            self._last = time.perf_counter()
            self._update(self._line(self.steps, logs))
        self._run += 1

    def train_end(self) -> None:
        """Close the run: the notebook's display becomes the summary; a terminal or log gets the last
        epoch's line if an early stop left it unprinted."""
        if self.mode == "notebook" and self._run:
            self._show_in_notebook(self._summary(), None)
        elif self.mode in ("terminal", "log") and self._run and self._printed != self._epoch:
            self._print_permanent(self._epoch, time.perf_counter() - self._start, self._logs)

    # --- the lines ---------------------------------------------------------------------------
    def _permanent(self, elapsed: float, logs: dict, epoch: int | None = None) -> str:
        """The log's line: 'Epoch 3/500 - 7/7 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.1234'."""
        header = f"Epoch {epoch + 1}/{self.epochs} - " if epoch is not None and self.epochs > 1 else ""
        return (f"{header}{self.steps}/{self.steps} {'━' * BAR_WIDTH} {elapsed:.0f}s "
                f"{format_step_time(elapsed / max(self.steps, 1))}{format_logs(logs)}")

    def _print_permanent(self, epoch: int, elapsed: float, logs: dict) -> None:
        self._printed = epoch
        line = self._permanent(elapsed, logs, epoch)
        if self.mode == "terminal":  # the live line becomes this permanent one
            self._redraw(line)
            self._write("\n")
            self._width = 0
        else:
            self._write(line + "\n")

    def _fraction(self, step: int) -> float:
        """How much of the whole call is done: epochs for fit, batches for evaluate/predict/1 epoch."""
        if self.epochs <= 1:
            return step / max(self.steps, 1)
        return (self._epoch + step / max(self.steps, 1)) / self.epochs

    def _line(self, step: int, logs: dict) -> str:
        """The live line: 'Epoch 37/500 · 3/7 ━━━━━━━━━━━━━━━━━━━━ 3s left - loss: 0.6134'."""
        fraction = self._fraction(step)
        spent = time.perf_counter() - self._begun
        done_here = self._run + step / max(self.steps, 1)  # this call's epochs (or batches) so far
        if self.epochs > 1:
            left_units = self.epochs - self._epoch - step / max(self.steps, 1)
        else:
            left_units, done_here = 1 - step / max(self.steps, 1), step / max(self.steps, 1)
        left = f"{format_duration(spent / done_here * left_units)} left" if done_here > 0 else "…"
        where = f"Epoch {self._epoch + 1}/{self.epochs} · " if self.epochs > 1 else ""
        self._fraction_shown = fraction
        filled = int(BAR_WIDTH * fraction)
        bar = "━" * filled + "╌" * (BAR_WIDTH - filled)
        return f"{where}{step}/{self.steps} {bar} {left}{format_logs(logs)}"

    def _summary(self) -> str:
        spent = time.perf_counter() - self._begun
        stopped = "" if self._epoch + 1 == self.epochs else f" (stopped at epoch {self._epoch + 1}/{self.epochs})"
        return (f"{self._run} epoch{'s' if self._run != 1 else ''} in {format_duration(spent)} "
                f"({format_step_time(spent / self._run, 'epoch')}){stopped}{format_logs(self._logs)}")

    # --- where they go -------------------------------------------------------------------------
    def _update(self, line: str) -> None:
        if self.mode == "terminal":
            self._redraw(line)
        else:
            self._show_in_notebook(line, self._fraction_shown)

    def _redraw(self, line: str) -> None:
        width = len(_ANSI.sub("", line))
        self._write("\r" + line + " " * max(self._width - width, 0))
        self._width = width

    def _show_in_notebook(self, line: str, fraction: float | None) -> None:
        """One display per fit (display_id): every update replaces it, so the cell keeps one line.
        fraction: how full the bar is; None for the summary, which has no bar."""
        from IPython.display import display

        bundle = {"text/plain": line, "text/html": _html(line, fraction)}
        if self._display is None:
            self._display = display(bundle, raw=True, display_id=True)
        else:
            self._display.update(bundle, raw=True)


def _html(line: str, fraction: float | None) -> str:
    bar = "" if fraction is None else (f'<progress value="{fraction:.3f}" max="1" '
                                       f'style="width:12em;vertical-align:middle;margin-right:0.6em"></progress>')
    return f'<div style="font-family:monospace;white-space:pre">{bar}{html.escape(line)}</div>'
