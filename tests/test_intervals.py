"""convexnn.intervals: regions, verdicts, the cluster bootstrap and the exact binomial interval, each
checked on inputs whose answer is known by hand (or by brute force)."""

import math

import numpy as np
import pytest

from convexnn.intervals import (
    LEVEL,
    N_RESAMPLES,
    Region,
    above,
    at_least,
    at_most,
    below,
    bootstrap_interval,
    clopper_pearson,
    parse_region,
    verdict,
)
from convexnn.verdicts import DOES_NOT_HOLD, HOLDS, INCONCLUSIVE, NOT_EVALUATED, VERDICTS

# ---------------------------------------------------------------------------------------- Region


def test_verdict_names_and_defaults():
    assert VERDICTS == ("holds", "does not hold", "inconclusive", "not evaluated")
    assert (HOLDS, DOES_NOT_HOLD, INCONCLUSIVE, NOT_EVALUATED) == VERDICTS
    assert LEVEL == 0.95 and N_RESAMPLES == 2000


@pytest.mark.parametrize(
    "region, inside, outside",
    [
        (at_least(2.0), [2.0, 2.5, math.inf], [1.999, -math.inf]),
        (above(2.0), [2.000001, math.inf], [2.0, 1.0]),
        (at_most(0.0), [0.0, -1.0, -math.inf], [1e-300, 1.0]),
        (below(5.0), [4.999, -math.inf], [5.0, 6.0, math.inf]),
        (Region(0.5, 1.0, lower_closed=True, upper_closed=False), [0.5, 0.75, 0.9999], [0.4999, 1.0, 1.5]),
        (Region(0.3, 0.7), [0.3, 0.5, 0.7], [0.2999, 0.7001]),
        (Region(0.3, 0.7, lower_closed=False, upper_closed=False), [0.31, 0.69], [0.3, 0.7]),
        (Region(1.0, 1.0), [1.0], [0.999, 1.001]),
    ],
)
def test_region_contains_respects_open_and_closed_ends(region, inside, outside):
    assert all(region.contains(x) for x in inside)
    assert not any(region.contains(x) for x in outside)


@pytest.mark.parametrize("region", [at_least(1.0), above(0.0), at_most(2.0), below(1e-3), Region(0.3, 0.7)])
def test_nan_is_in_no_region(region):
    assert not region.contains(math.nan)


@pytest.mark.parametrize(
    "region, text",
    [
        (at_least(100.0), ">= 100"),
        (above(0.0), "> 0"),
        (at_most(0.0), "<= 0"),
        (below(1e-3), "< 0.001"),
        (below(5.0), "< 5"),
        (Region(0.5, 1.0, upper_closed=False), "in [0.5, 1)"),
        (Region(0.3, 0.7), "in [0.3, 0.7]"),
        (Region(-1.0, 2.0, lower_closed=False), "in (-1, 2]"),
        (Region(0.0, 0.0), "= 0"),
        (at_least(1e-8), ">= 1e-08"),
    ],
)
def test_region_str_and_parse_are_inverse(region, text):
    assert str(region) == text
    assert parse_region(text) == region
    assert parse_region(f"  {text} ") == region


@pytest.mark.parametrize("text", ["", "100", "=> 3", "in 0.5, 1", "in [0.5; 1]", "about 3", ">= x"])
def test_parse_region_rejects_what_is_not_a_threshold(text):
    with pytest.raises(ValueError):
        parse_region(text)


def test_parse_region_is_the_inverse_of_str_for_any_bound():
    region = at_least(1 / 3)
    assert parse_region(str(region)) == region


# --------------------------------------------------------------------------------------- verdict


@pytest.mark.parametrize(
    "low, high, region, expected",
    [
        # Closed lower bound: touching it from inside holds, from outside does not.
        (100.0, 200.0, at_least(100.0), HOLDS),
        (50.0, 99.0, at_least(100.0), DOES_NOT_HOLD),
        (50.0, 100.0, at_least(100.0), INCONCLUSIVE),
        (50.0, 150.0, at_least(100.0), INCONCLUSIVE),
        (math.inf, math.inf, at_least(100.0), HOLDS),
        # Open lower bound: an interval ending exactly on it is outside.
        (-1.0, 0.0, above(0.0), DOES_NOT_HOLD),
        (0.0, 1.0, above(0.0), INCONCLUSIVE),
        (1e-9, 1.0, above(0.0), HOLDS),
        # Closed upper bound at 0: the degenerate interval [0, 0] holds.
        (0.0, 0.0, at_most(0.0), HOLDS),
        (0.0, 0.1, at_most(0.0), INCONCLUSIVE),
        (0.01, 0.1, at_most(0.0), DOES_NOT_HOLD),
        # Open upper bound.
        (1e-5, 2e-4, below(1e-3), HOLDS),
        (1e-5, 1e-3, below(1e-3), INCONCLUSIVE),
        (1e-3, 1e-2, below(1e-3), DOES_NOT_HOLD),
        (math.inf, math.inf, below(1e-3), DOES_NOT_HOLD),
        (1e-5, math.inf, below(1e-3), INCONCLUSIVE),
        # A two-sided region: C1's [0.5, 1).
        (0.5089, 0.9134, Region(0.5, 1.0, upper_closed=False), HOLDS),
        (0.8316, 1.0, Region(0.5, 1.0, upper_closed=False), INCONCLUSIVE),
        (0.4572, 0.8811, Region(0.5, 1.0, upper_closed=False), INCONCLUSIVE),
        (0.0123, 0.3170, Region(0.5, 1.0, upper_closed=False), DOES_NOT_HOLD),
        (1.0, 1.0, Region(0.5, 1.0, upper_closed=False), DOES_NOT_HOLD),
        (0.2, 0.8, Region(0.3, 0.7), INCONCLUSIVE),  # straddles both ends
        (0.8, 0.9, Region(0.3, 0.7), DOES_NOT_HOLD),
    ],
)
def test_verdict_compares_the_whole_interval_with_the_region(low, high, region, expected):
    assert verdict(low, high, region) == expected


@pytest.mark.parametrize("low, high", [(math.nan, 1.0), (1.0, math.nan), (math.nan, math.nan)])
def test_verdict_is_not_evaluated_when_the_interval_has_a_nan(low, high):
    assert verdict(low, high, at_least(0.0)) == NOT_EVALUATED


# ----------------------------------------------------------------------------- bootstrap_interval


