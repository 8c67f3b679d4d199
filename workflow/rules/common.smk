# Config validation, the plan of jobs, and the helpers that hand its records to the rules. Every list
# of experiments, figures, targets and job kinds here comes from src/convexnn/registry.py.
from convexnn.config import check_config_files, validate_config
import os
import sys
from types import SimpleNamespace

from convexnn.cost import check_cost, is_dry_run, requested_targets
from convexnn.dependencies import code_inputs
from convexnn.identity import identity, record_identity
from convexnn.jobs.aggregate import aggregate_experiment
from convexnn.jobs.baseline import fit_baseline
from convexnn.jobs.code import stale_fingerprints, write_code_fingerprint
from convexnn.jobs.claims import (
    collect_claims,
    collect_claims_by_seed,
    collect_claims_by_variation,
    collect_pooled_claims,
    experiment_claims,
    pooled_experiment_claims,
)
from convexnn.jobs.figures import (
    claims_atlas_figure,
    claims_by_seed_figure,
    as_ref,
    claims_figure,
    draw_figure,
    write_derived_table,
)
from convexnn.jobs.summary import (
    atlas_summary,
    claims_summary,
    figures_summary,
    files_summary,
    robustness_summary,
    write_config,
)
from convexnn.jobs.tables import write_claims_html, write_pooled_html
from convexnn.jobs.teacher_data import make_teacher_data
from convexnn.storage import remove_leftover_temporaries
from convexnn.jobs.train import run_training
from convexnn.kinds.adaptivity_classification import run_adaptivity_classification
from convexnn.kinds.adaptivity_regression import run_adaptivity_regression
from convexnn.kinds.conditional_gradient import (
    run_conditional_gradient,
    run_new_unit_step,
    run_support,
    run_versus_particles,
    write_rate_row,
)
from convexnn.kinds.gradient_descent import run_gradient_descent
from convexnn.kinds.kernel_error import run_kernel_error
from convexnn.plan import atlas_scenarios, describe_variation, main_scenario, make_plan, robustness_scenarios
from convexnn.registry import EXPERIMENTS, KINDS, figures_of, report_experiments, tables_of, targets

check_config_files(workflow.configfiles)
validate_config(config, workflow.source_path("../schemas/config.schema.yaml"))

# Every job of every target, made in one place from the config (src/convexnn/plan.py).
PLAN = make_plan(config)
# Checks of the whole build, made by the Snakemake that plans it (not again in each job it runs on a
# cluster, which parses this file too).
if workflow.is_main_process:
    # The cost guard: the requested targets' estimated CPU time and largest job, refused above cost_limit.
    print(check_cost(PLAN, config, requested_targets(sys.argv)), file=sys.stderr)
    # A code fingerprint that does not match the sources it names is written again: a corrupted one
    # would otherwise never be (its rule's inputs are unchanged) and would rerun every job reading it.
    for stale in stale_fingerprints():
        if is_dry_run(sys.argv):
            print(f"{stale} does not match the sources it names: a build writes it again", file=sys.stderr)
        else:
            stale.unlink()
            print(f"{stale} did not match the sources it names: removed, to be written again", file=sys.stderr)
MAIN = main_scenario(config).name
# What the figures and derived tables of the main scenario select from.
VIEW = PLAN.view(MAIN)
REPORT_EXPERIMENTS = report_experiments()
# (scenario name, variation with its "change" in words) of each atlas variation, in the order of config.yaml.
ATLAS = [
    (scenario.name, variation | {"change": describe_variation(variation)})
    for scenario, variation, _ in atlas_scenarios(config)
]
# Code that changes results is an input of each job: code_of() names the fingerprint of the modules
# its entry point (a module of src/convexnn/jobs/, or a kind's module) imports, directly or not (rule code_fingerprint,
# workflow/rules/code.smk), so that an edit reruns exactly the jobs it can change and a copied
# project stays up to date.


def code_of(entry):
    return f"results/code_fingerprint/{entry}.txt"


wildcard_constraints:
    scenario=r"[A-Za-z0-9_.+-]+/seed\d+",
    experiment="|".join(EXPERIMENTS),
    entry=r"convexnn(\.\w+)+",


# --- Jobs of the plan, by kind (src/convexnn/kinds/): one getter of each sort serves every kind -----


def job_record(kind):
    """params: the record of the job whose id is the rule's wildcard."""
    wildcard = KINDS[kind].wildcard
    return lambda wildcards: PLAN.job(kind, wildcards[wildcard]).as_params()


