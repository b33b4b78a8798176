"""Outcomes: one number per run from the recorder's monthly metrics.

Every reduction runs along a contiguous (replicate, month) row, so a run's outcome has the
same bits whatever batch it was computed in.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.model.recorder import INDEX, METRICS

_FUNCTIONS = {
    "abs": np.abs,
    "minimum": np.minimum,
    "maximum": np.maximum,
    "where": np.where,
    "log": np.log,
    "log1p": np.log1p,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "clip": np.clip,
}
# How many arguments each function takes (numpy's extra positionals are `out=` and the
# like, which an expression must never reach).
_ARITY = {
    "abs": 1,
    "minimum": 2,
    "maximum": 2,
    "where": 3,
    "log": 1,
    "log1p": 1,
    "exp": 1,
    "sqrt": 1,
    "clip": 3,
}
MAX_EXPRESSION_CHARS = 1_000
MAX_EXPRESSION_DEPTH = 50
_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.USub,
    ast.UAdd,
    ast.Gt,
    ast.GtE,
    ast.Lt,
    ast.LtE,
)
# Metric names hold dots and hyphens (trust.US-PAK); match the longest name first.
_NAME_RE = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(m) for m in sorted(METRICS, key=len, reverse=True))
    + r")(?![\w.])"
)


@dataclass(frozen=True)
class Expression:
    text: str
    source: str  # the text with metric names replaced by placeholders _m0, _m1, ...
    metrics: tuple[str, ...]  # metric for each placeholder _m0, _m1, ...
    constants: tuple[float, ...] = ()  # value of each placeholder _c0, _c1, ...


def parse_expression(text: str) -> Expression:
    """Check an expression over metric names and numbers; raise ValueError saying why not.

    Whatever passes here evaluates without error on any monthly metrics: functions take
    their exact number of arguments, comparisons are not chained (their 0/1 results are
    numbers), names beginning with '_' (the placeholders below) are refused, and every
    number fits a float64."""
    shown = text if len(text) <= 80 else text[:79] + "…"
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ValueError(
            f"the expression is {len(text):,} characters long, more than {MAX_EXPRESSION_CHARS:,}"
        )
    if not text.isascii() or not text.isprintable():
        raise ValueError(f"{shown!r}: use plain ASCII letters, digits and operators")
    metrics: list[str] = []
    uses = 0

    def sub(match: re.Match) -> str:
        nonlocal uses
        name = match.group(1)
        if name not in metrics:
            metrics.append(name)
        uses += 1
        return f"_m{metrics.index(name)}"

    if re.search(r"(?<![\w.])_", _NAME_RE.sub(" ", text)):
        raise ValueError(f"{shown!r}: names beginning with '_' are reserved")
    try:
        tree = ast.parse(_NAME_RE.sub(sub, text), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ValueError(f"{shown!r} is not a valid expression") from None
    _check_tree(tree, shown, uses)
    if not metrics:
        raise ValueError(f"{shown!r} names no metric")
    constants = _NamedConstants()
    tree = ast.fix_missing_locations(constants.visit(tree))
    expr = Expression(text, ast.unparse(tree), tuple(metrics), tuple(constants.values))
    _trial(expr, shown)
    return expr


def _check_tree(tree: ast.Expression, shown: str, uses: int) -> None:
    placeholders = 0
    callees = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            raise ValueError(f"{shown!r}: nested more than {MAX_EXPRESSION_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
        if not isinstance(node, _NODES):
            raise ValueError(f"{shown!r}: {type(node).__name__} is not allowed in an expression")
        if isinstance(node, ast.Name):
            if re.fullmatch(r"_m\d+", node.id):
                placeholders += 1
            elif node.id not in _FUNCTIONS:
                raise ValueError(
                    f"{shown!r}: unknown name '{node.id}'; use metric names (as in "
                    f"timeseries columns, e.g. attacks.PAK) and {', '.join(_FUNCTIONS)}"
                )
            elif id(node) not in callees:
                raise ValueError(f"{shown!r}: {node.id} is a function; call it, e.g. {node.id}(…)")
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS):
                raise ValueError(f"{shown!r}: only {', '.join(_FUNCTIONS)} may be called")
            want, got = _ARITY[node.func.id], len(node.args)
            if node.keywords or got != want:
                raise ValueError(
                    f"{shown!r}: {node.func.id} takes {want} argument{'s' * (want > 1)}, "
                    f"got {got + len(node.keywords)}"
                )
        if isinstance(node, ast.Compare) and len(node.ops) > 1:
            raise ValueError(
                f"{shown!r}: chained comparisons (a > b > c) are not allowed; compare two "
                "things at a time"
            )
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{shown!r}: only numbers may appear as constants")
            try:
                finite = math.isfinite(float(value))
            except OverflowError:
                finite = False
            if not finite:
                raise ValueError(f"{shown!r}: a number above 1e308 is out of range")
    if placeholders != uses:  # the text held a placeholder name itself
        raise ValueError(f"{shown!r}: names beginning with '_' are reserved")


def _trial(expr: Expression, shown: str) -> None:
    """Evaluate on a tiny made-up record (2 months, 2 replicates), so nothing that passes
    validation fails in the middle of a sweep."""
    trial = np.linspace(0.0, 1.0, 2 * len(METRICS) * 2, dtype=np.float32).reshape(
        2, len(METRICS), 2
    )
    probe = Outcome("trial", None, expr, "total", None, None)
    try:
        compute(probe, trial)
    except Exception as exc:  # noqa: BLE001 - any failure here is the expression's
        raise ValueError(f"{shown!r} cannot be evaluated ({type(exc).__name__})") from None


class _NamedConstants(ast.NodeTransformer):
    """Numbers become float64 names (_c0, _c1, ...): arithmetic on them is then numpy's,
    which overflows to inf, instead of Python's exact integers (``9**9**9**9`` would run
    for ever) and never folded at compile time."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def visit_Constant(self, node: ast.Constant) -> ast.Name:
        self.values.append(float(node.value))
        return ast.Name(id=f"_c{len(self.values) - 1}", ctx=ast.Load())

    def visit_Compare(self, node: ast.Compare) -> ast.Call:
        # A comparison is 1.0 or 0.0, so it can be negated, subtracted or summed like any
        # number (numpy refuses `-` on booleans).
        self.generic_visit(node)
        return ast.Call(func=ast.Name(id="_number", ctx=ast.Load()), args=[node], keywords=[])


