"""Flat storage in the optimizers: the parameters of one dtype, their gradient buffers and the
optimizer's slots are views of one array each, so step() runs the update formula once for the
whole model. Checked against the formulas computed by hand in float64, against the
weight-by-weight path, and for every way the layout can be broken (then step() must fall back)."""
import math

import numpy as np
import pytest

import autograd_mini as am
import nn
from autograd_mini import Tensor
from autograd_mini.ops.linalg import Linear
from nn.optimizers import SGD, Adam, RMSprop, _FlatGroup

rng = np.random.default_rng(7)
X = rng.standard_normal((8, 3)).astype(np.float32)
Y = rng.standard_normal((8, 1)).astype(np.float32)
START = [rng.standard_normal((3, 2)).astype(np.float32), rng.standard_normal(2).astype(np.float32),
         rng.standard_normal((2, 1)).astype(np.float32), rng.standard_normal(1).astype(np.float32)]

OPTIMIZERS = {
    "sgd": (lambda: SGD(0.1), dict(kind="sgd", lr=0.1, momentum=0.0, nesterov=False)),
    "momentum": (lambda: SGD(0.1, momentum=0.9), dict(kind="sgd", lr=0.1, momentum=0.9, nesterov=False)),
    "nesterov": (lambda: SGD(0.1, momentum=0.9, nesterov=True), dict(kind="sgd", lr=0.1, momentum=0.9, nesterov=True)),
    "adam": (lambda: Adam(0.01), dict(kind="adam", lr=0.01, b1=0.9, b2=0.999, eps=1e-7)),
    "rmsprop": (lambda: RMSprop(0.01), dict(kind="rmsprop", lr=0.01, rho=0.9, eps=1e-7)),
}


def _model(optimizer):
    model = nn.Sequential([nn.Dense(2, activation="tanh", input_dim=3), nn.Dense(1)])
    model.set_weights([a.copy() for a in START])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _hand_training(spec: dict, steps: int) -> list[np.ndarray]:
    """Full-batch steps of the same network and optimizer, written out in float64 numpy."""
    w = [a.astype(np.float64) for a in START]
    state = [[np.zeros_like(a), np.zeros_like(a)] for a in w]
    x, y = X.astype(np.float64), Y.astype(np.float64)
    for t in range(1, steps + 1):
        h = np.tanh(x @ w[0] + w[1])
        dout = 2 * (h @ w[2] + w[3] - y) / y.size
        dz = (dout @ w[2].T) * (1 - h * h)
        grads = [x.T @ dz, dz.sum(0), h.T @ dout, dout.sum(0)]
        for i, g in enumerate(grads):
            a, b = state[i]
            if spec["kind"] == "sgd":
                a = spec["momentum"] * a - spec["lr"] * g
                step = (spec["momentum"] * a - spec["lr"] * g if spec["nesterov"] else a) if spec["momentum"] \
                    else -spec["lr"] * g
                w[i] = w[i] + step
            elif spec["kind"] == "adam":
                a = spec["b1"] * a + (1 - spec["b1"]) * g
                b = spec["b2"] * b + (1 - spec["b2"]) * g * g
                alpha = spec["lr"] * math.sqrt(1 - spec["b2"] ** t) / (1 - spec["b1"] ** t)
                w[i] = w[i] - alpha * a / (np.sqrt(b) + spec["eps"])
            else:
                a = spec["rho"] * a + (1 - spec["rho"]) * g * g
                w[i] = w[i] - spec["lr"] * g / np.sqrt(a + spec["eps"])
            state[i] = [a, b]
    return w


