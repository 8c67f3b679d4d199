"""Beyond section 5 (`snakemake frank_wolfe`): the report's section 4, conditional gradient on the F1 ball.

Section 4.1: conditional gradient (Frank-Wolfe) on {gamma_1(f) <= delta} "has a convergence rate of O(delta^2/t)"
and f_t "is a convex combination of t extreme points", the units +-delta (v . x)_+; Theorem 2.2 (Caratheodory): on n
observations a solution "is supported by at most n points"; section 4.2: the subproblem of adding a new unit,
eq. (5)-(7), "is computationally intractable"; section 4.3: particle gradient descent is the practical way.

Part 1, d = 2 without bias, inputs on the unit circle, a teacher of ``teacher_units`` unit-norm ReLU units with
b*_j = +-1 (gamma_1(f*) = sum_j |b*_j|), the square loss R(f) = (1/2n) sum_i (f(x_i) - y_i)^2 of eq. (4). The new-unit
step is exact (:func:`convexnn.frank_wolfe.circle_new_unit`); the variants are the step 2/(t+2), exact line search
and fully corrective; R* is the fully corrective run to convergence (certified by its duality gap), checked
against the convex QP over a grid of directions; delta is below, equal to and above gamma_1(f*), on the same data
(the seed leaves the radius out). Kinds ``conditional_gradient`` (curves), ``conditional_gradient_rate`` (a row
per variant) and ``conditional_gradient_support`` (Theorem 2.2 at n in ``support.n_train``).

Part 2, the new-unit step with a bias in R^(d+1) (kind ``new_unit_step``): exact by enumerating the arrangement's
cells (and faces), its cell count against Cover's count, its time, and two approximate steps at a fixed budget;
then conditional gradient with an approximate step against particle gradient descent on the mean-field network
at the same number of units and a comparable budget of multiply-adds, for d up to 50 (kind
``conditional_gradient_versus_particles``; no bias, as in :mod:`convexnn.gradient_descent`).

Claims (thresholds fixed from the words before any result; each joint claim split into two rows):

- C13-rate-bound: max over t >= 1, radii and repetitions of (R(f_t) - R*) / (2 C_f / (t + 2)), C_f = 4 delta^2,
  for the 2/(t+2) variant; holds if <= 1;
- C13-rate-slope: the log-log slope of the gap over t in [10, T] (T = 1000), fitted per repetition and radius, for
  the 2/(t+2) variant: the largest over radii of its mean over repetitions; holds if <= -1;
- C13-support: the largest count of units (|w_j| > 1e-10 delta) of the fully corrective solution over n, as a
  share of n, at a binding radius; holds if <= 1;
- C14-cost-growth: the smallest ratio, over consecutive dimensions run, of the exact step's median time at
  n = ``new_unit_step.timing_n_train``; holds if >= 10 per added dimension;
- C14-cost-cover: the share of enumerations whose cell count equals Cover's count; holds if = 1;
- C14-practical: at the largest d, GM(final training loss of conditional gradient with the better approximate
  step) / GM(that of particle gradient descent); holds if >= 10.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from convexnn.aggregation import finished, geometric_mean
from convexnn.claims import ClaimResult, ClaimText, bootstrap, is_missing
from convexnn.experiments.base import Experiment, Figure, Table
from convexnn.frank_wolfe import FULLY_CORRECTIVE, LINE_SEARCH, OPEN_LOOP, cover_count
from convexnn.identity import Ref, record_identity
from convexnn.intervals import Region, at_least, at_most
from convexnn.kinds.conditional_gradient import (
    CURVE_COLUMNS,
    GRADIENT_ASCENT_METHOD,
    METHODS,
    PARTICLE_METHOD,
    RANDOM_SEARCH_METHOD,
    REPORTED_ITERATIONS,
    ZERO_WEIGHT,
)
from convexnn.plotting import FULL_WIDTH, STUDENT_COLOUR, TEACHER_COLOUR, new_panels, statement

NAME = "frank_wolfe"
RATE, SUPPORT, NEW_UNIT, VERSUS = "rate", "support", "new_unit_step", "versus_particles"
BELOW, EQUAL, ABOVE, NO_RADIUS = "below", "equal", "above", "none"
RADII = (BELOW, EQUAL, ABOVE)
VARIANT_NAMES = {
    OPEN_LOOP: r"step $2/(t+2)$",
    LINE_SEARCH: "exact line search",
    FULLY_CORRECTIVE: "fully corrective",
}
METHOD_NAMES = {
    RANDOM_SEARCH_METHOD: "conditional gradient, random-search step",
    GRADIENT_ASCENT_METHOD: "conditional gradient, gradient-ascent step",
    PARTICLE_METHOD: "particle gradient descent (mean field)",
}
FINALS = ["study", "variant", "radius", "input_dim", "n_train", "repetition", "excess_loss", "diverged"]
# Thresholds and the fitting range, fixed from the words before any result.
BOUND_RATIO = 1.0  # C13-rate-bound: R(f_t) - R* <= 2 C_f / (t + 2)
SLOPE_FROM = 10  # C13-rate-slope: t in [10, T]
SLOPE_POINTS = 41  # log-spaced iterations in the fit (20 a decade)
RATE_SLOPE = -1.0  # at least as fast as 1/t
SUPPORT_SHARE = 1.0  # C13-support: at most n units
GROWTH = 10.0  # C14-cost-growth: at least 10x per added dimension
PRACTICAL_RATIO = 10.0  # C14-practical: at least 10x above particle gradient descent


# ---------------------------------------------------------------------------------------------
# The grid


def radius_ratios(section: dict) -> dict[str, float]:
    """delta / gamma_1(f*) of each regime: below and above from the config, equal = 1."""
    ratios = section[RATE]["radius_ratio"]
    return {BELOW: float(ratios[BELOW]), EQUAL: 1.0, ABOVE: float(ratios[ABOVE])}


def new_unit_grid(section: dict) -> list[tuple[int, int]]:
    """(d, n) of the new-unit step: every pair of the config whose Cover count is at most ``max_cells`` (the
    enumeration of larger arrangements does not fit the budget; they are left out, not run)."""
    step = section[NEW_UNIT]
    return [(d, n) for d in step["input_dims"] for n in step["n_train"] if cover_count(n, d + 1) <= step["max_cells"]]


def _labels(study: str, variant: str, radius: str, input_dim: int, n_train: int) -> dict:
    return {"study": study, "variant": variant, "radius": radius, "input_dim": input_dim, "n_train": n_train}


def build(config: dict, builder) -> None:
    """Per repetition: the rate curves per radius (data shared by the radii) and a row per variant; the support
    runs per n; the new-unit step per (d, n); the comparison per (d, method) (data shared by the methods)."""
    section = config[NAME]
    rate, support, step, versus = section[RATE], section[SUPPORT], section[NEW_UNIT], section[VERSUS]
    for repetition in range(section["repetitions"]):
        for radius, ratio in radius_ratios(section).items():
            curves = builder.job(
                "conditional_gradient",
                [RATE, radius],
                {"study": RATE},
                repetition,
                labels={"study": RATE, "radius": radius, "input_dim": 2, "n_train": rate["n_train"]},
                teacher_units=section["teacher_units"],
                n_train=rate["n_train"],
                radius_ratio=ratio,
                n_iterations=rate["n_iterations"],
                reference_iterations=rate["reference_iterations"],
                reference_tolerance=float(rate["reference_tolerance"]),
                grid_directions=rate["grid_directions"],
            )
            for variant in (OPEN_LOOP, LINE_SEARCH, FULLY_CORRECTIVE):
                builder.job(
                    "conditional_gradient_rate",
                    [RATE, radius, variant],
                    {"study": RATE},
                    repetition,
                    labels=_labels(RATE, variant, radius, 2, rate["n_train"]),
                    curves=curves.id,
                    variant=variant,
                    slope_from=SLOPE_FROM,
                    slope_points=SLOPE_POINTS,
                )
        for n in support["n_train"]:
            builder.job(
                "conditional_gradient_support",
                [SUPPORT, f"n{n}"],
                {"study": SUPPORT, "n_train": n},
                repetition,
                labels=_labels(SUPPORT, FULLY_CORRECTIVE, BELOW, 2, n),
                teacher_units=section["teacher_units"],
                n_train=n,
                radius_ratio=float(support["radius_ratio"]),
                max_iterations=support["max_iterations"],
                tolerance=float(support["tolerance"]),
            )
        for d, n in new_unit_grid(section):
            builder.job(
                "new_unit_step",
                [NEW_UNIT, f"d{d}", f"n{n}"],
                {"study": NEW_UNIT, "input_dim": d, "n_train": n},
                repetition,
                labels=_labels(NEW_UNIT, "exact", NO_RADIUS, d, n),
                input_dim=d,
                n_train=n,
                teacher_units=section["teacher_units"],
                timing_repeats=step["timing_repeats"] if n == step["timing_n_train"] else 1,
                evaluations=step["evaluations"],
                ascent_starts=step["ascent_starts"],
            )
        for d in versus["input_dims"]:
            for method in METHODS:
                builder.job(
                    "conditional_gradient_versus_particles",
                    [VERSUS, f"d{d}", method],
                    {"study": VERSUS, "input_dim": d},
                    repetition,
                    labels=_labels(
                        VERSUS, method, NO_RADIUS if method == PARTICLE_METHOD else EQUAL, d, versus["n_train"]
                    ),
                    method=method,
                    input_dim=d,
                    n_train=versus["n_train"],
                    test_size=versus["test_size"],
                    teacher_units=section["teacher_units"],
                    n_units=versus["n_units"],
                    n_steps=versus["n_steps"],
                    step_size=float(versus["step_size"]),
                    init_scale=float(versus["init_scale"]),
                    ascent_starts=versus["ascent_starts"],
                )


def _cross_key_problems(config: dict) -> list[str]:
    section = config[NAME]
    key = f"{NAME}."
    problems = []
    rate = section[RATE]
    ratios = rate["radius_ratio"]
    if not ratios[BELOW] < 1.0 < ratios[ABOVE]:
        problems.append(
            f"config key '{key}rate.radius_ratio': below ({ratios[BELOW]}) must be < 1 < above ({ratios[ABOVE]})"
            " (delta / gamma_1(f*); 1 is the 'equal' radius)"
        )
    if rate["n_iterations"] <= SLOPE_FROM:
        problems.append(
            f"config key '{key}rate.n_iterations': the slope is fitted over t in [{SLOPE_FROM}, T], so T must exceed"
            f" {SLOPE_FROM}, got {rate['n_iterations']}"
        )
    if rate["reference_iterations"] < rate["n_iterations"]:
        problems.append(
            f"config key '{key}rate.reference_iterations': the fully corrective reference is also the fully corrective"
            f" curve, so it needs at least n_iterations ({rate['n_iterations']}) steps, got {rate['reference_iterations']}"
        )
    if section[SUPPORT]["radius_ratio"] >= 1.0:
        problems.append(
            f"config key '{key}support.radius_ratio': Theorem 2.2 is checked at a binding radius, below gamma_1(f*):"
            f" it must be < 1, got {section[SUPPORT]['radius_ratio']}"
        )
    step = section[NEW_UNIT]
    for n in step["n_train"]:
        for d in step["input_dims"]:
            if n < d + 1:
                problems.append(
                    f"config key '{key}new_unit_step.n_train': the arrangement in R^(d+1) needs n >= d + 1 inputs,"
                    f" got n = {n} for d = {d}"
                )
    if step["timing_n_train"] not in step["n_train"]:
        problems.append(
            f"config key '{key}new_unit_step.timing_n_train': {step['timing_n_train']} must be one of n_train"
            f" {step['n_train']}"
        )
    timed = [d for d, n in new_unit_grid(section) if n == step["timing_n_train"]]
    if len(timed) < 2:
        problems.append(
            f"config key '{key}new_unit_step.max_cells': at n = {step['timing_n_train']} fewer than two dimensions"
            f" of {step['input_dims']} have at most {step['max_cells']} cells, so no growth can be measured"
        )
    if step["evaluations"] < 2 * step["ascent_starts"]:
        problems.append(
            f"config key '{key}new_unit_step.evaluations': gradient ascent needs 2 evaluations per start and step,"
            f" so at least 2 x ascent_starts ({2 * step['ascent_starts']}), got {step['evaluations']}"
        )
    if section[VERSUS]["n_units"] % 2:
        problems.append(
            f"config key '{key}versus_particles.n_units': the doubled initialisation pairs units, so it must be"
            f" even, got {section[VERSUS]['n_units']}"
        )
    return problems


def _claims_context(config: dict) -> dict:
    return {"timing_n_train": config[NAME][NEW_UNIT]["timing_n_train"]}


# ---------------------------------------------------------------------------------------------
# Claims C13, C14


def _rows(finals: pd.DataFrame | None, study: str, **where) -> pd.DataFrame:
    if is_missing(finals) or "study" not in finals.columns:
        return pd.DataFrame()
    rows = finals[finals["study"] == study]
    for key, value in where.items():
        rows = rows[rows[key] == value]
    return rows


C13_BOUND_TEXT = ClaimText(
    "C13-rate-bound",
    "4.1",
    "conditional gradient has a convergence rate of O(delta^2/t): R(f_t) - R* <= 2 C_f / (t + 2), C_f <= 4 delta^2",
    "largest (R(f_t) - R*) (t + 2) / (2 x 4 delta^2) over t >= 1, radii and repetitions, step 2/(t+2), d = 2",
    at_most(BOUND_RATIO),
)
C13_SLOPE_TEXT = ClaimText(
    "C13-rate-slope",
    "4.1",
    "conditional gradient has a convergence rate of O(delta^2/t)",
    f"log-log slope of R(f_t) - R* over t in [{SLOPE_FROM}, T], step 2/(t+2): largest over radii of the mean over"
    " repetitions",
    at_most(RATE_SLOPE),
)
C13_SUPPORT_TEXT = ClaimText(
    "C13-support",
    "2.4 (Theorem 2.2)",
    "the solution on n observations is supported by at most n points of V",
    f"largest count of units (|w_j| > {ZERO_WEIGHT:g} delta) of the fully corrective solution as a share of n, over"
    " n and repetitions, at a binding radius",
    at_most(SUPPORT_SHARE),
)
C14_GROWTH_TEXT = ClaimText(
    "C14-cost-growth",
    "4.2",
    "the subproblem of adding a new hidden unit is computationally intractable",
    "smallest ratio over consecutive dimensions of the exact step's median time (enumeration of the arrangement)",
    at_least(GROWTH),
)
C14_COVER_TEXT = ClaimText(
    "C14-cost-cover",
    "4.2",
    "the exact step enumerates the cells of the arrangement, 2 sum_{k<r} C(n-1, k) of them (Cover)",
    "share of enumerations whose count of cells equals Cover's count",
    Region(1.0, 1.0),
)
C14_PRACTICAL_TEXT = ClaimText(
    "C14-practical",
    "4.2-4.3",
    "one might consider other optimization methods: particle gradient descent",
    "at the largest d: GM final training loss of conditional gradient with the better approximate step / that of"
    " particle gradient descent, same data, units and multiply-adds",
    at_least(PRACTICAL_RATIO),
)


def _checked(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["reference_checked"].astype(bool)]


def claim_rate_bound(finals: pd.DataFrame | None) -> ClaimResult:
    """C13-rate-bound: the largest bound ratio of the 2/(t+2) variant (rows whose reference passed its check)."""
    text = C13_BOUND_TEXT
    rows = _rows(finals, RATE, variant=OPEN_LOOP)
    if rows.empty:
        return text.not_evaluated("no conditional-gradient rate results")
    checked = _checked(rows)
    if checked.empty:
        return text.not_evaluated(f"no run whose reference R* passed the grid-QP check ({len(rows)} runs)")
    per_repetition = [float(group["bound_ratio"].max()) for _, group in checked.groupby("repetition")]
    value, interval, method = bootstrap(per_repetition, max)
    worst = checked.loc[checked["bound_ratio"].idxmax()]
    by_radius = ", ".join(
        f"{radius} {checked[checked['radius'] == radius]['bound_ratio'].max():.3g}"
        for radius in RADII
        if (checked["radius"] == radius).any()
    )
    others = _rows(finals, RATE)
    other_variants = ", ".join(
        f"{variant} {others[others['variant'] == variant]['bound_ratio'].max():.3g}"
        for variant in (LINE_SEARCH, FULLY_CORRECTIVE)
        if (others["variant"] == variant).any()
    )
    return text.result(
        value,
        interval,
        f"largest at t = {int(worst['worst_iteration'])} ({worst['radius']}, repetition {int(worst['repetition'])});"
        f" by radius {by_radius}; other variants {other_variants}; {len(rows) - len(checked)} runs left out"
        f" (reference not checked); {method}",
    )


def claim_rate_slope(finals: pd.DataFrame | None) -> ClaimResult:
    """C13-rate-slope: per radius the mean over repetitions of the fitted slope; the largest over radii."""
    text = C13_SLOPE_TEXT
    rows = _rows(finals, RATE, variant=OPEN_LOOP)
    if rows.empty:
        return text.not_evaluated("no conditional-gradient rate results")
    checked = _checked(rows)
    fitted = checked[np.isfinite(checked["slope"].astype(float))]
    if fitted.empty:
        return text.not_evaluated("no run with a fitted slope")
    # a run that reached the optimum exactly (gap 0) has no slope: it is counted, not averaged in
    without = len(checked) - len(fitted)
    checked = fitted
    matrix = checked.pivot(index="repetition", columns="radius", values="slope")
    radii = list(matrix.columns)

    def statistic(parts: list) -> float:
        return float(np.max(np.nanmean(np.array(parts), axis=0)))

    value, interval, method = bootstrap(list(matrix.to_numpy()), statistic)
    means = matrix.mean(axis=0)
    line_search = _rows(finals, RATE, variant=LINE_SEARCH)
    line_search_means = line_search.groupby("radius")["slope"].mean() if not line_search.empty else pd.Series()
    return text.result(
        value,
        interval,
        "mean slope by radius: "
        + ", ".join(f"{radius} {means[radius]:.3f}" for radius in radii)
        + "; exact line search (not claimed): "
        + ", ".join(f"{radius} {slope:.3f}" for radius, slope in line_search_means.items())
        + f"; {without} runs without a slope (stopped at the optimum), {len(rows) - len(_checked(rows))} left out"
        f" (reference not checked); {method}",
    )


def claim_support(finals: pd.DataFrame | None) -> ClaimResult:
    """C13-support: max over n and repetitions of units / n, over the runs where the ball binds."""
    text = C13_SUPPORT_TEXT
    rows = _rows(finals, SUPPORT)
    if rows.empty:
        return text.not_evaluated("no support results")
    binding = rows[rows["binding"].astype(bool) & rows["converged"].astype(bool)]
    if binding.empty:
        return text.not_evaluated(f"no converged run at a binding radius ({len(rows)} runs)")
    per_repetition = [float(group["units_share"].max()) for _, group in binding.groupby("repetition")]
    value, interval, method = bootstrap(per_repetition, max)
    largest = binding.groupby("n_train")["units"].max()
    return text.result(
        value,
        interval,
        "largest count of units by n: "
        + ", ".join(f"n = {int(n)}: {int(units)}" for n, units in largest.items())
        + f"; {len(rows) - len(binding)} of {len(rows)} runs left out (ball not binding or not converged); {method}",
    )


def claim_cost_growth(finals: pd.DataFrame | None, timing_n_train: int) -> ClaimResult:
    """C14-cost-growth: per dimension the median over repetitions of the exact step's time at the timing n; the
    smallest ratio between consecutive dimensions (bootstrap over repetitions)."""
    text = C14_GROWTH_TEXT
    rows = _rows(finals, NEW_UNIT, n_train=timing_n_train)
    if rows.empty:
        return text.not_evaluated(f"no timed new-unit step at n = {timing_n_train}")
    matrix = rows.pivot(index="repetition", columns="input_dim", values="exact_seconds").dropna()
    dims = sorted(matrix.columns)
    if len(dims) < 2 or matrix.empty:
        return text.not_evaluated(f"fewer than two dimensions timed at n = {timing_n_train}")

    def statistic(parts: list) -> float:
        medians = np.median(np.array(parts), axis=0)
        return float(np.min(medians[1:] / medians[:-1]))

    value, interval, method = bootstrap(list(matrix[dims].to_numpy()), statistic)
    medians = np.median(matrix[dims].to_numpy(), axis=0)
    cells = rows.groupby("input_dim")["cells"].median()
    return text.result(
        value,
        interval,
        f"n = {timing_n_train}, median over repetitions of each run's median CPU time (thread) by d: "
        + ", ".join(f"d = {d}: {t:.3g} s" for d, t in zip(dims, medians))
        + "; cells by d: "
        + ", ".join(f"{int(d)}: {int(c)}" for d, c in cells.items())
        + f"; {method}",
    )


def claim_cover(finals: pd.DataFrame | None) -> ClaimResult:
    """C14-cost-cover: the share of (d, n, repetition) whose enumerated cells equal Cover's count."""
    text = C14_COVER_TEXT
    rows = _rows(finals, NEW_UNIT)
    if rows.empty:
        return text.not_evaluated("no new-unit step results")
    equal = rows["cells"].astype(float) == rows["cover_count"].astype(float)
    per_repetition = [(int(equal[group.index].sum()), len(group)) for _, group in rows.groupby("repetition")]

    def statistic(parts: list) -> float:
        return sum(matches for matches, _ in parts) / sum(total for _, total in parts)

    value, interval, method = bootstrap(per_repetition, statistic)
    wrong = rows[~equal]
    cases = sorted({(int(d), int(n)) for d, n in zip(rows["input_dim"], rows["n_train"])})
    return text.result(
        value,
        interval,
        f"{int(equal.sum())} of {len(rows)} enumerations over (d, n) in {cases}"
        + (
            "; mismatches: "
            + ", ".join(f"d = {r.input_dim}, n = {r.n_train}: {r.cells} vs {r.cover_count}" for r in wrong.itertuples())
            if len(wrong)
            else ""
        )
        + f"; {method}",
    )


