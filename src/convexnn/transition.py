"""Aggregation of the Chizat & Bach transition experiment (:mod:`convexnn.beyond`): final losses
normalised by 1/2 Var(y), their summary over repetitions with the convex baseline, and the fall of
the geometric mean across m0."""

from __future__ import annotations

import os

import pandas as pd

from convexnn.aggregation import final_excess_losses, geometric_mean, read_curves, summarise_over_repetitions
from convexnn.beyond import constant_predictor_loss
from convexnn.jobs import load_teacher_data
from convexnn.storage import append_to_log, write_csv

PathLike = str | os.PathLike


def normalised_finals(curves: pd.DataFrame, teacher_paths: dict[tuple[str, str, int], PathLike]) -> pd.DataFrame:
    """One row per run (:func:`convexnn.aggregation.final_excess_losses`) with its final excess loss
    divided by 1/2 Var(y) of its repetition's test set.

    ``teacher_paths`` maps (teacher, activation, repetition) to that repetition's teacher data."""
    finals = final_excess_losses(curves, run_keys=["teacher", "protocol", "activation", "n_particles", "repetition"])
    unit = {key: constant_predictor_loss(load_teacher_data(path)[3]) for key, path in teacher_paths.items()}
    finals["constant_predictor_loss"] = [unit[(t, a, int(r))] for t, a, r in
                                         zip(finals["teacher"], finals["activation"], finals["repetition"])]
    finals["normalised_loss"] = finals["excess_loss"] / finals["constant_predictor_loss"]
    return finals


def summarise(finals: pd.DataFrame, baselines: pd.DataFrame) -> pd.DataFrame:
    """Per (teacher, protocol, activation, m): the summary over repetitions of the normalised loss
    (:func:`convexnn.aggregation.summarise_over_repetitions`) and the geometric mean of the baseline."""
    table = summarise_over_repetitions(finals, ["teacher", "protocol", "activation", "n_particles"],
                                       value="normalised_loss")
    baseline = baselines.assign(normalised_baseline=baselines["baseline_loss"] / baselines["constant_predictor_loss"])
    baseline_mean = (baseline.groupby(["teacher", "activation", "n_particles"])["normalised_baseline"]
                     .apply(geometric_mean).rename("baseline_geometric_mean").reset_index())
    return table.merge(baseline_mean, on=["teacher", "activation", "n_particles"], how="left")


def transition_ratio(summary: pd.DataFrame, teacher_units: int) -> pd.DataFrame:
    """Per (teacher, protocol, activation): geometric-mean loss at the largest m below m0 divided by
    that at the smallest m above m0 (the grid points on either side of the transition)."""
    rows = []
    for key, group in summary.groupby(["teacher", "protocol", "activation"], sort=True):
        below = group[group["n_particles"] < teacher_units]
        above = group[group["n_particles"] > teacher_units]
        if below.empty or above.empty:
            continue
        low, high = below.loc[below["n_particles"].idxmax()], above.loc[above["n_particles"].idxmin()]
        rows.append(dict(zip(["teacher", "protocol", "activation"], key), m_below=int(low["n_particles"]),
                         m_above=int(high["n_particles"]), loss_below=low["geometric_mean"],
                         loss_above=high["geometric_mean"], ratio=low["geometric_mean"] / high["geometric_mean"]))
    return pd.DataFrame(rows)


def aggregate_beyond(
    curve_paths: list[PathLike], baseline_paths: list[PathLike], teacher_paths: dict[tuple[str, str, int], PathLike],
    teacher_units: int, finals_path: PathLike, summary_path: PathLike, transitions_path: PathLike,
    log_path: PathLike | None = None,
) -> None:
    finals = normalised_finals(read_curves(curve_paths), teacher_paths)
    summary = summarise(finals, read_curves(baseline_paths))
    transitions = transition_ratio(summary, teacher_units)
    write_csv(finals, finals_path)
    write_csv(summary, summary_path)
    write_csv(transitions, transitions_path)
    append_to_log(log_path, transitions.to_string(), first=True)
