"""The strategy game: engine rules, bots, save/load/undo, lessons, text front end, debrief."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_inprocess import invoke

from sim.game import rules as R
from sim.game.doctrine import load_doctrine
from sim.game.engine import Game, GameError
from sim.game.lessons import available, load_lesson
from sim.game.save import load_game, save_game
from sim.game.text import TextGame
from sim.inputs.errors import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DURAND = Path(sys.executable).with_name("durand")
REPS = 12  # small and fast; the engine is the same at 50


def durand(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """The command line, run in this process (tests/cli_inprocess.py)."""
    return invoke(*args, cwd=ROOT, stdin=stdin)


def bot_game(turns: int = 3, seed: int = 5, **kw) -> Game:
    g = Game(BASELINE, seed=seed, turns=turns, replicates=REPS, **kw)
    while not g.finished:
        for role in R.ROLES:
            g.play_bot(role)
        g.end_turn()
    return g


def fingerprint(g: Game):
    return [(r.turn, r.scores, r.observed) for r in g.results], [
        (e.turn, e.role, e.kind, e.text, e.reason) for e in g.log
    ]


# ------------------------------------------------------------------ engine rules


def test_all_bot_game_is_deterministic_for_a_seed_and_differs_across_seeds():
    a, b = bot_game(seed=5), bot_game(seed=5)
    assert fingerprint(a) == fingerprint(b)
    assert a.commands == b.commands
    c = bot_game(seed=6)
    assert [r.observed for r in c.results] != [r.observed for r in a.results]


def test_bots_give_a_reason_for_every_move():
    g = bot_game(turns=2)
    moves = [e for e in g.log if e.by == "bot"]
    assert moves, "the default doctrines should act in two turns"
    assert all(len(e.reason) > 10 for e in moves)


def test_militant_groups_are_never_playable_and_levers_are_checked():
    g = Game(BASELINE, seed=1, turns=1, replicates=REPS)
    with pytest.raises(GameError, match="not playable"):
        g.set_lever("TTP", "tempo", 1.0)
    with pytest.raises(GameError, match="no lever"):
        g.set_lever("PAK", "drone_strikes", 1.0)  # a US lever
    with pytest.raises(GameError, match="must be from 0 to 1"):
        g.set_lever("US", "joint_ops", 1.5)
    with pytest.raises(GameError, match="over its budget of 1500"):
        g.set_lever("US", "civil_aid_pak", 1450)  # 100 military + 1450 civil
    g.set_lever("US", "civil_aid_pak", 1400)
    assert g.spending("US") == pytest.approx(1500)
    assert g.commands[-1]["kind"] == "set"


def test_an_accepted_deal_moves_both_sides_and_builds_trust_and_breaking_it_costs_trust():
    g = Game(BASELINE, seed=2, turns=3, replicates=REPS)
    trust0 = g.model.world.trust[:, 1, 0].copy()  # PAK's trust in the US
    g.propose("US", "middle_ground", "test")
    with pytest.raises(GameError, match="not waiting"):
        g.answer("US", 1, True)  # the proposer cannot accept its own offer
    g.answer("PAK", 1, True, "fair")
    assert g.lever("US", "help_vs_ttp_bla") == pytest.approx(0.7)
    assert g.lever("PAK", "support_vs_iskp") == pytest.approx(1.0)
    assert (g.model.world.trust[:, 1, 0] > trust0).all()
    g.end_turn()
    # The US lets its help slip below the terms: the deal breaks at the end of the turn.
    g.set_lever("US", "help_vs_ttp_bla", 0.0, "changed our mind")
    before = g.model.world.trust[:, 1, 0].copy()
    g.end_turn()
    offer = g.offers[0]
    assert offer.status == "broken" and offer.broken_by == "US"
    assert any(e.kind == "break" and e.by == "rules" for e in g.log)
    assert (g.model.world.trust[:, 1, 0] < before).all()


def test_teacher_events_reach_the_status_quo_too_so_scores_measure_choices():
    g = Game(BASELINE, seed=4, turns=1, replicates=REPS)
    g.inject("commander_captured")
    g.end_turn()
    r = g.results[0]
    assert r.observed["strength.ISKP"] == pytest.approx(r.status_quo["strength.ISKP"])
    assert all(v == pytest.approx(50, abs=0.5) for v in r.scores.values())


def test_the_game_is_the_same_whatever_the_horizon():
    """Load-and-play-on rebuilds the model with a longer horizon; played turns must not move."""
    short, long = bot_game(turns=2), bot_game(turns=4)
    assert fingerprint(short)[0] == fingerprint(long)[0][:2]


def test_undo_takes_back_the_turn_in_progress_then_the_last_turn():
    g = bot_game(turns=3)
    done = fingerprint(g)
    g2 = Game(BASELINE, seed=5, turns=3, replicates=REPS)
    for role in R.ROLES:
        g2.play_bot(role)
    g2.end_turn()
    g2.set_lever("PAK", "ct_effort", 0.1)
    assert g2.undo() == "the moves of turn 2"
    assert g2.played == 1 and g2.lever("PAK", "ct_effort") != pytest.approx(0.1)
    assert g2.undo() == "turn 1"
    assert g2.played == 0 and not g2.commands
    with pytest.raises(GameError, match="nothing to undo"):
        g2.undo()
    while not g2.finished:
        for role in R.ROLES:
            g2.play_bot(role)
        g2.end_turn()
    assert fingerprint(g2) == done


# ------------------------------------------------------------------ save and load


def test_save_load_round_trip_and_play_on(tmp_path):
    g = bot_game(turns=2)
    path = save_game(g, tmp_path / "g.json")
    loaded = load_game(path)
    assert fingerprint(loaded) == fingerprint(g)
    assert loaded.finished
    loaded.extend(1)
    assert not loaded.finished and loaded.turn == 3
    for role in R.ROLES:
        loaded.play_bot(role)
    loaded.end_turn()
    assert fingerprint(loaded)[0][:2] == fingerprint(g)[0]
    assert fingerprint(loaded)[0] == fingerprint(bot_game(turns=3))[0]


@pytest.mark.parametrize(
    ("mutate", "expect"),
    [
        (lambda text, d: text[:150], "not a valid saved game"),
        (lambda text, d: json.dumps(d | {"version": 99}), "format version 99"),
        (lambda text, d: json.dumps(d | {"format": "other"}), "not a durand saved game"),
        (lambda text, d: json.dumps(d | {"seats": {"TTP": "bot"}}), "seats.TTP"),
        (
            lambda text, d: json.dumps(d | {"commands": [{"kind": "set", "role": "US"}]}),
            "commands[0]",
        ),
        (lambda text, d: json.dumps(d | {"scenario_hash": "x"}), "has changed"),
        (
            lambda text, d: json.dumps(
                d
                | {
                    "commands": [
                        {"kind": "set", "role": "US", "lever": "joint_ops", "value": "lots"}
                    ]
                }  # fmt: skip
            ),
            "'commands[0].value': expected a finite number, got 'lots'",
        ),
        (
            lambda text, d: json.dumps(
                d | {"commands": [{"kind": "answer", "role": "PAK", "offer_id": "1", "accept": 1}]}
            ),
            "'commands[0].offer_id': expected a whole number",
        ),
        (lambda text, d: json.dumps(d | {"commands": [{"kind": "fly"}]}), "unknown kind"),
        (lambda text, d: json.dumps(d | {"scenario": "scenarios/nowhere.yaml"}), "nowhere"),
    ],
)
def test_a_corrupt_or_incompatible_save_is_a_clear_error(tmp_path, mutate, expect):
    g = Game(BASELINE, seed=1, turns=1, replicates=REPS)
    path = save_game(g, tmp_path / "g.json")
    text = path.read_text()
    path.write_text(mutate(text, json.loads(text)))
    with pytest.raises(ScenarioError) as exc:
        load_game(path)
    assert expect in str(exc.value)
    assert str(path) in str(exc.value)


# ------------------------------------------------------------------ doctrines

BAD_DOCTRINE = """\
role: US
title: A careless doctrine
rules:
  - name: fine
    set: {joint_ops: 0.8}
    because: a perfectly good reason
  - name: wrong lever
    set:
      ct_effort: 0.5
    because: Pakistan's lever, not ours
  - name: wrong metric
    when:
      - {metric: strength.ISIS, above: 1}
    adjust: {intel_sharing: 0.1}
    because: a typo in the metric
  - name: out of range
    set: {do_more: 3}
    because: too much
