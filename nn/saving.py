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

import numpy as np

from . import layers as layers_module
from . import losses, metrics, optimizers

FORMAT, VERSION = "autograd_mini.nn", 1


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def save_model(model, filepath) -> None:
    """Write `model` to `filepath` atomically (see the module docstring for the format): a
    save that fails leaves an existing file at `filepath` as it was."""
    from .models import Sequential
    if not isinstance(model, Sequential):
        raise TypeError(f"save_model(model, filepath): model must be a Sequential, got {type(model).__name__}")
    filepath = _path(filepath, "save_model")
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


def _path(filepath, what: str) -> str:
    """The path as a str; anything but a str or os.PathLike (None, a number, an open file) is a TypeError."""
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"{what}(filepath=...): filepath must be a str or a pathlib.Path, got "
                        f"{type(filepath).__name__} {filepath!r}")
    path = os.fspath(filepath)
    if not isinstance(path, str) or not path:
        raise TypeError(f"{what}(filepath=...): filepath must be a non-empty str path, got {filepath!r}")
    return path


# Errors about the path itself pass through as they are; any other error while reading means
# the content is not a model nn saved (zipfile alone raises BadZipFile, NotImplementedError for
# an unknown compression, RuntimeError for an "encrypted" entry, struct.error, ...).
_PATH_ERRORS = (FileNotFoundError, IsADirectoryError, PermissionError, NotADirectoryError)


def _read(path: str) -> tuple[dict, list[np.ndarray], list[np.ndarray]]:
    """Everything in the file, checked for integrity; raises ValueError otherwise."""
    try:
        with zipfile.ZipFile(path) as zf:
            config = json.loads(zf.read("config.json"))
            if not isinstance(config, dict) or config.get("format") != FORMAT:
                raise ValueError("config.json does not describe an autograd_mini.nn model")
            if config.get("version") != VERSION:
                raise ValueError(f"format version {config.get('version')!r}; this nn reads version {VERSION}")
            weights = [_load_npy(zf, f"weights/{i:04d}.npy") for i in range(len(config["weights"]))]
            for entry, array in zip(config["weights"], weights):
                if str(array.dtype) != entry["dtype"]:  # shapes are checked against the layers, by name
                    raise ValueError(f"weight {entry['name']!r} is listed as {entry['dtype']} "
                                     f"but its array holds {array.dtype}")
            n_slots = sum(len(s) for s in (config.get("optimizer_state") or {}).get("slots", []))
            slots = [_load_npy(zf, f"optimizer/{k:04d}.npy") for k in range(n_slots)]
    except _PATH_ERRORS:
        raise
    except ValueError as err:
        raise ValueError(f"cannot load a model from {path!r}: {err}") from None
    except (Exception, RecursionError) as err:
        raise ValueError(f"cannot load a model from {path!r}: the file is corrupt, truncated or "
                         f"not a model saved by nn ({type(err).__name__}: {err})") from None
    return config, weights, slots


def _load_npy(zf: zipfile.ZipFile, name: str) -> np.ndarray:
    array = np.load(io.BytesIO(zf.read(name)), allow_pickle=False)
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        raise ValueError(f"{name} holds {getattr(array, 'dtype', type(array).__name__)} data, not floating-point "
                         f"weights")
    return array


