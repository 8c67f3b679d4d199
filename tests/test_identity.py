"""Every intermediate names the run that wrote it, and a build recovers by the command it prints.

A file that looks valid but belongs to another base seed, configuration or repetition is refused by
name before it reaches a claim or a figure; the command a refusal prints rebuilds the file and what
depends on it, back to the clean build's bytes; a killed build's temporary files do not survive its
resume; the cost guard refuses an absurd plan in a dry run; a config file is read strictly.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from convexnn.config import ConfigError, check_config_file
from convexnn.identity import Ref, batch_id, identity, record_identity
from convexnn.jobs.aggregate import refuse_duplicate_runs
from convexnn.storage import (
    IdentityError,
    read_curves,
    read_particles,
    read_table,
    read_teacher_data,
    remove_leftover_temporaries,
    write_table,
)
from tests.conftest import ROOT, SMOKE_CONFIG, copy_project, planned_jobs, snakemake_in

RELU_BATCH = "paper/seed0/relu_trajectories/reps0-9"
OVERPARAM = "results/train/paper/seed0/overparam/relu"


def results_bytes(project: Path) -> dict[str, bytes]:
    """Every result table, archive and figure of a build (not logs, benchmarks or fingerprints)."""
    files = {}
    for folder in ("results", "figures"):
        for path in sorted((project / folder).rglob("*")):
            relative = str(path.relative_to(project))
            if path.is_file() and "benchmarks" not in relative and "code_fingerprint" not in relative:
                files[relative] = path.read_bytes()
    return files


@pytest.fixture
def built(smoke_project, tmp_path) -> Path:
    """A copy of the built smoke project, results and Snakemake's records included, brought up to date
    (an earlier test may have rewritten its sources with the same bytes), for one test to damage."""
    project = copy_project(tmp_path / "project", source=smoke_project, ignore=None)
    snakemake_in(project, "figures", "claims", "--cores", "2")
    return project


@pytest.fixture(scope="module")
def seed_one_build(tmp_path_factory) -> Path:
    """The ReLU scan's results under base seed 1, the smoke settings otherwise."""
    project = copy_project(tmp_path_factory.mktemp("seed1") / "project")
    snakemake_in(
        project, "results/aggregate/paper/seed1/relu_trajectories/finals.csv", "--cores", "2", "--config", "seed=1"
    )
    return project


# ------------------------------------------------------------------------------------ the formats


def test_a_batch_id_groups_ten_repetitions_of_one_configuration():
    assert batch_id("paper/seed0/overparam/relu/k5/rep0") == "paper/seed0/overparam/relu/k5/reps0-9"
    assert batch_id("paper/seed0/overparam/relu/k5/rep19") == "paper/seed0/overparam/relu/k5/reps10-19"
    with pytest.raises(ValueError, match="does not end in /rep"):
        batch_id("paper/seed0/overparam")


def test_an_identity_ignores_key_order_and_sees_every_value():
    assert identity({"a": 1, "b": [2, 3]}) == identity({"b": [2, 3], "a": 1})
    assert identity({"a": 1, "b": [2, 3]}) != identity({"a": 1, "b": [3, 2]})


def test_a_member_of_another_seed_is_refused_by_name(smoke_project):
    path = smoke_project / f"results/train/{RELU_BATCH}.npz"
    with pytest.raises(IdentityError) as refused:
        read_particles(path, "paper/seed1/relu_trajectories/rep0", None)
    message = str(refused.value)
    assert str(path) in message and "base seed 0, this build is base seed 1" in message
    assert f"snakemake --forcerun {path}" in message


def test_a_member_with_other_settings_is_refused(smoke_project):
    path = smoke_project / f"results/train/{RELU_BATCH}.csv"
    with pytest.raises(IdentityError, match="written with other settings"):
        read_curves(path, [["paper/seed0/relu_trajectories/rep0", "0123456789abcdef"]])


