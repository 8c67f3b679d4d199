# Beyond the report (`snakemake beyond`, not part of `snakemake figures`): the Chizat & Bach (2018)
# experiment `cb2018` of config.yaml, its sharp transition at m = m0 and its convex baseline.


rule cb2018_transitions:
    """The fall of the geometric-mean loss between the grid points on either side of m0."""
    input:
        summary=aggregate_of("cb2018", "summary"),
        code=code_of("convexnn.jobs.aggregate"),
    output:
        "results/cb2018_transitions/transitions.csv",
    log:
        "logs/cb2018_transitions.log",
    benchmark:
        "results/benchmarks/cb2018_transitions.tsv"
    localrule: True
    params:
        teacher_units=config["cb2018"]["teacher_units"],
    run:
        write_transitions(input.summary, params.teacher_units, output[0], log[0])


rule fig_cb2018_transition:
    input:
        finals=aggregate_of("cb2018", "finals"),
        summary=aggregate_of("cb2018", "summary"),
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report(
            "figures/cb2018_transition.png",
            caption="../report/cb2018_transition.rst",
            category="Beyond the report",
        ),
        pdf="figures/cb2018_transition.pdf",
    log:
        "logs/fig_cb2018_transition.log",
    benchmark:
        "results/benchmarks/fig_cb2018_transition.tsv"
    localrule: True
    params:
        teacher_units=config["cb2018"]["teacher_units"],
        input_dim=config["cb2018"]["input_dim"],
    run:
        cb2018_transition_figure(input.finals, input.summary, params.teacher_units, params.input_dim, output, log[0])


rule fig_cb2018_protocols:
    input:
        summary=aggregate_of("cb2018", "summary"),
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report(
            "figures/cb2018_protocols.png",
            caption="../report/cb2018_protocols.rst",
            category="Beyond the report",
        ),
        pdf="figures/cb2018_protocols.pdf",
    log:
        "logs/fig_cb2018_protocols.log",
    benchmark:
        "results/benchmarks/fig_cb2018_protocols.tsv"
    localrule: True
    params:
        teacher_units=config["cb2018"]["teacher_units"],
        input_dim=config["cb2018"]["input_dim"],
        activation=config["cb2018"]["comparison"]["activation"],
        protocols=config["cb2018"]["protocols"],
    run:
        cb2018_protocols_figure(
            input.summary,
            params.teacher_units,
            params.input_dim,
            params.activation,
            params.protocols,
            output,
            log[0],
        )


rule beyond:
    """Everything beyond the report: `snakemake beyond`."""
    input:
        rules.fig_cb2018_transition.output,
        rules.fig_cb2018_protocols.output,
        rules.cb2018_transitions.output,
    log:
        "logs/beyond.log",
    localrule: True
    run:
        files_summary("Beyond the report: Chizat & Bach's transition", input, log[0])
