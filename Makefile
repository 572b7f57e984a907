# lsimpact: every target bootstraps .venv itself (created or refreshed when missing or
# older than pyproject.toml), so `make reports` and `make test` work on a fresh machine
# with only Python >= 3.11 and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Headless plots, one BLAS thread, fixed hashing: results do not depend on the machine.
export MPLBACKEND := Agg
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export NUMBA_NUM_THREADS := 1
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: reports test data lint bench venv clean help constraints docs sync-notebooks

help:
	@echo "make reports  - rebuild reports/ (figures, tables, index.html) from data/raw/"
	@echo "make test     - the whole test suite (pytest + notebooks under nbval)"
	@echo "make data     - build data/processed/ from data/raw/"
	@echo "make lint     - ruff"
	@echo "make bench    - speed and memory benchmarks -> benchmarks/results.md (not part of make test)"
	@echo "make docs     - API reference from the docstrings (build/docs/index.html)"

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "lsimpact needs Python >= 3.11; run make PYTHON=python3.11 ...")'
	@if test -x $(BIN)/python; then \
		echo "pyproject.toml or constraints.txt changed: updating .venv (up to a minute) ..."; \
	else \
		echo "first run: creating .venv and installing lsimpact with its dependencies"; \
		echo "(about 2-3 minutes with a warm pip cache, longer on a new machine; later runs skip this) ..."; \
		$(PYTHON) -m venv $(VENV); \
	fi
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)
	@echo "installed: $$($(BIN)/lsimpact --version) in $(VENV)"

venv: $(STAMP)

data: $(STAMP)
	$(BIN)/lsimpact data

reports: $(STAMP)
	$(BIN)/lsimpact report

test: $(STAMP)
	LSIMPACT_FIGURE_CHECK=error LSIMPACT_REPORTS_DIR=$(CURDIR)/build/test-reports $(BIN)/python -m pytest tests notebooks \
		--nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir build/docs
	@echo "wrote build/docs/index.html"

# Write each notebook's jupytext pair (notebooks/NN_name.py, percent format) from the .ipynb.
sync-notebooks: $(STAMP)
	$(BIN)/python tools/sync_notebooks.py

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m benchmarks

constraints: $(STAMP)
	( sed -n '1,3p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^lsimpact' ) > constraints.tmp
	mv constraints.tmp constraints.txt

clean:
	rm -rf data/processed/*.parquet data/processed/*.csv data/processed/*.json build reports/*
	touch reports/.gitkeep
