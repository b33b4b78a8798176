"""Viewer frame rate, headless at 1280x720 with R=100 fans: prints fps, medians of repeats.

    .venv/bin/python benchmarks/bench_viewer.py [--frames 600] [--repeats 3]

Target (issue 5): >= 60 fps at 1280x720 with R=100 fans. Measured with SDL's dummy video
driver, so the figure is the cost of drawing (our layers, pygame_gui, the flip), not of a
real display. Scenes measured side by side in one run:

- paused: nothing changes between frames (the cached layers only);
- playing at 1x: a new month every 60 frames, pulses animating every frame;
- playing at 16x: a new month about every 4 frames (cards, map areas, ticker redrawn);
- branch overlaid and side by side: a forked branch compared with the original, at 4x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.run.timeline import Timeline  # noqa: E402
from viz.app import ViewerApp  # noqa: E402

BASELINE = ROOT / "scenarios" / "baseline.yaml"
DT = 1 / 60
TARGET_FPS = 60.0


def fps(app: ViewerApp, frames: int) -> float:
    start = time.perf_counter()
    for _ in range(frames):
        app.frame(DT)
    return frames / (time.perf_counter() - start)


def setups(app: ViewerApp):
    scene = app.viewer
    pb = scene.playback

    def paused():
        pb.seek(20)
        pb.playing = False

    def playing(speed):
        def go():
            pb.seek(0)
            pb.set_speed(speed)
            pb.playing = True

        return go

    def compared(side):
        def go():
            if not scene.timeline.branches:
                pb.seek(11)
                scene.pending = {"US.military_aid_pak": 0.0}
                scene.fork("aid cut")
            scene.side_by_side = side
            playing(4.0)()

        return go

    return {
        "paused": paused,
        "playing 1x": playing(1.0),
        "playing 16x": playing(16.0),
        "branch overlaid, 4x": compared(False),
        "branch side by side, 4x": compared(True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--replicates", type=int, default=100)
    args = parser.parse_args()

    start = time.perf_counter()
    timeline = Timeline(BASELINE, replicates=args.replicates)
    load = time.perf_counter() - start
    app = ViewerApp(timeline)
    print(
        f"R={args.replicates}, {timeline.original.months} months, 1280x720, "
        f"{args.frames} frames x {args.repeats} repeats (run + cards: {load:.2f} s)"
    )
    results = {}
    for name, setup in setups(app).items():
        figures = []
        for _ in range(args.repeats):
            setup()
            app.frame(DT)  # first frame builds the cached layers
            figures.append(fps(app, args.frames))
        results[name] = statistics.median(figures)
    app.close()
    width = max(len(n) for n in results)
    for name, value in results.items():
        verdict = "meets" if value >= TARGET_FPS else "BELOW"
        print(
            f"  {name:<{width}}  {value:7.1f} fps  ({value / TARGET_FPS:4.1f}x target, {verdict})"
        )
    worst = min(results.values())
    print(f"slowest scene {worst:.1f} fps; target {TARGET_FPS:.0f} fps")


if __name__ == "__main__":
    main()
