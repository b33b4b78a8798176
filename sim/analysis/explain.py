"""Why two scenarios differ: causal bookkeeping from the model's own runs.

``trace`` runs a scenario month by month and records the factors of each group's
expected attacks as the model itself computed them (``attack_means``: tempo x wave x
strength x funding x suppression x momentum x border route x where attacks land and are
deterred), the parts of counter-pressure, and
the flows that change strength (recruitment and its drivers, attrition, defection, joint
operations). The factors are checked against the model's own Poisson means every month.

``decompose`` splits the paired difference in expected attacks between two traces into
channels, exactly: a log-mean (LMDI) decomposition of the product per group, month and
replicate; strength, a stock, is split by the flows that built the gap up to each
month; counter-pressure is split by its sources. ``account`` turns the channels into a
plain-language account in which every step names its mechanism and quotes the seed
sentence behind it (from the parameter registry's provenance).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from sim import GROUPS
from sim.inputs.parameters import registry
from sim.inputs.scenario import Scenario
from sim.model.mechanisms import drivers, recruitment_terms, security_presence
from sim.model.recorder import HUMANE_METRICS
from sim.model.state import PAK, TTP

COUNTRIES = ("PAK", "AFG")
MAX_REPLICATE_MONTHS = 60_000  # peak memory about 0.45 GB (e.g. 1,000 replicates x 60 months)
DRIVER_LABELS = {
    "aid_paid": "US military aid paid to Pakistan, USD M/yr",
    "capacity": "Pakistan's capacity",
    "stability": "Pakistan's stability",
    "commitment": "Pakistan's counterterrorism salience x effort",
    "intel": "intelligence sharing x US-Pakistan trust",
    "alloc": "Pakistan's attention on {g}",
    "afg": "Taliban counter-pressure on {g}",
    "drone": "US drone-strike intensity",
    "sanctuary": "{g}'s sanctuary (host tolerance)",
    "grievance": "grievance where {g} is based",
    "hardship": "economic hardship where {g} is based",
    "weapons": "{g}'s access to abandoned US weapons",
    "funding": "{g}'s funding index",
    "route": "share of {g}'s attacks in Pakistan not stopped at the border",
    "security": "security presence in the country",
    "strength": "{g}'s strength",
    "pressure": "counter-pressure on {g}",
}
_TINY = 1e-12


@dataclass
class Trace:
    """Per month t, replicate r and group g (arrays (T, R, G) unless noted)."""

    scenario: Scenario
    country: str
    expected: np.ndarray  # expected attacks in the country
    factors: dict[str, np.ndarray]  # product = expected
    strength: np.ndarray  # (T + 1, R, G) at the start of each month (and the end)
    flows: dict[str, np.ndarray]  # strength gained (+) or lost (-) in the month
    recruitment: dict[str, np.ndarray]  # rec, rate, funding, room, size, multiplier, terms
    pressure: dict[str, np.ndarray]  # P and its parts
    attrition: dict[str, np.ndarray]
    drivers: dict[str, np.ndarray]  # descriptive means for the account
    realised: np.ndarray  # (R,) attacks actually drawn in the country
    joint_successes: np.ndarray  # (R, G) successful joint operations by target
    suppression: float  # counterterrorism.suppression, for the suppression derivative
    outcomes: dict[str, np.ndarray] = field(default_factory=dict)  # (R,) run totals


def _snapshot(w) -> SimpleNamespace:
    return SimpleNamespace(
        strength=w.strength.copy(),
        funding=w.funding.copy(),
        wave=w.wave.copy(),
        grievance=w.grievance.copy(),
        economy=w.economy.copy(),
        weapons=w.weapons.copy(),
        aid_effect=w.aid_effect.copy(),
        stability=w.stability.copy(),
    )


def trace(scenario: Scenario, country: str = "PAK") -> Trace:
    """Run ``scenario`` and keep the model's own causal bookkeeping."""
    from sim.model.model import DurandModel

    model = DurandModel(scenario)
    p, st, ref = model.params, model.structure, model.reference
    ct, c = p.counterterrorism, st.cells
    T, R, G = model.horizon, len(model.replicate_ids), len(GROUPS)
    ci = COUNTRIES.index(country)
    in_country = (st.country_of == ci).astype(float)  # (N,)
    cell_in = (c.country == ci).astype(float)
    z = lambda: np.zeros((T, R, G))  # noqa: E731
    f = {
        k: z()
        for k in (
            "tempo",
            "wave",
            "strength",
            "funding",
            "suppression",
            "momentum",
            "route",
            "geo",
        )
    }
    fl = {k: z() for k in ("recruitment", "attrition", "defection", "joint_ops")}
    rc = {k: z() for k in ("rec", "rate", "funding", "room", "size", "multiplier")}
    terms = {k: z() for k in ("grievance", "hardship", "sanctuary", "weapons")}
    pressure_parts = {k: z() for k in ("P", "raw", "shield", "pak", "afg", "drone")}
    pak_parts = {k: z() for k in ("base", "aid", "stability", "commitment", "intel", "priorities")}
    att = {k: z() for k in ("rate_P", "defect_P")}
    drv = {k: z() for k in DRIVER_LABELS}
    expected, strength = z(), np.zeros((T + 1, R, G))
    realised = np.zeros(R)
    joint = np.zeros((R, G))
    a = p.aid
    while model.running:
        t = model.month
        model._apply_due_events()  # events act at the start of the month, before advance
        w0 = _snapshot(model.world)
        lv = model.levers
        model.step()
        m = model.last_month
        pol, press, gc = m.policy, m.pressure, m.change
        means = m.means  # the model's own factors of this month's expected attacks
        expected[t] = (means.lam * cell_in) @ c.to_group
        realised += m.attacks.by_country[:, ci]
        for k in ("tempo", "wave", "strength", "funding", "suppression", "momentum"):
            f[k][t] = means.factors[k]
        route = means.through if country == "PAK" else np.ones((R, G))
        f["route"][t] = route
        f["geo"][t] = (means.spread * cell_in) @ c.to_group
        security = security_presence(pol, p, lv, st)  # (R, N)
        strength[t] = w0.strength
        # Strength flows of the month.
        fl["recruitment"][t] = gc.recruitment
        fl["attrition"][t] = -gc.attrition
        fl["joint_ops"][t] = -gc.joint_op_loss
        fl["defection"][t, :, TTP] = -gc.defection
        fl["defection"][t, :, GROUPS.index("ISKP")] = gc.defection
        d = drivers(w0, press, p)
        term = recruitment_terms(d, ref.drivers, p)
        for k, v in term.items():
            terms[k][t] = v
        rc["rec"][t] = gc.recruitment
        rc["rate"][t] = p.groups.recruit_rate
        rc["funding"][t] = w0.funding
        rc["room"][t] = np.maximum(1 - w0.strength / p.groups.carrying_capacity, 0.0)
        rc["size"][t] = w0.strength
        rc["multiplier"][t] = np.maximum(1 + sum(term.values()), 0.0)
        # Counter-pressure and its sources (mechanism 3).
        intel_f = 1 + ct.intel_gain * pol.intel
        commit = lv["PAK.ct_salience"] * lv["PAK.ct_effort"]
        aid_boost = 1 + a.capacity_gain * w0.aid_effect / a.reference_usd_m
        stab_f = 1 - p.stability.capacity_weight * (1 - w0.stability[:, 0])
        base_cap = p.states.capacity[PAK]
        alloc = pol.alloc[:, PAK] * st.pak_share
        pak = (base_cap * aid_boost * stab_f * commit * intel_f)[:, None] * alloc
        afg, drone = press.parts["afg"], press.parts["drone"]  # the model's own parts
        shield = 1 - ct.sanctuary_shield * press.sanctuary
        for key, value in {
            "P": press.effective,
            "raw": pak + afg + drone,
            "shield": shield,
            "pak": pak,
            "afg": afg,
            "drone": drone,
        }.items():
            pressure_parts[key][t] = value
        pak_parts["base"][t] = base_cap
        pak_parts["aid"][t] = aid_boost[:, None]
        pak_parts["stability"][t] = stab_f[:, None]
        pak_parts["commitment"][t] = commit[:, None]
        pak_parts["intel"][t] = intel_f[:, None]
        pak_parts["priorities"][t] = alloc
        att["rate_P"][t] = np.minimum(ct.attrition_rate * press.effective, 1.0)
        att["defect_P"][t] = np.minimum(press.effective, 1.0)
        for key, value in {
            "aid_paid": (pol.aid_paid - pol.civil_paid)[:, None],
            "capacity": pol.capacity[:, PAK][:, None],
            "stability": w0.stability[:, :1],
            "commitment": commit[:, None],
            "intel": pol.intel[:, None],
            "alloc": pol.alloc[:, PAK],
            "afg": afg,
            "drone": lv["US.drone_strikes"][:, None],
            "sanctuary": press.sanctuary,
            "grievance": d.grievance,
            "hardship": d.hardship,
            "weapons": d.weapons,
            "funding": w0.funding,
            "route": route,
            "security": ((security * in_country).sum(axis=1) / in_country.sum())[:, None],
            "strength": w0.strength,
            "pressure": press.effective,
        }.items():
            drv[key][t] = value
        hit = m.joint.succeeded
        joint[hit, m.joint.target[hit]] += 1
        # The factors must rebuild the model's own means (guards against drift).
        rebuilt = np.prod([f[k][t] for k in f], axis=0)
        if not np.allclose(rebuilt, expected[t], rtol=1e-9, atol=1e-9):
            raise RuntimeError("explain: attack factors no longer match sim.model.mechanisms")
        if not np.allclose(pak, press.parts["pak"], rtol=1e-9, atol=1e-12):
            raise RuntimeError("explain: Pakistan's pressure factors no longer match the model")
    strength[T] = model.world.strength
    outcomes = {
        name: model.recorder.column(name).astype(np.float64).sum(axis=0)
        for name in (f"attacks.{country}", "fatalities.PAK", *HUMANE_METRICS)
    }
    for k, v in terms.items():
        rc[f"term.{k}"] = v
    for k, v in pak_parts.items():
        pressure_parts[f"pak.{k}"] = v
    return Trace(
        scenario=model.scenario,
        country=country,
        expected=expected,
        factors=f,
        strength=strength,
        flows=fl,
        recruitment=rc,
        pressure=pressure_parts,
        attrition=att,
        drivers=drv,
        realised=realised,
        joint_successes=joint,
        suppression=float(ct.suppression),
        outcomes=outcomes,
    )


