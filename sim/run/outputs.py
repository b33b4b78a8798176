"""Writing a run to disk: tidy timeseries, events, summary and manifest, all or nothing.

The tables are written column-wise with pyarrow (CSV or Parquet) in replicate-major
batches, so a 10,000-replicate run writes at disk speed and reports progress. Every file
goes into a hidden staging folder beside ``out`` that replaces ``out`` in one step once
complete (sim/run/files.py): an interrupted or killed run leaves ``out`` as it was.
"""

from __future__ import annotations

import json
import multiprocessing
import platform
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from sim import __version__
from sim.inputs.errors import OutputError
from sim.model.recorder import COUNT_METRICS, METRICS
from sim.run.events import EventTable, event_table
from sim.run.files import fsync_path, staged_folder
from sim.run.runner import RunResult, can_fork, start_forked

__all__ = ["write_run", "timeseries_batches", "RESULT_FILES"]

FORMATS = ("csv", "parquet")
EVENTS_FILE = {"csv": "events.jsonl", "parquet": "events.parquet"}
ROWS_PER_BATCH = 65_536
KEYS = ["replicate", "month", "date"]  # the columns that identify a row
# Every file `durand run` may write; anything else in an --out folder is the user's own.
RESULT_FILES = frozenset(
    {"timeseries.csv", "timeseries.parquet", "events.jsonl", "events.parquet"}
    | {"summary.json", "manifest.json"}
)
Progress = Callable[[str, int, int], None]  # (what, done, total)


