"""Safe, bounded YAML loading that remembers where every key came from.

PyYAML's ``safe_load`` refuses object tags but forgets line numbers; error messages
must name the file, line and key path, so we compose the node tree ourselves and
construct only plain scalars, each with a constructor that cannot crash. The file comes
through ``sim.inputs.reader`` (regular files, size cap), and libyaml's fast event parser
checks the nesting depth and the number of values before the (recursive, pure-Python)
composer sees the text.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

from sim.inputs.errors import Problem, ScenarioError
from sim.inputs.reader import (
    MAX_DEPTH,
    MAX_INT,
    MAX_YAML_BYTES,
    MAX_YAML_NODES,
    brief,
    format_path,
    is_unicode,
    read_text,
)

KeyPath = tuple[str | int, ...]
_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


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


def load_packaged(text: str) -> Any:
    """Parse YAML the project itself ships (parameters, geography, observations...):
    trusted and well-formed, so no source map, and libyaml's safe loader when PyYAML
    has it (ten times faster than the pure-Python one on parameters.yaml)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_yaml(path: Path, *, what: str = "file") -> tuple[Any, SourceMap]:
    """Read ``path`` safely; return plain data and its source map, or raise ScenarioError."""
    return parse_yaml(read_text(path, what=what, limit=MAX_YAML_BYTES), str(path))


def load_mapping(path: Path, *, what: str = "file") -> tuple[dict, SourceMap]:
    """``load_yaml`` for files whose top level must be a mapping of keys (every input file
    the project reads: scenarios, sweep specs, doctrines, lessons)."""
    data, smap = load_yaml(path, what=what)
    if not isinstance(data, dict):
        problem = Problem(str(path), 1, "", "expected a mapping of keys at the top level")
        raise ScenarioError([problem])
    return data, smap


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, max(0, position)) + 1


def _check_shape(text: str, name: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH or more than MAX_YAML_NODES values, at the line
    where the limit is crossed, using libyaml's event parser (fast, not recursive).
    Syntax errors are left to the pure-Python parser, whose messages we locate."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return
    depth = nodes = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    msg = f"nesting deeper than {MAX_DEPTH} levels of mappings and lists"
                    raise ScenarioError([Problem(name, _line(event.start_mark), "", msg)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_YAML_NODES:
                    msg = (
                        f"more than {MAX_YAML_NODES:,} keys, values and list items; "
                        "an input file this large is refused"
                    )
                    raise ScenarioError([Problem(name, _line(event.start_mark), "", msg)])
    except yaml.YAMLError:
        return


def parse_yaml(text: str, name: str) -> tuple[Any, SourceMap]:
    if len(text) > MAX_YAML_BYTES:
        raise ScenarioError([Problem(name, None, "", "the text is too long to be an input file")])
    _check_shape(text, name)
    loader = None
    try:
        loader = _DepthLimitedLoader(text)
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        # A control character (NUL, \x01 ...) or a bad code point: say which and where,
        # without quoting the line.
        line = _line_of(text, exc.position)
        msg = (
            f"invalid YAML: character U+{exc.character:04X} is not allowed in YAML text "
            "(control characters must be written as escapes inside double quotes)"
            if isinstance(exc.character, int)
            else f"invalid YAML: {exc.reason}"
        )
        raise ScenarioError([Problem(name, line, "", msg)]) from None
    except _TooDeep as exc:
        msg = f"nesting deeper than {MAX_DEPTH} levels of mappings and lists"
        raise ScenarioError([Problem(name, exc.line, "", msg)]) from None
    except yaml.MarkedYAMLError as exc:
        # Point at where the broken construct began (an unclosed quote or bracket), and
        # say where the parser gave up.
        unclosed = exc.context is not None and exc.context.startswith("while")
        start, stop = (exc.context_mark if unclosed else None), exc.problem_mark
        mark = start or stop
        line = mark.line + 1 if mark else 1
        msg = "invalid YAML: " + "; ".join(x for x in (exc.context, exc.problem) if x)
        if start and stop and stop.line != start.line:
            msg += f" (at line {stop.line + 1})"
        raise ScenarioError([Problem(name, line, "", msg)]) from None
    except yaml.YAMLError as exc:
        msg = f"invalid YAML: {brief(str(exc), 200)}"
        raise ScenarioError([Problem(name, 1, "", msg)]) from None
    except RecursionError:  # a backstop: _check_shape and the loader's own limit come first
        msg = f"nesting deeper than {MAX_DEPTH} levels of mappings and lists"
        raise ScenarioError([Problem(name, 1, "", msg)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    smap = SourceMap()
    if node is None:
        raise ScenarioError([Problem(name, 1, "", "the file is empty; expected a mapping of keys")])
    smap.record((), name, node.start_mark.line + 1)
    data = _build(node, (), name, smap, loader, set())
    return data, smap


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


class _DepthLimitedLoader(yaml.SafeLoader):
    """The safe loader whose (recursive) composer stops at MAX_DEPTH levels."""

    def __init__(self, text: str):
        super().__init__(text)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_KIND = {
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:timestamp": "a date like 2025-03-01",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:str": "text",
}


def _scalar(node: yaml.ScalarNode, path: KeyPath, name: str, loader) -> Any:
    """Construct one scalar; any value its tag cannot hold is a located problem."""
    line = node.start_mark.line + 1
    where = format_path(path)
    kind = _KIND.get(node.tag, "a value of this kind")
    text = node.value if isinstance(node.value, str) else ""

    def refuse(msg: str) -> ScenarioError:
        return ScenarioError([Problem(name, line, where, msg)])

    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and len(text) > 100:
        raise refuse(f"a number written with {len(text):,} characters is out of range")
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "cannot be read"
        raise refuse(f"bad value: {brief(str(problem), 120)}") from None
    except (ValueError, KeyError, AttributeError, IndexError, TypeError, OverflowError):
        if node.tag == "tag:yaml.org,2002:timestamp":
            raise refuse(
                f"{brief(text)} is not a real date; expected a date like 2025-03"
            ) from None
        raise refuse(f"{brief(text)} is not {kind}") from None
    if isinstance(value, str) and not value.isascii() and not is_unicode(value):
        raise refuse(
            "text with an unpaired surrogate escape (\\ud800-\\udfff) is not valid Unicode"
        )
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise refuse(f"{brief(value)} is out of range: whole numbers may be at most 2**63-1")
    if isinstance(value, float) and math.isinf(value) and not _INF.fullmatch(text.strip()):
        raise refuse(f"{brief(text)} is out of range for a number")
    return value


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
            [Problem(name, line, format_path(path), f"YAML tag {brief(node.tag)} is not allowed")]
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, path, name, smap, loader, seen)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise ScenarioError(
                    [Problem(name, key_line, format_path(path), f"key {brief(key)} is not a name")]
                )
            key = str(key)
            if key in out:
                msg = f"duplicate key {brief(key)}"
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
    assert isinstance(node, yaml.ScalarNode)  # the only other kind of node
    return _scalar(node, path, name, loader)


def _line(mark) -> int | None:
    """A 1-based line from a YAML mark (which the reader may leave unset)."""
    return None if mark is None else mark.line + 1
