"""The schematic map: the nine regions as board areas in their true relative positions.

Areas are the cells nearest each region's point (sim/data/geography.yaml), cut off at a
radius so they read as board-game areas; the Durand Line is where Pakistani and Afghan
cells meet. The shaded area layer is drawn once per month and size and cached; pulses,
flows and badges are drawn every frame over it.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
import pygame

from sim import GROUPS
from sim.geography import geography
from sim.timeline import Branch
from viz import theme
from viz.theme import Typography

CELL_RADIUS = 0.17  # in the geography's unit coordinates
PULSE_CAP = 14  # pulses drawn per region and month; more are summed in a label
OFF_MAP = {"US": (0.04, 0.05), "CHN": (0.96, 0.05)}  # badge anchors as shares of the pane
ON_MAP = {"PAK": ("PUN", 0.07, -0.06), "AFG": ("KBL", -0.11, 0.0)}
FLOWS = (("US", "PAK", "aid.US-PAK"), ("CHN", "PAK", "aid.CHN-PAK"))
FLOWS += (("CHN", "AFG", "aid.CHN-AFG"), ("US", "AFG", "aid.US-AFG"))


class BoardGeometry:
    """Pixel positions and the area raster for one pane size."""

    def __init__(self, size: tuple[int, int]):
        self.size = w, h = max(40, size[0]), max(40, size[1])
        geo = geography()
        self.regions = geo.regions
        xs = np.array([r.x for r in geo.regions])
        ys = np.array([r.y for r in geo.regions])
        lo_x, hi_x = xs.min() - 0.19, xs.max() + 0.19
        lo_y, hi_y = ys.min() - 0.2, ys.max() + 0.18
        self.scale = min(w / (hi_x - lo_x), h / (hi_y - lo_y))
        self.ox = (w - (hi_x - lo_x) * self.scale) / 2 - lo_x * self.scale
        self.oy = (h - (hi_y - lo_y) * self.scale) / 2 - lo_y * self.scale
        self.points = [self.to_px(r.x, r.y) for r in geo.regions]
        self.country = np.array([r.country == "PAK" for r in geo.regions])
        self._raster(xs, ys)

    def to_px(self, x: float, y: float) -> tuple[int, int]:
        return int(self.ox + x * self.scale), int(self.oy + y * self.scale)

    def _raster(self, xs: np.ndarray, ys: np.ndarray) -> None:
        w, h = self.size
        gx = (np.arange(w, dtype=np.float32) - self.ox) / self.scale
        gy = (np.arange(h, dtype=np.float32) - self.oy) / self.scale
        d2 = (gx[None, :, None] - xs[None, None, :].astype(np.float32)) ** 2 + (
            gy[:, None, None] - ys[None, None, :].astype(np.float32)
        ) ** 2  # (h, w, N)
        label = d2.argmin(axis=2)
        inside = d2.min(axis=2) < CELL_RADIUS**2
        label = np.where(inside, label, len(xs))  # N = outside
        self.label = label.T.copy()  # (w, h), pygame's surfarray order
        lab = self.label
        edge = np.zeros_like(lab, dtype=bool)
        edge[:-1] |= lab[:-1] != lab[1:]
        edge[:, :-1] |= lab[:, :-1] != lab[:, 1:]
        is_pak = np.append(self.country, False)[lab]
        is_afg = np.append(~self.country, False)[lab]
        durand = np.zeros_like(edge)
        durand[:-1] |= (is_pak[:-1] & is_afg[1:]) | (is_afg[:-1] & is_pak[1:])
        durand[:, :-1] |= (is_pak[:, :-1] & is_afg[:, 1:]) | (is_afg[:, :-1] & is_pak[:, 1:])
        thick = durand.copy()
        for shift in (1, -1):
            thick |= np.roll(durand, shift, axis=0) | np.roll(durand, shift, axis=1)
        xx, yy = np.meshgrid(np.arange(lab.shape[0]), np.arange(lab.shape[1]), indexing="ij")
        self.edge = edge & ~thick
        self.durand = thick & (((xx + yy) // 7) % 3 != 2)  # dashed
        ys_, xs_ = np.nonzero(durand.T)
        self.durand_mid = (int(xs_.mean()), int(ys_.mean())) if len(xs_) else (w // 2, h // 2)
        top = int(np.argmin(ys_)) if len(ys_) else 0
        self.durand_top = (int(xs_[top]), int(ys_[top])) if len(xs_) else self.durand_mid
        self.durand_points = list(
            zip(xs_[:: max(1, len(xs_) // 6)], ys_[:: max(1, len(xs_) // 6)], strict=True)
        )

    def badge_point(self, actor: str) -> tuple[int, int]:
        w, h = self.size
        if actor in OFF_MAP:
            fx, fy = OFF_MAP[actor]
            return min(w - 30, max(24, int(fx * w))), int(fy * h + 12)
        rid, dx, dy = ON_MAP[actor]
        region = next(r for r in self.regions if r.id == rid)
        return self.to_px(region.x + dx, region.y + dy)


class MapView:
    """Draws a branch's map at a month; caches areas per (branch, month, size)."""

    def __init__(self, typo: Typography):
        self.typo = typo
        self._geometry: dict[tuple[int, int], BoardGeometry] = {}
        self._areas: dict[tuple, pygame.Surface] = {}

    def geometry(self, size: tuple[int, int]) -> BoardGeometry:
        if size not in self._geometry:
            if len(self._geometry) > 6:
                self._geometry.clear()
            self._geometry[size] = BoardGeometry(size)
        return self._geometry[size]

    def clear(self) -> None:
        self._areas.clear()

    # ------------------------------------------------------------ cached layer

    def _area_layer(self, branch, data, month, size, reference=None) -> pygame.Surface:
        """Areas shaded by presence; with a ``reference`` (the original), labels show the change."""
        key = (id(branch), month, size, self.typo.scale, id(reference))
        surf = self._areas.get(key)
        if surf is not None:
            return surf
        if len(self._areas) > 240:
            self._areas.clear()
        geo = self.geometry(size)
        level = data.presence[month] / data.presence_scale
        palette = np.array([theme.ramp(v) for v in level] + [theme.PANEL], dtype=np.uint8)
        rgb = palette[geo.label]
        rgb[geo.edge] = theme.BACKGROUND
        rgb[geo.durand] = (236, 236, 236)
        surf = pygame.surfarray.make_surface(rgb)
        roomy = geo.scale >= 330 * self.typo.scale
        for region, (px, py), value in zip(
            geo.regions, geo.points, data.presence[month], strict=True
        ):
            name = self.typo.render(region.id, 13, theme.TEXT, bold=True)
            if not roomy:  # large text on a small map: the id alone
                surf.blit(name, name.get_rect(center=(px, py)))
                continue
            surf.blit(name, name.get_rect(center=(px, py - 7)))
            sub = self.typo.render(f"{value:.2f}", 11, theme.MUTED)
            if reference is not None:
                delta = value - reference.presence[month][geo.regions.index(region)]
                if abs(delta) >= 0.005:
                    sub = self.typo.render(f"{value:.2f} ({delta:+.2f})", 11, theme.BRANCH_COLOUR)
            surf.blit(sub, sub.get_rect(center=(px, py + 9)))
        tag = self.typo.render("Durand Line", 11, (236, 236, 236))
        tx, ty = geo.durand_top
        surf.blit(tag, (tx - tag.get_width() // 2, ty - tag.get_height() - 2))
        self._areas[key] = surf
        return surf

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
        size = (rect.width, rect.height)
        geo = self.geometry(size)
        surface.blit(self._area_layer(branch, data, month, size, reference), rect.topleft)
        ox, oy = rect.topleft
        self._flows(surface, geo, branch, month, phase, ox, oy)
        self._pulses(surface, geo, data, month, phase, playing, replicate, ox, oy)
        self._joint_and_clash(surface, geo, branch, data, month, phase, replicate, ox, oy)
        for actor in ("US", "CHN", "PAK", "AFG"):
            self._badge(surface, actor, geo.badge_point(actor), ox, oy)
        head = self.typo.render(title, 13, theme.TEXT, bold=True)
        surface.blit(head, (ox + rect.width // 2 - head.get_width() // 2, oy + 4))

    def _badge(self, surface, actor, point, ox, oy) -> None:
        colour = theme.STATE_COLOURS[actor]
        text = self.typo.render(actor, 12, theme.BACKGROUND, bold=True)
        box = text.get_rect(center=(point[0] + ox, point[1] + oy)).inflate(12, 6)
        pygame.draw.rect(surface, colour, box, border_radius=6)
        surface.blit(text, text.get_rect(center=box.center))

    def _flows(self, surface, geo, branch, month, phase, ox, oy) -> None:
        for donor, recipient, metric in FLOWS:
            amount = branch.median(metric, month) * 12.0  # USD M per year
            if amount <= 1.0:
                continue
            (ax, ay), (bx, by) = geo.badge_point(donor), geo.badge_point(recipient)
            ax, ay, bx, by = ax + ox, ay + oy, bx + ox, by + oy
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
        for n, (px, py) in enumerate(geo.points):
            total = int(counts[n].sum())
            if total == 0:
                continue
            shown = min(total, PULSE_CAP)
            k = 0
            for g, group in enumerate(GROUPS):
                for _ in range(int(round(counts[n, g] * shown / total))):
                    self._pulse(surface, px + ox, py + oy, n, k, shown, group, phase, playing)
                    k += 1
            if total > PULSE_CAP:
                label = self.typo.render(f"{total} attacks", 10, theme.TEXT)
                surface.blit(label, (px + ox - label.get_width() // 2, py + oy + 44))

    def _pulse(self, surface, cx, cy, n, k, shown, group, phase, playing) -> None:
        # On a ring around the region's label, so the label stays readable.
        angle = (n * 1.3 + k * 2.39996) % math.tau
        ring = (0.75 + 0.25 * geo_jitter(n, k)) * self.typo.scale**0.5
        x = int(cx + math.cos(angle) * 40 * ring)
        y = int(cy + 1 + math.sin(angle) * 27 * ring)
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
            pygame.draw.circle(surface, theme.mix(colour, theme.PANEL, 0.4), (x, y), 2)

    def _joint_and_clash(self, surface, geo, branch, data, month, phase, replicate, ox, oy):
        """Joint operations and border clashes this month, marked and named under the title."""
        blink = 0.5 + 0.5 * math.sin(phase * math.tau * 2)
        notices = []
        target = data.joint_target(month, replicate)
        if target is not None:
            group, region_index = target
            b = geo.points[region_index]
            colour = theme.mix(theme.SKY, theme.HIGHLIGHT, blink * 0.5)
            for actor in ("US", "PAK"):
                a = geo.badge_point(actor)
                pygame.draw.line(
                    surface,
                    theme.STATE_COLOURS[actor],
                    (a[0] + ox, a[1] + oy),
                    (b[0] + ox, b[1] + oy),
                    2,
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
        y = oy + 4 + self.typo.line_height(13)
        for text, colour in notices:
            label = self.typo.render(text, 11, colour, bold=True)
            box = label.get_rect(midtop=(ox + geo.size[0] // 2, y)).inflate(10, 2)
            pygame.draw.rect(surface, theme.BACKGROUND, box, border_radius=4)
            surface.blit(label, label.get_rect(center=box.center))
            y += box.height + 2

    def region_at(self, rect: pygame.Rect, pos) -> int | None:
        """Index of the region under ``pos`` in a map drawn in ``rect``, if any."""
        if not rect.collidepoint(pos):
            return None
        geo = self.geometry(rect.size)
        index = int(geo.label[pos[0] - rect.left, pos[1] - rect.top])
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
