"""The plotting style of every figure, the drawings several experiments share, and the claims figures.

Each experiment draws its own figures (:mod:`convexnn.experiments`) with what is here; nothing here
computes a result. One place sets the theme and the file formats: :func:`set_theme` and :func:`save_figure`, which
writes each figure as PNG (for the HTML report) and as vector PDF (for papers), both without a
software or date stamp, so that the same data give the same bytes. Labels use matplotlib's
mathtext for formulas.

Every figure is drawn at the size it would be printed at in a paper: one column (:data:`COLUMN_WIDTH`,
3.3 in) or the full text width (:data:`FULL_WIDTH`, 7 in), chosen per figure with :func:`new_figure`,
and no text in it is smaller than :data:`SMALLEST_FONT_POINTS` at that size (the theme's sizes;
tests/test_figure_legibility.py reads them back from the figures of a smoke build). Mathtext
exponents, as in the tick label $10^{-3}$, are drawn at 70% of their label's size.

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
# Printed widths (inches): one column of a two-column paper, and the full text width of a page.
COLUMN_WIDTH = 3.3
FULL_WIDTH = 7.0
WIDTHS = {COLUMN_WIDTH: "one column", FULL_WIDTH: "full page width"}
SMALLEST_FONT_POINTS = 6.0
# Point sizes at the printed size: a journal's figure text is 6-9 pt.
FONT_SIZES = {
    "font.size": 8.0,
    "axes.titlesize": 8.0,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "legend.fontsize": 7.0,
    "legend.title_fontsize": 7.0,
    "figure.titlesize": 8.0,
}
SMALL_FONT = 6.5  # the size of dense annotations (values in cells, notes under a title)
CLAIM_ROW_INCHES = 0.32  # the height of one claim's row in the claims figure
TEACHER_COLOUR = "tab:red"
STUDENT_COLOUR = "tab:blue"
# Stable bytes: no software name or creation date in the files.
METADATA = {"png": {"Software": None}, "pdf": {"Creator": None, "Producer": None, "CreationDate": None}}
LOSS_LABEL = r"loss $\frac{1}{2}\,(f(x) - y)^2$"


def set_theme() -> None:
    sns.set_theme(context="paper", style="whitegrid", rc=FONT_SIZES)
    plt.rcParams.update(
        {
            "pdf.fonttype": 42,  # TrueType: text stays text in the PDF
            "axes.linewidth": 0.6,
            "grid.linewidth": 0.4,
            "lines.linewidth": 1.2,
            "lines.markersize": 3.5,
            "legend.borderpad": 0.3,
            "legend.handlelength": 1.6,
            "legend.labelspacing": 0.3,
            "axes.titlepad": 4.0,
            "xtick.major.pad": 2.0,
            "ytick.major.pad": 2.0,
            "axes.labelpad": 2.0,
        }
    )


def new_figure(width: float, height: float) -> plt.Figure:
    """An empty figure of ``width`` (:data:`COLUMN_WIDTH` or :data:`FULL_WIDTH`) x ``height`` inches
    in the theme, laid out by matplotlib's constrained layout so that it is saved at exactly that size."""
    if width not in WIDTHS:
        raise ValueError(f"a figure is {COLUMN_WIDTH} or {FULL_WIDTH} inches wide, not {width}")
    set_theme()
    return plt.figure(figsize=(width, height), layout="constrained")


def new_panels(
    width: float, height: float, rows: int = 1, columns: int = 1, **options
) -> tuple[plt.Figure, np.ndarray]:
    """:func:`new_figure` with a grid of ``rows`` x ``columns`` axes (``plt.subplots`` options), always
    as a 2-D array."""
    figure = new_figure(width, height)
    return figure, figure.subplots(rows, columns, squeeze=False, **options)


def save_figure(figure: plt.Figure, paths: str | os.PathLike | Sequence[str | os.PathLike]) -> None:
    """Write ``figure`` to each path in the format its suffix names (.png, .pdf), atomically: at its
    own size when it is laid out by :func:`new_figure`, else cropped to what it draws."""
    # A figure from new_figure fits its size: saved as it is, its printed size is the one it was drawn for.
    cropped = None if figure.get_layout_engine() is not None else "tight"
    for path in [paths] if isinstance(paths, (str, os.PathLike)) else paths:
        kind = Path(path).suffix.lstrip(".")
        with atomic_path(path) as temporary:
            figure.savefig(temporary, format=kind, dpi=DPI, metadata=METADATA[kind], bbox_inches=cropped)
    plt.close(figure)


def size_words(figure: plt.Figure) -> str:
    """'7 x 3.2 in (full page width)': a figure's printed size, as the captions give it."""
    width, height = figure.get_size_inches()
    return f"{width:g} x {height:.2g} in ({WIDTHS.get(round(width, 2), 'not a paper width')})"


def drawn_texts(figure: plt.Figure) -> list[tuple[str, float]]:
    """(text, size in points) of every visible, non-empty text a figure draws: titles, labels, tick
    labels, legend entries, annotations."""
    figure.canvas.draw()  # tick labels exist once the figure is drawn
    return [
        (text.get_text(), float(text.get_fontsize()))
        for text in figure.findobj(matplotlib.text.Text)
        if text.get_visible() and text.get_text().strip()
    ]


