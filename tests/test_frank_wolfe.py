"""Conditional gradient on the F1 ball (the report's section 4): the numerics of src/convexnn/frank_wolfe.py, the
kinds of src/convexnn/kinds/conditional_gradient.py and the experiment src/convexnn/experiments/frank_wolfe.py (its
grid, cross-key checks and claims C13, C14 on hand-made results), and `snakemake frank_wolfe` on the smoke
configuration once the experiment is in the registry."""

import copy
import math

import numpy as np
import pandas as pd
import pytest
from conftest import copy_project, planned_jobs, snakemake_in

from convexnn import frank_wolfe as fw
from convexnn.experiments import frank_wolfe as experiment
from convexnn.kinds import conditional_gradient as kinds
from convexnn.registry import EXPERIMENTS

# The smoke section of tests/smoke_config.yaml, kept here so that these tests do not depend on the shared files.
SECTION = {
    "repetitions": 3,
    "teacher_units": 3,
    "rate": {
        "n_train": 30,
        "n_iterations": 100,
        "radius_ratio": {"below": 0.5, "above": 2.0},
        "reference_iterations": 200,
        "reference_tolerance": 1.0e-12,
        "grid_directions": 512,
    },
    "support": {"n_train": [5, 10], "radius_ratio": 0.25, "max_iterations": 500, "tolerance": 1.0e-12},
    "new_unit_step": {
        "input_dims": [1, 2, 3],
        "n_train": [10, 20],
        "timing_n_train": 20,
        "max_cells": 5000,
        "timing_repeats": 2,
        "evaluations": 200,
        "ascent_starts": 5,
    },
    "versus_particles": {
        "input_dims": [2, 5],
        "n_train": 50,
        "test_size": 100,
        "n_units": 6,
        "n_steps": 300,
        "step_size": 6.0,
        "init_scale": 0.05,
        "ascent_starts": 5,
    },
}


def circle_points(rng, n):
    angles = rng.uniform(0.0, 2.0 * math.pi, n)
    return np.column_stack([np.cos(angles), np.sin(angles)])


def bias_points(rng, n, d):
    return np.column_stack([rng.standard_normal((n, d)), np.ones(n)])


# ---------------------------------------------------------------------------------------------------------------
# The exact new-unit steps


@pytest.mark.parametrize("seed", range(6))
def test_the_circle_step_is_the_maximum_over_a_fine_grid_of_angles(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 40))
    inputs = circle_points(rng, n) * rng.uniform(0.5, 2.0, (n, 1))  # any norms: the angles decide the arcs
    residuals = rng.standard_normal(n)
    step = fw.circle_new_unit(inputs, residuals)
    angles = np.linspace(0.0, 2.0 * math.pi, 400_001)
    grid = np.abs(fw.new_unit_values(np.column_stack([np.cos(angles), np.sin(angles)]), inputs, residuals))
    # never below the grid's best, and above it by less than a Lipschitz bound on a grid spacing
    lipschitz = np.abs(residuals) @ np.linalg.norm(inputs, axis=1) / n
    assert abs(step.value) >= grid.max() - 1e-12
    assert abs(step.value) - grid.max() <= lipschitz * (angles[1] - angles[0])
    assert np.linalg.norm(step.direction) == pytest.approx(1.0)
    assert step.value == pytest.approx(fw.unit_outputs(step.direction, inputs) @ residuals / n, abs=1e-15)
    # the general enumeration in R^2 finds the same maximum
    assert abs(fw.exact_new_unit(inputs, residuals).value) == pytest.approx(abs(step.value), rel=1e-12)


@pytest.mark.parametrize(("n", "dimension"), [(2, 2), (7, 2), (3, 3), (12, 3), (25, 3), (5, 4), (14, 4), (9, 5)])
def test_the_cells_of_random_points_are_covers_count(n, dimension):
    rng = np.random.default_rng(100 * n + dimension)
    inputs = bias_points(rng, n, dimension - 1)
    cells = fw.arrangement_cells(inputs)
    assert cells.n_cells == fw.cover_count(n, dimension)
    assert fw.exact_new_unit(inputs, rng.standard_normal(n)).cells == cells.n_cells
    # every cell is a distinct active set that a direction realises: check a few by sampling directions
    samples = fw.random_unit_vectors(rng, 20_000, dimension)
    realised = np.unique(np.packbits(samples @ inputs.T > 0.0, axis=1), axis=0)
    stored = {row.tobytes() for row in cells.active_sets}
    assert {row.tobytes() for row in realised} <= stored


