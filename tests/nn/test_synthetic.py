"""nn.synthetic: reproducible data from known formulas, in realistic ranges."""
import numpy as np

from nn.synthetic import CEREAL_BIAS, CEREAL_WEIGHTS, concrete_strength, make_cereals, make_concrete


def test_cereals_follow_their_formula():
    data = make_cereals()
    assert data.data.shape == (77, 3) and data.target.shape == (77,)
    assert data.data.dtype == np.float32 and data.feature_names == ["sugars", "fiber", "protein"]
    A = np.column_stack([data.data, np.ones(77)]).astype(float)
    coef = np.linalg.lstsq(A, data.target.astype(float), rcond=None)[0]
    assert np.allclose(coef[:3], CEREAL_WEIGHTS, atol=0.4) and abs(coef[3] - CEREAL_BIAS) < 3
    again = make_cereals()
    assert np.array_equal(again.data, data.data) and np.array_equal(again.target, data.target)
    assert not np.array_equal(make_cereals(seed=1).data, data.data)


def test_concrete_like_the_uci_table():
    data = make_concrete()
    X, y = data.data, data.target
    assert X.shape == (1030, 8) and y.shape == (1030,) and len(data.feature_names) == 8
    assert 30 < y.mean() < 45 and 12 < y.std() < 20 and y.min() >= 2.0     # UCI: mean 35.8, std 16.7
    assert set(np.unique(X[:, 7])) <= {1, 3, 7, 14, 28, 56, 90, 180, 365}
    noise = y - concrete_strength(X)
    assert abs(noise.mean()) < 0.3 and 1.5 < noise.std() < 2.5              # N(0, 2²), rounded
    # nonlinear: the best straight line leaves much more than the noise unexplained
    A = np.column_stack([X, np.ones(len(X))]).astype(float)
    residual = y - A @ np.linalg.lstsq(A, y.astype(float), rcond=None)[0]
    assert residual.std() > 3 * noise.std()
    assert make_concrete(n_samples=10, seed=3).data.shape == (10, 8)


def test_strength_formula_by_hand():
    # 300 kg cement, 180 kg water, no additions, 28 days: ratio 0.6 -> 96 / 7.5**0.6 * 28 / 27.8
    mix = np.array([[300, 0, 0, 180, 0, 1000, 800, 28]], float)
    assert np.isclose(concrete_strength(mix)[0], 96 / 7.5 ** 0.6 * 28 / (4 + 0.85 * 28))
    older = mix.copy()
    older[0, 7] = 365
    wetter = mix.copy()
    wetter[0, 3] = 220
    assert concrete_strength(older)[0] > concrete_strength(mix)[0] > concrete_strength(wetter)[0]
