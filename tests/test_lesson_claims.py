"""Lessons the model bears out: every 'what to look for' statement of every lesson has a
check here, which plays the lesson's reference strategies (sim/game/archetypes.py) and
asserts that the statement holds. A new statement without a check fails the test."""

from __future__ import annotations

from functools import cache

import pytest

from sim.game import archetypes as A
from sim.game import rules as R
from sim.game.engine import Game
from sim.game.explain import explain, measure
from sim.game.lessons import available, load_lesson

REPLICATES = 8
NOBODY = {r: "nothing" for r in R.ROLES}


@cache
def played(name: str, plans: tuple[tuple[str, str | None], ...]) -> Game:
    lesson = load_lesson(name)
    game = Game(lesson.scenario_path, seed=lesson.spec.seed, turns=lesson.spec.turns,
                replicates=REPLICATES)  # fmt: skip
    A.play_game(game, dict(plans), lesson)
    return game


def plans(**seats) -> tuple:
    return tuple(sorted((NOBODY | seats).items()))


def higher(game, metric, how="sum") -> bool:
    g, s = measure(game, metric, how)
    return g > s


def lower(game, metric, how="sum") -> bool:
    g, s = measure(game, metric, how)
    return g < s


# ---------------------------------------------------------------- cpec-under-fire


def cpec_attacks_follow_investment():
    more = played("cpec-under-fire", plans(CHN="economy_first"))
    out = played("cpec-under-fire", plans(CHN="free_rider"))
    assert higher(more, "attacks.china_interests") and lower(out, "attacks.china_interests")
    raised = [e for e in more.log if e.role == "CHN" and e.kind == "set"]
    assert raised and raised[0].turn == 1  # the investment went before the attacks


def cpec_pressure_on_bla():
    game = played("cpec-under-fire", plans(CHN="hawk"))
    assert higher(game, "pressure.BLA", "mean") and lower(game, "strength.BLA", "last")


def cpec_confidence_falls_after_attacks():
    game = played("cpec-under-fire", plans(CHN="economy_first"))
    assert higher(game, "attacks.china_interests") and lower(game, "china_confidence", "last")


# ---------------------------------------------------------------- middle-ground


def mg_joint_ops_need_the_middle_ground():
    deal = played("middle-ground", plans(US="deal_keeper", PAK="deal_keeper"))
    none = played("middle-ground", plans())
    assert measure(deal, "joint_ops")[0] > 2 * max(measure(none, "joint_ops")[0], 0.5)


def mg_trust_rises_with_a_deal_and_falls_when_broken():
    deal = played("middle-ground", plans(US="deal_keeper", PAK="deal_keeper"))
    first = deal.results[0]
    assert first.observed["trust.PAK-US"] > first.status_quo["trust.PAK-US"]
    lesson = load_lesson("middle-ground")
    g = Game(lesson.scenario_path, seed=lesson.spec.seed, turns=4, replicates=REPLICATES)
    g.propose("US", "middle_ground")
    g.answer("PAK", 1, True)
    g.end_turn()
    before = g.trust("US", "PAK")
    g.break_deal("PAK", 1, "reference: PAK breaks")
    after = g.trust("US", "PAK")
    assert before - after >= 0.15  # sharply
    g.end_turn()
    g.end_turn()
    assert after < g.trust("US", "PAK") < before  # drifts back, slowly


def mg_status_quo_shares_the_random_numbers():
    game = played("middle-ground", plans())
    for t in game.results:
        assert t.observed == t.status_quo  # no choice, no difference: not luck


def mg_taliban_asked_to_join():
    game = played("middle-ground", tuple(sorted(dict.fromkeys(R.ROLES).items())))
    answers = [e for e in game.log if e.kind in ("accept", "refuse") and e.role == "AFG"
               and "taliban_on_board" in e.text]  # fmt: skip
    assert answers and all(e.reason for e in answers)


# ---------------------------------------------------------------- sanctuary-and-the-border


def sanctuary_drives_ttp_strength():
    game = played("sanctuary-and-the-border", plans(AFG="economy_first"))
    assert lower(game, "sanctuary.TTP", "mean") and lower(game, "strength.TTP", "last")
    assert any("sanctuary" in line for line in explain(game))


def tension_rises_with_pressure_and_falls_with_cooperation():
    hard = played("sanctuary-and-the-border", plans(PAK="hard_border"))
    coop = played("sanctuary-and-the-border", plans(AFG="economy_first"))
    assert higher(hard, "tension.PAK-AFG", "last") and higher(hard, "deportations")
    assert lower(coop, "tension.PAK-AFG", "last")


def recognition_follows_cooperation():
    game = played("sanctuary-and-the-border", plans(AFG="deal_keeper", PAK="deal_keeper"))
    assert all(t.observed["recognition.AFG"] > t.status_quo["recognition.AFG"]
               for t in game.results)  # fmt: skip


def displacement_shows_beside_the_attacks():
    hard = played("sanctuary-and-the-border", plans(PAK="hard_border"))
    shown = hard.results[-1].observed
    assert "harm.displaced" in shown and "attacks.PAK" in shown
    assert higher(hard, "harm.displaced")


CHECKS = {
    "cpec-under-fire": [
        cpec_attacks_follow_investment,
        cpec_pressure_on_bla,
        cpec_confidence_falls_after_attacks,
    ],
    "middle-ground": [
        mg_joint_ops_need_the_middle_ground,
        mg_trust_rises_with_a_deal_and_falls_when_broken,
        mg_status_quo_shares_the_random_numbers,
        mg_taliban_asked_to_join,
    ],
    "sanctuary-and-the-border": [
        sanctuary_drives_ttp_strength,
        tension_rises_with_pressure_and_falls_with_cooperation,
        recognition_follows_cooperation,
        displacement_shows_beside_the_attacks,
    ],
}


def test_every_statement_has_a_check():
    for name in available():
        assert name in CHECKS, f"lesson {name} has no claim checks"
        assert len(CHECKS[name]) == len(load_lesson(name).spec.look_for), name


@pytest.mark.parametrize(
    "name,index", [(n, i) for n, checks in CHECKS.items() for i in range(len(checks))]
)
def test_statement_holds(name, index):
    statement = load_lesson(name).spec.look_for[index]
    try:
        CHECKS[name][index]()
    except AssertionError as exc:
        raise AssertionError(f"{name}: {statement!r} does not hold: {exc}") from None


def test_handouts_are_printable_and_up_to_date():
    from sim.game.handout import render, timing_plan

    for name in available():
        lesson = load_lesson(name)
        page = render(lesson)
        assert "@media print" in page and "Timing plan (50 minutes)" in page
        for q in lesson.spec.discussion_questions:
            assert q.replace("'", "&#x27;") in page
        for role in R.ROLES:
            assert R.GOALS[role].summary.replace("'", "&#x27;") in page
        shipped = (lesson.folder / "handout.html").read_text(encoding="utf-8")
        assert shipped == page, f"regenerate: python -m sim.game.handout ({name})"
        rows = timing_plan(lesson.spec.turns)
        assert sum(length for _, length, _ in rows) == 50
        assert [s for s, _, _ in rows] == sorted(s for s, _, _ in rows)
