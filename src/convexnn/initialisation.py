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
    symmetric: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """(w(0), V(0)) of shapes (k,) and (k, d + 1).

    ReLU: theta_j(0) ~ N(0, I_(d+2)) rescaled to ||theta_j(0)|| = r0, the sphere of Prop. 4.1.
    Sigmoid: w_j(0) = 0 and v_j(0) ~ N(0, s^2 I_(d+1)), the support {0} x R^(d+1) of Prop. 4.2.

    ``symmetric``: k/2 particles are drawn so and each is paired with its mirror (-w_j, v_j), so that
    f(x) = (1/k) sum_j w_j sigma(v_j . x~) = 0 at initialisation (the symmetrised initialisation of
    lazy training, Chizat, Oyallon & Bach 2019); k must be even.
    """
    check_activation(activation)
    needed = {"relu": ("init_radius", init_radius), "sigmoid": ("sigmoid_hidden_scale", sigmoid_hidden_scale)}
    name, value = needed[activation]
    if value is None or not value > 0:
        raise ValueError(f"{activation} initialisation needs a positive {name}, got {value!r}")
    if symmetric and n_particles % 2:
        raise ValueError(f"a symmetric initialisation needs an even number of particles, got {n_particles}")
    drawn = n_particles // 2 if symmetric else n_particles
    if activation == "relu":
        particles = sphere_points(rng, drawn, input_dim + 2, init_radius)
        output_weights, hidden_weights = particles[:, 0].copy(), particles[:, 1:].copy()
    else:
        hidden_weights = sigmoid_hidden_scale * rng.standard_normal((drawn, input_dim + 1))
        output_weights = np.zeros(drawn)
    if symmetric:
        return np.concatenate([output_weights, -output_weights]), np.concatenate([hidden_weights, hidden_weights])
    return output_weights, hidden_weights
