# UAIP developer commands. `make run` starts the app, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test install lint typecheck format check worker clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(VENV)/.installed: $(BIN)/uv requirements/dev.txt
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/dev.txt
	touch $@

install: $(VENV)/.installed

run: export DJANGO_DEBUG ?= 1
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py ensure_demo_user
	$(BIN)/python manage.py rundev $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest --cov --cov-report=term $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	DJANGO_DEBUG=1 $(BIN)/mypy accounts sessions_app llm uaip

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: export DJANGO_DEBUG ?= 1
check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

worker: export DJANGO_DEBUG ?= 1
worker: install
	$(BIN)/python manage.py db_worker

clean:
	rm -rf $(VENV) .pytest_cache .coverage htmlcov
