"""Outcomes: one number per run from the recorder's monthly metrics.

Every reduction runs along a contiguous (replicate, month) row, so a run's outcome has the
same bits whatever batch it was computed in.
"""

from __future__ import annotations

import ast
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
    """Check an expression over metric names and numbers; raise ValueError saying why not."""
    metrics: list[str] = []

    def sub(match: re.Match) -> str:
        name = match.group(1)
        if name not in metrics:
            metrics.append(name)
        return f"_m{metrics.index(name)}"

    try:
        tree = ast.parse(_NAME_RE.sub(sub, text), mode="eval")
    except SyntaxError:
        raise ValueError(f"'{text}' is not a valid expression") from None
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise ValueError(f"'{text}': {type(node).__name__} is not allowed in an expression")
        if isinstance(node, ast.Name) and not (
            node.id in _FUNCTIONS or re.fullmatch(r"_m\d+", node.id)
        ):
            raise ValueError(
                f"'{text}': unknown name '{node.id}'; use metric names (as in "
                f"timeseries columns, e.g. attacks.PAK) and {', '.join(_FUNCTIONS)}"
            )
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
        ):
            raise ValueError(f"'{text}': only {', '.join(_FUNCTIONS)} may be called")
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise ValueError(f"'{text}': only numbers may appear as constants")
    if not metrics:
        raise ValueError(f"'{text}' names no metric")
    constants = _NamedConstants()
    tree = ast.fix_missing_locations(constants.visit(tree))
    return Expression(text, ast.unparse(tree), tuple(metrics), tuple(constants.values))


class _NamedConstants(ast.NodeTransformer):
    """Numbers become float64 names (_c0, _c1, ...): arithmetic on them is then numpy's,
    which overflows to inf, instead of Python's exact integers (``9**9**9**9`` would run
    for ever) and never folded at compile time."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def visit_Constant(self, node: ast.Constant) -> ast.Name:
        self.values.append(float(node.value))
        return ast.Name(id=f"_c{len(self.values) - 1}", ctx=ast.Load())


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
            series = eval(_compiled(outcome.expr.source), {"__builtins__": {}, **_FUNCTIONS}, env)  # noqa: S307
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