def job_inputs(kind):
    """input: the outputs of the jobs it references (a training run's teacher), by field."""
    wildcard = KINDS[kind].wildcard
    return lambda wildcards: PLAN.input_paths(kind, wildcards[wildcard])


def job_runtime(kind):
    """resources: minutes of wall time asked for on a cluster (see workflow/profiles/slurm/config.yaml)."""
    wildcard = KINDS[kind].wildcard
    return lambda wildcards: PLAN.runtime_minutes(kind, wildcards[wildcard])


def job_reference(kind, field):
    """params: [file, identity] of the job a job references by ``field`` (a run's teacher)."""
    wildcard = KINDS[kind].wildcard
    return lambda wildcards: next(iter(PLAN.references(kind, [wildcards[wildcard]])[field].values()))


def batch_records(kind):
    """params: the records of the jobs of the batch the rule's wildcard names (a batched kind)."""
    wildcard = KINDS[kind].wildcard
    return lambda wildcards: PLAN.batch_params(kind, wildcards[wildcard])


def batch_inputs(kind):
    """input: the files of the jobs a batch's jobs reference, by field."""
    wildcard = KINDS[kind].wildcard
    return lambda wildcards: PLAN.batch_input_paths(kind, wildcards[wildcard])


def batch_references(kind, field):
    """params: {referenced job id: [file, identity]} of a batch's jobs (a batch's runs' teachers)."""
    wildcard = KINDS[kind].wildcard
    return lambda wildcards: PLAN.references(kind, [job.id for job in PLAN.batch(kind, wildcards[wildcard])]).get(
        field, {}
    )


def figure_files(target):
    """The PNG and PDF of every figure of the experiments a target builds."""
    return [f"figures/{spec.name}.{suffix}" for _, spec in figures_of(target) for suffix in ("png", "pdf")]


def target_files(target):
    """What a target beyond the report builds: its experiments' figures, derived tables and claims."""
    claims = [
        claims_table_of(MAIN, name)
        for name, experiment in EXPERIMENTS.items()
        if experiment.target == target and experiment.claim_names
    ]
    return figure_files(target) + [spec.path for _, spec in tables_of(target)] + claims


def target_title(target):
    return ", ".join(experiment.title for experiment in EXPERIMENTS.values() if experiment.target == target)


# --- Runs of a (scenario, experiment) -------------------------------------------------------------


def _runs(wildcards):
    return PLAN.experiment(wildcards.scenario, wildcards.experiment).of("train")


def curves_of(wildcards):
    """The curve tables of the batches that hold the runs of a (scenario, experiment), each once."""
    return list(dict.fromkeys(str(job.curve_path) for job in _runs(wildcards)))


def expected_curves(wildcards):
    """[batch table, run id, identity] of each run of a (scenario, experiment), in plan order."""
    return [[str(job.curve_path), job.id, job.curve_path.identity] for job in _runs(wildcards)]


def aggregate_identity(wildcards):
    return PLAN.aggregate_identity(wildcards.scenario, wildcards.experiment)


def baselines_of(wildcards):
    return [job.path for job in PLAN.experiment(wildcards.scenario, wildcards.experiment).of("baseline")]


def _final_row_jobs(wildcards):
    """(kind, job) of the runs of a (scenario, experiment) that write their own final row."""
    planned = PLAN.experiment(wildcards.scenario, wildcards.experiment)
    return [(kind, job) for name, kind in KINDS.items() if kind.writes_final_row for job in planned.of(name)]


def final_rows_of(wildcards):
    """The tables of the runs that write their own final row (full-batch gradient descent)."""
    return [path for kind, job in _final_row_jobs(wildcards) for path in kind.output_paths(job.id).values()]


def expected_rows(wildcards):
    """[table, job id, identity] of each run that writes its own final row."""
    return [
        [path, job.id, record_identity(job)]
        for kind, job in _final_row_jobs(wildcards)
        for path in kind.output_paths(job.id).values()
    ]


def expected_baselines(wildcards):
    """[table, job id, identity] of each convex baseline of a (scenario, experiment)."""
    planned = PLAN.experiment(wildcards.scenario, wildcards.experiment)
    return [[job.path, job.id, record_identity(job)] for job in planned.of("baseline")]


def final_row_keys(wildcards):
    jobs = _final_row_jobs(wildcards)
    return list(jobs[0][1].labels) if jobs else []


def summary_value(wildcards):
    return EXPERIMENTS[wildcards.experiment].summary_value


def trajectory_runs(wildcards):
    """[particles archive, run id, identity, run labels] of the runs that record their trajectory."""
    return [
        [str(job.particles_path), job.id, job.particles_path.identity, job.labels]
        for job in _runs(wildcards)
        if job.settings.record_trajectory
    ]


