"""Throughput of the compiled SGD engine against the numpy reference, on one core.

Setting: d = 50, M = 10 teacher units (r = 2), k = 20 particles (r0 = 0.05), batch size 1, ReLU,
float64, Gaussian inputs: the paper setting of figs. 3-5. Both engines run from the same seed; each timing is the median of a few repeats, the
compiled one after a warm-up call so that compilation (or loading the cache) is not counted.

Run from the repository root:

    .venv/bin/python benchmarks/engine.py [--quick]

The last line printed is machine-readable:

    engine_steps_per_s=<N> reference_steps_per_s=<M> ratio=<N/M>
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
from convexnn.teacher import draw_teacher  # noqa: E402
from convexnn.training import ACTIVATION_CODES, DISTRIBUTION_CODES, sgd_steps, sgd_steps_reference  # noqa: E402

INPUT_DIM = 50
N_TEACHER = 10
N_PARTICLES = 20
BATCH_SIZE = 1
ACTIVATION = "relu"
DISTRIBUTION = "gaussian"
STEP_SIZE = 0.1  # config.yaml overparam.step_size
TEACHER_RADIUS = 2.0  # r
INIT_RADIUS = 0.05  # r0
WINDOW = 1000
SEED = 0


def setup(seed: int):
    """Teacher, initial particles and a fresh sampling generator, all from one seed."""
    rng = np.random.default_rng(seed)
    teacher = draw_teacher(rng, N_TEACHER, INPUT_DIM, TEACHER_RADIUS, ACTIVATION)
    output_weights, hidden_weights = initial_particles(rng, N_PARTICLES, INPUT_DIM, ACTIVATION, INIT_RADIUS, 1.0)
    return teacher, output_weights, hidden_weights, np.random.default_rng(seed + 1)


def time_compiled(n_steps: int) -> float:
    teacher, output_weights, hidden_weights, rng = setup(SEED)
    loss_window, window_state = np.zeros(WINDOW), np.zeros(2, dtype=np.int64)
    start = time.perf_counter()
    sgd_steps(
        output_weights, hidden_weights, teacher.output_weights, teacher.hidden_weights,
        ACTIVATION_CODES[ACTIVATION], DISTRIBUTION_CODES[DISTRIBUTION], STEP_SIZE, BATCH_SIZE,
        n_steps, rng, loss_window, window_state,
    )
    return time.perf_counter() - start


def time_reference(n_steps: int) -> float:
    teacher, output_weights, hidden_weights, rng = setup(SEED)
    loss_window, window_state = np.zeros(WINDOW), np.zeros(2, dtype=np.int64)
    start = time.perf_counter()
    sgd_steps_reference(
        output_weights, hidden_weights, teacher, DISTRIBUTION, STEP_SIZE, BATCH_SIZE, n_steps, rng,
        loss_window, window_state,
    )
    return time.perf_counter() - start


def median_rate(timer, n_steps: int, repeats: int) -> float:
    """Median steps per second over the repeats."""
    return n_steps / statistics.median(timer(n_steps) for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps, for a smoke test")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per engine (median)")
    args = parser.parse_args()
    engine_steps, reference_steps = (20_000, 500) if args.quick else (1_000_000, 20_000)
    repeats = min(args.repeats, 3) if args.quick else args.repeats

    print(
        f"d={INPUT_DIM} M={N_TEACHER} k={N_PARTICLES} B={BATCH_SIZE} {ACTIVATION} float64 {DISTRIBUTION},"
        f" one thread, median of {repeats}"
    )
    start = time.perf_counter()
    time_compiled(10)  # warm-up: compile or load the cache
    print(f"warm-up (compile or load cache): {time.perf_counter() - start:.2f} s")
    engine_rate = median_rate(time_compiled, engine_steps, repeats)
    print(f"compiled  sgd_steps:           {engine_rate:12,.0f} steps/s ({engine_steps:,} steps per repeat)")
    reference_rate = median_rate(time_reference, reference_steps, repeats)
    print(f"reference sgd_steps_reference: {reference_rate:12,.0f} steps/s ({reference_steps:,} steps per repeat)")
    print(f"engine_steps_per_s={engine_rate:.0f} reference_steps_per_s={reference_rate:.0f} ratio={engine_rate / reference_rate:.1f}")


if __name__ == "__main__":
    main()
