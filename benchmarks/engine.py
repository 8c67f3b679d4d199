"""Throughput of the compiled SGD engine against the numpy reference, ReLU and sigmoid, one core.

Setting: d = 50, M = 10 teacher units (r = 2), k = 20 particles, batch size 1, float64, Gaussian
inputs: the paper's settings of figs. 3-5, ReLU with r0 = 0.05 and step 0.1, sigmoid with
w(0) = 0, v(0) ~ N(0, I) and step 0.5. Every timing starts from the same seed; each rate is the
median over the repeats, after a warm-up call that compiles or loads the cache. The test-loss
evaluation (10,000 samples) is timed too, compiled against numpy, at k = 20 and k = 100.

Run from the repository root, on a quiet core for numbers that mean something:

    taskset -c 1 .venv/bin/python benchmarks/engine.py [--quick]

The last line printed is machine-readable (one line):

    engine_relu_steps_per_s=<N> engine_sigmoid_steps_per_s=<N>
    reference_relu_steps_per_s=<N> reference_sigmoid_steps_per_s=<N>
"""

from __future__ import annotations

import os

# One core: must be set before numpy / numba are imported.
for _variable in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
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

from convexnn.initialisation import initial_particles  # noqa: E402
from convexnn.model import activation_function, augment, square_loss  # noqa: E402
from convexnn.random_stream import load_pcg64_state  # noqa: E402
from convexnn.teacher import draw_teacher, make_test_set  # noqa: E402
from convexnn.training import (  # noqa: E402
    ACTIVATION_CODES,
    DISTRIBUTION_CODES,
    compiled_test_loss,
    sgd_steps,
    sgd_steps_reference,
)

ACTIVATIONS = ("relu", "sigmoid")
INPUT_DIM = 50
N_TEACHER = 10
N_PARTICLES = 20
BATCH_SIZE = 1
DISTRIBUTION = "gaussian"
TEACHER_RADIUS = 2.0  # r
SETTINGS = {  # activation: (step size, r0, sigmoid hidden scale), config.yaml / the paper
    "relu": (0.1, 0.05, None),
    "sigmoid": (0.5, None, 1.0),
}
WINDOW = 1000
SEED = 0
N_TEST = 10_000


def setup(activation: str, seed: int = SEED, n_particles: int = N_PARTICLES):
    """Teacher, initial particles and a fresh sampling generator, all from one seed."""
    rng = np.random.default_rng(seed)
    teacher = draw_teacher(rng, N_TEACHER, INPUT_DIM, TEACHER_RADIUS, activation)
    _, init_radius, hidden_scale = SETTINGS[activation]
    output_weights, hidden_weights = initial_particles(
        rng, n_particles, INPUT_DIM, activation, init_radius, hidden_scale
    )
    return teacher, output_weights, hidden_weights, np.random.default_rng(seed + 1)


def time_compiled(activation: str, n_steps: int) -> float:
    """Seconds for ``n_steps`` steps of the compiled engine (one call, as train() makes them)."""
    teacher, output_weights, hidden_weights, rng = setup(activation)
    loss_window, window_state = np.zeros(WINDOW), np.zeros(2, dtype=np.int64)
    stream_state = load_pcg64_state(rng)
    start = time.perf_counter()
    sgd_steps(
        output_weights,
        hidden_weights,
        teacher.output_weights,
        teacher.hidden_weights,
        ACTIVATION_CODES[activation],
        DISTRIBUTION_CODES[DISTRIBUTION],
        SETTINGS[activation][0],
        BATCH_SIZE,
        n_steps,
        stream_state,
        loss_window,
        window_state,
    )
    return time.perf_counter() - start


