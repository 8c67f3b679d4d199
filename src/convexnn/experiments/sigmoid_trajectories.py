"""Report 5.1, fig. 2 and claims C2-C4: sigmoid particles with w(0) = 0, inputs on the unit circle.

"With sigmoid and w(0) = 0 we always got convergence to the global minimum, even with 3 particles";
about half the particles get w < 0 and half w > 0, and the signs do not change; with many particles
the weights move slower and smoother. Every (k, repetition) keeps its trajectory (the claims measure
them); fig. 2 draws repetition 0 at each k, as the report shows one run of each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from convexnn.aggregation import finished
from convexnn.claims import (
    ClaimResult,
    ClaimText,
    RunTrajectory,
    Trajectory,
    as_trajectory,
    bootstrap,
    count_diverged,
    finished_trajectories,
    is_missing,
    part_sum,
    particle_parameters,
    safe_ratio,
    trajectories_by_repetition,
)
from convexnn.experiments.base import Experiment, Figure
from convexnn.experiments.grid import report_teacher, symmetric_init_problems, training_settings
from convexnn.intervals import Region, at_least, at_most, below, clopper_pearson
from convexnn.plotting import FULL_WIDTH, new_panels, statement

NAME = "sigmoid_trajectories"
# The report shows one run of each k; the claims use every repetition.
FIGURE_REPETITION = 0


def build(config: dict, builder) -> None:
    """(k, repetition), all with trajectories; one teacher per repetition shared by both k."""
    section = config[NAME]
    for repetition in range(section["repetitions"]):
        teacher = report_teacher(builder, section, "sigmoid", repetition)
        for k in section["n_particles"]:
            settings = training_settings(section, "sigmoid", k, record_trajectory=True)
            builder.run(
                teacher,
                [f"k{k}"],
                {"n_particles": k},
                {"activation": "sigmoid", "n_particles": k},
                repetition,
                settings,
            )


# A run "converges globally" when its final excess loss is below this fraction of the zero
# predictor's loss (fixed before any result was seen).
C2_CONVERGED_RATIO = 1e-3
# "Always": at least 9 runs in 10 converge. The share's exact interval must lie above it to hold,
# below it not to hold (fixed from the report's word, not from the data).
C2_ALWAYS_SHARE = 0.9
C2_MIN_REPETITIONS = 3

C2_TEXT = ClaimText(
    "C2",
    "5.1",
    "sigmoid with w(0) = 0 always converges globally, even with 3 particles",
    f"share of finished runs at the small and the large k whose final excess loss is below "
    f"{C2_CONVERGED_RATIO:g} x the zero predictor's loss",
    at_least(C2_ALWAYS_SHARE),
)


def claim_sigmoid_always_global(sigmoid_finals: pd.DataFrame | None, small_k: int, large_k: int) -> ClaimResult:
    """C2 (section 5.1, fig. 2): value = the share of finished runs at k in {small_k, large_k} whose
    excess_loss / zero_predictor_loss is below C2_CONVERGED_RATIO, with its exact (Clopper-Pearson)
    binomial interval; holds if the interval lies at or above C2_ALWAYS_SHARE ("always"), does not
    hold if it lies below. (A bootstrap of the largest loss cannot serve: its upper end never exceeds
    the largest loss observed.) The runs at the two k of one repetition share a teacher, so they are
    not fully independent; each has its own initialisation and samples. A diverged run (a numerical
    failure of the step, not a local minimum) is left out and counted, as in every claim; with no
    finished run at one of the two k, or fewer than C2_MIN_REPETITIONS repetitions, the claim is not
    evaluated.

    ``sigmoid_finals`` has columns n_particles, repetition, excess_loss, zero_predictor_loss, diverged.
    """
    if is_missing(sigmoid_finals):
        return C2_TEXT.not_evaluated("no sigmoid results")
    everything = sigmoid_finals[sigmoid_finals["n_particles"].isin([small_k, large_k])]
    runs = everything[finished(everything)]
    n_diverged = len(everything) - len(runs)
    missing = [k for k in (small_k, large_k) if not (runs["n_particles"] == k).any()]
    if missing:
        return C2_TEXT.not_evaluated(f"no finished run at k = {', '.join(map(str, missing))} ({n_diverged} diverged)")
    n_repetitions = runs["repetition"].nunique()
    if n_repetitions < C2_MIN_REPETITIONS:
        return C2_TEXT.not_evaluated(f"{n_repetitions} repetitions, at least {C2_MIN_REPETITIONS} needed")
    relative = runs["excess_loss"] / runs["zero_predictor_loss"]
    converged = relative < C2_CONVERGED_RATIO
    per_k = ", ".join(
        f"k = {k}: {int(converged[runs['n_particles'] == k].sum())} of {int((runs['n_particles'] == k).sum())} "
        f"converge, worst {relative[runs['n_particles'] == k].max():.2e}"
        for k in (small_k, large_k)
    )
    successes = int(converged.sum())
    return C2_TEXT.result(
        successes / len(runs),
        clopper_pearson(successes, len(runs)),
        f"{per_k}; {n_diverged} diverged; exact binomial interval",
    )


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
    every_run = trajectories_by_repetition(runs, n_particles=large_k)
    n_diverged = count_diverged(every_run)
    by_repetition = {repetition: finished_trajectories(trajectories) for repetition, trajectories in every_run.items()}
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
    value, interval, method = bootstrap(per_repetition, lambda parts: part_sum(parts, 0) / part_sum(parts, 1))
    negative, total = part_sum(per_repetition, 0), part_sum(per_repetition, 1)
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
    every_run = trajectories_by_repetition(runs)
    n_diverged = count_diverged(every_run)
    by_repetition = {repetition: finished_trajectories(trajectories) for repetition, trajectories in every_run.items()}
    per_repetition = [
        (sum(count_sign_flips(t) for t in trajectories), sum(t.output_weights.shape[1] for t in trajectories))
        for trajectories in by_repetition.values()
        if trajectories
    ]
    if not per_repetition:
        return C3_STAY_TEXT.not_evaluated(f"no finished sigmoid run with a trajectory ({n_diverged} diverged)")
    value, interval, method = bootstrap(per_repetition, lambda parts: part_sum(parts, 0) / part_sum(parts, 1))
    n_runs = sum(len(trajectories) for trajectories in by_repetition.values())
    return C3_STAY_TEXT.result(
        value,
        interval,
        f"{part_sum(per_repetition, 0):.0f} sign flips among "
        f"{part_sum(per_repetition, 1):.0f} particles of {n_runs} finished runs; "
        f"{n_diverged} diverged; {method}",
    )


C3_LINES_DEGREES = 10.0
C3_LINES_TEXT = ClaimText(
    "C3-lines",
    "5.1",
    "all particles are on the black lines, and those that are not have an output weight w vanishing to zero",
    f"share of the total |w| carried by particles whose direction v[:2] is within {C3_LINES_DEGREES:g} degrees of a "
    "teacher line, pooled over the runs at the large k",
    at_least(0.9),
)


def angle_to_lines_degrees(directions: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Per row of ``directions`` (k, 2), the smallest angle in degrees to any of the lines through the
    origin spanned by the rows of ``lines`` (M, 2): a line has no orientation, so the angle is at most
    90 degrees. A zero direction has no angle: NaN."""
    unit = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    unit_lines = lines / np.linalg.norm(lines, axis=1, keepdims=True)
    with np.errstate(invalid="ignore"):
        cosines = np.abs(unit @ unit_lines.T)
    return np.degrees(np.arccos(np.clip(cosines.max(axis=1), 0.0, 1.0)))


