"""Report 5.2, figs. 3-5 and claims C5-C7: how many particles k does SGD need to reach the global
minimum when the teacher has M units?

One training job per (activation, k, repetition), one teacher per (activation, repetition) shared by
every k (paired comparisons). The report's fig. 3 contrasts k = 20 with k = 5 for M = 10, that is
k = 2M with k = M/2, the points where C6 separates "few" from "many": C5 is evaluated at the grid's
k nearest those points on their far side (:func:`fig3_points`), and the ReLU runs there record their
whole test-loss curve for fig. 3 (every repetition, so that the figure shows the distribution the
claim measures); every other run records a few diagnostic checkpoints.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from convexnn.aggregation import GLOBAL_MINIMUM_RATIO, finished
from convexnn.claims import (
    ClaimResult,
    ClaimText,
    bootstrap,
    is_missing,
    log_geometric_mean_ratio,
    part_sum,
    power_of_ten,
    repetition_groups,
)
from convexnn.experiments.base import Experiment, Figure
from convexnn.experiments.grid import (
    DIAGNOSTIC_CHECKPOINTS,
    repetitions_of,
    report_teacher,
    symmetric_init_problems,
    training_settings,
)
from convexnn.intervals import above, at_least, clopper_pearson
from convexnn.plotting import (
    FULL_WIDTH,
    LOSS_LABEL,
    STUDENT_COLOUR,
    TEACHER_COLOUR,
    diverged_note,
    log_ticks,
    new_panels,
    shared_legend,
    statement,
)

NAME = "overparam"
# Fig. 3 and C5 are about ReLU (report fig. 3); fig. 3 draws the train loss of this repetition.
CURVE_ACTIVATION = "relu"
FIGURE_REPETITION = 0
FINALS = ["repetition", "excess_loss", "diverged", "activation", "n_particles", "zero_predictor_loss"]
SUMMARY = ["n_particles", "geometric_mean", "minimum", "maximum", "activation"]


def fig3_points(n_particles: Sequence[int], teacher_units: int) -> tuple[int | None, int | None]:
    """(the largest k of the grid <= M/2, the smallest k >= 2M): the report's k = 5 and 20 for M = 10;
    None where the grid has no such k."""
    few = [k for k in n_particles if k <= teacher_units / 2]
    many = [k for k in n_particles if k >= 2 * teacher_units]
    return (max(few) if few else None), (min(many) if many else None)


def build(config: dict, builder) -> None:
    """Every (activation, k, repetition); one teacher per (activation, repetition)."""
    section = config[NAME]
    curve_ks = fig3_points(section["n_particles"], section["teacher_units"])
    pairs = [
        (activation, repetition)
        for activation in section["activations"]
        for repetition in range(repetitions_of(section, activation))
    ]
    for activation, repetition in pairs:
        teacher = report_teacher(builder, section, activation, repetition)
        for k in section["n_particles"]:
            drawn = activation == CURVE_ACTIVATION and k in curve_ks
            configuration = {"activation": activation, "n_particles": k}
            settings = training_settings(
                section, activation, k, n_checkpoints=section["n_checkpoints"] if drawn else DIAGNOSTIC_CHECKPOINTS
            )
            builder.run(teacher, [activation, f"k{k}"], configuration, configuration, repetition, settings)


C5_WORDS = "k = 20 converges to (near) zero loss, k = 5 to a non-zero loss (fig. 3)"


def c5_text(small_k: int | None, large_k: int | None) -> ClaimText:
    """C5's text, its quantity naming the two k it is evaluated at."""
    at = f"at k = {small_k} / that at k = {large_k}" if small_k and large_k else "at k <= M/2 / that at k >= 2M"
    return ClaimText(
        "C5", "5.2", C5_WORDS, f"geometric-mean final test loss {at}, over every repetition", at_least(100.0)
    )


C6_MIN_RATIO = 100.0


def _log_losses(runs: pd.DataFrame) -> np.ndarray:
    return np.log10(runs.loc[finished(runs), "excess_loss"].to_numpy(dtype=float))


def _geometric_mean_ratio(finals: pd.DataFrame, few: pd.Series, many: pd.Series) -> tuple[float, tuple, str, list]:
    """GM(excess loss of the finished runs in ``few``) / GM(... in ``many``), bootstrapped over repetitions."""
    per_repetition = []
    for group in repetition_groups(finals):
        few_logs, many_logs = _log_losses(group[few[group.index]]), _log_losses(group[many[group.index]])
        if few_logs.size and many_logs.size:
            per_repetition.append((few_logs.sum(), few_logs.size, many_logs.sum(), many_logs.size))
    if not per_repetition:
        return math.nan, (math.nan, math.nan), "", []
    value, interval, method = bootstrap(
        per_repetition, lambda parts: power_of_ten(log_geometric_mean_ratio(parts, 0, 2))
    )
    return value, interval, method, per_repetition


