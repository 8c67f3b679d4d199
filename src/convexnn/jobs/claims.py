"""Job: the report's claims decided by one experiment, and the claims table of a scenario."""

from __future__ import annotations

import pandas as pd

from convexnn.claims import (
    CLAIM_COLUMNS,
    POOLED_COLUMNS,
    as_trajectory,
    claims_table,
    format_claims,
    format_pooled,
    inconclusive_kind,
    pooled_repetition,
    repetitions_to_decide,
    summary_line,
)
from convexnn.registry import EXPERIMENTS
from convexnn.storage import PathLike, append_to_log, read_particles, read_table, write_table
from convexnn.verdicts import counts, most_common

FINALS_COLUMNS = ("repetition", "excess_loss", "initial_test_loss", "zero_predictor_loss", "diverged")


def read_trajectories(runs: list[list]) -> list[tuple[dict, object]]:
    """(labels, trajectory) of each of ``runs`` ([particles archive, run id, identity, labels]), each
    checked to be the plan's run."""
    return [(labels, as_trajectory(read_particles(path, job, identity))) for path, job, identity, labels in runs]


def experiment_claims(
    experiment: str,
    finals: list,
    trajectory_runs: list[list],
    context: dict,
    identity: str,
    path: PathLike,
    log_path: PathLike | None = None,
) -> None:
    """The claims of ``experiment`` (its ``claims`` in the registry) from its final losses
    (``finals``: [table, identity]), the trajectories ``trajectory_runs`` ([particles archive, run
    id, identity, run labels] each) and ``context`` (the part of the config its claims read); one
    row per claim, each carrying ``identity``."""
    finals_path, finals_identity = finals
    finals = read_table(finals_path, FINALS_COLUMNS, identity=finals_identity)
    trajectories = read_trajectories(trajectory_runs)
    table = claims_table(EXPERIMENTS[experiment].claims(finals, trajectories, context))
    write_table(table, path, identity)
    append_to_log(log_path, format_claims(table), first=True)


def collect_claims(identities: dict[str, str], path: PathLike, log_path: PathLike | None = None) -> pd.DataFrame:
    """One claims table from the experiments' tables (``identities``: {table: the identity it must
    carry}), in their order (the table is also in the log)."""
    table = pd.concat(
        [read_table(part, CLAIM_COLUMNS, allow_empty=True, identity=identity) for part, identity in identities.items()],
        ignore_index=True,
    )
    write_table(table, path)
    append_to_log(log_path, f"{format_claims(table)}\n{summary_line(table)}", first=True)
    return table


def collect_claims_by_seed(
    identities: dict[str, str], seed_of: dict[str, int], path: PathLike, log_path: PathLike | None = None
) -> pd.DataFrame:
    """The claims of every base seed side by side: ``identities`` are experiment claim tables (with
    the identity each must carry), ``seed_of`` gives the base seed of each. One row per (claim,
    seed), in the order of ``identities``, and in the log the share of seeds that give each claim its
    most common verdict."""
    missing = [str(part) for part in identities if str(part) not in seed_of]
    if missing:
        raise ValueError(f"claim tables with no base seed: {missing}")
    parts = [
        read_table(part, CLAIM_COLUMNS, allow_empty=True, identity=identity).assign(seed=seed_of[str(part)])
        for part, identity in identities.items()
    ]
    table = pd.concat(parts, ignore_index=True)
    table = table[["claim", "seed", "value", "low", "high", "verdict", "threshold", "quantity", "detail"]]
    write_table(table, path)
    append_to_log(log_path, stability_table(table).to_string(index=False), first=True)
    return table


def stability_table(by_seed: pd.DataFrame) -> pd.DataFrame:
    """Per claim: its most common verdict over the seeds and how many seeds give it."""
    rows = []
    for claim, rows_of_claim in by_seed.groupby("claim", sort=False):
        verdict, count = most_common(rows_of_claim["verdict"])
        rows.append(
            {
                "claim": claim,
                "verdict": verdict,
                "seeds": count,
                "of": len(rows_of_claim),
                "verdicts": dict(sorted(counts(rows_of_claim["verdict"]).items(), key=lambda item: -item[1])),
            }
        )
    return pd.DataFrame(rows)