answers:
  - offer: cpec_security
    accept: true
    because: not the US's offer
"""


def test_doctrine_errors_name_file_line_and_key_path(tmp_path):
    path = tmp_path / "us.yaml"
    path.write_text(BAD_DOCTRINE)
    with pytest.raises(ScenarioError) as exc:
        load_doctrine(path)
    found = {(p.line, p.key_path) for p in exc.value.problems}
    assert (9, "rules[1].set.ct_effort") in found
    assert (13, "rules[2].when[0].metric") in found
    assert (17, "rules[3].set.do_more") in found
    assert (20, "answers[0].offer") in found
    assert all(p.file == str(path) for p in exc.value.problems)
    assert "did you mean 'strength.ISKP'" in str(exc.value)


def test_doctrine_schema_errors_and_the_cli_exit_code(tmp_path):
    path = tmp_path / "us.yaml"
    path.write_text("role: US\ntitle: t\nrules:\n  - name: r\n    because: no action at all\n")
    res = durand("play", "--text", "--all-bots", "--turns", "1", "--doctrine", f"US={path}")
    assert res.returncode == 2, res.stderr
    assert f"{path}:4" in res.stderr and "rules[0]" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_shipped_doctrines_load():
    for role in R.ROLES:
        assert load_doctrine(Path(R.__file__).parent / "doctrines" / f"{role}.yaml").role == role


# ------------------------------------------------------------------ lessons and debrief


def test_at_least_three_lessons_and_each_loads_and_runs(tmp_path):
    names = available()
    assert len(names) >= 3
    for name in names:
        lesson = load_lesson(name)
        spec = lesson.spec
        assert spec.learning_goals and spec.discussion_questions and spec.look_for
        assert len(spec.briefing) > 100
        g = Game(lesson.scenario_path, seed=spec.seed, turns=2, replicates=REPS)
        out = io.StringIO()
        TextGame(g, inp=io.StringIO(""), out=out, lesson=lesson).run()
        text = out.getvalue()
        assert g.played == 2 and spec.title in text and spec.discussion_questions[0] in text
        for cue in spec.teacher_events:
            if cue.turn <= 2:
                assert any(e.detail.get("event") == cue.event for e in g.log)


def test_debrief_writes_html_with_charts_reasons_and_causes(tmp_path):
    from sim.game.debrief import write_debrief

    lesson = load_lesson("middle-ground")
    g = bot_game(turns=3)
    page = write_debrief(g, tmp_path / "d", lesson=lesson)
    html = page.read_text()
    for png in ("scores.png", "outcomes.png"):
        assert (tmp_path / "d" / png).read_bytes()[:4] == b"\x89PNG"
        assert png in html
    reasons = [e.reason for e in g.log if e.by == "bot"]
    assert reasons and all(r.split(" (")[0].replace("'", "&#x27;") in html for r in reasons)
    assert "against" in html and "What happened, and why" in html
    assert lesson.spec.discussion_questions[0].replace("'", "&#x27;") in html


# ------------------------------------------------------------------ the text front end


SCRIPT = """\

show
set joint_ops 0.9 because ISKP must be contained
set military_aid_pak 2000
offer middle_ground because seed 003's bargain
done

accept 1 because help against TTP is what we need
set deportation 0.1 because calm the border
teacher event border_incident
done

set ct_salience 0.5
undo

set ct_salience 0.9
done

teacher reveal
done
"""


def test_a_scripted_hot_seat_game_through_the_text_front_end(tmp_path):
    seats = {"US": "person", "PAK": "person", "AFG": "bot", "CHN": "bot"}
    # An AFG bot that moves a lever in private every turn, so hiding it can be checked.
    (tmp_path / "afg.yaml").write_text(
        "role: AFG\ntitle: test\ndescription: a private move each turn\nrules:\n"
        "  - name: shelter\n    when:\n      - {turn_from: 1}\n"
        "    adjust: {ttp_tolerance: -0.05}\n    because: a quiet test move\n",
        encoding="utf-8",
    )
    afg = load_doctrine(tmp_path / "afg.yaml")
    g = Game(BASELINE, seed=9, turns=2, replicates=REPS, seats=seats, doctrines={"AFG": afg})
    out = io.StringIO()
    TextGame(g, inp=io.StringIO(SCRIPT), out=out, save_path=tmp_path / "s.json").run()
    text = out.getvalue()
    assert g.finished and g.played == 2
    assert "Pass the keyboard to Pakistan (PAK)" in text
    assert "Not allowed: US would spend" in text
    assert "Undone: US's moves of turn 2" in text  # a seat's undo takes back its own moves
    # The deal held: both sides' levers honour its terms, and the trust it built shows.
    assert g.offers[0].status == "accepted"
    assert g.lever("PAK", "support_vs_iskp") == pytest.approx(1.0)
    assert g.lever("US", "ct_salience") == pytest.approx(0.9)
    # Bots' private moves stay hidden until the teacher reveals them.
    before_reveal, _, after_reveal = text.partition("Hidden information, revealed by the teacher")
    assert after_reveal, "the teacher's reveal was not shown"
    hidden = [e for e in g.log if e.role == "AFG" and not e.public and e.turn == 1]
    assert hidden, "AFG's bot made no private move in turn 1; the check below would be empty"
    for e in hidden:
        line = f"AFG (bot): {e.text}"
        assert line not in before_reveal
        assert line in after_reveal
    assert "AFG (bot) has made its moves" in before_reveal
    assert "Every move, with its reason" in text and "ISKP must be contained" in text
    assert load_game(tmp_path / "s.json").played == 2


def test_cli_same_seed_same_transcript_and_replay(tmp_path):
    args = ("play", "--text", "--all-bots", "--turns", "2", "--seed", "8", "--replicates", "10")
    a = durand(*args, "--save", str(tmp_path / "a.json"))
    b = durand(*args, "--save", str(tmp_path / "b.json"))
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout and "because" in a.stdout
    r = durand("play", "--load", str(tmp_path / "a.json"), "--replay", "--debrief",
               str(tmp_path / "deb"))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "Replay of a saved game" in r.stdout and (tmp_path / "deb" / "index.html").exists()
    assert "there is no window replay" in r.stdout  # asked without --text: told it is text
    assert "2 turns of 3 months" in (tmp_path / "deb" / "index.html").read_text()
    one = Game(BASELINE, seed=1, turns=1, replicates=1)
    out = io.StringIO()
    TextGame(one, inp=io.StringIO(""), out=out).run()
    assert "1 turn of 3 months" in out.getvalue() and "median of 1 model run." in out.getvalue()
    bad = durand("play", "--role", "TTP", "--text")
    assert bad.returncode == 2 and "never playable" in bad.stderr
    missing = durand("play", "--lesson", "no-such-lesson", "--text")
    assert missing.returncode == 2 and "middle-ground" in missing.stderr


def test_a_game_the_teacher_ended_can_be_played_on_after_loading(tmp_path):
    g = Game(BASELINE, seed=3, turns=4, replicates=REPS)
    g.end_turn()
    g.end_game()
    assert g.finished and g.played == 1
    loaded = load_game(save_game(g, tmp_path / "g.json"))
    assert loaded.finished
    loaded.extend(1)
    assert not loaded.finished and loaded.turns == 2
    loaded.end_turn()
    assert loaded.played == 2 and loaded.finished


def test_goals_and_deals_quote_their_seed_sentences_verbatim():
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("the seed documents are not beside this checkout")
    texts = {p.name[:3]: " ".join(p.read_text(encoding="utf-8").split()) for p in seeds.iterdir()}
    sources = [g.source for g in R.GOALS.values()] + [o.source for o in R.OFFERS.values()]
    for source in sources:
        seed, _, quote = source.partition(": ")
        normal = quote.replace("\u2019", "'")
        assert normal in texts[seed].replace("\u2019", "'"), source


def test_the_game_rules_document_lists_every_deal_and_event():
    doc = (ROOT / "docs" / "game.md").read_text(encoding="utf-8")
    for name in list(R.OFFERS) + list(R.TEACHER_EVENTS):
        assert f"`{name}`" in doc


def test_cli_hot_seat_game_read_from_standard_input(tmp_path):
    script = "\nset joint_ops 0.8 because ISKP is growing\nteacher seat PAK person\ndone\n\nbot\n"
    res = durand(
        "play", "--text", "--role", "US", "--turns", "1", "--seed", "4", "--replicates", "8",
        "--save", str(tmp_path / "g.json"), stdin=script,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "joint_ops 0.50 -> 0.80, because ISKP is growing" in out
    assert "Pass the keyboard to Pakistan (PAK)" in out and "A bot now plays PAK" in out
    assert "=== The game is over ===" in out
    saved = json.loads((tmp_path / "g.json").read_text())
    assert [c["kind"] for c in saved["commands"]].count("seat") == 2


def test_a_seat_comes_back_from_a_bot_when_no_person_is_left():
    """One person hands the seat to a bot; before the next turn the teacher is asked, and a
    queued 'teacher seat US person' gives the seat back."""
    g = Game(BASELINE, seed=4, turns=3, replicates=8, seats={"US": "person"})
    script = "\nbot\nteacher seat US person\n\ndone\n\ndone\n"
    out = io.StringIO()
    TextGame(g, inp=io.StringIO(script), out=out).run()
    text = out.getvalue()
    assert "Every seat is now a bot. Enter plays turn 2" in text
    assert "US is now played by a person." in text
    seat_turns = [(e.turn, e.text) for e in g.log if e.kind == "seat"]
    assert seat_turns == [(1, "seat now played by a bot"), (2, "seat now played by a person")]
    assert g.finished and g.played == 3
    assert text.count("Pass the keyboard to United States") >= 2


def test_an_all_bot_game_from_the_start_never_waits_for_the_teacher():
    g = Game(BASELINE, seed=4, turns=2, replicates=8)
    out = io.StringIO()
    TextGame(g, inp=io.StringIO(""), out=out).run()
    assert g.played == 2 and "Every seat is now a bot" not in out.getvalue()


def test_teacher_commands_typed_at_the_hand_over_prompt_are_carried_out():
    g = Game(BASELINE, seed=4, turns=1, replicates=8, seats={"US": "person"})
    script = "teacher event iskp_wave\nreveal\n\ndone\n"
    out = io.StringIO()
    TextGame(g, inp=io.StringIO(script), out=out).run()
    events = [e for e in g.log if e.kind == "event"]
    assert [e.detail["event"] for e in events] == ["iskp_wave"]
    assert g.revealed and "Hidden information, revealed by the teacher" in out.getvalue()
    assert g.finished and g.played == 1


def test_the_explanation_names_only_moves_that_pushed_the_way_things_went():
    from sim.game.explain import DRIVERS, deal_moves, lever_moves

    g = Game(BASELINE, seed=4, turns=1, replicates=8, seats={"PAK": "person"})
    g.set_lever("PAK", "ct_effort", 1.0, "press every group")
    # More effort raises counter-pressure: a cause when pressure rose, never when it fell.
    up = lever_moves(g, DRIVERS["pressure.BLA"], +1)
    assert any("PAK moved ct_effort from 0.80 to 1.00" in m for m in up)
    assert not any("ct_effort" in m for m in lever_moves(g, DRIVERS["pressure.BLA"], -1))
    assert deal_moves(g, "PAK", "US", +1) == []


def test_the_debrief_story_has_every_cause_pointing_the_right_way():
    """A known game: ISKP ended weaker as counter-pressure on it rose. Pakistan's raised
    ct_effort and its shift to ISKP (support_vs_iskp up) raise that pressure and must be
    named; the US's help against TTP and BLA (which lowers it) must not be."""
    from sim.game.explain import explain

    lesson = load_lesson("cpec-under-fire")
    g = Game(lesson.scenario_path, seed=lesson.spec.seed, turns=2, replicates=10)
    g.set_lever("PAK", "ct_effort", 0.9, "more forces")
    g.propose("US", "middle_ground")
    g.answer("PAK", 1, True)
    while not g.finished:
        g.end_turn()
    lines = explain(g)
    iskp = next(x for x in lines if x.startswith("ISKP's strength"))
    assert "lower" in iskp and "counter-pressure on ISKP +" in iskp
    assert "ct_effort" in iskp and "support_vs_iskp from 0.50 to 1.00" in iskp
    assert "help_vs_ttp_bla" not in iskp
    trust = next(x for x in lines if x.startswith("Pakistan's trust in the US"))
    assert "higher" in trust and "middle_ground deal struck" in trust


