"""Kinds of the conditional-gradient experiment (the report's section 4, `snakemake frank_wolfe`).

Five kinds, one record, job function and runtime estimate each, the numerics in :mod:`convexnn.frank_wolfe`:

- ``conditional_gradient``: one data draw (inputs on the unit circle, a teacher of unit-norm ReLU units with
  b*_j = +-1, so gamma_1(f*) = sum_j |b*_j|) and one radius delta; the three variants (step 2/(t+2), exact line
  search, fully corrective) with the exact circle step, the fully corrective run to convergence as the reference
  R*, and R* checked against the convex QP over a fine grid of directions. Writes the curves (one row per variant
  and iteration): not a final row, the figure reads it;
- ``conditional_gradient_rate``: one variant's row from such a curve: the largest ratio of the primal gap to the
  bound 2 C_f / (t + 2), the fitted log-log slope, the gap at t = 10, 100, 1000;
- ``conditional_gradient_support``: the fully corrective solution at a binding radius on n points, and its number
  of units (Theorem 2.2);
- ``new_unit_step``: the exact new-unit step in R^(d+1) (with a bias) by enumerating the arrangement, its cells
  against Cover's count and its time, and two approximate steps at a fixed budget against it;
- ``conditional_gradient_versus_particles``: conditional gradient with an approximate step, or particle gradient
  descent on the mean-field network, on the same data with the same number of units and a comparable budget.

Each job holds BLAS to one thread for the whole process, as the kind ``gradient_descent`` does (Snakemake runs jobs
as threads of one process, one per core; the exact step's CPU time is then the time of its own thread).

Every final row carries the same labels (study, variant, radius, input_dim, n_train, then the repetition), so that
the aggregation stacks them into one table; ``radius`` names the regime ("below", "equal", "above" gamma_1(f*),
"none" where no l1 ball constrains the fit). Every random draw comes from the job's seed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from convexnn.frank_wolfe import (
    FULLY_CORRECTIVE,
    LINE_SEARCH,
    OPEN_LOOP,
    circle_new_unit,
    cover_count,
    curvature_bound,
    exact_new_unit,
    fit_on_l1_ball,
    frank_wolfe,
    gradient_ascent_new_unit,
    random_search_new_unit,
    square_risk,
)
from convexnn.gradient_descent import (
    doubled_initialisation,
    draw_sign_teacher,
    gradient_descent,
    log_spaced_checkpoints,
    sphere_inputs,
    teacher_outputs,
)
from convexnn.identity import record_identity
from convexnn.kinds import JobKind, Record, run_row_job
from convexnn.seeding import generator
from convexnn.storage import PathLike, append_to_log, read_table, write_table

# The gap is reported at these iterations (NaN beyond a run's end; after a run stopped at the optimum, its last
# gap).
REPORTED_ITERATIONS = (10, 100, 1000)
CURVE_COLUMNS = ("variant", "iteration", "loss", "primal_gap", "duality_gap", "active_units", "stopped_at_optimum")
# The fully corrective reference is "checked" when the grid QP (a restriction of the problem, so >= the true R*)
# is not below the reference's certified lower bound R(f_ref) - gap(f_ref), up to this share of R(0).
REFERENCE_CHECK = 1e-12
# A unit of weight |w_j| <= ZERO_WEIGHT * delta is dropped when units are counted (Theorem 2.2).
ZERO_WEIGHT = 1e-10


def _circle_teacher_data(rng: np.random.Generator, teacher_units: int, n_train: int):
    """(inputs (n, 2) uniform on the unit circle, targets, gamma_1(f*) = sum |b*_j|): the teacher is drawn first."""
    output_weights, hidden_weights = draw_sign_teacher(rng, teacher_units, 2)
    inputs = sphere_inputs(rng, n_train, 2)
    return inputs, teacher_outputs(output_weights, hidden_weights, inputs), float(np.abs(output_weights).sum())


# ---------------------------------------------------------------------------------------------------------------
# conditional_gradient: the curves of the three variants on one data draw and one radius


@dataclass(frozen=True)
class ConditionalGradientJob(Record):
    """The three variants for ``n_iterations`` steps on ``n_train`` points of the circle at delta =
    ``radius_ratio`` gamma_1(f*); the fully corrective reference for at most ``reference_iterations`` steps, until
    its duality gap is at most ``reference_tolerance`` R(0); the grid QP over ``grid_directions`` directions."""

    id: str
    seed: int
    labels: dict = field(hash=False)
    teacher_units: int
    n_train: int
    radius_ratio: float
    n_iterations: int
    reference_iterations: int
    reference_tolerance: float
    grid_directions: int

    @property
    def path(self) -> str:
        return f"results/conditional_gradient/{self.id}.csv"


def conditional_gradient_curves(job: ConditionalGradientJob) -> pd.DataFrame:
    """One row per (variant, iteration t = 0 .. T): R(f_t), the primal gap R(f_t) - R*, the duality gap, the
    units of nonzero weight; and per row the reference values (R*, its certified lower bound, the grid QP's
    value, delta, gamma_1(f*), R(0))."""
    rng = generator(job.seed)
    inputs, targets, gamma = _circle_teacher_data(rng, job.teacher_units, job.n_train)
    radius = job.radius_ratio * gamma
    zero_loss = square_risk(np.zeros(job.n_train), targets)
    reference = frank_wolfe(
        inputs,
        targets,
        radius,
        job.reference_iterations,
        FULLY_CORRECTIVE,
        new_unit=circle_new_unit,
        stop_gap=job.reference_tolerance * zero_loss,
        zero_weight=ZERO_WEIGHT,
    )
    angles = 2.0 * math.pi * np.arange(job.grid_directions) / job.grid_directions
    _, grid = fit_on_l1_ball(np.column_stack([np.cos(angles), np.sin(angles)]), inputs, targets, radius)
    grid_loss = square_risk(grid.point, targets)
    runs = {
        OPEN_LOOP: frank_wolfe(inputs, targets, radius, job.n_iterations, OPEN_LOOP, new_unit=circle_new_unit),
        LINE_SEARCH: frank_wolfe(inputs, targets, radius, job.n_iterations, LINE_SEARCH, new_unit=circle_new_unit),
        FULLY_CORRECTIVE: reference,
    }
    # R*: the smallest loss reached by a feasible point (the reference's, but for rounding), so that every gap is
    # >= 0; certified from below by the reference's duality gap (the new-unit step is exact).
    lower_bound = float(reference.losses[-1] - reference.duality_gaps[-1])
    best = min(grid_loss, *(float(np.min(run.losses)) for run in runs.values()))
    parts = []
    for variant, run in runs.items():
        steps = min(len(run.losses), job.n_iterations + 1)
        parts.append(
            pd.DataFrame(
                {
                    "variant": variant,
                    "iteration": np.arange(steps),
                    "loss": run.losses[:steps],
                    "primal_gap": run.losses[:steps] - best,
                    "duality_gap": run.duality_gaps[:steps],
                    "active_units": run.active_units[:steps],
                    # the run stopped at the exact optimum (its duality gap reached 0, or the tolerance)
                    "stopped_at_optimum": bool(run.converged),
                }
            )
        )
    curves = pd.concat(parts, ignore_index=True)
    reference_values = {
        "radius_value": radius,
        "radius_ratio": job.radius_ratio,
        "teacher_norm": gamma,
        "zero_predictor_loss": zero_loss,
        "reference_loss": float(reference.losses[-1]),
        "optimum_estimate": best,
        "reference_lower_bound": lower_bound,
        "reference_converged": bool(reference.converged),
        "reference_iterations": len(reference.losses) - 1,
        "reference_units": int(reference.active_units[-1]),
        "grid_loss": grid_loss,
        # the grid QP restricts the problem and no run may go below R*'s certified lower bound
        "reference_checked": bool(min(grid_loss, best) >= lower_bound - REFERENCE_CHECK * zero_loss),
    }
    clashes = set(job.labels) & (set(curves.columns) | set(reference_values))
    if clashes:
        raise ValueError(f"labels {sorted(clashes)} of {job.id} would overwrite columns of its curves")
    return curves.assign(**job.labels, **reference_values)


def run_conditional_gradient(job: dict, path: PathLike, log_path: PathLike | None = None) -> None:
    """Run the job (a :class:`ConditionalGradientJob` as params) and write its curves."""
    threadpool_limits(limits=1, user_api="blas")
    job = ConditionalGradientJob.from_params(job)
    append_to_log(log_path, f"conditional gradient {job.id}: {job}", first=True)
    curves = conditional_gradient_curves(job)
    write_table(curves, path, identity=record_identity(job))
    first = curves.iloc[0]
    append_to_log(
        log_path,
        f"R* = {first['optimum_estimate']:.6g} (certified >= {first['reference_lower_bound']:.6g}, "
        f"{first['reference_iterations']} fully corrective steps, converged {first['reference_converged']}); "
        f"grid QP {first['grid_loss']:.6g}; checked {first['reference_checked']}",
    )


# Measured on one core (n = 100, T = 1000): a step of the two fixed-step variants about 0.1 ms, the reference about
# 2 ms a step (its QP), the grid QP 4096 directions about 0.1 s.
def _conditional_gradient_seconds(job: ConditionalGradientJob) -> float:
    per_step = 1e-6 * job.n_train
    return (
        5.0
        + 2 * job.n_iterations * per_step
        + job.reference_iterations * 20 * per_step
        + 1e-7 * job.grid_directions * job.n_train
    )


CURVES_KIND = JobKind(
    name="conditional_gradient",
    wildcard="cg_curves",
    record=ConditionalGradientJob,
    entry="convexnn.kinds.conditional_gradient",
    outputs={"table": ".csv"},
    mem_mb=500,
    seconds=lambda job: _conditional_gradient_seconds(job),
)


# ---------------------------------------------------------------------------------------------------------------
# conditional_gradient_rate: one variant's row from the curves


@dataclass(frozen=True)
class ConditionalGradientRateJob(Record):
    """The row of ``variant`` from the curves of the ``conditional_gradient`` job ``curves``: the log-log slope
    of the gap is fitted at ``slope_points`` log-spaced iterations from ``slope_from`` to the last."""

    id: str
    seed: int
    labels: dict = field(hash=False)
    curves: str
    variant: str
    slope_from: int
    slope_points: int

    @property
    def path(self) -> str:
        return f"results/conditional_gradient_rate/{self.id}.csv"


def log_spaced_iterations(first: int, last: int, count: int) -> np.ndarray:
    """About ``count`` distinct integers log-spaced from ``first`` to ``last`` (both included)."""
    return np.unique(np.rint(np.logspace(math.log10(first), math.log10(last), count)).astype(int))


def fitted_slope(iterations: np.ndarray, gaps: np.ndarray) -> float:
    """The least-squares slope of log gap against log t; NaN if a gap is not positive (a run that converged)."""
    if len(iterations) < 2 or np.any(gaps <= 0.0) or not np.all(np.isfinite(gaps)):
        return math.nan
    return float(np.polyfit(np.log(iterations), np.log(gaps), 1)[0])


def rate_row(job: ConditionalGradientRateJob, curves: pd.DataFrame) -> dict:
    """The bound ratio max_{t >= 1} (R(f_t) - R*) (t + 2) / (2 C_f) with C_f = 4 delta^2 (the bound holds where it
    is <= 1), the iteration where it is largest, the fitted slope, the gap at :data:`REPORTED_ITERATIONS`."""
    curve = curves[curves["variant"] == job.variant].sort_values("iteration")
    if curve.empty:
        raise ValueError(f"the curves {job.curves} have no variant {job.variant!r}")
    first = curve.iloc[0]
    radius = float(first["radius_value"])
    iterations = curve["iteration"].to_numpy()
    gaps = curve["primal_gap"].to_numpy(dtype=float)
    later = iterations >= 1
    ratios = gaps[later] * (iterations[later] + 2.0) / (2.0 * curvature_bound(radius))
    last = int(iterations[-1])
    converged = bool(first["stopped_at_optimum"])
    reported = {}
    for t in REPORTED_ITERATIONS:
        if t <= last:
            reported[f"gap_at_{t}"] = float(gaps[iterations == t][0])
        else:  # a run that stopped at the optimum keeps its iterate
            reported[f"gap_at_{t}"] = float(gaps[-1]) if converged else math.nan
    fit = log_spaced_iterations(job.slope_from, max(last, job.slope_from + 1), job.slope_points)
    fit = fit[fit <= last]
    return {
        "radius_ratio": float(first["radius_ratio"]),
        "radius_value": radius,
        "teacher_norm": float(first["teacher_norm"]),
        "n_iterations": last,
        "stopped_at_optimum": converged,
        "bound_ratio": float(np.max(ratios)) if ratios.size else math.nan,
        "worst_iteration": int(iterations[later][np.argmax(ratios)]) if ratios.size else -1,
        "slope": fitted_slope(fit, gaps[np.searchsorted(iterations, fit)]),
        **reported,
        "smallest_gap": float(np.min(gaps)),
        "final_duality_gap": float(curve["duality_gap"].iloc[-1]),
        "final_units": int(curve["active_units"].iloc[-1]),
        "reference_loss": float(first["reference_loss"]),
        "optimum_estimate": float(first["optimum_estimate"]),
        "reference_lower_bound": float(first["reference_lower_bound"]),
        "grid_loss": float(first["grid_loss"]),
        "reference_checked": bool(first["reference_checked"]),
        "reference_units": int(first["reference_units"]),
        "final_gap": float(gaps[-1]),
        "excess_loss": float(curve["loss"].iloc[-1]),  # R(f_T), the final training loss (R* in its own column)
        "initial_test_loss": math.nan,  # no test set: the problem is the empirical risk (4)
        "zero_predictor_loss": float(first["zero_predictor_loss"]),
        "diverged": False,
    }


def write_rate_row(job: dict, curves: list, path: PathLike, log_path: PathLike | None = None) -> None:
    """The row of one variant (a :class:`ConditionalGradientRateJob` as params) from its curves
    (``curves``: [table, the identity it must carry])."""
    curves_path, curves_identity = curves
    run_row_job(
        ConditionalGradientRateJob,
        job,
        "conditional gradient rate",
        lambda job: rate_row(job, read_table(curves_path, CURVE_COLUMNS, identity=curves_identity)),
        path,
        log_path,
    )


RATE_KIND = JobKind(
    name="conditional_gradient_rate",
    wildcard="cg_rate",
    record=ConditionalGradientRateJob,
    entry="convexnn.kinds.conditional_gradient",
    outputs={"table": ".csv"},
    mem_mb=500,
    seconds=lambda job, curves: 1.0,
    references={"curves": "conditional_gradient"},
    writes_final_row=True,
)


# ---------------------------------------------------------------------------------------------------------------
# conditional_gradient_support: Theorem 2.2


@dataclass(frozen=True)
class SupportJob(Record):
    """The fully corrective run on ``n_train`` points of the circle at delta = ``radius_ratio`` gamma_1(f*), for at
    most ``max_iterations`` steps, until its duality gap is at most ``tolerance`` R(0)."""

    id: str
    seed: int
    labels: dict = field(hash=False)
    teacher_units: int
    n_train: int
    radius_ratio: float
    max_iterations: int
    tolerance: float

    @property
    def path(self) -> str:
        return f"results/conditional_gradient_support/{self.id}.csv"


# The ball binds when the solution's l1 norm is delta to this relative precision and R* is above this share of
# R(0): not interpolating (otherwise Wolfe's corral may hold n + 1 atoms, and the theorem is not about that case).
BINDING_PRECISION = 1e-9


def support_row(job: SupportJob) -> dict:
    """The solution's units of weight above :data:`ZERO_WEIGHT` delta, their share of n, and whether the ball binds."""
    rng = generator(job.seed)
    inputs, targets, gamma = _circle_teacher_data(rng, job.teacher_units, job.n_train)
    radius = job.radius_ratio * gamma
    zero_loss = square_risk(np.zeros(job.n_train), targets)
    run = frank_wolfe(
        inputs,
        targets,
        radius,
        job.max_iterations,
        FULLY_CORRECTIVE,
        stop_gap=job.tolerance * zero_loss,
        zero_weight=ZERO_WEIGHT,
    )
    units = int(np.sum(np.abs(run.weights) > ZERO_WEIGHT * radius))
    norm_share = float(np.abs(run.weights).sum() / radius)
    loss = float(run.losses[-1])
    return {
        "radius_ratio": job.radius_ratio,
        "radius_value": radius,
        "teacher_norm": gamma,
        "units": units,
        "units_share": units / job.n_train,
        "weight_norm_share": norm_share,
        "binding": bool(norm_share >= 1.0 - BINDING_PRECISION and loss > BINDING_PRECISION * zero_loss),
        "reference_loss": loss,
        "final_duality_gap": float(run.duality_gaps[-1]),
        "n_iterations": len(run.losses) - 1,
        "converged": bool(run.converged),
        "excess_loss": loss,  # R* on the training points
        "initial_test_loss": math.nan,
        "zero_predictor_loss": zero_loss,
        "diverged": False,
    }


