import numpy as np
import pytest

from convexnn.initialisation import initial_particles
from convexnn.teacher import draw_teacher, make_test_set


@pytest.fixture
def small_problem():
    """A teacher, its test set and initial particles, small enough for the numpy reference."""

    def build(activation="relu", distribution="gaussian", input_dim=5, n_particles=7, teacher_units=3, seed=0):
        rng = np.random.default_rng(seed)
        teacher = draw_teacher(rng, teacher_units, input_dim, 2.0, activation)
        test_inputs, test_targets = make_test_set(rng, teacher, 500, distribution)
        output_weights, hidden_weights = initial_particles(rng, n_particles, input_dim, activation, 0.5, 1.0)
        if activation == "sigmoid":  # w(0) = 0 would make the hidden-weight gradient vanish
            output_weights = rng.standard_normal(n_particles)
        return teacher, test_inputs, test_targets, output_weights, hidden_weights

    return build
