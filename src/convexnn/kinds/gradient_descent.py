"""Kind ``gradient_descent``: a two-layer ReLU network trained by full-batch gradient descent on a
fixed training set, and the same gradient descent on its linearisation at the initialisation
(lazy training, Chizat, Oyallon & Bach 2019; the report's section 5.3 cites it).

One job draws its teacher (m0 units, |a*_j| = 1, b*_j = +-1), its training and test inputs (uniform
on the unit sphere of R^d) and the directions of its initialisation from its seed, scales the
initialisation by ``init_scale`` (tau), runs :func:`convexnn.gradient_descent.gradient_descent` and
:func:`convexnn.gradient_descent.linearised_gradient_descent`, and writes one row: the final and the
best test loss over the checkpoints of both, the relative displacement ||w_T - w_0|| / ||w_0||, and
the diverged flags. The record, the job function and the runtime estimate are here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from convexnn.gradient_descent import (
    doubled_initialisation,
    draw_sign_teacher,
    gradient_descent,
    linearised_gradient_descent,
    log_spaced_checkpoints,
    relative_displacement,
    sphere_inputs,
    teacher_outputs,
)
from convexnn.kinds import JobKind, Record, run_row_job
from convexnn.seeding import generator
from convexnn.storage import PathLike

# The measurements of a run's row; every other column labels the run.
MEASUREMENTS = (
    "excess_loss",
    "best_test_loss",
    "initial_test_loss",
    "final_train_loss",
    "linearised_test_loss",
    "linearised_best_test_loss",
    "relative_displacement",
    "zero_predictor_loss",
    "diverged",
    "linearised_diverged",
)


@dataclass(frozen=True)
class GradientDescentJob(Record):
    """One run: ``n_units`` ReLU units f(x) = ``output_scale`` sum_j b_j (a_j . x)_+ (no bias) from the
    doubled initialisation N(0, ``init_scale``^2), ``n_steps`` of full-batch gradient descent with step
    ``step_size`` on (1/2) mean squared error over ``n_train`` points, test loss on ``test_size``
    points at ``n_checkpoints`` log-spaced iterations."""

    id: str
    seed: int
    labels: dict = field(hash=False)
    input_dim: int
    n_units: int
    teacher_units: int
    n_train: int
    test_size: int
    init_scale: float
    step_size: float
    n_steps: int
    n_checkpoints: int
    output_scale: float = 1.0

    @property
    def path(self) -> str:
        return f"results/gradient_descent/{self.id}.csv"


def gradient_descent_row(job: GradientDescentJob) -> dict:
    """The measurements of one run (see the module docstring)."""
    rng = generator(job.seed)
    teacher_output, teacher_hidden = draw_sign_teacher(rng, job.teacher_units, job.input_dim)
    train_inputs = sphere_inputs(rng, job.n_train, job.input_dim)
    test_inputs = sphere_inputs(rng, job.test_size, job.input_dim)
    train_targets = teacher_outputs(teacher_output, teacher_hidden, train_inputs)
    test_targets = teacher_outputs(teacher_output, teacher_hidden, test_inputs)
    output_weights, hidden_weights = doubled_initialisation(rng, job.n_units, job.input_dim, job.init_scale)
    schedule = {
        "step_size": job.step_size,
        "n_steps": job.n_steps,
        "checkpoints": log_spaced_checkpoints(job.n_steps, job.n_checkpoints),
        "scale": job.output_scale,
    }
    data = (train_inputs, train_targets, test_inputs, test_targets)
    run = gradient_descent(output_weights, hidden_weights, *data, **schedule)
    linearised = linearised_gradient_descent(output_weights, hidden_weights, *data, **schedule)
    displacement = relative_displacement(run.output_weights, run.hidden_weights, output_weights, hidden_weights)
    return {
        "excess_loss": np.nan if run.diverged else float(run.test_losses[-1]),
        "best_test_loss": float(np.nanmin(run.test_losses)),
        "initial_test_loss": float(run.test_losses[0]),
        "final_train_loss": np.nan if run.diverged else float(run.train_losses[-1]),
        "linearised_test_loss": np.nan if linearised.diverged else float(linearised.test_losses[-1]),
        "linearised_best_test_loss": float(np.nanmin(linearised.test_losses)),
        "relative_displacement": np.nan if run.diverged else float(displacement),
        "zero_predictor_loss": float(0.5 * np.mean(test_targets**2)),
        "diverged": bool(run.diverged),
        "linearised_diverged": bool(linearised.diverged),
    }


def run_gradient_descent(job: dict, path: PathLike, log_path: PathLike | None = None) -> None:
    """Run the job (a :class:`GradientDescentJob` as params) and write its one-row table: its labels,
    then :data:`MEASUREMENTS` (:func:`convexnn.kinds.run_row_job`)."""
    run_row_job(GradientDescentJob, job, "gradient descent", gradient_descent_row, path, log_path)


# One core of this project's machine (benchmarks/gradient_descent.py): about 2e10 multiply-adds per
# second for a step's two products, 2 n m (d + 1); the linearised closed form, an eigendecomposition
# of the n x n tangent kernel, 0.2 s at n = 1,000.
SECONDS_PER_MULTIPLY_ADD = 6.0e-11
SECONDS_TO_START = 5.0


def estimated_seconds(job: GradientDescentJob) -> float:
    """Start-up, the steps and the test evaluations at the checkpoints, and the closed form."""
    step = 2 * job.n_train * job.n_units * (job.input_dim + 1)
    evaluations = job.n_checkpoints * job.test_size * job.n_units * (job.input_dim + 1)
    kernel = (job.n_train + job.test_size) * job.n_train * job.n_units * (job.input_dim + 2) + job.n_train**3
    return SECONDS_TO_START + (job.n_steps * step + evaluations + kernel) * SECONDS_PER_MULTIPLY_ADD


KIND = JobKind(
    name="gradient_descent",
    wildcard="gd_run",
    record=GradientDescentJob,
    entry="convexnn.kinds.gradient_descent",
    outputs={"table": ".csv"},
    mem_mb=1000,
    seconds=estimated_seconds,
    writes_final_row=True,
)
