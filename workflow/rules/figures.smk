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
