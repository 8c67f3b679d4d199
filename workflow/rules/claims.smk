rule experiment_claims:
    """The report's claims that one experiment decides (src/convexnn/claims.py)."""
    input:
        finals="results/aggregate/{scenario}/{experiment}/finals.csv",
        trajectories=trajectory_files,
        code=code_inputs("convexnn.jobs.claims"),
    output:
        "results/experiment_claims/{scenario}/{experiment}.csv",
    params:
        runs=trajectory_runs,
        context=experiment_context,
    log:
        "logs/experiment_claims/{scenario}/{experiment}.log",
    benchmark:
        "results/benchmarks/experiment_claims/{scenario}/{experiment}.tsv"
    localrule: True
    run:
        experiment_claims(wildcards.experiment, input.finals, params.runs, params.context, output[0], log[0])


rule claims:
    """The report's claims C1-C9 checked on the results the figures are drawn from; prints the table."""
    input:
        tables=expand(rules.experiment_claims.output, scenario=MAIN, experiment=REPORT_EXPERIMENTS),
        code=code_inputs("convexnn.jobs.claims"),
    output:
        report("results/claims.csv", caption="../report/claims.rst", category="Claims"),
    log:
        "logs/claims.log",
    benchmark:
        "results/benchmarks/claims.tsv"
    localrule: True
    run:
        collect_claims(input.tables, output[0], log[0])
