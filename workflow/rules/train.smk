rule train_overparam:
    """Online SGD of k particles on one teacher (report 5.2): one job per (activation, k, repetition)."""
    input:
        data=expand(rules.teacher_data.output, experiment="overparam", allow_missing=True),
        code=SIMULATION_CODE,
    output:
        curve="results/train_overparam/{activation}/k{n_particles}/rep{repetition}.csv",
    params:
        seed=overparam_seed,
        settings=overparam_settings,
        labels=overparam_labels,
    log:
        "logs/train_overparam/{activation}/k{n_particles}/rep{repetition}.log",
    benchmark:
        "results/benchmarks/train_overparam/{activation}/k{n_particles}/rep{repetition}.tsv"
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../../environment.yml"
    run:
        train_particles(input.data[0], output.curve, params.seed, params.labels, log_path=log[0], **params.settings)