def share_on_teacher_lines(trajectory: Trajectory, degrees: float = C3_LINES_DEGREES) -> tuple[float, float]:
    """(sum of |w_j| over the particles within ``degrees`` of a teacher line at the end, sum of |w_j|):
    the plane of fig. 2 is v[:2], the bias left out as in the figure."""
    weights = np.abs(trajectory.output_weights[-1])
    angles = angle_to_lines_degrees(trajectory.hidden_weights[-1][:, :2], trajectory.teacher_hidden_weights[:, :2])
    return float(weights[angles <= degrees].sum()), float(weights.sum())


def claim_particles_on_teacher_lines(runs: Sequence[RunTrajectory], large_k: int) -> ClaimResult:
    """C3-lines (section 5.1, fig. 2): value = sum |w_j| over particles within 10 degrees of a teacher
    line / sum |w_j|, at the end of the finished runs at the large k, pooled; bootstrap over
    repetitions. Holds if >= 0.9: the particles off the lines carry at most a tenth of the weight."""
    every_run = trajectories_by_repetition(runs, n_particles=large_k)
    diverged = count_diverged(every_run)
    per_repetition = []
    for trajectories in every_run.values():
        done = [t for t in finished_trajectories(trajectories) if t.teacher_hidden_weights is not None]
        parts = [share_on_teacher_lines(t) for t in done]
        if parts:
            per_repetition.append((sum(p[0] for p in parts), sum(p[1] for p in parts)))
    if not per_repetition:
        return C3_LINES_TEXT.not_evaluated(
            f"no finished run with its teacher at the large k = {large_k} ({diverged} diverged)"
        )
    value, interval, method = bootstrap(per_repetition, lambda parts: part_sum(parts, 0) / part_sum(parts, 1))
    return C3_LINES_TEXT.result(
        value,
        interval,
        f"|w| on the lines {part_sum(per_repetition, 0):.3g} of {part_sum(per_repetition, 1):.3g} at k = {large_k} "
        f"over {len(per_repetition)} repetitions; {diverged} diverged; {method}",
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
    steps = np.diff(particle_parameters(trajectory), axis=0)
    return np.linalg.norm(steps, axis=2).sum(axis=0)


def _same_schedule(runs: list[Trajectory]) -> bool:
    first = runs[0].samples_seen
    return all(t.samples_seen.shape == first.shape and np.array_equal(t.samples_seen, first) for t in runs)


def claim_many_particles_move_slower(runs: Sequence[RunTrajectory], small_k: int, large_k: int) -> ClaimResult:
    """C4 (section 5.1, figs. 2a and 2b): value = mean path length per particle at the large k divided
    by that at the small k, particles pooled over the finished runs (:func:`particle_path_lengths`);
    bootstrap over repetitions (both k of a repetition share its teacher). Holds if below 1."""
    small = trajectories_by_repetition(runs, n_particles=small_k)
    large = trajectories_by_repetition(runs, n_particles=large_k)
    n_diverged = count_diverged(small) + count_diverged(large)
    per_repetition = []
    for repetition in sorted(set(small) & set(large)):
        lengths = [
            np.concatenate([particle_path_lengths(t) for t in finished_trajectories(trajectories)] or [[]])
            for trajectories in (small[repetition], large[repetition])
        ]
        if lengths[0].size and lengths[1].size:
            per_repetition.append((lengths[0].sum(), lengths[0].size, lengths[1].sum(), lengths[1].size))
    if not per_repetition:
        return C4_TEXT.not_evaluated(
            f"no repetition with finished runs at both k = {small_k} and k = {large_k} ({n_diverged} diverged)"
        )

    def statistic(parts: list) -> float:
        return safe_ratio(part_sum(parts, 2) / part_sum(parts, 3), part_sum(parts, 0) / part_sum(parts, 1))

    value, interval, method = bootstrap(per_repetition, statistic)
    everything = [as_trajectory(t) for _, t in runs]
    schedule = "same checkpoints" if _same_schedule(everything) else "DIFFERENT checkpoint schedules"
    return C4_TEXT.result(
        value,
        interval,
        f"mean path length {part_sum(per_repetition, 2) / part_sum(per_repetition, 3):.3g} "
        f"at k = {large_k} vs {part_sum(per_repetition, 0) / part_sum(per_repetition, 1):.3g} "
        f"at k = {small_k}; {schedule}; {n_diverged} diverged; {method}",
    )


def claims(finals: pd.DataFrame, trajectories: Sequence[RunTrajectory], context: Mapping) -> list[ClaimResult]:
    """C2-C4 at the grid's two k: the smallest ("even with 3 particles") and the largest ("many")."""
    small_k, large_k = int(finals["n_particles"].min()), int(finals["n_particles"].max())
    return [
        claim_sigmoid_always_global(finals, small_k, large_k),
        claim_sigmoid_signs_split(trajectories, large_k),
        claim_sigmoid_signs_stay(trajectories),
        claim_particles_on_teacher_lines(trajectories, large_k),
        claim_many_particles_move_slower(trajectories, small_k, large_k),
    ]


SIGMOID_MARKER_AREA = 120  # points^2 of the particle with the largest final |w| of the figure


def draw_sigmoid_trajectories(axis: plt.Axes, trajectory: dict, title: str, largest: float) -> None:
    """Report fig. 2: particles at v_j[:2] (bias not drawn), trajectories in grey, final position with
    area proportional to |w_j| / ``largest`` (one scale for every panel) in red for w_j >= 0 and blue
    for w_j < 0; teacher directions as solid black lines through the origin, with the band of
    C3_LINES_DEGREES around each (what claim C3-lines counts as "on the line"). The legend entries
    (one key for every panel, the marker sizes included) are the labelled artists of this axis."""
    hidden = trajectory["hidden_weights"][..., :2]
    for particle in range(hidden.shape[1]):
        axis.plot(hidden[:, particle, 0], hidden[:, particle, 1], color="0.7", lw=0.5, zorder=1)
    final_output = trajectory["output_weights"][-1]
    sizes = SIGMOID_MARKER_AREA * np.abs(final_output) / largest
    for sign, colour, label in [
        (final_output >= 0, "tab:red", "$w_j \\geq 0$ at the end"),
        (final_output < 0, "tab:blue", "$w_j < 0$ at the end"),
    ]:
        axis.scatter(
            hidden[-1, sign, 0], hidden[-1, sign, 1], s=sizes[sign] + 1, color=colour, alpha=0.8, zorder=3, label=label
        )
    reach = 1.5 * max(np.abs(hidden).max(), 1e-12)
    for direction in trajectory["teacher_hidden_weights"][:, :2]:
        axis.axline((0.0, 0.0), tuple(direction), color="black", lw=1.0, zorder=2)
        angle = np.arctan2(direction[1], direction[0])
        for side in (0.0, np.pi):  # the band on both halves of the line
            spread = np.radians(C3_LINES_DEGREES)
            corners = [angle + side - spread, angle + side + spread]
            wedge = np.array([[0.0, 0.0]] + [[reach * np.cos(a), reach * np.sin(a)] for a in corners])
            axis.fill(wedge[:, 0], wedge[:, 1], color="0.2", alpha=0.08, lw=0, zorder=0)
    axis.plot([], [], color="black", lw=1.0, label="teacher directions")
    axis.fill([], [], color="0.2", alpha=0.15, lw=0, label=f"within {C3_LINES_DEGREES:g} degrees\n(claim C3-lines)")
    for fraction in (1.0, 0.5, 0.1):  # the marker-size key, one for both panels
        axis.scatter(
            [],
            [],
            s=SIGMOID_MARKER_AREA * fraction + 1,
            color="0.5",
            alpha=0.6,
            label=f"$|w_j|$ = {fraction * largest:.2g}",
        )
    axis.set_xlabel("$v_j[1]$", labelpad=1)
    axis.set_ylabel("$v_j[2]$", labelpad=1)
    axis.set_title(title, fontsize=7, loc="left")
    axis.set_aspect("equal", adjustable="datalim")


def plot_sigmoid_trajectory_panels(panels: list[tuple[str, dict]]) -> plt.Figure:
    """Fig. 2's panels side by side at the full page width, their marker sizes on one scale (the
    largest final |w| of all) and one legend, its size key included, for both."""
    figure, axes = new_panels(FULL_WIDTH, 3.2, 1, len(panels))
    drawn = [trajectory for _, trajectory in panels if not trajectory.get("diverged", False)]
    largest = max([np.abs(t["output_weights"][-1]).max() for t in drawn] + [1e-300])
    legend_axis = None
    for axis, (title, trajectory) in zip(axes[0], panels):
        if trajectory.get("diverged", False):
            statement(axis, f"{title}\nthis run DIVERGED: its particles are not drawn")
        else:
            draw_sigmoid_trajectories(axis, trajectory, title, largest)
            legend_axis = legend_axis or axis
    if legend_axis is not None:
        handles, labels = legend_axis.get_legend_handles_labels()
        figure.legend(
            handles, labels, loc="outside right upper", frameon=False, labelspacing=0.9, title="key, both panels"
        )
    return figure


def _fig2_inputs(view) -> dict[str, list[str]]:
    ks = view.section(NAME)["n_particles"]
    return {
        "trajectories": [view.runs(NAME, n_particles=k, repetition=FIGURE_REPETITION)[0].particles_path for k in ks]
    }


def _fig2_settings(view) -> dict:
    return {"n_particles": view.section(NAME)["n_particles"]}


def _draw_fig2(data, settings: dict):
    """Report fig. 2: one panel per k (repetition 0)."""
    panels = []
    for letter, k, trajectory in zip("ab", settings["n_particles"], data.particles("trajectories")):
        on_lines, total = share_on_teacher_lines(as_trajectory(trajectory))
        negative = int((trajectory["output_weights"][-1] < 0).sum())
        title = (
            f"({letter}) $k$ = {k} particles, final test loss {trajectory['test_loss'][-1]:.1e}\n"
            f"{k - negative} with $w_j \\geq 0$, {negative} with $w_j < 0$; {on_lines / total:.0%} of the\n"
            f"total $|w_j|$ within {C3_LINES_DEGREES:g} degrees of a teacher line"
        )
        panels.append((title, trajectory))
    return plot_sigmoid_trajectory_panels(panels)


EXPERIMENT = Experiment(
    name=NAME,
    title="sigmoid particles on the circle, w(0) = 0 (report 5.1, fig. 2)",
    target="figures",
    in_report=True,
    build=build,
    cross_key_problems=lambda config: symmetric_init_problems(config, NAME),
    claim_names=("C2", "C3-split", "C3-stay", "C3-lines", "C4"),
    claims=claims,
    figures=(
        Figure(
            "fig2_sigmoid_trajectories",
            "Report section 5.1",
            inputs=_fig2_inputs,
            draw=_draw_fig2,
            settings=_fig2_settings,
        ),
    ),
)
