"""--uncertainty N: wires the sweep layer (parameter sets, runs) to the analysis layer
(robustness of each policy effect). Library code, no printing: the commands render it.

It lives here because sim/analysis and sim/sweep do not import each other.
"""

from __future__ import annotations

from sim.inputs.errors import UsageError
from sim.inputs.scenario import Scenario

DEFAULT_REPLICATES = 40  # per parameter set: modest, because N sets x scenarios run in full
MAX_WORK = 20_000_000  # sets x scenarios x replicates x months (about a few minutes)


def check_request(sets: int | None, workers: int) -> None:
    """Refuse a bad --uncertainty or --workers before anything runs."""
    from sim.sweep.uncertainty import MAX_SETS

    if sets is not None and not 2 <= sets <= MAX_SETS:
        raise UsageError(f"--uncertainty must be between 2 and {MAX_SETS:,}, got {sets}")
    if not 1 <= workers <= 64:
        raise UsageError(f"--workers must be between 1 and 64, got {workers}")


def robustness(
    scenarios: list[Scenario],
    names: list[str],
    metrics: list[str],
    default_effects: dict[tuple[str, str], tuple[float, float, float]],
    *,
    sets: int,
    replicates: int | None = None,
    workers: int = 1,
    progress=None,
):
    """Robustness of every (scenario vs the first, metric) effect over ``sets`` parameter sets."""
    from sim.analysis.compare import FLOW_METRICS
    from sim.analysis.robustness import robustness as analyse
    from sim.sweep.uncertainty import outcome_spec, parameter_sets, run_sets, uncertainties

    reps = replicates or DEFAULT_REPLICATES
    work = sets * len(scenarios) * reps * scenarios[0].months
    if work > MAX_WORK:
        raise UsageError(
            f"--uncertainty {sets} with {reps} replicates and {len(scenarios)} scenarios is "
            f"{work:,} replicate-months, over the limit of {MAX_WORK:,}; use fewer sets or "
            "--replicates"
        )
    runs = [s.with_overrides(replicates=reps) for s in scenarios]
    outcomes = [outcome_spec(m, m, "total" if m in FLOW_METRICS else "final") for m in metrics]
    design = parameter_sets(sets)
    values = run_sets(runs, outcomes, design, workers=workers, progress=progress)
    specs = uncertainties()
    return analyse(
        values,
        design,
        [u.path for u in specs],
        [u.describe() for u in specs],
        metrics,
        names,
        default_effects,
    ), reps


def default_effects(rows: list[dict]) -> dict[tuple[str, str], tuple[float, float, float]]:
    """(scenario, outcome) -> mean paired difference and its CI, from a Comparison's rows."""
    return {
        (r["scenario"], r["outcome"]): (r["diff_mean"], r["diff_ci_low"], r["diff_ci_high"])
        for r in rows
        if "vs" in r
    }


def robustness_of_rows(scenarios, names, metrics, rows, *, sets, replicates, workers,
                       progress=None):  # fmt: skip
    """``robustness`` over the default effects of a comparison's rows."""
    return robustness(
        scenarios,
        names,
        metrics,
        default_effects(rows),
        sets=sets,
        replicates=replicates,
        workers=workers,
        progress=progress,
    )


def for_library(sets: int, replicates: int | None = None, workers: int = 1):
    """The ``robustness`` callable docs/scenarios.md's generator takes (sim/analysis/library)."""

    def run(scenarios, names, metrics, rows):
        results, reps = robustness_of_rows(
            scenarios, names, metrics, rows, sets=sets, replicates=replicates, workers=workers
        )
        return results, sets, reps

    return run
