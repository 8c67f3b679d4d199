import copy
from pathlib import Path

import pytest
import yaml
from conftest import build_with_config

from convexnn.config import ConfigError, validate_config

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture(scope="module")
def paper_config():
    return yaml.safe_load((ROOT / "config.yaml").read_text())


def test_paper_and_smoke_configs_are_valid(paper_config):
    validate_config(paper_config, SCHEMA)
    validate_config(yaml.safe_load((ROOT / "tests" / "smoke_config.yaml").read_text()), SCHEMA)


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda c: c["overparam"].update(step_sise=0.1), r"'overparam'.*'step_sise' was unexpected"),
        (
            lambda c: c["overparam"]["step_size"].update(relu=-0.5),
            r"'overparam.step_size.relu': -0.5 is less than or equal to the minimum of 0",
        ),
        (lambda c: c["r0_sweep"].pop("init_radius"), r"'r0_sweep': 'init_radius' is a required property"),
        (lambda c: c["overparam"].update(n_steps="many"), r"'overparam.n_steps': 'many' is not of type 'integer'"),
        (lambda c: c["overparam"].update(activations=["tanh"]), r"'overparam.activations.0': 'tanh' is not one of"),
        (lambda c: c["overparam"].pop("batch_size"), r"'overparam': 'batch_size' is a required property"),
        # fig. 3 and fig. 7 draw runs their experiments choose: the old view sections are refused by name
        (lambda c: c.update(training_curves={"repetition": 0}), r"'training_curves' was unexpected"),
        (lambda c: c["r0_sweep"].update(symmetric_init=True, n_particles=21), r"'r0_sweep.symmetric_init'.*even"),
    ],
)
def test_bad_config_is_rejected_with_the_key_named(paper_config, edit, message):
    config = copy.deepcopy(paper_config)
    edit(config)
    with pytest.raises(ConfigError, match=message):
        validate_config(config, SCHEMA)


def test_snakemake_stops_before_any_job_on_a_bad_config(tmp_path):
    config = yaml.safe_load((ROOT / "tests" / "smoke_config.yaml").read_text())
    config["overparam"]["repetitions"] = 0
    result = build_with_config(config, tmp_path)
    assert result.returncode != 0
    assert "'overparam.repetitions': 0 is less than the minimum of 1" in result.stdout + result.stderr
    assert not (tmp_path / "run" / "results").exists()
