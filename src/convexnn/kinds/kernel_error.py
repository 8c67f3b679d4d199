"""Kind ``kernel_error``: how far the random-features kernel k_m is from the ReLU kernel k (report 2.5,
Proposition 2.1: "when m tends to infinity, the approximate kernel tends to k").

One job draws m units v_j ~ N(0, I_d) from its seed, forms k_m(x_i, x_l) = (1/m) sum_j (v_j . x_i)_+ (v_j . x_l)_+
on a fixed set of inputs (drawn from ``inputs_seed``, the same for every job of the experiment, so that every
error is measured on the same pairs), compares it with the closed form :func:`convexnn.kernels.arc_cosine_kernel`
and writes one row: the relative Frobenius error ||K_m - K||_F / ||K||_F (as ``excess_loss``, the value the
aggregation summarises) and the largest entry error relative to the largest entry of K. The record, the job
function and the runtime estimate are here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from convexnn.kernels import arc_cosine_kernel, gaussian_units, random_feature_kernel, relative_frobenius_error
from convexnn.kinds import JobKind, Record, run_row_job
from convexnn.seeding import generator
from convexnn.storage import PathLike

MEASUREMENTS = (
    "excess_loss",
    "relative_frobenius_error",
    "max_entry_error",
    "initial_test_loss",
    "zero_predictor_loss",
    "diverged",
)


@dataclass(frozen=True)
class KernelErrorJob(Record):
    """One draw of ``n_units`` units against the closed form on ``n_points`` inputs x ~ N(0, I_d) drawn from
    ``inputs_seed`` (the units from ``seed``)."""

    id: str
    seed: int
    labels: dict = field(hash=False)
    input_dim: int
    n_points: int
    n_units: int
    inputs_seed: int

    @property
    def path(self) -> str:
        return f"results/kernel_error/{self.id}.csv"


def kernel_inputs(job: KernelErrorJob) -> np.ndarray:
    """The fixed inputs of every job of the experiment: n points x ~ N(0, I_d) from ``inputs_seed``."""
    return generator(job.inputs_seed).standard_normal((job.n_points, job.input_dim))


def kernel_error_row(job: KernelErrorJob) -> dict:
    """The measurements of one job (see the module docstring). ``zero_predictor_loss`` is the relative error of
    the zero matrix, 1; there is no training, so no initial loss and nothing to diverge."""
    inputs = kernel_inputs(job)
    exact = arc_cosine_kernel(inputs, inputs)
    approximation = random_feature_kernel(inputs, gaussian_units(generator(job.seed), job.n_units, job.input_dim))
    error = relative_frobenius_error(approximation, exact)
    return {
        "excess_loss": error,
        "relative_frobenius_error": error,
        "max_entry_error": float(np.max(np.abs(approximation - exact)) / np.max(np.abs(exact))),
        "initial_test_loss": np.nan,
        "zero_predictor_loss": 1.0,
        "diverged": False,
    }


def run_kernel_error(job: dict, path: PathLike, log_path: PathLike | None = None) -> None:
    """Run the job (a :class:`KernelErrorJob` as params) and write its one-row table: its labels, then
    :data:`MEASUREMENTS`."""
    run_row_job(KernelErrorJob, job, "kernel error", kernel_error_row, path, log_path)


# One core of this project's machine (benchmarks/gradient_descent.py): about 2e10 multiply-adds per second.
SECONDS_PER_MULTIPLY_ADD = 6.0e-11
SECONDS_TO_START = 5.0


def estimated_seconds(job: KernelErrorJob) -> float:
    """Start-up, the features (n m d) and their Gram matrix (n^2 m)."""
    return SECONDS_TO_START + job.n_units * job.n_points * (job.input_dim + job.n_points) * SECONDS_PER_MULTIPLY_ADD


KIND = JobKind(
    name="kernel_error",
    wildcard="kernel_error_run",
    record=KernelErrorJob,
    entry="convexnn.kinds.kernel_error",
    outputs={"table": ".csv"},
    # a block of 10,000 units against 100 inputs is 8 MB; 500 MB leaves room for larger point sets
    mem_mb=500,
    seconds=estimated_seconds,
    writes_final_row=True,
)
