"""Every figure of a built project, drawn again: its printed size and its smallest text.

`python tools/figure_sizes.py [--directory DIR] [--configfile FILE] [--save-to FOLDER]` draws each figure
whose inputs exist under DIR (default: here) with the settings of config.yaml (and FILE, as
`snakemake --configfile` would merge it), as its rule draws it, and prints a Markdown table: the figure,
its size in inches, which paper width that is, and the smallest font size in points at that size (what
README's figure table quotes; tests/test_figure_legibility.py checks the same on the smoke build).
With --save-to, each drawing is also saved there as PNG, for a look without rerunning Snakemake.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

import yaml
from snakemake.utils import update_config

from convexnn.jobs.figures import CLAIMS, figure_from_plan
from convexnn.plan import main_scenario, make_plan
from convexnn.plotting import (
    WIDTHS,
    drawn_texts,
    plot_claims,
    plot_claims_atlas,
    plot_claims_by_seed,
    save_figure,
)
from convexnn.registry import figures_of
from convexnn.storage import read_table

ROOT = Path(__file__).resolve().parents[1]
CLAIMS_FIGURES = {
    "claims": (["results/claims.csv"], lambda claims: plot_claims(read_table(claims, CLAIMS))),
    "claims_robustness": (
        ["results/robustness/claims_by_seed.csv", "results/robustness/claims_pooled.csv"],
        lambda by_seed, pooled: plot_claims_by_seed(read_table(by_seed, CLAIMS + ["seed"]), read_table(pooled, CLAIMS)),
    ),
    "claims_atlas": (
        ["results/atlas/claims_atlas.csv"],
        lambda atlas: plot_claims_atlas(read_table(atlas, CLAIMS + ["variation", "change"])),
    ),
}


def merged_config(configfile: str | None) -> dict:
    """config.yaml, updated by ``configfile`` as Snakemake's --configfile does."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    if configfile:
        update_config(config, yaml.safe_load(Path(configfile).read_text()))
    return config


def drawable_figures(config: dict):
    """(name, a function drawing it) of every figure whose input files exist in the working directory."""
    view = make_plan(config).view(main_scenario(config).name)
    for _, spec in figures_of():
        paths = [path for paths in spec.inputs(view).values() for path in paths]
        if all(Path(path).exists() for path in paths):
            yield spec.name, lambda name=spec.name: figure_from_plan(name, view)
    for name, (paths, draw) in CLAIMS_FIGURES.items():
        if all(Path(path).exists() for path in paths):
            yield name, lambda draw=draw, paths=paths: draw(*paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directory", default=".", help="the built project (Snakemake's working directory)")
    parser.add_argument("--configfile", help="a config file merged over config.yaml, as for the build")
    parser.add_argument("--save-to", help="a folder to save each drawing into, as PNG")
    arguments = parser.parse_args()
    configfile = os.path.abspath(arguments.configfile) if arguments.configfile else None
    save_to = Path(arguments.save_to).resolve() if arguments.save_to else None
    rows = ["| figure | size (in) | width | smallest font (pt) |", "|---|---|---|---|"]
    with contextlib.chdir(arguments.directory):
        for name, draw in drawable_figures(merged_config(configfile)):
            figure = draw()
            width, height = figure.get_size_inches()
            smallest = min(size for _, size in drawn_texts(figure))
            rows.append(f"| `{name}` | {width:g} x {height:.2g} | {WIDTHS.get(round(width, 2), '?')} | {smallest:g} |")
            if save_to:
                save_to.mkdir(parents=True, exist_ok=True)
                save_figure(figure, save_to / f"{name}.png")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
