# Beyond the report: Chizat & Bach's (2018) sharp transition at m = m0 (`snakemake beyond`).
# Not part of `snakemake figures`: it takes about 17 minutes on 2 cores.


rule teacher_cb2018_unit:
    """The equal-weight teacher: w* = +1, v* uniform on a sphere, no bias (src/convexnn/beyond.py)."""
    input:
        code=BEYOND_CODE,
    output:
        "results/teacher_cb2018/unit/{activation}/rep{repetition}.npz",
    params:
        seed=cb_teacher_seed("unit"),
        settings=cb_teacher_settings("unit"),
    log:
        "logs/teacher_cb2018/unit/{activation}/rep{repetition}.log",
    benchmark:
        "results/benchmarks/teacher_cb2018/unit/{activation}/rep{repetition}.tsv"
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../environment.yml"
    run:
        generate_unit_teacher_data(output[0], seed=params.seed, log_path=log[0], **params.settings)


rule teacher_cb2018_report:
    """The report's teacher (particles of norm r, random signs, bias) in the d = 100 setting."""
    input:
        code=SIMULATION_CODE,
    output:
        "results/teacher_cb2018/report/{activation}/rep{repetition}.npz",
    params:
        seed=cb_teacher_seed("report"),
        settings=cb_teacher_settings("report"),
    log:
        "logs/teacher_cb2018/report/{activation}/rep{repetition}.log",
    benchmark:
        "results/benchmarks/teacher_cb2018/report/{activation}/rep{repetition}.tsv"
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../environment.yml"
    run:
        generate_teacher_data(output[0], seed=params.seed, log_path=log[0], **params.settings)


rule train_cb2018:
    """One student of m particles on one teacher with one protocol. The seed leaves the protocol out:
    both protocols start from the same particles and see the same samples."""
    input:
        data="results/teacher_cb2018/{teacher}/{activation}/rep{repetition}.npz",
        code=SIMULATION_CODE,
    output:
        curve="results/train_cb2018/{teacher}/{protocol}/{activation}/m{n_particles}/rep{repetition}.csv",
    params:
        seed=training_seed("cb2018_transition", "teacher", "activation", "n_particles"),
        settings=cb_training_settings,
        labels=cb_training_labels,
    log:
        "logs/train_cb2018/{teacher}/{protocol}/{activation}/m{n_particles}/rep{repetition}.log",
    benchmark:
        "results/benchmarks/train_cb2018/{teacher}/{protocol}/{activation}/m{n_particles}/rep{repetition}.tsv"
    resources:
        mem_mb=500,
        runtime=30,
    conda:
        "../../environment.yml"
    run:
        train_particles(input.data, output.curve, params.seed, params.labels, log_path=log[0], **params.settings)


rule baseline_cb2018:
    """The convex baseline: m fixed random units, output weights by least squares."""
    input:
        data="results/teacher_cb2018/{teacher}/{activation}/rep{repetition}.npz",
        code=BEYOND_CODE,
    output:
        "results/baseline_cb2018/{teacher}/{activation}/m{n_particles}/rep{repetition}.csv",
    params:
        seed=training_seed("cb2018_baseline", "teacher", "activation", "n_particles"),
        settings=cb_baseline_settings,
        labels=cb_baseline_labels,
    log:
        "logs/baseline_cb2018/{teacher}/{activation}/m{n_particles}/rep{repetition}.log",
    benchmark:
        "results/benchmarks/baseline_cb2018/{teacher}/{activation}/m{n_particles}/rep{repetition}.tsv"
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        "../../environment.yml"
    run:
        fit_random_features_baseline(input.data, output[0], params.seed, params.labels, log_path=log[0],
                                     **params.settings)


rule aggregate_cb2018:
    """Normalised final losses, their summary per (teacher, protocol, activation, m) with the
    baseline, and the fall across m0 (grid points on either side)."""
    input:
        curves=cb_training_runs,
        baselines=cb_baseline_runs,
        teachers=cb_teacher_files,
        code=AGGREGATION_CODE + BEYOND_CODE + TRANSITION_CODE,
    output:
        finals="results/aggregate_cb2018/final_losses.csv",
        summary="results/aggregate_cb2018/summary.csv",
        transitions="results/aggregate_cb2018/transitions.csv",
    params:
        teachers=cb_teacher_paths_by_run(),
        teacher_units=config["cb2018_transition"]["teacher_units"],
    log:
        "logs/aggregate_cb2018.log",
    benchmark:
        "results/benchmarks/aggregate_cb2018.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    run:
        aggregate_beyond(input.curves, input.baselines, params.teachers, params.teacher_units, output.finals,
                         output.summary, output.transitions, log_path=log[0])


rule fig_cb2018_transition:
    input:
        finals=rules.aggregate_cb2018.output.finals,
        summary=rules.aggregate_cb2018.output.summary,
        code=FIGURE_CODE,
    output:
        report(
            "figures/cb2018_transition.png",
            caption="../report/cb2018_transition.rst",
            category="Beyond the report",
        ),
    params:
        teacher_units=config["cb2018_transition"]["teacher_units"],
        input_dim=config["cb2018_transition"]["input_dim"],
    log:
        "logs/fig_cb2018_transition.log",
    benchmark:
        "results/benchmarks/fig_cb2018_transition.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    script:
        "../scripts/fig_cb2018_transition.py"


rule fig_cb2018_protocols:
    input:
        summary=rules.aggregate_cb2018.output.summary,
        code=FIGURE_CODE,
    output:
        report(
            "figures/cb2018_protocols.png",
            caption="../report/cb2018_protocols.rst",
            category="Beyond the report",
        ),
    params:
        teacher_units=config["cb2018_transition"]["teacher_units"],
    log:
        "logs/fig_cb2018_protocols.log",
    benchmark:
        "results/benchmarks/fig_cb2018_protocols.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    script:
        "../scripts/fig_cb2018_protocols.py"


rule beyond:
    """Everything beyond the report: `snakemake beyond`."""
    input:
        rules.fig_cb2018_transition.output,
        rules.fig_cb2018_protocols.output,
        rules.aggregate_cb2018.output.transitions,
