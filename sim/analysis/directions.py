"""Expected directions of levers and shocks, and the check that the model follows them.

One table, ``sim/data/directions.yaml``, says for each lever or shock which way each main
outcome should move and why (a seed sentence or a published study), or why the sign is
ambiguous. ``markdown`` renders it for docs/model.md; ``paired_effects`` runs the baseline
and the changed scenario on the same replicates (common random numbers) and returns the
per-replicate differences; ``plausible_parameter_sets`` draws a Latin-hypercube sample of
parameter sets from the registry's plausible ranges, so a direction is checked beyond the
defaults (tests/test_directions.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from sim.inputs.parameters import iter_numbers, registry
from sim.inputs.scenario import Scenario, TimedEvent
from sim.inputs.yamlio import load_packaged
from sim.model.recorder import INDEX

UP, DOWN = "up", "down"
_ARROWS = {UP: "↑", DOWN: "↓"}
# Sections whose numbers are not behavioural parameters, and tables whose rows are shares.
_NOT_SAMPLED = ("levers.", "reference.", "reporting.")
_SHARE_TABLES = (
    "groups.presence",
    "groups.attack_region",
    "groups.target_type",
    "states.priorities",
    "regions.population",
)


@dataclass(frozen=True)
class Direction:
    """One row: a change and its expected effects."""

    id: str
    label: str
    change: dict[str, Any]
    expect: dict[str, str]
    ambiguous: dict[str, str] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)
    note: str = ""


@cache
def table() -> tuple[dict[str, str], tuple[Direction, ...]]:
    """(main outcomes -> label, rows) from sim/data/directions.yaml."""
    text = resources.files("sim").joinpath("data/directions.yaml").read_text(encoding="utf-8")
    data = load_packaged(text)
    rows = tuple(Direction(**row) for row in data["rows"])
    for row in rows:
        for metric, sign in row.expect.items():
            if sign not in (UP, DOWN) or metric not in INDEX:
                raise ValueError(f"directions.yaml: {row.id}: bad expectation {metric}: {sign}")
        for metric in row.ambiguous:
            if metric not in INDEX:
                raise ValueError(f"directions.yaml: {row.id}: unknown outcome {metric}")
    return dict(data["outcomes"]), rows


def variant(base: Scenario, row: Direction) -> Scenario:
    """The base scenario with the row's levers set from its first month, or its shock then."""
    from sim.inputs.scenario import AttackWave, EconomicShock, StrengthLoss, TrustShock

    out = copy.deepcopy(base)
    for key, value in row.change.get("levers", {}).items():
        state, _, name = key.partition(".")
        if name not in out.levers.get(state, {}):
            raise ValueError(f"directions.yaml: {row.id}: unknown lever {key}")
        out.levers[state][name] = float(value)
    shock = row.change.get("shock")
    if shock is not None:
        kinds = {
            "attack_wave": AttackWave,
            "strength_loss": StrengthLoss,
            "economic_shock": EconomicShock,
            "trust_shock": TrustShock,
        }
        model = kinds[shock["type"]](**shock)
        out.events = [TimedEvent(0, {}, model, row.label), *out.events]
    return out


def with_parameters(base: Scenario, values: dict[str, float]) -> Scenario:
    """The scenario with parameter leaves replaced: {"groups.tempo.TTP": 40.0, ...}."""
    out = copy.deepcopy(base)
    for path, value in values.items():
        node = out.params
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    return out


def paired_effects(
    base: Scenario, row: Direction, replicates: int, months: int
) -> dict[str, np.ndarray]:
    """Outcome -> per-replicate difference (changed - base) of the mean over ``months``."""
    from sim.model.model import DurandModel

    runs = []
    for scenario in (base, variant(base, row)):
        model = DurandModel(scenario, replicates=replicates, months=months)
        model.run()
        runs.append(model.recorder)
    metrics = {**row.expect, **row.ambiguous}
    return {m: runs[1].column(m).mean(axis=0) - runs[0].column(m).mean(axis=0) for m in metrics}


def holds(diff: np.ndarray, sign: str, min_t: float = 2.0) -> bool:
    """The paired mean has the expected sign and stands out of the replicate noise."""
    mean = float(diff.mean())
    if sign == DOWN:
        mean = -mean
    if mean <= 0:
        return False
    se = float(diff.std(ddof=1)) / np.sqrt(len(diff)) if len(diff) > 1 else 0.0
    return se == 0.0 or mean / se >= min_t


def sampled_parameters() -> dict[str, tuple[float, float, float]]:
    """Leaf path -> (default, low, high) for every behavioural number with a plausible
    range: a scalar's ``low``/``high``, a table's ``scale`` applied to each of its numbers
    (``toward`` tables, blends of whole share tables, are not sampled); an assumption
    without a range varies by a quarter either way. Always within the admissible bounds;
    numbers whose range is a single point (units such as ``groups.strength0``) are left out."""
    out: dict[str, tuple[float, float, float]] = {}
    for path, spec in registry().items():
        if path.startswith(_NOT_SAMPLED) or path in _SHARE_TABLES:
            continue
        pl = spec.plausible
        for sub, value in iter_numbers(spec.value):
            if len(sub) > 1 or isinstance(value, bool):
                continue
            if pl is not None and pl.low is not None and pl.high is not None and not sub:
                low, high = pl.low, pl.high
            elif pl is not None and pl.scale is not None:
                low, high = pl.scale[0] * value, pl.scale[1] * value
            elif pl is not None:
                continue
            elif spec.assumption and value:
                low, high = 0.75 * value, 1.25 * value
            else:
                continue
            if spec.low is not None:
                low = max(low, spec.low)
            if spec.high is not None:
                high = min(high, spec.high)
            low, high = min(low, value), max(high, value)
            if high > low:
                out[".".join((path, *sub))] = (float(value), float(low), float(high))
    return out


def plausible_parameter_sets(n: int, seed: int = 0) -> list[dict[str, float]]:
    """A Latin-hypercube sample of ``n`` parameter sets over the plausible ranges."""
    from scipy.stats import qmc

    dims = sampled_parameters()
    unit = qmc.LatinHypercube(d=len(dims), seed=seed).random(n)
    sets = []
    for point in unit:
        sets.append(
            {
                path: low + u * (high - low)
                for u, (path, (_, low, high)) in zip(point, dims.items(), strict=True)
            }
        )
    return sets


def markdown() -> str:
    """The direction table for docs/model.md, with its reasons and sources."""
    outcomes, rows = table()
    head = ["Lever or shock", *outcomes.values(), "Other outcomes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [row.label]
        for metric in outcomes:
            if metric in row.expect:
                cells.append(_ARROWS[row.expect[metric]])
            elif metric in row.ambiguous:
                cells.append("ambiguous")
            else:
                cells.append("")
        others = [f"`{m}` {_ARROWS[s]}" for m, s in row.expect.items() if m not in outcomes]
        others += [f"`{m}` ambiguous" for m in row.ambiguous if m not in outcomes]
        cells.append(", ".join(others))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Why, row by row:")
    lines.append("")
    for row in rows:
        src = row.source
        quoted = f"seed {src.get('seed', '')[:3]}: “{src.get('quote', '')}”"
        why = quoted if "seed" in src else src.get("study", "")
        text = f"- **{row.label}** — {why}"
        if row.note:
            text += f" {row.note}"
        for metric, reason in row.ambiguous.items():
            text += f" `{metric}` is ambiguous: {reason}."
        lines.append(text)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m sim.analysis.directions: print the table for the docs
    print(markdown(), end="")
