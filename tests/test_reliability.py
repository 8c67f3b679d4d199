"""No silent wrong results: bad numbers in the config, diverged runs, corrupt intermediates, file modes,
the build lock, the numba cache and the logs of failing figure jobs."""

import copy
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PAPER_FIGURES, ROOT, SMOKE_CONFIG, build_with_config, copy_project, snakemake_in

from convexnn.config import ConfigError, validate_config
from convexnn.storage import CorruptFileError, read_curves, read_particles, read_table, read_teacher_data, write_table

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
SMOKE = yaml.safe_load((ROOT / SMOKE_CONFIG).read_text())

# ------------------------------------------------------------------------------------------------
# 1. Every non-finite number and every float where an integer is meant is refused, with its key named


@pytest.mark.parametrize(
    "key_path",
    [
        ("overparam", "step_size", "relu"),
        ("overparam", "init_radius"),
        ("overparam", "teacher_radius"),
        ("relu_trajectories", "step_size"),
        ("sigmoid_trajectories", "sigmoid_hidden_scale"),
        ("r0_sweep", "init_radius", 3),
        ("cb2018", "protocols", "converge", "step_size", "sigmoid"),
    ],
)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_by_name(key_path, bad):
    config = copy.deepcopy(SMOKE)
    target = config
    for key in key_path[:-1]:
        target = target[key]
    target[key_path[-1]] = bad
    with pytest.raises(ConfigError, match=rf"'{'.'.join(map(str, key_path))}': {bad} is not a finite number"):
        validate_config(config, SCHEMA)


def test_a_nan_appended_to_a_list_is_refused_by_name():
    config = copy.deepcopy(SMOKE)
    config["r0_sweep"]["init_radius"].append(math.nan)
    with pytest.raises(ConfigError, match=r"'r0_sweep.init_radius.4': nan is not a finite number"):
        validate_config(config, SCHEMA)


@pytest.mark.parametrize(
    "section,key",
    [
        ("overparam", "n_steps"),
        ("relu_trajectories", "repetitions"),
        ("r0_sweep", "batch_size"),
        ("cb2018", "test_size"),
        (None, "seed"),
    ],
)
def test_a_float_where_an_integer_is_meant_is_refused(section, key):
    config = copy.deepcopy(SMOKE)
    where = config[section] if section else config
    where[key] = float(where[key])
    name = f"{section}.{key}" if section else key
    with pytest.raises(ConfigError, match=rf"'{name}': {float(where[key])} is not of type 'integer'"):
        validate_config(config, SCHEMA)


def test_an_atlas_variation_that_breaks_a_setting_is_refused_by_name():
    config = copy.deepcopy(SMOKE)
    config["atlas"] = [
        {
            "name": "too_big",
            "experiment": "overparam",
            "scale": {"step_size": 1e6},
            "reason": "a step far above the schema's maximum",
        }
    ]
    with pytest.raises(
        ConfigError, match=r"'atlas.0' \(too_big\): once applied, config key 'overparam.step_size.relu'"
    ):
        validate_config(config, SCHEMA)


def test_snakemake_refuses_a_nan_before_any_job(tmp_path):
    config = copy.deepcopy(SMOKE)
    config["overparam"]["step_size"]["relu"] = math.nan
    result = build_with_config(config, tmp_path)
    assert result.returncode != 0
    assert "'overparam.step_size.relu': nan is not a finite number" in result.stdout + result.stderr
    assert not (tmp_path / "run" / "results").exists()


# ------------------------------------------------------------------------------------------------
# 2. A build where every run diverges finishes, draws every figure, and computes no claim from a
#    diverged run


@pytest.fixture(scope="module")
def diverged_project(tmp_path_factory):
    """The smoke configuration with steps so large that every run diverges."""
    project = copy_project(tmp_path_factory.mktemp("diverged") / "project")
    config = copy.deepcopy(SMOKE)
    config["overparam"]["step_size"] = {"relu": 900.0, "sigmoid": 900.0}
    for name in ("relu_trajectories", "sigmoid_trajectories", "r0_sweep"):
        config[name]["step_size"] = 900.0
    config["atlas"] = []  # an empty list: a missing key would leave config.yaml's variations in
    (project / "diverging.yaml").write_text(yaml.safe_dump(config))
    snakemake_in(project, "figures", "claims", "--cores", "2", configfile="diverging.yaml")
    return project


# The bounded sigmoid on the unit circle does not overflow even at the largest step the schema allows
# (its runs wander, but finish): fig. 2 and claims C2-C4 are then computed from finished runs.
DIVERGING = ("overparam", "relu_trajectories", "r0_sweep")
CLAIMS_OF_FINISHING_RUNS = {"C2", "C3-split", "C3-stay", "C3-lines", "C4"}