def test_bootstrap_resamples_whole_clusters_of_the_same_number():
    clusters = [("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)]
    seen = []

    def statistic(resample):
        assert len(resample) == len(clusters)
        assert all(any(cluster is original for original in clusters) for cluster in resample)  # whole objects
        seen.append(tuple(name for name, _ in resample))
        return float(np.mean([value for _, value in resample]))

    bootstrap_interval(clusters, statistic, n_resamples=300)
    assert len(seen) == 300  # one call per resample
    assert len(set(seen)) > 100  # the resamples differ from one another
    assert {name for resample in seen for name in resample} == {"a", "b", "c", "d"}
    assert any(len(set(resample)) < 4 for resample in seen)  # drawn with replacement


def test_bootstrap_is_deterministic_and_depends_on_its_seed():
    rng = np.random.default_rng(1)
    clusters = list(rng.standard_normal(30))
    first = bootstrap_interval(clusters, np.mean)
    assert bootstrap_interval(clusters, np.mean) == first
    assert bootstrap_interval(clusters, np.mean, seed=1) != first


def test_bootstrap_of_identical_clusters_is_a_point():
    assert bootstrap_interval([[2.0, 4.0]] * 5, lambda chosen: float(np.mean(np.concatenate(chosen)))) == (3.0, 3.0)


def test_bootstrap_percentiles_of_the_max_of_three_clusters_are_their_min_and_max():
    # The max of a resample of {1, 2, 3} is 1 with probability 1/27 (3.7% > 2.5%) and 3 with 19/27.
    low, high = bootstrap_interval([2.0, 1.0, 3.0], max)
    assert (low, high) == (1.0, 3.0)


def test_bootstrap_of_a_mean_matches_the_normal_approximation():
    rng = np.random.default_rng(0)
    values = rng.standard_normal(200)
    low, high = bootstrap_interval(list(values), np.mean)
    half_width = 1.96 * values.std(ddof=1) / math.sqrt(values.size)
    assert low == pytest.approx(values.mean() - half_width, abs=0.2 * half_width)
    assert high == pytest.approx(values.mean() + half_width, abs=0.2 * half_width)


def test_bootstrap_interval_widens_with_the_level():
    clusters = list(np.random.default_rng(2).exponential(size=25))
    narrow = bootstrap_interval(clusters, np.mean, level=0.5)
    wide = bootstrap_interval(clusters, np.mean, level=0.99)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_bootstrap_of_no_cluster_is_nan():
    low, high = bootstrap_interval([], np.mean)
    assert math.isnan(low) and math.isnan(high)


def counting_statistic(n_nan: int):
    """NaN for the first ``n_nan`` resamples, then 1."""
    calls = []

    def statistic(_resample):
        calls.append(None)
        return math.nan if len(calls) <= n_nan else 1.0

    return statistic


def test_bootstrap_leaves_out_nan_resamples_up_to_five_percent():
    assert bootstrap_interval([1, 2, 3], counting_statistic(100)) == (1.0, 1.0)  # 100 of 2000 = 5%
    low, high = bootstrap_interval([1, 2, 3], counting_statistic(101))
    assert math.isnan(low) and math.isnan(high)


def test_bootstrap_nan_rule_on_real_resamples():
    # NaN when the resample has no cluster 0: (2/3)^3 = 30% of resamples, far above 5%.
    low, high = bootstrap_interval([0, 1, 2], lambda chosen: 1.0 if 0 in chosen else math.nan)
    assert math.isnan(low) and math.isnan(high)
    # NaN only when every draw is cluster 0: 1/20^19 of resamples, so never.
    assert bootstrap_interval(list(range(20)), lambda chosen: math.nan if set(chosen) == {0} else 1.0) == (1.0, 1.0)


@pytest.mark.filterwarnings("ignore:invalid value encountered in subtract:RuntimeWarning")
def test_bootstrap_of_an_infinite_statistic_is_infinite():
    assert bootstrap_interval([1.0, 2.0, 3.0], lambda chosen: math.inf) == (math.inf, math.inf)
    # max over {1e-5, 2e-5, inf}: finite with probability 8/27, so (2.5th, 97.5th) = (finite, inf).
    low, high = bootstrap_interval([1e-5, 2e-5, math.inf], max)
    assert low == pytest.approx(1e-5) and high == math.inf


# ------------------------------------------------------------------------------- clopper_pearson


@pytest.mark.parametrize(
    "successes, trials, low, high",
    [
        (20, 20, 0.8316, 1.0),
        (0, 20, 0.0, 0.1684),
        (10, 20, 0.2720, 0.7280),
        (14, 20, 0.4572, 0.8811),
        (15, 20, 0.5090, 0.9134),
        (2, 20, 0.0123, 0.3170),
        (1, 1, 0.025, 1.0),
        (0, 1, 0.0, 0.975),
    ],
)
def test_clopper_pearson_known_values(successes, trials, low, high):
    assert clopper_pearson(successes, trials) == pytest.approx((low, high), abs=1e-4)


def binomial_tail_at_least(successes: int, trials: int, probability: float) -> float:
    """P(X >= successes) for X ~ Binomial(trials, probability), summed exactly term by term."""
    return sum(
        math.comb(trials, k) * probability**k * (1 - probability) ** (trials - k) for k in range(successes, trials + 1)
    )


@pytest.mark.parametrize("successes, trials", [(1, 20), (7, 20), (14, 20), (19, 20), (3, 7), (40, 50), (5, 100)])
def test_clopper_pearson_bounds_solve_the_binomial_tail_equations(successes, trials):
    low, high = clopper_pearson(successes, trials)
    assert 0 < low < successes / trials < high < 1
    assert binomial_tail_at_least(successes, trials, low) == pytest.approx(0.025, abs=1e-9)  # P(X >= k | low)
    assert 1 - binomial_tail_at_least(successes + 1, trials, high) == pytest.approx(0.025, abs=1e-9)  # P(X <= k | high)


def test_clopper_pearson_at_the_ends_solves_the_one_sided_equation():
    _, high = clopper_pearson(0, 20)
    assert (1 - high) ** 20 == pytest.approx(0.025)  # P(X = 0 | high)
    low, _ = clopper_pearson(20, 20)
    assert low**20 == pytest.approx(0.025)  # P(X = 20 | low)


def test_clopper_pearson_covers_at_least_95_percent_for_every_p():
    trials = 20
    intervals = [clopper_pearson(k, trials) for k in range(trials + 1)]
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(intervals, intervals[1:]))  # monotone in k
    for p in np.linspace(0.001, 0.999, 101):
        coverage = sum(
            math.comb(trials, k) * p**k * (1 - p) ** (trials - k)
            for k, (low, high) in enumerate(intervals)
            if low <= p <= high
        )
        assert coverage >= 0.95 - 1e-9


def test_clopper_pearson_level_and_symmetry():
    assert clopper_pearson(7, 20, level=0.99)[0] < clopper_pearson(7, 20)[0] < clopper_pearson(7, 20, level=0.8)[0]
    low, high = clopper_pearson(7, 20)
    assert clopper_pearson(13, 20) == pytest.approx((1 - high, 1 - low), abs=1e-12)


def test_clopper_pearson_rejects_impossible_counts_and_gives_nan_without_trials():
    with pytest.raises(ValueError):
        clopper_pearson(21, 20)
    with pytest.raises(ValueError):
        clopper_pearson(-1, 20)
    low, high = clopper_pearson(0, 0)
    assert math.isnan(low) and math.isnan(high)
