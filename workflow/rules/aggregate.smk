rule aggregate_overparam:
    """Final excess loss of every run and its geometric mean, min, max, std of log10 per k."""
    input:
        curves=overparam_curves,
        code=AGGREGATION_CODE,
    output:
        finals="results/aggregate_overparam/{activation}/final_losses.csv",
        summary="results/aggregate_overparam/{activation}/summary.csv",
    params:
        by=["activation", "n_particles"],
    log:
        "logs/aggregate_overparam/{activation}.log",
    benchmark:
        "results/benchmarks/aggregate_overparam/{activation}.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    run:
        aggregate_runs(input.curves, output.finals, output.summary, params.by, log_path=log[0])


rule aggregate_relu_trajectories:
    """Outcome of each repetition of the 2-D ReLU scan, and the two runs fig. 1 shows."""
    input:
        curves=relu_trajectory_runs("curve"),
        code=AGGREGATION_CODE,
    output:
        outcomes="results/aggregate_relu_trajectories/outcomes.csv",
        panels="results/aggregate_relu_trajectories/panels.csv",
    log:
        "logs/aggregate_relu_trajectories.log",
    benchmark:
        "results/benchmarks/aggregate_relu_trajectories.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    run:
        aggregate_scan(input.curves, output.outcomes, output.panels, log_path=log[0])


rule aggregate_sigmoid_trajectories:
    """Final excess loss of every 2-D sigmoid run and its summary per k."""
    input:
        curves=sigmoid_trajectory_runs("curve"),
        code=AGGREGATION_CODE,
    output:
        finals="results/aggregate_sigmoid_trajectories/final_losses.csv",
        summary="results/aggregate_sigmoid_trajectories/summary.csv",
    params:
        by=["activation", "n_particles"],
    log:
        "logs/aggregate_sigmoid_trajectories.log",
    benchmark:
        "results/benchmarks/aggregate_sigmoid_trajectories.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    run:
        aggregate_runs(input.curves, output.finals, output.summary, params.by, log_path=log[0])


rule aggregate_r0_sweep:
    """Final loss per (r0, repetition) and the test-loss curves summarised over repetitions (fig. 6)."""
    input:
        curves=r0_sweep_runs("curve"),
        code=AGGREGATION_CODE,
    output:
        finals="results/aggregate_r0_sweep/final_losses.csv",
        curves="results/aggregate_r0_sweep/curve_summary.csv",
    params:
        by=["init_radius"],
    log:
        "logs/aggregate_r0_sweep.log",
    benchmark:
        "results/benchmarks/aggregate_r0_sweep.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    run:
        aggregate_sweep(input.curves, output.finals, output.curves, params.by, log_path=log[0])