def claim_practical(finals: pd.DataFrame | None) -> ClaimResult:
    """C14-practical: at the largest d, the smaller over the two approximate steps of GM(conditional gradient's
    final training loss) / GM(particle gradient descent's), paired by repetition."""
    text = C14_PRACTICAL_TEXT
    rows = _rows(finals, VERSUS)
    if rows.empty:
        return text.not_evaluated("no comparison with particle gradient descent")
    largest = int(rows["input_dim"].max())
    at_largest = rows[(rows["input_dim"] == largest) & finished(rows)]
    matrix = at_largest.pivot(index="repetition", columns="variant", values="final_train_loss").dropna()
    fw_methods = [method for method in (RANDOM_SEARCH_METHOD, GRADIENT_ASCENT_METHOD) if method in matrix.columns]
    if matrix.empty or PARTICLE_METHOD not in matrix.columns or not fw_methods:
        return text.not_evaluated(f"no repetition with both methods finished at d = {largest}")
    logs = np.log10(matrix[[*fw_methods, PARTICLE_METHOD]].to_numpy(dtype=float))

    def statistic(parts: list) -> float:
        means = np.mean(np.array(parts), axis=0)
        return float(10.0 ** np.min(means[:-1] - means[-1]))

    value, interval, method = bootstrap(list(logs), statistic)
    means = 10.0 ** logs.mean(axis=0)
    budget = at_largest.groupby("variant")["multiply_adds"].median()
    return text.result(
        value,
        interval,
        f"d = {largest}, geometric means over {len(matrix)} repetitions: "
        + ", ".join(f"{METHOD_NAMES[m]} {g:.3g}" for m, g in zip([*fw_methods, PARTICLE_METHOD], means))
        + "; multiply-adds: "
        + ", ".join(f"{METHOD_NAMES[m]} {budget[m]:.2g}" for m in budget.index)
        + f"; {len(rows[rows['input_dim'] == largest]) - len(at_largest)} diverged; {method}",
    )


