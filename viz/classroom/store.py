"""The class on disk: its configuration, seat tokens and every table's command log.

Layout of a state folder::

    class.json          what the class plays (lesson or scenario, tables, turns, seed,
                        replicates) and the teacher's token
    seats.json          who holds which seat (a random token per claimed seat)
    table-<n>.log       one JSON command per line, appended and fsync'd before the move is
                        acknowledged; replaying the lines rebuilds the table exactly

A line is written whole or not at all as far as a reader is concerned: a last line without
its newline is a write the server died in (never acknowledged), so it is dropped on the
next start. Any other unreadable line is an error naming the file and line (exit 2).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sim.inputs.errors import OutputError, UsageError

FORMAT = "durand-classroom"
VERSION = 1
MAX_FILE = 64 * 1024 * 1024  # a class of 32 tables makes a few hundred KiB per table
MAX_LINE = 16 * 1024


@dataclass(frozen=True)
class ClassConfig:
    """What the class plays; the same command restarted must ask for the same."""

    lesson: str | None
    scenario: str
    tables: int
    turns: int
    seed: int
    replicates: int
    teacher_token: str = field(default_factory=lambda: secrets.token_urlsafe(24), compare=False)

    def same_class(self, other: ClassConfig) -> list[str]:
        """The settings that differ (empty when ``other`` asks for this class)."""
        mine, theirs = asdict(self), asdict(other)
        return [k for k in mine if k != "teacher_token" and mine[k] != theirs[k]]


class ClassStore:
    """Reads and appends the class's files; every write is durable before it returns."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._locks: dict[int, threading.Lock] = {}
        self._files: dict[int, Any] = {}

    # ---------------------------------------------------------------- class

    @property
    def config_path(self) -> Path:
        return self.folder / "class.json"

    def open(self, wanted: ClassConfig) -> tuple[ClassConfig, bool]:
        """(the class's configuration, resumed?). A folder holding another class is refused."""
        if self.folder.exists() and not self.folder.is_dir():
            raise UsageError(
                "{state_dir} exists and is not a folder", settings={"state_dir": self.folder}
            )
        if not self.config_path.exists():
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(
                    f"cannot create the class folder {self.folder}: {exc.strerror}"
                ) from None
            self._write_json(
                self.config_path, {"format": FORMAT, "version": VERSION} | asdict(wanted)
            )
            return wanted, False
        data = self._read_json(self.config_path)
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise UsageError(
                f"{self.config_path}: not a durand classroom file of version {VERSION} "
                f"(format {data.get('format')!r}, version {data.get('version')!r})"
            )
        try:
            stored = ClassConfig(
                **{k: v for k, v in data.items() if k not in ("format", "version")}
            )
        except TypeError as exc:
            raise UsageError(f"{self.config_path}: unexpected content ({exc})") from None
        differs = stored.same_class(wanted)
        if differs:
            detail = "; ".join(
                f"{k}: stored {getattr(stored, k)!r}, asked {getattr(wanted, k)!r}" for k in differs
            )
            raise UsageError(
                f"{self.folder} holds another class ({detail}). Restart with the same settings "
                "to resume it, or give a new {state_dir}.",
                settings={"state_dir": None},
            )
        return stored, True

    # ---------------------------------------------------------------- seats

    def load_seats(self) -> dict[str, dict[str, Any]]:
        path = self.folder / "seats.json"
        if not path.exists():
            return {}
        data = self._read_json(path)
        seats = data.get("seats")
        if not isinstance(seats, dict):
            raise UsageError(f"{path}: expected a 'seats' mapping")
        return seats

    def save_seats(self, seats: dict[str, dict[str, Any]]) -> None:
        self._write_json(self.folder / "seats.json", {"seats": seats})

    def load_control(self) -> dict[str, Any]:
        """The teacher's class-wide settings (started, turn timer)."""
        path = self.folder / "control.json"
        return self._read_json(path) if path.exists() else {}

    def save_control(self, control: dict[str, Any]) -> None:
        self._write_json(self.folder / "control.json", control)

    # ---------------------------------------------------------------- logs

    def log_path(self, table: int) -> Path:
        return self.folder / f"table-{table}.log"

    def read_log(self, table: int) -> list[dict[str, Any]]:
        """Every command of a table, in order; a torn last line is cut off the file."""
        path = self.log_path(table)
        if not path.exists():
            return []
        raw = self._read_bytes(path)
        records = []
        lines = raw.split(b"\n")
        complete, torn = lines[:-1], lines[-1]
        for number, line in enumerate(complete, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, UnicodeDecodeError) as exc:
                raise UsageError(f"{path}:{number}: not a JSON command ({exc})") from None
            if not isinstance(record, dict):
                raise UsageError(f"{path}:{number}: a command must be a JSON object")
            records.append(record)
        if torn:
            # The server stopped mid-write: the move was never acknowledged. Drop it.
            with open(path, "r+b") as f:
                f.truncate(len(raw) - len(torn))
                f.flush()
                os.fsync(f.fileno())
        return records

    def append(self, table: int, record: dict[str, Any]) -> None:
        """Append one command and make it durable (fsync) before returning."""
        line = json.dumps(record, separators=(",", ":"), allow_nan=False).encode() + b"\n"
        lock = self._locks.setdefault(table, threading.Lock())
        with lock:
            try:
                f = self._files.get(table)
                if f is None:
                    f = self._files[table] = open(self.log_path(table), "ab")  # noqa: SIM115
                f.write(line)
                f.flush()
                os.fsync(f.fileno())
            except OSError as exc:
                raise OutputError(
                    f"cannot save a move to {self.log_path(table)}: {exc.strerror or exc}"
                ) from None

    def rewrite_log(self, table: int, records: list[dict[str, Any]]) -> None:
        """Replace a table's log whole (atomically), e.g. after the teacher restarts it."""
        body = b"".join(
            json.dumps(r, separators=(",", ":"), allow_nan=False).encode() + b"\n" for r in records
        )
        lock = self._locks.setdefault(table, threading.Lock())
        with lock:
            f = self._files.pop(table, None)
            if f is not None:
                f.close()
            self._write_bytes(self.log_path(table), body)

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        self._files.clear()

    # ---------------------------------------------------------------- files

    def _read_bytes(self, path: Path) -> bytes:
        if not path.is_file():
            raise UsageError(f"{path} is not a regular file")
        size = path.stat().st_size
        if size > MAX_FILE:
            raise UsageError(f"{path} is {size:,} bytes, more than a class can hold ({MAX_FILE:,})")
        return path.read_bytes()

    def _read_json(self, path: Path) -> dict[str, Any]:
        try:
            data = json.loads(self._read_bytes(path))
        except (ValueError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise UsageError(f"{path}: expected a JSON object")
        return data

    def _write_json(self, path: Path, data: dict[str, Any]) -> None:
        self._write_bytes(path, json.dumps(data, indent=1).encode())

    def _write_bytes(self, path: Path, body: bytes) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        try:
            with open(tmp, "wb") as f:
                f.write(body)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