def _number(flags) -> np.ndarray:
    return np.asarray(flags, dtype=np.float64)


_GLOBALS = {"__builtins__": {}, "_number": _number, **_FUNCTIONS}


@cache
def _compiled(source: str):
    return compile(source, "<outcome>", "eval")


@dataclass(frozen=True)
class Outcome:
    name: str
    metric: str | None
    expr: Expression | None
    stat: str  # total, mean, final, max, min
    year: int | None
    months: list[int] | None  # month indices of ``year``; None = the whole horizon

    def describe(self) -> str:
        what = self.metric or self.expr.text
        return f"{self.stat} of {what}" + (f" in {self.year}" if self.year else "")


def _rows(by_metric: np.ndarray, name: str) -> np.ndarray:
    """(R, T) float64, contiguous, from the recorder's (T, metrics, R) float32 store."""
    return np.ascontiguousarray(by_metric[:, INDEX[name], :].T, dtype=np.float64)


def compute(outcome: Outcome, by_metric: np.ndarray) -> np.ndarray:
    """The outcome for every replicate slot: (R,) float64."""
    if outcome.metric is not None:
        series = _rows(by_metric, outcome.metric)
    else:
        env = {f"_m{i}": _rows(by_metric, m) for i, m in enumerate(outcome.expr.metrics)}
        env |= {f"_c{i}": np.float64(c) for i, c in enumerate(outcome.expr.constants)}
        with np.errstate(all="ignore"):
            series = eval(_compiled(outcome.expr.source), _GLOBALS, env)  # noqa: S307
        series = np.ascontiguousarray(
            np.broadcast_to(np.asarray(series, dtype=np.float64), env["_m0"].shape)
        )
    if outcome.months is not None:
        series = np.ascontiguousarray(series[:, outcome.months[0] : outcome.months[-1] + 1])
    if outcome.stat == "total":
        return series.sum(axis=1)
    if outcome.stat == "mean":
        return series.mean(axis=1)
    if outcome.stat == "final":
        return series[:, -1].copy()
    if outcome.stat == "max":
        return series.max(axis=1)
    return series.min(axis=1)


__all__ = ["Outcome", "Expression", "parse_expression", "compute", "METRICS"]
