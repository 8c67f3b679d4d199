"""Job: the report's claims decided by one experiment, and the claims table of a scenario."""

from __future__ import annotations

import pandas as pd

from convexnn.claims import CLAIM_COLUMNS, as_trajectory, claims_of_experiment, claims_table, format_claims, summary_line
from convexnn.storage import PathLike, append_to_log, read_particles, read_table, write_table

FINALS_COLUMNS = ("repetition", "excess_loss", "initial_test_loss", "zero_predictor_loss", "diverged")


def experiment_claims(experiment: str, finals_path: PathLike, trajectory_runs: dict[str, dict], context: dict,
                      path: PathLike, log_path: PathLike | None = None) -> None:
    """The claims of ``experiment`` from its final losses and the trajectories ``trajectory_runs``
    ({particles path: run labels}); one row per claim."""
    finals = read_table(finals_path, FINALS_COLUMNS)
    trajectories = [(labels, as_trajectory(read_particles(particles))) for particles, labels in trajectory_runs.items()]
    table = claims_table(claims_of_experiment(experiment, finals, trajectories, context))
    write_table(table, path)
    append_to_log(log_path, format_claims(table), first=True)


def collect_claims(paths: list[PathLike], path: PathLike, log_path: PathLike | None = None) -> pd.DataFrame:
    """One claims table from the experiments' tables, in their order; shown in the log and the terminal."""
    table = pd.concat([read_table(part, CLAIM_COLUMNS, allow_empty=True) for part in paths], ignore_index=True)
    write_table(table, path)
    text = f"{format_claims(table)}\n{summary_line(table)}"
    append_to_log(log_path, text, first=True)
    print(text)
    return table
