"""Each claim check on small hand-made inputs whose answer is known: one where the claim holds, one
where it does not, one with missing data."""

import math

import numpy as np
import pandas as pd
import pytest

from convexnn.claims import (
    ClaimResult,
    Trajectory,
    claim_lazy_versus_active,
    claim_many_particles_move_slower,
    claim_phase_transition,
    claim_relu_often_global,
    claim_sigmoid_always_global,
    claim_sigmoid_signs_split_and_stay,
    claim_small_radius_best,
    claim_spread_largest_near_teacher_size,
    claim_twenty_particles_reach_zero,
    claims_table,
    compare_with_reference,
    count_sign_flips,
    direction_changes_degrees,
    format_claims,
    particle_path_lengths,
)


def assert_not_evaluated(result: ClaimResult, missing_words: str):
    assert result.verdict == "not evaluated"
    assert math.isnan(result.value)
    assert missing_words in result.detail


# ---------------------------------------------------------------------------------------------- C1


def relu_scan(n_reached: int, n_stuck: int, n_diverged: int = 0) -> pd.DataFrame:
    """Runs starting at test loss 1: reached ends at 1e-6 (< 1e-3 x 1), stuck at 1e-2."""
    finals = [1e-6] * n_reached + [1e-2] * n_stuck + [np.nan] * n_diverged
    return pd.DataFrame({
        "repetition": range(len(finals)),
        "initial_test_loss": 1.0,
        "excess_loss": finals,
        "diverged": [False] * (n_reached + n_stuck) + [True] * n_diverged,
    })


def test_c1_holds_when_most_but_not_all_runs_reach_the_global_minimum():
    result = claim_relu_often_global(relu_scan(n_reached=14, n_stuck=6, n_diverged=2))
    assert result.claim == "C1" and result.section == "5.1"
    assert result.verdict == "holds"
    assert result.value == pytest.approx(0.7)  # the diverged runs are not in the denominator
    assert "14 of 20" in result.detail and "2 diverged" in result.detail


@pytest.mark.parametrize("n_reached, n_stuck, share", [(20, 0, 1.0), (5, 15, 0.25)])
def test_c1_does_not_hold_when_always_or_rarely_global(n_reached, n_stuck, share):
    result = claim_relu_often_global(relu_scan(n_reached, n_stuck))
    assert result.verdict == "does not hold"
    assert result.value == pytest.approx(share)


def test_c1_not_evaluated_with_fewer_than_twenty_finished_runs():
    assert_not_evaluated(claim_relu_often_global(relu_scan(14, 5, n_diverged=5)), "only 19 finished runs")
    assert_not_evaluated(claim_relu_often_global(None), "no ReLU scan")
    assert_not_evaluated(claim_relu_often_global(relu_scan(0, 0)), "no ReLU scan")


# ---------------------------------------------------------------------------------------------- C2


def sigmoid_finals(relative_losses_by_k: dict, diverged_at: tuple = ()) -> pd.DataFrame:
    """Zero predictor loss 0.5, so excess_loss = 0.5 x the relative loss."""
    rows = [dict(n_particles=k, repetition=repetition, excess_loss=0.5 * relative, zero_predictor_loss=0.5,
                 diverged=(k, repetition) in diverged_at)
            for k, relatives in relative_losses_by_k.items() for repetition, relative in enumerate(relatives)]
    return pd.DataFrame(rows)


def test_c2_holds_when_every_run_at_both_k_converges():
    finals = sigmoid_finals({3: [1e-5, 2e-4], 50: [1e-6, 3e-6], 10: [0.5]})  # k = 10 is not checked
    result = claim_sigmoid_always_global(finals, small_k=3, large_k=50)
    assert result.verdict == "holds"
    assert result.value == pytest.approx(2e-4)


def test_c2_does_not_hold_with_one_bad_or_diverged_run():
    bad = claim_sigmoid_always_global(sigmoid_finals({3: [1e-5, 1e-2], 50: [1e-6]}), 3, 50)
    assert bad.verdict == "does not hold" and bad.value == pytest.approx(1e-2)
    diverged = claim_sigmoid_always_global(sigmoid_finals({3: [1e-5], 50: [1e-6, 1e-6]}, diverged_at=((50, 1),)), 3, 50)
    assert diverged.verdict == "does not hold" and diverged.value == math.inf
    assert "1 diverged" in diverged.detail


def test_c2_not_evaluated_without_runs_at_one_k():
    assert_not_evaluated(claim_sigmoid_always_global(sigmoid_finals({50: [1e-6]}), 3, 50), "no runs at k = 3")
    assert_not_evaluated(claim_sigmoid_always_global(None, 3, 50), "no sigmoid results")


# ---------------------------------------------------------------------------------------------- C3


def sigmoid_run(output_weights: list, samples_seen=(0, 10, 1000)) -> Trajectory:
    """w given per checkpoint; v fixed (2 hidden coordinates: x in R^1 plus the bias)."""
    output_weights = np.array(output_weights, dtype=float)
    n_checkpoints, n_particles = output_weights.shape
    return Trajectory(np.array(samples_seen, dtype=float), output_weights, np.ones((n_checkpoints, n_particles, 2)))


# Half the particles go negative and stay so; with 1000 samples, 1% is the checkpoint at 10 samples.
SPLIT_RUN = sigmoid_run([[0, 0, 0, 0], [-0.1, -0.1, 0.1, 0.1], [-1, -1, 1, 1]])


def test_c3_holds_when_half_negative_and_no_flips():
    # A sign change before 1% of training and a w that only reaches 0 are not flips;
    # a particle with w exactly 0 at the reference checkpoint has no sign to keep.
    early_and_zero = sigmoid_run([[0.3, 0.1, 0.0], [-0.2, 0.1, 0.0], [-0.5, 0.0, -2.0]])
    assert count_sign_flips(early_and_zero) == 0
    result = claim_sigmoid_signs_split_and_stay([SPLIT_RUN], [SPLIT_RUN, early_and_zero])
    assert result.claim == "C3" and result.verdict == "holds"
    assert result.value == pytest.approx(0.5)
    assert "0 sign flips" in result.detail


def test_c3_does_not_hold_with_a_sign_flip_even_at_a_good_fraction():
    flipping = sigmoid_run([[0, 0], [-0.1, 0.2], [0.3, 0.4]])
    assert count_sign_flips(flipping) == 1
    result = claim_sigmoid_signs_split_and_stay([SPLIT_RUN], [SPLIT_RUN, flipping])
    assert result.verdict == "does not hold"
    assert result.value == pytest.approx(0.5)
    assert "1 sign flips" in result.detail


def test_c3_does_not_hold_when_most_particles_are_negative():
    negative = sigmoid_run([[0, 0, 0, 0], [-0.1, -0.1, -0.1, 0.1], [-1, -1, -1, 1]])
    result = claim_sigmoid_signs_split_and_stay([negative], [negative])
    assert result.verdict == "does not hold" and result.value == pytest.approx(0.75)


def test_c3_not_evaluated_without_trajectories():
    assert_not_evaluated(claim_sigmoid_signs_split_and_stay([], [SPLIT_RUN]), "0 at the large k")
    assert_not_evaluated(claim_sigmoid_signs_split_and_stay(None, None), "both must be non-empty")


# ---------------------------------------------------------------------------------------------- C4


def moving_run(steps_per_particle: list) -> Trajectory:
    """Each particle moves along w only, by the given step at each of the checkpoints (v fixed)."""
    steps = np.array(steps_per_particle, dtype=float).T  # (T - 1, k)
    output_weights = np.vstack([np.zeros(steps.shape[1]), np.cumsum(steps, axis=0)])
    hidden = np.zeros(output_weights.shape + (3,))
    return Trajectory(np.arange(len(output_weights), dtype=float), output_weights, hidden)


def test_path_length_sums_euclidean_norms_of_theta_changes():
    # theta moves (0,0,0) -> (0,3,4) -> (0,3,4) -> (1,3,4): lengths 5, 0 and 1.
    hidden = np.array([[[0, 0]], [[3, 4]], [[3, 4]], [[3, 4]]], dtype=float)
    trajectory = Trajectory(np.arange(4.0), np.array([[0], [0], [0], [1.0]]), hidden)
    assert particle_path_lengths(trajectory) == pytest.approx([6.0])


def test_c4_holds_when_large_k_particles_move_less():
    small_k = [moving_run([[1, 1, -1], [1, 1, 1]])]  # path lengths 3 and 3: mean 3
    large_k = [moving_run([[0.5, 0.5, 0.5]] * 4), moving_run([[0.1, 0.1, 0.1]] * 4)]  # 1.5 and 0.3: mean 0.9
    result = claim_many_particles_move_slower(small_k, large_k)
    assert result.verdict == "holds"
    assert result.value == pytest.approx(0.3)
    assert "same checkpoints" in result.detail


