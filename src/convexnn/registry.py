"""The one static list of the pipeline's experiments and job kinds.

Every list of experiments, figures, claims, targets and job kinds elsewhere is derived from these
two tables (the Snakefile's targets and figure rules, the plan, the claims tables, the robustness
seeds and the atlas) or checked against them by a test (the config schema, the SLURM profile's
groups). Imports are plain ``import`` statements, so the code fingerprints of the jobs that read the
registry see every module in it.

To add an experiment: write its module in :mod:`convexnn.experiments` (its grid, claims, figures),
add one line below, one section to config.yaml and its schema, its captions under
workflow/report/ and one test file. To add a job kind (a solver): write its module in
:mod:`convexnn.kinds` and one generic rule in workflow/rules/jobs.smk.
"""

from __future__ import annotations

from convexnn.experiments import (
    adaptivity,
    cb2018,
    frank_wolfe,
    kernel_convergence,
    lazy_training,
    overparam,
    r0_sweep,
    relu_trajectories,
    sigmoid_trajectories,
)
from convexnn.experiments.base import Experiment, Figure, Table
from convexnn.kinds import (
    JobKind,
    adaptivity_classification,
    adaptivity_regression,
    conditional_gradient,
    gradient_descent,
    kernel_error,
    random_features,
    sgd,
    teacher_data,
)

# In the order of the report (section 5), then beyond it: the order of the claims tables.
EXPERIMENTS: dict[str, Experiment] = {
    module.EXPERIMENT.name: module.EXPERIMENT
    for module in (
        relu_trajectories,
        sigmoid_trajectories,
        overparam,
        r0_sweep,
        cb2018,
        lazy_training,
        frank_wolfe,
        kernel_convergence,
        adaptivity,
    )
}
# A kind that another references comes first (the plan shares jobs between scenarios in this order).
KINDS: dict[str, JobKind] = {
    module.KIND.name: module.KIND
    for module in (
        teacher_data,
        sgd,
        random_features,
        gradient_descent,
        kernel_error,
        adaptivity_regression,
        adaptivity_classification,
    )
} | {kind.name: kind for kind in conditional_gradient.KINDS}


def report_experiments() -> list[str]:
    """The experiments whose claims make the paper's claims table, the robustness seeds and the atlas."""
    return [name for name, experiment in EXPERIMENTS.items() if experiment.in_report]


def targets() -> list[str]:
    """The target rules that build experiments' figures and tables, in registry order."""
    return list(dict.fromkeys(experiment.target for experiment in EXPERIMENTS.values()))


def figures_of(target: str | None = None) -> list[tuple[Experiment, Figure]]:
    """(experiment, figure) of every figure, or of the experiments built by ``target``."""
    return [
        (experiment, figure)
        for experiment in EXPERIMENTS.values()
        if target is None or experiment.target == target
        for figure in experiment.figures
    ]


def tables_of(target: str | None = None) -> list[tuple[Experiment, Table]]:
    """(experiment, table) of every derived table, or of the experiments built by ``target``."""
    return [
        (experiment, table)
        for experiment in EXPERIMENTS.values()
        if target is None or experiment.target == target
        for table in experiment.tables
    ]


def figure(name: str) -> Figure:
    return {figure.name: figure for _, figure in figures_of()}[name]


def table(name: str) -> Table:
    return {table.name: table for _, table in tables_of()}[name]