def run_support(job: dict, path: PathLike, log_path: PathLike | None = None) -> None:
    """Run the job (a :class:`SupportJob` as params) and write its row."""
    run_row_job(SupportJob, job, "conditional gradient support", support_row, path, log_path)


SUPPORT_KIND = JobKind(
    name="conditional_gradient_support",
    wildcard="cg_support",
    record=SupportJob,
    entry="convexnn.kinds.conditional_gradient",
    outputs={"table": ".csv"},
    mem_mb=500,
    seconds=lambda job: 5.0 + 2e-5 * job.max_iterations * job.n_train,
    writes_final_row=True,
)


# ---------------------------------------------------------------------------------------------------------------
# new_unit_step: the exact step against Cover's count, its time, and approximate steps


@dataclass(frozen=True)
class NewUnitStepJob(Record):
    """The new-unit step at f_0 = 0 (g = -y) for ``n_train`` inputs x ~ N(0, I_d), d = ``input_dim``, with a bias
    (x~ = [x; 1] in R^(d+1)) and a teacher of ``teacher_units`` units with |a*_j| = 1 in R^(d+1), b*_j = +-1: the
    exact step timed ``timing_repeats`` times (the median is kept), and the best of ``evaluations`` random
    directions and gradient ascent from ``ascent_starts`` starts at the same number of evaluations of h."""

    id: str
    seed: int
    labels: dict = field(hash=False)
    input_dim: int
    n_train: int
    teacher_units: int
    timing_repeats: int
    evaluations: int
    ascent_starts: int

    @property
    def path(self) -> str:
        return f"results/new_unit_step/{self.id}.csv"