def test_c4_does_not_hold_when_large_k_particles_move_more():
    result = claim_many_particles_move_slower([moving_run([[0.1, 0.1, 0.1]])], [moving_run([[1, 1, 1]] * 5)])
    assert result.verdict == "does not hold" and result.value == pytest.approx(10.0)


def test_c4_not_evaluated_without_trajectories_or_with_only_diverged_ones():
    diverged = moving_run([[1, np.nan, 1]])
    assert_not_evaluated(claim_many_particles_move_slower([diverged], [moving_run([[1, 1, 1]])]), "1 diverged")
    assert_not_evaluated(claim_many_particles_move_slower(None, []), "both must be non-empty")


# ---------------------------------------------------------------------------------------------- C5


def test_c5_holds_when_k5_is_100_times_worse():
    result = claim_twenty_particles_reach_zero(8e-5, 1e-8)
    assert result.verdict == "holds" and result.value == pytest.approx(8e3)


def test_c5_does_not_hold_for_a_small_ratio_or_a_diverged_run():
    small_ratio = claim_twenty_particles_reach_zero(1e-4, 1e-5)
    assert small_ratio.verdict == "does not hold" and small_ratio.value == pytest.approx(10.0)
    nan_loss = claim_twenty_particles_reach_zero(1e-4, float("nan"))
    assert nan_loss.verdict == "does not hold" and "non-finite at k = 20" in nan_loss.detail
    flagged = claim_twenty_particles_reach_zero(1e-4, 1e-9, diverged_large_k=True)
    assert flagged.verdict == "does not hold" and "diverged or non-finite at k = 20" in flagged.detail


def test_c5_not_evaluated_without_a_loss():
    assert_not_evaluated(claim_twenty_particles_reach_zero(None, 1e-8), "no final test loss at k = 5")


# ------------------------------------------------------------------------------------------ C6, C7


def overparam_finals(losses_by_k: dict, activation: str = "relu", diverged_k: tuple = ()) -> pd.DataFrame:
    rows = [dict(activation=activation, n_particles=k, repetition=repetition, excess_loss=loss, diverged=False)
            for k, losses in losses_by_k.items() for repetition, loss in enumerate(losses)]
    # A diverged run (NaN loss) at each k in diverged_k: it must be ignored by every statistic.
    rows += [dict(activation=activation, n_particles=k, repetition=99, excess_loss=np.nan, diverged=True)
             for k in diverged_k]
    return pd.DataFrame(rows)


def test_c6_holds_for_a_fall_of_1000_between_k_half_m_and_k_2m():
    # M = 10: k <= 5 has geometric mean (1e-3 x 1e-5)^(1/2) = 1e-4; k >= 20 has 1e-7; k = 10 is ignored.
    finals = pd.concat([
        overparam_finals({2: [1e-3], 5: [1e-5], 10: [1.0], 20: [1e-7], 40: [1e-6, 1e-8]}, diverged_k=(20,)),
        overparam_finals({2: [1e-9], 20: [1.0]}, activation="sigmoid"),  # another activation: ignored
    ])
    result = claim_phase_transition(finals, teacher_units=10, activation="relu")
    assert result.claim == "C6-relu" and result.verdict == "holds"
    assert result.value == pytest.approx(1e3)
    assert "1 diverged" in result.detail


def test_c6_does_not_hold_for_a_fall_of_10():
    finals = overparam_finals({5: [1e-4], 20: [1e-5]}, activation="sigmoid")
    result = claim_phase_transition(finals, teacher_units=10, activation="sigmoid")
    assert result.claim == "C6-sigmoid" and result.verdict == "does not hold"
    assert result.value == pytest.approx(10.0)


def test_c6_not_evaluated_without_large_k_runs():
    finals = overparam_finals({5: [1e-4], 10: [1e-5]}, diverged_k=(20,))
    assert_not_evaluated(claim_phase_transition(finals, 10, "relu"), "0 with k >= 20")
    assert_not_evaluated(claim_phase_transition(finals, 10, "sigmoid"), "no sigmoid results")


# Sample stds (ddof = 1) of log10 loss: k = 5: (-2, -4) -> sqrt(2); k = 10: (-3, -7) -> 2 sqrt(2);
# k = 20: (-5, -5) -> 0; mean over [M/2, 2M] = sqrt(2). k = 1 is outside the range.
NEAR_TEACHER = {1: [1e-1, 1e-9], 5: [1e-2, 1e-4], 10: [1e-3, 1e-7], 20: [1e-5, 1e-5]}


