"""Job kinds, the pipeline's family of solvers: one module per kind, each declaring a :class:`JobKind`.

A kind is what one generic rule runs over a wildcard job id: its typed record (which travels to the
job through ``params:``), the module of its job function (whose imports make the job's code
fingerprint), the files one job writes, the other jobs it reads (a training run reads its teacher),
its memory and its runtime estimate for a cluster. The plan (:mod:`convexnn.plan`), the sharing of
unchanged jobs between scenarios, the rules' getters and the SLURM resources treat every kind the
same way; :mod:`convexnn.registry` lists the kinds.

The records and job functions of the first three kinds (teacher data, online SGD, the
random-features baseline) live in :mod:`convexnn.records` and :mod:`convexnn.jobs`, where every
training job's code fingerprint has always found them: moving them would rerun every training job
for no change of result. A new kind keeps its record, job function and estimate in its own module.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from threadpoolctl import threadpool_limits

from convexnn.identity import batch_id, record_identity
from convexnn.storage import PathLike, append_to_log, write_table


class Record:
    """What the record of a kind does: to and from the plain dict that ``params:`` carries, which
    Snakemake compares between builds (as :class:`convexnn.records._Record` for the first kinds,
    whose module every training job's fingerprint holds)."""

    def as_params(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_params(cls, params: dict):
        return cls(**params)


@dataclass(frozen=True)
class JobKind:
    """One kind of job. ``outputs`` maps an output name to its suffix: job ``id`` writes
    ``results/<name>/<id><suffix>``, or with ``batched`` the file of its batch,
    ``results/<name>/<batch id><suffix>`` (:func:`convexnn.identity.batch_id`), one job per batch;
    ``references`` maps a record field holding another job's id to that job's kind (its output
    becomes an input); ``seconds`` estimates a job's wall time on one core from the record and the
    records it references (by field), and ``memory_bytes`` its peak memory beyond the interpreter's
    where settings can make it large (the cost guard, :mod:`convexnn.cost`)."""

    name: str  # the rule, and the folder under results/
    wildcard: str  # the rule's wildcard for a job id
    record: type
    entry: str  # the module of the job function
    outputs: Mapping[str, str]
    mem_mb: int
    seconds: Callable[..., float]
    references: Mapping[str, str] = field(default_factory=dict)
    start_seconds: float = 0.0  # paid once per job: the interpreter, imports, compiled kernels
    batched: bool = False
    memory_bytes: Callable[..., float] | None = None
    # A kind whose one output is a run's row of its experiment's table of final results (the
    # aggregation stacks the rows); the others' runs are summarised from their curves.
    writes_final_row: bool = False

    def output_paths(self, job_id: str) -> dict[str, str]:
        """The files job ``job_id`` writes (shared with its batch's jobs if the kind is batched)."""
        file_id = batch_id(job_id) if self.batched and not job_id.startswith("{") else job_id
        return {name: f"results/{self.name}/{file_id}{suffix}" for name, suffix in self.outputs.items()}


def minutes_for(seconds: float) -> int:
    """Minutes of wall time to ask a cluster for a job estimated at ``seconds`` on one core: a margin
    of 3x and 2 minutes for start-up (workflow/profiles/slurm/config.yaml)."""
    return 2 + math.ceil(3 * seconds / 60)


def run_row_job(
    record: type, params: dict, what: str, measure: Callable, path: PathLike, log_path: PathLike | None = None
) -> None:
    """The job function of a kind whose output is one row: the job's id and identity, its labels, then
    ``measure(job)``.
    A run that diverged (a true ``*diverged`` flag in its row) is written too, flagged, and logged.

    BLAS is held to one thread in the whole process: Snakemake runs jobs as threads of one process,
    one per core, and a BLAS that also spreads each product over every core oversubscribes them (the
    limit is not undone after the job, as another job may be running; results do not depend on it)."""
    threadpool_limits(limits=1, user_api="blas")
    job = record.from_params(params)
    append_to_log(log_path, f"{what} {job.id}: {job}", first=True)
    row = measure(job)
    diverged = [name for name, value in row.items() if name.endswith("diverged") and value is not False and value]
    if diverged:
        append_to_log(log_path, f"DIVERGED: {', '.join(diverged)}")
    write_table(pd.DataFrame([{"job": job.id, "identity": record_identity(job), **job.labels, **row}]), path)
    append_to_log(log_path, ", ".join(f"{key}={value}" for key, value in row.items()))
