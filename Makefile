SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
RAW    ?= data/raw
OUT    ?= data/processed
PYTEST_ARGS ?=

.PHONY: help setup pipeline test bench bench-scale models train-ner eval eval-translation report parquet kb-candidates add lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -c requirements.lock -e '.[all]'
	touch $@

setup: $(STAMP) ## create .venv and install the pinned dependencies (requirements.lock)

pipeline: $(STAMP) ## process data/raw into data/processed (incremental)
	$(PYTHON) -m pipeline run --raw $(RAW) --out $(OUT)

test: $(STAMP) ## run the whole test suite
	$(PYTHON) -m pytest $(PYTEST_ARGS)

bench: $(STAMP) ## measure speed and memory; writes bench/results.json
	$(PYTHON) -m bench

bench-scale: $(STAMP) ## corpus scale (1k/4k/16k articles): time, memory, no-op and add-10 re-runs; BENCH_SCALE_SIZES=...
	$(PYTHON) -m bench scale

models: $(STAMP) ## download and convert the translation models (needs a network)
	$(PYTHON) -m pipeline.translation.fetch --models models

train-ner: $(STAMP) ## train the shipped NER models from ../shared/data
	$(PYTHON) -m pipeline.ner.train --all

eval: $(STAMP) ## dev-set evaluations: language ID, entities, NER (translation: make eval-translation)
	$(PYTHON) -m pipeline.eval langid
	$(PYTHON) -m pipeline.eval entities
	$(PYTHON) -m pipeline.eval ner

eval-translation: $(STAMP) ## score installed translation models on FLORES-200 and TICO-19
	$(PYTHON) -m pipeline.eval translation

report: $(STAMP) ## static HTML report in data/processed/report/
	$(PYTHON) -m pipeline.report --out $(OUT)

parquet: $(STAMP) ## export data/processed to Parquet
	$(PYTHON) -m pipeline.loader --out $(OUT) --format parquet

kb-candidates: $(STAMP) ## rank unknown names by frequency, to grow the knowledge base
	$(PYTHON) -m pipeline.entities.candidates --out $(OUT)

add: $(STAMP) ## add articles to data/raw: make add FILES="a.txt b.html" [URL=...]
	$(PYTHON) -m pipeline add $(FILES) $(if $(URL),--url $(URL))

lint: $(STAMP) ## ruff and mypy on pipeline/
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/mypy pipeline

clean: ## remove outputs and caches (keeps .venv and models)
	rm -rf $(OUT) bench/tmp .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
