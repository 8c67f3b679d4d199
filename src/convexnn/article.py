"""The replication as an article: one self-contained HTML page that follows the report's sections.

E. Berthier (2018), *On Convex Neural Networks*, sections 2.5, 3.3, 4 and 5.1 to 5.3, then the experiments
beyond it: for each section the report's words, our figures with their captions beside them, the section's
claims (value, 95% interval, verdict; pooled over every robustness seed when that build exists) and a short
reading generated from those tables. Around them: a title, an abstract whose verdict counts are those of the
claims table, the conclusions, the settings with the reasons config.yaml gives for them, and the provenance
(commit, package versions, base seed, build date) at the top, at the end and, printed, on every page.

Everything here is a pure function of tables and texts already read (:mod:`convexnn.jobs.article` does the
I/O); nothing is computed that the result tables do not hold, and every number written comes from them.
The figures are embedded as base64 PNG and the style is inline, so the page needs no network. One small
script checks, once the page has loaded, that every figure decoded, and records it and any script error on
the page's body (``data-images-decoded``, ``data-script-errors``) for tests/test_article.py.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import yaml

from convexnn.registry import EXPERIMENTS
from convexnn.verdicts import BACKGROUNDS, DOES_NOT_HOLD, HOLDS, INCONCLUSIVE, NOT_EVALUATED, VERDICTS, counts

TITLE = "On Convex Neural Networks, replicated: particle gradient descent for one-hidden-layer networks"


@dataclass(frozen=True)
class Section:
    """One section of the article: the report's section it follows, its experiments (registry names, in
    order) and the report's words on it, as the experiments' modules quote them."""

    number: str
    title: str
    experiments: tuple[str, ...]
    quotes: tuple[str, ...] = ()
    beyond: bool = False  # not an experiment of the report: a target of its own


SECTIONS = (
    Section(
        "2.5",
        "Random features tend to the F2 kernel",
        ("kernel_convergence",),
        (
            "the empirical risk minimization problem in F2 can be solved by sampling m i.i.d hidden units v_1, ..., "
            "v_m [...]. When m tends to infinity, the approximate kernel [...] tends to k(x, y).",
        ),
    ),
    Section(
        "3.3",
        "Only F1 adapts to a low-dimensional structure",
        ("adaptivity",),
        (
            "when f* depends only on a subspace of dimension s <= d, then we can replace d by s in the "
            "generalization bounds only in F1 and not in F2 [...] Therefore, only F1 is adaptive to structure and "
            "breaks the curse of dimensionality.",
        ),
    ),
    Section(
        "4",
        "Conditional gradient (Frank-Wolfe) on the F1 ball",
        ("frank_wolfe",),
        (
            "[conditional gradient on the F1 ball] has a convergence rate of O(delta^2/t)",
            "[on n observations, a solution] is supported by at most n points",
            "the subproblem of adding a new hidden unit in the conditional gradient algorithm is computationally "
            "intractable",
        ),
    ),
    Section(
        "5.1",
        "Particles in the plane: ReLU and sigmoid",
        ("relu_trajectories", "sigmoid_trajectories"),
        (
            "With r0 << r, ReLU training often reaches the global minimum, but sometimes a local minimum.",
            "With sigmoid and w(0) = 0 we always got convergence to the global minimum, even with 3 particles",
            "all particles are on the black lines, and those that are not have an output weight w vanishing to zero",
        ),
    ),
    Section("5.2", "Over-parametrisation: how many particles for M teacher units", ("overparam",)),
    Section(
        "5.3",
        "The initialisation radius r0: active and lazy training",
        ("r0_sweep",),
        (
            "The best choice of r0 seems to be 0.05",
            "for r0 = 10, training is very slow and unstable",
            "the particles only move on lines passing at the origin",
        ),
    ),
    Section(
        "Beyond",
        "Beyond the report: Chizat & Bach's transition, and lazy training as they measured it",
        ("cb2018", "lazy_training"),
        (
            "When the variance is high, all weights stay almost fixed. When it is low, the weights move and the "
            "model generalizes well.",
        ),
        beyond=True,
    ),
)


@dataclass(frozen=True)
class FigureItem:
    """A figure as the article shows it: its registry name, title, caption (HTML), PNG (base64), printed size."""

    name: str
    title: str
    caption_html: str
    png_base64: str
    width_inches: float
    height_inches: float


@dataclass(frozen=True)
class Provenance:
    """Where the article's results come from: the checkout, the environment and the build."""

    commit: str | None  # None outside a git checkout
    changed_files: tuple[str, ...]  # files that differ from the commit (tracked or not ignored)
    built: str  # the build date and time, UTC
    python: str
    seed: int
    packages: tuple[tuple[str, str, str | None], ...]  # (name, version in requirements.lock, version installed)
    direct: tuple[str, ...] = ()  # the project's own dependencies (pyproject.toml), shown first
    note: str = ""  # why the commit is unknown


