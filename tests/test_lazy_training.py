"""The lazy-training experiment (src/convexnn/experiments/lazy_training.py): its grid, its job kind,
its claims C10 on hand-made results, and `snakemake lazy` on the smoke configuration end to end.
The solver itself is tested in tests/test_gradient_descent.py."""

import copy
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, copy_project, planned_jobs, snakemake_in

from convexnn.config import ConfigError, validate_config
from convexnn.experiments import lazy_training
from convexnn.kinds.gradient_descent import MEASUREMENTS, GradientDescentJob, gradient_descent_row
from convexnn.plan import make_plan

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture
def smoke_config():
    return yaml.safe_load((ROOT / "tests" / "smoke_config.yaml").read_text())


def test_the_grid_is_every_tau_of_every_repetition_with_paired_seeds(smoke_config):
    section = smoke_config["lazy_training"]
    jobs = make_plan(smoke_config).experiment("paper/seed0", "lazy_training").of("gradient_descent")
    scales = lazy_training.init_scales(section)
    assert len(jobs) == section["repetitions"] * len(scales) == 12
    assert scales[0] == pytest.approx(10 ** section["log10_init_scale"]["first"])
    assert scales[-1] == pytest.approx(10 ** section["log10_init_scale"]["last"])
    for job in jobs:
        tau = job.labels["init_scale"]
        assert job.init_scale == tau and job.step_size == pytest.approx(min(10.0, 0.1 / tau**2))
    # every tau of a repetition shares its seed (teacher, data, initial directions); repetitions differ
    seeds = {(job.labels["repetition"], job.seed) for job in jobs}
    assert len({seed for _, seed in seeds}) == section["repetitions"] == len(seeds)


def test_the_paper_grid_has_both_ends_and_at_least_12_values():
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    scales = lazy_training.init_scales(config["lazy_training"])
    assert len(scales) >= 12
    assert scales[0] == pytest.approx(10**-2.5) and scales[-1] == pytest.approx(10.0)


def test_a_run_row_has_the_measurements_and_a_zero_initial_output():
    job = GradientDescentJob(
        id="x",
        seed=3,
        labels={"experiment": "lazy_training", "init_scale": 10.0, "repetition": 0},
        input_dim=6,
        n_units=8,
        teacher_units=2,
        n_train=40,
        test_size=50,
        init_scale=10.0,
        step_size=0.1 / 100,
        n_steps=200,
        n_checkpoints=10,
    )
    row = gradient_descent_row(job)
    assert set(row) == set(MEASUREMENTS)
    # f(w0) = 0: the initial test loss is the zero predictor's, exactly
    assert row["initial_test_loss"] == row["zero_predictor_loss"]
    assert row["best_test_loss"] <= row["excess_loss"] and not row["diverged"]
    assert row == gradient_descent_row(job)  # a job rerun alone gives the same numbers
    assert GradientDescentJob.from_params(job.as_params()) == job


def finals(displacement: dict, loss: dict, linearised: dict | None = None, diverged=()) -> pd.DataFrame:
    """{tau: per repetition} tables of the measured values, as the aggregation stacks them."""
    rows = []
    for tau, values in loss.items():
        for repetition, value in enumerate(values):
            rows.append(
                {
                    "init_scale": tau,
                    "repetition": repetition,
                    "excess_loss": value,
                    "best_test_loss": value,
                    "linearised_test_loss": (linearised or loss)[tau][repetition],
                    "linearised_best_test_loss": value,
                    "relative_displacement": displacement[tau][repetition],
                    "zero_predictor_loss": 1.0,
                    "diverged": (tau, repetition) in diverged,
                }
            )
    return pd.DataFrame(rows)


LOSS = {0.01: [1e-5, 1e-4, 1e-5], 1.0: [1e-3] * 3, 10.0: [1e-3, 2e-3, 1e-3]}
MOVES = {0.01: [10.0, 20.0, 30.0], 1.0: [0.1] * 3, 10.0: [1e-4, 2e-4, 3e-4]}


