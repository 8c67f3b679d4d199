"""95% intervals for the claims' values, and verdicts from an interval and a threshold.

Two kinds of interval, each the standard one for its kind of quantity:

- :func:`bootstrap_interval`: the percentile bootstrap over repetitions. A repetition draws a new
  teacher, test set, initialisation and samples (report 5.2: "we repeat the whole experiment
  (including drawing a new generative network)"), and the runs of one repetition share its teacher,
  so whole repetitions are resampled with replacement (a cluster bootstrap): B = 2,000 resamples
  from a fixed seed, so the same results always give the same interval. It says how far the value
  would move if the experiment were run again with other repetitions, i.e. under another seed.
- :func:`clopper_pearson`: the exact binomial interval, for a share of independent runs (claim C1).
  The bootstrap would collapse to a point when every run, or none, has the property, as if 20 of 20
  proved "always".

A verdict compares the interval with the set of values where the claim holds (:class:`Region`,
fixed from the report's words): "holds" when the whole interval lies in it, "does not hold" when
the whole interval lies outside it, "inconclusive" when it straddles a boundary.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from convexnn.verdicts import DOES_NOT_HOLD, HOLDS, INCONCLUSIVE, NOT_EVALUATED

LEVEL = 0.95
N_RESAMPLES = 2000
RESAMPLING_SEED = 20180925  # fixed: the same results always give the same intervals

Cluster = TypeVar("Cluster")


@dataclass(frozen=True)
class Region:
    """The values where a claim holds: an interval of the real line, closed or open at each end."""

    lower: float = -math.inf
    upper: float = math.inf
    lower_closed: bool = True
    upper_closed: bool = True

    def contains(self, value: float) -> bool:
        above = value > self.lower or (self.lower_closed and value == self.lower)
        below = value < self.upper or (self.upper_closed and value == self.upper)
        return bool(above and below)

    def __str__(self) -> str:
        lower, upper = _number(self.lower), _number(self.upper)
        if self.lower == -math.inf:
            return f"{'<=' if self.upper_closed else '<'} {upper}"
        if self.upper == math.inf:
            return f">{'=' if self.lower_closed else ''} {lower}"
        if self.lower == self.upper:
            return f"= {lower}"
        return f"in {'[' if self.lower_closed else '('}{lower}, {upper}{']' if self.upper_closed else ')'}"


def _number(value: float) -> str:
    """The shortest text that reads back as the same float ("100", "0.001", "0.3333333333333333")."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def parse_region(text: str) -> Region:
    """The inverse of ``str(Region)``: ">= 100", "< 0.001", "in [0.5, 1)", "<= 0", "= 0"."""
    text = text.strip()
    for prefix, make in ((">=", at_least), ("<=", at_most), (">", above), ("<", below)):
        if text.startswith(prefix):
            return make(float(text[len(prefix) :]))
    if text.startswith("= "):
        value = float(text[2:])
        return Region(value, value)
    if text.startswith("in ") and text[3] in "[(" and text[-1] in "])":
        lower, upper = (float(part) for part in text[4:-1].split(","))
        return Region(lower, upper, lower_closed=text[3] == "[", upper_closed=text[-1] == "]")
    raise ValueError(f"not a threshold: {text!r}")


def at_least(value: float) -> Region:
    return Region(lower=value)


def above(value: float) -> Region:
    return Region(lower=value, lower_closed=False)


def at_most(value: float) -> Region:
    return Region(upper=value)


def below(value: float) -> Region:
    return Region(upper=value, upper_closed=False)


def verdict(low: float, high: float, region: Region) -> str:
    """holds / does not hold / inconclusive for the interval [low, high]; not evaluated if it has a NaN."""
    if math.isnan(low) or math.isnan(high):
        return NOT_EVALUATED
    if region.contains(low) and region.contains(high):
        return HOLDS
    under = high < region.lower or (high == region.lower and not region.lower_closed)
    over = low > region.upper or (low == region.upper and not region.upper_closed)
    return DOES_NOT_HOLD if under or over else INCONCLUSIVE


def bootstrap_interval(
    clusters: Sequence[Cluster],
    statistic: Callable[[list[Cluster]], float],
    n_resamples: int = N_RESAMPLES,
    level: float = LEVEL,
    seed: int = RESAMPLING_SEED,
) -> tuple[float, float]:
    """Percentile interval of ``statistic`` over resamples of ``clusters`` (repetitions) drawn with
    replacement. A resample whose statistic is NaN (say, no finished run in it) is left out; if more
    than 5% are, the interval is (NaN, NaN): the value is too fragile to give one."""
    n_clusters = len(clusters)
    if n_clusters == 0:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_clusters, size=(n_resamples, n_clusters))
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.array([statistic([clusters[index] for index in draw]) for draw in draws], dtype=float)
    valid = values[~np.isnan(values)]
    if valid.size < 0.95 * n_resamples:
        return math.nan, math.nan
    tail = 100 * (1 - level) / 2
    # Resampled values themselves, not interpolations between them: an infinite value (every run of a
    # resample diverged) stays infinite instead of making inf - inf = NaN.
    low, high = np.percentile(valid, [tail, 100 - tail], method="inverted_cdf")
    return float(low), float(high)


def _binomial_tail_at_least(successes: int, trials: int, probability: float) -> float:
    """P(X >= successes) for X ~ Binomial(trials, probability)."""
    if successes <= 0:
        return 1.0
    if probability <= 0.0:
        return 0.0
    if probability >= 1.0:
        return 1.0
    log_p, log_q = math.log(probability), math.log1p(-probability)
    terms = [
        math.lgamma(trials + 1) - math.lgamma(k + 1) - math.lgamma(trials - k + 1) + k * log_p + (trials - k) * log_q
        for k in range(successes, trials + 1)
    ]
    peak = max(terms)
    return min(1.0, math.exp(peak) * sum(math.exp(term - peak) for term in terms))


def _solve_increasing(function: Callable[[float], float], target: float) -> float:
    """p in [0, 1] with function(p) = target, for an increasing function (bisection to 1e-12)."""
    low, high = 0.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if function(middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def clopper_pearson(successes: int, trials: int, level: float = LEVEL) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval for a binomial share successes / trials."""
    if trials <= 0:
        return math.nan, math.nan
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be in [0, {trials}], got {successes}")
    tail = (1 - level) / 2
    low = 0.0 if successes == 0 else _solve_increasing(lambda p: _binomial_tail_at_least(successes, trials, p), tail)
    # P(X <= successes) decreases in p: solve 1 - P(X >= successes + 1) = tail.
    high = (
        1.0
        if successes == trials
        else _solve_increasing(lambda p: _binomial_tail_at_least(successes + 1, trials, p), 1 - tail)
    )
    return low, high
