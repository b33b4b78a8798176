"""A sweep's folder: points, streamed run parts, manifest — every file written atomically.

    DIR/manifest.json          spec hash, versions, seeds, design size, chunking, status
    DIR/points.parquet         one row per design point: point, then each factor's value
    DIR/runs.parquet/          one part file per finished chunk: point, replicate, outcomes
    DIR/series.parquet/        optional: point, replicate, month and the chosen metrics
    DIR/spec.yaml              the spec as given
    DIR/base-scenario.yaml     the base scenario, resolved and self-contained (for replay)

A part file appears under its final name only once complete (write a temporary file,
fsync, rename, fsync the folder), so a part that exists is whole, and --resume runs
exactly the chunks without one.
"""

from __future__ import annotations

import json
import platform
import re
from pathlib import Path

import numpy as np

from sim import __version__
from sim.inputs.errors import OutputError, UsageError
from sim.run.files import atomic_path

PART_RE = re.compile(r"^part-(\d{6})\.parquet$")


def write_atomic(final: Path, write) -> None:
    """``write(tmp_path)`` then fsync and rename into place; no partial file survives."""
    with atomic_path(final) as tmp:
        write(tmp)


def _write_table(path: Path, columns: dict[str, np.ndarray]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path)


class SweepStore:
    def __init__(self, out: Path):
        self.out = Path(out)
        self.runs = self.out / "runs.parquet"
        self.series = self.out / "series.parquet"
        self.points = self.out / "points.parquet"
        self.manifest_path = self.out / "manifest.json"

    # -------------------------------------------------------------- state

    def manifest(self) -> dict | None:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise UsageError(f"{self.manifest_path} is unreadable ({exc})") from None

    def finished_chunks(self) -> set[int]:
        if not self.runs.is_dir():
            return set()
        return {int(m.group(1)) for p in self.runs.iterdir() if (m := PART_RE.match(p.name))}

    def holds_results(self) -> bool:
        return self.out.is_dir() and any(self.out.iterdir())

    def clear(self) -> None:
        """Remove a previous sweep's files (only those: --out may hold other things)."""
        import shutil

        for folder in (self.runs, self.series):
            if folder.is_dir():
                shutil.rmtree(folder)
        for name in ("manifest.json", "points.parquet", "spec.yaml", "base-scenario.yaml"):
            (self.out / name).unlink(missing_ok=True)
        for pattern in ("sensitivity-*", "discover-*"):
            for p in self.out.glob(pattern):
                p.unlink()
        self.clear_leftovers()

    def clear_leftovers(self) -> None:
        """Temporary files of a killed sweep: never complete, safe to drop."""
        for folder in (self.out, self.runs, self.series):
            if folder.is_dir():
                for p in folder.iterdir():
                    if p.name.startswith(".") and p.name.endswith((".part", ".tmp")):
                        p.unlink(missing_ok=True)

    # -------------------------------------------------------------- writing

    def start(self, manifest: dict, points: dict[str, np.ndarray], spec_text: str, base_yaml: str):
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            self.runs.mkdir(exist_ok=True)
            self.write_manifest(manifest)
            write_atomic(self.points, lambda p: _write_table(p, points))
            write_atomic(self.out / "spec.yaml", lambda p: p.write_text(spec_text, "utf-8"))
            write_atomic(
                self.out / "base-scenario.yaml", lambda p: p.write_text(base_yaml, "utf-8")
            )
        except OSError as exc:
            raise OutputError(f"could not write to {self.out}: {exc.strerror or exc}") from None

    def write_manifest(self, manifest: dict) -> None:
        text = json.dumps(manifest, indent=2) + "\n"
        write_atomic(self.manifest_path, lambda p: p.write_text(text, encoding="utf-8"))

    def write_part(self, index: int, columns: dict[str, np.ndarray], series: bool = False) -> None:
        folder = self.series if series else self.runs
        try:
            folder.mkdir(exist_ok=True)
            write_atomic(folder / f"part-{index:06d}.parquet", lambda p: _write_table(p, columns))
        except OSError as exc:
            raise OutputError(
                f"could not write chunk {index} to {folder}: {exc.strerror or exc} "
                "(finished chunks are kept; rerun with {resume})",
                settings={"resume": True},
            ) from None


def versions() -> dict[str, str]:
    import mesa
    import pandas
    import pyarrow

    return {
        "package": "durand",
        "package_version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
    }
