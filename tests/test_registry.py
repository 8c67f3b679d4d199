"""The registry (src/convexnn/registry.py) is the one list of experiments, figures, targets and job
kinds: the config schema, the captions, the workflow's rules and the SLURM profile agree with it."""

import re
import subprocess
import sys
from pathlib import Path

import yaml

from convexnn.registry import EXPERIMENTS, KINDS, figures_of, report_experiments, tables_of, targets

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())


def test_the_schema_has_one_required_section_per_experiment():
    assert SCHEMA["required"] == ["seed", "robustness", *EXPERIMENTS]
    assert set(SCHEMA["properties"]) == {"seed", "robustness", "atlas", "cost_limit", *EXPERIMENTS}


def test_the_atlas_varies_the_report_experiments_only():
    experiment = SCHEMA["properties"]["atlas"]["items"]["properties"]["experiment"]
    assert experiment["enum"] == report_experiments()


def test_config_yaml_and_the_smoke_config_have_a_section_per_experiment():
    for path in ("config.yaml", "tests/smoke_config.yaml"):
        config = yaml.safe_load((ROOT / path).read_text())
        assert set(config) - {"seed", "robustness", "atlas"} == set(EXPERIMENTS), path


def test_every_figure_has_a_caption_and_every_caption_a_figure():
    report = ROOT / "workflow" / "report"
    figures = {spec.name for _, spec in figures_of()}
    for name in figures:
        assert (report / f"{name}.rst").read_text().strip(), name
    # the other pages of the report: the landing page, the article, the configuration and the claims
    machinery = {
        "workflow",
        "article",
        "config_used",
        "claims",
        "claims_pooled",
        "fig_claims",
        "fig_claims_robustness",
        "fig_claims_atlas",
    }
    assert {path.stem for path in report.glob("*.rst")} == figures | machinery


def test_names_are_unique_and_experiments_know_their_claims():
    names = [spec.name for _, spec in figures_of()] + [spec.name for _, spec in tables_of()]
    assert len(names) == len(set(names))
    claims = [claim for experiment in EXPERIMENTS.values() for claim in experiment.claim_names]
    assert len(claims) == len(set(claims))
    assert all(experiment.claim_names for experiment in EXPERIMENTS.values() if experiment.in_report)
    assert "figures" in targets()


def test_the_workflow_has_a_rule_per_figure_table_target_and_kind():
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--list-rules", "--configfile", str(ROOT / "tests" / "smoke_config.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rules = set(result.stdout.split())
    expected = {spec.name for _, spec in figures_of()} | {spec.name for _, spec in tables_of()}
    expected |= set(targets()) | set(KINDS)
    assert expected <= rules, expected - rules


def test_each_kind_rule_writes_the_kind_outputs():
    rules = (ROOT / "workflow" / "rules" / "jobs.smk").read_text()
    for kind in KINDS.values():
        block = rules.split(f"rule {kind.name}:")[1].split("\nrule ")[0]
        written = re.findall(r'"(results/[^"]+)"', block.split("output:")[1].split("log:")[0])
        assert sorted(written) == sorted(kind.output_paths("{" + kind.wildcard + "}").values()), kind.name


def test_only_the_kinds_rules_are_submitted_to_a_cluster():
    # A kind's job (a batch of runs for SGD) is one submission, with its own resources; every other
    # rule is bookkeeping that runs where Snakemake runs.
    profile = yaml.safe_load((ROOT / "workflow" / "profiles" / "slurm" / "config.yaml").read_text())
    assert "groups" not in profile and "group-components" not in profile
    text = "\n".join(path.read_text() for path in (ROOT / "workflow" / "rules").glob("*.smk"))
    text += (ROOT / "workflow" / "Snakefile").read_text()
    blocks = re.split(r"^\s*rule(?: (\w+))?:\n", text, flags=re.M)
    for name, body in zip(blocks[1::2], blocks[2::2]):
        body = body.split("\nrule ")[0]
        if name in KINDS:
            assert "localrule: True" not in body, name
        elif name:
            assert "localrule: True" in body, name