@dataclass(frozen=True)
class ArticleData:
    """Everything the article shows, read (:func:`convexnn.jobs.article.write_article`)."""

    claims: pd.DataFrame  # results/claims.csv: the report's section 5 claims at the base seed
    beyond_claims: Mapping[str, pd.DataFrame]  # experiment -> its claims table, for the experiments built
    pooled: pd.DataFrame | None  # results/robustness/claims_pooled.csv, if built
    robustness_seeds: Sequence[int]
    figures: Mapping[str, FigureItem]  # name -> figure, for the figures built
    tables: Mapping[str, pd.DataFrame]  # derived table name -> table, of the experiments without claims
    config: dict  # the configuration of the build
    config_text: str  # config.yaml as written, with its comments
    provenance: Provenance
    claims_figures: Sequence[str] = field(default=("claims",))  # names in ``figures`` of the claims figures


# ------------------------------------------------------------------------------------------------------------
# Small helpers


def escape(text) -> str:
    return html.escape(str(text))


def number(value: float) -> str:
    """A value as the claims tables print it: three significant digits; an empty string for NaN."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3g}"


def interval(row) -> str:
    """'0.96 [0.901, 0.989]', or 'not evaluated' without a value."""
    if math.isnan(row.value):
        return "not evaluated"
    return f"{number(row.value)} [{number(row.low)}, {number(row.high)}]"


def verdict_badge(verdict: str) -> str:
    return f'<span class="verdict" style="background:{BACKGROUNDS.get(verdict, "#fff")}">{escape(verdict)}</span>'


# How a number of claims with each verdict reads: (one, several).
VERDICT_VERBS = {
    HOLDS: ("holds", "hold"),
    DOES_NOT_HOLD: ("does not hold", "do not hold"),
    INCONCLUSIVE: ("is inconclusive", "are inconclusive"),
    NOT_EVALUATED: ("was not evaluated", "were not evaluated"),
}


def count_words(verdicts: Sequence[str], every: bool = True) -> str:
    """'6 hold, 4 do not hold, 5 are inconclusive and 0 were not evaluated' (with ``every`` False, the
    verdicts no claim has are left out)."""
    found = counts(verdicts)
    parts = [
        f"{found.get(verdict, 0)} {VERDICT_VERBS[verdict][found.get(verdict, 0) != 1]}"
        for verdict in VERDICTS
        if every or found.get(verdict, 0)
    ]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


SHORT_DETAIL = 200  # characters of a claim's detail that a reading quotes whole
BOILERPLATE = re.compile(r"^(0 diverged|bootstrap over|exact binomial)")


def detail_numbers(detail: str) -> str:
    """A claim's detail without the clauses every claim has (no run diverged, how the interval was made):
    the numbers it compares, or what is missing."""
    parts = [part.strip() for part in str(detail).split(";")]
    return "; ".join(part for part in parts if part and not BOILERPLATE.match(part))


def threshold_words(threshold: str) -> str:
    """A threshold with its long decimals cut to 3 significant digits ('<= 0.333', not '<= 0.3333333333333333')."""
    return re.sub(r"\d+\.\d{4,}(e[-+]?\d+)?", lambda found: f"{float(found[0]):.3g}", str(threshold))


def claims_of(experiment: str, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` that are claims of ``experiment`` (its registry ``claim_names``), in their order."""
    names = EXPERIMENTS[experiment].claim_names
    return table[table["claim"].isin(names)]


def section_claims(section: Section, data: ArticleData) -> pd.DataFrame:
    """The section's claims: from results/claims.csv for the report's experiments, from their own table
    for the others (when built)."""
    parts = []
    for experiment in section.experiments:
        if experiment in data.beyond_claims:
            parts.append(claims_of(experiment, data.beyond_claims[experiment]))
        elif EXPERIMENTS[experiment].in_report:
            parts.append(claims_of(experiment, data.claims))
    parts = [part for part in parts if len(part)]
    return pd.concat(parts, ignore_index=True) if parts else data.claims.iloc[0:0]


def pooled_row(data: ArticleData, claim: str):
    if data.pooled is None:
        return None
    rows = data.pooled[data.pooled["claim"] == claim]
    return None if rows.empty else rows.iloc[0]


def final_verdict(data: ArticleData, row) -> str:
    """A claim's final verdict: pooled over every robustness seed where that was built, else this seed's."""
    pooled = pooled_row(data, row.claim)
    return row.verdict if pooled is None else pooled["verdict"]


def section_id(section: Section) -> str:
    return "section-" + section.number.lower().replace(" ", "-")


def built(section: Section, data: ArticleData) -> bool:
    """Whether anything of the section was built: a figure or a claim."""
    figures = [spec.name for name in section.experiments for spec in EXPERIMENTS[name].figures]
    return any(name in data.figures for name in figures) or len(section_claims(section, data)) > 0


# ------------------------------------------------------------------------------------------------------------
# Readings: a few sentences generated from the claims


def short_detail(row) -> str:
    """A claim's numbers as a reading quotes them: its detail without the boilerplate, its first clause if long."""
    numbers = detail_numbers(row.detail)
    return numbers.split(";")[0] if len(numbers) > SHORT_DETAIL else numbers


