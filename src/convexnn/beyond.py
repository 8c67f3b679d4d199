"""Beyond the report: Chizat & Bach's (2018) sharp transition at m = m0, and its convex baseline.

Setting (spec "Beyond the report"): d = 100, a teacher with m0 = 20 units, students with m
particles trained by the engine of :mod:`convexnn.training`. Two teachers are compared:

- ``unit`` (this pipeline's protocol): every unit has output weight w*_j = +1 and hidden weights
  v*_j uniform on the sphere of radius ``hidden_norm`` in R^d, with no bias. All units matter
  equally, so a student with fewer than m0 particles must leave part of the teacher unexplained.
- ``report``: the teacher of report section 5 (particles (w*, v*) ~ N(0, I) rescaled to norm r, bias
  included), whose units have random signs and very unequal weights.

The convex baseline keeps m random hidden units fixed, drawn like the teacher's (uniform
directions, the teacher's norm, no bias), and fits only the output weights a, by least squares
on n fresh samples:  min_a (1/n) sum_i (1/m sum_j a_j sigma(u_j . x_i) - y_i)^2, solved with
``numpy.linalg.lstsq`` (an SVD, so rank-deficient designs are fine).

Losses are reported relative to 1/2 Var(y) on the test set, the loss of the best constant
predictor: the zero predictor's loss 1/2 E[y^2] is dominated here by the teacher's mean output
(every w*_j = +1), which any particle fits in the first steps. Aggregating the runs is
:mod:`convexnn.transition`'s job, so that editing it does not rerun the simulations.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from convexnn.jobs import load_teacher_data
from convexnn.model import activation_function, augment, square_loss
from convexnn.seeding import generator
from convexnn.storage import append_to_log, write_csv, write_npz
from convexnn.teacher import Teacher, make_test_set, sample_inputs, sphere_points, zero_predictor_loss

PathLike = str | os.PathLike


def draw_unit_teacher(
    rng: np.random.Generator, n_units: int, input_dim: int, hidden_norm: float, activation: str
) -> Teacher:
    """w*_j = +1, v*_j uniform on the sphere of radius ``hidden_norm`` in R^d, bias 0."""
    directions = sphere_points(rng, n_units, input_dim, hidden_norm)
    hidden = np.hstack([directions, np.zeros((n_units, 1))])
    return Teacher(np.ones(n_units), hidden, activation)


def generate_unit_teacher_data(
    path: PathLike, seed: int, activation: str, input_dim: int, teacher_units: int, hidden_norm: float,
    input_distribution: str, test_size: int, log_path: PathLike | None = None,
) -> None:
    """The ``unit`` teacher and its test set, in the format of :func:`convexnn.jobs.load_teacher_data`."""
    rng = generator(seed)
    teacher = draw_unit_teacher(rng, teacher_units, input_dim, hidden_norm, activation)
    test_inputs, test_targets = make_test_set(rng, teacher, test_size, input_distribution)
    write_npz(path, teacher_output_weights=teacher.output_weights, teacher_hidden_weights=teacher.hidden_weights,
              activation=np.array(activation), input_distribution=np.array(input_distribution),
              test_inputs=test_inputs, test_targets=test_targets)
    append_to_log(log_path, f"unit teacher of {teacher_units} units, 1/2 Var(y) = {constant_predictor_loss(test_targets):.3e}",
                  first=True)


def constant_predictor_loss(targets: np.ndarray) -> float:
    """1/2 Var(y): the loss of the best constant predictor, the unit of the normalised losses."""
    return 0.5 * float(np.var(targets))


def random_features_loss(
    teacher: Teacher, distribution: str, hidden_weights: np.ndarray, rng: np.random.Generator, n_samples: int,
    test_inputs: np.ndarray, test_targets: np.ndarray,
) -> float:
    """Test loss of the least-squares output weights on fixed hidden units (the convex baseline)."""
    n_particles = len(hidden_weights)
    inputs = sample_inputs(rng, n_samples, hidden_weights.shape[1] - 1, distribution)
    features = activation_function(augment(inputs) @ hidden_weights.T, teacher.activation) / n_particles
    output_weights, *_ = np.linalg.lstsq(features, teacher(inputs), rcond=None)
    test_features = activation_function(augment(test_inputs) @ hidden_weights.T, teacher.activation) / n_particles
    return square_loss(test_features @ output_weights, test_targets)


def fit_random_features_baseline(
    data_path: PathLike, out_path: PathLike, seed: int, labels: dict, n_particles: int, hidden_norm: float,
    n_samples: int, log_path: PathLike | None = None,
) -> None:
    """One baseline run: m hidden units drawn like the teacher's, output weights by least squares."""
    teacher, distribution, test_inputs, test_targets = load_teacher_data(data_path)
    rng = generator(seed)
    input_dim = teacher.hidden_weights.shape[1] - 1
    hidden = np.hstack([sphere_points(rng, n_particles, input_dim, hidden_norm), np.zeros((n_particles, 1))])
    loss = random_features_loss(teacher, distribution, hidden, rng, n_samples, test_inputs, test_targets)
    write_csv(pd.DataFrame([{**labels, "baseline_loss": loss, "zero_predictor_loss": zero_predictor_loss(test_targets),
                             "constant_predictor_loss": constant_predictor_loss(test_targets)}]), out_path)
    append_to_log(log_path, f"{labels}: baseline loss {loss:.3e}", first=True)
