"""The compiled kernel beyond the B = 1 / B = 4 comparison of test_training.py: other dimensions and
batch sizes (the rows are padded inside), the window of losses across calls, the stream advancing
by exactly the samples used, empty calls and non-finite particles."""

import numpy as np
import pytest

from convexnn.random_stream import load_pcg64_state, save_pcg64_state
from convexnn.teacher import draw_teacher
from convexnn.training import ACTIVATION_CODES, DISTRIBUTION_CODES, sgd_steps, sgd_steps_reference, train


def problem(activation, input_dim, n_particles=5, seed=0):
    rng = np.random.default_rng(seed)
    teacher = draw_teacher(rng, 3, input_dim, 2.0, activation)
    return teacher, rng.standard_normal(n_particles), rng.standard_normal((n_particles, input_dim + 1)) / 2


def run_both(activation, distribution, input_dim, batch_size, segments, window=64, step_size=0.05):
    """The two engines from the same particles and seed over the same calls; their final states."""
    teacher, output_weights, hidden_weights = problem(activation, input_dim)
    results = []
    for engine in ("compiled", "reference"):
        w, v = output_weights.copy(), hidden_weights.copy()
        rng = np.random.default_rng(11)
        loss_window, window_state = np.zeros(window), np.zeros(2, dtype=np.int64)
        for segment in segments:
            if engine == "compiled":
                state = load_pcg64_state(rng)
                sgd_steps(
                    w,
                    v,
                    teacher.output_weights,
                    teacher.hidden_weights,
                    ACTIVATION_CODES[activation],
                    DISTRIBUTION_CODES[distribution],
                    step_size,
                    batch_size,
                    segment,
                    state,
                    loss_window,
                    window_state,
                )
                save_pcg64_state(rng, state)
            else:
                sgd_steps_reference(
                    w, v, teacher, distribution, step_size, batch_size, segment, rng, loss_window, window_state
                )
        results.append((w, v, loss_window, window_state, rng.bit_generator.state))
    return results


@pytest.mark.parametrize(
    "activation,distribution", [("relu", "gaussian"), ("sigmoid", "circle"), ("sigmoid", "gaussian")]
)
@pytest.mark.parametrize("input_dim", [1, 2, 7, 100])
@pytest.mark.parametrize("batch_size", [1, 2, 3])
def test_kernel_matches_reference_in_other_dimensions_and_batch_sizes(activation, distribution, input_dim, batch_size):
    compiled, reference = run_both(activation, distribution, input_dim, batch_size, [1, 0, 2, 97, 200])
    for got, expected in zip(compiled[:3], reference[:3], strict=True):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert np.array_equal(compiled[3], reference[3])  # window position and fill
    assert compiled[4] == reference[4]  # the stream advanced by exactly the samples used


def test_window_of_losses_across_calls_shorter_and_longer_than_it():
    segments = [0, 1, 3, 10, 63, 64, 65, 200, 1, 129]
    compiled, reference = run_both("relu", "gaussian", 4, 1, segments, window=64)
    np.testing.assert_allclose(compiled[2], reference[2], rtol=1e-12, atol=1e-15)
    assert np.array_equal(compiled[3], reference[3])


def test_an_empty_call_changes_nothing():
    teacher, output_weights, hidden_weights = problem("relu", 3)
    w, v = output_weights.copy(), hidden_weights.copy()
    rng = np.random.default_rng(0)
    state, loss_window, window_state = load_pcg64_state(rng), np.zeros(8), np.array([3, 5])
    before = state.copy()
    sgd_steps(w, v, teacher.output_weights, teacher.hidden_weights, 0, 0, 0.1, 1, 0, state, loss_window, window_state)
    assert np.array_equal(w, output_weights) and np.array_equal(v, hidden_weights)
    assert np.array_equal(state, before) and np.array_equal(window_state, [3, 5]) and not loss_window.any()


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_non_finite_particles_stay_non_finite_and_flag_the_run(activation):
    teacher, output_weights, hidden_weights = problem(activation, 3)
    hidden_weights[1, 2] = np.nan
    rng = np.random.default_rng(2)
    test_inputs = rng.standard_normal((50, 3))
    result = train(
        output_weights, hidden_weights, teacher, "gaussian", 0.05, 1, 100, rng, test_inputs, teacher(test_inputs), 5, 10
    )
    assert result.diverged and len(result.test_loss) == 1 and np.isnan(result.test_loss[0])


def test_train_leaves_the_generator_where_the_reference_leaves_it():
    teacher, output_weights, hidden_weights = problem("sigmoid", 4)
    test_inputs = np.random.default_rng(3).standard_normal((40, 4))
    states = []
    for engine in ("compiled", "reference"):
        rng = np.random.default_rng(9)
        train(
            output_weights,
            hidden_weights,
            teacher,
            "circle",
            0.1,
            2,
            50,
            rng,
            test_inputs,
            teacher(test_inputs),
            6,
            10,
            engine=engine,
        )
        states.append(rng.bit_generator.state)
    assert states[0] == states[1]


def test_the_compiled_engine_needs_a_pcg64_generator():
    teacher, output_weights, hidden_weights = problem("relu", 2)
    test_inputs = np.random.default_rng(3).standard_normal((10, 2))
    arguments = (output_weights, hidden_weights, teacher, "gaussian", 0.1, 1, 10)
    with pytest.raises(TypeError, match="PCG64"):
        train(*arguments, np.random.Generator(np.random.Philox(1)), test_inputs, teacher(test_inputs), 3, 5)
    # the reference engine takes any Generator
    train(
        *arguments,
        np.random.Generator(np.random.Philox(1)),
        test_inputs,
        teacher(test_inputs),
        3,
        5,
        engine="reference",
    )
