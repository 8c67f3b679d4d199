"""Each claim check on small hand-made inputs whose answer is known by hand: one where the claim holds
decisively, one where it decisively does not, one inconclusive (an interval straddling the threshold)
and one not evaluated (missing data, too few repetitions, only diverged runs); diverged runs are left
out and counted in ``detail``; the bootstrap resamples whole repetitions.

Hand-computing a bootstrap interval: with 3 repetitions, a resample made of one repetition three times
has probability 1/27 = 3.7% > 2.5%, so for a statistic that is monotone in the repetitions the 95%
interval runs from the value of the "lowest" repetition alone to that of the "highest" alone; and when
every repetition gives the same value, every resample does too and the interval is a point.
"""

import dataclasses
import functools
import math
import re

import numpy as np
import pandas as pd
import pytest

from convexnn.claims import (
    CLAIM_COLUMNS,
    MIN_REPETITIONS,
    ClaimResult,
    Trajectory,
    as_trajectory,
    claims_table,
    compare_with_reference,
    format_claims,
    summary_line,
)
from convexnn.experiments.overparam import (
    claim_few_particles_stall,
    claim_phase_transition,
    claim_spread_largest_near_teacher_size,
    fig3_points,
    spread_of_log_loss_by_k,
)
from convexnn.experiments.r0_sweep import (
    claim_active_particles_turn,
    claim_large_radius_slow,
    claim_lazy_directions_stay,
    claim_small_radius_best,
    direction_changes_degrees,
)
from convexnn.experiments.relu_trajectories import C1_MIN_FINISHED_RUNS, claim_relu_often_global
from convexnn.experiments.sigmoid_trajectories import (
    angle_to_lines_degrees,
    claim_many_particles_move_slower,
    claim_particles_on_teacher_lines,
    claim_sigmoid_always_global,
    claim_sigmoid_signs_split,
    claim_sigmoid_signs_stay,
    count_sign_flips,
    particle_path_lengths,
)
from convexnn.intervals import parse_region, verdict
from convexnn.registry import EXPERIMENTS

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # nanmean / nanstd of empty columns


def check(
    result: ClaimResult,
    claim: str,
    expected_verdict: str,
    value: float | None = None,
    interval: tuple | None = None,
    threshold: str | None = None,
) -> ClaimResult:
    """The result is the claim's, with the expected verdict, its verdict agrees with its own interval and
    threshold, and (when given) the value, the 95% interval and the threshold are as computed by hand."""
    assert result.claim == claim
    assert result.verdict == expected_verdict, result
    if expected_verdict == "not evaluated":
        assert math.isnan(result.value) and math.isnan(result.low) and math.isnan(result.high)
    else:
        assert result.low <= result.high
        assert result.verdict == verdict(result.low, result.high, parse_region(result.threshold))
    if value is not None:
        assert result.value == pytest.approx(value, rel=1e-9)
    if interval is not None:
        assert (result.low, result.high) == pytest.approx(interval, rel=1e-9)
    if threshold is not None:
        assert result.threshold == threshold
    return result


def assert_not_evaluated(result: ClaimResult, claim: str, missing_words: str):
    check(result, claim, "not evaluated")
    assert missing_words in result.detail, result.detail


def test_min_repetitions_is_three():
    assert MIN_REPETITIONS == 3 and C1_MIN_FINISHED_RUNS == 20


# ---------------------------------------------------------------------------------------------- C1


def relu_scan(n_reached: int, n_stuck: int, n_diverged: int = 0, n_barely_stuck: int = 0) -> pd.DataFrame:
    """One run per repetition, starting at test loss 2: reached ends at 1e-6 (< 1e-3 x 2), stuck at 1e-2,
    barely stuck at exactly 2e-3 (= 1e-3 x 2: not below, so not the global minimum)."""
    finals = [1e-6] * n_reached + [1e-2] * n_stuck + [2e-3] * n_barely_stuck + [np.nan] * n_diverged
    return pd.DataFrame(
        {
            "repetition": range(len(finals)),
            "initial_test_loss": 2.0,
            "excess_loss": finals,
            "diverged": [False] * (len(finals) - n_diverged) + [True] * n_diverged,
        }
    )


def test_c1_holds_when_most_but_not_all_runs_reach_the_global_minimum():
    # 15 of 20: Clopper-Pearson (0.5090, 0.9134) lies in [0.5, 1). The diverged runs are not in the denominator.
    result = check(
        claim_relu_often_global(relu_scan(n_reached=15, n_stuck=5, n_diverged=3)),
        "C1",
        "holds",
        value=0.75,
        threshold="in [0.5, 1)",
    )
    assert (result.low, result.high) == pytest.approx((0.5090, 0.9134), abs=1e-4)
    assert result.section == "5.1"
    assert "15 of 20 finished runs" in result.detail and "3 diverged" in result.detail


def test_c1_does_not_hold_when_rarely_global():
    # 2 of 20: (0.0123, 0.3170), wholly below 0.5.
    result = check(claim_relu_often_global(relu_scan(2, 18)), "C1", "does not hold", value=0.1)
    assert (result.low, result.high) == pytest.approx((0.0123, 0.3170), abs=1e-4)


def test_c1_is_inconclusive_when_every_run_reaches_the_global_minimum():
    # 20 of 20: (0.8316, 1.0) reaches 1, outside [0.5, 1): 20 runs cannot show that a local minimum never happens.
    result = check(claim_relu_often_global(relu_scan(20, 0)), "C1", "inconclusive", value=1.0)
    assert (result.low, result.high) == pytest.approx((0.8316, 1.0), abs=1e-4)


def test_c1_is_inconclusive_at_14_of_20():
    # 14 of 20 = 0.7, but the exact interval (0.4572, 0.8811) reaches below 0.5.
    result = check(claim_relu_often_global(relu_scan(14, 6, n_diverged=2)), "C1", "inconclusive", value=0.7)
    assert result.low == pytest.approx(0.4572, abs=1e-4)


def test_c1_a_diverged_run_is_flagged_by_its_column_whatever_its_loss():
    # Three runs flagged diverged with a tiny loss: left out of both counts, counted in detail.
    scan = relu_scan(15, 8)
    scan.loc[[20, 21, 22], "diverged"] = True
    scan.loc[[20, 21, 22], "excess_loss"] = 1e-9
    result = check(claim_relu_often_global(scan), "C1", "holds", value=0.75)
    assert "15 of 20 finished runs" in result.detail and "3 diverged" in result.detail


def test_c1_loss_exactly_at_the_rule_is_not_the_global_minimum():
    result = check(claim_relu_often_global(relu_scan(16, 0, n_barely_stuck=4)), "C1", "holds", value=0.8)
    assert "16 of 20" in result.detail


def test_c1_not_evaluated_with_fewer_than_twenty_finished_runs():
    assert_not_evaluated(
        claim_relu_often_global(relu_scan(14, 5, n_diverged=5)), "C1", "only 19 finished runs (5 diverged)"
    )
    assert_not_evaluated(claim_relu_often_global(None), "C1", "no ReLU scan")
    assert_not_evaluated(claim_relu_often_global(relu_scan(0, 0)), "C1", "no ReLU scan")


# ---------------------------------------------------------------------------------------------- C2


def sigmoid_finals(relative_losses_by_k: dict, diverged_at: tuple = ()) -> pd.DataFrame:
    """{k: relative loss per repetition}; zero predictor loss 0.5, so excess_loss = 0.5 x the relative
    loss; (k, repetition) in ``diverged_at`` is flagged diverged but keeps its loss."""
    rows = [
        dict(
            n_particles=k,
            repetition=repetition,
            excess_loss=0.5 * relative,
            zero_predictor_loss=0.5,
            diverged=(k, repetition) in diverged_at,
        )
        for k, relatives in relative_losses_by_k.items()
        for repetition, relative in enumerate(relatives)
    ]
    return pd.DataFrame(rows)


