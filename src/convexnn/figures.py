"""The report's figures drawn from result tables; nothing here computes a result.

One place sets the theme and the file formats: :func:`set_theme` and :func:`save_figure`, which
writes each figure as PNG (for the HTML report) and as vector PDF (for papers), both without a
software or date stamp, so that the same data give the same bytes. Labels use matplotlib's
mathtext for formulas.

A diverged run (its ``diverged`` flag) is never drawn as a result: figures that leave runs out say
how many and at which setting, including a setting where every run diverged.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from convexnn.intervals import parse_region  # noqa: E402
from convexnn.storage import atomic_path  # noqa: E402

DPI = 200
TEACHER_COLOUR = "tab:red"
STUDENT_COLOUR = "tab:blue"
# Stable bytes: no software name or creation date in the files.
METADATA = {"png": {"Software": None}, "pdf": {"Creator": None, "Producer": None, "CreationDate": None}}
LOSS_LABEL = r"loss $\frac{1}{2}\,(f(x) - y)^2$"


def set_theme() -> None:
    sns.set_theme(context="paper", style="whitegrid", font_scale=1.1)
    plt.rcParams["pdf.fonttype"] = 42  # TrueType: text stays text in the PDF


def save_figure(figure: plt.Figure, paths: str | os.PathLike | Sequence[str | os.PathLike]) -> None:
    """Write ``figure`` to each path in the format its suffix names (.png, .pdf), atomically."""
    for path in [paths] if isinstance(paths, (str, os.PathLike)) else paths:
        kind = Path(path).suffix.lstrip(".")
        with atomic_path(path) as temporary:
            figure.savefig(temporary, format=kind, dpi=DPI, metadata=METADATA[kind], bbox_inches="tight")
    plt.close(figure)


def _diverged_note(finals: pd.DataFrame, setting: str) -> str:
    """'n diverged runs left out (k = 3: 2, k = 7: 5 of 5)' for the settings in column ``setting``."""
    diverged = finals[finals["diverged"].astype(bool)]
    if diverged.empty:
        return ""
    totals = finals.groupby(setting)["diverged"].size()
    parts = [f"{value:g}: {count} of {totals[value]}" for value, count in diverged.groupby(setting).size().items()]
    name = {"n_particles": "k", "init_radius": "r0"}.get(setting, setting)
    return f"{len(diverged)} diverged runs left out ({name} = " + ", ".join(parts) + ")"


def _statement(axis: plt.Axes, text: str) -> None:
    """A panel that states a fact in words instead of drawing a picture."""
    axis.text(0.5, 0.5, text, ha="center", va="center", wrap=True, transform=axis.transAxes)
    axis.set_axis_off()


def plot_training_curves(curves: list[pd.DataFrame], teacher_units: int) -> plt.Figure:
    """Report fig. 3: train loss (rolling mean over the last training samples) and test loss against
    samples seen, log-log, one panel per run. A diverged run is drawn up to its last finite loss and
    titled as diverged."""
    set_theme()
    figure, axes = plt.subplots(1, len(curves), figsize=(5.2 * len(curves), 4), sharey=True, squeeze=False)
    for letter, axis, curve in zip("abcdefgh", axes[0], curves):
        title = f"({letter}) $k$ = {curve['n_particles'].iloc[0]} particles, $M$ = {teacher_units} teacher units"
        seen = curve[curve["samples_seen"] > 0]
        axis.plot(seen["samples_seen"], seen["train_loss"], color="tab:orange", label="train loss (rolling mean)")
        axis.plot(seen["samples_seen"], seen["test_loss"], color=STUDENT_COLOUR, label="test loss (10,000 samples)")
        axis.axhline(curve["zero_predictor_loss"].iloc[0], color="grey", ls=":", label="zero predictor")
        if curve["diverged"].any():
            title += f"\nDIVERGED after {int(curve['samples_seen'].iloc[-1]):,} samples"
        axis.set(xscale="log", yscale="log", title=title, xlabel="training samples seen")
    axes[0, 0].set_ylabel(LOSS_LABEL)
    axes[0, -1].legend(loc="lower left")
    figure.tight_layout()
    return figure


def _log_ticks(axis: plt.Axes, largest: float, ticks=(1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500)) -> None:
    chosen = [k for k in ticks if k <= largest]
    axis.set_xticks(chosen, [str(k) for k in chosen])
    axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def plot_excess_loss_vs_particles(
    finals: pd.DataFrame, summary: pd.DataFrame, teacher_units: int, title: str
) -> plt.Figure:
    """Report figs. 4 and 5: final excess loss against the number of particles k, log-log.

    Every finished repetition is a dot; the line is the geometric mean over repetitions and the band
    spans min to max; the dashed vertical line marks k = M, the number of teacher units. Diverged
    runs are left out and counted per k in the title.
    """
    set_theme()
    figure, axis = plt.subplots(figsize=(6.4, 4.4))
    finished = finals[~finals["diverged"].astype(bool)]
    n_repetitions = int(finals.groupby("n_particles")["repetition"].nunique().max())
    axis.fill_between(
        summary["n_particles"],
        summary["minimum"],
        summary["maximum"],
        color=STUDENT_COLOUR,
        alpha=0.2,
        lw=0,
        label="min-max over repetitions",
    )
    axis.plot(
        summary["n_particles"],
        summary["geometric_mean"],
        color=STUDENT_COLOUR,
        marker="o",
        ms=3,
        label=f"geometric mean over {n_repetitions} repetitions",
    )
    axis.scatter(
        finished["n_particles"],
        finished["excess_loss"],
        s=10,
        color="black",
        alpha=0.6,
        zorder=3,
        label="one repetition",
    )
    axis.axvline(teacher_units, color=TEACHER_COLOUR, ls="--", label=f"$k = M$ = {teacher_units}")
    zero_loss = float(np.exp(np.log(finals["zero_predictor_loss"]).mean()))
    axis.axhline(zero_loss, color="grey", ls=":", label="zero predictor (geometric mean)")
    note = _diverged_note(finals, "n_particles")
    axis.set(
        xscale="log",
        yscale="log",
        xlabel="number of particles $k$",
        ylabel="excess loss at the end of training",
        title=title + (f"\n{note}" if note else ""),
    )
    axis.title.set_fontsize(9 if note else 10)
    _log_ticks(axis, summary["n_particles"].max())
    axis.legend(fontsize=8, loc="lower left")
    figure.tight_layout()
    return figure


def relu_positions(output_weights: np.ndarray, hidden_weights: np.ndarray) -> np.ndarray:
    """|w_j| v_j[:2]: a ReLU particle in the plane of its input weights, scaled by its output
    weight (the 2-homogeneous picture of report fig. 1; the bias is not drawn)."""
    return np.abs(output_weights)[..., None] * hidden_weights[..., :2]


def draw_relu_trajectories(axis: plt.Axes, trajectory: dict, title: str) -> None:
    """Report figs. 1 and 7: trajectories in grey, final student in blue, teacher in red."""
    positions = relu_positions(trajectory["output_weights"], trajectory["hidden_weights"])
    for particle in range(positions.shape[1]):
        axis.plot(positions[:, particle, 0], positions[:, particle, 1], color="0.6", lw=0.8, zorder=1)
    axis.scatter(
        positions[-1, :, 0],
        positions[-1, :, 1],
        s=22,
        color=STUDENT_COLOUR,
        zorder=3,
        label=f"student particles at the end ($k$ = {positions.shape[1]})",
    )
    teacher = relu_positions(trajectory["teacher_output_weights"], trajectory["teacher_hidden_weights"])
    axis.scatter(
        teacher[:, 0],
        teacher[:, 1],
        s=70,
        marker="*",
        color=TEACHER_COLOUR,
        zorder=4,
        label=f"teacher particles ($M$ = {len(teacher)})",
    )
    axis.scatter([0], [0], marker="+", color="black", s=40, zorder=2)
    axis.plot([], [], color="0.6", lw=0.8, label="trajectories")
    axis.set(title=title, xlabel=r"$|w_j|\,v_j[1]$", ylabel=r"$|w_j|\,v_j[2]$")
    axis.set_aspect("equal", adjustable="datalim")
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def plot_relu_trajectory_panels(panels: list[tuple[str, dict | None]]) -> plt.Figure:
    """Side-by-side ReLU trajectory panels. A panel whose trajectory is None shows its title as a
    statement (no run fitted the selection rule), and a diverged run is stated, not drawn."""
    set_theme()
    figure, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 5.2), squeeze=False)
    for axis, (title, trajectory) in zip(axes[0], panels):
        if trajectory is None:
            _statement(axis, title)
        elif trajectory.get("diverged", False):
            _statement(axis, f"{title}\nthis run DIVERGED: its particles are not drawn")
        else:
            draw_relu_trajectories(axis, trajectory, title)
    figure.tight_layout()
    return figure


SIGMOID_MARKER_AREA = 200  # points^2 of the particle with the largest |w| in a panel


def draw_sigmoid_trajectories(axis: plt.Axes, trajectory: dict, title: str) -> None:
    """Report fig. 2: particles at v_j[:2] (bias not drawn), trajectories in grey, final position with
    area proportional to |w_j| in red for w_j >= 0 and blue for w_j < 0; teacher directions as solid
    black lines through the origin; a key gives the |w| of three marker sizes."""
    hidden = trajectory["hidden_weights"][..., :2]
    for particle in range(hidden.shape[1]):
        axis.plot(hidden[:, particle, 0], hidden[:, particle, 1], color="0.7", lw=0.7, zorder=1)
    final_output = trajectory["output_weights"][-1]
    largest = max(np.abs(final_output).max(), 1e-300)
    sizes = SIGMOID_MARKER_AREA * np.abs(final_output) / largest
    for sign, colour, label in [
        (final_output >= 0, "tab:red", "$w_j \\geq 0$"),
        (final_output < 0, "tab:blue", "$w_j < 0$"),
    ]:
        axis.scatter(
            hidden[-1, sign, 0],
            hidden[-1, sign, 1],
            s=sizes[sign] + 2,
            color=colour,
            alpha=0.8,
            zorder=3,
            label=f"{label} ({int(sign.sum())} particles)",
        )
    for direction in trajectory["teacher_hidden_weights"][:, :2]:
        axis.axline((0.0, 0.0), tuple(direction), color="black", lw=1.3, zorder=2)
    axis.plot([], [], color="black", lw=1.3, label="teacher directions")
    for fraction in (1.0, 0.5, 0.1):  # the marker-size key
        axis.scatter(
            [],
            [],
            s=SIGMOID_MARKER_AREA * fraction + 2,
            color="0.5",
            alpha=0.6,
            label=f"$|w_j|$ = {fraction * largest:.2g}",
        )
    axis.set(title=title, xlabel="$v_j[1]$", ylabel="$v_j[2]$")
    axis.set_aspect("equal", adjustable="datalim")
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), labelspacing=1.0)


def plot_sigmoid_trajectory_panels(panels: list[tuple[str, dict]]) -> plt.Figure:
    set_theme()
    figure, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 5.2), squeeze=False)
    for axis, (title, trajectory) in zip(axes[0], panels):
        if trajectory.get("diverged", False):
            _statement(axis, f"{title}\nthis run DIVERGED: its particles are not drawn")
        else:
            draw_sigmoid_trajectories(axis, trajectory, title)
    figure.tight_layout()
    return figure


def plot_r0_sweep(curve_summary: pd.DataFrame, summary: pd.DataFrame, finals: pd.DataFrame) -> plt.Figure:
    """Report fig. 6 as small multiples: one panel per r0 with the test loss against samples seen,
    log-log (geometric mean over the finished repetitions as a line, min-max as a band, every panel
    on the same axes), and beside them the final loss against r0 (geometric mean, min-max bars and
    every repetition). A radius whose runs all diverged keeps its panel, which says so."""
    set_theme()
    radii = sorted(finals["init_radius"].unique())
    n_columns = min(5, len(radii))
    n_rows = -(-len(radii) // n_columns)
    figure = plt.figure(figsize=(3.0 * n_columns + 5.0, 2.6 * n_rows + 0.8))
    grid = figure.add_gridspec(n_rows, n_columns + 2)
    first = None
    n_repetitions = int(finals.groupby("init_radius")["repetition"].nunique().max())
    for index, radius in enumerate(radii):
        axis = figure.add_subplot(grid[index // n_columns, index % n_columns], sharex=first, sharey=first)
        first = first or axis
        curve = curve_summary[(curve_summary["init_radius"] == radius) & (curve_summary["samples_seen"] > 0)]
        runs = finals[finals["init_radius"] == radius]
        n_diverged = int(runs["diverged"].astype(bool).sum())
        title = f"$r_0$ = {radius:g}" + (f" ({n_diverged} of {len(runs)} diverged)" if n_diverged else "")
        if curve.empty:
            # no loss to put on a log axis (an empty one cannot be log-scaled)
            axis.text(0.5, 0.5, "every run diverged", ha="center", va="center", transform=axis.transAxes)
            axis.set(xticks=[], yticks=[], title=title)
        else:
            axis.fill_between(
                curve["samples_seen"], curve["minimum"], curve["maximum"], color=STUDENT_COLOUR, alpha=0.2, lw=0
            )
            axis.plot(curve["samples_seen"], curve["geometric_mean"], color=STUDENT_COLOUR, lw=1.4)
            axis.set(xscale="log", yscale="log", title=title)
        axis.title.set_fontsize(8)
        axis.tick_params(labelsize=7)
        if index % n_columns == 0:
            axis.set_ylabel("test loss", fontsize=8)
        if index // n_columns == n_rows - 1:
            axis.set_xlabel("samples seen", fontsize=8)
    final = figure.add_subplot(grid[:, n_columns:])
    rows = summary.sort_values("init_radius")
    final.errorbar(
        rows["init_radius"],
        rows["geometric_mean"],
        yerr=[rows["geometric_mean"] - rows["minimum"], rows["maximum"] - rows["geometric_mean"]],
        color=STUDENT_COLOUR,
        marker="o",
        ms=4,
        capsize=3,
        label="geometric mean, min-max",
    )
    done = finals[~finals["diverged"].astype(bool)]
    final.scatter(
        done["init_radius"], done["excess_loss"], s=9, color="black", alpha=0.5, zorder=3, label="one repetition"
    )
    final.set(
        xlabel="initialisation radius $r_0$",
        ylabel="test loss at the end of training",
        title="final test loss against $r_0$",
    )
    if done.empty:  # nothing to put on log axes (empty ones cannot be log-scaled)
        final.text(0.5, 0.5, "every run diverged", ha="center", va="center", transform=final.transAxes)
        final.set(xticks=[], yticks=[])
    else:
        final.set(xscale="log", yscale="log")
        final.legend(fontsize=8)
    note = _diverged_note(finals, "init_radius")
    figure.suptitle(
        f"ReLU, $k$ = 20: test loss during training for each $r_0$ (line: geometric mean over "
        f"{n_repetitions} repetitions, band: min-max) (report fig. 6)" + (f"\n{note}" if note else ""),
        fontsize=10,
    )
    figure.tight_layout()
    return figure


def plot_transition(finals: pd.DataFrame, summary: pd.DataFrame, teacher_units: int, caption: str) -> plt.Figure:
    """Chizat & Bach's experiment: normalised excess loss at the end of training against the number
    of particles m, one panel per activation, log-log. Dots: one run each; line: geometric mean over
    repetitions; dashed: the convex baseline (fixed random units, least-squares output weights)."""
    set_theme()
    activations = sorted(summary["activation"].unique())
    figure, axes = plt.subplots(1, len(activations), figsize=(6 * len(activations), 4.6), sharey=True, squeeze=False)
    for axis, activation in zip(axes[0], activations):
        rows = summary[summary["activation"] == activation]
        runs_of = finals[finals["activation"] == activation]
        runs = runs_of[~runs_of["diverged"].astype(bool)]
        n_repetitions = int(runs_of.groupby("n_particles")["repetition"].nunique().max())
        axis.scatter(
            runs["n_particles"],
            runs["normalised_loss"],
            s=10,
            color="black",
            alpha=0.6,
            zorder=3,
            label="particle gradient descent, one run",
        )
        axis.plot(
            rows["n_particles"],
            rows["geometric_mean"],
            color=STUDENT_COLOUR,
            marker="o",
            ms=3,
            label=f"geometric mean over {n_repetitions} repetitions",
        )
        axis.plot(
            rows["n_particles"],
            rows["baseline_geometric_mean"],
            color="tab:green",
            ls="--",
            marker="s",
            ms=3,
            label="convex baseline: fixed random units,\nleast-squares output weights (geometric mean)",
        )
        axis.axvline(teacher_units, color=TEACHER_COLOUR, ls="--", label=f"$m = m_0$ = {teacher_units}")
        note = _diverged_note(runs_of, "n_particles").replace("k =", "m =")
        axis.set(
            xscale="log",
            yscale="log",
            xlabel="number of particles $m$",
            title=activation + (f"\n{note}" if note else ""),
        )
        _log_ticks(axis, rows["n_particles"].max(), ticks=(3, 5, 10, 20, 50, 100, 200))
        axis.legend(fontsize=7, loc="lower left")
    axes[0, 0].set_ylabel(r"excess loss / ($\frac{1}{2}$ Var $y$)")
    figure.suptitle(caption, fontsize=9)
    figure.tight_layout()
    return figure


def plot_protocol_comparison(
    summary: pd.DataFrame, teacher_units: int, input_dim: int, labels: dict[tuple[str, str], str]
) -> plt.Figure:
    """Side by side: geometric-mean normalised loss against m for each (teacher, protocol) pair,
    with min-max bands, so a reader sees which choice makes the transition sharp."""
    set_theme()
    figure, axis = plt.subplots(figsize=(7.5, 4.8))
    colours = iter(["tab:blue", "tab:orange", "tab:green", "tab:purple"])
    for (teacher, protocol), label in labels.items():
        rows = summary[(summary["teacher"] == teacher) & (summary["protocol"] == protocol)]
        if rows.empty:
            continue
        colour = next(colours)
        n_diverged = int(rows["n_diverged"].sum())
        axis.fill_between(rows["n_particles"], rows["minimum"], rows["maximum"], color=colour, alpha=0.15, lw=0)
        axis.plot(
            rows["n_particles"],
            rows["geometric_mean"],
            color=colour,
            marker="o",
            ms=3,
            label=label + (f" ({n_diverged} diverged runs left out)" if n_diverged else ""),
        )
    axis.axvline(teacher_units, color=TEACHER_COLOUR, ls="--", label=f"$m = m_0$ = {teacher_units}")
    axis.set(
        xscale="log",
        yscale="log",
        xlabel="number of particles $m$",
        ylabel=r"excess loss / ($\frac{1}{2}$ Var $y$)",
        title=f"$d$ = {input_dim}: which choice makes the transition sharp? (line: geometric mean, band: min-max)",
    )
    axis.title.set_fontsize(9)
    ticks = sorted(summary["n_particles"].unique())
    axis.set_xticks(ticks, [str(m) for m in ticks])
    axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axis.legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    return figure


# --------------------------------------------------------------------------------------------------
# Claims: values, intervals, thresholds and verdicts

VERDICT_COLOURS = {
    "holds": "#1b9e77",
    "does not hold": "#d95f02",
    "inconclusive": "#7570b3",
    "not evaluated": "#999999",
}


def _claim_scale(values: np.ndarray, region) -> str:
    """Log scale when every value and the threshold are positive and span more than 20x."""
    bounds = [b for b in (region.lower, region.upper) if np.isfinite(b)]
    numbers = np.concatenate([values[np.isfinite(values)], bounds])
    if numbers.size and (numbers > 0).all() and numbers.max() / numbers.min() > 20:
        return "log"
    return "linear"


def _claim_limits(values: np.ndarray, region, scale: str) -> tuple[float, float]:
    """Axis limits that show every finite value and the threshold's finite bounds, with a margin."""
    finite = values[np.isfinite(values)].tolist() + [b for b in (region.lower, region.upper) if np.isfinite(b)]
    low, high = min(finite), max(finite)
    if scale == "log":
        return low / 3, high * 3
    margin = 0.15 * (high - low or abs(high) or 1.0)
    return low - margin, high + margin