def test_covers_count_is_the_binomial_sum():
    assert fw.cover_count(4, 3) == 2 * (1 + 3 + 3) == 14  # 4 planes through 0 in R^3: 14 cells
    assert fw.cover_count(100, 4) == 323_600
    assert fw.cover_count(5, 5) == 2**5  # n <= r independent hyperplanes: every orthant


@pytest.mark.parametrize("dimension", [3, 4])
def test_no_direction_beats_the_exact_step_and_gradient_ascent_reaches_it(dimension):
    rng = np.random.default_rng(dimension)
    n = 16
    inputs = bias_points(rng, n, dimension - 1)
    residuals = rng.standard_normal(n)
    exact = fw.exact_new_unit(inputs, residuals)
    searched = fw.random_search_new_unit(rng, inputs, residuals, 200_000)
    ascent = fw.gradient_ascent_new_unit(rng, inputs, residuals, 100_000, 200)
    assert abs(searched.value) <= abs(exact.value) + 1e-12
    assert abs(ascent.value) <= abs(exact.value) + 1e-12
    assert abs(ascent.value) >= abs(exact.value) * (1 - 1e-6)  # the exact maximum is attained, not only bounded
    assert exact.value == pytest.approx(fw.new_unit_values(exact.direction, inputs, residuals)[0], abs=1e-15)


def test_a_maximum_on_a_ridge_is_found_where_the_cells_alone_miss_it():
    """Ten units of g = +1 around the bias direction and one of g = -5 whose hyperplane passes near it: the maximum
    of h lies on that hyperplane (a concave kink), in no cell's interior."""
    rng = np.random.default_rng(7)
    ridge = np.array([1.0, 0.0, 0.3])
    inputs = np.vstack([ridge, np.column_stack([0.2 * rng.standard_normal((10, 2)), np.ones(10)])])
    residuals = np.concatenate([[-5.0], np.ones(10)])
    exact = fw.exact_new_unit(inputs, residuals)
    ascent = fw.gradient_ascent_new_unit(rng, inputs, residuals, 100_000, 200)
    assert abs(exact.value) >= abs(ascent.value) - 1e-12 and exact.value > 0.0
    assert abs(exact.direction @ ridge) < 1e-12  # on the ridge
    # the stationary points of the cells alone, +-s_C / ||s_C||, fall short
    active = np.unpackbits(fw.arrangement_cells(inputs).active_sets, axis=1, count=len(inputs)).astype(float)
    sums = active @ (residuals[:, None] * inputs / len(inputs))
    sums = sums[np.linalg.norm(sums, axis=1) > 0]
    units = sums / np.linalg.norm(sums, axis=1, keepdims=True)
    cells_only = np.abs(fw.new_unit_values(np.vstack([units, -units]), inputs, residuals)).max()
    assert cells_only < abs(exact.value) - 1e-3


def test_the_approximate_steps_spend_their_budget():
    rng = np.random.default_rng(0)
    inputs, residuals = bias_points(rng, 30, 3), rng.standard_normal(30)
    assert fw.random_search_new_unit(rng, inputs, residuals, 500).evaluations == 500
    assert fw.gradient_ascent_new_unit(rng, inputs, residuals, 500, 5).evaluations == 500


def test_the_arrangement_refuses_too_few_points_or_coordinates():
    with pytest.raises(ValueError, match="at least r = 3"):
        fw.arrangement_cells(np.ones((2, 3)))
    with pytest.raises(ValueError, match="r >= 2"):
        fw.exact_new_unit(np.ones((4, 1)), np.ones(4))


# ---------------------------------------------------------------------------------------------------------------
# The QP of the fully corrective step


