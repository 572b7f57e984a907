# A project folder written by `lsimpact init`: the shipped raw data, the report notebooks
# and this Makefile. It uses the lsimpact installed in the current Python environment
# (`pip install lsimpact`); run `make reports` here to rebuild every exhibit.

PYTHON ?= python3

# Headless plots, one BLAS thread, fixed hashing: results do not depend on the machine.
export MPLBACKEND := Agg
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: reports data test verify help

help:
	@echo "make reports  - rebuild reports/ (figures, tables, index.html) from data/raw/"
	@echo "make data     - build data/processed/ from data/raw/"
	@echo "make verify   - check data/raw/ against its catalogue (sha256)"
	@echo "make test     - re-execute every notebook and compare its outputs (needs pytest + nbval)"

reports:
	$(PYTHON) -m lsimpact report

data:
	$(PYTHON) -m lsimpact data

verify:
	$(PYTHON) -m lsimpact catalog verify

test:
	LSIMPACT_REPORTS_DIR=$(CURDIR)/build/test-reports $(PYTHON) -m pytest notebooks \
		--nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider
