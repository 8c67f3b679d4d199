"""README.md quotes results only in generated blocks, and those agree with the committed references."""

import pandas as pd
import pytest

from convexnn import readme


def test_readme_blocks_agree_with_the_committed_references():
    text = readme.ROOT.joinpath("README.md").read_text()
    assert readme.render(text, readme.blocks(*readme.reference_tables())) == text, (
        "README.md differs from tests/reference/: run `python -m convexnn.readme`"
    )


def test_every_reference_table_is_quoted():
    names = set(readme.BLOCK.findall(readme.ROOT.joinpath("README.md").read_text()))
    quoted = {name for _, name, _, _ in names}
    assert {"claims", "robustness", "pooled", "cb2018", "lazy"} <= quoted
    assert {f"claims-{name}" for name in readme.BEYOND_CLAIMS} <= quoted
    atlas = readme.reference_tables()[2]
    assert {f"atlas-{claim}" for claim in atlas["claim"].unique()} <= quoted


def test_a_changed_number_is_detected(tmp_path):
    text = readme.ROOT.joinpath("README.md").read_text()
    claims, *others = readme.reference_tables()
    changed = claims.copy()
    changed.loc[0, "value"] = changed.loc[0, "value"] * 3 + 1 if pd.notna(changed.loc[0, "value"]) else 0.5
    assert readme.render(text, readme.blocks(changed, *others)) != text
    # and the command says so
    copy = tmp_path / "README.md"
    copy.write_text(text.replace("| C2 |", "| C2 (edited) |", 1))
    assert readme.main(["--check", "--readme", str(copy)]) == 1


def test_an_unknown_block_is_an_error():
    with pytest.raises(KeyError, match="no generator"):
        readme.render("<!-- generated:nonsense -->\nx\n<!-- /generated:nonsense -->", {})
