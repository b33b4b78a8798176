"""The game's rules as data: playable roles, their levers, goals, the offers they can trade
and the events a teacher can inject.

Roles are the four states; militant groups are never playable. Every number here is a
game rule, not a model parameter: each carries the seed sentence it stands on or the
reason it was chosen (the model's own numbers stay in ``sim/data/parameters.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sim import STATES
from sim.inputs.parameters import ParamSpec, default_tree, registry

ROLES = STATES  # US, PAK, AFG, CHN; TTP, ISKP and BLA are never playable
# The first line of every game, window and lesson briefing.
NOTICE = (
    "A teaching abstraction, not a forecast: the numbers come from five press reports and "
    "op-eds and from declared assumptions."
)
ROLE_NAMES = {"US": "United States", "PAK": "Pakistan", "AFG": "Afghan Taliban", "CHN": "China"}

MONTHS_PER_TURN = 3
# Why 3: the documents speak of policy in quarters and years (pledges, deadlines, aid
# cuts); a quarter is long enough for a choice to show in the model's monthly metrics.
REPLICATES = 50
# Why 50: the model is stochastic. One run shows one noisy history, and players (and
# bots) would chase Poisson noise; the median of 50 runs shows what a policy does. 50
# runs of a quarter take milliseconds, so replaying a whole game (undo, load) is instant.
DEFAULT_TURNS = 8  # two years

OFFER_COOLDOWN = 2
# After a refusal, the same side may not make the same offer again for this many turns
# (a game rule, ours: an offer repeated every quarter is pressure, not a bargain, and the
# China bot once repeated cpec_security eleven times).

DEAL_TRUST_GAIN = 0.05
# Each party's trust in the other rises this much when a deal is struck. Seed 004: "The
# ISI-CIA Joint Operation is viewed as Pakistan's effort to restore trust." The size is an
# assumption: small, because a promise is not yet a delivery (the model's joint-operation
# successes add trust of their own); plausible 0.02 to 0.1.
BREAK_TRUST_LOSS = 0.20
# The wronged party's trust in a party that breaks a deal falls this much. An assumption: no
# seed speaks of broken deals. The nearest is seed 001 on how a partner's demands strain
# trust: "However, the alliance between the two countries remained intricate and relations
# strained owing to the US call for 'do more'." Four times the gain, because a broken
# promise is remembered longer than a kept one; plausible 0.1 to 0.3.


@dataclass(frozen=True)
class LeverRule:
    """A lever a role may set: its range and whether it spends from the role's budget."""

    role: str
    name: str
    low: float
    high: float
    default: float
    unit: str
    spending: bool

    @property
    def key(self) -> str:
        return f"{self.role}.{self.name}"

    @property
    def label(self) -> str:
        """Plain words for the lever (its ``unit`` says what it measures, in full)."""
        return LEVER_LABELS.get(self.key, self.name.replace("_", " ").capitalize())


LEVER_LABELS = {  # what players read beside each slider; the model's names stay in code
    "US.military_aid_pak": "Military aid to Pakistan",
    "US.civil_aid_pak": "Civilian aid to Pakistan",
    "US.do_more": "'Do more' conditions on aid",
    "US.ct_salience": "Priority on counterterrorism",
    "US.intel_sharing": "Intelligence sharing",
    "US.joint_ops": "Joint operations with Pakistan",
    "US.help_vs_ttp_bla": "Help against TTP and BLA",
    "US.drone_strikes": "Drone strikes",
    "US.weapons_retrieval": "Retrieve weapons left in Afghanistan",
    "US.reserves_release": "Release frozen Afghan reserves",
    "PAK.ct_salience": "Priority on counterterrorism",
    "PAK.ct_effort": "Counterterrorism operations",
    "PAK.joint_ops": "Joint operations with the US",
    "PAK.support_vs_iskp": "Support against ISKP",
    "PAK.deportation": "Deport undocumented Afghans",
    "PAK.border_closure": "Close the border",
    "AFG.ct_salience": "Priority on counterterrorism",
    "AFG.ttp_tolerance": "Tolerate TTP on Afghan soil",
    "AFG.action_vs_iskp": "Action against ISKP",
    "AFG.cooperation_pak": "Cooperate with Pakistan",
    "CHN.ct_salience": "Priority on counterterrorism",
    "CHN.cpec_investment": "CPEC investment in Pakistan",
    "CHN.afghan_mining": "Mining investment in Afghanistan",
    "CHN.security_pressure": "Press Pakistan to protect CPEC",
}