def test_an_unwritable_save_path_is_refused_before_any_turn(tmp_path):
    res = durand("play", "--text", "--role", "US", "--turns", "1", "--replicates", "4",
                 "--save", "/proc/nope/game.json", stdin="\ndone\n")  # fmt: skip
    assert res.returncode == 3 and "Traceback" not in res.stderr
    assert "/proc/nope/game.json" in res.stderr and "Turn 1" not in res.stdout


def test_a_failed_autosave_warns_and_the_game_goes_on(tmp_path, monkeypatch):
    from sim.game import save
    from sim.inputs.errors import OutputError

    def failing(game, path, **position):
        raise OutputError(f"cannot save the game to {path}: disk full")

    monkeypatch.setattr(save, "save_game", failing)
    g = Game(BASELINE, seed=4, turns=2, replicates=8)
    out = io.StringIO()
    TextGame(g, inp=io.StringIO(""), out=out, save_path=tmp_path / "g.json").run()
    assert g.finished and g.played == 2
    assert "Warning: cannot save the game to" in out.getvalue()
    assert "=== The game is over ===" in out.getvalue()


def test_a_save_names_its_scenario_relative_to_the_project_and_opens_anywhere(tmp_path):
    import shutil

    g = bot_game(turns=1)
    path = save_game(g, tmp_path / "a" / "g.json")
    data = json.loads(path.read_text())
    assert data["scenario"] == "scenarios/baseline.yaml" and data["scenario_base"] == "project"
    moved = tmp_path / "elsewhere" / "g.json"
    moved.parent.mkdir()
    shutil.move(path, moved)
    assert fingerprint(load_game(moved)) == fingerprint(g)


