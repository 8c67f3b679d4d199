"""The report's claims (E. Berthier 2018, section 5) as checks with a value, a 95% interval and a verdict.

Each ``claim_*`` function takes the measured results of one experiment (its table of final losses,
or its particle trajectories) and returns one :class:`ClaimResult`: the quantity measured, its
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

Nothing here reads or writes files: :mod:`convexnn.jobs.claims` does, and calls
:func:`claims_of_experiment`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from convexnn.aggregation import GLOBAL_MINIMUM_RATIO
from convexnn.intervals import (
    DOES_NOT_HOLD,
    HOLDS,
    INCONCLUSIVE,
    NOT_EVALUATED,
    VERDICTS,
    Region,
    above,
    at_least,
    at_most,
    below,
    bootstrap_interval,
    clopper_pearson,
    verdict,
)

__all__ = ["HOLDS", "DOES_NOT_HOLD", "INCONCLUSIVE", "NOT_EVALUATED", "VERDICTS"]

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
    run's flag (its curve's)."""

    samples_seen: np.ndarray
    output_weights: np.ndarray
    hidden_weights: np.ndarray
    diverged: bool = False


def as_trajectory(trajectory: Trajectory | Mapping[str, np.ndarray]) -> Trajectory:
    """A :class:`Trajectory` from itself or from a dict with the same keys (``diverged`` optional)."""
    if isinstance(trajectory, Trajectory):
        return trajectory
    return Trajectory(
        np.asarray(trajectory["samples_seen"], dtype=float),
        np.asarray(trajectory["output_weights"], dtype=float),
        np.asarray(trajectory["hidden_weights"], dtype=float),
        bool(trajectory.get("diverged", False)),
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


def _is_missing(table: pd.DataFrame | None) -> bool:
    return table is None or len(table) == 0


def finished(table: pd.DataFrame) -> pd.Series:
    """The runs that did not diverge (their curve's flag)."""
    return ~table["diverged"].astype(bool)


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator with IEEE semantics (x/0 = inf, 0/0 = NaN) instead of exceptions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(numerator) / np.float64(denominator))


def _bootstrap(per_repetition: list, statistic: Callable[[list], float]) -> tuple[float, tuple[float, float], str]:
    """(value over every repetition, its bootstrap interval, a note on how) for per-repetition data."""
    value = statistic(per_repetition)
    if len(per_repetition) < MIN_REPETITIONS:
        return (
            value,
            (math.nan, math.nan),
            (f"{len(per_repetition)} repetitions, at least {MIN_REPETITIONS} needed for an interval"),
        )
    return value, bootstrap_interval(per_repetition, statistic), f"bootstrap over {len(per_repetition)} repetitions"


def _sum(parts: list, index: int) -> float:
    return float(sum(part[index] for part in parts))


def _repetitions(table: pd.DataFrame) -> list[pd.DataFrame]:
    return [group for _, group in table.groupby("repetition", sort=True)]


def _trajectories_by_repetition(runs: Sequence[RunTrajectory], **where) -> dict[int, list[Trajectory]]:
    """{repetition: trajectories of the runs whose labels match ``where`` (floats compared with isclose)}."""
    chosen: dict[int, list[Trajectory]] = {}
    for labels, trajectory in runs:
        if all(
            np.isclose(labels[key], value) if isinstance(value, float) else labels[key] == value
            for key, value in where.items()
        ):
            chosen.setdefault(int(labels["repetition"]), []).append(as_trajectory(trajectory))
    return chosen


def _finished_trajectories(trajectories: Sequence[Trajectory]) -> list[Trajectory]:
    return [t for t in trajectories if not t.diverged]


def _particle_parameters(trajectory: Trajectory) -> np.ndarray:
    """theta_j(t) = (w_j(t), v_j(t)), shape (T, k, d+2)."""
    return np.concatenate([trajectory.output_weights[:, :, None], trajectory.hidden_weights], axis=2)


def _log_geometric_mean_ratio(parts: list, few: int, many: int) -> float:
    """log10 of GM(few) / GM(many) from per-repetition (sum of log10 L, count) pairs at indices few, many."""
    return _sum(parts, few) / _sum(parts, few + 1) - _sum(parts, many) / _sum(parts, many + 1)


