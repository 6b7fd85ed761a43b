"""A fingerprint of everything a model call may change, for "the model is unchanged" assertions."""
import numpy as np


def fingerprint(model) -> dict:
    opt = model.optimizer
    return {
        "built": model.built,
        "input_shape": model.input_shape,
        "layers": [(id(layer), layer.name, layer.built, layer.input_shape, id(getattr(layer, "activation", None)))
                   for layer in model.layers],
        "weights": [(id(w), w.dtype.str, w.data.tobytes(), None if w.grad is None else w.grad.data.tobytes())
                    for w in model.weights],
        "optimizer": None if opt is None else (id(opt), opt.get_config(), opt.iterations,
                                               [id(p) for p in opt.params],
                                               [{k: v.tobytes() for k, v in s.items()} for s in opt.slots]),
        "loss": model.loss,
        "metrics": list(model.compiled_metrics),
        "history": model.history,
    }


def assert_unchanged(before: dict, model) -> None:
    after = fingerprint(model)
    for key in before:
        assert after[key] == before[key], f"model.{key} changed"


def still_trains(model, x, y) -> None:
    """After a refused call the model trains as usual (its optimizer still moves its weights)."""
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, epochs=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
