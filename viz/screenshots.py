"""Regenerate the viewer and game-window screenshots in docs/img (``make screenshots``),
headless.

Each picture is set up through the same commands a user gives (seek, fork, select an
event), so the images show what the viewer really draws.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DT = 1 / 60


def main(out: Path = ROOT / "docs" / "img") -> None:
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    from sim.run.timeline import Timeline
    from viz.app import ViewerApp

    timeline = Timeline(ROOT / "scenarios" / "baseline.yaml")
    app = ViewerApp(timeline, output_dir=out)
    scene, pb = app.viewer, app.viewer.playback

    def settle(position: float, playing: bool = True) -> None:
        pb.seek(int(position))
        pb.position = position
        pb.playing = playing
        app.frame(0.0)

    # 1. The baseline playing, in a month with a joint operation and a border clash in the
    #    followed replicate, that operation explained in the ticker.
    busy = (timeline.original.column("joint_ops") > 0) & (
        timeline.original.column("border_clashes") > 0
    )
    hits = [(t, r) for t, r in zip(*busy.nonzero(), strict=True) if 12 <= t < 40]
    month, scene.replicate = (int(hits[0][0]), int(hits[0][1])) if hits else (19, 0)
    settle(month + 0.35)
    events = scene.events()
    scene.ticker.selected = next(
        (e for e in events if e["type"] == "joint_operation"), events[0] if events else None
    )
    app.frame(0.0)
    app.screenshot(out / "viewer.png")
    scene.replicate = 0

    # 2. What-if: from 2026-01 the US ends F-16 money and Pakistan backs off ISKP.
    settle(11, playing=False)
    scene.pending = {"US.military_aid_pak": 0.0, "PAK.support_vs_iskp": 0.1}
    scene.fork("no F-16 money")
    scene.levers_open = True
    scene.lever_state = "US"
    scene.sync_panel()
    settle(34.5)
    scene.status = ""
    events = scene.events()
    scene.ticker.selected = next((e for e in events if e["type"] == "policy"), None)
    app.frame(0.0)
    app.screenshot(out / "viewer-whatif.png")

    # 3. The same branch side by side with the original.
    scene.levers_open = False
    scene.sync_panel()
    scene.side_by_side = True
    scene.status = ""
    settle(34.5)
    app.screenshot(out / "viewer-side-by-side.png")

    # 4. Large text for a projector (full HD).
    scene.side_by_side = False
    app.resize((1920, 1080))
    app.toggle_large_font()
    settle(34.5)
    app.screenshot(out / "viewer-projector.png")
    app.close()
    game_window(out)
    print(f"wrote 7 screenshots to {out}", file=sys.stderr)


def game_window(out: Path) -> None:
    """The game window at a desk and on a projector: Pakistan's turn in turn 4 of the
    baseline (three quarters on its score track), an offer from China on the table, deals
    in force, the map of the last quarter; then Pakistan's screen after the US broke their
    deal, the trust it cost in red. Every move goes through the turn flow, as a player's or
    the teacher's."""
    from sim.game.engine import Game
    from viz.play.app import PlayApp
    from viz.play.scenes import HandOverScene, TurnScene

    shots = (
        ("game-window.png", False, False),
        ("game-window-large-font.png", True, False),
        ("game-window-deal-broken.png", False, True),
    )
    for name, large, broken in shots:
        game = Game(ROOT / "scenarios" / "baseline.yaml", seed=7, turns=8, replicates=20)
        app = PlayApp(game, large_font=large)
        app.briefed = True
        app.teacher("step")  # the bots play the first quarter (the table waits for the step)
        app.teacher("seat", role="US", player="person")
        app.teacher("seat", role="PAK", player="person")
        for _ in range(2):  # people who hold their course: three points on the track
            assert app.send({"seat": "US", "kind": "done"}), app.status
            assert app.send({"seat": "PAK", "kind": "done"}), app.status
        if broken:  # the US breaks the deal the bots struck in the first quarter
            deals = app.view("US")["you"]["deals"]
            assert deals, "the bots struck no US deal in the first quarter: pick another"
            deal = deals[0]["id"]
            reason = "the money is needed for drone strikes"
            assert app.send({"seat": "US", "kind": "break", "offer_id": deal, "reason": reason})
        app.send({"seat": "US", "kind": "done"})
        assert isinstance(app.scene, HandOverScene) and app.scene.role == "PAK", app.status
        app.set_scene(TurnScene(app, "PAK"))  # as Pakistan's "show my seat" does
        app.run(3, fixed_dt=DT)
        app.screenshot(out / name)
        app.close()


if __name__ == "__main__":
    main()
