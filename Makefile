# The README's two commands: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SERVICES_STAMP := $(VENV)/.installed-services

# The tier with real services: PostgreSQL and Redis on this machine's default ports.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: install run test test-services lint format bench clean

install: $(STAMP)

# torch and torchvision first, so no other package picks a torch build (see requirements/torch.txt).
$(STAMP): requirements/torch.txt requirements/base.txt requirements/dev.txt requirements/no-deps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/torch.txt
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements/no-deps.txt
	touch $@

$(SERVICES_STAMP): $(STAMP) requirements/services.txt
	$(PY) -m pip install --quiet -r requirements/services.txt
	touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Portal on http://127.0.0.1:8000/ (admin: /admin/), one worker on queue gpu, one on default. Ctrl-C stops all."
	$(PY) manage.py run_embedded

test: install
	$(PY) -m pytest -m "not services"

test-services: $(SERVICES_STAMP)
	@$(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null \
		|| { echo "make test-services needs PostgreSQL on 127.0.0.1:5432 (DATABASE_URL=$(TEST_DATABASE_URL))"; exit 2; }
	@$(PY) -c "import socket; socket.create_connection(('127.0.0.1', 6379), 2)" 2>/dev/null \
		|| { echo "make test-services needs Redis on 127.0.0.1:6379 (CELERY_BROKER_URL=$(TEST_BROKER_URL))"; exit 2; }
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var .pytest_cache
