rule train:
    """One student trained by online SGD on one teacher (report 5.1-5.3): a run of the plan, for
    every experiment (src/convexnn/plan.py)."""
    input:
        teacher=run_teacher,
        code=code_inputs("convexnn.jobs.train"),
    output:
        curve="results/train/{run}.csv",
        particles="results/train/{run}.npz",
    params:
        job=run_record,
    log:
        "logs/train/{run}.log",
    benchmark:
        "results/benchmarks/train/{run}.tsv"
    resources:
        mem_mb=500,
        runtime=training_runtime,
    run:
        run_training(params.job, input.teacher, output.curve, output.particles, log[0])


rule baseline:
    """The convex baseline of the Chizat & Bach experiment: m fixed random units, output weights by
    least squares."""
    input:
        teacher=baseline_teacher,
        code=code_inputs("convexnn.jobs.baseline"),
    output:
        "results/baseline/{baseline}.csv",
    params:
        job=baseline_record,
    log:
        "logs/baseline/{baseline}.log",
    benchmark:
        "results/benchmarks/baseline/{baseline}.tsv"
    resources:
        mem_mb=2000,
        runtime=5,
    run:
        fit_baseline(params.job, input.teacher, output[0], log[0])
