# Config validation, the plan of jobs, and the helpers that hand its records to the rules.
from convexnn.config import validate_config
from convexnn.dependencies import code_inputs
from convexnn.jobs.aggregate import aggregate_experiment, write_transitions
from convexnn.jobs.baseline import fit_baseline
from convexnn.jobs.code import write_code_fingerprint
from convexnn.jobs.claims import collect_claims, collect_claims_by_seed, collect_claims_by_variation, experiment_claims
from convexnn.jobs.figures import (
    cb2018_protocols_figure,
    cb2018_transition_figure,
    claims_atlas_figure,
    claims_by_seed_figure,
    claims_figure,
    excess_loss_figure,
    lazy_vs_active_figure,
    r0_sweep_figure,
    relu_trajectories_figure,
    sigmoid_trajectories_figure,
    training_curves_figure,
)
from convexnn.jobs.summary import (
    atlas_summary,
    claims_summary,
    figures_summary,
    files_summary,
    robustness_summary,
    write_config,
)
from convexnn.jobs.tables import write_claims_html
from convexnn.jobs.teacher_data import make_teacher_data
from convexnn.jobs.train import run_training
from convexnn.plan import (
    EXPERIMENTS,
    REPORT_EXPERIMENTS,
    SUMMARY_VALUE,
    atlas_scenarios,
    claims_context,
    describe_variation,
    main_scenario,
    make_plan,
    robustness_scenarios,
)

validate_config(config, workflow.source_path("../schemas/config.schema.yaml"))

# Every job of every target, made in one place from the config (src/convexnn/plan.py).
PLAN = make_plan(config)
MAIN = main_scenario(config).name
ROBUSTNESS_SEEDS = [scenario.seed for scenario in robustness_scenarios(config)]
# (scenario name, variation with its "change" in words) of each atlas variation, in the order of config.yaml.
ATLAS = [
    (scenario.name, variation | {"change": describe_variation(variation)})
    for scenario, variation, _ in atlas_scenarios(config)
]
# Code that changes results is an input of each job: code_of() names the fingerprint of the modules
# its entry point (a module of src/convexnn/jobs/) imports, directly or not (rule code_fingerprint,
# workflow/rules/code.smk), so that an edit reruns exactly the jobs it can change and a copied
# project stays up to date.


def code_of(entry):
    return f"results/code_fingerprint/{entry}.txt"


wildcard_constraints:
    scenario=r"[A-Za-z0-9_.+-]+/seed\d+",
    experiment="|".join(EXPERIMENTS),
    entry=r"convexnn(\.\w+)+",


# --- Records of the plan, by job id -----------------------------------------------------------------


def teacher_record(wildcards):
    return PLAN.teacher(wildcards.teacher).as_params()


def run_record(wildcards):
    return PLAN.run(wildcards.run).as_params()


def run_teacher(wildcards):
    return PLAN.teacher(PLAN.run(wildcards.run).teacher).path


def baseline_record(wildcards):
    return PLAN.baseline(wildcards.baseline).as_params()


def baseline_teacher(wildcards):
    return PLAN.teacher(PLAN.baseline(wildcards.baseline).teacher).path


def training_runtime(wildcards):
    """Minutes of wall time asked for on a cluster (see workflow/profiles/slurm/config.yaml)."""
    return PLAN.runtime_minutes(PLAN.run(wildcards.run))


# --- Runs of a (scenario, experiment) -------------------------------------------------------------


def curves_of(wildcards):
    return [job.curve_path for job in PLAN.experiment(wildcards.scenario, wildcards.experiment).runs]


def baselines_of(wildcards):
    return [job.path for job in PLAN.experiment(wildcards.scenario, wildcards.experiment).baselines]


def summary_value(wildcards):
    return SUMMARY_VALUE.get(wildcards.experiment, "excess_loss")


def trajectory_runs(wildcards):
    """{particles path: run labels} of the runs that record their trajectory."""
    runs = PLAN.experiment(wildcards.scenario, wildcards.experiment).runs
    return {job.particles_path: job.labels for job in runs if job.settings.record_trajectory}


def trajectory_files(wildcards):
    return list(trajectory_runs(wildcards))


def experiment_context(wildcards):
    return claims_context(PLAN.config_of(wildcards.scenario, wildcards.experiment))


# --- What the figures of the main scenario draw ---------------------------------------------------


def aggregate_of(experiment, kind, scenario=MAIN):
    return f"results/aggregate/{scenario}/{experiment}/{kind}.csv"


def particles_of(experiment, scenario=MAIN, **where):
    return [job.particles_path for job in PLAN.select(scenario, experiment, **where)]


def curves_selected(experiment, scenario=MAIN, **where):
    return [job.curve_path for job in PLAN.select(scenario, experiment, **where)]


# --- The claims under every robustness seed -------------------------------------------------------


def robustness_claim_tables(wildcards):
    """Each seed's experiment claim tables, seed after seed, experiments in the report's order."""
    return [
        f"results/experiment_claims/{scenario.name}/{experiment}.csv"
        for scenario in robustness_scenarios(config)
        for experiment in REPORT_EXPERIMENTS
    ]


# --- The atlas: each variation's claims --------------------------------------------------------------


def atlas_claim_tables(wildcards):
    return [f"results/experiment_claims/{scenario}/{variation['experiment']}.csv" for scenario, variation in ATLAS]
