"""Snakemake adapter: rule fig1_relu_trajectories -> convexnn.figures.plot_relu_trajectory_panels."""
import pandas as pd

from convexnn.figures import plot_relu_trajectory_panels, save_figure
from convexnn.storage import logging_to, read_npz

with logging_to(snakemake.log[0]):
    trajectories = dict(zip(snakemake.params.repetitions, snakemake.input.trajectories))
    panels = []
    for panel in pd.read_csv(snakemake.input.panels).itertuples():
        outcome = "reaches the global minimum" if panel.panel == "a" else "stuck in a local minimum"
        if panel.repetition < 0:
            panels.append((f"({panel.panel}) no run {outcome}:\nnone of the {panel.n_runs} repetitions fits\n"
                           f"'{panel.rule}'", None))
            continue
        title = (f"({panel.panel}) {outcome}: repetition {panel.repetition} of {panel.n_runs}\n"
                 f"final/initial test loss {panel.loss_ratio:.1e}")
        panels.append((title, read_npz(trajectories[panel.repetition])))
    save_figure(plot_relu_trajectory_panels(panels), snakemake.output[0])
