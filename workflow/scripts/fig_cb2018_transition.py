"""Snakemake adapter: rule fig_cb2018_transition -> convexnn.figures.plot_transition."""
import pandas as pd

from convexnn.figures import plot_transition, save_figure
from convexnn.storage import logging_to

with logging_to(snakemake.log[0]):
    finals = pd.read_csv(snakemake.input.finals)
    summary = pd.read_csv(snakemake.input.summary)
    keep = lambda table: table[(table["teacher"] == "unit") & (table["protocol"] == "converge")]  # noqa: E731
    caption = (f"Chizat & Bach (2018) setting: d = {snakemake.params.input_dim}, teacher of m0 = "
               f"{snakemake.params.teacher_units} units with w* = +1, |v*| fixed, no bias; "
               "losses divided by 1/2 Var(y), the loss of the best constant predictor")
    save_figure(plot_transition(keep(finals), keep(summary), snakemake.params.teacher_units, caption),
                snakemake.output[0])
