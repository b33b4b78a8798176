"""The one turn flow (sim.game.flow.Table): seats, order, undo, privacy, saves, front ends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.game import rules as R
from sim.game.engine import Game
from sim.game.flow import AUDIENCES, PROJECTOR, TEACHER, FlowError, Table
from sim.game.save import load_game

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
REPS = 6
TWO_PEOPLE = {"US": "person", "PAK": "person", "AFG": "bot", "CHN": "bot"}


def table(turns=2, seats=TWO_PEOPLE, **kw) -> Table:
    return Table(Game(BASELINE, seed=11, turns=turns, replicates=REPS, seats=seats), **kw)


def us(kind, **kw):
    return {"seat": "US", "kind": kind, **kw}


def pak(kind, **kw):
    return {"seat": "PAK", "kind": kind, **kw}


def teacher(kind, **kw):
    return {"seat": TEACHER, "kind": kind, **kw}


def refused(t: Table, command, code: str) -> FlowError:
    """The command is refused with ``code`` and nothing about the table changes."""
    before = (json.dumps(t.view(TEACHER), sort_keys=True), list(t.game.commands), len(t.log))
    with pytest.raises(FlowError) as info:
        t.submit(command)
    assert info.value.code == code, str(info.value)
    after = (json.dumps(t.view(TEACHER), sort_keys=True), list(t.game.commands), len(t.log))
    assert after == before
    return info.value


def everything_said(view: dict) -> str:
    return json.dumps(view)


# ------------------------------------------------------------------ order and seats


def test_ordered_turn_bots_move_in_turn_and_the_quarter_resolves_after_the_last_seat():
    t = table()
    assert t.phase == "moving" and t.to_move == "US" and t.view("US")["can_act"]
    assert not t.view("PAK")["can_act"]
    t.submit(us("set", lever="joint_ops", value=0.8, reason="ISKP grows"))
    t.submit(us("done"))
    assert t.to_move == "PAK" and t.done == {"US"}
    t.submit(pak("done"))  # AFG and CHN are bots: they move, then the quarter runs
    assert t.game.played == 1 and t.game.turn == 2 and t.to_move == "US" and not t.done
    bots = {e.role for e in t.game.log if e.turn == 1 and e.by == "bot"}
    assert bots <= {"AFG", "CHN"}
    assert t.view(PROJECTOR)["results"][0]["turn"] == 1


def test_a_seat_cannot_act_for_another_and_nothing_changes():
    t = table()
    err = refused(t, {"seat": "PAK", "role": "US", "kind": "set", "lever": "joint_ops",
                      "value": 0.9}, "not_your_seat")  # fmt: skip
    assert "cannot act for" in str(err)
    refused(t, pak("set", lever="joint_ops", value=0.9), "not_your_turn")  # US moves first
    refused(t, us("end_turn"), "not_your_seat")  # a teacher's command from a team's seat
    refused(t, us("seat", role="PAK", player="bot"), "not_your_seat")
    refused(t, {"seat": PROJECTOR, "kind": "done"}, "not_your_seat")
    refused(t, {"seat": "TTP", "kind": "done"}, "not_your_seat")  # never playable
    refused(t, {"seat": "AFG", "kind": "set", "lever": "ttp_tolerance", "value": 0.1},
            "not_your_turn")  # fmt: skip  # a bot's seat
    refused(t, us("set", lever="joint_ops", value=7.0), "rules")  # out of range
    refused(t, us("set", lever="civil_aid_pak", value=5000.0), "rules")  # over budget


def test_malformed_commands_are_refused_cleanly():
    t = table()
    for bad in ("done", None, [], {"kind": "done"}, us("fly"), us("done", extra=1),
                us("set", lever="joint_ops"), us("set", lever="joint_ops", value="high"),
                us("set", lever="joint_ops", value=float("nan")),
                us("set", lever="joint_ops", value=True),
                us("answer", offer_id=1.5, accept=True),
                us("propose", offer="middle_ground", reason="x" * 501),
                teacher("timer", seconds=-5)):  # fmt: skip
        refused(t, bad, "bad_command")


def test_out_of_order_commands_end_turn_twice_and_moves_after_game_over():
    t = table(turns=1)
    t.submit(us("done"))
    refused(t, us("done"), "already_done")
    refused(t, us("set", lever="joint_ops", value=0.8), "already_done")
    refused(t, us("undo"), "already_done")
    refused(t, teacher("step"), "not_waiting")
    t.submit(teacher("end_turn"))  # forced: PAK is done as it is, bots move, it resolves
    assert t.game.finished and t.phase == "over"
    refused(t, teacher("end_turn"), "game_over")
    refused(t, us("set", lever="joint_ops", value=0.8), "game_over")
    refused(t, pak("done"), "game_over")
    refused(t, teacher("event", event="iskp_wave"), "game_over")
    t.submit(teacher("reveal"))  # looking back is still allowed


def test_pause_holds_every_seat_and_the_forced_end():
    t = table()
    t.submit(teacher("pause"))
    refused(t, us("set", lever="joint_ops", value=0.8), "paused")
    refused(t, teacher("end_turn"), "paused")
    t.submit(teacher("resume"))
    t.submit(us("set", lever="joint_ops", value=0.8))


# ------------------------------------------------------------------ undo


def test_undo_takes_back_only_this_seats_moves_of_this_turn():
    t = table()
    t.submit(us("set", lever="joint_ops", value=0.8, reason="contain ISKP"))
    t.submit(us("propose", offer="middle_ground"))
    t.submit(us("done"))
    t.submit(pak("set", lever="deportation", value=0.1))
    t.submit(pak("set", lever="border_closure", value=0.1))
    t.submit(pak("undo"))
    g = t.game
    assert g.lever("US", "joint_ops") == pytest.approx(0.8)  # US's turn-1 moves are kept
    assert g.offers and g.offers[0].status == "pending"  # ...and its offer
    assert g.lever("PAK", "border_closure") != pytest.approx(0.1)
    assert t.moves_this_turn("PAK") == [] and len(t.moves_this_turn("US")) == 2
    assert t.to_move == "PAK" and t.done == {"US"}
    refused(t, pak("undo"), "nothing_to_undo")
    t.submit(pak("done"))
    assert g.played == 1
    refused(t, us("undo"), "nothing_to_undo")  # a completed turn is not a seat's to undo


def test_undo_is_refused_when_another_seat_already_answered_the_offer():
    t = table(mode="simultaneous")
    t.submit(us("propose", offer="middle_ground"))
    t.submit(pak("answer", offer_id=1, accept=True))
    err = refused(t, us("undo"), "undo_blocked")
    assert "nothing was taken back" in str(err)
    assert t.game.offers[0].status == "accepted"


# ------------------------------------------------------------------ privacy


def test_private_moves_and_reasons_are_invisible_to_other_seats_until_the_reveal():
    t = table(seats={r: "person" for r in R.ROLES})
    t.submit(us("set", lever="joint_ops", value=0.8, reason="a secret US reason"))
    t.submit(us("propose", offer="middle_ground", reason="the proposer's private why"))
    t.submit(us("done"))
    for audience in ("PAK", "AFG", "CHN", PROJECTOR):
        seen = everything_said(t.view(audience))
        assert "joint_ops 0.50 -> 0.80" not in seen and "a secret US reason" not in seen
        assert "the proposer's private why" not in seen
        assert "offers #1 middle_ground" in seen  # the offer itself is public news
        assert "all_levers" not in t.view(audience) and set(t.view(audience)["scores"]) <= {
            audience
        }
    for audience in ("US", TEACHER):
        seen = everything_said(t.view(audience))
        assert "joint_ops 0.50 -> 0.80" in seen and "a secret US reason" in seen
    t.submit(teacher("reveal"))
    for audience in AUDIENCES:
        assert "a secret US reason" in everything_said(t.view(audience))
    # A reveal is a moment: PAK's move after it stays PAK's own.
    t.submit(pak("set", lever="deportation", value=0.1, reason="PAK's own reason"))
    for audience in ("US", "AFG", "CHN", PROJECTOR):
        view = t.view(audience)
        assert "PAK's own reason" not in everything_said(view)
        assert not [e for e in view["news"] if e["role"] == "PAK" and e["kind"] == "set"]
    assert "PAK's own reason" in everything_said(t.view("PAK"))
    # Public news entries a seat may see never carry another seat's reason.
    entries = t.submit(pak("done"))["entries"]
    assert all(e["role"] == "PAK" or not e["reason"] for e in entries)


def test_the_game_over_opens_the_table():
    t = table(turns=1)
    t.submit(us("set", lever="joint_ops", value=0.8, reason="now it can be told"))
    t.submit(us("done"))
    t.submit(pak("done"))
    view = t.view("PAK")
    assert t.phase == "over" and "now it can be told" in everything_said(view)
    assert set(view["final"]) == set(R.ROLES) and set(view["scores"]) == set(R.ROLES)


# ------------------------------------------------------------------ simultaneous mode


def test_simultaneous_mode_every_seat_moves_at_once_and_the_teacher_can_force_the_end():
    t = table(mode="simultaneous", turns=3)
    assert t.to_move is None and t.view("US")["can_act"] and t.view("PAK")["can_act"]
    t.submit(pak("set", lever="deportation", value=0.1))
    t.submit(us("propose", offer="middle_ground"))
    t.submit(pak("answer", offer_id=1, accept=True))
    t.submit(pak("done"))
    assert t.game.played == 0 and not t.view("PAK")["can_act"]
    t.submit(us("done"))  # the last person: bots move after the people, then it resolves
    assert t.game.played == 1
    bot_turn = [e.role for e in t.game.log if e.turn == 1 and e.by == "bot"]
    assert set(bot_turn) <= {"AFG", "CHN"}
    t.submit(us("done"))
    t.submit(teacher("end_turn"))  # PAK never said done: the teacher ends the turn
    assert t.game.played == 2
    t.submit(teacher("seat", role="PAK", player="bot"))
    t.submit(us("done"))  # the only person left is done: PAK's bot moves, it resolves
    assert t.game.finished


def test_with_nobody_seated_the_table_waits_for_the_teacher_unless_it_autoplays():
    t = table(turns=3, seats={})
    assert t.phase == "waiting" and t.game.played == 0
    t.submit(teacher("step"))
    assert t.game.played == 1 and t.phase == "waiting"
    t.submit(teacher("autoplay"))
    assert t.game.finished
    auto = table(turns=2, seats={}, autoplay=True)
    assert auto.game.finished and auto.game.played == 2


def test_a_person_handing_the_seat_to_a_bot_finishes_the_turn_then_the_teacher_steps():
    t = table(turns=3, seats={"US": "person"})
    t.submit(us("bot"))
    assert t.game.played == 1 and t.phase == "waiting"
    t.submit(teacher("seat", role="US", player="person"))
    assert t.phase == "moving" and t.to_move == "US"


def test_lesson_cues_are_injected_when_their_turn_opens():
    from sim.game.lessons import load_lesson

    lesson = load_lesson("middle-ground")
    cues = {c.turn: c.event for c in lesson.spec.teacher_events}
    assert cues, "the lesson has no teacher events to check"
    first = min(cues)
    game = Game(lesson.scenario_path, seed=2, turns=first, replicates=REPS)
    t = Table(game, lesson=lesson, autoplay=True)
    events = [(e.turn, e.detail.get("event")) for e in t.game.log if e.kind == "event"]
    assert (first, cues[first]) in events and events.count((first, cues[first])) == 1


# ------------------------------------------------------------------ saves and restore


def test_a_game_saved_during_pakistans_turn_resumes_at_pakistan_with_the_us_moves(tmp_path):
    t = table()
    t.submit(us("set", lever="joint_ops", value=0.8, reason="contain ISKP"))
    t.submit(us("propose", offer="middle_ground"))
    t.submit(us("done"))
    t.submit(pak("set", lever="deportation", value=0.1))
    assert t.to_move == "PAK"
    path = t.save(tmp_path / "mid.json")
    assert json.loads(path.read_text())["position"]["done"] == ["US"]
    loaded = Table.load(path)
    assert loaded.game.turn == 1 and loaded.game.played == 0
    assert loaded.to_move == "PAK" and loaded.done == {"US"}
    assert loaded.game.lever("US", "joint_ops") == pytest.approx(0.8)
    assert loaded.game.lever("PAK", "deportation") == pytest.approx(0.1)
    assert loaded.game.offers[0].status == "pending"
    refused(loaded, us("set", lever="joint_ops", value=0.5), "already_done")
    loaded.submit(pak("answer", offer_id=1, accept=True))
    loaded.submit(pak("done"))
    assert loaded.game.played == 1 and loaded.to_move == "US"


def test_an_old_save_without_a_position_resumes_after_the_last_seat_that_moved(tmp_path):
    from sim.game.save import save_game

    t = table()
    t.submit(us("set", lever="joint_ops", value=0.8))
    t.submit(us("done"))
    path = save_game(t.game, tmp_path / "old.json")  # no position: as older durands saved
    assert "position" not in json.loads(path.read_text())
    assert Table.load(path).to_move == "PAK"


def test_a_reveal_and_the_mode_survive_a_save(tmp_path):
    t = table(mode="simultaneous")
    t.submit(us("set", lever="joint_ops", value=0.8, reason="told at the reveal"))
    t.submit(teacher("reveal"))
    t.submit(pak("set", lever="deportation", value=0.1, reason="after the reveal"))
    loaded = Table.load(t.save(tmp_path / "r.json"))
    seen = everything_said(loaded.view("CHN"))
    assert loaded.mode == "simultaneous"
    assert "told at the reveal" in seen and "after the reveal" not in seen


def test_a_table_is_rebuilt_exactly_from_its_config_and_command_log():
    t = table(mode="simultaneous", turns=3)
    t.submit(us("set", lever="joint_ops", value=0.8, reason="r1"))
    t.submit(us("propose", offer="middle_ground"))
    t.submit(pak("answer", offer_id=1, accept=True))
    t.submit(teacher("event", event="iskp_wave"))
    t.submit(pak("done"))
    t.submit(us("done"))
    t.submit(pak("set", lever="deportation", value=0.1))
    t.submit(pak("undo"))
    t.submit(teacher("reveal"))
    t.submit(teacher("timer", seconds=120))
    config = json.loads(json.dumps(t.config()))
    log = [json.loads(line) for line in (json.dumps(c) for c in t.log)]
    back = Table.restore(config, log)
    for audience in AUDIENCES:
        a, b = t.view(audience), back.view(audience)
        a.pop("revision"), b.pop("revision")
        assert a == b, audience
    assert back.game.commands == t.game.commands and back.log == t.log


def test_listeners_hear_bots_turns_and_autosave_failures(tmp_path):
    heard = []
    (tmp_path / "a-file").write_text("not a folder")
    t = table(save_path=tmp_path / "a-file" / "g.json")
    t.listeners.append(lambda kind, data: heard.append(kind))
    t.submit(us("done"))
    t.submit(pak("done"))
    assert heard.index("bot_moved") < heard.index("turn_resolved") < heard.index("turn_opened")
    assert "autosave_failed" in heard and t.warning.startswith("Warning:")
    assert t.view(TEACHER)["warning"] and "warning" not in t.view("US")


# ------------------------------------------------------------------ --load and --turns


def bots_played(turns: int, played: int, tmp_path: Path) -> Path:
    """A saved all-bot game of ``turns`` turns, ``played`` of them played."""
    game = Game(BASELINE, seed=11, turns=turns, replicates=REPS)
    t = Table(game, autoplay=True, until_turn=played)
    assert game.played == played and t.phase in ("stopped", "over")
    return t.save(tmp_path / "g.json")


def test_load_turns_n_plays_n_more_turns_and_never_lengthens_a_lesson(tmp_path):
    import io

    from sim.game.setup import start_session
    from sim.game.text import TextGame

    path = bots_played(4, 1, tmp_path)
    game, _, until = start_session(load=path, turns=2)
    assert game.turns == 4 and until == 3  # turns 2 and 3 of the same 4-turn game
    out = io.StringIO()
    TextGame(game, inp=io.StringIO(""), out=out, save_path=path, until_turn=until).run()
    assert game.played == 3 and not game.finished
    assert "This session's turns are played (turn 3 of 4)" in out.getvalue()
    again, _, until = start_session(load=path, turns=5)  # past the end: the game grows
    assert again.played == 3 and again.turns == 8 and until == 8
    done, _, until = start_session(load=bots_played(2, 2, tmp_path / "f"), turns=2)
    assert done.turns == 4 and until == 4 and not done.finished  # a finished game plays on


def test_play_load_without_save_keeps_the_new_turns_in_the_loaded_file(tmp_path):
    import subprocess
    import sys

    path = bots_played(3, 1, tmp_path)
    durand = Path(sys.executable).with_name("durand")
    res = subprocess.run(
        [str(durand), "play", "--load", str(path), "--text", "--all-bots", "--turns", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "saved there after every turn" in res.stdout
    assert load_game(path).played == 2 and not load_game(path).finished


# ------------------------------------------------------------------ the front ends


US_SCRIPT = "\nset joint_ops 0.8 because contain ISKP\noffer middle_ground\ndone\n\ndone\n"


def test_the_text_game_saved_during_pakistans_turn_resumes_at_pakistan(tmp_path):
    import io

    from sim.game.setup import start_session
    from sim.game.text import TextGame

    game = Game(BASELINE, seed=11, turns=2, replicates=REPS, seats=TWO_PEOPLE)
    script = US_SCRIPT.split("\n\ndone")[0] + "\n\nset deportation 0.1\nquit\n"
    out = io.StringIO()
    TextGame(game, inp=io.StringIO(script), out=out, save_path=tmp_path / "g.json").run()
    assert "The game stops at turn 1 (quit)" in out.getvalue()
    loaded, _, until = start_session(load=tmp_path / "g.json")
    out = io.StringIO()
    TextGame(loaded, inp=io.StringIO("\ndone\n"), out=out).run()
    text = out.getvalue()
    resumed = text.split("--- Turn 1")[1].split("--- Turn 2")[0]
    assert "Pass the keyboard to Pakistan" in resumed and "United States" not in resumed
    assert loaded.lever("US", "joint_ops") == pytest.approx(0.8)
    assert loaded.lever("PAK", "deportation") == pytest.approx(0.1)
    assert loaded.played == 1


def window(game, **kw):
    import os

    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    from viz.play.app import PlayApp

    return PlayApp(game, **kw)


def pump(app, *events):
    import pygame

    for e in events:
        pygame.event.post(e)
        app.run(2, fixed_dt=1 / 60)
    if not events:
        app.run(2, fixed_dt=1 / 60)  # frames only: draw what is on screen


def enter():
    import pygame

    return pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="", scancode=0)


def button(b):
    import pygame
    import pygame_gui

    return pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, ui_element=b)


def test_the_text_and_window_front_ends_drive_the_same_flow():
    import io

    from sim.game.text import TextGame
    from viz.play.scenes import GameOverScene, TurnScene

    seats = {"US": "person", "PAK": "bot", "AFG": "bot", "CHN": "bot"}
    by_text = Game(BASELINE, seed=5, turns=2, replicates=REPS, seats=seats)
    TextGame(by_text, inp=io.StringIO(US_SCRIPT), out=io.StringIO()).run()
    by_window = Game(BASELINE, seed=5, turns=2, replicates=REPS, seats=seats)
    app = window(by_window)
    try:
        pump(app, enter(), enter())  # the briefing, then the hand-over to US
        scene = app.scene
        assert isinstance(scene, TurnScene) and scene.role == "US"
        scene.sliders["joint_ops"].set_current_value(0.8)
        scene.reason.set_text("contain ISKP")
        pump(app, button(scene.buttons["apply"]))
        propose = next(b for b, v in app.scene.offer_buttons.items()
                       if v == ("propose", "middle_ground"))  # fmt: skip
        pump(app, button(propose))
        pump(app, button(app.scene.buttons["done"]))
        pump(app, enter())
        pump(app, button(app.scene.buttons["done"]))
        assert isinstance(app.scene, GameOverScene)
    finally:
        app.close()
    assert by_text.finished and by_window.finished
    assert by_window.commands == by_text.commands
    assert [r.scores for r in by_window.results] == [r.scores for r in by_text.results]


def test_the_window_hand_over_screen_shows_no_private_move_of_the_team_before(monkeypatch):
    """US moves a lever with a reason and clicks Done: Pakistan's hand-over screen (and
    Pakistan's seat) must not show it; after a reveal it shows; later moves are hidden again."""
    import viz.play.scenes as scenes

    game = Game(BASELINE, seed=5, turns=2, replicates=REPS, seats=TWO_PEOPLE)
    app = window(game)
    drawn: list[str] = []
    real = scenes.text_block

    def recording(surface, typo, lines, *args, **kw):
        drawn.extend(lines)
        return real(surface, typo, lines, *args, **kw)

    monkeypatch.setattr(scenes, "text_block", recording)

    def us_moves(value, why):
        scene = app.scene
        assert isinstance(scene, scenes.TurnScene) and scene.role == "US"
        scene.sliders["intel_sharing"].set_current_value(value)
        scene.reason.set_text(why)
        pump(app, button(scene.buttons["apply"]))
        pump(app, button(app.scene.buttons["done"]))

    try:
        pump(app, enter(), enter())
        us_moves(0.9, "a secret reason")
        assert isinstance(app.scene, scenes.HandOverScene) and app.scene.role == "PAK"
        drawn.clear()
        pump(app)  # draw the hand-over screen
        assert any("Public news" in line for line in drawn)
        assert not [line for line in drawn if "intel_sharing" in line or "secret" in line]
        pump(app, enter())  # Pakistan's own seat
        drawn.clear()
        pump(app)
        assert not [line for line in drawn if "intel_sharing" in line or "secret" in line]
        pump(app, button(app.scene.buttons["reveal"]))
        drawn.clear()
        pump(app)
        assert [line for line in drawn if "a secret reason" in line]
        pump(app, button(app.scene.buttons["done"]))  # turn 2: US again
        pump(app, enter())
        us_moves(0.3, "a second secret")
        drawn.clear()
        pump(app)
        assert isinstance(app.scene, scenes.HandOverScene) and app.scene.role == "PAK"
        assert not [line for line in drawn if "a second secret" in line]
        assert not [line for line in drawn if "intel_sharing 0.90 -> 0.30" in line]
    finally:
        app.close()


