# Two entry points: `make run` and `make test`. Both create .venv and install everything first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench rules-check evaluate-sets notebook clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/provnews run data/raw --out data/processed

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Throughput, memory and start-up ratios of issue 9, measured side by side (about 10 minutes;
# BENCH_ARGS="--articles 300 --memory 500,5000" for a shorter run).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

rules-check: $(STAMP)
	$(BIN)/provnews rules check

# Every gold set run with the rules in use and scored, a line a set (about a minute);
# EVAL_ARGS="--rules my-rules" to try a modified copy.
evaluate-sets: $(STAMP)
	$(BIN)/provnews evaluate-sets $(EVAL_ARGS)

# The analysis notebook, executed on the sample inputs (the seeds and the 60 fresh articles).
notebook: $(STAMP)
	rm -rf build/sample
	$(BIN)/provnews run data/raw tests/corpus/fresh/articles.jsonl --out build/sample
	$(BIN)/jupytext --sync notebooks/explore_tables.py
	PROVNEWS_TABLES=build/sample $(BIN)/python -c "$$EXECUTE_NOTEBOOK" notebooks/explore_tables.ipynb

# nbclient without timing metadata, so an executed notebook's diff shows only what changed.
define EXECUTE_NOTEBOOK
import sys, nbformat, nbclient
path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
nbclient.NotebookClient(notebook, record_timing=False, resources={"metadata": {"path": "notebooks"}}).execute()
nbformat.write(notebook, path)
endef
export EXECUTE_NOTEBOOK

clean:
	rm -rf data/processed/* data/processed/.provnews $(VENV)