def time_reference(activation: str, n_steps: int) -> float:
    teacher, output_weights, hidden_weights, rng = setup(activation)
    loss_window, window_state = np.zeros(WINDOW), np.zeros(2, dtype=np.int64)
    start = time.perf_counter()
    sgd_steps_reference(
        output_weights,
        hidden_weights,
        teacher,
        DISTRIBUTION,
        SETTINGS[activation][0],
        BATCH_SIZE,
        n_steps,
        rng,
        loss_window,
        window_state,
    )
    return time.perf_counter() - start


def median_rate(timer, activation: str, n_steps: int, repeats: int) -> float:
    """Median steps per second over the repeats."""
    return n_steps / statistics.median(timer(activation, n_steps) for _ in range(repeats))


def evaluation_times(activation: str, n_particles: int, repeats: int) -> tuple[float, float]:
    """Median seconds of one test-loss evaluation on N_TEST samples: compiled, and numpy as
    train() did it before (augmented inputs made once, then matrix product, activation, mean)."""
    teacher, output_weights, hidden_weights, rng = setup(activation, n_particles=n_particles)
    output_weights = rng.standard_normal(n_particles)  # w(0) = 0 for the sigmoid: any w will do
    test_inputs, test_targets = make_test_set(rng, teacher, N_TEST, DISTRIBUTION)
    augmented = augment(test_inputs)
    code = ACTIVATION_CODES[activation]
    compiled_test_loss(output_weights, hidden_weights, test_inputs, test_targets, code)  # warm-up

    def compiled() -> float:
        start = time.perf_counter()
        compiled_test_loss(output_weights, hidden_weights, test_inputs, test_targets, code)
        return time.perf_counter() - start

    def numpy_loss() -> float:
        start = time.perf_counter()
        hidden_activity = activation_function(augmented @ hidden_weights.T, activation)
        square_loss(hidden_activity @ output_weights / n_particles, test_targets)
        return time.perf_counter() - start

    compiled_time = statistics.median(compiled() for _ in range(repeats))
    return compiled_time, statistics.median(numpy_loss() for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps, for a smoke test")
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats per engine (median)")
    args = parser.parse_args()
    engine_steps, reference_steps = (20_000, 300) if args.quick else (1_000_000, 20_000)
    repeats = min(args.repeats, 3) if args.quick else args.repeats

    print(
        f"d={INPUT_DIM} M={N_TEACHER} k={N_PARTICLES} B={BATCH_SIZE} float64 {DISTRIBUTION}, one thread,"
        f" median of {repeats}"
    )
    start = time.perf_counter()
    for activation in ACTIVATIONS:
        time_compiled(activation, 10)  # warm-up: compile or load the cache
    print(f"warm-up (compile or load cache): {time.perf_counter() - start:.2f} s")
    rates = {}
    for activation in ACTIVATIONS:
        step_size = SETTINGS[activation][0]
        rates["engine", activation] = median_rate(time_compiled, activation, engine_steps, repeats)
        rates["reference", activation] = median_rate(time_reference, activation, reference_steps, repeats)
        engine_rate, reference_rate = rates["engine", activation], rates["reference", activation]
        print(
            f"{activation:8s} step {step_size}: compiled sgd_steps {engine_rate:12,.0f} steps/s"
            f" ({engine_steps:,} per repeat), reference {reference_rate:9,.0f} steps/s"
            f" ({reference_steps:,} per repeat), ratio {engine_rate / reference_rate:.0f}"
        )
    for n_particles in (N_PARTICLES, 100):
        for activation in ACTIVATIONS:
            compiled, numpy_time = evaluation_times(activation, n_particles, repeats)
            print(
                f"test loss, {N_TEST:,} samples, k={n_particles:3d} {activation:8s}:"
                f" compiled {compiled * 1e3:6.2f} ms, numpy {numpy_time * 1e3:6.2f} ms"
            )
    print(
        " ".join(
            f"{engine}_{activation}_steps_per_s={rates[engine, activation]:.0f}"
            for engine in ("engine", "reference")
            for activation in ACTIVATIONS
        )
    )


if __name__ == "__main__":
    main()
