"""The F2 learners' cost at the adaptivity experiment's size (report 3.3; `src/convexnn/kernels.py`):
`.venv/bin/python benchmarks/kernels.py`.

Times, on one BLAS thread (as the jobs run), the closed-form arc-cosine Gram matrix, kernel ridge with
its penalty chosen on a validation split over the config's 40 penalties, and the random-features
ridge with m = 100 units, at n = 512 training points, d = 50 and 10,000 test points (the regression
setting of config.yaml); median of 5 repeats. Ends with one line
`arccos_gram_seconds=... kernel_ridge_seconds=... random_features_ridge_seconds=...`.
"""

import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from convexnn.kernels import (
    arc_cosine_kernel,
    gaussian_units,
    kernel_ridge_with_validation,
    penalty_grid,
    random_feature_ridge_with_validation,
    relu_features,
    split_for_validation,
)

N_TRAIN, INPUT_DIM, TEST_SIZE, N_UNITS, REPEATS = 512, 50, 10_000, 100, 5


def median_seconds(call) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    threadpool_limits(limits=1, user_api="blas")
    rng = np.random.default_rng(0)
    train, test = rng.standard_normal((N_TRAIN, INPUT_DIM)), rng.standard_normal((TEST_SIZE, INPUT_DIM))
    targets = np.maximum(train[:, 0], 0.0) - np.maximum(train[:, 1], 0.0)
    penalties = penalty_grid(-12.0, 1.0, 40)
    split = split_for_validation(N_TRAIN, 0.25, rng)
    units = gaussian_units(rng, N_UNITS, INPUT_DIM)
    gram = median_seconds(lambda: arc_cosine_kernel(train, train))
    ridge = median_seconds(
        lambda: kernel_ridge_with_validation(arc_cosine_kernel, train, targets, test, penalties, split)
    )
    features = median_seconds(
        lambda: random_feature_ridge_with_validation(
            relu_features(train, units), targets, relu_features(test, units), penalties, split
        )
    )
    print(f"n = {N_TRAIN}, d = {INPUT_DIM}, test {TEST_SIZE}, m = {N_UNITS}, median of {REPEATS}, one BLAS thread")
    print(
        f"arccos_gram_seconds={gram:.4f} kernel_ridge_seconds={ridge:.4f} random_features_ridge_seconds={features:.4f}"
    )


if __name__ == "__main__":
    main()
