"""Replaying one run of a sweep: its scenario as a standalone YAML file, seed and replicate.

The scenario file holds the base scenario with the point's factor values written in, so
``durand run`` (or the viewer) runs it as is; replicate K of it is the sweep's row.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml

from sim.inputs.errors import OutputError, UsageError
from sim.inputs.limits import OptionError
from sim.inputs.parameters import default_tree
from sim.inputs.scenario import Scenario, add_months


def _diff(tree, defaults):
    """The parts of ``tree`` that differ from ``defaults`` (nested mappings)."""
    if isinstance(tree, dict) and isinstance(defaults, dict):
        out = {}
        for key, value in tree.items():
            sub = _diff(value, defaults.get(key))
            if sub is not None:
                out[key] = sub
        return out or None
    return None if tree == defaults else tree


def scenario_to_yaml(scenario: Scenario, title: str, description: str = "") -> str:
    """A scenario file that ``load_scenario`` reads back into the same scenario."""
    defaults = default_tree()
    defaults.pop("levers", None)
    events = []
    for e in scenario.events:
        ev: dict = {"at": "{:04d}-{:02d}".format(*add_months(scenario.start, e.month))}
        if e.set:
            ev["set"] = dict(e.set)
        if e.shock is not None:
            ev["shock"] = e.shock.model_dump()
        if e.note:
            ev["note"] = e.note
        events.append(ev)
    doc = {
        "title": title,
        "description": description,
        "start": "{:04d}-{:02d}".format(*scenario.start),
        "months": scenario.months,
        "seed": scenario.seed,
        "replicates": scenario.replicates,
        "parameters": _diff(scenario.params, defaults) or {},
        "levers": scenario.levers,
        "events": events,
    }
    # Floats are written with repr, which reads back to the same bits.
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def replay(sweep_dir: Path, point: int, replicate: int, out: Path | None = None) -> dict:
    """Rebuild run (point, replicate) of a sweep, rerun it, and check it against its row."""
    from sim.inputs.scenario import load_scenario
    from sim.model.model import DurandModel
    from sim.sweep.analysis import load_results
    from sim.sweep.outcomes import compute
    from sim.sweep.spec import load_sweep, point_scenario

    results = load_results(sweep_dir)
    manifest = results.manifest
    if not 0 <= point < manifest["points"]:
        msg = f"must be between 0 and {manifest['points'] - 1}, got {point}"
        raise OptionError("point", msg)
    if not 0 <= replicate < manifest["replicates"]:
        msg = f"must be between 0 and {manifest['replicates'] - 1}, got {replicate}"
        raise OptionError("replicate", msg)
    row = results.runs[(results.runs.point == point) & (results.runs.replicate == replicate)]
    if row.empty:
        raise UsageError(
            f"point {point} has not been run yet in {sweep_dir}; "
            "complete the sweep with {resume}",
            settings={"resume": True},
        )
    sweep = load_sweep(sweep_dir / "spec.yaml", base=sweep_dir / "base-scenario.yaml")
    if sweep.content_hash() != manifest["spec_hash"]:
        raise UsageError(f"{sweep_dir}/spec.yaml no longer matches the sweep's manifest")
    values = results.points.set_index("point").loc[point, sweep.names].to_dict()
    scenario = point_scenario(sweep, values).with_overrides(replicates=replicate + 1)
    title = f"Replay of sweep point {point}, replicate {replicate}"
    desc = (
        f"Sweep {manifest.get('title') or sweep_dir}: the base scenario with "
        + ", ".join(f"{k} = {v!r}" for k, v in values.items())
        + f". Replicate {replicate} of this scenario is the sweep's run."
    )
    text = scenario_to_yaml(scenario, title, desc)
    out = Path(out) if out is not None else sweep_dir / "replays" / f"p{point}-r{replicate}"
    scenario_path = out / "scenario.yaml"
    try:
        out.mkdir(parents=True, exist_ok=True)
        scenario_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the replay to {out}: {exc.strerror or exc}") from None
    # Rerun from the written file, exactly as a user would.
    rerun = load_scenario(scenario_path)
    model = DurandModel(rerun, replicates=np.array([replicate]))
    model.run()
    recomputed = {o.name: float(compute(o, model.recorder.by_metric)[0]) for o in sweep.outcomes}
    recorded = {o.name: float(row[o.name].iloc[0]) for o in sweep.outcomes}
    identical = all(
        np.float64(recomputed[k]).tobytes() == np.float64(recorded[k]).tobytes() for k in recorded
    )
    info = {
        "sweep": str(sweep_dir),
        "point": point,
        "replicate": replicate,
        "seed": rerun.seed,
        "scenario": str(scenario_path),
        "factors": {k: float(v) for k, v in values.items()},
        "outcomes_in_sweep": recorded,
        "outcomes_replayed": recomputed,
        "identical": identical,
        "run_command": (
            f"durand run {scenario_path} --replicates {replicate + 1} --out {out / 'run'}"
        ),
    }
    try:
        (out / "replay.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {out / 'replay.json'}: {exc.strerror or exc}") from None
    return info
