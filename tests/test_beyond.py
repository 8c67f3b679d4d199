import numpy as np
import pandas as pd
import pytest

from convexnn.aggregation import summarise_baselines, summarise_over_repetitions, transition_ratio
from convexnn.baseline import random_features_loss
from convexnn.teacher import constant_predictor_loss, draw_unit_teacher, make_test_set


def test_unit_teacher_has_equal_positive_weights_unit_directions_and_no_bias():
    teacher = draw_unit_teacher(np.random.default_rng(0), 20, 100, 2.0, "relu")
    assert np.all(teacher.output_weights == 1.0)
    np.testing.assert_allclose(np.linalg.norm(teacher.hidden_weights[:, :-1], axis=1), 2.0)
    assert np.all(teacher.hidden_weights[:, -1] == 0.0)


def test_baseline_recovers_a_teacher_whose_units_it_holds():
    # With the teacher's own hidden units as the fixed features, least squares fits it exactly.
    rng = np.random.default_rng(1)
    teacher = draw_unit_teacher(rng, 5, 8, 1.0, "relu")
    test_inputs, test_targets = make_test_set(rng, teacher, 2000, "gaussian")
    exact = random_features_loss(teacher, "gaussian", teacher.hidden_weights, rng, 500, test_inputs, test_targets)
    assert exact < 1e-20
    other_units = draw_unit_teacher(rng, 5, 8, 1.0, "relu").hidden_weights
    random = random_features_loss(teacher, "gaussian", other_units, rng, 500, test_inputs, test_targets)
    assert random > 1e-3 * constant_predictor_loss(test_targets)


def test_transition_ratio_uses_the_grid_points_on_either_side_of_m0():
    finals = pd.DataFrame(
        {
            "teacher": "unit",
            "protocol": "converge",
            "activation": "relu",
            "n_particles": [10, 10, 18, 18, 25, 25, 33],
            "repetition": [0, 1, 0, 1, 0, 1, 0],
            "normalised_loss": [0.1, 0.1, 1e-2, 4e-2, 1e-5, 4e-5, 1e-6],
            "diverged": False,
        }
    )
    baselines = pd.DataFrame(
        {
            "teacher": "unit",
            "activation": "relu",
            "n_particles": [18, 25],
            "repetition": 0,
            "baseline_loss": [0.5, 0.4],
            "constant_predictor_loss": 1.0,
        }
    )
    by = ["teacher", "protocol", "activation", "n_particles"]
    summary = summarise_over_repetitions(finals, by, value="normalised_loss").merge(
        summarise_baselines(baselines, ["teacher", "activation", "n_particles"]), how="left"
    )
    ratio = transition_ratio(summary, teacher_units=20, by=["teacher", "protocol", "activation"]).iloc[0]
    assert (ratio["m_below"], ratio["m_above"]) == (18, 25)
    # geometric means 2e-2 and 2e-5
    assert ratio["ratio"] == pytest.approx(1000.0)
    assert summary.set_index("n_particles").loc[25, "baseline_geometric_mean"] == pytest.approx(0.4)