def _power_of_ten(exponent: float) -> float:
    """10 ** exponent, inf instead of OverflowError."""
    with np.errstate(over="ignore"):
        return float(np.power(10.0, exponent))


def _n_diverged(by_repetition: Mapping[int, Sequence[Trajectory]]) -> int:
    return sum(t.diverged for trajectories in by_repetition.values() for t in trajectories)


# ---------------------------------------------------------------------------------------------
# Section 5.1: the two-dimensional experiments (figs. 1 and 2)

C1_TEXT = ClaimText(
    "C1",
    "5.1",
    "with r0 << r, ReLU training often reaches the global minimum, but sometimes a local minimum",
    "share of finished runs whose final test loss is below 1e-3 x their initial test loss",
    Region(0.5, 1.0, lower_closed=True, upper_closed=False),
)
C1_MIN_FINISHED_RUNS = 20
C1_LOSS_DROP = GLOBAL_MINIMUM_RATIO  # the same rule picks fig. 1's panels


def claim_relu_often_global(relu_scan: pd.DataFrame | None) -> ClaimResult:
    """C1 (section 5.1, fig. 1): share = #{runs: L_final < 1e-3 L_initial} / #{finished runs}, with
    its exact binomial (Clopper-Pearson) interval: the runs are independent (one teacher each).

    ``relu_scan`` has columns repetition, initial_test_loss, excess_loss (the final test loss),
    diverged. Holds if the interval lies in [0.5, 1): "often" the global minimum, and "sometimes" not.
    When every run reaches it, the interval reaches 1 and the claim is inconclusive, not refuted: a
    finite scan cannot show that a local minimum never happens.
    """
    if _is_missing(relu_scan):
        return C1_TEXT.not_evaluated("no ReLU scan results")
    runs = relu_scan[finished(relu_scan)]
    n_diverged = len(relu_scan) - len(runs)
    if len(runs) < C1_MIN_FINISHED_RUNS:
        return C1_TEXT.not_evaluated(
            f"only {len(runs)} finished runs ({n_diverged} diverged); at least {C1_MIN_FINISHED_RUNS} needed"
        )
    reached = int((runs["excess_loss"] < C1_LOSS_DROP * runs["initial_test_loss"]).sum())
    return C1_TEXT.result(
        reached / len(runs),
        clopper_pearson(reached, len(runs)),
        f"{reached} of {len(runs)} finished runs reach the global minimum; {n_diverged} diverged; "
        "exact binomial interval",
    )


C2_TEXT = ClaimText(
    "C2",
    "5.1",
    "sigmoid with w(0) = 0 always converges globally, even with 3 particles",
    "largest final excess loss / zero predictor's loss over every repetition at the small and the large k",
    below(1e-3),
)


def claim_sigmoid_always_global(sigmoid_finals: pd.DataFrame | None, small_k: int, large_k: int) -> ClaimResult:
    """C2 (section 5.1, fig. 2): value = max over the finished runs at k in {small_k, large_k} of
    excess_loss / zero_predictor_loss. Holds if the bootstrap interval of that maximum is below 1e-3.
    A diverged run (a numerical failure of the step, not a local minimum) is left out and counted,
    as in every claim; with no finished run at one of the two k, the claim is not evaluated.

    ``sigmoid_finals`` has columns n_particles, repetition, excess_loss, zero_predictor_loss, diverged.
    """
    if _is_missing(sigmoid_finals):
        return C2_TEXT.not_evaluated("no sigmoid results")
    everything = sigmoid_finals[sigmoid_finals["n_particles"].isin([small_k, large_k])]
    runs = everything[finished(everything)]
    n_diverged = len(everything) - len(runs)
    missing = [k for k in (small_k, large_k) if not (runs["n_particles"] == k).any()]
    if missing:
        return C2_TEXT.not_evaluated(f"no finished run at k = {', '.join(map(str, missing))} ({n_diverged} diverged)")
    relative = runs["excess_loss"] / runs["zero_predictor_loss"]
    per_repetition = [float(relative[group.index].max()) for group in _repetitions(runs)]
    value, interval, method = _bootstrap(per_repetition, max)
    per_k = ", ".join(
        f"k = {k}: {int((runs['n_particles'] == k).sum())} runs, worst {relative[runs['n_particles'] == k].max():.2e}"
        for k in (small_k, large_k)
    )
    return C2_TEXT.result(value, interval, f"{per_k}; {n_diverged} diverged; {method}")


