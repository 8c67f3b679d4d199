"""Wall time of the paper-fidelity build: the whole `figures` target, then each figure alone, each
in a new empty working directory (so nothing is reused but numba's compiled kernel cache).

Run from the repository root after installation: `.venv/bin/python benchmarks/build_times.py`.
Prints a Markdown table (the one in README.md).
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from convexnn.registry import figures_of

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ["figures"] + [f"figures/{spec.name}.png" for _, spec in figures_of("figures")] + ["claims"]


def build_seconds(target: str) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as workdir:
        start = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "snakemake",
                target,
                "--directory",
                workdir,
                "--configfile",
                str(ROOT / "config.yaml"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"{target} failed:\n{result.stderr[-3000:]}")
        jobs = int(result.stderr.rsplit(" of ", 1)[1].split()[0]) if " of " in result.stderr else 0
        return elapsed, jobs


print("| target (from an empty directory) | jobs | wall time |")
print("|---|---|---|")
for target in TARGETS:
    seconds, jobs = build_seconds(target)
    print(f"| `snakemake {target}` | {jobs} | {seconds:.0f} s |", flush=True)
