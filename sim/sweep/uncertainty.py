"""Deep uncertainty: the same policies run under many plausible parameter sets.

EMA Workbench's way: every assumed number in the registry carries a plausible range
(``plausible:`` in sim/data/parameters.yaml); a Latin hypercube (SALib) draws N parameter
sets over those ranges; each set runs every scenario with the same replicates and random
streams (common random numbers), so for each set the policy effect is a paired difference.
This module draws the sets and runs them on the sweep runners; analysis of the resulting
table (sim/analysis/robustness.py) reads only the numbers returned here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np

from sim.inputs.limits import OptionError
from sim.inputs.parameters import ParamSpec, default_tree, registry
from sim.inputs.scenario import Scenario
from sim.sweep.execute import make_runner
from sim.sweep.outcomes import Outcome, compute
from sim.sweep.sampling import _problem

# Not uncertainties: reference data (context, not dynamics), reporting thresholds (they
# change which events are listed, never the outcomes), levers (the policies under study)
# the spending caps (scenario checking, not dynamics), and the reference scales the gains
# are stated at (aid, investment, cross-border counts): their uncertainty is the gains'.
NOT_SAMPLED_SECTIONS = ("reference", "reporting", "levers")
NOT_SAMPLED = (
    "states.budget",
    "aid.reference_usd_m",
    "china.reference_usd_m",
    "border.cross_border_reference",
)
MAX_SETS = 4096
DEFAULT_SEED = 20250301  # the Latin hypercube's own seed: the sets are a pure function of N


@dataclass(frozen=True)
class Uncertainty:
    """One assumed parameter and how a unit coordinate u in [0, 1] maps onto its range."""

    path: str
    spec: ParamSpec

    @property
    def kind(self) -> str:
        pl = self.spec.plausible
        return "toward" if pl.toward is not None else "scale" if pl.scale is not None else "range"

    def value(self, u: float, current):
        """The parameter's value at coordinate u, given the scenario's current value."""
        pl = self.spec.plausible
        if self.kind == "range":
            return pl.low + u * (pl.high - pl.low)
        if self.kind == "scale":
            factor = pl.scale[0] + u * (pl.scale[1] - pl.scale[0])
            return _map(current, lambda x: self._clip(x * factor))
        return _blend(current, pl.toward, u)

    def _clip(self, x: float) -> float:
        lo = -np.inf if self.spec.low is None else self.spec.low
        hi = np.inf if self.spec.high is None else self.spec.high
        return float(min(max(x, lo), hi))

    def describe(self) -> str:
        pl = self.spec.plausible
        if self.kind == "range":
            return f"{pl.low:g} to {pl.high:g}"
        if self.kind == "scale":
            return f"x{pl.scale[0]:g} to x{pl.scale[1]:g}"
        return "our table to its alternative"


def _map(value, fn):
    if isinstance(value, dict):
        return {k: _map(v, fn) for k, v in value.items()}
    return fn(value)


def _blend(a, b, u: float):
    if isinstance(a, dict):
        return {k: _blend(a[k], b[k], u) for k in a}
    return (1 - u) * a + u * b


def uncertainties() -> tuple[Uncertainty, ...]:
    """Every assumed parameter with a plausible range wide enough to vary."""
    out = []
    for path, spec in registry().items():
        pl = spec.plausible
        if pl is None or path.split(".")[0] in NOT_SAMPLED_SECTIONS or path in NOT_SAMPLED:
            continue
        if pl.scale is not None and pl.scale[0] == pl.scale[1]:
            continue  # a unit by definition (strength0, funding0)
        if pl.low is not None and pl.low == pl.high:
            continue
        out.append(Uncertainty(path, spec))
    return tuple(out)


def parameter_sets(n: int, seed: int = DEFAULT_SEED) -> np.ndarray:
    """(n, k) unit coordinates of a Latin hypercube over the k uncertainties (SALib)."""
    from SALib.sample import latin

    if not 2 <= n <= MAX_SETS:
        raise OptionError("uncertainty", f"must be between 2 and {MAX_SETS:,}, got {n}")
    return latin.sample(_problem(len(uncertainties())), n, seed=seed)


def scenario_at(scenario: Scenario, u: np.ndarray, specs=None) -> Scenario:
    """The scenario with one parameter set written in.

    A parameter the scenario itself sets (differently from the registry) is part of the
    scenario's story and is left alone; every other assumed parameter takes the set's value.
    """
    specs = uncertainties() if specs is None else specs
    defaults = default_tree()
    params = copy.deepcopy(scenario.params)
    for unc, x in zip(specs, u, strict=True):
        section, *rest = unc.path.split(".")
        node, default = params[section], defaults[section]
        for part in rest[:-1]:
            node, default = node[part], default[part]
        current = node[rest[-1]]
        if current != default[rest[-1]]:
            continue
        node[rest[-1]] = unc.value(float(x), current)
    return replace(scenario, params=params)


@dataclass(frozen=True)
class UncertaintyPlan:
    """What every parameter-set task needs (picklable, sent to the workers)."""

    scenarios: tuple[Scenario, ...]
    outcomes: tuple[Outcome, ...]
    specs: tuple[Uncertainty, ...]


def outcome_spec(name: str, metric: str, stat: str) -> Outcome:
    """A sweep outcome: the run's total (flows) or final value (stocks) of one metric."""
    return Outcome(name, metric, None, stat, None, None)


def run_set(plan: UncertaintyPlan, task: tuple[int, np.ndarray]) -> tuple[int, np.ndarray]:
    """One parameter set: every scenario on the same replicates. (scenarios, outcomes, R)."""
    from sim.model.model import DurandModel

    index, u = task
    out = []
    for base in plan.scenarios:
        model = DurandModel(scenario_at(base, u, plan.specs))
        model.run()
        out.append([compute(o, model.recorder.by_metric) for o in plan.outcomes])
        del model
    return index, np.asarray(out)


def run_sets(
    scenarios: list[Scenario],
    outcomes: list[Outcome],
    design: np.ndarray,
    *,
    workers: int = 1,
    progress=None,
) -> np.ndarray:
    """(sets, scenarios, outcomes, replicates) outcome values, one row per parameter set."""
    plan = UncertaintyPlan(tuple(scenarios), tuple(outcomes), uncertainties())
    runner = make_runner("local", workers)
    results: dict[int, np.ndarray] = {}
    try:
        for index, values in runner.map_unordered(run_set, plan, list(enumerate(design))):
            results[index] = values
            if progress is not None:
                progress(len(results), len(design))
    finally:
        runner.close()
    return np.stack([results[i] for i in range(len(design))])


__all__ = [
    "Uncertainty",
    "uncertainties",
    "parameter_sets",
    "scenario_at",
    "run_sets",
    "outcome_spec",
]
