"""The plan: the validated config turned into the table of jobs the workflow runs.

This is the one place where run lists, seed keys, settings and result paths are made. A *scenario*
is a base seed and a variation of the paper settings ("paper" for the settings of config.yaml); an
*experiment* is a module of :mod:`convexnn.experiments` with a section of config.yaml, listed in
:mod:`convexnn.registry`, whose ``build`` lays out its grid through a :class:`Builder`; a *job* is
one record of a job kind of :mod:`convexnn.kinds` (a teacher, a training run, a baseline, ...), one
(scenario, experiment, configuration, repetition).

Each record is a frozen dataclass that travels to its job through the rule's ``params:`` as a plain
dict (``as_params``), so that Snakemake sees every setting and reruns a job exactly when one of its
settings changes. Every random stream is keyed by (base seed, experiment, configuration, repetition)
in :func:`convexnn.seeding.seed_entropy`; a teacher is keyed by the part of the configuration that
defines it, so that all k of one repetition share one teacher (paired comparisons). The job
identifiers are the result paths below ``results/<kind>/`` without suffix.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from convexnn.config import apply_variation
from convexnn.experiments.grid import label_value
from convexnn.identity import Ref, batch_id, identity, record_identity
from convexnn.kinds import minutes_for
from convexnn.records import TeacherJob, TrainingJob, TrainingSettings
from convexnn.registry import EXPERIMENTS, KINDS, report_experiments
from convexnn.seeding import seed_entropy

PAPER = "paper"


@dataclass(frozen=True)
class Scenario:
    """A base seed and a variation of the paper settings: the first two levels of every result path."""

    variation: str
    seed: int

    @property
    def name(self) -> str:
        return f"{self.variation}/seed{self.seed}"


@dataclass
class ExperimentPlan:
    """The jobs of one experiment in one scenario, by kind, in the order the experiment made them."""

    scenario: Scenario
    experiment: str
    jobs: dict[str, list] = field(default_factory=dict)

    def of(self, kind: str) -> list:
        return self.jobs.get(kind, [])


def _configuration_key(configuration: dict) -> str:
    return ",".join(f"{key}={label_value(value)}" for key, value in configuration.items())


class Builder:
    """What an experiment's ``build`` uses to add its jobs: the ids, seeds and labels of one
    (scenario, experiment), for any job kind (:meth:`job`), with shortcuts for teachers, training
    runs and baselines."""

    def __init__(self, scenario: Scenario, experiment: str):
        self.plan = ExperimentPlan(scenario, experiment)
        self.scenario, self.experiment = scenario, experiment

    def _id(self, parts: Iterable[str], repetition: int) -> str:
        return "/".join([self.scenario.name, self.experiment, *parts, f"rep{repetition}"])

    def _seed(self, configuration: dict, repetition: int, stream: str | None = None) -> int:
        """The entropy of a stream keyed by (base seed, experiment or ``stream``, configuration, repetition)."""
        return seed_entropy(
            self.scenario.seed, stream or self.experiment, _configuration_key(configuration), repetition
        )

    def _labels(self, labels: dict, repetition: int) -> dict:
        # The scenario is in the path, not the labels: a run that a variation leaves unchanged is the
        # same file in both scenarios (see _share_with).
        return {"experiment": self.experiment, **labels, "repetition": repetition}

    def job(
        self,
        job_kind: str,
        path_parts: list[str],
        seed_configuration: dict,
        repetition: int,
        /,
        *,
        labels: dict | None = None,
        stream: str | None = None,
        **fields,
    ):
        """A job of ``job_kind`` with id ``<scenario>/<experiment>/<path_parts>/rep<repetition>``, the seed
        keyed by ``seed_configuration`` (in the stream of the experiment, or ``stream``), run labels
        (for kinds whose record has them) and the record's other ``fields``."""
        values = {"id": self._id(path_parts, repetition), "seed": self._seed(seed_configuration, repetition, stream)}
        if labels is not None:
            values["labels"] = self._labels(labels, repetition)
        job = KINDS[job_kind].record(**values, **fields)
        self.plan.jobs.setdefault(job_kind, []).append(job)
        return job

    def teacher(self, configuration: dict, repetition: int, **settings) -> TeacherJob:
        """A teacher keyed by ``configuration`` (the grid values it depends on)."""
        parts = [label_value(value) for value in configuration.values()]
        return self.job("teacher_data", parts, configuration, repetition, **settings)

    def run(
        self,
        teacher: TeacherJob,
        path_parts: list[str],
        seed_configuration: dict,
        labels: dict,
        repetition: int,
        settings: TrainingSettings,
    ) -> TrainingJob:
        """A student trained by online SGD on ``teacher``."""
        return self.job(
            "train", path_parts, seed_configuration, repetition, labels=labels, teacher=teacher.id, settings=settings
        )


