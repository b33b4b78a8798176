"""The game window's layout and keys, headless: resizable, readable at both font sizes,
nothing drawn over anything else, plain words on the sliders, offers that show their terms,
and a screenshot into an unwritable folder that warns instead of crashing."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

from pathlib import Path  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402

from sim.game import rules as R  # noqa: E402
from sim.game.engine import Game  # noqa: E402
from viz.play.app import PlayApp  # noqa: E402
from viz.play.layout import MIN_SIZE  # noqa: E402
from viz.play.scenes import GameOverScene, HandOverScene, TurnScene  # noqa: E402
from viz.scene_manager import HelpOverlay  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DT = 1 / 60


def key(app, k):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))
    app.run(2, fixed_dt=DT)


def turn_window(size, large, role="US", tmp_path=None):
    seats = {"US": "person", "PAK": "person", "AFG": "bot", "CHN": "bot"}
    game = Game(BASELINE, seed=5, turns=3, replicates=8, seats=seats)
    app = PlayApp(game, size=size, large_font=large, output_dir=tmp_path)
    app.briefed = True
    app.set_scene(TurnScene(app, role))
    app.run(2, fixed_dt=DT)
    return app


def whole_and_apart(rects: dict[str, pygame.Rect], screen: pygame.Rect) -> list[str]:
    problems = [f"{name} {r} leaves the window" for name, r in rects.items()
                if not screen.contains(r)]  # fmt: skip
    items = list(rects.items())
    for i, (name, r) in enumerate(items):
        for other, q in items[i + 1 :]:
            if r.colliderect(q):
                problems.append(f"{name} {r} overlaps {other} {q}")
    return problems


@pytest.mark.filterwarnings("error:Label Rect is too small")  # every label whole
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("size", [MIN_SIZE, (1280, 720), (1920, 1080)], ids=str)
@pytest.mark.parametrize("role", ["US", "PAK", "AFG", "CHN"])
def test_the_turn_screen_has_nothing_over_anything_else(size, large, role):
    app = turn_window(size, large, role)
    try:
        scene, lay = app.scene, app.scene.layout
        screen = app.screen.get_rect()
        assert app.size == size
        font = app.typo.font(13)
        rects = {"moves": scene.moves.rect, "info": lay.info, "map": lay.map}
        for key_, button in scene.buttons.items():
            if key_ != "apply":
                rects[f"button {key_}"] = button.rect
                assert font.size(button.text)[0] + 6 <= button.rect.width, key_
        rects["event menu"] = scene.event_menu.rect
        for button, seat in scene.seat_buttons.items():
            rects[f"seat {seat}"] = button.rect
            assert font.size(button.text)[0] + 6 <= button.rect.width, "seat label cut"
        assert not whole_and_apart(rects, screen)
        # the title and its line stay clear of the seat switches
        title_w = app.typo.font(22, True).size(scene.title())[0]
        title = pygame.Rect(12, 6, title_w, app.typo.line_height(22))
        assert title.collidelist([b.rect for b in scene.seat_buttons]) == -1
        # the bar sits below every column; the map is a map, not an inset
        for column in (lay.moves, lay.info, lay.map):
            assert column.bottom <= lay.bar_top
        assert lay.map.width >= 300 and lay.map.height >= 200
        # levers: plain words, and inside the moves column's scroll area
        for name, label in scene.lever_labels.items():
            assert label.text == R.role_levers(role)[name].label and "_" not in label.text
    finally:
        app.close()


def test_every_lever_has_a_plain_label():
    for role in R.ROLES:
        for name, spec in R.role_levers(role).items():
            assert spec.label and "_" not in spec.label and spec.label != name


def test_the_classroom_reads_the_same_plain_lever_titles():
    """One definition of each lever's plain title: the browser classroom's lever cards and
    deal terms show what the game window's sliders show."""
    from viz.classroom.catalog import lever_cards, offer_kinds

    for role in R.ROLES:
        levers = R.role_levers(role)
        assert {c["name"]: c["title"] for c in lever_cards(role)} == {
            name: spec.label for name, spec in levers.items()
        }
    for offer in offer_kinds():
        for term in offer["terms"]:
            assert term["title"] == R.role_levers(term["role"])[term["lever"]].label


def test_offers_show_their_terms_in_plain_words():
    app = turn_window((1280, 720), False)
    try:
        scene = app.scene
        proposals = [b for b, (what, _) in scene.offer_buttons.items() if what == "propose"]
        assert proposals
        shown = " ".join(label.text for label in scene.term_labels)
        assert "Joint operations with Pakistan at least 0.7" in shown
        assert "Support against ISKP at least 1" in shown and "support_vs_iskp" not in shown
        for button in proposals:
            assert "Terms:" in button.tool_tip_text and "at least" in button.tool_tip_text
    finally:
        app.close()


def test_the_window_resizes_and_keeps_a_minimum(tmp_path):
    app = turn_window((1280, 720), False, tmp_path=tmp_path)
    try:
        for size in ((1600, 900), (500, 300)):
            ev = pygame.event.Event(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1])
            pygame.event.post(ev)
            app.run(2, fixed_dt=DT)
            expected = (max(MIN_SIZE[0], size[0]), max(MIN_SIZE[1], size[1]))
            assert app.size == expected and isinstance(app.scene, TurnScene)
            assert app.screen.get_rect().contains(app.scene.layout.map)
    finally:
        app.close()


