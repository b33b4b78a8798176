"""Running scenarios: one pure function from a scenario to a result table.

The CLI, the benchmarks, and (later) sweeps and the viewer call ``run_scenario``; nothing
here prints or writes files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model import AppliedEvent, DurandModel
from sim.recorder import METRICS
from sim.scenario import Scenario, add_months


@dataclass
class RunResult:
    """Every metric for every month and replicate, plus what was applied when."""

    scenario: Scenario
    replicate_ids: np.ndarray  # (R,)
    data: np.ndarray  # (months, R, metrics) in METRICS order
    applied: list[AppliedEvent]

    @property
    def months(self) -> int:
        return self.data.shape[0]

    @property
    def replicates(self) -> int:
        return self.data.shape[1]

    def column(self, name: str) -> np.ndarray:
        """(months, R) for one metric."""
        return self.data[:, :, METRICS.index(name)]

    def dates(self) -> list[str]:
        return [
            "{:04d}-{:02d}".format(*add_months(self.scenario.start, t)) for t in range(self.months)
        ]


def run_scenario(
    scenario: Scenario,
    *,
    replicates: int | np.ndarray | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Run every replicate of ``scenario`` to its horizon (replicates 0..R-1 by default)."""
    model = DurandModel(scenario, replicates=replicates)
    model.run(progress)
    return RunResult(model.scenario, model.replicate_ids, model.recorder.data, list(model.applied))