def collect_claims_by_variation(
    paper_path: PathLike,
    identities: dict[str, str],
    variations: list[dict],
    path: PathLike,
    log_path: PathLike | None = None,
) -> pd.DataFrame:
    """The atlas: the paper's claims (variation "paper") and, for each variation ({name, experiment,
    change, table}), the claims of the experiment it changes, read from its ``table`` (one of
    ``identities``: {table: the identity it must carry}). One row per (variation, claim)."""
    unknown = sorted({variation["table"] for variation in variations} - {str(part) for part in identities})
    if unknown:
        raise ValueError(f"atlas variations name claim tables that are not inputs: {unknown}")
    columns = ["variation", "experiment", "change", "claim", "value", "low", "high", "verdict", "threshold", "detail"]
    parts = [read_table(paper_path, CLAIM_COLUMNS).assign(variation="paper", experiment="", change="the paper setting")]
    for variation in variations:
        parts.append(
            read_table(
                variation["table"], CLAIM_COLUMNS, allow_empty=True, identity=identities[variation["table"]]
            ).assign(variation=variation["name"], experiment=variation["experiment"], change=variation["change"])
        )
    table = pd.concat(parts, ignore_index=True)[columns]
    write_table(table, path)
    verdicts = table.pivot(index="claim", columns="variation", values="verdict")
    append_to_log(
        log_path, verdicts.reindex(columns=["paper"] + [v["name"] for v in variations]).to_string(), first=True
    )
    return table


def pooled_experiment_claims(
    experiment: str,
    finals_seed: list[list],
    trajectory_runs: list[list],
    context: dict,
    identity: str,
    path: PathLike,
    log_path: PathLike | None = None,
) -> None:
    """The claims of ``experiment`` over every repetition of every robustness seed together: the
    finals tables ``finals_seed`` ([table, position of its seed, identity] each) and the trajectories
    ``trajectory_runs`` ([particles archive, run id, identity, run labels with ``seed_index``]),
    repetitions renumbered by :func:`convexnn.claims.pooled_repetition`. One row per claim, with the
    number of repetitions pooled, each carrying ``identity``."""
    parts = []
    for finals_path, seed_index, finals_identity in finals_seed:
        finals = read_table(finals_path, FINALS_COLUMNS, identity=finals_identity)
        parts.append(finals.assign(repetition=[pooled_repetition(seed_index, r) for r in finals["repetition"]]))
    finals = pd.concat(parts, ignore_index=True)
    trajectories = []
    for particles, job, run_identity, labels in trajectory_runs:
        labels = dict(labels)
        labels["repetition"] = pooled_repetition(labels.pop("seed_index"), labels["repetition"])
        trajectories.append((labels, as_trajectory(read_particles(particles, job, run_identity))))
    table = claims_table(EXPERIMENTS[experiment].claims(finals, trajectories, context))
    table["n_repetitions"] = finals["repetition"].nunique()
    write_table(table, path, identity)
    append_to_log(log_path, format_claims(table), first=True)


def collect_pooled_claims(
    identities: dict[str, str], by_seed_path: PathLike, path: PathLike, log_path: PathLike | None = None
) -> pd.DataFrame:
    """The pipeline's final answer per claim: its value, interval and verdict over every seed pooled,
    how many seeds give that verdict alone, how many repetitions would decide it at the pooled effect
    size (:func:`convexnn.claims.repetitions_to_decide`), and for an inconclusive claim whether it sits
    at its threshold or is still noisy."""
    pooled = pd.concat(
        [
            read_table(part, [*CLAIM_COLUMNS, "n_repetitions"], allow_empty=True, identity=identity)
            for part, identity in identities.items()
        ],
        ignore_index=True,
    )
    by_seed = read_table(by_seed_path, ["claim", "seed", "verdict"])
    rows = []
    for row in pooled.itertuples(index=False):
        seeds = by_seed[by_seed["claim"] == row.claim]
        needed = repetitions_to_decide(row.value, row.low, row.high, row.threshold, int(row.n_repetitions))
        rows.append(
            {
                "claim": row.claim,
                "value": row.value,
                "low": row.low,
                "high": row.high,
                "threshold": row.threshold,
                "verdict": row.verdict,
                "n_repetitions": int(row.n_repetitions),
                "seeds_agreeing": int((seeds["verdict"] == row.verdict).sum()),
                "n_seeds": len(seeds),
                "repetitions_to_decide": needed,
                "inconclusive_kind": inconclusive_kind(row.verdict, needed, int(row.n_repetitions)),
                "quantity": row.quantity,
                "detail": row.detail,
            }
        )
    table = pd.DataFrame(rows, columns=POOLED_COLUMNS)
    write_table(table, path)
    append_to_log(log_path, format_pooled(table), first=True)
    return table