def test_c7_holds_when_the_largest_k_has_a_smaller_spread():
    finals = overparam_finals({**NEAR_TEACHER, 100: [1e-8, 10 ** -8.5]}, diverged_k=(100,))
    result = claim_spread_largest_near_teacher_size(finals, teacher_units=10, activation="relu")
    assert result.claim == "C7-relu" and result.verdict == "holds"
    assert result.value == pytest.approx(math.sqrt(2) - 0.5 / math.sqrt(2))


def test_c7_does_not_hold_when_the_largest_k_spreads_more():
    finals = overparam_finals({**NEAR_TEACHER, 100: [1e-6, 1e-10]})
    result = claim_spread_largest_near_teacher_size(finals, teacher_units=10, activation="relu")
    assert result.verdict == "does not hold"
    assert result.value == pytest.approx(math.sqrt(2) - 2 * math.sqrt(2))


def test_c7_not_evaluated_with_one_repetition_at_the_largest_k_or_no_large_k():
    one_repetition = overparam_finals({**NEAR_TEACHER, 100: [1e-8]}, diverged_k=(100,))
    assert_not_evaluated(claim_spread_largest_near_teacher_size(one_repetition, 10, "relu"),
                         "fewer than 2 finished repetitions at the largest k (100)")
    assert_not_evaluated(claim_spread_largest_near_teacher_size(overparam_finals(NEAR_TEACHER), 10, "relu"),
                         "not above 2M = 20")
    assert_not_evaluated(claim_spread_largest_near_teacher_size(pd.DataFrame(), 10, "relu"), "no relu results")


# ---------------------------------------------------------------------------------------------- C8


def r0_finals(losses_by_radius: dict, all_diverged: tuple = ()) -> pd.DataFrame:
    rows = [dict(init_radius=r0, repetition=repetition, excess_loss=loss, diverged=False)
            for r0, losses in losses_by_radius.items() for repetition, loss in enumerate(losses)]
    rows += [dict(init_radius=r0, repetition=repetition, excess_loss=np.nan, diverged=True)
             for r0 in all_diverged for repetition in range(2)]
    return pd.DataFrame(rows)


def test_c8_holds_when_005_is_near_best_and_10_far_worse():
    # Geometric means: 1e-3 -> 2e-6 (best), 0.05 -> 3e-6, 1 -> 1e-5, 10 -> 1e-3.
    finals = r0_finals({1e-3: [2e-6], 0.05: [1e-6, 9e-6], 1.0: [1e-5], 10.0: [1e-3, 1e-3]})
    result = claim_small_radius_best(finals)
    assert result.verdict == "holds"
    assert result.value == pytest.approx(1.5)
    assert "G(10)/best = 500" in result.detail


def test_c8_holds_when_every_run_at_10_diverged():
    result = claim_small_radius_best(r0_finals({1e-3: [2e-6], 0.05: [3e-6]}, all_diverged=(10.0,)))
    assert result.verdict == "holds" and "G(10)/best = inf" in result.detail


def test_c8_does_not_hold_when_005_is_5_times_the_best():
    finals = r0_finals({1e-3: [2e-6], 0.05: [1e-5], 10.0: [1e-3]})
    result = claim_small_radius_best(finals)
    assert result.verdict == "does not hold" and result.value == pytest.approx(5.0)


def test_c8_does_not_hold_when_10_is_not_10_times_worse():
    finals = r0_finals({0.05: [1e-5], 10.0: [5e-5]})
    result = claim_small_radius_best(finals)
    assert result.verdict == "does not hold" and result.value == pytest.approx(1.0)
    assert "G(10)/best = 5" in result.detail


def test_c8_not_evaluated_without_r0_10():
    assert_not_evaluated(claim_small_radius_best(r0_finals({0.05: [1e-5], 1.0: [1e-4]})), "no runs at r0 = 10")
    assert_not_evaluated(claim_small_radius_best(None), "no r0 sweep results")


# ---------------------------------------------------------------------------------------------- C9


def rotating_run(angles_degrees: list, radius: float = 1.0) -> Trajectory:
    """Particle j starts at v = radius (cos a_j, sin a_j, 0) and ends rotated by angles_degrees[j] in the
    plane of its first two coordinates, scaled by 3 (a scaling is no change of direction)."""
    start_angles = np.linspace(0, 2, len(angles_degrees))
    end_angles = start_angles + np.radians(angles_degrees)

    def hidden(angles, scale):
        return scale * np.stack([np.cos(angles), np.sin(angles), np.zeros_like(angles)], axis=1)

    hidden_weights = np.stack([hidden(start_angles, radius), hidden(end_angles, 3 * radius)])
    return Trajectory(np.array([0.0, 100.0]), np.ones((2, len(angles_degrees))), hidden_weights)