def bias_teacher_data(rng: np.random.Generator, teacher_units: int, n_train: int, input_dim: int):
    """(x~ = [x; 1] (n, d + 1) with x ~ N(0, I_d), y): the teacher is drawn first, then the inputs."""
    output_weights, hidden_weights = draw_sign_teacher(rng, teacher_units, input_dim + 1)
    inputs = np.column_stack([rng.standard_normal((n_train, input_dim)), np.ones(n_train)])
    return inputs, teacher_outputs(output_weights, hidden_weights, inputs)


def new_unit_row(job: NewUnitStepJob) -> dict:
    """The exact step's value, cells, candidates and median time (CPU seconds of the thread, and wall seconds),
    Cover's count, and the share |h(v)| / max |h| that each approximate step reaches."""
    rng = generator(job.seed)
    inputs, targets = bias_teacher_data(rng, job.teacher_units, job.n_train, job.input_dim)
    residuals = -targets  # the gradient of R at f_0 = 0 (times n)
    # CPU time of the job's thread (time.thread_time): unlike the wall time it does not count the waits for the
    # cores and the interpreter lock that other jobs of the same Snakemake process, or other processes, cause.
    seconds, wall_seconds = [], []
    for _ in range(job.timing_repeats):
        start, wall_start = time.thread_time(), time.perf_counter()
        exact = exact_new_unit(inputs, residuals)
        seconds.append(time.thread_time() - start)
        wall_seconds.append(time.perf_counter() - wall_start)
    searched = random_search_new_unit(rng, inputs, residuals, job.evaluations)
    ascent = gradient_ascent_new_unit(rng, inputs, residuals, job.evaluations, job.ascent_starts)
    best = abs(exact.value)
    return {
        "dimension": job.input_dim + 1,
        "cover_count": cover_count(job.n_train, job.input_dim + 1),
        "cells": exact.cells,
        "candidates": exact.candidates,
        "exact_seconds": float(np.median(seconds)),
        "exact_wall_seconds": float(np.median(wall_seconds)),
        "timing_repeats": job.timing_repeats,
        "exact_value": best,
        "random_search_value": abs(searched.value),
        "random_search_share": abs(searched.value) / best,
        "gradient_ascent_value": abs(ascent.value),
        "gradient_ascent_share": abs(ascent.value) / best,
        "evaluations": job.evaluations,
        "excess_loss": math.nan,  # no loss: a single step
        "initial_test_loss": math.nan,
        "zero_predictor_loss": square_risk(np.zeros(job.n_train), targets),
        "diverged": False,
    }