@pytest.mark.parametrize("radius", [0.3, 1.0, 50.0])
def test_the_fully_corrective_weights_are_the_direct_qp_solution(radius):
    rng = np.random.default_rng(11)
    inputs = circle_points(rng, 15)
    targets = rng.standard_normal(15)
    directions = circle_points(rng, 6)
    weights, solution = fw.fit_on_l1_ball(directions, inputs, targets, radius)
    features = np.maximum(inputs @ directions.T, 0.0)
    direct = fw.projected_gradient_l1(features, targets, radius, n_steps=50_000)
    assert np.abs(weights).sum() <= radius * (1 + 1e-12)
    assert fw.square_risk(features @ weights, targets) == pytest.approx(
        fw.square_risk(features @ direct, targets), rel=1e-9, abs=1e-14
    )
    np.testing.assert_allclose(weights, direct, atol=1e-6 * radius)
    np.testing.assert_allclose(features @ weights, solution.point, atol=1e-12)
    assert solution.gap <= 1e-12 * np.max(np.sum((solution.point - targets) ** 2))


def test_the_nearest_point_of_a_segment_is_exact():
    atoms = np.array([[0.0, 0.0], [2.0, 0.0]])
    point = fw.nearest_point_in_hull(atoms, np.array([0.5, 1.0]))
    np.testing.assert_allclose(point.point, [0.5, 0.0], atol=1e-15)
    np.testing.assert_allclose(point.weights, [0.75, 0.25], atol=1e-15)
    inside = fw.nearest_point_in_hull(atoms, np.array([3.0, -1.0]))  # beyond an end: the end
    np.testing.assert_allclose(inside.point, [2.0, 0.0], atol=1e-15)


def test_the_l1_projection_is_the_nearest_point_of_the_ball():
    rng = np.random.default_rng(3)
    vector = rng.standard_normal(8)
    projected = fw.l1_ball_projection(vector, 1.0)
    assert np.abs(projected).sum() == pytest.approx(1.0)
    for _ in range(200):  # no point of the ball is nearer
        other = fw.l1_ball_projection(projected + 0.1 * rng.standard_normal(8), 1.0)
        assert np.linalg.norm(vector - other) >= np.linalg.norm(vector - projected) - 1e-12


# ---------------------------------------------------------------------------------------------------------------
# Conditional gradient


def small_problem(seed=0, n=40):
    rng = np.random.default_rng(seed)
    teacher_output = np.array([1.0, -1.0, 1.0])
    teacher_hidden = circle_points(rng, 3)
    inputs = circle_points(rng, n)
    return inputs, np.maximum(inputs @ teacher_hidden.T, 0.0) @ teacher_output, 3.0


def test_the_open_loop_gap_is_nonnegative_and_below_the_bound_at_every_radius():
    inputs, targets, gamma = small_problem()
    for ratio in (0.5, 1.0, 2.0):
        radius = ratio * gamma
        zero_loss = fw.square_risk(np.zeros_like(targets), targets)
        reference = fw.frank_wolfe(inputs, targets, radius, 500, fw.FULLY_CORRECTIVE, stop_gap=1e-12 * zero_loss)
        run = fw.frank_wolfe(inputs, targets, radius, 300, fw.OPEN_LOOP)
        best = min(reference.losses[-1], run.losses.min())
        lower = reference.losses[-1] - reference.duality_gaps[-1]
        gaps = run.losses - best
        t = np.arange(len(gaps))
        assert reference.converged and lower <= best <= lower + 1e-12
        assert np.all(gaps >= 0.0)
        assert np.all(gaps[1:] <= 2 * fw.curvature_bound(radius) / (t[1:] + 2))
        # the duality gap bounds the primal gap (the step is exact)
        assert np.all(run.losses - lower <= run.duality_gaps + 1e-12)


def test_line_search_never_increases_the_loss_and_fully_corrective_never_beats_the_optimum():
    inputs, targets, gamma = small_problem(1)
    line = fw.frank_wolfe(inputs, targets, gamma / 2, 200, fw.LINE_SEARCH)
    assert np.all(np.diff(line.losses) <= 1e-15)
    corrective = fw.frank_wolfe(inputs, targets, gamma / 2, 200, fw.FULLY_CORRECTIVE, stop_gap=1e-14)
    assert corrective.losses[-1] <= line.losses[-1] + 1e-15
    assert np.abs(corrective.weights).sum() <= gamma / 2 * (1 + 1e-12)
    # the units and weights reproduce the fitted values
    values = np.maximum(inputs @ corrective.directions.T, 0.0) @ corrective.weights
    assert fw.square_risk(values, targets) == pytest.approx(corrective.losses[-1], rel=1e-9)


