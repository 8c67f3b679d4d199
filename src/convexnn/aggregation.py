"""From per-run curves to per-configuration statistics (report section 5.2, figs. 4 and 5).

The report plots "the geometric mean of the obtained losses" over repetitions: for losses
L_1..L_n, exp((1/n) sum_i log L_i), the mean of log10 L drawn on a log axis. Diverged runs (a NaN or
an overflow during training) have no final loss: they are counted, never averaged in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from convexnn.storage import CURVE_COLUMNS

# The columns of a training curve that are measurements; every other column labels the run.
MEASUREMENT_COLUMNS = CURVE_COLUMNS
# A run "reached the global minimum" when its final test loss is below this fraction of its initial
# test loss (report 5.1; claim C1). Fixed before any result was seen.
GLOBAL_MINIMUM_RATIO = 1e-3


def finished(table: pd.DataFrame) -> pd.Series:
    """The runs that did not diverge: the ``diverged`` flag of their curve, the one definition of a
    run that did not finish, which every aggregation, claim and figure uses."""
    return ~table["diverged"].astype(bool)


def run_keys(curves: pd.DataFrame) -> list[str]:
    """The label columns of curve tables (scenario, experiment, configuration, repetition)."""
    return [column for column in curves.columns if column not in MEASUREMENT_COLUMNS]


def configuration_keys(table: pd.DataFrame) -> list[str]:
    """The label columns that name a configuration: every label but the repetition."""
    return [column for column in run_keys(table) if column != "repetition"]


def final_excess_losses(curves: pd.DataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    """One row per run (``keys``, default :func:`run_keys`): its first and last checkpoint.

    The global minimum is 0 (noiseless teacher), so the excess loss is the final test loss; it is NaN
    for a diverged run, which is counted, never averaged in (the ``diverged`` flag of the curve is the
    one definition of a run that did not finish). ``relative_excess_loss`` divides it by the zero
    predictor's loss 1/2 mean y^2, ``normalised_loss`` by 1/2 Var(y). ``reached_global_minimum``: the
    final test loss is below GLOBAL_MINIMUM_RATIO x the initial one (report 5.1; claim C1)."""
    keys = run_keys(curves) if keys is None else keys
    ordered = curves.sort_values("samples_seen")
    runs = ordered.groupby(keys, sort=True)
    first, last = runs.head(1).set_index(keys), runs.tail(1).set_index(keys)
    diverged = last["diverged"].astype(bool)
    finals = pd.DataFrame(
        {
            "samples_seen": last["samples_seen"],
            "initial_test_loss": first["test_loss"],
            "excess_loss": last["test_loss"].where(~diverged),
            "zero_predictor_loss": last["zero_predictor_loss"],
            "constant_predictor_loss": last["constant_predictor_loss"],
            "diverged": diverged,
        }
    )
    finals["relative_excess_loss"] = finals["excess_loss"] / finals["zero_predictor_loss"]
    finals["normalised_loss"] = finals["excess_loss"] / finals["constant_predictor_loss"]
    finals["reached_global_minimum"] = ~diverged & (
        finals["excess_loss"] < GLOBAL_MINIMUM_RATIO * finals["initial_test_loss"]
    )
    return finals.reset_index().sort_values(keys).reset_index(drop=True)


def geometric_mean(values: np.ndarray) -> float:
    """exp(mean(log values)); NaN for an empty input, 0 if a value is exactly 0."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return np.nan
    with np.errstate(divide="ignore"):  # a loss of exactly 0 gives log = -inf and a mean of 0
        return float(np.exp(np.mean(np.log(values))))


def summarise_over_repetitions(finals: pd.DataFrame, by: list[str], value: str = "excess_loss") -> pd.DataFrame:
    """Per group: geometric mean, min, max and sample std (ddof = 1) of log10 of ``value`` over the finished runs,
    with the number of finished and of diverged runs."""

    def summary(group: pd.DataFrame) -> pd.Series:
        done = group.loc[finished(group), value].to_numpy(dtype=float)
        log10 = np.log10(done) if done.size else np.array([])
        return pd.Series(
            {
                "geometric_mean": geometric_mean(done),
                "minimum": done.min() if done.size else np.nan,
                "maximum": done.max() if done.size else np.nan,
                "std_log10": float(np.std(log10, ddof=1)) if done.size >= 2 else np.nan,
                "n_finished": int(done.size),
                "n_diverged": int((~finished(group)).sum()),
            }
        )

    rows = [
        dict(zip(by, key if isinstance(key, tuple) else (key,)), **summary(group))
        for key, group in finals.groupby(by, sort=True)
    ]
    table = pd.DataFrame(rows)
    return table.astype({"n_finished": int, "n_diverged": int})


def summarise_curves(curves: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group and checkpoint (report fig. 6): geometric mean, min and max of the test loss over
    the repetitions that did not diverge."""
    grouped = curves[finished(curves)].groupby(by + ["samples_seen"], sort=True)["test_loss"]
    table = grouped.agg(geometric_mean=geometric_mean, minimum="min", maximum="max", n_finished="count")
    return table.reset_index()


def summarise_baselines(baselines: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: the geometric mean of the convex baseline's loss divided by 1/2 Var(y)."""
    normalised = baselines.assign(normalised_baseline=baselines["baseline_loss"] / baselines["constant_predictor_loss"])
    return (
        normalised.groupby(by, sort=True)["normalised_baseline"]
        .apply(geometric_mean)
        .rename("baseline_geometric_mean")
        .reset_index()
    )


def transition_ratio(summary: pd.DataFrame, teacher_units: int, by: list[str]) -> pd.DataFrame:
    """Per group ``by`` (Chizat & Bach: teacher, protocol, activation): the geometric-mean loss at the
    largest m below m0 divided by that at the smallest m above m0 (the grid points on either side of
    the transition)."""
    rows = []
    for key, group in summary.groupby(by, sort=True):
        below = group[group["n_particles"] < teacher_units]
        above = group[group["n_particles"] > teacher_units]
        if below.empty or above.empty:
            continue
        low, high = below.loc[below["n_particles"].idxmax()], above.loc[above["n_particles"].idxmin()]
        rows.append(
            dict(
                zip(by, key),
                m_below=int(low["n_particles"]),
                m_above=int(high["n_particles"]),
                loss_below=low["geometric_mean"],
                loss_above=high["geometric_mean"],
                ratio=low["geometric_mean"] / high["geometric_mean"],
            )
        )
    return pd.DataFrame(rows, columns=[*by, "m_below", "m_above", "loss_below", "loss_above", "ratio"])
