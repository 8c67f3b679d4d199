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
# A run "reached the global minimum" when its final test loss is below this fraction of its initial
# test loss (report 5.1; spec claim C1). Fixed before any result was seen.
GLOBAL_MINIMUM_RATIO = 1e-3


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


def summarise_curves(curves: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group and checkpoint (report fig. 6): geometric mean, min and max of the test loss over
    the repetitions that did not diverge."""
    finished = curves[~curves["diverged"].astype(bool)]
    grouped = finished.groupby(by + ["samples_seen"], sort=True)["test_loss"]
    table = grouped.agg(geometric_mean=geometric_mean, minimum="min", maximum="max", n_finished="count")
    return table.reset_index()


def scan_outcomes(curves: pd.DataFrame, ratio: float = GLOBAL_MINIMUM_RATIO) -> pd.DataFrame:
    """One row per repetition of a scan: initial and final test loss, and whether the run reached
    the global minimum (final < ratio * initial, not diverged)."""
    ordered = curves.sort_values("samples_seen")
    runs = ordered.groupby("repetition", sort=True)
    table = pd.DataFrame({
        "initial_test_loss": runs["test_loss"].first(),
        "final_test_loss": runs["test_loss"].last(),
        "zero_predictor_loss": runs["zero_predictor_loss"].first(),
        "diverged": runs["diverged"].first().astype(bool),
    }).reset_index()
    table["reached_global_minimum"] = ~table["diverged"] & (table["final_test_loss"] < ratio * table["initial_test_loss"])
    return table


def select_panels(outcomes: pd.DataFrame, ratio: float = GLOBAL_MINIMUM_RATIO) -> pd.DataFrame:
    """Report fig. 1's two runs, chosen by rule: (a) the run with the lowest final/initial test-loss
    ratio among those that reached the global minimum; (b) the run with the highest ratio among
    those that did not (and did not diverge). A panel with no candidate has repetition -1."""
    finished = outcomes[~outcomes["diverged"]].assign(
        loss_ratio=lambda table: table["final_test_loss"] / table["initial_test_loss"])
    reached = finished[finished["reached_global_minimum"]].sort_values("loss_ratio")
    stuck = finished[~finished["reached_global_minimum"]].sort_values("loss_ratio", ascending=False)
    rows = []
    for panel, candidates, rule in [
        ("a", reached, f"lowest final/initial test loss among the runs below {ratio:g}"),
        ("b", stuck, f"highest final/initial test loss among the runs at or above {ratio:g}"),
    ]:
        chosen = candidates.iloc[0] if len(candidates) else None
        rows.append({
            "panel": panel,
            "repetition": int(chosen["repetition"]) if chosen is not None else -1,
            "loss_ratio": float(chosen["loss_ratio"]) if chosen is not None else np.nan,
            "final_test_loss": float(chosen["final_test_loss"]) if chosen is not None else np.nan,
            "n_candidates": len(candidates),
            "n_runs": len(outcomes),
            "rule": rule,
        })
    return pd.DataFrame(rows)


def read_curves(curve_paths: list[str | os.PathLike]) -> pd.DataFrame:
    return pd.concat([pd.read_csv(path) for path in curve_paths], ignore_index=True)


def aggregate_scan(
    curve_paths: list[str | os.PathLike], outcomes_path: str | os.PathLike, panels_path: str | os.PathLike,
    log_path: str | os.PathLike | None = None,
) -> None:
    """Outcome of every repetition of a scan and the two runs fig. 1 shows."""
    outcomes = scan_outcomes(read_curves(curve_paths))
    append_to_log(log_path, f"{int(outcomes['reached_global_minimum'].sum())} of {len(outcomes)} runs reached "
                            f"the global minimum, {int(outcomes['diverged'].sum())} diverged", first=True)
    write_csv(outcomes, outcomes_path)
    write_csv(select_panels(outcomes), panels_path)


def aggregate_sweep(
    curve_paths: list[str | os.PathLike], finals_path: str | os.PathLike, curve_summary_path: str | os.PathLike,
    by: list[str], log_path: str | os.PathLike | None = None,
) -> None:
    """Final loss of every run of a sweep and the per-checkpoint summary over repetitions (fig. 6)."""
    curves = read_curves(curve_paths)
    finals = final_excess_losses(curves, run_keys=by + ["repetition"])
    append_to_log(log_path, f"{len(finals)} runs, {int(finals['diverged'].sum())} diverged", first=True)
    write_csv(finals, finals_path)
    write_csv(summarise_curves(curves, by), curve_summary_path)


def aggregate_runs(
    curve_paths: list[str | os.PathLike], finals_path: str | os.PathLike, summary_path: str | os.PathLike, by: list[str],
    log_path: str | os.PathLike | None = None,
) -> None:
    """Final excess loss of every run, and its summary over repetitions grouped ``by``."""
    curves = read_curves(curve_paths)
    finals = final_excess_losses(curves, run_keys=by + ["repetition"])
    n_diverged = int(finals["diverged"].sum())
    append_to_log(log_path, f"{len(finals)} runs, {n_diverged} diverged", first=True)
    if n_diverged:
        append_to_log(log_path, finals[finals["diverged"]].to_string())
    write_csv(finals, finals_path)
    write_csv(summarise_over_repetitions(finals, by), summary_path)
