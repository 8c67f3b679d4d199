"""Snakemake adapter: aggregation rules -> convexnn.aggregation.aggregate_runs."""
from convexnn.aggregation import aggregate_runs
from convexnn.storage import logging_to

with logging_to(snakemake.log[0]):
    aggregate_runs(snakemake.input.curves, snakemake.output.finals, snakemake.output.summary, snakemake.params.by)