def test_an_unknown_variant_is_refused():
    inputs, targets, _ = small_problem()
    with pytest.raises(ValueError, match="unknown conditional-gradient variant"):
        fw.frank_wolfe(inputs, targets, 1.0, 3, "away_steps")


@pytest.mark.parametrize("n", [5, 10, 20])
def test_a_binding_fully_corrective_solution_has_at_most_n_units(n):
    for seed in range(5):
        row = kinds.support_row(
            kinds.SupportJob(
                "x", seed, {}, teacher_units=3, n_train=n, radius_ratio=0.25, max_iterations=500, tolerance=1e-12
            )
        )
        assert row["converged"]
        if row["binding"]:
            assert 1 <= row["units"] <= n and row["weight_norm_share"] == pytest.approx(1.0)


def rate_job(ratio=0.5, **changes):
    values = dict(
        id="x",
        seed=5,
        labels={"experiment": "frank_wolfe", "study": "rate", "radius": "below", "repetition": 0},
        teacher_units=3,
        n_train=30,
        radius_ratio=ratio,
        n_iterations=120,
        reference_iterations=300,
        reference_tolerance=1e-12,
        grid_directions=512,
    )
    return kinds.ConditionalGradientJob(**(values | changes))


def test_the_curves_of_a_smoke_run_have_nonnegative_gaps_below_the_bound():
    curves = kinds.conditional_gradient_curves(rate_job())
    assert set(curves["variant"]) == set(fw.VARIANTS)
    assert (curves["primal_gap"] >= 0.0).all() and curves["reference_checked"].all()
    assert curves["reference_converged"].all()
    assert (curves["grid_loss"] >= curves["reference_lower_bound"] - 1e-12).all()
    assert curves.equals(kinds.conditional_gradient_curves(rate_job()))  # a job rerun alone gives the same curves
    for variant in fw.VARIANTS:
        row = kinds.rate_row(
            kinds.ConditionalGradientRateJob("y", 0, {}, curves="x", variant=variant, slope_from=10, slope_points=21),
            curves,
        )
        assert 0.0 < row["bound_ratio"] <= 1.0, variant
        assert row["gap_at_10"] >= row["gap_at_100"] >= 0.0
        # a run of 120 steps has no gap at t = 1000, unless it stopped at the optimum and keeps its iterate
        assert math.isnan(row["gap_at_1000"]) != row["stopped_at_optimum"]


def test_the_rate_row_of_a_known_power_law():
    t = np.arange(0, 201)
    gaps = np.concatenate([[1.0], 0.5 / t[1:] ** 1.5])
    curves = pd.DataFrame(
        {
            "variant": fw.OPEN_LOOP,
            "iteration": t,
            "loss": 1.0 + gaps,
            "primal_gap": gaps,
            "duality_gap": 2 * gaps,
            "active_units": t,
            "radius_value": 0.5,
            "radius_ratio": 0.5,
            "teacher_norm": 1.0,
            "zero_predictor_loss": 2.0,
            "reference_loss": 1.0,
            "optimum_estimate": 1.0,
            "reference_lower_bound": 1.0,
            "reference_converged": True,
            "reference_units": 3,
            "grid_loss": 1.0,
            "reference_checked": True,
            "stopped_at_optimum": False,
        }
    )
    job = kinds.ConditionalGradientRateJob("y", 0, {}, curves="x", variant=fw.OPEN_LOOP, slope_from=10, slope_points=41)
    row = kinds.rate_row(job, curves)
    # C_f = 4 delta^2 = 1; ratio(t) = gaps(t) (t + 2) / 2 for t >= 1 (t = 0 is left out), largest at t = 1
    assert row["bound_ratio"] == pytest.approx(0.5 * 3 / 2)
    assert row["worst_iteration"] == 1
    assert row["slope"] == pytest.approx(-1.5, abs=1e-9)
    assert row["gap_at_100"] == pytest.approx(0.5 / 100**1.5) and math.isnan(row["gap_at_1000"])