def test_a_teacher_batch_refuses_a_teacher_it_does_not_hold(smoke_project):
    path = smoke_project / "results/teacher_data/paper/seed0/relu_trajectories/relu/reps0-9.npz"
    with pytest.raises(IdentityError, match="not for paper/seed0/relu_trajectories/relu/rep99"):
        read_teacher_data(path, "paper/seed0/relu_trajectories/relu/rep99")


def test_a_table_made_from_other_inputs_is_refused(tmp_path):
    path = tmp_path / "finals.csv"
    write_table(pd.DataFrame({"repetition": [0, 1]}), path, identity="aaaaaaaaaaaaaaaa")
    assert list(read_table(path, ["repetition"], identity="aaaaaaaaaaaaaaaa").columns) == ["repetition"]
    with pytest.raises(IdentityError, match="made from other inputs or settings"):
        read_table(path, ["repetition"], identity="bbbbbbbbbbbbbbbb")
    write_table(pd.DataFrame({"repetition": [0]}), path)
    with pytest.raises(IdentityError, match="carries no identity"):
        read_table(path, ["repetition"], identity="bbbbbbbbbbbbbbbb")


def test_aggregation_refuses_two_rows_of_one_run():
    table = pd.DataFrame({"n_particles": [5, 5, 10], "repetition": [0, 0, 0]})
    with pytest.raises(ValueError, match="2 rows share a configuration and repetition"):
        refuse_duplicate_runs(table, ["n_particles", "repetition"], "finals.csv")
    refuse_duplicate_runs(table.iloc[1:], ["n_particles", "repetition"], "finals.csv")


def test_a_ref_is_a_path_that_carries_its_member():
    ref = Ref("results/train/x/reps0-9.csv", "x/rep3", "abc")
    assert ref == "results/train/x/reps0-9.csv" and (ref.member, ref.identity) == ("x/rep3", "abc")


def test_record_identity_changes_with_any_setting():
    from convexnn.records import TeacherJob

    teacher = TeacherJob("paper/seed0/x/rep0", 1, "report", "relu", 2, 10, 1.0, "gaussian", 100)
    assert record_identity(teacher) != record_identity(TeacherJob(**{**teacher.as_params(), "test_size": 101}))


# ------------------------------------------------------------------- swapped files in a build


def refusal(output: str) -> str:
    """The line of a build's output that refuses a file, and the recovery command it gives."""
    found = re.search(
        r"(results/\S+: it .*?)\. Rebuild it.*?with `(snakemake --forcerun \S+) <the targets", output, re.S
    )
    assert found, output[-3000:]
    return found[1], found[2]


def test_a_batch_copied_from_another_seed_is_refused_and_the_printed_command_recovers(built, seed_one_build):
    clean = results_bytes(built)
    target = f"results/train/{RELU_BATCH}.csv"
    shutil.copy(seed_one_build / "results/train/paper/seed1/relu_trajectories/reps0-9.csv", built / target)
    output = snakemake_in(built, "figures", "claims", "--cores", "2", check=False)
    problem, command = refusal(output)
    assert problem.startswith(f"{target}: it was written for base seed 1, this build is base seed 0")
    assert "results/claims.csv" not in problem
    # the printed command, with this build's targets, gives the clean build's bytes back
    snakemake_in(built, *command.split()[1:], "figures", "claims", "--cores", "2")
    assert results_bytes(built) == clean


def test_an_aggregate_copied_from_another_seed_is_refused_before_a_claim(built, seed_one_build):
    clean = (built / "results/claims.csv").read_bytes()
    target = "results/aggregate/paper/seed0/relu_trajectories/finals.csv"
    shutil.copy(seed_one_build / "results/aggregate/paper/seed1/relu_trajectories/finals.csv", built / target)
    output = snakemake_in(built, "claims", "--cores", "2", check=False)
    problem, _ = refusal(output)
    assert problem.startswith(f"{target}: it was made from other inputs or settings")
    assert (built / "results/claims.csv").read_bytes() == clean


