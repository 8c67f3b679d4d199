"""The convex baseline of the Chizat & Bach experiment: random features with least squares.

It keeps m hidden units fixed, drawn like the unit teacher's (uniform directions of the teacher's
norm, no bias; :func:`convexnn.teacher.draw_unit_teacher`), and fits only the output weights a on n
fresh samples (report section 2: training the output layer alone is a convex problem):

    min_a (1/n) sum_i ((1/m) sum_j a_j sigma(u_j . x~_i) - y_i)^2,

solved with ``numpy.linalg.lstsq`` (an SVD, so rank-deficient designs are fine).
"""

from __future__ import annotations

import numpy as np

from convexnn.model import activation_function, augment, square_loss
from convexnn.teacher import Teacher, sample_inputs, sphere_points


def fixed_hidden_units(rng: np.random.Generator, n_units: int, input_dim: int, hidden_norm: float) -> np.ndarray:
    """m hidden weight vectors (m, d + 1): directions uniform on the sphere of radius ``hidden_norm``, bias 0."""
    return np.hstack([sphere_points(rng, n_units, input_dim, hidden_norm), np.zeros((n_units, 1))])


def random_features_loss(
    teacher: Teacher,
    distribution: str,
    hidden_weights: np.ndarray,
    rng: np.random.Generator,
    n_samples: int,
    test_inputs: np.ndarray,
    test_targets: np.ndarray,
) -> float:
    """Test loss of the least-squares output weights on the fixed hidden units ``hidden_weights``."""
    n_particles = len(hidden_weights)
    inputs = sample_inputs(rng, n_samples, hidden_weights.shape[1] - 1, distribution)
    features = activation_function(augment(inputs) @ hidden_weights.T, teacher.activation) / n_particles
    output_weights, *_ = np.linalg.lstsq(features, teacher(inputs), rcond=None)
    test_features = activation_function(augment(test_inputs) @ hidden_weights.T, teacher.activation) / n_particles
    return square_loss(test_features @ output_weights, test_targets)