C3_SPLIT_TEXT = ClaimText(
    "C3-split",
    "5.1",
    "sigmoid: about half the particles get w < 0, half w > 0",
    "fraction of particles with w < 0 at the end, pooled over the runs at the large k",
    Region(0.3, 0.7),
)
C3_STAY_TEXT = ClaimText(
    "C3-stay",
    "5.1",
    "sigmoid: the signs of w do not change through training",
    "fraction of particles whose w changes sign after the first 1% of training, pooled over every run",
    at_most(0.0),
)
C3_REFERENCE_SHARE_OF_TRAINING = 0.01


def _reference_checkpoint(samples_seen: np.ndarray) -> int:
    """Index of the first checkpoint at or after 1% of the final samples_seen."""
    return int(np.argmax(samples_seen >= C3_REFERENCE_SHARE_OF_TRAINING * samples_seen[-1]))


def count_sign_flips(trajectory: Trajectory) -> int:
    """Number of particles whose w takes the sign opposite to its sign at the reference checkpoint
    (first at or after 1% of training) at some later checkpoint. Particles whose reference w is exactly
    0 have no sign and are ignored; a w that merely reaches 0 has not flipped."""
    weights = trajectory.output_weights[_reference_checkpoint(trajectory.samples_seen) :]
    opposite = weights * np.sign(weights[0]) < 0
    return int(opposite.any(axis=0).sum())


def claim_sigmoid_signs_split(runs: Sequence[RunTrajectory], large_k: int) -> ClaimResult:
    """C3-split (section 5.1): value = #{j: w_j(T) < 0} / #{particles} over the finished runs at the
    large k, pooled; bootstrap over repetitions. Holds if the interval is within [0.3, 0.7]."""
    every_run = _trajectories_by_repetition(runs, n_particles=large_k)
    n_diverged = _n_diverged(every_run)
    by_repetition = {repetition: _finished_trajectories(trajectories) for repetition, trajectories in every_run.items()}
    per_repetition = [
        (
            sum(int((t.output_weights[-1] < 0).sum()) for t in trajectories),
            sum(t.output_weights.shape[1] for t in trajectories),
        )
        for trajectories in by_repetition.values()
        if trajectories
    ]
    if not per_repetition:
        return C3_SPLIT_TEXT.not_evaluated(f"no finished run at the large k = {large_k} ({n_diverged} diverged)")
    value, interval, method = _bootstrap(per_repetition, lambda parts: _sum(parts, 0) / _sum(parts, 1))
    negative, total = _sum(per_repetition, 0), _sum(per_repetition, 1)
    return C3_SPLIT_TEXT.result(
        value,
        interval,
        f"{negative:.0f} of {total:.0f} particles with w < 0 at k = {large_k} "
        f"over {len(per_repetition)} repetitions; {n_diverged} diverged; {method}",
    )


def claim_sigmoid_signs_stay(runs: Sequence[RunTrajectory]) -> ClaimResult:
    """C3-stay (section 5.1): value = share of particles, over every finished sigmoid run, whose w
    changes sign after the first 1% of training (:func:`count_sign_flips`); bootstrap over repetitions.
    Holds if the interval is 0: not a single flip."""
    every_run = _trajectories_by_repetition(runs)
    n_diverged = _n_diverged(every_run)
    by_repetition = {repetition: _finished_trajectories(trajectories) for repetition, trajectories in every_run.items()}
    per_repetition = [
        (sum(count_sign_flips(t) for t in trajectories), sum(t.output_weights.shape[1] for t in trajectories))
        for trajectories in by_repetition.values()
        if trajectories
    ]
    if not per_repetition:
        return C3_STAY_TEXT.not_evaluated(f"no finished sigmoid run with a trajectory ({n_diverged} diverged)")
    value, interval, method = _bootstrap(per_repetition, lambda parts: _sum(parts, 0) / _sum(parts, 1))
    n_runs = sum(len(trajectories) for trajectories in by_repetition.values())
    return C3_STAY_TEXT.result(
        value,
        interval,
        f"{_sum(per_repetition, 0):.0f} sign flips among "
        f"{_sum(per_repetition, 1):.0f} particles of {n_runs} finished runs; "
        f"{n_diverged} diverged; {method}",
    )


