# The README's two commands: `make figures` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: figures test smoke report benchmark clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

figures: $(INSTALLED)  ## every figure of the report's section 5, at paper fidelity
	$(BIN)/snakemake figures

test: $(INSTALLED)  ## unit tests and the end-to-end smoke build
	$(BIN)/python -m pytest

smoke: $(INSTALLED)  ## the smoke configuration's figures, in results-smoke/
	$(BIN)/snakemake figures --directory results-smoke --configfile $(CURDIR)/tests/smoke_config.yaml

report: figures  ## report.html with every figure and its caption
	$(BIN)/snakemake figures --report report.html

benchmark: $(INSTALLED)  ## engine steps per second against the numpy reference
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf results figures logs results-smoke report.html
