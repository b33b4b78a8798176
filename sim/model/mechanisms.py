"""The submodels, one function per mechanism, as array expressions over replicates.

Each function reads the world, the parameters ``p`` (from sim/data/parameters.yaml) and the
levers, and returns what it computed; ``advance`` runs them in the documented order and
updates the world. docs/model.md describes every equation with its seed citation.

Targets are anchored at the early-2025 reference point (``Reference``): a driver moves a
variable only as far as it has moved from where it stood when the run began, so the
baseline starts in the situation the documents describe instead of drifting to an
arbitrary equilibrium.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np

from sim import GROUPS, STATES
from sim.model import kernels
from sim.model.arrays import clip as _clip
from sim.model.arrays import repeat_rows, weighted_sum
from sim.model.geography import Geography, actors
from sim.model.rng import Streams
from sim.model.state import AFG, BLA, CHN, ISKP, PAK, TARGET_TYPES, TTP, US, Levers, World

Params = Any  # the frozen parameter records built by ``state.build_params``

# ------------------------------------------------------------------ structure


@dataclass(frozen=True)
class Structure:
    """Fixed facts derived from geography and parameters, computed once per model."""

    pak: np.ndarray  # (N,) region is in Pakistan
    afg: np.ndarray  # (N,) region is in Afghanistan
    border: np.ndarray  # (N,) region touches the Durand Line
    country_of: np.ndarray  # (N,) 0 = PAK, 1 = AFG
    pop_weight: np.ndarray  # (2, N) population weights within each country
    afg_share: np.ndarray  # (G,) share of each group's strength based in Afghanistan
    pak_share: np.ndarray  # (G,)
    border_afg: np.ndarray  # (N,) Afghan border regions (where returnees arrive)
    security_norm: np.ndarray  # (N,) the state effort at which security equals security0
    border_share: np.ndarray  # (G,) share of each group based in regions on the Durand Line
    country_matrix: np.ndarray  # (N, 2) region -> country indicator
    cells: AttackCells
    sanctuary_levers: tuple[tuple[int, attrgetter], ...]  # (group, lever) from actors.yaml
    hardened: np.ndarray  # (G,) share of each group's attacks on hardened targets


@dataclass(frozen=True)
class AttackCells:
    """The (group, region, target) cells where attacks can happen, C of them.

    Attacks are drawn only for these cells; the indicator matrices turn a (R, C) array of
    counts into totals by region, group and country with one matrix product each. Every
    cell keeps a fixed slot in the random stream (its place in the full grid), so a
    scenario that switches cells on or off leaves the other cells' draws unchanged.
    """

    group: np.ndarray  # (C,) group index
    region: np.ndarray  # (C,) region index
    china: np.ndarray  # (C,) the cell counts attacks on Chinese interests
    pak: np.ndarray  # (C,) the region is in Pakistan
    country: np.ndarray  # (C,) 0 = PAK, 1 = AFG
    slot: np.ndarray  # (C,) fixed position in the "attacks" stream
    base: np.ndarray  # (C,) share of the group's attacks landing in the region
    china_share: np.ndarray  # (C,) share aimed at Chinese interests at full exposure
    to_region: np.ndarray  # (C, N)
    to_group: np.ndarray  # (C, G)
    to_country: np.ndarray  # (C, 2)
    to_group_pak: np.ndarray  # (C, G) attacks in Pakistan by group
    to_group_country: np.ndarray  # (C, 2G) column g*2 + country
    to_china_country: np.ndarray  # (C, 2) attacks on Chinese interests by country


def attack_cells(p: Params, country_of: np.ndarray) -> AttackCells:
    share = p.groups.attack_region  # (G, N)
    china = p.groups.china_target_share[:, None] * p.regions.china_exposure[None, :]
    n_groups, n_regions = share.shape
    g_o, r_o = np.nonzero(share > 0)
    g_c, r_c = np.nonzero((share > 0) & (china > 0))
    group = np.concatenate([g_o, g_c])
    region = np.concatenate([r_o, r_c])
    is_china = np.r_[np.zeros(len(g_o), bool), np.ones(len(g_c), bool)]
    slot = group * n_regions + region + is_china * (n_groups * n_regions)
    country = country_of[region]
    eye_r, eye_g, eye_c = np.eye(n_regions), np.eye(n_groups), np.eye(2)
    to_country = eye_c[country]
    return AttackCells(
        group=group,
        region=region,
        china=is_china,
        pak=country == 0,
        country=country,
        slot=slot,
        base=share[group, region],
        china_share=china[group, region],
        to_region=eye_r[region],
        to_group=eye_g[group],
        to_country=to_country,
        to_group_pak=eye_g[group] * (country == 0)[:, None],
        to_group_country=np.eye(2 * n_groups)[group * 2 + country],
        to_china_country=to_country * is_china[:, None],
    )


def structure(p: Params, geo: Geography, security_norm: np.ndarray) -> Structure:
    """``security_norm``: the effort by region at which security presence is security0."""
    pak, afg = geo.in_country("PAK"), geo.in_country("AFG")
    pop = p.regions.population
    pop_weight = np.stack([pop * pak / (pop * pak).sum(), pop * afg / (pop * afg).sum()])
    presence = p.groups.presence
    country_of = afg.astype(np.int64)
    return Structure(
        pak=pak,
        afg=afg,
        border=geo.on_border(),
        country_of=country_of,
        pop_weight=pop_weight,
        afg_share=presence[:, afg].sum(axis=1),
        pak_share=presence[:, pak].sum(axis=1),
        border_afg=geo.on_border() & afg,
        security_norm=security_norm,
        border_share=presence[:, geo.on_border()].sum(axis=1),
        country_matrix=np.eye(2)[country_of],
        cells=attack_cells(p, country_of),
        sanctuary_levers=tuple(
            (GROUPS.index(g), attrgetter(spec["sanctuary_lever"]))
            for g, spec in actors()["groups"].items()
            if spec.get("sanctuary_lever")
        ),
        hardened=1 - p.groups.target_type[:, TARGET_TYPES.index("civilian")],
    )


# ------------------------------------------------------------------ mechanism 1: aid


@dataclass
class Policy:
    """What the states' levers and relations add up to this month."""

    alloc: np.ndarray  # (R, S, G) effective priorities (rows sum to 1)
    overlap: np.ndarray  # (R,) US-PAK priority overlap, seed 003's "middle ground"
    mutual_trust: np.ndarray  # (R,) geometric mean of US->PAK and PAK->US trust
    performance: np.ndarray  # (R,) how far Pakistan's effort serves US priorities, 0..1
    aid_nominal: np.ndarray  # (R,) US aid to Pakistan promised, USD M/yr
    aid_paid: np.ndarray  # (R,) after 'do more' conditionality, USD M/yr
    civil_paid: np.ndarray  # (R,)
    capacity: np.ndarray  # (R, S)
    cpec: np.ndarray  # (R,) Chinese investment in Pakistan actually made, USD M/yr
    mining: np.ndarray  # (R,) Chinese investment in Afghanistan actually made, USD M/yr
    reserves: np.ndarray  # (R,) Afghan reserves released, USD M/yr
    intel: np.ndarray  # (R,) intelligence sharing x mutual trust

    def flows(self) -> dict[str, np.ndarray]:
        """Money actually moving this month, USD M/yr, by programme flow name."""
        return {
            "military_paid": self.aid_paid - self.civil_paid,
            "civil_paid": self.civil_paid,
            "reserves": self.reserves,
            "cpec": self.cpec,
            "mining": self.mining,
        }


