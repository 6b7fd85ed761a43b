"""Grad mode is a switch of each thread (as PyTorch); separate models train in parallel threads."""
import threading

import numpy as np
import pytest

import autograd_mini as am
import nn
from autograd_mini import grad_mode


@pytest.fixture(autouse=True)
def _fresh_names():
    """Layer names restart after each test, as other test files expect ("dense", not "dense_7")."""
    yield
    nn.utils.clear_session()



def _in_thread(fn):
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as err:  # handed back to the test thread
            box["error"] = err
    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    w = am.Tensor([1.0, 2.0], requires_grad=True)
    inside, outside = threading.Event(), threading.Event()
    seen = {}

    def holder():
        with am.no_grad():
            seen["holder"] = am.is_grad_enabled()
            inside.set()
            outside.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    inside.wait(5)
    seen["main"] = (w * 2).requires_grad
    outside.set()
    t.join()
    assert seen == {"holder": False, "main": True}
    assert am.is_grad_enabled()


def test_overlapping_no_grad_blocks_in_two_threads_restore_each_thread():
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    after = {}

    def a():
        with am.no_grad():
            a_in.set()
            b_in.wait(5)
        a_out.set()
        after["a"] = am.is_grad_enabled()

    def b():
        a_in.wait(5)
        with am.no_grad():
            b_in.set()
            a_out.wait(5)  # a leaves its block while b is still inside its own
        after["b"] = am.is_grad_enabled()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert after == {"a": True, "b": True}
    assert am.is_grad_enabled()


def test_a_new_thread_starts_with_recording_on_and_changes_stay_in_their_thread():
    with am.no_grad():
        assert _in_thread(am.is_grad_enabled) is True
    am.set_grad_enabled(False)
    try:
        assert _in_thread(am.is_grad_enabled) is True
        assert not am.is_grad_enabled()
    finally:
        am.set_grad_enabled(True)
    _in_thread(lambda: am.set_grad_enabled(False))
    assert am.is_grad_enabled()


def test_backward_sets_the_mode_of_its_own_thread_only():
    started, release = threading.Event(), threading.Event()
    x = am.Tensor(np.arange(3.0), requires_grad=True)
    seen = {}

    class Slow(am.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1.0

        @staticmethod
        def backward(ctx, g):
            seen["during"] = am.is_grad_enabled()  # off inside backward (create_graph=False)
            started.set()
            release.wait(5)
            return g

    def run():
        Slow.apply(x).sum().backward()

    t = threading.Thread(target=run)
    t.start()
    started.wait(5)
    seen["main"] = am.is_grad_enabled() and (x * 2).requires_grad
    release.set()
    t.join()
    assert seen == {"during": False, "main": True}


def test_nesting_restores_and_decorators_work():
    w = am.Tensor(1.0, requires_grad=True)
    with am.no_grad():
        with am.enable_grad():
            assert (w * 2).requires_grad
            with am.set_grad_enabled(False):
                assert not am.is_grad_enabled()
            assert am.is_grad_enabled()
        assert not am.is_grad_enabled()
    assert am.is_grad_enabled()

    @am.no_grad
    def bare(t):
        return t * 2

    @am.no_grad()
    def called(t):
        return t * 2

    @am.set_grad_enabled(False)
    def off(t):
        return t * 2

    assert am.is_grad_enabled()  # decorating changes nothing until the call
    assert not bare(w).requires_grad and not called(w).requires_grad and not off(w).requires_grad
    with am.no_grad():
        @am.enable_grad()
        def on(t):
            return t * 2
        assert on(w).requires_grad
        assert not am.is_grad_enabled()
    assert am.is_grad_enabled()


def test_mode_is_restored_when_the_block_raises():
    with pytest.raises(KeyError):
        with am.no_grad():
            raise KeyError
    assert am.is_grad_enabled()

    @am.no_grad()
    def fails():
        raise KeyError
    with pytest.raises(KeyError):
        fails()
    assert am.is_grad_enabled()


def test_set_grad_enabled_refuses_a_non_bool_by_name():
    with pytest.raises(TypeError, match="mode"):
        am.set_grad_enabled("no")
    assert am.is_grad_enabled()


def test_module_attribute_enabled_is_this_threads_mode():
    with am.no_grad():
        assert grad_mode.enabled is False
        assert _in_thread(lambda: grad_mode.enabled) is True
    assert grad_mode.enabled is True


def _own_loss(y_true, y_pred):
    """A user's loss: fit builds the graph at every step (no replay), so every op asks the grad mode."""
    return nn.losses.binary_crossentropy(y_true, y_pred)


def _train(seed: int):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 3))
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.1 > 0).astype(float)
    model = nn.Sequential([nn.Dense(8, activation="tanh", input_shape=[3]),
                           nn.Dense(1, activation="sigmoid")])
    weights = [np.random.default_rng(seed + i).normal(scale=0.5, size=w.shape) for i, w in enumerate(model.weights)]
    model.set_weights(weights)
    loss = _own_loss if seed % 2 else "binary_crossentropy"  # built every step, or recorded and replayed
    model.compile(optimizer=nn.optimizers.Adam(0.01), loss=loss, metrics=["accuracy"])
    history = model.fit(x, y, epochs=6, batch_size=4, shuffle=False, verbose=0)
    return history.history["loss"], [w.copy() for w in model.get_weights()]


def test_two_models_fitted_in_two_threads_match_sequential_runs():
    sequential = [_train(seed) for seed in range(4)]
    results, errors = [None] * 4, []

    def work(i):
        try:
            results[i] = _train(i)
        except BaseException as err:
            errors.append(err)

    for _ in range(4):  # 16 fits in threads: races would show as differences or RuntimeErrors
        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        for (loss_a, w_a), (loss_b, w_b) in zip(sequential, results):
            assert loss_a == loss_b
            for a, b in zip(w_a, w_b):
                np.testing.assert_array_equal(a, b)


def test_the_count_of_threads_with_recording_off_returns_to_zero():
    """Ops skip the thread-local read while no thread has recording off (grad_mode._threads_off);
    a thread that ended with recording off (an earlier test) is counted out when it ends."""
    assert _settles_to_zero()
    inside, release = threading.Event(), threading.Event()

    def holder():
        with am.no_grad():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    inside.wait(5)
    assert grad_mode._threads_off[0] == 1
    w = am.Tensor([1.0], requires_grad=True)
    assert (w * 2).requires_grad  # this thread still records (the slow path)
    with am.no_grad():
        assert grad_mode._threads_off[0] == 2 and not (w * 2).requires_grad
    release.set()
    t.join()
    (w * w).sum().backward()
    with am.set_grad_enabled(False):
        with am.set_grad_enabled(False):
            pass
    assert _settles_to_zero()


def _settles_to_zero() -> bool:
    import time
    for _ in range(100):  # a finished thread's local state may be dropped just after join()
        if grad_mode._threads_off[0] == 0:
            return True
        time.sleep(0.01)
    return False
