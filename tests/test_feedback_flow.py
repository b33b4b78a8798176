"""A broken deal shows both parties the trust it cost, in their seat views (sim.game.flow):
broken by a seat's move or by the rules when a party lets its terms slip, in the public
news of both, in the breaker's 'trust in you' at once, and in ``you.deals_broken`` of both
parties (and of no one else) for this turn and the next."""

from __future__ import annotations

from pathlib import Path

from sim.game import rules as R
from sim.game.engine import Game
from sim.game.flow import Table

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PEOPLE = {"US": "person", "PAK": "person", "AFG": "bot", "CHN": "bot"}


def with_the_middle_ground() -> tuple[Table, int]:
    """Turn 1: the US offers the middle ground, Pakistan accepts; it is turn 2 now."""
    t = Table(Game(BASELINE, seed=11, turns=4, replicates=4, seats=PEOPLE))
    for role in ("US", "PAK"):  # nothing has happened yet: no change to show
        assert all(x["change"] == 0 for x in t.view(role)["you"]["trust_in_you"].values())
    t.submit({"seat": "US", "kind": "propose", "offer": "middle_ground"})
    t.submit({"seat": "US", "kind": "done"})
    deal = t.view("PAK")["you"]["offers_in"][0]["id"]
    t.submit({"seat": "PAK", "kind": "answer", "offer_id": deal, "accept": True})
    t.submit({"seat": "PAK", "kind": "done"})
    assert t.game.turn == 2 and t.view("US")["you"]["deals"]
    return t, deal


def breaks(view: dict) -> list[dict]:
    return [e for e in view["news"] if e["kind"] == "break"]


def test_a_deal_broken_by_a_move_shows_both_parties_the_trust_lost_at_once():
    t, deal = with_the_middle_ground()
    before = t.view("US")["you"]["trust_in_you"]["PAK"]
    assert t.view("US")["you"]["deals_broken"] == []
    t.submit({"seat": "US", "kind": "break", "offer_id": deal, "reason": "secret"})
    after = t.view("US")["you"]["trust_in_you"]["PAK"]
    assert after["now"] < before["now"] - 0.15  # at once, in the same turn
    assert after["change"] < before["change"] - 0.15
    for role in ("US", "PAK"):
        view = t.view(role)
        (shown,) = view["you"]["deals_broken"]
        assert shown["id"] == deal and shown["turn"] == 2 and shown["by"] == "person"
        assert shown["broken_by"] == "US" and shown["truster"] == "PAK"
        assert shown["trust_before"] == round(before["now"], 3)
        assert shown["trust_after"] == round(after["now"], 3)
        assert shown["title"] == R.OFFERS["middle_ground"].title
        (entry,) = breaks(view)
        assert "PAK's trust in US" in entry["text"]
    assert breaks(t.view("PAK"))[0]["reason"] == ""  # the breaker's reason stays private
    assert t.view("AFG")["you"]["deals_broken"] == []  # not a party
    # Still shown in the next turn, gone the turn after.
    for _ in range(2):
        t.submit({"seat": "US", "kind": "done"})
        t.submit({"seat": "PAK", "kind": "done"})
        if t.game.turn == 3:
            assert t.view("PAK")["you"]["deals_broken"][0]["turn"] == 2
    assert t.game.turn == 4 and t.view("PAK")["you"]["deals_broken"] == []


def test_a_deal_the_rules_break_shows_both_parties_who_let_it_slip():
    t, deal = with_the_middle_ground()
    t.submit({"seat": "US", "kind": "done"})
    us_trust = t.game.trust("US", "PAK")
    # Pakistan lets its joint operations fall under the deal's 0.8: the rules break it
    # when the turn ends, in Pakistan's name.
    t.submit({"seat": "PAK", "kind": "set", "lever": "joint_ops", "value": 0.2})
    t.submit({"seat": "PAK", "kind": "done"})
    assert t.game.turn == 3
    for role in ("US", "PAK"):
        (shown,) = t.view(role)["you"]["deals_broken"]
        assert shown["broken_by"] == "PAK" and shown["by"] == "rules" and shown["turn"] == 2
        assert shown["truster"] == "US"
        assert abs(shown["trust_before"] - us_trust) < 1e-3
        assert shown["trust_after"] < shown["trust_before"] - 0.15
        assert any("US's trust in PAK" in e["text"] for e in breaks(t.view(role)))
    assert t.view("PAK")["you"]["trust_in_you"]["US"]["change"] < -0.1
