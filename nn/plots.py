"""Plotting helpers for training runs: curves, landscapes, decision surfaces, frames.

matplotlib is an optional extra (``pip install "autograd_mini[plot]"``); it is
imported on first use, so ``import nn`` never needs it.

Every helper draws into a fresh :class:`matplotlib.figure.Figure` -- or into the
``ax=`` you pass -- and returns the figure; ``path=`` also saves it (the format
comes from the suffix: .png, .svg, .pdf). Figures are made without ``pyplot``:
nothing switches backends, nothing needs a display, nothing piles up in pyplot's
list of open figures, so the helpers run the same headless, in scripts, tests and
notebooks (a returned figure displays inline in Jupyter).

>>> import nn.plots as plots                                  # doctest: +SKIP
>>> h = model.fit(x, y, epochs=100, verbose=0)                 # doctest: +SKIP
>>> plots.plot_history(h, path="outputs/loss.png")             # doctest: +SKIP

Helpers:

- :func:`plot_history` -- loss and metric curves of a ``History`` (or a dict of lists).
- :func:`plot_series` -- several named curves on one axis (e.g. loss per batch size).
- :func:`plot_fit` -- data points and a model's prediction curve (1-D regression).
- :func:`plot_probability_curve` -- a 1-D probability curve over a class histogram.
- :func:`plot_parity` -- predicted against true values of a regression.
- :func:`grid_eval` / :func:`plot_landscape` -- a 2-D loss/metric map with a trajectory.
- :func:`plot_decision_surface` -- a classifier's output over a 2-D input plane.
- :func:`subplots_grid`, :func:`animate`, :func:`save_gif` -- strips of frames and small animations.
- :func:`plot_gradient_flow` -- gradient norms per layer and weight during training (GradientHistory).
"""
from __future__ import annotations

import functools
import io
import os
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

__all__ = [
    "require_matplotlib", "new_figure", "subplots_grid", "savefig",
    "plot_history", "plot_series", "plot_fit", "plot_probability_curve", "plot_parity",
    "grid_eval", "plot_landscape", "plot_decision_surface", "figure_to_array", "animate", "save_gif",
    "plot_gradient_flow",
]

INSTALL_HINT = 'pip install "autograd_mini[plot]"'
DISPLAY_DPI = 100  # figures shown in a notebook (the inline backend's default is 72-100)

# Colors used throughout: one for the negative class / data, one for the positive class,
# one for model curves -- the talk's blue/green bins and red curve.
NEGATIVE = "#4C72B0"
POSITIVE = "#55A868"
CURVE = "#C44E52"


