# Every development command lives here; CI (.ci/run) calls the same targets.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
SHARED_DATA ?= ../shared/data
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install serve test lint format clean browser-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch is pinned to 2.13.0 (CPU build) in pyproject.toml; pip takes it from the local wheel cache.
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,lint,bench]'
	@touch $(STAMP)

install: $(STAMP)

# Development server: sign-in links of verified-e-mail events go to the log when no SMTP
# server is set (TOWNHALL_MAIL_LOG_LINKS; never in production, docs/configuration.md).
serve: install
	TOWNHALL_MAIL_LOG_LINKS=$${TOWNHALL_MAIL_LOG_LINKS:-true} $(BIN)/townhall serve --migrate --port $(PORT)

# The browser tests (tests/browser/) need Debian's Chromium and axe-core from npm. Installing
# Chromium needs root; without it the browser tests fail and say so (TOWNHALL_SKIP_BROWSER=1
# skips them on purpose). Quick when both are already there.
browser-deps:
	@if [ "$$TOWNHALL_SKIP_BROWSER" = 1 ]; then exit 0; fi; \
	need=""; \
	[ -x /usr/bin/chromium ] || need="chromium"; \
	[ -d /usr/share/fonts/truetype/noto ] || need="$$need fonts-noto-core"; \
	[ -d /usr/share/fonts/opentype/noto ] || need="$$need fonts-noto-cjk"; \
	[ -f node_modules/axe-core/axe.min.js ] || command -v npm >/dev/null || need="$$need npm"; \
	if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$need; \
	  else \
	    echo "make: missing$$need (apt-get install -y$$need needs root); the browser tests will fail" >&2; \
	  fi; \
	fi; \
	if [ ! -f node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null; then \
	  npm ci --no-audit --no-fund; \
	fi

# Two pytest-xdist workers (the machine's two cores): most tests wait on servers, browsers and
# databases. Tests sharing Redis, and the fault tests, each run on one worker (tests/conftest.py).
# A worker that crashes is not replaced: with --dist loadgroup, xdist 3.8 waits forever for the
# replacement's work (pytest-xdist#1323), so the run would hang instead of failing.
PYTEST_WORKERS ?= 2

test: install browser-deps
	@$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --max-worker-restart=0; status=$$?; \
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

# Dedup quality on labelled pairs in ../shared/data (not needed by `test`; docs/dedup.md).
# dedup-eval: the shipped by-language scorer on every file (English, across languages, Chinese).
# dedup-calibrate: the English scorer (qqp), then the multilingual kinds (xling and lcqmc).
.PHONY: dedup-eval dedup-calibrate dedup-calibrate-english dedup-calibrate-multilingual
DEDUP_EVAL_FILES ?= qqp_dev xling_dev lcqmc_dev
dedup-eval: install
	mkdir -p var
	for name in $(DEDUP_EVAL_FILES); do \
		$(BIN)/townhall dedup-eval --pairs $(SHARED_DATA)/$$name.tsv --out var/$$name.pred.tsv || exit 1; \
	done

dedup-calibrate: dedup-calibrate-english dedup-calibrate-multilingual

dedup-calibrate-english: install
	$(BIN)/townhall dedup-calibrate --pairs $(SHARED_DATA)/qqp_dev.tsv --out models/dedup.json

dedup-calibrate-multilingual: install
	$(BIN)/townhall dedup-calibrate --pairs $(SHARED_DATA)/xling_dev.tsv \
		--pairs $(SHARED_DATA)/lcqmc_dev.tsv --english models/dedup.json \
		--out models/dedup-multilingual.json

# Vote integrity (docs/integrity.md): a script on one address for 10 minutes, 20 people behind
# it, 300 through the venue path, then 2 minutes of fresh identities against a verified-e-mail
# event while 5 people verify by mail; one JSON document. Needs no shared data.
.PHONY: integrity
integrity: install
	@$(BIN)/townhall integrity-bench --seconds 600

# Load test (docs/performance.md): one JSON document on stdout, progress on stderr.
# bench-quick: about a minute on 2 cores; bench: the full run (many minutes; needs PostgreSQL).
.PHONY: bench bench-quick
BENCH_POSTGRES_URL ?= $(or $(TOWNHALL_BENCH_POSTGRES_URL),postgresql+asyncpg://postgres@127.0.0.1:5432/test)

bench-quick: install
	@$(BIN)/townhall bench --texts $(SHARED_DATA)/qqp_dev.tsv --clients 300 --processes 2 \
		--votes 200 --questions 5 --seconds 10 --burst 200 --similar-questions 2000

bench: install
	@$(BIN)/townhall bench --texts $(SHARED_DATA)/qqp_dev.tsv --clients 5000 --processes 2 \
		--votes 3000 --questions 20 --seconds 30 --burst 1000 --seed-questions 150 \
		--similar-questions 10000 --similar-requests 200 --drain-seconds 30 --max-inflight 1 --big \
		--database-url sqlite --database-url '$(BENCH_POSTGRES_URL)'
