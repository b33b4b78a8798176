"""One project error type, mapped to exit codes by the CLI.

A message that tells the user which setting to change names it as a ``{placeholder}``
and gives its value in ``settings``: the library words it as a keyword argument
(``cores=1``), the CLI alone as a flag (``--cores 1``), through ``DurandError.worded``.
``{keyword:flag}`` names a setting whose flag is spelled otherwise (``{roles:role}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?::([a-z][a-z0-9-]*))?\}")


def word_setting(name: str, value: Any, *, flag: bool, flag_name: str | None = None) -> str:
    """One setting as the library (``cores=1``, ``resume=True``, ``out=PATH``, a bare
    ``replicates``) or the command line (``--cores 1``, ``--resume``, ``--out PATH``,
    ``--replicates``) spells it. ``value`` None names the setting alone; ``flag_name``
    is the flag's name where it is not the keyword's with ``-`` for ``_``."""
    if not flag:
        return name if value is None else f"{name}={value}"
    option = "--" + (flag_name or name.replace("_", "-"))
    return option if value is None or value is True else f"{option} {value}"


class DurandError(Exception):
    """An error a user can act on. ``exit_code`` is what the CLI exits with.

    ``settings`` maps each ``{name}`` in ``message`` (a keyword argument's name, which is
    also the flag's name with ``_`` for ``-``, unless the placeholder says
    ``{name:flag-name}``) to the value to suggest, or None to name the setting alone;
    True words a switch. Other text is left as it is (braces too).
    """

    exit_code = 1

    def __init__(self, message: str = "", *, settings: Mapping[str, Any] | None = None):
        self.template = message
        self.settings = dict(settings or {})
        super().__init__(message)

    def worded(self, *, flags: bool = False) -> str:
        """The message with its settings as keyword arguments, or (``flags``) as flags."""
        if not self.settings:
            return self.template

        def setting(match: re.Match) -> str:
            name = match[1]
            if name not in self.settings:
                return match[0]
            return word_setting(name, self.settings[name], flag=flags, flag_name=match[2])

        return _PLACEHOLDER.sub(setting, self.template)

    def __str__(self) -> str:
        return self.worded()


class UsageError(DurandError):
    """Bad use (a setting out of range, an output folder that would be overwritten)."""

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