# ------------------------------------------------------------------ decomposition


def logmean(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The logarithmic mean (x - y) / ln(x / y), equal to x when x == y."""
    x, y = np.maximum(x, _TINY), np.maximum(y, _TINY)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (x - y) / (np.log(x) - np.log(y))
    return np.where(np.abs(x - y) <= 1e-12 * np.maximum(x, y), x, out)


def lnratio(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(b, _TINY)) - np.log(np.maximum(a, _TINY))


def _ratio(num: np.ndarray, den: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    small = np.abs(den) < 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(small, fallback, num / np.where(small, 1.0, den))


def pressure_components(A: Trace, B: Trace) -> dict[str, np.ndarray]:
    """ln(P_B / P_A) split into its sources; the parts sum to the whole exactly."""
    pa, pb = A.pressure, B.pressure
    out = {"sanctuary shield": lnratio(pb["shield"], pa["shield"])}
    per_raw = 1 / logmean(pb["raw"], pa["raw"])  # d ln raw = d raw / L(raw)
    lpak = lnratio(pb["pak"], pa["pak"])
    pak_share = _ratio(pb["pak"] - pa["pak"], lpak, logmean(pb["pak"], pa["pak"])) * per_raw
    labels = {
        "base": "Pakistan's capacity: parameters",
        "aid": "Pakistan's capacity: aid",
        "stability": "Pakistan's capacity: stability",
        "commitment": "Pakistan's commitment",
        "intel": "intelligence sharing",
        "priorities": "Pakistan's priorities",
    }
    for k, label in labels.items():
        out[label] = pak_share * lnratio(pb[f"pak.{k}"], pa[f"pak.{k}"])
    out["Taliban effort"] = (pb["afg"] - pa["afg"]) * per_raw
    out["US drone strikes"] = (pb["drone"] - pa["drone"]) * per_raw
    total = lnratio(pb["P"], pa["P"])
    out["other"] = total - sum(out.values())
    return out


def _split_by_pressure(amount_per_lnP: np.ndarray, comps: dict[str, np.ndarray]) -> dict:
    return {k: amount_per_lnP * v for k, v in comps.items()}


def decompose(A: Trace, B: Trace) -> dict[str, np.ndarray]:
    """Channel -> (T, R, G) contribution to E_B - E_A in expected attacks; sums exactly."""
    if A.expected.shape != B.expected.shape:
        raise ValueError("traces of different shapes")
    L_E = logmean(B.expected, A.expected)
    fa, fb = A.factors, B.factors
    out: dict[str, np.ndarray] = {}

    def add(name: str, x: np.ndarray) -> None:
        out[name] = out.get(name, 0) + x

    comps = pressure_components(A, B)
    lnP = lnratio(B.pressure["P"], A.pressure["P"])
    # Direct factors of the attack mean.
    add("attack tempo (parameters)", L_E * lnratio(fb["tempo"], fa["tempo"]))
    add("attack waves (events)", L_E * lnratio(fb["wave"], fa["wave"]))
    add("funding", L_E * lnratio(fb["funding"], fa["funding"]))
    add("surges and lulls", L_E * lnratio(fb["momentum"], fa["momentum"]))
    add("border closure", L_E * lnratio(fb["route"], fa["route"]))
    add("security presence", L_E * lnratio(fb["geo"], fa["geo"]))
    # Suppression depends on counter-pressure: share it out by pressure's sources.
    lsupp = lnratio(fb["suppression"], fa["suppression"])
    sP = B.pressure["P"]
    k = B.suppression
    deriv = -k * sP / np.maximum(1 - k * sP, _TINY)  # only where P is unchanged
    per_lnP = L_E * _ratio(lsupp, lnP, deriv)
    for k, v in _split_by_pressure(per_lnP, comps).items():
        add(f"counter-pressure: {k}", v)
    add("counter-pressure: other", L_E * lsupp - per_lnP * lnP)
    # Strength: the gap at month t is the sum of the flow gaps before it.
    dS = B.strength - A.strength  # (T+1, R, G)
    per_S = L_E / logmean(B.strength[:-1], A.strength[:-1])  # attacks per unit of strength
    channels = strength_channels(A, B, comps, lnP)
    for name, gap in channels.items():
        cum = np.concatenate([np.zeros_like(gap[:1]), np.cumsum(gap, axis=0)])[:-1]
        add(name, per_S * cum)
    explained = sum(channels.values())
    cum_all = np.concatenate([np.zeros_like(dS[:1]), np.cumsum(explained, axis=0)])[:-1]
    add("starting strength (parameters)", per_S * dS[0][None])
    add("strength shocks (events) and other", per_S * (dS[:-1] - dS[0][None] - cum_all))
    total = B.expected - A.expected
    add("rounding", total - sum(out.values()))
    return out


def strength_channels(A: Trace, B: Trace, comps, lnP) -> dict[str, np.ndarray]:
    """Per month, the gap in each strength flow between B and A, split by cause."""
    ra, rb = A.recruitment, B.recruitment
    out: dict[str, np.ndarray] = {}

    def add(name, x):
        out[name] = out.get(name, 0) + x

    # Recruitment = rate x funding x room x size x shock x multiplier (shock equal under CRN).
    L_rec = logmean(rb["rec"], ra["rec"])
    add("recruitment: group size and room", L_rec * lnratio(rb["room"], ra["room"]))
    add("recruitment: group size and room", L_rec * lnratio(rb["size"], ra["size"]))
    add("funding", L_rec * lnratio(rb["funding"], ra["funding"]))
    add("growth rate (parameters)", L_rec * lnratio(rb["rate"], ra["rate"]))
    per_m = L_rec / logmean(rb["multiplier"], ra["multiplier"])
    for k in ("grievance", "hardship", "sanctuary", "weapons"):
        add(f"recruitment: {k}", per_m * (rb[f"term.{k}"] - ra[f"term.{k}"]))
    # Attrition = min(1, a P) x size; defection = d min(1, P_TTP) x size_TTP.
    fa, fb = A.flows, B.flows
    for flow, p_key in (("attrition", "rate_P"), ("defection", "defect_P")):
        xa, xb = np.abs(fa[flow]), np.abs(fb[flow])
        sign = -1.0 if flow == "attrition" else np.sign(fb[flow] + fa[flow])
        if flow == "defection":  # the flow is TTP's; ISKP gains it
            xa = np.broadcast_to(xa[:, :, :1], xa.shape)
            xb = np.broadcast_to(xb[:, :, :1], xb.shape)
        L = logmean(xb, xa)
        size_a, size_b = A.strength[:-1], B.strength[:-1]
        lp_a, lp_b = A.attrition[p_key], B.attrition[p_key]
        if flow == "defection":
            size_a, size_b = (np.broadcast_to(s[:, :, :1], s.shape) for s in (size_a, size_b))
            lp_a, lp_b = (np.broadcast_to(x[:, :, :1], x.shape) for x in (lp_a, lp_b))
            lnP_f = np.broadcast_to(lnP[:, :, :1], lnP.shape)
            comps_f = {k: np.broadcast_to(v[:, :, :1], v.shape) for k, v in comps.items()}
        else:
            lnP_f, comps_f = lnP, comps
        add("recruitment: group size and room", sign * L * lnratio(size_b, size_a))
        lpart = lnratio(lp_b, lp_a)
        per_lnP = sign * L * _ratio(lpart, lnP_f, np.ones_like(lpart))
        for k, v in comps_f.items():
            add(f"counter-pressure: {k}", per_lnP * v)
        add("counter-pressure: other", sign * L * lpart - per_lnP * lnP_f)
    add("joint operations", fb["joint_ops"] - fa["joint_ops"])
    # Whatever the log-mean split leaves (only where a flow is zero in one run).
    gap = sum(fb[k] - fa[k] for k in fb)
    add("strength shocks (events) and other", gap - sum(out.values()))
    return out


# ------------------------------------------------------------------ the account


@dataclass(frozen=True)
class Channel:
    mechanism: str  # the mechanism, as docs/model.md names it
    how: str  # one clause: how the channel moves attacks
    evidence: tuple[str, ...]  # registry paths whose provenance is quoted (first with a quote)
    drivers: tuple[str, ...] = ()  # DRIVER_LABELS keys to report, A -> B


CHANNELS: dict[str, Channel] = {
    "counter-pressure: Pakistan's capacity: aid": Channel(
        "mechanism 1, aid → capacity → counter-pressure",
        "US military aid, with a lag, raises Pakistan's capacity and so the pressure that "
        "wears groups down and suppresses their attacks",
        ("aid.capacity_gain",),
        ("aid_paid", "capacity"),
    ),
    "counter-pressure: Pakistan's capacity: parameters": Channel(
        "mechanism 3, capacity",
        "the scenarios give Pakistan a different base counterterrorism capacity",
        ("states.capacity",),
        ("capacity",),
    ),
    "counter-pressure: Pakistan's capacity: stability": Channel(
        "mechanism 1, stability → capacity",
        "a less stable Pakistan commits less capacity to counterterrorism",
        ("stability.capacity_weight", "stability.economy_weight"),
        ("stability", "capacity"),
    ),
    "counter-pressure: Pakistan's commitment": Channel(
        "mechanism 3, counter-pressure by effort",
        "Pakistan's own counterterrorism salience and effort set how much capacity it uses",
        ("levers.PAK.ct_effort", "levers.PAK.ct_salience"),
        ("commitment",),
    ),
    "counter-pressure: intelligence sharing": Channel(
        "mechanism 3, intelligence sharing x trust",
        "shared intelligence, weighted by mutual US-Pakistan trust, makes Pakistan's effort "
        "more effective",
        ("counterterrorism.intel_gain",),
        ("intel",),
    ),
    "counter-pressure: Pakistan's priorities": Channel(
        "mechanism 2, the priority bargain, and mechanism 6, China's pressure",
        "the bargain with the US, or China's pressure, moves Pakistan's attention between "
        "TTP, ISKP and BLA",
        (
            "levers.PAK.support_vs_iskp",
            "levers.US.help_vs_ttp_bla",
            "levers.CHN.security_pressure",
            "china.pressure_shift",
            "states.priorities",
        ),
        ("alloc",),
    ),
    "counter-pressure: Taliban effort": Channel(
        "mechanism 3, Afghan-side effort",
        "the Taliban's action against groups on Afghan soil adds counter-pressure there",
        ("levers.AFG.ct_salience", "levers.AFG.action_vs_iskp"),
        ("afg",),
    ),
    "counter-pressure: US drone strikes": Channel(
        "mechanism 3, drone strikes",
        "US strikes press the part of each group based on the Durand Line",
        ("counterterrorism.drone_pressure",),
        ("drone",),
    ),
    "counter-pressure: sanctuary shield": Channel(
        "mechanism 3, sanctuary shields",
        "a tolerated sanctuary lets pressed fighters withdraw, cancelling part of all "
        "counter-pressure on the group",
        ("counterterrorism.sanctuary_shield", "levers.AFG.ttp_tolerance"),
        ("sanctuary", "pressure"),
    ),
    "counter-pressure: other": Channel(
        "mechanism 3, counter-pressure",
        "counter-pressure through terms the split above does not separate",
        ("counterterrorism.suppression",),
        ("pressure",),
    ),
    "recruitment: grievance": Channel(
        "mechanism 4, grievance → recruitment",
        "grievance where a group is based raises its recruitment",
        ("recruitment.grievance_weight",),
        ("grievance",),
    ),
    "recruitment: hardship": Channel(
        "mechanism 4, economic hardship → recruitment",
        "a weaker economy where a group is based raises its recruitment",
        ("recruitment.hardship_weight",),
        ("hardship",),
    ),
    "recruitment: sanctuary": Channel(
        "mechanism 4, sanctuary → recruitment",
        "a safe haven lets a group train, rest and recruit",
        ("recruitment.sanctuary_weight",),
        ("sanctuary",),
    ),
    "recruitment: weapons": Channel(
        "mechanism 4, weapons → recruitment",
        "access to abandoned US weapons raises recruitment; retrieval lowers access slowly",
        ("recruitment.weapons_weight", "counterterrorism.retrieval_effect"),
        ("weapons",),
    ),
    "recruitment: group size and room": Channel(
        "mechanism 4, logistic growth",
        "a larger group recruits and loses more in absolute terms, and has less room to grow",
        ("groups.carrying_capacity",),
        ("strength",),
    ),
    "funding": Channel(
        "mechanism 3, terror finance",
        "funding scales attack tempo and recruitment; US-Pakistan intelligence disrupts it",
        ("counterterrorism.finance_disruption",),
        ("funding", "intel"),
    ),
    "border closure": Channel(
        "mechanism 5, border closure",
        "closing the border cuts attacks in Pakistan launched from Afghan bases",
        ("border.closure_effect", "groups.presence"),
        ("route",),
    ),
    "security presence": Channel(
        "mechanism 5, deterrence",
        "security presence, which scales with the state's effort, deters attacks on "
        "hardened targets (security forces, foreigners) but not on civilians",
        ("groups.target_type", "counterterrorism.deterrence"),
        ("security", "capacity"),
    ),
    "joint operations": Channel(
        "mechanism 2, joint operations",
        "successful joint US-Pakistan operations remove part of the target group",
        ("cooperation.joint_op_rate", "cooperation.threshold"),
        (),
    ),
    "starting strength (parameters)": Channel(
        "initial conditions", "the scenarios start the groups at different strengths",
        ("groups.strength0",), ("strength",),
    ),
    "attack tempo (parameters)": Channel(
        "mechanism 5, attack tempo", "the scenarios set different attack tempos",
        ("groups.tempo",), (),
    ),
    "growth rate (parameters)": Channel(
        "mechanism 4, recruitment rate", "the scenarios set different recruitment rates",
        ("groups.recruit_rate",), (),
    ),
    "surges and lulls": Channel(
        "mechanism 5, attack momentum",
        "each group's tempo drifts in surges and lulls lasting a few months; the draws are "
        "shared by paired replicates, so only different momentum parameters move this",
        ("attacks.volatility", "attacks.persistence"), (),
    ),
    "attack waves (events)": Channel(
        "scenario events, attack waves", "a timed attack wave multiplies a group's tempo",
        (), (),
    ),
    "strength shocks (events) and other": Channel(
        "scenario events, strength shocks",
        "timed blows to a group's strength (and the floor at zero strength)",
        (), ("strength",),
    ),
}  # fmt: skip


@dataclass
class Explanation:
    a: Trace
    b: Trace
    names: tuple[str, str]
    contributions: dict[str, np.ndarray]
    differences: list[str]
    seed: int
    notes: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, float]:
        """Channel -> mean over replicates of its contribution summed over months and groups."""
        return {k: float(v.sum(axis=(0, 2)).mean()) for k, v in self.contributions.items()}

    def by_group(self, channel: str) -> np.ndarray:
        return self.contributions[channel].sum(axis=0).mean(axis=0)

    def paired_outcome(self, metric: str) -> np.ndarray:
        """(R,) per-replicate difference B - A of a run total (see Trace.outcomes)."""
        return self.b.outcomes[metric] - self.a.outcomes[metric]


HUMANE_LABELS = {
    "fatalities.PAK": "deaths in attacks in Pakistan",
    "harm.drone_civilians": "civilians killed or injured by US drone strikes (expected)",
    "harm.displaced": "people deported or displaced across the border, thousands",
}


def humane_outcomes(ex: Explanation) -> list[str]:
    """The humane outcomes the account reports beside attacks."""
    return [m for m in HUMANE_LABELS if m in ex.a.outcomes]


def explain(
    paths: list[Path],
    *,
    replicates: int | None = None,
    months: int | None = None,
    seed: int | None = None,
    country: str = "PAK",
) -> Explanation:
    from sim.analysis.compare import load_comparable

    if len(paths) != 2:
        from sim.inputs.errors import UsageError

        raise UsageError("explain compares exactly two scenario files: A.yaml B.yaml")
    (sa, sb), seed, notes = load_comparable(paths, replicates=replicates, months=months, seed=seed)
    if sa.replicates * sa.months > MAX_REPLICATE_MONTHS:
        from sim.inputs.errors import UsageError

        raise UsageError(
            f"explain keeps monthly bookkeeping for every replicate: {sa.replicates} "
            f"replicates x {sa.months} months is over its limit of {MAX_REPLICATE_MONTHS:,} "
            "replicate-months; use fewer {replicates} (a few hundred pair well)",
            settings={"replicates": None},
        )
    ta, tb = trace(sa, country), trace(sb, country)
    names = (Path(sa.path).stem, Path(sb.path).stem)
    if names[0] == names[1]:
        names = (str(sa.path), str(sb.path))
    return Explanation(ta, tb, names, decompose(ta, tb), input_differences(sa, sb), seed, notes)


def input_differences(a: Scenario, b: Scenario) -> list[str]:
    """What the two scenarios set differently: levers, timed events, parameters."""
    from sim.inputs.parameters import iter_numbers
    from sim.inputs.scenario import add_months

    out = []
    for state, levers in b.levers.items():
        for name, vb in levers.items():
            va = a.levers[state][name]
            if va != vb:
                out.append(f"lever {state}.{name}: {va:g} → {vb:g} from the first month")
    ea = {(e.month, repr(e.set), repr(e.shock)) for e in a.events}
    eb = {(e.month, repr(e.set), repr(e.shock)) for e in b.events}
    for label, events, scen in (("only in", eb - ea, b), ("only in", ea - eb, a)):
        for e in scen.events:
            if (e.month, repr(e.set), repr(e.shock)) not in events:
                continue
            when = "{:04d}-{:02d}".format(*add_months(scen.start, e.month))
            what = ", ".join(f"{k} = {v:g}" for k, v in e.set.items())
            if e.shock is not None:
                what = ", ".join(filter(None, [what, f"shock {e.shock.model_dump()}"]))
            note = f" ({e.note})" if e.note else ""
            out.append(f"event {label} {Path(scen.path).stem}, {when}: {what}{note}")
    pa = dict(_flat(a.params, iter_numbers))
    for key, vb in _flat(b.params, iter_numbers):
        if pa.get(key) != vb:
            out.append(f"parameter {key}: {pa.get(key)} → {vb}")
    return out


def _flat(params: dict, iter_numbers):
    for section, entries in params.items():
        for name, value in entries.items():
            for sub, number in iter_numbers(value):
                yield ".".join((section, name, *sub)), number


def _sentences(text: str, n: int = 2) -> str:
    import re

    parts = re.split(r"(?<=[.;])\s+(?=[A-Z])", " ".join(text.split()))
    return " ".join(parts[:n]) + (" …" if len(parts) > n else "")


def _quote(paths: tuple[str, ...], group: str | None = None, changed: tuple[str, ...] = ()) -> str:
    """The evidence for a channel: for each of its parameters (those the scenarios change
    first, at most two), the seed sentences about ``group`` AND the declared assumption."""
    reg = registry()
    ordered = [p for p in paths if p in changed] + [p for p in paths if p not in changed]
    specs = [reg[p] for p in ordered if p in reg][:2]
    if not specs:
        return "A scenario input, not a model mechanism."
    parts = []
    for spec in specs:
        quotes = spec.sources_about(group)
        text = " ".join(f"Seed {q.seed[:3]} ({spec.path}): “{q.quote}”" for q in quotes)
        if not quotes:
            text = f"No seed gives this link ({spec.path})"
        if spec.assumption:
            text += ("; assumption: " if not quotes else " Assumption: ") + _sentences(
                spec.assumption, 3
            )
        parts.append(text)
    return " ".join(parts)


def _describe_drivers(ex: Explanation, channel: str, group: int) -> str:
    parts = []
    for key in CHANNELS[channel].drivers:
        xa, xb = ex.a.drivers[key][..., group].mean(), ex.b.drivers[key][..., group].mean()
        label = DRIVER_LABELS[key].format(g=GROUPS[group])
        if abs(xb - xa) <= 1e-6 * max(abs(xa), abs(xb), 1e-9):
            continue
        parts.append(f"{label} {_num(xa)} → {_num(xb)}")
    if channel == "joint operations":
        ja, jb = ex.a.joint_successes.mean(axis=0), ex.b.joint_successes.mean(axis=0)
        parts.append(
            f"successful joint operations against {GROUPS[group]} per run {ja[group]:.1f} → "
            f"{jb[group]:.1f}"
        )
    return "; ".join(parts)


def _num(x: float) -> str:
    if x == 0:
        return "0"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 10 else f"{x:.3f}"


def account(ex: Explanation, *, width: int = 92, min_share: float = 0.03) -> str:
    """The plain-language account: inputs, outcome, then channels, largest first."""
    from sim.analysis.compare import bootstrap_ci

    a, b = ex.a, ex.b
    na, nb = ex.names
    s = a.scenario
    where = "Pakistan" if a.country == "PAK" else "Afghanistan"
    T, R = a.expected.shape[:2]
    wrap = textwrap.TextWrapper(width=width, break_on_hyphens=False)
    sub = textwrap.TextWrapper(
        width=width, initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False
    )
    lines = wrap.wrap(
        f"Why attacks in {where} differ between {nb} and {na}: {R} paired replicates, {T} "
        f"months from {s.start[0]}-{s.start[1]:02d}, seed {ex.seed} (common random numbers)."
    )
    for note in ex.notes:
        lines += wrap.wrap(f"Note: {note}.")
    lines += ["", "What differs in the inputs:"]
    lines += [f"  - {d}" for d in ex.differences] or ["  - nothing: the runs are identical"]
    d_real = b.realised - a.realised
    lo, hi = bootstrap_ci(d_real)
    d_exp = (b.expected - a.expected).sum(axis=(0, 2))
    lines += [""] + wrap.wrap(
        f"Outcome: attacks in {where} over the run, median {np.median(a.realised):,.0f} "
        f"under {na} and {np.median(b.realised):,.0f} under {nb}; mean paired difference "
        f"{d_real.mean():+,.0f} [95% CI {lo:+,.0f}, {hi:+,.0f}]. Of this, "
        f"{d_exp.mean():+,.1f} is the change in the model's expected attacks, accounted for "
        f"below, and {(d_real - d_exp).mean():+,.1f} is Poisson noise that common random "
        "numbers did not cancel."
    )
    humane = "; ".join(
        f"{HUMANE_LABELS[m]} {np.median(a.outcomes[m]):,.1f} → {np.median(b.outcomes[m]):,.1f}"
        for m in humane_outcomes(ex)
    )
    lines += wrap.wrap(f"What it costs people (medians over the run): {humane}.")
    per_group = (b.expected - a.expected).sum(axis=0).mean(axis=0)
    order = np.argsort(-np.abs(per_group))
    lines += wrap.wrap(
        "By group: " + ", ".join(f"{GROUPS[g]} {per_group[g]:+,.0f}" for g in order) + "."
    )
    totals = {k: v for k, v in ex.totals().items() if k != "rounding"}
    scale = sum(abs(v) for v in totals.values()) or 1.0
    ranked = sorted(totals.items(), key=lambda kv: -abs(kv[1]))
    shown = [(k, v) for k, v in ranked if abs(v) >= max(0.5, min_share * scale)]
    rest = [(k, v) for k, v in ranked if (k, v) not in shown and abs(v) >= 0.05]
    total = d_exp.mean()
    lines += ["", "How the difference arose, largest channel first:"]
    if not shown:
        lines += ["  No channel moved attacks by half an attack or more."]
    for i, (name, value) in enumerate(shown, start=1):
        ch = CHANNELS[name]
        g = int(np.argmax(np.abs(ex.by_group(name))))
        share = ""
        if abs(total) > 0.5 * scale:
            share = f" ({value / total:.0%} of the total)" if value * total > 0 else " (offsetting)"
        head = f"{i:>2}. {value:+,.1f} attacks{share} through {name} [{ch.mechanism}]: {ch.how}."
        lines += textwrap.wrap(head, width=width, subsequent_indent="    ", break_on_hyphens=False)
        groups = ex.by_group(name)
        if np.count_nonzero(np.abs(groups) >= 0.5) > 1:
            lines += sub.wrap(
                "By group: "
                + ", ".join(f"{GROUPS[j]} {groups[j]:+,.1f}" for j in np.argsort(-np.abs(groups)))
                + "."
            )
        detail = _describe_drivers(ex, name, g)
        if detail:
            lines += sub.wrap(f"In the runs (means over months and replicates): {detail}.")
        changed = tuple(
            f"levers.{d.split()[1].rstrip(':')}" for d in ex.differences if d.startswith("lever ")
        )
        lines += sub.wrap(_quote(ch.evidence, GROUPS[g], changed))
    if rest:
        lines += [""] + wrap.wrap(
            f"Smaller channels (together {sum(v for _, v in rest):+,.1f}): "
            + "; ".join(f"{k} {v:+,.1f}" for k, v in rest)
            + "."
        )
    lines += [""] + wrap.wrap(
        "Method: each group's expected attacks are a product of factors (tempo, strength, "
        "funding, suppression by counter-pressure, border route, deterrence); the paired "
        "difference is split exactly by log-mean (LMDI) weights per month and replicate. "
        "Strength gaps are traced to the monthly flows that built them (recruitment by "
        "driver, attrition, defection, joint operations), and counter-pressure to its "
        "sources. A teaching abstraction, not a forecast."
    )
    return "\n".join(lines)