def shared_legend(figure: plt.Figure, axis: plt.Axes, columns: int = 3, where: str = "outside lower center") -> None:
    """One legend for the whole figure, from ``axis``'s labelled artists, outside the panels."""
    handles, labels = axis.get_legend_handles_labels()
    figure.legend(handles, labels, loc=where, ncols=columns, frameon=False)


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
    axis.text(0.5, 0.5, text, ha="center", va="center", wrap=True, transform=axis.transAxes, fontsize=7)
    axis.set_axis_off()


def log_ticks(axis: plt.Axes, largest: float, ticks=(1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500)) -> None:
    chosen = [k for k in ticks if k <= largest]
    axis.set_xticks(chosen, [str(k) for k in chosen])
    axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def relu_positions(output_weights: np.ndarray, hidden_weights: np.ndarray) -> np.ndarray:
    """|w_j| v_j[:2]: a ReLU particle in the plane of its input weights, scaled by its output
    weight (the 2-homogeneous picture of report fig. 1; the bias is not drawn)."""
    return np.abs(output_weights)[..., None] * hidden_weights[..., :2]


Box = tuple[tuple[float, float], tuple[float, float]]  # ((x low, x high), (y low, y high))


def draw_relu_trajectories(axis: plt.Axes, trajectory: dict, title: str, box: Box | None = None) -> None:
    """Report figs. 1 and 7: trajectories in grey, final student in blue, teacher in red, on one scale
    for both axes (equal aspect) spanning ``box`` if given, else what is drawn."""
    positions = relu_positions(trajectory["output_weights"], trajectory["hidden_weights"])
    for particle in range(positions.shape[1]):
        axis.plot(positions[:, particle, 0], positions[:, particle, 1], color="0.6", lw=0.6, zorder=1)
    axis.scatter(
        positions[-1, :, 0],
        positions[-1, :, 1],
        s=12,
        color=STUDENT_COLOUR,
        zorder=3,
        label=f"student particles at the end ($k$ = {positions.shape[1]})",
    )
    teacher = relu_positions(trajectory["teacher_output_weights"], trajectory["teacher_hidden_weights"])
    axis.scatter(
        teacher[:, 0],
        teacher[:, 1],
        s=45,
        marker="*",
        color=TEACHER_COLOUR,
        zorder=4,
        label=f"teacher particles ($M$ = {len(teacher)})",
    )
    axis.scatter([0], [0], marker="+", color="black", s=30, zorder=2, label="origin")
    axis.plot([], [], color="0.6", lw=0.8, label="trajectories")
    axis.set_xlabel(r"$|w_j|\,v_j[1]$", labelpad=1)
    axis.set_ylabel(r"$|w_j|\,v_j[2]$", labelpad=1)
    axis.set_title(title, fontsize=7, loc="left")
    if box is None:  # one scale on both axes; the limits widen to fill the panel, which keeps its size for the title
        axis.set_aspect("equal", adjustable="datalim")
    else:
        axis.set(xlim=box[0], ylim=box[1])
        axis.set_aspect("equal", adjustable="box")


def relu_box(trajectory: dict, margin: float = 0.08) -> Box:
    """The smallest box that holds the teacher and every particle's path, widened by ``margin`` of its size."""
    positions = relu_positions(trajectory["output_weights"], trajectory["hidden_weights"]).reshape(-1, 2)
    teacher = relu_positions(trajectory["teacher_output_weights"], trajectory["teacher_hidden_weights"])
    points = np.vstack([positions, teacher, [[0.0, 0.0]]])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = margin * max(float((high - low).max()), 1e-12)
    return (low[0] - pad, high[0] + pad), (low[1] - pad, high[1] + pad)


