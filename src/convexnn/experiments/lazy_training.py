"""Beyond the report (`snakemake lazy`): lazy against active training, measured as Chizat, Oyallon &
Bach (NeurIPS 2019; Chizat & Bach 2018, "A Note on Lazy Training in Supervised Differentiable
Programming", section 5) did: the test loss against the scale tau of the initialisation.

The report closes section 5.3 with their observation: "When the variance is high, all weights stay
almost fixed. When it is low, the weights move and the model generalizes well." Their setting: the
unscaled ReLU network f(x) = sum_{j<=m} b_j (a_j . x)_+ (no 1/m, no bias), m = 50, d = 100, a teacher
of m0 = 3 units with |a*_j| = 1 and b*_j = +-1, n = 1,000 training inputs uniform on the sphere, every
parameter N(0, tau^2) with the doubling trick (f(w0) = 0), full-batch gradient descent on
(1/2) mean squared error with step min(10, 0.1 / tau^2) (the step that keeps the linearised dynamics
free of tau for large tau) for 10,000 iterations, and beside it the same gradient descent on the
model linearised at w0 (kind ``gradient_descent``).

The runs of one repetition share their teacher, data and initial directions (the seed leaves tau
out), so that the curve against tau is a paired comparison, as in the original code; the bootstrap
resamples whole repetitions. The report's own fig. 7(b) is placed against this by the table
``lazy_reference_r0``: the relative displacement and the turn of the directions of its r0 = 10 runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from convexnn.aggregation import finished, geometric_mean
from convexnn.claims import ClaimResult, ClaimText, as_trajectory, bootstrap, is_missing
from convexnn.experiments.base import Experiment, Figure, Table
from convexnn.experiments.r0_sweep import LAZY_RADIUS, direction_changes_degrees
from convexnn.intervals import Region, above, at_least, below
from convexnn.plotting import FULL_WIDTH, STUDENT_COLOUR, TEACHER_COLOUR, diverged_note, new_panels, statement

NAME = "lazy_training"
FINALS = [
    "init_scale",
    "repetition",
    "excess_loss",
    "best_test_loss",
    "linearised_test_loss",
    "linearised_best_test_loss",
    "relative_displacement",
    "zero_predictor_loss",
    "diverged",
]
# Thresholds fixed from the words before any result (C10-fixed, C10-moves, C10-generalises, C10-kernel).
FIXED_DISPLACEMENT = 0.01
MOVING_DISPLACEMENT = 0.5
GENERALISATION_RATIO = 10.0
KERNEL_BAND = (0.9, 1.1)
KERNEL_FROM_SCALE = 1.0


def init_scales(section: dict) -> list[float]:
    """tau = 10^e for ``count`` exponents e evenly spaced from ``first`` to ``last`` (both included)."""
    exponents = section["log10_init_scale"]
    return [float(10.0**e) for e in np.linspace(exponents["first"], exponents["last"], exponents["count"])]


def step_size(section: dict, init_scale: float) -> float:
    """min(largest, numerator / tau^2): for large tau the linearised dynamics do not depend on tau."""
    return float(min(section["step_size"]["largest"], section["step_size"]["numerator"] / init_scale**2))


def build(config: dict, builder) -> None:
    """One run per (tau, repetition); the seed is the repetition's (paired across tau)."""
    section = config[NAME]
    for repetition in range(section["repetitions"]):
        for index, scale in enumerate(init_scales(section)):
            builder.job(
                "gradient_descent",
                [f"tau{index:02d}"],
                {},
                repetition,
                labels={"init_scale": scale},
                input_dim=section["input_dim"],
                n_units=section["n_units"],
                teacher_units=section["teacher_units"],
                n_train=section["n_train"],
                test_size=section["test_size"],
                init_scale=scale,
                step_size=step_size(section, scale),
                n_steps=section["n_steps"],
                n_checkpoints=section["n_checkpoints"],
            )


def _cross_key_problems(config: dict) -> list[str]:
    section = config[NAME]
    problems = []
    if section["n_units"] % 2:
        problems.append(
            f"config key '{NAME}.n_units': the doubling trick pairs units, so it must be even, got {section['n_units']}"
        )
    exponents = section["log10_init_scale"]
    if exponents["first"] >= exponents["last"]:
        problems.append(
            f"config key '{NAME}.log10_init_scale': first ({exponents['first']}) must be below last ({exponents['last']})"
        )
    return problems


# ---------------------------------------------------------------------------------------------
# Claims C10


def _at_scale(finals: pd.DataFrame, scale: float) -> pd.DataFrame:
    return finals[np.isclose(finals["init_scale"], scale)]


