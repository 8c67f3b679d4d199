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
