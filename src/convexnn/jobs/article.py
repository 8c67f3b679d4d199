"""Job: the article (:mod:`convexnn.article`), one self-contained HTML file, from the built tables, figures,
captions, config.yaml and the lock; and the state of the checkout it is built from.

:func:`source_state` runs when the workflow is parsed (the rule's params), so that a new commit, or a file
changed since it, rewrites the article; :func:`write_article` reads every input through its checking
reader, renders each figure's caption as the HTML report does (Jinja with the config and the figure's
settings, then reStructuredText), embeds each PNG as base64 and writes the page atomically.
"""

from __future__ import annotations

import base64
import os
import platform
import struct
import subprocess
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import jinja2
from docutils.core import publish_parts
from packaging.requirements import Requirement

from convexnn.article import ArticleData, FigureItem, Provenance, article_html
from convexnn.claims import CLAIM_COLUMNS, POOLED_COLUMNS
from convexnn.plotting import DPI
from convexnn.registry import EXPERIMENTS
from convexnn.storage import PathLike, append_to_log, atomic_path, read_table
from convexnn.verdicts import count_line

CAPTION_TEMPLATES = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)  # as Snakemake's report renders them


def source_state(folder: PathLike) -> dict:
    """{"commit": HEAD or None, "changed": files that differ from it, "note": why there is no commit} of the git
    checkout holding ``folder``; the results and figures are ignored by .gitignore, so they do not count."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], cwd=folder, capture_output=True, text=True, check=True, timeout=60
        ).stdout

    try:
        commit = git("rev-parse", "HEAD").strip()
        changed = sorted({line[3:].strip() for line in git("status", "--porcelain").splitlines() if line.strip()})
    except (OSError, subprocess.SubprocessError) as error:
        reason = getattr(error, "stderr", "") or str(error)
        return {"commit": None, "changed": [], "note": f"not a git checkout ({reason.strip().splitlines()[0]})"}
    return {"commit": commit, "changed": changed, "note": ""}


def locked_packages(lock_text: str) -> list[tuple[str, str, str | None]]:
    """(name, version in the lock, version installed or None) of every `name==version` of requirements.lock."""
    packages = []
    for line in lock_text.splitlines():
        text = line.strip()
        if text and not text.startswith(("#", "--")):
            requirement = Requirement(text.rstrip("\\").strip())
            if requirement.marker is not None and not requirement.marker.evaluate():
                continue  # locked for another platform or Python
            (specifier,) = requirement.specifier
            try:
                installed = metadata.version(requirement.name)
            except metadata.PackageNotFoundError:
                installed = None
            packages.append((requirement.name, specifier.version, installed))
    return sorted(set(packages))


def direct_dependencies(pyproject_text: str) -> list[str]:
    """The names of the project's own dependencies (pyproject.toml's [project] dependencies)."""
    return [Requirement(text).name for text in tomllib.loads(pyproject_text)["project"]["dependencies"]]


def png_size_inches(data: bytes) -> tuple[float, float]:
    """A PNG's size at the figures' DPI, from its IHDR chunk."""
    width, height = struct.unpack(">II", data[16:24])
    return width / DPI, height / DPI


def caption(caption_text: str, config: dict, settings: dict) -> tuple[str, str]:
    """(title, body as HTML) of a figure's caption: its first bold phrase is the title, the rest its text,
    rendered as the HTML report renders it (Jinja with the config and the figure's settings, then
    reStructuredText)."""
    snakemake = SimpleNamespace(config=config, params=SimpleNamespace(settings=settings))
    text = CAPTION_TEMPLATES.from_string(caption_text).render(snakemake=snakemake)
    title = ""
    if text.startswith("**") and "**" in text[2:]:
        title, text = text[2:].split("**", 1)
        text = text.lstrip()
    body = publish_parts(text, writer_name="html", settings_overrides={"report_level": 5})["body"]
    return title.strip().rstrip("."), body


def figure_item(name: str, png_path: PathLike, caption_path: PathLike, config: dict, settings: dict) -> FigureItem:
    data = Path(png_path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{png_path}: not a PNG file: delete it and rerun the build, which redraws it")
    title, body = caption(Path(caption_path).read_text(), config, settings)
    width, height = png_size_inches(data)
    return FigureItem(name, title or name, body, base64.b64encode(data).decode("ascii"), width, height)


@dataclass(frozen=True)
class ArticlePlan:
    """What the article is built from, fixed when the workflow is parsed: every figure of `snakemake figures`
    and `claims`, and those of every other target built by then (its figures exist), so that building the
    article never starts an experiment that was not built."""

    figures: dict[str, tuple[str, str]]  # name -> (PNG, caption .rst)
    beyond_claims: dict[str, str]  # experiment beyond section 5 -> its claims table
    tables: dict[str, str]  # derived table of an experiment without claims -> its path
    pooled: str | None  # the claims pooled over every robustness seed, if built
    sources: dict[str, str]  # config.yaml, requirements.lock, pyproject.toml -> their paths

    def inputs(self, claims: str, code: str) -> dict:
        """The rule's inputs, by name (lists where several)."""
        return {
            "claims": claims,
            "pngs": [png for png, _ in self.figures.values()],
            "captions": [caption for _, caption in self.figures.values()],
            "beyond": list(self.beyond_claims.values()),
            "tables": list(self.tables.values()),
            "pooled": [self.pooled] if self.pooled else [],
            **self.sources,
            "code": code,
        }

    def names(self) -> dict:
        """The names that go with the inputs' lists (the rule's params)."""
        return {"figures": list(self.figures), "beyond": list(self.beyond_claims), "tables": list(self.tables)}


