rule aggregate:
    """One experiment's runs: final losses, their summary over repetitions per configuration, and
    the test-loss curves summarised per checkpoint."""
    input:
        curves=curves_of,
        baselines=baselines_of,
        rows=final_rows_of,
        code=code_of("convexnn.jobs.aggregate"),
    output:
        finals="results/aggregate/{scenario}/{experiment}/finals.csv",
        summary="results/aggregate/{scenario}/{experiment}/summary.csv",
        curves="results/aggregate/{scenario}/{experiment}/curves.csv",
    log:
        "logs/aggregate/{scenario}/{experiment}.log",
    benchmark:
        "results/benchmarks/aggregate/{scenario}/{experiment}.tsv"
    localrule: True
    params:
        value=summary_value,
        row_keys=final_row_keys,
        curves=expected_curves,
        rows=expected_rows,
        baselines=expected_baselines,
        identity=aggregate_identity,
    run:
        aggregate_experiment(
            params.curves,
            params.rows,
            params.value,
            params.identity,
            output.finals,
            output.summary,
            output.curves,
            log[0],
            params.row_keys,
            params.baselines,
        )