def plan_experiment(config: dict, scenario: Scenario, experiment: str) -> ExperimentPlan:
    """The jobs of one experiment of ``config`` (already validated) in one scenario."""
    builder = Builder(scenario, experiment)
    EXPERIMENTS[experiment].build(config, builder)
    return builder.plan


class Plan:
    """Every job of the requested (scenario, experiment) pairs, by kind and id, and the selections the
    rules ask for. Ids are unique across scenarios because the scenario is the first part of every id.

    A pair may carry its own config (an atlas variation); a job of it that is identical to a job of
    the paper scenario with the same base seed (same settings, seed and referenced jobs) is that job:
    it is run once and its results are shared."""

    def __init__(self, pairs: Iterable[tuple[Scenario, str, dict]]):
        self.experiments: dict[tuple[str, str], ExperimentPlan] = {}
        self.configs: dict[tuple[str, str], dict] = {}
        self.jobs: dict[str, dict] = {kind: {} for kind in KINDS}
        for scenario, experiment, config in pairs:
            if (scenario.name, experiment) in self.experiments:
                continue
            planned = plan_experiment(config, scenario, experiment)
            paper = self.experiments.get((Scenario(PAPER, scenario.seed).name, experiment))
            if paper is not None and scenario.variation != PAPER:
                planned = _share_with(planned, paper)
            self.experiments[scenario.name, experiment] = planned
            self.configs[scenario.name, experiment] = config
            for kind, jobs in planned.jobs.items():
                self.jobs[kind].update((job.id, job) for job in jobs)
        # {kind: {batch id: [job, ...]}} of the kinds whose jobs run in batches, in plan order
        self.batches: dict[str, dict[str, list]] = {}
        for kind, spec in KINDS.items():
            if spec.batched:
                batches = self.batches.setdefault(kind, {})
                for job in self.jobs[kind].values():
                    batches.setdefault(batch_id(job.id), []).append(job)

    def config_of(self, scenario: str, experiment: str) -> dict:
        """The config a (scenario, experiment) was planned from (with its variation applied)."""
        self.experiment(scenario, experiment)
        return self.configs[scenario, experiment]

    def experiment(self, scenario: str, experiment: str) -> ExperimentPlan:
        try:
            return self.experiments[scenario, experiment]
        except KeyError:
            raise KeyError(f"experiment {experiment!r} of scenario {scenario!r} is not in the plan") from None

    def job(self, kind: str, job_id: str):
        try:
            return self.jobs[kind][job_id]
        except KeyError:
            raise KeyError(f"{job_id!r} is not a {kind} job of the plan made from the config") from None

    def referenced(self, kind: str, job) -> dict:
        """{field: record} of the jobs that ``job`` reads (a training run's teacher)."""
        return {name: self.job(other, getattr(job, name)) for name, other in KINDS[kind].references.items()}

    def input_paths(self, kind: str, job_id: str) -> dict[str, str]:
        """{field: path} of the files a job reads: the outputs of the jobs it references."""
        job = self.job(kind, job_id)
        paths = {}
        for name, other in KINDS[kind].references.items():
            (path,) = KINDS[other].output_paths(getattr(job, name)).values()
            paths[name] = path
        return paths

    def runtime_minutes(self, kind: str, job_id: str) -> int:
        """Minutes of wall time to ask a cluster for (the kind's estimate); for a batched kind,
        ``job_id`` is a batch's id, and the estimate covers its jobs one after the other."""
        return minutes_for(self.seconds(kind, job_id))

    def seconds(self, kind: str, job_id: str) -> float:
        """The estimated wall time on one core of the job ``job_id`` (of a batch's id for a batched kind)."""
        spec = KINDS[kind]
        return spec.start_seconds + sum(
            spec.seconds(job, **self.referenced(kind, job)) for job in self.members(kind, job_id)
        )

    def file_id(self, kind: str, job_id: str) -> str:
        """The id of the scheduled job that runs ``job_id``: its batch's for a batched kind."""
        return batch_id(job_id) if KINDS[kind].batched else job_id

    def memory_bytes(self, kind: str, job_id: str) -> float:
        """The estimated peak memory of the job ``job_id`` (a batch's id for a batched kind): its
        kind's ``mem_mb``, or the estimate from its settings where that is larger (the batch's runs
        are held until the batch is written)."""
        spec = KINDS[kind]
        jobs = self.batch(kind, job_id) if spec.batched else [self.job(kind, job_id)]
        estimated = (
            sum(spec.memory_bytes(job, **self.referenced(kind, job)) for job in jobs) if spec.memory_bytes else 0.0
        )
        return max(spec.mem_mb * 2**20, estimated)

    def members(self, kind: str, job_id: str) -> list:
        """The jobs a scheduled job runs: a batch's for a batched kind, else the job alone."""
        return self.batch(kind, job_id) if KINDS[kind].batched else [self.job(kind, job_id)]

    def batch(self, kind: str, batch: str) -> list:
        """The jobs of one batch of a batched kind, in plan order."""
        try:
            return self.batches[kind][batch]
        except KeyError:
            raise KeyError(f"{batch!r} is not a batch of {kind} jobs of the plan made from the config") from None

    def batch_params(self, kind: str, batch: str) -> list[dict]:
        """params: the records of a batch's jobs."""
        return [job.as_params() for job in self.batch(kind, batch)]

    def batch_input_paths(self, kind: str, batch: str) -> dict[str, list[str]]:
        """input: {field: the files of the jobs a batch's jobs reference} (each file once)."""
        paths: dict[str, dict[str, None]] = {}
        for job in self.batch(kind, batch):
            for name, path in self.input_paths(kind, job.id).items():
                paths.setdefault(name, {})[path] = None
        return {name: list(files) for name, files in paths.items()}

    def references(self, kind: str, job_ids: Iterable[str]) -> dict[str, dict[str, list]]:
        """params: {field: {referenced job id: [its file, its identity]}} of the jobs ``job_ids``."""
        found: dict[str, dict[str, list]] = {}
        for job_id in job_ids:
            job = self.job(kind, job_id)
            for name, other in self.referenced(kind, job).items():
                (path,) = KINDS[KINDS[kind].references[name]].output_paths(other.id).values()
                found.setdefault(name, {})[other.id] = [path, record_identity(other)]
        return found

    def aggregate_identity(self, scenario: str, experiment: str) -> str:
        """The identity of the aggregate tables of (scenario, experiment): the hash of the identities
        of every job of the experiment there."""
        planned = self.experiment(scenario, experiment)
        return identity(
            scenario,
            experiment,
            [[kind, job.id, record_identity(job)] for kind in KINDS for job in planned.of(kind)],
        )

    def select(self, scenario: str, experiment: str, kind: str = "train", **where) -> list:
        """The jobs of ``kind`` of (scenario, experiment) whose labels equal every ``where`` value (a
        list or tuple value means any of its elements), in plan order."""

        def matches(job) -> bool:
            return all(
                job.labels.get(key) in (value if isinstance(value, (list, tuple)) else [value])
                for key, value in where.items()
            )

        return [job for job in self.experiment(scenario, experiment).of(kind) if matches(job)]

    def view(self, scenario: str) -> ScenarioView:
        return ScenarioView(self, scenario)


