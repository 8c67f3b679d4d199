"""The conventions every claim check follows, and the claims tables (E. Berthier 2018, section 5).

The claims themselves live with their experiments (:mod:`convexnn.experiments`): each ``claim_*``
function there takes the measured results of one experiment (its table of final losses, or its
particle trajectories) and returns one :class:`ClaimResult`: the quantity measured, its
value over every repetition, a 95% interval for it (:mod:`convexnn.intervals`: a bootstrap over
repetitions, or the exact binomial interval for a share of runs), the threshold fixed from the
report's words *before* any result was seen, and a verdict:

- "holds": the whole interval is on the holding side of the threshold;
- "does not hold": the whole interval is on the other side;
- "inconclusive": the interval straddles the threshold;
- "not evaluated": the data needed is missing, or too few repetitions to give an interval.

A claim whose words join two statements (C3, C8, C9) is checked as two rows, one value and one
threshold each, so that each interval is read against its own threshold.

Conventions shared by every check:

- A run is *finished* when it did not diverge (the ``diverged`` flag of its curve, the one
  definition the pipeline uses); diverged runs are never averaged in, they are counted in ``detail``.
- The geometric mean of losses L_1..L_n is exp((1/n) sum_i log L_i) (the report's statistic over
  repetitions, section 5.2).
- A particle is theta_j = (w_j, v_j) in R x R^(d+1), the bias being the last coordinate of v_j
  (report section 2.1).
- The runs of one repetition share its teacher, so the bootstrap resamples whole repetitions.

Nothing here reads or writes files: :mod:`convexnn.jobs.claims` does, and calls each experiment's
``claims``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from convexnn.intervals import Region, bootstrap_interval, parse_region, verdict
from convexnn.verdicts import INCONCLUSIVE, NOT_EVALUATED, count_line

# Fewer repetitions than this give no interval (a bootstrap over 2 repetitions has 3 distinct resamples).
MIN_REPETITIONS = 3


@dataclass(frozen=True)
class ClaimResult:
    """One row of the claims table."""

    claim: str  # "C1", "C6-relu", "C8-best", ...
    section: str  # "5.1"
    report_words: str  # the report's words, short quote or close paraphrase
    quantity: str  # what is measured, in words
    value: float  # over every repetition; NaN when not evaluated
    low: float  # 95% interval
    high: float
    threshold: str  # where the claim holds, e.g. ">= 100"
    verdict: str  # holds, does not hold, inconclusive, not evaluated
    detail: str  # counts, the numbers compared, the interval's method, or what is missing


CLAIM_COLUMNS = [field.name for field in fields(ClaimResult)]


@dataclass(frozen=True)
class Trajectory:
    """Checkpoints of one training run: ``samples_seen`` (T,), ``output_weights`` w (T, k) and
    ``hidden_weights`` v (T, k, d+1), the bias being the last coordinate of v; ``diverged`` is the
    run's flag (its curve's); ``teacher_hidden_weights`` v* (M, d+1) where the claim needs them."""

    samples_seen: np.ndarray
    output_weights: np.ndarray
    hidden_weights: np.ndarray
    diverged: bool = False
    teacher_hidden_weights: np.ndarray | None = None


def as_trajectory(trajectory: Trajectory | Mapping[str, np.ndarray]) -> Trajectory:
    """A :class:`Trajectory` from itself or from a dict with the same keys (``diverged`` and
    ``teacher_hidden_weights`` optional)."""
    if isinstance(trajectory, Trajectory):
        return trajectory
    teacher = trajectory.get("teacher_hidden_weights")
    return Trajectory(
        np.asarray(trajectory["samples_seen"], dtype=float),
        np.asarray(trajectory["output_weights"], dtype=float),
        np.asarray(trajectory["hidden_weights"], dtype=float),
        bool(trajectory.get("diverged", False)),
        None if teacher is None else np.asarray(teacher, dtype=float),
    )


# A run with a trajectory, as the claims receive it: its labels (repetition, n_particles, init_radius,
# ...) and its checkpoints.
RunTrajectory = tuple[Mapping, Trajectory]


@dataclass(frozen=True)
class ClaimText:
    """What a claim says and where it holds; everything in a result except the measurement."""

    claim: str
    section: str
    report_words: str
    quantity: str
    region: Region

    def result(self, value: float, interval: tuple[float, float], detail: str) -> ClaimResult:
        low, high = interval
        if math.isnan(value) or math.isnan(low) or math.isnan(high):
            return self.not_evaluated(f"no interval could be computed; {detail}")
        return ClaimResult(
            self.claim,
            self.section,
            self.report_words,
            self.quantity,
            float(value),
            float(low),
            float(high),
            str(self.region),
            verdict(low, high, self.region),
            detail,
        )

    def not_evaluated(self, missing: str) -> ClaimResult:
        return ClaimResult(
            self.claim,
            self.section,
            self.report_words,
            self.quantity,
            math.nan,
            math.nan,
            math.nan,
            str(self.region),
            NOT_EVALUATED,
            missing,
        )


# ---------------------------------------------------------------------------------------------
# Shared helpers


def is_missing(table: pd.DataFrame | None) -> bool:
    return table is None or len(table) == 0


def safe_ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator with IEEE semantics (x/0 = inf, 0/0 = NaN) instead of exceptions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(numerator) / np.float64(denominator))


def bootstrap(per_repetition: list, statistic: Callable[[list], float]) -> tuple[float, tuple[float, float], str]:
    """(value over every repetition, its bootstrap interval, a note on how) for per-repetition data."""
    value = statistic(per_repetition)
    if len(per_repetition) < MIN_REPETITIONS:
        return (
            value,
            (math.nan, math.nan),
            (f"{len(per_repetition)} repetitions, at least {MIN_REPETITIONS} needed for an interval"),
        )
    return value, bootstrap_interval(per_repetition, statistic), f"bootstrap over {len(per_repetition)} repetitions"


def part_sum(parts: list, index: int) -> float:
    return float(sum(part[index] for part in parts))


def repetition_groups(table: pd.DataFrame) -> list[pd.DataFrame]:
    return [group for _, group in table.groupby("repetition", sort=True)]


def trajectories_by_repetition(runs: Sequence[RunTrajectory], **where) -> dict[int, list[Trajectory]]:
    """{repetition: trajectories of the runs whose labels match ``where`` (floats compared with isclose)}."""
    chosen: dict[int, list[Trajectory]] = {}
    for labels, trajectory in runs:
        if all(
            np.isclose(labels[key], value) if isinstance(value, float) else labels[key] == value
            for key, value in where.items()
        ):
            chosen.setdefault(int(labels["repetition"]), []).append(as_trajectory(trajectory))
    return chosen


def finished_trajectories(trajectories: Sequence[Trajectory]) -> list[Trajectory]:
    return [t for t in trajectories if not t.diverged]


def particle_parameters(trajectory: Trajectory) -> np.ndarray:
    """theta_j(t) = (w_j(t), v_j(t)), shape (T, k, d+2)."""
    return np.concatenate([trajectory.output_weights[:, :, None], trajectory.hidden_weights], axis=2)


def log_geometric_mean_ratio(parts: list, few: int, many: int) -> float:
    """log10 of GM(few) / GM(many) from per-repetition (sum of log10 L, count) pairs at indices few, many."""
    return part_sum(parts, few) / part_sum(parts, few + 1) - part_sum(parts, many) / part_sum(parts, many + 1)


def power_of_ten(exponent: float) -> float:
    """10 ** exponent, inf instead of OverflowError."""
    with np.errstate(over="ignore"):
        return float(np.power(10.0, exponent))


def count_diverged(by_repetition: Mapping[int, Sequence[Trajectory]]) -> int:
    return sum(t.diverged for trajectories in by_repetition.values() for t in trajectories)


# ---------------------------------------------------------------------------------------------
# Tables


def claims_table(results: list[ClaimResult]) -> pd.DataFrame:
    """One row per claim, columns in the order of the fields of :class:`ClaimResult`."""
    return pd.DataFrame(
        [[getattr(result, column) for column in CLAIM_COLUMNS] for result in results], columns=CLAIM_COLUMNS
    )


def _inside(value: float, low: float, high: float) -> bool:
    """low <= value <= high, where NaN is inside an interval of NaNs only, and inf equals inf."""
    if any(math.isnan(x) for x in (value, low, high)):
        return all(math.isnan(x) for x in (value, low, high))
    return low <= value <= high


def compare_with_reference(current: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """Problems found comparing a claims table with a reference one (empty list: they agree).

    A problem is a reference claim missing from ``current``, a different verdict, or a current value
    outside the reference's 95% interval [low, high]: the interval says how far the value moves when
    the repetitions change, so a value outside it is a change of the experiment, not of the seed.
    Claims present only in ``current`` are not problems.
    """
    current_by_claim = current.set_index("claim")
    problems = []
    for row in reference.itertuples(index=False):
        if row.claim not in current_by_claim.index:
            problems.append(
                f"{row.claim}: in the reference (verdict {row.verdict!r}, value {row.value:.3g}) "
                "but missing from the current table"
            )
            continue
        now = current_by_claim.loc[row.claim]
        value, verdict_now = float(now["value"]), now["verdict"]
        if verdict_now != row.verdict:
            problems.append(
                f"{row.claim}: verdict {verdict_now!r} (value {value:.3g}) differs from the reference "
                f"verdict {row.verdict!r} (value {float(row.value):.3g})"
            )
        if not _inside(value, float(row.low), float(row.high)):
            problems.append(
                f"{row.claim}: value {value:.3g} is outside the reference interval "
                f"[{float(row.low):.3g}, {float(row.high):.3g}] (reference value {float(row.value):.3g})"
            )
    return problems


# Pooling the robustness seeds: repetition r of the seed at position i becomes repetition
# i * POOLED_REPETITION_STRIDE + r (the schema allows at most 1,000 repetitions), so that the runs of one
# repetition still share their teacher and the bootstrap still resamples whole repetitions.
POOLED_REPETITION_STRIDE = 10_000
# An inconclusive pooled claim "sits at its threshold" when deciding it would take more than this many
# times the pooled repetitions; otherwise it is "still noisy".
AT_THRESHOLD_FACTOR = 10.0


def pooled_repetition(seed_index: int, repetition: int) -> int:
    return seed_index * POOLED_REPETITION_STRIDE + int(repetition)


def repetitions_to_decide(value: float, low: float, high: float, threshold: str, n_repetitions: int) -> float:
    """How many repetitions would decide the claim at this effect size: an interval's half-width
    shrinks as 1/sqrt(N), so with h the half-width on the side facing the nearest bound of the
    threshold and d the distance from the value to it (on a log scale when value, interval and bound
    are positive, else linear), N = n_repetitions (h / d)^2; inf when the value sits on the bound."""
    region = parse_region(threshold)
    bounds = [bound for bound in (region.lower, region.upper) if math.isfinite(bound)]
    if not bounds or any(math.isnan(x) for x in (value, low, high)):
        return math.nan
    bound = min(bounds, key=lambda b: abs(b - value))
    positive = min(value, low, high, bound) > 0
    scale = math.log10 if positive else (lambda x: x)
    distance = abs(scale(value) - scale(bound))
    half_width = scale(value) - scale(low) if value >= bound else scale(high) - scale(value)
    if distance == 0:
        return math.inf
    return n_repetitions * (half_width / distance) ** 2


def inconclusive_kind(verdict_name: str, needed: float, n_repetitions: int) -> str:
    """For an inconclusive claim: 'at the threshold' (deciding it would take more than
    AT_THRESHOLD_FACTOR x the repetitions) or 'still noisy'; empty for a decided claim."""
    if verdict_name != INCONCLUSIVE:
        return ""
    return "at the threshold" if not needed <= AT_THRESHOLD_FACTOR * n_repetitions else "still noisy"


POOLED_COLUMNS = [
    "claim",
    "value",
    "low",
    "high",
    "threshold",
    "verdict",
    "n_repetitions",
    "seeds_agreeing",
    "n_seeds",
    "repetitions_to_decide",
    "inconclusive_kind",
    "quantity",
    "detail",
]


def format_pooled(table: pd.DataFrame) -> str:
    """The pooled claims for a terminal: claim, verdict, value [interval], seeds agreeing, and what
    deciding an undecided one would take."""
    lines = []
    for row in table.itertuples(index=False):
        note = (
            f"{row.inconclusive_kind}: ~{row.repetitions_to_decide:.0f} repetitions would decide it"
            if row.verdict == INCONCLUSIVE
            else ""
        )
        lines.append(
            f"  {row.claim:<11} {row.verdict:<14} {row.value:.3g} [{row.low:.3g}, {row.high:.3g}]  "
            f"{row.seeds_agreeing} of {row.n_seeds} seeds agree  {note}".rstrip()
        )
    return "\n".join(lines)


def format_claims(table: pd.DataFrame) -> str:
    """A plain-text, fixed-width table of claim, verdict, value, interval and threshold for a terminal."""
    columns = ["claim", "verdict", "value", "95% interval", "threshold"]
    cells = [
        [str(row.claim), str(row.verdict), f"{row.value:.3g}", f"[{row.low:.3g}, {row.high:.3g}]", str(row.threshold)]
        for row in table.itertuples(index=False)
    ]
    widths = [max([len(column)] + [len(line[i]) for line in cells]) for i, column in enumerate(columns)]
    lines = [columns, ["-" * width for width in widths]] + cells
    # The last column is not padded so that lines carry no trailing blanks.
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line[:-1], widths)) + "  " + line[-1] for line in lines
    )


def summary_line(table: pd.DataFrame) -> str:
    """How many claims hold, do not hold, are inconclusive, are not evaluated."""
    return count_line(table["verdict"])
