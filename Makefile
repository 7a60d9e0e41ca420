# The two commands of the README: `make demo` and `make test`. Each creates .venv and installs
# what it needs (torch 2.13.0 CPU first: any other torch pulls gigabytes of CUDA).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test lint clean

demo: $(VENV)/.demo-installed
	$(BIN)/groundline ingest examples/help-centre
	$(BIN)/groundline serve --port $(PORT)

test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest || [ $$? -eq 5 ]  # 5: pytest collected no tests

lint: $(VENV)/.test-installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.torch-installed: | $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	touch $@

$(VENV)/.demo-installed: pyproject.toml $(VENV)/.torch-installed
	$(BIN)/pip install -e ".[model-1-5b]"
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.torch-installed
	$(BIN)/pip install -e ".[dev,model-0-5b]"
	@# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; } \
		|| { echo "Install Chromium (Debian: apt-get install chromium) for the browser tests"; exit 1; }
	touch $@

clean:
	rm -rf $(VENV) data
