"""The plotting style of every figure, the drawings several experiments share, and the claims figures.

Each experiment draws its own figures (:mod:`convexnn.experiments`) with what is here; nothing here
computes a result. One place sets the theme and the file formats: :func:`set_theme` and :func:`save_figure`, which
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

from convexnn.aggregation import finished  # noqa: E402
from convexnn.intervals import parse_region  # noqa: E402
from convexnn.storage import atomic_path  # noqa: E402
from convexnn.verdicts import COLOURS, most_common  # noqa: E402

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


def diverged_note(finals: pd.DataFrame, setting: str) -> str:
    """'n diverged runs left out (k = 3: 2, k = 7: 5 of 5)' for the settings in column ``setting``."""
    diverged = finals[~finished(finals)]
    if diverged.empty:
        return ""
    totals = finals.groupby(setting)["diverged"].size()
    parts = [f"{value:g}: {count} of {totals[value]}" for value, count in diverged.groupby(setting).size().items()]
    name = {"n_particles": "k", "init_radius": "r0"}.get(setting, setting)
    return f"{len(diverged)} diverged runs left out ({name} = " + ", ".join(parts) + ")"


def statement(axis: plt.Axes, text: str) -> None:
    """A panel that states a fact in words instead of drawing a picture."""
    axis.text(0.5, 0.5, text, ha="center", va="center", wrap=True, transform=axis.transAxes)
    axis.set_axis_off()


def log_ticks(axis: plt.Axes, largest: float, ticks=(1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500)) -> None:
    chosen = [k for k in ticks if k <= largest]
    axis.set_xticks(chosen, [str(k) for k in chosen])
    axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


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
            statement(axis, title)
        elif trajectory.get("diverged", False):
            statement(axis, f"{title}\nthis run DIVERGED: its particles are not drawn")
        else:
            draw_relu_trajectories(axis, trajectory, title)
    figure.tight_layout()
    return figure


# --------------------------------------------------------------------------------------------------
# Claims: values, intervals, thresholds and verdicts


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
        span(lower, upper, color=COLOURS["holds"], alpha=0.12, lw=0)
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
        colour = COLOURS.get(row.verdict, "black")
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


def plot_claims_by_seed(table: pd.DataFrame, pooled: pd.DataFrame | None = None) -> plt.Figure:
    """One panel per claim: each base seed's value and 95% interval against the threshold (dashed,
    holding side shaded), coloured by verdict, and at the right the value and interval over every
    seed pooled (``pooled``, a thicker bar); the title gives the pooled verdict and how many seeds
    give it alone (or, without ``pooled``, the share of seeds with the most common verdict)."""
    set_theme()
    claims = list(dict.fromkeys(table["claim"]))
    n_columns = 4
    n_rows = -(-len(claims) // n_columns)
    figure, axes = plt.subplots(n_rows, n_columns, figsize=(3.4 * n_columns, 2.6 * n_rows), squeeze=False)
    for axis, claim in zip(axes.flat, claims):
        rows = table[table["claim"] == claim].sort_values("seed")
        region = parse_region(rows["threshold"].iloc[0])
        together = None if pooled is None else pooled[pooled["claim"] == claim]
        values = rows[["value", "low", "high"]].to_numpy(dtype=float)
        if together is not None and len(together):
            values = np.concatenate([values, together[["value", "low", "high"]].to_numpy(dtype=float)])
        axis.set_yscale(_claim_scale(values.ravel(), region))
        for row in rows.itertuples(index=False):
            colour = COLOURS.get(row.verdict, "black")
            if np.isfinite([row.value, row.low, row.high]).all():
                axis.plot([row.seed, row.seed], [row.low, row.high], color=colour, lw=3, alpha=0.8)
                axis.plot([row.seed], [row.value], "o", color="black", ms=3, zorder=3)
            else:
                axis.plot([row.seed], [0.5], "x", color=colour, transform=axis.get_xaxis_transform())
        axis.set_ylim(_claim_limits(values.ravel(), region, axis.get_yscale()))
        _shade_region(axis, region, "y")
        ticks, labels = rows["seed"].to_list(), [str(seed) for seed in rows["seed"]]
        if together is not None and len(together):
            row = together.iloc[0]
            x = rows["seed"].max() + 1.5
            colour = COLOURS.get(row.verdict, "black")
            if np.isfinite([row.value, row.low, row.high]).all():
                axis.plot([x, x], [row.low, row.high], color=colour, lw=6, alpha=0.9)
                axis.plot([x], [row.value], "o", color="black", ms=4, zorder=3)
            else:
                axis.plot([x], [0.5], "x", color=colour, transform=axis.get_xaxis_transform())
            agreeing = int((rows["verdict"] == row.verdict).sum())
            axis.set_title(f"{claim}: pooled {row.verdict}; {agreeing} of {len(rows)} seeds alone", fontsize=8)
            ticks, labels = ticks + [x], labels + ["pooled"]
        else:
            verdict, count = most_common(rows["verdict"])
            axis.set_title(f"{claim}: {count} of {len(rows)} seeds {verdict}", fontsize=8)
        axis.set_xticks(ticks, labels)
        axis.set_xlabel("base seed", fontsize=7)
        axis.tick_params(labelsize=7)
    for axis in axes.flat[len(claims) :]:
        axis.set_axis_off()
    handles = [matplotlib.lines.Line2D([], [], color=colour, lw=3, label=name) for name, colour in COLOURS.items()]
    figure.legend(handles=handles, loc="lower right", fontsize=8, title="verdict (bar: 95% interval)")
    figure.suptitle(
        "The report's claims under each base seed and pooled over every seed: value, 95% interval, threshold "
        "(dashed; shaded where the claim holds)",
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
                matplotlib.patches.Rectangle((column, row), 1, 1, color=COLOURS[verdict_name], alpha=0.85, lw=0)
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
    handles = [matplotlib.patches.Patch(color=colour, label=name) for name, colour in COLOURS.items()]
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
