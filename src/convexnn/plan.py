"""The plan: the validated config turned into the table of jobs the workflow runs.

This is the one place where run lists, seed keys, settings and result paths are made. A *scenario*
is a base seed and a variation of the paper settings ("paper" for the settings of config.yaml); an
*experiment* is a section of config.yaml that trains particles (``EXPERIMENTS``); a *run* is one
(scenario, experiment, configuration, repetition), where the configuration is the point of the
experiment's grid (activation, number of particles k, initialisation radius r0, ...).

Three kinds of jobs come out of it, each a frozen dataclass that travels to its job through the
rule's ``params:`` as a plain dict (:meth:`as_params`), so that Snakemake sees every setting and
reruns a job exactly when one of its settings changes:

- :class:`TeacherJob`: one repetition's teacher network and fixed test set (report 5.1, 5.2);
- :class:`TrainingJob`: one student trained by online SGD on one teacher;
- :class:`BaselineJob`: the convex baseline of the Chizat & Bach experiment (random features).

Every random stream is keyed by (base seed, experiment, configuration, repetition) in
:func:`convexnn.seeding.seed_entropy`; a teacher is keyed by the part of the configuration that
defines it, so that all k of one repetition share one teacher (paired comparisons). The job
identifiers are the result paths below ``results/<rule>/`` without suffix.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from convexnn.config import apply_variation
from convexnn.records import BaselineJob, TeacherJob, TrainingJob, TrainingSettings
from convexnn.seeding import seed_entropy

PAPER = "paper"
# Experiments of config.yaml that train particles, in the order of the report (section 5), then
# beyond it. The views training_curves (fig. 3) and lazy_vs_active (fig. 7) pick runs of these.
EXPERIMENTS = ("relu_trajectories", "sigmoid_trajectories", "overparam", "r0_sweep", "cb2018")
REPORT_EXPERIMENTS = EXPERIMENTS[:4]
# A run that no figure draws as a curve still records its test loss at this many log-spaced
# checkpoints: enough to see whether it is still falling at the end, at a small fraction of the cost
# of the curve runs' evaluations (each is a pass over the 10,000-sample test set).
DIAGNOSTIC_CHECKPOINTS = 12
# The loss summarised over repetitions: the excess loss, or for Chizat & Bach the excess loss divided
# by 1/2 Var(y) (see convexnn.teacher.constant_predictor_loss).
SUMMARY_VALUE = {"cb2018": "normalised_loss"}
# The baselines' stream: separate from the training runs' (same configuration keys).
_BASELINE_STREAM = "cb2018_baseline"


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
    """The jobs of one experiment in one scenario."""

    scenario: Scenario
    experiment: str
    teachers: list[TeacherJob] = field(default_factory=list)
    runs: list[TrainingJob] = field(default_factory=list)
    baselines: list[BaselineJob] = field(default_factory=list)


def _label_value(value) -> str:
    """How a configuration value appears in seed keys and paths: str(float) round-trips exactly."""
    return str(float(value)) if isinstance(value, float) else str(value)


def _configuration_key(configuration: dict) -> str:
    return ",".join(f"{key}={_label_value(value)}" for key, value in configuration.items())


class _Builder:
    """Makes the ids, seeds and labels of one (scenario, experiment)."""

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

    def teacher(self, configuration: dict, repetition: int, **settings) -> TeacherJob:
        """A teacher keyed by ``configuration`` (the grid values it depends on)."""
        job = TeacherJob(
            id=self._id([_label_value(value) for value in configuration.values()], repetition),
            seed=self._seed(configuration, repetition),
            **settings,
        )
        self.plan.teachers.append(job)
        return job

    def run(
        self,
        teacher: TeacherJob,
        path_parts: list[str],
        seed_configuration: dict,
        labels: dict,
        repetition: int,
        settings: TrainingSettings,
    ) -> TrainingJob:
        job = TrainingJob(
            id=self._id(path_parts, repetition),
            seed=self._seed(seed_configuration, repetition),
            teacher=teacher.id,
            labels=self._labels(labels, repetition),
            settings=settings,
        )
        self.plan.runs.append(job)
        return job

    def baseline(
        self,
        teacher: TeacherJob,
        path_parts: list[str],
        seed_configuration: dict,
        labels: dict,
        repetition: int,
        **settings,
    ) -> BaselineJob:
        job = BaselineJob(
            id=self._id(path_parts, repetition),
            seed=self._seed(seed_configuration, repetition, stream=_BASELINE_STREAM),
            teacher=teacher.id,
            labels=self._labels(labels, repetition),
            **settings,
        )
        self.plan.baselines.append(job)
        return job


def _report_teacher(builder: _Builder, section: dict, activation: str, repetition: int) -> TeacherJob:
    """The teacher of a report experiment: the report's (``teacher_kind: report``, the default), or the
    equal-weight teacher of the Chizat & Bach experiment with |v*| = teacher_radius (``unit``)."""
    return builder.teacher(
        {"activation": activation},
        repetition,
        kind=section.get("teacher_kind", "report"),
        activation=activation,
        input_dim=section["input_dim"],
        teacher_units=section["teacher_units"],
        radius=float(section["teacher_radius"]),
        input_distribution=section["input_distribution"],
        test_size=section["test_size"],
    )


def _settings(section: dict, activation: str, n_particles: int, **overrides) -> TrainingSettings:
    """The training settings of a section of the config (overridden by ``overrides``): the step size
    may be per activation, and only the initialisation scale of the run's activation is kept."""
    values = section | overrides
    step_size = values["step_size"]
    return TrainingSettings(
        activation=activation,
        n_particles=int(n_particles),
        step_size=float(step_size[activation] if isinstance(step_size, dict) else step_size),
        batch_size=values["batch_size"],
        n_steps=values["n_steps"],
        n_checkpoints=values["n_checkpoints"],
        train_window=values["train_window"],
        init_radius=float(values["init_radius"]) if activation == "relu" else None,
        sigmoid_hidden_scale=float(values["sigmoid_hidden_scale"]) if activation == "sigmoid" else None,
        symmetric_init=bool(values.get("symmetric_init", False)),
        record_trajectory=values.get("record_trajectory", False),
    )


def _overparam(config: dict, builder: _Builder) -> None:
    """Report 5.2, figs. 3-5: every (activation, k, repetition); one teacher per (activation,
    repetition). Fig. 3's runs record the whole curve, the others a few diagnostic checkpoints."""
    section, curves = config["overparam"], config["training_curves"]
    pairs = [
        (activation, repetition)
        for activation in section["activations"]
        for repetition in range(repetitions_of(section, activation))
    ]
    for activation, repetition in pairs:
        teacher = _report_teacher(builder, section, activation, repetition)
        for k in section["n_particles"]:
            drawn = (
                activation == curves["activation"] and k in curves["n_particles"] and repetition == curves["repetition"]
            )
            configuration = {"activation": activation, "n_particles": k}
            settings = _settings(
                section, activation, k, n_checkpoints=section["n_checkpoints"] if drawn else DIAGNOSTIC_CHECKPOINTS
            )
            builder.run(teacher, [activation, f"k{k}"], configuration, configuration, repetition, settings)


def repetitions_of(section: dict, activation: str) -> int:
    """An experiment's number of repetitions: one number, or one per activation."""
    repetitions = section["repetitions"]
    return repetitions[activation] if isinstance(repetitions, dict) else repetitions


def _relu_trajectories(config: dict, builder: _Builder) -> None:
    """Report 5.1, fig. 1 and claim C1: a scan of repetitions, all with trajectories."""
    section = config["relu_trajectories"]
    for repetition in range(section["repetitions"]):
        teacher = _report_teacher(builder, section, "relu", repetition)
        settings = _settings(section, "relu", section["n_particles"], record_trajectory=True)
        builder.run(
            teacher, [], {}, {"activation": "relu", "n_particles": section["n_particles"]}, repetition, settings
        )


