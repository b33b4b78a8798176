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

# Which levers act on which recorded mechanism (from sim/mechanisms.py and docs/model.md).
DRIVERS = {
    "pressure.TTP": ("PAK.ct_effort", "US.help_vs_ttp_bla", "US.joint_ops", "PAK.joint_ops",
                     "US.intel_sharing", "US.drone_strikes", "AFG.cooperation_pak",
                     "CHN.security_pressure"),
    "pressure.ISKP": ("PAK.support_vs_iskp", "US.joint_ops", "PAK.joint_ops", "US.intel_sharing",
                      "AFG.action_vs_iskp", "PAK.ct_effort", "US.drone_strikes"),
    "pressure.BLA": ("PAK.ct_effort", "CHN.security_pressure", "US.help_vs_ttp_bla",
                     "US.joint_ops", "PAK.joint_ops"),
    "sanctuary.TTP": ("AFG.ttp_tolerance", "PAK.border_closure"),
    "sanctuary.ISKP": ("AFG.action_vs_iskp", "PAK.border_closure"),
    "sanctuary.BLA": ("PAK.border_closure",),
    "tension.PAK-AFG": ("PAK.deportation", "PAK.border_closure", "AFG.ttp_tolerance",
                        "AFG.cooperation_pak"),
    "trust.PAK-US": ("US.do_more", "US.military_aid_pak", "US.civil_aid_pak", "US.joint_ops"),
    "economy.PAK": ("CHN.cpec_investment", "US.civil_aid_pak", "US.military_aid_pak"),
    "economy.AFG": ("US.reserves_release", "CHN.afghan_mining", "PAK.deportation",
                    "PAK.border_closure"),
}  # fmt: skip

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
    from sim.recorder import INDEX

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


def lever_moves(game, keys) -> list[str]:
    """The changes players and bots made to these levers, with turn and reason."""
    start = game.scenario.levers
    moves = []
    for key in keys:
        role, name = key.split(".")
        now = game.lever(role, name)
        if abs(now - start[role][name]) < 1e-9:
            continue
        first = next(
            (e for e in reversed(game.log) if e.kind == "set" and e.role == role
             and e.detail.get("lever") == name), None)  # fmt: skip
        why = ""
        if first is not None:
            why = f" in turn {first.turn}"
            if first.reason:
                why += f", because {first.reason}"
        moves.append(f"{role} moved {name} from {_n(start[role][name])} to {_n(now)}{why}")
    return moves


def explain(game, threshold: float = 0.03) -> list[str]:
    """Sentences, largest changes first."""
    if game.played == 0:
        return ["No turn was played."]
    changes = []
    for metric, label, how in OUTCOMES:
        g, s = measure(game, metric, how)
        c = Change(metric, label, g, s, count=how == "sum")
        if abs(c.relative) >= threshold:
            changes.append(c)
    changes.sort(key=lambda c: -abs(c.relative))
    lines = []
    for c in changes[:6]:
        lines.append(f"{c.words()[0].upper()}{c.words()[1:]}{_because(game, c)}.")
    deals = [o for o in game.offers if o.status in ("accepted", "broken")]
    for o in deals:
        ended = f", broken by {o.broken_by}" if o.status == "broken" else ", kept to the end"
        lines.append(f"Deal {o.kind} ({o.spec.title}) was struck in turn {o.accepted_turn}{ended}.")
    if not changes:
        lines.insert(
            0,
            f"No main outcome moved {threshold:.0%} or more from the status quo: the roles' "
            "choices did not shift the model's course within the turns played.",
        )
    return lines


def _because(game, c: Change) -> str:
    """The mechanism and the moves behind one outcome's change."""
    if c.metric in ("attacks.PAK", "attacks.AFG"):
        parts = []
        for g in GROUPS:
            gg, gs = measure(game, f"attacks.{g}")
            parts.append((gg - gs, g))
        delta, group = max(parts, key=lambda p: abs(p[0]) if (p[0] > 0) == (c.relative > 0) else 0)
        return f", mostly {group} ({delta:+,.0f} attacks): " + _group_story(game, group)
    if c.metric == "attacks.china_interests":
        moves = lever_moves(game, ("CHN.cpec_investment", "CHN.afghan_mining"))
        exposure = f"; Chinese exposure: {'; '.join(moves)}" if moves else ""
        return ": " + _group_story(game, "BLA") + exposure
    if c.metric.startswith("strength."):
        return ": " + _group_story(game, c.metric.split(".")[1])
    keys = DRIVERS.get(c.metric, ())
    moves = lever_moves(game, keys)
    return (
        (": " + "; ".join(moves[:3]))
        if moves
        else ", with no lever behind it moved (the model's own dynamics)"
    )


def _group_story(game, group: str) -> str:
    bits = []
    for mech, label, how in (
        ("pressure", f"counter-pressure on {group}", "mean"),
        ("sanctuary", f"{group}'s sanctuary", "mean"),
        ("recruitment", f"{group}'s recruitment", "sum"),
    ):
        g, s = measure(game, f"{mech}.{group}", how)
        if s and abs(g - s) / abs(s) >= 0.02:
            bits.append(f"{label} {'+' if g > s else '-'}{abs(g - s) / abs(s):.0%}")
    if group == "ISKP":
        jg, js = measure(game, "joint_ops")
        if jg != js:
            bits.append(f"joint operations {jg:.0f} against {js:.0f}")
    keys = DRIVERS.get(f"pressure.{group}", ()) + DRIVERS.get(f"sanctuary.{group}", ())
    moves = lever_moves(game, dict.fromkeys(keys))
    text = ", ".join(bits) if bits else "its drivers barely moved"
    if moves:
        text += ", after " + "; ".join(moves[:3])
    return text
