# Each target sets up .venv by itself on a fresh clone.
# torch is pinned to the CPU wheel that lies on this machine's disk; a bare `torch`
# requirement would pull a CUDA build of several GB.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TORCH_PIN ?= torch==2.13.0
DOCS_STAMP := $(VENV)/.docs-installed-stamp

.PHONY: demo test test-fast lint bench docs clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check $(TORCH_PIN)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test,scale,imbalanced]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m debias_estimators demo --out debias-report --force

test: $(STAMP)
	$(PY) -m ruff check debias_estimators tests examples benchmarks
	$(PY) -m pytest -q

# The quick loop while developing: every test but those marked slow (make test runs them all).
test-fast: $(STAMP)
	$(PY) -m ruff check debias_estimators tests examples benchmarks
	$(PY) -m pytest -q -m "not slow"

lint: $(STAMP)
	$(PY) -m ruff check debias_estimators tests examples benchmarks

$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[docs]'
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache docs/_build docs/generated docs/auto_examples
