"""Job: one experiment's runs aggregated (report 5.2: geometric means over repetitions)."""

from __future__ import annotations

import pandas as pd

from convexnn.aggregation import (
    configuration_keys,
    final_excess_losses,
    finished,
    summarise_baselines,
    summarise_curves,
    summarise_over_repetitions,
)
from convexnn.storage import PathLike, append_to_log, read_curves, read_table, write_table

BASELINE_COLUMNS = ("baseline_loss", "zero_predictor_loss", "constant_predictor_loss")
# What every final row has beside its labels (the claims read these of every experiment's finals).
FINAL_ROW_COLUMNS = ("excess_loss", "initial_test_loss", "zero_predictor_loss", "diverged")


def aggregate_experiment(
    curve_paths: list[PathLike],
    baseline_paths: list[PathLike],
    value: str,
    finals_path: PathLike,
    summary_path: PathLike,
    curves_path: PathLike,
    log_path: PathLike | None = None,
    row_paths: list[PathLike] = (),
    row_keys: list[str] = (),
) -> None:
    """Write the final losses of every run (one row each), their summary over repetitions per
    configuration (of ``value``: "excess_loss", or "normalised_loss" for losses divided by 1/2 Var(y)),
    with the convex baseline's geometric mean where there are baselines, and the test-loss curves
    summarised per configuration and checkpoint.

    The runs of a kind that writes its own final row (``row_paths``, labelled by ``row_keys``, the
    repetition last) are stacked as they are; they have no curves to summarise."""
    if row_paths:
        finals = pd.concat([read_table(path, [*row_keys, *FINAL_ROW_COLUMNS]) for path in row_paths], ignore_index=True)
        finals = finals.sort_values(list(row_keys)).reset_index(drop=True)
        by = [key for key in row_keys if key != "repetition"]
        curve_summary = pd.DataFrame(columns=[*by, "samples_seen", "geometric_mean", "minimum", "maximum"])
    else:
        curves = read_curves(curve_paths)
        finals = final_excess_losses(curves)
        by = configuration_keys(curves)
        curve_summary = summarise_curves(curves, by)
    summary = summarise_over_repetitions(finals, by, value=value)
    if baseline_paths:
        baselines = pd.concat([read_table(path, BASELINE_COLUMNS) for path in baseline_paths], ignore_index=True)
        keys = [key for key in by if key in baselines.columns]
        summary = summary.merge(summarise_baselines(baselines, keys), on=keys, how="left")
    diverged = finals[~finished(finals)]
    append_to_log(log_path, f"{len(finals)} runs, {len(diverged)} diverged", first=True)
    if len(diverged):
        append_to_log(log_path, "diverged runs:\n" + diverged.to_string())
    write_table(finals, finals_path)
    write_table(summary, summary_path)
    write_table(curve_summary, curves_path)