def claims(finals: pd.DataFrame, trajectories: Sequence, context: Mapping) -> list[ClaimResult]:
    """C13 (section 4.1, Theorem 2.2) and C14 (sections 4.2-4.3)."""
    return [
        claim_rate_bound(finals),
        claim_rate_slope(finals),
        claim_support(finals),
        claim_cost_growth(finals, int(context["timing_n_train"])),
        claim_cover(finals),
        claim_practical(finals),
    ]


# ---------------------------------------------------------------------------------------------
# Figures and tables


def gap_curves(curves: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Per (radius, variant, iteration t = 0 .. T) over the repetitions: the median, min and max of the primal gap.
    A run that stopped at the optimum (its duality gap reached 0, or the tolerance) keeps its last iterate, so its
    last gap is carried forward to T."""
    table = pd.concat(curves, ignore_index=True)
    last = int(table["iteration"].max())
    rows = []
    for (radius, variant), part in table.groupby(["radius", "variant"], sort=True):
        wide = part.pivot(index="iteration", columns="repetition", values="primal_gap").reindex(range(last + 1))
        stopped = part.groupby("repetition")["stopped_at_optimum"].first().astype(bool)
        for repetition in wide.columns:
            if stopped[repetition]:
                wide[repetition] = wide[repetition].ffill()
        values = wide.to_numpy(dtype=float)
        present = np.isfinite(values).sum(axis=1)
        with np.errstate(all="ignore"):
            filled = np.where(np.isfinite(values), values, np.inf)
            minimum = np.where(present > 0, filled.min(axis=1), np.nan)
            maximum = np.where(present > 0, np.where(np.isfinite(values), values, -np.inf).max(axis=1), np.nan)
        medians = [
            float(np.median(row[np.isfinite(row)])) if count else math.nan for row, count in zip(values, present)
        ]
        rows.append(
            pd.DataFrame(
                {
                    "radius": radius,
                    "variant": variant,
                    "iteration": np.arange(last + 1),
                    "median": medians,
                    "minimum": minimum,
                    "maximum": maximum,
                    "repetitions": present,
                    "radius_value": float(part["radius_value"].iloc[0]),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _plain_log_ticks(axis: plt.Axes, values) -> None:
    """Ticks at ``values`` on a log x axis, labelled as plain numbers, without minor labels."""
    values = sorted({float(value) for value in values})
    axis.set_xticks(values, [f"{value:g}" for value in values])
    axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def plot_rate(curves: pd.DataFrame, finals: pd.DataFrame) -> plt.Figure:
    """(a-c) the primal gap against t, log-log, per radius: each variant's median over the repetitions (band:
    min-max), the bound 2 C_f / (t + 2) with C_f = 4 delta^2, and a 1/t guide; (d) the units of the fully
    corrective solution against n at a binding radius, with the line n of Theorem 2.2."""
    figure, grid = new_panels(FULL_WIDTH, 6.2, 2, 2)
    axes = list(grid.flat)
    repetitions = 0
    colours = {OPEN_LOOP: STUDENT_COLOUR, LINE_SEARCH: "tab:green", FULLY_CORRECTIVE: "tab:purple"}
    for axis, radius in zip(axes[:3], RADII):
        part = curves[(curves["radius"] == radius) & (curves["iteration"] >= 1)]
        if part.empty:
            statement(axis, f"no runs at the radius {radius} gamma_1(f*)")
            continue
        delta = float(part["radius_value"].iloc[0])
        repetitions = int(part["repetitions"].max())
        t = np.unique(part["iteration"].to_numpy())
        bound = 8.0 * delta**2 / (t + 2.0)
        fixed_steps = part[part["variant"] != FULLY_CORRECTIVE]["median"]
        floor = float(fixed_steps[fixed_steps > 0].min()) / 30.0 if (fixed_steps > 0).any() else 1e-12
        for variant, colour in colours.items():
            line = part[part["variant"] == variant]
            axis.fill_between(
                line["iteration"], np.maximum(line["minimum"], floor), line["maximum"], color=colour, alpha=0.12, lw=0
            )
            axis.plot(
                line["iteration"], line["median"].where(line["median"] > 0), color=colour, label=VARIANT_NAMES[variant]
            )
        axis.plot(t, bound, color="black", ls="--", lw=1, label=r"bound $2 C_f/(t+2)$, $C_f = 4\delta^2$")
        guide = part[(part["variant"] == OPEN_LOOP) & (part["iteration"] == SLOPE_FROM)]["median"]
        if len(guide) and guide.iloc[0] > 0:
            later = t[t >= SLOPE_FROM]
            axis.plot(later, guide.iloc[0] * SLOPE_FROM / later, color="grey", ls=":", label=r"$\propto 1/t$")
        words = {BELOW: "below", EQUAL: "equal to", ABOVE: "above"}[radius]
        axis.set(
            xscale="log",
            yscale="log",
            ylim=(floor, 3.0 * bound.max()),
            xlabel="iteration $t$ (units added)",
            ylabel=r"primal gap $R(f_t) - R^*$",
        )
        axis.set_title(f"({'abc'[RADII.index(radius)]}) $\\delta$ = {delta:g}, {words} $\\gamma_1(f^*)$", loc="left")
    # (a-c) show the same lines: one legend below them
    handles, labels = next(
        (axis.get_legend_handles_labels() for axis in axes[:3] if axis.get_legend_handles_labels()[0]), ([], [])
    )
    if handles:
        figure.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=3,
            frameon=False,
            title=f"(a-c): median over {repetitions} repetitions, band min-max",
        )
    support = _rows(finals, SUPPORT)
    axis = axes[3]
    if support.empty:
        statement(axis, "no support runs")
    else:
        binding = support[support["binding"].astype(bool)]
        jitter = np.random.default_rng(0).uniform(-0.04, 0.04, len(binding))  # dots of equal counts side by side
        axis.scatter(
            binding["n_train"] * (1 + jitter),
            binding["units"],
            s=8,
            color=STUDENT_COLOUR,
            alpha=0.6,
            label=f"fully corrective solution,\none dot a run ({len(binding)} binding runs)",
        )
        ns = np.array(sorted(support["n_train"].unique()), dtype=float)
        axis.plot(ns, ns, color=TEACHER_COLOUR, ls="--", label="$n$ (Theorem 2.2)")
        left_out = len(support) - len(binding)
        axis.set(
            xscale="log",
            yscale="log",
            xlabel="observations $n$",
            ylabel=r"units with $|w_j| > 10^{-10}\,\delta$",
        )
        axis.set_title(
            "(d) units of the solution at a binding radius"
            + (f"\n{left_out} runs not binding left out" if left_out else ""),
            loc="left",
        )
        _plain_log_ticks(axis, ns)
        axis.legend(loc="upper left")
    return figure


def _median_band(table: pd.DataFrame, by: str, value: str) -> pd.DataFrame:
    grouped = table.groupby(by)[value]
    return pd.DataFrame({"median": grouped.median(), "minimum": grouped.min(), "maximum": grouped.max()}).reset_index()


def plot_new_unit(finals: pd.DataFrame, timing_n_train: int) -> plt.Figure:
    """(a) the exact step's time against d at the timing n (median over repetitions, band min-max); (b) cells
    counted against Cover's count; (c) the share of the exact maximum the approximate steps reach against d
    (median, band min-max); (d) the final training loss against d of conditional gradient with either
    approximate step and of particle gradient descent (geometric mean over repetitions, band min-max)."""
    figure, grid = new_panels(FULL_WIDTH, 6.4, 2, 2)
    axes = list(grid.flat)
    steps = _rows(finals, NEW_UNIT)
    if steps.empty:
        for axis in axes[:3]:
            statement(axis, "no new-unit step results")
    else:
        timed = steps[steps["n_train"] == timing_n_train]
        band = _median_band(timed, "input_dim", "exact_seconds")
        axis = axes[0]
        axis.fill_between(band["input_dim"], band["minimum"], band["maximum"], color=STUDENT_COLOUR, alpha=0.15, lw=0)
        axis.plot(
            band["input_dim"],
            band["median"],
            "o-",
            color=STUDENT_COLOUR,
            label=f"exact step, n = {timing_n_train} (median)",
        )
        cells = timed.groupby("input_dim")["cells"].median()
        twin = axis.twinx()
        twin.plot(cells.index, cells.values, "s--", color="grey", ms=3, label="cells enumerated (right axis)")
        twin.set(yscale="log", ylabel="cells of the arrangement")
        twin.grid(False)
        axis.set(
            yscale="log",
            xlabel="input dimension $d$ (with a bias: $r = d + 1$)",
            ylabel="CPU time of the exact step (s)",
        )
        axis.set_title("(a) cost of the exact new-unit step", loc="left")
        axis.set_xticks(sorted(band["input_dim"]))
        handles = axis.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        axis.legend(handles=handles, loc="upper left")
        axis = axes[1]
        for d, part in steps.groupby("input_dim"):
            axis.scatter(part["cover_count"], part["cells"], s=8, label=f"d = {d}")
        limits = [steps["cover_count"].min() / 2, steps["cover_count"].max() * 2]
        axis.plot(limits, limits, color="black", ls="--", lw=1, label="equal")
        axis.set(
            xscale="log",
            yscale="log",
            xlabel=r"Cover's count $2\sum_{k<r}\binom{n-1}{k}$",
            ylabel="cells enumerated",
        )
        axis.set_title("(b) cells against Cover's count (every n, repetition)", loc="left")
        axis.legend(loc="upper left")
        axis = axes[2]
        for column, colour, label in (
            ("random_search_share", "tab:orange", "best of random directions"),
            ("gradient_ascent_share", "tab:green", "projected gradient ascent"),
        ):
            band = _median_band(timed, "input_dim", column)
            axis.fill_between(band["input_dim"], band["minimum"], band["maximum"], color=colour, alpha=0.15, lw=0)
            axis.plot(
                band["input_dim"], band["median"], "o-", color=colour, ms=3, label=f"{label} (median, band min-max)"
            )
        evaluations = int(timed["evaluations"].iloc[0]) if len(timed) else 0
        axis.set(
            xlabel="input dimension $d$",
            ylabel=r"$|h(v)|\,/\,\max_{\|v\|\leq 1} |h|$",
        )
        axis.set_title(f"(c) approximate steps, {evaluations} evaluations of $h$, n = {timing_n_train}", loc="left")
        axis.set_xticks(sorted(band["input_dim"]))
        axis.legend(loc="lower left")
    versus = _rows(finals, VERSUS)
    axis = axes[3]
    if versus.empty:
        statement(axis, "no comparison with particle gradient descent")
    else:
        done = versus[finished(versus)]
        colours = {
            RANDOM_SEARCH_METHOD: "tab:orange",
            GRADIENT_ASCENT_METHOD: "tab:green",
            PARTICLE_METHOD: STUDENT_COLOUR,
        }
        for method, colour in colours.items():
            part = done[done["variant"] == method]
            if part.empty:
                continue
            grouped = part.groupby("input_dim")["final_train_loss"]
            dims = np.array(sorted(part["input_dim"].unique()))
            means = np.array([geometric_mean(grouped.get_group(d).to_numpy()) for d in dims])
            axis.fill_between(dims, grouped.min().to_numpy(), grouped.max().to_numpy(), color=colour, alpha=0.12, lw=0)
            repetitions = int(grouped.size().max())
            axis.plot(
                dims,
                means,
                "o-",
                color=colour,
                ms=3,
                label=f"{METHOD_NAMES[method]} (geometric mean over {repetitions})",
            )
        units = int(versus["units"].max())
        left_out = len(versus) - len(done)
        axis.set(
            xscale="log",
            yscale="log",
            xlabel="input dimension $d$",
            ylabel=r"final training loss $\frac{1}{2n}\sum_i (f(x_i) - y_i)^2$",
        )
        axis.set_title(
            f"(d) at most {units} units, equal multiply-adds"
            + (f"\n{left_out} diverged runs left out" if left_out else ""),
            loc="left",
        )
        _plain_log_ticks(axis, versus["input_dim"].unique())  # after the log scale, which resets the labels
        handles, labels = axis.get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False, title="(d)")
    return figure


def _curve_paths(view) -> list[Ref]:
    return [Ref(job.path, identity=record_identity(job)) for job in view.jobs(NAME, "conditional_gradient")]


def _rate_inputs(view) -> dict[str, list[str]]:
    return {"finals": [view.aggregate(NAME, "finals")], "curves": _curve_paths(view)}


def _draw_rate(data, settings: dict):
    curves = gap_curves(data.tables("curves", [*CURVE_COLUMNS, "radius", "repetition", "radius_value"]))
    return plot_rate(curves, data.table("finals", FINALS))


def _new_unit_inputs(view) -> dict[str, list[str]]:
    return {"finals": [view.aggregate(NAME, "finals")]}


def _new_unit_settings(view) -> dict:
    return {"timing_n_train": view.section(NAME)[NEW_UNIT]["timing_n_train"]}


def _draw_new_unit(data, settings: dict):
    return plot_new_unit(data.table("finals", FINALS), int(settings["timing_n_train"]))


def _typical_gap(gaps: np.ndarray) -> float:
    """The geometric mean of positive gaps; the mean if one is 0 (a converged run); NaN if one is missing."""
    if gaps.size == 0 or not np.all(np.isfinite(gaps)):
        return math.nan
    return geometric_mean(gaps) if np.all(gaps > 0.0) else float(np.mean(gaps))


def rate_summary(finals: pd.DataFrame) -> pd.DataFrame:
    """Per (radius, variant) over the repetitions: the geometric mean of the gap at t = 10, 100, 1000, the largest
    bound ratio, the mean slope, and the reference's check."""
    rows = []
    for (radius, variant), group in _rows(finals, RATE).groupby(["radius", "variant"], sort=False):
        row = {"radius": radius, "variant": variant, "radius_value": float(group["radius_value"].iloc[0])}
        for t in REPORTED_ITERATIONS:
            gaps = group[f"gap_at_{t}"].to_numpy(dtype=float)
            row[f"gap_at_{t}_geometric_mean"] = _typical_gap(gaps)
        row["largest_bound_ratio"] = float(group["bound_ratio"].max())
        row["mean_slope"] = float(group["slope"].mean())
        row["optimum_estimate_mean"] = float(group["optimum_estimate"].mean())
        row["largest_grid_excess"] = float((group["grid_loss"] - group["optimum_estimate"]).max())
        row["references_checked"] = int(group["reference_checked"].astype(bool).sum())
        row["repetitions"] = len(group)
        rows.append(row)
    return pd.DataFrame(rows)