def at_value(row) -> str:
    """'C5 at 26.1 [3.95, 259] (>= 100)'."""
    return f"{row.claim} at {interval(row)} ({threshold_words(row.threshold)})"


def names_of(rows) -> str:
    names = [row.claim for row in rows]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def reading(claims: pd.DataFrame, data: ArticleData) -> list[str]:
    """The section's claims read in a few sentences: how many have each verdict; each claim that does not
    hold with the numbers it compares; the undecided ones and the holding ones with their values against
    their thresholds; what could not be evaluated and why; and the claims whose verdict pooled over every
    robustness seed differs from this seed's."""
    if claims.empty:
        return []
    rows = list(claims.itertuples(index=False))
    of = {verdict: [row for row in rows if row.verdict == verdict] for verdict in VERDICTS}
    sentences = [
        f"Of this section's {len(rows)} claims, at base seed {data.provenance.seed}, "
        f"{count_words(claims['verdict'], every=False)}."
    ]
    for row in of[DOES_NOT_HOLD]:
        numbers = short_detail(row)
        sentences.append(
            f"{row.claim} does not hold: {row.quantity} = {interval(row)}, all of it outside "
            f"{threshold_words(row.threshold)}" + (f" ({numbers})" if numbers else "") + "."
        )
    undecided = of[INCONCLUSIVE]
    if len(undecided) == 1:
        (row,) = undecided
        numbers = short_detail(row)
        sentences.append(
            f"{row.claim} is inconclusive: its interval {interval(row)} straddles the threshold "
            f"{threshold_words(row.threshold)}" + (f" ({numbers})" if numbers else "") + "."
        )
    elif undecided:
        sentences.append(
            f"{names_of(undecided)} are inconclusive, each interval straddling its threshold: "
            + "; ".join(at_value(row) for row in undecided)
            + "."
        )
    holding = of[HOLDS]
    if len(holding) == 1:
        (row,) = holding
        sentences.append(f"{row.claim} holds at {interval(row)} ({threshold_words(row.threshold)}).")
    elif holding:
        sentences.append(f"{names_of(holding)} hold: " + "; ".join(at_value(row) for row in holding) + ".")
    if of[NOT_EVALUATED]:
        verb = VERDICT_VERBS[NOT_EVALUATED][len(of[NOT_EVALUATED]) != 1]
        sentences.append(
            f"{names_of(of[NOT_EVALUATED])} {verb}: "
            + "; ".join(f"{row.claim}, {short_detail(row)}" for row in of[NOT_EVALUATED])
            + "."
        )
    changed = [(row, pooled_row(data, row.claim)) for row in rows]
    changed = [(row, pooled) for row, pooled in changed if pooled is not None and pooled["verdict"] != row.verdict]
    if changed:
        n_seeds = int(changed[0][1]["n_seeds"])
        sentences.append(
            f"Pooled over the {n_seeds} robustness seeds the verdict changes: "
            + "; ".join(
                f"{row.claim} {VERDICT_VERBS[pooled['verdict']][0]} at {interval(pooled)} over "
                f"{int(pooled['n_repetitions'])} repetitions"
                for row, pooled in changed
            )
            + "."
        )
    return sentences


def transitions_reading(table: pd.DataFrame) -> list[str]:
    """Chizat & Bach's transition (table cb2018_transitions): the fall of the geometric-mean loss across m0."""
    sentences = []
    for row in table.itertuples(index=False):
        sentences.append(
            f"{row.activation}, {row.teacher} teacher, {row.protocol} protocol: the geometric-mean loss falls by "
            f"{number(row.ratio)}x from m = {row.m_below} to m = {row.m_above}."
        )
    return sentences


TABLE_READINGS = {"cb2018_transitions": transitions_reading}


# ------------------------------------------------------------------------------------------------------------
# The settings and their reasons: config.yaml's comments


KEY_LINE = re.compile(r"^(\s*)([A-Za-z0-9_]+):(.*)$")


