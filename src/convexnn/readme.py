"""The numbers of README.md, generated from the result tables: `python -m convexnn.readme`.

README.md quotes results only inside marked blocks,

    <!-- generated:NAME -->
    ...
    <!-- /generated:NAME -->

whose content this module writes from the committed reference tables (tests/reference/: the paper
build's claims, the claims under every robustness seed, the atlas, the Chizat & Bach transitions). Prose around the blocks holds no
number. `python -m convexnn.readme` rewrites the blocks; `python -m convexnn.readme --check` (and
tests/test_readme.py) fails when a block differs from what the tables give.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from convexnn.claims import MIN_REPETITIONS
from convexnn.verdicts import NOT_EVALUATED, SHORT, count_line, most_common

ROOT = Path(__file__).resolve().parents[2]
REFERENCES = ROOT / "tests" / "reference"
BLOCK = re.compile(r"(<!-- generated:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S)


def _number(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-2):
        return f"{value:.2g}"
    return f"{value:.3g}"


def value_with_interval(row) -> str:
    if math.isnan(row.value):
        return "n/a"
    return f"{_number(row.value)} [{_number(row.low)}, {_number(row.high)}]"


def markdown_table(header: list[str], rows: Iterable[list]) -> list[str]:
    """The lines of a Markdown table; a | inside a cell is escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def claims_block(claims: pd.DataFrame) -> str:
    """The claims table: claim, the report's words, what is measured, value [95% interval], threshold, verdict."""
    header = ["claim", "report", "the report says", "measured", "value [95% interval]", "holds if", "verdict"]
    rows = [
        [row.claim, row.section, row.report_words, row.quantity, value_with_interval(row), row.threshold]
        + [f"**{row.verdict}**"]
        for row in claims.itertuples(index=False)
    ]
    lines = markdown_table(header, rows)
    lines += ["", count_line(claims["verdict"]) + f" (of {len(claims)})."]
    return "\n".join(lines)


def robustness_block(by_seed: pd.DataFrame) -> str:
    """Per claim: its verdict under each base seed and how many seeds share the most common one."""
    seeds = sorted(by_seed["seed"].unique())
    lines = [
        "| claim | " + " | ".join(f"seed {seed}" for seed in seeds) + " | most common verdict |",
        "|---|" + "---|" * len(seeds) + "---|",
    ]
    for claim, rows in by_seed.groupby("claim", sort=False):
        verdicts = rows.set_index("seed")["verdict"]
        verdict, count = most_common(verdicts)
        cells = [SHORT[verdicts.get(seed, NOT_EVALUATED)] for seed in seeds]
        lines.append(f"| {claim} | " + " | ".join(cells) + f" | {verdict}, {count} of {len(rows)} |")
    stable = sum(most_common(rows["verdict"])[1] >= len(seeds) - 1 for _, rows in by_seed.groupby("claim"))
    lines += [
        "",
        f"{stable} of {by_seed['claim'].nunique()} claims get the same verdict in at least "
        f"{len(seeds) - 1} of {len(seeds)} seeds.",
    ]
    return "\n".join(lines)


def atlas_block(atlas: pd.DataFrame, claim: str) -> str:
    """One claim across the atlas: its verdict and value at the paper setting and under each variation
    that changes its experiment."""
    rows = atlas[atlas["claim"] == claim]
    paper = rows[rows["variation"] == "paper"].iloc[0]
    parts = [f"paper setting: **{paper.verdict}**, {_atlas_value(paper)}"]
    for row in rows[rows["variation"] != "paper"].itertuples(index=False):
        parts.append(f"`{row.variation}` ({row.change}): **{row.verdict}**, {_atlas_value(row)}")
    return "; ".join(parts) + "."


def _atlas_value(row) -> str:
    """Value [interval], or why the claim was not evaluated (its detail)."""
    if row.verdict == "not evaluated":
        return f"({row.detail})"
    return value_with_interval(row)


def cb2018_block(transitions: pd.DataFrame) -> str:
    """The Chizat & Bach transition: per teacher, protocol and activation, the geometric-mean final
    loss at the grid points on either side of m0 and the fall between them."""
    header = ["teacher", "protocol", "activation", "m below m0", "loss", "m above m0", "loss", "fall (ratio)"]
    rows = [
        [row.teacher, row.protocol, row.activation, row.m_below, _number(row.loss_below), row.m_above]
        + [_number(row.loss_above), f"{_number(row.ratio)}x"]
        for row in transitions.itertuples(index=False)
    ]
    return "\n".join(markdown_table(header, rows))


def _repetitions(needed: float) -> str:
    """A number of repetitions, whole, and at least the 3 that give an interval."""
    if not math.isfinite(needed):
        return "no number of repetitions"
    return f"{max(math.ceil(needed), MIN_REPETITIONS):,} repetitions"


def pooled_block(pooled: pd.DataFrame) -> str:
    """The pooled answer per claim: value [interval], verdict, the seeds that agree, and for an
    undecided claim which kind it is and what would decide it."""
    header = ["claim", "pooled value [95% interval]", "repetitions", "verdict", "seeds agreeing", "to decide"]
    rows = []
    for row in pooled.itertuples(index=False):
        needed = _repetitions(row.repetitions_to_decide)
        if row.verdict == "inconclusive":
            to_decide = f"{row.inconclusive_kind}: about {needed}"
        elif row.verdict == "not evaluated":
            to_decide = ""
        else:
            to_decide = f"about {needed} in one build"
        rows.append(
            [row.claim, value_with_interval(row), row.n_repetitions, f"**{row.verdict}**"]
            + [f"{row.seeds_agreeing} of {row.n_seeds}", to_decide]
        )
    lines = markdown_table(header, rows)
    lines += ["", count_line(pooled["verdict"]) + f" (of {len(pooled)}), pooled over every seed."]
    return "\n".join(lines)


