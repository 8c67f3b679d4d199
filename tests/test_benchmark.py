import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(
    r"engine_relu_steps_per_s=(\d+) engine_sigmoid_steps_per_s=(\d+)"
    r" reference_relu_steps_per_s=(\d+) reference_sigmoid_steps_per_s=(\d+)"
)


def test_engine_benchmark_prints_its_summary_line():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "engine.py"), "--quick"], capture_output=True, text=True, check=True
    )
    last = result.stdout.strip().splitlines()[-1]
    match = SUMMARY.fullmatch(last)
    assert match, last
    engine_relu, engine_sigmoid, reference_relu, reference_sigmoid = (int(group) for group in match.groups())
    assert min(engine_relu, engine_sigmoid, reference_relu, reference_sigmoid) > 0
    # the compiled engine is orders of magnitude faster than numpy, even on a busy machine
    assert engine_relu > 10 * reference_relu and engine_sigmoid > 10 * reference_sigmoid
