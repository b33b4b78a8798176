"""Notable events, read off a run's result table after the fact.

Events are derived from the recorded metrics (not logged inside the hot loop), so they
cost nothing while the model runs and any result table, old or new, can be explained.
Each event names the mechanism behind it, so a reader can look it up in docs/model.md.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from sim import GROUPS
from sim.model.geography import REGIONS, geography
from sim.model.state import build_params
from sim.run.runner import RunResult


def notable_events(result: RunResult) -> Iterator[dict]:
    """Scheduled policy changes and shocks first, then per-replicate events by month."""
    dates = result.dates()
    for ev in result.applied:
        yield _scheduled(ev, dates)
    p = build_params(result.scenario.params)
    found: list[tuple[int, int, dict]] = []
    for detector in (_joint_ops, _clashes, _china_attacks, _surges, _thresholds):
        found.extend(detector(result, p))
    found.sort(key=lambda x: (x[0], x[1]))
    for rep_pos, t, body in found:
        yield {
            "replicate": int(result.replicate_ids[rep_pos]),
            "month": t + 1,
            "date": dates[t],
            **body,
        }


def _scheduled(ev, dates) -> dict:
    if ev.kind == "set":
        ((key, value),) = ev.detail.items()
        state, lever = key.split(".", 1)
        text = f"{state} sets {lever} to {value:g}"
        actors = [state]
    else:
        text = f"shock: {ev.kind.replace('_', ' ')} " + ", ".join(
            f"{k}={v}" for k, v in ev.detail.items() if k != "type"
        )
        actors = [
            ev.detail.get(k) for k in ("group", "country", "source", "target") if ev.detail.get(k)
        ]
    if ev.note:
        text += f" ({ev.note})"
    return {
        "replicate": None,
        "month": ev.month + 1,
        "date": dates[min(ev.month, len(dates) - 1)],
        "type": "policy" if ev.kind == "set" else "shock",
        "actors": actors,
        "region": None,
        "explanation": text,
        "mechanism": "scenario event",
    }


def _event(kind: str, actors: list, region: str | None, mechanism: str, text: str) -> dict:
    return {
        "type": kind,
        "actors": actors,
        "region": region,
        "explanation": text,
        "mechanism": mechanism,
    }


def _hits(mask: np.ndarray) -> Iterator[tuple[int, int]]:
    ts, rs = np.nonzero(mask)
    yield from zip(rs.tolist(), ts.tolist(), strict=True)


def _main_pak_regions(p) -> dict[str, str]:
    """The Pakistani region where each group is most present (where operations against it land)."""
    pak = np.flatnonzero(geography().in_country("PAK"))
    presence = p.groups.presence[:, pak]
    return {g: REGIONS[int(pak[presence[i].argmax()])] for i, g in enumerate(GROUPS)}


def _joint_ops(result: RunResult, p):
    attempted = result.column("joint_ops") > 0
    success = result.column("joint_ops.success") > 0
    target = result.column("joint_ops.target")
    overlap = result.column("cooperation.overlap")
    trust = result.column("trust.US-PAK")
    region_of = _main_pak_regions(p)
    for r, t in _hits(attempted):
        group = GROUPS[int(target[t, r])]
        ok = bool(success[t, r])
        yield (
            r,
            t,
            _event(
                "joint_operation",
                ["US", "PAK", group],
                region_of[group],
                "M2 cooperation",
                (
                    f"Joint US-Pakistan operation against {group} "
                    f"{'succeeded' if ok else 'failed'}: priorities overlapped "
                    f"({overlap[t, r]:.2f}) and US trust in Pakistan stood at {trust[t, r]:.2f}; "
                    f"{'trust rose' if ok else 'trust fell'} on both sides."
                ),
            ),
        )


def _clashes(result: RunResult, p):
    clash = result.column("border_clashes") > 0
    tension = result.column("tension.PAK-AFG")
    cross = result.column("cross_border_attacks")
    for r, t in _hits(clash):
        yield (
            r,
            t,
            _event(
                "border_clash",
                ["PAK", "AFG"],
                "KP",
                "M5 attacks and border tension",
                (
                    f"Pakistani and Afghan Taliban forces clashed on the Durand Line: tension was "
                    f"{tension[t, r]:.2f} after {cross[t, r]:.0f} cross-border attacks this month."
                ),
            ),
        )


def _china_attacks(result: RunResult, p):
    hits = result.column("attacks.china_interests")
    conf = result.column("china_confidence")
    for r, t in _hits(hits >= p.reporting.china_hits_notable):
        yield (
            r,
            t,
            _event(
                "attacks_on_chinese_interests",
                ["CHN", "BLA", "ISKP"],
                None,
                "M6 China's investments and BLA",
                (
                    f"{hits[t, r]:.0f} attacks on Chinese projects or nationals this month; "
                    f"China's investment confidence is now {conf[t, r]:.2f}."
                ),
            ),
        )


def _surges(result: RunResult, p):
    rep = p.reporting
    window = int(rep.surge_window)
    pak = result.column("attacks.PAK").astype(np.float64)
    if pak.shape[0] <= window:
        return
    # Mean of the previous `window` months for every month and replicate at once.
    totals = np.vstack([np.zeros((1, pak.shape[1])), np.cumsum(pak, axis=0)])
    trailing = (totals[window:-1] - totals[: -window - 1]) / window
    now = pak[window:]
    mask = (now >= rep.surge_ratio * trailing) & (now - trailing >= rep.surge_min_extra)
    regions = np.stack([result.column(f"attacks.{x}") for x in REGIONS], axis=2)
    groups = np.stack([result.column(f"attacks.{g}") for g in GROUPS], axis=2)
    for r, t0 in _hits(mask):
        t = t0 + window
        top_region = REGIONS[int(regions[t, r].argmax())]
        top_group = GROUPS[int(groups[t, r].argmax())]
        yield (
            r,
            t,
            _event(
                "attack_surge",
                [top_group, "PAK"],
                top_region,
                "M5 attacks",
                (
                    f"{pak[t, r]:.0f} attacks in Pakistan this month against a {window}-month "
                    f"average of {trailing[t0, r]:.0f}, most by {top_group}, most in {top_region}."
                ),
            ),
        )


def _first_crossing(series: np.ndarray, level: float, below: bool) -> Iterator[tuple[int, int]]:
    """(replicate, month) where a (months, R) series first crosses ``level``."""
    crossed = series < level if below else series > level
    was = crossed[0]
    started = np.zeros(series.shape[1], dtype=bool) | was
    for t in range(1, series.shape[0]):
        new = crossed[t] & ~started
        for r in np.flatnonzero(new):
            yield int(r), t
        started |= crossed[t]


def _thresholds(result: RunResult, p):
    rep = p.reporting
    rules = [
        (
            rep.weakened_below,
            True,
            "group_weakened",
            "M3 counterterrorism pressure",
            "{g} has fallen to {v:.2f} of its early-2025 strength.",
        ),
        (
            rep.resurgent_above,
            False,
            "group_resurgent",
            "M4 recruitment",
            "{g} has grown to {v:.2f} times its early-2025 strength.",
        ),
    ]
    for level, below, kind, mech, text in rules:
        for g in GROUPS:
            series = result.column(f"strength.{g}")
            for r, t in _first_crossing(series, level, below):
                yield (
                    r,
                    t,
                    _event(
                        kind,
                        [g],
                        None,
                        mech,
                        text.format(g=g, v=series[t, r]),
                    ),
                )
    trust = result.column("trust.PAK-AFG")
    for r, t in _first_crossing(trust, rep.breakdown_trust_below, True):
        yield (
            r,
            t,
            _event(
                "relations_breakdown",
                ["PAK", "AFG"],
                None,
                "M5 attacks and border tension",
                f"Pakistan's trust in the Afghan Taliban fell to {trust[t, r]:.2f}.",
            ),
        )
