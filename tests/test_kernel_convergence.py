"""The kernel-convergence experiment (src/convexnn/experiments/kernel_convergence.py): the closed-form ReLU
kernel against Monte Carlo, the random-features kernel, the job kind ``kernel_error``, the grid, and the claims
C11-kernel on hand-made results."""

import copy
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT

from convexnn import kernels
from convexnn.config import ConfigError, validate_config
from convexnn.experiments import kernel_convergence
from convexnn.kinds.kernel_error import MEASUREMENTS, KernelErrorJob, kernel_error_row
from convexnn.plan import make_plan

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture
def smoke_config():
    return yaml.safe_load((ROOT / "tests" / "smoke_config.yaml").read_text())


# ---------------------------------------------------------------------------------------------
# The kernel


def monte_carlo(pairs: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, standard error) over the units of (v . x)_+ (v . y)_+ for each pair (x, y) of ``pairs``."""
    products = np.maximum(units @ pairs[:, 0].T, 0.0) * np.maximum(units @ pairs[:, 1].T, 0.0)
    return products.mean(axis=0), products.std(axis=0) / np.sqrt(len(units))


def test_the_closed_form_kernel_is_the_monte_carlo_mean_of_relu_products():
    rng = np.random.default_rng(11)
    points = rng.standard_normal((6, 4)) * np.array([[0.3], [1.0], [2.0], [0.7], [1.5], [3.0]])
    pairs = np.array([(points[i], points[j]) for i in range(6) for j in range(6)])
    units = rng.standard_normal((400_000, 4))
    mean, error = monte_carlo(pairs, units)
    exact = np.array([kernels.arc_cosine_kernel(x[None], y[None])[0, 0] for x, y in pairs])
    # within 4.5 standard errors for each of the 36 pairs
    assert np.all(np.abs(mean - exact) < 4.5 * error), np.max(np.abs(mean - exact) / error)
    # a wrong constant (1/pi instead of 1/(2 pi), Cho & Saul's normalisation) is far outside
    assert np.all(np.abs(mean - 2 * exact) > 20 * error)


def test_the_kernel_at_special_angles():
    x = np.array([[3.0, 0.0, 0.0]])
    assert kernels.arc_cosine_kernel(x, x)[0, 0] == pytest.approx(9.0 / 2)  # E (v.x)_+^2 = |x|^2 / 2
    assert kernels.arc_cosine_kernel(x, -x)[0, 0] == pytest.approx(0.0, abs=1e-15)  # never both active
    y = np.array([[0.0, 2.0, 0.0]])
    assert kernels.arc_cosine_kernel(x, y)[0, 0] == pytest.approx(6.0 / (2 * np.pi))  # t = pi/2: |x||y| / 2 pi
    assert kernels.arc_cosine_kernel(x, np.zeros((1, 3)))[0, 0] == 0.0


def test_uniform_units_on_the_sphere_give_the_kernel_divided_by_d():
    rng = np.random.default_rng(5)
    points = rng.standard_normal((2, 3))
    units = rng.standard_normal((400_000, 3))
    units /= np.linalg.norm(units, axis=1, keepdims=True)
    mean, error = monte_carlo(points[None], units)
    assert abs(mean[0] - kernels.arc_cosine_kernel(points[:1], points[1:])[0, 0] / 3) < 4.5 * error[0]


def test_the_random_feature_kernel_summed_in_blocks_is_the_plain_product(monkeypatch):
    rng = np.random.default_rng(2)
    inputs, others, units = rng.standard_normal((7, 3)), rng.standard_normal((5, 3)), rng.standard_normal((23, 3))
    features, other_features = np.maximum(inputs @ units.T, 0), np.maximum(others @ units.T, 0)
    monkeypatch.setattr(kernels, "UNIT_BLOCK", 4)
    np.testing.assert_allclose(kernels.random_feature_kernel(inputs, units), features @ features.T / 23, rtol=1e-12)
    np.testing.assert_allclose(
        kernels.random_feature_kernel(inputs, units, others), features @ other_features.T / 23, rtol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# The job kind


def job(n_units: int, seed: int = 1) -> KernelErrorJob:
    labels = {"experiment": "kernel_convergence", "n_units": n_units, "repetition": 0}
    return KernelErrorJob("x", seed, labels, input_dim=4, n_points=15, n_units=n_units, inputs_seed=99)


def test_a_row_measures_the_error_of_k_m_on_the_fixed_inputs():
    small, large = kernel_error_row(job(10)), kernel_error_row(job(10_000))
    assert set(small) == set(MEASUREMENTS)
    assert small["excess_loss"] == small["relative_frobenius_error"] and not small["diverged"]
    # 1000 times the units: about sqrt(1000) = 32 times smaller, far from the same error
    assert 10 < small["relative_frobenius_error"] / large["relative_frobenius_error"] < 100
    # the inputs are the experiment's (inputs_seed), the units the job's (seed)
    other_units = kernel_error_row(job(10_000, seed=2))
    assert other_units["relative_frobenius_error"] != large["relative_frobenius_error"]
    assert kernel_error_row(job(10_000)) == large
    assert KernelErrorJob.from_params(job(10).as_params()) == job(10)


def test_the_grid_is_every_m_of_every_repetition_on_one_set_of_inputs(smoke_config):
    section = smoke_config["kernel_convergence"]
    jobs = make_plan(smoke_config).experiment("paper/seed0", "kernel_convergence").of("kernel_error")
    units = kernel_convergence.unit_counts(section)
    assert units == [10, 100, 1000]
    assert len(jobs) == len(units) * section["repetitions"]
    assert len({job.inputs_seed for job in jobs}) == 1
    assert len({job.seed for job in jobs}) == len(jobs)
    assert sorted({job.labels["n_units"] for job in jobs}) == units


def test_the_paper_grid_spans_10_to_100000_units():
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    units = kernel_convergence.unit_counts(config["kernel_convergence"])
    assert units[0] == 10 and units[-1] == 100_000 and len(units) >= 5
    assert config["kernel_convergence"]["repetitions"] >= 10


def test_a_backwards_range_of_m_is_refused_by_name(smoke_config):
    config = copy.deepcopy(smoke_config)
    config["kernel_convergence"]["log10_units"] = {"first": 3.0, "last": 1.0, "count": 3}
    with pytest.raises(ConfigError, match=r"'kernel_convergence.log10_units'.*below"):
        validate_config(config, SCHEMA)


# ---------------------------------------------------------------------------------------------
# Claims C11-kernel


def finals(error_of_m, repetitions: int = 4) -> pd.DataFrame:
    """Rows of every m and repetition with the error error_of_m(m, repetition)."""
    rows = [
        {
            "n_units": m,
            "repetition": repetition,
            "relative_frobenius_error": error_of_m(m, repetition),
            "max_entry_error": 0.0,
            "excess_loss": error_of_m(m, repetition),
            "initial_test_loss": math.nan,
            "zero_predictor_loss": 1.0,
            "diverged": False,
        }
        for m in (10, 100, 1000, 10_000, 100_000)
        for repetition in range(repetitions)
    ]
    return pd.DataFrame(rows)


def test_the_claims_hold_on_a_monte_carlo_rate():
    wobble = [0.9, 1.1, 1.0, 0.95]
    rate, limit = kernel_convergence.claims(finals(lambda m, r: 2.0 * wobble[r] / np.sqrt(m)), [], {})
    assert (rate.claim, rate.verdict) == ("C11-kernel-rate", "holds") and rate.value == pytest.approx(-0.5)
    assert (limit.claim, limit.verdict) == ("C11-kernel-limit", "holds")
    assert limit.value == pytest.approx(2.0 * np.prod(wobble) ** 0.25 / np.sqrt(1e5))


def test_the_claims_fail_on_a_slow_rate_and_a_large_error():
    rate, limit = kernel_convergence.claims(finals(lambda m, r: (1 + 0.1 * r) * m**-0.2), [], {})
    assert rate.verdict == limit.verdict == "does not hold"
    assert rate.value == pytest.approx(-0.2)


def test_the_claims_are_not_evaluated_without_results_or_repetitions():
    for result in kernel_convergence.claims(None, [], {}):
        assert result.verdict == "not evaluated" and math.isnan(result.value)
    few = kernel_convergence.claims(finals(lambda m, r: 1 / np.sqrt(m), repetitions=2), [], {})
    assert all(result.verdict == "not evaluated" for result in few)
