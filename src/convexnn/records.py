"""The typed records of the pipeline's jobs, made by :mod:`convexnn.plan` and read by the jobs.

Each record travels to its job through the rule's ``params:`` as a plain dict (``as_params``), which
Snakemake compares between builds: a job reruns exactly when one of its settings changes. The job
rebuilds the record with ``from_params``. Nothing here depends on another module of the package but
:mod:`convexnn.identity` (which file, and which member of it, holds a job's results), so the plan can
change without rerunning jobs whose records stay the same.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from convexnn.identity import Ref, batch_id, record_identity


class _Record:
    """What every record does: to and from the plain dict that ``params:`` carries."""

    def as_params(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_params(cls, params: dict):
        return cls(**params)


@dataclass(frozen=True)
class TeacherJob(_Record):
    """A teacher f*(x) = (1/M) sum_j w*_j sigma(v*_j . [x; 1]) and its fixed test set.

    ``kind`` "report": particles (w*_j, v*_j) ~ N(0, I) rescaled to the norm ``radius`` (report 5.1);
    "unit": w*_j = +1, v*_j uniform on the sphere of radius ``radius`` in R^d, no bias (the equal-weight
    teacher of the Chizat & Bach experiment).
    """

    id: str
    seed: int
    kind: str
    activation: str
    input_dim: int
    teacher_units: int
    radius: float
    input_distribution: str
    test_size: int

    @property
    def path(self) -> Ref:
        """The teachers of one batch share a file (:func:`convexnn.identity.batch_id`)."""
        return Ref(f"results/teacher_data/{batch_id(self.id)}.npz", self.id, record_identity(self))


@dataclass(frozen=True)
class TrainingSettings:
    """How one student is initialised and trained (:func:`convexnn.training.train`).

    ReLU particles start on the sphere of radius ``init_radius`` (r0); sigmoid particles at w = 0 with
    v ~ N(0, ``sigmoid_hidden_scale``^2 I); the other field is None. With ``symmetric_init`` the second
    half of the particles mirrors the first, (w, v) -> (-w, v), so that the initial output is 0.
    ``record_trajectory`` keeps the particles at every checkpoint (figs. 1, 2, 7 and the claims on
    trajectories); otherwise only the first and the last are kept.
    """

    activation: str
    n_particles: int
    step_size: float
    batch_size: int
    n_steps: int
    n_checkpoints: int
    train_window: int
    init_radius: float | None = None
    sigmoid_hidden_scale: float | None = None
    symmetric_init: bool = False
    record_trajectory: bool = False


@dataclass(frozen=True)
class TrainingJob(_Record):
    """One run: a student trained on the teacher ``teacher`` (a TeacherJob id). ``labels`` are the
    leading columns of its curve table: scenario, experiment, configuration and repetition."""

    id: str
    seed: int
    teacher: str
    labels: dict = field(hash=False)
    settings: TrainingSettings

    @classmethod
    def from_params(cls, params: dict) -> TrainingJob:
        return cls(**{**params, "settings": TrainingSettings(**params["settings"])})

    @property
    def curve_path(self) -> Ref:
        """The runs of one batch share a curves table and a particles archive (:func:`convexnn.identity.batch_id`)."""
        return Ref(f"results/train/{batch_id(self.id)}.csv", self.id, record_identity(self))

    @property
    def particles_path(self) -> Ref:
        return Ref(f"results/train/{batch_id(self.id)}.npz", self.id, record_identity(self))


@dataclass(frozen=True)
class BaselineJob(_Record):
    """The convex baseline: ``n_particles`` hidden units drawn like the unit teacher's (norm
    ``hidden_norm``, no bias) kept fixed, output weights fitted by least squares on ``n_samples``."""

    id: str
    seed: int
    teacher: str
    labels: dict = field(hash=False)
    n_particles: int
    hidden_norm: float
    n_samples: int

    @property
    def path(self) -> str:
        return f"results/baseline/{self.id}.csv"
