"""Snakemake adapter: rule fig6_r0_sweep -> convexnn.figures.plot_r0_sweep."""
import pandas as pd

from convexnn.figures import plot_r0_sweep, save_figure
from convexnn.storage import logging_to

with logging_to(snakemake.log[0]):
    figure = plot_r0_sweep(pd.read_csv(snakemake.input.curves), pd.read_csv(snakemake.input.finals))
    save_figure(figure, snakemake.output[0])