def _displacement_claim(finals: pd.DataFrame | None, which: str, text: ClaimText) -> ClaimResult:
    """Median over repetitions of ||w_T - w_0|| / ||w_0|| at the largest or the smallest tau."""
    if is_missing(finals):
        return text.not_evaluated("no lazy-training results")
    scale = finals["init_scale"].max() if which == "largest" else finals["init_scale"].min()
    runs = _at_scale(finals, scale)
    done = runs[finished(runs)]
    if done.empty:
        return text.not_evaluated(f"every run at tau = {scale:.3g} diverged ({len(runs)})")
    per_repetition = list(done["relative_displacement"].astype(float))
    value, interval, method = bootstrap(per_repetition, lambda values: float(np.median(values)))
    return text.result(
        value,
        interval,
        f"median over {len(done)} runs at tau = {scale:.3g}, range [{min(per_repetition):.3g}, "
        f"{max(per_repetition):.3g}]; {len(runs) - len(done)} diverged; {method}",
    )


C10_FIXED_TEXT = ClaimText(
    "C10-fixed",
    "5.3",
    "[Chizat and Bach, 2018a]: when the variance is high, all weights stay almost fixed",
    "median relative displacement ||w_T - w_0|| / ||w_0|| at the largest tau",
    below(FIXED_DISPLACEMENT),
)
C10_MOVES_TEXT = ClaimText(
    "C10-moves",
    "5.3",
    "[Chizat and Bach, 2018a]: when it is low, the weights move",
    "median relative displacement ||w_T - w_0|| / ||w_0|| at the smallest tau",
    above(MOVING_DISPLACEMENT),
)
C10_GENERALISES_TEXT = ClaimText(
    "C10-generalises",
    "5.3",
    "[Chizat and Bach, 2018a]: and the model generalizes well",
    "geometric-mean final test loss at the largest tau / that at the smallest tau",
    at_least(GENERALISATION_RATIO),
)
C10_KERNEL_TEXT = ClaimText(
    "C10-kernel",
    "5.3",
    "[Chizat and Bach]: the plateau at large tau is the performance of the corresponding kernel method",
    f"final test loss / the linearised model's, geometric mean over repetitions, at the tau >= {KERNEL_FROM_SCALE:g} "
    "farthest from 1",
    Region(*KERNEL_BAND),
)


def claim_weights_stay_fixed(finals: pd.DataFrame | None) -> ClaimResult:
    """C10-fixed: the median relative displacement at the largest tau; holds if below 0.01."""
    return _displacement_claim(finals, "largest", C10_FIXED_TEXT)


def claim_weights_move(finals: pd.DataFrame | None) -> ClaimResult:
    """C10-moves: the median relative displacement at the smallest tau; holds if above 0.5."""
    return _displacement_claim(finals, "smallest", C10_MOVES_TEXT)


def claim_small_scale_generalises(finals: pd.DataFrame | None) -> ClaimResult:
    """C10-generalises: GM{L(tau_max)} / GM{L(tau_min)} of the final test losses, paired by repetition
    (bootstrap over repetitions); holds if >= 10."""
    text = C10_GENERALISES_TEXT
    if is_missing(finals):
        return text.not_evaluated("no lazy-training results")
    largest, smallest = _at_scale(finals, finals["init_scale"].max()), _at_scale(finals, finals["init_scale"].min())
    pairs = largest.merge(smallest, on="repetition", suffixes=("_large", "_small"))
    pairs = pairs[~pairs["diverged_large"].astype(bool) & ~pairs["diverged_small"].astype(bool)]
    if pairs.empty:
        return text.not_evaluated("no repetition with finished runs at both the largest and the smallest tau")
    per_repetition = list(zip(np.log10(pairs["excess_loss_large"]), np.log10(pairs["excess_loss_small"])))

    def statistic(parts: list) -> float:
        return float(10.0 ** (np.mean([large for large, _ in parts]) - np.mean([small for _, small in parts])))

    value, interval, method = bootstrap(per_repetition, statistic)
    return text.result(
        value,
        interval,
        f"geometric mean {10 ** np.mean([p[0] for p in per_repetition]):.3g} at tau = {finals['init_scale'].max():.3g}"
        f" vs {10 ** np.mean([p[1] for p in per_repetition]):.3g} at tau = {finals['init_scale'].min():.3g} over "
        f"{len(per_repetition)} repetitions; {method}",
    )


