"""Snakemake adapter: rule fig_cb2018_transition -> convexnn.figures.plot_transition."""
from convexnn.figures import plot_transition, save_figure
from convexnn.storage import logging_to, read_table

with logging_to(snakemake.log[0]):
    finals = read_table(snakemake.input.finals, ["teacher", "protocol", "activation", "n_particles", "normalised_loss"])
    summary = read_table(snakemake.input.summary, ["teacher", "protocol", "activation", "n_particles", "geometric_mean"])
    keep = lambda table: table[(table["teacher"] == "unit") & (table["protocol"] == "converge")]  # noqa: E731
    caption = (f"Chizat & Bach (2018) setting: d = {snakemake.params.input_dim}, teacher of m0 = "
               f"{snakemake.params.teacher_units} units with w* = +1, |v*| fixed, no bias; "
               "losses divided by 1/2 Var(y), the loss of the best constant predictor")
    save_figure(plot_transition(keep(finals), keep(summary), snakemake.params.teacher_units, caption),
                snakemake.output)
