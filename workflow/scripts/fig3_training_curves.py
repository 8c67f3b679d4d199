"""Snakemake adapter: rule fig3_training_curves -> convexnn.figures.plot_training_curves."""
from convexnn.figures import plot_training_curves, save_figure
from convexnn.storage import logging_to, read_curve

with logging_to(snakemake.log[0]):
    curves = [read_curve(path) for path in snakemake.input.curves]
    save_figure(plot_training_curves(curves, snakemake.params.teacher_units), snakemake.output)
