"""Safe YAML loading that remembers where every key came from.

PyYAML's ``safe_load`` refuses object tags but forgets line numbers; error messages
must name the file, line and key path, so we compose the node tree ourselves and
construct only plain scalars with the safe constructor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.inputs.errors import Problem, ScenarioError

KeyPath = tuple[str | int, ...]
_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


def format_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class SourceMap:
    """Maps key paths to (file, line) so later validation can point at the source."""

    def __init__(self) -> None:
        self._where: dict[KeyPath, tuple[str, int]] = {}

    def record(self, path: KeyPath, file: str, line: int) -> None:
        self._where[path] = (file, line)

    def update(self, other: SourceMap, prefix: KeyPath = ()) -> None:
        for path, where in other.items():
            self._where[prefix + path] = where

    def items(self):
        """(key path, (file, line)) pairs."""
        return self._where.items()

    def locate(self, path: KeyPath, default_file: str) -> tuple[str, int | None]:
        """The closest recorded ancestor of ``path`` (an unknown nested key has none)."""
        for cut in range(len(path), -1, -1):
            hit = self._where.get(tuple(path[:cut]))
            if hit:
                return hit
        return default_file, None

    def problem(self, path: KeyPath, message: str, default_file: str) -> Problem:
        file, line = self.locate(path, default_file)
        return Problem(file, line, format_path(path), message)


def load_yaml(path: Path) -> tuple[Any, SourceMap]:
    """Read ``path`` safely; return plain data and its source map, or raise ScenarioError."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(name, None, "", "file not found")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(name, None, "", f"cannot read file: {exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        msg = f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        raise ScenarioError([Problem(name, line, "", msg)]) from None
    return parse_yaml(text, name)


def load_mapping(path: Path) -> tuple[dict, SourceMap]:
    """``load_yaml`` for files whose top level must be a mapping of keys (every input file
    the project reads: scenarios, sweep specs, doctrines, lessons)."""
    data, smap = load_yaml(path)
    if not isinstance(data, dict):
        problem = Problem(str(path), 1, "", "expected a mapping of keys at the top level")
        raise ScenarioError([problem])
    return data, smap


def parse_yaml(text: str, name: str) -> tuple[Any, SourceMap]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        # Point at where the broken construct began (an unclosed quote or bracket), and
        # say where the parser gave up.
        unclosed = exc.context is not None and exc.context.startswith("while")
        start, stop = (exc.context_mark if unclosed else None), exc.problem_mark
        mark = start or stop
        line = mark.line + 1 if mark else None
        msg = "invalid YAML: " + "; ".join(x for x in (exc.context, exc.problem) if x)
        if start and stop and stop.line != start.line:
            msg += f" (at line {stop.line + 1})"
        raise ScenarioError([Problem(name, line, "", msg)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, None, "", f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    smap = SourceMap()
    if node is None:
        raise ScenarioError([Problem(name, 1, "", "the file is empty; expected a mapping of keys")])
    data = _build(node, (), name, smap, loader, set())
    return data, smap


def _build(
    node: yaml.Node, path: KeyPath, name: str, smap: SourceMap, loader, seen: set[int]
) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.CollectionNode):
        # An alias is the same node object met twice. Refusing aliases rules out
        # recursive structures and exponential "alias bombs"; `extends:` does the job
        # aliases would do in a scenario.
        if id(node) in seen:
            where = smap.locate(path, name)[1]
            msg = "YAML anchors and aliases (&name / *name) are not allowed; use extends:"
            raise ScenarioError([Problem(name, where, format_path(path), msg)])
        seen.add(id(node))
    if node.tag not in _PLAIN_TAGS:
        raise ScenarioError(
            [Problem(name, line, format_path(path), f"YAML tag '{node.tag}' is not allowed")]
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, path, name, smap, loader, seen)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise ScenarioError(
                    [Problem(name, key_line, format_path(path), f"key {key!r} is not a name")]
                )
            key = str(key)
            if key in out:
                msg = f"duplicate key '{key}'"
                raise ScenarioError([Problem(name, key_line, format_path(path + (key,)), msg)])
            smap.record(path + (key,), name, key_line)
            out[key] = _build(value_node, path + (key,), name, smap, loader, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            smap.record(path + (i,), name, item.start_mark.line + 1)
            items.append(_build(item, path + (i,), name, smap, loader, seen))
        return items
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, line, format_path(path), f"bad value: {exc}")]) from None
    except ValueError as exc:  # e.g. a timestamp like 2025-02-30
        msg = f"'{node.value}' is not a real date ({exc}); expected a date like 2025-03"
        raise ScenarioError([Problem(name, line, format_path(path), msg)]) from None
