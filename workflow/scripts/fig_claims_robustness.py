"""Snakemake adapter: rule fig_claims_robustness -> convexnn.figures.plot_claims_by_seed."""
from convexnn.figures import plot_claims_by_seed, save_figure
from convexnn.storage import logging_to, read_table

with logging_to(snakemake.log[0]):
    table = read_table(snakemake.input.claims[0], ["claim", "seed", "value", "low", "high", "verdict", "threshold"])
    save_figure(plot_claims_by_seed(table), snakemake.output)
