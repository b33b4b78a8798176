"""Balance of the game: does every seat face real trade-offs?

For the default scenario and every lesson, each of the four states plays each archetype
strategy (sim/game/archetypes.py) against the bot doctrines and against a draw of other
archetypes, over many seeds. Prints per role the score distribution of each archetype,
a dominance table (how often each archetype is the best reply), and the targets:

- no archetype is best in more than 60% of (seed, opponents) pairs;
- the best and the worst archetype medians are at least 15 points apart;
- doing nothing is never within 3 points of the best median;
- seed 003's middle ground is a dilemma for both partners (middle-ground lesson): both
  keeping beats both refusing, and keeping while the partner breaks is the keeper's worst
  outcome (medians over seeds).

Usage: python benchmarks/bench_balance.py [--seeds 20] [--replicates 4] [--workers 2]
Exit status 1 when a target is missed (a benchmark, not a test: run it by hand or in CI).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from functools import cache
from multiprocessing import Pool

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sim.game import archetypes as A  # noqa: E402
from sim.game import rules as R  # noqa: E402

BEST_SHARE_MAX = 0.60
SPREAD_MIN = 15.0
NOTHING_GAP_MIN = 3.0


def settings() -> list[tuple[str, str, int, int]]:
    """(name, scenario path, turns, first seed) for the default scenario and each lesson."""
    from sim.game.lessons import available, load_lesson

    out = [("default", os.path.join(ROOT, "scenarios", "baseline.yaml"), R.DEFAULT_TURNS, 1)]
    for name in available():
        lesson = load_lesson(name)
        out.append((name, str(lesson.scenario_path), lesson.spec.turns, lesson.spec.seed or 1))
    return out


@cache
def _inputs(name: str, path: str):
    """The scenario, lesson and bot doctrines, parsed once per worker process."""
    from sim.game.doctrine import default_doctrine
    from sim.game.lessons import load_lesson
    from sim.inputs.scenario import load_scenario

    lesson = None if name == "default" else load_lesson(name)
    return load_scenario(path), lesson, {r: default_doctrine(r) for r in R.ROLES}


class _PlayedStatusQuo:
    """A status quo already played to the end (same setting, seed and lesson events):
    every game of a (setting, seed) shares it instead of stepping its own copy."""

    def __init__(self, model):
        self.recorder, self.levers = model.recorder, model.levers

    def step(self) -> None:
        pass

    def apply_shock(self, *args) -> None:
        pass


_STATUS_QUO: dict = {}


def _game(setting, seed, replicates):
    from sim.game.engine import Game

    name, path, turns, _ = setting
    scenario, lesson, doctrines = _inputs(name, path)
    game = Game(scenario, seed=seed, turns=turns, replicates=replicates, doctrines=doctrines)
    key = (name, seed, replicates)
    if key in _STATUS_QUO:
        game.status_quo = _STATUS_QUO[key]
    else:
        _STATUS_QUO.clear()  # one (setting, seed) at a time per worker: bounded memory
        _STATUS_QUO[key] = _PlayedStatusQuo(game.status_quo)  # filled as this game plays
    return game, lesson


def opponents(seed: int, role: str) -> dict[str, str]:
    """A deterministic draw of archetypes for the other three seats."""
    rng = np.random.default_rng([seed, R.ROLES.index(role)])
    return {r: str(rng.choice(A.ARCHETYPES)) for r in R.ROLES if r != role}


def task(job):
    """One (setting, seed, role, opponents): every archetype's score for that role."""
    setting, seed, role, opp, replicates = job
    others = {} if opp == "bots" else opponents(seed, role)
    scores = {}
    for arch in A.ARCHETYPES:
        game, lesson = _game(setting, seed, replicates)
        scores[arch] = A.play_game(game, others | {role: arch}, lesson)[role]
    return setting[0], seed, role, opp, scores


MG = ("middle_ground",)
DILEMMA = {  # only the middle ground: other offers are refused, so the cells compare it alone
    "keep": A.Plan(propose=MG, accept=MG),
    "refuse": A.Plan(),
    "break": A.Plan(propose=MG, accept=MG, breaks=True),
}