def test_closing_the_window_mid_turn_keeps_the_moves_and_the_seat(tmp_path):
    game = Game(BASELINE, seed=5, turns=2, replicates=REPS, seats=TWO_PEOPLE)
    app = window(game, save_path=tmp_path / "g.json")
    try:
        pump(app, enter(), enter())
        scene = app.scene
        scene.sliders["joint_ops"].set_current_value(0.9)
        pump(app, button(scene.buttons["apply"]))
        pump(app, button(app.scene.buttons["done"]))
        pump(app, enter())  # Pakistan is at its seat when the window is closed
    finally:
        app.close()
    back = Table.load(tmp_path / "g.json")
    assert back.to_move == "PAK" and back.done == {"US"}
    assert back.game.lever("US", "joint_ops") == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("position", "key"),
    [
        ({"done": ["TTP"]}, "position.done"),
        ({"mode": "chaos"}, "position.mode"),
        ({"revealed_at": 999}, "position.revealed_at"),
        ({"reveal": {"turn": 1, "levers": {}, "scores": {}}}, "position.reveal"),
        ({"timer_seconds": "soon"}, "position.timer_seconds"),
        ({"whose_move": "US"}, "position.whose_move"),
    ],
)
def test_a_bad_turn_position_in_a_save_is_a_clear_error(tmp_path, position, key):
    from sim.inputs.errors import ScenarioError

    t = table()
    path = t.save(tmp_path / "g.json")
    data = json.loads(path.read_text())
    data["position"] = position
    path.write_text(json.dumps(data))
    with pytest.raises(ScenarioError) as info:
        Table.load(path)
    said = str(info.value)  # the key path (or JSON pointer) names the field, and the file
    assert "position" in said and key.split(".")[1] in said and str(path) in said


