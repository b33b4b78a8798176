"""The map draws the real Afghanistan and Pakistan: every model region is its provinces'
area, each label point lies in its own region, and the Durand Line runs between them."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402

from sim.model.geography import geography  # noqa: E402
from viz.atlas import Projection, atlas  # noqa: E402
from viz.map_view import BoardGeometry  # noqa: E402
from viz.scene_manager import Scene, SceneManager  # noqa: E402

pygame.display.init()


def test_the_atlas_holds_every_model_region_in_the_model_order():
    world = atlas()
    assert world.ids == geography().ids
    assert all(len(parts) >= 1 for parts in world.regions)
    lon0, lat0, lon1, lat1 = world.bbox
    for ring in (r for parts in world.regions for r in parts):
        assert (ring[:, 0] >= lon0 - 1e-9).all() and (ring[:, 0] <= lon1 + 1e-9).all()
        assert (ring[:, 1] >= lat0 - 1e-9).all() and (ring[:, 1] <= lat1 + 1e-9).all()
    assert "Natural Earth" in world.credit


def test_the_projection_keeps_north_up_and_west_left():
    proj = Projection((400, 400), atlas().bbox)
    kabul, karachi, herat = proj.point(69.2, 34.5), proj.point(67.0, 24.9), proj.point(62.2, 34.3)
    assert kabul[1] < karachi[1]  # north is up
    assert herat[0] < kabul[0]  # west is left
    assert all(0 <= v < 400 for p in (kabul, karachi, herat) for v in p)


@pytest.mark.parametrize("size", [(160, 140), (530, 360), (900, 800)], ids=str)
def test_every_region_owns_its_label_point_and_a_share_of_the_pane(size):
    geo = BoardGeometry(size)
    for n, region in enumerate(geo.regions):
        assert geo.owns(n, geo.points[n]), region.id
        assert geo.area[n] > 0, region.id
    # the big ones really are big: Balochistan and northern Afghanistan outsize Islamabad
    ids = [r.id for r in geo.regions]
    assert geo.area[ids.index("BAL")] > 50 * geo.area[ids.index("ISB")]
    assert geo.area[ids.index("AF-N")] > geo.area[ids.index("KBL")]


def test_the_durand_line_runs_between_afghan_and_pakistani_regions():
    geo = BoardGeometry((600, 600))
    pak = {n for n, r in enumerate(geo.regions) if r.country == "PAK"}
    afg = {n for n, r in enumerate(geo.regions) if r.country == "AFG"}
    touches = 0
    for x, y in geo.durand_points:
        near = set(np.unique(geo.label[int(x) - 4 : int(x) + 5, int(y) - 4 : int(y) + 5]))
        touches += bool(near & pak) and bool(near & afg)
    assert touches >= len(geo.durand_points) - 2  # the two ends meet Iran and China


def test_pulses_fall_inside_their_region_when_it_has_room():
    geo = BoardGeometry((530, 360))
    for n, region in enumerate(geo.regions):
        if region.id in ("ISB", "KBL"):
            continue  # too small at this size: around the dot instead
        inside = sum(geo.owns(n, p) for p in geo.pulse_spots[n])
        assert inside == len(geo.pulse_spots[n]), region.id


class Probe(Scene):
    def __init__(self, log, name, overlay=False, eats=False):
        self.log, self.name, self.overlay, self.eats = log, name, overlay, eats

    def enter(self):
        self.log.append(f"enter {self.name}")

    def exit(self):
        self.log.append(f"exit {self.name}")

    def handle_event(self, event):
        self.log.append(f"event {self.name}")
        return self.eats


def test_the_scene_manager_swaps_bases_keeps_overlays_and_routes_events_top_down():
    log = []
    scenes = SceneManager()
    first, second = Probe(log, "a"), Probe(log, "b")
    help_ = Probe(log, "help", overlay=True, eats=True)
    scenes.replace(first)
    scenes.push(help_)
    scenes.replace(second)  # the base changes under the help
    assert scenes.base is second and scenes.top is help_ and len(scenes) == 2
    event = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_a)
    assert scenes.handle_overlay_event(event)  # the help eats the key
    assert scenes.pop() is help_ and scenes.pop() is None  # the base is never popped
    drawn = []
    scenes.draw(pygame.Surface((4, 4)), lambda s: drawn.append("widgets"))
    assert log == ["enter a", "enter help", "exit a", "enter b", "event help", "exit help"]
    assert drawn == ["widgets"]


@pytest.fixture(scope="module")
def cpec():
    from pathlib import Path

    from sim.run.timeline import Timeline

    root = Path(__file__).resolve().parent.parent
    return Timeline(root / "scenarios" / "cpec_expansion.yaml", replicates=16, months=40)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("size", [(800, 500), (1280, 720), (1920, 1080)], ids=str)
def test_every_region_is_named_on_its_own_area(cpec, tmp_path, size, large):
    from viz.app import ViewerApp

    app = ViewerApp(cpec, size=size, large_font=large, output_dir=tmp_path)
    try:
        scene = app.viewer
        scene.jump_to("2027-03")
        app.frame(0.0)
        scene.clear_caches()
        app.typo.notes = []
        app.frame(0.0)
        labels, app.typo.notes = app.typo.notes, None
        (pane,) = scene.map_panes
        board = scene.map_view.board_rect(pane)
        geo = scene.map_view.geometry(board.size)
        drawn = {text: box for text, box, p in labels if p == pane}
        for expected in ("PAK", "AFG", "US", "CHN", "Durand Line"):
            assert expected in drawn, expected
        for n, region in enumerate(geo.regions):
            box = drawn[region.id]
            centre = (box.centerx - board.left, box.centery - board.top)
            px, py = geo.points[n]
            near = abs(centre[0] - px) <= 1.6 * box.width and abs(centre[1] - py) <= 2.5 * box.h
            assert geo.owns(n, centre) or near, f"{region.id} is named away from its area"
        for actor, other in (("PAK", "AFG"), ("AFG", "PAK")):  # never in the other country
            box = drawn[actor]
            assert geo.country_at((box.centerx - board.left, box.centery - board.top)) != other
    finally:
        app.close()
