"""The adaptivity experiment (src/convexnn/experiments/adaptivity.py): ridge and kernel ridge against direct
solves, the low-dimensional teacher, Chizat & Bach's clusters and their ascent, the F1 step as the job uses
gradient descent, the two job kinds, the grid, and the claims C12 on hand-made results."""

import copy
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT

from convexnn import kernels
from convexnn.config import ConfigError, validate_config
from convexnn.experiments import adaptivity
from convexnn.gradient_descent import empirical_risk, gradient_descent
from convexnn.kinds import adaptivity_classification, adaptivity_regression
from convexnn.plan import make_plan

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture
def smoke_config():
    return yaml.safe_load((ROOT / "tests" / "smoke_config.yaml").read_text())


# ---------------------------------------------------------------------------------------------
# Ridge


def small_regression(seed=0, n=30, d=3):
    rng = np.random.default_rng(seed)
    inputs, test_inputs = rng.standard_normal((n, d)), rng.standard_normal((17, d))
    targets = np.sin(inputs @ np.array([1.0, -0.5, 0.3][:d])) + 0.1 * rng.standard_normal(n)
    return rng, inputs, targets, test_inputs


def test_the_kernel_ridge_path_is_a_direct_solve_at_every_penalty():
    _, inputs, targets, test_inputs = small_regression()
    gram, test_gram = kernels.arc_cosine_kernel(inputs, inputs), kernels.arc_cosine_kernel(test_inputs, inputs)
    penalties = np.array([1e-6, 1e-3, 1e-1, 3.0])
    path = kernels.kernel_ridge_path(gram, targets, penalties, test_gram)
    for column, penalty in enumerate(penalties):
        direct = test_gram @ np.linalg.solve(gram + len(targets) * penalty * np.eye(len(targets)), targets)
        np.testing.assert_allclose(path[:, column], direct, rtol=1e-7, atol=1e-9)


def test_kernel_ridge_with_validation_chooses_the_best_validated_penalty_and_refits_on_everything():
    rng, inputs, targets, test_inputs = small_regression()
    split = kernels.split_for_validation(len(targets), 0.3, rng)
    fit, validation = split
    assert len(validation) == 9 and len(np.intersect1d(fit, validation)) == 0 and len(fit) + len(validation) == 30
    grid = kernels.penalty_grid(-6, 1, 8)
    result = kernels.kernel_ridge_with_validation(kernels.arc_cosine_kernel, inputs, targets, test_inputs, grid, split)
    # brute force: every penalty solved directly on the fit part, scored on the validation part
    gram = kernels.arc_cosine_kernel(inputs, inputs)
    fit_gram = gram[np.ix_(fit, fit)]
    scores = []
    for relative in grid:
        penalty = relative * np.trace(fit_gram) / len(fit)
        alpha = np.linalg.solve(fit_gram + len(fit) * penalty * np.eye(len(fit)), targets[fit])
        scores.append(np.mean((gram[np.ix_(validation, fit)] @ alpha - targets[validation]) ** 2))
    best = int(np.argmin(scores))
    assert result.relative_penalty == pytest.approx(grid[best])
    assert result.validation_score == pytest.approx(scores[best])
    assert result.at_grid_edge == (best in (0, len(grid) - 1))
    penalty = grid[best] * np.trace(gram) / len(gram)
    refit = np.linalg.solve(gram + 30 * penalty * np.eye(30), targets)
    np.testing.assert_allclose(
        result.test_predictions, kernels.arc_cosine_kernel(test_inputs, inputs) @ refit, rtol=1e-8
    )


def test_random_feature_ridge_is_kernel_ridge_with_the_random_feature_kernel():
    rng, inputs, targets, test_inputs = small_regression(n=40)
    units = rng.standard_normal((25, 3))
    split = kernels.split_for_validation(40, 0.25, rng)
    grid = kernels.penalty_grid(-5, 1, 7)
    features = kernels.random_feature_ridge_with_validation(
        kernels.relu_features(inputs, units), targets, kernels.relu_features(test_inputs, units), grid, split
    )
    kernel = kernels.kernel_ridge_with_validation(
        lambda x, y: kernels.random_feature_kernel(x, units, y), inputs, targets, test_inputs, grid, split
    )
    assert features.relative_penalty == kernel.relative_penalty
    np.testing.assert_allclose(features.test_predictions, kernel.test_predictions, rtol=1e-6, atol=1e-9)


