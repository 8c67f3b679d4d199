"""Where a step of the compiled engine spends its time: drawing the sample against the rest.

At the setting of benchmarks/engine.py (d = 50, M = 10, k = 20, B = 1, float64, Gaussian inputs),
each step draws d = 50 standard normals for its input x from the job's PCG64 stream (numpy's
ziggurat, compiled into the kernel); the label is computed from the teacher, not drawn. This
script times, on one core:

- `draws`: 50 standard normals per step from the compiled stream, alone (`standard_normals`);
- `step`: a whole SGD step (`sgd_steps`), per activation;

and prints ns per step for each and the share of the step the draws take. The rest is the
arithmetic of the forward pass, the gradient and the update, and the loss window.

    taskset -c 1 .venv/bin/python benchmarks/engine_profile.py
"""

from __future__ import annotations

import os

for _variable in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import convexnn  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402
from engine import INPUT_DIM, time_compiled  # noqa: E402

from convexnn.random_stream import load_pcg64_state, standard_normals  # noqa: E402

N_STEPS = 1_000_000
REPEATS = 5


def draw_seconds(n_steps: int) -> float:
    """Seconds to draw n_steps x INPUT_DIM normals from the compiled stream, in chunks of one
    million numbers (the array's allocation is included, as the step allocates nothing)."""
    state = load_pcg64_state(np.random.default_rng(0))
    standard_normals(state, 10)  # compile or load
    total = n_steps * INPUT_DIM
    start = time.perf_counter()
    for _ in range(total // 1_000_000):
        standard_normals(state, 1_000_000)
    return time.perf_counter() - start


def main() -> None:
    time_compiled("relu", 1000)  # warm-up: compile or load the cache
    time_compiled("sigmoid", 1000)
    draws = 1e9 * statistics.median(draw_seconds(N_STEPS) for _ in range(REPEATS)) / N_STEPS
    print(f"draws: {draws:.0f} ns per step ({INPUT_DIM} normals, {draws / INPUT_DIM:.1f} ns each)")
    for activation in ("relu", "sigmoid"):
        step = 1e9 * statistics.median(time_compiled(activation, N_STEPS) for _ in range(REPEATS)) / N_STEPS
        print(
            f"{activation}: step {step:.0f} ns = draws {draws:.0f} ns ({100 * draws / step:.0f}%)"
            f" + the rest {step - draws:.0f} ns ({100 * (step - draws) / step:.0f}%)"
        )


if __name__ == "__main__":
    main()
