"""Snakemake adapter: rule fig_claims -> convexnn.figures.plot_claims."""
from convexnn.claims import CLAIM_COLUMNS
from convexnn.figures import plot_claims, save_figure
from convexnn.storage import logging_to, read_table

with logging_to(snakemake.log[0]):
    save_figure(plot_claims(read_table(snakemake.input.claims[0], CLAIM_COLUMNS)), snakemake.output)