def policy(w: World, p: Params, lv: Levers) -> Policy:
    priorities = p.states.priorities  # (S, G)
    n = w.replicates
    h = lv.US.help_vs_ttp_bla[:, None]
    s = lv.PAK.support_vs_iskp[:, None]
    china_push = p.china.pressure_shift * lv.CHN.security_pressure * lv.CHN.ct_salience
    c = np.minimum(china_push, 1.0)[:, None]
    # China pulls Pakistan toward its priorities.
    pak_own = (1 - c) * priorities[PAK] + c * priorities[CHN]
    alloc = repeat_rows(priorities, n)
    # The bargain: each side moves halfway toward the other's priorities at lever 1.
    alloc[:, US] = (1 - h / 2) * priorities[US] + (h / 2) * pak_own
    alloc[:, PAK] = (1 - s / 2) * pak_own + (s / 2) * priorities[US]
    overlap = np.minimum(alloc[:, US], alloc[:, PAK]).sum(axis=1)
    mutual = np.sqrt(w.trust[:, US, PAK] * w.trust[:, PAK, US])
    performance = (alloc[:, PAK] * priorities[US]).sum(axis=1) / priorities[US].max()
    performance = np.minimum(performance, 1.0)
    mil, civ = lv.US.military_aid_pak, lv.US.civil_aid_pak
    paid_share = 1 - lv.US.do_more * p.aid.do_more_withhold * (1 - performance)
    capacity = repeat_rows(p.states.capacity, n)
    aid_boost = 1 + p.aid.capacity_gain * w.aid_effect / p.aid.reference_usd_m
    stab_factor = 1 - p.stability.capacity_weight * (1 - w.stability)
    capacity[:, PAK] *= aid_boost * stab_factor[:, 0]
    capacity[:, AFG] *= stab_factor[:, 1]
    confidence = np.minimum(w.china_confidence, 1.0)  # goodwill above 1 is a buffer only
    return Policy(
        alloc=alloc,
        overlap=overlap,
        mutual_trust=mutual,
        performance=performance,
        aid_nominal=mil + civ,
        aid_paid=(mil + civ) * paid_share,
        civil_paid=civ * paid_share,
        capacity=capacity,
        cpec=lv.CHN.cpec_investment * confidence,
        mining=lv.CHN.afghan_mining * confidence,
        reserves=lv.US.reserves_release * p.reference.frozen_reserves_usd_m,
        intel=lv.US.intel_sharing * mutual,
    )


