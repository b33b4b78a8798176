"""``run_sweep``: design, chunk, run on a runner, stream parts to disk, resume.

Pure library code: it prints nothing itself (the caller passes a progress callback).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.inputs.errors import DurandError, UsageError
from sim.inputs.limits import MAX_CORES, OptionError
from sim.inputs.reader import read_text
from sim.sweep.execute import Plan, auto_chunk_points, chunks, make_runner, run_chunk
from sim.sweep.replay import scenario_to_yaml
from sim.sweep.sampling import design
from sim.sweep.spec import Sweep, load_sweep
from sim.sweep.store import SweepStore, versions


class SweepStopped(DurandError):
    """A sweep stopped part way: finished chunks are on disk and it can be resumed. The
    last line says how: in the library's terms, or (``flags``) as the command to paste."""

    def __init__(self, message: str, *, spec: Path, out: Path, settings=None):
        self.spec, self.out = spec, out
        super().__init__(message, settings=settings)

    def worded(self, *, flags: bool = False) -> str:
        how = (
            f"Resume with:  durand sweep {self.spec} --out {self.out} --resume"
            if flags
            else f"Resume the sweep of {self.spec} there with resume=True"
        )
        return f"{super().worded(flags=flags)}\n{how}"


class SweepInterrupted(SweepStopped):
    """Ctrl-C: finished chunks are on disk; the message says how to resume."""

    exit_code = 130


@dataclass
class SweepReport:
    sweep: Sweep
    out: Path
    points: int
    chunks: int
    ran_chunks: int
    skipped_chunks: int
    seconds: float
    workers: int
    executor: str


def _manifest(sweep: Sweep, n_points: int, chunk_points: int, n_chunks: int) -> dict:
    spec = sweep.spec
    return {
        "kind": "durand-sweep",
        "title": spec.title,
        "spec": sweep.path,
        "spec_hash": sweep.content_hash(),
        "base_scenario": sweep.base.path,
        "base_scenario_hash": sweep.base.content_hash(),
        "sampler": spec.sampler,
        "sampler_seed": spec.seed,
        "model_seed": sweep.base.seed,
        "morris_levels": spec.morris_levels,
        "points": n_points,
        "replicates": spec.replicates,
        "months": sweep.base.months,
        "start": "{:04d}-{:02d}".format(*sweep.base.start),
        "factors": [
            {"name": f.path, "target": f.target, **f.spec.model_dump(exclude_none=True)}
            for f in sweep.factors
        ],
        "outcomes": {o.name: o.describe() for o in sweep.outcomes},
        "series": list(spec.series),
        "chunk_points": chunk_points,
        "chunks": n_chunks,
        **versions(),
        "command_line": list(sys.argv),
        "status": "running",
    }


