"""The map: Afghanistan and Pakistan, the model's nine regions drawn as their provinces
(Natural Earth, viz/data/afpak_map.json), shaded by militant presence, the Durand Line bold.

Geometry (projected outlines, a raster of which region owns each pixel, where pulses go)
is computed once per pane size. The shaded area layer is drawn once per month and size
and cached; pulses, flows, badges and every label are drawn each frame over it, each label
placed clear of the others. The viewer and the game window share this module.
"""

from __future__ import annotations

import itertools
import math
from functools import cached_property

import numpy as np
import pygame

from sim import GROUPS
from sim.model.geography import geography
from sim.run.timeline import Branch
from viz import theme
from viz.atlas import Projection, atlas, pixel_ring
from viz.placement import Placer, around
from viz.theme import Typography

PULSE_CAP = 14  # pulses drawn per region and month; more are summed in a label
OFF_MAP = {"US": (0.04, 0.05), "CHN": (0.96, 0.05)}  # badge anchors as shares of the pane
ON_MAP = {"PAK": (71.3, 29.6), "AFG": (67.4, 34.3)}  # badges in their countries (lon, lat)
FLOWS = (("US", "PAK", "aid.US-PAK"), ("CHN", "PAK", "aid.CHN-PAK"))
FLOWS += (("CHN", "AFG", "aid.CHN-AFG"), ("US", "AFG", "aid.US-AFG"))
COUNTRY_NAMES = (  # where each name may go (lon, lat), best first
    ("AFGHANISTAN", ((64.6, 33.4), (63.6, 33.9), (65.6, 32.6), (66.2, 33.6), (63.3, 32.3))),
    ("PAKISTAN", ((69.6, 27.6), (70.2, 28.6), (67.8, 28.4), (69.0, 26.6), (71.0, 27.4))),
)
NEIGHBOURS = (("IRAN", (61.4, 27.6)), ("INDIA", (75.6, 26.0)), ("Arabian Sea", (63.6, 24.3)))
FADED = {g: theme.mix(c, theme.PANEL, 0.4) for g, c in theme.GROUP_COLOURS.items()}  # old pulses
DURAND = (236, 236, 236)
OTHER = (48, 52, 58)  # Gilgit-Baltistan and Azad Kashmir: not model regions
OUTLINE = (120, 128, 138)


