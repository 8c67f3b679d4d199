"""A build killed with SIGKILL during training, then started again, finishes with correct outputs."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SMOKE_CONFIG = ROOT / "tests" / "smoke_config.yaml"


def command(workdir, cores):
    return [
        sys.executable,
        "-m",
        "snakemake",
        "figures",
        "claims",
        "--cores",
        str(cores),
        "--directory",
        str(workdir),
        "--configfile",
        str(SMOKE_CONFIG),
    ]


def outputs(workdir):
    """Every result file but the hidden temporaries of interrupted atomic writes."""
    return sorted(
        path
        for path in (workdir / "results").rglob("*")
        if path.is_file() and not path.name.startswith(".") and "benchmarks" not in path.parts
    )


def test_killed_build_resumes_to_the_same_results(tmp_path):
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    build = subprocess.Popen(
        command(killed, 1), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    # Kill once training is under way: some training outputs written, the claims not yet.
    while len(list((killed / "results").glob("train/**/*.csv"))) < 10 and time.monotonic() < deadline:
        assert build.poll() is None, "the build finished before it could be killed"
        time.sleep(0.02)
    os.killpg(build.pid, signal.SIGKILL)
    build.wait()
    assert not (killed / "results" / "claims.csv").exists()
    # No reader ever sees half a file: whatever the kill left behind parses.
    for path in outputs(killed):
        if path.suffix == ".csv":
            assert len(pd.read_csv(path)) > 0, path
        elif path.suffix == ".npz":
            with np.load(path) as data:
                assert len(data.files) > 0, path

    resumed = subprocess.run(command(killed, 2), cwd=ROOT, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    reference = subprocess.run(command(clean, 2), cwd=ROOT, capture_output=True, text=True)
    assert reference.returncode == 0, reference.stderr[-3000:]

    killed_files = [path.relative_to(killed) for path in outputs(killed)]
    assert killed_files == [path.relative_to(clean) for path in outputs(clean)]
    for relative in killed_files:
        assert (killed / relative).read_bytes() == (clean / relative).read_bytes(), relative
    for figure in ("fig1_relu_trajectories.png", "fig4_overparam_relu.png", "fig7_lazy_vs_active.png"):
        assert (killed / "figures" / figure).read_bytes() == (clean / "figures" / figure).read_bytes(), figure
