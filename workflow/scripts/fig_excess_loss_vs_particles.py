"""Snakemake adapter: rules fig4_overparam_relu, fig5_overparam_sigmoid -> convexnn.figures."""
from convexnn.figures import plot_excess_loss_vs_particles, save_figure
from convexnn.storage import logging_to, read_table

with logging_to(snakemake.log[0]):
    activation = snakemake.params.activation
    finals = read_table(snakemake.input.finals, ["activation", "n_particles", "repetition", "excess_loss", "diverged"])
    summary = read_table(snakemake.input.summary, ["activation", "n_particles", "geometric_mean", "minimum", "maximum"])
    figure = plot_excess_loss_vs_particles(
        finals[finals["activation"] == activation],
        summary[summary["activation"] == activation],
        teacher_units=snakemake.params.teacher_units,
        title=snakemake.params.title,
    )
    save_figure(figure, snakemake.output)