C4_TEXT = ClaimText(
    "C4",
    "5.1",
    "when there are many particles, the weights move slower and smoother than with just a few",
    "mean path length of theta_j = (w_j, v_j) per particle over the checkpoints, large k / small k",
    below(1.0),
)


def particle_path_lengths(trajectory: Trajectory) -> np.ndarray:
    """Per particle, sum over consecutive checkpoints of ||theta_j(t_{i+1}) - theta_j(t_i)||, shape (k,).

    Measured on the stored checkpoints only, so runs are comparable when they share a checkpoint schedule.
    """
    steps = np.diff(_particle_parameters(trajectory), axis=0)
    return np.linalg.norm(steps, axis=2).sum(axis=0)


def _same_schedule(runs: list[Trajectory]) -> bool:
    first = runs[0].samples_seen
    return all(t.samples_seen.shape == first.shape and np.array_equal(t.samples_seen, first) for t in runs)


def claim_many_particles_move_slower(runs: Sequence[RunTrajectory], small_k: int, large_k: int) -> ClaimResult:
    """C4 (section 5.1, figs. 2a and 2b): value = mean path length per particle at the large k divided
    by that at the small k, particles pooled over the finished runs (:func:`particle_path_lengths`);
    bootstrap over repetitions (both k of a repetition share its teacher). Holds if below 1."""
    small = _trajectories_by_repetition(runs, n_particles=small_k)
    large = _trajectories_by_repetition(runs, n_particles=large_k)
    n_diverged = _n_diverged(small) + _n_diverged(large)
    per_repetition = []
    for repetition in sorted(set(small) & set(large)):
        lengths = [
            np.concatenate([particle_path_lengths(t) for t in _finished_trajectories(trajectories)] or [[]])
            for trajectories in (small[repetition], large[repetition])
        ]
        if lengths[0].size and lengths[1].size:
            per_repetition.append((lengths[0].sum(), lengths[0].size, lengths[1].sum(), lengths[1].size))
    if not per_repetition:
        return C4_TEXT.not_evaluated(
            f"no repetition with finished runs at both k = {small_k} and k = {large_k} ({n_diverged} diverged)"
        )

    def statistic(parts: list) -> float:
        return _ratio(_sum(parts, 2) / _sum(parts, 3), _sum(parts, 0) / _sum(parts, 1))

    value, interval, method = _bootstrap(per_repetition, statistic)
    everything = [as_trajectory(t) for _, t in runs]
    schedule = "same checkpoints" if _same_schedule(everything) else "DIFFERENT checkpoint schedules"
    return C4_TEXT.result(
        value,
        interval,
        f"mean path length {_sum(per_repetition, 2) / _sum(per_repetition, 3):.3g} "
        f"at k = {large_k} vs {_sum(per_repetition, 0) / _sum(per_repetition, 1):.3g} "
        f"at k = {small_k}; {schedule}; {n_diverged} diverged; {method}",
    )


# ---------------------------------------------------------------------------------------------
# Section 5.2: over-parametrisation (figs. 3 to 5)

C5_TEXT = ClaimText(
    "C5",
    "5.2",
    "k = 20 converges to (near) zero loss, k = 5 to a non-zero loss (fig. 3)",
    "geometric-mean final test loss at k = 5 / that at k = 20, over every repetition",
    at_least(100.0),
)
C6_MIN_RATIO = 100.0


def _log_losses(runs: pd.DataFrame) -> np.ndarray:
    return np.log10(runs.loc[finished(runs), "excess_loss"].to_numpy(dtype=float))


def _geometric_mean_ratio(finals: pd.DataFrame, few: pd.Series, many: pd.Series) -> tuple[float, tuple, str, list]:
    """GM(excess loss of the finished runs in ``few``) / GM(... in ``many``), bootstrapped over repetitions."""
    per_repetition = []
    for group in _repetitions(finals):
        few_logs, many_logs = _log_losses(group[few[group.index]]), _log_losses(group[many[group.index]])
        if few_logs.size and many_logs.size:
            per_repetition.append((few_logs.sum(), few_logs.size, many_logs.sum(), many_logs.size))
    if not per_repetition:
        return math.nan, (math.nan, math.nan), "", []
    value, interval, method = _bootstrap(
        per_repetition, lambda parts: _power_of_ten(_log_geometric_mean_ratio(parts, 0, 2))
    )
    return value, interval, method, per_repetition


