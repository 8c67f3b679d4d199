"""Snakemake adapter: training rules -> convexnn.jobs.train_particles."""
from convexnn.jobs import train_particles
from convexnn.storage import logging_to

with logging_to(snakemake.log[0]):
    train_particles(
        data_path=snakemake.input.data[0],
        curve_path=snakemake.output.curve,
        trajectory_path=snakemake.output.get("trajectory"),
        seed=snakemake.params.seed,
        labels=snakemake.params.labels,
        **snakemake.params.settings,
    )
