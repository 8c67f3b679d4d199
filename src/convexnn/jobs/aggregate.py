"""Job: one experiment's runs aggregated (report 5.2: geometric means over repetitions)."""

from __future__ import annotations

import pandas as pd

from convexnn.aggregation import (
    configuration_keys,
    final_excess_losses,
    finished,
    run_keys,
    summarise_baselines,
    summarise_curves,
    summarise_over_repetitions,
)
from convexnn.identity import Ref
from convexnn.storage import PathLike, append_to_log, check_member, read_curve_batches, read_table, write_table

BASELINE_COLUMNS = ("baseline_loss", "zero_predictor_loss", "constant_predictor_loss")
# What every final row has beside its labels (the claims read these of every experiment's finals).
FINAL_ROW_COLUMNS = ("excess_loss", "initial_test_loss", "zero_predictor_loss", "diverged")


def read_rows(expected: list[list[str]], required: list[str]) -> pd.DataFrame:
    """The one-row tables ``expected`` ([table, job id, identity] each), each checked to be the
    job's (:func:`convexnn.storage.check_member`), stacked without their job and identity columns."""
    rows = []
    for path, job, identity in expected:
        row = read_table(path, ["job", "identity", *required])
        check_member(path, row["job"], row["identity"], job, identity)
        rows.append(row.drop(columns=["job", "identity"]))
    return pd.concat(rows, ignore_index=True)


def refuse_duplicate_runs(table: pd.DataFrame, keys: list[str], what: str) -> None:
    """Refuse two rows of one (configuration, repetition): a file holding another run's results."""
    duplicated = table[table.duplicated(keys, keep=False)]
    if len(duplicated):
        raise ValueError(
            f"{what}: {len(duplicated)} rows share a configuration and repetition, which the plan never "
            f"gives: a file holds another run's results\n{duplicated[keys].to_string(index=False)}"
        )


def aggregate_experiment(
    curves: list[list[str]],
    rows: list[list[str]],
    value: str,
    identity: str,
    finals_path: PathLike,
    summary_path: PathLike,
    curves_path: PathLike,
    log_path: PathLike | None = None,
    row_keys: list[str] = (),
    baselines: list[list[str]] = (),
) -> None:
    """Write the final losses of every run (one row each), their summary over repetitions per
    configuration (of ``value``: "excess_loss", or "normalised_loss" for losses divided by 1/2 Var(y)),
    with the convex baseline's geometric mean where there are baselines, and the test-loss curves
    summarised per configuration and checkpoint; each table carries ``identity``.

    ``curves`` are [batch table, run id, identity] of the runs trained by SGD; the runs of a kind that
    writes its own final row (``rows``, the same triples, labelled by ``row_keys``, the repetition
    last) are stacked as they are, and have no curves to summarise. Every run is checked to be the
    plan's (:func:`convexnn.storage.check_member`), and two rows of one run are refused."""
    if rows:
        finals = read_rows(rows, [*row_keys, *FINAL_ROW_COLUMNS])
        refuse_duplicate_runs(finals, list(row_keys), str(finals_path))
        finals = finals.sort_values(list(row_keys)).reset_index(drop=True)
        by = [key for key in row_keys if key != "repetition"]
        curve_summary = pd.DataFrame(columns=[*by, "samples_seen", "geometric_mean", "minimum", "maximum"])
    else:
        table = read_curve_batches([Ref(path, job, run_identity) for path, job, run_identity in curves])
        table = table.drop(columns="job")
        finals = final_excess_losses(table)
        refuse_duplicate_runs(finals, run_keys(table), str(finals_path))
        if len(finals) != len(curves):
            raise ValueError(f"{finals_path}: {len(curves)} runs planned, {len(finals)} found in their curves")
        by = configuration_keys(table)
        curve_summary = summarise_curves(table, by)
    summary = summarise_over_repetitions(finals, by, value=value)
    if baselines:
        baseline_table = read_rows(baselines, list(BASELINE_COLUMNS))
        keys = [key for key in by if key in baseline_table.columns]
        summary = summary.merge(summarise_baselines(baseline_table, keys), on=keys, how="left")
    diverged = finals[~finished(finals)]
    append_to_log(log_path, f"{len(finals)} runs, {len(diverged)} diverged", first=True)
    if len(diverged):
        append_to_log(log_path, "diverged runs:\n" + diverged.to_string())
    write_table(finals, finals_path, identity)
    write_table(summary, summary_path, identity)
    write_table(curve_summary, curves_path, identity)