def test_a_batch_of_another_configuration_is_refused_by_name(built):
    # k = 3's runs copied over k = 1's: same seed, same repetitions, another configuration
    for suffix in (".csv", ".npz"):
        shutil.copy(built / f"{OVERPARAM}/k3/reps0-9{suffix}", built / f"{OVERPARAM}/k1/reps0-9{suffix}")
    output = snakemake_in(built, "figures", "--cores", "2", check=False)
    problem, _ = refusal(output)
    assert "overparam/relu/k3/rep0" in problem and "not for paper/seed0/overparam/relu/k1/rep0" in problem


def test_a_corrupt_teacher_is_named_and_the_printed_command_recovers(built):
    clean = results_bytes(built)
    target = "results/teacher_data/paper/seed0/relu_trajectories/relu/reps0-9.npz"
    (built / target).write_bytes((built / target).read_bytes()[:200])
    output = snakemake_in(built, "figures", "claims", "--cores", "2", check=False)
    problem, command = refusal(output.replace("cannot be read", "it cannot be read"))
    assert target in problem
    snakemake_in(built, *command.split()[1:], "figures", "claims", "--cores", "2")
    assert results_bytes(built) == clean


def test_a_deleted_intermediate_is_named_with_the_command_that_rebuilds_it(built):
    # Snakemake does not remake an intermediate whose dependants look up to date: the build says so.
    clean = results_bytes(built)
    target = f"results/train/{RELU_BATCH}.npz"
    (built / target).unlink()
    output = snakemake_in(built, "figures", "claims", "--cores", "2")
    command = f"snakemake --forcerun {target}"
    assert f"{target} is missing while results/experiment_claims/paper/seed0/relu_trajectories.csv" in output
    assert f"run `{command} <the targets you built>`" in output
    snakemake_in(built, *command.split()[1:], "figures", "claims", "--cores", "2")
    assert results_bytes(built) == clean


def test_a_corrupted_code_fingerprint_reruns_no_training_job(built):
    fingerprint = built / "results/code_fingerprint/convexnn.jobs.train.txt"
    clean = fingerprint.read_bytes()
    fingerprint.write_text("garbage\n")
    output = snakemake_in(built, "figures", "--cores", "2")
    assert "did not match the sources it names" in output
    assert "train" not in planned_jobs(output) and "teacher_data" not in planned_jobs(output)
    snakemake_in(built, "results/code_fingerprint/convexnn.jobs.train.txt", "--cores", "1")
    assert fingerprint.read_bytes() == clean


# --------------------------------------------------------------------------- a killed build


