# Two commands do all set-up on a fresh machine with Python 3.11:
#   make demo   runs the baseline scenario and prints its summary
#   make test   runs lint and the whole test suite
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench bench-sweep evidence-doc calibration-doc scenarios-doc screenshots clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "needs $(PYTHON) on PATH (or: make PYTHON=/path/to/python3.11)"; exit 2; }
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/durand run scenarios/baseline.yaml --out runs/baseline --force

test: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks viz
	$(BIN)/ruff format --check sim tests benchmarks viz
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_viewer.py

screenshots: $(STAMP)
	$(BIN)/python -m viz.screenshots

bench-sweep: $(STAMP)
	$(BIN)/python benchmarks/bench_sweep.py

evidence-doc: $(STAMP)
	$(BIN)/durand evidence --markdown > docs/evidence.md

clean:
	rm -rf $(VENV) runs .pytest_cache

calibration-doc: $(STAMP)
	$(BIN)/python -c "from sim.analysis.calibration import calibration_markdown as m; print(m(), end='')" > docs/calibration.md
	$(BIN)/python -c "from sim.analysis.calibration import validation_markdown as m; print(m(), end='')" > docs/validation.md

scenarios-doc: $(STAMP)
	$(BIN)/durand scenarios --markdown > docs/scenarios.md