def _shade_region(axis: plt.Axes, region, orientation: str) -> None:
    """Shade where the claim holds, within the axis's current limits, and draw its finite
    boundaries, along x (``"x"``) or y."""
    span, line, limits = (
        (axis.axvspan, axis.axvline, axis.get_xlim())
        if orientation == "x"
        else (axis.axhspan, axis.axhline, axis.get_ylim())
    )
    lower, upper = max(region.lower, min(limits)), min(region.upper, max(limits))
    if lower < upper:
        span(lower, upper, color=VERDICT_COLOURS["holds"], alpha=0.12, lw=0)
    for bound in (region.lower, region.upper):
        if np.isfinite(bound):
            line(bound, color="black", lw=1.0, ls="--")
    (axis.set_xlim if orientation == "x" else axis.set_ylim)(limits)


def plot_claims(table: pd.DataFrame) -> plt.Figure:
    """One row per claim: its value (dot) and 95% interval (bar) on the claim's own axis (log where
    the numbers span decades), the threshold as a dashed line with the holding side shaded, coloured
    by verdict."""
    set_theme()
    rows = list(table.itertuples(index=False))
    figure, axes = plt.subplots(len(rows), 1, figsize=(8.5, 0.62 * len(rows) + 1.0), squeeze=False)
    for axis, row in zip(axes[:, 0], rows):
        region = parse_region(row.threshold)
        values = np.array([row.value, row.low, row.high], dtype=float)
        axis.set_xscale(_claim_scale(values, region))
        colour = VERDICT_COLOURS.get(row.verdict, "black")
        if np.isfinite(values).all():
            axis.plot([row.low, row.high], [0, 0], color=colour, lw=4, solid_capstyle="butt", alpha=0.8)
            axis.plot([row.value], [0], "o", color="black", ms=4, zorder=3)
        else:
            axis.text(0.5, 0.5, "not evaluated", ha="center", va="center", transform=axis.transAxes, color=colour)
        axis.set_xlim(_claim_limits(values, region, axis.get_xscale()))
        _shade_region(axis, region, "x")
        axis.set_yticks([])
        axis.set_ylabel(f"{row.claim}\n{row.verdict}", rotation=0, ha="right", va="center", fontsize=8, color=colour)
        axis.text(1.01, 0.5, f"holds if {row.threshold}", transform=axis.transAxes, fontsize=7, va="center")
        axis.tick_params(axis="x", labelsize=7)
        axis.grid(False, axis="y")
    figure.suptitle(
        "The report's claims: value (dot) and 95% interval (bar); shaded: where the claim holds", fontsize=9
    )
    figure.tight_layout()
    return figure


