"""Running a sweep's chunks: a pure chunk function and swappable runners for it.

A chunk is a run of consecutive design points. Points that share their parameter values
(all points, when only levers are swept) run in one model, one replicate slot per
(point, replicate), each point's replicate k on replicate id k's random streams (common
random numbers). Levers act elementwise on the slot axis, so every run's numbers are the
same whatever chunk, batch, worker or executor computed them.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.inputs.errors import UsageError
from sim.sweep.outcomes import Outcome, compute
from sim.sweep.spec import Factor, Sweep, point_scenario

SCHEDULER_TIMEOUT_S = 10  # seconds to reach a Dask scheduler given by --scheduler


@dataclass(frozen=True)
class Plan:
    """What every chunk needs: picklable, sent once per chunk (a few kB)."""

    sweep: Sweep
    names: tuple[str, ...]

    @property
    def factors(self) -> tuple[Factor, ...]:
        return self.sweep.factors

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        return self.sweep.outcomes


@dataclass(frozen=True)
class Chunk:
    index: int
    points: np.ndarray  # (n,) point ids
    values: np.ndarray  # (n, factors) factor values


def run_chunk(
    plan: Plan, chunk: Chunk
) -> tuple[int, dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    """Run every (point, replicate) of a chunk.

    Returns the chunk's index, its runs (one row per point and replicate, as columns),
    and, when the spec asks for monthly series, one row per run and month.
    """
    from sim.model.model import DurandModel

    reps = plan.sweep.replicates
    lever_cols = [i for i, f in enumerate(plan.factors) if f.target == "lever"]
    param_cols = [i for i, f in enumerate(plan.factors) if f.target == "param"]
    groups: dict[tuple, list[int]] = {}
    for row in range(len(chunk.points)):
        groups.setdefault(tuple(chunk.values[row, param_cols]), []).append(row)
    out_rows = np.empty(len(chunk.points) * reps, dtype=np.int64)
    results = {o.name: np.empty(len(out_rows)) for o in plan.outcomes}
    series_metrics = list(plan.sweep.spec.series)
    months = plan.sweep.base.months
    series = np.empty((len(out_rows), months, len(series_metrics)), dtype=np.float32)
    cursor = 0
    for rows in groups.values():
        first = dict(zip(plan.names, chunk.values[rows[0]], strict=True))
        scenario = point_scenario(plan.sweep, first)
        ids = np.tile(np.arange(reps, dtype=np.int64), len(rows))
        model = DurandModel(scenario, replicates=ids)
        model.assign_levers(
            {plan.factors[i].lever: np.repeat(chunk.values[rows, i], reps) for i in lever_cols}
        )
        model.run()
        n = len(ids)
        for o in plan.outcomes:
            results[o.name][cursor : cursor + n] = compute(o, model.recorder.by_metric)
        for j, metric in enumerate(series_metrics):
            series[cursor : cursor + n, :, j] = model.recorder.column(metric).T
        out_rows[cursor : cursor + n] = np.repeat(rows, reps)
        cursor += n
        del model
        gc.collect()  # model and agents form a cycle: free the recorder now, not later
    order = np.argsort(out_rows, kind="stable")
    columns = {
        "point": np.repeat(chunk.points, reps).astype(np.int64),
        "replicate": np.tile(np.arange(reps, dtype=np.int64), len(chunk.points)),
    }
    for name, col in results.items():
        columns[name] = col[order]
    monthly = None
    if series_metrics:
        monthly = {
            "point": np.repeat(columns["point"], months),
            "replicate": np.repeat(columns["replicate"], months),
            "month": np.tile(np.arange(1, months + 1, dtype=np.int64), len(out_rows)),
        }
        ordered = series[order].reshape(-1, len(series_metrics))
        for j, metric in enumerate(series_metrics):
            monthly[metric] = np.ascontiguousarray(ordered[:, j])
    return chunk.index, columns, monthly


def chunks(design: np.ndarray, chunk_points: int, skip: set[int]) -> list[Chunk]:
    out = []
    for index, start in enumerate(range(0, len(design), chunk_points)):
        if index in skip:
            continue
        stop = min(len(design), start + chunk_points)
        out.append(Chunk(index, np.arange(start, stop), design[start:stop]))
    return out


def auto_chunk_points(points: int, replicates: int) -> int:
    """About two thousand replicate slots per model, where the model is cheapest per
    replicate-month (3.3 us against 3.8 at a thousand and 7 at 256, on the reference
    machine), and at least 8 chunks when there are enough points, so work spreads over
    workers and progress and --resume have a fine grain."""
    by_cost = max(1, -(-2048 // replicates))
    by_spread = max(1, -(-points // 8))
    return min(by_cost, by_spread)


# ------------------------------------------------------------------ runners


class Runner(Protocol):
    """Runs chunk tasks somewhere and yields their results as they finish."""

    def map_unordered(self, fn: Callable, plan: Plan, tasks: Iterable[Chunk]) -> Iterator: ...

    def close(self) -> None: ...


class SerialRunner:
    """In this process, one chunk after another."""

    def map_unordered(self, fn, plan, tasks):
        for task in tasks:
            yield fn(plan, task)

    def close(self) -> None:
        pass


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_POLL_S = 1.0


def _init_worker(parent_pid: int) -> None:
    """Run in each pool worker as it starts.

    Ctrl-C goes to the whole process group; only the parent handles it, so workers never
    print tracebacks and the parent can stop cleanly. And a worker never outlives the
    sweep: if the parent is killed (SIGKILL leaves it no chance to stop its pool), the
    kernel kills the worker too (Linux), or a watcher thread ends it within a second.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _die_with_parent():
        threading.Thread(
            target=_watch_parent, args=(parent_pid,), name="parent-watch", daemon=True
        ).start()
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


class ProcessRunner:
    """A local process pool (spawn context: mesa requires it)."""

    def __init__(self, workers: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )

    def map_unordered(self, fn, plan, tasks):
        from concurrent.futures import as_completed

        futures = [self._pool.submit(fn, plan, t) for t in tasks]
        for fut in as_completed(futures):
            yield fut.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskRunner:
    """Dask: a LocalCluster of ``workers`` processes, or the scheduler at ``address``."""

    def __init__(self, workers: int, address: str | None = None):
        import logging

        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError(
                "{executor} needs Dask: pip install 'durand[dask]' "
                "(or pip install -e '.[dask]' in a clone)",
                settings={"executor": "dask"},
            ) from None
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(address, timeout=SCHEDULER_TIMEOUT_S)
            except OSError as exc:  # distributed's connection timeouts are OSErrors
                raise UsageError(
                    f"cannot reach the Dask scheduler at {address} ({exc}); check {{scheduler}}",
                    settings={"scheduler": None},
                ) from None

    def map_unordered(self, fn, plan, tasks):
        from distributed import as_completed

        plan_future = self._client.scatter(plan, broadcast=True)
        futures = [self._client.submit(fn, plan_future, t, pure=False) for t in tasks]
        for fut in as_completed(futures):
            yield fut.result()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_runner(kind: str, workers: int, scheduler: str | None = None) -> Runner:
    if kind == "dask":
        return DaskRunner(workers, scheduler)
    if workers <= 1:
        return SerialRunner()
    return ProcessRunner(workers)


__all__ = ["Plan", "Chunk", "run_chunk", "chunks", "make_runner", "auto_chunk_points"]