def run_new_unit_step(job: dict, path: PathLike, log_path: PathLike | None = None) -> None:
    """Run the job (a :class:`NewUnitStepJob` as params) and write its row."""
    run_row_job(NewUnitStepJob, job, "new-unit step", new_unit_row, path, log_path)


# Measured on one core: about 1 microsecond per (candidate, input) of the enumeration, whose candidates number
# about 7.5 times Cover's count (2.4e6 for 3.2e5 cells at d = 3, n = 100: 2 to 3 s).
def _new_unit_seconds(job: NewUnitStepJob) -> float:
    candidates = 7.5 * cover_count(job.n_train, job.input_dim + 1)
    enumeration = job.timing_repeats * candidates * job.n_train * 1.2e-8
    return 5.0 + enumeration + 3e-8 * job.evaluations * job.n_train * (job.input_dim + 1)


NEW_UNIT_KIND = JobKind(
    name="new_unit_step",
    wildcard="new_unit",
    record=NewUnitStepJob,
    entry="convexnn.kinds.conditional_gradient",
    outputs={"table": ".csv"},
    mem_mb=1500,
    seconds=lambda job: _new_unit_seconds(job),
    writes_final_row=True,
)


# ---------------------------------------------------------------------------------------------------------------
# conditional_gradient_versus_particles: the approximate step in conditional gradient against particle descent