def test_feature_ridge_solves_the_normal_equations():
    rng = np.random.default_rng(4)
    features, targets = rng.standard_normal((20, 6)), rng.standard_normal(20)
    (weights,) = kernels.feature_ridge_path(features, targets, np.array([0.05])).T
    direct = np.linalg.solve(features.T @ features + 20 * 0.05 * np.eye(6), features.T @ targets)
    np.testing.assert_allclose(weights, direct, rtol=1e-10)


def test_classification_ridge_chooses_by_sign_errors_then_square_error():
    scores, ties = kernels._criteria(
        np.array([[1.0, 0.5, 0.2], [-1.0, -0.5, 0.1]]), np.array([1.0, -1.0]), "misclassification"
    )
    np.testing.assert_allclose(scores, [0.0, 0.0, 0.5])
    assert kernels._choose(scores, ties) == 0  # equal errors: the smaller square error
    with pytest.raises(ValueError, match="criterion"):
        kernels._criteria(np.zeros((2, 1)), np.ones(2), "hinge")


# ---------------------------------------------------------------------------------------------
# The low-dimensional teacher


def test_the_teacher_depends_on_its_subspace_only():
    rng = np.random.default_rng(8)
    teacher = kernels.draw_subspace_teacher(rng, 12, 2, 3)
    np.testing.assert_allclose(teacher.basis.T @ teacher.basis, np.eye(2), atol=1e-12)
    inputs = rng.standard_normal((50, 12))
    orthogonal = rng.standard_normal((50, 12)) * 5.0
    orthogonal -= orthogonal @ teacher.basis @ teacher.basis.T
    np.testing.assert_allclose(teacher(inputs + orthogonal), teacher(inputs), rtol=1e-12, atol=1e-12)
    # ... and it does move along the subspace, as the plain network with a*_j = P u_j
    along = inputs + rng.standard_normal((50, 2)) @ teacher.basis.T
    assert np.max(np.abs(teacher(along) - teacher(inputs))) > 0.1
    plain = np.maximum(inputs @ teacher.hidden_weights.T, 0) @ teacher.output_weights
    np.testing.assert_allclose(teacher(inputs), plain, rtol=1e-10, atol=1e-12)
    assert set(teacher.output_weights) <= {-1.0, 1.0}
    np.testing.assert_allclose(np.linalg.norm(teacher.directions, axis=1), 1.0)


def test_a_shared_units_stream_gives_every_d_the_same_low_dimensional_function():
    first = kernels.draw_subspace_teacher(np.random.default_rng(1), 5, 2, 3, units_rng=np.random.default_rng(7))
    second = kernels.draw_subspace_teacher(np.random.default_rng(2), 40, 2, 3, units_rng=np.random.default_rng(7))
    np.testing.assert_array_equal(first.directions, second.directions)
    np.testing.assert_array_equal(first.output_weights, second.output_weights)
    with pytest.raises(ValueError, match="subspace dimension"):
        kernels.draw_subspace_teacher(np.random.default_rng(0), 2, 3, 1)


# ---------------------------------------------------------------------------------------------
# Chizat & Bach's clusters and their ascent


def test_the_clusters_are_theirs():
    centres = kernels.cluster_centres(3)
    np.testing.assert_allclose(sorted(set(centres[:, 0])), [-3 / 8, 0.0, 3 / 8])
    signs = kernels.cluster_signs(np.random.default_rng(0), 3)
    assert sorted(signs) == [-1.0] * 4 + [1.0] * 5
    inputs, labels = kernels.cluster_data(np.random.default_rng(1), 2000, 7, signs)
    assert inputs.shape == (2000, 7) and np.all(inputs[:, 0] == 1.0)
    assert np.all(np.abs(inputs[:, 3:]) <= 0.5)
    distances = np.linalg.norm(inputs[:, None, 1:3] - centres[None], axis=2)
    nearest = distances.argmin(axis=1)
    assert np.all(distances.min(axis=1) <= 1 / 8 + 1e-12)  # within Delta of a centre ...
    np.testing.assert_array_equal(labels, signs[nearest])  # ... whose sign is the label
    with pytest.raises(ValueError, match="d >= 3"):
        kernels.cluster_data(np.random.default_rng(1), 5, 2, signs)


def smooth_margin(output_weights, hidden_weights, inputs, labels):
    margins = labels * kernels.two_layer_outputs(output_weights, hidden_weights, inputs)
    return kernels.smooth_margin_weights(margins)[0]


def finite_difference(function, point, epsilon=1e-6):
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        step = np.zeros_like(point)
        step[index] = epsilon
        gradient[index] = (function(point + step) - function(point - step)) / (2 * epsilon)
    return gradient


