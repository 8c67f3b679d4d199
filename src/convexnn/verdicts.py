"""The verdict vocabulary of the claims, in one place: the four verdicts, their short forms, their
colours, and the counts every table and summary prints.

A verdict compares a claim's 95% interval with the values where the claim holds (fixed from the
report's words, :mod:`convexnn.intervals`): "holds" when the whole interval is on the holding side,
"does not hold" when it is all on the other side, "inconclusive" when it straddles the threshold,
"not evaluated" when the data needed is missing.
"""

from __future__ import annotations

from collections.abc import Iterable

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
INCONCLUSIVE = "inconclusive"
NOT_EVALUATED = "not evaluated"
VERDICTS = (HOLDS, DOES_NOT_HOLD, INCONCLUSIVE, NOT_EVALUATED)

# README tables: one word each.
SHORT = {HOLDS: "holds", DOES_NOT_HOLD: "fails", INCONCLUSIVE: "inconclusive", NOT_EVALUATED: "n/a"}
# Terminal grids (the atlas summary): one character each.
MARKS = {HOLDS: "H", DOES_NOT_HOLD: "-", INCONCLUSIVE: "?", NOT_EVALUATED: "n"}
# Figures (a colour-blind-safe Dark2 triple and grey), and their light tints for HTML table cells.
COLOURS = {HOLDS: "#1b9e77", DOES_NOT_HOLD: "#d95f02", INCONCLUSIVE: "#7570b3", NOT_EVALUATED: "#999999"}
BACKGROUNDS = {HOLDS: "#d4efe4", DOES_NOT_HOLD: "#f8dcc6", INCONCLUSIVE: "#e3e1f0", NOT_EVALUATED: "#e6e6e6"}


def counts(verdicts: Iterable[str]) -> dict[str, int]:
    """{verdict: how many}, in the order the verdicts are first seen."""
    found: dict[str, int] = {}
    for verdict in verdicts:
        found[verdict] = found.get(verdict, 0) + 1
    return found


def count_line(verdicts: Iterable[str], names: Iterable[str] = VERDICTS) -> str:
    """'6 holds, 3 does not hold, 5 inconclusive, 0 not evaluated': how many of each verdict, named
    by ``names`` (the verdicts themselves, or their :data:`SHORT` forms)."""
    found = counts(verdicts)
    return ", ".join(f"{found.get(verdict, 0)} {name}" for verdict, name in zip(VERDICTS, names))


def most_common(verdicts: Iterable[str]) -> tuple[str, int]:
    """(the most common verdict, how many give it); a tie goes to the verdict seen first."""
    found = counts(verdicts)
    best = max(found, key=found.__getitem__)  # max keeps the first of equal counts
    return best, found[best]