def claim_twenty_particles_reach_zero(
    finals: pd.DataFrame | None, activation: str, small_k: int = 5, large_k: int = 20
) -> ClaimResult:
    """C5 (section 5.2, fig. 3): value = GM{L(k = 5)} / GM{L(k = 20)} over the finished runs of every
    repetition at those k (GM the geometric mean); bootstrap over repetitions. Holds if >= 100."""
    runs = None if _is_missing(finals) else finals[finals["activation"] == activation]
    if _is_missing(runs):
        return C5_TEXT.not_evaluated(f"no {activation} results")
    value, interval, method, parts = _geometric_mean_ratio(
        runs, runs["n_particles"] == small_k, runs["n_particles"] == large_k
    )
    if not parts:
        return C5_TEXT.not_evaluated(f"no repetition with finished runs at both k = {small_k} and k = {large_k}")
    at_k = {k: runs[runs["n_particles"] == k] for k in (small_k, large_k)}
    return C5_TEXT.result(
        value,
        interval,
        "; ".join(
            f"k = {k}: geometric mean {_power_of_ten(_log_losses(table).mean()):.3g} over {int(finished(table).sum())} runs, "
            f"{int((~finished(table)).sum())} diverged"
            for k, table in at_k.items()
        )
        + f"; {method}",
    )


def _c6_text(activation: str) -> ClaimText:
    return ClaimText(
        f"C6-{activation}",
        "5.2",
        f"a fall in the loss for k around M, like a phase transition ({activation}, fig. {4 if activation == 'relu' else 5})",
        "geometric-mean excess loss over finished runs with k <= M/2, divided by that with k >= 2M",
        at_least(C6_MIN_RATIO),
    )


def claim_phase_transition(finals: pd.DataFrame | None, teacher_units: int, activation: str) -> ClaimResult:
    """C6 (section 5.2, figs. 4 and 5): value = GM{L: k <= M/2} / GM{L: k >= 2M}, L the final excess
    loss of the finished runs of ``activation``; bootstrap over repetitions (the runs of a repetition
    share its teacher). Holds if >= 100.

    ``finals`` has columns activation, n_particles, repetition, excess_loss, diverged.
    """
    text = _c6_text(activation)
    runs = None if _is_missing(finals) else finals[finals["activation"] == activation]
    if _is_missing(runs):
        return text.not_evaluated(f"no {activation} results")
    few, many = runs["n_particles"] <= teacher_units / 2, runs["n_particles"] >= 2 * teacher_units
    value, interval, method, parts = _geometric_mean_ratio(runs, few, many)
    if not parts:
        return text.not_evaluated(
            f"no repetition with finished runs at both k <= {teacher_units / 2:g} and k >= {2 * teacher_units}"
        )
    n_few, n_many = _sum(parts, 1), _sum(parts, 3)
    return text.result(
        value,
        interval,
        f"geometric mean {_power_of_ten(_sum(parts, 0) / n_few):.3g} over {n_few:.0f} runs with "
        f"k <= {teacher_units / 2:g} vs {_power_of_ten(_sum(parts, 2) / n_many):.3g} over {n_many:.0f} runs "
        f"with k >= {2 * teacher_units}; {int((~finished(runs)).sum())} diverged; {method}",
    )


def _c7_text(activation: str) -> ClaimText:
    return ClaimText(
        f"C7-{activation}",
        "5.2",
        f"the excess loss has a higher variance for k near M, reduced for higher k ({activation})",
        "mean over k in [M/2, 2M] of the std (ddof=1) of log10 excess loss over repetitions, minus that std at the largest k",
        above(0.0),
    )


def spread_of_log_loss_by_k(log_losses: np.ndarray) -> np.ndarray:
    """Per column (k), the sample standard deviation (ddof = 1) of the finite entries of
    ``log_losses`` (repetitions x k); NaN where fewer than 2."""
    counts = np.isfinite(log_losses).sum(axis=0)
    # A column with fewer than 2 finite entries has no spread: NaN below, without numpy's warning.
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spreads = np.nanstd(log_losses, axis=0, ddof=1)
    return np.where(counts >= 2, spreads, np.nan)


