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
tests hold the compiled one against. The compiled kernel draws the numbers of the caller's numpy
Generator itself (:mod:`convexnn.random_stream`: numpy's PCG64 and normal ziggurat, compiled), the
reference draws them from the Generator: the same numbers. :func:`train` runs either between
log-spaced checkpoints, where it evaluates the test loss on the fixed test set (compiled:
:func:`compiled_test_loss`, one pass without temporaries) and reads the train loss, the mean loss of the
last ``train_window`` training samples (each measured before the step that uses it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

import convexnn.numba_cache  # noqa: F401  (before any cached kernel: see the module)
from convexnn.model import check_activation, loss_gradients, predict, square_loss
from convexnn.random_stream import load_pcg64_state, save_pcg64_state, standard_normal
from convexnn.teacher import INPUT_DISTRIBUTIONS, Teacher, sample_inputs

ACTIVATION_CODES = {"relu": 0, "sigmoid": 1}
DISTRIBUTION_CODES = {name: code for code, name in enumerate(INPUT_DISTRIBUTIONS)}
ENGINES = ("compiled", "reference")
# Reassociation lets LLVM vectorise the dot products; no "nnan"/"ninf", so a diverging run still
# produces the NaN or inf that train() detects.
FAST_MATH = {"reassoc", "contract"}
JIT_OPTIONS = dict(cache=True, nogil=True, fastmath=FAST_MATH, error_model="numpy")
# The activations are compiled apart, without reassociation (which could merge the two parts of
# ln 2 below), and inlined by LLVM, which keeps each instruction's own flags.
ACTIVATION_OPTIONS = dict(cache=True, nogil=True, fastmath={"contract"}, error_model="numpy")
# The kernels pad the hidden rows (and the samples) with zeros to a multiple of this many columns,
# 51 -> 56 at d = 50: LLVM's vectorised loops over a row then have no scalar remainder.
ROW_PADDING = 8

_LOG2_E = 1.4426950408889634
_LN2_HIGH = 6.93147180369123816490e-01  # ln 2 in two parts (fdlibm): k * _LN2_HIGH is exact
_LN2_LOW = 1.90821492927058770002e-10
_EXPONENT_LIMIT = 708.0  # e^t and 1 / (1 + e^t) stay normal numbers for |t| <= 708


@intrinsic
def _float_from_bits(typingctx, bits):
    """The float64 whose IEEE bits are the int64 ``bits`` (an LLVM bitcast: vectorisable)."""
    if bits != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@numba.njit(**ACTIVATION_OPTIONS)
def _logistic(pre_activation):
    """1 / (1 + e^-u) in straight-line code, which LLVM vectorises over a loop of particles.

    libm's tanh (which the numpy form 0.5 (1 + tanh(u / 2)) calls) is a scalar call, about 170
    instructions per sigmoid in the former kernel (callgrind), 40% of its step. Here e^t, with
    t = -u clamped to [-708, 708], is computed as in fdlibm's exp (e_exp.c, Sun Microsystems 1993):
    t = k ln 2 + r with k = rint(t / ln 2) and |r| <= ln(2) / 2, ln 2 in two parts so that r is
    exact to double precision; e^r by its Taylor series to degree 13 (truncation error below
    5e-18 relative), in Horner form; 2^k from its exponent bits. The result is within a few ulp
    of the exact logistic; beyond the clamp the logistic is within 4e-308 of 0 or 1. A NaN
    pre-activation gives NaN, +-inf gives 0 or 1.
    """
    t = -pre_activation
    # Written so that a NaN becomes a bound (the integer conversion of k must see a number); the
    # NaN is given back at the end.
    t = t if t > -_EXPONENT_LIMIT else -_EXPONENT_LIMIT
    t = t if t < _EXPONENT_LIMIT else _EXPONENT_LIMIT
    k = np.rint(t * _LOG2_E)
    r = (t - k * _LN2_HIGH) - k * _LN2_LOW
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    exponential = p * _float_from_bits((np.int64(k) + 1023) << 52)
    logistic = 1.0 / (1.0 + exponential)
    return logistic if pre_activation == pre_activation else pre_activation


@numba.njit(**ACTIVATION_OPTIONS)
def _relu(pre_activation):
    # Branchless (a select, or vmaxpd in a vectorised loop); a NaN stays NaN, like np.maximum in
    # the reference. A branch was mispredicted on half the (random-sign) pre-activations.
    return 0.0 if pre_activation < 0.0 else pre_activation


@numba.njit(**JIT_OPTIONS)
def _sigma(pre_activation, activation_code):
    """sigma(u) for one value (loops over particles call _relu or _logistic directly, in a loop
    for each activation, so that each vectorises without computing the other)."""
    if activation_code == 0:
        return _relu(pre_activation)
    return _logistic(pre_activation)


@numba.njit(**JIT_OPTIONS)
def _padded_rows(matrix, width):
    """A copy of ``matrix`` with its rows zero-padded to ``width`` columns."""
    padded = np.zeros((matrix.shape[0], width))
    padded[:, : matrix.shape[1]] = matrix
    return padded


@numba.njit(**JIT_OPTIONS)
def _window_start(window_state, window_size, n_samples):
    """Book ``n_samples`` new losses into the window's [next position, number filled] and return
    (where the first stored loss goes, how many losses to skip before it). Only the last
    ``window_size`` samples of a call can remain in the window: the losses of the others are not
    stored (they would be overwritten), and the window ends as if they had been."""
    n_unstored = max(n_samples - window_size, 0)
    position = (window_state[0] + n_unstored) % window_size
    window_state[0] = (window_state[0] + n_samples) % window_size
    window_state[1] = min(window_state[1] + n_samples, window_size)
    return position, n_unstored


@numba.njit(**JIT_OPTIONS)
def _single_sample_steps(
    output_weights,
    weights,
    teacher_output_weights,
    teacher_weights,
    activation_code,
    distribution_code,
    step_size,
    n_steps,
    input_dim,
    stream,
    loss_window,
    window_state,
):
    """The steps of :func:`sgd_steps` at B = 1, on rows zero-padded to ``weights.shape[1]`` columns.

    Each step (1) finishes the forward pass of its sample x, whose pre-activations u_j were
    computed with the current particles at the end of the previous step, (2) takes the gradient
    coefficients and moves the output weights, (3) draws the next sample x' and its label, and
    (4) moves each hidden row v_j in the same pass over it that computes u'_j = v_j . x': one pass
    over the particles per step, not two. x' is drawn within the step, but in the order of the
    stream, and not after the last step: the stream advances exactly by the samples used.

    Everything runs in this one function, on arrays allocated here or rows taken in it: LLVM does
    not inline numba functions of this size, and arrays handed to an inlined helper get atomic
    reference counts, both of which cost more than the arithmetic at these sizes.
    """
    n_particles, width = weights.shape
    n_teacher = teacher_output_weights.shape[0]
    window_size = loss_window.shape[0]
    x = np.zeros(width)
    next_x = np.zeros(width)
    pre_activations = np.empty(n_particles)
    activations = np.empty(n_particles)
    coefficients = np.empty(n_particles)
    teacher_pre_activations = np.empty(n_teacher)
    # The stream state and the window's position live in locals, not in arrays: stores through an
    # array that may alias the particles would stop LLVM from keeping them in registers.
    hi, lo, inc_hi, inc_lo = stream[0], stream[1], stream[2], stream[3]
    window_position, n_unstored = _window_start(window_state, window_size, n_steps)
    target = 0.0
    # Step -1 only draws the first sample and computes its pre-activations.
    for step in range(-1, n_steps):
        if step >= 0:
            # (1) f(x), the residual e and the window of losses.
            prediction = 0.0
            if activation_code == 0:
                for j in range(n_particles):
                    s = _relu(pre_activations[j])
                    activations[j] = s
                    prediction += output_weights[j] * s
            else:
                for j in range(n_particles):
                    s = _logistic(pre_activations[j])
                    activations[j] = s
                    prediction += output_weights[j] * s
            residual = prediction / n_particles - target
            if n_unstored > 0:
                n_unstored -= 1
            else:
                loss_window[window_position] = 0.5 * residual * residual
                window_position += 1
                if window_position == window_size:
                    window_position = 0
            # (2) All gradients are taken at the current particles before any of them moves. The
            # step size folded into the coefficients leaves one multiply-add per coordinate in (4).
            step_residual = step_size * residual
            if activation_code == 0:
                for j in range(n_particles):
                    weight = output_weights[j]
                    derivative = 1.0 if pre_activations[j] > 0.0 else 0.0
                    coefficients[j] = step_residual * weight * derivative
                    output_weights[j] = weight - step_residual * activations[j]
            else:
                for j in range(n_particles):
                    weight, s = output_weights[j], activations[j]
                    coefficients[j] = step_residual * weight * (s * (1.0 - s))
                    output_weights[j] = weight - step_residual * s
        if step < n_steps - 1:
            # (3) The next sample x' (its zero padding kept) and its label y'.
            for i in range(input_dim):
                next_x[i], hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
            if distribution_code == 1:
                squared_norm = 0.0
                for i in range(input_dim):
                    squared_norm += next_x[i] * next_x[i]
                inverse_norm = 1.0 / np.sqrt(squared_norm)
                for i in range(input_dim):
                    next_x[i] *= inverse_norm
            next_x[input_dim] = 1.0
            for m in range(n_teacher):
                total = 0.0
                for i in range(width):
                    total += teacher_weights[m, i] * next_x[i]
                teacher_pre_activations[m] = total
            target = 0.0
            if activation_code == 0:
                for m in range(n_teacher):
                    target += teacher_output_weights[m] * _relu(teacher_pre_activations[m])
            else:
                for m in range(n_teacher):
                    target += teacher_output_weights[m] * _logistic(teacher_pre_activations[m])
            target /= n_teacher
        else:
            for i in range(width):
                next_x[i] = x[i]  # after the last step the fused dot product below is not used
        if step < 0:
            for j in range(n_particles):
                total = 0.0
                for i in range(width):
                    total += weights[j, i] * next_x[i]
                pre_activations[j] = total
        else:
            # (4) v_j -= c_j x, fused with u'_j = v_j . x'.
            for j in range(n_particles):
                row = weights[j]
                coefficient = coefficients[j]
                total = 0.0
                for i in range(width):
                    row[i] -= coefficient * x[i]
                    total += row[i] * next_x[i]
                pre_activations[j] = total
        for i in range(width):  # a loop: the slice assignment x[:] = next_x is not vectorised
            x[i] = next_x[i]
    stream[0], stream[1] = hi, lo


@numba.njit(**JIT_OPTIONS)
def _batch_steps(
    output_weights,
    weights,
    teacher_output_weights,
    teacher_weights,
    activation_code,
    distribution_code,
    step_size,
    batch_size,
    n_steps,
    input_dim,
    stream,
    loss_window,
    window_state,
):
    """The steps of :func:`sgd_steps` for any B, on rows zero-padded to ``weights.shape[1]``
    columns: the forward pass of the batch, then the step of every particle (not fused)."""
    n_particles, width = weights.shape
    n_teacher = teacher_output_weights.shape[0]
    window_size = loss_window.shape[0]
    batch = np.zeros((batch_size, width))
    residuals = np.empty(batch_size)
    pre_activations = np.empty((batch_size, n_particles))
    activations = np.empty((batch_size, n_particles))
    scale = step_size / batch_size
    hi, lo, inc_hi, inc_lo = stream[0], stream[1], stream[2], stream[3]
    window_position, n_unstored = _window_start(window_state, window_size, n_steps * batch_size)
    for _ in range(n_steps):
        for b in range(batch_size):
            for i in range(input_dim):
                batch[b, i], hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
            if distribution_code == 1:
                squared_norm = 0.0
                for i in range(input_dim):
                    squared_norm += batch[b, i] * batch[b, i]
                inverse_norm = 1.0 / np.sqrt(squared_norm)
                for i in range(input_dim):
                    batch[b, i] *= inverse_norm
            batch[b, input_dim] = 1.0
            target = 0.0
            for m in range(n_teacher):
                total = 0.0
                for i in range(width):
                    total += teacher_weights[m, i] * batch[b, i]
                target += teacher_output_weights[m] * _sigma(total, activation_code)
            target /= n_teacher
            prediction = 0.0
            for j in range(n_particles):
                total = 0.0
                for i in range(width):
                    total += weights[j, i] * batch[b, i]
                pre_activations[b, j] = total
                activations[b, j] = _sigma(total, activation_code)
                prediction += output_weights[j] * activations[b, j]
            residual = prediction / n_particles - target
            residuals[b] = residual
            if n_unstored > 0:
                n_unstored -= 1
            else:
                loss_window[window_position] = 0.5 * residual * residual
                window_position += 1
                if window_position == window_size:
                    window_position = 0
        # All gradients are taken at the current particles before any of them moves.
        for j in range(n_particles):
            weight = output_weights[j]
            grad_output = 0.0
            for b in range(batch_size):
                u, s = pre_activations[b, j], activations[b, j]
                grad_output += residuals[b] * s
                derivative = (1.0 if u > 0.0 else 0.0) if activation_code == 0 else s * (1.0 - s)
                step_coefficient = scale * residuals[b] * weight * derivative
                for i in range(width):
                    weights[j, i] -= step_coefficient * batch[b, i]
            output_weights[j] = weight - scale * grad_output
    stream[0], stream[1] = hi, lo


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
    stream_state,
    loss_window,
    window_state,
):
    """Run ``n_steps`` mean-field SGD steps in place (see the module docstring for the formula).

    The samples come from ``stream_state``, the PCG64 state of a numpy Generator read by
    :func:`convexnn.random_stream.load_pcg64_state` (advanced in place; put it back with
    ``save_pcg64_state``): the normals ``rng.standard_normal`` would give, in the same order.
    ``loss_window`` is a ring buffer of the latest per-sample losses 1/2 e^2 and ``window_state``
    holds [next position, number filled]; both are updated in place.

    The steps work on copies of the hidden rows (student and teacher) zero-padded to a multiple
    of ``ROW_PADDING`` columns. B = 1, the setting of every experiment, runs in a fused kernel
    (:func:`_single_sample_steps`), other batch sizes in a plain one (:func:`_batch_steps`).
    """
    augmented_dim = hidden_weights.shape[1]
    input_dim = augmented_dim - 1
    width = (augmented_dim + ROW_PADDING - 1) // ROW_PADDING * ROW_PADDING
    weights = _padded_rows(hidden_weights, width)
    teacher_weights = _padded_rows(teacher_hidden_weights, width)
    if batch_size == 1:
        _single_sample_steps(
            output_weights,
            weights,
            teacher_output_weights,
            teacher_weights,
            activation_code,
            distribution_code,
            step_size,
            n_steps,
            input_dim,
            stream_state,
            loss_window,
            window_state,
        )
    else:
        _batch_steps(
            output_weights,
            weights,
            teacher_output_weights,
            teacher_weights,
            activation_code,
            distribution_code,
            step_size,
            batch_size,
            n_steps,
            input_dim,
            stream_state,
            loss_window,
            window_state,
        )
    hidden_weights[:, :] = weights[:, :augmented_dim]


@numba.njit(**JIT_OPTIONS)
def compiled_test_loss(output_weights, hidden_weights, test_inputs, test_targets, activation_code):
    """1/2 mean_n (f(x_n) - y_n)^2 over the test set: ``square_loss(predict(...), test_targets)``
    in one pass, without its (n, k) temporaries and without augmenting the inputs (the bias, the
    last column of ``hidden_weights``, is added to each dot product).

    The dot products are taken for 4 particles and 2 samples at once: 8 independent sums that
    share their loads of x and v (the 4 x 2 block is the fastest tried; one dot product at a time
    was 1.5x slower, vectorising over the particles or the samples no better). ``test_inputs``
    must be C-contiguous.
    """
    n_samples, input_dim = test_inputs.shape
    n_particles = output_weights.shape[0]
    weights = np.ascontiguousarray(hidden_weights[:, :input_dim])
    biases = hidden_weights[:, input_dim].copy()
    inputs = test_inputs.ravel()  # a view: flat indices, no view (reference count) per sample
    pre_activations = np.empty((2, n_particles))
    n_blocked = n_particles - n_particles % 4
    n_paired = n_samples - n_samples % 2
    total = 0.0
    for n in range(0, n_paired, 2):
        # Unsigned offsets: a signed index gets a test for negative values, which stops LLVM
        # from vectorising the loops below.
        first = np.uint64(n * input_dim)
        second = first + np.uint64(input_dim)
        for j in range(0, n_blocked, 4):
            a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = 0.0
            for i in range(input_dim):
                x0 = inputs[first + np.uint64(i)]
                x1 = inputs[second + np.uint64(i)]
                v0, v1, v2, v3 = weights[j, i], weights[j + 1, i], weights[j + 2, i], weights[j + 3, i]
                a0 += v0 * x0
                a1 += v1 * x0
                a2 += v2 * x0
                a3 += v3 * x0
                b0 += v0 * x1
                b1 += v1 * x1
                b2 += v2 * x1
                b3 += v3 * x1
            pre_activations[0, j], pre_activations[1, j] = a0 + biases[j], b0 + biases[j]
            pre_activations[0, j + 1], pre_activations[1, j + 1] = a1 + biases[j + 1], b1 + biases[j + 1]
            pre_activations[0, j + 2], pre_activations[1, j + 2] = a2 + biases[j + 2], b2 + biases[j + 2]
            pre_activations[0, j + 3], pre_activations[1, j + 3] = a3 + biases[j + 3], b3 + biases[j + 3]
        for j in range(n_blocked, n_particles):
            a0 = b0 = 0.0
            for i in range(input_dim):
                a0 += weights[j, i] * inputs[first + np.uint64(i)]
                b0 += weights[j, i] * inputs[second + np.uint64(i)]
            pre_activations[0, j], pre_activations[1, j] = a0 + biases[j], b0 + biases[j]
        for s in range(2):
            prediction = 0.0
            if activation_code == 0:
                for j in range(n_particles):
                    prediction += output_weights[j] * _relu(pre_activations[s, j])
            else:
                for j in range(n_particles):
                    prediction += output_weights[j] * _logistic(pre_activations[s, j])
            error = prediction / n_particles - test_targets[n + s]
            total += error * error
    for n in range(n_paired, n_samples):  # an odd last sample
        prediction = 0.0
        for j in range(n_particles):
            pre_activation = biases[j]
            for i in range(input_dim):
                pre_activation += weights[j, i] * test_inputs[n, i]
            prediction += output_weights[j] * _sigma(pre_activation, activation_code)
        error = prediction / n_particles - test_targets[n]
        total += error * error
    return 0.5 * total / n_samples


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
        grad_output, grad_hidden = loss_gradients(output_weights, hidden_weights, inputs, targets, teacher.activation)
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
    test_inputs = np.ascontiguousarray(test_inputs, dtype=np.float64)
    test_targets = np.ascontiguousarray(test_targets, dtype=np.float64)
    activation_code = ACTIVATION_CODES[teacher.activation]
    loss_window = np.zeros(train_window)
    window_state = np.zeros(2, dtype=np.int64)
    test_losses, train_losses, trajectory_output, trajectory_hidden = [], [], [], []
    diverged = False
    previous = 0
    # The compiled engine draws rng's PCG64 stream itself: its state is read once here and put
    # back into rng at the end, so that rng ends where rng.standard_normal would have left it.
    stream_state = load_pcg64_state(rng) if engine == "compiled" else None
    try:
        for checkpoint in checkpoints:
            segment = int(checkpoint - previous)
            previous = checkpoint
            if engine == "compiled":
                if segment:
                    sgd_steps(
                        output_weights,
                        hidden_weights,
                        teacher.output_weights,
                        teacher.hidden_weights,
                        activation_code,
                        DISTRIBUTION_CODES[distribution],
                        float(step_size),
                        int(batch_size),
                        segment,
                        stream_state,
                        loss_window,
                        window_state,
                    )
                loss = compiled_test_loss(output_weights, hidden_weights, test_inputs, test_targets, activation_code)
            else:
                with np.errstate(over="ignore", invalid="ignore"):
                    sgd_steps_reference(
                        output_weights,
                        hidden_weights,
                        teacher,
                        distribution,
                        step_size,
                        batch_size,
                        segment,
                        rng,
                        loss_window,
                        window_state,
                    )
                    loss = square_loss(
                        predict(output_weights, hidden_weights, test_inputs, teacher.activation), test_targets
                    )
            filled = window_state[1]
            test_losses.append(loss)
            train_losses.append(float(loss_window[:filled].mean()) if filled else np.nan)
            if record_trajectory:
                trajectory_output.append(output_weights.copy())
                trajectory_hidden.append(hidden_weights.copy())
            if not (np.isfinite(loss) and np.isfinite(output_weights).all() and np.isfinite(hidden_weights).all()):
                diverged = True
                break
    finally:
        if stream_state is not None:
            save_pcg64_state(rng, stream_state)
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
