"""Is a policy conclusion robust to what we do not know?

Reads a table of outcomes over parameter sets (from sim/sweep/uncertainty.py: N sets drawn by
Latin hypercube over the assumptions' plausible ranges, every scenario on the same replicates)
and, for each outcome, reports the policy effect across sets: its median and 90% range, the
share of sets in which the sign found at the default parameters holds ("robust in 87% of
plausible worlds"), and the assumptions the conclusion hinges on — a sensitivity ranking
restricted to the effect (Spearman rank correlation of each parameter with the effect over the
Latin-hypercube sample, with the share of sets keeping the sign in the lower and upper half of
that parameter's range).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HINGES_SHOWN = 3


@dataclass(frozen=True)
class Hinge:
    """One assumption and how strongly the effect follows it across the sample."""

    path: str
    rho: float  # Spearman rank correlation of the parameter's coordinate with the effect
    holds_low: float  # share of sets keeping the sign with the parameter in its lower half
    holds_high: float  # ... in its upper half
    range_text: str

    def describe(self) -> str:
        text = f"{self.path} ({self.range_text}) rho {self.rho:+.2f}"
        if min(self.holds_low, self.holds_high) < 1:
            text += (
                f", sign holds in {self.holds_low:.0%} of sets with it in the lower half of its "
                f"range and {self.holds_high:.0%} in the upper half"
            )
        return text


@dataclass(frozen=True)
class Robustness:
    """One outcome's policy effect across parameter sets."""

    outcome: str
    scenario: str
    default_effect: float  # mean paired difference at the default parameters
    mc_ci: tuple[float, float]  # its bootstrap 95% CI: Monte Carlo noise only
    effects: np.ndarray  # (sets,) mean paired difference in each parameter set
    hinges: tuple[Hinge, ...]

    @property
    def median(self) -> float:
        return float(np.median(self.effects))

    @property
    def p05(self) -> float:
        return float(np.percentile(self.effects, 5))

    @property
    def p95(self) -> float:
        return float(np.percentile(self.effects, 95))

    @property
    def sign(self) -> int:
        """The conclusion at the default parameters: +1 raises, -1 lowers, 0 no effect."""
        return int(np.sign(self.default_effect))

    @property
    def share_holding(self) -> float:
        """Share of parameter sets in which the default conclusion's sign holds."""
        if self.sign == 0:
            return float("nan")
        return float((np.sign(self.effects) == self.sign).mean())

    def verdict(self) -> str:
        if self.sign == 0:
            return "no effect at the defaults"
        way = "raises" if self.sign > 0 else "lowers"
        return f"{way} it in {self.share_holding:.0%} of plausible worlds"


def effects_per_set(values: np.ndarray) -> np.ndarray:
    """(sets, scenarios, outcomes, R) outcome values -> (sets, scenarios - 1, outcomes) mean
    paired differences from the first scenario (replicate by replicate, then averaged)."""
    return (values[:, 1:] - values[:, :1]).mean(axis=-1)


def hinges(
    effects: np.ndarray, design: np.ndarray, paths: list[str], ranges: list[str], sign: int
) -> tuple[Hinge, ...]:
    """The parameters the effect follows most, by |Spearman rho| over the sample."""
    from scipy.stats import spearmanr

    if np.ptp(effects) == 0:
        return ()
    rho = np.array(
        [
            0.0 if np.ptp(design[:, j]) == 0 else spearmanr(design[:, j], effects).statistic
            for j in range(design.shape[1])
        ]
    )
    rho = np.nan_to_num(rho)
    keep = np.sign(effects) == sign if sign else np.zeros(len(effects), bool)
    out = []
    for j in np.argsort(-np.abs(rho))[:HINGES_SHOWN]:
        low = design[:, j] < 0.5
        out.append(
            Hinge(
                paths[j],
                float(rho[j]),
                float(keep[low].mean()) if low.any() else float("nan"),
                float(keep[~low].mean()) if (~low).any() else float("nan"),
                ranges[j],
            )
        )
    return tuple(out)


def robustness(
    values: np.ndarray,
    design: np.ndarray,
    paths: list[str],
    ranges: list[str],
    outcomes: list[str],
    scenarios: list[str],
    default_effects: dict[tuple[str, str], tuple[float, float, float]],
) -> list[Robustness]:
    """One Robustness per (scenario other than the first, outcome)."""
    eff = effects_per_set(values)
    out = []
    for i, name in enumerate(scenarios[1:]):
        for k, outcome in enumerate(outcomes):
            d0, lo, hi = default_effects[(name, outcome)]
            e = eff[:, i, k]
            sign = int(np.sign(d0))
            out.append(
                Robustness(outcome, name, d0, (lo, hi), e, hinges(e, design, paths, ranges, sign))
            )
    return out


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    digits = 0 if abs(x) >= 10 else 2 if abs(x) < 1 else 1
    return f"{x:+,.{digits}f}"


def render(results: list[Robustness], n_sets: int, replicates: int, console) -> None:
    """The robustness table, beside each effect's Monte Carlo interval, and the hinges."""
    from rich.table import Table

    console.print(
        f"\nRobustness across {n_sets} plausible parameter sets (Latin hypercube over every "
        f"assumption's plausible range; {replicates} replicates per set, common random "
        "numbers). The Monte Carlo interval covers chance only; the range across sets covers "
        "what we do not know.\n"
    )
    table = Table(show_edge=False, pad_edge=False)
    for col in ("outcome", "effect", "at defaults [MC 95% CI]", "across sets: median [5–95%]"):
        table.add_column(col, justify="left" if col in ("outcome", "effect") else "right")
    table.add_column("sign holds in")
    for r in results:
        table.add_row(
            r.outcome,
            r.scenario,
            f"{_fmt(r.default_effect)} [{_fmt(r.mc_ci[0])}, {_fmt(r.mc_ci[1])}]",
            f"{_fmt(r.median)} [{_fmt(r.p05)}, {_fmt(r.p95)}]",
            "n/a" if r.sign == 0 else f"{r.share_holding:.0%}",
        )
    console.print(table)
    console.print(
        "\nWhat each conclusion hinges on: the assumptions whose plausible range moves the "
        "effect most (Spearman rank correlation over the sets; + means a higher value moves the "
        f"effect up, - down). With {replicates} replicates per set, a share below 100% for a small "
        "effect can be chance as well as an assumption."
    )
    for r in results:
        if r.sign == 0 or not r.hinges:
            continue
        console.print(f"  {r.outcome}: {r.scenario} {r.verdict()}; hinges on")
        for h in r.hinges:
            console.print(f"    - {h.describe()}")


def as_rows(results: list[Robustness]) -> list[dict]:
    """For robustness.csv: one row per outcome and scenario."""
    return [
        {
            "outcome": r.outcome,
            "scenario": r.scenario,
            "effect_at_defaults": r.default_effect,
            "mc_ci_low": r.mc_ci[0],
            "mc_ci_high": r.mc_ci[1],
            "effect_median": r.median,
            "effect_p05": r.p05,
            "effect_p95": r.p95,
            "sign_holds_share": r.share_holding,
            "hinges": "; ".join(f"{h.path} ({h.rho:+.2f})" for h in r.hinges),
        }
        for r in results
    ]
