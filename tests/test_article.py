"""The article (`snakemake article`): one self-contained HTML file that follows the report's sections, its
abstract's counts equal to the claims table, its provenance equal to the checkout, built without rerunning
any experiment; and, in a real headless browser (Debian's chromium), every section, figure and claim is on
the page, every figure decodes and no script error occurs, with the network cut off."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest
from conftest import ROOT, planned_jobs, snakemake_in

from convexnn.article import (
    SECTIONS,
    ArticleData,
    FigureItem,
    Provenance,
    article_html,
    count_words,
    section_id,
    setting_comments,
    threshold_words,
)
from convexnn.claims import CLAIM_COLUMNS, POOLED_COLUMNS
from convexnn.jobs.article import locked_packages
from convexnn.registry import EXPERIMENTS, figures_of
from convexnn.verdicts import VERDICTS

ARTICLE = Path("results") / "article" / "article.html"
BROWSER = next((path for path in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if path), None)
# No request leaves the machine: every host name fails to resolve.
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND"]


def article_jobs(output: str) -> dict[str, int]:
    """The jobs a dry run plans, the target rule `article` left out (a target rule runs every time)."""
    return {name: count for name, count in planned_jobs(output).items() if name != "article"}


def git(project: Path, *arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=project, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def built_article(smoke_project):
    """The smoke project made a git checkout of one commit, then `snakemake article` built in it; returns
    (project, the jobs a dry run of the article planned before the build)."""
    if not (smoke_project / ".git").exists():
        git(smoke_project, "init", "--quiet")
        git(smoke_project, "add", "--all")
        git(smoke_project, "-c", "user.name=test", "-c", "user.email=test@example.org", "commit", "--quiet", "-m", "t")
    planned = article_jobs(snakemake_in(smoke_project, "-n", "article"))
    snakemake_in(smoke_project, "article", "--cores", "2")
    return smoke_project, planned


def test_the_article_runs_no_experiment_only_itself(built_article):
    _, planned = built_article
    assert set(planned) <= {"article_html", "code_fingerprint"}, planned


def test_the_article_is_one_file_that_needs_no_network(built_article):
    project, _ = built_article
    page = (project / ARTICLE).read_text()
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=['\"]?(https?:)?//", page)
    assert "<link" not in page and "@import" not in page
    for _, spec in figures_of():
        assert f"id='figure-{spec.name}'" in page, spec.name
    assert page.count("src='data:image/png;base64,") == len(figures_of()) + 1  # and the claims figure


def test_the_abstract_counts_are_those_of_the_claims_table(built_article):
    project, _ = built_article
    page = (project / ARTICLE).read_text()
    claims = pd.read_csv(project / "results" / "claims.csv")
    assert re.search(r"id='claims-total'>(\d+)<", page)[1] == str(len(claims))
    for verdict in VERDICTS:
        shown = re.search(rf"id='count-{verdict.replace(' ', '-')}'>(\d+)<", page)[1]
        assert int(shown) == int((claims["verdict"] == verdict).sum()), verdict


def test_every_section_and_claim_is_in_the_article(built_article):
    project, _ = built_article
    page = (project / ARTICLE).read_text()
    for section in SECTIONS:
        assert f"id='{section_id(section)}'" in page, section.number
    for name in ("conclusions", "settings", "provenance", "claims-overview"):
        assert f"id='{name}'" in page
    claims = pd.read_csv(project / "results" / "claims.csv")
    beyond = [
        pd.read_csv(project / "results" / "experiment_claims" / "paper" / "seed0" / f"{name}.csv")
        for name, experiment in EXPERIMENTS.items()
        if not experiment.in_report and experiment.claim_names
    ]
    for claim in pd.concat([claims, *beyond])["claim"]:
        assert f"id='claim-{claim}'" in page, claim
    # a single seed here: the article says so instead of showing pooled verdicts
    assert "These verdicts are those of a single base seed" in page


def test_the_provenance_is_the_checkout_and_the_lock(built_article):
    project, _ = built_article
    page = (project / ARTICLE).read_text()
    assert re.search(r"id='commit'>([0-9a-f]{40})<", page)[1] == git(project, "rev-parse", "HEAD").strip()
    assert "the working tree is clean" in page
    assert "base seed 0" in page
    assert "every one installed at its locked version" in page


def test_a_new_commit_rewrites_the_article(built_article):
    project, _ = built_article
    assert article_jobs(snakemake_in(project, "-n", "article")) == {}
    (project / "NOTES.md").write_text("a note\n")
    try:
        assert article_jobs(snakemake_in(project, "-n", "article")) == {"article_html": 1}  # a changed file
    finally:
        (project / "NOTES.md").unlink()


def test_every_registry_experiment_has_its_section():
    placed = [name for section in SECTIONS for name in section.experiments]
    assert sorted(placed) == sorted(EXPERIMENTS), "an experiment is in no section of the article, or in two"


def test_every_caption_starts_with_a_title():
    for _, spec in figures_of():
        assert re.match(r"\*\*[^*]+\*\* ", (ROOT / "workflow" / "report" / f"{spec.name}.rst").read_text()), spec.name


def test_config_comments_are_read_as_config_yaml_writes_them():
    text = (
        "# The base seed.\nseed: 0\n\n# A section.\nsection:\n  # above\n  # the key\n  key: 1   # and inline\n"
        "  plain: 2\n  nested:\n    inner: {a: 1}  # inner's\n"
    )
    comments = setting_comments(text)
    assert comments[("seed",)] == "The base seed."
    assert comments[("section", "key")] == "above the key and inline"
    assert ("section", "plain") not in comments
    assert comments[("section", "nested", "inner")] == "inner's"
    assert setting_comments((ROOT / "config.yaml").read_text())[("overparam", "teacher_units")] == "M"


def test_counts_and_thresholds_read_as_words():
    assert count_words(["holds", "holds", "inconclusive"]) == (
        "2 hold, 0 do not hold, 1 is inconclusive and 0 were not evaluated"
    )
    assert count_words(["does not hold"], every=False) == "1 does not hold"
    assert threshold_words("<= 0.3333333333333333") == "<= 0.333"
    assert threshold_words("in [0.5, 1)") == "in [0.5, 1)"


def test_the_lock_is_read_for_this_platform_only():
    packages = {
        name: (locked, installed)
        for name, locked, installed in locked_packages((ROOT / "requirements.lock").read_text())
    }
    assert "numpy" in packages and packages["numpy"][0] == packages["numpy"][1]
    assert all(installed == locked for locked, installed in packages.values())  # `make` checks the same


def test_pooled_verdicts_appear_where_the_robustness_build_exists():
    reference = ROOT / "tests" / "reference"
    claims = pd.read_csv(reference / "claims_paper.csv")[CLAIM_COLUMNS]
    pooled = pd.read_csv(reference / "claims_pooled.csv")[POOLED_COLUMNS]
    data = ArticleData(
        claims=claims,
        beyond_claims={},
        pooled=pooled,
        robustness_seeds=list(range(8)),
        figures={"claims": FigureItem("claims", "The claims", "<p>caption</p>", "iVBORw0KGgo=", 7.0, 5.5)},
        tables={},
        config={"seed": 0},
        config_text="# The base seed.\nseed: 0\n",
        provenance=Provenance(None, (), "2026-01-01 00:00 UTC", "3.11", 0, (), note="not a git checkout"),
    )
    page = article_html(data)
    assert "Pooled over the 8 base seeds" in page and count_words(pooled["verdict"]) in page
    assert "pooled over every robustness seed" in page
    assert "The commit is unknown: not a git checkout" in page
    # a section that was not built says how to build it
    assert "Not built for this article: <code>snakemake convex</code>" in page


# ------------------------------------------------------------------------------------------------------------
# In a real browser


def browse(page: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", *OFFLINE]
        + ["--virtual-time-budget=5000", "--window-size=1280,1800", *flags, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )


def body_record(dom: str) -> dict:
    """What the article's self-check wrote on <body> once the page had loaded."""
    return dict(re.findall(r'data-(images|images-decoded|script-errors|checked)="([^"]*)"', dom))


