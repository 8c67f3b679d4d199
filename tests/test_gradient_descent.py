"""The lazy-training solver: gradients, the doubled initialisation, the gradient-descent loop, the tangent kernel
and the closed form of the linearised run, each against an independent computation."""

import warnings

import numpy as np
import pytest

from convexnn.gradient_descent import (
    doubled_initialisation,
    draw_sign_teacher,
    empirical_risk,
    flatten_parameters,
    gradient_descent,
    linearised_gradient_descent,
    log_spaced_checkpoints,
    parameter_jacobian,
    predict,
    relative_displacement,
    risk_gradients,
    sphere_inputs,
    tangent_kernel,
    teacher_outputs,
)


def lazy_problem(seed, n_units=6, input_dim=5, n_train=20, n_test=15, init_scale=0.5, teacher_units=3):
    """A sign teacher, sphere inputs (train and test) and a doubled initialisation."""
    rng = np.random.default_rng(seed)
    teacher = draw_sign_teacher(rng, teacher_units, input_dim)
    train_inputs = sphere_inputs(rng, n_train, input_dim)
    test_inputs = sphere_inputs(rng, n_test, input_dim)
    output_weights, hidden_weights = doubled_initialisation(rng, n_units, input_dim, init_scale)
    return (
        output_weights,
        hidden_weights,
        train_inputs,
        teacher_outputs(*teacher, train_inputs),
        test_inputs,
        teacher_outputs(*teacher, test_inputs),
    )


# --------------------------------------------------------------------------------------------------
# Model and gradients


@pytest.mark.parametrize("n_units", [6, 7])  # the even case sums the units in pairs
@pytest.mark.parametrize("mean_field", [False, True])
def test_gradients_match_central_finite_differences(n_units, mean_field):
    rng = np.random.default_rng(3)
    input_dim, n_samples = 4, 9
    scale = 1.0 / n_units if mean_field else 1.0
    output_weights = rng.standard_normal(n_units)
    hidden_weights = rng.standard_normal((n_units, input_dim))
    inputs = sphere_inputs(rng, n_samples, input_dim)
    targets = rng.standard_normal(n_samples)
    grad_output, grad_hidden = risk_gradients(output_weights, hidden_weights, inputs, targets, scale)
    assert np.linalg.norm(grad_output) > 1e-3 and np.linalg.norm(grad_hidden) > 1e-3

    step = 1e-6
    for j in range(n_units):
        plus, minus = output_weights.copy(), output_weights.copy()
        plus[j] += step
        minus[j] -= step
        numeric = (
            empirical_risk(plus, hidden_weights, inputs, targets, scale)
            - empirical_risk(minus, hidden_weights, inputs, targets, scale)
        ) / (2 * step)
        assert grad_output[j] == pytest.approx(numeric, rel=1e-6, abs=1e-10), j
        for k in range(input_dim):
            plus, minus = hidden_weights.copy(), hidden_weights.copy()
            plus[j, k] += step
            minus[j, k] -= step
            numeric = (
                empirical_risk(output_weights, plus, inputs, targets, scale)
                - empirical_risk(output_weights, minus, inputs, targets, scale)
            ) / (2 * step)
            assert grad_hidden[j, k] == pytest.approx(numeric, rel=1e-6, abs=1e-10), (j, k)


def test_prediction_of_a_small_network_by_hand():
    output_weights = np.array([2.0, -1.0, 0.5])
    hidden_weights = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    inputs = np.array([[3.0, -1.0]])
    # 2 * relu(3) - 1 * relu(-1) + 0.5 * relu(2) = 7, times the scale
    assert predict(output_weights, hidden_weights, inputs, 0.5)[0] == pytest.approx(3.5)


# --------------------------------------------------------------------------------------------------
# Teacher, inputs, initialisation