def require_matplotlib():
    """Import matplotlib, or raise ImportError saying how to install it."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401
    except ImportError as err:
        raise ImportError(
            f"nn.plots needs matplotlib, which is not installed: {INSTALL_HINT} "
            f"(or: pip install matplotlib)"
        ) from err
    return matplotlib


@functools.lru_cache(maxsize=None)
def _shown_figure_class():
    """matplotlib's Figure plus ``_repr_png_``: Jupyter shows it as a picture in a fresh kernel.

    A pyplot-free Figure has no display of its own until ``%matplotlib inline`` registers one;
    with ``_repr_png_`` the kernel sends image/png whatever the backend (when the inline backend
    is active its own PNG printer takes precedence: still one picture). Scripts are unaffected.
    """
    from matplotlib.figure import Figure

    class ShownFigure(Figure):
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=DISPLAY_DPI)
            return buffer.getvalue()

    ShownFigure.__module__, ShownFigure.__qualname__ = __name__, "ShownFigure"
    return ShownFigure


def new_figure(figsize=(6.0, 4.0), nrows=1, ncols=1, **subplot_kw):
    """A pyplot-free Figure and its axes (one Axes, or an array when nrows*ncols > 1).
    The figure displays itself in Jupyter (as a PNG) with no ``%matplotlib`` magic."""
    require_matplotlib()
    fig = _shown_figure_class()(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    return fig, axes


def subplots_grid(n: int, ncols: int = 3, panel_size=(3.2, 2.4), **subplot_kw):
    """A figure with ``n`` panels in rows of ``ncols``; returns (fig, flat list of n axes).

    Unused trailing panels are hidden. Use it for a strip of training frames: draw
    each frame with a helper's ``ax=`` argument.
    """
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = new_figure((panel_size[0] * ncols, panel_size[1] * nrows), nrows, ncols, **subplot_kw)
    axes = list(np.ravel(axes))
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def savefig(fig, path, dpi: int = 110):
    """Save ``fig`` to ``path`` (creating its folder); returns ``path``."""
    folder = os.path.dirname(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


def _axes(ax, figsize):
    if ax is None:
        fig, ax = new_figure(figsize)
        return fig, ax
    return ax.figure, ax


def _finish(fig, path, title=None, ax=None):
    if title and ax is not None:
        ax.set_title(title)
    if path is not None:
        savefig(fig, path)
    return fig


def _as_history(history) -> dict:
    data = getattr(history, "history", history)
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a History or a dict of per-epoch lists, got {type(history).__name__}")
    return {k: np.asarray(v, dtype=float).ravel() for k, v in data.items()}


def _is_loss_key(key: str) -> bool:
    base = key[4:] if key.startswith("val_") else key
    return "loss" in base or base in ("mse", "mae", "mean_squared_error", "mean_absolute_error")


# --- curves -------------------------------------------------------------------------------


def plot_history(history, keys: Sequence[str] | None = None, *, logy: bool = False,
                 title: str | None = None, path=None, figsize=None, loss_label: str | None = None):
    """Per-epoch curves of a ``History`` (from ``fit``) or a dict of lists.

    Losses go in the left panel, metrics (accuracy, ...) in a right panel when there
    are any; ``val_*`` curves are dashed in the color of their training curve.
    ``keys`` picks which curves to draw (default: all). ``logy`` puts losses on a log scale;
    ``loss_label`` names the loss axis (e.g. "MAE (MPa)"). Legends give each curve's last value.
    """
    data = _as_history(history)
    keys = list(data) if keys is None else list(keys)
    missing = [k for k in keys if k not in data]
    if missing:
        raise KeyError(f"no {missing} in the history; it has {sorted(data)}")
    losses = [k for k in keys if _is_loss_key(k)]
    metrics = [k for k in keys if not _is_loss_key(k)]
    panels = [p for p in (losses, metrics) if p]
    fig, axes = new_figure(figsize or (5.2 * len(panels), 3.6), 1, len(panels))
    axes = list(np.ravel(axes))
    for ax, group in zip(axes, panels):
        colors: dict[str, Any] = {}
        for i, key in enumerate(sorted(group, key=lambda k: (k.startswith("val_"), k))):
            base = key[4:] if key.startswith("val_") else key
            values = data[key]
            epochs = np.arange(1, len(values) + 1)
            style = "--" if key.startswith("val_") else "-"
            label = f"{key} (last {values[-1]:.4g})" if len(values) else key
            (line,) = ax.plot(epochs, values, style, color=colors.get(base), label=label, lw=1.6)
            colors.setdefault(base, line.get_color())
        ax.set_xlabel("epoch")
        is_loss = group is losses
        ax.set_ylabel((loss_label or "loss") if is_loss else "metric")
        if is_loss and logy:
            ax.set_yscale("log")
        if not is_loss:
            ax.set_ylim(min(0.0, ax.get_ylim()[0]), max(1.02, ax.get_ylim()[1]))
        ax.grid(alpha=0.3)
        ax.legend(frameon=False)
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def plot_series(series: Mapping[str, Sequence[float]], *, x=None, xlabel: str = "iteration",
                ylabel: str = "loss", logy: bool = False, title: str | None = None,
                ax=None, path=None, figsize=(6.0, 3.4), alpha: float = 0.9, marker=None,
                legend_loc: str = "best"):
    """Several named curves on one axis, e.g. ``{"batch_size=2": losses, "batch_size=64": ...}``.

    ``x``: the positions of the values (default 1, 2, 3, ...), shared by all curves.
    """
    fig, ax = _axes(ax, figsize)
    for label, values in series.items():
        values = np.asarray(values, dtype=float).ravel()
        xs = np.arange(1, len(values) + 1) if x is None else np.asarray(x, dtype=float)[:len(values)]
        ax.plot(xs, values, label=label, lw=1.2, alpha=alpha, marker=marker, ms=3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, loc=legend_loc, fontsize=9)
    return _finish(fig, path, title, ax)


def _predict_fn(predict) -> Callable[[np.ndarray], np.ndarray]:
    """A function from a 1-D array of inputs to a 1-D array of outputs."""
    if hasattr(predict, "predict"):
        model = predict

        def fn(xs):
            return np.asarray(model.predict(np.asarray(xs, dtype=np.float32).reshape(-1, 1), verbose=0),
                              dtype=float).ravel()
        return fn
    if callable(predict):
        return lambda xs: np.asarray(predict(np.asarray(xs, dtype=float)), dtype=float).ravel()
    raise TypeError("predict must be a model (with .predict) or a function of a 1-D array")


def _curves(predict) -> list[tuple[str | None, Any]]:
    """Normalize one predictor, a list of them, or a {label: predictor} dict."""
    if predict is None:
        return []
    if isinstance(predict, Mapping):
        return list(predict.items())
    if isinstance(predict, (list, tuple)):
        return [(None, p) for p in predict]
    return [(None, predict)]


def plot_fit(x, y, predict=None, *, xs=None, data_label: str = "data", curve_label: str = "model",
             xlabel: str = "x", ylabel: str = "y", title: str | None = None, ax=None, path=None,
             figsize=(5.0, 3.6), ylim=None, legend: bool = True):
    """Data points and one or more prediction curves of a 1-input model.

    ``predict``: a model (its ``predict`` is called on a column of inputs), a function
    of a 1-D array, a list of those, or a ``{label: predictor}`` dict.
    ``xs`` are the inputs where curves are drawn (default: 200 points spanning ``x``).
    """
    fig, ax = _axes(ax, figsize)
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    ax.scatter(x, y, s=16, color=NEGATIVE, label=data_label, zorder=3)
    if xs is None:
        xs = np.linspace(x.min(), x.max(), 200)
    xs = np.asarray(xs, dtype=float).ravel()
    for i, (label, p) in enumerate(_curves(predict)):
        ax.plot(xs, _predict_fn(p)(xs), color=CURVE if i == 0 else None, lw=2,
                label=label or curve_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(frameon=False, fontsize=8)
    return _finish(fig, path, title, ax)


def plot_probability_curve(x, labels, predict=None, *, bins=None, threshold: float | None = 0.5,
                           class_names: Sequence[str] = ("negative", "positive"), xlabel: str = "x",
                           title: str | None = None, ax=None, path=None, figsize=(6.0, 3.8),
                           xs=None, legend: bool = True, legend_loc: str = "below"):
    """A stacked histogram of a 1-D feature by class, with predicted probability curves.

    The histogram (left axis: number of samples) shows ``x`` split by the binary
    ``labels`` (named by ``class_names``: negative, positive); the curves (right axis,
    0..1) show ``predict`` -- a model, a function of a 1-D array, or a ``{label: predictor}``
    dict to compare, e.g. learned and hand-picked weights. ``threshold`` draws the dotted 0.5 decision line (None: no line). The legend
    goes below the axes (``legend_loc="below"``) or at a matplotlib location ("upper left").
    """
    fig, ax = _axes(ax, figsize)
    x = np.asarray(x, dtype=float).ravel()
    labels = np.asarray(labels).ravel().astype(bool)
    if bins is None:
        step = 0.1 if x.max() - x.min() <= 5 else (x.max() - x.min()) / 25
        bins = np.arange(x.min() - step / 2, x.max() + step, step)
    ax.hist([x[~labels], x[labels]], bins=bins, stacked=True, color=[NEGATIVE, POSITIVE],
            label=[class_names[0], class_names[1]],
            alpha=0.75, edgecolor="white", linewidth=0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("number of samples")
    handles, names = ax.get_legend_handles_labels()
    curves = _curves(predict)
    if curves or threshold is not None:
        ax2 = ax.twinx()
        ax2.set_ylim(-0.02, 1.02)
        ax2.set_ylabel("probability")
        if xs is None:
            pad = 0.1 * (x.max() - x.min())
            xs = np.linspace(x.min() - pad, x.max() + pad, 300)
        styles = ["-", "--", "-.", ":"]
        for i, (label, p) in enumerate(curves):
            (line,) = ax2.plot(xs, _predict_fn(p)(xs), styles[i % 4], lw=2,
                               color=CURVE if i == 0 else ("#222222" if i == 1 else None),
                               label=label or "P(class | x)")
            handles.append(line)
            names.append(line.get_label())
        if threshold is not None:
            line = ax2.axhline(threshold, color="black", ls=":", lw=1, label=f"threshold {threshold:g}")
            handles.append(line)
            names.append(line.get_label())
    if legend and legend_loc == "below":  # outside the axes: never hides a curve or a bar
        ax.legend(handles, names, frameon=False, fontsize=8, loc="upper center",
                  bbox_to_anchor=(0.5, -0.16), ncol=2)
    elif legend:
        ax.legend(handles, names, frameon=True, framealpha=0.85, fontsize=7, loc=legend_loc)
    return _finish(fig, path, title, ax)


def plot_parity(y_true, predictions, *, xlabel: str = "true value", ylabel: str = "predicted value",
                title: str | None = None, ax=None, path=None, figsize=(4.6, 4.2)):
    """Predicted against true values of a regression, with the diagonal y = x.

    ``predictions``: an array, or a ``{label: array}`` dict to compare models; each label
    gets its RMSE and R² appended.
    """
    fig, ax = _axes(ax, figsize)
    y_true = np.asarray(y_true, dtype=float).ravel()
    if not isinstance(predictions, Mapping):
        predictions = {"model": predictions}
    for i, (label, y_pred) in enumerate(predictions.items()):
        y_pred = np.asarray(y_pred, dtype=float).ravel()
        rmse = float(np.sqrt(np.mean((y_pred - y_true) ** 2)))
        r2 = 1.0 - float(np.sum((y_pred - y_true) ** 2) / np.sum((y_true - y_true.mean()) ** 2))
        ax.scatter(y_true, y_pred, s=8, alpha=0.5, label=f"{label}: RMSE {rmse:.3g}, R² {r2:.3f}",
                   color=[CURVE, NEGATIVE, POSITIVE][i % 3])
    lo, hi = float(np.min(y_true)), float(np.max(y_true))
    ax.plot([lo, hi], [lo, hi], color="black", lw=1, ls="--", label="y = x")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    return _finish(fig, path, title, ax)


# --- landscapes ---------------------------------------------------------------------------


def grid_eval(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], xrange=(-10, 10), yrange=(-10, 10),
              n: int = 101, vectorized: bool = True):
    """Evaluate ``fn(X, Y)`` on an ``n x n`` meshgrid; returns ``(X, Y, Z)``.

    With ``vectorized=False``, ``fn`` is called once per point with two floats.
    """
    xs = np.linspace(*xrange, n)
    ys = np.linspace(*yrange, n)
    X, Y = np.meshgrid(xs, ys)
    if vectorized:
        Z = np.asarray(fn(X, Y), dtype=float)
    else:
        Z = np.array([[float(fn(a, b)) for a, b in zip(row_x, row_y)] for row_x, row_y in zip(X, Y)])
    if Z.shape != X.shape:
        raise ValueError(f"fn returned shape {Z.shape}, expected the grid's {X.shape}")
    return X, Y, Z


def plot_landscape(X, Y, Z, *, trajectory=None, xlabel: str = "w", ylabel: str = "b",
                   zlabel: str = "loss", cmap: str = "viridis", log: bool = False,
                   vmin=None, vmax=None, contours: int | None = 12, mark_every: int | None = None,
                   trajectory_label: str = "training path", title: str | None = None, ax=None,
                   path=None, figsize=(5.6, 4.4)):
    """A heatmap of ``Z`` over the grid ``(X, Y)`` (e.g. loss or accuracy over (w, b)).

    ``trajectory``: an ``(n, 2)`` array of points (e.g. (w, b) every 25 epochs) drawn as
    black crosses joined by a line, with the start and end marked. ``log`` colors by
    log10(Z) (useful for losses spanning decades); ``contours`` draws that many level lines.
    """
    fig, ax = _axes(ax, figsize)
    Z = np.asarray(Z, dtype=float)
    shown = np.log10(np.maximum(Z, 1e-12)) if log else Z
    mesh = ax.pcolormesh(X, Y, shown, cmap=cmap, shading="auto", vmin=vmin, vmax=vmax)
    bar = fig.colorbar(mesh, ax=ax)
    bar.set_label(f"log10 {zlabel}" if log else zlabel)
    if contours and np.ptp(shown[np.isfinite(shown)]) > 0:
        ax.contour(X, Y, shown, levels=contours, colors="white", linewidths=0.5, alpha=0.6)
    if trajectory is not None:
        t = np.asarray(trajectory, dtype=float).reshape(-1, 2)
        ax.plot(t[:, 0], t[:, 1], "-", color="black", lw=1, alpha=0.7)
        ax.plot(t[:, 0], t[:, 1], "x", color="black", ms=5, mew=1.5, label=trajectory_label)
        ax.plot(*t[0], "o", mfc="white", mec="black", ms=7, label=f"start ({t[0, 0]:.3g}, {t[0, 1]:.3g})")
        ax.plot(*t[-1], "*", color="gold", mec="black", ms=12, label=f"end ({t[-1, 0]:.3g}, {t[-1, 1]:.3g})")
        ax.legend(loc="upper right", fontsize=7, framealpha=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(np.min(X), np.max(X))
    ax.set_ylim(np.min(Y), np.max(Y))
    return _finish(fig, path, title, ax)


def plot_decision_surface(predict, x, y=None, *, xlim=None, ylim=None, resolution: int = 200,
                          threshold: float | None = 0.5, cmap: str = "RdBu_r",
                          xlabel: str = "x1", ylabel: str = "x2", title: str | None = None,
                          class_names: Sequence[str] = ("class 0", "class 1"),
                          ax=None, path=None, figsize=(4.8, 4.2), annotate: bool = False):
    """A classifier's output over a 2-D input plane, with the samples on top.

    ``predict``: a model (``predict`` on an ``(m, 2)`` array) or a function of an
    ``(m, 2)`` array returning ``m`` scores in [0, 1]. ``x``: the ``(n, 2)`` samples,
    ``y`` their 0/1 labels (marker shape and color, named by ``class_names``).
    ``threshold`` draws the decision boundary.
    ``annotate`` writes each sample's predicted value beside it.
    """
    fig, ax = _axes(ax, figsize)
    x = np.asarray(x, dtype=float).reshape(-1, 2)
    span = np.ptp(x, axis=0)
    span = np.where(span == 0, 1.0, span)
    xlim = xlim or (x[:, 0].min() - 0.25 * span[0], x[:, 0].max() + 0.25 * span[0])
    ylim = ylim or (x[:, 1].min() - 0.25 * span[1], x[:, 1].max() + 0.25 * span[1])
    gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    if hasattr(predict, "predict"):
        out = predict.predict(grid.astype(np.float32), verbose=0)
    else:
        out = predict(grid)
    Z = np.asarray(out, dtype=float).reshape(gx.shape)
    mesh = ax.pcolormesh(gx, gy, Z, cmap=cmap, vmin=0, vmax=1, shading="auto")
    fig.colorbar(mesh, ax=ax).set_label("model output")
    if threshold is not None and Z.min() < threshold < Z.max():
        ax.contour(gx, gy, Z, levels=[threshold], colors="black", linewidths=1.2)
    if y is None:
        ax.scatter(x[:, 0], x[:, 1], c=NEGATIVE, s=90, edgecolors="black", linewidths=1.2, zorder=3)
    else:
        positive = np.asarray(y).ravel() > 0.5
        for mask, marker, color, name in ((~positive, "o", NEGATIVE, class_names[0]),
                                          (positive, "^", POSITIVE, class_names[1])):
            if mask.any():
                ax.scatter(x[mask, 0], x[mask, 1], marker=marker, c=color, s=100, edgecolors="black",
                           linewidths=1.2, zorder=3, label=name)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False, fontsize=8)
    if annotate:
        pts = predict.predict(x.astype(np.float32), verbose=0) if hasattr(predict, "predict") else predict(x)
        for (a, b), v in zip(x, np.asarray(pts, dtype=float).ravel()):
            ax.annotate(f"{v:.2f}", (a, b), textcoords="offset points", xytext=(8, 8), fontsize=8,
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", alpha=0.8))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return _finish(fig, path, title, ax)


# --- frames and animations ------------------------------------------------------------------


def figure_to_array(fig, dpi: int = 80) -> np.ndarray:
    """Render a figure to an ``(h, w, 4)`` uint8 RGBA array (no display needed)."""
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def animate(fig, update: Callable[[int], Any], n_frames: int, path, *, fps: float = 5.0, dpi: int = 70,
            hold_last: int = 3):
    """Write an animated GIF of one figure changed ``n_frames`` times; returns ``path``.

    ``update(i)`` changes the figure's artists for frame ``i`` (e.g. ``line.set_ydata``,
    ``ax.set_title``). The layout is computed once, on the first frame, so a long
    animation costs one render per frame -- much faster than a new figure per frame.
    """
    arrays = []
    for i in range(n_frames):
        update(i)
        arrays.append(figure_to_array(fig, dpi=dpi))
        if i == 0:
            fig.set_layout_engine("none")  # keep the first frame's layout: no jumping, no cost
    return save_gif(arrays, path, fps=fps, hold_last=hold_last)


def save_gif(frames: Iterable, path, *, fps: float = 5.0, dpi: int = 70, loop: int = 0,
             hold_last: int = 3):
    """Write figures (or RGBA arrays) as an animated GIF; returns ``path``.

    Draw one figure per training snapshot with any helper above, then pass the list.
    The last frame is held ``hold_last`` extra frames so the end result is readable.
    Uses Pillow, which matplotlib already depends on.
    """
    require_matplotlib()
    from PIL import Image

    images = []
    for frame in frames:
        array = frame if isinstance(frame, np.ndarray) else figure_to_array(frame, dpi=dpi)
        images.append(Image.fromarray(np.ascontiguousarray(array[..., :3])).convert(
            "P", palette=Image.Palette.ADAPTIVE, colors=128))
    if not images:
        raise ValueError("save_gif needs at least one frame")
    images += [images[-1]] * hold_last
    folder = os.path.dirname(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / fps),
                   loop=loop, optimize=True)
    return path


def plot_gradient_flow(gradient_history, *, title: str | None = "Gradient flow during training",
                       path=None, figsize=(9.0, 3.4)):
    """Draw a :class:`nn.callbacks.GradientHistory`: left, each weight's gradient norm per
    training step (log scale; a grey band where gradients have vanished, below 1e-7); right,
    per layer, the range and median of its gradient norm over training, inputs first -- a
    layer far below the others is where the gradient vanishes.

    >>> grads = nn.callbacks.GradientHistory()                       # doctest: +SKIP
    >>> model.fit(x, y, epochs=20, callbacks=[grads], verbose=0)     # doctest: +SKIP
    >>> plot_gradient_flow(grads, path="outputs/gradient_flow.png")  # doctest: +SKIP
    """
    norms = getattr(gradient_history, "norms", None)
    if not norms or not gradient_history.steps:
        raise ValueError("plot_gradient_flow needs a GradientHistory that has recorded steps "
                         "(pass it to fit(callbacks=[...]) first)")
    fig, (left, right) = new_figure(figsize, ncols=2)
    steps = np.asarray(gradient_history.steps)
    floor = 1e-12  # a zero norm is drawn at the bottom of the log axis, not left out
    for name, values in norms.items():
        left.plot(steps, np.maximum(np.asarray(values, float), floor), lw=1.2, label=name)
    left.set_yscale("log")
    low, high = left.get_ylim()
    if low < 1e-7:  # the band only where the curves reach: it must not squash them
        left.axhspan(low, 1e-7, color="#bbbbbb", alpha=0.3, lw=0, label="vanished (< 1e-7)")
        left.set_ylim(low, high)
    left.set_xlabel("training step")
    left.set_ylabel("‖∂loss/∂weight‖")
    left.grid(alpha=0.3)
    left.legend(frameon=False, fontsize=8)
    _layer_ranges(right, gradient_history.layer_norms(), floor)
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def _layer_ranges(ax, layers: Mapping[str, Sequence[float]], floor: float) -> None:
    """Per layer (inputs first), the range and the median of its gradient norm over training."""
    names = list(layers)
    values = [np.maximum(np.asarray(v, float), floor) for v in layers.values()]
    positions = np.arange(len(names))
    ax.vlines(positions, [v.min() for v in values], [v.max() for v in values], color=CURVE, lw=6, alpha=0.35,
              label="range over training")
    ax.plot(positions, [np.median(v) for v in values], "o", color=CURVE, label="median")
    ax.set_yscale("log")
    ax.set_xticks(positions, names, rotation=20, fontsize=8)
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylabel("layer gradient norm")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