def _sigmoid_trajectories(config: dict, builder: _Builder) -> None:
    """Report 5.1, fig. 2 and claims C2-C4: (k, repetition), all with trajectories."""
    section = config["sigmoid_trajectories"]
    for repetition in range(section["repetitions"]):
        teacher = _report_teacher(builder, section, "sigmoid", repetition)
        for k in section["n_particles"]:
            settings = _settings(section, "sigmoid", k, record_trajectory=True)
            builder.run(
                teacher,
                [f"k{k}"],
                {"n_particles": k},
                {"activation": "sigmoid", "n_particles": k},
                repetition,
                settings,
            )


def _r0_sweep(config: dict, builder: _Builder) -> None:
    """Report 5.3, figs. 6-7 and claims C8-C9: (r0, repetition), one teacher per repetition shared
    by every r0; the radii of fig. 7 keep their trajectories."""
    section, drawn = config["r0_sweep"], config["lazy_vs_active"]["init_radius"]
    for repetition in range(section["repetitions"]):
        teacher = _report_teacher(builder, section, "relu", repetition)
        for radius in section["init_radius"]:
            settings = _settings(
                section, "relu", section["n_particles"], init_radius=float(radius), record_trajectory=radius in drawn
            )
            builder.run(
                teacher,
                [f"r0_{_label_value(float(radius))}"],
                {"init_radius": float(radius)},
                {"activation": "relu", "n_particles": section["n_particles"], "init_radius": float(radius)},
                repetition,
                settings,
            )


def cb2018_training_grid(section: dict) -> list[tuple[str, str, str, int]]:
    """(teacher, protocol, activation, m) of every Chizat & Bach run: the full grid with the unit
    teacher and the converging protocol, and the side-by-side of both teachers and protocols."""
    runs = {
        ("unit", "converge", activation, m) for activation in section["activations"] for m in section["n_particles"]
    }
    comparison = section["comparison"]
    runs |= {
        (teacher, protocol, comparison["activation"], m)
        for teacher in section["teachers"]
        for protocol in section["protocols"]
        for m in comparison["n_particles"]
    }
    return sorted(runs)


def _cb2018(config: dict, builder: _Builder) -> None:
    """Beyond the report: Chizat & Bach's excess loss against m (d = 100, m0 = 20), two teachers x
    two protocols, and the convex baseline on the unit teacher. The training seed leaves the protocol
    out, so that both protocols start from the same particles and draw the same samples."""
    section = config["cb2018"]
    teachers = {}
    grid = cb2018_training_grid(section)
    for repetition in range(section["repetitions"]):
        for teacher_kind, activation in sorted({(teacher, activation) for teacher, _, activation, _ in grid}):
            radius = (
                section["teachers"]["unit"]["hidden_norm"][activation]
                if teacher_kind == "unit"
                else section["teachers"]["report"]["teacher_radius"]
            )
            teachers[teacher_kind, activation, repetition] = builder.teacher(
                {"teacher": teacher_kind, "activation": activation},
                repetition,
                kind=teacher_kind,
                activation=activation,
                input_dim=section["input_dim"],
                teacher_units=section["teacher_units"],
                radius=float(radius),
                input_distribution=section["input_distribution"],
                test_size=section["test_size"],
            )
        for teacher_kind, protocol, activation, m in grid:
            steps = {
                key: value[activation] if isinstance(value, dict) else value
                for key, value in section["protocols"][protocol].items()
            }
            settings = _settings(
                steps | {"n_checkpoints": DIAGNOSTIC_CHECKPOINTS, "train_window": section["train_window"]},
                activation,
                m,
            )
            seed_configuration = {"teacher": teacher_kind, "activation": activation, "n_particles": m}
            labels = {"teacher": teacher_kind, "protocol": protocol, "activation": activation, "n_particles": m}
            builder.run(
                teachers[teacher_kind, activation, repetition],
                [teacher_kind, protocol, activation, f"m{m}"],
                seed_configuration,
                labels,
                repetition,
                settings,
            )
        for activation, m in itertools.product(section["activations"], section["n_particles"]):
            seed_configuration = {"teacher": "unit", "activation": activation, "n_particles": m}
            builder.baseline(
                teachers["unit", activation, repetition],
                ["unit", activation, f"m{m}"],
                seed_configuration,
                seed_configuration,
                repetition,
                n_particles=m,
                hidden_norm=float(section["teachers"]["unit"]["hidden_norm"][activation]),
                n_samples=section["baseline_samples"],
            )


