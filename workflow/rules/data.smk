rule teacher_data:
    """One repetition's teacher network and fixed test set (report 5.1, 5.2): a teacher of the plan."""
    input:
        code=code_of("convexnn.jobs.teacher_data"),
    output:
        "results/teacher_data/{teacher}.npz",
    log:
        "logs/teacher_data/{teacher}.log",
    resources:
        mem_mb=500,
        runtime=5,
    params:
        job=teacher_record,
    run:
        make_teacher_data(params.job, output[0], log[0])
