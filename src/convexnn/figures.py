"""The report's figures drawn from result tables; nothing here computes a result.

One place sets the theme and the file format: :func:`set_theme` and :func:`save_figure` (PNG with
no software stamp, so that the same data give the same bytes).
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from convexnn.storage import atomic_path  # noqa: E402

DPI = 150
TEACHER_COLOUR = "tab:red"
STUDENT_COLOUR = "tab:blue"


def set_theme() -> None:
    sns.set_theme(context="paper", style="whitegrid", font_scale=1.1)


def save_figure(figure: plt.Figure, path: str | os.PathLike) -> None:
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight")
    plt.close(figure)


def plot_training_curves(curves: list[pd.DataFrame], teacher_units: int) -> plt.Figure:
    """Report fig. 3: train loss (rolling mean over the last training samples) and test loss against
    samples seen, log-log, one panel per run."""
    set_theme()
    figure, axes = plt.subplots(1, len(curves), figsize=(5.2 * len(curves), 4), sharey=True, squeeze=False)
    for letter, axis, curve in zip("abcdefgh", axes[0], curves):
        title = f"({letter}) k = {curve['n_particles'].iloc[0]} particles, M = {teacher_units} teacher units"
        seen = curve[curve["samples_seen"] > 0]
        axis.plot(seen["samples_seen"], seen["train_loss"], color="tab:orange", label="train loss (rolling mean)")
        axis.plot(seen["samples_seen"], seen["test_loss"], color=STUDENT_COLOUR, label="test loss (10,000 samples)")
        axis.axhline(curve["zero_predictor_loss"].iloc[0], color="grey", ls=":", label="zero predictor")
        if curve["diverged"].any():
            title += " (DIVERGED)"
        axis.set(xscale="log", yscale="log", title=title, xlabel="training samples seen")
    axes[0, 0].set_ylabel("loss 1/2 (f(x) - y)^2")
    axes[0, -1].legend(loc="lower left")
    figure.tight_layout()
    return figure


def plot_excess_loss_vs_particles(
    finals: pd.DataFrame, summary: pd.DataFrame, teacher_units: int, title: str
) -> plt.Figure:
    """Report figs. 4 and 5: final excess loss against the number of particles k, log-log.

    Every finished repetition is a dot; the line is the geometric mean over repetitions and the band
    spans min to max; the dashed vertical line marks k = M, the number of teacher units.
    """
    set_theme()
    figure, axis = plt.subplots(figsize=(6, 4.2))
    finished = finals[~finals["diverged"].astype(bool)]
    n_repetitions = int(finals.groupby("n_particles")["repetition"].nunique().max())
    axis.fill_between(summary["n_particles"], summary["minimum"], summary["maximum"], color=STUDENT_COLOUR,
                      alpha=0.2, lw=0, label="min-max over repetitions")
    axis.plot(summary["n_particles"], summary["geometric_mean"], color=STUDENT_COLOUR, marker="o", ms=3,
              label=f"geometric mean over {n_repetitions} repetitions")
    axis.scatter(finished["n_particles"], finished["excess_loss"], s=10, color="black", alpha=0.6, zorder=3,
                 label="one repetition")
    axis.axvline(teacher_units, color=TEACHER_COLOUR, ls="--", label=f"k = M = {teacher_units}")
    zero_loss = float(np.exp(np.log(finals["zero_predictor_loss"]).mean()))
    axis.axhline(zero_loss, color="grey", ls=":", label="zero predictor (geometric mean)")
    n_diverged = int(finals["diverged"].astype(bool).sum())
    if n_diverged:
        title += f"\n{n_diverged} diverged runs left out"
    axis.set(xscale="log", yscale="log", xlabel="number of particles k", ylabel="excess loss at end of training",
             title=title)
    ticks = [k for k in (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500) if k <= summary["n_particles"].max()]
    axis.set_xticks(ticks, [str(k) for k in ticks])
    axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
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
    axis.scatter(positions[-1, :, 0], positions[-1, :, 1], s=22, color=STUDENT_COLOUR, zorder=3,
                 label=f"student particles at the end (k = {positions.shape[1]})")
    teacher = relu_positions(trajectory["teacher_output_weights"], trajectory["teacher_hidden_weights"])
    axis.scatter(teacher[:, 0], teacher[:, 1], s=70, marker="*", color=TEACHER_COLOUR, zorder=4,
                 label=f"teacher particles (M = {len(teacher)})")
    axis.scatter([0], [0], marker="+", color="black", s=40, zorder=2)
    axis.set(title=title, xlabel="|w| v[1]", ylabel="|w| v[2]", )
    axis.set_aspect("equal", adjustable="datalim")
    axis.legend(fontsize=7, loc="best")


def plot_relu_trajectory_panels(panels: list[tuple[str, dict | None]]) -> plt.Figure:
    """Side-by-side ReLU trajectory panels; a panel whose trajectory is None shows its title as a
    statement (no run fitted the selection rule) instead of a made-up picture."""
    set_theme()
    figure, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 5.2), squeeze=False)
    for axis, (title, trajectory) in zip(axes[0], panels):
        if trajectory is None:
            axis.text(0.5, 0.5, title, ha="center", va="center", wrap=True, transform=axis.transAxes)
            axis.set_axis_off()
        else:
            draw_relu_trajectories(axis, trajectory, title)
    figure.tight_layout()
    return figure


def draw_sigmoid_trajectories(axis: plt.Axes, trajectory: dict, title: str) -> None:
    """Report fig. 2: particles at v_j[:2] (bias not drawn), trajectories in grey, final position with
    size proportional to |w_j| in red for w_j >= 0 and blue for w_j < 0; teacher directions as solid
    black lines through the origin."""
    hidden = trajectory["hidden_weights"][..., :2]
    for particle in range(hidden.shape[1]):
        axis.plot(hidden[:, particle, 0], hidden[:, particle, 1], color="0.7", lw=0.7, zorder=1)
    final_output = trajectory["output_weights"][-1]
    sizes = 200 * np.abs(final_output) / max(np.abs(final_output).max(), 1e-300)
    for sign, colour, label in [(final_output >= 0, "tab:red", "w >= 0"), (final_output < 0, "tab:blue", "w < 0")]:
        axis.scatter(hidden[-1, sign, 0], hidden[-1, sign, 1], s=sizes[sign] + 2, color=colour, alpha=0.8,
                     zorder=3, label=f"{label} ({int(sign.sum())} particles)")
    for direction in trajectory["teacher_hidden_weights"][:, :2]:
        axis.axline((0.0, 0.0), tuple(direction), color="black", lw=1.3, zorder=2)
    axis.plot([], [], color="black", lw=1.3, label="teacher directions")
    axis.set(title=title, xlabel="v[1]", ylabel="v[2]", )
    axis.set_aspect("equal", adjustable="datalim")
    axis.legend(fontsize=7, loc="best")


def plot_sigmoid_trajectory_panels(panels: list[tuple[str, dict]]) -> plt.Figure:
    set_theme()
    figure, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 5.2), squeeze=False)
    for axis, (title, trajectory) in zip(axes[0], panels):
        draw_sigmoid_trajectories(axis, trajectory, title)
    figure.tight_layout()
    return figure


def plot_r0_sweep(curve_summary: pd.DataFrame, finals: pd.DataFrame) -> plt.Figure:
    """Report fig. 6: test loss against samples seen, log-log, one colour per r0 in order of r0
    (log-scaled colour map): geometric mean over repetitions as a line, min-max as a band."""
    set_theme()
    figure, axis = plt.subplots(figsize=(7, 4.6))
    radii = sorted(curve_summary["init_radius"].unique())
    norm = matplotlib.colors.LogNorm(vmin=min(radii), vmax=max(radii))
    cmap = matplotlib.colormaps["viridis"]
    n_repetitions = int(finals.groupby("init_radius")["repetition"].nunique().max())
    for radius in radii:
        curve = curve_summary[(curve_summary["init_radius"] == radius) & (curve_summary["samples_seen"] > 0)]
        n_diverged = int(finals.loc[finals["init_radius"] == radius, "diverged"].astype(bool).sum())
        label = f"r0 = {radius:g}" + (f" ({n_diverged} diverged, left out)" if n_diverged else "")
        colour = cmap(norm(radius))
        axis.fill_between(curve["samples_seen"], curve["minimum"], curve["maximum"], color=colour, alpha=0.15, lw=0)
        axis.plot(curve["samples_seen"], curve["geometric_mean"], color=colour, lw=1.5, label=label)
    axis.set(xscale="log", yscale="log", xlabel="training samples seen", ylabel="test loss",
             title=f"ReLU, k = 20: geometric mean over {n_repetitions} repetitions, band = min-max (report fig. 6)")
    axis.title.set_fontsize(9)
    colourbar = figure.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=axis)
    colourbar.set_label("initialisation radius r0 (log scale)")
    axis.legend(fontsize=7, loc="lower left", ncol=2)
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
        runs = finals[(finals["activation"] == activation) & ~finals["diverged"].astype(bool)]
        n_repetitions = int(finals.loc[finals["activation"] == activation].groupby("n_particles")["repetition"].nunique().max())
        axis.scatter(runs["n_particles"], runs["normalised_loss"], s=10, color="black", alpha=0.6, zorder=3,
                     label="particle gradient descent, one run")
        axis.plot(rows["n_particles"], rows["geometric_mean"], color=STUDENT_COLOUR, marker="o", ms=3,
                  label=f"geometric mean over {n_repetitions} repetitions")
        axis.plot(rows["n_particles"], rows["baseline_geometric_mean"], color="tab:green", ls="--", marker="s", ms=3,
                  label="convex baseline: fixed random units,\nleast-squares output weights (geometric mean)")
        axis.axvline(teacher_units, color=TEACHER_COLOUR, ls="--", label=f"m = m0 = {teacher_units}")
        n_diverged = int(rows["n_diverged"].sum())
        title = f"{activation}" + (f" ({n_diverged} diverged runs left out)" if n_diverged else "")
        axis.set(xscale="log", yscale="log", xlabel="number of particles m", title=title)
        ticks = [m for m in (3, 5, 10, 20, 50, 100, 200) if m <= rows["n_particles"].max()]
        axis.set_xticks(ticks, [str(m) for m in ticks])
        axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        axis.legend(fontsize=7, loc="lower left")
    axes[0, 0].set_ylabel("excess loss / (1/2 Var y)")
    figure.suptitle(caption, fontsize=9)
    figure.tight_layout()
    return figure


def plot_protocol_comparison(summary: pd.DataFrame, teacher_units: int, labels: dict[tuple[str, str], str]) -> plt.Figure:
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
        axis.fill_between(rows["n_particles"], rows["minimum"], rows["maximum"], color=colour, alpha=0.15, lw=0)
        axis.plot(rows["n_particles"], rows["geometric_mean"], color=colour, marker="o", ms=3, label=label)
    axis.axvline(teacher_units, color=TEACHER_COLOUR, ls="--", label=f"m = m0 = {teacher_units}")
    axis.set(xscale="log", yscale="log", xlabel="number of particles m", ylabel="excess loss / (1/2 Var y)",
             title="ReLU, d = 100: which choice makes the transition sharp? (line: geometric mean, band: min-max)")
    axis.title.set_fontsize(9)
    ticks = sorted(summary["n_particles"].unique())
    axis.set_xticks(ticks, [str(m) for m in ticks])
    axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axis.legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    return figure
