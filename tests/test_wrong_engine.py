"""A deliberately wrong engine must be caught by the results check.

The test copies the repository, flips the sign of one gradient term in the compiled kernel (the
hidden-weight step), rebuilds the smoke claims with it, and requires the comparison with the
committed smoke reference to fail, naming the claims that caught it.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORRECT_STEP = "row[i] -= coefficient * x[i]"
WRONG_STEP = "row[i] += coefficient * x[i]"


def test_flipped_gradient_sign_fails_the_claims_check(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            ".snakemake",
            "results",
            "figures",
            "logs",
            "results-smoke",
            "__pycache__",
            "*.nbi",
            "*.nbc",
        ),
    )
    kernel = copy / "src" / "convexnn" / "training.py"
    source = kernel.read_text()
    assert source.count(CORRECT_STEP) == 1
    kernel.write_text(source.replace(CORRECT_STEP, WRONG_STEP))
    # The copy's src/ comes first, so the scripts and run: blocks import the wrong engine.
    environment = {"PYTHONPATH": str(copy / "src"), "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "claims",
            "--cores",
            "2",
            "--directory",
            str(tmp_path / "run"),
            "--configfile",
            str(copy / "tests" / "smoke_config.yaml"),
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        env=environment,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "convexnn.check_claims",
            str(tmp_path / "run" / "results" / "claims.csv"),
            str(ROOT / "tests" / "reference" / "claims_smoke.csv"),
        ],
        capture_output=True,
        text=True,
        env=environment,
    )
    assert check.returncode == 1, check.stdout
    caught = sorted(set(re.findall(r"CLAIM CHECK FAILED (C[\w-]+):", check.stdout)))
    print("claims that caught the wrong engine:", caught)
    assert caught
