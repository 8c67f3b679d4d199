"""Snakemake adapter: rule fig1_relu_trajectories -> convexnn.figures.plot_relu_trajectory_panels."""
from convexnn.aggregation import select_panels
from convexnn.figures import plot_relu_trajectory_panels, save_figure
from convexnn.storage import logging_to, read_particles, read_table

with logging_to(snakemake.log[0]):
    trajectories = dict(zip(snakemake.params.repetitions, snakemake.input.trajectories))
    finals = read_table(snakemake.input.finals, ["repetition", "initial_test_loss", "excess_loss", "diverged",
                                                  "reached_global_minimum"])
    n_diverged = int(finals["diverged"].sum())
    diverged = f"; {n_diverged} diverged runs left out" if n_diverged else ""
    panels = []
    for panel in select_panels(finals).itertuples():
        outcome = "reaches the global minimum" if panel.panel == "a" else "stuck in a local minimum"
        if panel.repetition < 0:
            panels.append((f"({panel.panel}) no run {outcome}:\nnone of the {panel.n_runs} repetitions fits\n"
                           f"'{panel.rule}'{diverged}", None))
            continue
        title = (f"({panel.panel}) {outcome}: repetition {panel.repetition} of {panel.n_runs}\n"
                 f"final/initial test loss {panel.loss_ratio:.1e}{diverged}")
        panels.append((title, read_particles(trajectories[panel.repetition])))
    save_figure(plot_relu_trajectory_panels(panels), snakemake.output)