def claim_spread_largest_near_teacher_size(
    finals: pd.DataFrame | None, teacher_units: int, activation: str
) -> ClaimResult:
    """C7 (section 5.2, figs. 4 and 5): s(k) = std(log10 L_k) over the finished repetitions (ddof = 1);
    value = mean{s(k): M/2 <= k <= 2M} - s(k_max), k_max the largest k run; bootstrap over
    repetitions. Holds if > 0.

    Not evaluated when no k in [M/2, 2M] has 2 finished repetitions, when k_max has fewer than 2,
    or when k_max itself lies in [M/2, 2M] (nothing "larger" to compare with).
    """
    text = _c7_text(activation)
    runs = None if _is_missing(finals) else finals[finals["activation"] == activation]
    if _is_missing(runs):
        return text.not_evaluated(f"no {activation} results")
    largest_k = int(runs["n_particles"].max())
    if largest_k <= 2 * teacher_units:
        return text.not_evaluated(f"the largest k run ({largest_k}) is not above 2M = {2 * teacher_units}")
    logs = np.log10(runs["excess_loss"].where(finished(runs)).astype(float))
    matrix = logs.groupby([runs["repetition"], runs["n_particles"]]).first().unstack("n_particles")
    ks = matrix.columns.to_numpy()
    window = (ks >= teacher_units / 2) & (ks <= 2 * teacher_units)
    rows = list(matrix.to_numpy())

    def statistic(chosen: list) -> float:
        spreads = spread_of_log_loss_by_k(np.array(chosen))
        near = spreads[window][np.isfinite(spreads[window])]
        return float(near.mean() - spreads[ks == largest_k][0]) if near.size else math.nan

    spreads = spread_of_log_loss_by_k(np.array(rows))
    if not np.isfinite(spreads[ks == largest_k][0]):
        return text.not_evaluated(f"fewer than 2 finished repetitions at the largest k ({largest_k})")
    if not np.isfinite(spreads[window]).any():
        return text.not_evaluated(f"no k in [{teacher_units / 2:g}, {2 * teacher_units}] with 2 finished repetitions")
    value, interval, method = _bootstrap(rows, statistic)
    near = spreads[window]
    return text.result(
        value,
        interval,
        f"mean std {np.nanmean(near):.3g} over k in {list(map(int, ks[window]))} vs std "
        f"{spreads[ks == largest_k][0]:.3g} at k = {largest_k}; {int((~finished(runs)).sum())} "
        f"diverged; {method}",
    )


# ---------------------------------------------------------------------------------------------
# Section 5.3: the initialisation scale (figs. 6 and 7)

C8_GOOD_RADIUS = 0.05
C8_LARGE_RADIUS = 10.0
C8_BEST_TEXT = ClaimText(
    "C8-best",
    "5.3",
    "the best choice of r0 seems to be 0.05",
    "geometric-mean final excess loss at r0 = 0.05 / the lowest over r0",
    at_most(2.0),
)
C8_LARGE_TEXT = ClaimText(
    "C8-large",
    "5.3",
    "for r0 = 10, training is very slow and unstable",
    "geometric-mean final excess loss at r0 = 10 / the lowest over r0",
    at_least(10.0),
)


def _radius_matrix(r0_finals: pd.DataFrame) -> tuple[np.ndarray, list[np.ndarray]]:
    """(radii, per repetition the log10 final excess loss at each radius, NaN where diverged or absent)."""
    with np.errstate(divide="ignore"):
        logs = np.log10(r0_finals["excess_loss"].where(finished(r0_finals)).astype(float))
    matrix = logs.groupby([r0_finals["repetition"], r0_finals["init_radius"]]).first().unstack("init_radius")
    return matrix.columns.to_numpy(dtype=float), list(matrix.to_numpy())


def geometric_mean_by_radius(log_losses: np.ndarray) -> np.ndarray:
    """Per radius (column), the geometric mean over the finished repetitions (rows, NaN where a run
    diverged); inf where every repetition diverged (a radius at which nothing trains is as bad as can
    be). A loss of exactly 0 (log -inf) makes the mean 0, as in :func:`convexnn.aggregation.geometric_mean`."""
    counts = (~np.isnan(log_losses)).sum(axis=0)
    with np.errstate(invalid="ignore", over="ignore"):
        means = np.nanmean(log_losses, axis=0)
        return np.where(counts > 0, np.power(10.0, means), np.inf)