def claim_plateau_is_the_kernel(finals: pd.DataFrame | None) -> ClaimResult:
    """C10-kernel: per tau >= 1, the geometric mean over repetitions of L / L_lin (the network's final
    test loss over its linearisation's); the value is the one farthest from 1 (in log), bootstrap over
    repetitions; holds if in [0.9, 1.1]."""
    text = C10_KERNEL_TEXT
    if is_missing(finals):
        return text.not_evaluated("no lazy-training results")
    runs = finals[(finals["init_scale"] >= KERNEL_FROM_SCALE * (1 - 1e-9)) & finished(finals)]
    runs = runs[np.isfinite(runs["linearised_test_loss"].astype(float))]
    if runs.empty:
        return text.not_evaluated(f"no finished run at tau >= {KERNEL_FROM_SCALE:g}")
    log_ratio = np.log10(runs["excess_loss"].astype(float) / runs["linearised_test_loss"].astype(float))
    table = pd.DataFrame({"repetition": runs["repetition"], "init_scale": runs["init_scale"], "log_ratio": log_ratio})
    matrix = table.pivot(index="repetition", columns="init_scale", values="log_ratio")
    scales = list(matrix.columns)

    def statistic(rows: list) -> float:
        means = np.nanmean(np.array(rows), axis=0)
        return float(10.0 ** means[np.nanargmax(np.abs(means))])

    rows = list(matrix.to_numpy())
    value, interval, method = bootstrap(rows, statistic)
    means = np.nanmean(np.array(rows), axis=0)
    worst = scales[int(np.nanargmax(np.abs(means)))]
    return text.result(
        value,
        interval,
        f"at tau = {worst:.3g} of {len(scales)} values of tau >= {KERNEL_FROM_SCALE:g} (ratios "
        + ", ".join(f"{10**m:.4f}" for m in means)
        + f"); {method}",
    )


def claims(finals: pd.DataFrame, trajectories: Sequence, context: Mapping) -> list[ClaimResult]:
    """C10 at the ends of the sweep and over its lazy plateau."""
    return [
        claim_weights_stay_fixed(finals),
        claim_weights_move(finals),
        claim_small_scale_generalises(finals),
        claim_plateau_is_the_kernel(finals),
    ]


# ---------------------------------------------------------------------------------------------
# The figure and the tables


def sweep_summary(finals: pd.DataFrame) -> pd.DataFrame:
    """Per tau over the finished repetitions: geometric mean, min and max of the final and the best
    test loss and of the linearised model's final loss; median, min and max of the displacement."""
    rows = []
    for scale, runs in finals.groupby("init_scale", sort=True):
        done = runs[finished(runs)]
        row = {"init_scale": scale, "n_finished": len(done), "n_diverged": len(runs) - len(done)}
        for column in ("excess_loss", "best_test_loss", "linearised_test_loss", "zero_predictor_loss"):
            values = done[column].astype(float).to_numpy()
            row[f"{column}_geometric_mean"] = geometric_mean(values)
            row[f"{column}_minimum"] = values.min() if values.size else math.nan
            row[f"{column}_maximum"] = values.max() if values.size else math.nan
        displacement = done["relative_displacement"].astype(float).to_numpy()
        row["displacement_median"] = float(np.median(displacement)) if displacement.size else math.nan
        row["displacement_minimum"] = displacement.min() if displacement.size else math.nan
        row["displacement_maximum"] = displacement.max() if displacement.size else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def plot_scale_sweep(summary: pd.DataFrame, finals: pd.DataFrame, reference: pd.DataFrame | None) -> plt.Figure:
    """(a) test loss against tau, log-log: the network's final and best test loss and the linearised
    model's final loss (geometric mean over repetitions, band: min-max), the zero predictor; (b) the
    relative displacement against tau (median, band: min-max) with the claims' two thresholds."""
    figure, axes = new_panels(FULL_WIDTH, 3.2, 1, 2)
    losses, moves = axes[0]
    n_repetitions = int(finals.groupby("init_scale")["repetition"].nunique().max())
    scales = summary["init_scale"]
    if summary["n_finished"].sum() == 0:
        statement(losses, "every run diverged: nothing to draw")
        statement(moves, "every run diverged: nothing to draw")
        return figure
    curves = [
        ("excess_loss", STUDENT_COLOUR, "-", "network, end of training"),
        ("best_test_loss", STUDENT_COLOUR, "--", "network, best during training"),
        ("linearised_test_loss", "tab:green", "-", "linearised model at $w_0$, end"),
    ]
    for column, colour, style, label in curves:
        losses.fill_between(
            scales, summary[f"{column}_minimum"], summary[f"{column}_maximum"], color=colour, alpha=0.12, lw=0
        )
        losses.plot(
            scales,
            summary[f"{column}_geometric_mean"],
            color=colour,
            ls=style,
            marker="o",
            ms=3,
            label=label,
        )
    losses.plot(scales, summary["zero_predictor_loss_geometric_mean"], color="grey", ls=":", label="zero predictor")
    note = diverged_note(finals, "init_scale").replace("init_scale =", "tau =")
    losses.set(
        xscale="log",
        yscale="log",
        xlabel=r"initialisation scale $\tau$ (every parameter $\sim N(0, \tau^2)$)",
        ylabel=r"test loss $\frac{1}{2}(f(x) - y)^2$",
    )
    losses.set_title(
        f"(a) test loss against the initialisation scale: geometric\nmeans over {n_repetitions} repetitions, bands min-max"
        + (f"\n{note}" if note else ""),
        loc="left",
        fontsize=7,
    )
    losses.legend(loc="best")
    moves.fill_between(
        scales, summary["displacement_minimum"], summary["displacement_maximum"], color=STUDENT_COLOUR, alpha=0.2, lw=0
    )
    moves.plot(
        scales,
        summary["displacement_median"],
        color=STUDENT_COLOUR,
        marker="o",
        ms=3,
        label=f"median ({n_repetitions} repetitions; band min-max)",
    )
    moves.axhline(FIXED_DISPLACEMENT, color="grey", ls="--", lw=0.8, label=f"{FIXED_DISPLACEMENT:g}: C10-fixed")
    moves.axhline(MOVING_DISPLACEMENT, color="grey", ls="-.", lw=0.8, label=f"{MOVING_DISPLACEMENT:g}: C10-moves")
    if reference is not None and len(reference) and np.isfinite(reference["median_relative_displacement"]).all():
        row = reference.iloc[0]
        moves.axhline(
            row["median_relative_displacement"],
            color=TEACHER_COLOUR,
            ls=":",
            label=f"report fig. 7(b): mean field, $r_0$ = {row['init_radius']:g}",
        )
    moves.set(
        xscale="log",
        yscale="log",
        xlabel=r"initialisation scale $\tau$",
        ylabel=r"relative displacement $\|w_T - w_0\| / \|w_0\|$",
    )
    moves.set_title("(b) how far the weights move", loc="left", fontsize=7)
    moves.legend(loc="lower left")
    return figure


