# One rule per figure of the report's section 5, drawn from the main scenario's results, as PNG (for the
# HTML report) and PDF. Like every job, a figure runs as a thread of the Snakemake process
# (src/convexnn/jobs/figures.py serialises the drawing: matplotlib is not thread-safe).


rule fig1_relu_trajectories:
    input:
        finals=aggregate_of("relu_trajectories", "finals"),
        trajectories=particles_of("relu_trajectories"),
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report(
            "figures/fig1_relu_trajectories.png",
            caption="../report/fig1_relu_trajectories.rst",
            category="Report section 5.1",
        ),
        pdf="figures/fig1_relu_trajectories.pdf",
    log:
        "logs/fig1_relu_trajectories.log",
    benchmark:
        "results/benchmarks/fig1_relu_trajectories.tsv"
    localrule: True
    params:
        repetitions=[job.labels["repetition"] for job in PLAN.select(MAIN, "relu_trajectories")],
    run:
        relu_trajectories_figure(input.finals, input.trajectories, params.repetitions, output, log[0])


rule fig2_sigmoid_trajectories:
    input:
        trajectories=[
            particles_of("sigmoid_trajectories", n_particles=k, repetition=0)[0]
            for k in config["sigmoid_trajectories"]["n_particles"]
        ],
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report(
            "figures/fig2_sigmoid_trajectories.png",
            caption="../report/fig2_sigmoid_trajectories.rst",
            category="Report section 5.1",
        ),
        pdf="figures/fig2_sigmoid_trajectories.pdf",
    log:
        "logs/fig2_sigmoid_trajectories.log",
    benchmark:
        "results/benchmarks/fig2_sigmoid_trajectories.tsv"
    localrule: True
    params:
        n_particles=config["sigmoid_trajectories"]["n_particles"],
    run:
        sigmoid_trajectories_figure(input.trajectories, params.n_particles, output, log[0])


rule fig3_training_curves:
    input:
        curves=[
            curves_selected(
                "overparam",
                activation=config["training_curves"]["activation"],
                n_particles=k,
                repetition=config["training_curves"]["repetition"],
            )[0]
            for k in config["training_curves"]["n_particles"]
        ],
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report(
            "figures/fig3_training_curves.png",
            caption="../report/fig3_training_curves.rst",
            category="Report section 5.2",
        ),
        pdf="figures/fig3_training_curves.pdf",
    log:
        "logs/fig3_training_curves.log",
    benchmark:
        "results/benchmarks/fig3_training_curves.tsv"
    localrule: True
    params:
        teacher_units=config["overparam"]["teacher_units"],
    run:
        training_curves_figure(input.curves, params.teacher_units, output, log[0])


rule fig4_overparam_relu:
    input:
        finals=aggregate_of("overparam", "finals"),
        summary=aggregate_of("overparam", "summary"),
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report(
            "figures/fig4_overparam_relu.png",
            caption="../report/fig4_overparam_relu.rst",
            category="Report section 5.2",
        ),
        pdf="figures/fig4_overparam_relu.pdf",
    log:
        "logs/fig4_overparam_relu.log",
    benchmark:
        "results/benchmarks/fig4_overparam_relu.tsv"
    localrule: True
    params:
        activation="relu",
        teacher_units=config["overparam"]["teacher_units"],
        title="ReLU: excess loss at the end of training (report fig. 4)",
    run:
        excess_loss_figure(
            input.finals, input.summary, params.activation, params.teacher_units, params.title, output, log[0]
        )


rule fig5_overparam_sigmoid:
    input:
        finals=aggregate_of("overparam", "finals"),
        summary=aggregate_of("overparam", "summary"),
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report(
            "figures/fig5_overparam_sigmoid.png",
            caption="../report/fig5_overparam_sigmoid.rst",
            category="Report section 5.2",
        ),
        pdf="figures/fig5_overparam_sigmoid.pdf",
    log:
        "logs/fig5_overparam_sigmoid.log",
    benchmark:
        "results/benchmarks/fig5_overparam_sigmoid.tsv"
    localrule: True
    params:
        activation="sigmoid",
        teacher_units=config["overparam"]["teacher_units"],
        title="Sigmoid: excess loss at the end of training (report fig. 5)",
    run:
        excess_loss_figure(
            input.finals, input.summary, params.activation, params.teacher_units, params.title, output, log[0]
        )


rule fig6_r0_sweep:
    input:
        curves=aggregate_of("r0_sweep", "curves"),
        summary=aggregate_of("r0_sweep", "summary"),
        finals=aggregate_of("r0_sweep", "finals"),
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report(
            "figures/fig6_r0_sweep.png",
            caption="../report/fig6_r0_sweep.rst",
            category="Report section 5.3",
        ),
        pdf="figures/fig6_r0_sweep.pdf",
    log:
        "logs/fig6_r0_sweep.log",
    benchmark:
        "results/benchmarks/fig6_r0_sweep.tsv"
    localrule: True
    run:
        r0_sweep_figure(input.curves, input.summary, input.finals, output, log[0])


rule fig7_lazy_vs_active:
    input:
        trajectories=[
            particles_of("r0_sweep", init_radius=radius, repetition=config["lazy_vs_active"]["repetition"])[0]
            for radius in config["lazy_vs_active"]["init_radius"]
        ],
        code=code_of("convexnn.jobs.figures"),
    output:
        png=report(
            "figures/fig7_lazy_vs_active.png",
            caption="../report/fig7_lazy_vs_active.rst",
            category="Report section 5.3",
        ),
        pdf="figures/fig7_lazy_vs_active.pdf",
    log:
        "logs/fig7_lazy_vs_active.log",
    benchmark:
        "results/benchmarks/fig7_lazy_vs_active.tsv"
    localrule: True
    params:
        init_radius=config["lazy_vs_active"]["init_radius"],
    run:
        lazy_vs_active_figure(input.trajectories, params.init_radius, output, log[0])