def claim_few_particles_stall(
    finals: pd.DataFrame | None, activation: str, small_k: int | None, large_k: int | None
) -> ClaimResult:
    """C5 (section 5.2, fig. 3): value = GM{L(k = small_k)} / GM{L(k = large_k)} over the finished
    runs of every repetition at those k (GM the geometric mean; the report's k = 5 and 20, see
    :func:`fig3_points`); bootstrap over repetitions. Holds if >= 100."""
    text = c5_text(small_k, large_k)
    if small_k is None or large_k is None:
        return text.not_evaluated("the grid of k has no k <= M/2 or no k >= 2M")
    runs = None if is_missing(finals) else finals[finals["activation"] == activation]
    if is_missing(runs):
        return text.not_evaluated(f"no {activation} results")
    value, interval, method, parts = _geometric_mean_ratio(
        runs, runs["n_particles"] == small_k, runs["n_particles"] == large_k
    )
    if not parts:
        return text.not_evaluated(f"no repetition with finished runs at both k = {small_k} and k = {large_k}")
    at_k = {k: runs[runs["n_particles"] == k] for k in (small_k, large_k)}
    return text.result(
        value,
        interval,
        "; ".join(
            f"k = {k}: geometric mean {power_of_ten(_log_losses(table).mean()):.3g} over {int(finished(table).sum())} runs, "
            f"{int((~finished(table)).sum())} diverged"
            for k, table in at_k.items()
        )
        + f"; {method}",
    )


def _c6_text(activation: str) -> ClaimText:
    return ClaimText(
        f"C6-{activation}",
        "5.2",
        f"a fall in the loss for k around M, like a phase transition ({activation}, fig. {4 if activation == 'relu' else 5})",
        "geometric-mean excess loss over finished runs with k <= M/2, divided by that with k >= 2M",
        at_least(C6_MIN_RATIO),
    )


def claim_phase_transition(finals: pd.DataFrame | None, teacher_units: int, activation: str) -> ClaimResult:
    """C6 (section 5.2, figs. 4 and 5): value = GM{L: k <= M/2} / GM{L: k >= 2M}, L the final excess
    loss of the finished runs of ``activation``; bootstrap over repetitions (the runs of a repetition
    share its teacher). Holds if >= 100.

    ``finals`` has columns activation, n_particles, repetition, excess_loss, diverged.
    """
    text = _c6_text(activation)
    runs = None if is_missing(finals) else finals[finals["activation"] == activation]
    if is_missing(runs):
        return text.not_evaluated(f"no {activation} results")
    few, many = runs["n_particles"] <= teacher_units / 2, runs["n_particles"] >= 2 * teacher_units
    value, interval, method, parts = _geometric_mean_ratio(runs, few, many)
    if not parts:
        return text.not_evaluated(
            f"no repetition with finished runs at both k <= {teacher_units / 2:g} and k >= {2 * teacher_units}"
        )
    n_few, n_many = part_sum(parts, 1), part_sum(parts, 3)
    return text.result(
        value,
        interval,
        f"geometric mean {power_of_ten(part_sum(parts, 0) / n_few):.3g} over {n_few:.0f} runs with "
        f"k <= {teacher_units / 2:g} vs {power_of_ten(part_sum(parts, 2) / n_many):.3g} over {n_many:.0f} runs "
        f"with k >= {2 * teacher_units}; {int((~finished(runs)).sum())} diverged; {method}",
    )


def _c7_text(activation: str) -> ClaimText:
    return ClaimText(
        f"C7-{activation}",
        "5.2",
        f"the excess loss has a higher variance for k near M, reduced for higher k ({activation})",
        "mean over k in [M/2, 2M] of the std (ddof=1) of log10 excess loss over repetitions, minus that std at the largest k",
        above(0.0),
    )


def spread_of_log_loss_by_k(log_losses: np.ndarray) -> np.ndarray:
    """Per column (k), the sample standard deviation (ddof = 1) of the finite entries of
    ``log_losses`` (repetitions x k); NaN where fewer than 2."""
    counts = np.isfinite(log_losses).sum(axis=0)
    # A column with fewer than 2 finite entries has no spread: NaN below, without numpy's warning.
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spreads = np.nanstd(log_losses, axis=0, ddof=1)
    return np.where(counts >= 2, spreads, np.nan)