def dilemma_task(job):
    setting, seed, replicates = job
    out = {}
    for us in DILEMMA:
        for pak in DILEMMA:
            game, lesson = _game(setting, seed, replicates)
            s = A.play_game(game, {"US": DILEMMA[us], "PAK": DILEMMA[pak]}, lesson)
            out[(us, pak)] = (s["US"], s["PAK"])
    return seed, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--replicates", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", default=None, help="one setting (default or a lesson name)")
    args = ap.parse_args(argv)
    sets = [s for s in settings() if args.only in (None, s[0])]
    jobs = [
        (s, s[3] + k, role, opp, args.replicates)
        for s in sets
        for k in range(args.seeds)
        for role in R.ROLES
        for opp in ("bots", "archetypes")
    ]
    mg = [s for s in sets if s[0] == "middle-ground"]
    djobs = [(mg[0], 3 + k, args.replicates) for k in range(args.seeds)] if mg else []
    t0 = time.perf_counter()
    with Pool(args.workers) as pool:
        rows = pool.map(task, jobs, chunksize=1)
        drows = pool.map(dilemma_task, djobs, chunksize=1)
    took = time.perf_counter() - t0
    games = len(jobs) * len(A.ARCHETYPES) + len(djobs) * 9
    print(f"{games} games ({args.seeds} seeds, {args.replicates} replicates each) in "
          f"{took:.0f} s on {args.workers} workers")  # fmt: skip
    ok = True
    summary = []
    for s in sets:
        print(f"\n=== {s[0]} ({s[2]} turns) ===")
        for role in R.ROLES:
            mine = [r for r in rows if r[0] == s[0] and r[2] == role]
            med = {a: float(np.median([r[4][a] for r in mine])) for a in A.ARCHETYPES}
            best_count = dict.fromkeys(A.ARCHETYPES, 0)
            for r in mine:
                best_count[max(r[4], key=r[4].get)] += 1
            print(f"{role}: archetype   p10   median  p90   best-in")
            for a in sorted(A.ARCHETYPES, key=lambda a: -med[a]):
                v = [r[4][a] for r in mine]
                p10, p90 = np.percentile(v, 10), np.percentile(v, 90)
                share = best_count[a] / len(mine)
                print(f"  {a:13s} {p10:5.1f}  {med[a]:5.1f}  {p90:5.1f}   {share:4.0%}")
            top = max(med.values())
            share = max(best_count.values()) / len(mine)
            spread = top - min(med.values())
            gap = top - med["nothing"]
            checks = (share <= BEST_SHARE_MAX, spread >= SPREAD_MIN, gap >= NOTHING_GAP_MIN)
            ok &= all(checks)
            summary.append((s[0], role, share, spread, gap, checks))
    print("\n=== targets (best share <= 60%, spread >= 15, nothing >= 3 below best) ===")
    print(f"{'setting':26s} role  best-share  spread  nothing-gap  met")
    for name, role, share, spread, gap, checks in summary:
        marks = "".join("y" if c else "n" for c in checks)
        print(f"{name:26s} {role:4s}  {share:9.0%}  {spread:6.1f}  {gap:10.1f}  {marks}")
    if drows:
        print("\n=== seed 003's middle ground (medians over seeds; US, PAK score) ===")
        med = {
            k: (float(np.median([d[1][k][0] for d in drows])),
                float(np.median([d[1][k][1] for d in drows])))
            for k in drows[0][1]
        }  # fmt: skip
        print("US \\ PAK   " + "".join(f"{p:>14s}" for p in DILEMMA))
        for us in DILEMMA:
            cells = "".join(f"  {med[(us, p)][0]:5.1f}, {med[(us, p)][1]:5.1f}" for p in DILEMMA)
            print(f"{us:9s} {cells}")

        # Both keeping beats both refusing; keeping while the partner breaks is the worst
        # a keeper can get (below keeping together, and below no deal at all).
        def dilemma(me: int, sucker: tuple[str, str], keeps: list[tuple[str, str]]) -> bool:
            worst = med[sucker][me]
            both, none = med[("keep", "keep")][me], med[("refuse", "refuse")][me]
            return both > none and worst < none and all(worst <= med[k][me] for k in keeps)

        us_ok = dilemma(0, ("keep", "break"), [("keep", p) for p in DILEMMA])
        pak_ok = dilemma(1, ("break", "keep"), [(u, "keep") for u in DILEMMA])
        print(f"dilemma for US: {'met' if us_ok else 'NOT met'}; "
              f"for PAK: {'met' if pak_ok else 'NOT met'}")  # fmt: skip
        ok &= us_ok and pak_ok
    print(f"\nall targets {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