@dataclass(frozen=True)
class ScenarioView:
    """What a figure or table of an experiment selects from (:class:`convexnn.experiments.base.View`):
    the jobs and aggregate tables of one scenario, and the config of each experiment there."""

    plan: Plan
    scenario: str

    def section(self, experiment: str) -> dict:
        """The experiment's section of the config it was planned from."""
        return self.plan.config_of(self.scenario, experiment)[experiment]

    def runs(self, experiment: str, **where) -> list[TrainingJob]:
        return self.plan.select(self.scenario, experiment, "train", **where)

    def jobs(self, experiment: str, kind: str, **where) -> list:
        return self.plan.select(self.scenario, experiment, kind, **where)

    def aggregate(self, experiment: str, table: str) -> Ref:
        """An aggregate table of the experiment, with the identity it must carry."""
        return Ref(
            f"results/aggregate/{self.scenario}/{experiment}/{table}.csv",
            identity=self.plan.aggregate_identity(self.scenario, experiment),
        )


def _without_id(job, **fields):
    return dataclasses.replace(job, id="", **fields)


def _share_with(planned: ExperimentPlan, paper: ExperimentPlan) -> ExperimentPlan:
    """``planned`` with every job that equals one of ``paper`` (but for its id, once the jobs it
    references are shared) replaced by the paper's job, so that it is computed once. Kinds are taken
    in the registry's order, which puts a referenced kind before the kinds that reference it."""
    renamed: dict[tuple[str, str], str] = {}
    shared: dict[str, list] = {}
    for kind, spec in KINDS.items():
        paper_jobs = {_without_id(job): job for job in paper.of(kind)}
        for job in planned.of(kind):
            references = {name: renamed[other, getattr(job, name)] for name, other in spec.references.items()}
            job_with_shared_references = dataclasses.replace(job, **references)
            chosen = paper_jobs.get(_without_id(job_with_shared_references), job_with_shared_references)
            renamed[kind, job.id] = chosen.id
            shared.setdefault(kind, []).append(chosen)
    return ExperimentPlan(planned.scenario, planned.experiment, shared)


