"""Online SGD of the particles on fresh teacher samples, in mean-field scaling.

Parametrisation (report eq. (9); Chizat & Bach 2018): f(x) = (1/k) sum_j w_j sigma(v_j . x~) and
the step of particle j on a batch of B fresh samples is

    theta_j <- theta_j - eta * k * grad_{theta_j} L,     L = (1/B) sum_b 1/2 (f(x_b) - y_b)^2,

so that, the 1/k of the model and the k of the step cancelling, each particle moves at a speed
that does not depend on k:

    w_j <- w_j - (eta / B) sum_b e_b sigma(u_bj)
    v_j <- v_j - (eta / B) sum_b e_b w_j sigma'(u_bj) x~_b,     e_b = f(x_b) - y_b, u_bj = v_j . x~_b.

Two implementations of the same step consume the same random stream in the same order (d
standard normals per sample, row after row): :func:`sgd_steps`, compiled with numba, and
:func:`sgd_steps_reference`, plain numpy built on :func:`convexnn.model.loss_gradients`, which the
tests hold the compiled one against. :func:`train` runs either between log-spaced checkpoints,
where it evaluates the test loss on the fixed test set and reads the train loss, the mean loss of
the last ``train_window`` training samples (each measured before the step that uses it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from convexnn.model import activation_function, augment, check_activation, loss_gradients, predict, square_loss
from convexnn.teacher import INPUT_DISTRIBUTIONS, Teacher, sample_inputs

ACTIVATION_CODES = {"relu": 0, "sigmoid": 1}
DISTRIBUTION_CODES = {name: code for code, name in enumerate(INPUT_DISTRIBUTIONS)}
ENGINES = ("compiled", "reference")
# Reassociation lets LLVM vectorise the dot products; no "nnan"/"ninf", so a diverging run still
# produces the NaN or inf that train() detects.
FAST_MATH = {"reassoc", "contract"}
JIT_OPTIONS = dict(cache=True, nogil=True, fastmath=FAST_MATH, error_model="numpy")


@numba.njit(inline="always", **JIT_OPTIONS)
def _sigma(pre_activation, activation_code):
    if activation_code == 0:
        # max compiles to a branchless maxsd; a conditional became a branch, mispredicted on half
        # the (random-sign) pre-activations, which cost about 40% of the step. Like np.maximum
        # in the reference, it keeps a NaN.
        return max(pre_activation, 0.0)
    return 0.5 * (1.0 + np.tanh(0.5 * pre_activation))


@numba.njit(inline="always", **JIT_OPTIONS)
def _sigma_derivative(pre_activation, activation, activation_code):
    """sigma'(u) from u and sigma(u): the sigmoid's s (1 - s) reuses the forward pass's tanh."""
    if activation_code == 0:
        return 1.0 if pre_activation > 0.0 else 0.0
    return activation * (1.0 - activation)


@numba.njit(inline="always", **JIT_OPTIONS)
def _dot(left, right):
    # A plain loop: numba's np.dot calls BLAS (needs scipy) and is slower at these sizes.
    total = 0.0
    for i in range(left.shape[0]):
        total += left[i] * right[i]
    return total


