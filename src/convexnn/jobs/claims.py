"""Job: the report's claims decided by one experiment, and the claims table of a scenario."""

from __future__ import annotations

import pandas as pd

from convexnn.claims import (
    CLAIM_COLUMNS,
    as_trajectory,
    claims_of_experiment,
    claims_table,
    format_claims,
    summary_line,
)
from convexnn.storage import PathLike, append_to_log, read_particles, read_table, write_table

FINALS_COLUMNS = ("repetition", "excess_loss", "initial_test_loss", "zero_predictor_loss", "diverged")


def experiment_claims(
    experiment: str,
    finals_path: PathLike,
    trajectory_runs: dict[str, dict],
    context: dict,
    path: PathLike,
    log_path: PathLike | None = None,
) -> None:
    """The claims of ``experiment`` from its final losses and the trajectories ``trajectory_runs``
    ({particles path: run labels}); one row per claim."""
    finals = read_table(finals_path, FINALS_COLUMNS)
    trajectories = [(labels, as_trajectory(read_particles(particles))) for particles, labels in trajectory_runs.items()]
    table = claims_table(claims_of_experiment(experiment, finals, trajectories, context))
    write_table(table, path)
    append_to_log(log_path, format_claims(table), first=True)


def collect_claims(paths: list[PathLike], path: PathLike, log_path: PathLike | None = None) -> pd.DataFrame:
    """One claims table from the experiments' tables, in their order (the table is also in the log)."""
    table = pd.concat([read_table(part, CLAIM_COLUMNS, allow_empty=True) for part in paths], ignore_index=True)
    write_table(table, path)
    append_to_log(log_path, f"{format_claims(table)}\n{summary_line(table)}", first=True)
    return table


def collect_claims_by_seed(
    paths: list[PathLike], seeds: list[int], tables_per_seed: int, path: PathLike, log_path: PathLike | None = None
) -> pd.DataFrame:
    """The claims of every base seed side by side: ``paths`` hold ``tables_per_seed`` experiment tables
    per seed, in the order of ``seeds``. One row per (claim, seed), and in the log the share of seeds
    that give each claim its most common verdict."""
    if len(paths) != len(seeds) * tables_per_seed:
        raise ValueError(f"{len(paths)} claim tables for {len(seeds)} seeds of {tables_per_seed} tables each")
    parts = []
    for index, seed in enumerate(seeds):
        for part in paths[index * tables_per_seed : (index + 1) * tables_per_seed]:
            parts.append(read_table(part, CLAIM_COLUMNS, allow_empty=True).assign(seed=seed))
    table = pd.concat(parts, ignore_index=True)
    table = table[["claim", "seed", "value", "low", "high", "verdict", "threshold", "quantity", "detail"]]
    write_table(table, path)
    append_to_log(log_path, stability_table(table).to_string(index=False), first=True)
    return table


def stability_table(by_seed: pd.DataFrame) -> pd.DataFrame:
    """Per claim: its most common verdict over the seeds and how many seeds give it."""
    rows = []
    for claim, rows_of_claim in by_seed.groupby("claim", sort=False):
        counts = rows_of_claim["verdict"].value_counts()
        rows.append(
            {
                "claim": claim,
                "verdict": counts.index[0],
                "seeds": int(counts.iloc[0]),
                "of": len(rows_of_claim),
                "verdicts": dict(counts),
            }
        )
    return pd.DataFrame(rows)


def collect_claims_by_variation(
    paper_path: PathLike,
    paths: list[PathLike],
    variations: list[dict],
    path: PathLike,
    log_path: PathLike | None = None,
) -> pd.DataFrame:
    """The atlas: the paper's claims (variation "paper") and, for each variation ({name, experiment,
    change}), the claims of the experiment it changes (``paths`` in the same order). One row per
    (variation, claim)."""
    if len(paths) != len(variations):
        raise ValueError(f"{len(paths)} claim tables for {len(variations)} variations")
    columns = ["variation", "experiment", "change", "claim", "value", "low", "high", "verdict", "threshold", "detail"]
    parts = [read_table(paper_path, CLAIM_COLUMNS).assign(variation="paper", experiment="", change="the paper setting")]
    for variation, part in zip(variations, paths):
        parts.append(
            read_table(part, CLAIM_COLUMNS, allow_empty=True).assign(
                variation=variation["name"], experiment=variation["experiment"], change=variation["change"]
            )
        )
    table = pd.concat(parts, ignore_index=True)[columns]
    write_table(table, path)
    verdicts = table.pivot(index="claim", columns="variation", values="verdict")
    append_to_log(
        log_path, verdicts.reindex(columns=["paper"] + [v["name"] for v in variations]).to_string(), first=True
    )
    return table