def test_c2_holds_when_every_run_at_both_k_converges_and_there_are_enough_runs():
    # 20 repetitions at each k, every run below 1e-3: 40 of 40, exact interval [0.912, 1] >= 0.9.
    # k = 10 is not checked.
    finals = sigmoid_finals({3: [2e-4] * 20, 20: [1e-6] * 20, 10: [0.5] * 20})
    result = check(
        claim_sigmoid_always_global(finals, small_k=3, large_k=20), "C2", "holds", value=1.0, threshold=">= 0.9"
    )
    assert result.low == pytest.approx(0.025 ** (1 / 40))
    assert result.high == 1.0
    assert "k = 3: 20 of 20 converge, worst 2.00e-04" in result.detail and "0 diverged" in result.detail
    assert "exact binomial interval" in result.detail


def test_c2_interval_can_lie_above_the_observed_share():
    # What the bootstrap of a maximum could not do: 5 of 6 runs converge, and the interval's upper
    # end (0.996) lies above the observed 0.83, so "always" is not excluded: inconclusive.
    finals = sigmoid_finals({3: [1e-5, 1e-2], 20: [1e-6, 1e-6]})
    finals = pd.concat([finals, sigmoid_finals({3: [1e-5], 20: [1e-6]}).assign(repetition=2)], ignore_index=True)
    result = check(claim_sigmoid_always_global(finals, 3, 20), "C2", "inconclusive", value=5 / 6)
    assert result.high > result.value


def test_c2_does_not_hold_when_many_runs_stall():
    # 10 of 40 runs above 1e-3: the share 0.75, interval [0.59, 0.87] below 0.9.
    finals = sigmoid_finals({3: [1e-2] * 10 + [1e-5] * 10, 20: [1e-6] * 20})
    result = check(claim_sigmoid_always_global(finals, 3, 20), "C2", "does not hold", value=0.75)
    assert result.high < 0.9


def test_c2_is_inconclusive_with_few_runs_even_if_all_converge():
    finals = sigmoid_finals({3: [1e-5] * 3, 20: [1e-6] * 3})
    check(claim_sigmoid_always_global(finals, 3, 20), "C2", "inconclusive", value=1.0)


def test_c2_not_evaluated_without_runs_at_one_k_or_with_two_repetitions():
    assert_not_evaluated(
        claim_sigmoid_always_global(sigmoid_finals({20: [1e-6] * 3}), 3, 20), "C2", "no finished run at k = 3"
    )
    assert_not_evaluated(claim_sigmoid_always_global(None, 3, 20), "C2", "no sigmoid results")
    two = sigmoid_finals({3: [1e-5, 1e-5], 20: [1e-6, 1e-6]})
    assert_not_evaluated(claim_sigmoid_always_global(two, 3, 20), "C2", "2 repetitions, at least 3 needed")


def test_c2_not_evaluated_when_every_run_at_one_k_diverged():
    finals = sigmoid_finals({3: [1e-5] * 3, 20: [1e-6] * 3}, diverged_at=((3, 0), (3, 1), (3, 2)))
    assert_not_evaluated(claim_sigmoid_always_global(finals, 3, 20), "C2", "no finished run at k = 3 (3 diverged)")


def test_c2_leaves_a_diverged_run_out_and_counts_it():
    # The flagged run's loss column says 1e-2, which would fail the claim: it must not be used.
    finals = sigmoid_finals({3: [1e-2, 1e-5, 1e-5, 1e-5], 20: [1e-6] * 4}, diverged_at=((3, 0),))
    result = check(claim_sigmoid_always_global(finals, 3, 20), "C2", "inconclusive", value=1.0)
    assert "k = 3: 3 of 3 converge" in result.detail and "1 diverged" in result.detail


# ---------------------------------------------------------------------------------------------- C3


def sigmoid_run(output_weights: list, samples_seen=(0, 10, 1000), diverged: bool = False) -> Trajectory:
    """w given per checkpoint; v fixed (2 hidden coordinates: x in R^1 plus the bias)."""
    output_weights = np.array(output_weights, dtype=float)
    n_checkpoints, n_particles = output_weights.shape
    return Trajectory(
        np.array(samples_seen, dtype=float), output_weights, np.ones((n_checkpoints, n_particles, 2)), diverged
    )


def ending_run(final_signs: list, diverged: bool = False) -> Trajectory:
    """A run whose particles keep from 1% of training on the signs given (+1 / -1)."""
    signs = np.array(final_signs, dtype=float)
    return sigmoid_run([np.zeros_like(signs), 0.1 * signs, signs], diverged=diverged)


def labelled(repetition: int, trajectory: Trajectory, n_particles: int | None = None, **labels):
    n_particles = trajectory.output_weights.shape[1] if n_particles is None else n_particles
    return {"repetition": repetition, "n_particles": n_particles, **labels}, trajectory


def test_count_sign_flips_from_one_percent_of_training_on():
    # A sign change before 1% of training and a w that only reaches 0 are not flips; a particle with w
    # exactly 0 at the reference checkpoint (10 of 1000 samples) has no sign to keep.
    assert count_sign_flips(sigmoid_run([[0.3, 0.1, 0.0], [-0.2, 0.1, 0.0], [-0.5, 0.0, -2.0]])) == 0
    assert count_sign_flips(sigmoid_run([[0, 0, 0], [-0.1, 0.2, 0.1], [0.3, 0.4, -0.1]])) == 2
    # A flip and a flip back still count once; the reference is the first checkpoint at or after 1%.
    assert count_sign_flips(sigmoid_run([[1, 1], [1, 1], [-1, 1], [1, 1]], samples_seen=(0, 5, 20, 1000))) == 1


def test_c3_split_holds_when_half_the_particles_are_negative_in_every_repetition():
    # Two runs per repetition, one all negative, one all positive: 4 of 8 per repetition. Were runs
    # resampled one by one the interval would be wide; resampled by repetition it is the point 0.5.
    runs = [labelled(r, ending_run(signs)) for r in range(3) for signs in ([-1] * 4, [1] * 4)]
    result = check(
        claim_sigmoid_signs_split(runs, large_k=4),
        "C3-split",
        "holds",
        value=0.5,
        interval=(0.5, 0.5),
        threshold="in [0.3, 0.7]",
    )
    assert "12 of 24 particles with w < 0 at k = 4 over 3 repetitions" in result.detail


def test_c3_split_does_not_hold_when_most_particles_are_negative():
    runs = [labelled(r, ending_run(signs)) for r, signs in enumerate([[-1, -1, -1, -1], [-1, -1, -1, 1], [-1] * 4])]
    check(claim_sigmoid_signs_split(runs, 4), "C3-split", "does not hold", value=11 / 12, interval=(0.75, 1.0))


def test_c3_split_is_inconclusive_when_repetitions_disagree():
    runs = [labelled(r, ending_run(signs)) for r, signs in enumerate([[-1, 1, 1, 1], [-1, -1, 1, 1], [-1] * 4])]
    check(claim_sigmoid_signs_split(runs, 4), "C3-split", "inconclusive", value=7 / 12, interval=(0.25, 1.0))


def test_c3_split_leaves_out_diverged_runs_and_other_k():
    runs = [labelled(r, ending_run([-1, -1, 1, 1])) for r in range(3)]
    runs += [
        labelled(0, ending_run([-1] * 4, diverged=True)),  # diverged: left out
        labelled(1, ending_run([-1] * 2)),
    ]  # k = 2: not the large k
    check(claim_sigmoid_signs_split(runs, 4), "C3-split", "holds", value=0.5, interval=(0.5, 0.5))


def test_c3_split_counts_diverged_runs_in_detail():
    runs = [labelled(r, ending_run([-1, -1, 1, 1])) for r in range(3)] + [labelled(0, ending_run([-1] * 4, True))]
    assert "1 diverged" in claim_sigmoid_signs_split(runs, 4).detail


