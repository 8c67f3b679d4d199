import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from convexnn.initialisation import initial_particles
from convexnn.registry import figures_of, targets
from convexnn.teacher import draw_teacher, make_test_set


@pytest.fixture
def small_problem():
    """A teacher, its test set and initial particles, small enough for the numpy reference."""

    def build(activation="relu", distribution="gaussian", input_dim=5, n_particles=7, teacher_units=3, seed=0):
        rng = np.random.default_rng(seed)
        teacher = draw_teacher(rng, teacher_units, input_dim, 2.0, activation)
        test_inputs, test_targets = make_test_set(rng, teacher, 500, distribution)
        output_weights, hidden_weights = initial_particles(rng, n_particles, input_dim, activation, 0.5, 1.0)
        if activation == "sigmoid":  # w(0) = 0 would make the hidden-weight gradient vanish
            output_weights = rng.standard_normal(n_particles)
        return teacher, test_inputs, test_targets, output_weights, hidden_weights

    return build


# --------------------------------------------------------------------------------------------------
# The smoke build, in a copy of the project (so that tests may edit its sources and results)

ROOT = Path(__file__).resolve().parents[1]
SMOKE_CONFIG = "tests/smoke_config.yaml"
# The report's figures, as `snakemake figures` writes them under figures/ (with .png and .pdf).
PAPER_FIGURES = tuple(spec.name for _, spec in figures_of("figures"))
COPY_IGNORED = shutil.ignore_patterns(
    ".venv",
    ".git",
    ".snakemake",
    "results",
    "figures",
    "logs",
    "results-smoke",
    "__pycache__",
    "*.nbi",
    "*.nbc",
    "report.html",
    ".pytest_cache",
    "*.egg-info",
)


def copy_project(destination: Path, source: Path = ROOT, ignore=COPY_IGNORED) -> Path:
    """A copy of the project (sources, workflow, configs; with ``ignore=None`` also its results),
    preserving modification times as `cp -a` does."""
    shutil.copytree(source, destination, ignore=ignore, symlinks=True)
    return destination


def snakemake_in(project: Path, *arguments, check=True, configfile=SMOKE_CONFIG, timeout=None) -> str:
    """Run Snakemake in ``project`` with ``project/src`` first on the Python path, so that the
    copy's sources are the ones imported and tracked. Returns stdout + stderr. Past ``timeout``
    seconds, subprocess.TimeoutExpired (with the output so far)."""
    environment = dict(os.environ, PYTHONPATH=str(project / "src"))
    command = [sys.executable, "-m", "snakemake", *arguments]
    if configfile is not None:
        command += ["--configfile", str(configfile)]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, env=environment, timeout=timeout)
    output = result.stdout + result.stderr
    if check:
        assert result.returncode == 0, output[-4000:]
    return output


# Target rules have no output and print a summary, so Snakemake plans them on every call.
TARGET_RULES = {"claims", "robustness", "atlas", *targets()}


def build_with_config(config: dict, folder: Path) -> subprocess.CompletedProcess:
    """`snakemake figures` of this repository's workflow on ``config`` (written to ``folder``),
    with results in ``folder / "run"``: for configs that must be refused before any job."""
    config_file = folder / "config_under_test.yaml"
    config_file.write_text(yaml.safe_dump(config))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "figures", "--cores", "1", "--directory", str(folder / "run")]
        + ["--configfile", str(config_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def planned_jobs(output: str) -> dict[str, int]:
    """{rule: count} of the jobs that make or remake a file, from the 'Job stats' table of a dry run
    ({} when nothing is to be done)."""
    table = output.split("Job stats:")[1].split("\n\n")[0] if "Job stats:" in output else ""
    return {
        name: int(count)
        for name, count in re.findall(r"^(\w+)\s+(\d+)$", table, flags=re.M)
        if name != "total" and name not in TARGET_RULES
    }


@pytest.fixture(scope="session")
def smoke_project(tmp_path_factory) -> Path:
    """A copy of the project with the smoke configuration built: the claims and every experiment's target
    (figures, beyond the report...), not the robustness seeds and the atlas."""
    project = copy_project(tmp_path_factory.mktemp("smoke") / "project")
    snakemake_in(project, "claims", *targets(), "--cores", "2")
    return project