# ------------------------------------------------------------------ mechanism 2: cooperation


@dataclass
class JointOps:
    attempted: np.ndarray  # (R,) bool
    succeeded: np.ndarray  # (R,) bool
    target: np.ndarray  # (R,) group index of the shared priority


def joint_operations(pol: Policy, p: Params, lv: Levers, streams: Streams, step: int) -> JointOps:
    c = p.cooperation
    willing = lv.US.joint_ops * lv.US.ct_salience * lv.PAK.joint_ops * lv.PAK.ct_salience
    x = pol.overlap * pol.mutual_trust
    prob = c.joint_op_rate * willing / (1 + np.exp(-(x - c.threshold) / c.softness))
    u = streams.uniform("joint_ops", step, 2)
    attempted = u[:, 0] < prob
    success_p = np.minimum(
        c.success_prob
        + c.intel_success_gain * lv.US.intel_sharing
        + c.afg_success_gain * lv.AFG.cooperation_pak,
        1.0,
    )
    succeeded = attempted & (u[:, 1] < success_p)
    target = np.minimum(pol.alloc[:, US], pol.alloc[:, PAK]).argmax(axis=1)
    return JointOps(attempted, succeeded, target)


# ------------------------------------------------------------------ mechanism 3: pressure


@dataclass
class Pressure:
    sanctuary: np.ndarray  # (R, G) host tolerance 0..1
    effective: np.ndarray  # (R, G) counter-pressure after the sanctuary shield
    pakistan: np.ndarray  # (R, G) the part of ``effective`` from Pakistan's own operations
    parts: dict[str, np.ndarray]  # (R, G) pressure before the shield by source: pak, afg, drone


def pressure(pol: Policy, p: Params, lv: Levers, st: Structure) -> Pressure:
    ct = p.counterterrorism
    pak_effort = (pol.capacity[:, PAK] * lv.PAK.ct_salience * lv.PAK.ct_effort) * (
        1 + ct.intel_gain * pol.intel
    )
    afg_alloc = np.stack(
        [
            1 - lv.AFG.ttp_tolerance,
            lv.AFG.action_vs_iskp,
            np.full(pol.overlap.shape, p.states.priorities[AFG, BLA]),
        ],
        axis=1,
    )
    afg_effort = (pol.capacity[:, AFG] * lv.AFG.ct_salience)[:, None] * afg_alloc
    drones = lv.US.drone_strikes
    parts = {
        "pak": pak_effort[:, None] * pol.alloc[:, PAK] * st.pak_share,
        "afg": afg_effort * st.afg_share,
        "drone": (ct.drone_pressure * drones * pol.capacity[:, US])[:, None]
        * pol.alloc[:, US]
        * st.border_share,
    }
    raw = parts["pak"] + parts["afg"] + parts["drone"]
    sanctuary = repeat_rows(p.groups.sanctuary_base, len(raw))
    for g, lever in st.sanctuary_levers:  # a host's lever sets its guests' tolerance
        sanctuary[:, g] = lever(lv)
    shield = 1 - ct.sanctuary_shield * sanctuary
    return Pressure(sanctuary, raw * shield, parts["pak"] * shield, parts)


# ------------------------------------------------------------------ mechanism 4: recruitment


@dataclass
class Drivers:
    """Presence-weighted recruitment drivers per group, shape (R, G) each."""

    grievance: np.ndarray
    hardship: np.ndarray
    sanctuary: np.ndarray
    weapons: np.ndarray


def drivers(w: World, pressure: Pressure, p: Params) -> Drivers:
    presence = p.groups.presence  # (G, N)
    return Drivers(
        grievance=weighted_sum(w.grievance, presence.T),
        hardship=weighted_sum(1 - np.minimum(w.economy, 1.0), presence.T),
        sanctuary=pressure.sanctuary,
        weapons=w.weapons,
    )


@dataclass
class GroupChange:
    recruitment: np.ndarray  # (R, G) strength gained
    attrition: np.ndarray  # (R, G) strength lost to counter-pressure
    defection: np.ndarray  # (R,) TTP strength moving to ISKP
    joint_op_loss: np.ndarray  # (R, G)


