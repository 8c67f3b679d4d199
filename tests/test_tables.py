"""The claims table as HTML for the report: every claim a row, verdicts coloured, text escaped."""

import math

import pandas as pd

from convexnn.claims import CLAIM_COLUMNS
from convexnn.jobs.tables import claims_html_page, write_claims_html
from convexnn.verdicts import BACKGROUNDS


def claims() -> pd.DataFrame:
    rows = [
        ["C1", "5.1", "often <global>", "share", 0.96, 0.9, 0.99, "in [0.5, 1)", "holds", "96 of 100"],
        ["C5", "5.2", "k = 20 vs k = 5", "ratio", math.nan, math.nan, math.nan, ">= 100", "not evaluated", "none"],
    ]
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def test_every_claim_is_a_row_with_its_verdict_coloured():
    page = claims_html_page(claims(), "title")
    assert page.count("<tr>") == 3  # header and two claims
    assert f"background:{BACKGROUNDS['holds']}" in page
    assert f"background:{BACKGROUNDS['not evaluated']}" in page
    assert "often &lt;global&gt;" in page and "<global>" not in page
    assert '<td class="number">0.96</td>' in page and '<td class="number"></td>' in page


def test_the_page_is_written_from_the_csv(tmp_path):
    csv = tmp_path / "claims.csv"
    claims().to_csv(csv, index=False)
    write_claims_html(csv, tmp_path / "claims.html")
    assert (tmp_path / "claims.html").read_text().startswith("<!DOCTYPE html>")