def test_seats_handed_to_bots_keep_their_peoples_secrets():
    t = table(turns=3)
    t.submit(us("set", lever="joint_ops", value=0.8, reason="kept from the others"))
    t.submit(us("done"))
    t.submit(teacher("seat", role="US", player="bot"))
    t.submit(teacher("seat", role="PAK", player="bot"))  # no person left at the table
    for audience in ("PAK", "AFG", "CHN", PROJECTOR):
        assert "kept from the others" not in everything_said(t.view(audience))
    everyone_bots = table(turns=1, seats={}, autoplay=True)  # a game of bots: all is open
    bot_moves = [e for e in everyone_bots.game.log if not e.public]
    assert bot_moves and all(e.reason for e in bot_moves)
    assert len(everyone_bots.news(PROJECTOR)) == len(everyone_bots.game.log)


def test_a_classroom_save_opens_hot_seat_in_order(tmp_path):
    import io

    from sim.game.text import TextGame

    t = table(mode="simultaneous")
    t.submit(pak("set", lever="deportation", value=0.1))
    t.submit(pak("done"))
    path = t.save(tmp_path / "class.json")
    assert Table.load(path).mode == "simultaneous"  # a save keeps its mode...
    game = load_game(path)
    out = io.StringIO()
    TextGame(game, inp=io.StringIO("\ndone\n\ndone\n\ndone\n"), out=out).run()  # ...hot-seat asks
    text = out.getvalue()
    assert text.count("Pass the keyboard to Pakistan") == 1  # PAK was done in turn 1
    assert game.finished and game.lever("PAK", "deportation") == pytest.approx(0.1)
