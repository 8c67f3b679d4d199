"""Which job wrote a file: the identities every intermediate carries and every checking reader compares.

A job's *identity* is a short hash of its record (its id, which names the scenario and so the base
seed, its seed and every setting): :func:`record_identity`. A file that aggregates others carries the
hash of its inputs' identities (:func:`identity`). A reader is told by the plan which identity each
file or member of a file must have, and refuses one written for another run, seed or setting
(:func:`convexnn.storage.check_members`), so that a file copied or left over from another build never
reaches a claim or a figure.

Training runs and teachers are written in *batches* (:func:`batch_id`): every run of one configuration
of one experiment whose repetitions fall in one block of :data:`BATCH_REPETITIONS`, in one job and one
file, so that a job carries enough work to be worth scheduling (a run takes about 0.2 s, Snakemake's
cost per job is of that order). A :class:`Ref` names a batch file and the member of it to read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re

# Repetitions 0-9 are one batch, 10-19 the next: a changed setting of one configuration reruns only
# that configuration's batches, and more repetitions add batches without rerunning the first ones.
BATCH_REPETITIONS = 10

_REPETITION = re.compile(r"^(?P<prefix>.+)/rep(?P<repetition>\d+)$")


def identity(*parts) -> str:
    """A 16-hex-digit sha256 of ``parts`` as canonical JSON (key order does not matter)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def record_identity(record) -> str:
    """The identity of a job from its record (a dataclass: id, seed, labels, settings)."""
    return identity(dataclasses.asdict(record))


def batch_id(job_id: str) -> str:
    """``<scenario>/<experiment>/<configuration>/reps<first>-<last>``: the batch of the job
    ``<scenario>/<experiment>/<configuration>/rep<r>``."""
    match = _REPETITION.match(job_id)
    if match is None:
        raise ValueError(f"job id {job_id!r} does not end in /rep<repetition>")
    first = int(match["repetition"]) // BATCH_REPETITIONS * BATCH_REPETITIONS
    return f"{match['prefix']}/reps{first}-{first + BATCH_REPETITIONS - 1}"


def seed_of(job_id: str) -> str:
    """The base seed in a job id (``paper/seed3/...`` -> "3"), or "?" if it names none."""
    match = re.search(r"/seed(\d+)/", f"/{job_id}")
    return match[1] if match else "?"


class Ref(str):
    """A path that Snakemake reads as a path, carrying the member of the file to read (a job id) and
    the identity the plan expects of it."""

    member: str | None
    identity: str | None

    def __new__(cls, path: str, member: str | None = None, identity: str | None = None):
        ref = super().__new__(cls, path)
        ref.member, ref.identity = member, identity
        return ref
