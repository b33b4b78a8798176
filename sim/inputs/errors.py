"""One project error type, mapped to exit codes by the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


class DurandError(Exception):
    """An error a user can act on. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UsageError(DurandError):
    """Bad command-line use (a flag out of range, an --out that would be overwritten)."""

    exit_code = 2


class OutputError(DurandError):
    """Results could not be written; nothing half-written is left under the final name."""

    exit_code = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    file: str
    line: int | None
    key_path: str
    message: str
    pointer: str | None = None  # a JSON pointer (RFC 6901) where a JSON file has no lines

    @property
    def located(self) -> bool:
        """Whether the problem names a place in the file (a line or a JSON pointer)."""
        return self.line is not None or self.pointer is not None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.line is None and self.pointer is not None:
            # As a URI fragment (RFC 6901, section 6): spaces and the like percent-encoded.
            where = f"{self.file}#{quote(self.pointer, safe='/~')}"
        at = f" (line {self.line})" if self.line is not None else ""
        key = f" at '{self.key_path}'" if self.key_path else ""
        return f"{where}: error{key}{at}: {self.message}"


class ScenarioError(DurandError):
    """A scenario (or other YAML input) is malformed. Lists every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
