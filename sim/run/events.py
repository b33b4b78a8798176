"""Notable events, read off a run's result table after the fact.

Events are derived from the recorded metrics (not logged inside the hot loop), so they
cost nothing while the model runs and any result table, old or new, can be explained.
Each event names the mechanism behind it, so a reader can look it up in docs/model.md.

Detection is vectorised over months and replicates; the result is one ``EventTable``
(columns, one row per event) that is written as JSON Lines and, for Parquet runs, as a
table, without building a Python dict per event.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from sim import GROUPS
from sim.model.geography import REGIONS, geography
from sim.model.state import build_params
from sim.run.runner import RunResult

FIELDS = ("replicate", "month", "date", "type", "actors", "region", "explanation", "mechanism")


@dataclass
class _Found:
    """The events one detector found: positions and months as arrays, texts as a list."""

    pos: np.ndarray  # replicate positions
    t: np.ndarray  # month indices
    kind: str
    mechanism: str
    text: list[str]
    actors: tuple[str, ...] | list[tuple[str, ...]]  # one tuple for all rows, or a list
    region: str | None | list[str] = None  # one for all rows, or a list

    def per_row(self, value) -> list:
        return value if isinstance(value, list) else [value] * len(self.pos)


@dataclass
class EventTable:
    """Every notable event of a run in order: scheduled events, then by replicate and month.

    Columns are lists (or arrays) of equal length; ``replicate`` is None for scheduled
    events, which hold in every replicate.
    """

    replicate: list[int | None] = field(default_factory=list)
    month: list[int] = field(default_factory=list)
    date: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    actors: list[tuple[str, ...]] = field(default_factory=list)
    region: list[str | None] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    mechanism: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.month)

    def rows(self) -> Iterator[dict]:
        """One dict per event (for the viewer; writers use the columns)."""
        cols = [getattr(self, f) for f in FIELDS]
        for values in zip(*cols, strict=True):
            row = dict(zip(FIELDS, values, strict=True))
            row["actors"] = list(row["actors"])
            yield row

    def json_lines(self) -> str:
        """The events as JSON Lines, as ``json.dumps`` writes each row (UTF-8, no escaping
        of non-ASCII), assembled from per-column JSON fragments."""
        dumps = json.dumps
        memo: dict = {}

        def frag(value):  # repeated values (types, actors, dates...) are encoded once
            if value not in memo:
                plain = list(value) if isinstance(value, tuple) else value
                memo[value] = dumps(plain, ensure_ascii=False)
            return memo[value]

        def text_frag(text: str) -> str:  # most texts need no escaping: skip the encoder
            plain = text.isprintable() and '"' not in text and "\\" not in text
            return f'"{text}"' if plain else dumps(text, ensure_ascii=False)

        lines = [
            f'{{"replicate": {"null" if rep is None else rep}, "month": {month}, '
            f'"date": {frag(date)}, "type": {frag(kind)}, "actors": {frag(actors)}, '
            f'"region": {frag(region)}, "explanation": {text_frag(text)}, '
            f'"mechanism": {frag(mech)}}}\n'
            for rep, month, date, kind, actors, region, text, mech in zip(
                *(getattr(self, f) for f in FIELDS), strict=True
            )
        ]
        return "".join(lines)

    def to_arrow(self):
        """The events as a pyarrow Table (actors as a list of names)."""
        import pyarrow as pa

        return pa.table(
            {
                "replicate": pa.array(self.replicate, pa.int64()),
                "month": pa.array(self.month, pa.int64()),
                "date": pa.array(self.date, pa.string()).dictionary_encode(),
                "type": pa.array(self.type, pa.string()).dictionary_encode(),
                "actors": _coded(self.actors, pa.list_(pa.string())),
                "region": pa.array(self.region, pa.string()),
                "explanation": pa.array(self.explanation, pa.string()),
                "mechanism": pa.array(self.mechanism, pa.string()).dictionary_encode(),
            }
        )


def _coded(values: list, type_):
    """A pyarrow array of many repeats of few distinct values, built from the distinct ones."""
    import pyarrow as pa

    codes: dict = {}
    index = [codes.setdefault(v, len(codes)) for v in values]
    distinct = [list(v) if isinstance(v, tuple) else v for v in codes]
    return pa.array(distinct, type_).take(pa.array(index, pa.int32()))


def notable_events(result: RunResult) -> Iterator[dict]:
    """Scheduled policy changes and shocks first, then per-replicate events by month."""
    return event_table(result).rows()


def event_table(result: RunResult) -> EventTable:
    """Scheduled events first, then each replicate's events by month (for one replicate
    and month, in detector order)."""
    dates = result.dates()
    table = EventTable()
    for ev in result.applied:
        for name, value in _scheduled(ev, dates).items():
            getattr(table, name).append(value)
    p = build_params(result.scenario.params)
    found = [
        f
        for detector in (_joint_ops, _clashes, _china_attacks, _surges, _thresholds)
        for f in detector(result, p)
        if len(f.pos)
    ]
    if not found:
        return table
    pos = np.concatenate([f.pos for f in found]).astype(np.int64)
    t = np.concatenate([f.t for f in found]).astype(np.int64)
    order = np.lexsort((np.arange(len(pos)), t, pos))  # stable: detector order kept
    index = order.tolist()

    def column(values_of) -> list:
        flat: list = []
        for f in found:
            flat.extend(values_of(f))
        return [flat[i] for i in index]

    table.replicate += result.replicate_ids.astype(np.int64)[pos[order]].tolist()
    table.month += (t[order] + 1).tolist()
    table.date += [dates[i] for i in t[order].tolist()]
    table.type += column(lambda f: f.per_row(f.kind))
    table.actors += column(lambda f: f.per_row(f.actors))
    table.region += column(lambda f: f.per_row(f.region))
    table.explanation += column(lambda f: f.text)
    table.mechanism += column(lambda f: f.per_row(f.mechanism))
    return table


def _scheduled(ev, dates) -> dict:
    if ev.kind == "set":
        ((key, value),) = ev.detail.items()
        state, lever = key.split(".", 1)
        text = f"{state} sets {lever} to {value:g}"
        actors = (state,)
    else:
        text = f"shock: {ev.kind.replace('_', ' ')} " + ", ".join(
            f"{k}={v}" for k, v in ev.detail.items() if k != "type"
        )
        actors = tuple(
            ev.detail.get(k) for k in ("group", "country", "source", "target") if ev.detail.get(k)
        )
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


def _hits(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(replicate positions, months) where a (months, R) mask holds, by month then replicate."""
    ts, rs = np.nonzero(mask)
    return rs, ts