RANDOM_SEARCH_METHOD = "conditional_gradient_random_search"
GRADIENT_ASCENT_METHOD = "conditional_gradient_gradient_ascent"
PARTICLE_METHOD = "particle_gradient_descent"
METHODS = (RANDOM_SEARCH_METHOD, GRADIENT_ASCENT_METHOD, PARTICLE_METHOD)


@dataclass(frozen=True)
class VersusParticlesJob(Record):
    """One ``method`` on ``n_train`` training and ``test_size`` test inputs uniform on the unit sphere of R^d
    (no bias), the teacher of ``teacher_units`` units with |a*_j| = 1, b*_j = +-1, with ``n_units`` units:

    - particle gradient descent: f = (1/m) sum_j b_j (a_j . x)_+, ``n_steps`` of full-batch gradient descent
      with step ``step_size`` from the doubled initialisation N(0, ``init_scale``^2) (f(w0) = 0);
    - conditional gradient, fully corrective, at delta = gamma_1(f*), for m steps (so at most m units), each new
      unit by random search or gradient ascent (``ascent_starts`` starts) with 2 ``n_steps`` evaluations of h:
      m 2 n_steps n d multiply-adds, those of gradient descent's n_steps 2 n m (d + 1)."""

    id: str
    seed: int
    labels: dict = field(hash=False)
    method: str
    input_dim: int
    n_train: int
    test_size: int
    teacher_units: int
    n_units: int
    n_steps: int
    step_size: float
    init_scale: float
    ascent_starts: int

    @property
    def path(self) -> str:
        return f"results/conditional_gradient_versus_particles/{self.id}.csv"