needs_browser = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium on the PATH (apt-get install chromium): the article was not opened in a browser",
)


@needs_browser
def test_in_a_browser_every_section_figure_and_claim_is_there_and_no_script_fails(built_article):
    project, _ = built_article
    opened = browse(project / ARTICLE, "--dump-dom")
    dom = opened.stdout
    record = body_record(dom)
    assert record.get("checked") == "yes", "the page's scripts did not run: " + opened.stderr[-2000:]
    assert record["script-errors"] == "", record["script-errors"]
    assert int(record["images"]) == len(figures_of()) + 1
    assert record["images-decoded"] == record["images"], "a figure did not decode"
    assert not re.search(r"Uncaught|CONSOLE\(\d+\)\] \"[^\"]*Error", opened.stderr), opened.stderr[-2000:]
    for section in SECTIONS:
        assert f'id="{section_id(section)}"' in dom, section.number
    for claim in pd.read_csv(project / "results" / "claims.csv")["claim"]:
        assert f'id="claim-{claim}"' in dom, claim


@needs_browser
def test_the_browser_check_catches_a_script_error_and_a_broken_figure(tmp_path):
    page = tmp_path / "broken.html"
    text = (ROOT / "src" / "convexnn" / "article.py").read_text()
    self_check = re.search(r'SELF_CHECK = """(.*?)"""', text, flags=re.S)[1]
    page.write_text(
        "<!DOCTYPE html><html><body><img src='data:image/png;base64,AAAA'>"
        f"<script>{self_check}</script><script>undefined_function();</script></body></html>"
    )
    record = body_record(browse(page, "--dump-dom").stdout)
    assert "undefined_function" in record["script-errors"]
    assert record["images"] == "1" and record["images-decoded"] == "0"


@needs_browser
def test_a_screenshot_of_the_article_shows_a_page(built_article):
    project, _ = built_article
    with tempfile.TemporaryDirectory() as folder:
        shot = Path(folder) / "top.png"
        browse(project / ARTICLE, f"--screenshot={shot}")
        pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (1800, 1280)
    assert pixels[..., :3].std() > 0.05  # not a blank page