def test_the_new_unit_row_reaches_at_most_the_exact_maximum():
    job = kinds.NewUnitStepJob(
        "x", 3, {}, input_dim=2, n_train=15, teacher_units=3, timing_repeats=2, evaluations=300, ascent_starts=5
    )
    row = kinds.new_unit_row(job)
    assert row["cells"] == row["cover_count"] == fw.cover_count(15, 3)
    assert 0.0 < row["random_search_share"] <= 1.0 + 1e-12 and 0.0 < row["gradient_ascent_share"] <= 1.0 + 1e-12
    assert row["exact_seconds"] > 0.0 and row["timing_repeats"] == 2


def test_both_methods_of_the_comparison_see_the_same_data_and_units():
    rows = {
        method: kinds.versus_particles_row(
            kinds.VersusParticlesJob(
                "x",
                9,
                {},
                method=method,
                input_dim=3,
                n_train=40,
                test_size=50,
                teacher_units=2,
                n_units=4,
                n_steps=200,
                step_size=4.0,
                init_scale=0.05,
                ascent_starts=4,
            )
        )
        for method in kinds.METHODS
    }
    assert len({row["train_zero_predictor_loss"] for row in rows.values()}) == 1
    assert len({row["zero_predictor_loss"] for row in rows.values()}) == 1
    assert all(row["units"] <= 4 for row in rows.values())
    # conditional gradient: m new-unit steps of 2 n_steps evaluations of n d multiply-adds each
    assert rows[kinds.RANDOM_SEARCH_METHOD]["multiply_adds"] == 4 * 400 * 40 * 3
    assert rows[kinds.PARTICLE_METHOD]["multiply_adds"] == 200 * 2 * 40 * 4 * 4
    assert all(row["final_train_loss"] < row["train_zero_predictor_loss"] for row in rows.values())
    with pytest.raises(ValueError, match="unknown method"):
        kinds.versus_particles_row(kinds.VersusParticlesJob("x", 9, {}, "newton", 3, 40, 50, 2, 4, 200, 4.0, 0.05, 4))


# ---------------------------------------------------------------------------------------------------------------
# The experiment: grid, cross-key checks


class RecordingBuilder:
    """What the plan's Builder records of ``job`` calls (kind, path parts, seed configuration, labels, fields)."""

    def __init__(self):
        self.jobs = []

    def job(self, kind, parts, seed_configuration, repetition, /, *, labels=None, **fields):
        record = {"kind": kind, "parts": parts, "seed": (tuple(seed_configuration.items()), repetition)}
        self.jobs.append(record | {"labels": labels | {"repetition": repetition}, **fields})
        return type("Job", (), {"id": "/".join(parts) + f"/rep{repetition}"})()

    def of(self, kind):
        return [job for job in self.jobs if job["kind"] == kind]


def test_the_grid_shares_data_across_radii_and_methods_and_leaves_large_arrangements_out():
    builder = RecordingBuilder()
    experiment.build({"frank_wolfe": SECTION}, builder)
    curves, rows = builder.of("conditional_gradient"), builder.of("conditional_gradient_rate")
    assert len(curves) == 3 * 3 and len(rows) == 3 * 3 * 3
    assert len({job["seed"] for job in curves}) == 3  # one data draw per repetition, for every radius
    assert sorted({job["radius_ratio"] for job in curves}) == [0.5, 1.0, 2.0]
    steps = builder.of("new_unit_step")
    assert len(steps) == 3 * 3 * 2
    assert {job["timing_repeats"] for job in steps if job["n_train"] == 20} == {2}
    assert {job["timing_repeats"] for job in steps if job["n_train"] == 10} == {1}
    # d = 3 at n = 20 has 2 (1 + 19 + 171 + 969) = 2,320 cells: above max_cells = 1,000 it is not run
    section = copy.deepcopy(SECTION)
    section["new_unit_step"]["max_cells"] = 1000
    assert experiment.new_unit_grid(section) == [(1, 10), (1, 20), (2, 10), (2, 20), (3, 10)]
    versus = builder.of("conditional_gradient_versus_particles")
    assert len(versus) == 3 * 2 * 3 and len({job["seed"] for job in versus}) == 3 * 2
    keys = {tuple(job["labels"]) for kind in kinds.KINDS if kind.writes_final_row for job in builder.of(kind.name)}
    assert keys == {("study", "variant", "radius", "input_dim", "n_train", "repetition")}