def test_direction_change_is_the_angle_in_degrees():
    assert direction_changes_degrees(rotating_run([0.0, 90.0, 180.0])) == pytest.approx([0.0, 90.0, 180.0])


def test_c9_holds_when_lazy_particles_stay_on_their_lines_and_active_ones_turn():
    lazy = [rotating_run([1.0, 2.0, 170.0], radius=10), rotating_run([3.0, 0.5])]  # median 2
    active = [rotating_run([40.0, 90.0, 10.0], radius=0.05)]  # median 40
    result = claim_lazy_versus_active(lazy, active)
    assert result.claim == "C9" and result.verdict == "holds"
    assert result.value == pytest.approx(2.0)
    assert "40 degrees at r0 = 0.05" in result.detail


def test_c9_does_not_hold_when_lazy_particles_turn_or_active_ones_do_not():
    turning = claim_lazy_versus_active([rotating_run([10.0, 12.0])], [rotating_run([40.0])])
    assert turning.verdict == "does not hold" and turning.value == pytest.approx(11.0)
    still = claim_lazy_versus_active([rotating_run([1.0])], [rotating_run([20.0])])
    assert still.verdict == "does not hold" and still.value == pytest.approx(1.0)


def test_c9_not_evaluated_without_runs_at_one_radius():
    assert_not_evaluated(claim_lazy_versus_active([rotating_run([1.0])], []), "0 at r0 = 0.05")


# ----------------------------------------------------------------------------------- table and I/O


def example_table() -> pd.DataFrame:
    return claims_table([
        claim_twenty_particles_reach_zero(8e-5, 1e-8),
        claim_twenty_particles_reach_zero(None, 1e-8),
        claim_small_radius_best(r0_finals({0.05: [1e-5], 10.0: [5e-5]})),
    ]).assign(claim=["C5", "C1", "C8"])


def test_claims_table_has_one_row_per_claim_in_field_order():
    table = example_table()
    assert list(table.columns) == ["claim", "section", "report_words", "quantity", "value", "threshold",
                                   "verdict", "detail"]
    assert list(table["verdict"]) == ["holds", "not evaluated", "does not hold"]


def test_compare_with_reference_accepts_an_identical_table_and_nan_equal_to_nan():
    reference = example_table().assign(tolerance=[1.0, 0.0, np.nan])
    assert compare_with_reference(example_table(), reference) == []


def test_compare_with_reference_reports_missing_claims_verdicts_and_values():
    reference = example_table().assign(tolerance=[5e2, 0.0, 0.0])
    reference.loc[0, "value"] = 1.5e3  # current 8e3: 6.5e3 away, beyond 5e2
    reference.loc[2, "verdict"] = "holds"
    reference = pd.concat([reference, reference.iloc[[1]].assign(claim="C9")], ignore_index=True)
    problems = compare_with_reference(example_table(), reference)
    assert problems == [
        "C5: value 8.00e+03 differs from reference 1.50e+03 by more than the tolerance 5.00e+02 "
        "(verdict 'holds', reference 'holds')",
        "C8: verdict 'does not hold' (value 1.00e+00) differs from reference verdict 'holds' (value 1.00e+00)",
        "C9: in the reference (verdict 'not evaluated', value nan) but missing from the current table",
    ]


def test_compare_with_reference_treats_nan_against_a_number_as_a_difference():
    reference = example_table().assign(tolerance=1e9)
    reference.loc[1, "value"] = 0.0
    problems = compare_with_reference(example_table(), reference)
    assert problems == ["C1: value nan differs from reference 0.00e+00 by more than the tolerance 1.00e+09 "
                        "(verdict 'not evaluated', reference 'not evaluated')"]


def test_format_claims_gives_aligned_columns():
    lines = format_claims(example_table()).splitlines()
    assert lines[0].split() == ["claim", "verdict", "value", "threshold", "quantity"]
    assert len(lines) == 2 + 3
    verdict_column = lines[0].index("verdict")
    value_column = lines[0].index("value")
    assert [line[verdict_column:].split("  ")[0] for line in lines[2:]] == ["holds", "not evaluated", "does not hold"]
    assert [line[value_column:].split()[0] for line in lines[2:]] == ["8e+03", "nan", "1"]