def _main_pak_regions(p) -> dict[str, str]:
    """The Pakistani region where each group is most present (where operations against it land)."""
    pak = np.flatnonzero(geography().in_country("PAK"))
    presence = p.groups.presence[:, pak]
    return {g: REGIONS[int(pak[presence[i].argmax()])] for i, g in enumerate(GROUPS)}


def _joint_ops(result: RunResult, p) -> Iterator[_Found]:
    r, t = _hits(result.column("joint_ops") > 0)
    success = (result.column("joint_ops.success")[t, r] > 0).tolist()
    target = result.column("joint_ops.target")[t, r].astype(np.int64).tolist()
    overlap = result.column("cooperation.overlap")[t, r].tolist()
    trust = result.column("trust.US-PAK")[t, r].tolist()
    region_of = _main_pak_regions(p)
    groups = [GROUPS[i] for i in target]
    text = [
        f"Joint US-Pakistan operation against {g} {'succeeded' if ok else 'failed'}: "
        f"priorities overlapped ({o:.2f}) and US trust in Pakistan stood at {tr:.2f}; "
        f"{'trust rose' if ok else 'trust fell'} on both sides."
        for g, ok, o, tr in zip(groups, success, overlap, trust, strict=True)
    ]
    actors = {g: ("US", "PAK", g) for g in GROUPS}
    yield _Found(
        r,
        t,
        "joint_operation",
        "M2 cooperation",
        text,
        [actors[g] for g in groups],
        [region_of[g] for g in groups],
    )


