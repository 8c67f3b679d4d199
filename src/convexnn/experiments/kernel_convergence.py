"""The report's section 2.5 (`snakemake convex`): random features converge to the kernel.

Proposition 2.1 makes F2 the RKHS of k(x, y) = int phi_v(x) phi_v(y) dtau(v), and the report goes on: "the
empirical risk minimization problem in F2 can be solved by sampling m i.i.d hidden units v_1, ..., v_m [...]. When
m tends to infinity, the approximate kernel [...] tends to k(x, y)." For the ReLU and tau = N(0, I_d), k is the
arc-cosine kernel of degree 1 (:func:`convexnn.kernels.arc_cosine_kernel`); k_m = (1/m) sum_j phi_{v_j} phi_{v_j}
is a mean of m i.i.d. terms with mean k, so each entry's error is O(m^(-1/2)) and so is the relative Frobenius
error of the Gram matrix on a fixed set of inputs.

Grid: one job (kind ``kernel_error``) per (m, repetition), m log-spaced from 10 to 10^5; every job measures the
same inputs (one draw for the experiment) with its own units, so that the repetitions and the m are independent
draws of the units. Claim C11-kernel is checked as two rows (its words join a rate and a limit): C11-kernel-rate,
the fitted log-log slope of the error against m, and C11-kernel-limit, the error at the largest m.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from convexnn.aggregation import geometric_mean
from convexnn.claims import ClaimResult, ClaimText, bootstrap, is_missing
from convexnn.experiments.base import Experiment, Figure
from convexnn.intervals import Region, below
from convexnn.plotting import COLUMN_WIDTH, STUDENT_COLOUR, new_panels
from convexnn.seeding import seed_entropy

NAME = "kernel_convergence"
FINALS = ["n_units", "repetition", "relative_frobenius_error", "max_entry_error"]
# Thresholds fixed from the words before any result (the C11-kernel): the rate of a mean of m i.i.d.
# terms is m^(-1/2), and "tends to k" is read as an error below 1% at m = 10^5.
SLOPE_BAND = (-0.6, -0.4)
LIMIT = 0.01


def unit_counts(section: dict) -> list[int]:
    """m = round(10^e) for ``count`` exponents e evenly spaced from ``first`` to ``last`` (duplicates removed)."""
    exponents = section["log10_units"]
    counts = np.rint(10.0 ** np.linspace(exponents["first"], exponents["last"], exponents["count"])).astype(int)
    return [int(m) for m in dict.fromkeys(counts)]


def build(config: dict, builder) -> None:
    """One job per (m, repetition); one set of inputs for the experiment (its own stream)."""
    section = config[NAME]
    inputs_seed = seed_entropy(builder.scenario.seed, NAME, "inputs", 0)
    for repetition in range(section["repetitions"]):
        for index, units in enumerate(unit_counts(section)):
            builder.job(
                "kernel_error",
                [f"m{index:02d}"],
                {"n_units": units},
                repetition,
                labels={"n_units": units},
                input_dim=section["input_dim"],
                n_points=section["n_points"],
                n_units=units,
                inputs_seed=inputs_seed,
            )


def _cross_key_problems(config: dict) -> list[str]:
    exponents = config[NAME]["log10_units"]
    problems = []
    if exponents["first"] >= exponents["last"]:
        problems.append(
            f"config key '{NAME}.log10_units': first ({exponents['first']}) must be below last ({exponents['last']})"
        )
    elif len(unit_counts(config[NAME])) < 3:
        problems.append(f"config key '{NAME}.log10_units': fewer than 3 distinct m once rounded, no slope to fit")
    return problems


# ---------------------------------------------------------------------------------------------
# Claims C11-kernel


def error_matrix(finals: pd.DataFrame) -> tuple[list[int], np.ndarray]:
    """(m values, errors of shape (repetitions, m)): the relative Frobenius errors, one row per repetition."""
    table = finals.pivot(index="repetition", columns="n_units", values="relative_frobenius_error")
    return [int(m) for m in table.columns], table.to_numpy(dtype=float)


def fitted_slope(units: Sequence[int], errors: np.ndarray) -> float:
    """The least-squares slope of log10 GM(error) against log10 m, GM over the rows (repetitions) at each m."""
    log_errors = np.nanmean(np.log10(errors), axis=0)
    return float(np.polyfit(np.log10(np.asarray(units, dtype=float)), log_errors, 1)[0])


C11_RATE_TEXT = ClaimText(
    "C11-kernel-rate",
    "2.5",
    "when m tends to infinity, the approximate kernel tends to k (at the Monte Carlo rate m^(-1/2))",
    "fitted log-log slope of the relative Frobenius error ||K_m - K||_F / ||K||_F against m (geometric mean over "
    "repetitions at each m)",
    Region(*SLOPE_BAND),
)
C11_LIMIT_TEXT = ClaimText(
    "C11-kernel-limit",
    "2.5",
    "when m tends to infinity, the approximate kernel tends to k",
    "geometric-mean relative Frobenius error ||K_m - K||_F / ||K||_F at the largest m",
    below(LIMIT),
)


def claim_rate(finals: pd.DataFrame | None) -> ClaimResult:
    """C11-kernel-rate: the slope of :func:`fitted_slope`, bootstrap over repetitions; holds in [-0.6, -0.4]."""
    text = C11_RATE_TEXT
    if is_missing(finals):
        return text.not_evaluated("no kernel-convergence results")
    units, errors = error_matrix(finals)
    if len(units) < 3:
        return text.not_evaluated(f"{len(units)} values of m, at least 3 needed for a slope")
    value, interval, method = bootstrap(list(errors), lambda rows: fitted_slope(units, np.array(rows)))
    return text.result(
        value, interval, f"{len(units)} values of m from {units[0]} to {units[-1]}, {len(errors)} repetitions; {method}"
    )


def claim_limit(finals: pd.DataFrame | None) -> ClaimResult:
    """C11-kernel-limit: the geometric mean over repetitions of the error at the largest m; holds below 0.01."""
    text = C11_LIMIT_TEXT
    if is_missing(finals):
        return text.not_evaluated("no kernel-convergence results")
    largest = int(finals["n_units"].max())
    errors = list(finals.loc[finals["n_units"] == largest, "relative_frobenius_error"].astype(float))
    value, interval, method = bootstrap(errors, geometric_mean)
    return text.result(
        value,
        interval,
        f"at m = {largest}: range [{min(errors):.3g}, {max(errors):.3g}] over {len(errors)} repetitions; {method}",
    )


def claims(finals: pd.DataFrame, trajectories: Sequence, context: Mapping) -> list[ClaimResult]:
    """C11-kernel as its two rows."""
    return [claim_rate(finals), claim_limit(finals)]


# ---------------------------------------------------------------------------------------------
# The figure


def plot_kernel_convergence(finals: pd.DataFrame) -> plt.Figure:
    """The relative Frobenius error against m, log-log: every repetition (dots), the geometric mean (line) and the
    min-max band over repetitions, the line C m^(-1/2) through the geometric means, and the 1% of C11-kernel-limit."""
    figure, axes = new_panels(COLUMN_WIDTH, 3.0)
    axis = axes[0, 0]
    units, errors = error_matrix(finals)
    m = np.asarray(units, dtype=float)
    means = np.array([geometric_mean(column[np.isfinite(column)]) for column in errors.T])
    axis.scatter(
        np.repeat(m[None, :], len(errors), axis=0).ravel(),
        errors.ravel(),
        s=5,
        color=STUDENT_COLOUR,
        alpha=0.35,
        lw=0,
        label=f"one draw of the units ({len(errors)} a point)",
    )
    axis.fill_between(m, np.nanmin(errors, axis=0), np.nanmax(errors, axis=0), color=STUDENT_COLOUR, alpha=0.15, lw=0)
    slope = fitted_slope(units, errors)
    axis.plot(m, means, color=STUDENT_COLOUR, marker="o", ms=3, label=f"geometric mean (slope {slope:.3f})")
    # C m^(-1/2) with C the geometric mean of error * sqrt(m): the Monte Carlo rate, not a fit of the slope
    constant = float(np.exp(np.mean(np.log(means * np.sqrt(m)))))
    axis.plot(m, constant / np.sqrt(m), color="black", ls="--", lw=1, label=r"$C\,m^{-1/2}$")
    axis.axhline(LIMIT, color="grey", ls=":", lw=1, label=f"{LIMIT:.0%}: C11-kernel-limit")
    axis.set(
        xscale="log",
        yscale="log",
        xlabel="number of random units $m$",
        ylabel=r"relative error $\|K_m - K\|_F \,/\, \|K\|_F$",
    )
    axis.set_title("random ReLU features against\nthe arc-cosine kernel", fontsize=7, loc="left")
    axis.legend(loc="lower left")
    return figure


def _inputs(view) -> dict[str, list[str]]:
    return {"finals": [view.aggregate(NAME, "finals")]}


def _draw(data, settings: dict):
    return plot_kernel_convergence(data.table("finals", FINALS))


EXPERIMENT = Experiment(
    name=NAME,
    title="random features converge to the kernel (report 2.5)",
    target="convex",
    in_report=False,
    build=build,
    claim_names=("C11-kernel-rate", "C11-kernel-limit"),
    claims=claims,
    cross_key_problems=_cross_key_problems,
    figures=(Figure("kernel_convergence", "Sections 2-3: F1 and F2", inputs=_inputs, draw=_draw),),
)