def test_sign_teacher_and_sphere_inputs():
    rng = np.random.default_rng(4)
    output_weights, hidden_weights = draw_sign_teacher(rng, 200, 7)
    assert hidden_weights.shape == (200, 7) and output_weights.shape == (200,)
    assert set(np.unique(output_weights)) == {-1.0, 1.0}
    np.testing.assert_allclose(np.linalg.norm(hidden_weights, axis=1), 1.0, rtol=0, atol=1e-14)
    inputs = sphere_inputs(rng, 500, 7)
    np.testing.assert_allclose(np.linalg.norm(inputs, axis=1), 1.0, rtol=0, atol=1e-14)
    # uniform on the sphere: E x = 0 and E x x^T = I/d (loose bounds for 500 points)
    assert np.abs(inputs.mean(axis=0)).max() < 0.05
    np.testing.assert_allclose(inputs.T @ inputs / 500, np.eye(7) / 7, atol=0.03)


@pytest.mark.parametrize(
    ("n_samples", "n_units", "input_dim"),
    # (1, 6, 17) and (64, 202, 100) give unequal columns for equal rows of a in one BLAS product
    [(1, 6, 17), (7, 10, 100), (64, 202, 100), (1000, 50, 100), (333, 2, 3)],
)
def test_doubled_initialisation_predicts_exactly_zero(n_samples, n_units, input_dim):
    rng = np.random.default_rng(5)
    output_weights, hidden_weights = doubled_initialisation(rng, n_units, input_dim, 0.7)
    half = n_units // 2
    assert np.array_equal(hidden_weights[half:], hidden_weights[:half])
    assert np.array_equal(output_weights[half:], -output_weights[:half])
    inputs = sphere_inputs(rng, n_samples, input_dim)
    for scale in (1.0, 1.0 / n_units):
        predictions = predict(output_weights, hidden_weights, inputs, scale)
        assert np.all(predictions == 0.0)
    # and not because the units are dead: each half alone predicts something
    assert np.abs(predict(output_weights[:half], hidden_weights[:half], inputs, 1.0)).max() > 0.0


def test_doubled_initialisation_rejects_an_odd_number_of_units():
    with pytest.raises(ValueError, match="even"):
        doubled_initialisation(np.random.default_rng(0), 7, 3, 1.0)


def test_doubled_initialisation_scales_the_same_draw():
    small = doubled_initialisation(np.random.default_rng(6), 8, 3, 1.0)
    large = doubled_initialisation(np.random.default_rng(6), 8, 3, 10.0)
    np.testing.assert_array_equal(10.0 * small[0], large[0])
    np.testing.assert_array_equal(10.0 * small[1], large[1])
    assert np.std(doubled_initialisation(np.random.default_rng(7), 4000, 5, 0.3)[1]) == pytest.approx(0.3, rel=0.02)


# --------------------------------------------------------------------------------------------------
# Gradient descent


def reference_gradient_descent(output_weights, hidden_weights, train, test, step_size, n_steps, checkpoints, scale):
    """Plain loop: one matrix product for all units, sums in numpy's order."""
    output_weights, hidden_weights = output_weights.copy(), hidden_weights.copy()
    (train_inputs, train_targets), (test_inputs, test_targets) = train, test
    n_samples = len(train_targets)

    def forward(inputs):
        return scale * np.maximum(inputs @ hidden_weights.T, 0.0) @ output_weights

    train_losses, test_losses = [], []
    for step in range(n_steps + 1):
        if step in checkpoints:
            train_losses.append(0.5 * np.mean((forward(train_inputs) - train_targets) ** 2))
            test_losses.append(0.5 * np.mean((forward(test_inputs) - test_targets) ** 2))
        if step == n_steps:
            break
        pre_activations = train_inputs @ hidden_weights.T
        residual = forward(train_inputs) - train_targets
        grad_output = scale / n_samples * np.maximum(pre_activations, 0.0).T @ residual
        grad_hidden = np.zeros_like(hidden_weights)
        for j in range(len(output_weights)):
            active = pre_activations[:, j] > 0
            grad_hidden[j] = scale / n_samples * output_weights[j] * (residual[active] @ train_inputs[active])
        output_weights -= step_size * grad_output
        hidden_weights -= step_size * grad_hidden
    return output_weights, hidden_weights, np.array(train_losses), np.array(test_losses)


