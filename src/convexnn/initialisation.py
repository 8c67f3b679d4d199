"""Initial particles of the student (report section 5.1 and Propositions 4.1, 4.2)."""

from __future__ import annotations

import numpy as np

from convexnn.model import check_activation
from convexnn.teacher import sphere_points


def initial_particles(
    rng: np.random.Generator,
    n_particles: int,
    input_dim: int,
    activation: str,
    init_radius: float | None,
    sigmoid_hidden_scale: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """(w(0), V(0)) of shapes (k,) and (k, d + 1).

    ReLU: theta_j(0) ~ N(0, I_(d+2)) rescaled to ||theta_j(0)|| = r0, the sphere of Prop. 4.1.
    Sigmoid: w_j(0) = 0 and v_j(0) ~ N(0, s^2 I_(d+1)), the support {0} x R^(d+1) of Prop. 4.2.
    """
    check_activation(activation)
    needed = {"relu": ("init_radius", init_radius), "sigmoid": ("sigmoid_hidden_scale", sigmoid_hidden_scale)}
    name, value = needed[activation]
    if value is None or not value > 0:
        raise ValueError(f"{activation} initialisation needs a positive {name}, got {value!r}")
    if activation == "relu":
        particles = sphere_points(rng, n_particles, input_dim + 2, init_radius)
        return particles[:, 0].copy(), particles[:, 1:].copy()
    hidden = sigmoid_hidden_scale * rng.standard_normal((n_particles, input_dim + 1))
    return np.zeros(n_particles), hidden
