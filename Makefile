# Every development command lives here; CI (.ci/run) calls the same targets.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
SHARED_DATA ?= ../shared/data
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install serve test lint format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch is pinned to 2.13.0 (CPU build) in pyproject.toml; pip takes it from the local wheel cache.
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,lint]'
	@touch $(STAMP)

install: $(STAMP)

serve: install
	$(BIN)/townhall serve --migrate --port $(PORT)

test: install
	@$(BIN)/pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache townhall.egg-info

# Dedup quality on labelled pairs (../shared/data/qqp_dev.tsv by default; not needed by `test`).
.PHONY: dedup-eval dedup-calibrate
dedup-eval: install
	$(BIN)/townhall dedup-eval --pairs $(SHARED_DATA)/qqp_dev.tsv --out var/qqp_dev.pred.tsv

dedup-calibrate: install
	$(BIN)/townhall dedup-calibrate --pairs $(SHARED_DATA)/qqp_dev.tsv --out models/dedup.json
