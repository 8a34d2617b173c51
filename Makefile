# Two commands: `make demo` (install everything, run the main job on generated samples) and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= samples-out
export SOHOA_DATA_DIR ?= $(CURDIR)/sohoa-data

SOHOA_SAMPLES ?= $(CURDIR)/../shared/data
export SOHOA_SAMPLES

.PHONY: install system-deps tessdata-best demo test lint typecheck eval bench clean syllable-lm

system-deps:
	@bash scripts/install-system-deps.sh

# Reinstall the Python side only when the project or its pins change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]" 2>&1 | { grep -v "^WARNING: Location" || true; }
	@touch $(STAMP)

# The opt-in best Vietnamese model (SOHOA_OCR_MODEL=best) inside the venv, where Settings looks for it. A failed
# fetch only warns: the default fast model needs nothing from here. Offline: TESSDATA_TARBALL=the npm tarball.
tessdata-best: system-deps $(STAMP)
	@bash scripts/install-tessdata.sh $(VENV)/share/sohoa/tessdata-best $(TESSDATA_TARBALL)

install: system-deps $(STAMP) tessdata-best

demo: install
	$(BIN)/sohoa samples --out $(DEMO_DIR)
	@# Signing is on in the demo: a throwaway CA and operator key (NOT FOR PRODUCTION), made once and reused.
	signing=$$($(BIN)/sohoa signing init-demo $(SOHOA_DATA_DIR)/demo-signing) && eval "$$signing" && \
		$(BIN)/sohoa digitise $(DEMO_DIR)/documents/files --batch demo
	$(BIN)/sohoa catalogue import $(DEMO_DIR)/catalogue/*
	@echo; echo "== search: thủ tục hành chính (with diacritics)"
	$(BIN)/sohoa search "thủ tục hành chính" --limit 5
	@echo; echo "== search: thu tuc hanh chinh (typed without diacritics)"
	$(BIN)/sohoa search "thu tuc hanh chinh" --limit 5
	@echo; echo "== audit"
	$(BIN)/sohoa audit
	@echo; echo "== verify: checksums of the archive and the demo signatures"
	signing=$$($(BIN)/sohoa signing init-demo $(SOHOA_DATA_DIR)/demo-signing) && eval "$$signing" && $(BIN)/sohoa verify
	@echo; echo "== the web app: $(BIN)/sohoa users add NAME --role staff, then $(BIN)/sohoa serve"

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check sohoa tests scripts
	$(BIN)/ruff format --check sohoa tests scripts

typecheck: install
	$(BIN)/mypy sohoa

# Measurements on the real data in ../shared/data (SOHOA_SAMPLES) and on the demo samples; numbers, not pass/fail.
eval: install
	$(BIN)/python scripts/eval_ocr.py
	$(BIN)/python scripts/eval_ocr.py --vbpl test --max-docs 4
	$(BIN)/python scripts/eval_tables.py
	$(BIN)/python scripts/eval_metadata.py
	$(BIN)/python scripts/eval_catalogue.py
	$(BIN)/python scripts/eval_formats.py
	@test -f $(DEMO_DIR)/documents/ground_truth.jsonl && $(BIN)/python scripts/eval_samples.py $(DEMO_DIR)/documents \
		|| echo "run make demo first for the sample accuracy"

# The syllable model of OCR tone correction ships as package data; this rebuilds it from the vbpl legal texts
# (source and held-out split in the script's docstring). Same source, same bytes.
syllable-lm:
	$(BIN)/python scripts/build_syllable_lm.py --source $(SOHOA_SAMPLES)/legal_texts/vbpl_docs.jsonl.gz

bench: install
	$(BIN)/python scripts/bench_ocr.py --jobs 2 --long-pages 10,40,160 --skip-ocrmypdf
	$(BIN)/python scripts/bench_metadata.py --docs 400
	$(BIN)/python scripts/bench_search.py --n 100000 --queries 300
	$(BIN)/python scripts/bench_catalogue.py --procedures 10000 --dossiers 100000
	$(BIN)/python scripts/bench_pipeline.py --files 200

clean:
	rm -rf $(VENV) sohoa-data $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
