PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install lock demo test lint format eval bench serve clean

LOCK := requirements.lock
PIP := $(BIN)/python -m pip --disable-pip-version-check

# Every dependency, the dev tools and the build backend come from the lock, each file
# checked against its sha256; the project itself is then installed without resolving.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r $(LOCK)
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Refresh the lock from pyproject.toml (needs the package registry). Pins stay where they
# still fit; `make lock UPGRADE=1` moves every pin to the newest release that does.
PIP_TOOLS := pip-tools==7.6.2
LOCK_VENV := .lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check '$(PIP_TOOLS)'
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet \
		$(if $(UPGRADE),--upgrade) --generate-hashes --allow-unsafe --all-build-deps \
		--extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file $(LOCK) pyproject.toml
	rm -rf $(LOCK_VENV)

ASK := $(BIN)/canipost ask

demo: install
	@$(BIN)/canipost index
	@echo; echo '$$ canipost ask --account personal "Come join us for Coffee with a Cop ..."'
	@$(ASK) --account personal "Come join us for Coffee with a Cop at the library this Saturday, 9 to 11. Bring your questions and your kids!"
	@echo; echo '$$ canipost ask --account personal "Great teamwork on the crash at 412 Oak St ..."'
	@$(ASK) --account personal "Great teamwork by B shift on the crash at 412 Oak St today. Everyone went home safe."
	@echo; echo '$$ canipost ask --account personal "Prayers for the victim, Maria Lopez ..."'
	@$(ASK) --account personal "Prayers for the victim, Maria Lopez. We arrested the guy who did it and he is guilty as sin."
	@echo; echo '$$ canipost ask --account official "We arrested Tyler Reed ..."'
	@$(ASK) --account official "We arrested Tyler Reed, 34, this morning on burglary charges."
	@echo; echo '$$ canipost ask --incident "Officers are on scene at the mall ..."'
	@$(ASK) --incident "Officers are on scene at the mall. Please avoid the area."

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: install
	$(BIN)/canipost eval

bench: install
	$(BIN)/canipost bench

serve: install
	$(BIN)/canipost serve

clean:
	rm -rf $(VENV) $(LOCK_VENV) data .pytest_cache .ruff_cache