def _count_updates(opt) -> list:
    """Record the size of the value array of every update() call."""
    sizes, update = [], opt.update
    def counting(value, grad, slots):
        sizes.append(value.size)
        update(value, grad, slots)
    opt.update = counting
    return sizes


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_fit_equals_the_formulas_by_hand_in_one_update_per_step(name):
    make, spec = OPTIMIZERS[name]
    model = _model(make())
    sizes = _count_updates(model.optimizer)
    model.fit(X, Y, epochs=3, batch_size=len(X), verbose=0)
    assert sizes == [6 + 2 + 2 + 1] * 3  # one update per step, on all 11 numbers at once
    for got, want in zip(model.get_weights(), _hand_training(spec, 3)):
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_flat_path_equals_the_weight_by_weight_path(name, monkeypatch):
    make, _ = OPTIMIZERS[name]
    flat = _model(make())
    flat.fit(X, Y, epochs=4, batch_size=4, verbose=0, shuffle=False)
    monkeypatch.setattr(_FlatGroup, "collect", lambda self, grad_of: False)  # the loop over the weights
    single = _model(make())
    sizes = _count_updates(single.optimizer)
    single.fit(X, Y, epochs=4, batch_size=4, verbose=0, shuffle=False)
    assert sizes == [6, 2, 2, 1] * 8
    for a, b in zip(flat.get_weights(), single.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    for a, b in zip(flat.optimizer.slots, single.optimizer.slots):
        for key in a:
            np.testing.assert_allclose(a[key], b[key], rtol=1e-6, atol=1e-12)


def test_weights_gradients_and_slots_are_views_of_one_array_each():
    model = _model(Adam(0.01))
    model.fit(X, Y, epochs=2, batch_size=len(X), verbose=0)
    (group,) = model.optimizer._groups
    for w, slots in zip(model.weights, model.optimizer.slots):
        assert w.data.base is group.values
        assert w.grad is None  # fit's gradients live in the optimizer's flat array, not in .grad
        assert model.optimizer.buffers.arrays[id(w)].base is group.grads
        assert slots["m"].base is group.slots["m"] and slots["v"].base is group.slots["v"]
    kernel = model.layers[0].kernel
    kept = kernel
    model.fit(X, Y, epochs=1, batch_size=len(X), verbose=0)
    assert kept is kernel and np.shares_memory(kept.data, group.values)  # users' Tensors see the values


def test_a_replaced_data_array_falls_back_and_trains_correctly():
    model = _model(SGD(0.1, momentum=0.9))
    opt = model.optimizer
    model.fit(X, Y, epochs=1, batch_size=len(X), verbose=0)
    kernel = model.layers[0].kernel
    mine = kernel.data.copy()
    kernel.data = mine  # the user's own array from now on
    sizes = _count_updates(opt)
    opt.zero_grad()
    nn.losses.mse(Y, model(Tensor(X))).backward()  # PyTorch style: no bind in between
    opt.step()
    assert sizes == [6, 2, 2, 1]  # weight by weight
    assert kernel.data is mine  # updated in place, in the user's array
    np.testing.assert_allclose(model.get_weights()[0], _hand_training(OPTIMIZERS["momentum"][1], 2)[0],
                               rtol=2e-6, atol=1e-7)
    model.fit(X, Y, epochs=1, batch_size=len(X), verbose=0)  # fit binds: laid out again, state kept
    assert sizes[4:] == [11]
    assert kernel.data.base is opt._groups[0].values
    for got, want in zip(model.get_weights(), _hand_training(OPTIMIZERS["momentum"][1], 3)):
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-7)


def test_a_parameter_without_gradient_is_skipped():
    x = Tensor(X)
    w, b = Tensor(START[0], requires_grad=True), Tensor(START[1], requires_grad=True)
    unused = Tensor(np.ones(3, np.float32), requires_grad=True)
    opt = SGD([w, unused, b], lr=0.1, momentum=0.5)
    assert len(opt._groups) == 1 and unused.data.base is opt._groups[0].values
    for step in range(2):
        opt.zero_grad()
        (Linear.apply(x, w, b) ** 2).sum().backward()
        grads = [w.grad.data.copy(), b.grad.data.copy()]
        before = [w.data.copy(), b.data.copy()]
        opt.step()
        np.testing.assert_array_equal(unused.data, 1.0)  # no update, no momentum
        np.testing.assert_array_equal(opt.slots[1]["momentum"], 0.0)
        if step == 0:  # momentum still zero: w - lr·g
            np.testing.assert_allclose(w.data, before[0] - 0.1 * grads[0], rtol=1e-6)
            np.testing.assert_allclose(b.data, before[1] - 0.1 * grads[1], rtol=1e-6)


