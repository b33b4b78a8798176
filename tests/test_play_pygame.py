"""The graphical game, headless (SDL dummy drivers), driven through the real event loop."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

from pathlib import Path  # noqa: E402

import pygame  # noqa: E402
import pygame_gui  # noqa: E402
import pytest  # noqa: E402

from sim.game.engine import Game  # noqa: E402
from sim.game.lessons import load_lesson  # noqa: E402
from sim.game.save import load_game  # noqa: E402
from viz.play.app import PlayApp  # noqa: E402
from viz.play.scenes import (  # noqa: E402
    BriefingScene,
    GameOverScene,
    HandOverScene,
    HelpOverlay,
    StepScene,
    TurnScene,
)

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DT = 1 / 60


@pytest.fixture
def app(tmp_path):
    seats = {"US": "person", "PAK": "person", "AFG": "bot", "CHN": "bot"}
    game = Game(BASELINE, seed=7, turns=2, replicates=10, seats=seats)
    a = PlayApp(game, save_path=tmp_path / "g.json", debrief_dir=tmp_path / "debrief")
    yield a
    a.close()


def frames(app, n=2):
    app.run(n, fixed_dt=DT)


def press(app, button):
    pygame.event.post(pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, ui_element=button))
    frames(app)


def click(app, button):
    """A real mouse click at the button's centre, through pygame_gui."""
    pos = button.rect.center
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        pygame.event.post(pygame.event.Event(kind, pos=pos, button=1, touch=False, window=None))
        frames(app)


def key(app, k):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))
    frames(app)


def offer_button(scene, what, arg):
    return next(b for b, v in scene.offer_buttons.items() if v == (what, arg))


def test_a_full_hot_seat_game_through_the_pygame_event_loop(app, tmp_path):
    g = app.game
    frames(app)
    assert isinstance(app.scene, BriefingScene)  # every game opens with its briefing
    click(app, app.scene.start)
    assert isinstance(app.scene, HandOverScene) and app.scene.role == "US"
    click(app, app.scene.ready)  # the hand-over screen hides US's seat until clicked
    assert isinstance(app.scene, TurnScene) and app.scene.role == "US"
    scene = app.scene
    scene.sliders["joint_ops"].set_current_value(0.9)
    scene.reason.set_text("ISKP must be contained")
    press(app, scene.buttons["apply"])
    assert g.lever("US", "joint_ops") == pytest.approx(0.9)
    assert g.log[-1].reason == "ISKP must be contained"
    app.scene.sliders["civil_aid_pak"].set_current_value(2000)  # over the budget
    press(app, app.scene.buttons["apply"])
    assert "over its budget" in app.status and g.lever("US", "civil_aid_pak") == 0
    press(app, offer_button(app.scene, "propose", "middle_ground"))
    press(app, app.scene.buttons["done"])
    assert isinstance(app.scene, HandOverScene) and app.scene.role == "PAK"
    key(app, pygame.K_RETURN)
    press(app, offer_button(app.scene, "accept", 1))
    assert g.offers[0].status == "accepted"
    assert app.scene.chosen_event() == "iskp_wave"
    press(app, app.scene.buttons["inject"])
    assert g.log[-1].kind == "event" and g.log[-1].detail["event"] == "iskp_wave"
    press(app, app.scene.buttons["done"])  # bots play AFG and CHN, the turn ends
    assert g.played == 1 and (tmp_path / "g.json").exists()
    # Turn 2: US undoes a move, then hands its seat to a bot; the teacher pauses and resumes.
    key(app, pygame.K_SPACE)
    app.scene.sliders["do_more"].set_current_value(0.6)
    press(app, app.scene.buttons["apply"])
    press(app, app.scene.buttons["undo"])
    assert g.lever("US", "do_more") == pytest.approx(0.2)
    # Undo takes back only US's own moves of this turn (the turn-1 deal stands); US keeps
    # the screen.
    assert isinstance(app.scene, TurnScene) and app.scene.role == "US"
    assert g.offers[0].status == "accepted" and "Undone" in app.status
    press(app, app.scene.buttons["pause"])
    assert g.paused and not app.scene.buttons["done"].is_enabled
    press(app, app.scene.buttons["pause"])
    assert not g.paused
    press(app, app.scene.buttons["reveal"])
    assert g.revealed
    afg = next(b for b, r in app.scene.seat_buttons.items() if r == "AFG")
    press(app, afg)  # the teacher gives AFG's seat to a person...
    assert g.seats["AFG"] == "person"
    afg = next(b for b, r in app.scene.seat_buttons.items() if r == "AFG")
    press(app, afg)  # ...and back to the bot
    assert g.seats["AFG"] == "bot"
    press(app, app.scene.buttons["bot"])
    assert g.seats["US"] == "bot"
    key(app, pygame.K_RETURN)
    assert app.scene.role == "PAK"
    press(app, app.scene.buttons["done"])
    assert g.finished and isinstance(app.scene, GameOverScene)
    app.screenshot(tmp_path / "over.png")
    press(app, app.scene.debrief_button)
    assert (tmp_path / "debrief" / "index.html").exists()
    assert load_game(tmp_path / "g.json").played == 2
    press(app, app.scene.quit_button)
    assert not app.running