def claim_spread_largest_near_teacher_size(
    finals: pd.DataFrame | None, teacher_units: int, activation: str
) -> ClaimResult:
    """C7 (section 5.2, figs. 4 and 5): s(k) = std(log10 L_k) over the finished repetitions (ddof = 1);
    value = mean{s(k): M/2 <= k <= 2M} - s(k_max), k_max the largest k run; bootstrap over
    repetitions. Holds if > 0.

    Not evaluated when no k in [M/2, 2M] has 2 finished repetitions, when k_max has fewer than 2,
    or when k_max itself lies in [M/2, 2M] (nothing "larger" to compare with).
    """
    text = _c7_text(activation)
    runs = None if is_missing(finals) else finals[finals["activation"] == activation]
    if is_missing(runs):
        return text.not_evaluated(f"no {activation} results")
    largest_k = int(runs["n_particles"].max())
    if largest_k <= 2 * teacher_units:
        return text.not_evaluated(f"the largest k run ({largest_k}) is not above 2M = {2 * teacher_units}")
    logs = np.log10(runs["excess_loss"].where(finished(runs)).astype(float))
    matrix = logs.groupby([runs["repetition"], runs["n_particles"]]).first().unstack("n_particles")
    ks = matrix.columns.to_numpy()
    window = (ks >= teacher_units / 2) & (ks <= 2 * teacher_units)
    rows = list(matrix.to_numpy())

    def statistic(chosen: list) -> float:
        spreads = spread_of_log_loss_by_k(np.array(chosen))
        near = spreads[window][np.isfinite(spreads[window])]
        return float(near.mean() - spreads[ks == largest_k][0]) if near.size else math.nan

    spreads = spread_of_log_loss_by_k(np.array(rows))
    if not np.isfinite(spreads[ks == largest_k][0]):
        return text.not_evaluated(f"fewer than 2 finished repetitions at the largest k ({largest_k})")
    if not np.isfinite(spreads[window]).any():
        return text.not_evaluated(f"no k in [{teacher_units / 2:g}, {2 * teacher_units}] with 2 finished repetitions")
    value, interval, method = bootstrap(rows, statistic)
    near = spreads[window]
    return text.result(
        value,
        interval,
        f"mean std {np.nanmean(near):.3g} over k in {list(map(int, ks[window]))} vs std "
        f"{spreads[ks == largest_k][0]:.3g} at k = {largest_k}; {int((~finished(runs)).sum())} "
        f"diverged; {method}",
    )


def claims_context(config: dict) -> dict:
    section = config[NAME]
    return {"teacher_units": section["teacher_units"], "n_particles": list(section["n_particles"])}


def claims(finals: pd.DataFrame, trajectories: Sequence, context: Mapping) -> list[ClaimResult]:
    """C5 at :func:`fig3_points`, C6 and C7 for each activation."""
    teacher_units = context["teacher_units"]
    small_k, large_k = fig3_points(context["n_particles"], teacher_units)
    results = [claim_few_particles_stall(finals, CURVE_ACTIVATION, small_k, large_k)]
    for activation in ("relu", "sigmoid"):
        results.append(claim_phase_transition(finals, teacher_units, activation))
        results.append(claim_spread_largest_near_teacher_size(finals, teacher_units, activation))
    return results


