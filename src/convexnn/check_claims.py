"""Compare a claims table with a committed reference: `python -m convexnn.check_claims CURRENT REFERENCE`.

Exits 1, naming each claim whose verdict flipped or whose value moved by more than the tolerance
declared beside it in the reference, and 0 when every reference claim agrees. With
`--write-reference`, writes CURRENT as the new REFERENCE instead, each row with the tolerance
RELATIVE_TOLERANCE x |value|: a build is bit-identical on one machine, and the margin absorbs
floating-point differences between CPUs, which SGD can amplify over 500,000 steps.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from convexnn.claims import compare_with_reference, format_claims
from convexnn.storage import write_table

RELATIVE_TOLERANCE = 0.25


def reference_table(current: pd.DataFrame, relative_tolerance: float = RELATIVE_TOLERANCE) -> pd.DataFrame:
    """The claims table with a ``tolerance`` column: relative_tolerance x |value| (0 for NaN, inf)."""
    tolerance = (relative_tolerance * current["value"].abs()).where(lambda values: values.abs() < float("inf"), 0.0)
    return current.assign(tolerance=tolerance.fillna(0.0))


def markdown_claims(table: pd.DataFrame) -> str:
    """The claims table as Markdown: claim, section, the report's words, measured quantity, value,
    threshold, verdict and the numbers behind it."""
    lines = ["| claim | report | the report says | measured | value | threshold | verdict | detail |",
             "|---|---|---|---|---|---|---|---|"]
    for row in table.itertuples(index=False):
        cells = [row.claim, row.section, row.report_words, row.quantity, f"{row.value:.3g}", row.threshold,
                 f"**{row.verdict}**", row.detail]
        lines.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("current", help="claims table just built, e.g. results/claims.csv")
    parser.add_argument("reference", nargs="?", help="reference table with a tolerance column")
    parser.add_argument("--write-reference", action="store_true", help="write CURRENT as the new REFERENCE")
    parser.add_argument("--markdown", action="store_true", help="only print CURRENT as a Markdown table (README)")
    arguments = parser.parse_args(argv)
    current = pd.read_csv(arguments.current)
    if arguments.markdown:
        print(markdown_claims(current))
        return 0
    if arguments.reference is None:
        parser.error("REFERENCE is needed unless --markdown is given")
    if arguments.write_reference:
        write_table(reference_table(current), arguments.reference)
        print(f"wrote {arguments.reference} from {arguments.current}")
        return 0
    reference = pd.read_csv(arguments.reference)
    print(format_claims(current))
    problems = compare_with_reference(current, reference)
    for problem in problems:
        print(f"CLAIM CHECK FAILED {problem}")
    print(f"{len(reference) - len({p.split(':')[0] for p in problems})} of {len(reference)} reference claims agree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