def setting_comments(text: str) -> dict[tuple[str, ...], str]:
    """{key path: its comment} of a YAML text laid out as config.yaml: the comment lines right above a key
    (a blank line ends a block of comments) and the comment at the end of its line. List items are skipped."""
    comments: dict[tuple[str, ...], str] = {}
    pending: list[str] = []
    stack: list[tuple[int, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("- "):
            pending = []
            continue
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        found = KEY_LINE.match(line)
        if not found:
            pending = []
            continue
        indent, key, rest = len(found[1]), found[2], found[3]
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = tuple(name for _, name in stack) + (key,)
        inline = rest.split("#", 1)[1].strip() if "#" in rest and not rest.strip().startswith(("'", '"')) else ""
        comment = " ".join(part for part in pending + [inline] if part)
        if comment:
            comments[path] = comment
        stack.append((indent, key))
        pending = []
    return comments


def shown_value(value) -> str:
    """A setting as YAML writes it inline: 0.05, [1, 2, 3], {relu: 10, sigmoid: 5}."""
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False).strip()
    return yaml.safe_dump(value, width=10_000).strip().removesuffix("...").strip()


def settings_rows(config: Mapping, written: Mapping, comments: Mapping, prefix: tuple[str, ...] = ()):
    """(key path, value in this build, value in config.yaml, reason) of every setting, depth first; a mapping
    that config.yaml writes on one line (or that has no comments inside) is one setting."""
    for key, value in config.items():
        path = prefix + (key,)
        inner = isinstance(value, dict) and any(other[: len(path)] == path and other != path for other in comments)
        written_value = written.get(key) if isinstance(written, Mapping) else None
        if inner:
            yield from settings_rows(value, written_value if isinstance(written_value, Mapping) else {}, comments, path)
        else:
            yield path, value, written_value, comments.get(path, "")


# ------------------------------------------------------------------------------------------------------------
# HTML


STYLE = """
/* the figures are drawn for print (3.3 or 7 in wide); a screen is read from farther away */
:root { --ink: #1d1d1f; --muted: #5b5b66; --rule: #d8d8de; --screen-scale: 1.25; }
body { font-family: Georgia, 'DejaVu Serif', serif; color: var(--ink); max-width: 1340px; margin: 0 auto;
  padding: 0 24px 48px; line-height: 1.45; font-size: 16px; }
h1 { font-size: 28px; margin: 28px 0 4px; line-height: 1.2; }
h2 { font-size: 22px; margin-top: 40px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 17px; margin: 24px 0 6px; }
.subtitle { color: var(--muted); margin: 0 0 12px; }
.provenance { font-family: 'DejaVu Sans', sans-serif; font-size: 12px; color: var(--muted);
  border: 1px solid var(--rule); border-radius: 4px; padding: 6px 10px; background: #fafafa; }
.provenance code { font-size: 12px; }
.abstract { background: #f6f6f9; padding: 12px 16px; border-left: 3px solid #7570b3; }
blockquote { margin: 8px 0 8px 0; padding: 4px 14px; border-left: 3px solid var(--rule); color: #333;
  font-style: italic; }
.figure { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; margin: 18px 0 26px;
  break-inside: avoid; }
.figure img { flex: none; max-width: 100%; height: auto; border: 1px solid #eee; }
.figure .caption { flex: 1 1 260px; font-family: 'DejaVu Sans', sans-serif; font-size: 12.5px;
  line-height: 1.4; color: #333; min-width: 240px; }
.figure .caption .title { font-weight: bold; font-size: 13.5px; margin-bottom: 4px; color: var(--ink); }
.figure .caption p { margin: 0 0 6px; }
.figure .name { font-family: 'DejaVu Sans Mono', monospace; font-size: 11px; color: var(--muted); }
table.claims, table.settings, table.data { border-collapse: collapse; width: 100%;
  font-family: 'DejaVu Sans', sans-serif; font-size: 12.5px; margin: 10px 0 16px; }
table.claims th, table.claims td, table.settings th, table.settings td, table.data th, table.data td {
  border: 1px solid var(--rule); padding: 4px 6px; vertical-align: top; text-align: left; }
table th { background: #f2f2f5; }
td.number { white-space: nowrap; text-align: right; font-variant-numeric: tabular-nums; }
.verdict { padding: 1px 6px; border-radius: 3px; font-weight: bold; white-space: nowrap; }
.reading { background: #fbfbf7; border: 1px solid #ecebdf; padding: 8px 14px; }
.reading p { margin: 4px 0; }
.missing { color: var(--muted); font-style: italic; }
.math { font-family: 'DejaVu Serif', serif; white-space: nowrap; }
nav.contents ol { columns: 2; font-size: 14px; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 13px; }
h3 code { font-size: inherit; }
footer.page, table.frame > tfoot { display: none; }
/* the page frame (see @media print) is plain blocks on a screen */
table.frame, table.frame > tbody, table.frame > tbody > tr, table.frame > tbody > tr > td { display: block; }
@media print {
  @page { size: A4; margin: 14mm 12mm 10mm; }
  :root { --screen-scale: 1; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  .figure img { max-width: 7in; }
  /* the provenance at the foot of every page: a fixed footer repeats on each printed page, and the frame's
     table footer (also repeated) keeps the room for it free of text */
  table.frame { display: table; width: 100%; border-collapse: collapse; }
  table.frame > tbody { display: table-row-group; }
  table.frame > tbody > tr { display: table-row; }
  table.frame > tbody > tr > td { display: table-cell; padding: 0; }
  table.frame > tfoot { display: table-footer-group; }
  table.frame > tfoot td { height: 12mm; padding: 0; }
  footer.page { display: block; position: fixed; bottom: 0; left: 0; right: 0; font-size: 7.5pt;
    color: var(--muted); font-family: 'DejaVu Sans', sans-serif; border-top: 1px solid var(--rule);
    padding-top: 2px; background: white; }
  h2, h3, blockquote { break-after: avoid; }
  td.number { white-space: normal; }
  tr { break-inside: avoid; }
}
"""

# Records on <body> that every figure decoded and any script error: what a browser test reads back.
SELF_CHECK = """
(function () {
  var errors = [];
  window.addEventListener('error', function (event) { errors.push(String(event.message)); });
  window.addEventListener('load', function () {
    var images = Array.prototype.slice.call(document.images);
    var decoded = images.filter(function (image) { return image.complete && image.naturalWidth > 0; });
    document.body.setAttribute('data-images', String(images.length));
    document.body.setAttribute('data-images-decoded', String(decoded.length));
    document.body.setAttribute('data-script-errors', errors.join(' | '));
    document.body.setAttribute('data-checked', 'yes');
  });
})();
"""


def provenance_line(provenance: Provenance) -> str:
    """The one-line provenance shown at the top and, printed, at the foot of every page."""
    if provenance.commit:
        changed = len(provenance.changed_files)
        state = "clean" if not changed else f"{changed} file{'s' * (changed != 1)} changed"
        source = f"commit <code>{escape(provenance.commit[:12])}</code> ({state})"
    else:
        source = f"commit unknown ({escape(provenance.note)})"
    return f"{source} · base seed {provenance.seed} · built {escape(provenance.built)} · Python {escape(provenance.python)}"


def provenance_block(provenance: Provenance) -> str:
    """The full provenance: commit and the files that differ from it, every package of the lock with the
    version installed, the base seed and the build date."""
    lines = []
    if provenance.commit:
        lines.append(f"<p>Commit <code id='commit'>{escape(provenance.commit)}</code>; ")
        if provenance.changed_files:
            listed = ", ".join(f"<code>{escape(name)}</code>" for name in provenance.changed_files[:30])
            more = f" and {len(provenance.changed_files) - 30} more" if len(provenance.changed_files) > 30 else ""
            lines.append(
                f"the working tree is <b>not clean</b>: {len(provenance.changed_files)} "
                + ("file differs" if len(provenance.changed_files) == 1 else "files differ")
                + f" from the commit ({listed}{more}).</p>"
            )
        else:
            lines.append("the working tree is clean (no file differs from the commit).</p>")
    else:
        lines.append(f"<p>The commit is unknown: {escape(provenance.note)}.</p>")
    lines.append(
        f"<p>Base seed {provenance.seed}; built {escape(provenance.built)}; Python {escape(provenance.python)}. "
        "Snakemake reran every result here whose code, settings or inputs changed before this page was written, "
        "so the results are those of the code of this checkout: the commit and the files listed as changed (each "
        "job's code input is the fingerprint of the modules it imports).</p>"
    )
    differ = [(name, locked, installed) for name, locked, installed in provenance.packages if locked != installed]
    direct = [row for row in provenance.packages if row[0] in provenance.direct]
    lines.append(
        "<p>Packages (requirements.lock; "
        + (
            "every one installed at its locked version"
            if not differ
            else f"<b>{len(differ)} installed at another version</b>: "
            + ", ".join(f"{escape(n)} {escape(i)} (lock {escape(v)})" for n, v, i in differ)
        )
        + "): "
        + ", ".join(f"{escape(name)}&nbsp;{escape(version)}" for name, version, _ in direct)
        + ".</p>"
    )
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(version)}</td><td>{escape(installed or 'not installed')}</td></tr>"
        for name, version, installed in provenance.packages
    )
    lines.append(
        f"<details><summary>All {len(provenance.packages)} packages of requirements.lock</summary>"
        f"<table class='data'><thead><tr><th>package</th><th>locked</th><th>installed</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></details>"
    )
    return "".join(lines)