def lazy_block(claims: pd.DataFrame, summary: pd.DataFrame, reference: pd.DataFrame) -> str:
    """The lazy-training sweep at its two ends and at tau = 0.1, its claims, and the report's r0 = 10
    runs measured the same way."""
    header = ["tau", "final test loss", "best test loss", "linearised model", "relative displacement"]
    chosen = sorted(
        {summary["init_scale"].idxmin(), (summary["init_scale"] - 0.1).abs().idxmin(), summary["init_scale"].idxmax()}
    )
    rows = [
        [_number(row.init_scale), _number(row.excess_loss_geometric_mean), _number(row.best_test_loss_geometric_mean)]
        + [_number(row.linearised_test_loss_geometric_mean), _number(row.displacement_median)]
        for row in summary.loc[chosen].itertuples(index=False)
    ]
    lines = markdown_table(header, rows)
    lines += ["", "(geometric means over the repetitions; the displacement is a median)", ""]
    lines += markdown_table(
        ["claim", "the report says", "measured", "value [95% interval]", "holds if", "verdict"],
        [
            [row.claim, row.report_words, row.quantity, value_with_interval(row), row.threshold, f"**{row.verdict}**"]
            for row in claims.itertuples(index=False)
        ],
    )
    fig7 = reference.iloc[0]
    distance = (np.log10(summary["displacement_median"]) - math.log10(fig7.median_relative_displacement)).abs()
    nearest = summary.loc[distance.idxmin()]
    lines += [
        "",
        f"The report's fig. 7(b) runs (mean-field scaling, r0 = {_number(fig7.init_radius)}, {int(fig7.n_runs)} runs) "
        f"measured the same way: median relative displacement {_number(fig7.median_relative_displacement)} (the "
        f"sweep's nearest is tau = {_number(nearest.init_scale)}, at {_number(nearest.displacement_median)}), median "
        f"turn of the directions v_j {_number(fig7.median_turn_degrees)} degrees.",
    ]
    return "\n".join(lines)


def blocks(
    claims: pd.DataFrame,
    by_seed: pd.DataFrame,
    atlas: pd.DataFrame,
    transitions: pd.DataFrame,
    pooled: pd.DataFrame,
    lazy_claims: pd.DataFrame,
    lazy_summary: pd.DataFrame,
    lazy_reference: pd.DataFrame,
    *beyond_claims: pd.DataFrame,
) -> dict[str, Callable[[], str]]:
    """Every generated block by name; ``beyond_claims`` are the claims tables of BEYOND_CLAIMS."""
    made = {
        "claims": lambda: claims_block(claims),
        "robustness": lambda: robustness_block(by_seed),
        "pooled": lambda: pooled_block(pooled),
        "cb2018": lambda: cb2018_block(transitions),
        "lazy": lambda: lazy_block(lazy_claims, lazy_summary, lazy_reference),
    }
    for name, table in zip(BEYOND_CLAIMS, beyond_claims):
        made[f"claims-{name}"] = lambda table=table: claims_block(table)
    for claim in atlas["claim"].unique():
        made[f"atlas-{claim}"] = lambda claim=claim: atlas_block(atlas, claim)
    return made


def render(text: str, made: dict[str, Callable[[], str]]) -> str:
    """``text`` with every generated block rewritten; an unknown block name is an error."""

    def replace(match: re.Match) -> str:
        name = match["name"]
        if name not in made:
            raise KeyError(f"README block {name!r} has no generator (known: {', '.join(sorted(made))})")
        return f"{match.group(1)}{made[name]()}\n{match.group(4)}"

    return BLOCK.sub(replace, text)


# The claims tables of the experiments beyond section 5 quoted as they are (tests/reference/claims_<name>.csv).
BEYOND_CLAIMS = ("frank_wolfe", "kernel_convergence", "adaptivity")
REFERENCE_FILES = (
    "claims_paper.csv",
    "claims_by_seed.csv",
    "claims_atlas.csv",
    "cb2018_transitions.csv",
    "claims_pooled.csv",
    "claims_lazy.csv",
    "lazy_scale_summary.csv",
    "lazy_reference_r0.csv",
    *(f"claims_{name}.csv" for name in BEYOND_CLAIMS),
)


def reference_tables(folder: Path = REFERENCES) -> tuple[pd.DataFrame, ...]:
    """The committed result tables the README quotes, in the order of :func:`blocks`."""
    return tuple(pd.read_csv(folder / name) for name in REFERENCE_FILES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--check", action="store_true", help="fail if a block differs from the tables")
    arguments = parser.parse_args(argv)
    text = arguments.readme.read_text()
    rendered = render(text, blocks(*reference_tables()))
    if arguments.check:
        if rendered != text:
            print(
                f"{arguments.readme} quotes numbers that differ from tests/reference/: run `python -m convexnn.readme`"
            )
            return 1
        print(f"{arguments.readme}: every generated block agrees with tests/reference/")
        return 0
    arguments.readme.write_text(rendered)
    print(f"rewrote the generated blocks of {arguments.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
