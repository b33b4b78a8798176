"""The causal story of a game, built from its recorded metrics, not from canned text.

Each main outcome is compared with the status quo run (same scenario, seed and runs, no
one changing course; the runs share random numbers, so differences are the policies').
An outcome that moved is traced to the mechanisms the model records (attacks by group,
counter-pressure, sanctuary, recruitment, joint operations, trust), and those to the
lever changes and deals that drive them, with the turn and the reason given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import GROUPS
from sim.game import rules as R

# Which levers act on which recorded mechanism, and which way: +1 when raising the lever
# raises the mechanism, -1 when it lowers it (read from sim/model/mechanisms.py). A move is named
# as a cause only when it pushed the mechanism the way the mechanism actually went.
DRIVERS: dict[str, dict[str, int]] = {
    # Counter-pressure: Pakistan's effort (scaled up by US intelligence) split by its
    # priorities, which the bargain levers and China's pressure shift; Taliban effort;
    # US drones; a host's tolerance shields its guests.
    "pressure.TTP": {"PAK.ct_effort": 1, "US.intel_sharing": 1, "US.drone_strikes": 1,
                     "US.help_vs_ttp_bla": 1, "PAK.support_vs_iskp": -1,
                     "CHN.security_pressure": -1, "AFG.ttp_tolerance": -1},
    "pressure.ISKP": {"PAK.ct_effort": 1, "US.intel_sharing": 1, "US.drone_strikes": 1,
                      "PAK.support_vs_iskp": 1, "AFG.action_vs_iskp": 1,
                      "US.help_vs_ttp_bla": -1, "CHN.security_pressure": 1},
    "pressure.BLA": {"PAK.ct_effort": 1, "US.intel_sharing": 1, "CHN.security_pressure": 1,
                     "US.help_vs_ttp_bla": 1, "PAK.support_vs_iskp": -1},
    "sanctuary.TTP": {"AFG.ttp_tolerance": 1},
    "recruitment.TTP": {"AFG.ttp_tolerance": 1, "US.drone_strikes": 1, "PAK.deportation": 1},
    "recruitment.ISKP": {"US.drone_strikes": 1, "PAK.deportation": 1},
    "recruitment.BLA": {},
    "joint_ops": {"US.joint_ops": 1, "PAK.joint_ops": 1},
    # Tension follows attacks launched across the border: closing it cuts them, sheltering
    # TTP adds to them.
    "tension.PAK-AFG": {"PAK.border_closure": -1, "AFG.ttp_tolerance": 1},
    "trust.PAK-US": {"US.do_more": -1, "US.military_aid_pak": 1, "US.civil_aid_pak": 1,
                     "US.drone_strikes": -1},
    "economy.PAK": {"CHN.cpec_investment": 1},
    "economy.AFG": {"US.reserves_release": 1, "CHN.afghan_mining": 1},
    "exposure.china": {"CHN.cpec_investment": 1, "CHN.afghan_mining": 1},
}  # fmt: skip

# How a group's mechanisms act on its attacks and strength: +1 the same way, -1 against.
GROUP_MECHANISMS = (
    ("pressure", "counter-pressure on {g}", "mean", -1),
    ("sanctuary", "{g}'s sanctuary", "mean", 1),
    ("recruitment", "{g}'s recruitment", "sum", 1),
)

OUTCOMES = (
    ("attacks.PAK", "attacks in Pakistan", "sum"),
    ("attacks.AFG", "attacks in Afghanistan", "sum"),
    ("attacks.china_interests", "attacks on Chinese interests", "sum"),
    ("strength.ISKP", "ISKP's strength", "last"),
    ("strength.TTP", "TTP's strength", "last"),
    ("strength.BLA", "BLA's strength", "last"),
    ("tension.PAK-AFG", "Pakistan-Taliban tension", "last"),
    ("trust.PAK-US", "Pakistan's trust in the US", "last"),
    ("economy.PAK", "Pakistan's economy", "last"),
    ("economy.AFG", "Afghanistan's economy", "last"),
)


@dataclass(frozen=True)
class Change:
    metric: str
    label: str
    game: float
    status_quo: float
    count: bool = False

    @property
    def relative(self) -> float:
        return (self.game - self.status_quo) / max(abs(self.status_quo), 1e-9)

    def words(self) -> str:
        pct = self.relative * 100
        way = "higher" if pct > 0 else "lower"
        n = (lambda x: f"{x:,.0f}") if self.count else _n
        return f"{self.label} {n(self.game)} against {n(self.status_quo)} ({abs(pct):.0f}% {way})"


def _n(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.2f}"


def measure(game, metric: str, how: str = "sum") -> tuple[float, float]:
    """(game, status quo) medians over the runs for the turns played: totals or end values."""
    from sim.model.recorder import INDEX

    months = game.played * R.MONTHS_PER_TURN
    if months == 0:
        return 0.0, 0.0
    j = INDEX[metric]
    out = []
    for model in (game.model, game.status_quo):
        series = model.recorder.by_metric[:months, j, :].astype(np.float64)
        value = series.sum(axis=0) if how == "sum" else (
            series.mean(axis=0) if how == "mean" else series[-1])  # fmt: skip
        out.append(float(np.median(value)))
    return out[0], out[1]


def _sign(x: float, eps: float = 1e-9) -> int:
    return 0 if abs(x) <= eps else (1 if x > 0 else -1)


def lever_moves(game, drivers: dict[str, int], direction: int) -> list[str]:
    """The lever changes (from the scenario's start) that pushed a mechanism in
    ``direction`` (+1 up, -1 down), with the turn and the reason of the last move."""
    start = game.scenario.levers
    moves = []
    for key, effect in drivers.items():
        role, name = key.split(".")
        now = game.lever(role, name)
        if _sign(now - start[role][name]) * effect != direction or direction == 0:
            continue
        last = next(
            (e for e in reversed(game.log) if e.kind == "set" and e.role == role
             and e.detail.get("lever") == name), None)  # fmt: skip
        why = ""
        if last is not None:
            why = f" in turn {last.turn}"
            if last.reason:
                why += f", because {last.reason}"
        moves.append(f"{role} moved {name} from {_n(start[role][name])} to {_n(now)}{why}")
    return moves


def deal_moves(game, a: str, b: str, direction: int) -> list[str]:
    """Deals between two roles that moved their trust in ``direction``: a deal struck builds
    trust, a broken one costs it."""
    out = []
    for o in game.offers:
        if {a, b} != set(o.spec.parties) or o.status not in ("accepted", "broken"):
            continue
        if direction > 0:
            later = f" (later broken by {o.broken_by})" if o.status == "broken" else ""
            out.append(f"the {o.kind} deal struck in turn {o.accepted_turn}{later}")
        elif o.status == "broken" and direction < 0:
            out.append(f"{o.broken_by} broke the {o.kind} deal")
    return out


def causes(game, threshold: float = 0.03) -> list[tuple[str, str]]:
    """(a short sentence for students, the full causal detail) per outcome that moved,
    largest changes first, then the deals struck."""
    if game.played == 0:
        return [("No turn was played.", "No turn was played.")]
    changes = []
    for metric, label, how in OUTCOMES:
        g, s = measure(game, metric, how)
        c = Change(metric, label, g, s, count=how == "sum")
        if abs(c.relative) >= threshold:
            changes.append(c)
    changes.sort(key=lambda c: -abs(c.relative))
    out = []
    for c in changes[:6]:
        short, detail = _because(game, c)
        words = c.words()
        pct = abs(c.relative) * 100
        way = "higher" if c.relative > 0 else "lower"
        verb = "were" if c.count else "ended"
        head = f"{c.label[0].upper()}{c.label[1:]} {verb} {pct:.0f}% {way}"
        out.append((f"{head} than if nobody had changed course{short}.",
                    f"{words[0].upper()}{words[1:]}{detail}."))  # fmt: skip
    struck: dict[str, list] = {}
    for o in game.offers:
        if o.status in ("accepted", "broken"):
            struck.setdefault(o.kind, []).append(o)
    for kind, deals in struck.items():  # one line per kind of deal, every strike in detail
        turns = ", ".join(str(o.accepted_turn) for o in deals)
        broken = [o for o in deals if o.status == "broken"]
        kept = "kept to the end" if not broken else (
            f"broken by {', '.join(sorted({o.broken_by for o in broken}))}"
            + (f" {R.count(len(broken), 'time')}" if len(broken) > 1 else ""))  # fmt: skip
        short = f"Deal {kind} was struck in turn{'s' if len(deals) > 1 else ''} {turns}, {kept}."
        detail = " ".join(
            f"Deal {kind} ({o.spec.title}) was struck in turn {o.accepted_turn}"
            + (f", broken by {o.broken_by}." if o.status == "broken" else ", kept to the end.")
            for o in deals
        )
        out.append((short, detail))
    if not changes:
        text = (
            f"No main outcome moved {threshold:.0%} or more from the status quo: the roles' "
            "choices did not shift the model's course within the turns played."
        )
        out.insert(0, (text, text))
    return out


def explain(game, threshold: float = 0.03) -> list[str]:
    """The full causal sentences, largest changes first."""
    return [detail for _, detail in causes(game, threshold)]


def _country_attacks(game, country: str, group: str) -> tuple[float, float]:
    """A group's attacks in one country (game, status quo): Pakistan's are recorded; the
    rest of a group's attacks are in Afghanistan."""
    pak = measure(game, f"attacks.PAK.{group}")
    if country == "PAK":
        return pak
    total = measure(game, f"attacks.{group}")
    return total[0] - pak[0], total[1] - pak[1]


def _because(game, c: Change) -> tuple[str, str]:
    """(a short clause, the detailed mechanism and moves) behind one outcome's change."""
    way = _sign(c.relative)
    if c.metric in ("attacks.PAK", "attacks.AFG"):
        country = c.metric.split(".")[1]
        where = "in Pakistan" if country == "PAK" else "in Afghanistan"
        parts = []
        for g in GROUPS:
            gg, gs = _country_attacks(game, country, g)
            parts.append((gg - gs, g))
        delta, group = max(parts, key=lambda p: abs(p[0]) if _sign(p[0]) == way else 0)
        short = f", mostly {group}'s attacks {where} ({delta:+,.0f})"
        return short, f"{short}: " + _group_story(game, group, way)
    if c.metric == "attacks.china_interests":
        moves = lever_moves(game, DRIVERS["exposure.china"], way)
        exposure = f"; Chinese exposure: {'; '.join(moves)}" if moves else ""
        if moves:
            short = (", mainly as Chinese money put more people and projects in harm's way"
                     if way > 0 else ", mainly as less Chinese money was exposed")  # fmt: skip
        else:
            short = ", as BLA, their main attacker, " + (
                "grew bolder" if way > 0 else "was held back")  # fmt: skip
        return short, ": " + _group_story(game, "BLA", way) + exposure
    if c.metric.startswith("strength."):
        story = _group_story(game, c.metric.split(".")[1], way)
        return f", through {story.split(',')[0].split(' (')[0]}", ": " + story
    moves = lever_moves(game, DRIVERS.get(c.metric, {}), way)
    if c.metric.startswith("trust."):
        a, b = c.metric.split(".")[1].split("-")
        moves += deal_moves(game, a, b, way)
    if moves:
        first = moves[0].split(" in turn")[0].split(", because")[0]
        return f", mainly after {first}", ": " + "; ".join(moves[:3])
    drift = MODEL_DRIFT.get(c.metric.split(".")[0], "the model's own dynamics")
    return (
        f", with no player's move pushing it that way ({drift})",
        f", with no lever or deal pushing it that way: it follows {drift}",
    )


# What moves a metric when no player's lever or deal does (sim/model/mechanisms.py).
MODEL_DRIFT = {
    "trust": "the model's trust dynamics: aid paid, joint operations' successes and "
    "failures, attacks across the border, and a slow drift back",
    "tension": "the model's tension dynamics: cross-border attacks, clashes and deportations",
    "economy": "the model's economy: investment, aid, instability and attacks",
}


def _group_story(game, group: str, way: int) -> str:
    """A group's attacks or strength went ``way``: the mechanisms that pushed it there and
    the moves behind them; mechanisms that pushed against it are named as offsets."""
    causes, offsets, moves = [], [], []
    for mech, label, how, effect in GROUP_MECHANISMS:
        g, s = measure(game, f"{mech}.{group}", how)
        if not s or abs(g - s) / abs(s) < 0.02:
            continue
        bit = f"{label.format(g=group)} {'+' if g > s else '-'}{abs(g - s) / abs(s):.0%}"
        if _sign(g - s) * effect == way:
            causes.append(bit)
            moves += lever_moves(game, DRIVERS.get(f"{mech}.{group}", {}), _sign(g - s))
        else:
            offsets.append(bit)
    if group == "ISKP":  # joint operations strike the shared priority
        jg, js = measure(game, "joint_ops")
        if _sign(jg - js):
            bit = f"joint operations {jg:.0f} against {js:.0f}"
            if -_sign(jg - js) == way:
                causes.append(bit)
                moves += lever_moves(game, DRIVERS["joint_ops"], _sign(jg - js))
            else:
                offsets.append(bit)
    text = ", ".join(causes) if causes else "its drivers barely moved that way"
    if moves:
        text += ", after " + "; ".join(list(dict.fromkeys(moves))[:3])
    if offsets:
        text += " (partly offset by " + ", ".join(offsets) + ")"
    return text
