"""Analysis of a finished sweep, from its result tables alone (points, runs, manifest).

Sensitivity uses SALib (Sobol' S1/ST for a Sobol' design, Morris mu*/sigma for a Morris
design, RBD-FAST and PAWN from the given data for any other design); scenario discovery uses EMA
Workbench's PRIM. Nothing here runs the model.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.inputs.errors import DurandError, OutputError, UsageError
from sim.inputs.limits import OptionError


@dataclass
class SweepResults:
    path: Path
    manifest: dict
    points: pd.DataFrame  # point, factor columns
    runs: pd.DataFrame  # point, replicate, outcome columns (sorted)

    @property
    def factors(self) -> list[str]:
        return [f["name"] for f in self.manifest["factors"]]

    @property
    def outcomes(self) -> list[str]:
        return list(self.manifest["outcomes"])

    @property
    def complete(self) -> bool:
        return self.runs["point"].nunique() == self.manifest["points"]


def load_results(sweep_dir: Path) -> SweepResults:
    sweep_dir = Path(sweep_dir)
    try:
        manifest = json.loads((sweep_dir / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{sweep_dir} holds no sweep (no manifest.json)") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{sweep_dir}/manifest.json is unreadable ({exc})") from None
    if manifest.get("kind") != "durand-sweep":
        raise UsageError(f"{sweep_dir}/manifest.json is not a durand sweep's manifest")
    points = pd.read_parquet(sweep_dir / "points.parquet").sort_values("point")
    runs_path = sweep_dir / "runs.parquet"
    if runs_path.is_dir() and not any(p.suffix == ".parquet" for p in runs_path.iterdir()):
        runs = pd.DataFrame(columns=["point", "replicate", *manifest["outcomes"]])
    else:
        runs = pd.read_parquet(runs_path)
    runs = runs.sort_values(["point", "replicate"]).reset_index(drop=True)
    return SweepResults(sweep_dir, manifest, points.reset_index(drop=True), runs)


def _need_outcome(res: SweepResults, outcome: str) -> None:
    if outcome not in res.outcomes:
        raise UsageError(f"unknown outcome '{outcome}'; this sweep has: {', '.join(res.outcomes)}")


def _need_complete(res: SweepResults, what: str) -> None:
    if not res.complete:
        done = res.runs["point"].nunique()
        raise UsageError(
            f"{what} needs the whole sweep, and {res.path} has {done} of "
            f"{res.manifest['points']} points; complete the sweep with {{resume}}",
            settings={"resume": True},
        )


# ------------------------------------------------------------------ sensitivity


@dataclass
class Sensitivity:
    outcome: str
    method: str  # sobol, morris or rbd_fast
    note: str
    table: pd.DataFrame  # one row per factor, most influential first
    rank_by: str
    png: Path | None = None
    csv: Path | None = None


_METHOD_NOTES = {
    "sobol": "Sobol' indices (SALib, Saltelli design): S1 first-order, ST total-order, "
    "with 95% bootstrap confidence intervals.",
    "morris": "Morris elementary effects (SALib): mu* mean absolute effect, sigma its "
    "spread (interactions or non-linearity), with a 95% interval on mu*.",
    "rbd_fast": "This {sampler} design is not a Sobol' or Morris design, so indices are "
    "estimated from the given data: first-order S1 by RBD-FAST (SALib rbd_fast, Plischke "
    "2010) with a 95% bootstrap interval, and the moment-independent PAWN index (median "
    "KS distance, SALib pawn). For total-order indices, sweep with sampler: sobol.",
}


def sensitivity(sweep_dir: Path, outcome: str, *, png: Path | None = None) -> Sensitivity:
    """Rank the factors by their influence on ``outcome`` (its mean over replicates)."""
    res = load_results(sweep_dir)
    _need_outcome(res, outcome)
    _need_complete(res, "sensitivity analysis")
    names = res.factors
    y = res.runs.groupby("point")[outcome].mean().to_numpy(dtype=np.float64)
    x = res.points[names].to_numpy(dtype=np.float64)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(c.min()), float(max(c.max(), c.min() + 1e-12))] for c in x.T],
    }
    sampler = res.manifest["sampler"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if sampler == "sobol":
                from SALib.analyze import sobol

                si = sobol.analyze(problem, y, calc_second_order=False, seed=0)
                cols, method, rank = ["S1", "S1_conf", "ST", "ST_conf"], "sobol", "ST"
            elif sampler == "morris":
                from SALib.analyze import morris

                levels = res.manifest.get("morris_levels", 4)
                si = morris.analyze(problem, x, y, num_levels=levels, seed=0)
                cols, method, rank = ["mu_star", "mu_star_conf", "sigma", "mu"], "morris", "mu_star"
            else:
                from SALib.analyze import pawn, rbd_fast

                si = dict(rbd_fast.analyze(problem, x, y, seed=0))
                si["PAWN"] = pawn.analyze(problem, x, y, seed=0)["median"]
                cols, method, rank = ["S1", "S1_conf", "PAWN"], "rbd_fast", "S1"
        except Exception as exc:  # SALib rejects designs it cannot analyse
            raise DurandError(f"SALib could not analyse this sweep: {exc}") from None
    table = pd.DataFrame({"factor": names, **{c: np.asarray(si[c], dtype=float) for c in cols}})
    table = table.sort_values(rank, ascending=False, kind="stable").reset_index(drop=True)
    out = Sensitivity(outcome, method, _METHOD_NOTES[method].format(sampler=sampler), table, rank)
    stem = f"sensitivity-{_safe(outcome)}"
    out.csv = Path(sweep_dir) / f"{stem}.csv"
    table.to_csv(out.csv, index=False)
    out.png = Path(png) if png else Path(sweep_dir) / f"{stem}.png"
    _tornado(out, res.manifest.get("outcomes", {}).get(outcome, outcome))
    return out


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _tornado(s: Sensitivity, described: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = s.table.iloc[::-1]  # most influential on top
    bars = {"sobol": ["S1", "ST"], "morris": ["mu_star"], "rbd_fast": ["S1", "PAWN"]}[s.method]
    height = 0.8 / len(bars)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.45 * len(t)))
    ypos = np.arange(len(t))
    for k, col in enumerate(bars):
        conf = t.get(f"{col}_conf")
        ax.barh(
            ypos + (k - (len(bars) - 1) / 2) * height,
            t[col],
            height=height,
            xerr=None if conf is None else conf,
            capsize=3,
            label=col.replace("mu_star", "μ*"),
        )
    ax.set_yticks(ypos, t["factor"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("index" if s.method != "morris" else "μ* (outcome units)")
    ax.set_title(f"Sensitivity of {s.outcome}\n({described}; {s.method})", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    _save_png(fig, s.png)


def _save_png(fig, path) -> None:
    """Write a chart; a path that cannot be written is an output error (exit 3)."""
    import matplotlib.pyplot as plt

    try:
        fig.savefig(path, dpi=110)
    except OSError as exc:
        raise OutputError(f"cannot write the chart {path}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)


# ------------------------------------------------------------------ discovery


@dataclass
class Discovery:
    outcome: str
    condition: str  # e.g. "attacks_pak_2026 > 1,200"
    cases: int
    of_interest: int
    rules: list[tuple[str, float | None, float | None]]  # factor, lower, upper (None = open)
    qp: dict[str, float]  # quasi-p value of each restriction (EMA's; small = significant)
    coverage: float
    density: float
    mass: float
    box_index: int
    trajectory: pd.DataFrame
    png: Path | None = None

    def sentence(self) -> str:
        if not self.rules:
            return f"{self.condition}: PRIM found no box that restricts any factor."
        return f"{self.condition} when " + " and ".join(_rule(*r) for r in self.rules)

    def rule_lines(self) -> list[str]:
        """One line per restriction with its quasi-p value (above 0.05: weak evidence)."""
        out = []
        for r in self.rules:
            qp = self.qp.get(r[0], float("nan"))
            flag = "  (weak: could be chance)" if qp > 0.05 else ""
            out.append(f"{_rule(*r)}   qp {qp:.2g}{flag}")
        return out


def _num(v: float) -> str:
    return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"


def _rule(name: str, lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"{_num(lo)} ≤ {name} ≤ {_num(hi)}"
    if lo is not None:
        return f"{name} ≥ {_num(lo)}"
    return f"{name} ≤ {_num(hi)}"


def discover(
    sweep_dir: Path,
    outcome: str,
    *,
    above: float | None = None,
    below: float | None = None,
    density: float = 0.8,
    png: Path | None = None,
) -> Discovery:
    """PRIM on every run: which factor ranges hold the runs where ``outcome`` crosses a line."""
    if (above is None) == (below is None):
        raise UsageError(
            "give exactly one of {above} or {below}", settings={"above": "X", "below": "X"}
        )
    if not 0 < density <= 1:
        raise OptionError("density", f"must be in (0, 1], got {density}")
    res = load_results(sweep_dir)
    _need_outcome(res, outcome)
    names = res.factors
    runs = res.runs.merge(res.points, on="point", how="left")
    x = runs[names].astype(np.float64).reset_index(drop=True)
    values = runs[outcome].to_numpy()
    y = values > above if above is not None else values < below
    condition = f"{outcome} > {_num(above)}" if above is not None else f"{outcome} < {_num(below)}"
    if not y.any() or y.all():
        which = "no" if not y.any() else "every"
        raise UsageError(
            f"{which} run has {condition} (it ranges {_num(values.min())} to "
            f"{_num(values.max())}); choose a threshold inside that range"
        )
    import logging

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns about optional extras it lacks
        from ema_workbench.analysis import prim

        logging.getLogger("EMA").setLevel(logging.ERROR)
        p = prim.Prim(x, y, threshold=density, peel_alpha=0.05)
        box = p.find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    good = traj.index[traj["density"] >= density]
    i = int(traj.loc[good, "coverage"].idxmax()) if len(good) else int(traj["density"].idxmax())
    lims, init = box.box_lims[i], p.box_init
    rules = []
    for name in names:
        lo, hi = float(lims[name].iloc[0]), float(lims[name].iloc[1])
        lo0, hi0 = float(init[name].iloc[0]), float(init[name].iloc[1])
        if lo > lo0 or hi < hi0:
            rules.append((name, lo if lo > lo0 else None, hi if hi < hi0 else None))
    row = traj.iloc[i]
    _, lim_table = box.inspect(i, style="data")[0]
    qp = {
        name: float(np.nanmax(lim_table.loc[name].to_numpy()[2:].astype(float)))
        for name in lim_table.index
    }
    rules.sort(key=lambda r: qp.get(r[0], 1.0))  # the strongest restriction first
    found = Discovery(
        outcome,
        condition,
        len(y),
        int(y.sum()),
        rules,
        qp,
        float(row["coverage"]),
        float(row["density"]),
        float(row["mass"]),
        i,
        traj,
    )
    found.png = Path(png) if png else Path(sweep_dir) / f"discover-{_safe(outcome)}.png"
    _tradeoff(found)
    return found


def _tradeoff(d: Discovery) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = d.trajectory
    fig, ax = plt.subplots(figsize=(7, 5))
    dims = int(t["res_dim"].max())
    cmap = matplotlib.colormaps["viridis"].resampled(dims + 1)
    sc = ax.scatter(
        t["coverage"], t["density"], c=t["res_dim"], cmap=cmap, vmin=-0.5, vmax=dims + 0.5, s=25
    )
    ax.plot(t["coverage"], t["density"], color="grey", linewidth=0.6, zorder=0)
    ax.scatter(
        [d.coverage], [d.density], s=160, facecolors="none", edgecolors="red", label="chosen box"
    )
    fig.colorbar(sc, ax=ax, label="restricted factors", ticks=range(dims + 1))
    ax.set_xlabel("coverage (share of the runs of interest inside the box)")
    ax.set_ylabel("density (share of the box's runs that are of interest)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"PRIM peeling trajectory: {d.condition}", fontsize=10)
    ax.legend(loc="lower left")
    fig.tight_layout()
    _save_png(fig, d.png)
