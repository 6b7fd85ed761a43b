"""What fit, evaluate and predict print: Keras 3's progress lines, without flooding a log file.

verbose=1 on a terminal or in a notebook: as Keras — "Epoch 3/500" (when epochs > 1), then a bar
  that fills during the epoch (with ETA) and ends as "7/7 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.1234".
verbose=1 elsewhere (a log, a pipe, CI): one line per epoch, "Epoch 3/500 - 7/7 ━━━━… 0s 2ms/step - loss: …";
  a run of more than 50 epochs shows every k-th epoch (k = 2, 5, 10, 20, 50, 100, …: at most ~20 lines)
  plus the first and the last, and says so in a first line.
verbose=2: one line per epoch, "Epoch 3/500 - 7/7 - 0s - 2ms/step - loss: 0.1234" (Keras prints the
  "Epoch 3/500" on a line of its own; we join them so a log gets one line per epoch).
verbose=0: silent.
Logged values are the epoch's running means; keys sorted as Keras sorts them ("accuracy" before "loss").
"""
from __future__ import annotations

import re
import sys
import time
from typing import TextIO

BAR_WIDTH = 20
SUMMARIZE_AFTER = 50  # epochs; longer runs print about 20 lines when not on a terminal
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def is_interactive(stream: TextIO) -> bool:
    """A terminal or a notebook: places where a line can be redrawn in place."""
    return (hasattr(stream, "isatty") and stream.isatty()) or "ipykernel" in sys.modules


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


def _nice_step(epochs: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that shows at most ~20 of `epochs` lines."""
    scale = 1
    while True:
        for mantissa in (1, 2, 5):
            if mantissa * scale * 20 >= epochs:
                return mantissa * scale
        scale *= 10


class Progress:
    """The printer for one call of fit (epochs >= 1), evaluate or predict (epochs = 0)."""

    def __init__(self, verbose: int, epochs: int, steps: int, stream: TextIO | None = None):
        self.verbose, self.epochs, self.steps = verbose, epochs, steps
        self.stream = stream or sys.stdout
        self.live = verbose == 1 and is_interactive(self.stream)
        self.every = 1
        if verbose == 1 and not self.live and epochs > SUMMARIZE_AFTER:
            self.every = _nice_step(epochs)
        self._width = 0  # visible width of the line being redrawn

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def _shown(self, epoch: int) -> bool:
        return self.every == 1 or epoch == 0 or (epoch + 1) % self.every == 0 or epoch + 1 == self.epochs

    def train_begin(self) -> None:
        if self.every > 1:
            self._write(f"Training {self.epochs} epochs; not a terminal, so showing every {self.every}th "
                        f"(verbose=2 shows all, verbose=0 none)\n")

    def epoch_begin(self, epoch: int) -> None:
        if self.verbose == 0:  # nothing to time or show (called once per epoch: keep it cheap)
            return
        self._start = self._last = time.perf_counter()
        if self.live and self.epochs > 1:
            self._write(f"Epoch {epoch + 1}/{self.epochs}\n")

    def batch_end(self, step: int, logs: dict) -> None:
        """Redraw the live bar (on a terminal, at most 20 times a second)."""
        if not self.live or step >= self.steps:
            return
        now = time.perf_counter()
        if now - self._last < 0.05:
            return
        self._last = now
        per_step = (now - self._start) / step
        eta = per_step * (self.steps - step)
        eta_text = f"{eta // 60:.0f}:{eta % 60:02.0f}" if eta > 60 else f"{eta:.0f}s"
        self._redraw(f"{self._bar(step)} \x1b[1m{eta_text}\x1b[0m {format_step_time(per_step)}{format_logs(logs)}")

    def _bar(self, step: int) -> str:
        count = f"{step:>{len(str(self.steps))}}/{self.steps}"
        done = BAR_WIDTH * step // self.steps
        if not self.live:
            return f"{count} " + "━" * done
        # Keras's colours: bold counter, green for done, white for the rest
        return f"\x1b[1m{count}\x1b[0m \x1b[32m{'━' * done}\x1b[0m\x1b[37m{'━' * (BAR_WIDTH - done)}\x1b[0m"

    def _redraw(self, line: str) -> None:
        width = len(_ANSI.sub("", line))
        self._write("\r" + line + " " * max(self._width - width, 0))
        self._width = width

    def epoch_end(self, epoch: int, logs: dict) -> None:
        if self.verbose == 0:
            return
        elapsed = time.perf_counter() - self._start
        per_step = format_step_time(elapsed / max(self.steps, 1))
        header = f"Epoch {epoch + 1}/{self.epochs} - " if self.epochs > 1 else ""
        if self.verbose == 2:
            self._write(f"{header}{self.steps}/{self.steps} - {elapsed:.0f}s - {per_step}"
                        f"{format_logs(logs, signed=True)}\n")
        elif self.live:
            self._redraw(f"{self._bar(self.steps)} \x1b[1m{elapsed:.0f}s\x1b[0m {per_step}{format_logs(logs)}")
            self._write("\n")
            self._width = 0
        elif self._shown(epoch):
            self._write(f"{header}{self._bar(self.steps)} {elapsed:.0f}s {per_step}{format_logs(logs)}\n")
