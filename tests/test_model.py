import numpy as np
import pytest

from convexnn.model import activation_derivative, activation_function, loss_gradients, predict, square_loss


def loss(output_weights, hidden_weights, inputs, targets, activation):
    return square_loss(predict(output_weights, hidden_weights, inputs, activation), targets)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_gradients_match_central_finite_differences(activation):
    rng = np.random.default_rng(1)
    n_particles, input_dim = 4, 3
    output_weights = rng.standard_normal(n_particles)
    hidden_weights = rng.standard_normal((n_particles, input_dim + 1))
    inputs = rng.standard_normal((6, input_dim))
    targets = rng.standard_normal(6)
    grad_output, grad_hidden = loss_gradients(output_weights, hidden_weights, inputs, targets, activation)
    step = 1e-6
    for j in range(n_particles):
        shifted = [output_weights.copy(), output_weights.copy()]
        shifted[0][j] += step
        shifted[1][j] -= step
        numeric = (
            loss(shifted[0], hidden_weights, inputs, targets, activation)
            - loss(shifted[1], hidden_weights, inputs, targets, activation)
        ) / (2 * step)
        assert grad_output[j] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
        # every coordinate of v_j, the last one being the bias
        for i in range(input_dim + 1):
            plus, minus = hidden_weights.copy(), hidden_weights.copy()
            plus[j, i] += step
            minus[j, i] -= step
            numeric = (
                loss(output_weights, plus, inputs, targets, activation)
                - loss(output_weights, minus, inputs, targets, activation)
            ) / (2 * step)
            assert grad_hidden[j, i] == pytest.approx(numeric, rel=1e-6, abs=1e-9), (j, i)


def test_bias_gradient_is_not_trivially_zero():
    rng = np.random.default_rng(2)
    output_weights = rng.standard_normal(3)
    hidden_weights = rng.standard_normal((3, 3))
    _, grad_hidden = loss_gradients(
        output_weights, hidden_weights, rng.standard_normal((5, 2)), rng.standard_normal(5), "relu"
    )
    assert np.abs(grad_hidden[:, -1]).max() > 1e-3


def test_mean_field_prediction_is_the_average_over_particles():
    output_weights = np.array([1.0, 3.0])
    hidden_weights = np.array([[1.0, 0.0], [0.0, 1.0]])  # second unit: only the bias
    inputs = np.array([[2.0]])
    # relu: (1/2) * (1 * relu(2) + 3 * relu(1)) = 2.5
    assert predict(output_weights, hidden_weights, inputs, "relu")[0] == pytest.approx(2.5)


def test_sigmoid_is_stable_for_large_arguments():
    values = activation_function(np.array([-1000.0, 0.0, 1000.0]), "sigmoid")
    assert np.allclose(values, [0.0, 0.5, 1.0])
    assert np.all(np.isfinite(activation_derivative(np.array([-1000.0, 1000.0]), "sigmoid")))


def test_unknown_activation_is_rejected_by_name():
    with pytest.raises(ValueError, match="tanh"):
        activation_function(np.zeros(2), "tanh")
