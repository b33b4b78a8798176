"""The Durand model: seven actors, nine regions, monthly steps, R replicates at once."""

from __future__ import annotations

import json
from collections import OrderedDict
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import mesa
import numpy as np

from sim import GROUPS, STATES
from sim.inputs.resources import scenarios_folder
from sim.inputs.scenario import (
    Scenario,
    TimedEvent,
    add_months,
    load_scenario,
    month_index,
)
from sim.model import history_cache
from sim.model.agents import MilitantGroup, StateActor
from sim.model.geography import geography
from sim.model.mechanisms import Month, advance, anchor
from sim.model.recorder import Recorder, humane_metrics
from sim.model.rng import Streams
from sim.model.state import Levers, build_params, initial_world

SCENARIOS = scenarios_folder()  # shipped with the package
BASELINE = SCENARIOS / "baseline.yaml"
HISTORY = SCENARIOS / "history_2023.yaml"
TIMELINE_START = (2023, 1)  # the model's first month: every run starts here


@dataclass(frozen=True)
class Timeline:
    """The record's levers and events from January 2023: the history (2023-2024), then the
    early-2025 baseline. A scenario that starts later runs this prefix first."""

    levers: dict[str, dict[str, float]]  # in force in January 2023
    events: tuple[TimedEvent, ...]  # months counted from January 2023


@cache
def timeline() -> Timeline:
    history, baseline = load_scenario(HISTORY), load_scenario(BASELINE)
    at = month_index(TIMELINE_START, baseline.start)
    handover = TimedEvent(
        at,
        {f"{s}.{k}": v for s, levers in baseline.levers.items() for k, v in levers.items()},
        None,
        "Early 2025: the baseline's levers",
    )
    events = [e for e in history.events if e.month < at] + [handover]
    events += [replace(e, month=e.month + at) for e in baseline.events]
    return Timeline(history.levers, tuple(events))


def _plain(event: AppliedEvent) -> dict:
    """An applied event as JSON-able data (for the history cache)."""
    return {"month": event.month, "kind": event.kind, "detail": event.detail, "note": event.note}


def replicate_ids(replicates: int | np.ndarray | list[int] | None, default: int) -> np.ndarray:
    """Replicate indices from a count (0..n-1; ``default`` when None) or explicit indices."""
    if isinstance(replicates, int | np.integer) or replicates is None:
        return np.arange(default if replicates is None else int(replicates))
    return np.asarray(replicates, dtype=np.int64)


_PREFIXES: OrderedDict = OrderedDict()  # recent history prefixes: key -> (world, events)
_PREFIX_CACHE_SIZE = 4
_BLAS_LIMIT_FROM = 256  # replicates; the limit itself costs milliseconds to set up


@cache
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@dataclass(frozen=True)
class AppliedEvent:
    """A scheduled event as it was applied (the same in every replicate)."""

    month: int
    kind: str  # "set" or a shock type
    detail: dict
    note: str


def _with_levers(scenario: Scenario, levers: dict[str, float]) -> Scenario:
    values = {state: dict(v) for state, v in scenario.levers.items()}
    for key, value in levers.items():
        state, _, name = key.partition(".")
        if name not in values.get(state, {}):
            known = ", ".join(f"{s}.{n}" for s, v in values.items() for n in v)
            raise ValueError(f"unknown lever {key!r}; levers are: {known}")
        values[state][name] = float(value)
    return replace(scenario, levers=values)


