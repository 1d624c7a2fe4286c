# Each target sets up .venv by itself on a fresh clone.
# torch is pinned to the CPU wheel that lies on this machine's disk; a bare `torch`
# requirement would pull a CUDA build of several GB.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TORCH_PIN ?= torch==2.13.0
DOCS_STAMP := $(VENV)/.docs-installed-stamp

.PHONY: demo test test-fast test-min lint bench docs clean

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

# The lowest versions setup.cfg allows, in a venv of their own: install_requires with each >=
# turned into ==, torch aside (the local wheel). Two tools are held back to the releases of
# that time, as their newer releases deprecate what matplotlib 3.10.0 and scikit-learn 1.6.0
# call (pyparsing's oneOf, parametrize over a generator), and warnings are errors here. The
# optional extras (scale, imbalanced) and the docstring checks (numpydoc) are left out: their
# tests skip or are not run.
MIN_VENV := .venv-min
MIN_PY := $(MIN_VENV)/bin/python
MIN_STAMP := $(MIN_VENV)/.installed-stamp
MIN_TOOLS := 'pyparsing<3.3' 'pytest>=7.4,<8.4' 'hypothesis>=6.100'

$(MIN_STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(MIN_VENV)
	sed -n '/^install_requires =/,/^$$/p' setup.cfg | grep '>=' | grep -v '^ *torch' \
		| sed 's/>=/==/; s/^ *//' > $(MIN_VENV)/requirements-min.txt
	$(MIN_PY) -m pip install -q --disable-pip-version-check --only-binary=:all: $(TORCH_PIN) \
		-r $(MIN_VENV)/requirements-min.txt $(MIN_TOOLS)
	$(MIN_PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $(MIN_STAMP)

test-min: $(MIN_STAMP)
	$(MIN_PY) -m pip list --disable-pip-version-check
	$(MIN_PY) -m pytest -q -m "not slow" -p no:cacheprovider --ignore=tests/test_docstrings.py

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
	rm -rf $(VENV) $(MIN_VENV) build dist *.egg-info .pytest_cache .ruff_cache docs/_build docs/generated docs/auto_examples