def _claim_radius_ratio(r0_finals: pd.DataFrame | None, radius: float, text: ClaimText) -> ClaimResult:
    """G(radius) / min over r0 of G(r0), G the geometric-mean final excess loss (:func:`geometric_mean_by_radius`)."""
    if _is_missing(r0_finals):
        return text.not_evaluated("no r0 sweep results")
    radii, rows = _radius_matrix(r0_finals)
    at = np.isclose(radii, radius)
    if not at.any():
        return text.not_evaluated(f"no runs at r0 = {radius:g}")
    if not finished(r0_finals).any():
        return text.not_evaluated(f"every run diverged ({len(r0_finals)})")

    def statistic(chosen: list) -> float:
        means = geometric_mean_by_radius(np.array(chosen))
        if np.isinf(means.min()):
            return math.nan  # every run of the resample diverged: no radius to compare with
        # the lowest itself is 1x the lowest, even when the lowest is 0
        return 1.0 if means[at][0] == means.min() else _ratio(means[at][0], means.min())

    value, interval, method = _bootstrap(rows, statistic)
    means = geometric_mean_by_radius(np.array(rows))
    n_diverged = int((~finished(r0_finals)).sum())
    return text.result(
        value,
        interval,
        f"G(r0 = {radius:g}) = {means[at][0]:.3g}, lowest G(r0 = "
        f"{radii[np.argmin(means)]:g}) = {means.min():.3g}; {n_diverged} diverged; {method}",
    )


def claim_small_radius_best(r0_finals: pd.DataFrame | None) -> ClaimResult:
    """C8-best (section 5.3, fig. 6): G(0.05) / min over r0 of G(r0), G the geometric-mean final
    excess loss over repetitions; bootstrap over repetitions (one teacher per repetition, shared by
    every r0). Holds if <= 2.

    ``r0_finals`` has columns init_radius, repetition, excess_loss, diverged.
    """
    return _claim_radius_ratio(r0_finals, C8_GOOD_RADIUS, C8_BEST_TEXT)


def claim_large_radius_slow(r0_finals: pd.DataFrame | None) -> ClaimResult:
    """C8-large (section 5.3, fig. 6): G(10) / min over r0 of G(r0); holds if >= 10."""
    return _claim_radius_ratio(r0_finals, C8_LARGE_RADIUS, C8_LARGE_TEXT)


C9_LAZY_TEXT = ClaimText(
    "C9-lazy",
    "5.3",
    "for r0 = 10 the particles only move on lines passing at the origin (fig. 7b)",
    "median over particles of the angle between v_j(0) and v_j(T), at r0 = 10 (degrees)",
    below(5.0),
)
C9_ACTIVE_TEXT = ClaimText(
    "C9-active",
    "5.3",
    "for small r0 the particles spring out from the origin (fig. 7a)",
    "median over particles of the angle between v_j(0) and v_j(T), at r0 = 0.05 (degrees)",
    above(30.0),
)


def direction_changes_degrees(trajectory: Trajectory) -> np.ndarray:
    """Per particle, arccos(<v_j(0), v_j(T)> / (|v_j(0)| |v_j(T)|)) in degrees, on the full hidden
    vector (bias included). Particles with v_j = 0 at either end have no direction: NaN."""
    start, end = trajectory.hidden_weights[0], trajectory.hidden_weights[-1]
    norms = np.linalg.norm(start, axis=1) * np.linalg.norm(end, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosines = np.sum(start * end, axis=1) / norms
    # Rounding can push a cosine just outside [-1, 1]; clipping keeps the angle of aligned vectors 0.
    return np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0)))


