"""The one-hidden-layer network in mean-field scaling and its square-loss gradients.

A network with k particles theta_j = (w_j, v_j), w_j in R and v_j in R^(d+1), computes
(report section 4.3, eq. (9) with the empirical measure of the particles)

    f(x) = (1/k) * sum_j w_j * sigma(v_j . x~),        x~ = [x; 1]

so the bias is the last coordinate of v_j. The loss of one sample is the unpenalised square loss
l = 1/2 (f(x) - y)^2 (report section 5.1), whose global minimum over a teacher of the same form is 0.

Arrays: ``output_weights`` has shape (k,), ``hidden_weights`` has shape (k, d + 1), inputs ``x``
have shape (n, d). Everything here is plain numpy and serves as the reference the compiled engine
in :mod:`convexnn.training` is tested against.
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = ("relu", "sigmoid")


def check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


def activation_function(pre_activation: np.ndarray, activation: str) -> np.ndarray:
    """sigma(u): ReLU (u)_+ or the logistic sigmoid 1 / (1 + exp(-u)) (report section 2.1)."""
    check_activation(activation)
    if activation == "relu":
        return np.maximum(pre_activation, 0.0)
    return 0.5 * (1.0 + np.tanh(0.5 * pre_activation))  # overflow-free logistic


def activation_derivative(pre_activation: np.ndarray, activation: str) -> np.ndarray:
    """sigma'(u): 1[u > 0] for ReLU (the subgradient 0 at u = 0), sigma(u)(1 - sigma(u)) for sigmoid."""
    check_activation(activation)
    if activation == "relu":
        return (pre_activation > 0.0).astype(float)
    s = activation_function(pre_activation, "sigmoid")
    return s * (1.0 - s)


def augment(inputs: np.ndarray) -> np.ndarray:
    """x~ = [x; 1]: append the constant coordinate that carries the bias."""
    return np.hstack([inputs, np.ones((inputs.shape[0], 1))])


def predict(output_weights: np.ndarray, hidden_weights: np.ndarray, inputs: np.ndarray, activation: str) -> np.ndarray:
    """f(x) = (1/k) sum_j w_j sigma(v_j . x~) for every row x of ``inputs``."""
    pre_activation = augment(inputs) @ hidden_weights.T
    return activation_function(pre_activation, activation) @ output_weights / len(output_weights)


def square_loss(predictions: np.ndarray, targets: np.ndarray) -> float:
    """1/2 mean (f(x) - y)^2 over the samples."""
    return 0.5 * float(np.mean((predictions - targets) ** 2))


def loss_gradients(
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    inputs: np.ndarray,
    targets: np.ndarray,
    activation: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of L = 1/2 mean_i (f(x_i) - y_i)^2 with respect to w and v (no step-size scaling).

    With residual e_i = f(x_i) - y_i and u_ij = v_j . x~_i:

        dL/dw_j = (1/k) mean_i e_i sigma(u_ij)
        dL/dv_j = (1/k) mean_i e_i w_j sigma'(u_ij) x~_i
    """
    n_particles = len(output_weights)
    augmented = augment(inputs)
    pre_activation = augmented @ hidden_weights.T
    residual = activation_function(pre_activation, activation) @ output_weights / n_particles - targets
    n_samples = len(targets)
    grad_output = activation_function(pre_activation, activation).T @ residual / (n_particles * n_samples)
    weighted = activation_derivative(pre_activation, activation) * residual[:, None]
    grad_hidden = output_weights[:, None] * (weighted.T @ augmented) / (n_particles * n_samples)
    return grad_output, grad_hidden
