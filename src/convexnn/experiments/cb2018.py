"""Beyond the report (`snakemake beyond`): Chizat & Bach's (2018) excess loss against the number of
particles m, d = 100, m0 = 20, with a convex baseline.

Two teachers (the equal-weight teacher and the report's) crossed with two protocols (long enough to
converge, and the report's figs. 4-5 protocol), and the convex baseline on the equal-weight teacher:
m fixed random units, output weights by least squares (kind ``baseline``). Losses are divided by
1/2 Var(y), the loss of the best constant predictor.
"""

from __future__ import annotations

import itertools

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from convexnn.aggregation import finished, transition_ratio
from convexnn.experiments.base import Experiment, Figure, Table
from convexnn.experiments.grid import DIAGNOSTIC_CHECKPOINTS, training_settings
from convexnn.plotting import (
    FULL_WIDTH,
    STUDENT_COLOUR,
    TEACHER_COLOUR,
    diverged_note,
    log_ticks,
    new_panels,
    shared_legend,
)

NAME = "cb2018"
# The baselines' stream: separate from the training runs' (same configuration keys).
BASELINE_STREAM = "cb2018_baseline"
FINALS = ["repetition", "excess_loss", "diverged"]
SUMMARY = ["n_particles", "geometric_mean", "minimum", "maximum"]


def cb2018_training_grid(section: dict) -> list[tuple[str, str, str, int]]:
    """(teacher, protocol, activation, m) of every Chizat & Bach run: the full grid with the unit
    teacher and the converging protocol, and the side-by-side of both teachers and protocols."""
    runs = {
        ("unit", "converge", activation, m) for activation in section["activations"] for m in section["n_particles"]
    }
    comparison = section["comparison"]
    runs |= {
        (teacher, protocol, comparison["activation"], m)
        for teacher in section["teachers"]
        for protocol in section["protocols"]
        for m in comparison["n_particles"]
    }
    return sorted(runs)


def build(config: dict, builder) -> None:
    """Every run of :func:`cb2018_training_grid` and the baselines. The training seed leaves the
    protocol out, so that both protocols start from the same particles and draw the same samples."""
    section = config[NAME]
    teachers = {}
    grid = cb2018_training_grid(section)
    for repetition in range(section["repetitions"]):
        for teacher_kind, activation in sorted({(teacher, activation) for teacher, _, activation, _ in grid}):
            radius = (
                section["teachers"]["unit"]["hidden_norm"][activation]
                if teacher_kind == "unit"
                else section["teachers"]["report"]["teacher_radius"]
            )
            teachers[teacher_kind, activation, repetition] = builder.teacher(
                {"teacher": teacher_kind, "activation": activation},
                repetition,
                kind=teacher_kind,
                activation=activation,
                input_dim=section["input_dim"],
                teacher_units=section["teacher_units"],
                radius=float(radius),
                input_distribution=section["input_distribution"],
                test_size=section["test_size"],
            )
        for teacher_kind, protocol, activation, m in grid:
            steps = {
                key: value[activation] if isinstance(value, dict) else value
                for key, value in section["protocols"][protocol].items()
            }
            settings = training_settings(
                steps | {"n_checkpoints": DIAGNOSTIC_CHECKPOINTS, "train_window": section["train_window"]},
                activation,
                m,
            )
            seed_configuration = {"teacher": teacher_kind, "activation": activation, "n_particles": m}
            labels = {"teacher": teacher_kind, "protocol": protocol, "activation": activation, "n_particles": m}
            builder.run(
                teachers[teacher_kind, activation, repetition],
                [teacher_kind, protocol, activation, f"m{m}"],
                seed_configuration,
                labels,
                repetition,
                settings,
            )
        for activation, m in itertools.product(section["activations"], section["n_particles"]):
            seed_configuration = {"teacher": "unit", "activation": activation, "n_particles": m}
            builder.job(
                "baseline",
                ["unit", activation, f"m{m}"],
                seed_configuration,
                repetition,
                labels=seed_configuration,
                stream=BASELINE_STREAM,
                teacher=teachers["unit", activation, repetition].id,
                n_particles=m,
                hidden_norm=float(section["teachers"]["unit"]["hidden_norm"][activation]),
                n_samples=section["baseline_samples"],
            )


def plot_transition(finals: pd.DataFrame, summary: pd.DataFrame, teacher_units: int, caption: str) -> plt.Figure:
    """Chizat & Bach's experiment: normalised excess loss at the end of training against the number
    of particles m, one panel per activation, log-log. Dots: one run each; line: geometric mean over
    repetitions; dashed: the convex baseline (fixed random units, least-squares output weights)."""
    activations = sorted(summary["activation"].unique())
    figure, axes = new_panels(FULL_WIDTH, 3.6, 1, len(activations), sharey=True)
    for axis, activation in zip(axes[0], activations):
        rows = summary[summary["activation"] == activation]
        runs_of = finals[finals["activation"] == activation]
        runs = runs_of[finished(runs_of)]
        n_repetitions = int(runs_of.groupby("n_particles")["repetition"].nunique().max())
        axis.scatter(
            runs["n_particles"],
            runs["normalised_loss"],
            s=6,
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
            label="convex baseline: fixed random units, least-squares\noutput weights (geometric mean)",
        )
        axis.axvline(teacher_units, color=TEACHER_COLOUR, ls="--", label=f"$m = m_0$ = {teacher_units}")
        note = diverged_note(runs_of, "n_particles").replace("k =", "m =")
        axis.set(xscale="log", yscale="log", xlabel="number of particles $m$")
        axis.set_title(activation + (f"\n{note}" if note else ""), loc="left")
        log_ticks(axis, rows["n_particles"].max(), ticks=(3, 5, 10, 20, 50, 100, 200))
    axes[0, 0].set_ylabel(r"excess loss / ($\frac{1}{2}$ Var $y$)")
    shared_legend(figure, axes[0, 0], columns=2)
    figure.suptitle(caption, fontsize=7)
    return figure


