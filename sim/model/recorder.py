"""Monthly metrics, recorded into one preallocated (months, metrics, replicates) array.

The column list is the contract of ``timeseries.<fmt>``: counts for the month (attacks in
the PICSS sense; fatalities are victims, civilians and security forces, militants
excluded; militants killed in Pakistan's operations apart; deportations are thousands
returning from Pakistan); stocks
(strength, trust, tension, stability, economy, grievance, weapons, funding, confidence) at
the end of the month; this month's values for capacity, overlap, pressure, sanctuary,
recruitment and attrition; aid in USD million for the month.
"""

from __future__ import annotations

import numpy as np

from sim import GROUPS, STATES
from sim.model.arrays import weighted_sum, zeros_prefaulted
from sim.model.geography import REGIONS
from sim.model.mechanisms import Month, Structure
from sim.model.state import AFG, PAK, US, World

TRUST_PAIRS = tuple((a, b) for a in STATES for b in STATES if a != b)
# What a policy costs people, beside what it does to attacks: civilians harmed by US drone
# strikes (expected, from harm.drone_civilian_casualties) and people deported or displaced
# across the border (thousands this month). Outcomes only: nothing in the model reads them.
HUMANE_METRICS = ("harm.drone_civilians", "harm.displaced")


def metric_names() -> tuple[str, ...]:
    names = ["attacks.PAK", "attacks.AFG"]
    names += [f"attacks.{g}" for g in GROUPS]
    names += [f"attacks.{r}" for r in REGIONS]
    names += [f"attacks.PAK.{g}" for g in GROUPS]
    names += ["attacks.china_interests", "fatalities.PAK", "fatalities.AFG"]
    names += [f"fatalities.PAK.{g}" for g in GROUPS]
    names += ["mass_casualty_attacks.PAK", "militants_killed.PAK"]
    names += [f"militants_killed.{g}" for g in GROUPS]
    names += ["cross_border_attacks"]  # expected attacks from Afghan bases: not a whole count
    names += [f"strength.{g}" for g in GROUPS]
    names += [f"recruitment.{g}" for g in GROUPS]
    names += [f"attrition.{g}" for g in GROUPS]
    names += [f"pressure.{g}" for g in GROUPS]
    names += [f"sanctuary.{g}" for g in GROUPS]
    names += [f"weapons.{g}" for g in GROUPS]
    names += [f"funding.{g}" for g in GROUPS]
    names += [f"trust.{a}-{b}" for a, b in TRUST_PAIRS]
    names += ["aid.US-PAK", "aid.CHN-PAK", "aid.CHN-AFG", "aid.US-AFG"]
    names += ["joint_ops", "joint_ops.success", "joint_ops.target", "cooperation.overlap"]
    names += ["tension.PAK-AFG", "border_clashes", "deportations"]
    names += ["capacity.PAK", "capacity.AFG", "stability.PAK", "stability.AFG"]
    names += ["economy.PAK", "economy.AFG", "grievance.PAK", "grievance.AFG"]
    names += ["china_confidence"]
    names += list(HUMANE_METRICS)  # appended last: earlier column indices never move
    return tuple(names)


METRICS = metric_names()
COUNT_METRICS = frozenset(
    [
        m
        for m in METRICS
        if m.startswith(("attacks.", "fatalities.", "mass_casualty_", "militants_killed."))
    ]
    + ["joint_ops", "joint_ops.success", "joint_ops.target", "border_clashes"]
)
INDEX = {name: i for i, name in enumerate(METRICS)}


