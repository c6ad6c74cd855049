"""AppTest: every map on every page draws the shipped outlines of its own region under the events,
frames its places, and can draw every character its labels hold."""

from __future__ import annotations

import json

import pytest

from components import geography, importers
from tests.apptest_helpers import run_app
from tests.conftest import DATA, shared_path

AFRICA = {"ALGERIA", "LIBYA", "EGYPT", "SUDAN", "CHAD", "NIGER", "MALI", "NIGERIA", "ANGOLA",
          "ZAMBIA", "NAMIBIA", "BOTSWANA", "ETHIOPIA", "KENYA", "TANZANIA", "MAURITANIA",
          "SOUTH AFRICA", "MADAGASCAR", "MOZAMBIQUE", "CAMEROON", "GABON", "SOMALIA"}
PAGES = [
    ("pages/overview.py", {}),
    ("pages/map.py", {}),
    ("pages/actor.py", {"actor": "irgc-qf"}),
    ("pages/event.py", {"event": "ev-037"}),
    ("pages/briefing.py", {"step": "6"}),  # a step with its own map view
    ("pages/briefing.py", {"step": "2"}),  # a step framed on its places
]


def decks(at) -> list[dict]:
    return [json.loads(chart.proto.json) for chart in at.get("deck_gl_json_chart")]


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
            for r in entry["data"]]
    return [(r["lon"], r["lat"]) for r in rows]


def outline_bounds(deck: dict):
    features = layer(deck, "outlines")["data"]["features"]
    return geography.collection_bounds({"features": features})


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
        kinds = {f["properties"]["kind"] for f in layer(deck, "outlines")["data"]["features"]}
        assert {"sea", "land", "borders", "rivers", "provinces"} <= kinds
        if page in ("pages/overview.py", "pages/map.py"):
            assert "coastline" in kinds  # the Gulf's, the Mediterranean's, the Caspian's
        west, south, east, north = outline_bounds(deck)
        for lon, lat in place_points(deck):
            assert west <= lon <= east and south <= lat <= north
        assert len(json.dumps(deck)) < 600_000  # one map's whole payload per rerun


def test_over_carto_tiles_only_borders_and_provinces_are_drawn(monkeypatch):
    monkeypatch.setenv("PROXYLENS_BASEMAP", "carto")
    deck = decks(open_page("pages/map.py", {}))[0]
    kinds = {f["properties"]["kind"] for f in layer(deck, "outlines")["data"]["features"]}
    assert kinds == {"borders", "provinces"}
    assert deck.get("mapProvider") == "carto"


def test_country_names_are_drawn_clear_of_the_places(monkeypatch):
    monkeypatch.setenv("PROXYLENS_BASEMAP", "none")
    deck = decks(open_page("pages/map.py", {}))[0]
    names = {row["name"] for row in layer(deck, "country-names")["data"]}
    assert {"SYRIA", "TURKMENISTAN", "JORDAN"} <= names
    assert "IRAQ" not in names  # the Iraq place's own ring and label are there


def test_a_folder_from_another_region_gets_its_own_outlines(tmp_path, monkeypatch):
    result = importers.import_file(shared_path("realdata", "acled_2016_africa_oldlayout.csv"))
    importers.write_folder(result, tmp_path / "acled")
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(tmp_path / "acled"))
    monkeypatch.setenv("PROXYLENS_BASEMAP", "none")
    for page, width, height in (("pages/overview.py", 420, 520), ("pages/map.py", 1150, 640)):
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
    deck = decks(open_page("pages/map.py", {}))[0]
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
