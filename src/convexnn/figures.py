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
