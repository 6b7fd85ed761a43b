"""fit / evaluate / predict behaviour: input forms, validation, History, callbacks, printing, health."""
import re

import numpy as np
import pytest

import autograd_mini as am
import nn
from nn import Activation, Dense, Sequential


def _linear(width=1, **compile_args):
    model = Sequential([Dense(1, input_shape=[width])])
    model.compile(**({"optimizer": "sgd", "loss": "mse"} | compile_args))
    return model


# --- input forms ------------------------------------------------------------------------------
@pytest.mark.parametrize("x,y", [
    ((1, 2, 3), (2, 4, 6)),                                  # tuples
    ([1, 2, 3], [2, 4, 6]),                                  # lists
    (np.array([1, 2, 3]), np.array([2, 4, 6])),              # 1-D arrays (ints become float32)
    (np.array([[1.0], [2.0], [3.0]]), np.array([[2.0], [4.0], [6.0]])),
    (am.Tensor([[1.0], [2.0], [3.0]]), am.Tensor([2.0, 4.0, 6.0])),
])
def test_input_forms(x, y):
    model = _linear()
    model.set_weights([np.array([[2.0]]), np.array([0.0])])
    assert model.evaluate(x, y, verbose=0) == pytest.approx(0.0)
    model.fit(x, y, epochs=2, verbose=0)
    assert model.predict([10.0], verbose=0).shape == (1, 1)
    assert model.predict(10.0, verbose=0).shape == (1, 1)
    assert model.predict(x, verbose=0).shape == (3, 1)


def test_model_without_input_shape_builds_on_first_data_and_summary_says_so():
    model = Sequential([Dense(4, activation="relu"), Dense(1)])
    assert not model.built and model.weights == []
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert "0 (unbuilt)" in text and "│ ?" in text and "not built yet" in text
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((5, 3)), np.ones(5), verbose=0)
    assert model.built and model.layers[0].kernel.shape == (3, 4) and model.count_params() == 21


def test_input_object_declares_the_shape():
    model = Sequential([nn.Input(shape=(2,)), Dense(3), Activation("relu")])
    assert model.built and model.output_shape == (None, 3) and len(model.layers) == 2


def test_predict_is_batched_and_records_no_graph():
    model = Sequential([Dense(2, input_dim=1, activation="tanh"), Dense(1)])
    x = np.linspace(-1, 1, 70)
    out = model.predict(x, batch_size=32, verbose=0)
    assert out.shape == (70, 1) and isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, model(x[:, None]).data, rtol=1e-6)
    assert all(w.grad is None for w in model.weights)


def test_model_call_returns_a_graph_to_backward_through():
    model = Sequential([Dense(3, input_dim=1, activation="sigmoid"), Dense(1, activation="sigmoid")])
    x = am.Tensor([[0.5], [1.5]])
    out = model(x)
    assert isinstance(out, am.Tensor) and out.grad_fn is not None
    nn.losses.binary_crossentropy([0.0, 1.0], out).backward()
    assert [w.grad.shape for w in model.weights] == [(1, 3), (3,), (3, 1), (1,)]
    assert [w.name for w in model.parameters()] == [w.name for w in model.weights]
    assert x.grad is None  # data gets no gradient


