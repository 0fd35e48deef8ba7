# Each target sets itself up from nothing: only python3, pip and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
STAMP_DOCS := $(VENV)/.installed-docs

.PHONY: demo test lint typecheck pytest bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(STAMP_RUN) $(STAMP_DOCS)

$(STAMP_DOCS): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/sixsigma demo --out demo-output

# tests/test_site.py builds the documentation site once, in strict mode (mkdocs build --strict):
# a broken link, a missing reference or a docstring warning fails `make test`.
pytest: $(STAMP_DEV)
	MPLBACKEND=Agg NO_MKDOCS_2_WARNING=1 $(BIN)/python -m pytest -q

lint: $(STAMP_DEV)
	$(BIN)/ruff check sixsigma dmaic tests bench docs/_hooks

typecheck: $(STAMP_DEV)
	$(BIN)/mypy sixsigma dmaic

test: pytest lint typecheck

bench: $(STAMP_DEV)
	$(BIN)/python bench/run.py

# The documentation site (MkDocs Material + mkdocstrings) into ./site; no network needed.
docs: $(STAMP_DOCS)
	MPLBACKEND=Agg NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) demo-output site .mypy_cache .ruff_cache .pytest_cache .hypothesis
