"""Snakemake adapter: rule fig6_r0_sweep -> convexnn.figures.plot_r0_sweep."""
from convexnn.figures import plot_r0_sweep, save_figure
from convexnn.storage import logging_to, read_table

with logging_to(snakemake.log[0]):
    curves = read_table(snakemake.input.curves, ["init_radius", "samples_seen", "geometric_mean", "minimum", "maximum"],
                        allow_empty=True)
    summary = read_table(snakemake.input.summary, ["init_radius", "geometric_mean", "minimum", "maximum"])
    finals = read_table(snakemake.input.finals, ["init_radius", "repetition", "excess_loss", "diverged"])
    save_figure(plot_r0_sweep(curves, summary, finals), snakemake.output)
