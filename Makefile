# The README's two commands: `make figures` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# One build per directory at a time; the kernel drops this lock when the build dies, even by SIGKILL.
EXCLUSIVE := flock --nonblock --conflict-exit-code 75 .build.lock

.PHONY: figures test smoke claims report benchmark clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,slurm]"
	touch $@

figures: $(INSTALLED)  ## every figure of the report's section 5, at paper fidelity
	$(EXCLUSIVE) $(BIN)/snakemake figures

test: $(INSTALLED)  ## unit tests and the end-to-end smoke build
	$(BIN)/python -m pytest

smoke: $(INSTALLED)  ## the smoke configuration's figures, in results-smoke/
	$(EXCLUSIVE) $(BIN)/snakemake figures claims --directory results-smoke --configfile $(CURDIR)/tests/smoke_config.yaml

claims: $(INSTALLED)  ## results/claims.csv: the report's claims checked at paper fidelity
	$(EXCLUSIVE) $(BIN)/snakemake claims

report: figures claims  ## report.html with every figure, its caption and the claims table
	$(BIN)/snakemake figures claims --report report.html

benchmark: $(INSTALLED)  ## engine steps per second against the numpy reference
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf results figures logs results-smoke report.html .build.lock