def test_a_save_keeps_an_outside_doctrine_beside_it(tmp_path):
    import shutil

    src = ROOT / "sim" / "game" / "doctrines" / "AFG.yaml"
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(src, folder / "afg.yaml")
    g = Game(BASELINE, seed=2, turns=1, replicates=8,
             doctrines={"AFG": load_doctrine(folder / "afg.yaml")})  # fmt: skip
    save_game(g, folder / "g.json")
    data = json.loads((folder / "g.json").read_text())
    assert data["doctrines"]["AFG"] == "afg.yaml" and data["doctrine_base"]["AFG"] == "save"
    shutil.move(folder, tmp_path / "moved")
    loaded = load_game(tmp_path / "moved" / "g.json")
    assert Path(loaded.doctrines["AFG"].path) == tmp_path / "moved" / "afg.yaml"


def test_china_does_not_break_cpec_security_on_one_noisy_quarter():
    from sim.game.doctrine import Context, default_doctrine, holds

    rule = next(r for r in default_doctrine("CHN").rules if r.break_deal == "cpec_security")
    quiet = {"attacks.china_interests": 2.0}

    def ctx(history):
        o, q = history[-1]
        return Context(len(history) + 1, o, q, frozenset({"cpec_security"}), frozenset(),
                       history=tuple(history))  # fmt: skip

    one_bad = [({"attacks.china_interests": 5.0}, quiet)]
    assert not holds(rule.when, ctx(one_bad))[0]  # 5 against 2 in one quarter: noise
    blip = [({"attacks.china_interests": 2.0}, quiet), ({"attacks.china_interests": 5.0}, quiet)]
    assert not holds(rule.when, ctx(blip))[0]
    pattern = [({"attacks.china_interests": 7.0}, quiet), ({"attacks.china_interests": 6.0}, quiet)]
    ok, evidence = holds(rule.when, ctx(pattern))
    assert ok and any("over the last 2 quarters" in x for x in evidence)
    assert not [e for e in bot_game(turns=4, seed=3).log if e.kind == "break"]


def test_each_us_bot_move_gives_its_own_reason():
    g = bot_game(turns=1, seed=3)
    reasons = {e.detail["lever"]: e.reason for e in g.log if e.role == "US" and e.by == "bot"
               and e.kind == "set"}  # fmt: skip
    assert "intelligence" in reasons["intel_sharing"]
    assert "joint operations" in reasons["joint_ops"] and "intelligence" not in reasons["joint_ops"]


def test_the_public_snapshot_holds_the_turns_played_and_every_actor_card():
    from sim import GROUPS, STATES

    g = Game(BASELINE, seed=3, turns=2, replicates=6)
    assert g.snapshot() is None
    g.end_turn()
    snap = g.snapshot()
    assert snap.played == 1 and snap.result.months == R.MONTHS_PER_TURN
    assert snap.result.replicates == 6 and set(snap.cards) == set(STATES) | set(GROUPS)
    before = snap.result.data.copy()
    snap.result.data[:] = -1  # a copy: a front end cannot change the game through it
    assert (g.snapshot().result.data == before).all()
