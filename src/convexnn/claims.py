"""The report's claims (E. Berthier 2018, section 5) as checks with a verdict.

Each ``claim_*`` function takes the measured results (pandas tables of final losses, or particle
trajectories) and returns one :class:`ClaimResult`: the quantity measured, its value, the threshold
fixed in ``spec/experiments.md`` *before* looking at results, and a verdict among "holds",
"does not hold" and "not evaluated" (the data needed is missing, or there are too few runs).

Conventions shared by every check:

- A run is *finished* when it did not diverge and its loss is finite; diverged runs are never
  averaged in, they are counted in ``detail``.
- The geometric mean of losses L_1..L_n is exp((1/n) sum_i log L_i) (the report's statistic over
  repetitions, section 5.2).
- A particle is theta_j = (w_j, v_j) in R x R^(d+1), the bias being the last coordinate of v_j
  (report section 2.1; ``spec/experiments.md``, "Common model").

Nothing here reads or writes files: :mod:`convexnn.jobs.claims` does, and calls
:func:`claims_of_experiment`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from convexnn.aggregation import GLOBAL_MINIMUM_RATIO, geometric_mean

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
NOT_EVALUATED = "not evaluated"


@dataclass(frozen=True)
class ClaimResult:
    """One row of the claims table."""

    claim: str  # "C1", "C6-relu", ...
    section: str  # "5.1"
    report_words: str  # the report's words, short quote or close paraphrase
    quantity: str  # what is measured, in words
    value: float  # NaN when not evaluated
    threshold: str  # e.g. ">= 0.5 and < 1"
    verdict: str  # "holds", "does not hold" or "not evaluated"
    detail: str  # counts, the numbers compared, or what is missing


@dataclass(frozen=True)
class Trajectory:
    """Checkpoints of one training run: ``samples_seen`` (T,), ``output_weights`` w (T, k) and
    ``hidden_weights`` v (T, k, d+1), the bias being the last coordinate of v; ``diverged`` is the
    run's flag (its curve's), the one definition of a run that did not finish."""

    samples_seen: np.ndarray
    output_weights: np.ndarray
    hidden_weights: np.ndarray
    diverged: bool = False


@dataclass(frozen=True)
class _ClaimText:
    """What a claim says and how it is checked; everything in a result except the measurement."""

    claim: str
    section: str
    report_words: str
    quantity: str
    threshold: str

    def result(self, value: float, holds: bool, detail: str) -> ClaimResult:
        return ClaimResult(self.claim, self.section, self.report_words, self.quantity, float(value),
                           self.threshold, HOLDS if holds else DOES_NOT_HOLD, detail)

    def not_evaluated(self, missing: str) -> ClaimResult:
        return ClaimResult(self.claim, self.section, self.report_words, self.quantity, np.nan,
                           self.threshold, NOT_EVALUATED, missing)


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _is_missing(table: pd.DataFrame | None) -> bool:
    return table is None or len(table) == 0


def _finished_mask(table: pd.DataFrame, loss_column: str) -> pd.Series:
    """Runs that did not diverge and have a finite loss (a NaN loss is a divergence by another name)."""
    losses = table[loss_column].to_numpy(dtype=float)
    return ~table["diverged"].astype(bool) & pd.Series(np.isfinite(losses), index=table.index)


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator with IEEE semantics (x/0 = inf, 0/0 = NaN) instead of exceptions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(numerator) / np.float64(denominator))


def as_trajectory(trajectory: Trajectory | Mapping[str, np.ndarray]) -> Trajectory:
    """A :class:`Trajectory` from itself or from a dict with the same keys (``diverged`` optional)."""
    if isinstance(trajectory, Trajectory):
        return trajectory
    return Trajectory(np.asarray(trajectory["samples_seen"], dtype=float),
                      np.asarray(trajectory["output_weights"], dtype=float),
                      np.asarray(trajectory["hidden_weights"], dtype=float),
                      bool(trajectory.get("diverged", False)))


def _split_finite(trajectories: Sequence | None) -> tuple[list[Trajectory], int]:
    """The trajectories of finished runs, and the number left out as diverged. A run is finished when
    it did not diverge (its flag); weights that are not finite also mark a run that did not finish."""
    runs = [as_trajectory(t) for t in (trajectories or [])]
    finished = [t for t in runs if not t.diverged and np.isfinite(t.output_weights).all()
                and np.isfinite(t.hidden_weights).all()]
    return finished, len(runs) - len(finished)


def _particle_parameters(trajectory: Trajectory) -> np.ndarray:
    """theta_j(t) = (w_j(t), v_j(t)), shape (T, k, d+2)."""
    return np.concatenate([trajectory.output_weights[:, :, None], trajectory.hidden_weights], axis=2)


# ---------------------------------------------------------------------------------------------
# Section 5.1: the two-dimensional experiments (figs. 1 and 2)

C1_TEXT = _ClaimText(
    "C1", "5.1",
    "with r0 << r, ReLU training often reaches the global minimum, but sometimes a local minimum",
    "share of finished runs whose final test loss is below 1e-3 x their initial test loss",
    ">= 0.5 and < 1 (over >= 20 finished runs)",
)
C1_MIN_FINISHED_RUNS = 20
C1_LOSS_DROP = GLOBAL_MINIMUM_RATIO  # the same rule picks fig. 1's panels


def claim_relu_often_global(relu_scan: pd.DataFrame | None) -> ClaimResult:
    """C1 (section 5.1, fig. 1): share = #{runs: L_final < 1e-3 L_initial} / #{finished runs}.

    ``relu_scan`` has columns repetition, initial_test_loss, excess_loss (the final test loss),
    diverged. Holds if 0.5 <= share < 1: "often" the global minimum, and "sometimes" (at least once) not.
    """
    if _is_missing(relu_scan):
        return C1_TEXT.not_evaluated("no ReLU scan results")
    finished = relu_scan[_finished_mask(relu_scan, "excess_loss")]
    n_diverged = len(relu_scan) - len(finished)
    if len(finished) < C1_MIN_FINISHED_RUNS:
        return C1_TEXT.not_evaluated(
            f"only {len(finished)} finished runs ({n_diverged} diverged); at least {C1_MIN_FINISHED_RUNS} needed")
    reached = finished["excess_loss"] < C1_LOSS_DROP * finished["initial_test_loss"]
    share = float(reached.mean())
    return C1_TEXT.result(share, 0.5 <= share < 1,
                          f"{int(reached.sum())} of {len(finished)} finished runs reach the global minimum; "
                          f"{n_diverged} diverged")


C2_TEXT = _ClaimText(
    "C2", "5.1",
    "sigmoid with w(0) = 0 always converges globally, even with 3 particles",
    "largest final excess loss / zero predictor's loss over every repetition at the small and the large k",
    "< 1e-3",
)
C2_MAX_RELATIVE_EXCESS_LOSS = 1e-3


def claim_sigmoid_always_global(sigmoid_finals: pd.DataFrame | None, small_k: int, large_k: int) -> ClaimResult:
    """C2 (section 5.1, fig. 2): value = max over runs at k in {small_k, large_k} of
    excess_loss / zero_predictor_loss; a diverged run gives inf ("always" admits no exception).

    ``sigmoid_finals`` has columns n_particles, repetition, excess_loss, zero_predictor_loss, diverged.
    """
    if _is_missing(sigmoid_finals):
        return C2_TEXT.not_evaluated("no sigmoid results")
    missing = [k for k in (small_k, large_k) if not (sigmoid_finals["n_particles"] == k).any()]
    if missing:
        return C2_TEXT.not_evaluated(f"no runs at k = {', '.join(map(str, missing))}")
    runs = sigmoid_finals[sigmoid_finals["n_particles"].isin([small_k, large_k])]
    finished = _finished_mask(runs, "excess_loss")
    relative = (runs["excess_loss"] / runs["zero_predictor_loss"]).where(finished, np.inf)
    worst = float(relative.max())
    per_k = ", ".join(f"k = {k}: {int((runs['n_particles'] == k).sum())} runs, worst {relative[runs['n_particles'] == k].max():.2e}"
                      for k in (small_k, large_k))
    return C2_TEXT.result(worst, worst < C2_MAX_RELATIVE_EXCESS_LOSS,
                          f"{per_k}; {int((~finished).sum())} diverged")


C3_TEXT = _ClaimText(
    "C3", "5.1",
    "sigmoid: about half the particles get w < 0, half w > 0, and this does not change through training",
    "fraction of particles with w < 0 at the end (large k, pooled); sign flips of w after 1% of training (all runs)",
    "fraction in [0.3, 0.7] and 0 sign flips",
)
C3_FRACTION_RANGE = (0.3, 0.7)
C3_REFERENCE_SHARE_OF_TRAINING = 0.01


def _reference_checkpoint(samples_seen: np.ndarray) -> int:
    """Index of the first checkpoint at or after 1% of the final samples_seen."""
    return int(np.argmax(samples_seen >= C3_REFERENCE_SHARE_OF_TRAINING * samples_seen[-1]))


def count_sign_flips(trajectory: Trajectory) -> int:
    """Number of particles whose w takes the sign opposite to its sign at the reference checkpoint
    (first at or after 1% of training) at some later checkpoint. Particles whose reference w is exactly
    0 have no sign and are ignored; a w that merely reaches 0 has not flipped."""
    weights = trajectory.output_weights[_reference_checkpoint(trajectory.samples_seen):]
    opposite = weights * np.sign(weights[0]) < 0
    return int(opposite.any(axis=0).sum())


def claim_sigmoid_signs_split_and_stay(large_k_trajectories: Sequence | None,
                                       all_trajectories: Sequence | None) -> ClaimResult:
    """C3 (section 5.1): value = #{j: w_j(T) < 0} / #{particles}, pooled over the large-k runs.

    Holds if the value is in [0.3, 0.7] *and* no particle of any sigmoid run flips the sign of w
    after the first 1% of training (see :func:`count_sign_flips`); a flip fails the claim whatever
    the fraction.
    """
    large_k, large_k_diverged = _split_finite(large_k_trajectories)
    every_run, every_run_diverged = _split_finite(all_trajectories)
    if not large_k or not every_run:
        return C3_TEXT.not_evaluated(
            f"finished trajectories: {len(large_k)} at the large k ({large_k_diverged} diverged), "
            f"{len(every_run)} over all k ({every_run_diverged} diverged); both must be non-empty")
    final_weights = np.concatenate([t.output_weights[-1] for t in large_k])
    fraction_negative = float(np.mean(final_weights < 0))
    flips = sum(count_sign_flips(t) for t in every_run)
    low, high = C3_FRACTION_RANGE
    return C3_TEXT.result(
        fraction_negative, low <= fraction_negative <= high and flips == 0,
        f"{int((final_weights < 0).sum())} of {final_weights.size} particles with w < 0 over {len(large_k)} "
        f"large-k runs; {flips} sign flips over {len(every_run)} runs; "
        f"{large_k_diverged + every_run_diverged} diverged trajectories left out")


C4_TEXT = _ClaimText(
    "C4", "5.1",
    "when there are many particles, the weights move slower and smoother than with just a few",
    "mean path length of theta_j = (w_j, v_j) per particle over the checkpoints, large k / small k",
    "< 1",
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


def claim_many_particles_move_slower(small_k_trajectories: Sequence | None,
                                     large_k_trajectories: Sequence | None) -> ClaimResult:
    """C4 (section 5.1, figs. 2a and 2b): value = mean path length per particle at the large k divided
    by that at the small k, particles pooled over runs (:func:`particle_path_lengths`). Holds if < 1."""
    small_k, small_k_diverged = _split_finite(small_k_trajectories)
    large_k, large_k_diverged = _split_finite(large_k_trajectories)
    if not small_k or not large_k:
        return C4_TEXT.not_evaluated(
            f"finished trajectories: {len(small_k)} at the small k ({small_k_diverged} diverged), "
            f"{len(large_k)} at the large k ({large_k_diverged} diverged); both must be non-empty")
    mean_small = float(np.concatenate([particle_path_lengths(t) for t in small_k]).mean())
    mean_large = float(np.concatenate([particle_path_lengths(t) for t in large_k]).mean())
    ratio = _ratio(mean_large, mean_small)
    # Path lengths depend on how often checkpoints are taken: say whether the two sets can be compared.
    schedule = "same checkpoints" if _same_schedule(small_k + large_k) else "DIFFERENT checkpoint schedules"
    return C4_TEXT.result(ratio, ratio < 1,
                          f"mean path length {mean_large:.3g} at the large k ({len(large_k)} runs) vs "
                          f"{mean_small:.3g} at the small k ({len(small_k)} runs); {schedule}; "
                          f"{small_k_diverged + large_k_diverged} diverged left out")


# ---------------------------------------------------------------------------------------------
# Section 5.2: over-parametrisation (figs. 3 to 5)

C5_TEXT = _ClaimText(
    "C5", "5.2",
    "k = 20 converges to (near) zero loss, k = 5 to a non-zero loss (fig. 3)",
    "final test loss at k = 5 / final test loss at k = 20",
    ">= 100",
)
C5_MIN_RATIO = 100


def claim_twenty_particles_reach_zero(loss_small_k: float | None, loss_large_k: float | None,
                                      diverged_small_k: bool = False, diverged_large_k: bool = False) -> ClaimResult:
    """C5 (section 5.2, fig. 3): value = L_final(k = 5) / L_final(k = 20); holds if >= 100.

    A missing loss (None) leaves the claim not evaluated; a NaN/infinite loss or a diverged run
    makes it not hold: a diverged run did not converge to anything.
    """
    if loss_small_k is None or loss_large_k is None:
        missing = [name for name, loss in (("k = 5", loss_small_k), ("k = 20", loss_large_k)) if loss is None]
        return C5_TEXT.not_evaluated(f"no final test loss at {' and '.join(missing)}")
    ratio = _ratio(loss_small_k, loss_large_k)
    compared = f"final test loss {loss_small_k:.3g} at k = 5 vs {loss_large_k:.3g} at k = 20"
    broken = [name for name, loss, diverged in (("k = 5", loss_small_k, diverged_small_k),
                                                ("k = 20", loss_large_k, diverged_large_k))
              if diverged or not np.isfinite(loss)]
    if broken:
        return C5_TEXT.result(ratio, False, f"{compared}; diverged or non-finite at {' and '.join(broken)}")
    return C5_TEXT.result(ratio, ratio >= C5_MIN_RATIO, compared)


C6_MIN_RATIO = 100


def _c6_text(activation: str) -> _ClaimText:
    return _ClaimText(
        f"C6-{activation}", "5.2",
        f"a fall in the loss for k around M, like a phase transition ({activation}, fig. {4 if activation == 'relu' else 5})",
        "geometric-mean excess loss over finished runs with k <= M/2, divided by that with k >= 2M",
        ">= 100",
    )


def _runs_of(finals: pd.DataFrame, activation: str) -> pd.DataFrame:
    return finals[finals["activation"] == activation]


def claim_phase_transition(finals: pd.DataFrame | None, teacher_units: int, activation: str) -> ClaimResult:
    """C6 (section 5.2, figs. 4 and 5): value = GM{L: k <= M/2} / GM{L: k >= 2M}, L the final excess
    loss of the finished runs of ``activation``, GM the geometric mean. Holds if >= 100.

    ``finals`` has columns activation, n_particles, repetition, excess_loss, diverged.
    """
    text = _c6_text(activation)
    runs = None if _is_missing(finals) else _runs_of(finals, activation)
    if _is_missing(runs):
        return text.not_evaluated(f"no {activation} results")
    finished = runs[_finished_mask(runs, "excess_loss")]
    few = finished[finished["n_particles"] <= teacher_units / 2]["excess_loss"].to_numpy(dtype=float)
    many = finished[finished["n_particles"] >= 2 * teacher_units]["excess_loss"].to_numpy(dtype=float)
    if few.size == 0 or many.size == 0:
        return text.not_evaluated(
            f"finished runs: {few.size} with k <= {teacher_units / 2:g}, {many.size} with k >= {2 * teacher_units}; "
            "both must be non-empty")
    ratio = _ratio(geometric_mean(few), geometric_mean(many))
    return text.result(ratio, ratio >= C6_MIN_RATIO,
                       f"geometric mean {geometric_mean(few):.3g} over {few.size} runs with k <= {teacher_units / 2:g} vs "
                       f"{geometric_mean(many):.3g} over {many.size} runs with k >= {2 * teacher_units}; "
                       f"{len(runs) - len(finished)} diverged")


def _c7_text(activation: str) -> _ClaimText:
    return _ClaimText(
        f"C7-{activation}", "5.2",
        f"the excess loss has a higher variance for k near M, reduced for higher k ({activation})",
        "mean over k in [M/2, 2M] of the std (ddof=1) of log10 excess loss over repetitions, minus that std at the largest k",
        "> 0",
    )


def spread_of_log_loss_by_k(finished_runs: pd.DataFrame) -> pd.Series:
    """Per k, the sample standard deviation (ddof = 1) of log10 excess_loss over finished repetitions;
    k with fewer than 2 repetitions are dropped."""
    log_losses = np.log10(finished_runs["excess_loss"].astype(float))
    counts = log_losses.groupby(finished_runs["n_particles"]).count()
    spreads = log_losses.groupby(finished_runs["n_particles"]).std(ddof=1)
    return spreads[counts >= 2]


def claim_spread_largest_near_teacher_size(finals: pd.DataFrame | None, teacher_units: int, activation: str) -> ClaimResult:
    """C7 (section 5.2, figs. 4 and 5): s(k) = std(log10 L_k) over finished repetitions (ddof = 1);
    value = mean{s(k): M/2 <= k <= 2M} - s(k_max), k_max the largest k run. Holds if > 0.

    Not evaluated when no k in [M/2, 2M] has 2 finished repetitions, when k_max has fewer than 2,
    or when k_max itself lies in [M/2, 2M] (nothing "larger" to compare with).
    """
    text = _c7_text(activation)
    runs = None if _is_missing(finals) else _runs_of(finals, activation)
    if _is_missing(runs):
        return text.not_evaluated(f"no {activation} results")
    finished = runs[_finished_mask(runs, "excess_loss")]
    spreads = spread_of_log_loss_by_k(finished)
    largest_k = runs["n_particles"].max()
    if largest_k <= 2 * teacher_units:
        return text.not_evaluated(f"the largest k run ({largest_k}) is not above 2M = {2 * teacher_units}")
    if largest_k not in spreads.index:
        return text.not_evaluated(f"fewer than 2 finished repetitions at the largest k ({largest_k})")
    near_teacher = spreads[(spreads.index >= teacher_units / 2) & (spreads.index <= 2 * teacher_units)]
    if near_teacher.empty:
        return text.not_evaluated(f"no k in [{teacher_units / 2:g}, {2 * teacher_units}] with 2 finished repetitions")
    difference = float(near_teacher.mean() - spreads[largest_k])
    return text.result(difference, difference > 0,
                       f"mean std {near_teacher.mean():.3g} over k in {list(map(int, near_teacher.index))} vs "
                       f"std {spreads[largest_k]:.3g} at k = {largest_k}; {len(runs) - len(finished)} diverged")


# ---------------------------------------------------------------------------------------------
# Section 5.3: the initialisation scale (figs. 6 and 7)

C8_TEXT = _ClaimText(
    "C8", "5.3",
    "the best choice of r0 seems to be 0.05; for r0 = 10, training is very slow and unstable",
    "geometric-mean final excess loss at r0 = 0.05 / the best over r0 (and at r0 = 10 / the best)",
    "<= 2, and >= 10 for r0 = 10",
)
C8_GOOD_RADIUS = 0.05
C8_LARGE_RADIUS = 10.0
C8_MAX_RATIO_GOOD = 2
C8_MIN_RATIO_LARGE = 10


def geometric_mean_by_radius(r0_finals: pd.DataFrame) -> pd.Series:
    """Per init_radius, the geometric mean of excess_loss over finished repetitions; inf when every
    repetition diverged (a radius at which nothing trains is as bad as can be)."""
    finished = r0_finals[_finished_mask(r0_finals, "excess_loss")]
    by_radius = finished.groupby("init_radius")["excess_loss"].apply(geometric_mean)
    return by_radius.reindex(np.sort(r0_finals["init_radius"].unique()), fill_value=np.inf)


def _at_radius(by_radius: pd.Series, radius: float) -> float | None:
    matches = by_radius[np.isclose(by_radius.index.to_numpy(dtype=float), radius)]
    return None if matches.empty else float(matches.iloc[0])


def claim_small_radius_best(r0_finals: pd.DataFrame | None) -> ClaimResult:
    """C8 (section 5.3, fig. 6): with G(r0) the geometric-mean final excess loss and
    G* = min over r0 of G(r0), value = G(0.05) / G*. Holds if G(0.05) / G* <= 2 and G(10) / G* >= 10.

    ``r0_finals`` has columns init_radius, repetition, excess_loss, diverged.
    """
    if _is_missing(r0_finals):
        return C8_TEXT.not_evaluated("no r0 sweep results")
    by_radius = geometric_mean_by_radius(r0_finals)
    good, large = _at_radius(by_radius, C8_GOOD_RADIUS), _at_radius(by_radius, C8_LARGE_RADIUS)
    if good is None or large is None:
        absent = [f"r0 = {r:g}" for r, g in ((C8_GOOD_RADIUS, good), (C8_LARGE_RADIUS, large)) if g is None]
        return C8_TEXT.not_evaluated(f"no runs at {' and '.join(absent)}")
    best_radius = by_radius.idxmin()
    best = float(by_radius.min())
    ratio_good, ratio_large = _ratio(good, best), _ratio(large, best)
    n_diverged = int((~_finished_mask(r0_finals, "excess_loss")).sum())
    return C8_TEXT.result(ratio_good, ratio_good <= C8_MAX_RATIO_GOOD and ratio_large >= C8_MIN_RATIO_LARGE,
                          f"best r0 = {best_radius:g} (geometric mean {best:.3g}); G(0.05)/best = {ratio_good:.3g}, "
                          f"G(10)/best = {ratio_large:.3g}; {n_diverged} diverged")


C9_TEXT = _ClaimText(
    "C9", "5.3",
    "for r0 = 10 the particles only move on lines passing at the origin; for small r0 they spring out (fig. 7)",
    "median over particles of the angle between v_j(0)/|v_j(0)| and v_j(T)/|v_j(T)|, at r0 = 10 (and at r0 = 0.05)",
    "< 5 degrees at r0 = 10 and > 30 degrees at r0 = 0.05",
)
C9_MAX_LAZY_ANGLE = 5.0
C9_MIN_ACTIVE_ANGLE = 30.0


def direction_changes_degrees(trajectory: Trajectory) -> np.ndarray:
    """Per particle, arccos(<v_j(0), v_j(T)> / (|v_j(0)| |v_j(T)|)) in degrees, on the full hidden
    vector (bias included). Particles with v_j = 0 at either end have no direction: NaN."""
    start, end = trajectory.hidden_weights[0], trajectory.hidden_weights[-1]
    norms = np.linalg.norm(start, axis=1) * np.linalg.norm(end, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosines = np.sum(start * end, axis=1) / norms
    # Rounding can push a cosine just outside [-1, 1]; clipping keeps the angle of aligned vectors 0.
    return np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0)))


def _pooled_direction_changes(trajectories: list[Trajectory]) -> np.ndarray:
    angles = np.concatenate([direction_changes_degrees(t) for t in trajectories]) if trajectories else np.array([])
    return angles[np.isfinite(angles)]


def claim_lazy_versus_active(large_radius_trajectories: Sequence | None,
                             small_radius_trajectories: Sequence | None) -> ClaimResult:
    """C9 (section 5.3, fig. 7): value = median direction change (:func:`direction_changes_degrees`)
    over particles pooled over the runs at r0 = 10. Holds if it is < 5 degrees and the same median at
    r0 = 0.05 is > 30 degrees."""
    lazy, lazy_diverged = _split_finite(large_radius_trajectories)
    active, active_diverged = _split_finite(small_radius_trajectories)
    lazy_angles, active_angles = _pooled_direction_changes(lazy), _pooled_direction_changes(active)
    if lazy_angles.size == 0 or active_angles.size == 0:
        return C9_TEXT.not_evaluated(
            f"particles with a direction: {lazy_angles.size} at r0 = 10 ({lazy_diverged} diverged runs), "
            f"{active_angles.size} at r0 = 0.05 ({active_diverged} diverged runs); both must be non-empty")
    lazy_median, active_median = float(np.median(lazy_angles)), float(np.median(active_angles))
    return C9_TEXT.result(lazy_median, lazy_median < C9_MAX_LAZY_ANGLE and active_median > C9_MIN_ACTIVE_ANGLE,
                          f"median {lazy_median:.3g} degrees at r0 = 10 ({lazy_angles.size} particles, {len(lazy)} runs) vs "
                          f"{active_median:.3g} degrees at r0 = 0.05 ({active_angles.size} particles, {len(active)} runs); "
                          f"{lazy_diverged + active_diverged} diverged left out")


# ---------------------------------------------------------------------------------------------
# Tables

CLAIM_COLUMNS = [field.name for field in fields(ClaimResult)]


def claims_table(results: list[ClaimResult]) -> pd.DataFrame:
    """One row per claim, columns in the order of the fields of :class:`ClaimResult`."""
    return pd.DataFrame([[getattr(result, column) for column in CLAIM_COLUMNS] for result in results],
                        columns=CLAIM_COLUMNS)


def _values_agree(current: float, reference: float, tolerance: float) -> bool:
    """|current - reference| <= tolerance, where NaN equals NaN and inf equals an inf of the same sign."""
    if np.isnan(current) or np.isnan(reference):
        return bool(np.isnan(current) and np.isnan(reference))
    if np.isinf(current) or np.isinf(reference):
        return current == reference
    return abs(current - reference) <= tolerance


def compare_with_reference(current: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """Problems found comparing a claims table with a reference one (empty list: they agree).

    ``reference`` has the columns of :func:`claims_table` plus ``tolerance``, the allowed absolute
    difference of ``value`` (a missing tolerance means 0). A problem is a reference claim missing from
    ``current``, a different verdict, or a value further than the tolerance from the reference value.
    Claims present only in ``current`` are not problems.
    """
    current_by_claim = current.set_index("claim")
    problems = []
    for row in reference.itertuples(index=False):
        if row.claim not in current_by_claim.index:
            problems.append(f"{row.claim}: in the reference (verdict {row.verdict!r}, value {row.value:.2e}) "
                            "but missing from the current table")
            continue
        now = current_by_claim.loc[row.claim]
        value, verdict = float(now["value"]), now["verdict"]
        tolerance = 0.0 if pd.isna(row.tolerance) else float(row.tolerance)
        if verdict != row.verdict:
            problems.append(f"{row.claim}: verdict {verdict!r} (value {value:.2e}) differs from reference "
                            f"verdict {row.verdict!r} (value {float(row.value):.2e})")
        if not _values_agree(value, float(row.value), tolerance):
            problems.append(f"{row.claim}: value {value:.2e} differs from reference {float(row.value):.2e} by more "
                            f"than the tolerance {tolerance:.2e} (verdict {verdict!r}, reference {row.verdict!r})")
    return problems


def format_claims(table: pd.DataFrame) -> str:
    """A plain-text, fixed-width table of claim, verdict, value, threshold and quantity for a terminal."""
    columns = ["claim", "verdict", "value", "threshold", "quantity"]
    cells = [[str(row.claim), str(row.verdict), f"{row.value:.3g}", str(row.threshold), str(row.quantity)]
             for row in table.itertuples(index=False)]
    widths = [max([len(column)] + [len(line[i]) for line in cells]) for i, column in enumerate(columns)]
    lines = [columns, ["-" * width for width in widths]] + cells
    # The last column is not padded so that lines carry no trailing blanks.
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line[:-1], widths)) + "  " + line[-1]
                     for line in lines)


# ---------------------------------------------------------------------------------------------
# The claims each experiment decides


def _final_loss(finals: pd.DataFrame, **where) -> tuple[float | None, bool]:
    """(final test loss, diverged) of the one run of ``finals`` matching ``where``; (None, False) if none."""
    rows = finals
    for key, value in where.items():
        rows = rows[rows[key] == value]
    if rows.empty:
        return None, False
    return float(rows["excess_loss"].iloc[0]), bool(rows["diverged"].iloc[0])


def claims_of_experiment(experiment: str, finals: pd.DataFrame, trajectories: Sequence[tuple[dict, Trajectory]],
                         context: Mapping) -> list[ClaimResult]:
    """The claims decided by one experiment's results.

    ``finals`` is the experiment's table of final losses (:func:`convexnn.aggregation.final_excess_losses`),
    ``trajectories`` the (labels, trajectory) of its runs that recorded one, and ``context`` the settings
    a claim needs beyond the results: ``teacher_units`` (M), fig. 3's runs ``curve_activation``,
    ``curve_n_particles`` and ``curve_repetition`` (C5), fig. 7's radii ``lazy_vs_active`` (C9)."""
    if experiment == "relu_trajectories":
        return [claim_relu_often_global(finals)]
    if experiment == "sigmoid_trajectories":
        by_k: dict[int, list[Trajectory]] = {}
        for labels, trajectory in trajectories:
            by_k.setdefault(int(labels["n_particles"]), []).append(trajectory)
        small_k, large_k = min(finals["n_particles"]), max(finals["n_particles"])
        return [
            claim_sigmoid_always_global(finals, small_k, large_k),
            claim_sigmoid_signs_split_and_stay(by_k.get(large_k, []), [run for runs in by_k.values() for run in runs]),
            claim_many_particles_move_slower(by_k.get(small_k, []), by_k.get(large_k, [])),
        ]
    if experiment == "overparam":
        fewest, most = min(context["curve_n_particles"]), max(context["curve_n_particles"])
        common = {"activation": context["curve_activation"], "repetition": context["curve_repetition"]}
        (loss_small, diverged_small), (loss_large, diverged_large) = (
            _final_loss(finals, n_particles=k, **common) for k in (fewest, most))
        results = [claim_twenty_particles_reach_zero(loss_small, loss_large, diverged_small, diverged_large)]
        for activation in sorted(finals["activation"].unique(), key=["relu", "sigmoid"].index):
            results.append(claim_phase_transition(finals, context["teacher_units"], activation))
            results.append(claim_spread_largest_near_teacher_size(finals, context["teacher_units"], activation))
        return results
    if experiment == "r0_sweep":
        active_radius, lazy_radius = context["lazy_vs_active"]
        at_radius = {radius: [t for labels, t in trajectories if np.isclose(labels["init_radius"], radius)]
                     for radius in (active_radius, lazy_radius)}
        return [claim_small_radius_best(finals),
                claim_lazy_versus_active(at_radius[lazy_radius], at_radius[active_radius])]
    return []


def summary_line(table: pd.DataFrame) -> str:
    """How many claims hold, do not hold, are not evaluated."""
    counts = table["verdict"].value_counts()
    return ", ".join(f"{counts.get(verdict, 0)} {verdict}" for verdict in (HOLDS, DOES_NOT_HOLD, NOT_EVALUATED))