def claims_table_html(claims: pd.DataFrame, data: ArticleData) -> str:
    """A section's claims: the report's words, what is measured, value and interval, threshold, verdict,
    and the pooled answer over every robustness seed where it was built."""
    pooled_columns = any(pooled_row(data, claim) is not None for claim in claims["claim"])
    header = (
        "<tr><th>claim</th><th>the report says</th><th>measured</th><th>value [95% interval]</th>"
        f"<th>holds if</th><th>verdict, base seed {data.provenance.seed}</th>"
        + ("<th>pooled over every robustness seed</th>" if pooled_columns else "")
        + "</tr>"
    )
    rows = []
    for row in claims.itertuples(index=False):
        cells = [
            f"<td><b>{escape(row.claim)}</b></td>",
            f"<td>“{escape(row.report_words)}”</td>",
            f"<td>{escape(row.quantity)}<br><span class='missing'>{escape(row.detail)}</span></td>",
            f"<td class='number'>{escape(interval(row))}</td>",
            f"<td>{escape(threshold_words(row.threshold))}</td>",
            f"<td>{verdict_badge(row.verdict)}</td>",
        ]
        if pooled_columns:
            pooled = pooled_row(data, row.claim)
            if pooled is None:
                cells.append("<td class='missing'>not pooled</td>")
            else:
                kind = pooled["inconclusive_kind"] if isinstance(pooled["inconclusive_kind"], str) else ""
                cells.append(
                    f"<td>{verdict_badge(pooled['verdict'])} {escape(interval(pooled))}<br>"
                    f"{int(pooled['seeds_agreeing'])} of {int(pooled['n_seeds'])} seeds alone agree; "
                    f"{int(pooled['n_repetitions'])} repetitions" + (f"; {escape(kind)}" if kind else "") + "</td>"
                )
        rows.append(f"<tr id='claim-{escape(row.claim)}'>" + "".join(cells) + "</tr>")
    return f"<table class='claims'><thead>{header}</thead><tbody>{''.join(rows)}</tbody></table>"


