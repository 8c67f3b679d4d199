"""Report 5.3, figs. 6-7 and claims C8-C9: the initialisation radius r0 (ReLU, d = 2, k = 20, M = 3).

"The best choice of r0 seems to be 0.05"; "for r0 = 10, training is very slow and unstable"; at
r0 = 10 "the particles only move on lines passing at the origin" (lazy) while for small r0 they
"spring out from the origin" (active). One teacher per repetition is shared by every r0. The
report's two radii 0.05 and 10 are where C8 and C9 are evaluated, and their runs keep their
trajectories (C9 measures them; fig. 7 draws repetition 0 of each).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.cm
import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from convexnn.aggregation import finished
from convexnn.claims import (
    ClaimResult,
    ClaimText,
    RunTrajectory,
    Trajectory,
    bootstrap,
    finished_trajectories,
    is_missing,
    safe_ratio,
    trajectories_by_repetition,
)
from convexnn.experiments.base import Experiment, Figure
from convexnn.experiments.grid import label_value, report_teacher, symmetric_init_problems, training_settings
from convexnn.intervals import above, at_least, at_most, below
from convexnn.plotting import (
    FULL_WIDTH,
    STUDENT_COLOUR,
    diverged_note,
    new_panels,
    plot_relu_trajectory_panels,
    relu_positions,
    statement,
)

NAME = "r0_sweep"
# The report's radii (5.3, fig. 7): (a) active, (b) lazy.
ACTIVE_RADIUS = 0.05
LAZY_RADIUS = 10.0
FIGURE_REPETITION = 0
FINALS = ["repetition", "excess_loss", "diverged", "init_radius"]


def build(config: dict, builder) -> None:
    """(r0, repetition), one teacher per repetition shared by every r0; the report's two radii keep
    their trajectories."""
    section = config[NAME]
    for repetition in range(section["repetitions"]):
        teacher = report_teacher(builder, section, "relu", repetition)
        for radius in section["init_radius"]:
            settings = training_settings(
                section,
                "relu",
                section["n_particles"],
                init_radius=float(radius),
                record_trajectory=float(radius) in (ACTIVE_RADIUS, LAZY_RADIUS),
            )
            builder.run(
                teacher,
                [f"r0_{label_value(float(radius))}"],
                {"init_radius": float(radius)},
                {"activation": "relu", "n_particles": section["n_particles"], "init_radius": float(radius)},
                repetition,
                settings,
            )


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
    if is_missing(r0_finals):
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
        return 1.0 if means[at][0] == means.min() else safe_ratio(means[at][0], means.min())

    value, interval, method = bootstrap(rows, statistic)
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
    return _claim_radius_ratio(r0_finals, ACTIVE_RADIUS, C8_BEST_TEXT)


def claim_large_radius_slow(r0_finals: pd.DataFrame | None) -> ClaimResult:
    """C8-large (section 5.3, fig. 6): G(10) / min over r0 of G(r0); holds if >= 10."""
    return _claim_radius_ratio(r0_finals, LAZY_RADIUS, C8_LARGE_TEXT)


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
    by_repetition = trajectories_by_repetition(runs, init_radius=float(radius))
    n_diverged = sum(t.diverged for trajectories in by_repetition.values() for t in trajectories)
    per_repetition = []
    for trajectories in by_repetition.values():
        angles = np.concatenate([direction_changes_degrees(t) for t in finished_trajectories(trajectories)] or [[]])
        if np.isfinite(angles).any():
            per_repetition.append(angles[np.isfinite(angles)])
    if not per_repetition:
        return text.not_evaluated(f"no finished run with particles at r0 = {radius:g} ({n_diverged} diverged)")
    value, interval, method = bootstrap(per_repetition, lambda parts: float(np.median(np.concatenate(parts))))
    n_particles = sum(part.size for part in per_repetition)
    return text.result(
        value,
        interval,
        f"median {value:.3g} degrees over {n_particles} particles of "
        f"{len(per_repetition)} repetitions at r0 = {radius:g}; {n_diverged} diverged; "
        f"{method}",
    )


def claim_lazy_directions_stay(runs: Sequence[RunTrajectory], lazy_radius: float = LAZY_RADIUS) -> ClaimResult:
    """C9-lazy (section 5.3, fig. 7b): median direction change at r0 = 10; holds if below 5 degrees."""
    return _claim_direction_change(runs, lazy_radius, C9_LAZY_TEXT)


def claim_active_particles_turn(runs: Sequence[RunTrajectory], active_radius: float = ACTIVE_RADIUS) -> ClaimResult:
    """C9-active (section 5.3, fig. 7a): median direction change at r0 = 0.05; holds if above 30 degrees."""
    return _claim_direction_change(runs, active_radius, C9_ACTIVE_TEXT)


def claims(finals: pd.DataFrame, trajectories: Sequence[RunTrajectory], context: Mapping) -> list[ClaimResult]:
    """C8 and C9 at the report's radii."""
    return [
        claim_small_radius_best(finals),
        claim_large_radius_slow(finals),
        claim_lazy_directions_stay(trajectories),
        claim_active_particles_turn(trajectories),
    ]


