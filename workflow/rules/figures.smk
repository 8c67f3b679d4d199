rule fig3_training_curves:
    input:
        curves=training_curve_runs,
        code=FIGURE_CODE,
    output:
        report(
            "figures/fig3_training_curves.png",
            caption="../report/fig3_training_curves.rst",
            category="Report section 5.2",
        ),
    params:
        teacher_units=config["overparam"]["teacher_units"],
    log:
        "logs/fig3_training_curves.log",
    benchmark:
        "results/benchmarks/fig3_training_curves.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    script:
        "../scripts/fig3_training_curves.py"


rule fig4_overparam_relu:
    input:
        finals=expand(rules.aggregate_overparam.output.finals, activation="relu"),
        summary=expand(rules.aggregate_overparam.output.summary, activation="relu"),
        code=FIGURE_CODE,
    output:
        report(
            "figures/fig4_overparam_relu.png",
            caption="../report/fig4_overparam_relu.rst",
            category="Report section 5.2",
        ),
    params:
        teacher_units=config["overparam"]["teacher_units"],
        title="ReLU: excess loss at the end of training (report fig. 4)",
    log:
        "logs/fig4_overparam_relu.log",
    benchmark:
        "results/benchmarks/fig4_overparam_relu.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    script:
        "../scripts/fig_excess_loss_vs_particles.py"


rule fig5_overparam_sigmoid:
    input:
        finals=expand(rules.aggregate_overparam.output.finals, activation="sigmoid"),
        summary=expand(rules.aggregate_overparam.output.summary, activation="sigmoid"),
        code=FIGURE_CODE,
    output:
        report(
            "figures/fig5_overparam_sigmoid.png",
            caption="../report/fig5_overparam_sigmoid.rst",
            category="Report section 5.2",
        ),
    params:
        teacher_units=config["overparam"]["teacher_units"],
        title="Sigmoid: excess loss at the end of training (report fig. 5)",
    log:
        "logs/fig5_overparam_sigmoid.log",
    benchmark:
        "results/benchmarks/fig5_overparam_sigmoid.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    script:
        "../scripts/fig_excess_loss_vs_particles.py"


rule fig1_relu_trajectories:
    input:
        panels=rules.aggregate_relu_trajectories.output.panels,
        trajectories=relu_trajectory_runs("trajectory"),
        code=FIGURE_CODE,
    output:
        report(
            "figures/fig1_relu_trajectories.png",
            caption="../report/fig1_relu_trajectories.rst",
            category="Report section 5.1",
        ),
    params:
        repetitions=list(range(config["relu_trajectories"]["repetitions"])),
    log:
        "logs/fig1_relu_trajectories.log",
    benchmark:
        "results/benchmarks/fig1_relu_trajectories.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    script:
        "../scripts/fig1_relu_trajectories.py"


rule fig2_sigmoid_trajectories:
    input:
        trajectories=expand(rules.train_sigmoid_trajectories.output.trajectory,
                            n_particles=config["sigmoid_trajectories"]["n_particles"], repetition=0),
        code=FIGURE_CODE,
    output:
        report(
            "figures/fig2_sigmoid_trajectories.png",
            caption="../report/fig2_sigmoid_trajectories.rst",
            category="Report section 5.1",
        ),
    params:
        n_particles=config["sigmoid_trajectories"]["n_particles"],
    log:
        "logs/fig2_sigmoid_trajectories.log",
    benchmark:
        "results/benchmarks/fig2_sigmoid_trajectories.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    script:
        "../scripts/fig2_sigmoid_trajectories.py"


rule fig6_r0_sweep:
    input:
        curves=rules.aggregate_r0_sweep.output.curves,
        finals=rules.aggregate_r0_sweep.output.finals,
        code=FIGURE_CODE,
    output:
        report(
            "figures/fig6_r0_sweep.png",
            caption="../report/fig6_r0_sweep.rst",
            category="Report section 5.3",
        ),
    log:
        "logs/fig6_r0_sweep.log",
    benchmark:
        "results/benchmarks/fig6_r0_sweep.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    script:
        "../scripts/fig6_r0_sweep.py"


rule fig7_lazy_vs_active:
    input:
        trajectories=r0_sweep_runs("trajectory", init_radii=config["lazy_vs_active"]["init_radius"],
                                   repetitions=[config["lazy_vs_active"]["repetition"]]),
        code=FIGURE_CODE,
    output:
        report(
            "figures/fig7_lazy_vs_active.png",
            caption="../report/fig7_lazy_vs_active.rst",
            category="Report section 5.3",
        ),
    params:
        init_radius=config["lazy_vs_active"]["init_radius"],
    log:
        "logs/fig7_lazy_vs_active.log",
    benchmark:
        "results/benchmarks/fig7_lazy_vs_active.tsv"
    localrule: True
    conda:
        "../../environment.yml"
    script:
        "../scripts/fig7_lazy_vs_active.py"