def figure_html(item: FigureItem) -> str:
    """A figure at its printed size with its caption beside it (below it where the page is too narrow)."""
    return (
        f"<div class='figure' id='figure-{escape(item.name)}'>"
        f"<img src='data:image/png;base64,{item.png_base64}' alt='{escape(item.title)}' "
        f"style='width:calc({item.width_inches:g}in * var(--screen-scale))'>"
        f"<div class='caption'><div class='title'>{escape(item.title)}</div>{item.caption_html}"
        f"<div class='name'>{escape(item.name)} · {item.width_inches:g} x {item.height_inches:.2g} in</div></div></div>"
    )


def data_table_html(table: pd.DataFrame) -> str:
    header = "".join(f"<th>{escape(column.replace('_', ' '))}</th>" for column in table.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td class='number'>{number(value)}</td>" if isinstance(value, float) else f"<td>{escape(value)}</td>"
            for value in row
        )
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<table class='data'><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def section_html(section: Section, data: ArticleData) -> str:
    """One section: the report's words, each experiment's figures beside their captions, the claims and the
    reading; what was not built is said, with the command that builds it."""
    parts = [f"<section id='{section_id(section)}'>"]
    label = "" if section.beyond else f"Report section {escape(section.number)}: "
    parts.append(f"<h2>{label}{escape(section.title)}</h2>")
    if section.quotes:
        parts.append("<p>The report:</p>" + "".join(f"<blockquote>“{escape(q)}”</blockquote>" for q in section.quotes))
    if not built(section, data):
        targets = sorted({EXPERIMENTS[name].target for name in section.experiments})
        commands = " and ".join(f"<code>snakemake {escape(target)}</code>" for target in targets)
        parts.append(
            f"<p class='missing'>Not built for this article: {commands} builds it, then rerun "
            "<code>snakemake article</code>.</p></section>"
        )
        return "".join(parts)
    for name in section.experiments:
        experiment = EXPERIMENTS[name]
        if len(section.experiments) > 1:
            parts.append(f"<h3>{escape(experiment.title[0].upper() + experiment.title[1:])}</h3>")
        drawn = [spec.name for spec in experiment.figures if spec.name in data.figures]
        missing = [spec.name for spec in experiment.figures if spec.name not in data.figures]
        parts.extend(figure_html(data.figures[figure]) for figure in drawn)
        if missing:
            parts.append(
                f"<p class='missing'>Not built: {', '.join(escape(n) for n in missing)} "
                f"(<code>snakemake {escape(experiment.target)}</code>).</p>"
            )
        for spec in experiment.tables:
            if spec.name in data.tables:
                parts.append(
                    f"<p>Table <code>{escape(spec.path)}</code>:</p>" + data_table_html(data.tables[spec.name])
                )
    claims = section_claims(section, data)
    sentences = reading(claims, data)
    for name in section.experiments:
        for spec in EXPERIMENTS[name].tables:
            if spec.name in data.tables and spec.name in TABLE_READINGS:
                sentences += TABLE_READINGS[spec.name](data.tables[spec.name])
    if len(claims):
        parts.append("<h3>Claims</h3>" + claims_table_html(claims, data))
    if sentences:
        parts.append(
            "<div class='reading'><p><b>Reading.</b> " + "</p><p>".join(escape(s) for s in sentences) + "</p></div>"
        )
    parts.append("</section>")
    return "".join(parts)