def test_f12_in_an_unwritable_folder_warns_on_screen_and_play_goes_on(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("a file where the screenshot folder should be")
    app = turn_window((1280, 720), False, tmp_path=blocked / "shots")
    try:
        info = app.scene.layout.info
        before = pygame.surfarray.array3d(app.screen.subsurface(info)).copy()
        key(app, pygame.K_F12)
        assert app.running and isinstance(app.scene, TurnScene)
        assert app.status.startswith("Warning: cannot save the screenshot")
        assert "file-not-folder" in app.status  # it names the place it could not write
        after = pygame.surfarray.array3d(app.screen.subsurface(info))
        changed = (before != after).any(axis=2)
        assert changed[:, : app.typo.line_height(13) * 2].sum() > 200  # shown at the top
        app.output_dir = tmp_path
        key(app, pygame.K_F12)
        assert "Screenshot saved" in app.status and list(tmp_path.glob("durand-play-*.png"))
    finally:
        app.close()


def test_one_help_overlay_and_scene_manager_in_the_game_window():
    app = turn_window((1280, 720), True)
    try:
        key(app, pygame.K_F1)
        assert isinstance(app.scenes.top, HelpOverlay) and len(app.scenes) == 2
        key(app, pygame.K_F1)  # the key that closes the help does nothing else
        assert len(app.scenes) == 1 and isinstance(app.scene, TurnScene)
    finally:
        app.close()


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_game_over_columns_never_overlap(large):
    game = Game(BASELINE, seed=5, turns=1, replicates=8)
    app = PlayApp(game, large_font=large)
    try:
        app.briefed = True
        assert app.teacher("end_game"), app.status
        assert isinstance(app.scene, GameOverScene)
        app.run(2, fixed_dt=DT)
        typo, final = app.typo, game.final_scores()
        x_name, x_score, x_verdict, x_goal = app.scene.columns
        for role in R.ROLES:  # each column ends before the next begins
            assert x_name + typo.font(16, True).size(R.ROLE_NAMES[role])[0] < x_score
            assert x_score + typo.font(16, True).size(f"{final[role]:.1f}")[0] < x_verdict
            assert x_verdict + typo.font(16, True).size(R.verdict(final[role]))[0] < x_goal
        assert x_goal < app.size[0] - 100
        a, b = app.scene.debrief_button.rect, app.scene.quit_button.rect
        assert not a.colliderect(b) and app.screen.get_rect().contains(b)
    finally:
        app.close()


def test_the_hand_over_button_holds_its_words_in_large_font():
    game = Game(BASELINE, seed=5, turns=1, replicates=8, seats={"AFG": "person"})
    app = PlayApp(game, large_font=True)
    try:
        app.set_scene(HandOverScene(app, "AFG"))
        button = app.scene.ready
        assert app.typo.font(13).size(button.text)[0] + 6 <= button.rect.width
        assert app.screen.get_rect().contains(button.rect)
    finally:
        app.close()


def test_the_game_map_is_the_viewers_and_names_the_region_under_the_mouse(monkeypatch):
    app = turn_window((1280, 720), False)
    try:
        for role in ("US", "PAK"):  # the people pass; the bots move; the quarter is played
            assert app.send({"seat": role, "kind": "done"}), app.status
        assert app.game.played == 1
        app.set_scene(TurnScene(app, "US"))
        app.run(1, fixed_dt=DT)
        rect = app.scene.layout.map
        board = app.map_view.board_rect(rect)
        geo = app.map_view.geometry(board.size)
        kp = [r.id for r in geo.regions].index("KP")
        point = (geo.points[kp][0] + board.left, geo.points[kp][1] + board.top)
        assert app.map_view.region_at(rect, point) == kp
        plain = pygame.surfarray.array3d(app.screen).copy()
        monkeypatch.setattr(pygame.mouse, "get_focused", lambda: True)
        monkeypatch.setattr(pygame.mouse, "get_pos", lambda: point)
        app.run(1, fixed_dt=DT)
        hovered = pygame.surfarray.array3d(app.screen)
        assert (plain != hovered).any(axis=2).sum() > 2000  # a tooltip box appeared
    finally:
        app.close()


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_the_game_help_fits_the_smallest_window(large):
    from viz.play.scenes import KEYS

    app = turn_window(MIN_SIZE, large)
    try:
        app.show_help()
        app.typo.notes = []
        app.run(1, fixed_dt=DT)
        labels, app.typo.notes = app.typo.notes, None
        box = next(pane for text, _, pane in labels if text == "Keys")
        shown = [(text, rect) for text, rect, pane in labels if pane == box]
        assert {what for _, what in KEYS} <= {text for text, _ in shown}
        assert app.screen.get_rect().contains(box)
        for i, (text, rect) in enumerate(shown):
            assert box.contains(rect), text
            assert rect.collidelist([r for _, r in shown[i + 1 :]]) == -1, text
    finally:
        app.close()
