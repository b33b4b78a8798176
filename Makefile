# Two commands do all set-up on a fresh machine with Python 3.11:
#   make demo   runs the baseline scenario and prints its summary
#   make test   runs lint, the type checker and the whole test suite
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Tests run on two worker processes (pytest-xdist); `make test JOBS=0` runs them in one.
JOBS   ?= 2

.PHONY: demo test lint typecheck bench bench-sweep evidence-doc calibration-doc scenarios-doc readme-examples \
	screenshots constraints clean

# Installs from constraints.txt: the versions CI was last green with.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "needs $(PYTHON) on PATH (or: make PYTHON=/path/to/python3.11)"; exit 2; }
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/durand run scenarios/baseline.yaml --out runs/baseline --force

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks viz
	$(BIN)/ruff format --check sim tests benchmarks viz

BROWSER_TESTS := tests/test_classroom_browser.py tests/test_feedback_browser.py

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -n $(JOBS) $(BROWSER_TESTS:%=--ignore=%)
	@# The browser tests drive a class of Chromium pages: they run on their own, after the
	@# rest, so the suite's other workers do not starve them of CPU.
	$(BIN)/python -m pytest $(BROWSER_TESTS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_viewer.py

screenshots: $(STAMP)
	$(BIN)/python -m viz.screenshots

bench-sweep: $(STAMP)
	$(BIN)/python benchmarks/bench_sweep.py

# Generated docs are written to a temporary file and moved into place only when the
# generator succeeds: a failure never empties a tracked document.
comma := ,
define write_doc
	@tmp=$$(mktemp "$(dir $(1)).$(notdir $(1)).XXXXXX") && \
	{ $(2) > "$$tmp" && mv "$$tmp" "$(1)" && echo "wrote $(1)"; } || { rm -f "$$tmp"; exit 1; }
endef

evidence-doc: $(STAMP)
	$(call write_doc,docs/evidence.md,$(BIN)/durand evidence --markdown)

calibration-doc: $(STAMP)
	$(call write_doc,docs/calibration.md,$(BIN)/python -c "from sim.analysis.calibration import calibration_markdown as m; print(m()$(comma) end='')")
	$(call write_doc,docs/validation.md,$(BIN)/python -c "from sim.analysis.calibration import validation_markdown as m; print(m()$(comma) end='')")

readme-examples: $(STAMP)
	$(BIN)/python tests/readme_examples.py

scenarios-doc: $(STAMP)
	$(call write_doc,docs/scenarios.md,$(BIN)/durand scenarios --markdown)

# Re-resolve the newest versions pyproject allows in a clean venv and pin them.
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install -q --upgrade pip
	.venv-constraints/bin/python -m pip install -q -e ".[dev]"
	$(call write_doc,constraints.txt,{ echo "# Pinned versions that make and CI install from (pip install -c constraints.txt ...)."; echo "# Refresh: make constraints (resolves pyproject's dependencies afresh in a clean venv, then pip freeze)."; .venv-constraints/bin/python -m pip freeze --exclude-editable; })
	rm -rf .venv-constraints

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache
