# One generic rule per job kind (src/convexnn/kinds/): the record of the job named by the wildcard
# (the records of the batch it names, for a batched kind) comes from the plan through params:, the files it reads from the jobs it references, its memory
# and cluster runtime from the kind. No benchmark: on these rules: they are run: jobs, so a benchmark
# file would time the whole Snakemake process, not the job (benchmarks/job_resources.py times the
# jobs themselves). tests/test_registry.py checks the outputs against each kind's.


rule teacher_data:
    """The teacher networks and fixed test sets of one batch of repetitions (report 5.1, 5.2): the
    teachers of the plan whose ids the batch id covers (src/convexnn/identity.py)."""
    input:
        code=code_of(KINDS["teacher_data"].entry),
    output:
        "results/teacher_data/{teachers}.npz",
    log:
        "logs/teacher_data/{teachers}.log",
    resources:
        mem_mb=KINDS["teacher_data"].mem_mb,
        runtime=job_runtime("teacher_data"),
    params:
        jobs=batch_records("teacher_data"),
    run:
        make_teacher_data(params.jobs, output[0], log[0])


rule train:
    """The students of one batch, each trained by online SGD on its teacher (report 5.1-5.3): the
    runs of the plan whose ids the batch id covers, for every experiment (src/convexnn/plan.py)."""
    input:
        unpack(batch_inputs("train")),
        code=code_of(KINDS["train"].entry),
    output:
        curves="results/train/{runs}.csv",
        particles="results/train/{runs}.npz",
    log:
        "logs/train/{runs}.log",
    resources:
        mem_mb=KINDS["train"].mem_mb,
        runtime=job_runtime("train"),
    params:
        jobs=batch_records("train"),
        teachers=batch_references("train", "teacher"),
    run:
        run_training(params.jobs, params.teachers, output.curves, output.particles, log[0])


rule baseline:
    """The convex baseline of the Chizat & Bach experiment: m fixed random units, output weights by
    least squares."""
    input:
        unpack(job_inputs("baseline")),
        code=code_of(KINDS["baseline"].entry),
    output:
        "results/baseline/{baseline}.csv",
    log:
        "logs/baseline/{baseline}.log",
    resources:
        mem_mb=KINDS["baseline"].mem_mb,
        runtime=job_runtime("baseline"),
    params:
        job=job_record("baseline"),
        teacher=job_reference("baseline", "teacher"),
    run:
        fit_baseline(params.job, params.teacher, output[0], log[0])


rule gradient_descent:
    """One network trained by full-batch gradient descent, and its linearisation (lazy training)."""
    input:
        code=code_of(KINDS["gradient_descent"].entry),
    output:
        "results/gradient_descent/{gd_run}.csv",
    log:
        "logs/gradient_descent/{gd_run}.log",
    resources:
        mem_mb=KINDS["gradient_descent"].mem_mb,
        runtime=job_runtime("gradient_descent"),
    params:
        job=job_record("gradient_descent"),
    run:
        run_gradient_descent(params.job, output[0], log[0])


rule conditional_gradient:
    """Conditional gradient on the F1 ball (report 4.1): the three variants' curves on one data draw and radius."""
    input:
        code=code_of(KINDS["conditional_gradient"].entry),
    output:
        "results/conditional_gradient/{cg_curves}.csv",
    log:
        "logs/conditional_gradient/{cg_curves}.log",
    resources:
        mem_mb=KINDS["conditional_gradient"].mem_mb,
        runtime=job_runtime("conditional_gradient"),
    params:
        job=job_record("conditional_gradient"),
    run:
        run_conditional_gradient(params.job, output[0], log[0])


rule conditional_gradient_rate:
    """One variant's row from the curves: the gap against the bound 2 C_f / (t + 2) and its fitted slope."""
    input:
        unpack(job_inputs("conditional_gradient_rate")),
        code=code_of(KINDS["conditional_gradient_rate"].entry),
    output:
        "results/conditional_gradient_rate/{cg_rate}.csv",
    log:
        "logs/conditional_gradient_rate/{cg_rate}.log",
    resources:
        mem_mb=KINDS["conditional_gradient_rate"].mem_mb,
        runtime=job_runtime("conditional_gradient_rate"),
    params:
        job=job_record("conditional_gradient_rate"),
        curves=job_reference("conditional_gradient_rate", "curves"),
    run:
        write_rate_row(params.job, params.curves, output[0], log[0])


rule conditional_gradient_support:
    """The fully corrective solution at a binding radius and its number of units (report Theorem 2.2)."""
    input:
        code=code_of(KINDS["conditional_gradient_support"].entry),
    output:
        "results/conditional_gradient_support/{cg_support}.csv",
    log:
        "logs/conditional_gradient_support/{cg_support}.log",
    resources:
        mem_mb=KINDS["conditional_gradient_support"].mem_mb,
        runtime=job_runtime("conditional_gradient_support"),
    params:
        job=job_record("conditional_gradient_support"),
    run:
        run_support(params.job, output[0], log[0])


rule new_unit_step:
    """The exact new-unit step by enumerating the arrangement, against Cover's count and approximate steps (4.2)."""
    input:
        code=code_of(KINDS["new_unit_step"].entry),
    output:
        "results/new_unit_step/{new_unit}.csv",
    log:
        "logs/new_unit_step/{new_unit}.log",
    resources:
        mem_mb=KINDS["new_unit_step"].mem_mb,
        runtime=job_runtime("new_unit_step"),
    params:
        job=job_record("new_unit_step"),
    run:
        run_new_unit_step(params.job, output[0], log[0])


rule conditional_gradient_versus_particles:
    """Conditional gradient with an approximate step, or particle gradient descent, on the same data (4.2-4.3)."""
    input:
        code=code_of(KINDS["conditional_gradient_versus_particles"].entry),
    output:
        "results/conditional_gradient_versus_particles/{cg_versus}.csv",
    log:
        "logs/conditional_gradient_versus_particles/{cg_versus}.log",
    resources:
        mem_mb=KINDS["conditional_gradient_versus_particles"].mem_mb,
        runtime=job_runtime("conditional_gradient_versus_particles"),
    params:
        job=job_record("conditional_gradient_versus_particles"),
    run:
        run_versus_particles(params.job, output[0], log[0])


rule kernel_error:
    """One draw of m random ReLU units: the error of k_m against the closed-form kernel (report 2.5)."""
    input:
        code=code_of(KINDS["kernel_error"].entry),
    output:
        "results/kernel_error/{kernel_error_run}.csv",
    log:
        "logs/kernel_error/{kernel_error_run}.log",
    resources:
        mem_mb=KINDS["kernel_error"].mem_mb,
        runtime=job_runtime("kernel_error"),
    params:
        job=job_record("kernel_error"),
    run:
        run_kernel_error(params.job, output[0], log[0])


rule adaptivity_regression:
    """F1, F2 random features and F2 kernel ridge on one draw of a teacher in a subspace (report 3.3)."""
    input:
        code=code_of(KINDS["adaptivity_regression"].entry),
    output:
        "results/adaptivity_regression/{adaptivity_regression_run}.csv",
    log:
        "logs/adaptivity_regression/{adaptivity_regression_run}.log",
    resources:
        mem_mb=KINDS["adaptivity_regression"].mem_mb,
        runtime=job_runtime("adaptivity_regression"),
    params:
        job=job_record("adaptivity_regression"),
    run:
        run_adaptivity_regression(params.job, output[0], log[0])


rule adaptivity_classification:
    """Both layers, the output layer only and kernel ridge on one draw of Chizat & Bach's (2020) clusters."""
    input:
        code=code_of(KINDS["adaptivity_classification"].entry),
    output:
        "results/adaptivity_classification/{adaptivity_classification_run}.csv",
    log:
        "logs/adaptivity_classification/{adaptivity_classification_run}.log",
    resources:
        mem_mb=KINDS["adaptivity_classification"].mem_mb,
        runtime=job_runtime("adaptivity_classification"),
    params:
        job=job_record("adaptivity_classification"),
    run:
        run_adaptivity_classification(params.job, output[0], log[0])