def versus_particles_row(job: VersusParticlesJob) -> dict:
    """The final training and test loss (1/2 mean squared error), the units used, the multiply-adds spent."""
    if job.method not in METHODS:
        raise ValueError(f"unknown method {job.method!r}; expected one of {METHODS}")
    rng = generator(job.seed)
    output_weights, hidden_weights = draw_sign_teacher(rng, job.teacher_units, job.input_dim)
    train_inputs = sphere_inputs(rng, job.n_train, job.input_dim)
    test_inputs = sphere_inputs(rng, job.test_size, job.input_dim)
    train_targets = teacher_outputs(output_weights, hidden_weights, train_inputs)
    test_targets = teacher_outputs(output_weights, hidden_weights, test_inputs)
    width = job.input_dim
    if job.method == PARTICLE_METHOD:
        initial_output, initial_hidden = doubled_initialisation(rng, job.n_units, width, job.init_scale)
        run = gradient_descent(
            initial_output,
            initial_hidden,
            train_inputs,
            train_targets,
            test_inputs,
            test_targets,
            step_size=job.step_size,
            n_steps=job.n_steps,
            checkpoints=log_spaced_checkpoints(job.n_steps, 10),
            scale=1.0 / job.n_units,
        )
        train_loss, test_loss, diverged = float(run.train_losses[-1]), float(run.test_losses[-1]), run.diverged
        units = int(np.sum(np.abs(run.output_weights) * np.linalg.norm(run.hidden_weights, axis=1) > 0.0))
        multiply_adds = job.n_steps * 2 * job.n_train * job.n_units * (width + 1)
    else:
        evaluations = 2 * job.n_steps
        if job.method == RANDOM_SEARCH_METHOD:

            def step(inputs, residuals):
                return random_search_new_unit(rng, inputs, residuals, evaluations)

        else:

            def step(inputs, residuals):
                return gradient_ascent_new_unit(rng, inputs, residuals, evaluations, job.ascent_starts)

        radius = float(np.abs(output_weights).sum())
        run = frank_wolfe(
            train_inputs, train_targets, radius, job.n_units, FULLY_CORRECTIVE, new_unit=step, final_gap=False
        )
        train_loss, diverged = float(run.losses[-1]), False
        test_loss = square_risk(np.maximum(test_inputs @ run.directions.T, 0.0) @ run.weights, test_targets)
        units = int(np.sum(np.abs(run.weights) > ZERO_WEIGHT * radius))
        multiply_adds = job.n_units * evaluations * job.n_train * width
    train_zero = square_risk(np.zeros(job.n_train), train_targets)
    test_zero = square_risk(np.zeros(job.test_size), test_targets)
    return {
        "method": job.method,
        "final_train_loss": math.nan if diverged else train_loss,
        "relative_train_loss": math.nan if diverged else train_loss / train_zero,
        "units": units,
        "multiply_adds": float(multiply_adds),
        "excess_loss": math.nan if diverged else test_loss,  # the final test loss (noiseless teacher: minimum 0)
        "initial_test_loss": test_zero,  # f_0 = 0 for both (the doubled initialisation)
        "zero_predictor_loss": test_zero,
        "train_zero_predictor_loss": train_zero,
        "diverged": bool(diverged),
    }


def run_versus_particles(job: dict, path: PathLike, log_path: PathLike | None = None) -> None:
    """Run the job (a :class:`VersusParticlesJob` as params) and write its row."""
    run_row_job(VersusParticlesJob, job, "conditional gradient versus particles", versus_particles_row, path, log_path)


# About 6e-11 s a multiply-add for either method (gradient descent: benchmarks/gradient_descent.py), and the
# Python overhead of a step, about 30 microseconds.
def _versus_seconds(job: VersusParticlesJob) -> float:
    multiply_adds = job.n_steps * 2 * job.n_train * job.n_units * (job.input_dim + 1)
    return 5.0 + 2e-10 * multiply_adds + 3e-5 * job.n_steps


VERSUS_KIND = JobKind(
    name="conditional_gradient_versus_particles",
    wildcard="cg_versus",
    record=VersusParticlesJob,
    entry="convexnn.kinds.conditional_gradient",
    outputs={"table": ".csv"},
    mem_mb=1000,
    seconds=lambda job: _versus_seconds(job),
    writes_final_row=True,
)

# In the order the registry lists them: a kind that another references comes first.
KINDS = (CURVES_KIND, RATE_KIND, SUPPORT_KIND, NEW_UNIT_KIND, VERSUS_KIND)