def test_c3_split_not_evaluated():
    assert_not_evaluated(claim_sigmoid_signs_split([], 4), "C3-split", "no finished run at the large k = 4")
    only_diverged = [labelled(r, ending_run([-1, 1], diverged=True)) for r in range(3)]
    assert_not_evaluated(claim_sigmoid_signs_split(only_diverged, 2), "C3-split", "no finished run at the large k = 2")
    other_k = [labelled(r, ending_run([-1, 1])) for r in range(3)]
    assert_not_evaluated(claim_sigmoid_signs_split(other_k, 4), "C3-split", "no finished run at the large k = 4")
    two = [labelled(r, ending_run([-1, 1])) for r in range(2)]
    assert_not_evaluated(claim_sigmoid_signs_split(two, 2), "C3-split", "2 repetitions, at least 3 needed")


FLIPPING = sigmoid_run([[0, 0], [-0.1, 0.2], [0.3, 0.4]])  # one of two particles flips
STEADY = ending_run([-1, 1])


def lines_run(angles_degrees: list, weights: list, teacher_degrees=(0.0, 90.0)) -> Trajectory:
    """A sigmoid run whose particles end at the given angles of v[:2] (bias 0.7, not in the plane),
    with output weights ``weights``, and a teacher whose lines are at ``teacher_degrees``."""
    end = np.array([[np.cos(np.radians(a)), np.sin(np.radians(a)), 0.7] for a in angles_degrees])
    teacher = np.array([[np.cos(np.radians(a)), np.sin(np.radians(a)), -1.0] for a in teacher_degrees])
    return Trajectory(
        np.array([0.0, 1000.0]),
        np.array([np.ones(len(weights)), weights], dtype=float),
        np.stack([end, end]),
        teacher_hidden_weights=teacher,
    )


def test_angle_to_lines_is_unoriented():
    lines = np.array([[1.0, 0.0], [0.0, 1.0]])
    angles = angle_to_lines_degrees(np.array([[1.0, 0.0], [-1.0, 0.05], [1.0, 1.0], [0.1, -1.0]]), lines)
    assert angles == pytest.approx([0.0, np.degrees(np.arctan(0.05)), 45.0, np.degrees(np.arctan(0.1))])


def test_c3_lines_holds_when_the_weight_sits_on_the_lines():
    # 180 and 95 degrees are on the lines (a line has no orientation); 45 is off but carries 0.1 of 5.1
    runs = [labelled(r, lines_run([180.0, 95.0, 45.0], [2.0, -3.0, 0.1])) for r in range(3)]
    result = check(claim_particles_on_teacher_lines(runs, 3), "C3-lines", "holds", value=5 / 5.1)
    assert "over 3 repetitions" in result.detail


def test_c3_lines_does_not_hold_when_particles_off_the_lines_carry_weight():
    runs = [labelled(r, lines_run([0.0, 30.0, 60.0], [1.0, 1.0, 2.0])) for r in range(3)]
    check(claim_particles_on_teacher_lines(runs, 3), "C3-lines", "does not hold", value=0.25, interval=(0.25, 0.25))


def test_c3_lines_not_evaluated_without_runs_at_the_large_k():
    runs = [labelled(r, lines_run([0.0], [1.0])) for r in range(3)]
    assert_not_evaluated(claim_particles_on_teacher_lines(runs, 50), "C3-lines", "at the large k = 50")


def test_c3_stay_holds_without_a_single_flip():
    early_and_zero = sigmoid_run([[0.3, 0.1, 0.0], [-0.2, 0.1, 0.0], [-0.5, 0.0, -2.0]])
    runs = [labelled(r, STEADY, n_particles=2) for r in range(3)] + [labelled(1, early_and_zero, n_particles=3)]
    result = check(claim_sigmoid_signs_stay(runs), "C3-stay", "holds", value=0.0, interval=(0.0, 0.0), threshold="<= 0")
    assert "0 sign flips among 9 particles of 4 finished runs" in result.detail


def test_c3_stay_does_not_hold_with_flips_in_every_repetition():
    runs = [labelled(r, FLIPPING) for r in range(3)] + [labelled(0, STEADY)]
    # 3 flips among 8 particles; resamples range from 1/4 (three times repetition 0) to 1/2.
    check(claim_sigmoid_signs_stay(runs), "C3-stay", "does not hold", value=3 / 8, interval=(0.25, 0.5))


def test_c3_stay_is_inconclusive_with_a_flip_in_one_repetition():
    runs = [labelled(0, FLIPPING), labelled(1, STEADY), labelled(2, STEADY)]
    check(claim_sigmoid_signs_stay(runs), "C3-stay", "inconclusive", value=1 / 6, interval=(0.0, 0.5))


def test_c3_stay_leaves_out_diverged_runs():
    diverged_flipper = sigmoid_run([[0, 0], [-0.1, 0.2], [0.3, -0.4]], diverged=True)
    runs = [labelled(r, STEADY) for r in range(3)] + [labelled(2, diverged_flipper)]
    result = check(claim_sigmoid_signs_stay(runs), "C3-stay", "holds", value=0.0)
    assert "0 sign flips among 6 particles" in result.detail


def test_c3_stay_counts_diverged_runs_in_detail():
    runs = [labelled(r, STEADY) for r in range(3)] + [labelled(2, sigmoid_run([[0, 0], [1, 1], [2, 2]], diverged=True))]
    detail = claim_sigmoid_signs_stay(runs).detail
    assert "1 diverged" in detail and "of 3 finished runs" in detail


def test_c3_stay_not_evaluated():
    assert_not_evaluated(claim_sigmoid_signs_stay([]), "C3-stay", "no finished sigmoid run")
    only_diverged = [labelled(r, ending_run([1, 1], diverged=True)) for r in range(3)]
    assert_not_evaluated(claim_sigmoid_signs_stay(only_diverged), "C3-stay", "no finished sigmoid run")
    assert_not_evaluated(
        claim_sigmoid_signs_stay([labelled(r, STEADY) for r in range(2)]), "C3-stay", "2 repetitions, at least 3 needed"
    )


def test_trajectories_may_be_given_as_dicts():
    as_dict = {
        "samples_seen": [0, 10, 1000],
        "output_weights": STEADY.output_weights,
        "hidden_weights": STEADY.hidden_weights,
    }
    converted = as_trajectory(as_dict)
    assert np.array_equal(converted.samples_seen, [0.0, 10.0, 1000.0]) and converted.samples_seen.dtype == float
    assert np.array_equal(converted.output_weights, STEADY.output_weights) and not converted.diverged
    assert as_trajectory(STEADY) is STEADY
    assert as_trajectory({**as_dict, "diverged": True}).diverged
    runs = [({"repetition": r, "n_particles": 2}, as_dict) for r in range(3)]
    check(claim_sigmoid_signs_stay(runs), "C3-stay", "holds", value=0.0)


# ---------------------------------------------------------------------------------------------- C4


def moving_run(steps_per_particle: list, diverged: bool = False) -> Trajectory:
    """Each particle moves along w only, by the given step at each of the checkpoints (v fixed)."""
    steps = np.array(steps_per_particle, dtype=float).T  # (T - 1, k)
    output_weights = np.vstack([np.zeros(steps.shape[1]), np.cumsum(steps, axis=0)])
    hidden = np.zeros(output_weights.shape + (3,))
    return Trajectory(np.arange(len(output_weights), dtype=float), output_weights, hidden, diverged)


def test_path_length_sums_euclidean_norms_of_theta_changes():
    # theta moves (0,0,0) -> (0,3,4) -> (0,3,4) -> (1,3,4): lengths 5, 0 and 1.
    hidden = np.array([[[0, 0]], [[3, 4]], [[3, 4]], [[3, 4]]], dtype=float)
    trajectory = Trajectory(np.arange(4.0), np.array([[0], [0], [0], [1.0]]), hidden)
    assert particle_path_lengths(trajectory) == pytest.approx([6.0])
    # Going back and forth counts both ways.
    assert particle_path_lengths(moving_run([[1, -1, 1], [0.5, 0.5, 0.5]])) == pytest.approx([3.0, 1.5])


def c4_runs(scale_by_repetition: list, small_step: float = 1.0, large_step: float = 0.3) -> list:
    """Per repetition, k = 2 particles each moving 3 steps of ``small_step`` and k = 4 particles each
    moving 3 steps of ``large_step``, both times the repetition's scale."""
    runs = []
    for repetition, scale in enumerate(scale_by_repetition):
        runs.append(labelled(repetition, moving_run([[scale * small_step] * 3] * 2)))
        runs.append(labelled(repetition, moving_run([[scale * large_step] * 3] * 4)))
    return runs


