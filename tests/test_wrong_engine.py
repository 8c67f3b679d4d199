"""A deliberately wrong engine must be caught by the results check.

The test copies the repository, flips the sign of one gradient term in the compiled kernel (the
hidden-weight step), rebuilds the smoke claims with it, and requires the comparison with the
committed smoke reference to fail, naming the claims that caught it.
"""

import os
import re
import subprocess
import sys

from conftest import ROOT, copy_project, snakemake_in

CORRECT_STEP = "row[i] -= coefficient * x[i]"
WRONG_STEP = "row[i] += coefficient * x[i]"


def test_flipped_gradient_sign_fails_the_claims_check(tmp_path):
    copy = copy_project(tmp_path / "repo")
    kernel = copy / "src" / "convexnn" / "training.py"
    source = kernel.read_text()
    assert source.count(CORRECT_STEP) == 1
    kernel.write_text(source.replace(CORRECT_STEP, WRONG_STEP))
    # snakemake_in puts the copy's src/ first, so the run: blocks import the wrong engine.
    snakemake_in(copy, "claims", "--cores", "2")
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "convexnn.check_claims",
            str(copy / "results" / "claims.csv"),
            str(ROOT / "tests" / "reference" / "claims_smoke.csv"),
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(copy / "src")),
    )
    assert check.returncode == 1, check.stdout
    caught = sorted(set(re.findall(r"CLAIM CHECK FAILED (C[\w-]+):", check.stdout)))
    print("claims that caught the wrong engine:", caught)
    assert caught
