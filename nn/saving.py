"""model.save(path) / nn.load_model(path): architecture, weights and optimizer in one file.

>>> import nn, tempfile, os
>>> model = nn.Sequential([nn.Dense(1, input_shape=[1])])
>>> model.compile(optimizer="sgd", loss="mse")
>>> path = os.path.join(tempfile.mkdtemp(), "house.nn")
>>> model.save(path)
>>> [w.shape for w in nn.load_model(path).weights]
[(1, 1), (1,)]

The format (version 1) is a zip archive laid out as numpy's .npz, so `np.load(path)` opens it:

    config.json          {"format": "autograd_mini.nn", "version": 1,
                          "model": {"name", "input_shape", "layers": [{"class_name", "config"}, ...]},
                          "compile": {"optimizer": {...}, "loss": name or {"class_name", "config"},
                                      "metrics": [name or {"class_name", "config"}, ...]} or null,
                          "weights": [{"name", "shape", "dtype"}, ...],          # Keras order
                          "optimizer_state": {"iterations": n, "slots": [[slot name, ...] per weight]}}
    weights/0000.npy ... one array per weight, in the order of "weights"
    optimizer/0000.npy . the optimizer's slots (momentum, Adam's m and v), weight by weight

Saving writes a temporary file next to the target and renames it over the target, so a
crash never leaves a half-written file. Loading reads and checks everything (archive CRCs,
config, every shape) before building the model: a corrupt, truncated or mismatched file
raises ValueError and never returns a half-loaded model.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
import zlib

import numpy as np

from . import layers as layers_module
from . import losses, metrics, optimizers

FORMAT, VERSION = "autograd_mini.nn", 1


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def save_model(model, filepath) -> None:
    """Write `model` to `filepath` atomically (see the module docstring for the format)."""
    weights = model.weights
    config = {"format": FORMAT, "version": VERSION, "model": model.get_config(), "compile": None,
              "weights": [{"name": w.name, "shape": list(w.shape), "dtype": str(w.dtype)} for w in weights],
              "optimizer_state": None}
    entries = {f"weights/{i:04d}.npy": _npy(w.data) for i, w in enumerate(weights)}
    opt = model.optimizer
    if opt is not None:
        config["compile"] = {"optimizer": opt.get_config(),
                             "loss": None if model.loss is None else model.loss.config,
                             "metrics": [metrics.to_config(m) for m in model.compiled_metrics]}
        if [id(p) for p in opt.params] == [id(w) for w in weights]:  # state belongs to these weights
            config["optimizer_state"] = {"iterations": opt.iterations,
                                         "slots": [_state_names(opt, s) for s in opt.slots]}
            k = 0
            for slots in opt.slots:
                for name in _state_names(opt, slots):
                    entries[f"optimizer/{k:04d}.npy"] = _npy(slots[name])
                    k += 1
    directory = os.path.dirname(os.path.abspath(os.fspath(filepath)))
    fd, tmp = tempfile.mkstemp(prefix=".saving-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("config.json", json.dumps(config, indent=1))
                for name, data in entries.items():
                    zf.writestr(name, data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _read(filepath) -> tuple[dict, list[np.ndarray], list[np.ndarray]]:
    """Everything in the file, checked for integrity; raises ValueError otherwise."""
    try:
        with zipfile.ZipFile(filepath) as zf:
            config = json.loads(zf.read("config.json"))
            if not isinstance(config, dict) or config.get("format") != FORMAT:
                raise ValueError("config.json does not describe an autograd_mini.nn model")
            if config.get("version") != VERSION:
                raise ValueError(f"format version {config.get('version')!r}; this nn reads version {VERSION}")
            weights = [np.load(io.BytesIO(zf.read(f"weights/{i:04d}.npy")), allow_pickle=False)
                       for i in range(len(config["weights"]))]
            n_slots = sum(len(s) for s in (config.get("optimizer_state") or {}).get("slots", []))
            slots = [np.load(io.BytesIO(zf.read(f"optimizer/{k:04d}.npy")), allow_pickle=False)
                     for k in range(n_slots)]
    except FileNotFoundError:
        raise
    except ValueError as err:
        raise ValueError(f"cannot load a model from {os.fspath(filepath)!r}: {err}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, TypeError, EOFError, OSError, zlib.error,
            UnicodeDecodeError) as err:
        raise ValueError(f"cannot load a model from {os.fspath(filepath)!r}: the file is corrupt, truncated or "
                         f"not a model saved by nn ({type(err).__name__}: {err})") from None
    return config, weights, slots


def load_model(filepath, compile: bool = True, custom_objects: dict | None = None):
    """Rebuild a model saved with model.save(): same layers and names, weights, optimizer and its state.

    custom_objects maps the names of custom loss/metric functions to the functions."""
    from .models import Sequential
    config, weights, slots = _read(filepath)
    where = f"cannot load a model from {os.fspath(filepath)!r}"
    try:
        model = Sequential(name=config["model"]["name"])
        for entry in config["model"]["layers"]:
            cls = layers_module.LAYERS.get(entry["class_name"])
            if cls is None:
                raise ValueError(f"unknown layer class {entry['class_name']!r}")
            model.add(cls.from_config(dict(entry["config"])))
        if config["model"]["input_shape"] is not None and not model.built:
            model.build((None, *config["model"]["input_shape"]))
        model.set_weights(weights)  # checks count and every shape, naming the layer, before changing anything
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None
    except (KeyError, TypeError) as err:
        raise ValueError(f"{where}: its config.json is incomplete or malformed ({type(err).__name__}: {err})") from None
    compiled = config.get("compile")
    if compile and compiled:
        custom = custom_objects or {}
        try:
            loss = compiled["loss"]
            if isinstance(loss, str):
                loss = custom.get(loss, loss)
            model.compile(optimizer=optimizers.from_config(compiled["optimizer"]),
                          loss=None if loss is None else losses.get(loss),
                          metrics=[custom.get(m, m) if isinstance(m, str) else metrics.from_config(m)
                                   for m in compiled["metrics"]])
            _restore_optimizer_state(model, config.get("optimizer_state"), slots)
        except ValueError as err:
            raise ValueError(f"{where}: {err} (pass custom_objects={{name: function}} for custom losses/metrics, "
                             f"or compile=False)") from None
    return model


def _state_names(opt, slots: dict) -> list[str]:
    """The slots worth saving: the optimizer's state, not its scratch arrays."""
    return sorted(name for name in slots if name not in opt.scratch_names)


def _restore_optimizer_state(model, state, slots) -> None:
    if not state:
        return
    opt = model.optimizer
    opt.bind(model.weights)
    k = 0
    for weight, names, current in zip(model.weights, state["slots"], opt.slots):
        if _state_names(opt, current) != list(names):
            raise ValueError(f"optimizer slots {names} do not match "
                             f"{type(opt).__name__}'s {_state_names(opt, current)}")
        for name in names:
            if slots[k].shape != weight.shape:
                raise ValueError(f"optimizer slot {name!r} of {weight.name!r} has shape {slots[k].shape}, "
                                 f"expected {weight.shape}")
            current[name][...] = slots[k]  # in place: the slot may be a view of the optimizer's flat array
            k += 1
    opt.iterations = int(state["iterations"])