# The claims figures: name -> caption (workflow/report/<caption>.rst); the PNG is figures/<name>.png.
CLAIMS_FIGURES = {
    "claims": "fig_claims",
    "claims_robustness": "fig_claims_robustness",
    "claims_atlas": "fig_claims_atlas",
}
POOLED = "results/robustness/claims_pooled.csv"


def plan_article(claims_table: Callable[[str], str], root: PathLike, exists: Callable[[str], bool] = os.path.exists):
    """The :class:`ArticlePlan` of the working directory: ``claims_table(experiment)`` is the path of an
    experiment's claims table, ``root`` the repository (captions, config.yaml and the lock are read there)."""

    def source(path: str) -> str:
        return os.path.relpath(Path(root) / path)

    built = [
        name
        for name, experiment in EXPERIMENTS.items()
        if experiment.target == "figures" or all(exists(f"figures/{spec.name}.png") for spec in experiment.figures)
    ]
    figures = {
        spec.name: (f"figures/{spec.name}.png", source(f"workflow/report/{spec.name}.rst"))
        for name in built
        for spec in EXPERIMENTS[name].figures
    }
    for name, caption in CLAIMS_FIGURES.items():
        if name == "claims" or exists(f"figures/{name}.png"):
            figures[name] = (f"figures/{name}.png", source(f"workflow/report/{caption}.rst"))
    return ArticlePlan(
        figures=figures,
        beyond_claims={
            name: claims_table(name)
            for name in built
            if not EXPERIMENTS[name].in_report and EXPERIMENTS[name].claim_names
        },
        tables={
            spec.name: spec.path
            for name in built
            if not EXPERIMENTS[name].claim_names
            for spec in EXPERIMENTS[name].tables
        },
        pooled=POOLED if exists(POOLED) else None,
        sources={name: source(name) for name in ("config.yaml", "requirements.lock", "pyproject.toml")},
    )


def write_article(
    inputs: Mapping,
    names: Mapping,
    config: dict,
    figure_settings: Mapping[str, dict],
    source: dict,
    output: PathLike,
    log_path: PathLike | None = None,
) -> None:
    """The article at ``output`` from the rule's ``inputs`` (:meth:`ArticlePlan.inputs`) and the ``names``
    that go with their lists (:meth:`ArticlePlan.names`); ``source``: :func:`source_state` at parse time."""
    started = datetime.now(UTC)
    provenance = Provenance(
        commit=source["commit"],
        changed_files=tuple(source["changed"]),
        built=started.strftime("%Y-%m-%d %H:%M UTC"),
        python=platform.python_version(),
        seed=int(config["seed"]),
        packages=tuple(locked_packages(Path(inputs["requirements.lock"]).read_text())),
        direct=tuple(direct_dependencies(Path(inputs["pyproject.toml"]).read_text())),
        note=source.get("note", ""),
    )
    items = {
        name: figure_item(name, png, caption_path, config, figure_settings.get(name, {}))
        for name, png, caption_path in zip(names["figures"], inputs["pngs"], inputs["captions"])
    }
    pooled = list(inputs["pooled"])
    data = ArticleData(
        claims=read_table(inputs["claims"], CLAIM_COLUMNS),
        beyond_claims={name: read_table(path, CLAIM_COLUMNS) for name, path in zip(names["beyond"], inputs["beyond"])},
        pooled=read_table(pooled[0], POOLED_COLUMNS) if pooled else None,
        robustness_seeds=list(config.get("robustness", {}).get("seeds", [])),
        figures=items,
        tables={name: read_table(path) for name, path in zip(names["tables"], inputs["tables"])},
        config=config,
        config_text=Path(inputs["config.yaml"]).read_text(),
        provenance=provenance,
        claims_figures=[name for name in CLAIMS_FIGURES if name in items],
    )
    page = article_html(data)
    with atomic_path(output) as temporary:
        temporary.write_text(page)
    seconds = (datetime.now(UTC) - started).total_seconds()
    append_to_log(
        log_path,
        f"wrote {output} ({len(page) / 1e6:.1f} MB, {len(items)} figures, claims: {count_line(data.claims['verdict'])}) "
        f"in {seconds:.1f} s",
        first=True,
    )


def article_summary(path: PathLike, claims_path: PathLike, log_path: PathLike | None = None) -> None:
    """What `snakemake article` says at the end of every build: where the article is and what the claims say."""
    table = read_table(claims_path, ["claim", "verdict"])
    text = (
        f"\nArticle: {path} (one self-contained HTML file; open it in a browser, it works offline).\n"
        f"Claims: {count_line(table['verdict'])}"
    )
    append_to_log(log_path, text, first=True)
    print(text, flush=True)