def _inputs(view) -> dict[str, list[str]]:
    return {"finals": [view.aggregate(NAME, "finals")], "reference": [REFERENCE_TABLE]}


def _draw(data, settings: dict):
    finals = data.table("finals", FINALS)
    reference = data.table("reference", ["init_radius", "median_relative_displacement"], allow_empty=True)
    return plot_scale_sweep(sweep_summary(finals), finals, reference)


def _summary_table(data, settings: dict) -> pd.DataFrame:
    return sweep_summary(data.table("finals", FINALS))


def run_relative_displacement(trajectory) -> float:
    """||theta(T) - theta(0)|| / ||theta(0)|| over every parameter of a run, theta = (w, v)."""
    trajectory = as_trajectory(trajectory)
    start = np.concatenate([trajectory.output_weights[0], trajectory.hidden_weights[0].ravel()])
    end = np.concatenate([trajectory.output_weights[-1], trajectory.hidden_weights[-1].ravel()])
    return float(np.linalg.norm(end - start) / np.linalg.norm(start))


def _reference_inputs(view) -> dict[str, list[str]]:
    return {"trajectories": [job.particles_path for job in view.runs("r0_sweep", init_radius=LAZY_RADIUS)]}


def _reference_table(data, settings: dict) -> pd.DataFrame:
    """The report's fig. 7(b) runs (mean-field, r0 = 10), measured as the lazy sweep measures its runs:
    the median over runs of the relative displacement and of the median turn of v_j in degrees."""
    runs = [trajectory for trajectory in data.particles("trajectories") if not trajectory.get("diverged", False)]
    displacements = [run_relative_displacement(trajectory) for trajectory in runs]
    turns = [float(np.nanmedian(direction_changes_degrees(as_trajectory(trajectory)))) for trajectory in runs]
    return pd.DataFrame(
        [
            {
                "init_radius": LAZY_RADIUS,
                "n_runs": len(runs),
                "median_relative_displacement": float(np.median(displacements)) if runs else math.nan,
                "median_turn_degrees": float(np.median(turns)) if runs else math.nan,
            }
        ]
    )


REFERENCE_TABLE = "results/lazy_reference_r0/r0_10.csv"

EXPERIMENT = Experiment(
    name=NAME,
    title="lazy against active training: the test loss against the initialisation scale (beyond the report)",
    target="lazy",
    in_report=False,
    build=build,
    claim_names=("C10-fixed", "C10-moves", "C10-generalises", "C10-kernel"),
    claims=claims,
    cross_key_problems=_cross_key_problems,
    figures=(Figure("lazy_scale_sweep", "Beyond the report", inputs=_inputs, draw=_draw),),
    tables=(
        Table("lazy_reference_r0", REFERENCE_TABLE, inputs=_reference_inputs, compute=_reference_table),
        Table(
            "lazy_scale_summary",
            "results/lazy_scale_summary/summary.csv",
            inputs=lambda view: {"finals": [view.aggregate(NAME, "finals")]},
            compute=_summary_table,
        ),
    ),
)
