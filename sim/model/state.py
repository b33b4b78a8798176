"""Model state as arrays over a leading replicate axis, and parameters as arrays by id.

Index order everywhere: states ``US PAK AFG CHN``, groups ``TTP ISKP BLA``, regions as in
``sim/data/geography.yaml``. One code path serves 1 or 10,000 replicates.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, make_dataclass
from functools import cache
from typing import Any

import numpy as np

from sim import GROUPS, STATES
from sim.model.arrays import repeat_rows
from sim.model.geography import REGIONS

US, PAK, AFG, CHN = range(4)
TTP, ISKP, BLA = range(3)
COUNTRIES = ("PAK", "AFG")
TARGET_TYPES = ("security", "civilian", "foreign")
_ORDERS = (GROUPS, STATES, REGIONS, COUNTRIES, TARGET_TYPES)


def _order_for(keys) -> tuple[str, ...] | None:
    """The id order a table's keys belong to; trust rows omit their own state."""
    keys = set(keys)
    for order in _ORDERS:
        if keys == set(order):
            return order
    if keys < set(STATES) and len(keys) == len(STATES) - 1:
        return STATES
    return None


@cache
def record_type(name: str, field_types: tuple[tuple[str, Any], ...]) -> type:
    """A frozen, slotted record class with these typed fields (one class per shape)."""
    return make_dataclass(name, list(field_types), frozen=True, slots=True)


def _class_name(path: str) -> str:
    return "".join(part.title().replace("_", "") for part in path.split(".")) + "Params"


def as_array(value: Any, path: str = "params") -> Any:
    """A table keyed by ids becomes a read-only array in canonical id order (missing cells
    are 0); any other mapping a frozen record of its entries; a number a float."""
    if not isinstance(value, dict):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if number else value
    order = _order_for(value)
    if order is None:
        entries = {k: as_array(v, f"{path}.{k}") for k, v in value.items()}
        cls = record_type(_class_name(path), tuple((k, type(v)) for k, v in entries.items()))
        return cls(**entries)
    rows = [_rows(as_array(value.get(k, 0.0), path)) for k in order]
    out = np.array(rows, dtype=np.float64)
    out.flags.writeable = False
    return out


def _rows(value: Any) -> Any:
    return np.asarray(value) if isinstance(value, np.ndarray) else value


def build_params(tree: dict[str, Any]) -> Any:
    """Nested parameter values -> frozen typed records of floats and read-only arrays
    (``p.groups.tempo``), their classes generated from the registry's tree."""
    return as_array(tree, "durand")


class Levers:
    """Lever values as (R,) arrays, so replicates (or sweep points) may differ.

    The mechanisms read them as typed attributes (``lv.PAK.deportation``: one frozen
    record per state, generated from the registry's lever names); commands from outside
    (events, the viewer, the game) set them by key (``set("PAK.deportation", 0.9)``).
    """

    # One typed record per state, bound in _bind (their fields are the registry's levers).
    US: Any
    PAK: Any
    AFG: Any
    CHN: Any

    def __init__(self, values: dict[str, dict[str, float]], n: int):
        self._bind(
            {
                f"{state}.{name}": np.full(n, float(v))
                for state, levers in values.items()
                for name, v in levers.items()
            }
        )

    def _bind(self, arrays: dict[str, np.ndarray]) -> None:
        self._v = arrays
        states: dict[str, list[str]] = {}
        for key in arrays:
            state, _, name = key.partition(".")
            states.setdefault(state, []).append(name)
        for state, names in states.items():
            cls = record_type(f"{state}Levers", tuple((name, np.ndarray) for name in names))
            setattr(self, state, cls(**{name: arrays[f"{state}.{name}"] for name in names}))

    def copy(self) -> Levers:
        """An independent copy (the Reference keeps the starting levers this way)."""
        out = Levers.__new__(Levers)
        out._bind({key: value.copy() for key, value in self._v.items()})
        return out

    def __getitem__(self, key: str) -> np.ndarray:
        return self._v[key]

    def set(self, key: str, value: float | np.ndarray) -> None:
        if key not in self._v:
            raise KeyError(key)
        self._v[key][...] = value

    def keys(self):
        return self._v.keys()

    def __contains__(self, key: str) -> bool:
        return key in self._v

    def snapshot(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self._v.items()}


@dataclass
class World:
    """Everything that changes month to month, each array with the replicate axis first."""

    strength: np.ndarray  # (R, G) strength index
    funding: np.ndarray  # (R, G) funding index
    weapons: np.ndarray  # (R, G) weapons access 0..1
    grievance: np.ndarray  # (R, N) 0..1
    economy: np.ndarray  # (R, N) economic activity index
    trust: np.ndarray  # (R, S, S) directed trust 0..1
    tension: np.ndarray  # (R,) Pakistan-Afghan Taliban tension 0..1
    stability: np.ndarray  # (R, 2) PAK, AFG 0..1
    china_confidence: np.ndarray  # (R,) China's willingness to invest (1 = early 2025)
    aid_effect: np.ndarray  # (R,) lagged US military aid to Pakistan, USD M/yr
    aid_nominal_prev: np.ndarray  # (R,) last month's nominal US aid to Pakistan, USD M/yr
    wave: np.ndarray  # (G,) attack-tempo multiplier from shocks
    wave_months: np.ndarray  # (G,) months left of the wave
    momentum: np.ndarray  # (R, G) log deviation of each group's tempo (surges and lulls)
    momentum_factor: np.ndarray  # (R, G) its factor on the tempo this month (mean 1)
    deportation_habit: np.ndarray  # (R,) deportation intensity people have adjusted to
    returns_momentum: np.ndarray  # (R, 1) log deviation of monthly returns (a persistent shock)
    operations_momentum: np.ndarray  # (R, 1) log deviation of the tempo of CT operations

    @property
    def replicates(self) -> int:
        return self.strength.shape[0]

    def copy(self) -> World:
        return World(**{f.name: getattr(self, f.name).copy() for f in fields(self)})


def initial_world(p: Any, levers: Levers, n: int) -> World:
    def rep(a):
        return repeat_rows(a, n)

    trust0 = p.states.trust0.copy()
    np.fill_diagonal(trust0, 1.0)
    aid0 = levers.US.military_aid_pak + levers.US.civil_aid_pak
    return World(
        strength=rep(p.groups.strength0),
        funding=rep(p.groups.funding0),
        weapons=rep(p.groups.weapons0),
        grievance=rep(p.regions.grievance0),
        economy=rep(p.regions.economy0),
        trust=rep(trust0),
        tension=np.full(n, float(p.border.tension0)),
        stability=rep(p.states.stability0),
        china_confidence=np.ones(n),
        aid_effect=levers.US.military_aid_pak.copy(),
        aid_nominal_prev=aid0.copy(),
        wave=np.ones(len(GROUPS)),
        wave_months=np.zeros(len(GROUPS)),
        momentum=np.zeros((n, len(GROUPS))),
        momentum_factor=np.ones((n, len(GROUPS))),
        deportation_habit=np.zeros(n),
        returns_momentum=np.zeros((n, 1)),
        operations_momentum=np.zeros((n, 1)),
    )
