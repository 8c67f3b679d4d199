"""Kind ``adaptivity_regression``: F1 against F2 on a teacher that depends on a low-dimensional subspace
(report 3.3: "when f* depends only on a subspace of dimension s <= d, then we can replace d by s in the
generalization bounds only in F1 and not in F2").

One job is one (d, n, repetition): it draws one data set and fits the three learners on it, so that their test
losses are a paired comparison and one row holds all three:

- **F1**, both layers trained: f(x) = (1/m) sum_j b_j (a_j . x)_+ (mean-field scaling, no bias), every particle
  theta_j = (b_j, a_j) drawn N(0, I_(d+1)) and rescaled to the norm ``init_radius`` (the report's small
  initialisation, section 5.1), ``n_steps`` of full-batch gradient descent on (1/2n) sum_i (f(x_i) - y_i)^2 with
  :func:`convexnn.gradient_descent.gradient_descent` at ``scale = 1/m`` and step ``step_size * m`` (with the 1/m
  scale the gradient of each particle is O(1/m): the step eta m moves each particle at a rate free of m, the
  mean-field time of the run being eta x n_steps);
- **F2 random features**: the same m units, fixed at the directions of F1's initialisation (the Gaussian draws
  before rescaling, i.e. v_j ~ N(0, I_d), the base measure of the kernel), only the output layer fitted by ridge,
  the penalty chosen on a validation split (:func:`convexnn.kernels.random_feature_ridge_with_validation`);
- **F2 kernel**: kernel ridge regression with the closed-form kernel k = lim k_m
  (:func:`convexnn.kernels.arc_cosine_kernel`), the penalty chosen on the same split.

Data: x ~ N(0, I_d), y = f*(x) = sum_j b*_j (a*_j . x)_+ noiseless with a*_j = P u_j in a random s-dimensional
subspace (:func:`convexnn.kernels.draw_subspace_teacher`); the low-dimensional part (u, b*) comes from
``teacher_seed``, one per repetition, shared by every (d, n) of that repetition, and the subspace, the inputs, the
initialisation and the split from the job's seed. The teacher is in F1's model class, so the excess risk is the
test loss; ``zero_predictor_loss`` = (1/2) mean y^2 on the test set. The record, the job function and the runtime
estimate are here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from convexnn.gradient_descent import gradient_descent, log_spaced_checkpoints, square_loss
from convexnn.kernels import (
    arc_cosine_kernel,
    draw_subspace_teacher,
    kernel_ridge_with_validation,
    penalty_grid,
    random_feature_ridge_with_validation,
    relu_features,
    split_for_validation,
)
from convexnn.kinds import JobKind, Record, run_row_job
from convexnn.seeding import generator
from convexnn.storage import PathLike

MEASUREMENTS = (
    "excess_loss",
    "initial_test_loss",
    "zero_predictor_loss",
    "diverged",
    "f1_test_loss",
    "f1_best_test_loss",
    "f1_train_loss",
    "rf_test_loss",
    "rf_relative_penalty",
    "rf_penalty_at_edge",
    "kernel_test_loss",
    "kernel_relative_penalty",
    "kernel_penalty_at_edge",
)


@dataclass(frozen=True)
class AdaptivityRegressionJob(Record):
    """One (d, n, repetition) of the regression setting; see the module docstring. The penalties are
    lambda = 10^e tr(K) / n for ``penalty_count`` exponents e from ``log10_penalty_low`` to ``log10_penalty_high``,
    chosen on a random ``validation_fraction`` of the training points."""

    id: str
    seed: int
    labels: dict = field(hash=False)
    teacher_seed: int
    input_dim: int
    subspace_dim: int
    teacher_units: int
    n_train: int
    test_size: int
    n_units: int
    init_radius: float
    step_size: float
    n_steps: int
    n_checkpoints: int
    validation_fraction: float
    log10_penalty_low: float
    log10_penalty_high: float
    penalty_count: int

    @property
    def path(self) -> str:
        return f"results/adaptivity_regression/{self.id}.csv"


def small_initialisation(rng: np.random.Generator, n_units: int, input_dim: int, radius: float):
    """(Gaussian draws G of shape (m, d+1), b(0), a(0)): theta_j = (b_j, a_j) = radius G_j / ||G_j||, the report's
    initialisation on the sphere of radius r0 (section 5.1, without the bias); G[:, 1:] are the random features'
    units."""
    draws = rng.standard_normal((n_units, input_dim + 1))
    particles = radius * draws / np.linalg.norm(draws, axis=1, keepdims=True)
    return draws, particles[:, 0].copy(), particles[:, 1:].copy()


def regression_row(job: AdaptivityRegressionJob) -> dict:
    """The measurements of one job (see the module docstring): 1/2 mean squared errors on the test set."""
    rng = generator(job.seed)
    teacher = draw_subspace_teacher(
        rng, job.input_dim, job.subspace_dim, job.teacher_units, units_rng=generator(job.teacher_seed)
    )
    train_inputs = rng.standard_normal((job.n_train, job.input_dim))
    test_inputs = rng.standard_normal((job.test_size, job.input_dim))
    train_targets, test_targets = teacher(train_inputs), teacher(test_inputs)
    draws, output_weights, hidden_weights = small_initialisation(rng, job.n_units, job.input_dim, job.init_radius)
    split = split_for_validation(job.n_train, job.validation_fraction, rng)
    penalties = penalty_grid(job.log10_penalty_low, job.log10_penalty_high, job.penalty_count)

    f1 = gradient_descent(
        output_weights,
        hidden_weights,
        train_inputs,
        train_targets,
        test_inputs,
        test_targets,
        step_size=job.step_size * job.n_units,  # the mean-field step: eta m against the 1/m scale
        n_steps=job.n_steps,
        checkpoints=log_spaced_checkpoints(job.n_steps, job.n_checkpoints),
        scale=1.0 / job.n_units,
    )
    units = draws[:, 1:]
    features = random_feature_ridge_with_validation(
        relu_features(train_inputs, units), train_targets, relu_features(test_inputs, units), penalties, split
    )
    kernel = kernel_ridge_with_validation(arc_cosine_kernel, train_inputs, train_targets, test_inputs, penalties, split)
    f1_test = np.nan if f1.diverged else float(f1.test_losses[-1])
    return {
        "excess_loss": f1_test,
        "initial_test_loss": float(f1.test_losses[0]),
        "zero_predictor_loss": square_loss(np.zeros_like(test_targets), test_targets),
        "diverged": bool(f1.diverged),
        "f1_test_loss": f1_test,
        "f1_best_test_loss": float(np.nanmin(f1.test_losses)),
        "f1_train_loss": np.nan if f1.diverged else float(f1.train_losses[-1]),
        "rf_test_loss": square_loss(features.test_predictions, test_targets),
        "rf_relative_penalty": features.relative_penalty,
        "rf_penalty_at_edge": features.at_grid_edge,
        "kernel_test_loss": square_loss(kernel.test_predictions, test_targets),
        "kernel_relative_penalty": kernel.relative_penalty,
        "kernel_penalty_at_edge": kernel.at_grid_edge,
    }


def run_adaptivity_regression(job: dict, path: PathLike, log_path: PathLike | None = None) -> None:
    """Run the job (an :class:`AdaptivityRegressionJob` as params) and write its one-row table: its labels, then
    :data:`MEASUREMENTS`. A diverged F1 run is written too, flagged and logged."""
    run_row_job(AdaptivityRegressionJob, job, "adaptivity regression", regression_row, path, log_path)


# One core of this project's machine (benchmarks/gradient_descent.py): about 2e10 multiply-adds per second, 0.5 ms
# a step of 2 n m (d + 1) = 1e7; eigendecompositions at about 1e9 flops a second.
SECONDS_PER_MULTIPLY_ADD = 6.0e-11
SECONDS_PER_CUBED = 1.0e-9
SECONDS_TO_START = 5.0


def estimated_seconds(job: AdaptivityRegressionJob) -> float:
    """Start-up, the F1 steps and checkpoints, the kernel matrices and the two eigendecompositions."""
    step = 2 * job.n_train * job.n_units * (job.input_dim + 1)
    evaluations = job.n_checkpoints * job.test_size * job.n_units * (job.input_dim + 1)
    kernels = (job.n_train + job.test_size) * job.n_train * (job.input_dim + 30)
    solves = 2 * job.n_train**3
    return (
        SECONDS_TO_START
        + (job.n_steps * step + evaluations + kernels) * SECONDS_PER_MULTIPLY_ADD
        + (solves * SECONDS_PER_CUBED)
    )


KIND = JobKind(
    name="adaptivity_regression",
    wildcard="adaptivity_regression_run",
    record=AdaptivityRegressionJob,
    entry="convexnn.kinds.adaptivity_regression",
    outputs={"table": ".csv"},
    # n = 2,048: the kernel matrix and its eigenvectors (70 MB) and blocks of test rows (33 MB each)
    mem_mb=1000,
    seconds=estimated_seconds,
    writes_final_row=True,
)
