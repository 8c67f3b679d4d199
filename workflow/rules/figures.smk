# One rule per figure and per derived table of every experiment of the registry
# (src/convexnn/registry.py), named after it and drawn from the main scenario's results: the figure
# as PNG (for the HTML report, with its caption workflow/report/<name>.rst) and PDF. The experiment
# says which files a figure reads and the few settings it shows (both in the rule, so that a change
# redraws it); the drawing is its own (src/convexnn/experiments/). Like every job, a figure runs as a
# thread of the Snakemake process (src/convexnn/jobs/figures.py serialises the drawing: matplotlib
# is not thread-safe).


def view_inputs(spec):
    """input: {name: files} of a figure or table (a batch file once, however many of its runs it reads)."""
    return lambda wildcards: {
        name: list(dict.fromkeys(map(str, [paths] if isinstance(paths, str) else paths)))
        for name, paths in spec.inputs(VIEW).items()
    }


def view_refs(spec):
    """params: {name: [[file, member, identity], ...]}: what a figure or table reads, and what the
    plan says each file (or member of it) must be (src/convexnn/identity.py)."""
    return {
        name: [as_ref(path) for path in ([paths] if isinstance(paths, str) else paths)]
        for name, paths in spec.inputs(VIEW).items()
    }


for experiment, spec in figures_of():

    rule:
        name:
            spec.name
        input:
            unpack(view_inputs(spec)),
            code=code_of("convexnn.jobs.figures"),
        output:
            png=report(f"figures/{spec.name}.png", caption=f"../report/{spec.name}.rst", category=spec.category),
            pdf=f"figures/{spec.name}.pdf",
        log:
            f"logs/{spec.name}.log",
        benchmark:
            f"results/benchmarks/{spec.name}.tsv"
        localrule: True
        params:
            figure=spec.name,
            settings=spec.settings(VIEW),
            inputs=view_refs(spec),
        run:
            draw_figure(params.figure, params.inputs, params.settings, output, log[0])


for experiment, spec in tables_of():

    rule:
        name:
            spec.name
        input:
            unpack(view_inputs(spec)),
            code=code_of("convexnn.jobs.figures"),
        output:
            spec.path,
        log:
            f"logs/{spec.name}.log",
        localrule: True
        params:
            table=spec.name,
            settings=spec.settings(VIEW),
            inputs=view_refs(spec),
        run:
            write_derived_table(params.table, params.inputs, params.settings, output[0], log[0])
