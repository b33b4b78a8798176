"""The region graph, the model's calendar and the actors' views."""

from __future__ import annotations

from sim import ACTORS, GROUPS, STATES
from sim.model.agents import MilitantGroup, StateActor, programmes
from sim.model.geography import REGIONS, actors, geography
from sim.model.model import DurandModel


def test_regions_cover_both_sides_of_the_durand_line():
    geo = geography()
    required = {"KP", "BAL", "PUN", "SIN", "ISB", "AF-E", "AF-S", "KBL", "AF-N"}
    assert required <= set(REGIONS)
    countries = {r.id: r.country for r in geo.regions}
    for a, b in geo.durand_line:  # every border pair crosses the line
        assert {countries[a], countries[b]} == {"PAK", "AFG"}
    for a, b in geo.adjacent:  # adjacency inside a country
        assert countries[a] == countries[b]
    assert "AF-E" in geo.neighbours("KP") and "KP" in geo.neighbours("AF-E")
    assert set(geo.neighbours("ISB")) == {"KP", "PUN"}
    assert geo.on_border().sum() == 4


def test_model_calendar_advances_month_by_month():
    model = DurandModel(replicates=2, months=14)
    assert model.date == (2025, 1)
    for _ in range(13):
        model.step()
    assert model.date == (2026, 2) and model.running
    model.step()
    assert not model.running and model.steps == 14


def test_seven_actors_are_mesa_agents_with_cards():
    model = DurandModel(replicates=3, months=2)
    model.step()
    assert {a.actor_id for a in model.agents} == set(ACTORS)
    assert {a.actor_id for a in model.agents_by_type[StateActor]} == set(STATES)
    assert {a.actor_id for a in model.agents_by_type[MilitantGroup]} == set(GROUPS)
    pak = model.states["PAK"].card()
    assert set(pak["priorities"]) == set(GROUPS) and "US" in pak["trust"]
    received = {p["programme"] for p in pak["aid_in"]}
    assert {"us_military_pak", "chn_cpec_pak"} <= received
    ttp = model.groups["TTP"].card()
    assert ttp["sanctuary_host"] == "AFG" and ttp["sanctuary"] == 0.8
    assert abs(sum(ttp["based_in"].values()) - 1) < 1e-9


def test_programmes_name_real_levers_and_actors():
    model = DurandModel(replicates=1, months=1)
    for prog in programmes():
        assert prog.lever in model.levers
        assert prog.donor in STATES and prog.recipient in STATES
    assert set(actors()["groups"]) == set(GROUPS)


def test_a_finished_model_is_freed_with_its_recorder():
    """Nothing global keeps a model alive (mesa 3.3's agent id counters would)."""
    import gc
    import weakref

    from sim.model.model import DurandModel

    model = DurandModel(replicates=2, months=2)
    model.run()
    assert [a.unique_id for a in model.agents] == list(range(1, 8))
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None
