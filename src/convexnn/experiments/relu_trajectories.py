"""Report 5.1, fig. 1 and claim C1: ReLU particles in the plane, a scan of repetitions.

"With r0 << r, ReLU training often reaches the global minimum, but sometimes a local minimum." Every
repetition draws a new teacher of M units in d = 2 and trains k particles from the sphere of radius
r0; every run keeps its trajectory, so that fig. 1 can show the run a rule picks: (a) one that
reaches the global minimum, (b) one stuck in a local minimum (or, if none is, the worst run,
labelled as not stuck).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from convexnn.aggregation import GLOBAL_MINIMUM_RATIO, finished
from convexnn.claims import ClaimResult, ClaimText, is_missing
from convexnn.experiments.base import Experiment, Figure
from convexnn.experiments.grid import report_teacher, symmetric_init_problems, training_settings
from convexnn.intervals import Region, clopper_pearson
from convexnn.plotting import plot_relu_trajectory_panels

NAME = "relu_trajectories"
FINALS = ["repetition", "excess_loss", "diverged", "initial_test_loss", "reached_global_minimum"]


def build(config: dict, builder) -> None:
    """Report 5.1, fig. 1 and claim C1: a scan of repetitions, all with trajectories."""
    section = config[NAME]
    for repetition in range(section["repetitions"]):
        teacher = report_teacher(builder, section, "relu", repetition)
        settings = training_settings(section, "relu", section["n_particles"], record_trajectory=True)
        builder.run(
            teacher, [], {}, {"activation": "relu", "n_particles": section["n_particles"]}, repetition, settings
        )


C1_TEXT = ClaimText(
    "C1",
    "5.1",
    "with r0 << r, ReLU training often reaches the global minimum, but sometimes a local minimum",
    "share of finished runs whose final test loss is below 1e-3 x their initial test loss",
    Region(0.5, 1.0, lower_closed=True, upper_closed=False),
)


C1_MIN_FINISHED_RUNS = 20


C1_LOSS_DROP = GLOBAL_MINIMUM_RATIO  # the same rule picks fig. 1's panels


def claim_relu_often_global(relu_scan: pd.DataFrame | None) -> ClaimResult:
    """C1 (section 5.1, fig. 1): share = #{runs: L_final < 1e-3 L_initial} / #{finished runs}, with
    its exact binomial (Clopper-Pearson) interval: the runs are independent (one teacher each).

    ``relu_scan`` has columns repetition, initial_test_loss, excess_loss (the final test loss),
    diverged. Holds if the interval lies in [0.5, 1): "often" the global minimum, and "sometimes" not.
    When every run reaches it, the interval reaches 1 and the claim is inconclusive, not refuted: a
    finite scan cannot show that a local minimum never happens.
    """
    if is_missing(relu_scan):
        return C1_TEXT.not_evaluated("no ReLU scan results")
    runs = relu_scan[finished(relu_scan)]
    n_diverged = len(relu_scan) - len(runs)
    if len(runs) < C1_MIN_FINISHED_RUNS:
        return C1_TEXT.not_evaluated(
            f"only {len(runs)} finished runs ({n_diverged} diverged); at least {C1_MIN_FINISHED_RUNS} needed"
        )
    reached = int((runs["excess_loss"] < C1_LOSS_DROP * runs["initial_test_loss"]).sum())
    return C1_TEXT.result(
        reached / len(runs),
        clopper_pearson(reached, len(runs)),
        f"{reached} of {len(runs)} finished runs reach the global minimum; {n_diverged} diverged; "
        "exact binomial interval",
    )


def claims(finals: pd.DataFrame, trajectories: Sequence, context: Mapping) -> list[ClaimResult]:
    """C1, from the scan's final losses."""
    return [claim_relu_often_global(finals)]


