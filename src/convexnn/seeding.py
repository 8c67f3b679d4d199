"""Random streams derived from (base seed, experiment, configuration, repetition).

Every random draw of the pipeline comes from a ``numpy.random.SeedSequence`` whose entropy is a
hash of the four, so that a job rerun alone draws exactly the same numbers, two jobs that differ in
any of them draw independent streams, and a new base seed (config key ``seed``) redraws every
teacher, test set, initialisation and sample at once.
"""

from __future__ import annotations

import hashlib

import numpy as np


def seed_entropy(base_seed: int, experiment: str, configuration: str, repetition: int) -> int:
    """A 128-bit integer fixed by the four keys: the value that travels through ``params:``."""
    key = f"{int(base_seed)}|{experiment}|{configuration}|{int(repetition)}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:16], "little")


def generator(entropy: int) -> np.random.Generator:
    """The PCG64 generator of the seed sequence with this entropy."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(entropy))))