def plot_claims_by_seed(table: pd.DataFrame) -> plt.Figure:
    """One panel per claim: each base seed's value and 95% interval against the threshold (dashed,
    holding side shaded), coloured by verdict; the title gives the share of seeds with the most
    common verdict."""
    set_theme()
    claims = list(dict.fromkeys(table["claim"]))
    n_columns = 4
    n_rows = -(-len(claims) // n_columns)
    figure, axes = plt.subplots(n_rows, n_columns, figsize=(3.4 * n_columns, 2.6 * n_rows), squeeze=False)
    for axis, claim in zip(axes.flat, claims):
        rows = table[table["claim"] == claim].sort_values("seed")
        region = parse_region(rows["threshold"].iloc[0])
        values = rows[["value", "low", "high"]].to_numpy(dtype=float)
        axis.set_yscale(_claim_scale(values.ravel(), region))
        for row in rows.itertuples(index=False):
            colour = VERDICT_COLOURS.get(row.verdict, "black")
            if np.isfinite([row.value, row.low, row.high]).all():
                axis.plot([row.seed, row.seed], [row.low, row.high], color=colour, lw=3, alpha=0.8)
                axis.plot([row.seed], [row.value], "o", color="black", ms=3, zorder=3)
            else:
                axis.plot([row.seed], [0.5], "x", color=colour, transform=axis.get_xaxis_transform())
        axis.set_ylim(_claim_limits(values.ravel(), region, axis.get_yscale()))
        _shade_region(axis, region, "y")
        counts = rows["verdict"].value_counts()
        axis.set_title(f"{claim}: {counts.iloc[0]} of {len(rows)} seeds {counts.index[0]}", fontsize=8)
        axis.set_xticks(rows["seed"].to_list())
        axis.set_xlabel("base seed", fontsize=7)
        axis.tick_params(labelsize=7)
    for axis in axes.flat[len(claims) :]:
        axis.set_axis_off()
    handles = [
        matplotlib.lines.Line2D([], [], color=colour, lw=3, label=name) for name, colour in VERDICT_COLOURS.items()
    ]
    figure.legend(handles=handles, loc="lower right", fontsize=8, title="verdict (bar: 95% interval)")
    figure.suptitle(
        "The report's claims under each base seed: value, 95% interval, threshold (dashed; shaded where "
        "the claim holds)",
        fontsize=9,
    )
    figure.tight_layout()
    return figure


def plot_claims_atlas(table: pd.DataFrame) -> plt.Figure:
    """Claims (rows) by variation (columns, the paper setting first): each cell coloured by the verdict,
    with the value written in it; empty where the variation does not change the claim's experiment."""
    set_theme()
    claims = list(dict.fromkeys(table["claim"]))
    variations = list(dict.fromkeys(table["variation"]))
    changes = table.drop_duplicates("variation").set_index("variation")["change"]
    figure, axis = plt.subplots(figsize=(1.05 * len(variations) + 2.5, 0.42 * len(claims) + 2.8))
    for row, claim in enumerate(claims):
        for column, variation in enumerate(variations):
            cell = table[(table["claim"] == claim) & (table["variation"] == variation)]
            if cell.empty:
                continue
            verdict_name, value = cell["verdict"].iloc[0], float(cell["value"].iloc[0])
            axis.add_patch(
                matplotlib.patches.Rectangle((column, row), 1, 1, color=VERDICT_COLOURS[verdict_name], alpha=0.85, lw=0)
            )
            axis.text(
                column + 0.5,
                row + 0.5,
                "n/a" if np.isnan(value) else f"{value:.2g}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if verdict_name != "not evaluated" else "black",
            )
    axis.axvline(1, color="black", lw=2)  # the paper setting | the variations
    axis.set_xlim(0, len(variations))
    axis.set_ylim(len(claims), 0)
    axis.set_xticks(
        np.arange(len(variations)) + 0.5,
        [f"{variation}\n({changes[variation]})" for variation in variations],
        rotation=60,
        ha="right",
        fontsize=7,
    )
    axis.set_yticks(np.arange(len(claims)) + 0.5, claims, fontsize=8)
    axis.grid(False)
    handles = [matplotlib.patches.Patch(color=colour, label=name) for name, colour in VERDICT_COLOURS.items()]
    axis.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="verdict")
    axis.set_title(
        "Where the report's claims hold: one setting varied at a time from the paper setting "
        "(first column); the value in each cell, empty where the variation does not change the "
        "claim's experiment",
        fontsize=9,
        wrap=True,
    )
    figure.tight_layout()
    return figure
