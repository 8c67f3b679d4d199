# No benchmark: here or in data.smk. These are run: jobs, so a benchmark file would time the whole
# Snakemake process, not the job. The resources below come from benchmarks/job_resources.py, which
# times the jobs themselves.
rule train:
    """One student trained by online SGD on one teacher (report 5.1-5.3): a run of the plan, for
    every experiment (src/convexnn/plan.py)."""
    input:
        teacher=run_teacher,
        code=code_of("convexnn.jobs.train"),
    output:
        curve="results/train/{run}.csv",
        particles="results/train/{run}.npz",
    log:
        "logs/train/{run}.log",
    resources:
        mem_mb=500,
        runtime=training_runtime,
    params:
        job=run_record,
    run:
        run_training(params.job, input.teacher, output.curve, output.particles, log[0])


rule baseline:
    """The convex baseline of the Chizat & Bach experiment: m fixed random units, output weights by
    least squares."""
    input:
        teacher=baseline_teacher,
        code=code_of("convexnn.jobs.baseline"),
    output:
        "results/baseline/{baseline}.csv",
    log:
        "logs/baseline/{baseline}.log",
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        job=baseline_record,
    run:
        fit_baseline(params.job, input.teacher, output[0], log[0])