def abstract_html(data: ArticleData) -> str:
    """The abstract: what was replicated, the verdict counts of results/claims.csv, the pooled counts, the
    claims beyond section 5 that were built, and the report's statements the measurements contradict."""
    verdicts = data.claims["verdict"]
    found = counts(verdicts)
    text = [
        "We re-ran the numerical experiments of section 5 of E. Berthier (2018), <i>On Convex Neural Networks</i>, "
        "which repeat those of Chizat &amp; Bach (2018), and checked each of the report's claims by a number with a "
        "95% interval against a threshold fixed from the report's words before any result was seen. "
        f"Of the <b id='claims-total'>{len(data.claims)}</b> claims of section 5 at base seed {data.provenance.seed} "
        f"(results/claims.csv), <b><span id='count-holds'>{found.get(HOLDS, 0)}</span> hold</b>, "
        f"<b><span id='count-does-not-hold'>{found.get(DOES_NOT_HOLD, 0)}</span> do not hold</b>, "
        f"<b><span id='count-inconclusive'>{found.get(INCONCLUSIVE, 0)}</span> are inconclusive</b> and "
        f"<span id='count-not-evaluated'>{found.get(NOT_EVALUATED, 0)}</span> were not evaluated."
    ]
    if data.pooled is not None:
        text.append(
            f" Pooled over the {len(data.robustness_seeds)} base seeds {list(data.robustness_seeds)} "
            f"(results/robustness/claims_pooled.csv), {count_words(data.pooled['verdict'])}."
        )
    else:
        text.append(
            " These verdicts are those of a single base seed: <code>snakemake robustness</code> pools the claims over "
            "several seeds and this article then shows both."
        )
    if data.beyond_claims:
        beyond = pd.concat(list(data.beyond_claims.values()), ignore_index=True)
        where = [
            ("section " + section.number) if not section.beyond else "Chizat &amp; Bach's experiments"
            for section in SECTIONS
            if any(name in data.beyond_claims for name in section.experiments)
        ]
        text.append(
            f" Beyond section 5 ({', '.join(where)}), {len(beyond)} more claims were checked: "
            f"{count_words(beyond['verdict'])}."
        )
    failing = [row for row in data.claims.itertuples(index=False) if final_verdict(data, row) == DOES_NOT_HOLD]
    if failing:
        text.append(
            " The measurements contradict the report"
            + (" (pooled over every seed)" if data.pooled is not None else "")
            + " on: "
            + "; ".join(f"“{escape(row.report_words)}” ({escape(row.claim)})" for row in failing)
            + "."
        )
    return "<div class='abstract'><p><b>Abstract.</b> " + "".join(text) + "</p></div>"


def conclusions_html(data: ArticleData) -> str:
    """Every claim by its final verdict (the pooled one where it was built), with its numbers."""
    tables = [data.claims] + list(data.beyond_claims.values())
    everything = pd.concat(tables, ignore_index=True)
    groups = {verdict: [] for verdict in VERDICTS}
    for row in everything.itertuples(index=False):
        pooled = pooled_row(data, row.claim)
        final = final_verdict(data, row)
        where = (
            f"pooled over {int(pooled['n_seeds'])} seeds: {interval(pooled)}"
            if pooled is not None
            else f"base seed {data.provenance.seed}: {interval(row)}"
        )
        kind = (
            pooled["inconclusive_kind"] if pooled is not None and isinstance(pooled["inconclusive_kind"], str) else ""
        )
        groups[final].append(
            f"<li><b>{escape(row.claim)}</b> (section {escape(row.section)}): “{escape(row.report_words)}” — "
            f"{escape(row.quantity)}, {escape(where)}, holds if {escape(threshold_words(row.threshold))}"
            + (f"; {escape(kind)}" if kind else "")
            + (f"; {escape(detail_numbers(row.detail))}" if final == NOT_EVALUATED else "")
            + "</li>"
        )
    basis = "pooled over every robustness seed where that was built" if data.pooled is not None else "one base seed"
    titles = {
        HOLDS: "What the replication confirms",
        DOES_NOT_HOLD: "What it contradicts",
        INCONCLUSIVE: "What it cannot decide (the interval straddles the threshold)",
        NOT_EVALUATED: "What it could not evaluate",
    }
    parts = [f"<section id='conclusions'><h2>Conclusions</h2><p>Each claim under its final verdict ({basis}).</p>"]
    for verdict in VERDICTS:
        if groups[verdict]:
            parts.append(f"<h3>{titles[verdict]} ({len(groups[verdict])})</h3><ul>{''.join(groups[verdict])}</ul>")
    parts.append("</section>")
    return "".join(parts)


