"""A job's code inputs are the modules it imports, and an edit reruns exactly the jobs that import the
edited module and what depends on them."""

import modulefinder
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import TARGET_RULES, copy_project, snakemake_in

from convexnn.dependencies import source_closure
from convexnn.registry import targets

# every target but the robustness seeds and the atlas, which the smoke project does not build
TARGETS = ("claims", *targets())


def parse_jobs(output: str) -> list[dict]:
    """The job blocks of a dry run: rule, inputs, outputs."""
    jobs = []
    for rule, block in re.findall(
        r"^\s*(?:local)?rule (\w+):\n(.*?)(?=^\s*\[|\nJob stats|\Z)", output, flags=re.M | re.S
    ):
        fields = dict(re.findall(r"^\s+(input|output): (.*)$", block, flags=re.M))
        jobs.append(
            {
                "rule": rule,
                "input": set(filter(None, fields.get("input", "").split(", "))),
                "output": set(filter(None, fields.get("output", "").split(", "))),
            }
        )
    return jobs


def descendants(jobs: list[dict], roots: list[int]) -> set[int]:
    """Indices of the jobs that depend, directly or not, on the jobs ``roots`` (roots included)."""
    producer = {path: index for index, job in enumerate(jobs) for path in job["output"]}
    children: dict[int, set[int]] = {}
    for index, job in enumerate(jobs):
        for path in job["input"]:
            if path in producer:
                children.setdefault(producer[path], set()).add(index)
    found, pending = set(), list(roots)
    while pending:
        index = pending.pop()
        if index not in found:
            found.add(index)
            pending.extend(children.get(index, ()))
    return found


def imported_at_run_time(module: str, project: Path) -> set[str]:
    """The convexnn modules that importing ``module`` loads, in a fresh interpreter."""
    code = (
        f"import sys, {module}; print('\\n'.join(sorted(m.__file__ for n, m in sys.modules.items() "
        "if n.split('.')[0] == 'convexnn')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(project / "src"), "PATH": "/usr/bin:/bin"},
    )
    return {str(Path(path).resolve().relative_to(project)) for path in result.stdout.split()}


@pytest.fixture(scope="module")
def every_job(smoke_project):
    """Every job of the build with its inputs and outputs (a forced dry run)."""
    return parse_jobs(snakemake_in(smoke_project, "-n", "--forceall", *TARGETS))


FINGERPRINT = "code_fingerprint"


def source_files(paths) -> set[str]:
    return {path for path in paths if path.startswith(("src/", "workflow/scripts/"))}


def code_inputs_of(job: dict, jobs: list[dict]) -> set[str]:
    """The source files a job depends on: its own inputs among them, and those of the code
    fingerprints it takes as input (rule code_fingerprint)."""
    fingerprints = {path for path in job["input"] if path.startswith(f"results/{FINGERPRINT}/")}
    sources = source_files(job["input"])
    for other in jobs:
        if other["rule"] == FINGERPRINT and other["output"] & fingerprints:
            sources |= source_files(other["input"])
    return sources


def test_code_inputs_are_what_each_job_imports(smoke_project, every_job):
    """For each rule, its code inputs equal the convexnn modules its entry point loads at run time
    (run: rules, by importing the job module) or that the script imports (modulefinder)."""
    by_rule = {}
    for job in every_job:
        if job["rule"] == FINGERPRINT:
            continue  # its inputs are the files of the entry point in its wildcard
        code = code_inputs_of(job, every_job)
        by_rule.setdefault(job["rule"], code)
        assert code == by_rule[job["rule"]], job["rule"]  # the same for every job of a rule
        # thousands of jobs: one fingerprint as input instead of the files (src/convexnn/dependencies.py)
        assert not source_files(job["input"]), job["rule"]
    entries = {}
    for job in every_job:
        for path in job["input"]:
            if path.startswith(f"results/{FINGERPRINT}/"):
                entries[job["rule"]] = path.removeprefix(f"results/{FINGERPRINT}/").removesuffix(".txt")
    checked = 0
    for rule, code in by_rule.items():
        script = [path for path in code if path.startswith("workflow/scripts/")]
        if rule in entries:
            # the entry point is the module named by the fingerprint (a job module, or a kind's module)
            assert code == imported_at_run_time(entries[rule], smoke_project), rule
            checked += 1
        elif script:
            finder = modulefinder.ModuleFinder(path=[str(smoke_project / "src")])
            finder.run_script(str(smoke_project / script[0]))
            found = {
                str(Path(m.__file__).resolve().relative_to(smoke_project))
                for name, m in finder.modules.items()
                if name.split(".")[0] == "convexnn"
            }
            assert code == found | set(script), rule
            checked += 1
        else:
            assert code == set(), rule  # a rule that only collects its inputs runs no code of ours
    assert checked >= 10


def planned_after_edits(project: Path, modules: list[str]) -> dict[str, list]:
    """{module: the jobs a dry run plans after an edit of that module}, one module at a time."""
    planned = {}
    for module in modules:
        path = project / module
        original = path.read_bytes()
        path.write_bytes(original + b"\n# an edit: new bytes, as Snakemake compares checksums\n")
        try:
            planned[module] = parse_jobs(snakemake_in(project, "-n", *TARGETS))
        finally:
            path.write_bytes(original)
    return planned


def test_an_edit_reruns_exactly_the_jobs_that_import_the_module(smoke_project, every_job, tmp_path):
    modules = sorted(
        path.relative_to(smoke_project).as_posix() for path in (smoke_project / "src" / "convexnn").rglob("*.py")
    )
    assert len(modules) >= 15
    # Two copies of the built project, each editing half of the modules: the dry runs take most of the time.
    second = copy_project(tmp_path / "second", source=smoke_project, ignore=None)
    with ThreadPoolExecutor(2) as pool:
        halves = pool.map(planned_after_edits, [smoke_project, second], [modules[::2], modules[1::2]])
        planned = {module: jobs for half in halves for module, jobs in half.items()}
    for module in modules:
        importers = [index for index, job in enumerate(every_job) if module in source_files(job["input"])]
        expected = sorted(
            (every_job[i]["rule"], tuple(sorted(every_job[i]["output"])))
            for i in descendants(every_job, importers)
            if every_job[i]["rule"] not in TARGET_RULES
        )
        found = sorted(
            (job["rule"], tuple(sorted(job["output"]))) for job in planned[module] if job["rule"] not in TARGET_RULES
        )
        assert found == expected, module


def test_closure_follows_relative_and_from_imports(tmp_path):
    # The package's own closure of its training job holds the engine and the model it builds on.
    closure = {path.name for path in source_closure("convexnn.jobs.train")}
    assert {"train.py", "training.py", "model.py", "teacher.py", "storage.py", "records.py", "__init__.py"} <= closure
    assert "claims.py" not in closure and "figures.py" not in closure and "plan.py" not in closure
