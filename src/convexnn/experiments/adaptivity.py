"""The report's section 3.3 (`snakemake convex`): only F1 adapts to a low-dimensional structure.

The report: "when f* depends only on a subspace of dimension s <= d, then we can replace d by s in the
generalization bounds only in F1 and not in F2 [...] Therefore, only F1 is adaptive to structure and breaks the
curse of dimensionality." Three learners on the same data (one job per setting point and repetition, one row with
a column per learner: the comparison is paired and the data are drawn once): F1, both layers of a mean-field ReLU
network trained by gradient descent; F2 by random features (the same m units, fixed, only the output layer
fitted); F2 by its kernel (kernel ridge with the closed form of :mod:`convexnn.experiments.kernel_convergence`).

Two settings, each a sweep over d at a fixed n and a sweep over n at a fixed d:

- ``regression`` (kind ``adaptivity_regression``): y = f*(P^T x), a teacher of a few ReLU units in a random
  s-dimensional subspace, x ~ N(0, I_d), square loss; the excess risk is the test loss (the teacher is in the
  model class), read relative to the zero predictor's (1/2) E y^2;
- ``cb2020`` (kind ``adaptivity_classification``): Chizat & Bach's (2020) 3 x 3 clusters with random signs in two
  coordinates, d - 3 coordinates of uniform noise and a constant one; their smooth-margin ascent for both layers
  and for the output layer only, the test misclassification.

Claims, thresholds fixed before any result (the issue's C12): C12-curse, the F2 kernel learner's relative excess
risk at the largest d is at least 3x that at the smallest d (fixed n); C12-adapts, at the largest d, F1's is at
most 1/3 of the F2 kernel learner's; and the same two with the test error for the clusters (C12-curse-cb2020,
C12-adapts-cb2020). Regression statistics are geometric means over repetitions (the report's statistic, 5.2);
classification ones are arithmetic means (a test error can be 0; Chizat & Bach plot means). Every ratio pairs the
repetitions (one teacher's low-dimensional part, or one cluster labelling, per repetition) and the bootstrap
resamples whole repetitions. A diverged F1 run (its flag) leaves its repetition out of the claims that read F1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from convexnn.aggregation import finished, geometric_mean
from convexnn.claims import ClaimResult, ClaimText, bootstrap, is_missing
from convexnn.experiments.base import Experiment, Figure, Table
from convexnn.intervals import at_least, at_most
from convexnn.plotting import FULL_WIDTH, STUDENT_COLOUR, new_panels, statement
from convexnn.seeding import seed_entropy

NAME = "adaptivity"
REGRESSION, CLASSIFICATION = "regression", "cb2020"
KIND_OF = {REGRESSION: "adaptivity_regression", CLASSIFICATION: "adaptivity_classification"}
LEARNERS = ("f1", "rf", "kernel")
# The measured column of each learner in each setting: a test loss (regression) or a test error (classification).
METRIC = {REGRESSION: "test_loss", CLASSIFICATION: "test_error"}
FINALS = ["setting", "input_dim", "n_train", "repetition", "zero_predictor_loss", "diverged"]
# Thresholds fixed before any result (the C12).
CURSE_RATIO = 3.0
ADAPTS_RATIO = 1.0 / 3.0


def setting_points(part: dict) -> list[tuple[int, int]]:
    """(d, n) of a setting: the d sweep at n = ``n_train``, then the n sweep at d = ``n_sweep.input_dim``; a point
    in both sweeps is one point (one job per repetition)."""
    points = [(int(d), int(part["n_train"])) for d in part["input_dims"]]
    points += [(int(part["n_sweep"]["input_dim"]), int(n)) for n in part["n_sweep"]["n_train"]]
    return list(dict.fromkeys(points))


def _ridge_fields(section: dict) -> dict:
    ridge = section["ridge"]
    penalties = ridge["log10_relative_penalty"]
    return {
        "validation_fraction": ridge["validation_fraction"],
        "log10_penalty_low": penalties["low"],
        "log10_penalty_high": penalties["high"],
        "penalty_count": penalties["count"],
    }


def _regression_fields(part: dict) -> dict:
    keys = ("subspace_dim", "teacher_units", "test_size", "n_units", "init_radius", "step_size", "n_steps")
    return {key: part[key] for key in keys} | {"n_checkpoints": part["n_checkpoints"]}


def _classification_fields(part: dict) -> dict:
    keys = ("clusters_per_side", "test_size", "n_units", "step_size", "n_steps")
    return {key: part[key] for key in keys}


def build(config: dict, builder) -> None:
    """One job per (setting, d, n, repetition). The seed of a job is keyed by its point and repetition; the part
    every point of a repetition shares (the teacher's low-dimensional function, or the cluster signs) has a seed
    keyed by the setting and the repetition only."""
    section = config[NAME]
    ridge = _ridge_fields(section)
    for setting, fields_of, shared_name in (
        (REGRESSION, _regression_fields, "teacher_seed"),
        (CLASSIFICATION, _classification_fields, "distribution_seed"),
    ):
        part = section[setting]
        for repetition in range(part["repetitions"]):
            shared = seed_entropy(builder.scenario.seed, NAME, f"setting={setting},shared", repetition)
            for input_dim, n_train in setting_points(part):
                point = {"setting": setting, "input_dim": input_dim, "n_train": n_train}
                builder.job(
                    KIND_OF[setting],
                    [setting, f"d{input_dim}", f"n{n_train}"],
                    point,
                    repetition,
                    labels=point,
                    input_dim=input_dim,
                    n_train=n_train,
                    **{shared_name: shared},
                    **fields_of(part),
                    **ridge,
                )


def _cross_key_problems(config: dict) -> list[str]:
    section = config[NAME]
    problems = []
    regression = section[REGRESSION]
    smallest = min([*regression["input_dims"], regression["n_sweep"]["input_dim"]])
    if regression["subspace_dim"] > smallest:
        problems.append(
            f"config key '{NAME}.{REGRESSION}.subspace_dim': the teacher's subspace ({regression['subspace_dim']}) "
            f"must fit in the smallest input dimension ({smallest})"
        )
    penalties = section["ridge"]["log10_relative_penalty"]
    if penalties["low"] >= penalties["high"]:
        problems.append(
            f"config key '{NAME}.ridge.log10_relative_penalty': low ({penalties['low']}) must be below high "
            f"({penalties['high']})"
        )
    fraction = section["ridge"]["validation_fraction"]
    for setting in (REGRESSION, CLASSIFICATION):
        smallest_n = min(n for _, n in setting_points(section[setting]))
        if round(fraction * smallest_n) < 1 or smallest_n - round(fraction * smallest_n) < 2:
            problems.append(
                f"config key '{NAME}.ridge.validation_fraction': {fraction} of the smallest n of '{NAME}.{setting}' "
                f"({smallest_n}) leaves no validation point or fewer than 2 to fit"
            )
    return problems


def _claims_context(config: dict) -> dict:
    """The fixed n of each setting's d sweep: which rows the claims read."""
    return {setting: {"n_train": config[NAME][setting]["n_train"]} for setting in (REGRESSION, CLASSIFICATION)}


# ---------------------------------------------------------------------------------------------
# Claims C12


def learner_values(rows: pd.DataFrame, setting: str, learner: str) -> pd.Series:
    """Per row, a learner's measure: the test loss relative to the zero predictor's (regression) or the test
    error (classification); NaN where F1 diverged, for F1."""
    values = rows[f"{learner}_{METRIC[setting]}"].astype(float)
    if setting == REGRESSION:
        values = values / rows["zero_predictor_loss"].astype(float)
    if learner == "f1":
        values = values.where(finished(rows))
    return values


def _centre(values: np.ndarray, setting: str) -> float:
    """The geometric mean (regression) or the arithmetic mean (classification) of finite values."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan
    return geometric_mean(values) if setting == REGRESSION else float(np.mean(values))


def _paired(finals: pd.DataFrame, setting: str, numerator: tuple, denominator: tuple) -> pd.DataFrame:
    """Per repetition: (numerator, denominator), each (d, n, learner), the rows with a finite value at both."""

    def column(d, n, learner) -> pd.Series:
        rows = finals[(finals["setting"] == setting) & (finals["input_dim"] == d) & (finals["n_train"] == n)]
        return pd.Series(learner_values(rows, setting, learner).to_numpy(), index=rows["repetition"].to_numpy())

    pairs = pd.DataFrame({"numerator": column(*numerator), "denominator": column(*denominator)})
    return pairs[np.isfinite(pairs["numerator"]) & np.isfinite(pairs["denominator"])]


def _ratio_claim(
    text: ClaimText, finals: pd.DataFrame | None, setting: str, n_train: int, numerator, denominator
) -> ClaimResult:
    """centre(numerator) / centre(denominator) over the repetitions where both are finite, at the fixed n; the
    numerator and denominator are (which d: "smallest" or "largest", learner)."""
    if is_missing(finals) or not (finals["setting"] == setting).any():
        return text.not_evaluated(f"no {setting} results")
    rows = finals[(finals["setting"] == setting) & (finals["n_train"] == n_train)]
    if rows.empty:
        return text.not_evaluated(f"no {setting} results at n = {n_train}")
    dims = {"smallest": int(rows["input_dim"].min()), "largest": int(rows["input_dim"].max())}
    top, bottom = (dims[numerator[0]], n_train, numerator[1]), (dims[denominator[0]], n_train, denominator[1])
    pairs = _paired(finals, setting, top, bottom)
    total = rows.loc[rows["input_dim"] == top[0], "repetition"].nunique()
    if pairs.empty:
        return text.not_evaluated(f"no repetition with both values (F1 diverged in every one?) of {total}")
    per_repetition = list(zip(pairs["numerator"], pairs["denominator"]))

    def statistic(parts: list) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(
                np.float64(_centre([p[0] for p in parts], setting))
                / np.float64(_centre([p[1] for p in parts], setting))
            )

    value, interval, method = bootstrap(per_repetition, statistic)
    centre = "geometric mean" if setting == REGRESSION else "mean"
    left_out = total - len(pairs)
    return text.result(
        value,
        interval,
        f"{centre} {_centre(pairs['numerator'], setting):.3g} ({top[2]}, d = {top[0]}) / "
        f"{_centre(pairs['denominator'], setting):.3g} ({bottom[2]}, d = {bottom[0]}) at n = {n_train} over "
        f"{len(pairs)} repetitions" + (f" ({left_out} left out: F1 diverged)" if left_out else "") + f"; {method}",
    )


_CURSE_WORDS = (
    "when f* depends only on a subspace of dimension s <= d, [...] we can replace d by s [...] only in F1 and not in F2"
)
_ADAPTS_WORDS = "only F1 is adaptive to structure and breaks the curse of dimensionality"
C12_TEXTS = {
    "C12-curse": ClaimText(
        "C12-curse",
        "3.3",
        _CURSE_WORDS,
        "F2 kernel ridge: geometric-mean test loss / zero predictor's, largest d over smallest d, fixed n (regression)",
        at_least(CURSE_RATIO),
    ),
    "C12-adapts": ClaimText(
        "C12-adapts",
        "3.3",
        _ADAPTS_WORDS,
        "at the largest d: geometric-mean relative test loss of F1 over that of F2 kernel ridge (regression)",
        at_most(ADAPTS_RATIO),
    ),
    "C12-curse-cb2020": ClaimText(
        "C12-curse-cb2020",
        "3.3",
        _CURSE_WORDS + " (Chizat & Bach 2020's clusters)",
        "F2 kernel ridge: mean test misclassification, largest d over smallest d, fixed n",
        at_least(CURSE_RATIO),
    ),
    "C12-adapts-cb2020": ClaimText(
        "C12-adapts-cb2020",
        "3.3",
        _ADAPTS_WORDS + " (Chizat & Bach 2020's clusters)",
        "at the largest d: mean test misclassification of F1 (both layers) over that of F2 kernel ridge",
        at_most(ADAPTS_RATIO),
    ),
}


def claims(finals: pd.DataFrame, trajectories: Sequence, context: Mapping) -> list[ClaimResult]:
    """C12 for both settings, at each setting's fixed n (``context``)."""
    results = []
    for setting, suffix in ((REGRESSION, ""), (CLASSIFICATION, "-cb2020")):
        n_train = int(context[setting]["n_train"])
        results.append(
            _ratio_claim(
                C12_TEXTS[f"C12-curse{suffix}"],
                finals,
                setting,
                n_train,
                ("largest", "kernel"),
                ("smallest", "kernel"),
            )
        )
        results.append(
            _ratio_claim(
                C12_TEXTS[f"C12-adapts{suffix}"], finals, setting, n_train, ("largest", "f1"), ("largest", "kernel")
            )
        )
    return results


# ---------------------------------------------------------------------------------------------
# The figure and the table


def learner_summary(finals: pd.DataFrame) -> pd.DataFrame:
    """Per (setting, d, n, learner): the centre over repetitions (geometric mean of the relative test loss, or
    mean of the test error), its min and max, and the numbers of finite and of left-out (F1 diverged) values."""
    rows = []
    for (setting, input_dim, n_train), group in finals.groupby(["setting", "input_dim", "n_train"], sort=True):
        for learner in LEARNERS:
            values = learner_values(group, setting, learner).to_numpy(dtype=float)
            done = values[np.isfinite(values)]
            rows.append(
                {
                    "setting": setting,
                    "input_dim": int(input_dim),
                    "n_train": int(n_train),
                    "learner": learner,
                    "measure": "test loss / zero predictor's" if setting == REGRESSION else "test error",
                    "centre": _centre(done, setting),
                    "minimum": done.min() if done.size else math.nan,
                    "maximum": done.max() if done.size else math.nan,
                    "n_values": int(done.size),
                    "n_left_out": int(values.size - done.size),
                }
            )
    return pd.DataFrame(rows)


LEARNER_STYLE = {
    "f1": (STUDENT_COLOUR, "o", "-"),
    "rf": ("tab:green", "s", "--"),
    "kernel": ("tab:orange", "^", "-."),
}
LEARNER_LABELS = {
    REGRESSION: {
        "f1": "F1: both layers, gradient descent",
        "rf": "F2: random features (the same m), ridge",
        "kernel": "F2: kernel ridge",
    },
    CLASSIFICATION: {
        "f1": "F1: both layers (Chizat & Bach's ascent)",
        "rf": "F2: output layer only (their ascent)",
        "kernel": "F2: kernel ridge on the labels +-1",
    },
}


def _panel(axis, summary: pd.DataFrame, setting: str, sweep: str, fixed: int, title: str, legend: bool) -> None:
    """One sweep of one setting: each learner's centre against d (at n = fixed) or n (at d = fixed), band min-max."""
    varying, held = ("input_dim", "n_train") if sweep == "d" else ("n_train", "input_dim")
    rows = summary[(summary["setting"] == setting) & (summary[held] == fixed)]
    if rows.empty:
        statement(axis, f"{title}: no results")
        return
    for learner in LEARNERS:
        line = rows[rows["learner"] == learner].sort_values(varying)
        colour, marker, style = LEARNER_STYLE[learner]
        axis.fill_between(line[varying], line["minimum"], line["maximum"], color=colour, alpha=0.12, lw=0)
        left_out = int(line["n_left_out"].sum())
        note = f" ({left_out} diverged, left out)" if left_out else ""
        axis.plot(
            line[varying],
            line["centre"],
            color=colour,
            marker=marker,
            ls=style,
            ms=3,
            label=LEARNER_LABELS[setting][learner] + note,
        )
    regression = setting == REGRESSION
    centre = "geometric mean" if regression else "mean"
    axis.set(
        xscale="log",
        yscale="log" if regression else "linear",
        xlabel="input dimension $d$" if sweep == "d" else "training points $n$",
        ylabel=(r"test loss / zero predictor's $\frac{1}{2}E\,y^2$" if regression else "test misclassification")
        + f"\n({centre}, band: min-max)",
    )
    axis.set_title(f"{title} ({'n' if sweep == 'd' else 'd'} = {fixed})", fontsize=7, loc="left")
    if not regression:
        axis.set_ylim(bottom=0)
    ticks = sorted(line[varying].unique())
    axis.set_xticks(ticks, [str(int(t)) for t in ticks])
    axis.xaxis.set_minor_formatter(plt.NullFormatter())
    if legend:
        axis.legend(loc="best")


def plot_adaptivity(summary: pd.DataFrame, settings: dict) -> plt.Figure:
    """(a, b) regression against d and n; (c, d) Chizat & Bach's clusters against d and n."""
    figure, axes = new_panels(FULL_WIDTH, 6.0, 2, 2)
    for row, (setting, name) in enumerate(((REGRESSION, "teacher in a subspace"), (CLASSIFICATION, "clusters"))):
        fixed = settings[setting]
        _panel(axes[row, 0], summary, setting, "d", fixed["n_train"], f"({'ac'[row]}) {name}: against d", True)
        _panel(axes[row, 1], summary, setting, "n", fixed["input_dim"], f"({'bd'[row]}) {name}: against n", False)
    return figure


def _inputs(view) -> dict[str, list[str]]:
    return {"finals": [view.aggregate(NAME, "finals")]}


def _settings(view) -> dict:
    section = view.section(NAME)
    return {
        setting: {"n_train": section[setting]["n_train"], "input_dim": section[setting]["n_sweep"]["input_dim"]}
        for setting in (REGRESSION, CLASSIFICATION)
    }


def _draw(data, settings: dict):
    return plot_adaptivity(learner_summary(data.table("finals", FINALS)), settings)


def _summary_table(data, settings: dict) -> pd.DataFrame:
    return learner_summary(data.table("finals", FINALS))


EXPERIMENT = Experiment(
    name=NAME,
    title="only F1 adapts to a low-dimensional structure (report 3.3)",
    target="convex",
    in_report=False,
    build=build,
    claim_names=tuple(C12_TEXTS),
    claims=claims,
    claims_context=_claims_context,
    cross_key_problems=_cross_key_problems,
    figures=(Figure("adaptivity", "Sections 2-3: F1 and F2", inputs=_inputs, draw=_draw, settings=_settings),),
    tables=(
        Table(
            "adaptivity_summary",
            "results/adaptivity_summary/summary.csv",
            inputs=_inputs,
            compute=_summary_table,
        ),
    ),
)
