"""On the screen the pages are laid out for (1280x720, sidebar open: components.ui.screen),
every map's first view holds all it frames: each place's circle, its label as the browser
measures the text, and both ends of each arc lie inside the canvas the browser drew.

The view comes from the deck the server sends (read through AppTest on the same data: the
framing is the server's, the same for every browser); the canvas's size and the labels' widths
come from Chromium."""

from __future__ import annotations

import math

import pytest

from components.ui import screen
from tests.apptest_helpers import deck_specs, run_app
from tests.browser.conftest import wait_for

pytestmark = pytest.mark.browser

HAS_MAP = "document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas')"
TILE_PX = 512  # deck.gl's world at zoom 0

PAGES = {  # address -> (page script, its query parameters, country rings it may leave out)
    "": (None, {}, ()),
    "map": ("app_pages/map.py", {}, ()),
    "actor?actor=irgc-qf": ("app_pages/actor.py", {"actor": "irgc-qf"}, ()),
    "event?event=ev-022": ("app_pages/event.py", {"event": "ev-022"}, ()),  # an arc from Lebanon
    "compare": ("app_pages/compare.py", {}, ()),
    # framed on its places, on a map 220 px high: Iraq's ring (the country's centre) lies more
    # than views.FAR_ZOOMS out from Baghdad's places, and is left off the first view by design
    # (with the movements into it)
    "briefing?step=5": ("app_pages/briefing.py", {"step": "5"}, ("Iraq",)),
}


def projected(lon: float, lat: float, view: dict, width: float, height: float):
    """Web Mercator, as deck.gl's MapView draws it: canvas pixels from the top left."""
    scale = TILE_PX * 2 ** float(view["zoom"])

    def mercator_y(value: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(value) / 2))

    x = (lon - float(view["longitude"])) / 360 * scale
    y = -(mercator_y(lat) - mercator_y(float(view["latitude"]))) / (2 * math.pi) * scale
    return width / 2 + x, height / 2 + y


def text_widths(page, labels: list[str], font: str) -> dict[str, float]:
    return page.evaluate(
        """([labels, font]) => { const c = document.createElement('canvas').getContext('2d');
             c.font = font; return Object.fromEntries(labels.map(t => [t, c.measureText(t).width])); }""",
        [labels, font])


def outside(spec: dict, width: float, height: float, page, left_out=()) -> list[str]:
    """What of the deck lies outside a canvas of this size, in words (`left_out`: country-level
    places the framing may leave out, and their labels)."""
    view = spec["initialViewState"]
    layers = {layer["id"]: layer for layer in spec["layers"]}
    found = []

    def check(what: str, left: float, top: float, right: float, bottom: float) -> None:
        if left < 0 or top < 0 or right > width or bottom > height:
            found.append(f"{what} at x {left:.0f}-{right:.0f}, y {top:.0f}-{bottom:.0f} "
                         f"(canvas {width:.0f}x{height:.0f})")

    for layer_id in ("places", "regions"):
        layer = layers.get(layer_id)
        if not layer:
            continue
        assert layer.get("radiusUnits") == "pixels"
        for place in layer["data"]:
            if place["name"] in left_out and place["precision"] == "country":
                continue
            x, y = projected(place["lon"], place["lat"], view, width, height)
            r = float(place["radius"])
            check(f"the circle of {place['name']}", x - r, y - r, x + r, y + r)
    labels = layers.get("labels")
    if labels and labels["data"]:
        assert labels["getPixelOffset"] == "@@=[0, -radius - 4]"
        assert labels["getAlignmentBaseline"] == "bottom"
        size = float(labels["getSize"])
        shown = [row for row in labels["data"] if row["label"] and not (
            row["name"] in left_out and row["precision"] == "country")]
        widths = text_widths(page, [row["label"] for row in shown],
                             f"{size:g}px {labels['fontFamily']}")
        pad_x, pad_y = labels.get("backgroundPadding", [0, 0])[:2]
        for row in shown:
            x, y = projected(row["lon"], row["lat"], view, width, height)
            bottom = y - float(row["radius"]) - 4 + pad_y
            half = widths[row["label"]] / 2 + pad_x
            check(f"the label {row['label']!r}", x - half, bottom - size - 2 * pad_y,
                  x + half, bottom)
    for arc in (layers.get("arcs") or {}).get("data", []):
        if arc.get("destination") in left_out:  # a movement into a country left out
            continue
        for end, (lon, lat) in (("from", (arc["from_lon"], arc["from_lat"])),
                                ("to", (arc["to_lon"], arc["to_lat"]))):
            x, y = projected(lon, lat, view, width, height)
            check(f"the {end} end of the arc {arc.get('origin')} -> {arc.get('destination')}",
                  x, y, x, y)
    return found


@pytest.mark.parametrize("address", list(PAGES), ids=lambda a: a.split("?")[0] or "overview")
def test_each_map_holds_what_it_frames_at_1280x720(server, playwright_browser, address):
    script, params, left_out = PAGES[address]
    specs = deck_specs(run_app(script, params=params))
    assert specs, f"the {address or 'overview'} page draws no map"
    context = playwright_browser.new_context(
        viewport={"width": screen.REFERENCE[0], "height": screen.REFERENCE[1]})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/{address}")
        wait_for(page, HAS_MAP, timeout=60_000)
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')]
                 .map(e => { const r = e.getBoundingClientRect();
                             return [r.width, r.height]; })""")
        assert len(boxes) == len(specs)
        for spec, (width, height) in zip(specs, boxes):
            places = sum(len(layer.get("data") or []) for layer in spec["layers"]
                         if layer["id"] in ("places", "regions"))
            assert places, "a map with nothing to frame tests nothing"
            assert outside(spec, width, height, page, left_out) == []
    finally:
        context.close()
