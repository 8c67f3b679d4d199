"""Snakemake adapter: rule fig3_training_curves -> convexnn.figures.plot_training_curves."""
import pandas as pd

from convexnn.figures import plot_training_curves, save_figure
from convexnn.storage import logging_to

with logging_to(snakemake.log[0]):
    curves = [pd.read_csv(path) for path in snakemake.input.curves]
    save_figure(plot_training_curves(curves, snakemake.params.teacher_units), snakemake.output[0])
