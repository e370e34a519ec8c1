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
PORT   ?= 8888
JUPYTER_ARGS ?=
# What the notebook and report targets install first: the stamp (pip install, only when pyproject.toml or
# requirements.lock changed). `make notebook SETUP=` uses the existing .venv as it is and never runs pip.
SETUP  ?= $(STAMP)
KERNEL_NAME := newscorpus
KERNEL := $(VENV)/share/jupyter/kernels/$(KERNEL_NAME)/kernel.json
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

.PHONY: help setup kernel notebook pipeline test bench bench-scale models train-ner train-langid eval eval-translation report parquet kb kb-candidates add lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -c requirements.lock -e '.[all]'
	touch $@

setup: $(STAMP) $(KERNEL) ## create .venv and install the pinned dependencies (requirements.lock)

# The kernel runs the venv's real interpreter path (not a symlink to the venv), registered inside the venv.
$(KERNEL): $(SETUP)
	"$$(cd $(VENV) && pwd -P)/bin/python" -m ipykernel install --sys-prefix --name $(KERNEL_NAME) \
		--display-name "Python (newscorpus)"

kernel: $(KERNEL) ## register .venv as the Jupyter kernel "newscorpus" (inside .venv, not in $HOME)

# Loopback only, with Jupyter's token; as root (a container) it needs --allow-root.
notebook: $(KERNEL) ## JupyterLab on notebooks/ at http://127.0.0.1:PORT (8888), kernel newscorpus, reading OUT
	PIPELINE_OUT="$(abspath $(OUT))" $(PYTHON) -m jupyterlab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.port_retries=0 --ServerApp.root_dir=notebooks \
		--MultiKernelManager.default_kernel_name=$(KERNEL_NAME) $(if $(filter 0,$(shell id -u)),--allow-root) \
		$(JUPYTER_ARGS)

pipeline: $(STAMP) ## process data/raw into data/processed (incremental)
	$(PYTHON) -m pipeline run --raw $(RAW) --out $(OUT)

test: $(STAMP) $(KERNEL) ## run the whole test suite
	$(PYTHON) -m pytest $(PYTEST_ARGS)

bench: $(STAMP) ## measure speed and memory; writes bench/results.json
	$(PYTHON) -m bench

bench-scale: $(STAMP) ## corpus scale (1k/4k/16k articles): time, memory, no-op and add-10 re-runs; BENCH_SCALE_SIZES=...
	$(PYTHON) -m bench scale

models: $(STAMP) ## download and convert the translation models (needs a network)
	$(PYTHON) -m pipeline.translation.fetch --models models

train-ner: $(STAMP) ## train the shipped NER models from ../shared/data
	$(PYTHON) -m pipeline.ner.train --all

train-langid: $(STAMP) ## rebuild the zh-Hant word list, the MT-English model and the langid calibration from ../shared
	$(PYTHON) -m pipeline.langid.build_hant
	$(PYTHON) -m pipeline.langid.build_english
	$(PYTHON) -m pipeline.langid.train_mt
	$(PYTHON) -m pipeline.langid.train

eval: $(STAMP) ## dev-set evaluations: language ID, entities, NER, real-world pages (translation: make eval-translation)
	$(PYTHON) -m pipeline.eval langid
	$(PYTHON) -m pipeline.eval entities
	$(PYTHON) -m pipeline.eval ner
	$(PYTHON) -m pipeline.eval realworld

eval-translation: $(STAMP) ## score installed translation models on FLORES-200 and TICO-19
	$(PYTHON) -m pipeline.eval translation

report: $(SETUP) $(KERNEL) ## static HTML report and the executed notebooks in data/processed/report/
	$(PYTHON) -m pipeline.report --out $(OUT) $(addprefix --notebook ,$(NOTEBOOKS))

parquet: $(STAMP) ## export data/processed to Parquet
	$(PYTHON) -m pipeline.loader --out $(OUT) --format parquet

kb: $(STAMP) ## build the knowledge base from the pinned open sources (needs ../shared/data/kb_sources)
	$(PYTHON) -m pipeline.entities.build

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
