import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_engine_benchmark_prints_its_summary_line():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "engine.py"), "--quick"],
                            capture_output=True, text=True, check=True)
    last = result.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"engine_steps_per_s=(\d+) reference_steps_per_s=(\d+) ratio=([\d.]+)", last)
    assert match, last
    engine, reference, ratio = int(match[1]), int(match[2]), float(match[3])
    assert engine > 0 and reference > 0
    assert abs(ratio - engine / reference) < 0.1