def _lever(role: str, name: str, spec: ParamSpec) -> LeverRule:
    return LeverRule(
        role,
        name,
        float(spec.low),
        float(spec.high),
        float(spec.value),
        spec.unit,
        spec.is_spending,
    )


@cache
def role_levers(role: str) -> dict[str, LeverRule]:
    """The levers a role controls, from the model's parameter registry."""
    specs = registry()
    prefix = f"levers.{role}."
    return {
        p[len(prefix) :]: _lever(role, p[len(prefix) :], s)
        for p, s in specs.items()
        if p.startswith(prefix)
    }


def budget(role: str) -> float:
    """USD million a year the role may spend on its spending levers (model parameter)."""
    return float(default_tree("states")["budget"][role])


# ------------------------------------------------------------------ goals


@dataclass(frozen=True)
class Component:
    """One part of a role's goal: a recorded metric, which way is good, its weight."""

    metric: str
    better: str  # "lower" or "higher"
    weight: float
    label: str
    floor: float  # scale below which differences are measured in absolute terms
    sensitivity: float = 1.0  # how many times a relative change counts (slow measures)


@dataclass(frozen=True)
class Goal:
    role: str
    summary: str
    source: str  # a seed sentence the goal rests on
    components: tuple[Component, ...]


# Scores compare the game with the status quo (the same scenario, seed and runs with no
# one changing course): 50 means "as if nothing had been done", 100 the best possible.
# Weights are ours, chosen so the first-named interest in each document weighs most.
GOALS = {
    "US": Goal(
        "US",
        "Contain ISKP at low cost, keep Pakistan as a partner, and spare civilians.",
        "004: Regarding ISIS-Khorasan, Bokhari states that the US does not currently "
        "prioritize direct intervention.",
        (
            # ISKP's strength moves a few percent in two years, so a relative change counts
            # twice (sensitivity): a 25% fall would be a complete success.
            Component("strength.ISKP", "lower", 0.23, "ISKP strength", 0.05, 2.0),
            Component("attacks.ISKP", "lower", 0.12, "ISKP attacks", 3.0, 1.5),
            # An extra USD 150 million a quarter paid counts in full: the money buys
            # influence (trust), so aid is a real option rather than a pure loss.
            Component("aid.US-PAK", "lower", 0.04, "aid paid to Pakistan (cost)", 150.0),
            # The price of the middle ground for Washington: effort against groups that do
            # not threaten it. Seed 004: "As a result, counterterrorism's strategic
            # importance for the US has diminished." A game rule on the lever held; the
            # floor sets its size.
            Component(
                "lever.US.help_vs_ttp_bla",
                "lower",
                0.06,
                "US effort against Pakistan's enemies (cost)",
                1.4,
            ),
            # The same seed for intelligence: sharing commits US attention and sources in
            # a region it no longer prioritises. A game rule on the lever held.
            Component(
                "lever.US.intel_sharing", "lower", 0.03, "US intelligence committed (cost)", 1.0
            ),
            # A partnership is trust both ways (the mean of each side's trust in the other):
            # a partner who breaks a deal costs Washington its trust in Pakistan, as a US
            # break costs Pakistan's trust in the US. Seed 003: "chances of cooperation
            # regarding counterterrorism seem hindered if not nullified."
            Component("partnership.US-PAK", "higher", 0.27, "the US-Pakistan partnership", 0.05),
            # The price of drones, measured by the model's civilian harm (summed over the
            # quarter; a quarter of strikes at three-quarter intensity counts in full). Seed
            # 000: "In return, Pakistan accused the US of carelessness in launching drone
            # strikes that have resulted in civilian casualties."
            Component(
                "harm.drone_civilians", "lower", 0.25, "civilians harmed by drone strikes", 22.5
            ),
        ),
    ),
    "PAK": Goal(
        "PAK",
        "Bring attacks in Pakistan down, keep the economy stable and the border calm.",
        "001: The recent wave of terrorism has become a major concern for both political "
        "and military leadership in Pakistan.",
        (
            Component("attacks.PAK", "lower", 0.35, "attacks in Pakistan", 10.0),
            Component("fatalities.PAK", "lower", 0.05, "deaths in Pakistan", 10.0),
            # Pakistan's standing demand (seed 003: "U.S. helps Pakistan counter BLA and
            # TTP"): a game rule on the US lever, since the model's effect of that help on
            # attacks takes longer than a game to show.
            Component(
                "lever.US.help_vs_ttp_bla",
                "higher",
                0.05,
                "US help against TTP and BLA (Pakistan's demand)",
                1.0,
            ),
            Component("economy.PAK", "higher", 0.15, "Pakistan's economy", 0.05),
            Component("stability.PAK", "higher", 0.05, "Pakistan's stability", 0.05),
            # The price of the middle ground for Islamabad: forces turned to ISKP are not
            # fighting TTP. Seed 003: "Washington and Islamabad view different proscribed
            # organisations as their respective enemies hence chances of cooperation
            # regarding counterterrorism seem hindered if not nullified." A game rule.
            Component(
                "lever.PAK.support_vs_iskp",
                "lower",
                0.05,
                "forces turned from TTP to ISKP (cost)",
                1.0,
            ),
            Component("aid.US-PAK", "higher", 0.05, "US aid received", 50.0),
            Component("aid.CHN-PAK", "higher", 0.10, "Chinese CPEC investment received", 50.0),
            Component("tension.PAK-AFG", "lower", 0.15, "tension with the Taliban", 0.1),
        ),
    ),
    "AFG": Goal(
        "AFG",
        "Keep the regime stable, win others' trust (recognition: a game assumption), "
        "and spare Afghans deportation.",
        "001: The Afghan government is taking encouraging steps to take down these groups; "
        "however, the current economic crisis of Afghanistan may impact the ongoing efforts.",
        (
            Component("stability.AFG", "higher", 0.25, "the regime's stability", 0.05),
            Component("economy.AFG", "higher", 0.15, "Afghanistan's economy", 0.05),
            # No seed speaks of the Taliban seeking recognition: this component is the game's
            # assumption about the regime's interest, measured as others' trust in it.
            Component("recognition.AFG", "higher", 0.20, "others' trust (assumed goal)", 0.05),
            Component("attacks.AFG", "lower", 0.10, "attacks in Afghanistan", 5.0),
            Component("deportations", "lower", 0.15, "Afghans sent back from Pakistan", 20.0),
            # The price of turning on TTP. Seed 003: "The country alleges that Afghan
            # Taliban are providing safe havens to TTP which cross the porous border and
            # conduct terror activities within Pakistan." The doctrine's reading
            # (ideological allies, a split movement) is an assumption, so
            # it is a game rule measured by the tolerance held, not a model outcome.
            Component(
                "lever.AFG.ttp_tolerance",
                "higher",
                0.15,
                "TTP kept as allies (the movement's unity)",
                0.5,
            ),
        ),
    ),
    "CHN": Goal(
        "CHN",
        "Keep CPEC running and Chinese people secure, and Pakistan solvent.",
        "004: China's CPEC project is also in a stagnant phase, and China has its financial "
        "investments stuck in it.",
        (
            # Fewer than about two attacks a quarter are measured on that scale, so one
            # attack more or less in a quiet quarter does not swing the whole score.
            Component(
                "attacks.china_interests", "lower", 0.26, "attacks on Chinese interests", 1.75
            ),
            Component("china_confidence", "higher", 0.08, "China's confidence to invest", 0.05),
            Component("strength.BLA", "lower", 0.19, "BLA strength", 0.05),
            Component("economy.PAK", "higher", 0.11, "Pakistan's economy", 0.05),
            # Leaving CPEC forfeits its economic and strategic returns. Seed 004: "China's
            # CPEC project is also in a stagnant phase, and China has its financial
            # investments stuck in it." The flow of money is the measure.
            Component("returns.CHN", "higher", 0.36, "CPEC and mining at work (returns)", 45.0),
        ),
    ),
}