def plot_training_curves(panels: list[list[pd.DataFrame]], teacher_units: int, drawn_repetition: int) -> plt.Figure:
    """Report fig. 3, one panel per k: every repetition's test loss against samples seen (thin lines),
    their geometric mean over the finished repetitions (thick), and the train loss (rolling mean over
    the last training samples) of repetition ``drawn_repetition``, log-log. The title says how many
    repetitions end below 1e-3 x their initial test loss (the rule of claim C1 and fig. 1). A diverged
    repetition is drawn up to its last finite loss and counted."""
    figure, axes = new_panels(FULL_WIDTH, 3.0, 1, len(panels), sharey=True)
    for letter, axis, curves in zip("abcdefgh", axes[0], panels):
        k = curves[0]["n_particles"].iloc[0]
        reached = sum(
            bool(not curve["diverged"].any())
            and curve["test_loss"].iloc[-1] < GLOBAL_MINIMUM_RATIO * curve["test_loss"].iloc[0]
            for curve in curves
        )
        n_diverged = sum(bool(curve["diverged"].any()) for curve in curves)
        for index, curve in enumerate(curves):
            seen = curve[curve["samples_seen"] > 0]
            axis.plot(
                seen["samples_seen"],
                seen["test_loss"],
                color=STUDENT_COLOUR,
                lw=0.5,
                alpha=0.45,
                label="test loss of one repetition (its fixed test set)" if index == 0 else None,
            )
        done = [curve for curve in curves if not curve["diverged"].any()]
        if done:
            seen = done[0]["samples_seen"] > 0
            log_losses = np.log10(np.vstack([curve["test_loss"].to_numpy(dtype=float) for curve in done]))
            axis.plot(
                done[0]["samples_seen"][seen],
                10 ** log_losses.mean(axis=0)[seen.to_numpy()],
                color=STUDENT_COLOUR,
                lw=1.8,
                label=f"geometric mean over {len(done)} repetitions",
            )
        drawn = next(curve for curve in curves if curve["repetition"].iloc[0] == drawn_repetition)
        seen = drawn[drawn["samples_seen"] > 0]
        axis.plot(
            seen["samples_seen"],
            seen["train_loss"],
            color="tab:orange",
            lw=1.0,
            label=f"train loss of repetition {drawn_repetition} (rolling mean)",
        )
        axis.axhline(curves[0]["zero_predictor_loss"].iloc[0], color="grey", ls=":", label="zero predictor")
        title = (
            f"({letter}) $k$ = {k} particles, $M$ = {teacher_units} teacher units\n{reached} of {len(curves)} "
            f"repetitions end below $10^{{-3}}\\times$ their\ninitial test loss"
        )
        if n_diverged:
            title += f"; {n_diverged} DIVERGED"
        axis.set(xscale="log", yscale="log", xlabel="training samples seen")
        axis.set_title(title, fontsize=7, loc="left")
    axes[0, 0].set_ylabel(LOSS_LABEL)
    shared_legend(figure, axes[0, -1], columns=2)
    return figure


def plot_excess_loss_vs_particles(
    finals: pd.DataFrame, summary: pd.DataFrame, teacher_units: int, title: str, activation: str
) -> plt.Figure:
    """Report figs. 4 and 5 at the full page width: (a) the final excess loss against the number of
    particles k, log-log: every finished repetition a dot, the geometric mean over repetitions (the
    statistic of claim C6) as a line, min to max as a band, k = M dashed; (b) beside it, the share of
    the finished runs that reach the global minimum at each k (final test loss below 1e-3 x the
    initial one, as for claim C1) with its exact binomial 95% interval: where the runs split between
    the global minimum and a plateau, the geometric mean lies between the two groups, where no run is.
    Diverged runs are left out and counted in the title. Without runs of ``activation`` (the config
    does not train it), the figure says so."""
    figure, axes = new_panels(FULL_WIDTH, 3.3, 1, 2, width_ratios=[1.35, 1.0])
    losses, shares = axes[0]
    if finals.empty:
        statement(losses, f"{title}\n\nno {activation} runs: this configuration's overparam.activations leaves it out")
        shares.set_axis_off()
        return figure
    done = finals[finished(finals)]
    n_repetitions = int(finals.groupby("n_particles")["repetition"].nunique().max())
    losses.fill_between(
        summary["n_particles"],
        summary["minimum"],
        summary["maximum"],
        color=STUDENT_COLOUR,
        alpha=0.2,
        lw=0,
        label="min-max over repetitions",
    )
    losses.plot(
        summary["n_particles"],
        summary["geometric_mean"],
        color=STUDENT_COLOUR,
        marker="o",
        ms=3,
        label=f"geometric mean ({n_repetitions} repetitions)",
    )
    losses.scatter(
        done["n_particles"], done["excess_loss"], s=6, color="black", alpha=0.6, zorder=3, label="one repetition"
    )
    zero_loss = float(np.exp(np.log(finals["zero_predictor_loss"]).mean()))
    losses.axhline(zero_loss, color="grey", ls=":", label="zero predictor")
    note = diverged_note(finals, "n_particles")
    losses.set(
        xscale="log", yscale="log", xlabel="number of particles $k$", ylabel="excess loss at the end of training"
    )
    losses.set_title(f"(a) {title}" + (f"\n{note}" if note else ""), loc="left", fontsize=7)
    losses.axvline(teacher_units, color=TEACHER_COLOUR, ls="--", lw=1.0, label=f"$k = M$ = {teacher_units}")
    log_ticks(losses, summary["n_particles"].max())
    handles, labels = losses.get_legend_handles_labels()
    if done.empty:
        statement(shares, "(b) every run diverged:\nno run reaches the global minimum")
    else:
        reached = done.groupby("n_particles")["reached_global_minimum"].agg(["sum", "size"])
        intervals = np.array([clopper_pearson(int(row["sum"]), int(row["size"])) for _, row in reached.iterrows()])
        shares.fill_between(
            reached.index,
            intervals[:, 0],
            intervals[:, 1],
            color=STUDENT_COLOUR,
            alpha=0.2,
            lw=0,
            label="95% interval (exact binomial)",
        )
        shares.plot(
            reached.index,
            reached["sum"] / reached["size"],
            color=STUDENT_COLOUR,
            marker="o",
            ms=3,
            label="share of the runs",
        )
        more_handles, more_labels = shares.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + [f"(b) {label}" for label in more_labels]
        shares.axvline(teacher_units, color=TEACHER_COLOUR, ls="--", lw=1.0)
        shares.set(
            xscale="log", ylim=(-0.03, 1.03), xlabel="number of particles $k$", ylabel="share at the global minimum"
        )
        shares.set_title(
            f"(b) runs that reach the global minimum: final test\nloss below {GLOBAL_MINIMUM_RATIO:g} x the initial one",
            loc="left",
            fontsize=7,
        )
        log_ticks(shares, summary["n_particles"].max())
    figure.legend(handles, labels, loc="outside lower center", ncols=4, frameon=False, columnspacing=1.2)
    return figure


