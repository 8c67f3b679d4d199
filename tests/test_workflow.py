"""End-to-end: the smoke configuration built through Snakemake, then rerun logic and determinism."""

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SMOKE_CONFIG = ROOT / "tests" / "smoke_config.yaml"
FIGURES = ["fig1_relu_trajectories.png", "fig2_sigmoid_trajectories.png", "fig3_training_curves.png",
           "fig4_overparam_relu.png", "fig5_overparam_sigmoid.png", "fig6_r0_sweep.png", "fig7_lazy_vs_active.png"]
SMOKE_REFERENCE = ROOT / "tests" / "reference" / "claims_smoke.csv"


def snakemake(workdir, *arguments, configfile=SMOKE_CONFIG):
    command = [sys.executable, "-m", "snakemake", *arguments, "--directory", str(workdir), "--configfile", str(configfile)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def planned_jobs(output):
    """{rule: count} from the 'Job stats' table of a dry run ({} when nothing is to be done)."""
    table = output.split("Job stats:")[1].split("\n\n")[0] if "Job stats:" in output else ""
    return {name: int(count) for name, count in re.findall(r"^(\w+)\s+(\d+)$", table, flags=re.M) if name != "total"}


@pytest.fixture(scope="module")
def smoke_build(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("smoke")
    snakemake(workdir, "figures", "claims", "beyond", "--cores", "2")
    return workdir


def test_smoke_build_makes_the_figures(smoke_build):
    for name in FIGURES:
        figure = smoke_build / "figures" / name
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert figure.stat().st_size > 10_000
    summary = pd.read_csv(smoke_build / "results" / "aggregate_overparam" / "relu" / "summary.csv")
    config = yaml.safe_load(SMOKE_CONFIG.read_text())
    assert list(summary["n_particles"]) == sorted(config["overparam"]["n_particles"])
    assert (summary["n_finished"] + summary["n_diverged"] == config["overparam"]["repetitions"]).all()


def test_complete_build_has_nothing_left_to_do(smoke_build):
    assert planned_jobs(snakemake(smoke_build, "-n", "figures", "claims", "beyond")) == {}


def test_smoke_claims_match_the_committed_reference(smoke_build):
    result = subprocess.run([sys.executable, "-m", "convexnn.check_claims", str(smoke_build / "results" / "claims.csv"),
                             str(SMOKE_REFERENCE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_new_grid_value_schedules_only_the_new_jobs(smoke_build, tmp_path):
    config = yaml.safe_load(SMOKE_CONFIG.read_text())
    config["overparam"]["n_particles"].append(2)
    extended = tmp_path / "extended.yaml"
    extended.write_text(yaml.safe_dump(config))
    jobs = planned_jobs(snakemake(smoke_build, "-n", "figures", configfile=extended))
    repetitions = config["overparam"]["repetitions"]
    assert jobs == {
        "train_overparam": 2 * repetitions,  # k = 2 for both activations
        "aggregate_overparam": 2,
        "fig4_overparam_relu": 1,
        "fig5_overparam_sigmoid": 1,
        "figures": 1,
    }


def test_one_job_rerun_alone_gives_identical_bytes(smoke_build):
    curve = smoke_build / "results" / "train_overparam" / "sigmoid" / "k3" / "rep1.csv"
    before, written = curve.read_bytes(), curve.stat().st_mtime_ns
    snakemake(smoke_build, str(curve.relative_to(smoke_build)), "--forcerun", "train_overparam", "--cores", "1",
              "--allowed-rules", "train_overparam")
    assert curve.stat().st_mtime_ns > written  # the job did run again
    assert curve.read_bytes() == before
    other = smoke_build / "results" / "train_overparam" / "sigmoid" / "k3" / "rep0.csv"
    assert other.read_bytes() != before


def test_html_report_is_self_contained_with_every_figure_and_the_claims(smoke_build):
    report = smoke_build / "report.html"
    snakemake(smoke_build, "figures", "claims", "--report", str(report))
    html = report.read_text()
    for name in FIGURES + ["claims.csv"]:
        assert name in html, name
    # Offline: no script or stylesheet is fetched from the network.
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html)
