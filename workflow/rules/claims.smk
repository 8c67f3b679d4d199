rule config_used:
    """The configuration the results were built with, as one YAML file (shown in the HTML report)."""
    input:
        code=code_of("convexnn.jobs.summary"),
    output:
        yaml="results/config_used/config.yaml",
        # the report shows HTML in place; a YAML file there is only a download
        html=report("results/config_used/config.html", caption="../report/config_used.rst", category="Configuration"),
    log:
        "logs/config_used.log",
    localrule: True
    params:
        config=config,
    run:
        write_config(params.config, output.yaml, output.html, log[0])


rule experiment_claims:
    """The report's claims that one experiment decides, with 95% intervals (src/convexnn/claims.py)."""
    input:
        finals="results/aggregate/{scenario}/{experiment}/finals.csv",
        trajectories=trajectory_files,
        code=code_of("convexnn.jobs.claims"),
    output:
        "results/experiment_claims/{scenario}/{experiment}.csv",
    log:
        "logs/experiment_claims/{scenario}/{experiment}.log",
    benchmark:
        "results/benchmarks/experiment_claims/{scenario}/{experiment}.tsv"
    localrule: True
    params:
        finals_identity=aggregate_identity,
        runs=trajectory_runs,
        context=experiment_context,
        identity=claims_identity,
    run:
        experiment_claims(
            wildcards.experiment,
            [input.finals, params.finals_identity],
            params.runs,
            params.context,
            params.identity,
            output[0],
            log[0],
        )


rule claims_table:
    """The report's claims checked on the results the figures are drawn from; prints the table."""
    input:
        tables=[claims_table_of(MAIN, experiment) for experiment in REPORT_EXPERIMENTS],
        code=code_of("convexnn.jobs.claims"),
    output:
        "results/claims.csv",
    log:
        "logs/claims_table.log",
    benchmark:
        "results/benchmarks/claims_table.tsv"
    localrule: True
    params:
        identities=lambda wildcards, input: claims_identities(input.tables),
    run:
        collect_claims(params.identities, output[0], log[0])


rule fig_claims:
    input:
        claims=rules.claims_table.output,
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report("figures/claims.png", caption="../report/fig_claims.rst", category="Claims"),
        pdf="figures/claims.pdf",
    log:
        "logs/fig_claims.log",
    benchmark:
        "results/benchmarks/fig_claims.tsv"
    localrule: True
    run:
        claims_figure(input.claims[0], output, log[0])


rule claims_html:
    """The claims table as an HTML page, shown as a table in the HTML report."""
    input:
        claims=rules.claims_table.output,
        code=code_of("convexnn.jobs.tables"),
    output:
        report("results/claims_html/claims.html", caption="../report/claims.rst", category="Claims"),
    log:
        "logs/claims_html.log",
    localrule: True
    run:
        write_claims_html(input.claims[0], output[0], log[0])


rule claims:
    """`snakemake claims`: the claims table and its figure; prints the table every time."""
    input:
        table=rules.claims_table.output,
        html=rules.claims_html.output,
        figure=rules.fig_claims.output,
        config=rules.config_used.output.yaml,
    log:
        "logs/claims.log",
    localrule: True
    run:
        claims_summary(input.table[0], input.figure[0], log[0])


rule robustness_table:
    """The claims under every base seed of config robustness.seeds, side by side."""
    input:
        tables=list(ROBUSTNESS_TABLES),
        code=code_of("convexnn.jobs.claims"),
    output:
        "results/robustness/claims_by_seed.csv",
    log:
        "logs/robustness_table.log",
    benchmark:
        "results/benchmarks/robustness_table.tsv"
    localrule: True
    params:
        seed_of=ROBUSTNESS_TABLES,
        identities=lambda wildcards: claims_identities(ROBUSTNESS_TABLES),
    run:
        collect_claims_by_seed(params.identities, params.seed_of, output[0], log[0])