def problems_with(change):
    section = copy.deepcopy(SECTION)
    change(section)
    return experiment.EXPERIMENT.cross_key_problems({"frank_wolfe": section})


def test_the_smoke_section_has_no_cross_key_problem():
    assert problems_with(lambda section: None) == []


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda s: s["rate"]["radius_ratio"].update(below=1.2), "frank_wolfe.rate.radius_ratio"),
        (lambda s: s["rate"].update(n_iterations=10), "frank_wolfe.rate.n_iterations"),
        (lambda s: s["rate"].update(reference_iterations=50), "frank_wolfe.rate.reference_iterations"),
        (lambda s: s["support"].update(radius_ratio=1.0), "frank_wolfe.support.radius_ratio"),
        (lambda s: s["new_unit_step"].update(n_train=[3, 20]), "frank_wolfe.new_unit_step.n_train"),
        (lambda s: s["new_unit_step"].update(timing_n_train=30), "frank_wolfe.new_unit_step.timing_n_train"),
        (lambda s: s["new_unit_step"].update(max_cells=30), "frank_wolfe.new_unit_step.max_cells"),
        (lambda s: s["new_unit_step"].update(evaluations=5), "frank_wolfe.new_unit_step.evaluations"),
        (lambda s: s["versus_particles"].update(n_units=7), "frank_wolfe.versus_particles.n_units"),
    ],
)
def test_inconsistent_settings_are_refused_by_name(change, key):
    problems = problems_with(change)
    assert any(f"config key '{key}'" in problem for problem in problems), problems


# ---------------------------------------------------------------------------------------------------------------
# Claims on hand-made results


def finals_table(bound=0.1, slope=-1.6, units=(2, 3), cells_off=0, times=(1e-3, 2e-2, 1.0), losses=(1e-2, 1e-4)):
    """A finals table as the aggregation stacks it: 3 repetitions of every study."""
    rows = []
    for repetition in range(3):
        for radius in ("below", "equal", "above"):
            for variant in fw.VARIANTS:
                rows.append(
                    {
                        "study": "rate",
                        "variant": variant,
                        "radius": radius,
                        "input_dim": 2,
                        "n_train": 100,
                        "repetition": repetition,
                        "bound_ratio": bound * (1 + 0.1 * repetition),
                        "worst_iteration": 3,
                        "slope": slope + 0.01 * repetition,
                        "reference_checked": True,
                    }
                )
        for n, count in zip((5, 10), units):
            rows.append(
                {
                    "study": "support",
                    "variant": "fully_corrective",
                    "radius": "below",
                    "input_dim": 2,
                    "n_train": n,
                    "repetition": repetition,
                    "units": count,
                    "units_share": count / n,
                    "binding": True,
                    "converged": True,
                }
            )
        for d, seconds in zip((1, 2, 3), times):
            for n in (10, 100):
                cover = fw.cover_count(n, d + 1)
                rows.append(
                    {
                        "study": "new_unit_step",
                        "variant": "exact",
                        "radius": "none",
                        "input_dim": d,
                        "n_train": n,
                        "repetition": repetition,
                        "exact_seconds": seconds * (1 + 0.05 * repetition),
                        "cover_count": cover,
                        "cells": cover - (cells_off if d == 3 else 0),
                    }
                )
        for d in (2, 50):
            for method, loss in zip(kinds.METHODS, (losses[0], losses[0] / 2, losses[1])):
                rows.append(
                    {
                        "study": "versus_particles",
                        "variant": method,
                        "radius": "none",
                        "input_dim": d,
                        "n_train": 500,
                        "repetition": repetition,
                        "final_train_loss": loss * (1 + 0.1 * repetition),
                        "multiply_adds": 1e9,
                        "diverged": False,
                    }
                )
    table = pd.DataFrame(rows)
    table["diverged"] = table["diverged"].fillna(False).astype(bool)
    return table


def verdicts(table):
    return {result.claim: result.verdict for result in experiment.claims(table, [], {"timing_n_train": 100})}