# --- validation and History ---------------------------------------------------------------------
def test_validation_split_takes_the_last_fraction_before_shuffling():
    seen = []

    class Spy(nn.Callback):
        def on_train_begin(self, logs=None):
            seen.append(self.params)

    model = _linear(metrics=["mae"])
    x = np.arange(10.0)
    y = np.where(x >= 8, 100.0, 0.0)  # the last 20% are far off
    model.set_weights([np.zeros((1, 1)), np.zeros(1)])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.0), loss="mse", metrics=["mae"])
    history = model.fit(x, y, validation_split=0.2, epochs=2, batch_size=3, verbose=0, callbacks=[Spy()])
    assert list(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert history.history["loss"] == [0.0, 0.0] and history.history["val_loss"] == [10000.0, 10000.0]
    assert seen[0]["steps"] == 3  # 8 training samples in batches of 3


def test_validation_data():
    model = _linear(metrics=["accuracy"])
    history = model.fit([1.0, 2.0], [0.0, 1.0], validation_data=([3.0], [1.0]), epochs=3, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == [0, 1, 2] and all(len(v) == 3 for v in history.history.values())
    assert model.history is history and history.params["epochs"] == 3


@pytest.mark.parametrize("metrics,keys,evaluated", [
    (None, ["loss"], float),
    (["accuracy"], ["accuracy", "loss"], list),
    (["acc"], ["acc", "loss"], list),
    (["binary_accuracy"], ["binary_accuracy", "loss"], list),
    (["mae"], ["loss", "mae"], list),
    (["mae", "accuracy"], ["accuracy", "loss", "mae"], list),
])
def test_history_keys_like_keras(metrics, keys, evaluated):
    model = _linear(metrics=metrics)
    history = model.fit([0.0, 1.0], [0.0, 1.0], epochs=1, verbose=0)
    assert list(history.history) == keys
    result = model.evaluate([0.0, 1.0], [0.0, 1.0], verbose=0)
    assert isinstance(result, evaluated)
    if metrics:
        assert len(result) == 1 + len(metrics)
        logs = model.evaluate([0.0, 1.0], [0.0, 1.0], verbose=0, return_dict=True)
        assert result == [logs["loss"]] + [logs[m] for m in metrics]  # compile order


# --- shuffling and reproducibility --------------------------------------------------------------
def test_set_random_seed_makes_training_reproducible():
    def run():
        nn.set_random_seed(42)
        model = Sequential([Dense(4, input_dim=2, activation="relu"), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.random.default_rng(0).normal(size=(50, 2)), np.arange(50.0), batch_size=8, epochs=3, verbose=0)
        return model.get_weights()
    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_layer_names_are_unique_like_keras():
    nn.utils.clear_session()
    model = Sequential([Dense(2, input_dim=1), Activation("relu"), Dense(1), Activation("sigmoid")])
    assert [layer.name for layer in model.layers] == ["dense", "activation", "dense_1", "activation_1"]
    assert model.name == "sequential" and model.layers[2].kernel.name == "dense_1/kernel"


# --- callbacks ----------------------------------------------------------------------------------
def test_callback_hooks_order():
    calls = []

    class Recorder(nn.Callback):
        def on_train_begin(self, logs=None): calls.append("train_begin")
        def on_epoch_begin(self, epoch, logs=None): calls.append(f"epoch_begin {epoch}")
        def on_batch_end(self, batch, logs=None): calls.append(f"batch_end {batch} {sorted(logs)}")
        def on_epoch_end(self, epoch, logs=None): calls.append(f"epoch_end {epoch} {sorted(logs)}")
        def on_train_end(self, logs=None): calls.append("train_end")

    _linear().fit(np.arange(5.0), np.arange(5.0), batch_size=3, epochs=2, verbose=0, callbacks=[Recorder()])
    assert calls == ["train_begin", "epoch_begin 0", "batch_end 0 ['loss']", "batch_end 1 ['loss']",
                     "epoch_end 0 ['loss']", "epoch_begin 1", "batch_end 0 ['loss']", "batch_end 1 ['loss']",
                     "epoch_end 1 ['loss']", "train_end"]


def test_lambda_callback():
    epochs = []
    cb = nn.LambdaCallback(on_epoch_end=lambda epoch, logs: epochs.append(epoch))
    _linear().fit([1.0], [1.0], epochs=3, verbose=0, callbacks=[cb])
    assert epochs == [0, 1, 2]


def test_early_stopping_on_a_plateau_restores_best_weights():
    model = _linear()
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.0), loss="mse")  # loss never improves
    stop = nn.EarlyStopping(monitor="loss", patience=3)
    history = model.fit([1.0, 2.0], [1.0, 2.0], epochs=50, verbose=0, callbacks=[stop])
    assert len(history.epoch) == 4 and stop.stopped_epoch == 3


def test_early_stopping_restore_best_weights_and_mode():
    model = _linear()
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.3), loss="mse")  # diverges: loss grows
    model.set_weights([np.array([[0.9]]), np.array([0.0])])
    stop = nn.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    path = nn.WeightHistory()
    history = model.fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], epochs=20, verbose=0, callbacks=[stop, path])
    assert len(history.epoch) == 3 and stop.best_epoch == 0
    # as Keras: the weights from the *end* of the best epoch (its loss was measured before its update)
    for a, b in zip(model.get_weights(), path.weights[1]):
        np.testing.assert_array_equal(a, b)
    assert nn.EarlyStopping(monitor="val_accuracy").larger_is_better
    assert not nn.EarlyStopping(monitor="val_loss").larger_is_better
    assert nn.EarlyStopping(monitor="loss", mode="max").larger_is_better


