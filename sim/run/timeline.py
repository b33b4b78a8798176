"""A run held in memory, to play back and to fork "what if?" branches from any month.

This is the public API the viewer (and a notebook) uses: it never reaches into the model.
A branch is the original scenario plus timed lever changes, re-run from the start with the
same seed and replicates. Because every replicate draws the same random numbers under any
scenario, a branch matches the original month for month until its fork and differs after
only through the change (paired comparison). Its scenario YAML, which extends the original
file, reproduces it exactly with ``durand run``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import yaml

from sim import GROUPS, STATES
from sim.inputs.errors import UsageError
from sim.inputs.parameters import registry
from sim.inputs.scenario import Scenario, add_months, load_scenario
from sim.model.model import DurandModel
from sim.run.runner import RunResult

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

# The parameter whose provenance best explains each kind of notable event (sim/run/events.py).
EVIDENCE_FOR_EVENT = {
    "joint_operation": "cooperation.threshold",
    "border_clash": "border.clash_rate",
    "attacks_on_chinese_interests": "groups.china_target_share",
    "attack_surge": "groups.tempo",
    "group_weakened": "states.priorities",
    "group_resurgent": "recruitment.sanctuary_weight",
    "relations_breakdown": "border.cross_border_trust_cost",
}


def evidence(param_path: str, actors: list[str] | tuple[str, ...] = ()) -> dict:
    """A parameter's provenance: the seed sentences behind it AND its declared assumption.

    ``quotes`` lists every sentence; ``per_group`` gives, for each militant group among
    ``actors``, only the sentences about that group (a BLA event never shows a sentence about
    an ISKP attack). ``seed``/``quote`` are the first relevant sentence, for short displays.
    """
    spec = registry().get(param_path)
    if spec is None:
        return {
            "parameter": param_path, "seed": None, "quote": None, "assumption": None,
            "quotes": [], "per_group": [],
        }  # fmt: skip

    def listed(quotes) -> list[dict]:
        return [{"seed": q.seed, "quote": q.quote, "about": list(q.about)} for q in quotes]

    groups = [a for a in actors if a in GROUPS]
    per_group = [{"group": g, "quotes": listed(spec.sources_about(g))} for g in groups]
    relevant = [q for g in per_group for q in g["quotes"]] if groups else listed(spec.sources)
    first = relevant[0] if relevant else None
    return {
        "parameter": param_path,
        "seed": first["seed"] if first else None,
        "quote": first["quote"] if first else None,
        "assumption": spec.assumption,
        "quotes": listed(spec.sources),
        "per_group": per_group,
    }


def date_label(start: tuple[int, int], month: int) -> str:
    return "{:04d}-{:02d}".format(*add_months(start, month))


@dataclass
class Branch:
    """One run: its scenario, every recorded metric, actor cards month by month, events."""

    name: str
    scenario: Scenario
    result: RunResult
    cards: list[dict[str, dict]]  # per month: actor id -> card() after that month
    changes: tuple[tuple[int, dict[str, float]], ...] = ()  # (first month, lever settings)
    parent: str | None = None
    _quantiles: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def months(self) -> int:
        return self.result.months

    @property
    def fork_month(self) -> int | None:
        return self.changes[-1][0] if self.changes else None

    def column(self, metric: str) -> np.ndarray:
        """(months, R) for one metric."""
        return self.result.column(metric)

    def quantiles(self, metric: str) -> np.ndarray:
        """(months, 5): the 5%, 25%, 50%, 75% and 95% points over replicates (cached)."""
        if metric not in self._quantiles:
            self._quantiles[metric] = np.quantile(self.column(metric), QUANTILES, axis=1).T
        return self._quantiles[metric]

    def median(self, metric: str, month: int) -> float:
        return float(self.quantiles(metric)[month, 2])

    @cached_property
    def events(self) -> list[dict]:
        """Notable events (sim/run/events.py), each with its evidence."""
        from sim.run.events import notable_events

        out = []
        applied = self.result.applied
        for i, ev in enumerate(notable_events(self.result)):
            ev = dict(ev)
            ev["index"] = ev["month"] - 1  # month index the event belongs to
            if i < len(applied) and applied[i].kind == "set":
                ((key, _),) = applied[i].detail.items()
                ev["evidence"] = evidence(f"levers.{key}")
            elif ev["type"] in EVIDENCE_FOR_EVENT:
                ev["evidence"] = evidence(EVIDENCE_FOR_EVENT[ev["type"]], ev.get("actors", ()))
            else:
                ev["evidence"] = None
            out.append(ev)
        return out

    @cached_property
    def _events_by_replicate(self) -> dict[int | None, list[dict]]:
        grouped: dict[int | None, list[dict]] = {}
        for event in self.events:
            grouped.setdefault(event["replicate"], []).append(event)
        return grouped

    def events_of(self, replicate_position: int) -> list[dict]:
        """Scheduled events and the notable events of one replicate (by position), by month."""
        rid = int(self.result.replicate_ids[replicate_position])
        by = self._events_by_replicate
        return sorted(by.get(None, []) + by.get(rid, []), key=lambda e: e["index"])

    def levers_at(self, month: int) -> dict[str, float]:
        """Every lever's value during ``month`` (scenario levers plus events applied so far)."""
        values = {
            f"{s}.{k}": float(v)
            for s, levers in self.scenario.levers.items()
            for k, v in levers.items()
        }
        for ev in self.scenario.events:
            if ev.month <= month:
                values.update({k: float(v) for k, v in ev.set.items()})
        return values