def test_c4_holds_when_large_k_particles_move_less():
    # Per particle, k = 2 moves 3 and k = 4 moves 0.9 in every repetition: the interval is the point 0.3.
    result = check(
        claim_many_particles_move_slower(c4_runs([1.0, 1.0, 1.0]), 2, 4),
        "C4",
        "holds",
        value=0.3,
        interval=(0.3, 0.3),
        threshold="< 1",
    )
    assert "same checkpoints" in result.detail and "bootstrap over 3 repetitions" in result.detail


def test_c4_does_not_hold_when_large_k_particles_move_more():
    check(
        claim_many_particles_move_slower(c4_runs([1, 2, 3], large_step=10.0), 2, 4),
        "C4",
        "does not hold",
        value=10.0,
        interval=(10.0, 10.0),
    )


def test_c4_is_inconclusive_when_repetitions_disagree():
    runs = []
    for repetition, large_step in enumerate([0.5, 2.0, 1.0]):  # ratios 0.5, 2 and 1
        runs.append(labelled(repetition, moving_run([[1.0] * 3] * 2)))
        runs.append(labelled(repetition, moving_run([[large_step] * 3] * 4)))
    check(claim_many_particles_move_slower(runs, 2, 4), "C4", "inconclusive", value=3.5 / 3, interval=(0.5, 2.0))


def test_c4_resamples_the_two_k_of_a_repetition_together():
    # In each repetition large k moves 0.3 times as far, while particles of repetition r move 10^r as far as
    # those of repetition 0: every resample of whole repetitions still gives 0.3 (resampled run by run, k = 4
    # of repetition 2 could be compared with k = 2 of repetition 0, a ratio of 30).
    check(
        claim_many_particles_move_slower(c4_runs([1.0, 10.0, 100.0]), 2, 4),
        "C4",
        "holds",
        value=0.3,
        interval=(0.3, 0.3),
    )


def test_c4_leaves_out_diverged_runs():
    runs = c4_runs([1.0, 1.0, 1.0]) + [labelled(0, moving_run([[100.0] * 3] * 4, diverged=True))]
    check(claim_many_particles_move_slower(runs, 2, 4), "C4", "holds", value=0.3, interval=(0.3, 0.3))


def test_c4_counts_diverged_runs_in_detail():
    runs = c4_runs([1.0, 1.0, 1.0]) + [labelled(0, moving_run([[100.0] * 3] * 4, diverged=True))]
    assert "1 diverged" in claim_many_particles_move_slower(runs, 2, 4).detail


def test_c4_flags_different_checkpoint_schedules():
    runs = c4_runs([1.0, 1.0, 1.0])
    labels, trajectory = runs[0]
    runs[0] = (labels, Trajectory(trajectory.samples_seen * 2, trajectory.output_weights, trajectory.hidden_weights))
    assert "DIFFERENT checkpoint schedules" in claim_many_particles_move_slower(runs, 2, 4).detail


def test_c4_not_evaluated():
    runs = c4_runs([1.0, 1.0, 1.0])
    only_small = [run for run in runs if run[0]["n_particles"] == 2]
    assert_not_evaluated(
        claim_many_particles_move_slower(only_small, 2, 4),
        "C4",
        "no repetition with finished runs at both k = 2 and k = 4",
    )
    # Large k in repetition 0 only, small k in repetitions 1 and 2: no repetition has both.
    unpaired = [run for run in runs if (run[0]["n_particles"] == 4) == (run[0]["repetition"] == 0)]
    assert_not_evaluated(claim_many_particles_move_slower(unpaired, 2, 4), "C4", "no repetition with finished runs")
    all_diverged_large = [
        (labels, Trajectory(t.samples_seen, t.output_weights, t.hidden_weights, labels["n_particles"] == 4))
        for labels, t in runs
    ]
    assert_not_evaluated(
        claim_many_particles_move_slower(all_diverged_large, 2, 4), "C4", "no repetition with finished runs"
    )
    assert_not_evaluated(
        claim_many_particles_move_slower(c4_runs([1.0, 1.0]), 2, 4), "C4", "2 repetitions, at least 3 needed"
    )


# ---------------------------------------------------------------------------------------------- C5


def overparam_finals(losses_by_k: dict, activation: str = "relu", diverged_at: tuple = ()) -> pd.DataFrame:
    """{k: final excess loss per repetition}; (k, repetition) in ``diverged_at`` is flagged diverged but
    keeps its loss, so that a check reading the loss instead of the flag would count it."""
    rows = [
        dict(
            activation=activation,
            n_particles=k,
            repetition=repetition,
            excess_loss=loss,
            diverged=(k, repetition) in diverged_at,
        )
        for k, losses in losses_by_k.items()
        for repetition, loss in enumerate(losses)
    ]
    return pd.DataFrame(rows)