def _fig3_ks(view) -> list[int]:
    """Fig. 3's panels: (a) the over-parametrised k, (b) the under-parametrised one (:func:`fig3_points`)."""
    section = view.section(NAME)
    small_k, large_k = fig3_points(section["n_particles"], section["teacher_units"])
    return [k for k in (large_k, small_k) if k is not None and CURVE_ACTIVATION in section["activations"]]


def _fig3_inputs(view) -> dict[str, list[str]]:
    return {
        f"k{k}": [job.curve_path for job in view.runs(NAME, activation=CURVE_ACTIVATION, n_particles=k)]
        for k in _fig3_ks(view)
    }


def _fig3_settings(view) -> dict:
    return {
        "teacher_units": view.section(NAME)["teacher_units"],
        "n_particles": _fig3_ks(view),
        "repetition": FIGURE_REPETITION,
    }


def _teacher_units(view) -> dict:
    return {"teacher_units": view.section(NAME)["teacher_units"]}


def _draw_fig3(data, settings: dict):
    """Report fig. 3: (a) the over-parametrised k, (b) the under-parametrised one."""
    panels = [data.curves(f"k{k}") for k in settings["n_particles"]]
    return plot_training_curves(panels, settings["teacher_units"], settings["repetition"])


def _excess_loss_inputs(view) -> dict[str, list[str]]:
    return {"finals": [view.aggregate(NAME, "finals")], "summary": [view.aggregate(NAME, "summary")]}


def _excess_loss_figure(activation: str, title: str):
    def draw(data, settings: dict):
        """Report figs. 4 and 5: final excess loss against k for one activation."""
        finals = data.table("finals", FINALS + ["reached_global_minimum"])
        summary = data.table("summary", SUMMARY)
        return plot_excess_loss_vs_particles(
            finals[finals["activation"] == activation],
            summary[summary["activation"] == activation],
            settings["teacher_units"],
            title,
            activation,
        )

    return draw


EXPERIMENT = Experiment(
    name=NAME,
    title="over-parametrisation: the number of particles k against M (report 5.2, figs. 3-5)",
    target="figures",
    in_report=True,
    build=build,
    cross_key_problems=lambda config: symmetric_init_problems(config, NAME),
    claim_names=("C5", "C6-relu", "C7-relu", "C6-sigmoid", "C7-sigmoid"),
    claims=claims,
    claims_context=claims_context,
    figures=(
        Figure(
            "fig3_training_curves", "Report section 5.2", inputs=_fig3_inputs, draw=_draw_fig3, settings=_fig3_settings
        ),
        Figure(
            "fig4_overparam_relu",
            "Report section 5.2",
            inputs=_excess_loss_inputs,
            draw=_excess_loss_figure("relu", "ReLU: excess loss at the end of training (report fig. 4)"),
            settings=_teacher_units,
        ),
        Figure(
            "fig5_overparam_sigmoid",
            "Report section 5.2",
            inputs=_excess_loss_inputs,
            draw=_excess_loss_figure("sigmoid", "Sigmoid: excess loss at the end of training (report fig. 5)"),
            settings=_teacher_units,
        ),
    ),
)
