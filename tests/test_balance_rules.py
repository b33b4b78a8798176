"""Every strong lever has a price the seat's goals feel, scores keep the status quo at 50,
and the archetypes used by the balance benchmark play by the rules."""

from __future__ import annotations

from functools import cache

import pytest

from sim.game import archetypes as A
from sim.game import rules as R
from sim.game.engine import Game, component_score, score_turn

BASELINE = "scenarios/baseline.yaml"


def test_weights_sum_to_one_and_the_status_quo_scores_50():
    for role, goal in R.GOALS.items():
        assert sum(c.weight for c in goal.components) == pytest.approx(1.0), role
    g = Game(BASELINE, seed=3, turns=1, replicates=2)
    g.end_turn()
    observed = g.results[0].observed
    scores, _ = score_turn(observed, observed)
    assert scores == {r: 50.0 for r in R.ROLES}
    for goal in R.GOALS.values():  # every measure is one the game computes
        assert all(c.metric in observed for c in goal.components)


def test_the_stretch_spreads_scores_and_clips():
    observed = Game(BASELINE, seed=3, turns=1, replicates=2).outlook
    worse = dict(observed)
    worse["attacks.PAK"] = observed["attacks.PAK"] * 1.2
    scores, comps = score_turn(worse, observed)
    raw = 100 * sum(c.weight * comps["PAK"][c.metric] for c in R.GOALS["PAK"].components)
    assert scores["PAK"] == pytest.approx(50 + R.SCORE_STRETCH["PAK"] * (raw - 50), abs=0.05)
    worst = dict(observed, **{"attacks.PAK": observed["attacks.PAK"] * 10})
    worst |= {"economy.PAK": 0.0, "stability.PAK": 0.0, "tension.PAK-AFG": 1.0}
    assert 0.0 <= score_turn(worst, observed)[0]["PAK"] < 20
    assert component_score(0.0, 0.0, "lower", 0.5) == 0.5


@cache
def game_with(role: str, lever: str, value: float, turns: int = 3) -> Game:
    g = Game(BASELINE, seed=7, turns=turns, replicates=8)
    g.set_lever(role, lever, value, "test")
    while not g.finished:
        g.end_turn()
    return g


def _part(g: Game, role: str, metric: str) -> float:
    return sum(t.components[role][metric] for t in g.results) / len(g.results)


def test_deportation_and_closure_cost_taliban_trust_tension_and_displacement():
    for lever in ("deportation", "border_closure"):
        g = game_with("PAK", lever, 1.0)
        last = g.results[-1]
        assert last.observed["trust.AFG-PAK"] < last.status_quo["trust.AFG-PAK"], lever
        assert last.observed["tension.PAK-AFG"] > last.status_quo["tension.PAK-AFG"], lever
        assert _part(g, "PAK", "tension.PAK-AFG") < 0.5, lever
    g = game_with("PAK", "deportation", 1.0)
    assert _part(g, "AFG", "deportations") < 0.5  # people sent back: the regime's cost


def test_drones_cost_civilian_harm():
    g = game_with("US", "drone_strikes", 1.0)
    assert all(t.observed["harm.drone_civilians"] > 0 for t in g.results)
    assert all(t.status_quo["harm.drone_civilians"] == 0 for t in g.results)
    assert _part(g, "US", "harm.drone_civilians") == 0.0  # full intensity: the whole price
    assert all(t.scores["US"] < 50 for t in g.results)


def test_leaving_cpec_costs_china_its_returns_and_pakistan_its_investment():
    g = game_with("CHN", "cpec_investment", 0.0)
    assert _part(g, "CHN", "returns.CHN") < 0.3
    assert _part(g, "PAK", "aid.CHN-PAK") < 0.3


def test_aid_cuts_cost_influence():
    g = game_with("US", "military_aid_pak", 0.0)
    assert g.results[-1].observed["trust.PAK-US"] < g.results[-1].status_quo["trust.PAK-US"]
    assert _part(g, "US", "partnership.US-PAK") < 0.5


def test_every_strong_lever_shows_its_price():
    for key in ("US.drone_strikes", "PAK.deportation", "PAK.border_closure",
                "CHN.cpec_investment", "US.military_aid_pak"):  # fmt: skip
        assert key in R.PRICES and len(R.PRICES[key]) > 20


@pytest.mark.parametrize("archetype", A.ARCHETYPES)
def test_archetypes_play_within_the_rules(archetype):
    g = Game(BASELINE, seed=5, turns=3, replicates=2)
    scores = A.play_game(g, dict.fromkeys(R.ROLES, archetype))
    assert g.finished and all(0 <= s <= 100 for s in scores.values())
    for role in R.ROLES:
        assert g.spending(role) <= R.budget(role) + 1e-9
    if archetype == "deal_breaker":
        assert any(o.status == "broken" for o in g.offers)
    if archetype == "nothing":
        assert not [e for e in g.log if e.kind in ("set", "propose", "accept")]


def test_each_seat_sees_its_guide_prices_score_track_and_partners_trust():
    from sim.game.flow import Table

    g = Game(BASELINE, seed=3, turns=3, replicates=2, seats={"US": "person", "PAK": "person"})
    t = Table(g, mode="simultaneous")
    view = t.view("PAK")
    steps = [s["step"] for s in view["guide"]]
    assert steps[0] == "goal" and steps[-1] == "done" and "deal" in steps
    assert view["you"]["levers"]["deportation"]["price"] == R.PRICES["PAK.deportation"]
    assert set(view["you"]["trust_in_you"]) == {"US", "AFG", "CHN"}
    t.submit({"seat": "US", "kind": "propose", "offer": "middle_ground"})
    t.submit({"seat": "PAK", "kind": "answer", "offer_id": 1, "accept": True})
    t.submit({"seat": "US", "kind": "done"})
    t.submit({"seat": "PAK", "kind": "done"})
    view = t.view("PAK")
    assert view["guide"] is None
    track = view["you"]["score_track"]
    assert len(track["scores"]) == 1 and track["trend"] in ("rising", "steady", "falling")
    before = view["you"]["trust_in_you"]["US"]["now"]
    t.submit({"seat": "PAK", "kind": "break", "offer_id": 1})
    after = t.view("PAK")["you"]["trust_in_you"]["US"]
    assert after["now"] <= before - 0.15 and after["change"] < 0
    us_news = [e for e in t.view("US")["news"] if e["kind"] == "break"]
    assert us_news and "US's trust in PAK" in us_news[0]["text"]  # the wronged side sees it


def test_a_partner_breaking_the_middle_ground_costs_the_us_its_partnership():
    """The US measures the partnership both ways, so the keeper whose partner breaks pays
    (the sucker's outcome of the dilemma), not only the side that was broken with."""

    def played(pak_breaks: bool) -> Game:
        g = Game(BASELINE, seed=3, turns=2, replicates=4)
        g.propose("US", "middle_ground", "test")
        offer = g.pending_for("PAK")[0]
        g.answer("PAK", offer.id, True, "test")
        g.end_turn()
        if pak_breaks:
            g.break_deal("PAK", offer.id, "test")
        g.end_turn()
        return g

    kept, broken = played(False), played(True)
    assert broken.trust("US", "PAK") < kept.trust("US", "PAK") - 0.1
    part = "partnership.US-PAK"
    assert broken.results[-1].components["US"][part] < kept.results[-1].components["US"][part]
    assert broken.results[-1].scores["US"] < kept.results[-1].scores["US"]
