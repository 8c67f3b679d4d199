"""Conditional gradient (Frank-Wolfe) on the F1 ball and the new-unit subproblem: the report's section 4.

E. Berthier (2018), "On Convex Neural Networks", section 4. The problem is eq. (4) with the square loss,

    min_{f in F1, gamma_1(f) <= delta}  R(f) = (1/2n) sum_i (f(x_i) - y_i)^2,

over one-hidden-layer ReLU networks f(x) = sum_j w_j (v_j . x)_+ (alpha = 1), where gamma_1(f) = sum_j |w_j| ||v_j||.
Only the values u = (f(x_1), ..., f(x_n)) on the data enter R, so the problem is the minimisation of the quadratic
R(u) = (1/2n) ||u - y||^2 over the convex hull D of the extreme points +-delta phi_v, phi_v = ((v . x_i)_+)_i,
||v|| = 1 (section 4.1: "F1^delta is the convex hull of functions x -> +-delta (v^T x)_+^alpha").

What is here, without I/O:

- :func:`circle_new_unit`: the exact new-unit step (eq. (5)) for inputs in R^2, in O(n log n);
- :func:`frank_wolfe`: the algorithm of section 4.1 with the step 2/(t+2), with exact line search, or fully
  corrective (the weights of every unit found so far re-fitted on the l1 ball of radius delta), with the exact
  circle step or any other new-unit step;
- :func:`nearest_point_in_hull`: the convex QP of the fully corrective step, min over the simplex of
  ||A^T lambda - y||, solved exactly by Wolfe's minimum-norm-point active-set method; and
  :func:`projected_gradient_l1` (accelerated projected gradient on the l1 ball), an independent check;
- :func:`exact_new_unit`: the exact new-unit step in R^r by enumerating the cells (and the lower-dimensional faces)
  of the hyperplane arrangement {v : sign(v . x_i) fixed}, with :func:`cover_count` (Cover 1965) beside it;
- :func:`random_search_new_unit` and :func:`gradient_ascent_new_unit`: approximate steps at a fixed budget of
  evaluations (section 4.2: the exact step is "computationally intractable").

Conventions: ``inputs`` (n, r) are the x_i (with a last coordinate 1 where a bias is wanted: v . [x; 1]);
``residuals`` g_i = f(x_i) - y_i, so that the gradient of R at u is g / n and the new-unit objective is

    h(v) = (1/n) sum_i g_i (v . x_i)_+,                                                     (report eq. (5), alpha = 1)

maximised in absolute value over ||v|| <= 1 (eq. (7)); a unit +-delta phi_v with the sign -sign(h(v)) is the
linear-minimisation (Frank-Wolfe) atom, min_{s in D} <grad R(u), s> = -delta max_v |h(v)|.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# ----------------------------------------------------------------------------------------------------------------
# The new-unit objective


def unit_outputs(direction: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """phi_v = ((v . x_i)_+)_i, shape (n,)."""
    return np.maximum(inputs @ direction, 0.0)


def new_unit_values(directions: np.ndarray, inputs: np.ndarray, residuals: np.ndarray, chunk: int = 50_000):
    """h(v) = (1/n) sum_i g_i (v . x_i)_+ for every row v of ``directions`` (M, r); shape (M,).

    Evaluated in chunks of ``chunk`` directions, so that the (chunk, n) pre-activations stay small."""
    directions = np.atleast_2d(directions)
    values = np.empty(len(directions))
    scaled = residuals / len(residuals)
    for start in range(0, len(directions), chunk):
        block = directions[start : start + chunk] @ inputs.T
        np.maximum(block, 0.0, out=block)
        values[start : start + chunk] = block @ scaled
    return values


@dataclass(frozen=True)
class NewUnit:
    """A new-unit step: the unit direction v (||v|| = 1), h(v) (signed), and what it cost: ``evaluations`` of h
    (each n r multiply-adds), and for the exact enumeration ``cells`` (distinct full-dimensional cells) and
    ``candidates`` (directions at which h was evaluated)."""

    direction: np.ndarray
    value: float
    evaluations: int
    cells: int = 0
    candidates: int = 0


def circle_new_unit(inputs: np.ndarray, residuals: np.ndarray) -> NewUnit:
    """The exact maximiser of |h(v)| over the unit circle for inputs x_i in R^2 (no bias), in O(n log n).

    Unit i is active, (v . x_i) > 0, on the open half circle of angles (theta_i - pi/2, theta_i + pi/2), theta_i
    the angle of x_i. The 2n breakpoints theta_i +- pi/2, sorted, cut the circle into arcs on which the active
    set A is fixed, so that h(v) = v . s_A with s_A = (1/n) sum_{i in A} g_i x_i is linear in v; s_A is updated
    from one arc to the next by adding (entering) or removing (leaving) one term, a cumulative sum after the sort.
    On an arc, v . s_A = ||s_A|| cos(angle(v) - angle(s_A)) is largest at the angle of s_A and smallest at the
    opposite angle when they lie on the arc, and otherwise at an endpoint: the candidates are the arc's endpoints
    and those two angles if they lie on it. h is continuous (a term switches on or off at 0), so an endpoint has
    the same value from either arc. The returned value is h recomputed from the data at the chosen direction.
    """
    inputs = np.asarray(inputs, dtype=float)
    residuals = np.asarray(residuals, dtype=float)
    if inputs.ndim != 2 or inputs.shape[1] != 2 or len(inputs) != len(residuals) or len(inputs) == 0:
        raise ValueError(f"circle_new_unit needs inputs of shape (n, 2) and n residuals, got {inputs.shape}")
    n = len(residuals)
    angles = np.arctan2(inputs[:, 1], inputs[:, 0])
    terms = residuals[:, None] * inputs / n  # g_i x_i / n
    two_pi = 2.0 * math.pi
    breakpoints = np.concatenate([angles - math.pi / 2, angles + math.pi / 2]) % two_pi
    changes = np.concatenate([terms, -terms])  # entering at theta_i - pi/2, leaving at theta_i + pi/2
    order = np.argsort(breakpoints, kind="stable")
    breakpoints, changes = breakpoints[order], changes[order]
    ends = np.append(breakpoints[1:], breakpoints[0] + two_pi)  # arc k runs from breakpoints[k] to ends[k]
    # The active set on arc 0 from its midpoint, then one change per breakpoint.
    middle = 0.5 * (breakpoints[0] + ends[0])
    active = np.cos(middle - angles) > 0.0
    first = terms[active].sum(axis=0)
    sums = first + np.vstack([np.zeros(2), np.cumsum(changes[1:], axis=0)])
    norms = np.linalg.norm(sums, axis=1)
    stationary = np.arctan2(sums[:, 1], sums[:, 0])
    lengths = ends - breakpoints
    candidate_angles = [breakpoints, ends]
    candidate_values = [
        np.cos(breakpoints) * sums[:, 0] + np.sin(breakpoints) * sums[:, 1],
        np.cos(ends) * sums[:, 0] + np.sin(ends) * sums[:, 1],
    ]
    for angle, value in ((stationary, norms), (stationary + math.pi, -norms)):
        inside = (angle - breakpoints) % two_pi <= lengths
        candidate_angles.append(angle[inside])
        candidate_values.append(value[inside])
    all_angles = np.concatenate(candidate_angles)
    best = int(np.argmax(np.abs(np.concatenate(candidate_values))))
    direction = np.array([math.cos(all_angles[best]), math.sin(all_angles[best])])
    value = float(unit_outputs(direction, inputs) @ residuals / n)
    return NewUnit(direction, value, evaluations=1, cells=2 * n, candidates=len(all_angles))


# ----------------------------------------------------------------------------------------------------------------
# The convex QP of the fully corrective step: Wolfe's minimum-norm point


@dataclass(frozen=True)
class HullPoint:
    """The point of conv{atoms} nearest to the target: its convex weights over the atoms (zero off ``support``),
    the point itself, the QP's own Frank-Wolfe gap ||p||^2 - min_k p . (a_k - y) (p = point - target; 0 at the
    optimum), and the number of major iterations."""

    weights: np.ndarray
    support: np.ndarray
    point: np.ndarray
    gap: float
    iterations: int


def _affine_minimiser(points: np.ndarray) -> np.ndarray:
    """alpha minimising ||sum_k alpha_k p_k|| subject to sum_k alpha_k = 1 (rows p_k of ``points``), by least
    squares on the differences p_k - p_0 (an SVD solve: stable when the points are nearly affinely dependent)."""
    if len(points) == 1:
        return np.ones(1)
    base = points[0]
    differences = (points[1:] - base).T
    beta = np.linalg.lstsq(differences, -base, rcond=None)[0]
    return np.concatenate([[1.0 - beta.sum()], beta])


# Convex weights at or below this are zero in Wolfe's minor cycle (they sum to 1).
WEIGHT_FLOOR = 1e-15


def nearest_point_in_hull(
    atoms: np.ndarray,
    target: np.ndarray,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    tolerance: float = 1e-14,
    max_iterations: int = 10_000,
) -> HullPoint:
    """min over lambda in the simplex of ||sum_k lambda_k a_k - y||^2: the convex QP of the fully corrective step.

    Wolfe's (1976) minimum-norm-point algorithm on the points p_k = a_k - y (rows of ``atoms`` minus ``target``),
    an active-set method that is exact up to rounding: it keeps a set S of affinely independent points (a
    "corral") and the point x of their convex hull nearest to 0.

    - Major cycle: stop if min_k x . p_k >= ||x||^2 - tolerance * max_k ||p_k||^2 (no point improves on x: the
      QP's Frank-Wolfe gap is below the tolerance); otherwise add the minimising point to S.
    - Minor cycle: the affine minimiser alpha of ||sum_S alpha_k p_k|| (sum alpha = 1); if alpha > 0 it is the
      new lambda; otherwise move from lambda towards alpha until a weight reaches 0, drop it, and repeat.

    ``start`` = (support indices, their weights) warm-starts from a previous solution (the fully corrective step
    adds two atoms to the previous QP). A corral has at most n + 1 points (affine independence in R^n), and at
    most n when the nearest point is not the target itself (then aff(S) is not all of R^n).
    """
    points = np.asarray(atoms, dtype=float) - np.asarray(target, dtype=float)[None, :]
    scale = float(np.max(np.einsum("kn,kn->k", points, points)))
    if start is None:
        support = [int(np.argmin(np.einsum("kn,kn->k", points, points)))]
        weights = np.ones(1)
    else:
        support = [int(index) for index in start[0]]
        weights = np.asarray(start[1], dtype=float).copy()
        weights /= weights.sum()
    x = weights @ points[support]
    iterations, gap = 0, math.inf
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (the count is returned)
        dots = points @ x
        entering = int(np.argmin(dots))
        gap = float(x @ x - dots[entering])
        if gap <= tolerance * scale or entering in support:
            break
        support.append(entering)
        weights = np.append(weights, 0.0)
        stalled, first_minor = False, True
        while True:  # minor cycle
            alpha = _affine_minimiser(points[support])
            if np.all(alpha > WEIGHT_FLOOR):
                weights = alpha
                break
            blocking = alpha <= WEIGHT_FLOOR
            moving = weights - alpha
            ratios = np.where(blocking & (moving > 0.0), weights / np.where(moving > 0.0, moving, 1.0), np.inf)
            leaving = (
                int(np.argmin(ratios))
                if np.isfinite(ratios).any()
                else int(np.argmin(np.where(blocking, weights, np.inf)))
            )
            theta = min(1.0, float(ratios[leaving])) if np.isfinite(ratios[leaving]) else 0.0
            weights = (1.0 - theta) * weights + theta * alpha
            weights[leaving] = 0.0
            keep = weights > WEIGHT_FLOOR
            # The entering point dropped at once without a move: rounding at the optimum, x is optimal.
            stalled = first_minor and not keep[-1] and theta <= WEIGHT_FLOOR
            support = [index for index, kept in zip(support, keep) if kept]
            weights = weights[keep] / weights[keep].sum()
            first_minor = False
            if stalled:
                break
        x = weights @ points[support]
        if stalled:
            break
    full = np.zeros(len(points))
    full[support] = weights
    return HullPoint(full, np.array(sorted(support), dtype=int), x + target, max(gap, 0.0), iterations)


def l1_ball_projection(vector: np.ndarray, radius: float) -> np.ndarray:
    """The Euclidean projection onto {w : ||w||_1 <= radius} (Duchi et al. 2008: sort, threshold, shrink)."""
    if np.abs(vector).sum() <= radius:
        return vector.copy()
    magnitudes = np.sort(np.abs(vector))[::-1]
    cumulative = np.cumsum(magnitudes) - radius
    index = np.nonzero(magnitudes * np.arange(1, len(vector) + 1) > cumulative)[0][-1]
    threshold = cumulative[index] / (index + 1)
    return np.sign(vector) * np.maximum(np.abs(vector) - threshold, 0.0)


def projected_gradient_l1(
    features: np.ndarray, targets: np.ndarray, radius: float, n_steps: int = 20_000
) -> np.ndarray:
    """min_w (1/2n) ||Phi w - y||^2 subject to ||w||_1 <= radius, by accelerated projected gradient (FISTA with
    step 1/L, L = lambda_max(Phi^T Phi) / n): an independent check of :func:`nearest_point_in_hull`.
    ``features`` Phi is (n, k); returns w (k,)."""
    n = len(targets)
    lipschitz = float(np.linalg.eigvalsh(features.T @ features / n)[-1])
    weights = np.zeros(features.shape[1])
    momentum, previous, speed = weights.copy(), weights.copy(), 1.0
    for _ in range(n_steps):
        gradient = features.T @ (features @ momentum - targets) / n
        weights = l1_ball_projection(momentum - gradient / lipschitz, radius)
        next_speed = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * speed**2))
        momentum = weights + ((speed - 1.0) / next_speed) * (weights - previous)
        previous, speed = weights, next_speed
    return weights


def fit_on_l1_ball(directions: np.ndarray, inputs: np.ndarray, targets: np.ndarray, radius: float, start=None):
    """The fully corrective QP: min_w R(sum_j w_j phi_{v_j}) subject to ||w||_1 <= radius, for the unit
    directions v_j (rows of ``directions``), as the nearest point to y of conv{+-radius phi_{v_j}, 0} (the
    scaled simplex: lambda^+, lambda^-, lambda^0 >= 0 summing to 1, w_j = radius (lambda^+_j - lambda^-_j)).

    Returns (w, HullPoint); the atoms are ordered +phi_1 .. +phi_k, -phi_1 .. -phi_k, 0."""
    features = np.maximum(inputs @ directions.T, 0.0)  # (n, k)
    atoms = np.vstack([radius * features.T, -radius * features.T, np.zeros((1, len(targets)))])
    solution = nearest_point_in_hull(atoms, targets, start=start)
    k = len(directions)
    weights = radius * (solution.weights[:k] - solution.weights[k : 2 * k])
    return weights, solution


# ----------------------------------------------------------------------------------------------------------------
# Conditional gradient (section 4.1)

OPEN_LOOP = "open_loop"  # rho_t = 2 / (t + 2)
LINE_SEARCH = "line_search"
FULLY_CORRECTIVE = "fully_corrective"
VARIANTS = (OPEN_LOOP, LINE_SEARCH, FULLY_CORRECTIVE)


@dataclass(frozen=True)
class FrankWolfeRun:
    """Iterates t = 0 .. len(losses) - 1 of :func:`frank_wolfe`: R(f_t), the Frank-Wolfe (duality) gap
    <grad R(u_t), u_t - s_t> (an upper bound on R(f_t) - R* when the new-unit step is exact), the number of
    units of nonzero weight, and the final units (directions (k, r), weights (k,))."""

    losses: np.ndarray
    duality_gaps: np.ndarray
    active_units: np.ndarray
    directions: np.ndarray
    weights: np.ndarray
    converged: bool


def square_risk(values: np.ndarray, targets: np.ndarray) -> float:
    """R(u) = (1/2n) ||u - y||^2."""
    residual = values - targets
    return 0.5 * float(residual @ residual) / len(targets)


def frank_wolfe(
    inputs: np.ndarray,
    targets: np.ndarray,
    radius: float,
    n_iterations: int,
    variant: str,
    new_unit: Callable[[np.ndarray, np.ndarray], NewUnit] = circle_new_unit,
    stop_gap: float = 0.0,
    zero_weight: float = 1e-10,
    final_gap: bool = True,
) -> FrankWolfeRun:
    """Conditional gradient on D = conv{+-radius phi_v} (report section 4.1), from f_0 = 0.

    At t: the residual g = u_t - y, the new unit v_t = argmax |h| (``new_unit``), the atom
    s_t = -sign(h(v_t)) radius phi_{v_t}, the gap <grad R(u_t), u_t - s_t> = (g . u_t) / n + radius |h(v_t)|, and

    - ``open_loop``: u_{t+1} = (1 - rho_t) u_t + rho_t s_t, rho_t = 2 / (t + 2) (the report's "2/(t+1)" would
      give rho_0 = 2, outside [0, 1]: its t counts from 1);
    - ``line_search``: the same with rho_t = argmin_{[0,1]} R(u_t + rho (s_t - u_t)) = clip(-(g . d)/(d . d)),
      d = s_t - u_t (R is quadratic);
    - ``fully_corrective``: every unit found so far re-fitted on the l1 ball (:func:`fit_on_l1_ball`, warm-started).

    Stops after ``n_iterations`` steps, or once the gap is at most ``stop_gap`` (``converged``). A unit has zero
    weight when |w_j| <= ``zero_weight`` * radius. Returns losses and gaps of f_0 .. f_T (the gap of the last
    iterate is that of its own new-unit step; without ``final_gap`` that last step is not taken and its gap is NaN:
    a budgeted run then spends its new-unit steps on the T units only)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown conditional-gradient variant {variant!r}; expected one of {VARIANTS}")
    n = len(targets)
    values = np.zeros(n)
    directions: list[np.ndarray] = []
    weights = np.zeros(0)
    losses, gaps, active = [], [], []
    start = None
    converged = False
    for t in range(n_iterations + 1):
        residual = values - targets
        if t == n_iterations and not final_gap:
            losses.append(square_risk(values, targets))
            gaps.append(math.nan)
            active.append(int(np.sum(np.abs(weights) > zero_weight * radius)))
            break
        step = new_unit(inputs, residual)
        sign = -1.0 if step.value > 0 else 1.0
        atom = sign * radius * unit_outputs(step.direction, inputs)
        gap = float(residual @ values) / n + radius * abs(step.value)
        losses.append(square_risk(values, targets))
        gaps.append(gap)
        active.append(int(np.sum(np.abs(weights) > zero_weight * radius)))
        if gap <= stop_gap:
            converged = True
            break
        if t == n_iterations:
            break
        if variant == FULLY_CORRECTIVE:
            directions.append(step.direction)
            k = len(directions)
            if start is not None:  # the previous corral, its atom indices shifted for the new +-phi pair
                support, lam = start
                shifted = np.where(support >= k - 1, support + 1, support)  # -phi_j moves up by one
                shifted = np.where(support == 2 * (k - 1), 2 * k, shifted)  # the zero atom stays last
                start = (shifted, lam)
            weights, solution = fit_on_l1_ball(np.array(directions), inputs, targets, radius, start=start)
            start = (solution.support, solution.weights[solution.support])
            values = solution.point
        else:
            if variant == OPEN_LOOP:
                rho = 2.0 / (t + 2.0)
            else:
                difference = atom - values
                squared = float(difference @ difference)
                rho = 1.0 if squared == 0.0 else min(1.0, max(0.0, -float(residual @ difference) / squared))
            values = (1.0 - rho) * values + rho * atom
            weights = np.append((1.0 - rho) * weights, rho * sign * radius)
            directions.append(step.direction)
    return FrankWolfeRun(
        np.array(losses),
        np.array(gaps),
        np.array(active),
        np.array(directions).reshape(-1, inputs.shape[1]),
        weights,
        converged,
    )


def curvature_bound(radius: float) -> float:
    """C_f <= L diam(D)^2 = 4 delta^2, the curvature constant of the bound R(f_t) - R* <= 2 C_f / (t + 2)
    (Jaggi 2013, Theorem 1, for rho_t = 2 / (t + 2) and t >= 1).

    Derivation. C_f = sup_{u, s in D, rho in (0, 1]} (2 / rho^2) [R(u + rho (s - u)) - R(u) - rho <grad R(u), s - u>]
    (Jaggi's curvature constant). Jaggi's Lemma 7: C_f <= L diam(D)^2 when the gradient is L-Lipschitz from the
    norm in which the diameter is measured to its dual norm. Take the sup norm over the data, ||u||_inf =
    max_i |u_i|, whose dual is the l1 norm: grad R(u) = (u - y) / n, so ||grad R(u) - grad R(s)||_1 =
    (1/n) ||u - s||_1 <= ||u - s||_inf and L = 1. Every point of D has ||u||_inf <= delta, because on the unit
    circle sup_x (v . x)_+ = 1 for ||v|| = 1 (so |f(x_i)| <= gamma_1(f) <= delta); hence diam_inf(D) <= 2 delta
    and C_f <= L diam^2 = 4 delta^2. (In the Euclidean norm, L = 1/n and diam_2(D) <= 2 delta sqrt(n) give the
    same 4 delta^2.) For this quadratic the bracket is exactly (rho^2 / 2n) ||s - u||_2^2, so the exact constant,
    (4 delta^2 / n) max_{||v|| = 1} sum_i (v . x_i)_+^2, is smaller."""
    return 4.0 * radius**2


# ----------------------------------------------------------------------------------------------------------------
# The exact new-unit step in R^r: the hyperplane arrangement (section 4.2)


def cover_count(n_points: int, dimension: int) -> int:
    """The number of cells of n hyperplanes through the origin of R^r in general position (Cover 1965, the
    function-counting theorem): C(n, r) = 2 sum_{k < r} binom(n - 1, k)."""
    return 2 * sum(math.comb(n_points - 1, k) for k in range(dimension))


def _null_directions(rows: np.ndarray) -> np.ndarray:
    """The unit vector orthogonal to the r - 1 rows of each (r - 1, r) matrix of ``rows`` (M, r - 1, r): the
    generalised cross product, u_k = (-1)^k det(rows without column k), normalised."""
    count, _, dimension = rows.shape
    directions = np.empty((count, dimension))
    for column in range(dimension):
        minor = np.delete(rows, column, axis=2)
        directions[:, column] = (-1.0) ** column * np.linalg.det(minor)
    return directions / np.linalg.norm(directions, axis=1, keepdims=True)


def _orthonormal_rows(vectors: np.ndarray) -> np.ndarray:
    """Gram-Schmidt on the rows of each (k, r) matrix of ``vectors`` (M, k, r): an orthonormal basis of their span."""
    basis = vectors.copy()
    for index in range(basis.shape[1]):
        for previous in range(index):
            overlap = np.einsum("mr,mr->m", basis[:, index], basis[:, previous])
            basis[:, index] -= overlap[:, None] * basis[:, previous]
        basis[:, index] /= np.linalg.norm(basis[:, index], axis=1, keepdims=True)
    return basis


def _distinct_rows(packed: np.ndarray) -> np.ndarray:
    """The distinct rows of a (M, bytes) uint8 array: the bytes are read as 64-bit words (zero-padded) and mixed
    into one 64-bit key per row, the keys sorted, and neighbours with equal keys compared word by word, so that the
    result is exact (rows of equal key but different words, a hash collision, are sorted word by word instead)."""
    width = -(-packed.shape[1] // 8) * 8
    padded = np.zeros((len(packed), width), dtype=np.uint8)
    padded[:, : packed.shape[1]] = packed
    words = padded.view(np.uint64)
    keys = np.zeros(len(words), dtype=np.uint64)
    for column in range(words.shape[1]):  # a multiply-xorshift mix of the words (wraps modulo 2^64)
        keys = (keys ^ words[:, column]) * np.uint64(0x9E3779B97F4A7C15)
        keys ^= keys >> np.uint64(29)
    order = np.argsort(keys)
    keys, words = keys[order], words[order]
    same_key = keys[1:] == keys[:-1]
    same_words = np.all(words[1:] == words[:-1], axis=1)
    if np.any(same_key & ~same_words):  # a collision: fall back to the word-by-word sort
        order = np.lexsort(words.T[::-1])
        words = words[order]
        same_words = np.all(words[1:] == words[:-1], axis=1)
    first = np.concatenate([[True], ~same_words])
    return words[first].view(np.uint8)[:, : packed.shape[1]]


def _cell_masks(positive: np.ndarray, subsets: np.ndarray, patterns: np.ndarray) -> list[np.ndarray]:
    """The packed active sets of the 2^(r-1) cells around each ray: the ray's own active set (``positive``, false
    on its r - 1 hyperplanes) with the bits of those hyperplanes set by each pattern (np.packbits order: the
    first unit is the most significant bit of the first byte)."""
    base = np.packbits(positive, axis=1)
    rows = np.arange(len(subsets))
    byte = subsets // 8
    bit = (np.uint8(128) >> (subsets % 8).astype(np.uint8)).astype(np.uint8)
    masks = []
    for pattern in patterns:
        mask = base.copy()
        for position in np.flatnonzero(pattern):
            mask[rows, byte[:, position]] |= bit[:, position]
        masks.append(mask)
    return masks


@dataclass(frozen=True)
class Arrangement:
    """The cells of the arrangement {v : sign(v . x_i) fixed} as the distinct sets of active units, packed
    bits (``np.packbits`` of the (cells, n) boolean masks), and the number of its rays."""

    active_sets: np.ndarray
    n_points: int
    n_rays: int

    @property
    def n_cells(self) -> int:
        return len(self.active_sets)


# (r - 1)-subsets per chunk of the enumeration: 2 x 50,000 rays x n = 100 products are 80 MB; larger chunks mean
# fewer, longer numpy calls (less waiting for the interpreter lock when other jobs share the process).
RAY_CHUNK = 50_000


def _ray_chunks(inputs: np.ndarray, chunk: int):
    """Every ray of the arrangement in chunks: the rays are +-u for u orthogonal to r - 1 of the x_i (their
    indices ``subsets``), and, for each, v . x_i at the ray (exactly 0 on its r - 1 hyperplanes)."""
    n, dimension = inputs.shape
    combinations = itertools.combinations(range(n), dimension - 1)
    while True:
        block = np.array(list(itertools.islice(combinations, chunk)), dtype=np.intp).reshape(-1, dimension - 1)
        if len(block) == 0:
            return
        directions = _null_directions(inputs[block])
        directions = np.vstack([directions, -directions])
        subsets = np.vstack([block, block])
        products = directions @ inputs.T
        rows = np.arange(len(subsets))[:, None]
        products[rows, subsets] = 0.0
        yield subsets, directions, products


def _check_general_position(inputs: np.ndarray) -> None:
    n, dimension = inputs.shape
    if dimension < 2:
        raise ValueError("the arrangement needs r >= 2 coordinates per input (a bias coordinate counts)")
    if n < dimension:
        raise ValueError(f"the arrangement needs at least r = {dimension} inputs, got {n}")


def arrangement_cells(inputs: np.ndarray, chunk: int = RAY_CHUNK) -> Arrangement:
    """The full-dimensional cells of the central arrangement of the hyperplanes {v : v . x_i = 0} in R^r.

    For inputs in general position (any r of them linearly independent), every cell is a pointed cone whose
    extreme rays are intersections of r - 1 of the hyperplanes, and around a ray the r - 1 hyperplanes through it
    cut space into 2^(r-1) cells, all present. So the cells are the distinct sign vectors obtained from every ray
    (+-u for each (r - 1)-subset) with the signs of its r - 1 hyperplanes set in every way: binom(n, r - 1) 2^r
    sign vectors before removing duplicates. Their count equals :func:`cover_count` in general position."""
    inputs = np.asarray(inputs, dtype=float)
    _check_general_position(inputs)
    n, dimension = inputs.shape
    patterns = np.array(list(itertools.product([False, True], repeat=dimension - 1)))
    packed, n_rays = [], 0
    for subsets, _, products in _ray_chunks(inputs, chunk):
        n_rays += len(subsets)
        packed += _cell_masks(products > 0.0, subsets, patterns)
    return Arrangement(_distinct_rows(np.vstack(packed)), n, n_rays)


def exact_new_unit(inputs: np.ndarray, residuals: np.ndarray, chunk: int = RAY_CHUNK) -> NewUnit:
    """The exact maximiser of |h(v)| over ||v|| = 1 in R^r (eq. (7)), by enumerating the arrangement's faces.

    On each cell C (a fixed active set A) h(v) = v . s_C, s_C = (1/n) sum_{i in A} g_i x_i, is linear. Its maximum
    over the closed cell may lie on the cell's boundary, so the cells alone are not enough: every face F of the
    arrangement (a cell of dimension k = 1 .. r: a zero set Z of hyperplanes v . x_i = 0 and fixed signs off Z) is
    visited. A maximiser v* of h on the sphere lies in the relative interior of one face F, where h(v) = v . s_F
    (s_F over the positive units off Z); it is then the maximiser of a linear function on the sphere of span(F),
    v* = P s_F / ||P s_F|| with P the projection onto span(F) = {x_i : i in Z}^perp, or, for k = 1, the ray
    itself. So the candidates are: the rays; +-s_C / ||s_C|| for each cell; and P s_F / ||P s_F|| for each face of
    dimension 2 .. r - 1, h evaluated at each. Two facts prune the faces without losing the maximum:

    - a maximum of h never lies on a hyperplane with g_i > 0 (there h has a convex kink: moving off the hyperplane
      on one side or the other increases h to first order), nor a maximum of -h on one with g_i < 0; so a face
      enters for h only if g_i < 0 on all of Z, and for -h (candidate -P s_F / ||P s_F||) only if g_i > 0 on Z;
    - every face has a ray in its closure, so faces are generated from the rays: around a ray with zero set Z
      (|Z| = r - 1), a face keeps a subset Z' of Z at zero and sets the other signs of Z (3^(r-1) patterns).

    Faces are visited once per ray of their closure (duplicates are evaluated again, not removed); cells are
    counted once (as in :func:`arrangement_cells`). Needs inputs in general position (any r independent), which
    random continuous inputs with a bias coordinate are with probability 1."""
    inputs = np.asarray(inputs, dtype=float)
    residuals = np.asarray(residuals, dtype=float)
    _check_general_position(inputs)
    n, dimension = inputs.shape
    terms = residuals[:, None] * inputs / n  # g_i x_i / n
    best_value, best_direction, candidates = 0.0, None, 0
    cell_patterns = np.array(list(itertools.product([False, True], repeat=dimension - 1)))
    # For each size-k zero subset Z' of the ray's r - 1 hyperplanes (1 <= k <= r - 2): its positions, and the
    # sign patterns of the other r - 1 - k positions.
    face_shapes = [
        (np.array(zero), np.array([p for p in range(dimension - 1) if p not in zero]))
        for size in range(1, dimension - 1)
        for zero in itertools.combinations(range(dimension - 1), size)
    ]

    def consider(directions: np.ndarray) -> None:
        nonlocal best_value, best_direction, candidates
        if len(directions) == 0:
            return
        values = new_unit_values(directions, inputs, residuals)
        candidates += len(directions)
        index = int(np.argmax(np.abs(values)))
        if abs(values[index]) > abs(best_value) or best_direction is None:
            best_value, best_direction = float(values[index]), directions[index]

    packed = []
    for subsets, directions, products in _ray_chunks(inputs, chunk):
        consider(directions)  # the rays (faces of dimension 1)
        positive = products > 0.0
        base = positive.astype(float) @ terms  # s over the positive units off the ray's hyperplanes
        on_ray = terms[subsets]  # (M, r - 1, r): the terms of the ray's own hyperplanes
        signs = np.sign(residuals[subsets])  # (M, r - 1)
        packed += _cell_masks(positive, subsets, cell_patterns)
        for zero, free in face_shapes:
            basis = _orthonormal_rows(inputs[subsets[:, zero]])  # (M, k, r)
            for pattern in itertools.product([0.0, 1.0], repeat=len(free)):
                sums = base + np.einsum("f,mfr->mr", np.array(pattern), on_ray[:, free]) if len(free) else base
                projected = sums - np.einsum("mkr,mk->mr", basis, np.einsum("mkr,mr->mk", basis, sums))
                # A candidate in the face's relative interior has the face's signs on the ray's other
                # hyperplanes: a test on r - 1 - k products that leaves out most candidates before h is evaluated.
                local = np.einsum("mr,mfr->mf", projected, inputs[subsets[:, free]])
                wanted = 2.0 * np.array(pattern) - 1.0
                for orientation, ridge in ((1.0, signs[:, zero] < 0), (-1.0, signs[:, zero] > 0)):
                    inside = np.all(ridge, axis=1) & np.all(orientation * local * wanted > 0.0, axis=1)
                    chosen = projected[inside]
                    length = np.linalg.norm(chosen, axis=1)
                    consider(orientation * chosen[length > 0.0] / length[length > 0.0, None])
    cells = _distinct_rows(np.vstack(packed))
    for start in range(0, len(cells), chunk):  # the cells' stationary points +-s_C / ||s_C||
        active = np.unpackbits(cells[start : start + chunk], axis=1, count=n).astype(float)
        sums = active @ terms
        length = np.linalg.norm(sums, axis=1)
        unit = sums[length > 0.0] / length[length > 0.0, None]
        consider(np.vstack([unit, -unit]))
    return NewUnit(best_direction, best_value, evaluations=candidates, cells=len(cells), candidates=candidates)


# ----------------------------------------------------------------------------------------------------------------
# Approximate new-unit steps at a fixed budget of evaluations of h


def random_unit_vectors(rng: np.random.Generator, count: int, dimension: int) -> np.ndarray:
    """``count`` directions uniform on the unit sphere of R^r (normalised standard Gaussians)."""
    vectors = rng.standard_normal((count, dimension))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def random_search_new_unit(
    rng: np.random.Generator, inputs: np.ndarray, residuals: np.ndarray, evaluations: int
) -> NewUnit:
    """The best of ``evaluations`` random unit directions (uniform on the sphere) for |h|."""
    directions = random_unit_vectors(rng, evaluations, inputs.shape[1])
    values = new_unit_values(directions, inputs, residuals)
    best = int(np.argmax(np.abs(values)))
    return NewUnit(directions[best], float(values[best]), evaluations=evaluations)


def gradient_ascent_new_unit(
    rng: np.random.Generator,
    inputs: np.ndarray,
    residuals: np.ndarray,
    evaluations: int,
    n_starts: int,
    first_step: float = 0.5,
) -> NewUnit:
    """Projected (Riemannian) gradient ascent of |h| on the unit sphere from ``n_starts`` random starts, run in
    parallel for evaluations // (2 n_starts) steps: a step costs two evaluations of h's size (the pre-activations
    and the gradient (1/n) sum_i g_i 1[v . x_i > 0] x_i). Each start ascends sign(h(v)) h: the gradient's part
    tangent to the sphere, normalised, moves v by the angle-like step first_step / sqrt(step + 1), then v is
    renormalised. The best direction seen at any step of any start is returned."""
    n = len(residuals)
    n_steps = max(1, evaluations // (2 * n_starts))
    directions = random_unit_vectors(rng, n_starts, inputs.shape[1])
    best_value, best_direction = 0.0, directions[0]
    for step in range(n_steps):
        pre_activations = directions @ inputs.T
        active = pre_activations > 0.0
        values = (np.where(active, pre_activations, 0.0) @ residuals) / n
        index = int(np.argmax(np.abs(values)))
        if abs(values[index]) > abs(best_value):
            best_value, best_direction = float(values[index]), directions[index].copy()
        gradients = (active * residuals) @ inputs / n
        gradients *= np.where(values < 0.0, -1.0, 1.0)[:, None]
        tangent = gradients - np.einsum("kr,kr->k", gradients, directions)[:, None] * directions
        length = np.linalg.norm(tangent, axis=1, keepdims=True)
        directions = directions + (first_step / math.sqrt(step + 1.0)) * tangent / np.where(length > 0, length, 1.0)
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return NewUnit(best_direction, best_value, evaluations=2 * n_starts * n_steps)