_EXPERIMENT_BUILDERS = {
    "overparam": _overparam,
    "relu_trajectories": _relu_trajectories,
    "sigmoid_trajectories": _sigmoid_trajectories,
    "r0_sweep": _r0_sweep,
    "cb2018": _cb2018,
}


def plan_experiment(config: dict, scenario: Scenario, experiment: str) -> ExperimentPlan:
    """The jobs of one experiment of ``config`` (already validated) in one scenario."""
    builder = _Builder(scenario, experiment)
    _EXPERIMENT_BUILDERS[experiment](config, builder)
    return builder.plan


class Plan:
    """Every job of the requested (scenario, experiment) pairs, by id, and the selections the rules
    ask for. Ids are unique across scenarios because the scenario is the first part of every id.

    A pair may carry its own config (an atlas variation); a job of it that is identical to a job of
    the paper scenario with the same base seed (same settings, seed and teacher) is that job: it is
    run once and its results are shared."""

    def __init__(self, pairs: Iterable[tuple[Scenario, str, dict]]):
        self.experiments: dict[tuple[str, str], ExperimentPlan] = {}
        self.configs: dict[tuple[str, str], dict] = {}
        self.teachers: dict[str, TeacherJob] = {}
        self.runs: dict[str, TrainingJob] = {}
        self.baselines: dict[str, BaselineJob] = {}
        for scenario, experiment, config in pairs:
            if (scenario.name, experiment) in self.experiments:
                continue
            planned = plan_experiment(config, scenario, experiment)
            paper = self.experiments.get((Scenario(PAPER, scenario.seed).name, experiment))
            if paper is not None and scenario.variation != PAPER:
                planned = _share_with(planned, paper)
            self.experiments[scenario.name, experiment] = planned
            self.configs[scenario.name, experiment] = config
            self.teachers.update((job.id, job) for job in planned.teachers)
            self.runs.update((job.id, job) for job in planned.runs)
            self.baselines.update((job.id, job) for job in planned.baselines)

    def config_of(self, scenario: str, experiment: str) -> dict:
        """The config a (scenario, experiment) was planned from (with its variation applied)."""
        self.experiment(scenario, experiment)
        return self.configs[scenario, experiment]

    def experiment(self, scenario: str, experiment: str) -> ExperimentPlan:
        try:
            return self.experiments[scenario, experiment]
        except KeyError:
            raise KeyError(f"experiment {experiment!r} of scenario {scenario!r} is not in the plan") from None

    def run(self, run_id: str) -> TrainingJob:
        return _lookup(self.runs, run_id, "training run")

    def teacher(self, teacher_id: str) -> TeacherJob:
        return _lookup(self.teachers, teacher_id, "teacher")

    def baseline(self, baseline_id: str) -> BaselineJob:
        return _lookup(self.baselines, baseline_id, "baseline")

    def runtime_minutes(self, job: TrainingJob) -> int:
        """Minutes of wall time to ask a cluster for: :func:`estimated_training_seconds` with a
        margin of 3x and 2 minutes for start-up (workflow/profiles/slurm/config.yaml)."""
        teacher = self.teacher(job.teacher)
        return 2 + math.ceil(3 * estimated_training_seconds(job.settings, teacher) / 60)

    def select(self, scenario: str, experiment: str, **where) -> list[TrainingJob]:
        """The runs of (scenario, experiment) whose labels equal every ``where`` value (a list or
        tuple value means any of its elements), in plan order."""

        def matches(job: TrainingJob) -> bool:
            return all(
                job.labels.get(key) in (value if isinstance(value, (list, tuple)) else [value])
                for key, value in where.items()
            )

        return [job for job in self.experiment(scenario, experiment).runs if matches(job)]


