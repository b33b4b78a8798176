"""Provenance tests need the five source documents in ../shared/seeds.

They are third-party articles and are not copied into the repository (``DURAND_SEEDS=DIR``
points the tests elsewhere). When they are absent,
a test that needs them skips with a reason naming ``shared/seeds``; this hook makes that
loud: under CI (env CI=true) each such skip becomes a failure, and in a user's run one
notice at the end says how many provenance checks did not run and why.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_BESIDE = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SEEDS_DIR = Path(os.environ.get("DURAND_SEEDS") or _BESIDE)
SEEDS_MARK = "shared/seeds"  # skip reasons containing this are provenance skips


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _skip_reason(report) -> str:
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2])
    return str(report.longrepr or "")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and SEEDS_MARK in _skip_reason(report):
        item.config._durand_provenance_skips = (
            getattr(item.config, "_durand_provenance_skips", 0) + 1
        )
        if in_ci():
            report.outcome = "failed"
            report.longrepr = (
                f"{item.nodeid}: the source documents are missing ({SEEDS_DIR} has no "
                "*.txt). CI must check every quote against them: put the five seed files in "
                "../shared/seeds beside the clone."
            )


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    n = getattr(config, "_durand_provenance_skips", 0)
    if n and not in_ci():
        terminalreporter.write_sep(
            "!",
            f"NOTICE: {n} provenance tests did not run: the source documents are not in "
            f"{SEEDS_DIR} (see README, 'Sources'). Quotes are unchecked in this run.",
            yellow=True,
            bold=True,
        )


@pytest.fixture
def failing_shards(monkeypatch):
    """Make every shard but the parent's fail in its forked child (as one killed for memory
    would), so tests can check that a failed shard is reported and never leaves zeros."""
    from sim.run import runner

    class FailingInChildren(runner.DurandModel):
        def run(self, progress=None):
            if self.replicate_ids[0] != 0:  # the parent runs the shard holding replicate 0
                raise MemoryError("simulated")
            super().run(progress)

    monkeypatch.setattr(runner, "DurandModel", FailingInChildren)