def new_unit_summary(finals: pd.DataFrame) -> pd.DataFrame:
    """Per (d, n): Cover's count, the cells (median), the exact step's median time and candidates, the median share
    reached by each approximate step; and per (d, method) of the comparison the geometric-mean final losses."""
    steps = _rows(finals, NEW_UNIT)
    rows = []
    for (d, n), group in steps.groupby(["input_dim", "n_train"]):
        rows.append(
            {
                "study": NEW_UNIT,
                "input_dim": d,
                "n_train": n,
                "cover_count": int(group["cover_count"].iloc[0]),
                "cells_median": float(group["cells"].median()),
                "exact_seconds_median": float(group["exact_seconds"].median()),
                "candidates_median": float(group["candidates"].median()),
                "random_search_share_median": float(group["random_search_share"].median()),
                "gradient_ascent_share_median": float(group["gradient_ascent_share"].median()),
                "repetitions": len(group),
            }
        )
    versus = _rows(finals, VERSUS)
    for (d, method), group in versus.groupby(["input_dim", "variant"]):
        done = group[finished(group)]
        rows.append(
            {
                "study": VERSUS,
                "input_dim": d,
                "n_train": int(group["n_train"].iloc[0]),
                "method": method,
                "final_train_loss_geometric_mean": geometric_mean(done["final_train_loss"].to_numpy(dtype=float)),
                "final_test_loss_geometric_mean": geometric_mean(done["excess_loss"].to_numpy(dtype=float)),
                "multiply_adds": float(group["multiply_adds"].median()),
                "repetitions": len(group),
                "diverged": len(group) - len(done),
            }
        )
    return pd.DataFrame(rows)


