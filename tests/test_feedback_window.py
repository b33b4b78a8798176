"""The seat's feedback in the game window, headless: the score track (a chart zoomed
around the scores, the status quo's 50 dashed), the change and trend in words, each
partner's trust in the seat with its change, and a broken deal shown on both parties'
screens with the trust it cost. Every text is read from what the scene laid out
(``Typography.notes``), every figure from the seat's view."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

from pathlib import Path  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402

from sim.game.engine import Game  # noqa: E402
from viz import theme  # noqa: E402
from viz.play.app import PlayApp  # noqa: E402
from viz.play.feedback import STATUS_QUO, score_range, trend_text  # noqa: E402
from viz.play.layout import MIN_SIZE  # noqa: E402
from viz.play.scenes import HandOverScene, TurnScene  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DT = 1 / 60
PEOPLE = {"US": "person", "PAK": "person", "AFG": "bot", "CHN": "bot"}


def new_app(size=(1280, 720), large=False) -> PlayApp:
    game = Game(BASELINE, seed=5, turns=4, replicates=6, seats=PEOPLE)
    app = PlayApp(game, size=size, large_font=large)
    app.briefed = True
    return app


def both_done(app: PlayApp) -> None:
    assert app.send({"seat": "US", "kind": "done"}), app.status
    assert app.send({"seat": "PAK", "kind": "done"}), app.status


def with_a_deal_then_played(app: PlayApp) -> int:
    """Turn 1: the US offers the middle ground and Pakistan accepts; turn 2 is played on.
    Returns the deal's id (it is turn 3 now)."""
    assert app.send({"seat": "US", "kind": "propose", "offer": "middle_ground"}), app.status
    assert app.send({"seat": "US", "kind": "done"}), app.status
    deal = app.view("PAK")["you"]["offers_in"][0]["id"]
    assert app.send({"seat": "PAK", "kind": "answer", "offer_id": deal, "accept": True})
    assert app.send({"seat": "PAK", "kind": "done"}), app.status
    both_done(app)
    assert app.game.turn == 3
    return deal


def laid_out(
    app: PlayApp, role: str
) -> tuple[TurnScene, list[tuple[str, pygame.Rect, pygame.Rect]]]:
    """The seat's turn screen drawn once; the texts of its info column, with their boxes."""
    app.set_scene(TurnScene(app, role))
    app.run(1, fixed_dt=DT)
    app.typo.notes = []
    app.run(1, fixed_dt=DT)
    notes, app.typo.notes = app.typo.notes, None
    info = app.scene.layout.info
    return app.scene, [n for n in notes if info.contains(n[1])]


def texts(notes) -> str:
    return "\n".join(text for text, _, _ in notes)


def test_the_y_range_zooms_around_the_scores_and_keeps_the_status_quo():
    lo, hi, ticks = score_range([52.0, 54.0, 55.5])
    assert lo < STATUS_QUO and hi > 55.5 and hi - lo < 10  # a 1.5-point change shows
    assert STATUS_QUO in ticks and all(lo <= t <= hi for t in ticks)
    lo, hi, _ = score_range([50.2])
    assert hi - lo >= 4  # a flat start is not blown up
    lo, hi, ticks = score_range([12.0, 97.0])
    assert 0 <= lo <= 12 and 97 <= hi <= 100 and len(ticks) <= 5


def test_before_the_first_turn_the_track_says_no_turn_played_yet():
    app = new_app()
    try:
        scene, notes = laid_out(app, "US")
        said = texts(notes)
        assert "no turn played yet" in said and "Trust in you" in said
        assert "Score 50 until a turn is played" in said
    finally:
        app.close()


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("size", [MIN_SIZE, (1280, 720), (1920, 1080)], ids=str)
def test_the_track_trend_and_partners_trust_are_drawn_from_the_view(size, large):
    """All of it at a desk's size and larger; in the smallest window (whose info column is
    a strip above the map) what fits, tidily."""
    app = new_app(size, large)
    try:
        for _ in range(3):
            both_done(app)
        scene, notes = laid_out(app, "PAK")
        you = app.view("PAK")["you"]
        said = texts(notes)
        assert len(you["score_track"]["scores"]) == 3
        assert trend_text(you["score_track"]) in said
        assert "since last turn" in said and you["score_track"]["trend"] in said
        if size != MIN_SIZE or not large:
            assert "Trust in you" in said
            for partner, trust in you["trust_in_you"].items():
                assert partner in said and f"{trust['now']:.2f}" in said
            # the chart: the turn numbers and the status quo's 50 labelled, the line drawn
            chart = scene.chart_rect
            labels = {text for text, box, _ in notes if chart.contains(box)}
            assert {"1", "3", "50"} <= labels
            rgb = pygame.surfarray.array3d(app.screen)[
                chart.left : chart.right, chart.top : chart.bottom
            ]
            line = (rgb == theme.STATE_COLOURS["PAK"]).all(axis=2).sum()
            assert line >= 20, "the score line is not drawn in the chart"
        # everything whole, inside its pane, and nothing over anything else
        for text, box, pane in notes:
            assert pane.contains(box), f"{text!r} {box} leaves {pane}"
        for i, (text, box, _) in enumerate(notes):
            for other, obox, _ in notes[i + 1 :]:
                assert not box.colliderect(obox), f"{text!r} {box} overlaps {other!r} {obox}"
    finally:
        app.close()


def test_a_broken_deal_shows_both_screens_the_trust_it_cost():
    app = new_app()
    try:
        deal = with_a_deal_then_played(app)
        before = app.view("US")["you"]["trust_in_you"]["PAK"]["now"]
        assert app.send({"seat": "US", "kind": "break", "offer_id": deal, "reason": "money"})
        # The breaker: Pakistan's trust in it falls at once, in the row and in words.
        _, notes = laid_out(app, "US")
        trust = app.view("US")["you"]["trust_in_you"]["PAK"]
        assert trust["now"] < before - 0.15
        said = " ".join(texts(notes).split("\n"))
        assert f"{trust['now']:.2f}" in said and f"{trust['change']:+.2f}" in said
        assert f"You broke deal #{deal}" in said
        assert f"PAK's trust in you fell {before:.2f} to {trust['now']:.2f}" in said
        # The wronged side, after the hand-over: who broke it and what it cost.
        assert app.send({"seat": "US", "kind": "done"}), app.status
        assert isinstance(app.scene, HandOverScene) and app.scene.role == "PAK"
        _, notes = laid_out(app, "PAK")
        said = " ".join(texts(notes).split("\n"))
        assert f"US broke deal #{deal}" in said
        assert f"Your trust in US fell {before:.2f} to {trust['now']:.2f}" in said
    finally:
        app.close()