def timeseries_batches(result: RunResult, rows: int = ROWS_PER_BATCH) -> Iterator:
    """The tidy table as pyarrow record batches: one row per replicate and month,
    replicate-major; counts as integers, everything else as recorded (float32)."""
    import pyarrow as pa

    months, reps = result.months, result.replicates
    ids = np.asarray(result.replicate_ids, dtype=np.int64)
    dates = pa.array(result.dates(), pa.string())
    month_numbers = np.arange(1, months + 1, dtype=np.int64)
    counts = set(COUNT_METRICS)
    per_batch = max(1, rows // months)
    for r0 in range(0, reps, per_batch):
        r1 = min(reps, r0 + per_batch)
        block = result.data[:, r0:r1, :]  # (months, n, metrics)
        n = r1 - r0
        arrays = [
            pa.array(np.repeat(ids[r0:r1], months)),
            pa.array(np.tile(month_numbers, n)),
            dates.take(pa.array(np.tile(np.arange(months), n))),
        ]
        for j, name in enumerate(METRICS):
            col = np.ascontiguousarray(block[:, :, j].T).ravel()
            arrays.append(pa.array(col.astype(np.int64) if name in counts else col))
        yield pa.RecordBatch.from_arrays(arrays, [*KEYS, *METRICS])


class Cancelled(Exception):
    """The timeseries writer was told to stop (the main thread is being interrupted)."""


def _write_timeseries(
    result: RunResult, path: Path, fmt: str, progress: Progress, stop: threading.Event
) -> None:
    """Write the table, then flush it to disk here, on the writer's thread, while the
    main thread is still busy with the events."""
    _write_table(result, path, fmt, progress, stop)
    fsync_path(path)


def _write_table(
    result: RunResult, path: Path, fmt: str, progress: Progress, stop: threading.Event
) -> None:
    total = result.months * result.replicates
    done = 0

    def batches():
        for batch in timeseries_batches(result):
            if stop.is_set():
                raise Cancelled
            yield batch

    if fmt == "parquet":
        import pyarrow.parquet as pq

        writer = None
        try:
            for batch in batches():
                if writer is None:
                    # Dictionary-encoding the numbers costs more than it saves; statistics
                    # serve readers that filter by replicate or month, and cost 10% on the
                    # metric columns, where no reader filters.
                    writer = pq.ParquetWriter(
                        path, batch.schema, use_dictionary=["date"], write_statistics=KEYS
                    )
                writer.write_batch(batch)
                done += batch.num_rows
                progress(path.name, done, total)
        finally:
            if writer is not None:
                writer.close()
        return
    import pyarrow as pa
    import pyarrow.csv as pacsv

    # Nothing here needs quoting (numbers, dates); Arrow would quote every text value.
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")

    def encode(batch: pa.RecordBatch) -> tuple[pa.Buffer, int]:
        sink = pa.BufferOutputStream()
        pacsv.write_csv(_with_float_text(batch), sink, options)  # releases the GIL
        return sink.getvalue(), batch.num_rows

    header = ",".join([*KEYS, *METRICS]) + "\n"  # unquoted, as ever
    with path.open("wb") as fh, ThreadPoolExecutor(max_workers=2) as pool:
        fh.write(header.encode())
        for buffer, n in pool.map(encode, batches()):  # two batches encode at once
            fh.write(buffer)
            done += n
            progress(path.name, done, total)


def _with_float_text(batch):
    """The batch with float columns as text that always reads back as floats: Arrow
    writes a whole float as "3", which a reader would take for an integer column, so
    whole numbers get a ".0" (as pandas writes them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for column in batch.columns:
        if not pa.types.is_floating(column.type):
            columns.append(column)
            continue
        values = column.to_numpy(zero_copy_only=False)
        text = pc.cast(column, pa.string())
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(values) & (values == np.floor(values))
        if whole.any():
            whole &= ~pc.match_substring(text, "e").to_numpy(zero_copy_only=False)
            text = pc.if_else(pa.array(whole), pc.binary_join_element_wise(text, ".0", ""), text)
        columns.append(text)
    return pa.RecordBatch.from_arrays(columns, batch.schema.names)


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
    result: RunResult,
    out: Path,
    fmt: str,
    summary: dict,
    command: list[str] | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write all outputs of a run into ``out``, replacing what it held only once every
    file is complete; return the paths. ``progress(what, done, total)`` is told how far
    the long writes are."""
    if fmt not in FORMATS:
        raise OutputError(f"unknown format '{fmt}'; expected one of {', '.join(FORMATS)}")
    command = list(sys.argv) if command is None else command
    progress = progress or (lambda what, done, total: None)
    names = [f"timeseries.{fmt}", EVENTS_FILE[fmt], "summary.json", "manifest.json"]
    try:
        with staged_folder(out, RESULT_FILES) as stage:
            # The events are derived and written beside the table: in a forked process
            # for a large run (the derivation is Python and would contend for the GIL),
            # while the table is written on another thread (pyarrow releases the GIL).
            events = _EventsWriter(result, stage, fmt)
            stop = threading.Event()
            try:
                with ThreadPoolExecutor(max_workers=1) as pool:
                    series = pool.submit(
                        _write_timeseries, result, stage / f"timeseries.{fmt}", fmt, progress, stop
                    )
                    try:
                        count = events.finish()
                        progress("events", count, count)
                        series.result()
                    finally:
                        stop.set()
            finally:
                events.cancel()
            text = {
                "summary.json": json.dumps(summary, indent=2) + "\n",
                "manifest.json": json.dumps(manifest(result, command), indent=2) + "\n",
            }
            for name, body in text.items():
                (stage / name).write_text(body, encoding="utf-8")
    except OSError as exc:
        raise OutputError(
            f"could not write results to {out}: {exc.strerror or exc} "
            f"(nothing was changed in {out})"
        ) from None
    return [out / name for name in names]


_EVENTS_APART_FROM = 200_000  # replicate-months: smaller runs derive events in a blink


class _EventsWriter:
    """Derives a run's events and writes them into ``stage``: in a forked child for large
    runs on Linux (started before any writer thread), else in this process on ``finish``."""

    def __init__(self, result: RunResult, stage: Path, fmt: str):
        self.result, self.stage, self.fmt = result, stage, fmt
        self._child = None  # (process, the end of the pipe it answers on)
        if can_fork() and result.replicates * result.months >= _EVENTS_APART_FROM:
            if fmt == "parquet":  # loaded once, here, rather than in parent and child alike
                import pyarrow.parquet  # noqa: F401
            answer, send = multiprocessing.Pipe(duplex=False)
            self._child = start_forked(_events_in_child, (result, stage, fmt, send)), answer
            send.close()

    def finish(self) -> int:
        """Wait for the events to be written; return how many. A write error in the child
        is raised here as the OSError it was."""
        if self._child is None:
            events = event_table(self.result)
            _write_events(events, self.stage, self.fmt)
            return len(events)
        child, answer = self._child
        try:
            kind, value = answer.recv()
        except EOFError:
            kind, value = "died", None
        child.join()
        if kind == "ok":
            return int(value)
        if kind == "oserror":
            raise OSError(*value)
        raise RuntimeError(f"the process writing the events failed: {value or 'it died'}")

    def cancel(self) -> None:
        if self._child is not None and self._child[0].is_alive():
            self._child[0].kill()
            self._child[0].join()


def _events_in_child(result: RunResult, stage: Path, fmt: str, send) -> None:
    """In a forked child: derive and write the events, and say how it went."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports and cleans up
    try:
        events = event_table(result)
        _write_events(events, stage, fmt)
        send.send(("ok", len(events)))
    except OSError as exc:
        send.send(("oserror", (exc.errno, exc.strerror or str(exc))))
    except BaseException as exc:  # a bug: the parent raises it
        send.send(("error", f"{type(exc).__name__}: {exc}"))


def _write_events(events: EventTable, folder: Path, fmt: str) -> None:
    """Events in the run's format family: a Parquet table beside a Parquet time series
    (columnar, for analysis at scale), JSON Lines beside a CSV one (readable as text)."""
    path = folder / EVENTS_FILE[fmt]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(events.to_arrow(), path)
    else:
        path.write_text(events.json_lines(), encoding="utf-8")