def test_set_weights_and_load_model_write_into_the_views(tmp_path):
    model = _model(Adam(0.01))
    model.fit(X, Y, epochs=2, batch_size=len(X), verbose=0)
    model.set_weights([a * 0 + 0.5 for a in START])
    assert all(w.data.base is model.optimizer._groups[0].values for w in model.weights)
    np.testing.assert_array_equal(model.optimizer._groups[0].values, 0.5)
    model.fit(X, Y, epochs=2, batch_size=len(X), verbose=0)
    model.save(tmp_path / "m.nn")
    loaded = nn.load_model(tmp_path / "m.nn")
    group = loaded.optimizer._groups[0]
    for a, b in zip(model.optimizer.slots, loaded.optimizer.slots):
        assert a.keys() == b.keys()
        np.testing.assert_array_equal(a["m"], b["m"])
        assert b["m"].base is group.slots["m"]  # the restored state is what the flat update uses
    np.testing.assert_array_equal(group.slots["v"], model.optimizer._groups[0].slots["v"])
    model.fit(X, Y, epochs=2, batch_size=len(X), verbose=0)
    loaded.fit(X, Y, epochs=2, batch_size=len(X), verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


SHARED = [rng.standard_normal((3, 3)), rng.standard_normal(3), rng.standard_normal((3, 1)), rng.standard_normal(1)]


def test_a_weight_shared_by_two_layers_is_not_flattened(monkeypatch):
    def train():
        shared = nn.Dense(3, activation="tanh", input_dim=3)
        model = nn.Sequential([shared, shared, nn.Dense(1)])  # model.weights lists kernel and bias twice
        model.set_weights([SHARED[0], SHARED[1], SHARED[0], SHARED[1], SHARED[2], SHARED[3]])
        model.compile(optimizer=SGD(0.1, momentum=0.9), loss="mse")
        model.fit(X, Y, epochs=3, batch_size=len(X), verbose=0)
        return model
    model = train()
    (group,) = model.optimizer._groups
    assert [w.data.base is group.values for w in model.weights] == [False, False, False, False, True, True]
    monkeypatch.setattr(_FlatGroup, "collect", lambda self, grad_of: False)
    for a, b in zip(model.get_weights(), train().get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_two_tensors_on_one_array_keep_sharing_it():
    shared = np.array([1.0, 2.0], np.float32)
    t1, t2 = Tensor(shared, requires_grad=True), Tensor(shared, requires_grad=True)
    other = Tensor(np.array([3.0], np.float32), requires_grad=True)
    opt = SGD([t1, t2, other], lr=0.5)
    assert t1.data is shared and t2.data is shared and other.data.base is opt._groups[0].values
    t1.grad, t2.grad, other.grad = Tensor(np.float32([1, 1])), Tensor(np.float32([2, 2])), Tensor(np.float32([1]))
    opt.step()
    np.testing.assert_allclose(shared, [1.0 - 0.5 - 1.0, 2.0 - 0.5 - 1.0])
    np.testing.assert_allclose(other.data, [2.5])


def test_mixed_dtypes_make_one_group_each():
    x32, x64 = Tensor(X), Tensor(X.astype(np.float64))
    params = [Tensor(START[0], requires_grad=True), Tensor(START[0].astype(np.float64), requires_grad=True),
              Tensor(START[1], requires_grad=True), Tensor(START[1].astype(np.float64), requires_grad=True)]
    opt = Adam(params, lr=0.01)
    assert sorted(str(g.values.dtype) for g in opt._groups) == ["float32", "float64"]
    sizes = _count_updates(opt)
    w32, w64, b32, b64 = params
    m = [np.zeros_like(p.data, dtype=np.float64) for p in params]
    v = [np.zeros_like(p.data, dtype=np.float64) for p in params]
    want = [p.data.astype(np.float64) for p in params]
    for t in (1, 2):
        opt.zero_grad()
        (Linear.apply(x32, w32, b32) ** 2).sum().backward()
        (Linear.apply(x64, w64, b64) ** 2).sum().backward()
        grads = [p.grad.data.astype(np.float64) for p in params]
        opt.step()
        alpha = 0.01 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            want[i] = want[i] - alpha * m[i] / (np.sqrt(v[i]) + 1e-7)
    assert sorted(sizes) == [8, 8, 8, 8]  # one update per dtype per step
    for p, expected in zip(params, want):
        assert p.data.dtype == (np.float32 if p is w32 or p is b32 else np.float64)
        np.testing.assert_allclose(p.data, expected, rtol=2e-6 if p.data.dtype == np.float32 else 1e-12)


def test_rebinding_lays_out_again_and_the_old_optimizer_falls_back():
    model = _model(SGD(0.1))
    model.fit(X, Y, epochs=1, batch_size=len(X), verbose=0)
    old = model.optimizer
    model.compile(optimizer=SGD(0.1, momentum=0.9), loss="mse")  # compile again: a new layout
    new = model.optimizer
    assert all(w.data.base is new._groups[0].values for w in model.weights)
    assert not old._groups[0].intact()
    model.fit(X, Y, epochs=1, batch_size=len(X), verbose=0)
    sizes = _count_updates(old)  # the old optimizer still updates the same weights, one by one
    before = model.get_weights()
    nn.losses.mse(Y, model(Tensor(X))).backward()
    grads = [w.grad.data.copy() for w in model.weights]
    old.step()
    assert sizes == [6, 2, 2, 1]
    for w, b, g in zip(model.weights, before, grads):
        np.testing.assert_allclose(w.data, b - 0.1 * g, rtol=1e-6)
    old.bind(model.weights[:2])  # other parameters: a layout of those only
    assert old._groups[0].values.size == 8 and model.weights[0].data.base is old._groups[0].values


def test_apply_gradients_shares_state_with_the_flat_update():
    w, b = Tensor(START[0], requires_grad=True), Tensor(START[1], requires_grad=True)
    opt = Adam(0.01)
    g = [np.ones_like(START[0]), np.ones_like(START[1])]
    opt.apply_gradients(zip(g, [w, b]))
    (group,) = opt._groups
    np.testing.assert_allclose(group.slots["m"], 0.1)  # apply_gradients wrote into the flat slots
    opt.zero_grad()
    (Linear.apply(Tensor(X), w, b) ** 2).sum().backward()
    assert group.collect(lambda p: p.grad.data)  # every gradient copied into the flat array
    np.testing.assert_array_equal(group.grads, np.concatenate([w.grad.data.ravel(), b.grad.data.ravel()]))
    opt.step()
    assert opt.iterations == 2


def test_non_contiguous_and_frozen_parameters_are_updated_on_their_own():
    strided = np.asfortranarray(START[0])  # not C-contiguous: stays the parameter's storage
    w = Tensor(strided, requires_grad=True)
    frozen = Tensor(np.ones(2, np.float32))  # requires_grad=False: never gets a gradient from backward
    b = Tensor(START[1], requires_grad=True)
    opt = SGD([w, frozen, b], lr=0.1)
    (group,) = opt._groups
    assert [m[0] for m in group.members] == [b]
    opt.zero_grad()
    (Linear.apply(Tensor(X), w, b) ** 2).sum().backward()
    gw, gb = w.grad.data.copy(), b.grad.data.copy()
    sizes = _count_updates(opt)
    opt.step()
    assert sorted(sizes) == [2, 6]  # b's group at once, w on its own, frozen skipped
    assert w.data is strided
    np.testing.assert_allclose(strided, START[0] - 0.1 * gw, rtol=1e-6)
    np.testing.assert_allclose(b.data, START[1] - 0.1 * gb, rtol=1e-6)
    np.testing.assert_array_equal(frozen.data, 1.0)