def plot_protocol_comparison(
    summary: pd.DataFrame, teacher_units: int, input_dim: int, labels: dict[tuple[str, str], str]
) -> plt.Figure:
    """Side by side: geometric-mean normalised loss against m for each (teacher, protocol) pair,
    with min-max bands, so a reader sees which choice makes the transition sharp."""
    figure, axes = new_panels(FULL_WIDTH, 4.2)
    axis = axes[0, 0]
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
    )
    axis.set_title(f"$d$ = {input_dim}: which choice makes the transition sharp? (line: geometric mean, band: min-max)")
    ticks = sorted(summary["n_particles"].unique())
    axis.set_xticks(ticks, [str(m) for m in ticks])
    axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    shared_legend(figure, axis, columns=1)
    return figure


PROTOCOL_LABELS = {
    ("report", "report"): "report's teacher, report's protocol",
    ("report", "converge"): "report's teacher, long protocol",
    ("unit", "report"): "equal-weight teacher, report's protocol",
    ("unit", "converge"): "equal-weight teacher, long protocol",
}


def _settings(view) -> dict:
    section = view.section(NAME)
    return {
        "teacher_units": section["teacher_units"],
        "input_dim": section["input_dim"],
        "activation": section["comparison"]["activation"],
        "protocols": section["protocols"],
    }


def _aggregates(*tables: str):
    return lambda view: {table: [view.aggregate(NAME, table)] for table in tables}


def _draw_transition(data, settings: dict):
    """Normalised loss against m with the unit teacher and the long protocol."""
    finals = data.table("finals", FINALS + ["teacher", "protocol", "activation", "n_particles", "normalised_loss"])
    summary = data.table("summary", SUMMARY + ["teacher", "protocol", "activation", "baseline_geometric_mean"])

    def keep(table):
        return table[(table["teacher"] == "unit") & (table["protocol"] == "converge")]

    caption = (
        f"Chizat & Bach (2018) setting: $d$ = {settings['input_dim']}, teacher of $m_0$ = {settings['teacher_units']} "
        "units with $w^*$ = +1, $|v^*|$ fixed, no bias;\nlosses divided by $\\frac{1}{2}$ Var $y$, the loss of "
        "the best constant predictor"
    )
    return plot_transition(keep(finals), keep(summary), settings["teacher_units"], caption)


def _draw_protocols(data, settings: dict):
    """Both teachers crossed with both protocols, side by side."""
    summary = data.table("summary", SUMMARY + ["teacher", "protocol", "activation", "n_diverged"])
    activation, protocols = settings["activation"], settings["protocols"]
    labels = {}
    for (teacher, protocol), label in PROTOCOL_LABELS.items():
        steps = protocols[protocol]
        labels[teacher, protocol] = (
            f"{activation}, {label} ($\\eta$ = {steps['step_size'][activation]:g}, "
            f"{steps['n_steps'][activation]:.0e} steps)"
        )
    comparison = summary[summary["activation"] == activation]
    return plot_protocol_comparison(comparison, settings["teacher_units"], settings["input_dim"], labels)


def _transitions(data, settings: dict) -> pd.DataFrame:
    """The fall of the geometric-mean loss across m0 per (teacher, protocol, activation)."""
    summary = data.table("summary", ["teacher", "protocol", "activation", "n_particles", "geometric_mean"])
    return transition_ratio(summary, settings["teacher_units"], ["teacher", "protocol", "activation"])


EXPERIMENT = Experiment(
    name=NAME,
    title="Chizat & Bach's sharp transition at m = m0 (beyond the report)",
    target="beyond",
    in_report=False,
    build=build,
    summary_value="normalised_loss",
    figures=(
        Figure(
            "cb2018_transition",
            "Beyond the report",
            inputs=_aggregates("finals", "summary"),
            draw=_draw_transition,
            settings=_settings,
        ),
        Figure(
            "cb2018_protocols",
            "Beyond the report",
            inputs=_aggregates("summary"),
            draw=_draw_protocols,
            settings=_settings,
        ),
    ),
    tables=(
        Table(
            "cb2018_transitions",
            "results/cb2018_transitions/transitions.csv",
            inputs=_aggregates("summary"),
            compute=_transitions,
            settings=lambda view: {"teacher_units": view.section(NAME)["teacher_units"]},
        ),
    ),
)
