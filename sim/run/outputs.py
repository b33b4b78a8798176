"""Writing a run to disk: tidy timeseries, events, summary and manifest, atomically.

Every file is written under a temporary name in the output folder and renamed into place
only when complete, so a failure never leaves a half-written file under a final name.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from sim import __version__
from sim.inputs.errors import OutputError
from sim.model.recorder import COUNT_METRICS, METRICS
from sim.run.events import notable_events
from sim.run.runner import RunResult

FORMATS = ("csv", "parquet")
ROWS_PER_CHUNK = 200_000


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it into place on success."""
    tmp = final.with_name(f".{final.name}.{os.getpid()}.part")
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str, what: str) -> Path:
    """Write a text file atomically, creating its folder; a failure is an OutputError
    naming ``what`` and leaves no half-written file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    return path


def timeseries_frames(result: RunResult) -> Iterator[pd.DataFrame]:
    """The tidy table in replicate-major chunks: one row per replicate and month."""
    months, reps = result.months, result.replicates
    dates = np.array(result.dates())
    per_chunk = max(1, ROWS_PER_CHUNK // months)
    for r0 in range(0, reps, per_chunk):
        r1 = min(reps, r0 + per_chunk)
        block = result.data[:, r0:r1, :].transpose(1, 0, 2).reshape(-1, len(METRICS))
        cols = {
            "replicate": np.repeat(result.replicate_ids[r0:r1], months),
            "month": np.tile(np.arange(1, months + 1), r1 - r0),
            "date": np.tile(dates, r1 - r0),
        }
        for j, name in enumerate(METRICS):
            col = block[:, j]
            cols[name] = col.astype(np.int64) if name in COUNT_METRICS else col
        yield pd.DataFrame(cols)


def _write_timeseries(result: RunResult, path: Path, fmt: str) -> None:
    if fmt == "csv":
        with path.open("w", newline="") as fh:
            for i, frame in enumerate(timeseries_frames(result)):
                frame.to_csv(fh, index=False, header=(i == 0), lineterminator="\n")
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for frame in timeseries_frames(result):
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def manifest(result: RunResult, command: list[str]) -> dict:
    import mesa

    s = result.scenario
    return {
        "scenario": s.path,
        "title": s.title,
        "scenario_content_hash": s.content_hash(),
        "seed": s.seed,
        "replicates": result.replicates,
        "replicate_ids": [int(result.replicate_ids[0]), int(result.replicate_ids[-1])],
        "months": result.months,
        "start": "{:04d}-{:02d}".format(*s.start),
        "package": "durand",
        "package_version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "command_line": command,
    }


def write_run(
    result: RunResult, out: Path, fmt: str, summary: dict, command: list[str] | None = None
) -> list[Path]:
    """Write all outputs of a run into ``out`` (created if needed); return the paths."""
    if fmt not in FORMATS:
        raise OutputError(f"unknown format '{fmt}'; expected one of {', '.join(FORMATS)}")
    command = list(sys.argv) if command is None else command
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        jobs = [
            (f"timeseries.{fmt}", lambda p: _write_timeseries(result, p, fmt)),
            ("events.jsonl", lambda p: _write_events(result, p)),
            ("summary.json", lambda p: _write_text(p, json.dumps(summary, indent=2) + "\n")),
            (
                "manifest.json",
                lambda p: _write_text(p, json.dumps(manifest(result, command), indent=2) + "\n"),
            ),
        ]
        for name, write in jobs:
            final = out / name
            with atomic_path(final) as tmp:
                write(tmp)
            written.append(final)
    except OSError as exc:
        done = ", ".join(p.name for p in written) or "nothing"
        raise OutputError(
            f"could not write results to {out}: {exc.strerror or exc} "
            f"(written so far: {done}; no partial file was left)"
        ) from None
    return written


def _write_events(result: RunResult, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for event in notable_events(result):
            fh.write(json.dumps(event, ensure_ascii=False) + "\n")