def load_model(filepath, compile: bool = True, custom_objects: dict | None = None):
    """Rebuild a model saved with model.save(): same layers and names, weights with their
    dtypes, optimizer and its state.

    custom_objects maps the names of custom activations, initializers, losses, metrics and
    layer classes to the objects (Keras's convention): `load_model(p, custom_objects={"swish": swish})`.
    Nothing is returned half-loaded: any problem raises ValueError naming the file."""
    path = _path(filepath, "load_model")
    if not isinstance(compile, (bool, np.bool_)):
        raise TypeError(f"load_model(compile={compile!r}): compile must be True or False")
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"load_model(custom_objects=...) must be a dict of name -> object, "
                        f"got {type(custom_objects).__name__}")
    custom = dict(custom_objects or {})
    config, weights, slots = _read(path)
    where = f"cannot load a model from {path!r}"
    try:
        model = _build(config, weights, custom)
        compiled = config.get("compile")
        if compile and compiled:
            _compile(model, compiled, custom)
            _restore_optimizer_state(model, config.get("optimizer_state"), slots)
    except _MissingCustom as err:
        raise ValueError(f"{where}: {err}") from None
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None
    except Exception as err:  # a config edited by hand or by a bit flip into something else
        raise ValueError(f"{where}: its config.json is incomplete or malformed ({type(err).__name__}: {err})") from None
    return model


class _MissingCustom(ValueError):
    """The file names a custom object the caller did not pass in custom_objects."""


def _custom(kind: str, name, builtin, custom: dict):
    """`name` as saved: a built-in name stays (the get() functions resolve it), a custom one
    comes from custom_objects, a missing one is an error that names it and says the fix."""
    if not isinstance(name, str) or name in custom:
        return custom.get(name, name) if isinstance(name, str) else name
    if name.lower() in builtin:
        return name
    fix = f"load_model(path, custom_objects={{{name!r}: {name}}})"
    if kind.startswith(("loss", "metric")):
        fix += ", or load_model(path, compile=False) to skip compiling"
    raise _MissingCustom(f"unknown {kind} {name!r}: nn has none by that name; if it is your own, pass it: {fix}")


def _instance(found, saved: dict):
    """A custom loss or metric class from custom_objects, made again from its saved config."""
    return found(**saved.get("config", {})) if isinstance(found, type) else found


def _build(config: dict, weights: list, custom: dict):
    from .models import Sequential
    from . import activations, initializers
    builtin = {"activation": set(activations.ACTIVATIONS),
               "kernel_initializer": set(initializers.INITIALIZERS) | set(initializers._ALIASES),
               "bias_initializer": set(initializers.INITIALIZERS) | set(initializers._ALIASES)}
    model = Sequential(name=config["model"]["name"])
    for entry in config["model"]["layers"]:
        cls = layers_module.LAYERS.get(entry["class_name"])
        if cls is None:
            cls = _custom("layer class", entry["class_name"], (), custom)
        layer_config = dict(entry["config"])
        for key, names in builtin.items():
            if key in layer_config:
                layer_config[key] = _custom(key.replace("_", " "), layer_config[key], names, custom)
        model.add(cls.from_config(layer_config))
    if config["model"]["input_shape"] is not None and not model.built:
        model.build((None, *config["model"]["input_shape"]))
    model.set_weights(weights)  # checks count and every shape, naming the layer, before changing anything
    for w, array in zip(model.weights, weights):
        if w.dtype != array.dtype:  # a float64 model stays float64 (layers build in the default dtype)
            w.data = np.array(array)
    return model


def _compile(model, compiled: dict, custom: dict) -> None:
    loss = compiled["loss"]
    if isinstance(loss, dict) and loss.get("class_name") not in losses.LOSS_CLASSES:
        loss = _instance(_custom("loss class", loss.get("class_name"), (), custom), loss)
    elif loss is not None:
        loss = _custom("loss", loss, set(losses.LOSSES) | set(losses._ALIASES), custom)
    metric_names = set(metrics.VALID_NAMES)
    found = []
    for m in compiled["metrics"]:
        if isinstance(m, dict) and m.get("class_name") not in metrics.METRIC_CLASSES:
            m = _instance(_custom("metric class", m.get("class_name"), (), custom), m)
        found.append(_custom("metric", m, metric_names, custom) if isinstance(m, str) else metrics.from_config(m))
    model.compile(optimizer=optimizers.from_config(compiled["optimizer"]),
                  loss=None if loss is None else losses.get(loss), metrics=found)


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
