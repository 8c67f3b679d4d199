"""Jobs: what a finished target says at the end of a build (the target rules run these every time).

A target rule has inputs and no outputs, so Snakemake runs it at the end of every build of that
target, even when nothing else was to be done: the summary (where the figures are, what the claims
say, how to open the report) is always the last thing printed.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import yaml

from convexnn.claims import CLAIM_COLUMNS, POOLED_COLUMNS, format_claims, format_pooled
from convexnn.storage import PathLike, append_to_log, atomic_path, read_table
from convexnn.verdicts import MARKS, count_line, most_common

REPORT_HINT = "HTML report: `make report`, then open report.html in a browser (it works offline)."


def _say(text: str, log_path: PathLike | None) -> None:
    append_to_log(log_path, text, first=True)
    print(text, flush=True)


def figures_summary(figures: Sequence[PathLike], claims_path: PathLike, log_path: PathLike | None = None) -> None:
    """The figures written, and what the claims table says if it exists."""
    lines = ["", f"Figures ({len(figures)} files, PNG and PDF):"] + [f"  {path}" for path in figures]
    if Path(claims_path).exists():
        table = read_table(claims_path, ["claim", "verdict"])
        lines.append(
            f"Claims: {count_line(table['verdict'])} -- table in {claims_path} (`snakemake claims` prints it)."
        )
    else:
        lines.append(f"Claims: not built yet; `snakemake claims` writes {claims_path} and prints it.")
    lines.append(REPORT_HINT)
    _say("\n".join(lines), log_path)


def claims_summary(claims_path: PathLike, figure: PathLike, log_path: PathLike | None = None) -> None:
    """The claims table, every time `snakemake claims` runs."""
    table = read_table(claims_path, CLAIM_COLUMNS)
    _say(
        f"\n{format_claims(table)}\n\nClaims: {count_line(table['verdict'])}\nTable: {claims_path}; figure: {figure}\n"
        f"{REPORT_HINT}",
        log_path,
    )


def robustness_summary(
    by_seed_path: PathLike, pooled_path: PathLike, figure: PathLike, log_path: PathLike | None = None
) -> None:
    """Per claim, the most common verdict over the seeds and how many seeds give it, then the pooled
    answer: every seed's repetitions together."""
    table = read_table(by_seed_path, ["claim", "seed", "verdict"])
    lines = ["", f"Claims under {table['seed'].nunique()} base seeds (most common verdict, seeds that give it):"]
    for claim, rows in table.groupby("claim", sort=False):
        verdict, count = most_common(rows["verdict"])
        lines.append(f"  {claim:<11} {verdict:<14} {count} of {len(rows)}")
    pooled = read_table(pooled_path, POOLED_COLUMNS)
    lines += ["", "Pooled over every seed (the pipeline's final answer per claim):", format_pooled(pooled)]
    lines.append(f"Claims pooled: {count_line(pooled['verdict'])}")
    lines.append(f"Tables: {by_seed_path}, {pooled_path}; figure: {figure}")
    _say("\n".join(lines), log_path)


def atlas_summary(atlas_path: PathLike, figure: PathLike, log_path: PathLike | None = None) -> None:
    """The atlas's verdicts, claim by variation."""
    table = read_table(atlas_path, ["variation", "claim", "verdict"])
    grid = table.assign(mark=table["verdict"].map(MARKS)).pivot(index="claim", columns="variation", values="mark")
    grid = grid.reindex(index=list(dict.fromkeys(table["claim"])), columns=list(dict.fromkeys(table["variation"])))
    _say(
        f"\nAtlas (H holds, - does not hold, ? inconclusive, n not evaluated; empty: not changed):\n"
        f"{grid.fillna('').to_string()}\nTable: {atlas_path}; figure: {figure}",
        log_path,
    )


def files_summary(title: str, files: Sequence[PathLike], log_path: PathLike | None = None) -> None:
    _say("\n".join(["", f"{title}:"] + [f"  {path}" for path in files]), log_path)


def write_config(config: dict, path: PathLike, html_path: PathLike, log_path: PathLike | None = None) -> None:
    """The configuration of a build as YAML, and as an HTML page of that YAML for the HTML report."""
    text = yaml.safe_dump(config, sort_keys=False)
    with atomic_path(path) as temporary:
        temporary.write_text(text)
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Configuration used</title></head>"
        f"<body><h3>The configuration this build used (config.yaml with any --config or --configfile)</h3>"
        f"<pre>{html.escape(text)}</pre></body></html>\n"
    )
    with atomic_path(html_path) as temporary:
        temporary.write_text(page)
    append_to_log(log_path, f"wrote {path} and {html_path}", first=True)