@numba.njit(**JIT_OPTIONS)
def sgd_steps(
    output_weights,
    hidden_weights,
    teacher_output_weights,
    teacher_hidden_weights,
    activation_code,
    distribution_code,
    step_size,
    batch_size,
    n_steps,
    rng,
    loss_window,
    window_state,
):
    """Run ``n_steps`` mean-field SGD steps in place (see the module docstring for the formula).

    ``loss_window`` is a ring buffer of the latest per-sample losses 1/2 e^2 and ``window_state``
    holds [next position, number filled]; both are updated in place.
    """
    n_particles = output_weights.shape[0]
    augmented_dim = hidden_weights.shape[1]
    input_dim = augmented_dim - 1
    n_teacher = teacher_output_weights.shape[0]
    window_size = loss_window.shape[0]
    batch_inputs = np.empty((batch_size, augmented_dim))
    residuals = np.empty(batch_size)
    pre_activations = np.empty((batch_size, n_particles))
    activations = np.empty((batch_size, n_particles))
    scale = step_size / batch_size
    # Locals, not window_state[...]: stores through an array that may alias the particles would
    # stop LLVM from keeping them in registers.
    window_position = window_state[0]
    window_filled = window_state[1]
    # Inner loops run over 1-D rows taken once outside them (x, pre, row) and scalars kept in
    # locals (z, u, residual, weight): 2-D indexing and re-reads through arrays LLVM cannot prove
    # distinct from the particles cost about 15% at B = 1.
    for _ in range(n_steps):
        for b in range(batch_size):
            x = batch_inputs[b]
            pre = pre_activations[b]
            act = activations[b]
            squared_norm = 0.0
            for i in range(input_dim):
                z = rng.standard_normal()
                x[i] = z
                squared_norm += z * z
            if distribution_code == 1:
                inverse_norm = 1.0 / np.sqrt(squared_norm)
                for i in range(input_dim):
                    x[i] *= inverse_norm
            x[input_dim] = 1.0
            target = 0.0
            for j in range(n_teacher):
                target += teacher_output_weights[j] * _sigma(
                    _dot(teacher_hidden_weights[j], x), activation_code
                )
            target /= n_teacher
            prediction = 0.0
            for j in range(n_particles):
                u = _dot(hidden_weights[j], x)
                pre[j] = u
                act[j] = _sigma(u, activation_code)
                prediction += output_weights[j] * act[j]
            residual = prediction / n_particles - target
            residuals[b] = residual
            loss_window[window_position] = 0.5 * residual * residual
            window_position += 1
            if window_position == window_size:
                window_position = 0
            if window_filled < window_size:
                window_filled += 1
        # All gradients are taken at the current particles before any of them moves.
        for j in range(n_particles):
            row = hidden_weights[j]
            weight = output_weights[j]
            grad_output = 0.0
            for b in range(batch_size):
                u, s = pre_activations[b, j], activations[b, j]
                grad_output += residuals[b] * s
                # The step scale folded in here leaves one multiply-add per coordinate below.
                coefficient = scale * residuals[b] * weight * _sigma_derivative(u, s, activation_code)
                x = batch_inputs[b]
                for i in range(augmented_dim):
                    row[i] -= coefficient * x[i]
            output_weights[j] = weight - scale * grad_output
    window_state[0] = window_position
    window_state[1] = window_filled


def sgd_steps_reference(
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    teacher: Teacher,
    distribution: str,
    step_size: float,
    batch_size: int,
    n_steps: int,
    rng: np.random.Generator,
    loss_window: np.ndarray,
    window_state: np.ndarray,
) -> None:
    """The same steps as :func:`sgd_steps` in plain numpy: slow, and obviously the formula."""
    n_particles = len(output_weights)
    input_dim = hidden_weights.shape[1] - 1
    for _ in range(n_steps):
        inputs = sample_inputs(rng, batch_size, input_dim, distribution)
        targets = teacher(inputs)
        residuals = predict(output_weights, hidden_weights, inputs, teacher.activation) - targets
        for residual in residuals:
            loss_window[window_state[0]] = 0.5 * residual**2
            window_state[0] = (window_state[0] + 1) % len(loss_window)
            window_state[1] = min(window_state[1] + 1, len(loss_window))
        grad_output, grad_hidden = loss_gradients(
            output_weights, hidden_weights, inputs, targets, teacher.activation
        )
        output_weights -= step_size * n_particles * grad_output
        hidden_weights -= step_size * n_particles * grad_hidden