def test_one_ascent_step_is_m_times_the_gradient_of_the_smooth_margin():
    rng = np.random.default_rng(3)
    inputs, labels = kernels.cluster_data(rng, 12, 4, kernels.cluster_signs(rng, 3))
    hidden, output = rng.standard_normal((5, 4)), rng.standard_normal(5)
    rate = 0.3 / np.sqrt(2.0)  # eta / sqrt(t + 1) at t = 1
    run = kernels.smooth_margin_ascent(output, hidden, inputs, labels, step_size=0.3, n_steps=1, both_layers=True)
    grad_output = finite_difference(lambda b: smooth_margin(b, hidden, inputs, labels), output)
    grad_hidden = finite_difference(lambda a: smooth_margin(output, a, inputs, labels), hidden)
    np.testing.assert_allclose(run.output_weights, output + rate * 5 * grad_output, rtol=1e-6)
    np.testing.assert_allclose(run.hidden_weights, hidden + rate * 5 * grad_hidden, rtol=1e-6)
    # the output layer alone: a unchanged, b by m beta_t times its gradient, beta_t = max(1, |b| / sqrt(m))
    big = 10 * output
    last = kernels.smooth_margin_ascent(big, hidden, inputs, labels, step_size=0.3, n_steps=1, both_layers=False)
    beta = np.linalg.norm(big) / np.sqrt(5)
    grad_big = finite_difference(lambda b: smooth_margin(b, hidden, inputs, labels), big)
    np.testing.assert_array_equal(last.hidden_weights, hidden)
    np.testing.assert_allclose(last.output_weights, big + rate * beta * 5 * grad_big, rtol=1e-6)


def test_the_ascent_separates_the_training_set_and_measures_its_margin():
    rng = np.random.default_rng(0)
    inputs, labels = kernels.cluster_data(rng, 40, 4, kernels.cluster_signs(rng, 3))
    initial = rng.standard_normal((30, 5))
    run = kernels.smooth_margin_ascent(
        initial[:, -1], initial[:, :-1], inputs, labels, step_size=0.5, n_steps=3000, both_layers=True
    )
    assert not run.diverged and run.normalised_margin > 0
    outputs = kernels.two_layer_outputs(run.output_weights, run.hidden_weights, inputs)
    assert kernels.misclassification(outputs, labels) == 0.0


# ---------------------------------------------------------------------------------------------
# F1 as the regression job uses gradient descent: step eta m against the scale 1/m


