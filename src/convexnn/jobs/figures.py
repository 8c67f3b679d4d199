"""Jobs: one function per figure, reading result tables and drawing with :mod:`convexnn.figures`.

Figure jobs run as threads of the Snakemake process like every other job (no Python start-up per
figure). Matplotlib is not thread-safe, so every drawing holds :data:`DRAWING`; a job's traceback
goes to its log before the job fails.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Iterator, Sequence

from convexnn.aggregation import select_panels
from convexnn.figures import (
    plot_claims,
    plot_claims_atlas,
    plot_claims_by_seed,
    plot_excess_loss_vs_particles,
    plot_protocol_comparison,
    plot_r0_sweep,
    plot_relu_trajectory_panels,
    plot_sigmoid_trajectory_panels,
    plot_training_curves,
    plot_transition,
    save_figure,
)
from convexnn.storage import PathLike, append_to_log, read_curve, read_particles, read_table

DRAWING = threading.Lock()
FINALS = ["repetition", "excess_loss", "diverged"]
SUMMARY = ["n_particles", "geometric_mean", "minimum", "maximum"]
CLAIMS = ["claim", "value", "low", "high", "threshold", "verdict"]


@contextlib.contextmanager
def drawing(log_path: PathLike | None, outputs: Sequence[PathLike]) -> Iterator[None]:
    """Hold the drawing lock; log the outputs written, or the traceback of a failure (then re-raise)."""
    append_to_log(log_path, "drawing " + ", ".join(map(str, outputs)), first=True)
    try:
        with DRAWING:
            yield
    except BaseException:
        append_to_log(log_path, traceback.format_exc())
        raise
    append_to_log(log_path, "done")


def relu_trajectories_figure(
    finals_path: PathLike,
    trajectory_paths: Sequence[PathLike],
    repetitions: Sequence[int],
    outputs: Sequence[PathLike],
    log_path: PathLike | None = None,
) -> None:
    """Report fig. 1: the two runs :func:`convexnn.aggregation.select_panels` chooses, (a) one that
    reaches the global minimum and (b) one stuck in a local minimum; if no run is stuck, (b) shows
    the worst run, labelled as not stuck."""
    with drawing(log_path, outputs):
        finals = read_table(finals_path, FINALS + ["initial_test_loss", "reached_global_minimum"])
        chosen = select_panels(finals).set_index("panel")
        trajectories = dict(zip(repetitions, trajectory_paths))
        n_diverged = int(finals["diverged"].sum())
        diverged = f"; {n_diverged} diverged runs left out" if n_diverged else ""
        panels = []
        a, b = chosen.loc["a"], chosen.loc["b"]
        if a.repetition < 0:
            panels.append(
                (
                    f"(a) no run reaches the global minimum:\nnone of the {a.n_runs} repetitions fits\n"
                    f"'{a.rule}'{diverged}",
                    None,
                )
            )
        else:
            panels.append(
                (
                    f"(a) reaches the global minimum: repetition {a.repetition} of {a.n_runs}\n"
                    f"final/initial test loss {a.loss_ratio:.1e}{diverged}",
                    read_particles(trajectories[a.repetition]),
                )
            )
        if b.repetition >= 0:
            panels.append(
                (
                    f"(b) stuck in a local minimum: repetition {b.repetition}; {b.n_candidates} of {b.n_runs} "
                    f"runs are stuck\nfinal/initial test loss {b.loss_ratio:.1e}{diverged}",
                    read_particles(trajectories[b.repetition]),
                )
            )
        elif finals["diverged"].all():
            panels.append((f"(b) every one of the {b.n_runs} runs diverged: no run to show", None))
        else:
            done = finals[~finals["diverged"].astype(bool)]
            ratios = done["excess_loss"] / done["initial_test_loss"]
            worst = int(done.loc[ratios.idxmax(), "repetition"])
            panels.append(
                (
                    f"(b) NOT stuck: no run of {b.n_runs} is stuck; the worst (repetition {worst})\n"
                    f"ends at final/initial test loss {ratios.max():.1e}{diverged}",
                    read_particles(trajectories[worst]),
                )
            )
        save_figure(plot_relu_trajectory_panels(panels), outputs)


def sigmoid_trajectories_figure(
    trajectory_paths: Sequence[PathLike],
    n_particles: Sequence[int],
    outputs: Sequence[PathLike],
    log_path: PathLike | None = None,
) -> None:
    """Report fig. 2: one panel per k (repetition 0)."""
    with drawing(log_path, outputs):
        panels = []
        for letter, k, path in zip("ab", n_particles, trajectory_paths):
            trajectory = read_particles(path)
            title = f"({letter}) $k$ = {k} particles, final test loss {trajectory['test_loss'][-1]:.1e}"
            panels.append((title, trajectory))
        save_figure(plot_sigmoid_trajectory_panels(panels), outputs)


def training_curves_figure(
    curve_paths: Sequence[PathLike], teacher_units: int, outputs: Sequence[PathLike], log_path: PathLike | None = None
) -> None:
    """Report fig. 3: the training curves of the runs drawn."""
    with drawing(log_path, outputs):
        save_figure(plot_training_curves([read_curve(path) for path in curve_paths], teacher_units), outputs)


def excess_loss_figure(
    finals_path: PathLike,
    summary_path: PathLike,
    activation: str,
    teacher_units: int,
    title: str,
    outputs: Sequence[PathLike],
    log_path: PathLike | None = None,
) -> None:
    """Report figs. 4 and 5: final excess loss against k for one activation."""
    with drawing(log_path, outputs):
        finals = read_table(finals_path, FINALS + ["activation", "n_particles", "zero_predictor_loss"])
        summary = read_table(summary_path, SUMMARY + ["activation"])
        figure = plot_excess_loss_vs_particles(
            finals[finals["activation"] == activation],
            summary[summary["activation"] == activation],
            teacher_units,
            title,
        )
        save_figure(figure, outputs)


def lazy_vs_active_figure(
    trajectory_paths: Sequence[PathLike],
    init_radii: Sequence[float],
    outputs: Sequence[PathLike],
    log_path: PathLike | None = None,
) -> None:
    """Report fig. 7: one run at each of two radii."""
    with drawing(log_path, outputs):
        panels = []
        for letter, radius, path in zip("ab", init_radii, trajectory_paths):
            trajectory = read_particles(path)
            panels.append(
                (f"({letter}) $r_0$ = {radius:g}: final test loss {trajectory['test_loss'][-1]:.1e}", trajectory)
            )
        save_figure(plot_relu_trajectory_panels(panels), outputs)


def r0_sweep_figure(
    curves_path: PathLike,
    summary_path: PathLike,
    finals_path: PathLike,
    outputs: Sequence[PathLike],
    log_path: PathLike | None = None,
) -> None:
    """Report fig. 6: test loss against samples seen per r0, and the final loss against r0."""
    with drawing(log_path, outputs):
        curves = read_table(
            curves_path, ["init_radius", "samples_seen", "geometric_mean", "minimum", "maximum"], allow_empty=True
        )
        summary = read_table(summary_path, ["init_radius", "geometric_mean", "minimum", "maximum"])
        finals = read_table(finals_path, FINALS + ["init_radius"])
        save_figure(plot_r0_sweep(curves, summary, finals), outputs)


CB2018_PROTOCOL_LABELS = {
    ("report", "report"): "report's teacher, report's protocol",
    ("report", "converge"): "report's teacher, long protocol",
    ("unit", "report"): "equal-weight teacher, report's protocol",
    ("unit", "converge"): "equal-weight teacher, long protocol",
}


def cb2018_transition_figure(
    finals_path: PathLike,
    summary_path: PathLike,
    teacher_units: int,
    input_dim: int,
    outputs: Sequence[PathLike],
    log_path: PathLike | None = None,
) -> None:
    """Chizat & Bach: normalised loss against m with the unit teacher and the long protocol."""
    with drawing(log_path, outputs):
        finals = read_table(
            finals_path, FINALS + ["teacher", "protocol", "activation", "n_particles", "normalised_loss"]
        )
        summary = read_table(summary_path, SUMMARY + ["teacher", "protocol", "activation", "baseline_geometric_mean"])

        def keep(table):
            return table[(table["teacher"] == "unit") & (table["protocol"] == "converge")]

        caption = (
            f"Chizat & Bach (2018) setting: $d$ = {input_dim}, teacher of $m_0$ = {teacher_units} units with "
            "$w^*$ = +1, $|v^*|$ fixed, no bias; losses divided by $\\frac{1}{2}$ Var $y$, the loss of the best "
            "constant predictor"
        )
        save_figure(plot_transition(keep(finals), keep(summary), teacher_units, caption), outputs)


def cb2018_protocols_figure(
    summary_path: PathLike,
    teacher_units: int,
    input_dim: int,
    activation: str,
    protocols: dict,
    outputs: Sequence[PathLike],
    log_path: PathLike | None = None,
) -> None:
    """Chizat & Bach: both teachers crossed with both protocols, side by side."""
    with drawing(log_path, outputs):
        summary = read_table(summary_path, SUMMARY + ["teacher", "protocol", "activation", "n_diverged"])
        labels = {}
        for (teacher, protocol), label in CB2018_PROTOCOL_LABELS.items():
            steps = protocols[protocol]
            labels[teacher, protocol] = (
                f"{activation}, {label} ($\\eta$ = {steps['step_size'][activation]:g}, "
                f"{steps['n_steps'][activation]:.0e} steps)"
            )
        comparison = summary[summary["activation"] == activation]
        save_figure(plot_protocol_comparison(comparison, teacher_units, input_dim, labels), outputs)


def claims_figure(claims_path: PathLike, outputs: Sequence[PathLike], log_path: PathLike | None = None) -> None:
    """Every claim's value, interval, threshold and verdict."""
    with drawing(log_path, outputs):
        save_figure(plot_claims(read_table(claims_path, CLAIMS)), outputs)


def claims_by_seed_figure(claims_path: PathLike, outputs: Sequence[PathLike], log_path: PathLike | None = None) -> None:
    """Every claim under every robustness seed."""
    with drawing(log_path, outputs):
        table = read_table(claims_path, CLAIMS + ["seed"])
        save_figure(plot_claims_by_seed(table), outputs)


def claims_atlas_figure(atlas_path: PathLike, outputs: Sequence[PathLike], log_path: PathLike | None = None) -> None:
    """The atlas: claims by variation, coloured by verdict, the value in each cell."""
    with drawing(log_path, outputs):
        table = read_table(atlas_path, CLAIMS + ["variation", "change"])
        save_figure(plot_claims_atlas(table), outputs)