def recruitment_terms(d: Drivers, d0: Drivers, p: Params) -> dict[str, np.ndarray]:
    """Each driver's push on recruitment, (R, G): its weight times its move since month 0."""
    r = p.recruitment
    return {
        "grievance": r.grievance_weight * (d.grievance - d0.grievance),
        "hardship": r.hardship_weight * (d.hardship - d0.hardship),
        "sanctuary": r.sanctuary_weight * (d.sanctuary - d0.sanctuary),
        "weapons": r.weapons_weight * (d.weapons - d0.weapons),
    }


def group_change(
    w: World,
    d: Drivers,
    d0: Drivers,
    pressure: Pressure,
    jo: JointOps,
    p: Params,
    streams: Streams,
    step: int,
) -> GroupChange:
    r = p.recruitment
    multiplier = np.maximum(1 + sum(recruitment_terms(d, d0, p).values()), 0.0)
    s = w.strength
    room = np.maximum(1 - s / p.groups.carrying_capacity, 0.0)
    sd = r.noise
    shock = np.exp(sd * streams.normal("recruitment", step, s.shape[1]) - sd * sd / 2)
    base = p.groups.recruit_rate * w.funding * room * s * shock
    recruitment = base * multiplier
    attrition = np.minimum(p.counterterrorism.attrition_rate * pressure.effective, 1.0) * s
    defection = r.defection_rate * np.minimum(pressure.effective[:, TTP], 1.0) * s[:, TTP]
    loss = np.zeros_like(s)
    hit = jo.succeeded
    loss[hit, jo.target[hit]] = p.cooperation.damage * s[hit, jo.target[hit]]
    return GroupChange(recruitment, attrition, defection, loss)


# ------------------------------------------------------------------ mechanism 5: attacks


@dataclass
class Attacks:
    by_region: np.ndarray  # (R, N)
    by_group: np.ndarray  # (R, G)
    by_group_country: np.ndarray  # (R, 2G) column 2 g + country (0 = PAK, 1 = AFG)
    by_country: np.ndarray  # (R, 2) PAK, AFG
    china_by_country: np.ndarray  # (R, 2) attacks on Chinese interests
    victims_by_group_country: np.ndarray  # (R, 2G) civilians and security forces killed
    fatalities: np.ndarray  # (R, 2) PAK, AFG victims (militants excluded)
    mass_casualty: np.ndarray  # (R, 2) attacks drawn from the mass-casualty branch
    cross_border: np.ndarray  # (R,) attacks in Pakistan launched from Afghan bases


@dataclass
class AttackMeans:
    """Expected attacks per cell and the factors the model multiplies to get them.

    ``lam[r, c] = group_rate[r, g] x route x spread[r, c]`` for the cell's group g, where
    ``group_rate = tempo x wave x strength x funding x suppression x momentum`` and
    ``route`` is ``through`` for cells in Pakistan and 1 in Afghanistan; ``spread`` is the
    region share x deterrence x the cell's target split. ``durand explain`` reads these.
    """

    lam: np.ndarray  # (R, C)
    from_afg: np.ndarray  # (R, G) share of a group's attacks in Pakistan from Afghan bases
    factors: dict[str, np.ndarray]  # (R, G) each: tempo, wave, strength, funding, ...
    through: np.ndarray  # (R, G) share of attacks from Afghan bases not stopped at the border
    spread: np.ndarray  # (R, C)


def tempo_momentum(
    w: World, p: Params, streams: Streams, step: int
) -> tuple[np.ndarray, np.ndarray]:
    """Next month's log tempo deviation per group and its factor on the tempo.

    An AR(1) process, so surges and lulls last a few months and monthly counts are
    overdispersed (a Poisson-lognormal mixture); the factor is exp(momentum) scaled to
    mean 1 over the process's stationary distribution.
    """
    a = p.attacks
    base, offsets = streams.keys("tempo", step, w.momentum.shape[1])
    momentum = np.empty_like(w.momentum)
    factor = np.empty_like(w.momentum)
    variance = a.volatility**2 / (1 - a.persistence**2)
    kernels.momentum_step(
        base, offsets, w.momentum, a.persistence, a.volatility, variance / 2, momentum, factor
    )
    return momentum, factor


def log_shock(
    momentum: np.ndarray,
    persistence: float,
    volatility: float,
    streams: Streams,
    name: str,
    step: int,
) -> tuple[np.ndarray, np.ndarray]:
    """A persistent multiplicative monthly shock (R, K) on its own stream: the same AR(1)
    log-normal process as the attack tempo's, scaled to mean 1. It makes monthly flows
    overdispersed (lumpy operations, waves of returns) without moving their mean."""
    base, offsets = streams.keys(name, step, momentum.shape[1])
    out = np.empty_like(momentum)
    factor = np.empty_like(momentum)
    variance = volatility**2 / (1 - persistence**2)
    kernels.momentum_step(
        base, offsets, momentum, persistence, volatility, variance / 2, out, factor
    )
    return out, factor


