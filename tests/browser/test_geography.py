"""Offline (PROXYLENS_BASEMAP=none, no internet), the map still reads as a map: away from every
place, arc and label, the canvas shows the shipped land and sea, not the page's background."""

from __future__ import annotations

import json
import math
from io import BytesIO

import pytest

from components import geography
from components.ui import map as map_ui
from tests.browser.conftest import ARTIFACTS, full_screenshot, open_page

pytestmark = pytest.mark.browser

HAS_MAP = "document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas')"


def app_deck(page: str, monkeypatch) -> dict:
    """The deck the server sends for the page (the same code, run by AppTest): its view and
    the places, labels and arcs drawn, to know where the canvas shows them."""
    from tests.apptest_helpers import deck_specs, run_app

    monkeypatch.setenv("PROXYLENS_BASEMAP", "none")
    return deck_specs(run_app(page))[0]


def free_samples(deck: dict, width: float, height: float, step: int = 16):
    """Canvas points at least a few pixels from every circle, label and arc."""
    view = deck["initialViewState"]
    layers = {entry["id"]: entry.get("data", []) for entry in deck["layers"]}

    def at(lon, lat):
        x, y = geography.to_pixels(view, lon, lat)
        return width / 2 + x, height / 2 + y

    boxes, segments = [], []
    for row in layers.get("places", []) + layers.get("regions", []):
        x, y = at(row["lon"], row["lat"])
        r = row["radius"] + 6
        boxes.append((x - r, y - r, x + r, y + r))
    for row in layers.get("labels", []):
        x, y = at(row["lon"], row["lat"])
        half = 8.2 * len(row["label"]) / 2 + 8
        boxes.append((x - half, y - row["radius"] - 28, x + half, y - row["radius"] + 2))
    for row in layers.get("country-names", []) + layers.get("province-names", []):
        x, y = at(row["lon"], row["lat"])
        half = 8 * len(row["name"]) / 2 + 6
        boxes.append((x - half, y - 12, x + half, y + 12))
    for row in layers.get("arcs", []):
        segments.append((at(row["from_lon"], row["from_lat"]), at(row["to_lon"], row["to_lat"])))

    def near_arc(px, py):
        for (ax, ay), (bx, by) in segments:
            dx, dy = bx - ax, by - ay
            t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy or 1)))
            if math.hypot(px - ax - t * dx, py - ay - t * dy) < 12:
                return True
        return False

    for px in range(8, int(width) - 8, step):
        for py in range(8, int(height) - 8, step):
            if any(b[0] <= px <= b[2] and b[1] <= py <= b[3] for b in boxes):
                continue
            if not near_arc(px, py):
                yield px, py


def close(colour, target, tolerance: int = 8) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, target))


@pytest.mark.parametrize("path, page", [("", "app_pages/overview.py"), ("map", "app_pages/map.py")],
                         ids=["overview", "map"])
def test_the_offline_map_shows_geography_away_from_the_events(server, browser_page, monkeypatch,
                                                              path, page):
    from PIL import Image

    deck = app_deck(page, monkeypatch)
    watch = browser_page
    open_page(watch, f"{server.url}/{path}", HAS_MAP)
    watch.page.wait_for_timeout(2500)  # deck.gl draws on the next animation frames
    chart = watch.page.locator('[data-testid="stDeckGlJsonChart"]').first
    image = Image.open(BytesIO(chart.screenshot())).convert("RGB")
    image.save(ARTIFACTS / f"offline-outlines-{path or 'overview'}.png")
    background = watch.page.evaluate(
        "() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]'))"
        ".backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)")
    samples = list(free_samples(deck, *image.size))
    assert len(samples) > 300
    colours = [image.getpixel(p) for p in samples]
    plain = sum(close(c, background, 4) for c in colours)
    assert plain / len(colours) < 0.02, f"{plain} of {len(colours)} free pixels are background"
    land = sum(close(c, map_ui.LAND_COLOUR[:3]) for c in colours)
    sea = sum(close(c, map_ui.SEA_COLOUR[:3]) for c in colours)
    assert land / len(colours) > 0.3 and sea / len(colours) > 0.05, (land, sea, len(colours))
    lines = sum(not close(c, map_ui.LAND_COLOUR[:3]) and not close(c, map_ui.SEA_COLOUR[:3])
                for c in colours)
    assert lines > 5  # borders, coast and rivers cross the free area
    full_screenshot(watch.page, f"offline-map-page-{path or 'overview'}")
    assert [e for e in watch.errors if "status of 404" not in e] == []
