"""Throughput of the lazy-training solver (:mod:`convexnn.gradient_descent`), one core.

Setting: the experiment's sizes, m = 50 student units, d = 100, n = 1000 training points and 1000 test points, a
sign teacher with 3 units, the doubled initialisation at tau = 0.1 and the step min(10, 0.1 / tau^2). A run of the
experiment has 10,000 steps; here each timing is ``--steps`` steps (500), the median of ``--repeats`` (5) after a
warm-up run. Also printed: how much of a step the two matrix products take (the part numba could not speed up),
float32 against float64 (speed, and the test loss after the timed steps at three values of tau), a numba variant
that fuses the elementwise work of a step (not kept, see :func:`numba_candidate`), and the closed form of the
linearised run (10,000 steps, log-spaced checkpoints).

Multiply-adds of a step: 2 n m d for the forward and backward products, plus 2 n m for f = H b and dR/db = H^T r.

Run from the repository root, ideally on a quiet core:

    taskset -c 1 .venv/bin/python benchmarks/gradient_descent.py

The last line printed is machine-readable:

    gd_steps_per_s=<N> gd_multiply_adds_per_s=<N> linearised_seconds=<S>
"""

from __future__ import annotations

import os

# One core: must be set before numpy is imported.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

try:
    import convexnn  # noqa: F401
except ImportError:  # not installed: use the source tree next to this script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402

from convexnn import gradient_descent as solver  # noqa: E402

N_UNITS, INPUT_DIM, N_TRAIN, N_TEST, TEACHER_UNITS = 50, 100, 1000, 1000, 3
EXPERIMENT_STEPS = 10_000


def step_size_for(init_scale: float) -> float:
    return min(10.0, 0.1 / init_scale**2)


def problem(seed: int, init_scale: float) -> dict:
    """Initial parameters and the data of one run, as keyword arguments of the solver."""
    rng = np.random.default_rng(seed)
    teacher = solver.draw_sign_teacher(rng, TEACHER_UNITS, INPUT_DIM)
    train_inputs = solver.sphere_inputs(rng, N_TRAIN, INPUT_DIM)
    test_inputs = solver.sphere_inputs(rng, N_TEST, INPUT_DIM)
    output_weights, hidden_weights = solver.doubled_initialisation(rng, N_UNITS, INPUT_DIM, init_scale)
    return {
        "output_weights": output_weights,
        "hidden_weights": hidden_weights,
        "train_inputs": train_inputs,
        "train_targets": solver.teacher_outputs(*teacher, train_inputs),
        "test_inputs": test_inputs,
        "test_targets": solver.teacher_outputs(*teacher, test_inputs),
    }


