"""The one bounded way into the project's input files (scenarios, ``extends:``, sweep specs,
doctrines, lessons, saved games).

A file is read only if it is a regular file no larger than its kind allows: a device
(``/dev/zero``), a pipe (``mkfifo``) or a folder is refused before a byte is read, so no
input can eat all memory or block for ever. Bytes that are not UTF-8 are reported at their
line. Paths given inside files (``extends:``, a sweep's ``base:``, a save's scenario) are
checked as text first (no NUL, no over-long component) so a hostile path is an input
error, never a crash; and a file reached through such a reference that lies outside the
project, the user's home folder, the current folder and the referring file's folder is
never quoted back (see ``is_private``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from sim.inputs.errors import Problem, ScenarioError

KIB = 1024
MAX_YAML_BYTES = 512 * KIB  # shipped scenarios are 1-3 KiB
MAX_JSON_BYTES = 8 * 1024 * KIB  # a saved game of a long class session is ~100 KiB
MAX_DEPTH = 32  # nesting of mappings and lists; scenario files use 5
MAX_YAML_NODES = 25_000  # keys, values and items; the baseline has ~300
MAX_INT = 2**63 - 1  # every whole number an input may hold (seeds are the largest)
MAX_PATH_CHARS = 1024
MAX_NAME_CHARS = 255  # a path component (the limit of common file systems)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
YAML_SUFFIXES = (".yaml", ".yml")


def brief(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for quoting input back in a message."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a {len(str(abs(value))) if value.bit_length() < 13000 else 'huge'}-digit number"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _whole_file(name: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(name, None, "", message)])


def _size(n: int) -> str:
    return f"{n / KIB:,.0f} KiB" if n < KIB * KIB else f"{n / KIB / KIB:,.1f} MiB"


def read_bytes(path: str | Path, *, what: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or a ScenarioError naming
    the file (never blocks: a pipe is opened non-blocking and refused)."""
    name = str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _whole_file(name, f"{what} not found") from None
    except ValueError:  # an embedded NUL
        raise _whole_file(name, "the path contains a NUL character") from None
    except OSError as exc:
        raise _whole_file(name, f"cannot read the {what}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise _whole_file(
                name, f"this is {kind}, not a regular file; give the path of a {what}"
            )
        if info.st_size > limit:
            msg = f"the {what} is {_size(info.st_size)}, more than the {_size(limit)} allowed"
            raise _whole_file(name, msg)
        chunks, total = [], 0
        while total <= limit:  # st_size may lie (procfs) or the file may grow
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise _whole_file(name, f"the {what} is more than the {_size(limit)} allowed")
        return b"".join(chunks)
    except OSError as exc:
        raise _whole_file(name, f"cannot read the {what}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def decode(raw: bytes, name: str, what: str) -> str:
    """UTF-8 text, or a ScenarioError at the line of the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        msg = f"the {what} is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        raise ScenarioError([Problem(name, line, "", msg)]) from None


def read_text(path: str | Path, *, what: str = "file", limit: int = MAX_YAML_BYTES) -> str:
    """``read_bytes`` then ``decode``: the bounded read of every text input."""
    return decode(read_bytes(path, what=what, limit=limit), str(path), what)


# ------------------------------------------------------------------ paths inside files


def path_problem(ref: str) -> str | None:
    """Why a path written inside a file cannot be a path at all, or None."""
    if "\x00" in ref:
        return "the path contains a NUL character"
    if not is_unicode(ref):
        return "the path is not valid Unicode (an unpaired surrogate escape)"
    if len(ref) > MAX_PATH_CHARS:
        return f"the path is {len(ref):,} characters long, more than {MAX_PATH_CHARS:,}"
    long = next((p for p in re.split(r"[/\\]", ref) if len(p.encode()) > MAX_NAME_CHARS), None)
    if long is not None:
        return f"a folder or file name in the path is longer than {MAX_NAME_CHARS} bytes"
    if not ref.isprintable():
        return "the path contains control characters"
    return None


def is_regular_file(path: Path) -> bool:
    """``Path.is_file`` that says False, never raises, for a path no system accepts."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def safe_resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):
        return path.absolute()


def is_private(target: Path, referrer_dir: Path | None = None) -> bool:
    """True when ``target`` lies outside the project, the home folder, the current folder
    and ``referrer_dir``: such a file is read when another file names it, but what it holds
    is never quoted in a message (``extends: ../../etc/shadow`` must not print it)."""
    target = safe_resolve(target)
    roots = [PROJECT_ROOT, Path.cwd()]
    with contextlib.suppress(RuntimeError, KeyError):
        roots.append(Path.home())
    if referrer_dir is not None:
        roots.append(referrer_dir)
    return not any(target.is_relative_to(safe_resolve(r)) for r in roots if r != Path("/"))


def redact(problems: list[Problem], hidden: dict[str, Problem]) -> list[Problem]:
    """Problems in private files (``hidden``: file -> the reference that reached it)
    replaced by one per file that names it and says why its contents are not shown,
    located at that reference."""
    out, seen = [], []
    for p in problems:
        if p.file not in hidden:
            out.append(p)
        elif not p.located:  # about the file as a whole (missing, a device): no contents
            at = hidden[p.file]
            out.append(Problem(at.file, at.line, at.key_path, f"{p.file}: {p.message}", at.pointer))
        elif p.file not in seen:
            seen.append(p.file)
    for file in seen:
        at = hidden[file]
        msg = (
            f"{file} has problems; it lies outside the project, your home folder and the "
            "folder of the file naming it, so its contents are not shown here. Run "
            "durand validate on it to see them"
        )
        out.append(Problem(at.file, at.line, at.key_path, msg, at.pointer))
    return out


# ------------------------------------------------------------------ JSON


class JSONLimit:
    """A number or constant JSON allows but an input may not hold (kept as a marker so the
    refusal can name its JSON pointer)."""

    def __init__(self, text: str, why: str):
        self.text, self.why = text, why


def _int(text: str) -> int | JSONLimit:
    digits = len(text.lstrip("-"))
    if digits > 19 or abs(int(text)) > MAX_INT:
        return JSONLimit(
            text, f"a whole number of {digits} digits is out of range (at most 2**63-1)"
        )
    return int(text)


def _float(text: str) -> float | JSONLimit:
    if len(text) > 400:
        return JSONLimit(text, "a number written with more than 400 characters")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return JSONLimit(text, "a number too large for a 64-bit float")
    return value


def _constant(text: str) -> JSONLimit:
    return JSONLimit(text, f"{text} is not a number JSON allows")


_BRACKETS = re.compile(rb'"(?:[^"\\\n]|\\.)*"|[\[\]{}]')


def _depth_problem(raw: bytes, name: str) -> Problem | None:
    depth = 0
    for m in _BRACKETS.finditer(raw):
        c = m.group()
        if c in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                line = raw[: m.start()].count(b"\n") + 1
                msg = f"nesting deeper than {MAX_DEPTH} levels of lists and mappings"
                return Problem(name, line, "", msg)
        elif c in (b"]", b"}"):
            depth -= 1
    return None


def pointer(path: tuple) -> str:
    """A JSON pointer (RFC 6901) for a key path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def format_path(path: tuple) -> str:
    """A key path as people write it: ``commands[3].value``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def json_problem(name: str, path: tuple, message: str) -> Problem:
    """A problem in a JSON file, located by its JSON pointer (and key path)."""
    return Problem(name, None, format_path(path), message, pointer(path))


def is_unicode(text: str) -> bool:
    """False for text holding an unpaired surrogate (JSON's and YAML's ``\\ud800``
    escapes make one), which no file name, terminal or UTF-8 file can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_NOT_UNICODE = "text with an unpaired surrogate escape (\\ud800-\\udfff) is not valid Unicode"


def _markers(value: Any, path: tuple, name: str, out: list[Problem]) -> None:
    stack = [(value, path)]
    while stack:
        v, at = stack.pop()
        if isinstance(v, JSONLimit):
            out.append(json_problem(name, at, v.why))
        elif isinstance(v, str) and not v.isascii() and not is_unicode(v):
            out.append(json_problem(name, at, _NOT_UNICODE))
        elif isinstance(v, dict):
            for k in v:
                if not k.isascii() and not is_unicode(k):
                    out.append(json_problem(name, at, "a key: " + _NOT_UNICODE))
            stack.extend((sub, at + (k,)) for k, sub in v.items() if is_unicode(k))
        elif isinstance(v, list):
            stack.extend((sub, at + (i,)) for i, sub in enumerate(v))


def load_json(path: str | Path, *, what: str, limit: int = MAX_JSON_BYTES) -> Any:
    """A bounded, depth-checked JSON file whose numbers are in range, or a ScenarioError
    whose every problem has a line or a JSON pointer."""
    name = str(path)
    raw = read_bytes(path, what=what, limit=limit)
    text = decode(raw, name, what)
    deep = _depth_problem(raw, name)
    if deep is not None:
        raise ScenarioError([deep])
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        msg = (
            f"not a valid {what}: {exc.msg} at column {exc.colno} "
            "(the file may be truncated or edited by hand)"
        )
        raise ScenarioError([Problem(name, exc.lineno, "", msg)]) from None
    except (ValueError, RecursionError) as exc:  # a backstop: the checks above come first
        raise ScenarioError(
            [Problem(name, 1, "", f"not a valid {what} ({type(exc).__name__})")]
        ) from None
    problems: list[Problem] = []
    _markers(data, (), name, problems)
    if problems:
        raise ScenarioError(problems)
    return data
