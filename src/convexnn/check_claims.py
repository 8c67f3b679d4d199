"""Compare a claims table with a committed reference: `python -m convexnn.check_claims CURRENT REFERENCE`.

Exits 1, naming each claim whose verdict changed or whose value left the reference's 95% interval,
and 0 when every reference claim agrees. The interval (a bootstrap over repetitions, or the exact
binomial interval of a share of runs) says how far a value moves when the random draws change, so a
value inside it agrees with the reference whatever the CPU's rounding, and a value outside it means
the experiment changed. With `--write-reference`, writes CURRENT as the new REFERENCE instead.
"""

from __future__ import annotations

import argparse
import sys

from convexnn.claims import CLAIM_COLUMNS, compare_with_reference, format_claims
from convexnn.storage import read_table, write_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("current", help="claims table just built, e.g. results/claims.csv")
    parser.add_argument("reference", help="reference claims table, e.g. tests/reference/claims_paper.csv")
    parser.add_argument("--write-reference", action="store_true", help="write CURRENT as the new REFERENCE")
    arguments = parser.parse_args(argv)
    current = read_table(arguments.current, CLAIM_COLUMNS)
    if arguments.write_reference:
        write_table(current, arguments.reference)
        print(f"wrote {arguments.reference} from {arguments.current}")
        return 0
    reference = read_table(arguments.reference, CLAIM_COLUMNS)
    print(format_claims(current))
    problems = compare_with_reference(current, reference)
    for problem in problems:
        print(f"CLAIM CHECK FAILED {problem}")
    print(f"{len(reference) - len({p.split(':')[0] for p in problems})} of {len(reference)} reference claims agree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
