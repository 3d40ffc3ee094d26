# Everyday commands. `make demo` and `make test` are the two entry points.

PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
DATA_DIR ?= $(or $(MARKETPLACE_DATA_DIR),../shared/data)
ELECTRONICS := $(DATA_DIR)/amazon2023/electronics/kcore5
# Package index for the CPU build of torch, where pip does not find it locally.
TORCH_INDEX_URL ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv demo serve test lint format evaluate worker worker-suggestions bench-import bench-search bench-checkout clean frontend frontend-test e2e

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU build of torch first, so that nothing pulls a CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0 $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL))
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# Install, migrate, import the Electronics data, seed the demo, train, build
# the browser app when npm is there, serve.
demo: export DEBUG ?= true
demo: venv
	@test -d "$(ELECTRONICS)" || { echo "The Electronics data was not found at $(ELECTRONICS); set MARKETPLACE_DATA_DIR to the directory that holds amazon2023/ (see README.md)." >&2; exit 1; }
	$(MANAGE) migrate --noinput
	$(MANAGE) import_amazon $(ELECTRONICS)
	mkdir -p var
	$(MANAGE) seed_demo | tee var/demo-accounts.txt
	$(MANAGE) train two_tower
	@if command -v npm >/dev/null; then $(MAKE) frontend; else echo "npm was not found, so the browser app at /app/ is not built; install Node 20.19+ and run make frontend." >&2; fi
	@echo
	@cat var/demo-accounts.txt
	@echo "Serving at http://$(HOST):$(PORT)/ (browser app: http://$(HOST):$(PORT)/app/)"
	$(MANAGE) runserver $(HOST):$(PORT)

serve: export DEBUG ?= true
serve: venv
	$(MANAGE) runserver $(HOST):$(PORT)

# The whole suite, against the local PostgreSQL and Redis (see pyproject.toml).
test: venv
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	DEBUG=true $(VENV)/bin/mypy .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Offline evaluation on the Electronics split files.
evaluate: export DEBUG ?= true
evaluate: venv
	$(MANAGE) evaluate --data-dir $(ELECTRONICS)

# One worker for every task: without --queues it takes the queues of
# CELERY_TASK_QUEUES, the default one and SUGGESTIONS_QUEUE. In production
# run `make worker WORKER_QUEUES=celery` beside `make worker-suggestions`,
# so that a suggestion push never waits behind a training or index task.
WORKER_QUEUES ?=
worker: venv
	$(VENV)/bin/celery -A marketplace worker --loglevel=INFO --concurrency=1 \
		$(if $(WORKER_QUEUES),--queues=$(WORKER_QUEUES))

# A worker for the suggestion pushes alone, in its main process: every
# queue of CELERY_TASK_QUEUES but the default one.
worker-suggestions: venv
	$(VENV)/bin/celery -A marketplace worker --loglevel=INFO --pool=solo \
		--exclude-queues=celery --hostname=suggestions@%h

clean:
	rm -rf var db.sqlite3

# Import rate against PostgreSQL's COPY on 1,000,000 synthetic review lines.
bench-import: venv
	$(PY) bench/generate_reviews.py --lines 1000000
	$(PY) bench/import_benchmark.py bench/out/synthetic_Electronics.1000000.jsonl \
		--metadata bench/out/synthetic_meta_Electronics.50000.jsonl --repeats 3

# Search latency at 100,000 synthetic listings beside a primary-key lookup.
bench-search: venv
	$(PY) bench/search_latency.py --listings 100000 --queries 200

# Checkout orders per second: 8 buyers on distinct listings and on one.
bench-checkout: venv
	$(PY) bench/checkout_throughput.py --rounds 50 --repeats 3

# The browser app: install the pinned Node packages and build into
# static/build/ (Node 20.19 or newer; needed to build, never to serve).
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build

# Unit tests of the browser app (Vitest in jsdom).
frontend-test:
	cd frontend && npm test

# End-to-end run in headless Chromium against daphne, PostgreSQL, Redis
# and a Celery worker on 127.0.0.1; writes docs/screenshots/. Recreates
# the database named by E2E_DATABASE_URL (see frontend/e2e/run.sh).
e2e: venv
	frontend/e2e/run.sh
