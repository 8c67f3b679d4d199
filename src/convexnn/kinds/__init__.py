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

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class JobKind:
    """One kind of job. ``outputs`` maps an output name to its suffix: job ``id`` writes
    ``results/<name>/<id><suffix>``; ``references`` maps a record field holding another job's id to
    that job's kind (its output becomes an input); ``runtime`` gives the minutes of wall time to ask a
    cluster for, from the record and the records it references (by field)."""

    name: str  # the rule, and the folder under results/
    wildcard: str  # the rule's wildcard for a job id
    record: type
    entry: str  # the module of the job function
    outputs: Mapping[str, str]
    mem_mb: int
    runtime: Callable[..., int]
    references: Mapping[str, str] = field(default_factory=dict)
    # A kind whose one output is a run's row of its experiment's table of final results (the
    # aggregation stacks the rows); the others' runs are summarised from their curves.
    writes_final_row: bool = False

    def output_paths(self, job_id: str) -> dict[str, str]:
        return {name: f"results/{self.name}/{job_id}{suffix}" for name, suffix in self.outputs.items()}


def minutes_for(seconds: float) -> int:
    """Minutes of wall time to ask a cluster for a job estimated at ``seconds`` on one core: a margin
    of 3x and 2 minutes for start-up (workflow/profiles/slurm/config.yaml)."""
    return 2 + math.ceil(3 * seconds / 60)
