"""Each figure draws what there is, or says in the panel why it cannot: valid settings that leave a figure
without some of its data (no sigmoid runs for fig. 5, one repetition for fig. 6) build every figure."""

import copy

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, SMOKE_CONFIG, copy_project, snakemake_in

from convexnn.experiments.overparam import plot_excess_loss_vs_particles
from convexnn.experiments.r0_sweep import plot_r0_sweep
from convexnn.plotting import drawn_texts

SMOKE = yaml.safe_load((ROOT / SMOKE_CONFIG).read_text())
SPARSE_FIGURES = ("fig4_overparam_relu", "fig5_overparam_sigmoid", "fig6_r0_sweep", "fig7_lazy_vs_active")


def words_of(figure: plt.Figure) -> str:
    words = " ".join(text for text, _ in drawn_texts(figure))
    plt.close(figure)
    return words


@pytest.fixture(scope="module")
def sparse_project(tmp_path_factory):
    """The smoke settings with ReLU alone in overparam and one repetition of the r0 sweep (issue 23: fig. 5
    crashed on the first, fig. 6 on the second), with the figures of both experiments built from them."""
    config = copy.deepcopy(SMOKE)
    config["overparam"]["activations"] = ["relu"]
    config["r0_sweep"]["repetitions"] = 1
    project = copy_project(tmp_path_factory.mktemp("sparse") / "project")
    (project / "sparse.yaml").write_text(yaml.safe_dump(config))
    snakemake_in(project, *SPARSE_FIGURES, "--cores", "2", configfile="sparse.yaml")
    return project


def test_without_sigmoid_runs_and_with_one_repetition_every_figure_is_built(sparse_project):
    for name in SPARSE_FIGURES:
        for suffix in (".png", ".pdf"):
            assert (sparse_project / "figures" / (name + suffix)).stat().st_size > 5_000, name + suffix


def test_fig5_says_why_it_has_no_sigmoid_runs():
    finals = pd.DataFrame(
        columns=["repetition", "excess_loss", "diverged", "activation", "n_particles", "zero_predictor_loss"]
        + ["reached_global_minimum"]
    )
    summary = pd.DataFrame(columns=["n_particles", "geometric_mean", "minimum", "maximum", "activation"])
    words = words_of(plot_excess_loss_vs_particles(finals, summary, 10, "Sigmoid (report fig. 5)", "sigmoid"))
    assert "no sigmoid runs" in words and "overparam.activations" in words


def test_fig6_with_one_repetition_says_there_is_no_spread():
    radii = [0.05, 1.0, 10.0]
    losses = np.array([1e-5, 3e-4, 2e-2])
    finals = pd.DataFrame({"repetition": 0, "excess_loss": losses, "diverged": False, "init_radius": radii})
    # the geometric mean of one number, exp(log x), can land a rounding below its minimum
    summary = pd.DataFrame(
        {"init_radius": radii, "geometric_mean": np.exp(np.log(losses)), "minimum": losses, "maximum": losses}
    )
    seen = np.array([1.0, 10.0, 100.0])
    curves = pd.DataFrame(
        [
            {"init_radius": r, "samples_seen": s, "geometric_mean": loss * 100 / s, "minimum": 0, "maximum": 0}
            for r, loss in zip(radii, losses)
            for s in seen
        ]
    )
    curves[["minimum", "maximum"]] = curves[["geometric_mean", "geometric_mean"]].to_numpy()
    words = words_of(plot_r0_sweep(curves, summary, finals, 20))
    assert "one repetition: no spread" in words and "geometric mean over 1 repetition" in words
