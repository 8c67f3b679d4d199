"""The sha256 of every job record the plan makes from a config: `python tools/plan_records.py CONFIG...`.

Prints, per config file, the number of records and the sha256 of their JSON (sorted by kind and id),
and with --kinds one line per job kind. Two checkouts that print the same hash plan the same jobs with
the same settings and seeds, so a refactor that leaves it unchanged reruns no job. Works with the plan
of every version of this repository since the plan layer (`plan.jobs` by kind, or the older
`plan.teachers`, `plan.runs` and `plan.baselines`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import yaml

from convexnn.plan import make_plan

OLD_NAMES = {"teachers": "teacher_data", "runs": "train", "baselines": "baseline"}


def records_by_kind(config: dict) -> dict[str, dict[str, dict]]:
    plan = make_plan(config)
    jobs = (
        plan.jobs
        if isinstance(getattr(plan, "jobs", None), dict)
        else {new: getattr(plan, old) for old, new in OLD_NAMES.items()}
    )
    return {kind: {job_id: job.as_params() for job_id, job in by_id.items()} for kind, by_id in jobs.items() if by_id}


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="+", type=Path)
    parser.add_argument("--kinds", action="store_true", help="also one hash per job kind")
    arguments = parser.parse_args()
    for path in arguments.configs:
        records = records_by_kind(yaml.safe_load(path.read_text()))
        print(f"{path}: {sum(map(len, records.values()))} records, sha256 {digest(records)}")
        if arguments.kinds:
            for kind, by_id in records.items():
                print(f"  {kind}: {len(by_id)} records, sha256 {digest(by_id)}")


if __name__ == "__main__":
    main()
