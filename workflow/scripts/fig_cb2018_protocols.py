"""Snakemake adapter: rule fig_cb2018_protocols -> convexnn.figures.plot_protocol_comparison."""
from convexnn.figures import plot_protocol_comparison, save_figure
from convexnn.storage import logging_to, read_table

LABELS = {
    ("report", "report"): "report's teacher, report's protocol (eta 0.1, 4e5 steps)",
    ("report", "converge"): "report's teacher, long protocol (eta 0.01, 4e6 steps)",
    ("unit", "report"): "equal-weight teacher, report's protocol",
    ("unit", "converge"): "equal-weight teacher, long protocol",
}

with logging_to(snakemake.log[0]):
    summary = read_table(snakemake.input.summary, ["teacher", "protocol", "activation", "n_particles", "geometric_mean"])
    comparison = summary[summary["activation"] == snakemake.params.activation]
    save_figure(plot_protocol_comparison(comparison, snakemake.params.teacher_units, LABELS), snakemake.output)
