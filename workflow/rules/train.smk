rule train_overparam:
    """Online SGD of k particles on one teacher (report 5.2): one job per (activation, k, repetition)."""
    input:
        data=expand(rules.teacher_data.output, experiment="overparam", allow_missing=True),
        code=SIMULATION_CODE,
    output:
        curve="results/train_overparam/{activation}/k{n_particles}/rep{repetition}.csv",
    params:
        seed=training_seed("overparam", "activation", "n_particles"),
        settings=training_settings("overparam", n_particles=int),
        labels=training_labels("overparam"),
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


rule train_relu_trajectories:
    """ReLU in the plane with particle trajectories (report 5.1, fig. 1): one job per repetition."""
    input:
        data=expand(rules.teacher_data.output, experiment="relu_trajectories", activation="relu", allow_missing=True),
        code=SIMULATION_CODE,
    output:
        curve="results/train_relu_trajectories/rep{repetition}.csv",
        trajectory="results/train_relu_trajectories/rep{repetition}.npz",
    params:
        seed=training_seed("relu_trajectories"),
        settings=training_settings("relu_trajectories"),
        labels=training_labels("relu_trajectories"),
    log:
        "logs/train_relu_trajectories/rep{repetition}.log",
    benchmark:
        "results/benchmarks/train_relu_trajectories/rep{repetition}.tsv"
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../../environment.yml"
    run:
        train_particles(input.data[0], output.curve, params.seed, params.labels, trajectory_path=output.trajectory,
                        log_path=log[0], **params.settings)


rule train_sigmoid_trajectories:
    """Sigmoid in the plane, w(0) = 0, with trajectories (report 5.1, fig. 2): per (k, repetition)."""
    input:
        data=expand(rules.teacher_data.output, experiment="sigmoid_trajectories", activation="sigmoid",
                    allow_missing=True),
        code=SIMULATION_CODE,
    output:
        curve="results/train_sigmoid_trajectories/k{n_particles}/rep{repetition}.csv",
        trajectory="results/train_sigmoid_trajectories/k{n_particles}/rep{repetition}.npz",
    params:
        seed=training_seed("sigmoid_trajectories", "n_particles"),
        settings=training_settings("sigmoid_trajectories", n_particles=int),
        labels=training_labels("sigmoid_trajectories"),
    log:
        "logs/train_sigmoid_trajectories/k{n_particles}/rep{repetition}.log",
    benchmark:
        "results/benchmarks/train_sigmoid_trajectories/k{n_particles}/rep{repetition}.tsv"
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../../environment.yml"
    run:
        train_particles(input.data[0], output.curve, params.seed, params.labels, trajectory_path=output.trajectory,
                        log_path=log[0], **params.settings)


rule train_r0_sweep:
    """ReLU in the plane, k = 20, one initialisation radius r0 (report 5.3, figs. 6, 7)."""
    input:
        data=expand(rules.teacher_data.output, experiment="r0_sweep", activation="relu", allow_missing=True),
        code=SIMULATION_CODE,
    output:
        curve="results/train_r0_sweep/r0_{init_radius}/rep{repetition}.csv",
        trajectory="results/train_r0_sweep/r0_{init_radius}/rep{repetition}.npz",
    params:
        seed=training_seed("r0_sweep", "init_radius"),
        settings=training_settings("r0_sweep", init_radius=float),
        labels=training_labels("r0_sweep", init_radius=float),
    log:
        "logs/train_r0_sweep/r0_{init_radius}/rep{repetition}.log",
    benchmark:
        "results/benchmarks/train_r0_sweep/r0_{init_radius}/rep{repetition}.tsv"
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../../environment.yml"
    run:
        train_particles(input.data[0], output.curve, params.seed, params.labels, trajectory_path=output.trajectory,
                        log_path=log[0], **params.settings)
