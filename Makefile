# dangjian — the two commands:  make run  /  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-$(shell cksum requirements.lock 2>/dev/null | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.dev-$(shell cksum requirements-dev.lock 2>/dev/null | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
DEBUG ?= 0
VAR_DIR := $(or $(DANGJIAN_VAR_DIR),var)
ALLOWED_HOSTS ?= 127.0.0.1,localhost,$(HOST)
# Every services module (top level, in sub-packages, or a services/ package) and the core engines.
MYPY_FILES = $(shell find dangjian -path '*/tests' -prune -o -path '*/migrations' -prune -o \
	\( -name 'services*.py' -o -path '*/services/*.py' \) -print | sort) \
	dangjian/core/workflow.py dangjian/core/tree.py dangjian/core/scoping.py dangjian/territory/geo.py \
	dangjian/core/idempotency.py dangjian/core/locks.py dangjian/core/cache.py dangjian/core/integrity.py
# `make run` serves plain http on this machine, as a district would try it: DEBUG off unless asked
# (make run DEBUG=1), no HTTPS-only settings, a key kept in var/, static files through whitenoise.
RUN_ENV = DEBUG=$(DEBUG) DANGJIAN_HTTPS=0 SECRET_KEY_FILE=$(VAR_DIR)/secret_key ALLOWED_HOSTS=$(ALLOWED_HOSTS)

.PHONY: run test test-deps lint check-python browser-deps pdf-deps migrate demo lock vendor bench clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本 / Python >= 3.11 is required")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	rm -f $(VENV)/.runtime-* && touch $@

$(DEV_STAMP): requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	rm -f $(VENV)/.dev-* $(VENV)/.runtime-* && touch $@ $(RUNTIME_STAMP)

migrate: $(RUNTIME_STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py demo_district

# Serve the demo district on http://$(HOST):$(PORT) with the task queue's consumer beside it.
run: demo pdf-deps
	@$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	@$(RUN_ENV) $(BIN)/python manage.py demo_accounts --host $(HOST) --port $(PORT)
	@trap 'kill $$QUEUE_PID 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py run_huey --quiet & QUEUE_PID=$$!; \
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's Chromium and CJK fonts for the browser tests (installed when missing and running as root).
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing chromium and fonts-noto-cjk from Debian…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
		echo "浏览器测试需要 chromium 与 fonts-noto-cjk：sudo apt-get install chromium fonts-noto-cjk"; exit 1; \
	fi

# Pango and CJK fonts for the printable PDF records (WeasyPrint); without them the rest of the
# product runs and the print buttons say what is missing.
pdf-deps:
	@if ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing pango and fonts-noto-cjk from Debian (PDF records)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk >/dev/null; \
	else \
		echo "打印 PDF 需要 pango 与中文字体：sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk"; \
	fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint dangjian --lint --quiet
	$(BIN)/mypy $(MYPY_FILES)
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# What the suite needs besides the code: the dev packages, Chromium and the CJK fonts.
test-deps: $(DEV_STAMP) browser-deps pdf-deps

test: lint test-deps
	$(BIN)/python -m pytest --durations=25

lock:
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements.lock requirements.in
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements-dev.lock requirements.in requirements-dev.in

vendor:
	scripts/vendor_static.sh

# Every bench (bench/*.py but the shared helpers, the soak's modules and the Open311 profiler) at --size small on SQLite, each on its own
# database under $(VAR_DIR)/, one figure a line; the larger sizes are run by hand on PostgreSQL
# (docs/scaling.md). Within 10 minutes: the schema is migrated once into a template that a bench
# copies when its own database file does not exist yet (bench/_setup.py, BENCH_SQLITE_TEMPLATE).
BENCHES = $(sort $(filter-out bench/_setup.py bench/open311_settings.py bench/open311_urls.py bench/open311_profile.py bench/soak_%.py,$(wildcard bench/*.py)))
BENCH_TEMPLATE = $(abspath $(VAR_DIR))/bench_template.sqlite3
bench: $(DEV_STAMP)
	@set -e; start=$$(date +%s); mkdir -p $(VAR_DIR); \
	DATABASE_URL=sqlite:///$(BENCH_TEMPLATE) DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0; \
	echo "bench template migrated: $$(( $$(date +%s) - start )) s"; \
	for b in $(BENCHES); do \
		echo "# $$b --size small"; t0=$$(date +%s); \
		env -u DATABASE_URL BENCH_SQLITE_TEMPLATE=$(BENCH_TEMPLATE) DEBUG=1 $(BIN)/python $$b --size small; \
		echo "$$b wall time: $$(( $$(date +%s) - t0 )) s"; \
	done; echo "make bench wall time: $$(( $$(date +%s) - start )) s"

clean:
	rm -rf $(VENV) var/*.sqlite3* var/staticfiles
