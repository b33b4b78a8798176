"""The viewer, headless (SDL dummy drivers), driven by posted events as a user would."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pygame_gui  # noqa: E402
import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from sim.cli.main import app as cli_app  # noqa: E402
from sim.inputs.scenario import load_scenario  # noqa: E402
from sim.run.runner import run_scenario  # noqa: E402
from sim.run.timeline import Timeline  # noqa: E402
from viz.app import ViewerApp  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DT = 1 / 60


@pytest.fixture(scope="module")
def timeline():
    return Timeline(BASELINE, replicates=16, months=36)


@pytest.fixture
def viewer(timeline, tmp_path):
    for name in list(timeline.branches):
        timeline.remove(name)
    app = ViewerApp(timeline, output_dir=tmp_path)
    yield app
    app.close()


def colours(surface: pygame.Surface) -> int:
    pixels = pygame.surfarray.array3d(surface)[::7, ::7].reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


def key(app: ViewerApp, k: int, frames: int = 1) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))
    for _ in range(frames):
        app.frame(DT)


def gui(app: ViewerApp, kind: int, element, **extra) -> None:
    pygame.event.post(pygame.event.Event(kind, ui_element=element, **extra))
    app.frame(DT)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_renders(path, tmp_path):
    app = ViewerApp(Timeline(path, replicates=8), output_dir=tmp_path)
    try:
        app.viewer.playback.playing = True
        for _ in range(5):
            app.frame(DT)
        shot = app.screenshot(tmp_path / "shot.png")
        image = pygame.image.load(str(shot))
        assert image.get_size() == (1280, 720)
        assert colours(image) >= 40
    finally:
        app.close()


def test_play_pause_and_speed_follow_wall_time_not_frames(viewer):
    pb = viewer.viewer.playback
    key(viewer, pygame.K_SPACE)
    assert pb.playing
    for _ in range(60):  # one second at 1x: one month
        viewer.frame(DT)
    assert 0.9 < pb.position < 1.2
    key(viewer, pygame.K_PLUS)
    key(viewer, pygame.K_PLUS)
    assert pb.speed == 4.0
    before = pb.position
    viewer.frame(0.5)  # a slow frame covers the same simulated time as many fast ones
    assert pb.position == pytest.approx(before + 2.0)
    key(viewer, pygame.K_SPACE)
    assert not pb.playing
    for _ in range(12):
        key(viewer, pygame.K_MINUS)
    assert pb.speed == 0.25
    for _ in range(12):
        key(viewer, pygame.K_EQUALS)
    assert pb.speed == 16.0


def test_step_scrub_rewind_and_jump(viewer):
    scene = viewer.viewer
    key(viewer, pygame.K_RIGHT)
    key(viewer, pygame.K_RIGHT)
    assert scene.month == 2
    key(viewer, pygame.K_LEFT)
    assert scene.month == 1
    slider = scene.bar.timeline
    slider.set_current_value(20)
    gui(viewer, pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, slider, value=20)
    assert scene.month == 20
    gui(viewer, pygame_gui.UI_BUTTON_PRESSED, scene.bar.buttons["rewind"])
    assert scene.month == 0
    gui(viewer, pygame_gui.UI_TEXT_ENTRY_FINISHED, scene.bar.date, text="2026-03")
    assert scene.month == 14
    gui(viewer, pygame_gui.UI_TEXT_ENTRY_FINISHED, scene.bar.date, text="2031-01")
    assert scene.month == 14 and "covers" in scene.status
    key(viewer, pygame.K_END)
    assert scene.month == 35
    key(viewer, pygame.K_RIGHT)
    assert scene.month == 35


def test_screenshots_are_not_blank_and_differ_between_months(viewer, tmp_path):
    scene = viewer.viewer
    scene.playback.seek(3)
    viewer.frame(DT)
    early = pygame.surfarray.array3d(viewer.screen).copy()
    scene.playback.seek(30)
    viewer.frame(DT)
    late = pygame.surfarray.array3d(viewer.screen).copy()
    assert colours(viewer.screen) >= 40
    assert (early != late).any(axis=2).mean() > 0.005
    key(viewer, pygame.K_p)
    assert list(tmp_path.glob("durand-*.png"))


def test_a_lever_change_forks_a_branch_that_diverges_and_exports(viewer, timeline, tmp_path):
    scene = viewer.viewer
    scene.playback.seek(9)
    key(viewer, pygame.K_l)
    assert scene.panel is not None
    slider = scene.panel.sliders["US.military_aid_pak"]
    slider.set_current_value(0)
    gui(viewer, pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, slider, value=0)
    assert scene.pending == {"US.military_aid_pak": 0.0}
    scene.panel.name.set_text("aid cut")
    gui(viewer, pygame_gui.UI_BUTTON_PRESSED, scene.panel.buttons["fork"])
    assert list(timeline.branches) == ["aid cut"]
    branch = timeline.branches["aid cut"]
    assert scene.shown is branch and branch.fork_month == 10
    original = timeline.original.result.data
    assert np.array_equal(original[:10], branch.result.data[:10])
    assert not np.array_equal(original[10:], branch.result.data[10:])
    for _mode in range(2):  # overlaid, then side by side
        scene.playback.seek(20)
        viewer.frame(DT)
        assert colours(viewer.screen) >= 40
        key(viewer, pygame.K_c)
    gui(viewer, pygame_gui.UI_BUTTON_PRESSED, scene.panel.buttons["export"])
    exported = tmp_path / "what-if-aid-cut.yaml"
    assert exported.is_file()
    rerun = run_scenario(load_scenario(exported))
    assert np.array_equal(rerun.data, branch.result.data)
    scene.panel.name.set_text("no F-16 money")
    gui(viewer, pygame_gui.UI_BUTTON_PRESSED, scene.panel.buttons["rename"])
    assert list(timeline.branches) == ["no F-16 money"]
    gui(viewer, pygame_gui.UI_BUTTON_PRESSED, scene.panel.buttons["remove"])
    assert timeline.branches == {} and scene.shown is timeline.original


def test_an_over_budget_fork_is_explained_not_raised(viewer, timeline):
    scene = viewer.viewer
    key(viewer, pygame.K_l)
    for lever in ("US.military_aid_pak", "US.civil_aid_pak"):
        slider = scene.panel.sliders[lever]
        slider.set_current_value(5000)
        gui(viewer, pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, slider, value=5000)
    gui(viewer, pygame_gui.UI_BUTTON_PRESSED, scene.panel.buttons["fork"])
    assert timeline.branches == {}
    assert "budget" in scene.status


def test_selecting_an_event_shows_its_mechanism_and_seed_sentence(viewer):
    scene = viewer.viewer
    scene.playback.seek(35)
    viewer.frame(DT)
    events = scene.events()
    assert events
    key(viewer, pygame.K_PAGEDOWN)
    assert scene.ticker.selected is events[0]
    row = scene.ticker._rows[1][0]
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=row.center, button=1))
    viewer.frame(DT)
    assert scene.ticker.selected is events[1]
    assert events[1]["mechanism"]
    # The detail pane shows the mechanism, then the seed quote (or declared assumption).
    shown = " ".join(text for text, _rect, _panel in scene.ticker.detail_lines)
    assert f"mechanism: {events[1]['mechanism']}" in shown
    evidence = events[1].get("evidence") or {}
    source = evidence.get("quote") or evidence.get("assumption")
    assert source, "every event names the seed sentence or assumption behind it"
    assert source.split()[0] in shown and source.split()[-1].rstrip("”") in shown
    assert ("“" in shown) == bool(evidence.get("quote"))


def test_help_fullscreen_large_font_and_resize(viewer):
    key(viewer, pygame.K_h)
    assert len(viewer.scenes) == 2
    key(viewer, pygame.K_SPACE)  # any key closes the help, and is not passed on
    assert len(viewer.scenes) == 1 and not viewer.viewer.playback.playing
    key(viewer, pygame.K_t)
    assert viewer.typo.scale > 1
    viewer.frame(DT)
    assert colours(viewer.screen) >= 40
    key(viewer, pygame.K_t)
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, size=(1600, 900), w=1600, h=900))
    viewer.frame(DT)
    assert viewer.size == (1600, 900)
    key(viewer, pygame.K_F11)
    assert viewer.fullscreen
    key(viewer, pygame.K_F11)
    assert not viewer.fullscreen and viewer.size == (1600, 900)


def test_monkey_ten_thousand_random_events_and_resizes(viewer):
    rng = random.Random(1234)
    keys = [
        pygame.K_SPACE, pygame.K_LEFT, pygame.K_RIGHT, pygame.K_HOME, pygame.K_END,
        pygame.K_MINUS, pygame.K_PLUS, pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET,
        pygame.K_PAGEUP, pygame.K_PAGEDOWN, pygame.K_l, pygame.K_b, pygame.K_c, pygame.K_h,
        pygame.K_g, pygame.K_a, pygame.K_1, pygame.K_RETURN, pygame.K_BACKSPACE, pygame.K_TAB,
    ]  # fmt: skip
    for i in range(10_000):
        w, h = viewer.size
        r = rng.random()
        if r < 0.004:
            size = (rng.randint(300, 1900), rng.randint(200, 1100))
            event = pygame.event.Event(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1])
        elif r < 0.005:  # rarer, costlier: large text, fullscreen, screenshot
            k = rng.choice((pygame.K_t, pygame.K_F11, pygame.K_p))
            event = pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0)
        elif r < 0.35:
            event = pygame.event.Event(
                pygame.KEYDOWN, key=rng.choice(keys), mod=0, unicode=rng.choice("ab1-"), scancode=0
            )
        elif r < 0.6:
            pos = (rng.randrange(w), rng.randrange(h))
            event = pygame.event.Event(
                pygame.MOUSEBUTTONDOWN, pos=pos, button=rng.choice((1, 1, 3))
            )
        elif r < 0.8:
            pos = (rng.randrange(w), rng.randrange(h))
            event = pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1)
        else:
            pos = (rng.randrange(w), rng.randrange(h))
            event = pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(1, 1), buttons=(1, 0, 0))
        pygame.event.post(event)
        if i % 25 == 24:
            viewer.frame(rng.choice((0.0, DT, 0.05, 0.3)))
            viewer.running = True  # a random Escape may have asked to quit
    viewer.frame(DT)
    assert viewer.size[0] >= 640 and colours(viewer.screen) >= 40


def test_durand_view_headless_cli_writes_a_screenshot(tmp_path):
    out = tmp_path / "view.png"
    args = ["view", str(BASELINE), "--headless", "--frames", "3", "--screenshot", str(out)]
    result = CliRunner().invoke(cli_app, [*args, "-r", "4", "--at", "2026-06"])
    assert result.exit_code == 0, result.output
    assert pygame.image.load(str(out)).get_size() == (1280, 720)


def test_durand_view_rejects_bad_options(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli_app, ["view", str(BASELINE), "--headless", "--at", "1990-01"])
    assert result.exit_code != 0
    result = runner.invoke(cli_app, ["view", str(tmp_path / "missing.yaml"), "--headless"])
    assert result.exit_code != 0


@pytest.mark.parametrize(("months", "replicates"), [(1, 1), (2, 1), (3, 2)])
def test_tiny_runs_render(months, replicates, tmp_path):
    timeline = Timeline(BASELINE, replicates=replicates, months=months)
    app = ViewerApp(timeline, output_dir=tmp_path)
    try:
        app.viewer.playback.playing = True
        for _ in range(100):
            app.frame(0.05)
        key(app, pygame.K_LEFT)
        key(app, pygame.K_l)
        assert colours(app.screen) >= 40
    finally:
        app.close()


def test_hovering_a_region_explains_it(viewer, monkeypatch):
    scene = viewer.viewer
    scene.playback.seek(12)
    viewer.frame(DT)
    plain = pygame.surfarray.array3d(viewer.screen).copy()
    (pane,) = scene.map_panes
    board = scene.map_view.board_rect(pane)
    geo = scene.map_view.geometry(board.size)
    kp = next(i for i, r in enumerate(geo.regions) if r.id == "KP")
    point = (geo.points[kp][0] + board.left, geo.points[kp][1] + board.top)
    assert scene.map_view.region_at(pane, point) == kp
    monkeypatch.setattr(pygame.mouse, "get_focused", lambda: True)
    monkeypatch.setattr(pygame.mouse, "get_pos", lambda: point)
    viewer.frame(DT)
    hovered = pygame.surfarray.array3d(viewer.screen)
    assert (plain != hovered).any(axis=2).sum() > 2000  # a tooltip box appeared


def test_mouse_wheel_over_the_ticker_moves_the_selection(viewer, monkeypatch):
    scene = viewer.viewer
    scene.playback.seek(35)
    viewer.frame(DT)
    monkeypatch.setattr(pygame.mouse, "get_pos", lambda: scene.layout.ticker.center)
    for _ in range(3):
        pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-1, flipped=False))
    viewer.frame(DT)
    assert scene.ticker.selected is scene.events()[2]


def click(app: ViewerApp, element) -> None:
    """A real left click on a widget: motion, press and release, then frames to react."""
    pos = element.rect.center
    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0))
    )
    app.frame(DT)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    app.frame(DT)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    for _ in range(3):  # the press, then what it sets off (a slider posts a move)
        app.frame(DT)


def test_mouse_clicks_on_the_widgets_play_and_fork(viewer, timeline):
    scene = viewer.viewer
    click(viewer, scene.bar.buttons["play"])
    assert scene.playback.playing
    click(viewer, scene.bar.buttons["play"])
    assert not scene.playback.playing
    scene.playback.seek(5)
    click(viewer, scene.bar.buttons["whatif"])
    assert scene.levers_open
    click(viewer, scene.panel.tabs["PAK"])
    assert scene.lever_state == "PAK"
    click(viewer, scene.panel.sliders["PAK.ct_effort"].right_button)
    assert scene.pending == {"PAK.ct_effort": 0.85}
    click(viewer, scene.panel.buttons["fork"])
    (branch,) = timeline.branches.values()
    assert branch.changes == ((6, {"PAK.ct_effort": 0.85}),)
    assert branch.levers_at(6)["PAK.ct_effort"] == 0.85


def test_a_window_nobody_can_see_is_refused(monkeypatch):
    """Without a display SDL falls back to drawing off screen; a window there would run
    forever unseen, so the viewer and the game refuse it and point to --headless/--text."""
    from sim.inputs.errors import UsageError
    from viz.app import require_display

    monkeypatch.delenv("SDL_VIDEODRIVER")
    monkeypatch.setattr(pygame.display, "init", lambda: None)
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "offscreen")
    with pytest.raises(UsageError, match="--headless"):
        require_display("render without one with --headless")
    monkeypatch.setenv("SDL_VIDEODRIVER", "offscreen")  # chosen on purpose: allowed
    require_display("render without one with --headless")


def test_a_screenshot_that_cannot_be_written_is_reported_and_the_viewer_runs_on(viewer, tmp_path):
    viewer.output_dir = tmp_path / "not-a-folder"
    viewer.output_dir.write_text("a file where the folder should be")
    key(viewer, pygame.K_p)
    key(viewer, pygame.K_F12)
    assert viewer.running
    assert "cannot save the screenshot" in viewer.viewer.status
    viewer.frame(DT)
    assert colours(viewer.screen) >= 40


def test_durand_view_screenshot_to_an_unwritable_place_exits_3(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    durand = Path(sys.executable).with_name("durand")
    for target in (blocker / "x.png", Path("/proc/durand-view.png")):
        args = ["view", str(BASELINE), "--headless", "-r", "2", "--months", "3"]
        env = {**os.environ, "DURAND_DEBUG": ""}
        result = subprocess.run(
            [str(durand), *args, "--screenshot", str(target)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert result.returncode == 3, result.stderr
        assert f"cannot save the screenshot to {target}" in result.stderr
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_speed_is_taken_as_given_and_steps_from_there(tmp_path):
    from viz.playback import Playback

    pb = Playback(months=12)
    pb.set_speed(3)
    assert pb.speed == 3.0
    pb.playing = True
    pb.update(1.0)
    assert pb.position == pytest.approx(3.0)
    pb.faster()
    assert pb.speed == 4.0
    pb.set_speed(3)
    pb.slower()
    assert pb.speed == 2.0
    out = tmp_path / "s.png"
    args = ["view", str(BASELINE), "--headless", "-r", "2", "--months", "3", "--speed", "3"]
    result = CliRunner().invoke(cli_app, [*args, "--screenshot", str(out)])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- layout at every size


CPEC = ROOT / "scenarios" / "cpec_expansion.yaml"
LAYOUTS = [
    (size, scale, mode)
    for size in ((1280, 720), (1920, 1080))
    for scale in (1.0, 1.4)
    for mode in ("single", "overlay", "side by side")
] + [((800, 500), 1.0, mode) for mode in ("single", "side by side")]


@pytest.fixture(scope="module")
def cpec():
    return Timeline(CPEC, replicates=16, months=40)


def drawn_labels(app: ViewerApp) -> list[tuple[str, pygame.Rect, pygame.Rect]]:
    """Every text box one frame draws (cached layers redrawn), with the pane it belongs to."""
    app.viewer.clear_caches()
    app.typo.notes = []
    try:
        app.frame(0.0)
        return app.typo.notes
    finally:
        app.typo.notes = None


@pytest.mark.parametrize(("size", "scale", "mode"), LAYOUTS, ids=str)
def test_no_label_overlaps_another_or_leaves_its_pane(cpec, tmp_path, size, scale, mode):
    for name in list(cpec.branches):
        cpec.remove(name)
    app = ViewerApp(cpec, size=size, large_font=scale > 1, output_dir=tmp_path)
    try:
        scene = app.viewer
        scene.jump_to("2027-03")
        if mode != "single":
            scene.pending = {"US.military_aid_pak": 0.0}
            scene.fork("no F-16 money")
            scene.side_by_side = mode == "side by side"
        scene.status = ""
        app.frame(0.0)
        scene.ticker.selected = scene.events()[0]
        labels = drawn_labels(app)
        screen = app.screen.get_rect()
        texts = {text for text, _, _ in labels}
        # the panes all speak: map, charts (with the y axis' 0), cards, ticker, header
        for expected in ("KBL", "KP", "ISB", "PAK", "AFG", "0", "Trust", "TTP", "based in"):
            assert expected in texts, f"{expected!r} is not drawn"
        assert "2027-03" in texts
        problems = []
        for text, box, pane in labels:
            if not screen.contains(pane) or not pane.contains(box):
                problems.append(f"{text!r} {box} leaves its pane {pane}")
        boxes = [box for _, box, _ in labels]
        for i, (text, box, _) in enumerate(labels):
            for j in box.collidelistall(boxes[i + 1 :]):
                other = labels[i + 1 + j]
                problems.append(f"{text!r} {box} overlaps {other[0]!r} {other[1]}")
        # chart legends and axis labels stay off the plots (only a pane's branch name is on it)
        names = {b.name for b in cpec.all}
        for chart, rect in zip(scene.charts, scene.layout.charts, strict=True):
            plots = [
                plot.move(rect.topleft) for plot in chart.layer(rect.size, *chart_key(scene))[2]
            ]
            zero = chart.spec.fmt.format(0)
            assert any(t == zero and p == rect for t, _, p in labels), chart.spec.title
            for text, box, pane in labels:
                if pane == rect and text not in names and box.collidelist(plots) != -1:
                    problems.append(f"{text!r} {box} sits on the plot of {chart.spec.title!r}")
        assert not problems, "\n".join(problems[:20])
    finally:
        app.close()


def chart_key(scene) -> tuple:
    return scene.timeline.original, scene.compare, scene.side_by_side


@pytest.mark.parametrize("scale", [1.0, 1.4])
@pytest.mark.parametrize("size", [(640, 400), (800, 500), (1280, 720)], ids=str)
def test_every_top_bar_control_is_whole_on_screen(timeline, tmp_path, size, scale):
    app = ViewerApp(timeline, size=size, large_font=scale > 1, output_dir=tmp_path)
    try:
        bar = app.viewer.bar
        screen = app.screen.get_rect()
        top = app.viewer.layout.top_bar
        widgets = {**bar.buttons, "date": bar.date, "speed": bar.speed, "timeline": bar.timeline}
        for name, widget in widgets.items():
            assert screen.contains(widget.rect) and top.contains(widget.rect), name
        rects = list(widgets.values())
        for i, a in enumerate(rects):
            for b in rects[i + 1 :]:
                assert not a.rect.colliderect(b.rect), (a, b)
        assert bar.timeline.rect.width >= 100  # a scrubber, not just its arrows
        font = app.typo.font(13)
        for name, text in [
            *((k, b.text) for k, b in bar.buttons.items()),
            ("compare", "Side by side"),
        ]:
            assert font.size(text)[0] + 6 <= bar.buttons[name].rect.width, name
        for text, box, _pane in drawn_labels(app):
            if box.top < top.bottom:  # the date and title beside the controls
                assert box.collidelist([w.rect for w in rects]) == -1, text
    finally:
        app.close()


@pytest.mark.parametrize("scale", [1.0, 1.4])
@pytest.mark.parametrize("size", [(640, 400), (800, 500), (1280, 720), (1920, 1080)], ids=str)
def test_every_lever_and_panel_button_is_whole_on_screen(timeline, tmp_path, size, scale):
    app = ViewerApp(timeline, size=size, large_font=scale > 1, output_dir=tmp_path)
    try:
        scene = app.viewer
        screen = app.screen.get_rect()
        for state in ("US", "PAK", "AFG", "CHN"):
            scene.lever_state = state
            scene.levers_open = True
            scene.sync_panel()
            app.frame(DT)
            panel = scene.panel
            box = panel.panel.rect
            assert screen.contains(box)
            assert box.top >= scene.layout.top_bar.bottom  # the top bar stays usable
            widgets = [*panel.tabs.values(), *panel.buttons.values(), panel.name]
            levers = [*panel.sliders.values(), *panel.values.values()]
            if panel.scroller is None:
                widgets += levers
            else:  # too many for the room: a list that scrolls, inside the panel
                assert box.contains(panel.scroller.rect)
                assert panel.scroller.vert_scroll_bar is not None
                lever_rects = [w.rect for w in levers]
                for i, rect in enumerate(lever_rects):
                    assert rect.collidelist(lever_rects[i + 1 :]) == -1, state
            for widget in widgets:
                assert box.contains(widget.rect), (state, widget)
            rects = [w.rect for w in widgets]
            for i, rect in enumerate(rects):
                assert rect.collidelist(rects[i + 1 :]) == -1, (state, widgets[i])
            for slider in panel.sliders.values():
                assert slider.rect.width >= 60  # a slider, not just its arrows
    finally:
        app.close()


@pytest.mark.parametrize(("size", "scale"), [((640, 400), 1.4), ((1280, 720), 1.0)], ids=str)
def test_the_help_fits_the_window(timeline, tmp_path, size, scale):
    from viz.scenes import KEYS

    app = ViewerApp(timeline, size=size, large_font=scale > 1, output_dir=tmp_path)
    try:
        key(app, pygame.K_h)
        labels = drawn_labels(app)
        box = next(pane for text, _, pane in labels if text == "Keys")
        shown = [(text, rect) for text, rect, pane in labels if pane == box]
        assert {what for _, what in KEYS} <= {text for text, _ in shown}
        assert app.screen.get_rect().contains(box)
        for i, (text, rect) in enumerate(shown):
            assert box.contains(rect), text
            assert rect.collidelist([r for _, r in shown[i + 1 :]]) == -1, text
    finally:
        app.close()
