"""The compiled random stream (convexnn.random_stream): numpy's PCG64 and normal ziggurat.

The kernel's normals must be numpy's, bit for bit (so that the numpy reference engine sees the
same samples and every job's stream is the one numpy gives for its seed), and they must be N(0, 1):
both are checked here, the second also directly (moments, Kolmogorov-Smirnov, tails, the
independence of the streams of different seeds).
"""

import math

import numpy as np
import pytest

from convexnn.random_stream import load_pcg64_state, random_raw, save_pcg64_state, standard_normals

N_DRAWS = 2_000_000
ZIGGURAT_R = 3.6541528853610088  # the base layer's edge: beyond it, draws come from the tail method


def job_generator(entropy):
    """A Generator as the pipeline makes them: PCG64 on a SeedSequence."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


def compiled_normals(rng, n_draws):
    state = load_pcg64_state(rng)
    draws = standard_normals(state, n_draws)
    save_pcg64_state(rng, state)
    return draws


@pytest.mark.parametrize("seed", [0, 1, 2**63 + 12345])
def test_raw_outputs_are_numpys_pcg64(seed):
    state = load_pcg64_state(np.random.default_rng(seed))
    assert np.array_equal(random_raw(state, 10_000), np.random.default_rng(seed).bit_generator.random_raw(10_000))


def test_normals_are_numpys_bit_for_bit_including_the_rare_branches():
    entropy = 0x1F2E3D4C5B6A79881726354453627180
    draws = compiled_normals(job_generator(entropy), N_DRAWS)
    expected = job_generator(entropy).standard_normal(N_DRAWS)
    assert np.array_equal(draws, expected)
    # the comparison covered the tail method, not only the quick path of the ziggurat
    assert (np.abs(draws) > ZIGGURAT_R).sum() > 100


def test_the_generator_continues_where_the_compiled_stream_stopped():
    rng, twin = np.random.default_rng(5), np.random.default_rng(5)
    rng.random(3)  # state advanced through numpy first
    twin.random(3)
    compiled_normals(rng, 1001)
    twin.standard_normal(1001)
    assert rng.bit_generator.state == twin.bit_generator.state
    assert np.array_equal(rng.standard_normal(10), twin.standard_normal(10))


def test_a_state_is_put_back_only_into_its_own_generator():
    state = load_pcg64_state(np.random.default_rng(0))
    with pytest.raises(ValueError):
        save_pcg64_state(np.random.default_rng(1), state)


def test_other_bit_generators_are_refused():
    with pytest.raises(TypeError, match="PCG64"):
        load_pcg64_state(np.random.Generator(np.random.Philox(0)))


@pytest.fixture(scope="module")
def draws():
    return compiled_normals(np.random.default_rng(20240607), N_DRAWS)


def test_moments_are_those_of_a_standard_normal(draws):
    n = len(draws)
    # standard errors: mean 1/sqrt(n), variance sqrt(2/n), skewness sqrt(6/n), excess kurtosis sqrt(24/n)
    assert abs(draws.mean()) < 5 / math.sqrt(n)
    assert abs(draws.var() - 1) < 5 * math.sqrt(2 / n)
    standardised = (draws - draws.mean()) / draws.std()
    assert abs(np.mean(standardised**3)) < 5 * math.sqrt(6 / n)
    assert abs(np.mean(standardised**4) - 3) < 5 * math.sqrt(24 / n)


def test_kolmogorov_smirnov_against_the_normal_cdf(draws):
    ordered = np.sort(draws)
    n = len(ordered)
    cdf = 0.5 * (1 + np.frompyfunc(math.erf, 1, 1)(ordered / math.sqrt(2)).astype(float))
    statistic = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert statistic * math.sqrt(n) < 1.95  # the 0.1% critical value of the KS distribution


@pytest.mark.parametrize("threshold", [1.0, 2.0, 3.0, ZIGGURAT_R, 4.0, 4.5])
def test_tail_frequencies(draws, threshold):
    """P(|Z| > t) = erfc(t / sqrt 2), within 5 Poisson standard deviations; beyond r the draws
    come from Marsaglia's tail method, which the quick path never produces."""
    expected = len(draws) * math.erfc(threshold / math.sqrt(2))
    observed = int((np.abs(draws) > threshold).sum())
    assert abs(observed - expected) < 5 * math.sqrt(expected) + 1, (observed, expected)
    # both signs in the tail
    assert (draws > threshold).sum() > 0 and (draws < -threshold).sum() > 0


def test_streams_of_different_seeds_and_successive_draws_are_uncorrelated(draws):
    n = 500_000
    bound = 5 / math.sqrt(n)
    seeds = [job_generator(entropy) for entropy in (1, 2)] + [
        np.random.Generator(np.random.PCG64(child)) for child in np.random.SeedSequence(1).spawn(2)
    ]
    others = [compiled_normals(rng, n) for rng in seeds]
    for first in range(len(others)):
        for second in range(first + 1, len(others)):
            assert abs(np.corrcoef(others[first], others[second])[0, 1]) < bound
    for lag in (1, 2, 50, 51):  # 50 normals per sample at d = 50
        assert abs(np.corrcoef(draws[:-lag], draws[lag:])[0, 1]) < 5 / math.sqrt(len(draws))
