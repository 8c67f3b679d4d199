# The README's two commands: `make figures` and `make test`. Both create .venv on first use, from the
# locked environment (requirements.lock: every package, version and hash).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# One build per folder at a time; the kernel drops this lock when the build dies, even by SIGKILL.
EXCLUSIVE := $(BIN)/python tools/build_lock.py .build.lock --

.PHONY: figures test smoke claims robustness atlas beyond lazy frank_wolfe convex article article-pdf report references benchmark lock lint format clean

$(INSTALLED): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python tools/lockfile.py check
	touch $@

figures: $(INSTALLED)  ## every figure of the report's section 5 (PNG and PDF), at paper fidelity
	$(EXCLUSIVE) $(BIN)/snakemake figures

test: $(INSTALLED)  ## unit tests and the end-to-end smoke build
	$(BIN)/python -m pytest

smoke: $(INSTALLED)  ## the smoke configuration's figures and claims, in results-smoke/
	$(EXCLUSIVE) $(BIN)/snakemake figures claims --directory results-smoke --configfile $(CURDIR)/tests/smoke_config.yaml

claims: $(INSTALLED)  ## results/claims.csv and figures/claims.png: the report's claims at paper fidelity
	$(EXCLUSIVE) $(BIN)/snakemake claims

robustness: $(INSTALLED)  ## the claims under every base seed of config robustness.seeds
	$(EXCLUSIVE) $(BIN)/snakemake robustness

atlas: $(INSTALLED)  ## the claims under every variation of config atlas
	$(EXCLUSIVE) $(BIN)/snakemake atlas

beyond: $(INSTALLED)  ## Chizat & Bach's sharp transition with its convex baseline
	$(EXCLUSIVE) $(BIN)/snakemake beyond

lazy: $(INSTALLED)  ## lazy against active training: test loss against the initialisation scale
	$(EXCLUSIVE) $(BIN)/snakemake lazy

frank_wolfe: $(INSTALLED)  ## conditional gradient on the F1 ball and its new-unit step (report section 4)
	$(EXCLUSIVE) $(BIN)/snakemake frank_wolfe

convex: $(INSTALLED)  ## random features against the F2 kernel, and only F1 adapts (report sections 2-3)
	$(EXCLUSIVE) $(BIN)/snakemake convex

article: $(INSTALLED)  ## results/article/article.html: the replication as one HTML file, from every target built so far
	$(EXCLUSIVE) $(BIN)/snakemake figures claims article

# The article printed to A4 by headless Chromium (Debian: apt-get install chromium), offline, with the provenance
# at the foot of every page.
article-pdf: article  ## results/article/article.pdf: the article as a PDF (needs chromium)
	chromium --headless --no-sandbox --disable-gpu --host-resolver-rules="MAP * ~NOTFOUND" --no-pdf-header-footer \
		--virtual-time-budget=5000 --print-to-pdf=results/article/article.pdf file://$(CURDIR)/results/article/article.html

# The report holds the article, the paper figures and claims, and every other target that has been built.
REPORT_TARGETS = figures claims $(if $(wildcard figures/cb2018_transition.png),beyond) \
	$(if $(wildcard figures/lazy_scale_sweep.png),lazy) $(if $(wildcard figures/frank_wolfe_rate.png),frank_wolfe) \
	$(if $(wildcard figures/adaptivity.png),convex) \
	$(if $(wildcard figures/claims_robustness.png),robustness) $(if $(wildcard figures/claims_atlas.png),atlas)

report: $(INSTALLED)  ## the article and report.html: the figures and claims, and every other target built so far
	$(EXCLUSIVE) $(BIN)/snakemake figures claims article
	$(BIN)/snakemake $(REPORT_TARGETS) article --report report.html

# After a deliberate change of results: the built tables become the references CI compares with,
# and README's generated blocks are rewritten from them.
REFERENCES = results/claims.csv:claims_paper.csv results/robustness/claims_by_seed.csv:claims_by_seed.csv \
	results/robustness/claims_pooled.csv:claims_pooled.csv \
	results/atlas/claims_atlas.csv:claims_atlas.csv results/cb2018_transitions/transitions.csv:cb2018_transitions.csv \
	results/experiment_claims/paper/seed0/lazy_training.csv:claims_lazy.csv \
	results/lazy_scale_summary/summary.csv:lazy_scale_summary.csv results/lazy_reference_r0/r0_10.csv:lazy_reference_r0.csv \
	results/experiment_claims/paper/seed0/frank_wolfe.csv:claims_frank_wolfe.csv \
	results/experiment_claims/paper/seed0/kernel_convergence.csv:claims_kernel_convergence.csv \
	results/experiment_claims/paper/seed0/adaptivity.csv:claims_adaptivity.csv

references: $(INSTALLED)  ## copy the built result tables to tests/reference/ and rewrite README's numbers
	@for pair in $(REFERENCES); do test -f $${pair%%:*} || { echo "$${pair%%:*} is missing: run make claims robustness atlas beyond lazy frank_wolfe convex first"; exit 1; }; done
	@for pair in $(REFERENCES); do cp $${pair%%:*} tests/reference/$${pair##*:} && echo "tests/reference/$${pair##*:} <- $${pair%%:*}"; done
	$(BIN)/python -m convexnn.readme

benchmark: $(INSTALLED)  ## solver rates: the SGD engine (ReLU, sigmoid, against its numpy reference), full-batch GD, F2 ridge
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/gradient_descent.py
	$(BIN)/python benchmarks/kernels.py

lock: $(INSTALLED)  ## regenerate requirements.lock and environment.yml from pyproject.toml (needs PyPI)
	$(BIN)/python tools/lockfile.py compile

lint: $(INSTALLED)  ## format and lint checks (as in CI)
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/snakefmt --check workflow
	$(BIN)/snakemake --lint

format: $(INSTALLED)  ## apply the formatters
	$(BIN)/ruff format src tests benchmarks tools
	$(BIN)/snakefmt workflow

clean:
	rm -rf results figures logs results-smoke report.html .build.lock