def test_the_claims_hold_on_a_lazy_and_active_sweep():
    table = finals(MOVES, LOSS)
    fixed, moves, generalises, kernel = lazy_training.claims(table, [], {})
    assert (fixed.claim, fixed.verdict, fixed.value) == ("C10-fixed", "holds", 2e-4)
    assert (moves.claim, moves.verdict, moves.value) == ("C10-moves", "holds", 20.0)
    # GM(1e-3, 2e-3, 1e-3) / GM(1e-5, 1e-4, 1e-5) = 10^(-2.90 + 4.67) = 58
    assert generalises.verdict == "holds" and generalises.value == pytest.approx(10 ** (np.log10(2) / 3 + 5 / 3))
    assert (kernel.verdict, kernel.value) == ("holds", pytest.approx(1.0))


def test_the_claims_fail_where_the_words_do_not_hold():
    still = {tau: [0.5] * 3 for tau in MOVES}
    flat = {tau: [1e-3] * 3 for tau in LOSS}
    worse = {0.01: [1e-5] * 3, 1.0: [1e-3] * 3, 10.0: [2e-3] * 3}
    fixed, moves, generalises, kernel = lazy_training.claims(finals(still, flat, linearised=worse), [], {})
    assert fixed.verdict == moves.verdict == generalises.verdict == kernel.verdict == "does not hold"
    assert kernel.value == pytest.approx(0.5)  # at tau = 10, the farthest from 1
    assert "at tau = 10" in kernel.detail


def test_the_claims_leave_diverged_runs_out_and_say_when_they_cannot_be_evaluated():
    table = finals(MOVES, LOSS, diverged={(10.0, 0), (10.0, 1), (10.0, 2)})
    fixed = lazy_training.claim_weights_stay_fixed(table)
    assert fixed.verdict == "not evaluated" and "every run at tau = 10 diverged" in fixed.detail
    generalises = lazy_training.claim_small_scale_generalises(table)
    assert generalises.verdict == "not evaluated"
    for result in lazy_training.claims(None, [], {}):
        assert result.verdict == "not evaluated" and math.isnan(result.value)


def test_an_odd_number_of_units_is_refused_by_name(smoke_config):
    config = copy.deepcopy(smoke_config)
    config["lazy_training"]["n_units"] = 11
    with pytest.raises(ConfigError, match=r"'lazy_training.n_units'.*even"):
        validate_config(config, SCHEMA)
    config = copy.deepcopy(smoke_config)
    config["lazy_training"]["log10_init_scale"] = {"first": 1.0, "last": -1.0, "count": 3}
    with pytest.raises(ConfigError, match=r"'lazy_training.log10_init_scale'"):
        validate_config(config, SCHEMA)


def test_snakemake_lazy_builds_the_figure_and_the_claims(tmp_path):
    project = copy_project(tmp_path / "project")
    snakemake_in(project, "lazy", "--cores", "2")
    figure = project / "figures" / "lazy_scale_sweep.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and (project / "figures" / "lazy_scale_sweep.pdf").exists()
    claims = pd.read_csv(project / "results" / "experiment_claims" / "paper" / "seed0" / "lazy_training.csv")
    assert list(claims["claim"]) == list(lazy_training.EXPERIMENT.claim_names)
    assert set(claims["verdict"]) <= {"holds", "does not hold", "inconclusive", "not evaluated"}
    summary = pd.read_csv(project / "results" / "lazy_scale_summary" / "summary.csv")
    assert len(summary) == 4 and (summary["n_finished"] == 3).all()
    reference = pd.read_csv(project / "results" / "lazy_reference_r0" / "r0_10.csv")
    assert reference["n_runs"].iloc[0] == 3 and reference["median_relative_displacement"].iloc[0] > 0
    assert planned_jobs(snakemake_in(project, "-n", "lazy")) == {}
