# Two entry points: `make run` and `make test`. Both create .venv and install everything first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test rules-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/provnews run data/raw --out data/processed

test: $(STAMP)
	$(BIN)/python -m pytest -q

rules-check: $(STAMP)
	$(BIN)/provnews rules check

clean:
	rm -rf data/processed/*/ $(VENV)