def median_seconds(run, repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def float32_run(arrays: dict, init_scale: float, n_steps: int, checkpoints: np.ndarray) -> solver.GradientDescentRun:
    """The module's loop on float32 copies (the public function computes in float64)."""
    as32 = {name: np.array(value, dtype=np.float32) for name, value in arrays.items()}
    return solver._descend(
        as32["output_weights"],
        as32["hidden_weights"],
        as32["train_inputs"],
        as32["train_targets"],
        as32["test_inputs"],
        as32["test_targets"],
        np.float32(step_size_for(init_scale)),
        n_steps,
        checkpoints,
        np.float32(1.0),
    )


def numba_candidate():
    """A candidate not kept: the module's loop with its elementwise work fused into one compiled pass over the
    (n, m) pre-activations (ReLU, f with the units paired, residual, 1[u > 0] r and dR/db); the products stay BLAS.

    Returns (the compiled kernel, a gradient-descent function) or None without numba.
    """
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(boundscheck=False)
    def fused_pass(pre_activations, output_weights, targets, scale, back_propagated, grad_output):
        n_samples, n_units = pre_activations.shape
        half = n_units // 2
        grad_output[:] = 0.0
        squared = 0.0
        for i in range(n_samples):
            row = pre_activations[i]
            prediction = 0.0
            for j in range(half):  # branch-free: max and a 0/1 factor vectorise, an if does not
                prediction += output_weights[j] * max(row[j], 0.0) + output_weights[j + half] * max(row[j + half], 0.0)
            residual = scale * prediction - targets[i]
            squared += residual * residual
            gated = back_propagated[i]
            for j in range(n_units):
                gated[j] = residual * (row[j] > 0.0)
                grad_output[j] += max(row[j], 0.0) * residual
        return 0.5 * squared / n_samples

    def descend(output_weights, hidden_weights, train_inputs, train_targets, step_size, n_steps, scale):
        output_weights, hidden_weights = output_weights.copy(), hidden_weights.copy()
        n_samples, n_units = len(train_targets), len(output_weights)
        pre_activations = np.empty((n_samples, n_units))
        back_propagated = np.empty_like(pre_activations)
        grad_output = np.empty(n_units)
        step_factor = step_size * scale / n_samples
        for step in range(n_steps + 1):
            np.matmul(train_inputs, hidden_weights.T, out=pre_activations)
            loss = fused_pass(pre_activations, output_weights, train_targets, scale, back_propagated, grad_output)
            if step == n_steps:
                break
            step_hidden = back_propagated.T @ train_inputs
            step_hidden *= step_factor * output_weights[:, None]
            output_weights -= step_factor * grad_output
            hidden_weights -= step_hidden
        return output_weights, hidden_weights, loss

    return fused_pass, descend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500, help="steps of each timed run")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (the median is reported)")
    arguments = parser.parse_args()
    n_steps, repeats = arguments.steps, arguments.repeats
    init_scale = 0.1
    arrays = problem(0, init_scale)
    # The experiment evaluates the test loss at ~30 of 10,000 steps: here at the first and last step only.
    checkpoints = np.array([0, n_steps])
    multiply_adds_per_step = 2 * N_TRAIN * N_UNITS * (INPUT_DIM + 1)
    print(f"m={N_UNITS} d={INPUT_DIM} n={N_TRAIN} test={N_TEST} tau={init_scale} step={step_size_for(init_scale)}")
    print(f"{n_steps} steps a run, median of {repeats}, one core")

    def float64_run() -> solver.GradientDescentRun:
        return solver.gradient_descent(
            **arrays, step_size=step_size_for(init_scale), n_steps=n_steps, checkpoints=checkpoints, scale=1.0
        )

    seconds64 = median_seconds(float64_run, repeats)
    seconds32 = median_seconds(lambda: float32_run(arrays, init_scale, n_steps, checkpoints), repeats)
    timings = [("float64 numpy (module)", seconds64), ("float32 numpy", seconds32)]
    candidate = numba_candidate()
    if candidate is not None:
        fused_pass, numba_descend = candidate
        start = time.perf_counter()
        fused_pass(np.ones((4, 2)), np.ones(2), np.ones(4), 1.0, np.empty((4, 2)), np.empty(2))
        compile_seconds = time.perf_counter() - start

        def numba_run():
            return numba_descend(
                arrays["output_weights"],
                arrays["hidden_weights"],
                arrays["train_inputs"],
                arrays["train_targets"],
                step_size_for(init_scale),
                n_steps,
                1.0,
            )

        seconds_numba = median_seconds(numba_run, repeats)
        timings.append(("float64 numba-fused", seconds_numba))
        reference, (numba_output, numba_hidden, numba_loss) = float64_run(), numba_run()
        numba_gap = max(
            np.abs(numba_output - reference.output_weights).max(), np.abs(numba_hidden - reference.hidden_weights).max()
        )
        print(
            f"numba-fused: compiled in {compile_seconds:.2f} s; largest parameter difference from the module after "
            f"{n_steps} steps {numba_gap:.1e}, train loss {numba_loss:.6e} against {reference.train_losses[-1]:.6e}"
        )
    for label, seconds in timings:
        rate = n_steps / seconds
        print(
            f"{label:24s} {1e3 * seconds / n_steps:6.3f} ms/step  {rate:8.1f} steps/s  "
            f"{rate * multiply_adds_per_step:.3g} multiply-adds/s"
        )

    # The two (n, d) x (d, m) products alone: the rest of a step is what fusing elementwise work (numba) could save.
    hidden_weights, train_inputs = arrays["hidden_weights"], arrays["train_inputs"]
    back_propagated = np.ones((N_TRAIN, N_UNITS))

    def products() -> None:
        for _ in range(n_steps):
            _ = train_inputs @ hidden_weights.T
            _ = back_propagated.T @ train_inputs

    seconds_products = median_seconds(products, repeats)
    print(
        f"the two products alone: {1e3 * seconds_products / n_steps:.3f} ms/step "
        f"({100 * seconds_products / seconds64:.0f}% of a float64 step)"
    )

    print(f"float32 against float64 after {n_steps} steps (same data and initialisation):")
    comparison_checkpoints = solver.log_spaced_checkpoints(n_steps, 20)
    for tau in (10**-2.5, 0.1, 10.0):
        tau_arrays = problem(1, tau)
        run64 = solver.gradient_descent(
            **tau_arrays, step_size=step_size_for(tau), n_steps=n_steps, checkpoints=comparison_checkpoints, scale=1.0
        )
        run32 = float32_run(tau_arrays, tau, n_steps, comparison_checkpoints)
        loss_gap = np.max(np.abs(run32.test_losses - run64.test_losses) / run64.test_losses)
        parameters64 = solver.flatten_parameters(run64.output_weights, run64.hidden_weights)
        parameters32 = solver.flatten_parameters(run32.output_weights, run32.hidden_weights).astype(np.float64)
        parameter_gap = np.linalg.norm(parameters32 - parameters64) / np.linalg.norm(parameters64)
        print(
            f"  tau={tau:<8.4g} test loss {run64.test_losses[-1]:.6e} (float64) {run32.test_losses[-1]:.6e} "
            f"(float32): max relative gap over checkpoints {loss_gap:.1e}, parameters {parameter_gap:.1e}"
        )

    experiment_checkpoints = solver.log_spaced_checkpoints(EXPERIMENT_STEPS, 30)
    linearised_seconds = median_seconds(
        lambda: solver.linearised_gradient_descent(
            **arrays,
            step_size=step_size_for(init_scale),
            n_steps=EXPERIMENT_STEPS,
            checkpoints=experiment_checkpoints,
            scale=1.0,
        ),
        repeats,
    )
    print(
        f"linearised closed form ({EXPERIMENT_STEPS} steps, {len(experiment_checkpoints)} checkpoints): "
        f"{linearised_seconds:.3f} s"
    )
    steps_per_s = n_steps / seconds64
    print(
        f"gd_steps_per_s={steps_per_s:.1f} gd_multiply_adds_per_s={steps_per_s * multiply_adds_per_step:.4g} "
        f"linearised_seconds={linearised_seconds:.3f}"
    )


if __name__ == "__main__":
    main()
