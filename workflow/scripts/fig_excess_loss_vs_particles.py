"""Snakemake adapter: rules fig4_overparam_relu, fig5_overparam_sigmoid -> convexnn.figures."""
import pandas as pd

from convexnn.figures import plot_excess_loss_vs_particles, save_figure
from convexnn.storage import logging_to

with logging_to(snakemake.log[0]):
    figure = plot_excess_loss_vs_particles(
        pd.read_csv(snakemake.input.finals[0]),
        pd.read_csv(snakemake.input.summary[0]),
        teacher_units=snakemake.params.teacher_units,
        title=snakemake.params.title,
    )
    save_figure(figure, snakemake.output[0])
