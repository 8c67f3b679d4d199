"""Snakemake adapter: rule teacher_data -> convexnn.jobs.generate_teacher_data."""
from convexnn.jobs import generate_teacher_data
from convexnn.storage import logging_to

with logging_to(snakemake.log[0]):
    generate_teacher_data(snakemake.output[0], seed=snakemake.params.seed, **snakemake.params.settings)
