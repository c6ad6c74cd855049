"""AppTest: every map on every page draws the shipped outlines of its own region under the events,
frames its places, and can draw every character its labels hold."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest

from PIL import Image

from components import geography, importers
from components.ui import map as map_ui
from components.ui import screen
from tests.apptest_helpers import deck_specs, run_app, served_file
from tests.conftest import DATA, shared_path

AFRICA = {"ALGERIA", "LIBYA", "EGYPT", "SUDAN", "CHAD", "NIGER", "MALI", "NIGERIA", "ANGOLA",
          "ZAMBIA", "NAMIBIA", "BOTSWANA", "ETHIOPIA", "KENYA", "TANZANIA", "MAURITANIA",
          "SOUTH AFRICA", "MADAGASCAR", "MOZAMBIQUE", "CAMEROON", "GABON", "SOMALIA"}
PAGES = [
    ("app_pages/overview.py", {}),
    ("app_pages/map.py", {}),
    ("app_pages/actor.py", {"actor": "irgc-qf"}),
    ("app_pages/event.py", {"event": "ev-037"}),
    ("app_pages/briefing.py", {"step": "6"}),  # a step with its own map view
    ("app_pages/briefing.py", {"step": "2"}),  # a step framed on its places
]


def decks(at) -> list[dict]:
    return deck_specs(at)


def open_page(page: str, params: dict):
    at = run_app(page)
    if params:
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.message for e in at.exception]
    return at


def layer(deck: dict, layer_id: str) -> dict:
    return next(entry for entry in deck["layers"] if entry["id"] == layer_id)


def place_points(deck: dict) -> list[tuple[float, float]]:
    rows = [r for entry in deck["layers"] if entry["id"] in ("places", "regions")
            for r in entry.get("data", [])]
    return [(r["lon"], r["lat"]) for r in rows]


def outline_bounds(deck: dict):
    return tuple(layer(deck, "outlines")["bounds"])


def picture(deck: dict):
    """The outlines layer's picture, and a function giving its colour at a (lon, lat)."""
    entry = layer(deck, "outlines")
    image = Image.open(io.BytesIO(entry["picture"])).convert("RGBA")
    west, south, east, north = entry["bounds"]

    def y(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    def colour_at(lon, lat):
        px = (lon - west) / (east - west) * (image.width - 1)
        py = (y(north) - y(lat)) / (y(north) - y(south)) * (image.height - 1)
        return image.getpixel((round(px), round(py)))

    return image, colour_at


def pixels_of(image, colour, box=None, tolerance: int = 40) -> int:
    """How many pixels of the picture (or of its `box`, in pixels) are near a colour."""
    region = np.asarray(image.crop(box) if box else image).astype(int)
    distance = np.abs(region[..., :3] - np.array(colour[:3])).sum(axis=-1)
    return int(((region[..., 3] > 100) & (distance < tolerance)).sum())


def near(colour, expected, tolerance: int = 12) -> bool:
    return sum(abs(a - b) for a, b in zip(colour[:3], expected[:3])) <= tolerance


@pytest.mark.parametrize("page, params", PAGES, ids=lambda p: str(p))
def test_every_map_draws_the_shipped_outlines_under_its_events(page, params, monkeypatch):
    monkeypatch.setenv("PROXYLENS_BASEMAP", "none")
    assert not (DATA / "boundaries.geojson").exists()  # nothing from the data folder
    at = open_page(page, params)
    found = decks(at)
    assert found, f"{page} drew no map"
    for deck in found:
        ids = [entry["id"] for entry in deck["layers"]]
        assert ids[0] == "outlines" and ids.index("outlines") < ids.index("places")
        assert layer(deck, "outlines")["@@type"] == "BitmapLayer"
        image, colour_at = picture(deck)
        west, south, east, north = outline_bounds(deck)
        for lon, lat in place_points(deck):
            assert west <= lon <= east and south <= lat <= north
        # land in the Syrian desert, sea in the Arabian Sea, Iraq's provinces and the borders
        assert near(colour_at(40.0, 33.5), map_ui.LAND_COLOUR)
        if west < 62 < east and south < 20 < north:
            assert near(colour_at(62.0, 20.0), map_ui.SEA_COLOUR)
        assert pixels_of(image, map_ui.PROVINCE_COLOUR) > 200
        assert pixels_of(image, map_ui.BORDER_COLOUR) > 200
        assert pixels_of(image, map_ui.RIVER_COLOUR) > 100
        if page in ("app_pages/overview.py", "app_pages/map.py"):
            # the Gulf's coast: the coast's colour between Kuwait and the Strait of Hormuz, at
            # least half as many pixels as the box is wide (two coasts cross it; the picture's
            # scale follows the map's zoom, so a count fixed in pixels would not)
            box = gulf_box(deck, image)
            assert pixels_of(image, map_ui.COAST_COLOUR, box) > (box[2] - box[0]) / 2
    for chart in at.get("deck_gl_json_chart"):
        sent = json.loads(chart.proto.json)
        address = layer(sent, "outlines")["image"]
        # the outlines are served once as a file, not resent in every rerun's deck
        assert isinstance(address, str) and address.startswith("/mock/media/"), address
        assert len(chart.proto.json) < 100_000  # what a rerun sends for the map
        assert len(served_file(at, address)) < 1_000_000  # fetched once per map region


def test_the_served_outlines_keep_their_address_from_one_filter_to_the_next(monkeypatch):
    """Two filters whose places are framed a little differently share one region's outlines."""
    monkeypatch.setenv("PROXYLENS_BASEMAP", "none")
    at = open_page("app_pages/map.py", {})
    at.multiselect(key="event_types").set_value(["statement"]).run()
    before = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    at.multiselect(key="event_types").set_value(["arms supply"]).run()
    after = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert place_points(after) != place_points(before)
    assert after["initialViewState"] != before["initialViewState"]
    # the same address: deck.gl keeps the outlines it built and the rerun does not resend them
    assert layer(after, "outlines")["image"] == layer(before, "outlines")["image"]


def gulf_box(deck: dict, image) -> tuple[int, int, int, int]:
    """The picture's pixels between Kuwait and the Strait of Hormuz."""
    west, south, east, north = outline_bounds(deck)

    def y(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    def at(lon, lat):
        return (round((lon - west) / (east - west) * image.width),
                round((y(north) - y(lat)) / (y(north) - y(south)) * image.height))

    (left, top), (right, bottom) = at(47.5, 30.0), at(56.0, 24.0)
    return left, top, right, bottom


def test_over_carto_tiles_only_borders_and_provinces_are_drawn(monkeypatch):
    monkeypatch.setenv("PROXYLENS_BASEMAP", "carto")
    deck = decks(open_page("app_pages/map.py", {}))[0]
    image, colour_at = picture(deck)
    assert colour_at(40.0, 33.5)[3] == 0 and colour_at(62.0, 20.0)[3] == 0  # no land, no sea
    assert pixels_of(image, map_ui.BORDER_COLOUR) > 200
    assert pixels_of(image, map_ui.PROVINCE_COLOUR) > 200
    assert pixels_of(image, map_ui.COAST_COLOUR) == 0 and pixels_of(image, map_ui.RIVER_COLOUR) == 0
    assert deck.get("mapProvider") == "carto"


def test_country_names_are_drawn_clear_of_the_places(monkeypatch):
    monkeypatch.setenv("PROXYLENS_BASEMAP", "none")
    deck = decks(open_page("app_pages/map.py", {}))[0]
    names = {row["name"] for row in layer(deck, "country-names")["data"]}
    # (Syria's name, under Lebanon's label and arc on the 1280-pixel framing, is left out)
    assert {"TURKMENISTAN", "JORDAN", "SAUDI ARABIA"} <= names
    assert "IRAQ" not in names  # the Iraq place's own ring and label are there


def test_a_folder_from_another_region_gets_its_own_outlines(tmp_path, monkeypatch):
    result = importers.import_file(shared_path("realdata", "acled_2016_africa_oldlayout.csv"))
    importers.write_folder(result, tmp_path / "acled")
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(tmp_path / "acled"))
    monkeypatch.setenv("PROXYLENS_BASEMAP", "none")
    for page, width, height in (("app_pages/overview.py", screen.column_px([1, 1], 0), 520),
                                ("app_pages/map.py", screen.column_px([1], 0), 640)):
        deck = decks(open_page(page, {}))[0]
        points = place_points(deck)
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        west, south, east, north = outline_bounds(deck)
        assert west <= min(lons) and max(lons) <= east
        assert south <= min(lats) and max(lats) <= north
        assert west < -4 and south < -24  # West and southern Africa, not the Iraq region
        names = {row["name"] for row in layer(deck, "country-names")["data"]}
        assert len(names & AFRICA) >= 3, names  # (those under a place's label are left out)
        # the first view shows every place
        view = deck["initialViewState"]
        v_west, v_south, v_east, v_north = geography.visible_box(view, width, height)
        assert v_west <= min(lons) and max(lons) <= v_east
        assert v_south <= min(lats) and max(lats) <= v_north


def test_text_layers_can_draw_every_character_of_their_labels(tmp_path, monkeypatch):
    result = importers.import_file(shared_path("realdata", "ucdp_ged_sample_iraq.csv"))
    importers.write_folder(result, tmp_path / "ucdp")
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(tmp_path / "ucdp"))
    monkeypatch.setenv("PROXYLENS_BASEMAP", "none")
    deck = decks(open_page("app_pages/map.py", {}))[0]
    labels = [row["label"] for row in layer(deck, "labels")["data"]]
    assert any("ā" in label for label in labels), labels
    text_layers = [entry for entry in deck["layers"] if entry["@@type"] == "TextLayer"]
    assert {"labels", "country-names"} <= {entry["id"] for entry in text_layers}
    for entry in text_layers:
        characters = set(entry["characterSet"])
        assert "ā" in characters
        for row in entry["data"]:
            text = row.get("label", row.get("name", ""))
            assert set(text) <= characters, text


def test_the_picture_address_holds_under_a_path_prefix():
    assert map_ui.served_address("/media/ab.png") == "/media/ab.png"
    assert map_ui.served_address("/media/ab.png", "briefings/") == "/briefings/media/ab.png"
    assert map_ui.served_address("/media/ab.png", "/team/proxylens") == "/team/proxylens/media/ab.png"