def main_scenario(config: dict) -> Scenario:
    """The scenario of `snakemake figures`, `claims` and `beyond`: the paper settings, base seed ``seed``."""
    return Scenario(PAPER, int(config["seed"]))


def robustness_scenarios(config: dict) -> list[Scenario]:
    """The paper settings under each base seed of ``robustness.seeds`` (`snakemake robustness`)."""
    return [Scenario(PAPER, int(seed)) for seed in config["robustness"]["seeds"]]


def atlas_scenarios(config: dict) -> list[tuple[Scenario, dict, dict]]:
    """(scenario, variation, varied config) of each variation of ``atlas`` (`snakemake atlas`), at
    the base seed ``seed``."""
    return [
        (Scenario(variation["name"], int(config["seed"])), variation, apply_variation(config, variation))
        for variation in config.get("atlas", [])
    ]


def describe_variation(variation: dict) -> str:
    """'teacher_units = 4', 'step_size x 5': what an atlas variation changes, in a few words."""
    parts = [f"{key} = {value}" for key, value in variation.get("set", {}).items()]
    parts += [f"{key} x {factor:g}" for key, factor in variation.get("scale", {}).items()]
    return ", ".join(parts)


def make_plan(config: dict) -> Plan:
    """The plan of every target of the workflow: figures, claims and beyond in the main scenario, the
    report's experiments under every robustness seed, and each atlas variation's experiment."""
    main = main_scenario(config)
    pairs = [(main, experiment, config) for experiment in EXPERIMENTS]
    pairs += [
        (scenario, experiment, config)
        for scenario in robustness_scenarios(config)
        for experiment in report_experiments()
    ]
    pairs += [(scenario, variation["experiment"], varied) for scenario, variation, varied in atlas_scenarios(config)]
    return Plan(pairs)
