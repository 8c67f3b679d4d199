"""Snakemake adapter: rule fig2_sigmoid_trajectories -> convexnn.figures.plot_sigmoid_trajectory_panels."""
from convexnn.figures import plot_sigmoid_trajectory_panels, save_figure
from convexnn.storage import logging_to, read_particles

with logging_to(snakemake.log[0]):
    panels = []
    for letter, n_particles, path in zip("ab", snakemake.params.n_particles, snakemake.input.trajectories):
        trajectory = read_particles(path)
        title = f"({letter}) k = {n_particles} particles, final test loss {trajectory['test_loss'][-1]:.1e}"
        panels.append((title, trajectory))
    save_figure(plot_sigmoid_trajectory_panels(panels), snakemake.output)