def _run(scenario: Scenario, name: str, changes=(), parent=None) -> Branch:
    model = DurandModel(scenario)
    cards = []
    while model.running:
        model.step()
        snapshot = {a: model.states[a].card() for a in STATES}
        snapshot.update({g: model.groups[g].card() for g in GROUPS})
        cards.append(snapshot)
    result = RunResult(
        model.scenario, model.replicate_ids, model.recorder.data, list(model.applied)
    )
    return Branch(name, model.scenario, result, cards, tuple(changes), parent)


class Timeline:
    """The original run of a scenario file and the branches forked from it."""

    def __init__(
        self,
        scenario_path: str | Path,
        *,
        seed: int | None = None,
        replicates: int | None = None,
        months: int | None = None,
    ):
        self.source = Path(scenario_path).resolve()
        scenario = load_scenario(scenario_path).with_overrides(
            seed=seed, replicates=replicates, months=months
        )
        self.original = _run(scenario, "original")
        self.branches: dict[str, Branch] = {}

    @property
    def all(self) -> list[Branch]:
        return [self.original, *self.branches.values()]

    def get(self, name: str) -> Branch:
        if name == self.original.name:
            return self.original
        if name not in self.branches:
            raise UsageError(f"no branch named {name!r}")
        return self.branches[name]

    def _free_name(self) -> str:
        n = len(self.branches) + 1
        while f"branch {n}" in self.branches:
            n += 1
        return f"branch {n}"

    def fork(
        self,
        month: int,
        settings: dict[str, float],
        *,
        name: str | None = None,
        parent: str = "original",
    ) -> Branch:
        """Change levers from ``month`` on (0 = first simulated month) and run the branch.

        Invalid settings (unknown lever, out of range, over budget) raise ScenarioError
        with the same messages a scenario file would get.
        """
        base = self.get(parent)
        if not 0 <= month < base.months:
            raise UsageError(f"a fork must start within the run (month 0 to {base.months - 1})")
        if not settings:
            raise UsageError("a fork needs at least one lever change")
        name = name or self._free_name()
        if name == self.original.name or name in self.branches:
            raise UsageError(f"a branch named {name!r} already exists")
        changes = base.changes + ((month, {k: float(v) for k, v in settings.items()}),)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "branch.yaml"
            path.write_text(self._yaml(name, changes, str(self.source)), encoding="utf-8")
            scenario = load_scenario(path)
        branch = _run(scenario, name, changes, parent)
        self.branches[name] = branch
        return branch

    def remove(self, name: str) -> None:
        self.get(name)
        if name == self.original.name:
            raise UsageError("the original run cannot be removed")
        del self.branches[name]

    def rename(self, old: str, new: str) -> None:
        new = new.strip()
        if not new or new == self.original.name or new in self.branches:
            raise UsageError(f"cannot rename to {new!r}: empty or already taken")
        branch = self.get(old)
        if branch is self.original:
            raise UsageError("the original run keeps its name")
        branch.name = new
        self.branches = {(new if k == old else k): v for k, v in self.branches.items()}

    def scenario_yaml(self, name: str, where: str | Path) -> str:
        """Scenario YAML reproducing branch ``name``, for a file to be written in ``where``."""
        branch = self.get(name)
        extends = os.path.relpath(self.source, Path(where).resolve())
        return self._yaml(branch.name, branch.changes, extends)

    def export(self, name: str, path: str | Path) -> Path:
        """Write branch ``name`` as a scenario file that ``durand run`` reproduces exactly."""
        from sim.run.files import write_text_atomic

        path = Path(path)
        return write_text_atomic(path, self.scenario_yaml(name, path.parent), "the branch")

    def _yaml(self, name: str, changes, extends: str) -> str:
        s = self.original.scenario
        doc = {
            "extends": extends,
            "title": f"{s.title} — what-if: {name}",
            "description": (
                f"Branch '{name}' of {self.source.name}, forked in the Durand viewer: "
                + "; ".join(
                    f"from {date_label(s.start, m)} "
                    + ", ".join(f"{k} = {v:g}" for k, v in sets.items())
                    for m, sets in changes
                )
                + "."
            ),
            "seed": s.seed,
            "replicates": s.replicates,
            "months": s.months,
            "events": [
                {"at": date_label(s.start, m), "set": dict(sets), "note": f"what-if: {name}"}
                for m, sets in changes
            ],
        }
        header = f"# What-if branch '{name}' exported by `durand view`; run it with `durand run`.\n"
        return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=88)