class BoardGeometry:
    """The projected map for one pane size: outlines, label points, the region raster."""

    def __init__(self, size: tuple[int, int]):
        self.size = max(40, size[0]), max(40, size[1])
        world = atlas()
        self.regions = geography().regions
        self.projection = proj = Projection(self.size, world.bbox)
        self.scale = proj.px_per_degree
        self.map_height = self.scale * (world.bbox[3] - world.bbox[1])  # in pixels
        self.polygons = [[pixel_ring(proj, ring) for ring in parts] for parts in world.regions]
        self.other = [pixel_ring(proj, ring) for ring in world.other]
        self.countries = {k: [pixel_ring(proj, r) for r in v] for k, v in world.countries.items()}
        self.durand_line = pixel_ring(proj, world.durand_line)
        self.points = [proj.point(lon, lat) for lon, lat in world.labels]
        self._raster()
        line = np.asarray(self.durand_line, dtype=np.float64)
        self.durand_points = [tuple(line[int(i)]) for i in np.linspace(2, len(line) - 3, 7)]
        self.lines = self._line_layer()
        self.pulse_spots = [self._spots(n) for n in range(len(self.regions))]
        self._tag_spots: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self._cached: dict[tuple, object] = {}  # label spots, per label size

    def to_px(self, lon: float, lat: float) -> tuple[int, int]:
        return self.projection.point(lon, lat)

    def _raster(self) -> None:
        """``label[x, y]``: the index of the region at each pixel (N outside every region)."""
        n = len(self.regions)
        canvas = pygame.Surface(self.size)
        canvas.fill((n, 0, 0))
        for index, parts in enumerate(self.polygons):
            for ring in parts:
                if len(ring) >= 3:
                    pygame.draw.polygon(canvas, (index, 0, 0), ring)
        self.label = pygame.surfarray.array_red(canvas).astype(np.int16)  # (w, h)
        self.area = np.bincount(self.label.ravel(), minlength=n + 1)[:n]

    def _line_layer(self) -> pygame.Surface:
        """Borders, the grey areas and the Durand Line, drawn once over the shaded regions."""
        layer = pygame.Surface(self.size, pygame.SRCALPHA)
        for ring in self.other:
            if len(ring) >= 3:
                pygame.draw.polygon(layer, OTHER, ring)
                pygame.draw.aalines(layer, theme.BACKGROUND, True, ring)
        for parts in self.polygons:
            for ring in parts:
                if len(ring) >= 2:
                    pygame.draw.aalines(layer, theme.BACKGROUND, True, ring)
        for parts in self.countries.values():
            for ring in parts:
                if len(ring) >= 2:
                    pygame.draw.lines(layer, OUTLINE, True, ring, 2 if self.scale > 20 else 1)
        width = 4 if self.scale > 30 else 3
        if len(self.durand_line) >= 2:
            pygame.draw.lines(layer, DURAND, False, self.durand_line, width)
        return layer

    def _spots(self, n: int) -> list[tuple[int, int]]:
        """Up to PULSE_CAP places for region n's pulses: spread over its area near its label
        point (farthest-point sampling); around the point when the region is tiny."""
        px, py = self.points[n]
        xs, ys = np.nonzero(self.label[::3, ::3] == n)
        xs, ys = xs * 3, ys * 3
        reach = max(12.0, 0.8 * math.sqrt(self.area[n] / math.pi))
        d = np.hypot(xs - px, ys - py)
        keep = (d <= reach) & ((np.abs(xs - px) > 18) | (np.abs(ys - py) > 10))
        xs, ys = xs[keep], ys[keep]
        if len(xs) < PULSE_CAP:  # a ring around the point, as wide as the map allows
            rx = min(22.0, max(4.0, 0.06 * self.map_height))
            return [
                (
                    int(px + math.cos(a) * rx * geo_jitter(n, k)),
                    int(py + math.sin(a) * rx * 0.73 * geo_jitter(n, k)),
                )
                for k, a in ((k, (n * 1.3 + k * 2.39996) % math.tau) for k in range(PULSE_CAP))
            ]
        chosen = [int(np.argmin(np.hypot(xs - px, ys - py - 14)))]
        nearest = np.hypot(xs - xs[chosen[0]], ys - ys[chosen[0]])
        for _ in range(PULSE_CAP - 1):
            pick = int(np.argmax(nearest))
            chosen.append(pick)
            nearest = np.minimum(nearest, np.hypot(xs - xs[pick], ys - ys[pick]))
        return [(int(xs[i]), int(ys[i])) for i in chosen]

    def tag_spots(self, size: tuple[int, int]) -> list[tuple[int, int]]:
        """Centres for a box of ``size`` beside the Durand Line and clear of it: along the
        Balochistan-Helmand stretch first, where the map has room, then north."""
        if size not in self._tag_spots:
            w, h = size
            segments = list(zip(self.durand_line, self.durand_line[1:], strict=False))
            spots = []
            for i in (1, 2, 0, 3, 4, 5, 6):
                x, y = self.durand_points[i]
                for ux, uy in ((0, 0.8), (0, -0.8), (0.6, 0), (-0.6, 0),
                               (0.4, 1), (-0.4, -1), (0.4, -1), (-0.4, 1),
                               (0, 1.6), (0, -1.6), (0.9, 0), (-0.9, 0),
                               (0.7, 1.6), (-0.7, -1.6), (0.7, -1.6), (-0.7, 1.6)):  # fmt: skip
                    dx, dy = ux * w, uy * h
                    box = pygame.Rect(0, 0, w, h)
                    box.center = (int(x + dx), int(y + dy))
                    if not any(box.clipline(a, b) for a, b in segments):
                        spots.append(box.center)
            self._tag_spots[size] = spots
        return self._tag_spots[size]

    def off_land(self, centre, size) -> bool:
        """True if a box of ``size`` centred at ``centre`` covers no region (a neighbour's
        name there cannot be read as a region's)."""
        box = pygame.Rect(0, 0, *size)
        box.center = (int(centre[0]), int(centre[1]))
        box = box.clip(pygame.Rect(0, 0, *self.size))
        if box.width == 0 or box.height == 0:
            return False
        return bool(
            (self.label[box.left : box.right, box.top : box.bottom] == len(self.regions)).all()
        )

    def badge_spots(self, actor: str, size: tuple[int, int]) -> list[tuple[float, float]]:
        """Centres for an on-map badge of ``size`` near its anchor, those inside the actor's
        own country first (cached per size)."""
        key = (actor, size)
        if key not in self._cached:
            w, h = size
            x, y = self.badge_point(actor)
            centres = list(around(x, y, w * 0.6, h + 2, 6))
            home = [c for c in centres if self.country_at(c) == actor]
            beside = [c for c in centres if self.country_at(c) is None]  # never the other's
            self._cached[key] = home + beside
        return self._cached[key]

    def count_spots(self, n: int, reach: float) -> tuple[list, list]:
        """Centres for region n's attack count: (those in its own area, all of them)."""
        key = ("count", n, round(reach))
        if key not in self._cached:
            px, py = self.points[n]
            centres = [
                (px + math.cos(a) * reach * k * 1.2, py + math.sin(a) * reach * k * 0.8)
                for k in (0.5, 1.0, 0.7)
                for a in (math.pi / 2, -math.pi / 2, 0, math.pi, 1.0, 2.1, -1.0, -2.1)
            ] + self.pulse_spots[n]
            self._cached[key] = ([c for c in centres if self.owns(n, c)], centres)
        return self._cached[key]

    def country_at(self, point) -> str | None:
        """'PAK' or 'AFG' for a point (pane pixels) in one of their regions, else None."""
        x, y = int(point[0]), int(point[1])
        w, h = self.size
        if not (0 <= x < w and 0 <= y < h):
            return None
        index = int(self.label[x, y])
        return self.regions[index].country if index < len(self.regions) else None

    def owns(self, region: int, point) -> bool:
        """True if ``point`` (pane pixels) lies in ``region``'s area."""
        x, y = int(point[0]), int(point[1])
        w, h = self.size
        return 0 <= x < w and 0 <= y < h and int(self.label[x, y]) == region

    def badge_point(self, actor: str) -> tuple[int, int]:
        w, h = self.size
        if actor in OFF_MAP:
            fx, fy = OFF_MAP[actor]
            return min(w - 30, max(24, int(fx * w))), int(fy * h + 12)
        return self.to_px(*ON_MAP[actor])