def attack_means(
    w: World, pol: Policy, pressure: Pressure, p: Params, lv: Levers, st: Structure
) -> AttackMeans:
    """Expected attacks per cell (R, C), each group's share launched from Afghanistan, and
    the factors of the mean."""
    ct, c = p.counterterrorism, st.cells
    n = w.replicates
    factors = {  # tempo and wave are (G,), the same in every replicate
        "tempo": p.groups.tempo,
        "wave": w.wave,
        "strength": w.strength,
        "funding": w.funding,
        "suppression": _clip(1 - ct.suppression * pressure.effective, 0.0, 1.0),
        "momentum": w.momentum_factor,
    }
    rate = (
        factors["tempo"]
        * factors["wave"]
        * factors["strength"]
        * factors["funding"]
        * factors["suppression"]
        * factors["momentum"]
    )  # (R, G)
    deter = 1 - ct.deterrence * security_presence(pol, p, lv, st)  # (R, N)
    closure = p.border.closure_effect * lv.PAK.border_closure  # (R,)
    # In Pakistan, the part of a group's attacks launched from Afghan bases is cut by closure.
    through = 1 - closure[:, None] * st.afg_share  # (R, G)
    exposure = np.stack([pol.cpec, pol.mining], axis=1) / p.china.reference_usd_m  # (R, 2)
    lam = np.empty((n, len(c.group)))
    spread = np.empty((n, len(c.group)))
    kernels.cell_means(
        np.ascontiguousarray(rate),
        np.ascontiguousarray(deter),
        np.ascontiguousarray(through),
        exposure,
        c.group,
        c.region,
        c.country,
        c.pak,
        c.china,
        c.base,
        c.china_share,
        st.hardened,
        lam,
        spread,
    )
    from_afg = st.afg_share * (1 - closure[:, None]) / np.maximum(through, 1e-12)  # (R, G)
    return AttackMeans(lam, from_afg, factors, through, spread)


def security_presence(pol: Policy, p: Params, lv: Levers, st: Structure) -> np.ndarray:
    """Security presence by region: the reference level scaled by the state's effort now."""
    pak_now = pol.capacity[:, PAK] * lv.PAK.ct_salience * lv.PAK.ct_effort
    afg_now = pol.capacity[:, AFG] * lv.AFG.ct_salience
    scale = np.where(st.pak, pak_now[:, None], afg_now[:, None])
    return _clip(p.regions.security0 * scale / st.security_norm, 0.0, 1.0)


def draw_attacks(
    means: AttackMeans,
    p: Params,
    st: Structure,
    streams: Streams,
    step: int,
) -> Attacks:
    """Attack counts per cell and their victims, in one compiled pass."""
    c, le = st.cells, p.lethality
    n = len(means.lam)
    n_groups = len(GROUPS)
    att = Attacks(
        by_region=np.zeros((n, len(st.pak))),
        by_group=np.zeros((n, n_groups)),
        by_group_country=np.zeros((n, 2 * n_groups)),
        by_country=np.zeros((n, 2)),
        china_by_country=np.zeros((n, 2)),
        victims_by_group_country=np.empty((n, 2 * n_groups)),
        fatalities=np.zeros((n, 2)),
        mass_casualty=np.zeros((n, 2)),
        cross_border=np.empty(n),
    )
    attack_base, attack_offsets = streams.keys("attacks", step, len(c.slot), c.slot)
    fatal_base, fatal_offsets = streams.keys("fatalities", step, 2 * n_groups * kernels.FATAL_SLOTS)
    kernels.draw_attacks(
        np.ascontiguousarray(means.lam),
        np.ascontiguousarray(means.from_afg),
        attack_base,
        attack_offsets,
        fatal_base,
        fatal_offsets,
        c.group,
        c.region,
        c.country,
        c.china,
        le.ordinary * le.scale,
        le.mass_rate * le.scale,
        float(le.mass_min),
        float(le.tail),
        float(le.mass_cap),
        att.by_region,
        att.by_group,
        att.by_group_country,
        att.by_country,
        att.china_by_country,
        att.victims_by_group_country,
        att.fatalities,
        att.mass_casualty,
        att.cross_border,
    )
    return att


def militants_killed(
    w: World, pressure: Pressure, p: Params, streams: Streams, step: int
) -> np.ndarray:
    """Militants killed in Pakistan's own operations this month, (R, G): Poisson with mean
    kill_rate x Pakistan's effective pressure on the group x the group's strength x the
    month's operations shock (campaigns come in bursts; one shock for all groups)."""
    ct = p.counterterrorism
    w.operations_momentum, factor = log_shock(
        w.operations_momentum,
        ct.operations_persistence,
        ct.operations_volatility,
        streams,
        "operations_shock",
        step,
    )
    mean = ct.kill_rate * pressure.pakistan * w.strength * factor
    return streams.poisson("militants_killed", step, mean).astype(np.float64)