def test_the_claims_hold_on_results_that_say_what_the_report_says():
    results = {result.claim: result for result in experiment.claims(finals_table(), [], {"timing_n_train": 100})}
    assert list(results) == list(experiment.EXPERIMENT.claim_names)
    assert {claim: result.verdict for claim, result in results.items()} == dict.fromkeys(results, "holds")
    assert results["C13-rate-bound"].value == pytest.approx(0.12)
    assert results["C13-support"].value == pytest.approx(0.4)
    assert results["C14-cost-growth"].value == pytest.approx(20.0)  # 1e-3 -> 2e-2 -> 1: 20x, then 50x
    assert results["C14-cost-cover"].value == 1.0
    assert results["C14-practical"].value == pytest.approx(50.0)  # the better approximate step: 5e-3 / 1e-4


def test_the_claims_fail_on_results_that_contradict_the_report():
    table = finals_table(
        bound=3.0, slope=-0.5, units=(7, 12), cells_off=1, times=(1e-3, 3e-3, 9e-3), losses=(2e-4, 1e-4)
    )
    results = {result.claim: result for result in experiment.claims(table, [], {"timing_n_train": 100})}
    assert {claim: result.verdict for claim, result in results.items()} == dict.fromkeys(results, "does not hold")
    assert "d = 3, n = 10" in results["C14-cost-cover"].detail
    assert results["C13-support"].value == pytest.approx(1.4)


def test_the_claims_say_when_they_cannot_be_evaluated():
    for result in experiment.claims(None, [], {"timing_n_train": 100}):
        assert result.verdict == "not evaluated" and math.isnan(result.value)
    table = finals_table()
    table.loc[table["study"] == "support", "binding"] = False
    table.loc[table["study"] == "rate", "reference_checked"] = False
    table = table[~((table["study"] == "versus_particles") & (table["variant"] == kinds.PARTICLE_METHOD))]
    found = verdicts(table)
    assert found["C13-support"] == found["C13-rate-bound"] == found["C14-practical"] == "not evaluated"
    assert verdicts(finals_table())["C14-cost-growth"] == "holds"
    assert experiment.claim_cost_growth(finals_table(), 30).verdict == "not evaluated"  # no timing at n = 30


def test_the_figures_draw_from_hand_made_results():
    table = finals_table()
    for column, value in (
        ("random_search_share", 0.9),
        ("gradient_ascent_share", 0.99),
        ("evaluations", 200),
        ("units", 4),
    ):
        table[column] = table[column].fillna(value) if column in table else value
    figure = experiment.plot_new_unit(table, 100)
    assert len(figure.axes) == 5  # four panels and the twin axis of the cells
    curves = [
        kinds.conditional_gradient_curves(rate_job(ratio, labels={"study": "rate", "radius": radius, "repetition": 0}))
        for radius, ratio in (("below", 0.5), ("equal", 1.0), ("above", 2.0))
    ]
    figure = experiment.plot_rate(experiment.gap_curves(curves), table)
    assert [axis.get_xscale() for axis in figure.axes] == ["log"] * 4


# ---------------------------------------------------------------------------------------------------------------
# End to end


@pytest.mark.skipif("frank_wolfe" not in EXPERIMENTS, reason="the experiment is not in the registry yet")
def test_snakemake_frank_wolfe_builds_the_figures_and_the_claims(tmp_path):
    project = copy_project(tmp_path / "project")
    snakemake_in(project, "frank_wolfe", "--cores", "2")
    for name in ("frank_wolfe_rate", "frank_wolfe_new_unit"):
        assert (project / "figures" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    claims = pd.read_csv(project / "results" / "experiment_claims" / "paper" / "seed0" / "frank_wolfe.csv")
    assert list(claims["claim"]) == list(experiment.EXPERIMENT.claim_names)
    assert set(claims["verdict"]) <= {"holds", "does not hold", "inconclusive", "not evaluated"}
    summary = pd.read_csv(project / "results" / "frank_wolfe_summary" / "rate.csv")
    assert len(summary) == 9 and (summary["references_checked"] == 3).all()
    assert planned_jobs(snakemake_in(project, "-n", "frank_wolfe")) == {}
