import numpy as np
import pandas as pd
import pytest

from convexnn.aggregation import final_excess_losses, geometric_mean, summarise_over_repetitions


def curves_for(losses_by_run):
    rows = []
    for (n_particles, repetition), (losses, diverged) in losses_by_run.items():
        for samples_seen, loss in zip([0, 10, 100], losses):
            rows.append(
                dict(
                    experiment="overparam",
                    activation="relu",
                    n_particles=n_particles,
                    repetition=repetition,
                    step=samples_seen,
                    samples_seen=samples_seen,
                    n_steps=100,
                    test_loss=loss,
                    train_loss=loss,
                    zero_predictor_loss=0.5,
                    constant_predictor_loss=0.25,
                    diverged=diverged,
                )
            )
    return pd.DataFrame(rows)


def test_geometric_mean_by_hand():
    # (1e-2 * 1e-4 * 1e-6)^(1/3) = 1e-4
    assert geometric_mean(np.array([1e-2, 1e-4, 1e-6])) == pytest.approx(1e-4, rel=1e-12)
    assert np.isnan(geometric_mean(np.array([])))


def test_summary_over_repetitions_by_hand():
    curves = curves_for(
        {
            (5, 0): ([1.0, 0.1, 1e-2], False),
            (5, 1): ([1.0, 0.1, 1e-4], False),
            (5, 2): ([1.0, 0.1, 1e-6], False),
            (20, 0): ([1.0, 1e-3, 1e-8], False),
            (20, 1): ([1.0, np.inf, np.nan], True),
        }
    )
    finals = final_excess_losses(curves)
    assert list(finals["excess_loss"].iloc[:3]) == [1e-2, 1e-4, 1e-6]
    assert finals["relative_excess_loss"].iloc[0] == pytest.approx(2e-2)
    summary = summarise_over_repetitions(finals, ["activation", "n_particles"]).set_index("n_particles")
    assert summary.loc[5, "geometric_mean"] == pytest.approx(1e-4, rel=1e-12)
    assert summary.loc[5, "minimum"] == 1e-6 and summary.loc[5, "maximum"] == 1e-2
    # log10 values -2, -4, -6: sample standard deviation 2
    assert summary.loc[5, "std_log10"] == pytest.approx(2.0)
    assert summary.loc[5, "n_finished"] == 3 and summary.loc[5, "n_diverged"] == 0
    # the diverged run is counted, not averaged in
    assert summary.loc[20, "geometric_mean"] == pytest.approx(1e-8)
    assert summary.loc[20, "n_finished"] == 1 and summary.loc[20, "n_diverged"] == 1
    assert np.isnan(summary.loc[20, "std_log10"])
