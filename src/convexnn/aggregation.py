"""From per-run curves to per-configuration statistics (report section 5.2, figs. 4 and 5).

The report plots "the geometric mean of the obtained losses" over repetitions: for losses
L_1..L_n, exp((1/n) sum_i log L_i), the mean of log10 L drawn on a log axis. Diverged runs (a NaN or
an overflow during training) have no final loss: they are counted, never averaged in.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from convexnn.storage import append_to_log, write_csv

RUN_KEYS = ["experiment", "activation", "n_particles", "repetition"]


def final_excess_losses(curves: pd.DataFrame, run_keys: list[str] = RUN_KEYS) -> pd.DataFrame:
    """One row per run: its last checkpoint. The global minimum is 0 (noiseless teacher), so the
    excess loss is the final test loss; ``relative_excess_loss`` divides it by the zero predictor's."""
    last = curves.sort_values("samples_seen").groupby(run_keys, sort=True).tail(1)
    finals = last[run_keys + ["samples_seen", "test_loss", "zero_predictor_loss", "diverged"]].rename(
        columns={"test_loss": "excess_loss"}
    )
    finals["excess_loss"] = finals["excess_loss"].where(~finals["diverged"].astype(bool))
    finals["relative_excess_loss"] = finals["excess_loss"] / finals["zero_predictor_loss"]
    return finals.sort_values(run_keys).reset_index(drop=True)


def geometric_mean(values: np.ndarray) -> float:
    """exp(mean(log values)); NaN for an empty input."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return np.nan
    return float(np.exp(np.mean(np.log(values))))


def summarise_over_repetitions(finals: pd.DataFrame, by: list[str], value: str = "excess_loss") -> pd.DataFrame:
    """Per group: geometric mean, min, max and sample std (ddof = 1) of log10 of ``value`` over the finished runs,
    with the number of finished and of diverged runs."""

    def summary(group: pd.DataFrame) -> pd.Series:
        finished = group.loc[~group["diverged"].astype(bool), value].to_numpy(dtype=float)
        log10 = np.log10(finished) if finished.size else np.array([])
        return pd.Series(
            {
                "geometric_mean": geometric_mean(finished),
                "minimum": finished.min() if finished.size else np.nan,
                "maximum": finished.max() if finished.size else np.nan,
                "std_log10": float(np.std(log10, ddof=1)) if finished.size >= 2 else np.nan,
                "n_finished": int(finished.size),
                "n_diverged": int(group["diverged"].astype(bool).sum()),
            }
        )

    rows = [dict(zip(by, key if isinstance(key, tuple) else (key,)), **summary(group)) for key, group in finals.groupby(by, sort=True)]
    table = pd.DataFrame(rows)
    return table.astype({"n_finished": int, "n_diverged": int})


def aggregate_runs(
    curve_paths: list[str | os.PathLike], finals_path: str | os.PathLike, summary_path: str | os.PathLike, by: list[str],
    log_path: str | os.PathLike | None = None,
) -> None:
    """Final excess loss of every run, and its summary over repetitions grouped ``by``."""
    curves = pd.concat([pd.read_csv(path) for path in curve_paths], ignore_index=True)
    finals = final_excess_losses(curves)
    n_diverged = int(finals["diverged"].sum())
    append_to_log(log_path, f"{len(finals)} runs, {n_diverged} diverged", first=True)
    if n_diverged:
        append_to_log(log_path, finals[finals["diverged"]].to_string())
    write_csv(finals, finals_path)
    write_csv(summarise_over_repetitions(finals, by), summary_path)