EXPERIMENT = Experiment(
    name=NAME,
    title="conditional gradient on the F1 ball and the new-unit subproblem (the report's section 4)",
    target="frank_wolfe",
    in_report=False,
    build=build,
    claim_names=(
        "C13-rate-bound",
        "C13-rate-slope",
        "C13-support",
        "C14-cost-growth",
        "C14-cost-cover",
        "C14-practical",
    ),
    claims=claims,
    claims_context=_claims_context,
    cross_key_problems=_cross_key_problems,
    figures=(
        Figure("frank_wolfe_rate", "Beyond the report", inputs=_rate_inputs, draw=_draw_rate),
        Figure(
            "frank_wolfe_new_unit",
            "Beyond the report",
            inputs=_new_unit_inputs,
            draw=_draw_new_unit,
            settings=_new_unit_settings,
        ),
    ),
    tables=(
        Table(
            "frank_wolfe_rate_summary",
            "results/frank_wolfe_summary/rate.csv",
            inputs=lambda view: {"finals": [view.aggregate(NAME, "finals")]},
            compute=lambda data, settings: rate_summary(data.table("finals", FINALS)),
        ),
        Table(
            "frank_wolfe_new_unit_summary",
            "results/frank_wolfe_summary/new_unit.csv",
            inputs=lambda view: {"finals": [view.aggregate(NAME, "finals")]},
            compute=lambda data, settings: new_unit_summary(data.table("finals", FINALS)),
        ),
    ),
)
