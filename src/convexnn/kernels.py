"""The F2 side of the report (sections 2.5 and 3.3): the ReLU kernel, random features, ridge with a
validation split, and the two data sets on which F1 and F2 are compared. Pure numerics, no I/O.

**The kernel (report 2.5, Proposition 2.1).** F2 is the RKHS of k(x, y) = int phi_v(x) phi_v(y) dtau(v);
for the ReLU phi_v(x) = (v . x)_+ and the base measure tau = N(0, I_d) it is the arc-cosine kernel of
degree 1 (Cho & Saul 2009, "Kernel methods for deep learning"; their k_1 = (1/pi) ||x|| ||y|| J_1(t) is twice this
expectation, their Gaussian integral carrying a factor 2):

    k(x, y) = E_v[(v . x)_+ (v . y)_+] = ||x|| ||y|| (sin t + (pi - t) cos t) / (2 pi),   cos t = x.y / (||x|| ||y||).

Derivation of the constant: (v . x, v . y) is a centred Gaussian pair; Cho & Saul's J_1(t) = sin t + (pi - t) cos t
gives E[(v . x)_+ (v . y)_+] = ||x|| ||y|| J_1(t) / (2 pi); at t = 0 it is ||x||^2 / 2 = E[(v . x)_+^2], the second
moment of the positive part of an N(0, ||x||^2). The report's V is compact (the sphere): for v uniform on the
unit sphere of R^d, ||v|| and v / ||v|| are independent under N(0, I_d) and E||v||^2 = d, so that kernel is this
one divided by d: the same RKHS, the norm scaled.

**Random features (report 2.5).** With v_1..v_m drawn from tau, k_m(x, y) = (1/m) sum_j (v_j . x)_+ (v_j . y)_+
tends to k as m grows (the report's k-hat without the 1/m is m k_m). Learning f(x) = (1/m) sum_j w_j (v_j . x)_+
with the penalty lambda ||w||^2 / m (the discrete F2 norm, int |p|^2 dtau for p = w on m atoms of mass 1/m) is
kernel ridge regression with k_m.

**Ridge with a validation split.** Kernel ridge: f = sum_i alpha_i k(x_i, .) minimising
(1/n) sum_i (f(x_i) - y_i)^2 + lambda ||f||_H^2, so alpha = (K + n lambda I)^-1 y. The penalty is chosen on a
held-out part of the training set from a grid of ``lambda = c tr(K) / n`` (the grid in units of the kernel's
mean eigenvalue, so that one grid serves every d and n), then refitted on the whole training set.

**The low-dimensional teacher (report 3.3).** y = f*(P^T x) with P a random orthonormal d x s basis:
f*(x) = sum_j b*_j (a*_j . x)_+ with a*_j = P u_j, u_j uniform on the unit sphere of R^s and b*_j = +-1 (the teacher
law of :func:`convexnn.gradient_descent.draw_sign_teacher` inside the subspace), x ~ N(0, I_d). It is in F1 (a few
atoms) and depends on x only through P^T x, "a subspace of dimension s <= d" (report 3.3).

**Chizat & Bach (2020), "Implicit bias of gradient descent for wide two-layer neural networks trained with the
logistic loss", section 6.** k^2 clusters on a k x k grid of [-1/2, 1/2]^2 with centres
Delta (1 + 3 (p - 1)) - 1/2, Delta = 1 / (3k - 1), each point its centre plus a shift of angle U[0, 2 pi] and length
U[0, Delta]; half the clusters (floor(k^2 / 2)) labelled -1, the others +1; inputs x = (1, x_1, x_2, u) in R^d with
u uniform on [-1/2, 1/2]^(d-3) (the constant coordinate plays the bias). Training maximises the smooth margin
S(f) = -log((1/n) sum_i exp(-y_i f(x_i))) by gradient ascent on f(x) = (1/m) sum_j b_j (a_j . x)_+ with the
gradient taken m times (mean-field) and the step eta / sqrt(t + 1) at iteration t = 1, 2, ...: both layers from
(a_j, b_j) ~ N(0, I_(d+1)); or the output layer only, from b = 0 with the step further multiplied by
max(1, ||b|| / sqrt(m)). Test error: the share of test points with y f(x) < 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Blocks of rows for kernel matrices and features: bounded memory at any size (a block of 2,000 rows against
# 2,000 points, or of 10,000 units, is 16 to 160 MB of float64 temporaries).
ROW_BLOCK = 2000
UNIT_BLOCK = 10000


# ----------------------------------------------------------------------------------------------------------------
# The kernel and random features


def arc_cosine_kernel(inputs: np.ndarray, other_inputs: np.ndarray) -> np.ndarray:
    """k(x_i, y_j) = ||x|| ||y|| (sin t + (pi - t) cos t) / (2 pi), shape (n, n'): E_v[(v.x)_+ (v.y)_+], v ~ N(0, I_d).

    A zero input has k = 0 with every point (its features are all 0). Computed in blocks of rows.
    """
    inputs, other_inputs = np.asarray(inputs, dtype=np.float64), np.asarray(other_inputs, dtype=np.float64)
    norms, other_norms = np.linalg.norm(inputs, axis=1), np.linalg.norm(other_inputs, axis=1)
    result = np.empty((len(inputs), len(other_inputs)))
    for start in range(0, len(inputs), ROW_BLOCK):
        stop = min(start + ROW_BLOCK, len(inputs))
        products = np.outer(norms[start:stop], other_norms)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = np.where(products > 0, inputs[start:stop] @ other_inputs.T / products, 1.0)
        np.clip(cosine, -1.0, 1.0, out=cosine)
        angle = np.arccos(cosine)
        # sin t = sqrt(1 - cos^2 t) for t in [0, pi]: one transcendental fewer.
        result[start:stop] = products * (np.sqrt(1.0 - cosine**2) + (np.pi - angle) * cosine) / (2.0 * np.pi)
    return result


def relu_features(inputs: np.ndarray, units: np.ndarray) -> np.ndarray:
    """phi_{v_j}(x_i) = (v_j . x_i)_+, shape (n, m), for units v of shape (m, d)."""
    return np.maximum(np.asarray(inputs, dtype=np.float64) @ np.asarray(units, dtype=np.float64).T, 0.0)


def random_feature_kernel(inputs: np.ndarray, units: np.ndarray, other_inputs: np.ndarray | None = None) -> np.ndarray:
    """k_m(x_i, y_j) = (1/m) sum_j (v_j . x_i)_+ (v_j . y_j)_+, shape (n, n'), summed over blocks of units."""
    other_inputs = inputs if other_inputs is None else other_inputs
    result = np.zeros((len(inputs), len(other_inputs)))
    for start in range(0, len(units), UNIT_BLOCK):
        block = units[start : start + UNIT_BLOCK]
        features = relu_features(inputs, block)
        other = features if other_inputs is inputs else relu_features(other_inputs, block)
        result += features @ other.T
    return result / len(units)


def relative_frobenius_error(approximation: np.ndarray, exact: np.ndarray) -> float:
    """||K_m - K||_F / ||K||_F."""
    return float(np.linalg.norm(approximation - exact) / np.linalg.norm(exact))


def gaussian_units(rng: np.random.Generator, n_units: int, input_dim: int) -> np.ndarray:
    """m units v_j ~ N(0, I_d), the base measure tau of :func:`arc_cosine_kernel`, shape (m, d)."""
    return rng.standard_normal((n_units, input_dim))


# ----------------------------------------------------------------------------------------------------------------
# Ridge with a validation split


def penalty_grid(low_exponent: float, high_exponent: float, count: int) -> np.ndarray:
    """The relative penalties c = 10^e, e evenly spaced from low to high (lambda = c tr(K) / n)."""
    if count < 2 or not low_exponent < high_exponent:
        raise ValueError(
            f"a penalty grid needs count >= 2 and low < high, got {low_exponent}, {high_exponent}, {count}"
        )
    return 10.0 ** np.linspace(low_exponent, high_exponent, count)


def split_for_validation(n_points: int, validation_fraction: float, rng: np.random.Generator):
    """(fit indices, validation indices): a random ``validation_fraction`` of the n training points held out
    (at least one point on each side)."""
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"the validation fraction must be in (0, 1), got {validation_fraction}")
    n_validation = min(max(1, round(validation_fraction * n_points)), n_points - 1)
    order = rng.permutation(n_points)
    return np.sort(order[n_validation:]), np.sort(order[:n_validation])


def kernel_ridge_path(
    kernel: np.ndarray, targets: np.ndarray, penalties: np.ndarray, other_kernel: np.ndarray
) -> np.ndarray:
    """Predictions at other points of kernel ridge for every lambda, shape (n', len(penalties)):

    f_lambda(x') = K(x', X) (K + n lambda I)^-1 y, through one eigendecomposition K = U diag(mu) U^T:
    (K + n lambda I)^-1 y = U diag(1 / (mu + n lambda)) U^T y (mu clipped at 0, K being positive semi-definite).
    ``penalties`` are absolute lambdas; ``other_kernel`` is K(x', X), shape (n', n).
    """
    n_points = len(targets)
    eigenvalues, eigenvectors = np.linalg.eigh(kernel)
    eigenvalues = np.maximum(eigenvalues, 0.0)
    projected = eigenvectors.T @ targets
    coefficients = eigenvectors @ (projected[:, None] / (eigenvalues[:, None] + n_points * penalties[None, :]))
    return other_kernel @ coefficients


def kernel_ridge_coefficients(kernel: np.ndarray, targets: np.ndarray, penalty: float) -> np.ndarray:
    """alpha = (K + n lambda I)^-1 y, the minimiser of (1/n) ||K alpha - y||^2 + lambda alpha^T K alpha."""
    n_points = len(targets)
    return np.linalg.solve(kernel + n_points * penalty * np.eye(n_points), targets)


def mean_square_error(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """mean_i (f(x_i) - y_i)^2 over the first axis (one value per column of a path)."""
    residual = predictions - (targets[:, None] if predictions.ndim == 2 else targets)
    return np.mean(residual**2, axis=0)


def misclassification(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The share of points with y f(x) < 0 (a prediction of exactly 0 counts as right, as in Chizat & Bach's
    code), over the first axis."""
    margins = predictions * (targets[:, None] if predictions.ndim == 2 else targets)
    return np.mean(margins < 0, axis=0)


@dataclass(frozen=True)
class RidgeFit:
    """A ridge fit with its penalty chosen on a validation split: the test predictions of the refit on every
    training point, the relative penalty c chosen (lambda = c tr(K) / n), whether it is an end of the grid, and
    the validation criterion at it."""

    test_predictions: np.ndarray
    relative_penalty: float
    at_grid_edge: bool
    validation_score: float


def _choose(scores: np.ndarray, tie_breaks: np.ndarray | None) -> int:
    """The index of the best score (the lowest); among equal scores the lowest tie-break, then the largest
    penalty (the smoothest fit)."""
    best = np.flatnonzero(scores <= scores.min() + 1e-12)
    if tie_breaks is not None:
        best = best[tie_breaks[best] <= tie_breaks[best].min() + 1e-12]
    return int(best[-1])


def _criteria(predictions: np.ndarray, targets: np.ndarray, criterion: str):
    if criterion == "square":
        return mean_square_error(predictions, targets), None
    if criterion == "misclassification":
        return misclassification(predictions, targets), mean_square_error(predictions, targets)
    raise ValueError(f"the validation criterion must be 'square' or 'misclassification', got {criterion!r}")


def kernel_ridge_with_validation(
    kernel_function,
    train_inputs: np.ndarray,
    train_targets: np.ndarray,
    test_inputs: np.ndarray,
    relative_penalties: np.ndarray,
    split: tuple[np.ndarray, np.ndarray],
    criterion: str = "square",
) -> RidgeFit:
    """Kernel ridge with ``kernel_function(x, y)`` (a Gram matrix), lambda chosen on ``split`` (fit, validation
    indices) by ``criterion`` ("square": the mean square error; "misclassification": the share of sign errors,
    ties broken by the square error), then refitted on every training point and evaluated at ``test_inputs``
    (in blocks of rows)."""
    fit, validation = split
    gram = kernel_function(train_inputs, train_inputs)
    fit_gram = gram[np.ix_(fit, fit)]
    scale = np.trace(fit_gram) / len(fit)
    path = kernel_ridge_path(fit_gram, train_targets[fit], relative_penalties * scale, gram[np.ix_(validation, fit)])
    scores, tie_breaks = _criteria(path, train_targets[validation], criterion)
    chosen = _choose(scores, tie_breaks)
    penalty = relative_penalties[chosen] * np.trace(gram) / len(gram)
    coefficients = kernel_ridge_coefficients(gram, train_targets, penalty)
    predictions = np.concatenate(
        [
            kernel_function(test_inputs[start : start + ROW_BLOCK], train_inputs) @ coefficients
            for start in range(0, len(test_inputs), ROW_BLOCK)
        ]
    )
    edge = chosen in (0, len(relative_penalties) - 1)
    return RidgeFit(predictions, float(relative_penalties[chosen]), edge, float(scores[chosen]))


def feature_ridge_path(features: np.ndarray, targets: np.ndarray, penalties: np.ndarray) -> np.ndarray:
    """Output weights beta of min_beta (1/n) ||Z beta - y||^2 + lambda ||beta||^2 for every lambda, shape
    (m, len(penalties)), through one thin SVD Z = U diag(s) V^T: beta = V diag(s / (s^2 + n lambda)) U^T y."""
    n_points = len(targets)
    left, singular, right_transposed = np.linalg.svd(features, full_matrices=False)
    projected = left.T @ targets
    shrink = singular[:, None] / (singular[:, None] ** 2 + n_points * penalties[None, :])
    return right_transposed.T @ (shrink * projected[:, None])


def random_feature_ridge_with_validation(
    train_features: np.ndarray,
    train_targets: np.ndarray,
    test_features: np.ndarray,
    relative_penalties: np.ndarray,
    split: tuple[np.ndarray, np.ndarray],
    criterion: str = "square",
) -> RidgeFit:
    """Ridge on fixed random features: f(x) = (1/m) sum_j w_j phi_j(x) with the penalty lambda ||w||^2 / m, i.e.
    features Z = Phi / sqrt(m), beta = w / sqrt(m) and kernel ridge with k_m = Z Z^T (see the module docstring).
    ``train_features`` and ``test_features`` are Phi (unscaled, shape (n, m)); lambda = c tr(Z Z^T) / n, chosen on
    ``split`` by ``criterion`` as :func:`kernel_ridge_with_validation`, then refitted on every training point."""
    fit, validation = split
    scaled_train = train_features / np.sqrt(train_features.shape[1])
    fit_features = scaled_train[fit]
    scale = np.sum(fit_features**2) / len(fit)
    weights = feature_ridge_path(fit_features, train_targets[fit], relative_penalties * scale)
    scores, tie_breaks = _criteria(scaled_train[validation] @ weights, train_targets[validation], criterion)
    chosen = _choose(scores, tie_breaks)
    penalty = relative_penalties[chosen] * np.sum(scaled_train**2) / len(scaled_train)
    (refit,) = feature_ridge_path(scaled_train, train_targets, np.array([penalty])).T
    predictions = (test_features / np.sqrt(test_features.shape[1])) @ refit
    edge = chosen in (0, len(relative_penalties) - 1)
    return RidgeFit(predictions, float(relative_penalties[chosen]), edge, float(scores[chosen]))


# ----------------------------------------------------------------------------------------------------------------
# The low-dimensional teacher (report 3.3)


@dataclass(frozen=True)
class SubspaceTeacher:
    """f*(x) = sum_j b*_j (a*_j . x)_+ with a*_j = P u_j: ``basis`` P (d, s) orthonormal, ``directions`` u (m0, s)
    of unit norm, ``output_weights`` b* (m0,)."""

    basis: np.ndarray
    directions: np.ndarray
    output_weights: np.ndarray

    @property
    def hidden_weights(self) -> np.ndarray:
        """a*_j = P u_j, shape (m0, d)."""
        return self.directions @ self.basis.T

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        """f*(x) = g(P^T x) with g(z) = sum_j b*_j (u_j . z)_+: computed from the projection, so that it is
        unchanged, to rounding, when x moves orthogonally to the subspace."""
        return relu_features(inputs @ self.basis, self.directions) @ self.output_weights


def random_subspace(rng: np.random.Generator, input_dim: int, subspace_dim: int) -> np.ndarray:
    """P, shape (d, s): the Q of a QR decomposition of a d x s standard Gaussian with the signs fixed so that
    diag(R) > 0, an orthonormal basis of a uniformly random s-dimensional subspace of R^d."""
    if not 1 <= subspace_dim <= input_dim:
        raise ValueError(f"the subspace dimension must be in [1, d = {input_dim}], got {subspace_dim}")
    basis, triangle = np.linalg.qr(rng.standard_normal((input_dim, subspace_dim)))
    return basis * np.sign(np.diag(triangle))


def draw_subspace_units(rng: np.random.Generator, subspace_dim: int, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """(u, b*): u_j uniform on the unit sphere of R^s, shape (m0, s), then b*_j = +1 or -1 with probability 1/2."""
    if n_units < 1:
        raise ValueError(f"the teacher needs at least one unit, got {n_units}")
    directions = rng.standard_normal((n_units, subspace_dim))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return directions, 2.0 * rng.integers(0, 2, size=n_units) - 1.0


def draw_subspace_teacher(
    rng: np.random.Generator,
    input_dim: int,
    subspace_dim: int,
    n_units: int,
    units_rng: np.random.Generator | None = None,
) -> SubspaceTeacher:
    """A teacher in a random subspace: P from ``rng`` (:func:`random_subspace`), then (u, b*) from ``units_rng``
    if given, else from ``rng`` (:func:`draw_subspace_units`). A separate ``units_rng`` lets several d share
    the low-dimensional function g(z) = sum_j b*_j (u_j . z)_+ (a paired comparison across d)."""
    basis = random_subspace(rng, input_dim, subspace_dim)
    directions, output_weights = draw_subspace_units(rng if units_rng is None else units_rng, subspace_dim, n_units)
    return SubspaceTeacher(basis, directions, output_weights)


# ----------------------------------------------------------------------------------------------------------------
# Chizat & Bach (2020): clusters on a grid


def cluster_signs(rng: np.random.Generator, clusters_per_side: int) -> np.ndarray:
    """The label of each of the k^2 clusters: floor(k^2 / 2) of them, chosen at random, -1, the others +1."""
    n_clusters = clusters_per_side**2
    signs = np.ones(n_clusters)
    signs[rng.permutation(n_clusters)[: n_clusters // 2]] = -1.0
    return signs


def cluster_centres(clusters_per_side: int) -> np.ndarray:
    """Centres of the k x k clusters, shape (k^2, 2): cluster p = p1 + k p2 (0-based) at
    Delta (1 + 3 p_i) - 1/2, Delta = 1 / (3k - 1)."""
    spacing = 1.0 / (3 * clusters_per_side - 1)
    index = np.arange(clusters_per_side**2)
    first, second = index % clusters_per_side, index // clusters_per_side
    return np.column_stack([spacing * (1 + 3 * first) - 0.5, spacing * (1 + 3 * second) - 0.5])


def cluster_data(
    rng: np.random.Generator, n_points: int, input_dim: int, signs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y): n points of the Chizat & Bach distribution with the cluster labels ``signs`` (k^2 of them).

    x = (1, c + R (cos T, sin T), u): cluster uniform, T ~ U[0, 2 pi], R ~ U[0, Delta], u ~ U[-1/2, 1/2]^(d-3);
    y = the sign of the cluster. d >= 3 (the constant and the two informative coordinates)."""
    clusters_per_side = int(round(np.sqrt(len(signs))))
    if clusters_per_side**2 != len(signs):
        raise ValueError(f"the cluster signs must number a square k^2, got {len(signs)}")
    if input_dim < 3:
        raise ValueError(f"the cluster data need d >= 3 (constant and two coordinates), got {input_dim}")
    spacing = 1.0 / (3 * clusters_per_side - 1)
    cluster = rng.integers(0, len(signs), size=n_points)
    angle = 2.0 * np.pi * rng.random(n_points)
    radius = spacing * rng.random(n_points)
    noise = rng.random((n_points, input_dim - 3)) - 0.5
    centres = cluster_centres(clusters_per_side)[cluster]
    shifted = centres + radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return np.column_stack([np.ones(n_points), shifted, noise]), signs[cluster]


def two_layer_outputs(output_weights: np.ndarray, hidden_weights: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """f(x) = (1/m) sum_j b_j (a_j . x)_+."""
    return relu_features(inputs, hidden_weights) @ output_weights / len(output_weights)


def smooth_margin_weights(margins: np.ndarray) -> tuple[float, np.ndarray]:
    """S = -log((1/n) sum_i exp(-y_i f_i)) and its gradient dS/d(y_i f_i) = softmax(-y f)_i, computed from the
    smallest margin (no overflow)."""
    smallest = margins.min()
    weights = np.exp(smallest - margins)
    total = weights.sum()
    return float(smallest - np.log(total / len(margins))), weights / total


@dataclass(frozen=True)
class MarginAscentRun:
    """The outcome of :func:`smooth_margin_ascent`: the last parameters, the smooth margin S of the last
    iterate, its normalised margin min_i y_i f(x_i) / (||(a, b)||^2 / m for both layers, ||b|| / m for the
    output layer: Chizat & Bach's normalisations), and ``diverged`` if a value became non-finite."""

    output_weights: np.ndarray
    hidden_weights: np.ndarray
    smooth_margin: float
    normalised_margin: float
    diverged: bool


def smooth_margin_ascent(
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    inputs: np.ndarray,
    labels: np.ndarray,
    *,
    step_size: float,
    n_steps: int,
    both_layers: bool,
) -> MarginAscentRun:
    """Chizat & Bach's (2020) training (module docstring): for t = 1..n_steps, with g = softmax(-y f) * y,

        both layers:   b_j += eta_t sum_i g_i (a_j . x_i)_+,  a_j += eta_t b_j sum_i g_i 1[a_j . x_i > 0] x_i,
        output layer:  b_j += eta_t beta_t sum_i g_i (a_j . x_i)_+,  beta_t = max(1, ||b|| / sqrt(m)),

    eta_t = eta / sqrt(t + 1): the gradient of S with respect to each unit times m (the mean-field step).
    Both gradients are taken at the same iterate. Inputs are not modified."""
    output_weights = np.array(output_weights, dtype=np.float64)
    hidden_weights = np.array(hidden_weights, dtype=np.float64)
    inputs = np.ascontiguousarray(inputs, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    n_units = len(output_weights)
    diverged = False
    # (n, m) work arrays reused at every step, and a 0/1 float mask: a third of a step at m = 200, n = 256, d = 25
    pre_activations = np.empty((len(labels), n_units))
    features = np.empty_like(pre_activations)
    mask = np.empty_like(pre_activations)
    with np.errstate(over="ignore", invalid="ignore"):
        if not both_layers:
            np.maximum(np.matmul(inputs, hidden_weights.T, out=pre_activations), 0.0, out=features)  # fixed
        for step in range(1, n_steps + 1):
            rate = step_size / np.sqrt(step + 1.0)
            if both_layers:
                np.matmul(inputs, hidden_weights.T, out=pre_activations)
                np.maximum(pre_activations, 0.0, out=features)
            margins = labels * (features @ output_weights) / n_units
            if not np.all(np.isfinite(margins)):
                diverged = True
                break
            _, weights = smooth_margin_weights(margins)
            signed = weights * labels
            output_step = features.T @ signed
            if both_layers:
                np.greater(pre_activations, 0.0, out=mask)
                mask *= signed[:, None]
                hidden_step = mask.T @ inputs
                hidden_step *= (rate * output_weights)[:, None]  # b_j before its own update: one iterate
                hidden_weights += hidden_step
                output_weights += rate * output_step
            else:
                scale = max(1.0, float(np.linalg.norm(output_weights)) / np.sqrt(n_units))
                output_weights += rate * scale * output_step
        final_features = relu_features(inputs, hidden_weights)
        margins = labels * (final_features @ output_weights) / n_units
        diverged = diverged or not (np.all(np.isfinite(margins)) and np.all(np.isfinite(hidden_weights)))
    if diverged:
        return MarginAscentRun(output_weights, hidden_weights, np.nan, np.nan, True)
    smooth, _ = smooth_margin_weights(margins)
    if both_layers:
        norm = float(np.sum(output_weights**2) + np.sum(hidden_weights**2)) / n_units
    else:
        norm = float(np.linalg.norm(output_weights)) / n_units
    return MarginAscentRun(output_weights, hidden_weights, smooth, float(margins.min()) / norm, False)