def plot_r0_sweep(
    curve_summary: pd.DataFrame, summary: pd.DataFrame, finals: pd.DataFrame, n_particles: int
) -> plt.Figure:
    """Report fig. 6 at the full page width: (a) the test loss against samples seen, log-log, one line
    per r0 (the geometric mean over the finished repetitions), coloured by r0 on a log scale, the
    report's two radii drawn thicker; (b) the final test loss against r0: geometric mean, min-max band
    and every repetition. A radius whose runs all diverged has no line and is named in (a)'s title."""
    figure, axes = new_panels(FULL_WIDTH, 3.0, 1, 2, width_ratios=[1.25, 1.0])
    curves_axis, final = axes[0]
    radii = sorted(finals["init_radius"].unique())
    n_repetitions = int(finals.groupby("init_radius")["repetition"].nunique().max())
    low, high = min(radii), max(radii)
    colours = matplotlib.colors.LogNorm(vmin=low, vmax=high if high > low else low * 10)
    drawn, empty = 0, []
    for radius in radii:
        curve = curve_summary[(curve_summary["init_radius"] == radius) & (curve_summary["samples_seen"] > 0)]
        if curve.empty:
            empty.append(radius)
            continue
        report_radius = any(np.isclose(radius, (ACTIVE_RADIUS, LAZY_RADIUS)))
        curves_axis.plot(
            curve["samples_seen"],
            curve["geometric_mean"],
            color=matplotlib.cm.viridis(colours(radius)),
            lw=2.0 if report_radius else 0.9,
            label=f"$r_0$ = {radius:g}" if report_radius else None,
            zorder=3 if report_radius else 2,
        )
        drawn += 1
    title = f"(a) test loss during training, geometric mean over {n_repetitions} repetition" + "s" * (
        n_repetitions != 1
    )
    if empty:
        title += "\nno line: every run diverged at $r_0$ = " + ", ".join(f"{radius:g}" for radius in empty)
    curves_axis.set_title(title, loc="left", fontsize=7)
    if drawn:
        curves_axis.set(xscale="log", yscale="log")
        curves_axis.legend(loc="lower left", title="the report's radii")
        bar = figure.colorbar(matplotlib.cm.ScalarMappable(norm=colours, cmap="viridis"), ax=curves_axis, pad=0.01)
        bar.set_label("initialisation radius $r_0$", labelpad=1)
        bar.ax.tick_params(labelsize=7)
    else:
        statement(curves_axis, "every run of every radius diverged: no loss to draw")
    curves_axis.set(xlabel="training samples seen", ylabel="test loss")
    rows = summary.sort_values("init_radius")
    done = finals[finished(finals)]
    band_label = "min-max over repetitions" if n_repetitions > 1 else "one repetition: no spread"
    final.fill_between(
        rows["init_radius"], rows["minimum"], rows["maximum"], color=STUDENT_COLOUR, alpha=0.2, lw=0, label=band_label
    )
    final.plot(rows["init_radius"], rows["geometric_mean"], color=STUDENT_COLOUR, marker="o", label="geometric mean")
    final.scatter(
        done["init_radius"], done["excess_loss"], s=6, color="black", alpha=0.5, zorder=3, label="one repetition"
    )
    final.set(xlabel="initialisation radius $r_0$", ylabel="test loss at the end of training")
    final.set_title(f"(b) final test loss against $r_0$ ($k$ = {n_particles})", loc="left", fontsize=7)
    if done.empty:  # nothing to put on log axes (empty ones cannot be log-scaled)
        statement(final, "every run diverged: no final loss to draw")
    else:
        final.set(xscale="log", yscale="log")
        final.legend(loc="best")
    note = diverged_note(finals, "init_radius")
    if note:
        figure.suptitle(note, fontsize=7)
    return figure