# ------------------------------------------------------------------ border and deportation


@dataclass
class Border:
    clash: np.ndarray  # (R,) bool
    deportation: np.ndarray  # (R,) intensity 0..1
    deportees: np.ndarray  # (R,) thousands returning from Pakistan this month
    habit: np.ndarray  # (R,) the intensity people have adjusted to, after this month
    tension_target: np.ndarray  # (R,)


def deportation_intensity(lever: np.ndarray, tension: np.ndarray, p: Params):
    """How hard Pakistan pushes undocumented Afghans out: the lever, raised by tension."""
    return _clip(lever * (1 + p.border.deportation_tension_gain * tension), 0.0, 1.0)


def returns_from_pakistan(
    intensity: np.ndarray, habit: np.ndarray, p: Params
) -> tuple[np.ndarray, np.ndarray]:
    """Thousands returning this month and the new habituated intensity.

    A steady flow in proportion to the intensity, plus a wave when the intensity rises
    above what people have adjusted to (a deadline): most who will leave do so in the
    first months, so the wave fades as the habit catches up.
    """
    b = p.border
    surge = np.maximum(intensity - habit, 0.0)
    returns = b.deportation_capacity * intensity + b.deportation_surge * surge
    return returns, _relax(habit, intensity, b.deportation_habituation)


def border_dynamics(
    w: World,
    att: Attacks,
    p: Params,
    lv: Levers,
    ref: Reference,
    streams: Streams,
    step: int,
) -> Border:
    """Clashes, deportations and the tension they, cross-border attacks and closure cause."""
    b = p.border
    deport = deportation_intensity(lv.PAK.deportation, w.tension, p)
    returns, habit = returns_from_pakistan(deport, w.deportation_habit, p)
    w.returns_momentum, factor = log_shock(
        w.returns_momentum,
        b.returns_persistence,
        b.returns_volatility,
        streams,
        "returns_shock",
        step,
    )
    returns = returns * factor[:, 0]
    extra = (att.cross_border - ref.cross_border) / b.cross_border_reference
    closure = lv.PAK.border_closure - ref.levers.PAK.border_closure
    target = _clip(
        b.tension0
        + b.cross_border_gain * extra
        + b.returns_tension_gain * (returns - ref.returns) / b.returns_reference
        + b.closure_tension_gain * closure,
        0.0,
        1.0,
    )
    clash = streams.uniform("border_clash", step)[:, 0] < b.clash_rate * w.tension**2
    return Border(clash, deport, returns, habit, target)


# ------------------------------------------------------------------ the monthly step


@dataclass
class Reference:
    """Where the drivers stood in the first month of the timeline: targets are anchored here."""

    drivers: Drivers
    intel: np.ndarray
    economy_mean: np.ndarray  # (R, 2)
    attacks_region: np.ndarray  # (R, N) expected attacks in month 0
    attacks_country: np.ndarray  # (R, 2)
    aid_paid: np.ndarray
    civil_paid: np.ndarray
    cpec: np.ndarray
    mining: np.ndarray
    deportation: np.ndarray
    returns: np.ndarray  # (R,) the steady returns at the starting intensity, thousands
    cross_border: np.ndarray
    china_by_country: np.ndarray  # (R, 2) expected attacks on Chinese interests a month
    levers: Levers  # the starting lever values (a copy)


def reference_point(w: World, p: Params, lv: Levers, st: Structure) -> Reference:
    pol = policy(w, p, lv)
    pressure_now = pressure(pol, p, lv, st)
    means = attack_means(w, pol, pressure_now, p, lv, st)
    c = st.cells
    by_region = weighted_sum(means.lam, c.to_region)
    deport = deportation_intensity(lv.PAK.deportation, w.tension, p)
    return Reference(
        drivers=drivers(w, pressure_now, p),
        intel=pol.intel,
        economy_mean=economy_means(w.economy, st),
        attacks_region=by_region,
        attacks_country=weighted_sum(by_region, st.country_matrix),
        aid_paid=pol.aid_paid,
        civil_paid=pol.civil_paid,
        cpec=pol.cpec,
        mining=pol.mining,
        deportation=deport,
        returns=returns_from_pakistan(deport, deport, p)[0],
        cross_border=(weighted_sum(means.lam, c.to_group_pak) * means.from_afg).sum(axis=1),
        china_by_country=weighted_sum(means.lam, c.to_china_country),
        levers=lv.copy(),
    )