def test_one_f1_step_is_eta_m_times_the_gradient_of_the_empirical_risk():
    rng = np.random.default_rng(6)
    inputs, m, eta = rng.standard_normal((15, 3)), 6, 0.2
    targets = kernels.draw_subspace_teacher(rng, 3, 2, 2)(inputs)
    _, output, hidden = adaptivity_regression.small_initialisation(rng, m, 3, 0.5)
    np.testing.assert_allclose(np.linalg.norm(np.column_stack([output, hidden]), axis=1), 0.5)
    run = gradient_descent(
        output, hidden, inputs, targets, inputs, targets, step_size=eta * m, n_steps=1, checkpoints=[0, 1], scale=1 / m
    )
    grad_output = finite_difference(lambda b: empirical_risk(b, hidden, inputs, targets, 1 / m), output)
    grad_hidden = finite_difference(lambda a: empirical_risk(output, a, inputs, targets, 1 / m), hidden)
    np.testing.assert_allclose(run.output_weights, output - eta * m * grad_output, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(run.hidden_weights, hidden - eta * m * grad_hidden, rtol=1e-6, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# The job kinds


RIDGE = {"validation_fraction": 0.25, "log10_penalty_low": -8.0, "log10_penalty_high": 1.0, "penalty_count": 10}


def regression_job(**changes):
    fields = dict(
        id="x",
        seed=5,
        labels={"experiment": "adaptivity", "setting": "regression", "input_dim": 4, "n_train": 40, "repetition": 0},
        teacher_seed=9,
        input_dim=4,
        subspace_dim=2,
        teacher_units=3,
        n_train=40,
        test_size=200,
        n_units=10,
        init_radius=0.05,
        step_size=0.2,
        n_steps=200,
        n_checkpoints=5,
        **RIDGE,
    )
    return adaptivity_regression.AdaptivityRegressionJob(**(fields | changes))


def test_a_regression_row_has_the_three_learners_on_one_draw():
    job = regression_job()
    row = adaptivity_regression.regression_row(job)
    assert set(row) == set(adaptivity_regression.MEASUREMENTS)
    assert row["excess_loss"] == row["f1_test_loss"] and not row["diverged"]
    # from the small initialisation f is almost 0: its initial loss is the zero predictor's
    assert row["initial_test_loss"] == pytest.approx(row["zero_predictor_loss"], rel=1e-3)
    assert row["f1_best_test_loss"] <= row["initial_test_loss"]
    for learner in ("f1", "rf", "kernel"):
        assert 0 < row[f"{learner}_test_loss"] < row["zero_predictor_loss"], learner
    assert adaptivity_regression.regression_row(job) == row
    assert adaptivity_regression.AdaptivityRegressionJob.from_params(job.as_params()) == job


def test_a_classification_row_has_the_three_learners_on_one_draw():
    job = adaptivity_classification.AdaptivityClassificationJob(
        id="x",
        seed=5,
        labels={"experiment": "adaptivity", "setting": "cb2020", "input_dim": 5, "n_train": 60, "repetition": 0},
        distribution_seed=3,
        input_dim=5,
        clusters_per_side=3,
        n_train=60,
        test_size=300,
        n_units=20,
        step_size=0.5,
        n_steps=300,
        **RIDGE,
    )
    row = adaptivity_classification.classification_row(job)
    assert set(row) == set(adaptivity_classification.MEASUREMENTS)
    assert row["excess_loss"] == row["f1_test_error"] and math.isnan(row["zero_predictor_loss"])
    for learner in ("f1", "rf", "kernel"):
        assert 0 <= row[f"{learner}_test_error"] <= 1, learner
    assert row["minority_share"] == pytest.approx(4 / 9, abs=0.1)
    assert adaptivity_classification.classification_row(job) == row


# ---------------------------------------------------------------------------------------------
# The grid and the config


def test_the_grid_shares_a_point_of_both_sweeps_and_a_repetition_shares_its_teacher(smoke_config):
    plan = make_plan(smoke_config).experiment("paper/seed0", "adaptivity")
    section = smoke_config["adaptivity"]
    regression, classification = plan.of("adaptivity_regression"), plan.of("adaptivity_classification")
    # (2, 64), (5, 64) and (5, 32): (5, 64) is in both sweeps and planned once
    assert adaptivity.setting_points(section["regression"]) == [(2, 64), (5, 64), (5, 32)]
    assert len(regression) == 3 * section["regression"]["repetitions"]
    assert len(classification) == 3 * section["cb2020"]["repetitions"]
    for jobs, shared in ((regression, "teacher_seed"), (classification, "distribution_seed")):
        by_repetition = {}
        for job in jobs:
            by_repetition.setdefault(job.labels["repetition"], set()).add(getattr(job, shared))
        assert all(len(seeds) == 1 for seeds in by_repetition.values())
        assert len({next(iter(seeds)) for seeds in by_repetition.values()}) == len(by_repetition)
        assert len({job.seed for job in jobs}) == len(jobs)
    assert all(job.labels["setting"] == "regression" for job in regression)


def test_a_subspace_larger_than_a_dimension_is_refused_by_name(smoke_config):
    config = copy.deepcopy(smoke_config)
    config["adaptivity"]["regression"]["subspace_dim"] = 3
    with pytest.raises(ConfigError, match=r"'adaptivity.regression.subspace_dim'.*smallest input dimension \(2\)"):
        validate_config(config, SCHEMA)
    config = copy.deepcopy(smoke_config)
    config["adaptivity"]["ridge"]["log10_relative_penalty"] = {"low": 1.0, "high": -1.0, "count": 4}
    with pytest.raises(ConfigError, match=r"'adaptivity.ridge.log10_relative_penalty'"):
        validate_config(config, SCHEMA)
    config = copy.deepcopy(smoke_config)
    config["adaptivity"]["cb2020"]["input_dims"] = [2, 5]
    with pytest.raises(ConfigError, match=r"'adaptivity.cb2020.input_dims.0'"):
        validate_config(config, SCHEMA)


# ---------------------------------------------------------------------------------------------
# Claims C12


def finals(regression: dict, classification: dict, diverged=()) -> pd.DataFrame:
    """Rows from {(d, learner): per repetition}: relative test losses (zero predictor's loss 2) and test errors."""
    rows = []
    for setting, values, n_train in (("regression", regression, 512), ("cb2020", classification, 256)):
        metric = adaptivity.METRIC[setting]
        dims = sorted({d for d, _ in values})
        for d in dims:
            for repetition in range(len(values[d, "f1"])):
                row = {
                    "setting": setting,
                    "input_dim": d,
                    "n_train": n_train,
                    "repetition": repetition,
                    "zero_predictor_loss": 2.0,
                    "diverged": (setting, d, repetition) in diverged,
                }
                for learner in adaptivity.LEARNERS:
                    value = values[d, learner][repetition]
                    row[f"{learner}_{metric}"] = 2.0 * value if setting == "regression" else value
                rows.append(row)
    return pd.DataFrame(rows)


CONTEXT = {"regression": {"n_train": 512}, "cb2020": {"n_train": 256}}
ADAPTIVE = {
    (2, "f1"): [1e-3, 2e-3, 1e-3],
    (2, "rf"): [1e-3] * 3,
    (2, "kernel"): [1e-4, 2e-4, 1e-4],
    (50, "f1"): [1e-3, 3e-3, 2e-3],
    (50, "rf"): [0.3] * 3,
    (50, "kernel"): [0.2, 0.3, 0.25],
}
CLUSTERS = {
    (5, "f1"): [0.01, 0.02, 0.0],
    (5, "rf"): [0.05] * 3,
    (5, "kernel"): [0.02, 0.03, 0.02],
    (25, "f1"): [0.05, 0.04, 0.06],
    (25, "rf"): [0.3] * 3,
    (25, "kernel"): [0.3, 0.35, 0.25],
}


def test_the_claims_hold_when_only_f1_adapts():
    results = adaptivity.claims(finals(ADAPTIVE, CLUSTERS), [], CONTEXT)
    assert [result.claim for result in results] == list(adaptivity.EXPERIMENT.claim_names)
    assert [result.verdict for result in results] == ["holds"] * 4
    curse, adapts, curse_cb, adapts_cb = results
    assert curse.value == pytest.approx((0.2 * 0.3 * 0.25) ** (1 / 3) / (1e-4 * 2e-4 * 1e-4) ** (1 / 3))
    assert adapts.value == pytest.approx((1e-3 * 3e-3 * 2e-3) ** (1 / 3) / (0.2 * 0.3 * 0.25) ** (1 / 3))
    assert curse_cb.value == pytest.approx(0.3 / (0.07 / 3))  # arithmetic means
    assert adapts_cb.value == pytest.approx(0.05 / 0.3)


def test_the_claims_fail_when_f2_adapts_as_well():
    flat = {key: [0.1, 0.12, 0.11] for key in ADAPTIVE}
    flat_clusters = {key: [0.1, 0.12, 0.11] for key in CLUSTERS}
    results = adaptivity.claims(finals(flat, flat_clusters), [], CONTEXT)
    assert [result.verdict for result in results] == ["does not hold"] * 4
    assert all(result.value == pytest.approx(1.0) for result in results)


def test_the_claims_leave_diverged_f1_runs_out_and_say_what_is_missing():
    every = {("regression", 50, repetition) for repetition in range(3)}
    curse, adapts, *_ = adaptivity.claims(finals(ADAPTIVE, CLUSTERS, diverged=every), [], CONTEXT)
    assert curse.verdict == "holds"  # the kernel does not depend on F1's run
    assert adapts.verdict == "not evaluated" and "diverged" in adapts.detail
    one = {("regression", 50, 1)}
    _, adapts, *_ = adaptivity.claims(finals(ADAPTIVE, CLUSTERS, diverged=one), [], CONTEXT)
    assert "2 repetitions" in adapts.detail and adapts.verdict == "not evaluated"  # too few for an interval
    regression_only = finals(ADAPTIVE, CLUSTERS).query("setting == 'regression'")
    *_, curse_cb, adapts_cb = adaptivity.claims(regression_only, [], CONTEXT)
    assert curse_cb.verdict == adapts_cb.verdict == "not evaluated" and "no cb2020 results" in curse_cb.detail
    for result in adaptivity.claims(None, [], CONTEXT):
        assert result.verdict == "not evaluated" and math.isnan(result.value)


def test_the_summary_has_a_row_per_point_and_learner():
    summary = adaptivity.learner_summary(finals(ADAPTIVE, CLUSTERS, diverged={("regression", 2, 0)}))
    assert len(summary) == 4 * 3
    f1 = summary[(summary["setting"] == "regression") & (summary["input_dim"] == 2) & (summary["learner"] == "f1")]
    assert int(f1["n_values"].iloc[0]) == 2 and int(f1["n_left_out"].iloc[0]) == 1
    assert f1["centre"].iloc[0] == pytest.approx(np.sqrt(2e-3 * 1e-3))