class MapView:
    """Draws a branch's map at a month; caches areas per (branch, month, size)."""

    def __init__(self, typo: Typography):
        self.typo = typo
        self._geometry: dict[tuple[int, int], BoardGeometry] = {}
        self._areas: dict[tuple, pygame.Surface] = {}
        self._labels: dict[tuple, pygame.Surface] = {}
        self.badge_base: dict[str, int] = {}  # the text size each badge got this frame

    def geometry(self, size: tuple[int, int]) -> BoardGeometry:
        if size not in self._geometry:
            if len(self._geometry) > 6:
                self._geometry.clear()
            self._geometry[size] = BoardGeometry(size)
        return self._geometry[size]

    def clear(self) -> None:
        self._areas.clear()
        self._labels.clear()

    # ------------------------------------------------------------ cached layer

    def _area_layer(self, branch, data, month, size) -> pygame.Surface:
        """Areas shaded by presence and the Durand Line; the labels are placed per frame."""
        key = (id(branch), month, size)
        surf = self._areas.get(key)
        if surf is not None:
            return surf
        if len(self._areas) > 240:
            self._areas.clear()
        geo = self.geometry(size)
        level = data.presence[month] / data.presence_scale
        surf = pygame.Surface(geo.size)
        surf.fill(theme.PANEL)
        for value, parts in zip(level, geo.polygons, strict=True):
            for ring in parts:
                if len(ring) >= 3:
                    pygame.draw.polygon(surf, theme.ramp(value), ring)
        surf.blit(geo.lines, (0, 0))
        self._areas[key] = surf
        return surf

    def board_rect(self, pane: pygame.Rect) -> pygame.Rect:
        """Where the regions go in a pane: below the pane's title row."""
        head = self.typo.line_height(13) + 4
        return pygame.Rect(pane.left, pane.top + head, pane.width, max(40, pane.height - head))

    # ------------------------------------------------------------ per frame

    def draw(
        self,
        surface: pygame.Surface,
        rect: pygame.Rect,
        branch: Branch,
        data: MapData,
        month: int,
        phase: float,
        playing: bool,
        replicate: int,
        title: str,
        reference: MapData | None = None,
    ) -> None:
        """The pane ``rect``: title, areas, flows, pulses and badges, every label placed
        clear of the others (``reference``, the original, labels presence with the change)."""
        typo = self.typo
        board = self.board_rect(rect)
        geo = self.geometry(board.size)
        surface.blit(self._area_layer(branch, data, month, board.size), board.topleft)
        ox, oy = board.topleft
        placer = Placer(rect)
        texts: list[tuple[str, int, tuple, bool, pygame.Rect]] = []

        def put(text, base, colour, bold, centres) -> pygame.Rect | None:
            size = typo.measure(text, base, bold)
            box = placer.place(size, centres)
            if box is not None:
                texts.append((text, base, colour, bold, box))
            return box

        title = typo.fit(title, 13, rect.width - 8, bold=True)
        put(title, 13, theme.TEXT, True, [(rect.centerx, rect.top + 2 + typo.line_height(13) / 2)])
        # A thumbnail (a tiny window in large text) keeps its areas and pulses only: labels
        # there would sit on the wrong regions and cover the map (hovering still names them).
        thumbnail = geo.map_height < 6 * typo.line_height(9)
        badges = {}
        if not thumbnail:
            self._region_labels(surface, put, geo, data, month, reference, ox, oy)
            badges = self._place_badges(placer, geo, board)
            self._country_names(put, geo, ox, oy)
            tag = typo.measure("Durand Line", 11)
            spots = [(x + ox, y + oy) for x, y in geo.tag_spots(tag)]
            put("Durand Line", 11, DURAND, False, spots)
        self._flows(surface, badges, branch, month, phase)
        self._pulses(surface, geo, data, month, phase, playing, replicate, ox, oy)
        notices = self._joint_and_clash(surface, geo, badges, data, month, phase, replicate, ox, oy)
        for actor, box in badges.items():
            pygame.draw.rect(surface, theme.STATE_COLOURS[actor], box, border_radius=6)
            text = typo.render(actor, self.badge_base[actor], theme.BACKGROUND, bold=True)
            surface.blit(text, text.get_rect(center=box.center))
            typo.note(actor, box, rect)
        for text, base, colour, bold, box in texts:
            self._shadowed(surface, text, base, colour, bold, box)
            typo.note(text, box, rect)
        self._notices(surface, placer, rect, notices)
        if thumbnail:
            return
        self._attack_labels(surface, placer, geo, data, month, replicate, ox, oy, rect)
        for name, (lon, lat) in NEIGHBOURS:  # last: only where nothing else wants the room
            x, y = geo.to_px(lon, lat)
            size = typo.measure(name, 10)
            if not geo.off_land((x, y), size):
                continue
            box = placer.place(size, [(x + ox, y + oy)])
            if box is not None:
                surface.blit(typo.render(name, 10, theme.FAINT), box)
                typo.note(name, box, rect)

    def _shadowed(self, surface, text, base, colour, bold, box) -> None:
        """Text with a dark edge, legible over shading, borders and pulses (rendered once)."""
        key = (text, base, colour, bold, self.typo.scale)
        label = self._labels.get(key)
        if label is None:
            face = self.typo.render(text, base, colour, bold)
            shade = self.typo.render(text, base, theme.BACKGROUND, bold)
            label = pygame.Surface((face.get_width() + 2, face.get_height() + 2), pygame.SRCALPHA)
            for dx, dy in ((2, 2), (0, 1), (2, 1), (1, 0)):
                label.blit(shade, (dx, dy))
            label.blit(face, (1, 1))
            if len(self._labels) > 2000:
                self._labels.clear()
            self._labels[key] = label
        surface.blit(label, box.move(-1, -1))

    def _region_labels(self, surface, put, geo, data, month, reference, ox, oy) -> None:
        """Each region's id at its point (nudged or smaller if crowded), the presence under it
        when the map has room; a dot marks the small regions whose label may sit outside."""
        roomy = geo.scale >= 24 * self.typo.scale
        order = sorted(range(len(geo.regions)), key=lambda n: geo.area[n])  # small ones first
        for index in order:
            region, (px, py) = geo.regions[index], geo.points[index]
            value = data.presence[month][index]
            small = geo.area[index] < 900 * self.typo.scale**2
            cx, cy = px + ox, py + oy - (7 if roomy and not small else 0)
            if small:
                pygame.draw.circle(surface, DURAND, (px + ox, py + oy), 3)
                pygame.draw.circle(surface, theme.BACKGROUND, (px + ox, py + oy), 3, 1)
            name = None
            for base in (13, 11, 9):
                w, h = self.typo.measure(region.id, base, True)
                centres = around(cx, cy, w / 2 + 2, h / 2 + 1, 4)  # tried lazily, in order
                dot_x, dot_y = px + ox, py + oy
                if small:  # beside the dot, never on it, never far from it
                    centres = (
                        (x, y)
                        for x, y in centres
                        if (abs(x - dot_x) > w / 2 + 3 or abs(y - dot_y) > h / 2 + 3)
                        and abs(x - dot_x) <= 1.6 * w
                        and abs(y - dot_y) <= 2.5 * h
                    )
                else:  # in its own area (or right by its point), never on a neighbour's
                    spread = [(x + ox, y + oy) for x, y in geo.pulse_spots[index]]
                    centres = (
                        (x, y)
                        for x, y in itertools.chain(centres, spread)
                        if geo.owns(index, (x - ox, y - oy))
                        or (abs(x - dot_x) <= w / 2 and abs(y - dot_y) <= h)
                    )
                name = put(region.id, base, theme.TEXT, True, centres)
                if name is not None:
                    break
            if not roomy or name is None:
                continue
            sub, colour = f"{value:.2f}", theme.mix(theme.MUTED, theme.TEXT, 0.6)
            if reference is not None:
                delta = value - reference.presence[month][index]
                if abs(delta) >= 0.005:
                    sub, colour = f"{value:.2f} ({delta:+.2f})", theme.BRANCH_COLOUR
            h = self.typo.line_height(11)
            below = name.bottom + h / 2 - 2
            put(sub, 11, colour, False, [(name.centerx, below), (name.centerx, below + h / 3)])

    def _country_names(self, put, geo, ox, oy) -> None:
        """AFGHANISTAN and PAKISTAN in spaced capitals, where the region labels leave room."""
        base = 13 if geo.scale >= 24 * self.typo.scale else 10
        for (name, spots), country in zip(COUNTRY_NAMES, ("AFG", "PAK"), strict=True):
            text = " ".join(name) if base == 13 else name
            centres = []
            for lon, lat in spots:
                x, y = geo.to_px(lon, lat)
                centres += [(x + ox, y + oy + dy) for dy in (0, 8, -8, 16, -16)]
            for n, region in enumerate(geo.regions):  # then wherever the country has room
                if region.country == country and not geo.area[n] < 900 * self.typo.scale**2:
                    centres += [(x + ox, y + oy) for x, y in geo.pulse_spots[n]]
            if put(text, base, theme.MUTED, True, centres) is None and base == 13:
                put(name, 10, theme.MUTED, True, centres)

    def _place_badges(self, placer, geo, board) -> dict[str, pygame.Rect]:
        """The states' badges: US and China in the top corners, Pakistan and the Afghan
        Taliban near their capitals, each moved until it covers no label."""
        boxes = {}
        self.badge_base.clear()
        for actor in ("US", "CHN", "PAK", "AFG"):
            for base in (12, 10):  # smaller rather than missing on a crowded map
                w, h = self.typo.measure(actor, base, True)
                w, h = w + int(12 * base / 12), h + 6 * base // 12
                box = placer.place((w, h), self._badge_centres(actor, geo, board, w, h))
                if box is not None:
                    boxes[actor], self.badge_base[actor] = box, base
                    break
        return boxes

    def _badge_centres(self, actor, geo, board, w, h):
        x, y = geo.badge_point(actor)
        x, y = x + board.left, y + board.top
        if actor in OFF_MAP:
            x = min(board.right - w // 2 - 2, max(board.left + w // 2 + 2, x))
            y = max(board.top + h // 2, y - 12)
            step = -1 if actor == "CHN" else 1
            return [(x + step * i * w / 2, y + j * h / 2) for j in range(8) for i in range(4)]
        # inside its own country first, so the badge is never read as the other's
        spots = list(geo.badge_spots(actor, (w, h)))
        for n, region in enumerate(geo.regions):
            if region.country == actor:
                spots += geo.pulse_spots[n]
        return [(cx + board.left, cy + board.top) for cx, cy in spots]

    def _notices(self, surface, placer, pane, notices) -> None:
        """This month's joint operation and border clash, named in clear space under the title."""
        for text, colour in notices:
            text = self.typo.fit(text, 11, pane.width - 16, bold=True)
            w, h = self.typo.measure(text, 11, True)
            top = pane.top + self.typo.line_height(13) + 4
            centres = [(pane.centerx, y) for y in range(top + h // 2 + 1, pane.bottom, 4)]
            box = placer.place((w + 10, h + 2), centres)
            if box is None:
                continue
            pygame.draw.rect(surface, theme.BACKGROUND, box, border_radius=4)
            label = self.typo.render(text, 11, colour, bold=True)
            surface.blit(label, label.get_rect(center=box.center))
            self.typo.note(text, box, pane)

    def _attack_labels(self, surface, placer, geo, data, month, replicate, ox, oy, pane) -> None:
        """'N attacks' beside a region with more attacks than pulses drawn, where it is clear."""
        counts = data.attacks_by_region_group(month, replicate)
        r = 44 * self.typo.scale**0.5
        for n in range(len(geo.points)):
            total = int(counts[n].sum())
            if total <= PULSE_CAP:
                continue
            # in the region's own area first, so the count is not read as a neighbour's
            own, centres = geo.count_spots(n, r)
            tries = [(f"{total} attacks", own), (str(total), own), (f"{total} attacks", centres)]
            for text, spots in tries:
                size = self.typo.measure(text, 10, True)
                box = placer.place(size, [(x + ox, y + oy) for x, y in spots])
                if box is not None:
                    self._shadowed(surface, text, 10, theme.HIGHLIGHT, True, box)
                    self.typo.note(text, box, pane)
                    break

    def _flows(self, surface, badges, branch, month, phase) -> None:
        for donor, recipient, metric in FLOWS:
            amount = branch.median(metric, month) * 12.0  # USD M per year
            if amount <= 1.0 or donor not in badges or recipient not in badges:
                continue
            (ax, ay), (bx, by) = badges[donor].center, badges[recipient].center
            colour = theme.mix(theme.STATE_COLOURS[donor], theme.PANEL, 0.55)
            pygame.draw.line(surface, colour, (ax, ay), (bx, by), 1)
            dots = 1 + int(math.log10(1 + amount))
            radius = 2 + min(4, int(math.log10(1 + amount)))
            for k in range(dots):
                t = (phase + k / dots) % 1.0
                pygame.draw.circle(
                    surface,
                    theme.STATE_COLOURS[donor],
                    (int(ax + (bx - ax) * t), int(ay + (by - ay) * t)),
                    radius,
                )

    def _pulses(self, surface, geo, data, month, phase, playing, replicate, ox, oy) -> None:
        counts = data.attacks_by_region_group(month, replicate)  # (N, G) whole numbers
        for n in range(len(geo.points)):
            total = int(counts[n].sum())
            if total == 0:
                continue
            shown = min(total, PULSE_CAP)
            spots = geo.pulse_spots[n]
            k = 0
            for g, group in enumerate(GROUPS):
                for _ in range(int(round(counts[n, g] * shown / total))):
                    x, y = spots[k % len(spots)]
                    self._pulse(surface, x + ox, y + oy, k, shown, group, phase, playing)
                    k += 1

    def _pulse(self, surface, x, y, k, shown, group, phase, playing) -> None:
        """One attack: a dot inside its region, a ring spreading from it while playing."""
        colour = theme.GROUP_COLOURS[group]
        if not playing:
            pygame.draw.circle(surface, colour, (x, y), 3)
            return
        start = k / max(1, shown) * 0.75
        age = (phase - start) / 0.25
        if 0.0 <= age <= 1.0:
            pygame.draw.circle(surface, colour, (x, y), 2 + int(10 * age), 2)
            pygame.draw.circle(surface, colour, (x, y), 3)
        elif age > 1.0:
            pygame.draw.circle(surface, FADED[group], (x, y), 2)

    def _joint_and_clash(self, surface, geo, badges, data, month, phase, replicate, ox, oy):
        """Joint operations and border clashes this month, marked; returns their notices."""
        blink = 0.5 + 0.5 * math.sin(phase * math.tau * 2)
        notices = []
        target = data.joint_target(month, replicate)
        if target is not None:
            group, region_index = target
            b = geo.points[region_index]
            colour = theme.mix(theme.SKY, theme.HIGHLIGHT, blink * 0.5)
            for actor in ("US", "PAK"):
                if actor in badges:
                    a = badges[actor].center
                    pygame.draw.line(
                        surface, theme.STATE_COLOURS[actor], a, (b[0] + ox, b[1] + oy), 2
                    )
            pygame.draw.circle(surface, colour, (b[0] + ox, b[1] + oy), 22 + int(4 * blink), 2)
            region = geo.regions[region_index].id
            notices.append((f"joint US-Pakistan operation vs {group} ({region})", theme.SKY))
        if data.clash(month, replicate):
            colour = theme.mix(theme.FAINT, theme.HIGHLIGHT, blink)
            for x, y in geo.durand_points:
                cx, cy = int(x) + ox, int(y) + oy
                pygame.draw.line(surface, colour, (cx - 5, cy - 5), (cx + 5, cy + 5), 3)
                pygame.draw.line(surface, colour, (cx - 5, cy + 5), (cx + 5, cy - 5), 3)
            notices.append(("border clash on the Durand Line", theme.HIGHLIGHT))
        return notices

    def region_at(self, rect: pygame.Rect, pos) -> int | None:
        """Index of the region under ``pos`` in a map drawn in ``rect``, if any."""
        board = self.board_rect(rect)
        if not board.collidepoint(pos):
            return None
        geo = self.geometry(board.size)
        index = int(geo.label[pos[0] - board.left, pos[1] - board.top])
        return index if index < len(geo.regions) else None

    def tooltip(self, surface, pos, region_index: int, data: MapData, month, replicate) -> None:
        """Name, presence by group and this month's attacks for the region under the mouse."""
        region = geography().regions[region_index]
        country = theme.STATE_NAMES[region.country]
        counts = data.attacks_by_region_group(month, replicate)[region_index]
        presence = data.presence_by_group[month, :, region_index]
        lines = [
            (f"{region.name} ({region.id}), {country}", theme.TEXT, True),
            (
                f"militant presence {data.presence[month, region_index]:.2f} (median)",
                theme.MUTED,
                False,
            ),
            (
                "  " + "  ".join(f"{g} {p:.2f}" for g, p in zip(GROUPS, presence, strict=True)),
                theme.MUTED,
                False,
            ),
            (
                f"attacks this month {counts.sum():.0f}: "
                + ", ".join(f"{g} {c:.0f}" for g, c in zip(GROUPS, counts, strict=True)),
                theme.TEXT,
                False,
            ),
        ]
        rendered = [self.typo.render(t, 11, c, b) for t, c, b in lines]
        w = max(r.get_width() for r in rendered) + 16
        h = sum(r.get_height() for r in rendered) + 10
        box = pygame.Rect(pos[0] + 14, pos[1] + 10, w, h)
        box.clamp_ip(surface.get_rect())
        pygame.draw.rect(surface, theme.BACKGROUND, box, border_radius=5)
        pygame.draw.rect(surface, theme.PANEL_EDGE, box, 1, border_radius=5)
        y = box.top + 5
        for r in rendered:
            surface.blit(r, (box.left + 8, y))
            y += r.get_height()


def geo_jitter(n: int, k: int) -> float:
    """A fixed pseudo-random distance 0.3..1 for pulse k of region n (no RNG needed)."""
    return 0.3 + 0.7 * ((n * 7919 + k * 104729) % 97) / 96


class MapData:
    """What the map needs from a branch, precomputed: presence and attack splits."""

    def __init__(self, branch: Branch):
        self.branch = branch
        geo = geography()
        self.region_ids = geo.ids
        based = np.array(
            [[branch.cards[0][g]["based_in"].get(r, 0.0) for r in geo.ids] for g in GROUPS]
        )  # (G, N)
        strength = np.stack([branch.quantiles(f"strength.{g}")[:, 2] for g in GROUPS], axis=1)
        self.presence = strength @ based  # (T, N) median strength located in each region
        self.presence_by_group = strength[:, :, None] * based[None]  # (T, G, N)
        self.presence_scale = max(1e-9, 1.5 * float(based.sum(axis=0).max()))
        shares = branch.scenario.params["groups"]["attack_region"]
        self.attack_region = np.array([[shares[g].get(r, 0.0) for r in geo.ids] for g in GROUPS])
        pak = [i for i, r in enumerate(geo.regions) if r.country == "PAK"]
        self.main_pak_region = {g: pak[int(np.argmax(based[i, pak]))] for i, g in enumerate(GROUPS)}

    @cached_property
    def _region_attacks(self) -> np.ndarray:
        return np.stack([self.branch.column(f"attacks.{r}") for r in self.region_ids], axis=2)

    @cached_property
    def _group_attacks(self) -> np.ndarray:
        return np.stack([self.branch.column(f"attacks.{g}") for g in GROUPS], axis=2)

    def attacks_by_region_group(self, month: int, replicate: int) -> np.ndarray:
        """(N, G) attacks in one replicate and month, split among groups by their targeting."""
        by_region = self._region_attacks[month, replicate]
        weights = self._group_attacks[month, replicate][:, None] * self.attack_region  # (G, N)
        totals = weights.sum(axis=0)
        split = np.where(totals > 0, weights / np.where(totals > 0, totals, 1), 0.0)
        return (split * by_region[None, :]).T

    def joint_target(self, month: int, replicate: int) -> tuple[str, int] | None:
        if self.branch.column("joint_ops")[month, replicate] <= 0:
            return None
        g = GROUPS[int(self.branch.column("joint_ops.target")[month, replicate])]
        return g, self.main_pak_region[g]

    def clash(self, month: int, replicate: int) -> bool:
        return bool(self.branch.column("border_clashes")[month, replicate] > 0)