def test_early_stopping_min_delta_and_missing_monitor():
    model = _linear()
    stop = nn.EarlyStopping(monitor="loss", min_delta=1e9, patience=1)  # no change is big enough
    history = model.fit([1.0, 2.0], [3.0, 5.0], epochs=10, verbose=0, callbacks=[stop])
    assert len(history.epoch) == 2
    with pytest.warns(UserWarning, match="val_loss"):
        _linear().fit([1.0], [1.0], epochs=1, verbose=0, callbacks=[nn.EarlyStopping()])


def test_weight_history_records_every_n_epochs():
    model = _linear()
    path = nn.WeightHistory(every=4)
    model.fit([1.0, 2.0], [2.0, 4.0], epochs=10, verbose=0, callbacks=[path])
    assert path.epochs == [0, 4, 8, 10]
    assert path.flat().shape == (4, 2) and np.isnan(path.losses[0]) and path.losses[-1] > 0
    np.testing.assert_array_equal(path.weights[-1][0], model.get_weights()[0])
    model.fit([1.0, 2.0], [2.0, 4.0], epochs=2, verbose=0, callbacks=[path])  # a second fit continues
    assert path.epochs == [0, 4, 8, 10, 12]


# --- training health ----------------------------------------------------------------------------
def test_nonfinite_loss_stops_with_advice_and_keeps_last_good_weights():
    model = Sequential([Dense(1, input_shape=[1])])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=1.0), loss="mse")
    with pytest.warns(nn.NonFiniteLossWarning, match=r"epoch \d+/500.*smaller learning rate.*10,000") as info:
        history = model.fit((1, 2, 3, 4, 5, 6, 7), (10000, 20000, 30000, 40000, 50000, 60000, 70000),
                            epochs=500, verbose=0)
    assert len(history.epoch) < 500 and not np.isfinite(history.history["loss"][-1])
    assert all(np.isfinite(w.data).all() for w in model.weights)
    assert history.stop_reason == str(info[0].message)
    assert f"epoch {len(history.epoch)}/500" in history.stop_reason


def test_dead_relu_units_per_layer():
    model = Sequential([Dense(3, input_dim=1, activation="relu"), Dense(2), Activation("relu")])
    model.layers[0].set_weights([np.array([[1.0, -1.0, 0.0]]), np.array([0.0, -1.0, -0.5])])
    model.layers[1].set_weights([np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]]), np.array([0.0, -1.0])])
    report = nn.dead_relu_units(model, np.array([1.0, 2.0, 3.0]))
    assert report == {model.layers[0].name: [1, 2], model.layers[2].name: [1]}


# --- printing -----------------------------------------------------------------------------------
STEP = r"\d+(us|ms|s)/step"


def test_verbose_1_not_a_terminal_one_line_per_epoch(capsys):
    _linear().fit([1.0, 2.0], [1.0, 2.0], epochs=3)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert re.fullmatch(rf"Epoch 1/3 - 1/1 ━{{20}} \d+s {STEP} - loss: \d+\.\d{{4}}", lines[0])