@pytest.mark.parametrize(("n_units", "mean_field", "step_size"), [(6, False, 0.5), (8, True, 20.0)])
def test_gradient_descent_matches_a_plain_loop(n_units, mean_field, step_size):
    scale = 1.0 / n_units if mean_field else 1.0
    output_weights, hidden_weights, train_inputs, train_targets, test_inputs, test_targets = lazy_problem(
        8, n_units=n_units
    )
    original = output_weights.copy(), hidden_weights.copy()
    checkpoints = [0, 1, 4, 9, 25]
    run = gradient_descent(
        output_weights,
        hidden_weights,
        train_inputs,
        train_targets,
        test_inputs,
        test_targets,
        step_size=step_size,
        n_steps=25,
        checkpoints=checkpoints,
        scale=scale,
    )
    expected = reference_gradient_descent(
        output_weights,
        hidden_weights,
        (train_inputs, train_targets),
        (test_inputs, test_targets),
        step_size,
        25,
        checkpoints,
        scale,
    )
    assert not run.diverged and run.steps_done == 25
    np.testing.assert_array_equal(output_weights, original[0])  # inputs untouched
    np.testing.assert_array_equal(hidden_weights, original[1])
    np.testing.assert_allclose(run.output_weights, expected[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(run.hidden_weights, expected[1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(run.train_losses, expected[2], rtol=1e-12)
    np.testing.assert_allclose(run.test_losses, expected[3], rtol=1e-12)
    # f(w0) = 0: the first training loss is exactly 1/2 mean y^2; and the run did learn something
    assert run.train_losses[0] == 0.5 * float(train_targets @ train_targets) / len(train_targets)
    assert run.train_losses[-1] < 0.9 * run.train_losses[0]
    assert relative_displacement(run.output_weights, run.hidden_weights, *original) > 1e-2


def test_a_diverging_run_is_flagged_and_does_not_raise():
    output_weights, hidden_weights, train_inputs, train_targets, test_inputs, test_targets = lazy_problem(9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even a numpy overflow warning
        run = gradient_descent(
            output_weights,
            hidden_weights,
            train_inputs,
            train_targets,
            test_inputs,
            test_targets,
            step_size=1e6,
            n_steps=200,
            checkpoints=[0, 1, 100, 200],
            scale=1.0,
        )
        linearised = linearised_gradient_descent(
            output_weights,
            hidden_weights,
            train_inputs,
            train_targets,
            test_inputs,
            test_targets,
            step_size=1e6,
            n_steps=200,
            checkpoints=[0, 1, 100, 200],
            scale=1.0,
        )
    assert run.diverged and run.steps_done < 200
    assert np.isfinite(run.test_losses[0]) and np.isnan(run.test_losses[-1])
    assert linearised.diverged


def test_a_stable_run_is_not_flagged():
    problem = lazy_problem(10)
    run = gradient_descent(*problem, step_size=0.1, n_steps=50, checkpoints=[0, 50], scale=1.0)
    assert not run.diverged and np.all(np.isfinite(run.test_losses))


def test_checkpoints_are_checked_and_log_spaced():
    checkpoints = log_spaced_checkpoints(10_000, 30)
    assert checkpoints[0] == 0 and checkpoints[-1] == 10_000 and np.all(np.diff(checkpoints) > 0)
    assert 20 <= len(checkpoints) <= 32
    problem = lazy_problem(11)
    for bad in ([0, 5, 5], [3, 1], [0, 11], [-1, 2]):
        with pytest.raises(ValueError, match="checkpoints"):
            gradient_descent(*problem, step_size=0.1, n_steps=10, checkpoints=bad, scale=1.0)


def test_relative_displacement_by_hand():
    initial = np.array([3.0, -3.0]), np.array([[4.0], [4.0]])  # ||w0|| = sqrt(9 + 9 + 16 + 16) = sqrt(50)
    moved = np.array([3.0, -2.0]), np.array([[4.0], [11.0]])  # w - w0 = (0, 1, 0, 7): norm sqrt(50)
    assert relative_displacement(*moved, *initial) == pytest.approx(1.0, rel=1e-15)
    np.testing.assert_array_equal(flatten_parameters(*moved), [3.0, -2.0, 4.0, 11.0])


# --------------------------------------------------------------------------------------------------
# Tangent kernel and the linearised model


@pytest.mark.parametrize("mean_field", [False, True])
def test_tangent_kernel_equals_the_explicit_jacobian_product(mean_field):
    rng = np.random.default_rng(12)
    n_units, input_dim = 7, 4
    scale = 1.0 / n_units if mean_field else 1.0
    output_weights = rng.standard_normal(n_units)
    hidden_weights = rng.standard_normal((n_units, input_dim))
    inputs, other_inputs = sphere_inputs(rng, 11, input_dim), sphere_inputs(rng, 5, input_dim)
    jacobian = parameter_jacobian(output_weights, hidden_weights, inputs, scale)
    other_jacobian = parameter_jacobian(output_weights, hidden_weights, other_inputs, scale)
    assert jacobian.shape == (11, n_units * (1 + input_dim))
    kernel = tangent_kernel(output_weights, hidden_weights, inputs, other_inputs, scale)
    np.testing.assert_allclose(kernel, jacobian @ other_jacobian.T, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        tangent_kernel(output_weights, hidden_weights, inputs, inputs, scale), jacobian @ jacobian.T, rtol=1e-12
    )


def test_jacobian_matches_finite_differences_of_the_prediction():
    rng = np.random.default_rng(13)
    output_weights, hidden_weights = rng.standard_normal(4), rng.standard_normal((4, 3))
    inputs = sphere_inputs(rng, 6, 3)
    jacobian = parameter_jacobian(output_weights, hidden_weights, inputs, 0.25)
    parameters = flatten_parameters(output_weights, hidden_weights)
    step = 1e-6
    for p in range(len(parameters)):
        plus, minus = parameters.copy(), parameters.copy()
        plus[p] += step
        minus[p] -= step
        numeric = (
            predict(plus[:4], plus[4:].reshape(4, 3), inputs, 0.25)
            - predict(minus[:4], minus[4:].reshape(4, 3), inputs, 0.25)
        ) / (2 * step)
        np.testing.assert_allclose(jacobian[:, p], numeric, rtol=1e-6, atol=1e-10)


def explicit_linearised_descent(output_weights, hidden_weights, train, test, step_size, n_steps, checkpoints, scale):
    """Gradient descent on the parameters of f_lin(w) = f(w0) + J (w - w0), with J formed explicitly."""
    (train_inputs, train_targets), (test_inputs, test_targets) = train, test
    jacobian = parameter_jacobian(output_weights, hidden_weights, train_inputs, scale)
    test_jacobian = parameter_jacobian(output_weights, hidden_weights, test_inputs, scale)
    initial_train = predict(output_weights, hidden_weights, train_inputs, scale)
    initial_test = predict(output_weights, hidden_weights, test_inputs, scale)
    displacement = np.zeros(jacobian.shape[1])
    train_losses, test_losses = [], []
    for step in range(n_steps + 1):
        residual = initial_train + jacobian @ displacement - train_targets
        if step in checkpoints:
            train_losses.append(0.5 * np.mean(residual**2))
            test_losses.append(0.5 * np.mean((initial_test + test_jacobian @ displacement - test_targets) ** 2))
        displacement -= step_size / len(train_targets) * (jacobian.T @ residual)
    return np.array(train_losses), np.array(test_losses)


@pytest.mark.parametrize(
    ("n_train", "doubled", "stability", "mean_field"),
    [
        (40, True, 0.5, False),  # more samples than the 24 parameters: K has a null space (lambda ~ 0)
        (10, True, 1.6, False),  # fewer: interpolation; eta lambda_max / n > 1, an oscillating mode
        (30, False, 1.0, True),  # f(w0) != 0, mean-field scale
    ],
)
def test_linearised_closed_form_matches_explicit_descent(n_train, doubled, stability, mean_field):
    n_units, input_dim = 4, 5
    scale = 1.0 / n_units if mean_field else 1.0
    output_weights, hidden_weights, train_inputs, train_targets, test_inputs, test_targets = lazy_problem(
        14, n_units=n_units, input_dim=input_dim, n_train=n_train, n_test=12, init_scale=0.8
    )
    if not doubled:
        rng = np.random.default_rng(15)
        output_weights, hidden_weights = rng.standard_normal(n_units), rng.standard_normal((n_units, input_dim))
    kernel = tangent_kernel(output_weights, hidden_weights, train_inputs, train_inputs, scale)
    step_size = stability * n_train / np.linalg.eigvalsh(kernel).max()  # eta lambda_max / n = stability
    checkpoints = [0, 1, 2, 5, 17, 60, 150, 300]
    train, test = (train_inputs, train_targets), (test_inputs, test_targets)
    closed = linearised_gradient_descent(
        output_weights,
        hidden_weights,
        *train,
        *test,
        step_size=step_size,
        n_steps=300,
        checkpoints=checkpoints,
        scale=scale,
    )
    explicit = explicit_linearised_descent(
        output_weights, hidden_weights, train, test, step_size, 300, checkpoints, scale
    )
    assert not closed.diverged
    initial_loss = explicit[0][0]
    np.testing.assert_allclose(closed.train_losses, explicit[0], rtol=1e-10, atol=1e-13 * initial_loss)
    np.testing.assert_allclose(closed.test_losses, explicit[1], rtol=1e-10)
    assert closed.train_losses[-1] < 0.9 * closed.train_losses[0]  # it did train
    # at w0 the linearised model is the model
    nonlinear = gradient_descent(
        output_weights, hidden_weights, *train, *test, step_size=step_size, n_steps=1, checkpoints=[0], scale=scale
    )
    assert closed.test_losses[0] == pytest.approx(nonlinear.test_losses[0], rel=1e-13)


def test_one_nonlinear_step_agrees_with_the_linearised_step_to_second_order():
    # Not the doubled initialisation: there the second-order term of the first step cancels between the two halves
    # (f is bilinear in (b_j, a_j) while no activation pattern changes), and the two steps agree exactly.
    _, _, *data = lazy_problem(16, n_units=6, input_dim=5, n_train=25)
    rng = np.random.default_rng(17)
    problem = (rng.standard_normal(6), rng.standard_normal((6, 5)), *data)
    gaps = []
    for step_size in (1e-2, 5e-3):
        kwargs = dict(step_size=step_size, n_steps=1, checkpoints=[1], scale=1.0)
        nonlinear = gradient_descent(*problem, **kwargs).test_losses[0]
        linear = linearised_gradient_descent(*problem, **kwargs).test_losses[0]
        gaps.append(abs(nonlinear - linear))
    assert gaps[0] > 1e-9
    assert gaps[1] / gaps[0] == pytest.approx(0.25, rel=0.1)  # O(eta^2): halving eta quarters the gap


def test_the_first_doubled_step_is_the_linearised_step():
    problem = lazy_problem(18, n_units=6, input_dim=5, n_train=25)
    kwargs = dict(step_size=1e-2, n_steps=1, checkpoints=[1], scale=1.0)
    nonlinear = gradient_descent(*problem, **kwargs).test_losses[0]
    linear = linearised_gradient_descent(*problem, **kwargs).test_losses[0]
    assert nonlinear == pytest.approx(linear, rel=1e-12)