def plot_relu_trajectory_panels(
    panels: list[tuple[str, dict | None]], boxes: Sequence[Box | None] | None = None, height: float = 3.3
) -> plt.Figure:
    """ReLU trajectory panels side by side at the full page width, one legend below them; panel i
    spans boxes[i] where given. A panel whose trajectory is None shows its title as a statement (no
    run fitted the selection rule), and a diverged run is stated, not drawn."""
    figure, axes = new_panels(FULL_WIDTH, height, 1, len(panels))
    boxes = list(boxes) if boxes is not None else [None] * len(panels)
    legend_axis = None
    for axis, (title, trajectory), box in zip(axes[0], panels, boxes):
        if trajectory is None:
            statement(axis, title)
        elif trajectory.get("diverged", False):
            statement(axis, f"{title}\nthis run DIVERGED: its particles are not drawn")
        else:
            draw_relu_trajectories(axis, trajectory, title, box)
            legend_axis = legend_axis or axis
    if legend_axis is not None:
        shared_legend(figure, legend_axis, columns=4)
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
    by verdict. Full page width, 0.32 in per claim."""
    rows = list(table.itertuples(index=False))
    figure, axes = new_panels(FULL_WIDTH, CLAIM_ROW_INCHES * len(rows) + 0.7, len(rows), 1)
    for axis, row in zip(axes[:, 0], rows):
        region = parse_region(row.threshold)
        values = np.array([row.value, row.low, row.high], dtype=float)
        axis.set_xscale(_claim_scale(values, region))
        colour = COLOURS.get(row.verdict, "black")
        if np.isfinite(values).all():
            axis.plot([row.low, row.high], [0, 0], color=colour, lw=4, solid_capstyle="butt", alpha=0.8)
            axis.plot([row.value], [0], "o", color="black", ms=3, zorder=3)
        else:
            axis.text(0.5, 0.5, "not evaluated", ha="center", va="center", transform=axis.transAxes, color=colour)
        axis.set_xlim(_claim_limits(values, region, axis.get_xscale()))
        _shade_region(axis, region, "x")
        axis.set_yticks([])
        axis.set_ylabel(f"{row.claim}\n{row.verdict}", rotation=0, ha="right", va="center", fontsize=7, color=colour)
        axis.text(1.01, 0.5, f"holds if {row.threshold}", transform=axis.transAxes, fontsize=SMALL_FONT, va="center")
        axis.tick_params(axis="x", labelsize=SMALL_FONT, pad=1)
        axis.grid(False, axis="y")
    figure.suptitle("The report's claims: value (dot) and 95% interval (bar); shaded: where the claim holds")
    return figure


def plot_claims_by_seed(table: pd.DataFrame, pooled: pd.DataFrame | None = None) -> plt.Figure:
    """One panel per claim: each base seed's value and 95% interval against the threshold (dashed,
    holding side shaded), coloured by verdict, and at the right the value and interval over every
    seed pooled (``pooled``, a thicker bar); the title gives the pooled verdict and how many seeds
    give it alone (or, without ``pooled``, the share of seeds with the most common verdict). Full
    page width, three panels a row."""
    claims = list(dict.fromkeys(table["claim"]))
    n_columns = 3
    n_rows = -(-len(claims) // n_columns)
    figure, axes = new_panels(FULL_WIDTH, 1.45 * n_rows + 0.7, n_rows, n_columns)
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
                axis.plot([row.seed, row.seed], [row.low, row.high], color=colour, lw=2.5, alpha=0.8)
                axis.plot([row.seed], [row.value], "o", color="black", ms=2.5, zorder=3)
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
                axis.plot([x, x], [row.low, row.high], color=colour, lw=5, alpha=0.9)
                axis.plot([x], [row.value], "o", color="black", ms=3, zorder=3)
            else:
                axis.plot([x], [0.5], "x", color=colour, transform=axis.get_xaxis_transform())
            agreeing = int((rows["verdict"] == row.verdict).sum())
            axis.set_title(f"{claim}: pooled {row.verdict}\n{agreeing} of {len(rows)} seeds alone", fontsize=7)
            ticks, labels = ticks + [x], labels + ["pooled"]
        else:
            verdict, count = most_common(rows["verdict"])
            axis.set_title(f"{claim}\n{count} of {len(rows)} seeds {verdict}", fontsize=7)
        axis.set_xticks(ticks, labels)
        axis.set_xlabel("base seed", fontsize=SMALL_FONT, labelpad=1)
        axis.tick_params(labelsize=SMALL_FONT, pad=1)
    for axis in axes.flat[len(claims) :]:
        axis.set_axis_off()
    handles = [matplotlib.lines.Line2D([], [], color=colour, lw=3, label=name) for name, colour in COLOURS.items()]
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=len(handles),
        frameon=False,
        title="verdict (bar: 95% interval)",
    )
    figure.suptitle(
        "The report's claims under each base seed and pooled over every seed: value, 95% interval,\n"
        "threshold (dashed; shaded where the claim holds)"
    )
    return figure


def plot_claims_atlas(table: pd.DataFrame) -> plt.Figure:
    """Claims (rows) by variation (columns, the paper setting first): each cell coloured by the verdict,
    with the value written in it; empty where the variation does not change the claim's experiment.
    Full page width."""
    claims = list(dict.fromkeys(table["claim"]))
    variations = list(dict.fromkeys(table["variation"]))
    changes = table.drop_duplicates("variation").set_index("variation")["change"]
    figure, axes = new_panels(FULL_WIDTH, 0.22 * len(claims) + 2.6)
    axis = axes[0, 0]
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
                fontsize=SMALLEST_FONT_POINTS,
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
        rotation_mode="anchor",
        fontsize=SMALLEST_FONT_POINTS,
    )
    axis.set_yticks(np.arange(len(claims)) + 0.5, claims, fontsize=7)
    axis.grid(False)
    handles = [matplotlib.patches.Patch(color=colour, label=name) for name, colour in COLOURS.items()]
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False, title="verdict")
    figure.suptitle(
        "Where the report's claims hold: one setting varied at a time from the paper setting (first\n"
        "column); the value in each cell, empty where the variation does not change the claim's experiment"
    )
    return figure
