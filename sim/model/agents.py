"""The seven actors as mesa Agents.

Each agent is a view onto its slice of the model's replicate arrays: the model advances
all replicates at once with array expressions (sim/model/mechanisms.py), and an agent answers
questions about one actor across those replicates. Militant groups are modelled actors,
never playable ones.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass
from functools import cache
from importlib import resources

import mesa
import numpy as np

from sim import GROUPS, STATES
from sim.inputs.yamlio import load_packaged
from sim.model.geography import REGIONS, actors
from sim.model.recorder import humane_metrics


@dataclass(frozen=True)
class Programme:
    """An aid or investment programme: a lever that pays a recipient for something."""

    id: str
    lever: str
    donor: str
    recipient: str
    kind: str
    flow: str


@cache
def programmes() -> tuple[Programme, ...]:
    text = resources.files("sim").joinpath("data/programmes.yaml").read_text(encoding="utf-8")
    return tuple(Programme(**entry) for entry in load_packaged(text))


# The humane outcome each state's own levers drive: US drone strikes, Pakistan's deportations.
HARM_BY_STATE = {"US": "harm.drone_civilians", "PAK": "harm.displaced"}


def _summary(values: np.ndarray) -> float:
    """Median over replicates: what a card or a bot looks at."""
    return float(np.median(values))


class _IdCounters(weakref.WeakKeyDictionary):
    """Per-model unique-id counters that do not keep finished models alive.

    mesa 3.3 keeps them in a class-level defaultdict keyed by model, so every model ever
    built (with its recorder, up to hundreds of MB) lives as long as the process.
    """

    def __getitem__(self, model):
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = self[model] = itertools.count(1)
            return counter


class DurandAgent(mesa.Agent):
    """Base of the seven actors: a mesa Agent whose id counters let models be freed."""

    _ids = _IdCounters()


class StateActor(DurandAgent):
    """US, Pakistan, the Afghan Taliban or China."""

    def __init__(self, model: mesa.Model, actor_id: str):
        super().__init__(model)
        self.actor_id = actor_id
        self.index = STATES.index(actor_id)

    @property
    def priorities(self) -> np.ndarray:
        """(R, G) effective counterterrorism priorities this month (after bargains)."""
        return self.model.last_month.policy.alloc[:, self.index]

    @property
    def trust(self) -> np.ndarray:
        """(R, S) trust toward each state."""
        return self.model.world.trust[:, self.index]

    @property
    def capacity(self) -> np.ndarray:
        return self.model.last_month.policy.capacity[:, self.index]

    @property
    def levers(self) -> dict[str, float]:
        prefix = f"{self.actor_id}."
        return {
            k.removeprefix(prefix): _summary(v)
            for k, v in self.model.levers.snapshot().items()
            if k.startswith(prefix)
        }

    def aid(self, direction: str = "out") -> list[dict]:
        """Programmes this state pays ("out") or receives ("in"): promised and paid, USD M/yr."""
        side = "donor" if direction == "out" else "recipient"
        levers = self.model.levers
        flows = self.model.last_month.policy.flows() if self.model.last_month else {}
        out = []
        for prog in programmes():
            if getattr(prog, side) != self.actor_id:
                continue
            promised = levers[prog.lever]
            if prog.flow == "reserves":  # the lever is a share of the frozen reserves
                promised = promised * self.model.params.reference.frozen_reserves_usd_m
            paid = flows.get(prog.flow)
            out.append(
                {
                    "programme": prog.id,
                    "donor": prog.donor,
                    "recipient": prog.recipient,
                    "kind": prog.kind,
                    "usd_m_per_year": _summary(promised),
                    "paid_usd_m_per_year": None if paid is None else _summary(paid),
                }
            )
        return out

    def card(self) -> dict:
        """Plain numbers for a viewer card or a bot (medians over replicates)."""
        card = {
            "id": self.actor_id,
            "levers": self.levers,
            "aid_out": self.aid("out"),
            "aid_in": self.aid("in"),
            "trust": {
                other: _summary(self.trust[:, j])
                for j, other in enumerate(STATES)
                if other != self.actor_id
            },
        }
        if self.model.last_month is not None:
            card["capacity"] = _summary(self.capacity)
            card["priorities"] = {g: _summary(self.priorities[:, k]) for k, g in enumerate(GROUPS)}
            card["harm"] = self.harm()
        return card

    def harm(self) -> dict[str, float]:
        """What this state's policy cost people last month (recorder.humane_metrics)."""
        metric = HARM_BY_STATE.get(self.actor_id)
        if metric is None:
            return {}
        m = self.model
        return {metric: _summary(humane_metrics(m.last_month, m.levers, m.params)[metric])}


class MilitantGroup(DurandAgent):
    """TTP, ISKP or BLA."""

    def __init__(self, model: mesa.Model, actor_id: str):
        super().__init__(model)
        self.actor_id = actor_id
        self.index = GROUPS.index(actor_id)

    @property
    def strength(self) -> np.ndarray:
        return self.model.world.strength[:, self.index]

    @property
    def weapons(self) -> np.ndarray:
        return self.model.world.weapons[:, self.index]

    @property
    def funding(self) -> np.ndarray:
        return self.model.world.funding[:, self.index]

    @property
    def sanctuary(self) -> np.ndarray:
        return self.model.last_month.pressure.sanctuary[:, self.index]

    def presence(self) -> np.ndarray:
        """(R, N) strength located in each region."""
        return self.strength[:, None] * self.model.params.groups.presence[self.index]

    @property
    def sanctuary_host(self) -> str:
        """The state on whose soil the group shelters (see sim/data/actors.yaml)."""
        return actors()["groups"][self.actor_id]["sanctuary_host"]

    def card(self) -> dict:
        info = actors()["groups"][self.actor_id]
        presence = self.model.params.groups.presence[self.index]
        card = {
            "id": self.actor_id,
            "name": info["name"],
            "sanctuary_host": self.sanctuary_host,
            "sanctuary_note": info["sanctuary_note"],
            "based_in": {r: float(x) for r, x in zip(REGIONS, presence, strict=True) if x > 0},
            "strength": _summary(self.strength),
            "weapons": _summary(self.weapons),
            "funding": _summary(self.funding),
        }
        if self.model.last_month is not None:
            card["sanctuary"] = _summary(self.sanctuary)
        return card