def anchor(p: Params, geo: Geography, w: World, lv: Levers) -> tuple[Structure, Reference]:
    """Settle the starting world (January 2023) and anchor the run at it.

    ``lv`` are the starting levers. The lagged aid effect starts at the aid actually
    paid (after 'do more' conditions), security presence equals security0 at the
    starting effort, and the deportation habit at the starting intensity, so an
    unchanged policy does not drift.
    """
    w.aid_effect = policy(w, p, lv).flows()["military_paid"]
    w.deportation_habit = deportation_intensity(lv.PAK.deportation, w.tension, p)
    pol = policy(w, p, lv)
    pak_effort = pol.capacity[0, PAK] * lv.PAK.ct_salience[0] * lv.PAK.ct_effort[0]
    afg_effort = pol.capacity[0, AFG] * lv.AFG.ct_salience[0]
    norm = np.where(geo.in_country("PAK"), pak_effort, afg_effort)
    st = structure(p, geo, norm)
    return st, reference_point(w, p, lv, st)


def economy_means(economy: np.ndarray, st: Structure) -> np.ndarray:
    return weighted_sum(economy, st.pop_weight.T)  # (R, 2)


@dataclass
class Month:
    """Everything one month produced: the recorder and the event log read this."""

    policy: Policy
    joint: JointOps
    pressure: Pressure
    change: GroupChange
    means: AttackMeans
    attacks: Attacks
    militants_killed: np.ndarray  # (R, G) in Pakistan's operations
    border: Border


def advance(
    w: World,
    p: Params,
    lv: Levers,
    st: Structure,
    ref: Reference,
    streams: Streams,
    step: int,
) -> Month:
    """Advance the world by one month, in the order docs/model.md gives.

    ``step`` is the month's index on the timeline (months since January 2023): it keys
    every random draw, so a month draws the same numbers whichever run reaches it.
    """
    pol = policy(w, p, lv)
    jo = joint_operations(pol, p, lv, streams, step)
    press = pressure(pol, p, lv, st)
    w.momentum, w.momentum_factor = tempo_momentum(w, p, streams, step)
    means = attack_means(w, pol, press, p, lv, st)
    att = draw_attacks(means, p, st, streams, step)
    killed = militants_killed(w, press, p, streams, step)
    gc = group_change(w, drivers(w, press, p), ref.drivers, press, jo, p, streams, step)
    bd = border_dynamics(w, att, p, lv, ref, streams, step)
    _update_groups(w, gc, pol, p, lv, ref)
    _update_relations(w, pol, jo, att, bd, p, lv, st, ref)
    _update_society(w, pol, att, bd, p, lv, st, ref)
    w.deportation_habit = bd.habit
    w.wave_months = np.maximum(w.wave_months - 1, 0)
    w.wave = np.where(w.wave_months == 0, 1.0, w.wave)  # a new array: the means keep theirs
    return Month(pol, jo, press, gc, means, att, killed, bd)