def month_metrics(w: World, m: Month, st: Structure) -> dict[str, np.ndarray]:
    """Every metric for one month, by name, each an (R,) array."""
    att, pol, jo = m.attacks, m.policy, m.joint
    region, group = att.by_region, att.by_group
    econ = weighted_sum(w.economy, st.pop_weight.T)
    griev = weighted_sum(w.grievance, st.pop_weight.T)
    out = {
        "attacks.PAK": att.by_country[:, 0],
        "attacks.AFG": att.by_country[:, 1],
        "attacks.china_interests": att.china_by_country.sum(axis=1),
        "cross_border_attacks": att.cross_border,
        "fatalities.PAK": att.fatalities[:, 0],
        "fatalities.AFG": att.fatalities[:, 1],
        "mass_casualty_attacks.PAK": att.mass_casualty[:, 0],
        "militants_killed.PAK": m.militants_killed.sum(axis=1),
        "aid.US-PAK": pol.aid_paid / 12.0,
        "aid.CHN-PAK": pol.cpec / 12.0,
        "aid.CHN-AFG": pol.mining / 12.0,
        "aid.US-AFG": pol.reserves / 12.0,
        "joint_ops": jo.attempted,
        "joint_ops.success": jo.succeeded,
        "joint_ops.target": np.where(jo.attempted, jo.target, -1),
        "cooperation.overlap": pol.overlap,
        "tension.PAK-AFG": w.tension,
        "border_clashes": m.border.clash,
        "deportations": m.border.deportees,
        "capacity.PAK": pol.capacity[:, PAK],
        "capacity.AFG": pol.capacity[:, AFG],
        "stability.PAK": w.stability[:, 0],
        "stability.AFG": w.stability[:, 1],
        "economy.PAK": econ[:, 0],
        "economy.AFG": econ[:, 1],
        "grievance.PAK": griev[:, 0],
        "grievance.AFG": griev[:, 1],
        "china_confidence": w.china_confidence,
    }
    for i, r in enumerate(REGIONS):
        out[f"attacks.{r}"] = region[:, i]
    per_group = {
        "attacks": group,
        "strength": w.strength,
        "recruitment": m.change.recruitment,
        "attrition": m.change.attrition,
        "pressure": m.pressure.effective,
        "sanctuary": m.pressure.sanctuary,
        "weapons": w.weapons,
        "funding": w.funding,
    }
    for i, g in enumerate(GROUPS):
        out[f"attacks.PAK.{g}"] = att.by_group_country[:, 2 * i]
        out[f"fatalities.PAK.{g}"] = att.victims_by_group_country[:, 2 * i]
        out[f"militants_killed.{g}"] = m.militants_killed[:, i]
    for prefix, table in per_group.items():
        for i, g in enumerate(GROUPS):
            out[f"{prefix}.{g}"] = table[:, i]
    for a, b in TRUST_PAIRS:
        out[f"trust.{a}-{b}"] = w.trust[:, STATES.index(a), STATES.index(b)]
    return out


def humane_metrics(m: Month, lv, p) -> dict[str, np.ndarray]:
    """The humane outcomes of the month, each an (R,) array (see HUMANE_METRICS)."""
    drones = lv.US.drone_strikes * m.policy.capacity[:, US]
    return {
        "harm.drone_civilians": p.harm.drone_civilian_casualties * drones,
        "harm.displaced": m.border.deportees,
    }


class Recorder:
    """Holds every metric for every month and replicate.

    Stored metric-major, (months, metrics, replicates), so each month's write is a set of
    contiguous rows; ``data`` is the (months, replicates, metrics) view of the same memory.
    Stored as float32: counts stay exact (below 2**24), shares keep 7 significant digits,
    and a 10,000-replicate, 120-month run needs 340 MB instead of 680 MB. The model itself
    computes in float64.
    """

    def __init__(self, months: int, replicates: int, out: np.ndarray | None = None):
        """``out``: a (months, metrics, replicates) float32 view to record into instead,
        so that shards of one run (sim/run/runner.py) fill one buffer."""
        shape = (months, len(METRICS), replicates)
        if out is not None and (out.shape != shape or out.dtype != np.float32):
            raise ValueError(f"a recorder buffer must be float32 {shape}, not {out.shape}")
        self.by_metric = zeros_prefaulted(shape, np.float32) if out is None else out

    @property
    def data(self) -> np.ndarray:
        return self.by_metric.transpose(0, 2, 1)

    def record(self, t: int, w: World, m: Month, st: Structure, humane: dict | None = None) -> None:
        """``humane``: this month's humane_metrics (zeros when not given)."""
        values = month_metrics(w, m, st)
        for name in HUMANE_METRICS:
            values[name] = humane[name] if humane is not None else 0.0
        slab = self.by_metric[t]
        for j, name in enumerate(METRICS):
            slab[j] = values[name]

    def column(self, name: str) -> np.ndarray:
        """(months, replicates) for one metric."""
        return self.by_metric[:, INDEX[name], :]


__all__ = [
    "METRICS",
    "COUNT_METRICS",
    "HUMANE_METRICS",
    "INDEX",
    "Recorder",
    "TRUST_PAIRS",
    "humane_metrics",
    "month_metrics",
]
