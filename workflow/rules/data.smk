rule teacher_data:
    """One repetition's teacher network and fixed test set (report 5.1, 5.2)."""
    input:
        code=SIMULATION_CODE,
    output:
        "results/teacher_data/{experiment}/{activation}/rep{repetition}.npz",
    params:
        seed=teacher_seed,
        settings=teacher_settings,
    log:
        "logs/teacher_data/{experiment}/{activation}/rep{repetition}.log",
    benchmark:
        "results/benchmarks/teacher_data/{experiment}/{activation}/rep{repetition}.tsv"
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../environment.yml"
    run:
        generate_teacher_data(output[0], seed=params.seed, log_path=log[0], **params.settings)