def test_verbose_1_long_runs_are_summarized(capsys):
    _linear().fit([1.0, 2.0], [1.0, 2.0], epochs=500)
    lines = capsys.readouterr().out.splitlines()
    assert "showing every 50th" in lines[0] and len(lines) <= 13
    assert lines[1].startswith("Epoch 1/500") and lines[-1].startswith("Epoch 500/500")


def test_verbose_2_and_0(capsys):
    model = _linear(metrics=["accuracy"])
    model.fit([1.0, 2.0], [1.0, 2.0], epochs=60, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 60
    assert re.fullmatch(rf"Epoch 60/60 - 1/1 - \d+s - {STEP} - accuracy: \S+ - loss: \S+", lines[-1])
    model.fit([1.0, 2.0], [1.0, 2.0], epochs=5, verbose=0)
    model.evaluate([1.0], [1.0], verbose=0)
    model.predict([1.0], verbose=0)
    assert capsys.readouterr().out == ""


def test_single_epoch_evaluate_and_predict_lines(capsys):
    model = _linear(metrics=["mae"])
    model.fit(np.arange(70.0), np.arange(70.0), epochs=1)
    model.evaluate([1.0], [1.0])
    model.predict(np.arange(100.0))
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(rf"3/3 ━{{20}} \d+s {STEP} - loss: \S+ - mae: \S+", lines[0])  # no "Epoch 1/1"
    assert re.fullmatch(rf"1/1 ━{{20}} \d+s {STEP} - loss: \S+ - mae: \S+", lines[1])
    assert re.fullmatch(rf"4/4 ━{{20}} \d+s {STEP}", lines[2])


def test_number_format_like_keras():
    from nn.progress import format_value
    assert format_value(0.0) == "0.0000e+00" and format_value(1999782144.0) == "1999782144.0000"
    assert format_value(4.5795e-9) == "4.5795e-09" and format_value(-0.5) == "-0.5000"
    assert format_value(-0.5, signed=True) == "-5.0000e-01"


def test_live_progress_on_a_terminal():
    """A terminal: the live line is rewritten in place ("\r") and ends as a permanent line."""
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    from nn.progress import Progress
    out = Terminal()
    progress = Progress(1, 2, 1, stream=out)
    progress.epoch_begin(0)
    progress.epoch_end(0, {"loss": 1.5})
    text = out.getvalue()
    assert text.startswith("\rEpoch 1/2 - 1/1 " + "━" * 20) and text.endswith("loss: 1.5000\n")


def test_numpy_seed_also_reproduces_before_set_random_seed(monkeypatch):
    monkeypatch.setattr(nn.utils, "_rng", None)  # as in a fresh process
    np.random.seed(0)
    first = Dense(3, input_dim=2).kernel.data.copy()
    np.random.seed(0)
    np.testing.assert_array_equal(Dense(3, input_dim=2).kernel.data, first)


def test_custom_loss_function_per_sample_values_are_averaged():
    def squared(y_true, y_pred):
        return ((y_pred - y_true) ** 2).sum(axis=1)  # one value per sample

    model = _linear(loss=squared)
    model.set_weights([np.array([[1.0]]), np.array([0.0])])
    assert model.evaluate([1.0, 2.0], [2.0, 2.0], verbose=0) == pytest.approx(0.5)
    model.fit([1.0, 2.0], [2.0, 2.0], epochs=1, verbose=0)
    bad = _linear(loss=lambda y_true, y_pred: 1.0)
    with pytest.raises(TypeError, match="must return a Tensor"):
        bad.fit([1.0], [1.0], verbose=0)
    with pytest.raises(ValueError, match="needs an input shape"):
        Sequential([Dense(1)]).build()


def test_model_call_on_numbers_reads_one_sample_each():
    model = Sequential([Dense(1, input_shape=[1])])
    assert model(am.Tensor([10.0, 20.0])).shape == (2, 1)
    assert model(np.array([10.0])).shape == (1, 1) and model([10.0]).shape == (1, 1)
