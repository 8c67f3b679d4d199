"""The teacher network and the input distributions (report sections 5.1 and 5.2).

A teacher is a network of the form of :mod:`convexnn.model` with M units whose particles
theta*_j = (w*_j, v*_j) are drawn N(0, I_(d+2)) and rescaled to the norm r (report 5.1: "the norm
of the weights for each particle of the generative network are set to r"). Labels are noiseless,
y = f*(x), so the population loss of the teacher itself is 0 and the excess loss of a student is
its test loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convexnn.model import predict

INPUT_DISTRIBUTIONS = ("gaussian", "circle")


def sphere_points(rng: np.random.Generator, n_points: int, dimension: int, radius: float) -> np.ndarray:
    """n points uniform on the sphere of the given radius in R^dimension (normalised Gaussians)."""
    points = rng.standard_normal((n_points, dimension))
    return radius * points / np.linalg.norm(points, axis=1, keepdims=True)


def sample_inputs(rng: np.random.Generator, n_samples: int, input_dim: int, distribution: str) -> np.ndarray:
    """Inputs x in R^d: ``gaussian`` is N(0, I_d) (report 5.1 ReLU, 5.2); ``circle`` is uniform on
    the unit sphere (the unit circle when d = 2, report 5.1 sigmoid).

    Both draw d standard normals per sample in row order, which the compiled engine repeats exactly.
    """
    if distribution == "gaussian":
        return rng.standard_normal((n_samples, input_dim))
    if distribution == "circle":
        return sphere_points(rng, n_samples, input_dim, 1.0)
    raise ValueError(f"input distribution must be one of {INPUT_DISTRIBUTIONS}, got {distribution!r}")


@dataclass(frozen=True)
class Teacher:
    """f*(x) = (1/M) sum_j w*_j sigma(v*_j . x~)."""

    output_weights: np.ndarray
    hidden_weights: np.ndarray
    activation: str

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        return predict(self.output_weights, self.hidden_weights, inputs, self.activation)


def draw_teacher(rng: np.random.Generator, n_units: int, input_dim: int, radius: float, activation: str) -> Teacher:
    """M particles theta*_j ~ N(0, I_(d+2)) rescaled to ||theta*_j|| = r."""
    particles = sphere_points(rng, n_units, input_dim + 2, radius)
    return Teacher(particles[:, 0].copy(), particles[:, 1:].copy(), activation)


def make_test_set(
    rng: np.random.Generator, teacher: Teacher, n_samples: int, distribution: str
) -> tuple[np.ndarray, np.ndarray]:
    """The fixed test set of one repetition: inputs and their noiseless teacher labels."""
    inputs = sample_inputs(rng, n_samples, teacher.hidden_weights.shape[1] - 1, distribution)
    return inputs, teacher(inputs)


def zero_predictor_loss(targets: np.ndarray) -> float:
    """Loss of f = 0 on the test set, 1/2 mean y^2: the scale against which any loss can be read."""
    return 0.5 * float(np.mean(targets**2))


def draw_unit_teacher(
    rng: np.random.Generator, n_units: int, input_dim: int, hidden_norm: float, activation: str
) -> Teacher:
    """The equal-weight teacher of the Chizat & Bach experiment: w*_j = +1, v*_j uniform on the
    sphere of radius ``hidden_norm`` in R^d, bias 0. All units matter equally, so a student with
    fewer particles than teacher units must leave part of the teacher unexplained."""
    directions = sphere_points(rng, n_units, input_dim, hidden_norm)
    hidden = np.hstack([directions, np.zeros((n_units, 1))])
    return Teacher(np.ones(n_units), hidden, activation)


TEACHER_KINDS = ("report", "unit")


def draw_teacher_of_kind(
    rng: np.random.Generator, kind: str, n_units: int, input_dim: int, radius: float, activation: str
) -> Teacher:
    """``report``: :func:`draw_teacher` with particle norm ``radius``; ``unit``:
    :func:`draw_unit_teacher` with hidden norm ``radius``."""
    if kind == "report":
        return draw_teacher(rng, n_units, input_dim, radius, activation)
    if kind == "unit":
        return draw_unit_teacher(rng, n_units, input_dim, radius, activation)
    raise ValueError(f"teacher kind must be one of {TEACHER_KINDS}, got {kind!r}")


def constant_predictor_loss(targets: np.ndarray) -> float:
    """1/2 Var(y) on the test set: the loss of the best constant predictor, the unit of the Chizat &
    Bach experiment's normalised losses (there the zero predictor's loss is dominated by the teacher's
    mean output, which any particle fits at once)."""
    return 0.5 * float(np.var(targets))