def _clashes(result: RunResult, p) -> Iterator[_Found]:
    r, t = _hits(result.column("border_clashes") > 0)
    tension = result.column("tension.PAK-AFG")[t, r].tolist()
    cross = result.column("cross_border_attacks")[t, r].tolist()
    text = [
        f"Pakistani and Afghan Taliban forces clashed on the Durand Line: tension was "
        f"{x:.2f} after {c:.0f} cross-border attacks this month."
        for x, c in zip(tension, cross, strict=True)
    ]
    yield _Found(r, t, "border_clash", "M5 attacks and border tension", text, ("PAK", "AFG"), "KP")


def _china_attacks(result: RunResult, p) -> Iterator[_Found]:
    hits = result.column("attacks.china_interests")
    r, t = _hits(hits >= p.reporting.china_hits_notable)
    conf = result.column("china_confidence")[t, r].tolist()
    text = [
        f"{h:.0f} attacks on Chinese projects or nationals this month; "
        f"China's investment confidence is now {c:.2f}."
        for h, c in zip(hits[t, r].tolist(), conf, strict=True)
    ]
    yield _Found(
        r,
        t,
        "attacks_on_chinese_interests",
        "M6 China's investments and BLA",
        text,
        ("CHN", "BLA", "ISKP"),
    )


def _surges(result: RunResult, p) -> Iterator[_Found]:
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
    r, t0 = _hits(mask)
    t = t0 + window
    regions = np.stack([result.column(f"attacks.{x}")[t, r] for x in REGIONS], axis=1)
    groups = np.stack([result.column(f"attacks.{g}")[t, r] for g in GROUPS], axis=1)
    top_region = [REGIONS[i] for i in regions.argmax(axis=1).tolist()] if len(r) else []
    top_group = [GROUPS[i] for i in groups.argmax(axis=1).tolist()] if len(r) else []
    text = [
        f"{n:.0f} attacks in Pakistan this month against a {window}-month "
        f"average of {avg:.0f}, most by {g}, most in {reg}."
        for n, avg, g, reg in zip(
            pak[t, r].tolist(), trailing[t0, r].tolist(), top_group, top_region, strict=True
        )
    ]
    actors = {g: (g, "PAK") for g in GROUPS}
    yield _Found(
        r, t, "attack_surge", "M5 attacks", text, [actors[g] for g in top_group], top_region
    )


def _first_crossing(series: np.ndarray, level: float, below: bool):
    """(replicate positions, months) where a (months, R) series first crosses ``level``
    after month 0 (a replicate already across at month 0 never counts), by month."""
    crossed = series < level if below else series > level
    first = crossed.argmax(axis=0)
    r = np.flatnonzero(crossed.any(axis=0) & ~crossed[0])
    t = first[r]
    by_month = np.lexsort((r, t))
    return r[by_month], t[by_month]


def _thresholds(result: RunResult, p) -> Iterator[_Found]:
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
    for level, below, kind, mech, template in rules:
        for g in GROUPS:
            series = result.column(f"strength.{g}")
            r, t = _first_crossing(series, level, below)
            text = [template.format(g=g, v=v) for v in series[t, r].tolist()]
            yield _Found(r, t, kind, mech, text, (g,))
    trust = result.column("trust.PAK-AFG")
    r, t = _first_crossing(trust, rep.breakdown_trust_below, True)
    text = [
        f"Pakistan's trust in the Afghan Taliban fell to {v:.2f}." for v in trust[t, r].tolist()
    ]
    yield _Found(r, t, "relations_breakdown", "M5 attacks and border tension", text, ("PAK", "AFG"))