def _claim_direction_change(runs: Sequence[RunTrajectory], radius: float, text: ClaimText) -> ClaimResult:
    """Median direction change over the particles of the finished runs at ``radius``, pooled;
    bootstrap over repetitions."""
    by_repetition = _trajectories_by_repetition(runs, init_radius=float(radius))
    n_diverged = sum(t.diverged for trajectories in by_repetition.values() for t in trajectories)
    per_repetition = []
    for trajectories in by_repetition.values():
        angles = np.concatenate([direction_changes_degrees(t) for t in _finished_trajectories(trajectories)] or [[]])
        if np.isfinite(angles).any():
            per_repetition.append(angles[np.isfinite(angles)])
    if not per_repetition:
        return text.not_evaluated(f"no finished run with particles at r0 = {radius:g} ({n_diverged} diverged)")
    value, interval, method = _bootstrap(per_repetition, lambda parts: float(np.median(np.concatenate(parts))))
    n_particles = sum(part.size for part in per_repetition)
    return text.result(
        value,
        interval,
        f"median {value:.3g} degrees over {n_particles} particles of "
        f"{len(per_repetition)} repetitions at r0 = {radius:g}; {n_diverged} diverged; "
        f"{method}",
    )


def claim_lazy_directions_stay(runs: Sequence[RunTrajectory], lazy_radius: float = C8_LARGE_RADIUS) -> ClaimResult:
    """C9-lazy (section 5.3, fig. 7b): median direction change at r0 = 10; holds if below 5 degrees."""
    return _claim_direction_change(runs, lazy_radius, C9_LAZY_TEXT)


def claim_active_particles_turn(runs: Sequence[RunTrajectory], active_radius: float = C8_GOOD_RADIUS) -> ClaimResult:
    """C9-active (section 5.3, fig. 7a): median direction change at r0 = 0.05; holds if above 30 degrees."""
    return _claim_direction_change(runs, active_radius, C9_ACTIVE_TEXT)


# ---------------------------------------------------------------------------------------------
# The claims each experiment decides

CLAIMS_OF_EXPERIMENT = {
    "relu_trajectories": ["C1"],
    "sigmoid_trajectories": ["C2", "C3-split", "C3-stay", "C4"],
    "overparam": ["C5", "C6-relu", "C7-relu", "C6-sigmoid", "C7-sigmoid"],
    "r0_sweep": ["C8-best", "C8-large", "C9-lazy", "C9-active"],
}


def claims_of_experiment(
    experiment: str, finals: pd.DataFrame, trajectories: Sequence[RunTrajectory], context: Mapping
) -> list[ClaimResult]:
    """The claims decided by one experiment's results, in the order of :data:`CLAIMS_OF_EXPERIMENT`.

    ``finals`` is the experiment's table of final losses (:func:`convexnn.aggregation.final_excess_losses`),
    ``trajectories`` the (labels, trajectory) of its runs that recorded one, and ``context`` the settings
    a claim needs beyond the results: ``teacher_units`` (M), fig. 3's runs ``curve_activation`` and
    ``curve_n_particles`` (C5), fig. 7's radii ``lazy_vs_active`` (C9)."""
    if experiment == "relu_trajectories":
        return [claim_relu_often_global(finals)]
    if experiment == "sigmoid_trajectories":
        small_k, large_k = int(finals["n_particles"].min()), int(finals["n_particles"].max())
        return [
            claim_sigmoid_always_global(finals, small_k, large_k),
            claim_sigmoid_signs_split(trajectories, large_k),
            claim_sigmoid_signs_stay(trajectories),
            claim_many_particles_move_slower(trajectories, small_k, large_k),
        ]
    if experiment == "overparam":
        small_k, large_k = min(context["curve_n_particles"]), max(context["curve_n_particles"])
        results = [claim_twenty_particles_reach_zero(finals, context["curve_activation"], small_k, large_k)]
        for activation in ("relu", "sigmoid"):
            results.append(claim_phase_transition(finals, context["teacher_units"], activation))
            results.append(claim_spread_largest_near_teacher_size(finals, context["teacher_units"], activation))
        return results
    if experiment == "r0_sweep":
        active_radius, lazy_radius = context["lazy_vs_active"]
        return [
            claim_small_radius_best(finals),
            claim_large_radius_slow(finals),
            claim_lazy_directions_stay(trajectories, lazy_radius),
            claim_active_particles_turn(trajectories, active_radius),
        ]
    return []


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
    counts = table["verdict"].value_counts()
    return ", ".join(f"{counts.get(verdict_name, 0)} {verdict_name}" for verdict_name in VERDICTS)