def _relax(x: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    return x + rate * (target - x)


def _update_groups(w, gc, pol, p, lv, ref) -> None:
    ct = p.counterterrorism
    s = w.strength + gc.recruitment - gc.attrition - gc.joint_op_loss
    s[:, TTP] -= gc.defection
    s[:, ISKP] += gc.defection
    w.strength = np.maximum(s, 0.0)
    funding_target = (
        p.groups.funding0 * (1 - ct.finance_disruption * (pol.intel - ref.intel))[:, None]
    )
    w.funding = np.maximum(_relax(w.funding, funding_target, ct.funding_relax_rate), 0.0)
    weapons_target = (
        p.groups.weapons0
        * (1 - ct.retrieval_effect * (lv.US.weapons_retrieval - ref.levers.US.weapons_retrieval))[
            :, None
        ]
    )
    w.weapons = _clip(_relax(w.weapons, weapons_target, ct.weapons_relax_rate), 0.0, 1.0)


def _update_relations(w, pol, jo, att, bd, p, lv, st, ref) -> None:
    a, c, b = p.aid, p.cooperation, p.border
    trust0 = p.states.trust0
    target = repeat_rows(trust0, len(w.trust))
    aid_ref, cn_ref = a.reference_usd_m, p.china.reference_usd_m
    target[:, PAK, US] += a.trust_gain * (pol.aid_paid - ref.aid_paid) / aid_ref
    target[:, PAK, US] -= a.do_more_trust_cost * (lv.US.do_more - ref.levers.US.do_more)
    drone_cost = p.counterterrorism.drone_trust_cost * np.maximum(
        lv.US.drone_strikes - ref.levers.US.drone_strikes, 0.0
    )
    target[:, PAK, US] -= drone_cost
    target[:, AFG, US] -= drone_cost
    target[:, PAK, CHN] += a.trust_gain * (pol.cpec - ref.cpec) / cn_ref
    target[:, AFG, CHN] += a.trust_gain * (pol.mining - ref.mining) / cn_ref
    released = lv.US.reserves_release - ref.levers.US.reserves_release
    target[:, AFG, US] += a.reserves_trust_gain * released
    target[:, PAK, AFG] -= (
        b.cross_border_trust_cost * (att.cross_border - ref.cross_border) / b.cross_border_reference
    )
    target[:, AFG, PAK] -= b.deportation_trust_cost * (bd.deportation - ref.deportation)
    closure = lv.PAK.border_closure - ref.levers.PAK.border_closure
    target[:, AFG, PAK] -= b.closure_trust_cost * closure
    hits = att.china_by_country
    target[:, CHN, PAK] -= p.china.trust_hit * (hits[:, 0] - ref.china_by_country[:, 0])
    target[:, CHN, AFG] -= p.china.trust_hit * (hits[:, 1] - ref.china_by_country[:, 1])
    trust = _relax(w.trust, target, p.trust.relax_rate)
    # One-off jolts: aid cuts, joint operations, clashes, attacks on Chinese interests.
    cut = np.maximum(w.aid_nominal_prev - pol.aid_nominal, 0.0)
    trust[:, PAK, US] -= a.cut_trust_jolt * cut / aid_ref
    jolt = np.where(jo.succeeded, c.trust_jolt_success, 0.0) - np.where(
        jo.attempted & ~jo.succeeded, c.trust_jolt_failure, 0.0
    )
    trust[:, US, PAK] += jolt
    trust[:, PAK, US] += jolt
    clash = np.where(bd.clash, b.clash_trust_jolt, 0.0)
    trust[:, PAK, AFG] -= clash
    trust[:, AFG, PAK] -= clash
    idx = np.arange(len(STATES))
    trust[:, idx, idx] = 1.0
    w.trust = _clip(trust, 0.0, 1.0)
    w.aid_nominal_prev = pol.aid_nominal.copy()
    w.aid_effect = _relax(w.aid_effect, pol.aid_paid - pol.civil_paid, a.lag_rate)
    tension = _relax(w.tension, bd.tension_target, b.tension_rate)
    w.tension = _clip(tension + np.where(bd.clash, b.clash_tension_jolt, 0.0), 0.0, 1.0)
    extra = (att.china_by_country - ref.china_by_country).sum(axis=1)
    conf_target = 1 - p.china.confidence_hit * extra
    ceiling = p.china.confidence_max
    conf = _relax(w.china_confidence, _clip(conf_target, 0.0, ceiling), p.china.confidence_recovery)
    w.china_confidence = _clip(conf, 0.0, ceiling)


def _update_society(w, pol, att, bd, p, lv, st, ref) -> None:
    e, s, g = p.economy, p.stability, p.grievance
    attacks_region, attacks_country = att.by_region, att.by_country
    econ_mean = economy_means(w.economy, st)
    aid_term = (
        p.aid.stability_gain
        * ((pol.aid_paid + pol.civil_paid) - (ref.aid_paid + ref.civil_paid))
        / p.aid.reference_usd_m
    )
    stab_target = (
        p.states.stability0
        + s.economy_weight * (econ_mean - ref.economy_mean)
        - s.attack_weight * (attacks_country - ref.attacks_country) / 100.0
    )
    stab_target[:, 0] += aid_term
    w.stability = _clip(_relax(w.stability, stab_target, s.relax_rate), 0.0, 1.0)
    cn_ref = p.china.reference_usd_m
    invest = np.where(
        st.pak,
        ((pol.cpec - ref.cpec) / cn_ref)[:, None],
        ((pol.mining - ref.mining) / cn_ref)[:, None],
    )
    stab_dev = (w.stability - p.states.stability0)[:, st.country_of]  # (R, N)
    econ_target = (
        p.regions.economy0
        + e.stability_weight * stab_dev
        + p.china.econ_gain * p.regions.china_exposure * invest
        + np.where(
            st.afg,
            (p.aid.reserves_econ_gain * (lv.US.reserves_release - ref.levers.US.reserves_release))[
                :, None
            ],
            0.0,
        )
        - e.attack_damage * (attacks_region - ref.attacks_region)
    )
    w.economy = _clip(_relax(w.economy, econ_target, e.relax_rate), 0.0, 2.0)
    hardship_dev = (1 - np.minimum(w.economy, 1.0)) - (1 - np.minimum(p.regions.economy0, 1.0))
    griev_target = (
        p.regions.grievance0
        + g.hardship_gain * hardship_dev
        + np.where(
            st.border,
            (
                p.counterterrorism.drone_grievance
                * (lv.US.drone_strikes - ref.levers.US.drone_strikes)
            )[:, None],
            0.0,
        )
        + np.where(
            st.border_afg,
            (p.border.deportation_grievance * (bd.deportation - ref.deportation))[:, None],
            0.0,
        )
    )
    w.grievance = _clip(_relax(w.grievance, griev_target, g.relax_rate), 0.0, 1.0)
