"""The public observations for `durand evidence --observations` and docs/evidence.md.

Each figure with its provenance, the definition the model's output follows for its kind of
quantity, and how the project uses it: a calibration target, cited by a parameter, or
recorded only. Holdout figures (2025 on) are listed with their provenance like any other,
never compared with the model here.
"""

from __future__ import annotations

from importlib import resources
from typing import cast

from sim.inputs.observations import FIT_WINDOW_END, Observation, Observations, observations
from sim.inputs.yamlio import load_packaged


def cited_by_parameters() -> dict[str, list[str]]:
    """Observation id -> registry paths whose entry names it under ``observations:``."""
    text = resources.files("sim").joinpath("data/parameters.yaml").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}

    def walk(node, prefix: str) -> None:
        if not isinstance(node, dict):
            return
        if "value" in node:
            for obs_id in node.get("observations") or []:
                out.setdefault(str(obs_id), []).append(prefix)
            return
        for key, child in node.items():
            walk(child, f"{prefix}.{key}" if prefix else str(key))

    walk(load_packaged(text), "")
    return out


def targeted() -> dict[str, list[str]]:
    """Observation id -> the calibration targets it enters (sim/data/calibration.yaml)."""
    from sim.analysis.calibration import load_spec

    out: dict[str, list[str]] = {}
    for t in load_spec().targets:
        for o in t.observations:
            out.setdefault(o.id, []).append(t.name)
    return out


def _value(o: Observation) -> str:
    if o.is_range:
        lo, hi = cast(tuple[float, float], o.value)
        return f"{lo:,.0f}–{hi:,.0f}"
    v = float(cast(float, o.value))
    return f"{v:g}" if v < 1 else f"{v:,.0f}"


def _uses(o: Observation, targets: dict, cited: dict) -> list[str]:
    uses = []
    if o.holdout:
        uses.append(f"holdout (period ends after {FIT_WINDOW_END}): never fitted")
    if o.id in targets:
        uses.append("calibration target: " + ", ".join(targets[o.id]))
    if o.id in cited:
        uses.append("cited by parameter " + ", ".join(cited[o.id]))
    if not uses:
        uses.append("recorded only (not fitted)")
    return uses


def as_text(obs: Observations | None = None) -> str:
    obs = obs or observations()
    targets, cited = targeted(), cited_by_parameters()
    out = []
    for o in obs:
        name, d = obs.definition_of(o)
        s = o.source
        out.append(
            f"{o.id} = {_value(o)} {o.unit} ({o.quantity}, {o.geography}, {o.group}, "
            f"{o.period.label})"
        )
        out.append(f"  source: {s.publisher}, {s.title} ({s.date}) {s.url}")
        if s.reported_by:
            out.append(f"  reported by: {s.reported_by}")
        out.append(f'  quote: "{o.quote.strip()}"')
        out.append(f"  definition: {o.definition}")
        out.append(f"  model follows ({name}): {d.follows} -> {d.model_output}")
        for use in _uses(o, targets, cited):
            out.append(f"  use: {use}")
        if o.notes:
            out.append(f"  notes: {o.notes}")
        out.append("")
    n_hold = sum(o.holdout for o in obs)
    n_target = sum(1 for o in obs if o.id in targets)
    out.append(
        f"{len(obs)} observations: {len(obs) - n_hold} for 2023-2024 ({n_target} are "
        f"calibration targets), {n_hold} holdout (2025 on, never fitted)."
    )
    return "\n".join(out)


def as_markdown(obs: Observations | None = None) -> str:
    obs = obs or observations()
    targets, cited = targeted(), cited_by_parameters()
    lines = [
        "# Public observations",
        "",
        "From `sim/data/observations.yaml` (`durand evidence --observations`): published",
        "figures with publisher, report, date, URL, the sentence they come from, their",
        "definition and period. Sources disagree, by up to a factor of two on attack counts;",
        "each is recorded, and for each kind of quantity the model's output follows one",
        "definition:",
        "",
        "| quantity | model output | follows | alternatives |",
        "|---|---|---|---|",
    ]
    for name, d in obs.definitions.items():
        lines.append(f"| {name} | {d.model_output} | {d.follows} | {d.alternatives or '–'} |")
    lines += [
        "",
        f"Figures for periods ending after {FIT_WINDOW_END} are a holdout: listed here with",
        "their provenance, never fitted or tuned against (the fit is in",
        "[validation.md](validation.md)).",
        "",
    ]
    for o in obs:
        s = o.source
        by = f"; reported by {s.reported_by}" if s.reported_by else ""
        lines += [
            f"### `{o.id}` = {_value(o)} {o.unit}",
            "",
            f"*{o.quantity}, {o.geography}, {o.group}, {o.period.label}.* "
            f"{s.publisher}, *{s.title}* ({s.date}), <{s.url}>{by}.",
            "",
            f"> {o.quote.strip()}",
            "",
            f"- *definition:* {o.definition}",
        ]
        lines += [f"- *use:* {u}" for u in _uses(o, targets, cited)]
        if o.notes:
            lines.append(f"- *notes:* {o.notes}")
        lines.append("")
    return "\n".join(lines)