def run_sweep(
    spec_path: Path,
    out: Path,
    *,
    workers: int | None = None,
    executor: str | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    chunk_points: int | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> SweepReport:
    """Run (or complete, with ``resume``) the sweep ``spec_path`` into ``out``.

    ``progress(done_chunks, total_chunks, done_points)`` is called as chunks finish.
    """
    spec_path, out = Path(spec_path), Path(out)
    sweep = load_sweep(spec_path)
    ex = sweep.spec.executor
    executor = executor or ex.kind
    workers = ex.workers if workers is None else workers
    scheduler = scheduler or ex.scheduler
    if executor not in ("local", "dask"):
        raise OptionError("executor", f"must be local or dask, got {executor!r}")
    if not 1 <= workers <= MAX_CORES:
        raise OptionError("workers", f"must be between 1 and {MAX_CORES}, got {workers}")
    if chunk_points is not None and chunk_points < 1:
        raise OptionError("chunk-points", f"must be at least 1, got {chunk_points}")
    store = SweepStore(out)
    if out.exists() and not out.is_dir():
        raise UsageError("{out} exists and is not a folder", settings={"out": out})
    values = design(sweep)
    n_points = len(values)
    previous = store.manifest() if resume else None
    if previous is not None:
        if previous.get("spec_hash") != sweep.content_hash():
            raise UsageError(
                f"{out} holds a sweep of a different spec (or base scenario); resume it with "
                "the spec it was started with, or choose another {out}",
                settings={"out": None},
            )
        from sim import __version__

        if previous.get("package_version") != __version__:
            raise UsageError(
                f"{out} was started with durand {previous.get('package_version')}, this is "
                f"{__version__}; resuming would mix results of two model versions. Start a "
                "new sweep (another {out}, or {force})",
                settings={"out": None, "force": True},
            )
        if chunk_points is not None and chunk_points != previous["chunk_points"]:
            raise UsageError(
                f"{out} was started with {{chunk_points}}; resume with that, or leave it out",
                settings={"chunk_points": previous["chunk_points"]},
            )
        chunk_points = previous["chunk_points"]
        store.clear_leftovers()
        done = store.finished_chunks()
    else:
        if store.holds_results() and not force and not resume:
            raise UsageError(
                "{out} already holds files; use {resume} to complete a sweep there, "
                "{force} to overwrite it, or choose another folder",
                settings={"out": out, "resume": True, "force": True},
            )
        if force:
            store.clear()
        chunk_points = (
            chunk_points or ex.chunk_points or auto_chunk_points(n_points, sweep.replicates)
        )
        done = set()
    n_chunks = -(-n_points // chunk_points)
    manifest = _manifest(sweep, n_points, chunk_points, n_chunks)
    # Written afresh on resume too (same content): a sweep killed while starting may
    # lack some of them.
    points = {"point": np.arange(n_points, dtype=np.int64)}
    points.update({name: values[:, i] for i, name in enumerate(sweep.names)})
    base_yaml = scenario_to_yaml(sweep.base, sweep.base.title, "Base scenario of a sweep")
    if previous is not None:
        manifest["sessions"] = previous.get("sessions", 1) + 1
    store.start(manifest, points, read_text(spec_path, what="sweep spec"), base_yaml)
    todo = chunks(values, chunk_points, done)
    done_points = n_points - sum(len(c.points) for c in todo)
    if progress:
        progress(len(done), n_chunks, done_points)
    started = time.perf_counter()
    ran = 0
    runner = make_runner(executor, workers, scheduler) if todo else None
    try:
        if runner is not None:
            plan = Plan(sweep, tuple(sweep.names))
            for index, columns, monthly in runner.map_unordered(run_chunk, plan, todo):
                if monthly is not None:  # first: a runs part means the chunk is complete
                    store.write_part(index, monthly, series=True)
                store.write_part(index, columns)
                ran += 1
                done_points += len(columns["point"]) // sweep.replicates
                if progress:
                    progress(len(done) + ran, n_chunks, done_points)
    except BrokenExecutor as exc:
        raise SweepStopped(
            f"a worker process died ({exc}); possibly out of memory. {len(done) + ran} of "
            f"{n_chunks} chunks are saved in {out}/ (fewer {{workers}} or a smaller "
            "{chunk_points} use less memory when resuming)",
            spec=spec_path,
            out=out,
            settings={"workers": None, "chunk_points": None},
        ) from None
    except KeyboardInterrupt:
        raise SweepInterrupted(
            f"\nStopped: {len(done) + ran} of {n_chunks} chunks are saved in {out}/.",
            spec=spec_path,
            out=out,
        ) from None
    finally:
        if runner is not None:
            runner.close()
    elapsed = time.perf_counter() - started
    manifest.update(
        status="complete",
        seconds_last_session=round(elapsed, 3),
        workers_last_session=workers,
        executor_last_session=executor,
    )
    store.write_manifest(manifest)
    return SweepReport(sweep, out, n_points, n_chunks, ran, len(done), elapsed, workers, executor)