def both(*tables: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(tables, ignore_index=True)


def test_c5_holds_with_the_geometric_means_over_every_repetition():
    # k = 5: GM(1e-2, 1e-4, 1e-3) = 1e-3; k = 20: GM(1e-5, 1e-7, 1e-6) = 1e-6; ratio 1e3 in every
    # repetition, so every resample gives 1e3. The sigmoid runs and k = 10 are not looked at.
    finals = both(
        overparam_finals({5: [1e-2, 1e-4, 1e-3], 10: [1.0] * 3, 20: [1e-5, 1e-7, 1e-6]}),
        overparam_finals({5: [1e-9] * 3, 20: [1.0] * 3}, activation="sigmoid"),
    )
    result = check(
        claim_few_particles_stall(finals, "relu", 5, 20),
        "C5",
        "holds",
        value=1e3,
        interval=(1e3, 1e3),
        threshold=">= 100",
    )
    assert "k = 5: geometric mean 0.001 over 3 runs, 0 diverged" in result.detail
    assert "k = 20: geometric mean 1e-06 over 3 runs" in result.detail


def test_c5_does_not_hold_for_a_ratio_of_10():
    finals = overparam_finals({5: [1e-4, 1e-3, 1e-2], 20: [1e-5, 1e-4, 1e-3]}, activation="sigmoid")
    check(claim_few_particles_stall(finals, "sigmoid", 5, 20), "C5", "does not hold", value=10.0, interval=(10.0, 10.0))


def test_c5_is_inconclusive_when_the_ratio_varies_between_repetitions():
    # Ratios 10, 1e4 and 100: GM 10^(7/3); resamples range from 10 to 1e4.
    finals = overparam_finals({5: [1e-4, 1e-2, 1e-3], 20: [1e-5, 1e-6, 1e-5]})
    check(
        claim_few_particles_stall(finals, "relu", 5, 20),
        "C5",
        "inconclusive",
        value=10 ** (7 / 3),
        interval=(10.0, 1e4),
    )


def test_c5_is_not_a_single_run():
    # Repetition 0 alone gives 1e4, the others 100; the value is over every repetition: log10 means
    # k = 5: (-4 - 2 - 2)/3 = -8/3, k = 20: (-8 - 4 - 4)/3 = -16/3, ratio 10^(8/3) = 464.
    finals = overparam_finals({5: [1e-4, 1e-2, 1e-2], 20: [1e-8, 1e-4, 1e-4]})
    check(claim_few_particles_stall(finals, "relu", 5, 20), "C5", "holds", value=10 ** (8 / 3), interval=(100.0, 1e4))


def test_c5_leaves_out_a_diverged_run_and_its_unpaired_repetition():
    # Repetition 1 diverged at k = 20: its k = 5 run is left out too (no pair); the others give 1e3.
    finals = overparam_finals({5: [1e-2, 1.0, 1e-3, 1e-4], 20: [1e-5, 1e-9, 1e-6, 1e-7]}, diverged_at=((20, 1),))
    result = check(claim_few_particles_stall(finals, "relu", 5, 20), "C5", "holds", value=1e3, interval=(1e3, 1e3))
    assert "k = 20: geometric mean 1e-06 over 3 runs, 1 diverged" in result.detail
    assert "bootstrap over 3 repetitions" in result.detail


def test_c5_uses_the_given_k():
    finals = overparam_finals({3: [1e-1] * 3, 5: [1e-4] * 3, 20: [1e-5] * 3, 40: [1e-8] * 3})
    check(claim_few_particles_stall(finals, "relu", 3, 40), "C5", "holds", value=1e7)
    check(claim_few_particles_stall(finals, "relu", 5, 20), "C5", "does not hold", value=10.0)


def test_c5_not_evaluated():
    assert_not_evaluated(claim_few_particles_stall(None, "relu", 5, 20), "C5", "no relu results")
    assert_not_evaluated(
        claim_few_particles_stall(overparam_finals({5: [1e-3] * 3}, "sigmoid"), "relu", 5, 20), "C5", "no relu results"
    )
    only_5 = overparam_finals({5: [1e-3] * 3, 10: [1e-6] * 3})
    assert_not_evaluated(
        claim_few_particles_stall(only_5, "relu", 5, 20),
        "C5",
        "no repetition with finished runs at both k = 5 and k = 20",
    )
    diverged_20 = overparam_finals({5: [1e-3] * 3, 20: [1e-6] * 3}, diverged_at=((20, 0), (20, 1), (20, 2)))
    assert_not_evaluated(
        claim_few_particles_stall(diverged_20, "relu", 5, 20), "C5", "no repetition with finished runs"
    )
    two = overparam_finals({5: [1e-3] * 2, 20: [1e-6] * 2})
    assert_not_evaluated(claim_few_particles_stall(two, "relu", 5, 20), "C5", "2 repetitions, at least 3 needed")


# ---------------------------------------------------------------------------------------------- C6


def test_c6_holds_for_a_fall_of_1000_between_k_half_m_and_k_2m():
    # M = 10. Per repetition r the losses are scaled by 10^-r (another teacher): k <= 5 has
    # GM(1e-3, 1e-5) x 10^-r = 1e-4 x 10^-r, k >= 20 has GM(1e-7, 1e-7) x 10^-r; k = 10 is ignored.
    # Every repetition gives 1e3, so does every resample of whole repetitions.
    scale = [1.0, 0.1, 0.01]
    finals = both(
        overparam_finals(
            {
                2: [1e-3 * s for s in scale],
                5: [1e-5 * s for s in scale],
                10: [1.0] * 3,
                20: [1e-7 * s for s in scale],
                40: [1e-7 * s for s in scale] + [1.0],
            },
            diverged_at=((40, 3),),
        ),
        overparam_finals({2: [1e-9] * 3, 20: [1.0] * 3}, activation="sigmoid"),  # another activation: ignored
    )
    result = check(
        claim_phase_transition(finals, teacher_units=10, activation="relu"),
        "C6-relu",
        "holds",
        value=1e3,
        interval=(1e3, 1e3),
        threshold=">= 100",
    )
    assert result.section == "5.2"
    assert "over 6 runs with k <= 5 vs" in result.detail and "over 6 runs with k >= 20" in result.detail
    assert "1 diverged" in result.detail


def test_c6_does_not_hold_for_a_fall_of_10():
    finals = overparam_finals({5: [1e-4, 1e-3, 1e-2], 20: [1e-5, 1e-4, 1e-3]}, activation="sigmoid")
    check(
        claim_phase_transition(finals, teacher_units=10, activation="sigmoid"),
        "C6-sigmoid",
        "does not hold",
        value=10.0,
        interval=(10.0, 10.0),
    )


def test_c6_is_inconclusive_when_repetitions_disagree():
    finals = overparam_finals({5: [1e-4, 1e-4, 1e-4], 20: [1e-5, 1e-8, 1e-6]})  # ratios 10, 1e4, 100
    check(
        claim_phase_transition(finals, 10, "relu"), "C6-relu", "inconclusive", value=10 ** (7 / 3), interval=(10.0, 1e4)
    )


def test_c6_not_evaluated():
    finals = overparam_finals({5: [1e-4] * 3, 10: [1e-5] * 3, 20: [1e-7] * 3}, diverged_at=((20, 0), (20, 1), (20, 2)))
    assert_not_evaluated(
        claim_phase_transition(finals, 10, "relu"),
        "C6-relu",
        "no repetition with finished runs at both k <= 5 and k >= 20",
    )
    assert_not_evaluated(claim_phase_transition(finals, 10, "sigmoid"), "C6-sigmoid", "no sigmoid results")
    assert_not_evaluated(claim_phase_transition(None, 10, "relu"), "C6-relu", "no relu results")
    two = overparam_finals({5: [1e-4] * 2, 20: [1e-7] * 2})
    assert_not_evaluated(claim_phase_transition(two, 10, "relu"), "C6-relu", "2 repetitions, at least 3 needed")


# ---------------------------------------------------------------------------------------------- C7


def test_spread_is_the_sample_std_of_the_finite_entries():
    logs = np.array([[-2.0, -3.0, np.nan], [-4.0, -7.0, -1.0], [-3.0, -5.0, np.nan]])
    spreads = spread_of_log_loss_by_k(logs)
    assert spreads[:2] == pytest.approx([1.0, 2.0])  # ddof = 1
    assert math.isnan(spreads[2])  # one finite entry


# M = 10, window [5, 20]. log10 losses per repetition: k = 5: (-2, -4, -3) -> std 1; k = 10: (-3, -7, -5)
# -> std 2; k = 20: (-5, -5, -5) -> std 0; the window's mean std is 1. k = 1 is outside the window.
NEAR_TEACHER = {1: [1e-1, 1e-9, 1e-5], 5: [1e-2, 1e-4, 1e-3], 10: [1e-3, 1e-7, 1e-5], 20: [1e-5, 1e-5, 1e-5]}


def test_c7_value_by_hand_and_inconclusive_with_three_repetitions():
    # k = 100: log10 losses (-8, -8.5, -8.5), mean -25/3, deviations (1/3, -1/6, -1/6): std sqrt((1/6) / 2) = sqrt(1/12).
    finals = overparam_finals({**NEAR_TEACHER, 100: [1e-8, 10**-8.5, 10**-8.5]})
    # With 3 repetitions, 3 of the 27 equally likely resamples repeat one repetition: every std is 0 and so
    # is the statistic (11% > 2.5%), so the interval reaches 0 and "> 0" cannot hold.
    result = check(
        claim_spread_largest_near_teacher_size(finals, teacher_units=10, activation="relu"),
        "C7-relu",
        "inconclusive",
        value=1.0 - math.sqrt(1 / 12),
        threshold="> 0",
    )
    assert result.low == 0.0 and result.high > 0.5
    assert "over k in [5, 10, 20]" in result.detail


def c7_finals(near_logs: list, largest_logs: list, activation: str = "relu") -> pd.DataFrame:
    """M = 10: log10 losses per repetition at k = 5 and 10 (both ``near_logs``), and at k = 100."""
    return overparam_finals(
        {5: [10.0**x for x in near_logs], 10: [10.0**x for x in near_logs], 100: [10.0**x for x in largest_logs]},
        activation,
    )


def test_c7_holds_with_six_repetitions_when_the_largest_k_never_spreads():
    # Near M the losses differ in every repetition, at k = 100 they are all equal: every resample but
    # the 6/6^6 that repeat one repetition gives a positive statistic.
    near = [-2.0, -4.0, -3.0, -5.0, -6.0, -2.5]
    result = check(
        claim_spread_largest_near_teacher_size(c7_finals(near, [-8.0] * 6), 10, "relu"),
        "C7-relu",
        "holds",
        value=float(np.std(near, ddof=1)),
    )
    assert result.low > 0


def test_c7_does_not_hold_when_the_largest_k_spreads_more():
    largest = [-2.0, -4.0, -3.0, -5.0, -6.0, -2.5]
    check(
        claim_spread_largest_near_teacher_size(c7_finals([-5.0] * 6, largest, "sigmoid"), 10, "sigmoid"),
        "C7-sigmoid",
        "does not hold",
        value=-float(np.std(largest, ddof=1)),
    )


def test_c7_moves_with_the_repetitions():
    # Every repetition is the same: every std is 0 in every resample, the interval is the point 0.
    check(
        claim_spread_largest_near_teacher_size(c7_finals([-3.0] * 4, [-8.0] * 4), 10, "relu"),
        "C7-relu",
        "does not hold",
        value=0.0,
        interval=(0.0, 0.0),
    )


def test_c7_leaves_out_diverged_runs():
    # Repetition 3's run at k = 100 is flagged diverged (loss 1: it would widen the spread at k = 100).
    finals = overparam_finals({**NEAR_TEACHER, 100: [1e-8, 10**-8.5, 10**-8.5, 1.0]}, diverged_at=((100, 3),))
    result = claim_spread_largest_near_teacher_size(finals, 10, "relu")
    assert result.value == pytest.approx(1.0 - math.sqrt(1 / 12))
    assert "1 diverged" in result.detail


def test_c7_not_evaluated():
    one_finished = overparam_finals({**NEAR_TEACHER, 100: [1e-8, 1e-8, 1e-8]}, diverged_at=((100, 1), (100, 2)))
    assert_not_evaluated(
        claim_spread_largest_near_teacher_size(one_finished, 10, "relu"),
        "C7-relu",
        "fewer than 2 finished repetitions at the largest k (100)",
    )
    assert_not_evaluated(
        claim_spread_largest_near_teacher_size(overparam_finals(NEAR_TEACHER), 10, "relu"),
        "C7-relu",
        "not above 2M = 20",
    )
    assert_not_evaluated(
        claim_spread_largest_near_teacher_size(pd.DataFrame(), 10, "relu"), "C7-relu", "no relu results"
    )
    no_window = overparam_finals({1: [1e-1, 1e-2, 1e-3], 100: [1e-8, 1e-9, 1e-7]})
    assert_not_evaluated(
        claim_spread_largest_near_teacher_size(no_window, 10, "relu"),
        "C7-relu",
        "no k in [5, 20] with 2 finished repetitions",
    )
    two = overparam_finals({5: [1e-2, 1e-4], 100: [1e-8, 1e-9]})
    assert_not_evaluated(
        claim_spread_largest_near_teacher_size(two, 10, "relu"), "C7-relu", "2 repetitions, at least 3 needed"
    )


# ---------------------------------------------------------------------------------------------- C8


def r0_finals(losses_by_radius: dict, diverged_at: tuple = ()) -> pd.DataFrame:
    """{r0: final excess loss per repetition}; (r0, repetition) in ``diverged_at`` is flagged diverged but
    keeps its loss (the flag, not the loss, must leave it out)."""
    rows = [
        dict(init_radius=r0, repetition=repetition, excess_loss=loss, diverged=(r0, repetition) in diverged_at)
        for r0, losses in losses_by_radius.items()
        for repetition, loss in enumerate(losses)
    ]
    return pd.DataFrame(rows)


def scaled(losses: dict, scale_by_repetition: list) -> dict:
    return {r0: [loss * s for s in scale_by_repetition] for r0, loss in losses.items()}


# Per repetition, the same shape scaled by the repetition's teacher: G(1e-3) = 2e-6 is the lowest, G(0.05)
# = 3e-6, G(1) = 1e-5, G(10) = 1e-3 (times the geometric mean of the scales, which cancels in every ratio).
GOOD_SWEEP = {1e-3: 2e-6, 0.05: 3e-6, 1.0: 1e-5, 10.0: 1e-3}


def test_c8_holds_when_005_is_near_best_and_10_far_worse_and_repetitions_move_together():
    finals = r0_finals(scaled(GOOD_SWEEP, [1.0, 10.0, 0.01]))
    best = check(claim_small_radius_best(finals), "C8-best", "holds", value=1.5, interval=(1.5, 1.5), threshold="<= 2")
    assert "lowest G(r0 = 0.001)" in best.detail and "0 diverged" in best.detail
    check(claim_large_radius_slow(finals), "C8-large", "holds", value=500.0, interval=(500.0, 500.0), threshold=">= 10")


def test_c8_does_not_hold_when_005_is_5_times_the_best_and_10_only_2_times():
    finals = r0_finals(scaled({1e-3: 2e-6, 0.05: 1e-5, 10.0: 4e-6}, [1.0, 3.0, 0.5]))
    check(claim_small_radius_best(finals), "C8-best", "does not hold", value=5.0, interval=(5.0, 5.0))
    check(claim_large_radius_slow(finals), "C8-large", "does not hold", value=2.0, interval=(2.0, 2.0))


def test_c8_is_inconclusive_when_repetitions_disagree():
    # G(0.01) = 1e-6 always; at 0.05: 1e-6, 1e-4, 1e-5 -> G = 1e-5, ratio 10; one repetition alone: 1 or 100.
    finals = r0_finals({0.01: [1e-6] * 3, 0.05: [1e-6, 1e-4, 1e-5], 10.0: [1e-6, 1e-4, 1e-5]})
    check(claim_small_radius_best(finals), "C8-best", "inconclusive", value=10.0, interval=(1.0, 100.0))
    check(claim_large_radius_slow(finals), "C8-large", "inconclusive", value=10.0, interval=(1.0, 100.0))


def test_c8_leaves_out_diverged_runs():
    # The run at r0 = 10 of repetition 3 is flagged diverged (its loss 1 would raise G(10) 10^0.75-fold):
    # G(10) is over the 3 finished repetitions.
    losses = scaled(GOOD_SWEEP, [1.0, 1.0, 1.0, 1.0])
    losses[10.0][3] = 1.0
    result = check(
        claim_large_radius_slow(r0_finals(losses, diverged_at=((10.0, 3),))), "C8-large", "holds", value=500.0
    )
    assert "1 diverged" in result.detail and "bootstrap over 4 repetitions" in result.detail


def test_c8_large_holds_when_every_run_at_10_diverged():
    finals = r0_finals(scaled(GOOD_SWEEP, [1.0, 1.0, 1.0]), diverged_at=tuple((10.0, r) for r in range(3)))
    check(claim_large_radius_slow(finals), "C8-large", "holds", value=math.inf)


def test_c8_best_unaffected_when_every_run_at_10_diverged():
    finals = r0_finals(scaled(GOOD_SWEEP, [1.0, 1.0, 1.0]), diverged_at=tuple((10.0, r) for r in range(3)))
    result = check(claim_small_radius_best(finals), "C8-best", "holds", value=1.5, interval=(1.5, 1.5))
    assert "3 diverged" in result.detail


def test_c8_a_zero_loss_is_a_perfect_run_not_a_missing_one():
    finals = r0_finals({1e-3: [1e-4] * 3, 0.05: [0.0, 1e-3, 1e-3]})  # G(0.05) = 0, the lowest
    # ... in the data; a resample without the zero-loss repetition has G(0.05) = 10 x G(1e-3)
    result = check(claim_small_radius_best(finals), "C8-best", "inconclusive", value=1.0)
    assert result.low == 1.0 and result.high == pytest.approx(10.0)


def test_c8_not_evaluated():
    assert_not_evaluated(
        claim_large_radius_slow(r0_finals({0.05: [1e-5] * 3, 1.0: [1e-4] * 3})), "C8-large", "no runs at r0 = 10"
    )
    assert_not_evaluated(
        claim_small_radius_best(r0_finals({1.0: [1e-5] * 3, 10.0: [1e-4] * 3})), "C8-best", "no runs at r0 = 0.05"
    )
    assert_not_evaluated(claim_small_radius_best(None), "C8-best", "no r0 sweep results")
    two = r0_finals(scaled(GOOD_SWEEP, [1.0, 1.0]))
    assert_not_evaluated(claim_small_radius_best(two), "C8-best", "2 repetitions, at least 3 needed")


# ---------------------------------------------------------------------------------------------- C9


def rotating_run(angles_degrees: list, radius: float = 1.0, diverged: bool = False) -> Trajectory:
    """Particle j starts at v = radius (cos a_j, sin a_j, 0) and ends rotated by angles_degrees[j] in the
    plane of its first two coordinates, scaled by 3 (a scaling is no change of direction)."""
    start_angles = np.linspace(0, 2, len(angles_degrees))
    end_angles = start_angles + np.radians(angles_degrees)

    def hidden(angles, scale):
        return scale * np.stack([np.cos(angles), np.sin(angles), np.zeros_like(angles)], axis=1)

    hidden_weights = np.stack([hidden(start_angles, radius), hidden(end_angles, 3 * radius)])
    return Trajectory(np.array([0.0, 100.0]), np.ones((2, len(angles_degrees))), hidden_weights, diverged)


def at_radius(radius: float, angles_by_repetition: list, diverged_at: tuple = ()) -> list:
    return [
        labelled(repetition, rotating_run(angles, radius, diverged=repetition in diverged_at), init_radius=radius)
        for repetition, angles in enumerate(angles_by_repetition)
    ]


def test_direction_change_is_the_angle_in_degrees():
    assert direction_changes_degrees(rotating_run([0.0, 90.0, 180.0, 45.0])) == pytest.approx([0.0, 90.0, 180.0, 45.0])
    # The bias (last coordinate) counts; a particle at v = 0 has no direction.
    hidden = np.array([[[1.0, 0.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]])
    angles = direction_changes_degrees(Trajectory(np.array([0.0, 1.0]), np.ones((2, 2)), hidden))
    assert angles[0] == pytest.approx(45.0) and math.isnan(angles[1])


def test_c9_lazy_holds_when_particles_stay_on_their_lines():
    runs = at_radius(10.0, [[1.0, 2.0, 3.0]] * 3) + at_radius(0.05, [[90.0, 90.0]] * 3)  # another radius: ignored
    result = check(
        claim_lazy_directions_stay(runs), "C9-lazy", "holds", value=2.0, interval=(2.0, 2.0), threshold="< 5"
    )
    assert "9 particles of 3 repetitions at r0 = 10" in result.detail


def test_c9_lazy_does_not_hold_when_particles_turn():
    check(claim_lazy_directions_stay(at_radius(10.0, [[10.0, 12.0, 11.0]] * 3)), "C9-lazy", "does not hold", value=11.0)


def test_c9_lazy_is_inconclusive_when_repetitions_disagree():
    runs = at_radius(10.0, [[1.0, 1.0, 1.0], [10.0, 10.0, 10.0], [4.0, 4.0, 4.0]])
    check(claim_lazy_directions_stay(runs), "C9-lazy", "inconclusive", value=4.0, interval=(1.0, 10.0))


def test_c9_active_holds_when_particles_turn_and_not_otherwise():
    check(
        claim_active_particles_turn(at_radius(0.05, [[40.0, 90.0, 35.0]] * 3)),
        "C9-active",
        "holds",
        value=40.0,
        interval=(40.0, 40.0),
        threshold="> 30",
    )
    check(
        claim_active_particles_turn(at_radius(0.05, [[20.0, 10.0, 25.0]] * 3)), "C9-active", "does not hold", value=20.0
    )
    check(
        claim_active_particles_turn(at_radius(0.05, [[10.0] * 3, [60.0] * 3, [40.0] * 3])),
        "C9-active",
        "inconclusive",
        value=40.0,
        interval=(10.0, 60.0),
    )


def test_c9_uses_the_given_radii():
    runs = at_radius(7.0, [[1.0]] * 3) + at_radius(0.2, [[50.0]] * 3)
    check(claim_lazy_directions_stay(runs, lazy_radius=7.0), "C9-lazy", "holds", value=1.0)
    check(claim_active_particles_turn(runs, active_radius=0.2), "C9-active", "holds", value=50.0)


def test_c9_leaves_out_diverged_runs_and_counts_them():
    runs = at_radius(10.0, [[1.0, 2.0, 3.0]] * 3) + at_radius(10.0, [[170.0] * 3, [170.0] * 3], diverged_at=(0, 1))
    result = check(claim_lazy_directions_stay(runs), "C9-lazy", "holds", value=2.0, interval=(2.0, 2.0))
    assert "2 diverged" in result.detail


def test_c9_not_evaluated():
    assert_not_evaluated(
        claim_lazy_directions_stay(at_radius(0.05, [[1.0]] * 3)),
        "C9-lazy",
        "no finished run with particles at r0 = 10 (0 diverged)",
    )
    only_diverged = at_radius(10.0, [[1.0]] * 3, diverged_at=(0, 1, 2))
    assert_not_evaluated(claim_lazy_directions_stay(only_diverged), "C9-lazy", "(3 diverged)")
    no_direction = [
        (
            {"repetition": r, "n_particles": 1, "init_radius": 10.0},
            Trajectory(np.array([0.0, 1.0]), np.ones((2, 1)), np.zeros((2, 1, 3))),
        )
        for r in range(3)
    ]
    assert_not_evaluated(claim_lazy_directions_stay(no_direction), "C9-lazy", "no finished run with particles")
    assert_not_evaluated(
        claim_active_particles_turn(at_radius(0.05, [[40.0]] * 2)), "C9-active", "2 repetitions, at least 3 needed"
    )


# ------------------------------------------------------------------------------- claims of experiment


def test_each_experiment_decides_its_claims_in_order():
    relu = EXPERIMENTS["relu_trajectories"].claims(relu_scan(15, 5), [], {})
    assert [r.claim for r in relu] == list(EXPERIMENTS["relu_trajectories"].claim_names) == ["C1"]
    check(relu[0], "C1", "holds", value=0.75)

    finals = sigmoid_finals({2: [1e-5] * 3, 4: [1e-6] * 3})  # small k = 2, large k = 4 from the table
    runs = [labelled(r, ending_run(signs)) for r in range(3) for signs in ([-1, 1], [-1, -1, 1, 1])]
    sigmoid = EXPERIMENTS["sigmoid_trajectories"].claims(finals, runs, {})
    assert (
        [r.claim for r in sigmoid]
        == list(EXPERIMENTS["sigmoid_trajectories"].claim_names)
        == ["C2", "C3-split", "C3-stay", "C3-lines", "C4"]
    )
    check(sigmoid[0], "C2", "inconclusive", value=1.0)  # 6 of 6 runs: too few to say "always"
    check(sigmoid[1], "C3-split", "holds", value=0.5)  # only the k = 4 runs
    check(sigmoid[2], "C3-stay", "holds", value=0.0)
    assert_not_evaluated(sigmoid[3], "C3-lines", "no finished run with its teacher")  # these runs carry none
    check(sigmoid[4], "C4", "does not hold", value=1.0, interval=(1.0, 1.0))  # every particle moves 1 at both k
    assert "at k = 4" in sigmoid[1].detail

    finals = both(
        overparam_finals({2: [1e-3] * 3, 5: [1e-4] * 3, 8: [1e-7] * 3, 40: [1e-8] * 3}),
        overparam_finals({2: [1e-3] * 3, 40: [1e-4] * 3}, activation="sigmoid"),
    )
    context = {"teacher_units": 4, "n_particles": [2, 5, 8, 40]}
    overparam = EXPERIMENTS["overparam"].claims(finals, [], context)
    assert (
        [r.claim for r in overparam]
        == list(EXPERIMENTS["overparam"].claim_names)
        == ["C5", "C6-relu", "C7-relu", "C6-sigmoid", "C7-sigmoid"]
    )
    # M = 4: C5 at the largest k <= M/2 = 2 and the smallest k >= 2M = 8, named in its quantity
    check(overparam[0], "C5", "holds", value=1e4)
    assert "at k = 2 / that at k = 8" in overparam[0].quantity
    check(overparam[1], "C6-relu", "holds", value=10**4.5)  # M = 4: GM(1e-3) / GM(1e-7, 1e-8)
    check(overparam[3], "C6-sigmoid", "does not hold", value=10.0)

    r0 = r0_finals(scaled(GOOD_SWEEP, [1.0, 1.0, 1.0]))
    runs = at_radius(10.0, [[1.0]] * 3) + at_radius(0.05, [[40.0]] * 3)
    sweep = EXPERIMENTS["r0_sweep"].claims(r0, runs, {})
    assert (
        [r.claim for r in sweep]
        == list(EXPERIMENTS["r0_sweep"].claim_names)
        == ["C8-best", "C8-large", "C9-lazy", "C9-active"]
    )
    check(sweep[2], "C9-lazy", "holds", value=1.0)  # the report's lazy radius, 10
    check(sweep[3], "C9-active", "holds", value=40.0)  # and its active one, 0.05

    assert EXPERIMENTS["cb2018"].claims(r0, runs, {}) == []


def test_c5_is_evaluated_at_the_grid_points_nearest_m_over_2_and_2m():
    assert fig3_points([1, 2, 5, 6, 19, 20, 100], 10) == (5, 20)  # the report's fig. 3
    assert fig3_points([1, 3, 6], 3) == (1, 6)
    assert fig3_points([6, 8, 30], 10) == (None, 30)
    finals = overparam_finals({5: [1e-2] * 3, 30: [1e-8] * 3})
    result = EXPERIMENTS["overparam"].claims(finals, [], {"teacher_units": 10, "n_particles": [6, 30]})[0]
    assert_not_evaluated(result, "C5", "no k <= M/2")


# ----------------------------------------------------------------------------------- table and I/O


@functools.cache
def example_results() -> tuple[ClaimResult, ...]:
    """Computed once (frozen results); each call of example_table() makes a fresh table from them."""
    return (
        claim_relu_often_global(relu_scan(15, 5)),  # holds, value 0.75
        dataclasses.replace(claim_relu_often_global(relu_scan(20, 0)), claim="C1-all"),  # inconclusive, 1.0
        claim_small_radius_best(None),  # not evaluated
        claim_large_radius_slow(r0_finals(scaled({1e-3: 2e-6, 0.05: 1e-5, 10.0: 4e-6}, [1.0] * 3))),  # does not hold, 2
    )


def example_table() -> pd.DataFrame:
    return claims_table(list(example_results()))


def test_claims_table_has_one_row_per_claim_in_field_order():
    table = example_table()
    assert (
        list(table.columns)
        == CLAIM_COLUMNS
        == ["claim", "section", "report_words", "quantity", "value", "low", "high", "threshold", "verdict", "detail"]
    )
    assert list(table["claim"]) == ["C1", "C1-all", "C8-best", "C8-large"]
    assert list(table["verdict"]) == ["holds", "inconclusive", "not evaluated", "does not hold"]
    assert table["value"].iloc[0] == 0.75 and math.isnan(table["value"].iloc[2])


def test_summary_line_counts_each_verdict():
    assert summary_line(example_table()) == "1 holds, 1 does not hold, 1 inconclusive, 1 not evaluated"
    assert summary_line(example_table().iloc[[0, 0, 2]]) == "2 holds, 0 does not hold, 0 inconclusive, 1 not evaluated"


def test_compare_with_reference_accepts_an_identical_table_and_nan_inside_nan():
    assert compare_with_reference(example_table(), example_table()) == []
    # A value moved inside the reference interval, and claims only in current, are fine.
    current = pd.concat([example_table(), example_table().iloc[[0]].assign(claim="C99")], ignore_index=True)
    current.loc[0, "value"] = 0.52
    assert compare_with_reference(current, example_table()) == []


def test_compare_with_reference_reports_missing_claims_verdicts_and_values():
    reference = example_table()
    reference.loc[0, ["value", "low", "high"]] = [0.9, 0.8, 0.95]  # current 0.75 lies outside, verdict the same
    reference.loc[3, "verdict"] = "holds"  # current value 2 is inside [2, 2]
    reference = pd.concat([reference, reference.iloc[[2]].assign(claim="C9-lazy")], ignore_index=True)
    assert compare_with_reference(example_table(), reference) == [
        "C1: value 0.75 is outside the reference interval [0.8, 0.95] (reference value 0.9)",
        "C8-large: verdict 'does not hold' (value 2) differs from the reference verdict 'holds' (value 2)",
        "C9-lazy: in the reference (verdict 'not evaluated', value nan) but missing from the current table",
    ]


def test_compare_with_reference_treats_nan_against_a_number_as_a_difference():
    reference = example_table()
    reference.loc[2, ["value", "low", "high"]] = [1.0, 0.5, 1.5]  # the reference had a value, current has none
    problems = compare_with_reference(example_table(), reference)
    assert problems == ["C8-best: value nan is outside the reference interval [0.5, 1.5] (reference value 1)"]
    # ... and a number against a reference without an interval.
    current = example_table()
    current.loc[2, "value"] = 1.0
    assert compare_with_reference(current, example_table()) == [
        "C8-best: value 1 is outside the reference interval [nan, nan] (reference value nan)"
    ]


def test_compare_with_reference_accepts_inf_inside_an_interval_reaching_inf():
    reference = example_table()
    reference.loc[3, ["value", "low", "high"]] = [math.inf, 5.0, math.inf]
    current = example_table()
    current.loc[3, "value"] = math.inf
    assert compare_with_reference(current, reference) == []
    current.loc[3, "value"] = 1e300  # finite, but inside [5, inf]
    assert compare_with_reference(current, reference) == []
    current.loc[3, "value"] = 4.0
    assert compare_with_reference(current, reference) == [
        "C8-large: value 4 is outside the reference interval [5, inf] (reference value inf)"
    ]


def test_format_claims_gives_aligned_columns_without_trailing_blanks():
    lines = format_claims(example_table()).splitlines()
    assert re.split(r" {2,}", lines[0]) == ["claim", "verdict", "value", "95% interval", "threshold"]
    assert len(lines) == 2 + 4
    assert set(lines[1].replace(" ", "")) == {"-"}
    for column in ("verdict", "value", "95% interval", "threshold"):
        start = lines[0].index(column)
        assert all(line[start - 2 : start] == "  " and line[start] != " " for line in lines[2:])
    verdict_at, value_at, interval_at, threshold_at = (
        lines[0].index(c) for c in ("verdict", "value", "95% interval", "threshold")
    )
    assert [line[verdict_at:value_at].strip() for line in lines[2:]] == [
        "holds",
        "inconclusive",
        "not evaluated",
        "does not hold",
    ]
    assert [line[value_at:interval_at].strip() for line in lines[2:]] == ["0.75", "1", "nan", "2"]
    assert lines[2][interval_at:threshold_at].strip() == "[0.509, 0.913]"
    assert lines[4][interval_at:threshold_at].strip() == "[nan, nan]"
    assert [line[threshold_at:] for line in lines[2:]] == ["in [0.5, 1)", "in [0.5, 1)", "<= 2", ">= 10"]
    assert all(line == line.rstrip() for line in lines)


def test_every_threshold_is_a_region_string():
    thresholds = {
        "C1": "in [0.5, 1)",
        "C2": ">= 0.9",
        "C3-split": "in [0.3, 0.7]",
        "C3-stay": "<= 0",
        "C4": "< 1",
        "C5": ">= 100",
        "C6-relu": ">= 100",
        "C7-relu": "> 0",
        "C8-best": "<= 2",
        "C8-large": ">= 10",
        "C9-lazy": "< 5",
        "C9-active": "> 30",
    }
    results = [
        claim_relu_often_global(None),
        claim_sigmoid_always_global(None, 3, 20),
        claim_sigmoid_signs_split([], 4),
        claim_sigmoid_signs_stay([]),
        claim_many_particles_move_slower([], 2, 4),
        claim_few_particles_stall(None, "relu", 5, 20),
        claim_phase_transition(None, 10, "relu"),
        claim_spread_largest_near_teacher_size(None, 10, "relu"),
        claim_small_radius_best(None),
        claim_large_radius_slow(None),
        claim_lazy_directions_stay([]),
        claim_active_particles_turn([]),
    ]
    assert {r.claim: r.threshold for r in results} == thresholds
    assert all(str(parse_region(r.threshold)) == r.threshold for r in results)
    assert all(r.verdict == "not evaluated" and r.report_words and r.quantity and r.section for r in results)
