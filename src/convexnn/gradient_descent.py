"""Full-batch gradient descent on a two-layer ReLU network and on its linearisation: the lazy-training experiment.

After Chizat & Bach (2018), "A Note on Lazy Training in Supervised Differentiable Programming", section 5, and
Chizat, Oyallon & Bach (NeurIPS 2019). The student has m units, no bias, and an output scale s:

    f(x) = s * sum_{j=1..m} b_j (a_j . x)_+

with ``output_weights`` b of shape (m,) and ``hidden_weights`` a of shape (m, d); s = 1 is the unscaled
("alpha = 1") model whose regime is set by the initialisation scale tau alone, s = 1/m the mean-field one.
The teacher f*(x) = sum_{j=1..m0} b*_j (a*_j . x)_+ has m0 units with |a*_j| = 1 and b*_j = +-1, and the inputs
are uniform on the unit sphere of R^d. Training minimises, by full-batch gradient descent with step eta,

    R(w) = (1/2n) sum_i (f(x_i) - y_i)^2,        w = (b, a),

from the doubled initialisation (units j and j + m/2 share a_j and have opposite b_j, so f(w0) = 0). The
linearised model f_lin(w) = f(w0) + J(w0)(w - w0) is trained on the same loss in closed form through its tangent
kernel K = J J^T (see :func:`linearised_gradient_descent`).

Parameters are flattened, where a single vector is needed, as w = [b; a.ravel()] (b first, then a row by row).

Exactness of f(w0) = 0: BLAS does not return bit-identical columns for identical rows of a (a column's position in
the kernel's blocks changes its rounding), so for an even m the pre-activations of the two halves of the units are
two identical matrix products, and so are the sums over each half of the units; the two half-sums are then exact
opposites. The training loop does this at w0 only (afterwards the halves no longer mirror each other).

Implementation: plain numpy and BLAS, float64, preallocated (n, m) work arrays. A step is two (n, d) x (d, m)
products (forward and backward) and a few passes over the (n, m) pre-activations: 2 n m (d + 1) multiply-adds.
Measured by ``benchmarks/gradient_descent.py`` at the experiment's sizes (m = 50, d = 100, n = 1000, tau = 0.1; one
core of a shared 2-core AVX-512 Xeon, OpenBLAS 0.3.31; medians of 5 runs of 500 steps):

- float64 numpy (kept): 0.48 ms a step (2,070 steps/s, 2.1e10 multiply-adds/s), the two products 72% of it; a run
  of 10,000 steps with its test losses takes 4.7 s;
- float64 with the elementwise work fused by numba: 0.41 ms a step (15% faster; 0.3 s to compile): not worth a
  compiled kernel and a second copy of the exact-cancellation logic;
- float32 numpy: 0.21 ms a step (2.3x faster) but not accurate enough: after 500 steps its test loss differs from
  float64 by 1.5e-3 (relative) at tau = 10, where f is a sum of terms ~tau^2 cancelling to O(1) (more than the
  3e-5 to 2e-4 by which the network and its linearisation differ there after 10,000 steps), and its parameters by
  1.6% at tau = 10^-2.5 (feature learning amplifies rounding);
- the closed form of the linearised run (n = 1000, test 1000, 30 checkpoints of 10,000 steps): 0.2 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# ----------------------------------------------------------------------------------------------------------------
# The model


def hidden_pre_activations(hidden_weights: np.ndarray, inputs: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """u_ij = a_j . x_i, shape (n, m), written into ``out`` if given.

    For an even m the two halves of the units are two identical matrix products, so that units j and j + m/2 with
    the same a_j get bit-identical pre-activations (one product over all m units does not guarantee it).
    """
    n_units = hidden_weights.shape[0]
    if out is None:
        out = np.empty((inputs.shape[0], n_units), dtype=np.result_type(inputs, hidden_weights))
    if n_units % 2:
        return np.matmul(inputs, hidden_weights.T, out=out)
    half = n_units // 2
    np.matmul(inputs, hidden_weights[:half].T, out=out[:, :half])
    np.matmul(inputs, hidden_weights[half:].T, out=out[:, half:])
    return out


def sum_over_units(activations: np.ndarray, output_weights: np.ndarray) -> np.ndarray:
    """sum_j b_j h_ij for each row i.

    For an even m, the sums over each half of the units are two identical matrix-vector products, added last: with
    mirrored units (equal columns h, opposite b) they are exact opposites and f is exactly 0.
    """
    n_units = output_weights.shape[0]
    if n_units % 2:
        return activations @ output_weights
    half = n_units // 2
    return activations[:, :half] @ output_weights[:half] + activations[:, half:] @ output_weights[half:]


def predict(output_weights: np.ndarray, hidden_weights: np.ndarray, inputs: np.ndarray, scale: float) -> np.ndarray:
    """f(x) = scale * sum_j b_j (a_j . x)_+ for every row x of ``inputs`` (shape (n, d)); returns shape (n,)."""
    activations = np.maximum(hidden_pre_activations(hidden_weights, inputs), 0.0)
    return scale * sum_over_units(activations, output_weights)


def square_loss(predictions: np.ndarray, targets: np.ndarray) -> float:
    """1/2 mean_i (f(x_i) - y_i)^2."""
    residual = predictions - targets
    return 0.5 * float(residual @ residual) / len(targets)


def empirical_risk(
    output_weights: np.ndarray, hidden_weights: np.ndarray, inputs: np.ndarray, targets: np.ndarray, scale: float
) -> float:
    """R(w) = (1/2n) sum_i (f(x_i) - y_i)^2."""
    return square_loss(predict(output_weights, hidden_weights, inputs, scale), targets)


def risk_gradients(
    output_weights: np.ndarray, hidden_weights: np.ndarray, inputs: np.ndarray, targets: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of R with respect to b (shape (m,)) and a (shape (m, d)).

    With residual r_i = f(x_i) - y_i and u_ij = a_j . x_i (the ReLU derivative taken as 1[u > 0]):

        dR/db_j = (scale/n) sum_i r_i (u_ij)_+
        dR/da_j = (scale/n) b_j sum_i r_i 1[u_ij > 0] x_i
    """
    pre_activations = hidden_pre_activations(hidden_weights, inputs)
    activations = np.maximum(pre_activations, 0.0)
    residual = scale * sum_over_units(activations, output_weights) - targets
    factor = scale / len(targets)
    grad_output = factor * (activations.T @ residual)
    grad_hidden = factor * ((pre_activations > 0.0) * residual[:, None]).T @ inputs * output_weights[:, None]
    return grad_output, grad_hidden


