"""Snakemake adapter: rule fig7_lazy_vs_active -> convexnn.figures.plot_relu_trajectory_panels."""
from convexnn.figures import plot_relu_trajectory_panels, save_figure
from convexnn.storage import logging_to, read_particles

with logging_to(snakemake.log[0]):
    panels = []
    for letter, radius, path in zip("ab", snakemake.params.init_radius, snakemake.input.trajectories):
        trajectory = read_particles(path)
        title = f"({letter}) r0 = {radius:g}: final test loss {trajectory['test_loss'][-1]:.1e}"
        panels.append((title, trajectory))
    save_figure(plot_relu_trajectory_panels(panels), snakemake.output)