def _fig6_inputs(view) -> dict[str, list[str]]:
    return {table: [view.aggregate(NAME, table)] for table in ("curves", "summary", "finals")}


def _fig6_settings(view) -> dict:
    return {"n_particles": view.section(NAME)["n_particles"]}


def _draw_fig6(data, settings: dict):
    """Report fig. 6: test loss against samples seen per r0, and the final loss against r0."""
    curves = data.table(
        "curves", ["init_radius", "samples_seen", "geometric_mean", "minimum", "maximum"], allow_empty=True
    )
    summary = data.table("summary", ["init_radius", "geometric_mean", "minimum", "maximum"])
    return plot_r0_sweep(curves, summary, data.table("finals", FINALS), settings["n_particles"])


def _fig7_radii(view) -> list[float]:
    """The report's two radii, those of the grid (a radius missing from it has no panel)."""
    grid = [float(radius) for radius in view.section(NAME)["init_radius"]]
    return [radius for radius in (ACTIVE_RADIUS, LAZY_RADIUS) if radius in grid]


def _fig7_inputs(view) -> dict[str, list[str]]:
    return {
        "trajectories": [
            view.runs(NAME, init_radius=radius, repetition=FIGURE_REPETITION)[0].particles_path
            for radius in _fig7_radii(view)
        ]
    }


def _draw_fig7(data, settings: dict):
    """Report fig. 7: one run at each of the report's two radii, each on the scale of its own paths,
    and the lazy run again on the active run's scale, where its teacher can be seen."""
    radii, trajectories = settings["init_radius"], data.particles("trajectories")
    words = {ACTIVE_RADIUS: "active", LAZY_RADIUS: "lazy in the report"}
    panels = [
        (
            f"({letter}) {words[radius]}, $r_0$ = {radius:g}\nfinal test loss {trajectory['test_loss'][-1]:.1e}",
            trajectory,
        )
        for letter, radius, trajectory in zip("ab", radii, trajectories)
    ]
    boxes = [None] * len(panels)
    if radii == [ACTIVE_RADIUS, LAZY_RADIUS] and not any(t.get("diverged", False) for t in trajectories):
        # (b) spans its far-flung paths; (c) is its centre, where the teacher lies, on a readable scale
        teacher = relu_positions(trajectories[1]["teacher_output_weights"], trajectories[1]["teacher_hidden_weights"])
        half_width = float(f"{1.6 * np.abs(teacher).max():.2g}")
        panels.append((f"(c) = (b) within $\\pm${half_width:g} of the origin\n(around the teacher)", trajectories[1]))
        boxes = [None, None, ((-half_width, half_width), (-half_width, half_width))]
    return plot_relu_trajectory_panels(panels, boxes, height=2.9)


EXPERIMENT = Experiment(
    name=NAME,
    title="the initialisation radius r0 (report 5.3, figs. 6-7)",
    target="figures",
    in_report=True,
    build=build,
    cross_key_problems=lambda config: symmetric_init_problems(config, NAME),
    claim_names=("C8-best", "C8-large", "C9-lazy", "C9-active"),
    claims=claims,
    figures=(
        Figure("fig6_r0_sweep", "Report section 5.3", inputs=_fig6_inputs, draw=_draw_fig6, settings=_fig6_settings),
        Figure(
            "fig7_lazy_vs_active",
            "Report section 5.3",
            inputs=_fig7_inputs,
            draw=_draw_fig7,
            settings=lambda view: {"init_radius": _fig7_radii(view), "repetition": FIGURE_REPETITION},
        ),
    ),
)