# Scores: a role's weighted components give a raw score (50 = the status quo); raw
# differences are small (most strategies move a few components a little), so the shown
# score stretches them: score = 50 + STRETCH[role] * (raw - 50), clipped to 0..100. The
# status quo stays 50. STRETCH is set so the typical archetypes of
# benchmarks/bench_balance.py spread over roughly 25..75 (docs/game.md, "Scores").
SCORE_STRETCH = {"US": 4.5, "PAK": 3.0, "AFG": 3.0, "CHN": 2.9}

# Metrics the game derives from recorded ones (for goals and bot conditions).
DERIVED = {
    "recognition.AFG": ("trust.US-AFG", "trust.PAK-AFG", "trust.CHN-AFG"),
    "partnership.US-PAK": ("trust.US-PAK", "trust.PAK-US"),
    "returns.CHN": ("aid.CHN-PAK", "aid.CHN-AFG"),
}


# The price of each strong lever, in the words a player reads beside it. Each names what
# the scoring or the model makes the seat pay (the goals above, sim/model/mechanisms.py).
PRICES = {
    "US.drone_strikes": "counts against your score as civilian harm, feeds militant recruitment "
    "and costs Pakistan's and the Taliban's trust in you",
    "US.military_aid_pak": "costs money; a cut costs Pakistan's trust in you (your influence)",
    "US.civil_aid_pak": "costs money; a cut costs Pakistan's trust in you (your influence)",
    "US.do_more": "public pressure costs Pakistan's trust in you",
    "US.joint_ops": "works only when both sides' priorities overlap and they trust each other",
    "PAK.deportation": "raises tension with the Taliban, costs their trust and sends Afghans "
    "back across the border",
    "PAK.border_closure": "raises tension with the Taliban and costs their trust",
    "PAK.ct_effort": "presses every group, but alone it does not close TTP's sanctuary",
    "AFG.ttp_tolerance": "keeps TTP as allies, but feeds tension with Pakistan and costs "
    "recognition",
    "AFG.cooperation_pak": "eases tension, but TTP may resent it",
    "CHN.cpec_investment": "more money exposes Chinese people to attacks; less forfeits CPEC's "
    "returns and Pakistan's investment",
    "CHN.afghan_mining": "more money exposes Chinese people; less forfeits the mines' returns",
    "CHN.security_pressure": "pulls Pakistan's forces toward BLA and away from TTP",
}

