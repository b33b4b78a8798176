"""Running scenarios: one pure function from a scenario to a result table.

The CLI, the benchmarks, and (later) sweeps and the viewer call ``run_scenario``; nothing
here prints or writes files.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.inputs.errors import DurandError
from sim.inputs.scenario import Scenario, add_months
from sim.model.arrays import shared_zeros
from sim.model.model import AppliedEvent, DurandModel, replicate_ids
from sim.model.recorder import METRICS


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


SHARD_FROM = 2048  # replicates per core below which one process is as fast


def default_cores(replicates: int) -> int:
    """Cores to split a run over: those this process may use, each with SHARD_FROM
    replicates or more. Forking is only relied on where it is safe and cheap (Linux),
    and never from a worker process that already shares out the cores."""
    if not can_fork():
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), replicates // SHARD_FROM))


def can_fork() -> bool:
    """Linux, and not a daemonic process (pool and Dask workers may not have children)."""
    return sys.platform.startswith("linux") and not multiprocessing.current_process().daemon


def run_scenario(
    scenario: Scenario,
    *,
    replicates: int | np.ndarray | None = None,
    progress: Callable[[int], None] | None = None,
    cores: int | None = None,
) -> RunResult:
    """Run every replicate of ``scenario`` to its horizon (replicates 0..R-1 by default).

    Large batches are split over ``cores`` (by default ``default_cores``): the replicates
    are cut into shards, this process runs the first and forked processes the others,
    each recording into its own columns of one shared buffer. A replicate's results do not
    depend on the batch it runs in, so the shards give exactly the numbers one batch
    would. Pass ``cores=1`` where processes already use every core (sweep workers).
    """
    ids = replicate_ids(replicates, scenario.replicates)
    n_shards = min(len(ids), cores or default_cores(len(ids))) if can_fork() else 1
    if n_shards <= 1:
        model = DurandModel(scenario, replicates=ids)
        model.run(progress)
        data = model.recorder.data
    else:
        model, data = _run_sharded(scenario, np.array_split(ids, n_shards), progress)
    return RunResult(model.scenario, ids, data, list(model.applied))


def _run_sharded(scenario: Scenario, shards: list[np.ndarray], progress):
    """Run shards 1.. in forked children and shard 0 here, into one shared buffer."""
    months, replicates = scenario.months, sum(len(s) for s in shards)
    buffer = shared_zeros((months, len(METRICS), replicates), np.float32)
    bounds = np.cumsum([0] + [len(s) for s in shards])
    views = [buffer[:, :, a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    children = []
    try:
        for ids, view in zip(shards[1:], views[1:], strict=True):
            children.append(start_forked(_run_shard, (scenario, ids, view)))
        model = DurandModel(scenario, replicates=shards[0], record_into=views[0])
        model.run(progress)
        for child in children:
            child.join()
        failed = [code for code in (c.exitcode for c in children) if code]
        if failed:
            raise DurandError(
                f"a process running part of the replicates stopped (exit code {failed[0]}"
                f"{', killed: out of memory?' if failed[0] < 0 else ''}); "
                "rerun with {cores} to run every replicate in one process",
                settings={"cores": 1},
            )
    finally:
        for child in children:
            if child.is_alive():
                child.kill()
                child.join()
    return model, buffer.transpose(0, 2, 1)


def start_forked(target, args: tuple) -> multiprocessing.process.BaseProcess:
    """Start ``target(*args)`` in a forked daemon child, which inherits the arrays it reads
    (nothing is pickled). Output is flushed first, so the child cannot write it again."""
    sys.stdout.flush()
    sys.stderr.flush()
    child = multiprocessing.get_context("fork").Process(target=target, args=args, daemon=True)
    child.start()
    return child


def _run_shard(scenario: Scenario, ids: np.ndarray, view: np.ndarray) -> None:
    """In a forked child: run one shard into its columns of the shared buffer."""
    try:
        DurandModel(scenario, replicates=ids, record_into=view).run()
    except BaseException:
        os._exit(1)  # the parent reports it; no traceback from a child
