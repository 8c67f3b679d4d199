rule claims:
    """The report's claims C1-C9 checked on the results the figures are drawn from; prints the table."""
    input:
        relu_scan=rules.aggregate_relu_trajectories.output.outcomes,
        sigmoid_finals=rules.aggregate_sigmoid_trajectories.output.finals,
        sigmoid_trajectories=sigmoid_trajectory_runs("trajectory"),
        training_curves=training_curve_runs,
        overparam_finals=expand(rules.aggregate_overparam.output.finals, activation=config["overparam"]["activations"]),
        r0_finals=rules.aggregate_r0_sweep.output.finals,
        # fig. 7's two radii, (a) active and (b) lazy, over every repetition of the sweep
        active_trajectories=r0_sweep_runs("trajectory", init_radii=config["lazy_vs_active"]["init_radius"][:1]),
        lazy_trajectories=r0_sweep_runs("trajectory", init_radii=config["lazy_vs_active"]["init_radius"][1:]),
        code=CLAIMS_CODE,
    output:
        report("results/claims.csv", caption="../report/claims.rst", category="Claims"),
    params:
        sigmoid_trajectories=sigmoid_trajectories_by_k(),
        overparam_finals={
            activation: expand(rules.aggregate_overparam.output.finals, activation=activation)[0]
            for activation in config["overparam"]["activations"]
        },
        teacher_units=config["overparam"]["teacher_units"],
    log:
        "logs/claims.log",
    benchmark:
        "results/benchmarks/claims.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    run:
        table = evaluate_claims(
            relu_scan_path=input.relu_scan,
            sigmoid_finals_path=input.sigmoid_finals,
            sigmoid_trajectory_paths=params.sigmoid_trajectories,
            training_curve_paths=input.training_curves,
            overparam_finals_paths=params.overparam_finals,
            teacher_units=params.teacher_units,
            r0_finals_path=input.r0_finals,
            lazy_trajectory_paths=input.lazy_trajectories,
            active_trajectory_paths=input.active_trajectories,
        )
        write_claims(table, output[0], log_path=log[0])