_LABELS = {
    "attacks.PAK": "attacks in Pakistan", "attacks.AFG": "attacks in Afghanistan",
    "attacks.TTP": "TTP attacks", "attacks.BLA": "BLA attacks", "attacks.ISKP": "ISKP attacks",
    "tension.PAK-AFG": "Pakistan-Taliban tension", "trust.US-PAK": "US trust in Pakistan",
    "economy.AFG": "Afghanistan's economy", "economy.PAK": "Pakistan's economy",
    "strength.ISKP": "ISKP strength", "stability.AFG": "the regime's stability",
    "attacks.china_interests": "attacks on Chinese interests",
    "china_confidence": "China's confidence to invest",
}  # fmt: skip


def metric_label(metric: str) -> str:
    """Words for a metric name (goal labels first), for reasons and the debrief."""
    if metric in _LABELS:
        return _LABELS[metric]
    for goal in GOALS.values():
        for c in goal.components:
            if c.metric == metric:
                return c.label
    if metric.startswith("score."):
        return f"{metric.split('.')[1]}'s score"
    return metric


def count(n: int, word: str) -> str:
    """'1 turn', '4 turns': a number with its noun."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def verdict(score: float) -> str:
    if score >= 58:
        return "goals met"
    if score >= 45:
        return "held the line"
    return "goals missed"


# ------------------------------------------------------------------ offers


@dataclass(frozen=True)
class Term:
    """A commitment: a lever held at least (or at most) at a value while the deal lasts."""

    role: str
    lever: str
    op: str  # ">=" or "<="
    value: float

    def holds(self, current: float) -> bool:
        return current >= self.value - 1e-9 if self.op == ">=" else current <= self.value + 1e-9

    def __str__(self) -> str:
        return f"{self.role}.{self.lever} {self.op} {self.value:g}"


@dataclass(frozen=True)
class OfferKind:
    name: str
    title: str
    parties: tuple[str, str]
    terms: tuple[Term, ...]
    source: str

    def other(self, role: str) -> str:
        a, b = self.parties
        return b if role == a else a

    def terms_for(self, role: str) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.role == role)


OFFERS = {
    o.name: o
    for o in (
        OfferKind(
            "middle_ground",
            "US help against TTP and BLA for Pakistan's full support against ISKP",
            ("US", "PAK"),
            (
                Term("US", "help_vs_ttp_bla", ">=", 0.7),
                Term("US", "joint_ops", ">=", 0.7),
                Term("PAK", "support_vs_iskp", ">=", 1.0),
                Term("PAK", "joint_ops", ">=", 0.8),
            ),
            "003: This can be done if U.S. helps Pakistan counter BLA and TTP, while Pakistan "
            "extends its full support against ISKP.",
        ),
        OfferKind(
            "taliban_on_board",
            "Afghan Taliban act against TTP; Pakistan eases deportations and the border",
            ("PAK", "AFG"),
            (
                Term("AFG", "ttp_tolerance", "<=", 0.4),
                Term("AFG", "cooperation_pak", ">=", 0.6),
                Term("PAK", "deportation", "<=", 0.2),
                Term("PAK", "border_closure", "<=", 0.2),
            ),
            "003: Joint effort in this regard is only possible if both work together, take the "
            "Afghan Taliban on board and then target these proscribed organisations.",
        ),
        OfferKind(
            "reserves_for_action",
            "The US releases frozen reserves; the Taliban act against ISKP",
            ("US", "AFG"),
            (
                Term("US", "reserves_release", ">=", 0.2),
                Term("AFG", "action_vs_iskp", ">=", 0.9),
            ),
            "001: The US has frozen around $7 Billion reverses of Afghanistan in US federal "
            "Bank after the Taliban takeover making the Afghanistan Banking system collapsed "
            "and worsen the economic crisis even further.",
        ),
        OfferKind(
            "cpec_security",
            "China invests more in CPEC; Pakistan commits more of its forces",
            ("CHN", "PAK"),
            (
                Term("CHN", "cpec_investment", ">=", 1500),
                Term("PAK", "ct_effort", ">=", 0.9),
            ),
            "000: He also acknowledged Pakistan's commitment to its alliance with China, "
            "primarily due to their shared border and the China-Pakistan Economic Corridor "
            "project.",
        ),
        OfferKind(
            "mining_for_security",
            "China invests in Afghan mining; the Taliban curb TTP and fight ISKP",
            ("CHN", "AFG"),
            (
                Term("CHN", "afghan_mining", ">=", 400),
                Term("AFG", "ttp_tolerance", "<=", 0.5),
                Term("AFG", "action_vs_iskp", ">=", 0.8),
            ),
            "000: Khan suggested that the US might tacitly support the Afghan Taliban to "
            "counter Chinese influence in the region, as China invests in Afghanistan, "
            "primarily in long-term mining projects.",
        ),
    )
}

# ------------------------------------------------------------------ teacher events

# Each is a shock in the scenario schema (validated by sim.inputs.scenario's shock models); sizes
# are ours, chosen to be visible within a turn without ending the game.
TEACHER_EVENTS = {
    "iskp_wave": (
        {"type": "attack_wave", "group": "ISKP", "multiplier": 2.0, "months": 3},
        "ISKP launches a wave of attacks",
    ),
    "ttp_offensive": (
        {"type": "attack_wave", "group": "TTP", "multiplier": 1.8, "months": 3},
        "TTP declares an offensive after a ceasefire ends",
    ),
    "bla_attack_on_cpec": (
        {"type": "attack_wave", "group": "BLA", "multiplier": 2.0, "months": 2},
        "BLA launches a wave of attacks in Balochistan (that it targets CPEC is an assumption)",
    ),
    "commander_captured": (
        {"type": "strength_loss", "group": "ISKP", "fraction": 0.1},
        "A senior ISKP commander is captured and handed over",
    ),
    "border_incident": (
        {"type": "tension_shock", "change": 0.2},
        "A deadly clash at a border crossing",
    ),
    "imf_programme": (
        {"type": "economic_shock", "country": "PAK", "change": 0.1},
        "Pakistan secures an IMF bail-out package",
    ),
    "afghan_banking_crisis": (
        {"type": "economic_shock", "country": "AFG", "change": -0.1},
        "Afghanistan's banks run out of cash",
    ),
    "public_rebuke": (
        {"type": "trust_shock", "source": "PAK", "target": "US", "change": -0.15},
        "A US official publicly tells Pakistan to 'do more'",
    ),
}


def teacher_shock(name: str):
    """The validated shock object for a named teacher event."""
    from pydantic import TypeAdapter

    from sim.inputs.scenario import Shock

    return TypeAdapter(Shock).validate_python(TEACHER_EVENTS[name][0])