def test_every_run_diverged(diverged_project):
    for experiment in DIVERGING:
        finals = pd.read_csv(diverged_project / "results" / "aggregate" / "paper" / "seed0" / experiment / "finals.csv")
        assert finals["diverged"].all(), experiment
        assert finals["excess_loss"].isna().all(), experiment


def test_an_all_diverged_build_draws_every_figure(diverged_project):
    for name in (*PAPER_FIGURES, "claims"):
        for suffix in (".png", ".pdf"):
            assert (diverged_project / "figures" / (name + suffix)).stat().st_size > 5_000, name + suffix


def test_no_claim_is_computed_from_a_diverged_run(diverged_project):
    claims = pd.read_csv(diverged_project / "results" / "claims.csv").set_index("claim")
    of_diverged = claims.drop(index=list(CLAIMS_OF_FINISHING_RUNS))
    assert (of_diverged["verdict"] == "not evaluated").all(), of_diverged[["verdict", "detail"]].to_string()
    assert of_diverged["value"].isna().all()
    finals = pd.read_csv(
        diverged_project / "results" / "aggregate" / "paper" / "seed0" / "sigmoid_trajectories" / "finals.csv"
    )
    assert not finals["diverged"].any()
    assert claims.loc[list(CLAIMS_OF_FINISHING_RUNS), "detail"].str.contains("0 diverged").all()


# ------------------------------------------------------------------------------------------------
# 3. Every reader checks what it reads, and names the file and what to do


@pytest.fixture(scope="module")
def intermediates(smoke_project):
    """One file of each kind from the smoke build, with the member a reader asks for (batch files)."""
    results = smoke_project / "results"
    curve = next((results / "train" / "paper" / "seed0" / "overparam" / "relu").rglob("*.csv"))
    particles = next((results / "train" / "paper" / "seed0" / "r0_sweep").rglob("*.npz"))
    teacher = next((results / "teacher_data" / "paper" / "seed0" / "overparam").rglob("*.npz"))
    return {
        "curve": (curve, str(pd.read_csv(curve)["job"].iloc[0])),
        "particles": (particles, str(np.load(particles)["members"][0])),
        "teacher": (teacher, str(np.load(teacher)["members"][0])),
        "table": (results / "aggregate" / "paper" / "seed0" / "r0_sweep" / "finals.csv", None),
    }


READERS = {
    "curve": lambda path, member: read_curves(path, [[member, None]]),
    "particles": read_particles,
    "teacher": read_teacher_data,
    "table": lambda path, member: read_table(path),
}


def corrupt(source: Path, destination: Path, how: str) -> Path:
    data = source.read_bytes()
    if how == "truncate":
        destination.write_bytes(data[: len(data) * 2 // 3])
    elif how == "empty":
        destination.write_bytes(b"")
    else:
        raise ValueError(how)
    return destination


def assert_names_the_file(call, path: Path):
    with pytest.raises(CorruptFileError) as error:
        call(path)
    message = str(error.value)
    assert str(path) in message and f"`snakemake --forcerun {path} <the targets you built>`" in message


@pytest.mark.parametrize("how", ["truncate", "empty"])
@pytest.mark.parametrize("kind", ["curve", "particles", "teacher", "table"])
def test_a_truncated_or_empty_intermediate_is_detected(intermediates, tmp_path, kind, how):
    source, member = intermediates[kind]
    assert_names_the_file(lambda path: READERS[kind](path, member), corrupt(source, tmp_path / source.name, how))


def read_first_curve(intermediates):
    return lambda path: read_curves(path, [[intermediates["curve"][1], None]])


def test_a_curve_cut_at_a_line_boundary_is_detected(intermediates, tmp_path):
    lines = intermediates["curve"][0].read_text().splitlines(keepends=True)
    cut = tmp_path / "curve.csv"
    cut.write_text("".join(lines[: len(lines) // 2]))  # the first run's rows end half way
    members = pd.read_csv(intermediates["curve"][0])["job"].unique()
    assert len(members) > 1
    assert_names_the_file(lambda path: read_curves(path, [[member, None] for member in members]), cut)


def test_a_curve_with_a_missing_column_or_field_is_detected(intermediates, tmp_path):
    curve = pd.read_csv(intermediates["curve"][0])
    without = tmp_path / "without.csv"
    curve.drop(columns=["n_steps"]).to_csv(without, index=False)
    assert_names_the_file(read_first_curve(intermediates), without)
    holed = tmp_path / "holed.csv"
    curve.assign(zero_predictor_loss=curve["zero_predictor_loss"].where(curve.index != 3)).to_csv(holed, index=False)
    assert_names_the_file(read_first_curve(intermediates), holed)


@pytest.mark.parametrize(
    "kind,drop", [("particles", "hidden_weights"), ("particles", "diverged"), ("teacher", "test_targets")]
)
def test_an_archive_with_a_missing_array_is_detected(intermediates, tmp_path, kind, drop):
    source, member = intermediates[kind]
    with np.load(source) as data:
        arrays = {name: data[name] for name in data.files if name != f"m0/{drop}"}
    path = tmp_path / f"{kind}.npz"
    np.savez(path, **arrays)
    assert_names_the_file(lambda path: READERS[kind](path, member), path)


def test_an_archive_with_a_wrong_shape_is_detected(intermediates, tmp_path):
    source, member = intermediates["particles"]
    with np.load(source) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["m0/output_weights"] = arrays["m0/output_weights"][:, :-1]
    path = tmp_path / "particles.npz"
    np.savez(path, **arrays)
    assert_names_the_file(lambda path: read_particles(path, member), path)


def test_a_build_stops_on_a_corrupt_curve_and_names_it(smoke_project, tmp_path):
    project = copy_project(tmp_path / "project", source=smoke_project, ignore=None)
    curve = next((project / "results" / "train" / "paper" / "seed0" / "overparam" / "sigmoid").rglob("*.csv"))
    corrupt(curve, curve, "truncate")
    output = snakemake_in(project, "claims", "--cores", "1", check=False)
    assert str(curve.relative_to(project)) in output and "snakemake --forcerun" in output


# ------------------------------------------------------------------------------------------------
# 4. Modes, the build lock, the numba cache, the logs of figure jobs


def test_outputs_get_the_mode_the_umask_gives(tmp_path):
    table = pd.DataFrame({"a": [1]})
    for umask, mode in [(0o022, 0o644), (0o027, 0o640)]:
        previous = os.umask(umask)
        try:
            write_table(table, tmp_path / f"table-{umask:o}.csv")
        finally:
            os.umask(previous)
        assert (tmp_path / f"table-{umask:o}.csv").stat().st_mode & 0o777 == mode


def test_built_results_follow_the_umask(smoke_project):
    outputs = [
        path
        for folder in ("results", "figures")
        for path in (smoke_project / folder).rglob("*")
        if path.is_file() and "benchmarks" not in path.parts
    ]
    assert outputs and all(path.stat().st_mode & 0o044 for path in outputs)


def test_a_second_build_in_the_same_folder_is_refused_with_the_lock_named(tmp_path):
    lock = tmp_path / ".build.lock"
    first = subprocess.Popen([sys.executable, str(ROOT / "tools" / "build_lock.py"), str(lock), "--", "sleep", "5"])
    try:
        for _ in range(100):
            if lock.exists() and lock.read_text():
                break
            import time

            time.sleep(0.05)
        second = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "build_lock.py"), str(lock), "--", "true"],
            capture_output=True,
            text=True,
        )
    finally:
        first.wait()
    assert second.returncode == 75
    assert str(lock) in second.stderr and "sleep 5" in second.stderr and "Another build is running" in second.stderr
    again = subprocess.run([sys.executable, str(ROOT / "tools" / "build_lock.py"), str(lock), "--", "true"])
    assert again.returncode == 0  # released with the process that held it


def test_an_unwritable_numba_cache_falls_back_to_a_temporary_folder(monkeypatch):
    import convexnn.numba_cache as numba_cache

    monkeypatch.setattr(numba_cache, "_writable", lambda folder: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        folder = numba_cache.cache_folder()
    assert folder.exists() and "convexnn-numba-" in folder.name
    assert any("no writable numba cache folder" in str(warning.message) for warning in caught)


def test_the_cache_folder_changes_with_the_kernels_source(tmp_path, monkeypatch):
    import convexnn.numba_cache as numba_cache

    for name in numba_cache.COMPILED_MODULES:
        (tmp_path / name).write_text((numba_cache.PACKAGE_DIR / name).read_text())
    monkeypatch.setattr(numba_cache, "PACKAGE_DIR", tmp_path)
    before = numba_cache._source_key()
    (tmp_path / "random_stream.py").write_text((tmp_path / "random_stream.py").read_text() + "\n# edited\n")
    assert numba_cache._source_key() != before


def test_a_failing_figure_job_logs_its_traceback(tmp_path):
    from convexnn.jobs.figures import draw_figure

    missing = str(tmp_path / "missing.csv")
    log = tmp_path / "figure.log"
    inputs = {"curves": missing, "summary": missing, "finals": missing}
    with pytest.raises(FileNotFoundError):
        draw_figure("fig6_r0_sweep", inputs, {"n_particles": 20}, [tmp_path / "out.png"], log)
    text = log.read_text()
    assert "Traceback" in text and "missing.csv" in text
    assert not (tmp_path / "out.png").exists()