def settings_html(data: ArticleData) -> str:
    """The settings of the build, section by section of config.yaml, each with the reason config.yaml gives."""
    comments = setting_comments(data.config_text)
    written = yaml.safe_load(data.config_text) or {}
    parts = [
        "<section id='settings'><h2>Settings and their reasons</h2><p>Every setting of this build, with the comment "
        "config.yaml gives it (what it is and, where the report leaves the choice open, why it has this value). "
        "A value that differs from config.yaml's (a <code>--configfile</code> or <code>--config</code>) is marked.</p>"
    ]
    for key, value in data.config.items():
        if key == "atlas":
            continue
        if not isinstance(value, dict):
            reason = comments.get((key,), "")
            parts.append(
                f"<h3>{escape(key)}: {escape(shown_value(value))}</h3><p>{escape(reason)}</p>"
                + (
                    f"<p><b>config.yaml: {escape(shown_value(written.get(key)))}</b></p>"
                    if written.get(key) != value
                    else ""
                )
            )
            continue
        rows = []
        for path, used, in_file, reason in settings_rows(value, written.get(key) or {}, comments, (key,)):
            differs = in_file != used
            rows.append(
                f"<tr><td><code>{escape('.'.join(path[1:]))}</code></td><td><code>{escape(shown_value(used))}</code>"
                + (f"<br><b>config.yaml: {escape(shown_value(in_file))}</b>" if differs else "")
                + f"</td><td>{escape(reason)}</td></tr>"
            )
        parts.append(
            f"<h3><code>{escape(key)}</code></h3><p>{escape(comments.get((key,), ''))}</p>"
            "<table class='settings'><thead><tr><th>setting</th><th>value</th><th>reason (config.yaml)</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    atlas = data.config.get("atlas") or []
    if atlas:
        rows = "".join(
            f"<tr><td><code>{escape(item.get('name', ''))}</code></td><td>{escape(item.get('experiment', ''))}</td>"
            f"<td><code>{escape(shown_value({k: v for k, v in item.items() if k in ('set', 'scale')}))}</code></td>"
            f"<td>{escape(item.get('reason', ''))}</td></tr>"
            for item in atlas
        )
        parts.append(
            f"<h3><code>atlas</code></h3><p>{escape(comments.get(('atlas',), ''))}</p>"
            "<table class='settings'><thead><tr><th>variation</th><th>experiment</th><th>change</th><th>reason</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>"
        )
    parts.append("</section>")
    return "".join(parts)


MODEL = (
    "<p>A one-hidden-layer network <span class='math'>f(x) = (1/k) Σ<sub>j</sub> w<sub>j</sub> "
    "σ(v<sub>j</sub> · [x; 1])</span>, with σ the ReLU or the sigmoid, is a set of k particles "
    "<span class='math'>(w<sub>j</sub>, v<sub>j</sub>)</span> (report eq. (9), mean-field scaling). A teacher of "
    "the same form with M units, each particle of norm r = 2, labels fresh Gaussian samples (or samples on the "
    "circle); the student is trained by online SGD on the square loss ½(f(x) − y)², without penalty, each "
    "particle stepping by η k times its gradient so that it moves at a speed that does not depend on k. The "
    "global minimum is 0, so the excess loss is the test loss, measured on fixed test samples of each "
    "repetition; a repetition draws a new teacher, initialisation, samples and test set, and every random draw "
    "derives from (base seed, experiment, configuration, repetition).</p>"
)

HOW_TO_READ = (
    "<p><b>How the claims are read.</b> Each claim of the report is one number measured over every repetition "
    "of its experiment, with a 95% interval (a bootstrap over whole repetitions, or the exact binomial interval "
    "for a share of independent runs), and a threshold fixed from the report's words before any result was "
    "seen. It <b>holds</b> when the whole interval is on the holding side, <b>does not hold</b> when it is all "
    "on the other side, is <b>inconclusive</b> when it straddles the threshold and <b>not evaluated</b> when "
    "the data it needs is missing. A claim whose words join two statements is checked as two rows. The report's "
    "words in the claims tables are short quotes or close paraphrases; those under each section's title are quoted as "
    "the pipeline's experiment modules quote them.</p>"
)


def article_html(data: ArticleData) -> str:
    """The whole article as one HTML page."""
    sections = [section for section in SECTIONS]
    contents = "".join(
        f"<li><a href='#{section_id(s)}'>{'' if s.beyond else escape(s.number) + ' '}{escape(s.title)}</a></li>"
        for s in sections
    )
    contents += (
        "<li><a href='#claims-overview'>The claims at a glance</a></li><li><a href='#conclusions'>Conclusions</a></li>"
        "<li><a href='#settings'>Settings and their reasons</a></li><li><a href='#provenance'>Provenance</a></li>"
    )
    overview = "".join(figure_html(data.figures[name]) for name in data.claims_figures if name in data.figures)
    line = provenance_line(data.provenance)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(TITLE)}</title><style>{STYLE}</style></head><body>"
        f"<footer class='page'>{escape(TITLE)} · {line}</footer>"
        "<table class='frame'><tfoot><tr><td></td></tr></tfoot><tbody><tr><td>"
        f"<header><h1>{escape(TITLE)}</h1><p class='subtitle'>A replication of E. Berthier (2018), <i>On Convex "
        "Neural Networks</i>, report for the course Mathematical Foundations of Data Science, section 5 "
        "(“Numerical Experiments”) and the statements of sections 2.5, 3.3 and 4 that can be checked by "
        "experiment; after L. Chizat and F. Bach (2018), NeurIPS 31. Written by the <code>convexnn</code> "
        f"pipeline (<code>snakemake article</code>).</p><div class='provenance' id='provenance-top'>{line}</div></header>"
        f"{abstract_html(data)}<nav class='contents'><h2>Contents</h2><ol>{contents}</ol></nav>"
        f"<section id='model'><h2>The model and how the claims are read</h2>{MODEL}{HOW_TO_READ}</section>"
        + "".join(section_html(section, data) for section in sections)
        + f"<section id='claims-overview'><h2>The claims at a glance</h2>{overview}</section>"
        + conclusions_html(data)
        + settings_html(data)
        + f"<section id='provenance'><h2>Provenance</h2><div class='provenance'>{provenance_block(data.provenance)}</div></section>"
        + "</td></tr></tbody></table>"
        + f"<script>{SELF_CHECK}</script></body></html>\n"
    )