class DurandModel(mesa.Model):
    """Counterterrorism cooperation around the Durand Line, vectorised over replicates.

    ``replicates`` is a count (replicates 0..R-1) or explicit replicate indices; replicate
    k draws the same random numbers whatever batch it runs in, and under any scenario.
    ``record_into``: an optional (months, metrics, R) float32 buffer for the recorder.
    ``levers`` overrides scenario levers by key (``{"US.military_aid_pak": 0}``), so tools
    that pass keyword arguments (``mesa.batch_run``, EMA Workbench) can vary them.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path = BASELINE,
        *,
        replicates: int | np.ndarray | list[int] | None = None,
        seed: int | None = None,
        months: int | None = None,
        record_into: np.ndarray | None = None,
        levers: dict[str, float] | None = None,
    ):
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        if levers:
            scenario = _with_levers(scenario, levers)
        ids = replicate_ids(replicates, scenario.replicates)
        scenario = scenario.with_overrides(seed=seed, months=months, replicates=len(ids))
        super().__init__(seed=scenario.seed)
        self.scenario = scenario
        self.replicate_ids = ids
        self.horizon = scenario.months
        self.params = build_params(scenario.params)
        self.geography = geography()
        # One timeline: every run starts in January 2023 and anchors its targets there. A
        # scenario that starts later first runs the record's levers and events up to its
        # start (the prefix, not recorded), then its own levers act from its first month,
        # exactly as if an event set them then.
        self.offset = month_index(TIMELINE_START, scenario.start)
        if self.offset < 0:
            raise ValueError("scenarios start in 2023-01 or later (the model's first month)")
        line = timeline()
        start_levers = scenario.levers if self.offset == 0 else line.levers
        self.levers = Levers(start_levers, len(ids))
        self.world = initial_world(self.params, self.levers, len(ids))
        self.structure, self.reference = anchor(
            self.params, self.geography, self.world, self.levers
        )
        self.streams = Streams(scenario.seed, ids)
        self.last_month: Month | None = None
        self.applied: list[AppliedEvent] = []
        self.history_applied = self._run_prefix(scenario, ids, line)
        self.last_month = None
        if self.offset:
            for key in list(self.levers.keys()):
                state, _, name = key.partition(".")
                self.levers.set(key, scenario.levers[state][name])
        self._pending = list(scenario.events)
        self.recorder = Recorder(self.horizon, len(ids), out=record_into)
        self.states = {a: StateActor(self, a) for a in STATES}
        self.groups = {g: MilitantGroup(self, g) for g in GROUPS}

    def _run_prefix(self, scenario: Scenario, ids: np.ndarray, line: Timeline) -> list:
        """Run the timeline from January 2023 up to the scenario's start (or take the
        world it left from a cache of recent prefixes: the same parameters, seed and
        replicates give the same world, bit for bit, so sweeps that vary only levers run
        the history once)."""
        key = (
            json.dumps(scenario.params, sort_keys=True),
            scenario.seed,
            self.offset,
            ids.tobytes(),
        )
        hit = _PREFIXES.get(key)
        stored_key = history_cache.digest(scenario.params, scenario.seed, self.offset, ids)
        if hit is None and self.offset:
            stored = history_cache.load(stored_key)
            if stored is not None:
                world, events = stored
                hit = (world, tuple(AppliedEvent(**e) for e in events))
                _PREFIXES[key] = hit
        if hit is not None:
            _PREFIXES.move_to_end(key)
            world, applied = hit
            self.world = world.copy()
            self.month = 0
            return list(applied)
        self.month = -self.offset
        self._pending = [replace(e, month=e.month - self.offset) for e in line.events]
        self._pending = [e for e in self._pending if e.month < 0]
        while self.month < 0:
            self._advance()
        applied, self.applied = self.applied, []
        if self.offset:
            _PREFIXES[key] = (self.world.copy(), tuple(applied))
            while len(_PREFIXES) > _PREFIX_CACHE_SIZE:
                _PREFIXES.popitem(last=False)
            history_cache.store(stored_key, self.world, [_plain(e) for e in applied])
        return applied

    @property
    def datacollector(self):
        """The monthly metrics (means over replicates) as a ``mesa.DataCollector``.

        Built from the recorder when asked for, so running costs nothing extra; it makes
        ``mesa.batch_run`` work on this model unchanged.
        """
        from sim.model.collect import recorder_datacollector

        return recorder_datacollector(self)

    # -------------------------------------------------------------- time

    @property
    def date(self) -> tuple[int, int]:
        """(year, month) of the month about to be simulated."""
        return add_months(self.scenario.start, self.month)

    def step(self) -> None:
        """Advance every replicate by one month."""
        if self.month >= self.horizon:
            self.running = False
            return
        self._advance()
        assert self.last_month is not None  # _advance just set it
        humane = humane_metrics(self.last_month, self.levers, self.params)
        self.recorder.record(self.month - 1, self.world, self.last_month, self.structure, humane)
        self.running = self.month < self.horizon

    def _advance(self) -> None:
        """Apply the events due and advance the world one month (timeline step
        ``offset + month``)."""
        self._apply_due_events()
        self.last_month = advance(
            self.world,
            self.params,
            self.levers,
            self.structure,
            self.reference,
            self.streams,
            self.offset + self.month,
        )
        self.month += 1

    def run(self, progress=None) -> None:
        """Run to the horizon; ``progress(month)`` is called after every month.

        BLAS is held to one thread while running: the model's matrix products are skinny
        (replicates x a few dozen cells), where threads cost more than they save, and
        parallelism across cores comes from running shards of replicates in separate
        processes (``sim.run.runner.run_scenario``).
        """
        limit = (
            _blas_controller().limit(limits=1, user_api="blas")
            if len(self.replicate_ids) >= _BLAS_LIMIT_FROM
            else nullcontext()  # small products never start BLAS threads
        )
        with limit:
            while self.running:
                self.step()
                if progress is not None:
                    progress(self.month)

    # -------------------------------------------------------------- commands

    def set_lever(self, key: str, value: float, note: str = "") -> None:
        """Change a lever from the current month on (the viewer and game use this too)."""
        self.levers.set(key, value)
        self.applied.append(AppliedEvent(self.month, "set", {key: value}, note))

    def assign_levers(self, values: dict[str, np.ndarray]) -> None:
        """Give each replicate slot its own lever values before the run starts.

        Sweeps batch several design points into one model this way: slot i then runs
        exactly as a scenario with those lever values would (levers act elementwise).
        """
        if self.month:
            raise RuntimeError("levers can be assigned per slot only before the first month")
        for key, per_slot in values.items():
            self.levers.set(key, np.asarray(per_slot, dtype=np.float64))

    def apply_shock(self, shock, note: str = "") -> None:
        """Apply a validated shock (sim.inputs.scenario's shock models) to every replicate."""
        w, kind = self.world, shock.type
        if kind == "strength_loss":
            w.strength[:, GROUPS.index(shock.group)] *= 1 - shock.fraction
        elif kind == "attack_wave":
            g = GROUPS.index(shock.group)
            w.wave[g] = shock.multiplier
            w.wave_months[g] = shock.months
        elif kind == "economic_shock":
            mask = self.geography.in_country(shock.country)
            w.economy[:, mask] = np.clip(w.economy[:, mask] + shock.change, 0.0, 2.0)
        elif kind == "trust_shock":
            a, b = STATES.index(shock.source), STATES.index(shock.target)
            w.trust[:, a, b] = np.clip(w.trust[:, a, b] + shock.change, 0.0, 1.0)
        elif kind == "tension_shock":
            w.tension[:] = np.clip(w.tension + shock.change, 0.0, 1.0)
        else:  # the scenario schema admits no other type
            raise ValueError(f"unknown shock type {kind!r}")
        self.applied.append(AppliedEvent(self.month, kind, shock.model_dump(), note))

    def _apply_due_events(self) -> None:
        while self._pending and self._pending[0].month <= self.month:
            event: TimedEvent = self._pending.pop(0)
            for key, value in event.set.items():
                self.set_lever(key, value, event.note)
            if event.shock is not None:
                self.apply_shock(event.shock, event.note)
