"""Job: a results table as a self-contained HTML page, for the HTML report (which shows HTML in
place but offers a CSV only as a download)."""

from __future__ import annotations

import html

from convexnn.claims import CLAIM_COLUMNS, POOLED_COLUMNS
from convexnn.storage import PathLike, append_to_log, atomic_path, read_table
from convexnn.verdicts import BACKGROUNDS

STYLE = (
    "body{font-family:sans-serif;font-size:13px;margin:12px}table{border-collapse:collapse}"
    "th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}th{background:#f2f2f2}"
    "td.number{text-align:right;white-space:nowrap}"
)


def _number(value: float) -> str:
    return "" if value != value else f"{value:.3g}"  # NaN (not evaluated) as an empty cell


def claims_html_page(claims, title: str, columns: list[str] = CLAIM_COLUMNS) -> str:
    """A claims table (one row per claim, verdict cells coloured) as an HTML page."""
    header = "".join(f"<th>{html.escape(column.replace('_', ' '))}</th>" for column in columns)
    rows = []
    for row in claims.itertuples(index=False):
        cells = []
        for column in columns:
            value = getattr(row, column)
            if column in ("value", "low", "high", "repetitions_to_decide"):
                cells.append(f'<td class="number">{_number(value)}</td>')
            elif column == "verdict":
                background = BACKGROUNDS.get(value, "#ffffff")
                cells.append(f'<td style="background:{background}"><b>{html.escape(str(value))}</b></td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h3>{html.escape(title)}</h3>"
        f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )


def write_claims_html(claims_path: PathLike, path: PathLike, log_path: PathLike | None = None) -> None:
    """``claims_path`` (results/claims.csv) as an HTML table at ``path``."""
    claims = read_table(claims_path, CLAIM_COLUMNS)
    with atomic_path(path) as temporary:
        temporary.write_text(claims_html_page(claims, "The report's claims: value, 95% interval, verdict"))
    append_to_log(log_path, f"wrote {path} from {claims_path}", first=True)


def write_pooled_html(pooled_path: PathLike, path: PathLike, log_path: PathLike | None = None) -> None:
    """``pooled_path`` (results/robustness/claims_pooled.csv) as an HTML table at ``path``."""
    pooled = read_table(pooled_path, POOLED_COLUMNS)
    title = "The report's claims pooled over every robustness seed: value, 95% interval, verdict"
    with atomic_path(path) as temporary:
        temporary.write_text(claims_html_page(pooled, title, POOLED_COLUMNS))
    append_to_log(log_path, f"wrote {path} from {pooled_path}", first=True)
