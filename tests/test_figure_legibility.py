"""Every figure is legible at its printed size: one column (3.3 in) or the full page width (7 in), no text
smaller than 6 pt at that size, and the size its caption gives is the size of the file written.

The figures of the smoke build are drawn again as their rules draw them (convexnn.jobs.figures.figure_from_plan)
and their matplotlib texts read back; the claims figures are drawn from the committed reference tables (the paper
build's, so with the paper's number of claims and variations)."""

import contextlib
import re
import struct
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import yaml
from conftest import ROOT, SMOKE_CONFIG
from snakemake.utils import update_config

from convexnn.jobs.figures import CLAIMS, figure_from_plan
from convexnn.plan import main_scenario, make_plan
from convexnn.plotting import (
    DPI,
    SMALLEST_FONT_POINTS,
    WIDTHS,
    drawn_texts,
    plot_claims,
    plot_claims_atlas,
    plot_claims_by_seed,
    save_figure,
)
from convexnn.registry import figures_of
from convexnn.storage import read_table

REFERENCE = ROOT / "tests" / "reference"
CAPTIONS = ROOT / "workflow" / "report"
REGISTRY_FIGURES = [spec.name for _, spec in figures_of()]
# The claims figures: (caption, drawing from the reference tables).
CLAIMS_FIGURES = {
    "claims": ("fig_claims", lambda: plot_claims(read_table(REFERENCE / "claims_paper.csv", CLAIMS))),
    "claims_robustness": (
        "fig_claims_robustness",
        lambda: plot_claims_by_seed(
            read_table(REFERENCE / "claims_by_seed.csv", CLAIMS + ["seed"]),
            read_table(REFERENCE / "claims_pooled.csv", CLAIMS),
        ),
    ),
    "claims_atlas": (
        "fig_claims_atlas",
        lambda: plot_claims_atlas(read_table(REFERENCE / "claims_atlas.csv", CLAIMS + ["variation", "change"])),
    ),
}


def png_inches(path: Path) -> tuple[float, float]:
    """A PNG's width and height in pixels (its IHDR chunk), at the figures' DPI."""
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width / DPI, height / DPI


def caption_size(caption: str) -> tuple[float, float | None]:
    """(width, height or None) from a caption's 'Printed size: W x H in' or 'Printed size: W in wide'."""
    text = (CAPTIONS / f"{caption}.rst").read_text()
    found = re.search(r"Printed size: ([\d.]+)(?: x ([\d.]+) in| in wide)", text)
    assert found, f"workflow/report/{caption}.rst does not give the printed size"
    return float(found[1]), (float(found[2]) if found[2] else None)


@pytest.fixture(scope="module")
def smoke_view(smoke_project):
    """The main scenario of the smoke build's plan, for drawing its figures from its files."""
    config = yaml.safe_load((smoke_project / "config.yaml").read_text())
    update_config(config, yaml.safe_load((smoke_project / SMOKE_CONFIG).read_text()))
    return make_plan(config).view(main_scenario(config).name)


def check_legible(figure: plt.Figure, caption: str) -> tuple[float, float]:
    """The figure's size is a paper width and its caption's, and no text of it is below the smallest font."""
    width, height = (round(float(value), 2) for value in figure.get_size_inches())
    texts = drawn_texts(figure)
    assert width in WIDTHS, f"{caption}: {width} in wide, not one column (3.3 in) or the page width (7 in)"
    small = [(text, size) for text, size in texts if size < SMALLEST_FONT_POINTS]
    assert not small, f"{caption}: texts below {SMALLEST_FONT_POINTS} pt at {width} in wide: {small[:5]}"
    stated_width, stated_height = caption_size(caption)
    assert stated_width == width, f"{caption}: the caption says {stated_width} in wide, the figure is {width}"
    if stated_height is not None:
        assert stated_height == pytest.approx(height, abs=0.05), f"{caption}: caption {stated_height} in high"
    return width, height


@pytest.mark.parametrize("name", REGISTRY_FIGURES)
def test_each_figure_of_the_smoke_build_is_legible_at_its_printed_size(name, smoke_project, smoke_view):
    with contextlib.chdir(smoke_project):
        figure = figure_from_plan(name, smoke_view)
    width, height = check_legible(figure, name)
    plt.close(figure)
    saved = png_inches(smoke_project / "figures" / f"{name}.png")
    assert saved == pytest.approx((width, height), abs=1 / DPI), f"{name}.png is {saved} in, not {width} x {height}"


@pytest.mark.parametrize("name", list(CLAIMS_FIGURES))
def test_each_claims_figure_is_legible_at_its_printed_size(name, tmp_path):
    caption, draw = CLAIMS_FIGURES[name]
    figure = draw()
    width, height = check_legible(figure, caption)
    save_figure(figure, tmp_path / "figure.png")
    assert png_inches(tmp_path / "figure.png") == pytest.approx((width, height), abs=1 / DPI)


def test_the_readme_table_of_sizes_agrees_with_the_captions():
    table = re.findall(r"^\| `(\w+)` \| ([\d.]+) x ([\d.]+) \|", (ROOT / "README.md").read_text(), flags=re.M)
    listed = {name: (float(width), float(height)) for name, width, height in table}
    captions = {name: name for name in REGISTRY_FIGURES} | {
        name: caption for name, (caption, _) in CLAIMS_FIGURES.items()
    }
    assert set(listed) >= set(captions), f"README's table of sizes misses {sorted(set(captions) - set(listed))}"
    for name, caption in captions.items():
        width, height = caption_size(caption)
        assert listed[name][0] == width and height in (None, listed[name][1]), f"README and {caption}.rst differ"