def trajectory_files(wildcards):
    return list(dict.fromkeys(path for path, *_ in trajectory_runs(wildcards)))


def claims_identity_of(scenario, experiment):
    """The identity of an experiment's claims table: its finals', its trajectories' and its context's."""
    runs = PLAN.experiment(scenario, experiment).of("train")
    return identity(
        PLAN.aggregate_identity(scenario, experiment),
        [[job.id, record_identity(job)] for job in runs if job.settings.record_trajectory],
        EXPERIMENTS[experiment].claims_context(PLAN.config_of(scenario, experiment)),
    )


def claims_identity(wildcards):
    return claims_identity_of(wildcards.scenario, wildcards.experiment)


def experiment_context(wildcards):
    """The part of the config an experiment's claims read."""
    return EXPERIMENTS[wildcards.experiment].claims_context(PLAN.config_of(wildcards.scenario, wildcards.experiment))


# --- The claims under every robustness seed and every atlas variation -------------------------------


def claims_table_of(scenario, experiment):
    return f"results/experiment_claims/{scenario}/{experiment}.csv"


# {claim table: base seed} of each seed's report experiments, seed after seed, in the report's order.
ROBUSTNESS_TABLES = {
    claims_table_of(scenario.name, experiment): scenario.seed
    for scenario in robustness_scenarios(config)
    for experiment in REPORT_EXPERIMENTS
}


def pooled_finals(wildcards):
    """[finals table, position of its seed, identity] of one report experiment under every robustness seed."""
    return [
        [
            f"results/aggregate/{scenario.name}/{wildcards.experiment}/finals.csv",
            index,
            PLAN.aggregate_identity(scenario.name, wildcards.experiment),
        ]
        for index, scenario in enumerate(robustness_scenarios(config))
    ]


def pooled_trajectory_runs(wildcards):
    """[particles archive, run id, identity, run labels and the position of its seed] of the runs
    with a trajectory."""
    runs = []
    for index, scenario in enumerate(robustness_scenarios(config)):
        for job in PLAN.experiment(scenario.name, wildcards.experiment).of("train"):
            if job.settings.record_trajectory:
                ref = job.particles_path
                runs.append([str(ref), job.id, ref.identity, job.labels | {"seed_index": index}])
    return runs


def pooled_context(wildcards):
    """The part of the config the experiment's claims read (every robustness seed shares the config)."""
    return EXPERIMENTS[wildcards.experiment].claims_context(config)


def pooled_identity_of(experiment):
    """The identity of an experiment's pooled claims table: its seeds' finals and trajectories, its context."""
    wildcards = SimpleNamespace(experiment=experiment)
    return identity(
        [entry[2] for entry in pooled_finals(wildcards)],
        [[job_id, run_identity] for _, job_id, run_identity, _ in pooled_trajectory_runs(wildcards)],
        pooled_context(wildcards),
    )


def claims_identities(tables):
    """{claims table: the identity it must carry} of experiment claim tables ``tables``."""
    found = {}
    for table in tables:
        scenario, experiment = table.removeprefix("results/experiment_claims/").removesuffix(".csv").rsplit("/", 1)
        found[table] = claims_identity_of(scenario, experiment)
    return found


# --- Intermediates deleted under results that look up to date -------------------------------------


def missing_intermediates():
    """{missing file: a file built from it that exists}: Snakemake does not remake an intermediate
    whose dependants look up to date, so the build says what to run instead."""
    missing = {}
    for scenario, experiment in PLAN.experiments:
        wildcards = SimpleNamespace(scenario=scenario, experiment=experiment)
        finals = f"results/aggregate/{scenario}/{experiment}/finals.csv"
        claims = claims_table_of(scenario, experiment)
        inputs = {path: finals for path in curves_of(wildcards) + final_rows_of(wildcards)}
        inputs |= {path: finals for path, *_ in expected_baselines(wildcards)}
        inputs |= {path: claims for path in trajectory_files(wildcards)}
        inputs[finals] = claims
        for path, dependant in inputs.items():
            if os.path.exists(dependant) and not os.path.exists(path):
                missing.setdefault(path, dependant)
    return missing


for path, dependant in missing_intermediates().items() if workflow.is_main_process else []:
    print(
        f"{path} is missing while {dependant}, built from it, exists: Snakemake will not remake it; "
        f"to rebuild it and what depends on it, run `snakemake --forcerun {path} <the targets you built>`",
        file=sys.stderr,
    )