def test_all_bots_lesson_opens_with_its_briefing_and_the_teacher_steps_turns(tmp_path):
    lesson = load_lesson("cpec-under-fire")
    game = Game(lesson.scenario_path, seed=lesson.spec.seed, turns=3, replicates=10)
    app = PlayApp(game, lesson=lesson)
    try:
        frames(app)
        assert isinstance(app.scene, BriefingScene) and game.played == 0
        title, sections = app.scene.lines()
        shown = " ".join(" ".join(body) for _, body in sections)
        assert lesson.spec.title in title and lesson.spec.learning_goals[0] in shown
        assert lesson.spec.briefing.split()[0] in shown
        app.screenshot(tmp_path / "briefing.png")
        key(app, pygame.K_RETURN)
        assert isinstance(app.scene, StepScene) and game.played == 0
        press(app, app.scene.play)
        assert isinstance(app.scene, StepScene) and game.played == 1 and not game.finished
        key(app, pygame.K_RETURN)
        assert game.played == 2 and not game.finished
        press(app, app.scene.to_end)
        assert game.finished and isinstance(app.scene, GameOverScene)
        assert any("Lesson" in line for line in app.news)
        app.screenshot(tmp_path / "over.png")
    finally:
        app.close()


def test_a_seat_handed_to_a_bot_can_come_back_in_the_window():
    game = Game(BASELINE, seed=4, turns=3, replicates=8, seats={"US": "person"})
    app = PlayApp(game)
    try:
        frames(app)
        key(app, pygame.K_RETURN)  # briefing
        key(app, pygame.K_RETURN)  # hand-over to US
        assert isinstance(app.scene, TurnScene)
        press(app, app.scene.buttons["bot"])
        # The rest of turn 1 is played; then the game waits for the teacher.
        assert isinstance(app.scene, StepScene) and game.played == 1 and not game.finished
        us = next(b for b, r in app.scene.seats.items() if r == "US")
        press(app, us)
        assert game.seats["US"] == "person"
        assert isinstance(app.scene, HandOverScene) and app.scene.role == "US"
    finally:
        app.close()


def test_window_keys_help_large_font_screenshot_and_fullscreen(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frames(app)
    key(app, pygame.K_F1)
    assert isinstance(app.overlay, HelpOverlay)
    key(app, pygame.K_SPACE)  # any key closes the help and does nothing else
    assert app.overlay is None and isinstance(app.scene, BriefingScene)
    key(app, pygame.K_F2)
    assert app.typo.scale > 1.0 and isinstance(app.scene, BriefingScene)
    key(app, pygame.K_RETURN)
    key(app, pygame.K_RETURN)
    assert isinstance(app.scene, TurnScene)
    key(app, pygame.K_t)
    assert app.typo.scale == 1.0 and isinstance(app.scene, TurnScene)
    key(app, pygame.K_F12)
    assert list(tmp_path.glob("durand-play-*.png")) and "Screenshot saved" in app.status
    key(app, pygame.K_F11)
    assert app.fullscreen
    key(app, pygame.K_F11)
    assert not app.fullscreen and isinstance(app.scene, TurnScene)


def test_a_failed_autosave_in_the_window_warns_and_play_goes_on(tmp_path, monkeypatch):
    from sim.game import save
    from sim.inputs.errors import OutputError

    def failing(game, path, **position):
        raise OutputError(f"cannot save the game to {path}: disk full")

    monkeypatch.setattr(save, "save_game", failing)
    game = Game(BASELINE, seed=4, turns=2, replicates=8)
    app = PlayApp(game, save_path=tmp_path / "g.json")
    try:
        frames(app)
        key(app, pygame.K_RETURN)  # briefing
        press(app, app.scene.play)
        assert game.played == 1 and isinstance(app.scene, StepScene)
        assert app.status.startswith("Warning: cannot save the game")
    finally:
        app.close()
