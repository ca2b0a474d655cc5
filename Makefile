PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint format eval bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

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
	rm -rf $(VENV) data .pytest_cache .ruff_cache
