import numpy as np
import pytest

from convexnn.initialisation import initial_particles
from convexnn.teacher import draw_teacher, make_test_set, sample_inputs
from convexnn.training import log_checkpoints, train


def run(problem, engine, seed=7, n_steps=1000, batch_size=1, distribution="gaussian", **kwargs):
    teacher, test_inputs, test_targets, output_weights, hidden_weights = problem
    return train(
        output_weights,
        hidden_weights,
        teacher,
        distribution,
        kwargs.get("step_size", 0.05),
        batch_size,
        n_steps,
        np.random.default_rng(seed),
        test_inputs,
        test_targets,
        12,
        100,
        engine=engine,
        record_trajectory=kwargs.get("record_trajectory", False),
    )


@pytest.mark.parametrize("activation,distribution", [("relu", "gaussian"), ("sigmoid", "circle"), ("relu", "circle")])
@pytest.mark.parametrize("batch_size", [1, 4])
def test_compiled_engine_matches_numpy_reference(small_problem, activation, distribution, batch_size):
    problem = small_problem(activation, distribution)
    compiled = run(problem, "compiled", batch_size=batch_size, distribution=distribution)
    reference = run(problem, "reference", batch_size=batch_size, distribution=distribution)
    # the particles moved: the comparison is not between two copies of the initialisation
    assert np.abs(compiled.hidden_weights - problem[4]).max() > 1e-2
    np.testing.assert_allclose(compiled.output_weights, reference.output_weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(compiled.hidden_weights, reference.hidden_weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(compiled.test_loss, reference.test_loss, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(compiled.train_loss[1:], reference.train_loss[1:], rtol=1e-10, atol=1e-14)


def test_training_reduces_the_test_loss(small_problem):
    result = run(small_problem("relu"), "compiled", n_steps=20000)
    assert result.test_loss[-1] < 0.1 * result.test_loss[0]


def test_same_seed_same_bits_and_other_seed_differs(small_problem):
    problem = small_problem("relu")
    first, second, other = run(problem, "compiled"), run(problem, "compiled"), run(problem, "compiled", seed=8)
    assert np.array_equal(first.hidden_weights, second.hidden_weights)
    assert np.array_equal(first.test_loss, second.test_loss)
    assert not np.array_equal(first.hidden_weights, other.hidden_weights)


def test_diverging_run_is_flagged_and_cut(small_problem):
    result = run(small_problem("relu"), "compiled", step_size=50.0, n_steps=5000)
    assert result.diverged
    assert not np.isfinite(result.test_loss[-1])
    assert np.isfinite(result.test_loss[:-1]).all()


def test_checkpoints_are_log_spaced_from_zero_to_the_end():
    checkpoints = log_checkpoints(400_000, 150)
    assert checkpoints[0] == 0 and checkpoints[-1] == 400_000
    assert np.all(np.diff(checkpoints) > 0)
    assert 100 <= len(checkpoints) <= 150


def test_train_loss_is_the_mean_of_the_last_window_of_samples():
    # One particle with w = 0 predicts 0, so each sample's loss is 1/2 y^2 of that sample.
    rng = np.random.default_rng(3)
    teacher = draw_teacher(rng, 2, 3, 2.0, "relu")
    test_inputs, test_targets = make_test_set(rng, teacher, 10, "gaussian")
    window, n_steps = 50, 80
    result = train(
        np.zeros(1),
        np.zeros((1, 4)),
        teacher,
        "gaussian",
        0.0,
        1,
        n_steps,
        np.random.default_rng(4),
        test_inputs,
        test_targets,
        2,
        window,
    )
    samples = sample_inputs(np.random.default_rng(4), n_steps, 3, "gaussian")
    expected = 0.5 * np.mean(teacher(samples[-window:]) ** 2)
    assert result.train_loss[-1] == pytest.approx(expected, rel=1e-12)


def test_sigmoid_particles_start_with_zero_output_weights():
    output_weights, hidden_weights = initial_particles(np.random.default_rng(0), 6, 2, "sigmoid", 0.05, 1.0)
    assert np.all(output_weights == 0) and np.abs(hidden_weights).max() > 0


def test_relu_particles_start_on_the_sphere_of_radius_r0():
    output_weights, hidden_weights = initial_particles(np.random.default_rng(0), 6, 3, "relu", 0.05, 1.0)
    norms = np.sqrt(output_weights**2 + (hidden_weights**2).sum(axis=1))
    np.testing.assert_allclose(norms, 0.05)


def test_inputs_on_the_circle_have_norm_one():
    inputs = sample_inputs(np.random.default_rng(0), 100, 2, "circle")
    np.testing.assert_allclose(np.linalg.norm(inputs, axis=1), 1.0)


def test_teacher_particles_have_norm_r():
    teacher = draw_teacher(np.random.default_rng(0), 4, 50, 2.0, "relu")
    norms = np.sqrt(teacher.output_weights**2 + (teacher.hidden_weights**2).sum(axis=1))
    np.testing.assert_allclose(norms, 2.0)


def test_trajectory_starts_at_initialisation_and_ends_at_final_particles(small_problem):
    problem = small_problem("relu")
    result = run(problem, "compiled", record_trajectory=True)
    np.testing.assert_array_equal(result.trajectory_output[0], problem[3])
    np.testing.assert_array_equal(result.trajectory_hidden[0], problem[4])
    np.testing.assert_array_equal(result.trajectory_output[-1], result.output_weights)
    np.testing.assert_array_equal(result.trajectory_hidden[-1], result.hidden_weights)
    assert len(result.trajectory_output) == len(result.samples_seen)