def select_panels(finals: pd.DataFrame, ratio: float = GLOBAL_MINIMUM_RATIO) -> pd.DataFrame:
    """Report fig. 1's two runs, chosen by rule from the runs' :func:`final_excess_losses`: (a) the
    run with the lowest final/initial test-loss ratio among those that reached the global minimum;
    (b) the run with the highest ratio among those that did not (and did not diverge). A panel with
    no candidate has repetition -1."""
    outcomes = finals.rename(columns={"excess_loss": "final_test_loss"})
    done = outcomes[finished(outcomes)].assign(
        loss_ratio=lambda table: table["final_test_loss"] / table["initial_test_loss"]
    )
    reached = done[done["reached_global_minimum"]].sort_values("loss_ratio")
    stuck = done[~done["reached_global_minimum"]].sort_values("loss_ratio", ascending=False)
    rows = []
    for panel, candidates, rule in [
        ("a", reached, f"lowest final/initial test loss among the runs below {ratio:g}"),
        ("b", stuck, f"highest final/initial test loss among the runs at or above {ratio:g}"),
    ]:
        chosen = candidates.iloc[0] if len(candidates) else None
        rows.append(
            {
                "panel": panel,
                "repetition": int(chosen["repetition"]) if chosen is not None else -1,
                "loss_ratio": float(chosen["loss_ratio"]) if chosen is not None else np.nan,
                "final_test_loss": float(chosen["final_test_loss"]) if chosen is not None else np.nan,
                "n_candidates": len(candidates),
                "n_runs": len(outcomes),
                "rule": rule,
            }
        )
    return pd.DataFrame(rows)


def fig1_panels(finals: pd.DataFrame, trajectories: Mapping[int, dict]) -> list[tuple[str, dict | None]]:
    """Report fig. 1's two panels (title, trajectory or None): the runs :func:`select_panels` chooses,
    (a) one that reaches the global minimum and (b) one stuck in a local minimum; if no run is stuck,
    (b) shows the worst run, labelled as not stuck. ``trajectories`` maps a repetition to its run."""
    chosen = select_panels(finals).set_index("panel")
    n_diverged = int((~finished(finals)).sum())
    diverged = f"\n{n_diverged} diverged runs left out" if n_diverged else ""
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
                trajectories[a.repetition],
            )
        )
    if b.repetition >= 0:
        panels.append(
            (
                f"(b) stuck in a local minimum: repetition {b.repetition}\n{b.n_candidates} of {b.n_runs} "
                f"runs are stuck; final/initial test loss {b.loss_ratio:.1e}{diverged}",
                trajectories[b.repetition],
            )
        )
    elif not finished(finals).any():
        panels.append((f"(b) every one of the {b.n_runs} runs diverged: no run to show", None))
    else:
        done = finals[finished(finals)]
        ratios = done["excess_loss"] / done["initial_test_loss"]
        worst = int(done.loc[ratios.idxmax(), "repetition"])
        panels.append(
            (
                f"(b) NOT stuck: none of the {b.n_runs} runs is stuck\nthe worst (repetition {worst}) ends at "
                f"final/initial test loss {ratios.max():.1e}{diverged}",
                trajectories[worst],
            )
        )
    return panels


def _fig1_inputs(view) -> dict[str, list[str]]:
    return {
        "finals": [view.aggregate(NAME, "finals")],
        "trajectories": [job.particles_path for job in view.runs(NAME)],
    }


def _fig1_settings(view) -> dict:
    return {"repetitions": [job.labels["repetition"] for job in view.runs(NAME)]}


def _draw_fig1(data, settings: dict):
    # particles_by reads a run when a panel asks for it: only the chosen two of the scan are read
    trajectories = data.particles_by("trajectories", settings["repetitions"])
    return plot_relu_trajectory_panels(fig1_panels(data.table("finals", FINALS), trajectories))


EXPERIMENT = Experiment(
    name=NAME,
    title="ReLU particles in the plane (report 5.1, fig. 1)",
    target="figures",
    in_report=True,
    build=build,
    cross_key_problems=lambda config: symmetric_init_problems(config, NAME),
    claim_names=("C1",),
    claims=claims,
    figures=(
        Figure(
            "fig1_relu_trajectories",
            "Report section 5.1",
            inputs=_fig1_inputs,
            draw=_draw_fig1,
            settings=_fig1_settings,
        ),
    ),
)
