"""The compiled activations and the fused test-loss evaluation against the numpy model."""

import numba
import numpy as np
import pytest

from convexnn.model import activation_function, predict, square_loss
from convexnn.training import ACTIVATION_CODES, _logistic, compiled_test_loss


@numba.njit
def logistic_loop(values):
    """_logistic as the kernels call it: in a loop, which LLVM vectorises."""
    out = np.empty_like(values)
    for i in range(values.shape[0]):
        out[i] = _logistic(values[i])
    return out


def test_logistic_is_accurate_to_a_few_ulp():
    values = np.concatenate([np.linspace(-40, 40, 200_001), np.random.default_rng(0).standard_normal(10_000) * 5])
    exact = 1 / (1 + np.exp(-values.astype(np.longdouble)))
    for computed in (logistic_loop(values), np.array([_logistic(value) for value in values[::97]])):
        reference = exact if len(computed) == len(values) else exact[::97]
        relative = np.abs((computed - reference) / reference).astype(float)
        assert relative.max() < 4 * np.finfo(float).eps
    # and equal to the reference engine's 0.5 (1 + tanh(u / 2)) to rounding, in absolute terms
    assert np.abs(logistic_loop(values) - activation_function(values, "sigmoid")).max() < 1e-15


def test_logistic_in_the_far_tails_and_at_special_values():
    values = np.array([-1e308, -800.0, -708.0, -100.0, 100.0, 708.0, 800.0, 1e308, -np.inf, np.inf, np.nan])
    computed = logistic_loop(values)
    np.testing.assert_allclose(computed[2:6], 1 / (1 + np.exp(-values[2:6])), rtol=4e-16)
    assert np.all(computed[:2] < 1e-300) and np.all(computed[:2] >= 0)
    assert np.all(computed[6:8] == 1.0)
    assert computed[8] < 1e-300 and computed[9] == 1.0
    assert np.isnan(computed[10])


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize(
    "n_particles,input_dim,n_samples",
    [(1, 2, 7), (3, 2, 10), (4, 50, 101), (20, 50, 10_000), (23, 100, 999), (100, 50, 10_000)],
)
def test_test_loss_is_the_numpy_square_loss(activation, n_particles, input_dim, n_samples):
    rng = np.random.default_rng(n_particles * 1000 + input_dim)
    output_weights = rng.standard_normal(n_particles)
    hidden_weights = rng.standard_normal((n_particles, input_dim + 1)) / np.sqrt(input_dim)
    inputs = rng.standard_normal((n_samples, input_dim))
    targets = rng.standard_normal(n_samples)
    expected = square_loss(predict(output_weights, hidden_weights, inputs, activation), targets)
    computed = compiled_test_loss(output_weights, hidden_weights, inputs, targets, ACTIVATION_CODES[activation])
    assert computed == pytest.approx(expected, rel=1e-12)


def test_test_loss_of_non_finite_particles_is_not_finite():
    rng = np.random.default_rng(1)
    inputs, targets = rng.standard_normal((10, 3)), rng.standard_normal(10)
    for activation in ("relu", "sigmoid"):
        hidden_weights = rng.standard_normal((5, 4))
        hidden_weights[2, 1] = np.nan
        code = ACTIVATION_CODES[activation]
        assert np.isnan(compiled_test_loss(rng.standard_normal(5), hidden_weights, inputs, targets, code))
        output_weights = rng.standard_normal(5)
        output_weights[4] = np.inf
        assert not np.isfinite(
            compiled_test_loss(
                output_weights, rng.standard_normal((5, 4)), inputs, targets, ACTIVATION_CODES[activation]
            )
        )