def test_no_temporary_file_survives_a_killed_builds_resume(tmp_path):
    project = copy_project(tmp_path / "project")
    environment = dict(os.environ, PYTHONPATH=str(project / "src"))
    command = [sys.executable, "-m", "snakemake", "figures", "--cores", "2", "--configfile", SMOKE_CONFIG]
    build = subprocess.Popen(
        command, cwd=project, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while not list((project / "results").rglob("*.npz")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    build.send_signal(signal.SIGKILL)
    build.wait()
    # what a job killed mid-write leaves (the build may have been killed between writes)
    leftover = project / "figures/.fig3_training_curves.png.0123456789abcdef0123456789abcdef.tmp"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"half a figure")
    output = snakemake_in(project, "figures", "--cores", "2", "--rerun-incomplete")
    assert f"removed {leftover.relative_to(project)}" in output
    assert not [path for folder in ("results", "figures") for path in (project / folder).rglob("*.tmp")]


def test_only_the_temporaries_of_atomic_writes_are_removed(tmp_path):
    (tmp_path / "results").mkdir()
    ours = tmp_path / "results/.finals.csv.0123456789abcdef0123456789abcdef.tmp"
    theirs = tmp_path / "results/.notes.tmp"
    ours.write_text("x")
    theirs.write_text("y")
    assert remove_leftover_temporaries([tmp_path / "results", tmp_path / "absent"]) == [ours]
    assert theirs.exists()


# ---------------------------------------------------------------------- the cost guard


def dry_run(tmp_path: Path, config: dict, *targets: str) -> subprocess.CompletedProcess:
    config_file = tmp_path / "config_under_test.yaml"
    config_file.write_text(yaml.safe_dump(config))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", *targets, "--directory", str(tmp_path / "run")]
        + ["--configfile", str(config_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def paper_config() -> dict:
    return yaml.safe_load((ROOT / "config.yaml").read_text())


def test_the_cost_guard_refuses_a_plan_of_thousands_of_cpu_hours_in_a_dry_run(tmp_path):
    # within the schema's limits (the atlas's budget x4 variation keeps n_steps <= 1e9)
    config = paper_config()
    config["overparam"]["n_steps"] = 250_000_000
    config["overparam"]["repetitions"] = {"relu": 1000, "sigmoid": 1000}
    result = dry_run(tmp_path, config, "figures")
    assert result.returncode != 0
    hours = float(re.search(r"the plan's estimate is ([\d,.]+) CPU-hours", result.stderr)[1].replace(",", ""))
    assert hours > 5000  # (8,500 when every run paid its own start-up, before runs were batched)
    assert "cost_limit.cpu_hours = 16" in result.stderr and "--config cost_limit=" in result.stderr
    assert not (tmp_path / "run/results").exists()


def test_the_cost_guard_refuses_a_test_set_larger_than_memory(tmp_path):
    # within the schema's limits: 10 million test points in 10,000 dimensions, about 745 GiB
    config = paper_config()
    config["relu_trajectories"].update(test_size=10_000_000, input_dim=10_000)
    result = dry_run(tmp_path, config, "figures")
    assert result.returncode != 0
    assert re.search(r"needs about [\d,.]+ GiB, above cost_limit.memory_fraction = 0.75", result.stderr), result.stderr[
        -2000:
    ]


def test_the_cost_guard_lets_every_documented_target_run(tmp_path):
    result = dry_run(
        tmp_path, paper_config(), "figures", "claims", "beyond", "lazy", "frank_wolfe", "convex", "robustness", "atlas"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "estimated cost of this build" in result.stderr


def test_a_raised_limit_lets_the_build_through(tmp_path):
    config = paper_config()
    config["overparam"]["n_steps"] = 100_000_000
    assert dry_run(tmp_path, config, "figures").returncode != 0
    config["cost_limit"] = {"cpu_hours": 1e6}
    assert dry_run(tmp_path, config, "figures").returncode == 0


# ------------------------------------------------------------------------- config files


@pytest.mark.parametrize(
    "text, expected",
    [
        ("seed: 010\n", r"line 1: 010 has a leading zero, which YAML 1\.1 reads as the octal number 8: write 10"),
        ("seed: 0\nrobustness: {}\nseed: 3\n", r"line 3: key 'seed' is given twice \(first on line 1\)"),
        ("seed: 0\nrobustness: [\n", r"line 3, column 1: not valid YAML"),
        ("overparam:\n  n_steps: 5\n  n_steps: 6\n", r"line 3: key 'n_steps' is given twice"),
    ],
)
def test_a_config_file_is_read_strictly_with_file_and_line(tmp_path, text, expected):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=expected) as refused:
        check_config_file(path)
    assert str(path) in str(refused.value)


def test_the_projects_config_files_are_strict_yaml():
    for path in ("config.yaml", "tests/smoke_config.yaml", "benchmarks/pilot_config.yaml"):
        assert isinstance(check_config_file(ROOT / path), dict)


def test_a_build_refuses_a_duplicate_key_naming_file_and_line(tmp_path):
    config_file = tmp_path / "config.yaml"
    config_file.write_text((ROOT / "config.yaml").read_text() + "seed: 3\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "--directory",
            str(tmp_path / "run"),
            "--configfile",
            str(config_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert (
        result.returncode != 0 and f"{config_file}, line" in result.stderr and "'seed' is given twice" in result.stderr
    )


def test_a_full_disk_is_named_as_such(tmp_path, monkeypatch):
    from convexnn import storage

    def full(*arguments, **keywords):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.pd.DataFrame, "to_csv", full)
    with pytest.raises(storage.DiskFullError, match=r"the disk is full: .*finals.csv could not be written"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "finals.csv")
    assert not list(tmp_path.iterdir())  # no half file, no temporary left