def log_checkpoints(n_steps: int, n_points: int) -> np.ndarray:
    """Step counts 0 < ... < n_steps, about log-spaced (the loss moves fastest early), with 0 first."""
    if n_steps < 1 or n_points < 2:
        raise ValueError(f"need n_steps >= 1 and n_points >= 2, got {n_steps} and {n_points}")
    spaced = np.round(np.geomspace(1, n_steps, n_points - 1)).astype(np.int64)
    return np.unique(np.concatenate([[0], spaced, [n_steps]]))


@dataclass
class TrainingRun:
    """What one run records at each checkpoint, and how it ended.

    ``trajectory_output`` (n_checkpoints, k) and ``trajectory_hidden`` (n_checkpoints, k, d + 1)
    hold the particles at each checkpoint when asked for. A run whose loss or particles stop being
    finite is cut at that checkpoint and flagged ``diverged``.
    """

    steps: np.ndarray
    samples_seen: np.ndarray
    test_loss: np.ndarray
    train_loss: np.ndarray
    output_weights: np.ndarray
    hidden_weights: np.ndarray
    diverged: bool
    trajectory_output: np.ndarray | None = None
    trajectory_hidden: np.ndarray | None = None


def train(
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    teacher: Teacher,
    distribution: str,
    step_size: float,
    batch_size: int,
    n_steps: int,
    rng: np.random.Generator,
    test_inputs: np.ndarray,
    test_targets: np.ndarray,
    n_checkpoints: int,
    train_window: int,
    record_trajectory: bool = False,
    engine: str = "compiled",
) -> TrainingRun:
    """Train copies of the given particles for ``n_steps`` steps of ``batch_size`` fresh samples."""
    check_activation(teacher.activation)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if distribution not in DISTRIBUTION_CODES:
        raise ValueError(f"input distribution must be one of {INPUT_DISTRIBUTIONS}, got {distribution!r}")
    output_weights = np.array(output_weights, dtype=np.float64)
    hidden_weights = np.array(hidden_weights, dtype=np.float64)
    checkpoints = log_checkpoints(n_steps, n_checkpoints)
    augmented_test_inputs = augment(test_inputs)  # once, not at every evaluation
    loss_window = np.zeros(train_window)
    window_state = np.zeros(2, dtype=np.int64)
    test_losses, train_losses, trajectory_output, trajectory_hidden = [], [], [], []
    diverged = False
    previous = 0
    for checkpoint in checkpoints:
        segment = int(checkpoint - previous)
        previous = checkpoint
        with np.errstate(over="ignore", invalid="ignore"):
            if engine == "compiled":
                sgd_steps(
                    output_weights, hidden_weights, teacher.output_weights, teacher.hidden_weights,
                    ACTIVATION_CODES[teacher.activation], DISTRIBUTION_CODES[distribution],
                    float(step_size), int(batch_size), segment, rng, loss_window, window_state,
                )
            else:
                sgd_steps_reference(
                    output_weights, hidden_weights, teacher, distribution, step_size, batch_size,
                    segment, rng, loss_window, window_state,
                )
            hidden_activity = activation_function(augmented_test_inputs @ hidden_weights.T, teacher.activation)
            test_loss = square_loss(hidden_activity @ output_weights / len(output_weights), test_targets)
        filled = window_state[1]
        test_losses.append(test_loss)
        train_losses.append(float(loss_window[:filled].mean()) if filled else np.nan)
        if record_trajectory:
            trajectory_output.append(output_weights.copy())
            trajectory_hidden.append(hidden_weights.copy())
        if not (np.isfinite(test_loss) and np.isfinite(output_weights).all() and np.isfinite(hidden_weights).all()):
            diverged = True
            break
    steps = checkpoints[: len(test_losses)]
    return TrainingRun(
        steps=steps,
        samples_seen=steps * batch_size,
        test_loss=np.array(test_losses),
        train_loss=np.array(train_losses),
        output_weights=output_weights,
        hidden_weights=hidden_weights,
        diverged=diverged,
        trajectory_output=np.array(trajectory_output) if record_trajectory else None,
        trajectory_hidden=np.array(trajectory_hidden) if record_trajectory else None,
    )