# ----------------------------------------------------------------------------------------------------------------
# Teacher, inputs, initialisation


def sphere_inputs(rng: np.random.Generator, n_points: int, input_dim: int) -> np.ndarray:
    """n points uniform on the unit sphere of R^d (normalised standard Gaussians), shape (n, d)."""
    points = rng.standard_normal((n_points, input_dim))
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def draw_sign_teacher(rng: np.random.Generator, n_units: int, input_dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Teacher (b*, a*): a*_j uniform on the unit sphere of R^d, b*_j = +1 or -1 with probability 1/2 each.

    Returns (output_weights (m0,), hidden_weights (m0, d)); the input weights are drawn first.
    """
    hidden_weights = sphere_inputs(rng, n_units, input_dim)
    output_weights = 2.0 * rng.integers(0, 2, size=n_units) - 1.0
    return output_weights, hidden_weights


def teacher_outputs(output_weights: np.ndarray, hidden_weights: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """Noiseless labels y = f*(x) = sum_j b*_j (a*_j . x)_+ (scale 1)."""
    return predict(output_weights, hidden_weights, inputs, 1.0)


def doubled_initialisation(
    rng: np.random.Generator, n_units: int, input_dim: int, init_scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """w0 = (b, a) with f(w0) = 0: for j < m/2, a_j, b_j i.i.d. N(0, init_scale^2); a_{j+m/2} = a_j, b_{j+m/2} = -b_j.

    The normals are drawn as init_scale * N(0, 1) (a first, then b), so one seed gives the same directions at every
    init_scale. With :func:`predict`, f(w0) is exactly 0.0 in floating point. Raises ValueError for an odd m.
    """
    if n_units <= 0 or n_units % 2:
        raise ValueError(f"the doubled initialisation needs a positive even number of units, got n_units={n_units}")
    half = n_units // 2
    hidden_half = init_scale * rng.standard_normal((half, input_dim))
    output_half = init_scale * rng.standard_normal(half)
    return np.concatenate([output_half, -output_half]), np.vstack([hidden_half, hidden_half])


# ----------------------------------------------------------------------------------------------------------------
# Parameters


def flatten_parameters(output_weights: np.ndarray, hidden_weights: np.ndarray) -> np.ndarray:
    """w = [b; a.ravel()], shape (m + m d,): the order of the columns of :func:`parameter_jacobian`."""
    return np.concatenate([output_weights, hidden_weights.ravel()])


def relative_displacement(
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    initial_output_weights: np.ndarray,
    initial_hidden_weights: np.ndarray,
) -> float:
    """||w - w0|| / ||w0|| over all parameters (b and a together), Euclidean norms."""
    moved = flatten_parameters(output_weights - initial_output_weights, hidden_weights - initial_hidden_weights)
    return float(
        np.linalg.norm(moved) / np.linalg.norm(flatten_parameters(initial_output_weights, initial_hidden_weights))
    )


def log_spaced_checkpoints(n_steps: int, n_points: int) -> np.ndarray:
    """Iteration indices 0, then about ``n_points`` integers log-spaced from 1 to n_steps (duplicates removed)."""
    if n_steps < 1:
        return np.zeros(1, dtype=np.int64)
    spaced = np.rint(np.logspace(0.0, np.log10(n_steps), max(n_points, 2))).astype(np.int64)
    return np.unique(np.concatenate([[0], spaced, [n_steps]]))


def _checked_checkpoints(checkpoints: Sequence[int] | np.ndarray, n_steps: int) -> np.ndarray:
    indices = np.asarray(checkpoints, dtype=np.int64).ravel()
    if indices.size == 0 or indices[0] < 0 or indices[-1] > n_steps or np.any(np.diff(indices) <= 0):
        raise ValueError(f"checkpoints must be strictly increasing iteration indices in [0, {n_steps}]")
    return indices


# ----------------------------------------------------------------------------------------------------------------
# Gradient descent on the network


@dataclass(frozen=True)
class GradientDescentRun:
    """The outcome of :func:`gradient_descent`.

    ``train_losses[k]`` and ``test_losses[k]`` are the losses of the iterate w_t, t = ``checkpoints[k]`` (w_0 the
    initialisation, w_t after t steps); NaN at the checkpoints a diverged run did not reach. The parameters are
    those of the last iterate (w_{n_steps}, or the first non-finite one when ``diverged``), and ``steps_done`` is
    the index t of that iterate.
    """

    output_weights: np.ndarray
    hidden_weights: np.ndarray
    checkpoints: np.ndarray
    train_losses: np.ndarray
    test_losses: np.ndarray
    diverged: bool
    steps_done: int


def gradient_descent(
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    train_inputs: np.ndarray,
    train_targets: np.ndarray,
    test_inputs: np.ndarray,
    test_targets: np.ndarray,
    *,
    step_size: float,
    n_steps: int,
    checkpoints: Sequence[int] | np.ndarray,
    scale: float,
) -> GradientDescentRun:
    """Full-batch gradient descent w_{t+1} = w_t - eta grad R(w_t), t = 0 .. n_steps - 1 (see :func:`risk_gradients`).

    The test loss is 1/2 mean (f(x) - y)^2 over the test set. A non-finite training loss or parameter stops the run
    with ``diverged`` set; nothing is raised. The inputs are not modified; everything is computed in float64.
    """
    indices = _checked_checkpoints(checkpoints, n_steps)
    output_weights = np.array(output_weights, dtype=np.float64)
    hidden_weights = np.array(hidden_weights, dtype=np.float64)
    train_inputs = np.ascontiguousarray(train_inputs, dtype=np.float64)
    train_targets = np.ascontiguousarray(train_targets, dtype=np.float64)
    test_inputs = np.ascontiguousarray(test_inputs, dtype=np.float64)
    test_targets = np.ascontiguousarray(test_targets, dtype=np.float64)
    return _descend(
        output_weights,
        hidden_weights,
        train_inputs,
        train_targets,
        test_inputs,
        test_targets,
        step_size,
        n_steps,
        indices,
        scale,
    )


def _descend(
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    train_inputs: np.ndarray,
    train_targets: np.ndarray,
    test_inputs: np.ndarray,
    test_targets: np.ndarray,
    step_size: float,
    n_steps: int,
    indices: np.ndarray,
    scale: float,
) -> GradientDescentRun:
    """The loop of :func:`gradient_descent`, in the dtype of its arrays (which it updates in place)."""
    n_samples, n_units = len(train_targets), len(output_weights)
    step_factor = step_size * scale / n_samples  # eta * dR/dw = (eta s / n) * (...)
    train_losses = np.full(len(indices), np.nan)
    test_losses = np.full(len(indices), np.nan)
    # (n, m) work arrays, reused, and a 0/1 float mask rather than a boolean one: about 10% of a step.
    pre_activations = np.empty((n_samples, n_units), dtype=train_inputs.dtype)
    activations = np.empty_like(pre_activations)
    back_propagated = np.empty_like(pre_activations)
    next_checkpoint, diverged, step = 0, False, 0
    # A diverging run overflows on its way to inf/NaN: that is detected below, not warned about.
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(n_steps + 1):
            if step == 0:  # mirrored units: two products, so that f(w0) = 0 exactly (see hidden_pre_activations)
                hidden_pre_activations(hidden_weights, train_inputs, out=pre_activations)
            else:  # the halves no longer mirror each other, and one product is about 10% faster a step
                np.matmul(train_inputs, hidden_weights.T, out=pre_activations)
            np.maximum(pre_activations, 0.0, out=activations)
            residual = sum_over_units(activations, output_weights)
            residual *= scale
            residual -= train_targets
            train_loss = 0.5 * float(residual @ residual) / n_samples
            if not np.isfinite(train_loss):
                diverged = True
                break
            if next_checkpoint < len(indices) and step == indices[next_checkpoint]:
                train_losses[next_checkpoint] = train_loss
                test_losses[next_checkpoint] = square_loss(
                    predict(output_weights, hidden_weights, test_inputs, scale), test_targets
                )
                next_checkpoint += 1
            if step == n_steps:
                break
            # Both gradients at w_t before either update; b_j multiplies the (m, d) product, not the (n, m) factor.
            np.greater(pre_activations, 0.0, out=back_propagated)  # 1[u_ij > 0] as 0.0 / 1.0
            back_propagated *= residual[:, None]
            step_hidden = back_propagated.T @ train_inputs
            step_hidden *= step_factor * output_weights[:, None]
            output_weights -= step_factor * (activations.T @ residual)
            hidden_weights -= step_hidden
    if not diverged and not (np.all(np.isfinite(output_weights)) and np.all(np.isfinite(hidden_weights))):
        diverged = True
    return GradientDescentRun(output_weights, hidden_weights, indices, train_losses, test_losses, diverged, step)


# ----------------------------------------------------------------------------------------------------------------
# The linearised model at w0


def parameter_jacobian(
    output_weights: np.ndarray, hidden_weights: np.ndarray, inputs: np.ndarray, scale: float
) -> np.ndarray:
    """J = df(x_i)/dw, shape (n, m + m d), columns in the order of :func:`flatten_parameters`:

    df/db_j = scale (a_j . x)_+,    df/da_jk = scale b_j 1[a_j . x > 0] x_k.
    """
    pre_activations = hidden_pre_activations(hidden_weights, inputs)
    gated = (pre_activations > 0.0) * output_weights  # b_j 1[u_ij > 0]
    hidden_block = gated[:, :, None] * inputs[:, None, :]
    return scale * np.hstack([np.maximum(pre_activations, 0.0), hidden_block.reshape(len(inputs), -1)])


def tangent_kernel(
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    inputs: np.ndarray,
    other_inputs: np.ndarray,
    scale: float,
) -> np.ndarray:
    """K(x, x') = J(x) J(x')^T without forming J, shape (n, n'):

    K(x, x') = scale^2 [ sum_j (a_j.x)_+ (a_j.x')_+  +  (x.x') sum_j b_j^2 1[a_j.x > 0] 1[a_j.x' > 0] ].
    """
    pre_activations = hidden_pre_activations(hidden_weights, inputs)
    other_pre_activations = hidden_pre_activations(hidden_weights, other_inputs)
    output_part = np.maximum(pre_activations, 0.0) @ np.maximum(other_pre_activations, 0.0).T
    gated = (pre_activations > 0.0) * output_weights
    other_gated = (other_pre_activations > 0.0) * output_weights
    hidden_part = (inputs @ other_inputs.T) * (gated @ other_gated.T)
    return scale**2 * (output_part + hidden_part)


@dataclass(frozen=True)
class LinearisedRun:
    """The losses of gradient descent on the linearised model at the iterates t = ``checkpoints[k]``."""

    checkpoints: np.ndarray
    train_losses: np.ndarray
    test_losses: np.ndarray
    diverged: bool


def linearised_gradient_descent(
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    train_inputs: np.ndarray,
    train_targets: np.ndarray,
    test_inputs: np.ndarray,
    test_targets: np.ndarray,
    *,
    step_size: float,
    n_steps: int,
    checkpoints: Sequence[int] | np.ndarray,
    scale: float,
) -> LinearisedRun:
    """Gradient descent on f_lin(w) = f(w0) + J (w - w0), w0 = (``output_weights``, ``hidden_weights``), in closed form.

    With the same loss R and step eta, and the iterates w_{t+1} = w_t - (eta/n) J^T r_t, the training residual
    r_t = f_lin(w_t) - y obeys r_{t+1} = (I - (eta/n) K) r_t with K = J J^T (n x n); writing K = U diag(lambda) U^T,

        r_t             = U diag((1 - eta lambda/n)^t) U^T r_0,                 r_0 = f(w0) - y,
        w_t - w0        = -(eta/n) J^T sum_{k<t} r_k = -J^T U diag(c_t) U^T r_0,
        c_t(lambda)     = (1 - (1 - eta lambda/n)^t) / lambda    (-> t eta / n as lambda -> 0),
        f_lin,test(t)   = f(w0)_test - K_test,train U diag(c_t) U^T r_0.

    c_t is evaluated as -expm1(t log1p(-eta lambda/n)) / lambda where 1 - eta lambda/n > 0, which stays accurate for
    small lambda. ``diverged`` is set if a loss is not finite (eta lambda_max / n > 2 makes the iteration blow up).
    """
    indices = _checked_checkpoints(checkpoints, n_steps)
    output_weights, hidden_weights = np.asarray(output_weights, np.float64), np.asarray(hidden_weights, np.float64)
    train_inputs, train_targets = np.asarray(train_inputs, np.float64), np.asarray(train_targets, np.float64)
    test_inputs, test_targets = np.asarray(test_inputs, np.float64), np.asarray(test_targets, np.float64)
    n_samples = len(train_targets)
    initial_train = predict(output_weights, hidden_weights, train_inputs, scale)
    initial_test = predict(output_weights, hidden_weights, test_inputs, scale)
    eigenvalues, eigenvectors = np.linalg.eigh(
        tangent_kernel(output_weights, hidden_weights, train_inputs, train_inputs, scale)
    )
    test_kernel_basis = tangent_kernel(output_weights, hidden_weights, test_inputs, train_inputs, scale) @ eigenvectors
    initial_residual_basis = eigenvectors.T @ (initial_train - train_targets)

    steps = indices.astype(np.float64)[None, :]  # (1, checkpoints) against eigenvalues (n, 1)
    rate = (step_size / n_samples) * eigenvalues[:, None]  # eta lambda / n
    contraction = 1.0 - rate
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        stable = contraction > 0.0
        log_contraction = np.log1p(-np.where(stable, rate, 0.0))
        powers = np.where(stable, np.exp(steps * log_contraction), np.power(contraction, steps))
        # sum_{k<t} (1 - rate)^k = (1 - (1 - rate)^t) / rate, then times eta / n.
        sums = np.where(stable, -np.expm1(steps * log_contraction), 1.0 - powers)
        safe_rate = np.where(rate == 0.0, 1.0, rate)
        coefficients = (step_size / n_samples) * np.where(rate == 0.0, steps, sums / safe_rate)
        train_residuals = eigenvectors @ (powers * initial_residual_basis[:, None])
        test_predictions = initial_test[:, None] - test_kernel_basis @ (coefficients * initial_residual_basis[:, None])
        train_losses = 0.5 * np.mean(train_residuals**2, axis=0)
        test_losses = 0.5 * np.mean((test_predictions - test_targets[:, None]) ** 2, axis=0)
    diverged = not (np.all(np.isfinite(train_losses)) and np.all(np.isfinite(test_losses)))
    return LinearisedRun(indices, train_losses, test_losses, diverged)