rule pooled_claims:
    """One report experiment's claims over every repetition of every robustness seed together."""
    input:
        finals=lambda wildcards: [path for path, _, _ in pooled_finals(wildcards)],
        trajectories=lambda wildcards: list(dict.fromkeys(path for path, *_ in pooled_trajectory_runs(wildcards))),
        code=code_of("convexnn.jobs.claims"),
    output:
        "results/robustness/pooled/{experiment}.csv",
    log:
        "logs/pooled_claims/{experiment}.log",
    localrule: True
    params:
        finals_seed=pooled_finals,
        runs=pooled_trajectory_runs,
        context=pooled_context,
        identity=lambda wildcards: pooled_identity_of(wildcards.experiment),
    run:
        pooled_experiment_claims(
            wildcards.experiment,
            params.finals_seed,
            params.runs,
            params.context,
            params.identity,
            output[0],
            log[0],
        )


rule pooled_table:
    """The final answer per claim: pooled over every seed, with the seeds that agree and what deciding
    an undecided claim would take."""
    input:
        pooled=expand(rules.pooled_claims.output, experiment=REPORT_EXPERIMENTS),
        by_seed=rules.robustness_table.output,
        code=code_of("convexnn.jobs.claims"),
    output:
        "results/robustness/claims_pooled.csv",
    log:
        "logs/pooled_table.log",
    localrule: True
    params:
        identities=lambda wildcards: {
            f"results/robustness/pooled/{experiment}.csv": pooled_identity_of(experiment)
            for experiment in REPORT_EXPERIMENTS
        },
    run:
        collect_pooled_claims(params.identities, input.by_seed[0], output[0], log[0])


rule pooled_html:
    """The pooled claims as an HTML page, shown as a table in the HTML report."""
    input:
        pooled=rules.pooled_table.output,
        code=code_of("convexnn.jobs.tables"),
    output:
        report("results/robustness/claims_pooled.html", caption="../report/claims_pooled.rst", category="Claims"),
    log:
        "logs/pooled_html.log",
    localrule: True
    run:
        write_pooled_html(input.pooled[0], output[0], log[0])


rule fig_claims_robustness:
    input:
        claims=rules.robustness_table.output,
        pooled=rules.pooled_table.output,
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report("figures/claims_robustness.png", caption="../report/fig_claims_robustness.rst", category="Claims"),
        pdf="figures/claims_robustness.pdf",
    log:
        "logs/fig_claims_robustness.log",
    benchmark:
        "results/benchmarks/fig_claims_robustness.tsv"
    localrule: True
    run:
        claims_by_seed_figure(input.claims[0], input.pooled[0], output, log[0])


rule robustness:
    """`snakemake robustness`: every claim under every robustness seed, and its figure."""
    input:
        table=rules.robustness_table.output,
        pooled=rules.pooled_table.output,
        html=rules.pooled_html.output,
        figure=rules.fig_claims_robustness.output,
    log:
        "logs/robustness.log",
    localrule: True
    run:
        robustness_summary(input.table[0], input.pooled[0], input.figure[0], log[0])


rule atlas_table:
    """Where the report's claims hold: the paper's claims and each atlas variation's, side by side."""
    input:
        paper=rules.claims_table.output,
        tables=[claims_table_of(scenario, variation["experiment"]) for scenario, variation in ATLAS],
        code=code_of("convexnn.jobs.claims"),
    output:
        "results/atlas/claims_atlas.csv",
    log:
        "logs/atlas_table.log",
    benchmark:
        "results/benchmarks/atlas_table.tsv"
    localrule: True
    params:
        variations=[
            {key: variation[key] for key in ("name", "experiment", "change")}
            | {"table": claims_table_of(scenario, variation["experiment"])}
            for scenario, variation in ATLAS
        ],
        identities=lambda wildcards, input: claims_identities(input.tables),
    run:
        collect_claims_by_variation(input.paper[0], params.identities, params.variations, output[0], log[0])


rule fig_claims_atlas:
    input:
        atlas=rules.atlas_table.output,
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report("figures/claims_atlas.png", caption="../report/fig_claims_atlas.rst", category="Claims"),
        pdf="figures/claims_atlas.pdf",
    log:
        "logs/fig_claims_atlas.log",
    benchmark:
        "results/benchmarks/fig_claims_atlas.tsv"
    localrule: True
    run:
        claims_atlas_figure(input.atlas[0], output, log[0])


rule atlas:
    """`snakemake atlas`: the claims under each variation of config atlas, and the figure."""
    input:
        table=rules.atlas_table.output,
        figure=rules.fig_claims_atlas.output,
    log:
        "logs/atlas.log",
    localrule: True
    run:
        atlas_summary(input.table[0], input.figure[0], log[0])
