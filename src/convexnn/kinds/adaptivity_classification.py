"""Kind ``adaptivity_classification``: F1 against F2 on Chizat & Bach's (2020) clusters, after their
experiments 1 and 2 (test error against n and against d; "Implicit Bias of Gradient Descent for Wide Two-layer
Neural Networks Trained with the Logistic Loss", COLT 2020, section 6 and their notebook).

One job is one (d, n, repetition): one data set and the three learners on it, so that one row holds all three:

- **F1**, both layers trained from (a_j, b_j) ~ N(0, I_(d+1)) by their gradient ascent on the smooth margin
  S = -log((1/n) sum_i exp(-y_i f(x_i))) (the logistic-type loss of their code), mean-field step eta / sqrt(t + 1);
- **F2 random features**, the output layer only: the same a_j, b = 0, their output-layer ascent (the step scaled
  by max(1, ||b|| / sqrt(m))); this is their "output layer" learner;
- **F2 kernel**: kernel ridge on the labels +-1 with the closed-form kernel of the same base measure
  (a ~ N(0, I_d) over every coordinate, the constant one included), the penalty chosen on a validation split by
  its misclassification (ties by its square error); the prediction is the sign.

Data (:func:`convexnn.kernels.cluster_data`): the cluster signs come from ``distribution_seed``, one per repetition
and shared by every (d, n) of it (their "distribution", which every d and n of their runs shares); the inputs, the
initialisation and the split come from the job's seed. The clusters are separable, so the Bayes error is 0 and the
test error is the excess risk: ``excess_loss`` is F1's test error, ``initial_test_loss`` its test error at
initialisation, ``zero_predictor_loss`` NaN (f = 0 has no sign). The record, the job function and the runtime
estimate are here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from convexnn.kernels import (
    arc_cosine_kernel,
    cluster_data,
    cluster_signs,
    kernel_ridge_with_validation,
    misclassification,
    penalty_grid,
    smooth_margin_ascent,
    split_for_validation,
    two_layer_outputs,
)
from convexnn.kinds import JobKind, Record, run_row_job
from convexnn.seeding import generator
from convexnn.storage import PathLike

MEASUREMENTS = (
    "excess_loss",
    "initial_test_loss",
    "zero_predictor_loss",
    "diverged",
    "f1_test_error",
    "f1_train_error",
    "f1_normalised_margin",
    "rf_test_error",
    "rf_train_error",
    "rf_normalised_margin",
    "kernel_test_error",
    "kernel_relative_penalty",
    "kernel_penalty_at_edge",
    "minority_share",
)


@dataclass(frozen=True)
class AdaptivityClassificationJob(Record):
    """One (d, n, repetition) of the Chizat & Bach setting; see the module docstring. ``input_dim`` counts the
    constant coordinate (their d); k = ``clusters_per_side``."""

    id: str
    seed: int
    labels: dict = field(hash=False)
    distribution_seed: int
    input_dim: int
    clusters_per_side: int
    n_train: int
    test_size: int
    n_units: int
    step_size: float
    n_steps: int
    validation_fraction: float
    log10_penalty_low: float
    log10_penalty_high: float
    penalty_count: int

    @property
    def path(self) -> str:
        return f"results/adaptivity_classification/{self.id}.csv"


def classification_row(job: AdaptivityClassificationJob) -> dict:
    """The measurements of one job (see the module docstring)."""
    signs = cluster_signs(generator(job.distribution_seed), job.clusters_per_side)
    rng = generator(job.seed)
    train_inputs, train_labels = cluster_data(rng, job.n_train, job.input_dim, signs)
    test_inputs, test_labels = cluster_data(rng, job.test_size, job.input_dim, signs)
    initial = rng.standard_normal((job.n_units, job.input_dim + 1))  # (a_j, b_j), as their W_init
    split = split_for_validation(job.n_train, job.validation_fraction, rng)
    hidden, output = initial[:, :-1], initial[:, -1]
    schedule = {"step_size": job.step_size, "n_steps": job.n_steps}

    both = smooth_margin_ascent(output, hidden, train_inputs, train_labels, both_layers=True, **schedule)
    last = smooth_margin_ascent(
        np.zeros(job.n_units), hidden, train_inputs, train_labels, both_layers=False, **schedule
    )
    penalties = penalty_grid(job.log10_penalty_low, job.log10_penalty_high, job.penalty_count)
    kernel = kernel_ridge_with_validation(
        arc_cosine_kernel, train_inputs, train_labels, test_inputs, penalties, split, criterion="misclassification"
    )

    def errors(run) -> tuple[float, float]:
        if run.diverged:
            return np.nan, np.nan
        test = two_layer_outputs(run.output_weights, run.hidden_weights, test_inputs)
        train = two_layer_outputs(run.output_weights, run.hidden_weights, train_inputs)
        return float(misclassification(test, test_labels)), float(misclassification(train, train_labels))

    f1_test, f1_train = errors(both)
    rf_test, rf_train = errors(last)
    return {
        "excess_loss": f1_test,
        "initial_test_loss": float(misclassification(two_layer_outputs(output, hidden, test_inputs), test_labels)),
        "zero_predictor_loss": np.nan,
        "diverged": bool(both.diverged or last.diverged),
        "f1_test_error": f1_test,
        "f1_train_error": f1_train,
        "f1_normalised_margin": both.normalised_margin,
        "rf_test_error": rf_test,
        "rf_train_error": rf_train,
        "rf_normalised_margin": last.normalised_margin,
        "kernel_test_error": float(misclassification(kernel.test_predictions, test_labels)),
        "kernel_relative_penalty": kernel.relative_penalty,
        "kernel_penalty_at_edge": kernel.at_grid_edge,
        "minority_share": float(min(np.mean(test_labels > 0), np.mean(test_labels < 0))),
    }


def run_adaptivity_classification(job: dict, path: PathLike, log_path: PathLike | None = None) -> None:
    """Run the job (an :class:`AdaptivityClassificationJob` as params) and write its one-row table: its labels,
    then :data:`MEASUREMENTS`. A diverged run is written too, flagged and logged."""
    run_row_job(AdaptivityClassificationJob, job, "adaptivity classification", classification_row, path, log_path)


# Measured on one core of this project's machine (/tmp pilot, m = 200, n = 256, d = 25): 0.2 ms a step of both
# layers, about 3 n m d multiply-adds and ten passes over the (n, m) activations; the output layer alone 0.05 ms.
SECONDS_PER_MULTIPLY_ADD = 6.0e-11
SECONDS_PER_ELEMENT_PASS = 1.5e-9
SECONDS_TO_START = 5.0


def estimated_seconds(job: AdaptivityClassificationJob) -> float:
    """Start-up, the two ascents and the kernel ridge (its eigendecomposition is small at these n)."""
    activations = job.n_train * job.n_units
    both = 3 * activations * job.input_dim * SECONDS_PER_MULTIPLY_ADD + 10 * activations * SECONDS_PER_ELEMENT_PASS
    output = 2 * activations * SECONDS_PER_MULTIPLY_ADD + 4 * activations * SECONDS_PER_ELEMENT_PASS
    kernel = ((job.n_train + job.test_size) * job.n_train * (job.input_dim + 30) + 2 * job.n_train**3) * 1e-9
    return SECONDS_TO_START + job.n_steps * (both + output + 2e-5) + kernel


KIND = JobKind(
    name="adaptivity_classification",
    wildcard="adaptivity_classification_run",
    record=AdaptivityClassificationJob,
    entry="convexnn.kinds.adaptivity_classification",
    outputs={"table": ".csv"},
    mem_mb=500,
    seconds=estimated_seconds,
    writes_final_row=True,
)