def _without_id(job, **fields):
    return dataclasses.replace(job, id="", **fields)


def _share_with(planned: ExperimentPlan, paper: ExperimentPlan) -> ExperimentPlan:
    """``planned`` with every teacher and run that equals one of ``paper`` (but for its id) replaced
    by the paper's job, so that it is computed once."""
    paper_teachers = {_without_id(job): job for job in paper.teachers}
    teachers = [paper_teachers.get(_without_id(job), job) for job in planned.teachers]
    renamed = {old.id: new.id for old, new in zip(planned.teachers, teachers)}
    paper_runs = {_without_id(job): job for job in paper.runs}
    runs = []
    for job in planned.runs:
        job = dataclasses.replace(job, teacher=renamed[job.teacher])
        runs.append(paper_runs.get(_without_id(job), job))
    paper_baselines = {_without_id(job): job for job in paper.baselines}
    baselines = [
        paper_baselines.get(
            _without_id(job, teacher=renamed[job.teacher]), dataclasses.replace(job, teacher=renamed[job.teacher])
        )
        for job in planned.baselines
    ]
    return ExperimentPlan(planned.scenario, planned.experiment, teachers, runs, baselines)


def _lookup(jobs: dict, job_id: str, kind: str):
    try:
        return jobs[job_id]
    except KeyError:
        raise KeyError(f"{job_id!r} is not a {kind} of the plan made from the config") from None


# A training job's cost on one core of this project's machine, fitted to jobs run alone by
# benchmarks/job_resources.py (which prints them beside these estimates): the largest Chizat & Bach
# job (d = 100, m = 199, 4e6 steps, 1.7e11 multiply-adds) took 33 s; the costliest job per sample,
# sigmoid in 2-D with k = 50 and batch 10 (5e6 samples), 7 s beyond start-up; an evaluation of
# k = 100 particles on 10,000 samples (5e7 multiply-adds) 8 ms (benchmarks/engine.py).
SECONDS_PER_STEP_MULTIPLY_ADD = 2.0e-10
SECONDS_PER_SAMPLE = 1.5e-6  # drawing the sample, the loss window, the loop: what d and k do not scale
SECONDS_PER_EVALUATION_MULTIPLY_ADD = 2.0e-10
SECONDS_TO_START = 5.0  # interpreter, imports, the compiled kernels from the cache


def estimated_training_seconds(settings: TrainingSettings, teacher: TeacherJob) -> float:
    """A training job's wall time on one core: start-up; per sample, a constant and a forward pass
    through the teacher and the student and a backward pass through the student, (M + 2k)(d + 1)
    multiply-adds; per checkpoint, a pass of the student over the test set, n k (d + 1)."""
    width = teacher.input_dim + 1
    samples = settings.n_steps * settings.batch_size
    sgd = samples * (teacher.teacher_units + 2 * settings.n_particles) * width
    evaluations = settings.n_checkpoints * teacher.test_size * settings.n_particles * width
    return (
        SECONDS_TO_START
        + samples * SECONDS_PER_SAMPLE
        + sgd * SECONDS_PER_STEP_MULTIPLY_ADD
        + evaluations * SECONDS_PER_EVALUATION_MULTIPLY_ADD
    )


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
        (scenario, experiment, config) for scenario in robustness_scenarios(config) for experiment in REPORT_EXPERIMENTS
    ]
    pairs += [(scenario, variation["experiment"], varied) for scenario, variation, varied in atlas_scenarios(config)]
    return Plan(pairs)


def claims_context(config: dict) -> dict:
    """The settings the claims need beyond the results (:func:`convexnn.claims.claims_of_experiment`)."""
    curves = config["training_curves"]
    return {
        "teacher_units": config["overparam"]["teacher_units"],
        "curve_activation": curves["activation"],
        "curve_n_particles": list(curves["n_particles"]),
        "curve_repetition": curves["repetition"],
        "lazy_vs_active": [float(radius) for radius in config["lazy_vs_active"]["init_radius"]],
    }
