"""Per-view frames: the filtered events shaped for the map and the timeline. No Streamlit import.

Every frame here is bounded by the number of places or lanes, not by the number of events,
where the view allows it (the map aggregates by place; the monthly chart by month and category).
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import pandas as pd

from components import frames, geography, grades, palette
from components.wording import counted

COLOUR_BY = {
    "event category": "category",
    "claim status": "claim_status",
    "actor side": "actor1_side",
    "grade": "grade_band",
}

PRECISION_WORDS = {
    "day": "date known to the day",
    "month": "date known to the month",
    "year": "date known to the year",
}


ALL_LABELS = ("actor1_side", "category", "actor1_name", "actor2_name", "actors_text",
              "date_text", "grade_band", "sources_text")


def with_event_labels(events: pd.DataFrame, actors: pd.DataFrame,
                      sources: pd.DataFrame | None = None, labels=ALL_LABELS) -> pd.DataFrame:
    """Add the columns charts and tooltips read (all of ALL_LABELS, or the `labels` asked for):
    category, actor names, a readable date, and the sources with their reliability letters
    ("isw (B); enc (C)").

    Each label is worked out once per distinct value (or combination) and held as a
    categorical, so a million events cost little more than a few thousand."""
    names = frames.lookup(actors, "actor_id", "name")
    sides = frames.lookup(actors, "actor_id", "side")
    letters = frames.lookup(sources, "source_id", "reliability") if sources is not None else {}
    frame = events.copy(deep=False)  # copy-on-write: the loaded columns are shared, not copied

    def sources_text(ids, locator) -> str:
        text = "; ".join(f"{s} ({letters.get(s, '?')})" for s in (ids or ()) if s)
        return text + (f", {locator}" if locator else "")

    def when(*values) -> str:
        return date_text(*(str(v) if isinstance(v, str) else "" for v in values))

    if "date_note" not in frame:
        frame["date_note"] = ""
    if "grade" not in frame:
        frame["grade"] = ""
    made = {
        "actor1_side": (["actor1"], lambda a: sides.get(a) or "other or unclear"),
        "category": (["event_type"], palette.event_category),
        "actor1_name": (["actor1"], lambda a: names.get(a, a)),
        "actor2_name": (["actor2"], lambda a: names.get(a, a) if a else ""),
        "actors_text": (["actor1", "actor2"], lambda a1, a2: actors_text(names, a1, a2)),
        "date_text": (["event_date", "time_precision", "date_end", "date_note"], when),
        "grade_band": (["grade"], grades.grade_band),
        "sources_text": (["source_ids", "source_locator"], sources_text),
    }
    for label in labels:
        columns, function = made[label]
        frame[label] = map_distinct(frame, columns, function)
    return frame


def actors_text(names: dict, actor1, actor2) -> str:
    """An event's actors by name ("Qods Force, Kata'ib Hezbollah"), ids kept where unnamed."""
    first = names.get(actor1, actor1)
    return f"{first}, {names.get(actor2, actor2)}" if actor2 else first


FEW_ROWS = 5_000  # a frame this short is labelled row by row (see map_distinct)


def map_distinct(frame: pd.DataFrame, columns: list[str], function) -> pd.Categorical:
    """`function` of each row's values in `columns`, called once per distinct combination and
    returned as a categorical with its categories in sorted order."""
    if frame.empty:
        return pd.Categorical([], categories=pd.Index([], dtype=object))
    if len(frame) <= FEW_ROWS:  # grouping costs more than calling `function` on every row
        made: dict = {}
        labels = [made[row] if row in made else made.setdefault(row, function(*row))
                  for row in zip(*(frame[c].astype(object).to_numpy() for c in columns))]
        values = pd.Series(labels, dtype=object).fillna("")
        return pd.Categorical(values, categories=pd.Index(sorted(set(values)), dtype=object))
    if len(columns) == 1:
        codes, uniques = pd.factorize(frame[columns[0]], use_na_sentinel=False)
        rows = [(value,) for value in uniques]
    else:
        grouped = frame.groupby(columns, sort=False, observed=True, dropna=False)
        codes = grouped.ngroup().to_numpy()
        first_rows = np.unique(codes, return_index=True)[1]
        rows = list(frame[columns].iloc[first_rows].itertuples(index=False, name=None))
    labels = pd.Series([function(*row) for row in rows], dtype=object).fillna("")
    label_codes, categories = pd.factorize(labels)
    order = np.argsort(categories.to_numpy(dtype=object))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return pd.Categorical.from_codes(rank[label_codes][codes],
                                     categories=pd.Index(categories.to_numpy(dtype=object)[order]))


def date_text(event_date: str, precision: str, date_end: str = "", date_note: str = "") -> str:
    """'20 Jan 2007', 'May 2006 (month only)', '2005 (year only)', with ranges for periods, and
    the row's date note after it ("15 Nov 2006 [the public record has 14 Nov 2006]")."""
    text = _date_only(event_date, precision, date_end)
    note = date_note.strip() if isinstance(date_note, str) else ""
    return f"{text} [{note}]" if note else text


@functools.lru_cache(maxsize=100_000)
def date_words(value: str) -> str:
    """'20 Jan 2007', 'Jan 2007' or '2007' for a day, a month or a year. Kept per value: a map's
    tooltips and a page of events read the same few thousand days on every filter change, and
    parsing one cost more than the rest of the label."""
    parts = value.split("-")
    stamp = pd.Timestamp(value if len(parts) == 3 else value + ("-01" if len(parts) == 2 else "-01-01"))
    if len(parts) == 3:
        return f"{stamp.day} {stamp:%b %Y}"
    if len(parts) == 2:
        return f"{stamp:%b %Y}"
    return f"{stamp:%Y}"


def _date_only(event_date: str, precision: str, date_end: str = "") -> str:
    if not event_date:
        return "undated"
    try:
        text = date_words(event_date)
        if date_end:
            text += f" to {date_words(date_end)}"
    except ValueError:
        return event_date
    if precision in ("month", "year"):
        text += f" ({precision} only)"
    return text


# --------------------------------------------------------------------------------------------
# Map


MAX_PLACES_DRAWN = 800  # beyond this, places are merged into grid cells


LISTED_COLUMNS = ["location", "lat", "lon", "span_start", "line"]


def tooltip_lines(events: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Tooltip lines of events: date · type · actors · claim status · grade, the date and the
    actors worded as with_event_labels words them (`names`: actor id -> name). Built from plain
    lists: a map's 1,750 tooltip lines took 30 ms through with_event_labels' categoricals, a
    tenth of that this way."""
    def text(column: str) -> list[str]:
        return [v if isinstance(v, str) else "" for v in events[column].tolist()]

    dates = zip(*(text(c) for c in ("event_date", "time_precision", "date_end", "date_note")))
    worded: dict = {}
    out = events[["location", "lat", "lon", "span_start"]].reset_index(drop=True)
    out["line"] = [
        f"{worded[d] if d in worded else worded.setdefault(d, date_text(*d))} · {kind} · "
        f"{actors_text(names, a1, a2)} · {status} · {grade}"
        for d, kind, a1, a2, status, grade in zip(
            dates, text("event_type"), text("actor1"), text("actor2"), text("claim_status"),
            text("grade"))]
    return out[LISTED_COLUMNS]


def places_from_counts(counts: pd.DataFrame, listed: pd.DataFrame, place_names: dict,
                       colour_by: str = "event category", max_listed: int = 5) -> pd.DataFrame:
    """The map's rows from events counted per place, colour key and precision: a place's colour
    and precision are its most frequent ones; past MAX_PLACES_DRAWN places, nearby places are
    merged into grid cells, named by (and filtering to) their busiest place."""
    columns = ["location", "name", "lat", "lon", "events", "places", "key", "colour",
               "precision", "filled", "radius", "tooltip"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    place, first_row = _place_numbers(counts)
    weight = counts["events"].to_numpy(dtype=np.int64)
    per_place = np.bincount(place, weights=weight).astype(np.int64)
    lat = counts["lat"].to_numpy(dtype=float)[first_row]
    lon = counts["lon"].to_numpy(dtype=float)[first_row]
    size = grid_size(lat, lon)  # each place its own cell, unless there are too many to draw
    cell = np.arange(len(first_row)) if size is None else grid_cells(lat, lon, size)
    n_cells = int(cell.max()) + 1
    events = np.bincount(cell, weights=per_place, minlength=n_cells).astype(np.int64)
    by_events = np.argsort(-per_place, kind="stable")
    busiest = by_events[_first_positions(cell[by_events])]  # per cell, its busiest place
    location = counts["location"].to_numpy(dtype=object)[first_row][busiest]
    # names only for the places a cell is named by (at ten million events, 19,000 places
    # looked up to keep 800 cost 11 ms)
    names = np.array([place_names.get(p, "") for p in location.tolist()], dtype=object)
    location = location.astype(str)
    places = np.bincount(cell, minlength=n_cells)
    merged = places > 1
    names = np.where(names != "", names, location).astype(object)
    names[merged] = [f"{n} places" for n in places[merged].tolist()]
    row_cell = cell[place]
    key = _most_common(row_cell, counts["key"], weight, n_cells)
    precision = _most_common(row_cell, counts["precision"], weight, n_cells)
    lines = _listed_per_cell(listed, counts.iloc[first_row], cell, max_listed, size)
    colours = {k: palette.rgb(palette.colour(colour_by, k), 220) for k in set(key.tolist())}
    summary = pd.DataFrame({
        "location": location,
        "name": names,
        "lat": np.bincount(cell, weights=lat * per_place, minlength=n_cells) / events,
        "lon": np.bincount(cell, weights=lon * per_place, minlength=n_cells) / events,
        "events": events,
        "places": places,
        "key": key,
        "colour": [list(colours[k]) for k in key.tolist()],
        "precision": precision,
        "filled": np.isin(precision, ["exact", "near"]) & ~merged,
        "radius": place_radius(pd.Series(events)),
        "tooltip": [f"{name}: {counted(n, 'event')}\n{listed_lines}" + (
            f"\n… and {n - max_listed:,} more" if n > max_listed else "")
            for name, n, listed_lines in zip(names.tolist(), events.tolist(), lines)],
    }, columns=columns)
    return summary.take(np.argsort(-events, kind="stable")).reset_index(drop=True)


def _place_numbers(counts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's place number, places numbered in (location, lat, lon) order, and each
    place's first row in that order (the rows themselves stay where they are: reordering the
    frame cost more than the rest of the numbering)."""
    location = pd.factorize(counts["location"], sort=True, use_na_sentinel=False)[0]
    lat, lon = counts["lat"].to_numpy(dtype=float), counts["lon"].to_numpy(dtype=float)
    order = np.lexsort((lon, lat, location))
    location, lat, lon = location[order], lat[order], lon[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (location[1:] != location[:-1]) | (lat[1:] != lat[:-1]) | (lon[1:] != lon[:-1])
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.cumsum(starts) - 1
    return place, order[np.flatnonzero(starts)]


def _listed_per_cell(listed: pd.DataFrame, places: pd.DataFrame, cell: np.ndarray, n: int,
                     size: float | None = None) -> list[str]:
    """The n earliest tooltip lines of each cell, joined, in cell order (places: one row per
    place, in the order of `cell`; `size`: the grid's, None when each place is its own cell)."""
    joined: list[list[str]] = [[] for _ in range(int(cell.max()) + 1 if len(cell) else 0)]
    if listed.empty:
        return ["" for _ in joined]
    line_cell = (_cells_of_places(listed, places, cell) if size is None
                 else _cells_of_positions(listed, places, cell, size))
    known = line_cell >= 0
    line_cell = line_cell[known]
    shown = listed[known]
    order = earliest_per_group(line_cell, shown["span_start"].reset_index(drop=True), n)
    for at, line in zip(line_cell[order].tolist(), shown["line"].to_numpy()[order]):
        joined[at].append(line)
    return ["\n".join(lines) for lines in joined]


def _cells_of_places(listed: pd.DataFrame, places: pd.DataFrame, cell: np.ndarray) -> np.ndarray:
    """Each listed row's cell when every place is its own (at most MAX_PLACES_DRAWN of them):
    the cell of the place with the row's location and position, -1 for none."""
    place_at = {spot: at for at, spot in enumerate(zip(
        places["location"].tolist(), places["lat"].tolist(), places["lon"].tolist()))}
    position = np.fromiter((place_at.get(spot, -1) for spot in zip(
        listed["location"].tolist(), listed["lat"].tolist(), listed["lon"].tolist())),
        dtype=np.int64, count=len(listed))
    return np.where(position >= 0, cell[position], -1)


def _cells_of_positions(listed: pd.DataFrame, places: pd.DataFrame, cell: np.ndarray,
                        size: float) -> np.ndarray:
    """Each listed row's grid cell, from its position alone (a cell is a square of the grid),
    -1 for a square no place fills. Thousands of places: looked up as numbers, not as
    (location, lat, lon) tuples, which cost more than the rest of the map's rows."""
    place_keys = grid_keys(places["lat"].to_numpy(float), places["lon"].to_numpy(float), size)
    keys, first = np.unique(place_keys, return_index=True)
    if not len(keys):
        return np.full(len(listed), -1, dtype=np.int64)
    wanted = grid_keys(listed["lat"].to_numpy(float), listed["lon"].to_numpy(float), size)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, cell[first[at]], -1)


def _first_positions(codes: np.ndarray) -> np.ndarray:
    """For each code 0..n-1, the position of its first occurrence."""
    first = np.empty(int(codes.max()) + 1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # later writes (earlier rows) win
    return first


def _most_common(group: np.ndarray, values: pd.Series, weight: np.ndarray,
                 n_groups: int) -> np.ndarray:
    """The value with the largest weight in each group (ties: the first in sorted order)."""
    codes, distinct = pd.factorize(values, sort=True, use_na_sentinel=False)
    labels = pd.Series(np.asarray(distinct, dtype=object), dtype=object).fillna("").to_numpy()
    totals = np.bincount(group * len(labels) + codes, weights=weight,
                         minlength=n_groups * len(labels))
    return labels[totals.reshape(n_groups, len(labels)).argmax(1)]


GRID_SIZES = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)  # degrees


def grid_size(lat: np.ndarray, lon: np.ndarray) -> float | None:
    """The finest grid (in degrees) that merges the places (one per lat/lon pair) into at most
    MAX_PLACES_DRAWN cells; None when they are few enough to draw one by one."""
    if len(lat) <= MAX_PLACES_DRAWN:
        return None
    for size in GRID_SIZES:
        if grid_cells(lat, lon, size).max(initial=-1) < MAX_PLACES_DRAWN:
            return size
    return GRID_SIZES[-1]


def grid_cells(lat: np.ndarray, lon: np.ndarray, size: float) -> np.ndarray:
    """Cell codes of square cells `size` degrees wide (rounding half to even, as DuckDB's
    round_even does, so the event store merges places into the same cells)."""
    return pd.factorize(grid_keys(lat, lon, size))[0]


def grid_keys(lat: np.ndarray, lon: np.ndarray, size: float) -> np.ndarray:
    """One integer per grid square `size` degrees wide."""
    return (np.round(lat / size).astype(np.int64) + 10_000) * 100_000 + (
        np.round(lon / size).astype(np.int64) + 10_000)


def grid_cell_sql(size: float) -> str:
    """grid_cells's cells in SQL, as two grouping expressions (engines.to_spark writes
    round_even as Spark's bround)."""
    return f"round_even(lat / {float(size)!r}, 0), round_even(lon / {float(size)!r}, 0)"


MAX_RADIUS_PX = 40


def place_radius(events: pd.Series) -> pd.Series:
    """Circle radius in pixels: the area grows with the number of events, and the busiest
    place is at most MAX_RADIUS_PX across (a cell of 100,000 events would otherwise cover the
    whole map, and take the browser seconds to paint)."""
    growth = 5 * events.pow(0.5)
    top = growth.max() if len(growth) else 0
    if 9 + top > MAX_RADIUS_PX:
        growth = growth * (MAX_RADIUS_PX - 9) / top
    return 9 + growth


def earliest_per_group(group: np.ndarray, start: pd.Series, n: int) -> np.ndarray:
    """Positions of the n earliest rows of each group (undated last), in date order.

    One argsort of the dates and a running count per group: cheaper at a million rows than
    sorting the frame itself."""
    when = start.to_numpy(dtype="datetime64[ns]").view("i8").copy()
    when[start.isna().to_numpy()] = np.iinfo("i8").max
    order = np.argsort(when, kind="stable")
    ordered_groups = group[order]
    rank = pd.Series(ordered_groups).groupby(ordered_groups).cumcount().to_numpy()
    return order[rank < n]


ARC_COLUMNS = ["origin", "destination", "from_lat", "from_lon", "to_lat", "to_lon", "events",
               "types", "tooltip"]


def arcs_from_routes(routes: pd.DataFrame) -> pd.DataFrame:
    """The map's arcs from movements counted per route (origin, destination)."""
    if routes.empty:
        return pd.DataFrame(columns=ARC_COLUMNS)
    routes = routes.copy()
    routes["tooltip"] = [f"{counted(n, 'movement')} into {d}: {t}"
                         for n, d, t in zip(routes["events"], routes["destination"], routes["types"])]
    return routes[ARC_COLUMNS].reset_index(drop=True)


VIEW_EDGE_PX = 14  # free pixels between the outermost circle or label and the canvas's edge
VIEW_BREATHING_ZOOM = 0.15  # and a little more geography around what is framed
FAR_ZOOMS = 1.5  # a country-level place further out than this many zoom levels is not framed
# place labels as the map draws them (13 px text above the circle); the period labels below
# have constants of their own (one name for both once let the timeline's 6.5 px a character
# frame the map, cutting long place names at the canvas's edge)
PLACE_LABEL_CHAR_PX, PLACE_LABEL_HEIGHT_PX, PLACE_LABEL_GAP_PX = geography.LABEL_CHAR_PX, 16, 4
DEFAULT_VIEW = {"latitude": 33.3, "longitude": 44.4, "zoom": 4.5}


MAX_REFERENCE_CITIES = 40  # grey dots for orientation: a few, never thousands
REFERENCE_TRIED = 5  # times the limit: the candidates tried, nearest first


def reference_cities(locations: pd.DataFrame, places: pd.DataFrame, view: dict,
                     width_px: int, height_px: int, limit: int = MAX_REFERENCE_CITIES
                     ) -> pd.DataFrame:
    """The cities of the data (name, lat, lon) to draw small and grey on a map for orientation:
    those on the canvas at this view, not at (within about 5 km of) a place already drawn,
    at most `limit`, the nearest to the view's centre first, each with its name clear of the
    places' circles and labels (when `places` has their radius) and of the cities kept before
    it (a map framed wide put a dozen grey names on top of each other)."""
    cities = locations[locations["kind"] == "city"]
    cities = pd.DataFrame({"name": cities["name"].astype(object),
                           "lat": cities["latitude"].to_numpy(dtype=float),
                           "lon": cities["longitude"].to_numpy(dtype=float)}).dropna()
    if cities.empty:
        return cities
    degrees_per_px = 360 / (TILE_PX * 2 ** float(view["zoom"]))
    half_lon = width_px / 2 * degrees_per_px
    half_lat = height_px / 2 * degrees_per_px * np.cos(np.radians(float(view["latitude"])))
    d_lat = cities["lat"].to_numpy() - float(view["latitude"])
    d_lon = cities["lon"].to_numpy() - float(view["longitude"])
    on_canvas = (np.abs(d_lat) <= half_lat) & (np.abs(d_lon) <= half_lon)
    cities, d_lat, d_lon = cities[on_canvas], d_lat[on_canvas], d_lon[on_canvas]
    if not places.empty and len(cities):
        near = ((np.abs(cities["lat"].to_numpy()[:, None] - places["lat"].to_numpy()[None, :])
                 < 0.05)
                & (np.abs(cities["lon"].to_numpy()[:, None] - places["lon"].to_numpy()[None, :])
                   < 0.05)).any(axis=1)
        cities, d_lat, d_lon = cities[~near], d_lat[~near], d_lon[~near]
    # the nearest few times `limit` are tried: thousands of cities on a wide map would cost
    # 90 ms of collision checks (14,000 at ten million events) for the same handful kept
    nearest = np.argsort(d_lat ** 2 + d_lon ** 2, kind="stable")[:REFERENCE_TRIED * limit]
    taken = geography.place_boxes(view, places) if "radius" in places else []
    kept = []
    for at, name, lat, lon in zip(nearest.tolist(), cities["name"].to_numpy()[nearest],
                                  cities["lat"].to_numpy()[nearest],
                                  cities["lon"].to_numpy()[nearest]):
        if len(kept) == limit:
            break
        box = geography.reference_box(view, lon, lat, str(name))
        if any(geography.overlaps(box, other) for other in taken):
            continue
        kept.append(at)
        taken.append(box)
    return cities.iloc[np.sort(np.asarray(kept, dtype=np.int64))].reset_index(drop=True)


def map_view_bounds(places: pd.DataFrame, width_px: int = 760, height_px: int = 520,
                    arcs: pd.DataFrame | None = None) -> dict:
    """Centre and zoom (Web Mercator) at which every place drawn fits on the canvas with its
    circle and its label (above it, as wide as label_places reckons), with a margin, and so does
    every arc's origin: no label is cut at the canvas's edge.

    Country-level placements (drawn at a country's centre) are framed too, unless framing them
    would zoom out more than FAR_ZOOMS levels from the finer places: a far country (the United
    States in a record about Iraq) is then left off the first view rather than shrinking the rest.
    """
    if places.empty:
        return dict(DEFAULT_VIEW)
    view = _fit_labelled(places, arcs, width_px, height_px)
    fine = (places["precision"] != "country").to_numpy()
    if fine.any() and not fine.all():
        kept = set(places.loc[fine, "location"])
        fine_arcs = arcs[arcs["origin"].isin(kept)] if arcs is not None and not arcs.empty \
            else arcs
        close = _fit_labelled(places[fine], fine_arcs, width_px, height_px)
        if view["zoom"] < close["zoom"] - FAR_ZOOMS:
            view = close
    return view


def _fit_labelled(places: pd.DataFrame, arcs: pd.DataFrame | None, width_px: float,
                  height_px: float) -> dict:
    """Fit the labels that will be drawn: those label_places keeps at the view found. Fitting
    every name would let a label hidden for overlapping (a long facility name among the
    Baghdad places) zoom the map out; so fit, see which labels show, fit those, until the
    labels shown are among the labels fitted."""
    if "name" not in places or "radius" not in places:
        return _fit_view(places, arcs, width_px, height_px, None)
    names = places["name"].fillna("").astype(str)
    fitted = pd.Series(True, index=places.index)
    view = _fit_view(places, arcs, width_px, height_px, names.where(fitted, ""))
    for _attempt in range(4):
        shown = label_places(places, view) != ""
        if (shown <= fitted).all() and fitted.sum() == shown.sum():
            return view
        fitted = shown if _attempt == 0 else (fitted | shown)
        view = _fit_view(places, arcs, width_px, height_px, names.where(fitted, ""))
    shown = label_places(places, view) != ""
    if (shown <= fitted).all():
        return view
    return _fit_view(places, arcs, width_px, height_px, names)


def _fit_view(places: pd.DataFrame, arcs: pd.DataFrame | None, width_px: float,
              height_px: float, names: pd.Series | None) -> dict:
    """The view fitting the places' circles, the given labels ("" for none) and the arcs'
    origins."""
    lon = places["lon"].to_numpy(dtype=float)
    lat = places["lat"].to_numpy(dtype=float)
    radius = (places["radius"].to_numpy(dtype=float) if "radius" in places
              else np.full(len(places), 9.0))
    if names is None:
        names = pd.Series("", index=places.index)
    half = np.minimum(names.str.len().to_numpy() * PLACE_LABEL_CHAR_PX / 2, 0.45 * width_px)
    side = np.maximum(radius, half)  # pixels left and right of the place
    up = radius + PLACE_LABEL_GAP_PX + PLACE_LABEL_HEIGHT_PX  # the label sits above the circle
    down = radius
    if arcs is not None and not arcs.empty:
        n = len(arcs)
        lon = np.concatenate([lon, arcs["from_lon"].to_numpy(dtype=float)])
        lat = np.concatenate([lat, arcs["from_lat"].to_numpy(dtype=float)])
        side, up, down = (np.concatenate([a, np.zeros(n)]) for a in (side, up, down))
    x = lon / 360  # in worlds: times TILE_PX * 2 ** zoom gives pixels
    y = -np.array([_mercator_y(max(min(v, 84.0), -84.0)) for v in lat]) / (2 * math.pi)
    room_x, room_y = width_px - 2 * VIEW_EDGE_PX, height_px - 2 * VIEW_EDGE_PX

    def extent(zoom: float):
        world = TILE_PX * 2 ** zoom
        return ((x * world - side).min(), (x * world + side).max(),
                (y * world - up).min(), (y * world + down).max())

    def fits(zoom: float) -> bool:
        left, right, top, bottom = extent(zoom)
        return right - left <= room_x and bottom - top <= room_y

    # a single place (or places a few hundred metres apart) still shows its surroundings, and
    # no closer than the shipped outlines are drawn for (geography's finest level): nearer,
    # the outline picture would be enlarged past its pixels
    y_span = _mercator_y(0.25) - _mercator_y(0.0)
    top_zoom = min(MAX_FIT_ZOOM, math.log2(width_px * 360 / (0.5 * TILE_PX)) - 0.6,
                   math.log2(height_px * 2 * math.pi / (y_span * TILE_PX)) - 0.6)
    low, high = 1.0, max(top_zoom, 1.0)
    if fits(high):
        low = high
    elif fits(low):
        for _ in range(40):
            middle = (low + high) / 2
            low, high = (middle, high) if fits(middle) else (low, middle)
    zoom = max(1.0, round(low - (0 if low == top_zoom else VIEW_BREATHING_ZOOM), 2))
    world = TILE_PX * 2 ** zoom
    left, right, top, bottom = extent(zoom)
    return {"latitude": round(_mercator_lat(-(top + bottom) / 2 / world * 2 * math.pi), 4),
            "longitude": round((left + right) / 2 / world * 360, 4), "zoom": zoom}


TILE_PX = 512  # deck.gl's world is 512 pixels wide at zoom 0
MAX_FIT_ZOOM = 8.5  # geography.LEVELS' finest


def label_places(places: pd.DataFrame, view: dict, char_px: float = PLACE_LABEL_CHAR_PX,
                 height_px: float = PLACE_LABEL_HEIGHT_PX) -> pd.Series:
    """Map labels that do not overlap at the initial view: busiest places first; a label that
    would collide with one already placed is left out (the tooltip still names the place)."""
    scale = TILE_PX * 2 ** view["zoom"]
    cx = scale * (view["longitude"] + 180) / 360
    cy = scale * (math.pi - _mercator_y(view["latitude"])) / (2 * math.pi)
    # placed labels by band of height_px: only a label within one band's height can overlap,
    # so each is checked against its neighbours, not every label placed (800 places took
    # 8 ms checked against all, and the view's fitting labels them three times)
    bands: dict[int, list[tuple[float, float, float, float]]] = {}
    labels = [""] * len(places)
    busiest = np.argsort(-places["events"].to_numpy(dtype=float), kind="stable")
    for at, lat, lon, radius, name in zip(busiest.tolist(), *(
            places[column].to_numpy()[busiest].tolist() for column in ("lat", "lon", "radius",
                                                                       "name"))):
        x = scale * (lon + 180) / 360 - cx
        y = scale * (math.pi - _mercator_y(lat)) / (2 * math.pi) - cy - radius - 4
        if not (math.isfinite(x) and math.isfinite(y)):
            continue  # no position, no label
        half = char_px * len(name) / 2
        box = (x - half, y - height_px, x + half, y)
        band = math.floor(y / height_px)
        # two bands either side: a division's rounding never hides an overlapping neighbour
        if not any(not (box[2] <= b[0] or b[2] <= box[0] or box[3] <= b[1] or b[3] <= box[1])
                   for near in range(band - 2, band + 3) for b in bands.get(near, ())):
            bands.setdefault(band, []).append(box)
            labels[at] = name
    return pd.Series(labels, index=places.index, dtype=object)


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _mercator_lat(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


# --------------------------------------------------------------------------------------------
# Timeline


LANE_BY = {"event category": "category", "actor": "actor1_name", "event type": "event_type"}


def timeline_marks(events: pd.DataFrame, lane_by: str = "event category") -> pd.DataFrame:
    """One mark per dated event. Day-precision events are points; month, year and period events
    are spans from the first to the last day the source allows."""
    dated = events.dropna(subset=["span_start"]).copy()
    if dated.empty:
        return pd.DataFrame(columns=["event_id", "lane", "start", "end", "is_span", "category",
                                     "claim_status", "grade", "label", "date_text",
                                     "event_type", "actors_text", "place_name",
                                     "precision_text", "sources_text", "slot"])
    dated["lane"] = dated[LANE_BY[lane_by]]
    dated["start"] = dated["span_start"]
    # drawn to the end of the last day covered
    dated["end"] = dated["span_end"] + pd.Timedelta(days=1)
    dated["is_span"] = (dated["time_precision"] != "day") | (dated["date_end"] != "")
    dated["label"] = dated["description"].map(lambda text: short_text(text, 140))
    dated["precision_text"] = dated["time_precision"].map(PRECISION_WORDS).fillna("")
    dated = dated.sort_values(["start", "event_id"], kind="stable")
    # two events known to the same day in one lane are two dots, each with its tooltip (bars of
    # the same month or year overlap, translucent: darker where there are more)
    dated["slot"] = same_spot_slots(dated, ["lane", "start", "is_span"]).where(
        ~dated["is_span"], 1)
    keep = ["event_id", "lane", "start", "end", "is_span", "category", "claim_status", "grade",
            "label", "date_text", "event_type", "actors_text", "place_name", "precision_text",
            "sources_text", "slot"]
    return dated[keep].reset_index(drop=True)


SAME_SPOT_SLOTS = 3  # a lane holds its dots in three rows: above, on and below its middle


def same_spot_slots(marks: pd.DataFrame, keys: list[str]) -> pd.Series:
    """The row of its lane (0 above, 1 on, 2 below the middle) each mark is drawn in, so that
    marks on the same spot (two events on the same day in one lane) are drawn apart, each with
    its own tooltip: one mark sits in the middle, two above and below, more spread over the
    three rows."""
    groups = marks.groupby(keys, sort=False, dropna=False)
    rank = groups.cumcount()
    count = groups[keys[0]].transform("size")
    spread = (rank * (SAME_SPOT_SLOTS - 1) / (count - 1).clip(lower=1)).round().astype(int)
    return spread.where(count > 1, SAME_SPOT_SLOTS // 2)


MAX_TIMELINE_MARKS = 600  # beyond this, the timeline shows counts per period instead


BIN_COLUMNS = ["lane", "category", "start", "end", "events"]


def bin_unit(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """Weeks within a year, months within eight years, years beyond."""
    span_days = (last - first).days
    return "week" if span_days <= 366 else "month" if span_days <= 8 * 366 else "year"


def bins_with_ends(counts: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Counts per lane, category and period start, with each period's end (the next start)."""
    counts = counts.copy()
    counts["start"] = pd.to_datetime(counts["start"]).astype("datetime64[ns]")
    step = {"week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1),
            "year": pd.DateOffset(years=1)}[unit]
    counts["end"] = counts["start"] + step
    return counts[BIN_COLUMNS].reset_index(drop=True)


# at 11 px: Source Sans averages 4.6 px a character in these labels; 5.5 leaves room for wide ones
PERIOD_LABEL_CHAR_PX, PERIOD_LABEL_ROW_PX, PERIOD_LABEL_GAP_PX = 5.5, 13, 8


PERIOD_LABEL_MIN_CHARS = 8  # a label cut shorter than this is left out (the band keeps its name)


def periods_in_range(periods: pd.DataFrame, start, end, width_px: int = 800) -> pd.DataFrame:
    """The period bands inside the window, each label starting at its band, on the first row
    where it overlaps no label already placed (its width estimated for a plot `width_px` wide:
    a narrow guess puts labels on more rows rather than on top of each other). A label that
    would run past the window's end is cut to fit, with an ellipsis, or left out when fewer
    than PERIOD_LABEL_MIN_CHARS characters fit: moved left to fit, a label stood over another
    period ("Networks built" right of "Special Groups reorganised"). `name`: the whole label,
    for the band's tooltip."""
    if periods.empty or start is None:
        return pd.DataFrame(columns=["label", "name", "start", "end", "label_at", "label_row"])
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    shown = periods[(periods["period_start"] <= end) & (periods["period_end"] >= start)]
    bands = pd.DataFrame({
        "label": shown["label"].astype(str),
        "name": shown["label"].astype(str),
        "start": shown["period_start"].clip(lower=start),
        "end": (shown["period_end"] + pd.Timedelta(days=1)).clip(upper=end),
    }).sort_values("start").reset_index(drop=True)
    per_px = max((end - start) / max(width_px, 1), pd.Timedelta(microseconds=1))
    row_ends: list[pd.Timestamp] = []
    labels, label_at, rows = [], [], []
    for band in bands.itertuples():
        label = _label_that_fits(band.label, (end - band.start) / per_px)
        width = per_px * (len(label) * PERIOD_LABEL_CHAR_PX + PERIOD_LABEL_GAP_PX)
        row = 0  # a band whose label is left out takes no row
        if label:
            row = next((i for i, taken in enumerate(row_ends) if taken <= band.start),
                       len(row_ends))
            if row == len(row_ends):
                row_ends.append(band.start)
            row_ends[row] = band.start + width
        # pixels above the plot, where the labels cannot cover a lane's marks
        labels.append(label), label_at.append(band.start)
        rows.append(-(3 + PERIOD_LABEL_ROW_PX * row))
    bands["label"], bands["label_at"], bands["label_row"] = labels, label_at, rows
    return bands


def _label_that_fits(label: str, room_px: float) -> str:
    """The label, or as much of it as `room_px` holds with an ellipsis, or "" when that is
    fewer than PERIOD_LABEL_MIN_CHARS characters."""
    fits = int((room_px - PERIOD_LABEL_GAP_PX) / PERIOD_LABEL_CHAR_PX)
    if len(label) <= fits:
        return label
    kept = label[:max(fits - 1, 0)].rstrip(" ,;:-")
    return kept + "…" if len(kept) >= PERIOD_LABEL_MIN_CHARS else ""


DENSE_SHARE = 0.8  # the default window holds at least this share of the dated events


def dense_window(counts: pd.Series, share: float = DENSE_SHARE, min_years: int = 2
                 ) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The shortest run of whole years holding `share` of the dated events (the latest such run
    when several tie), as (first day, the day after the last): where a timeline should open.
    None without dated events."""
    if counts.empty or counts.sum() == 0:
        return None
    years = range(int(counts.index.min()), int(counts.index.max()) + 1)
    full = counts.reindex(years, fill_value=0).to_numpy()
    need = share * full.sum()
    best = (0, len(full) - 1)
    left, total = 0, 0
    for right, value in enumerate(full):
        total += value
        while left < right and total - full[left] >= need:
            total -= full[left]
            left += 1
        if total >= need and right - left <= best[1] - best[0]:
            best = (left, right)
    first, last = years[best[0]], years[best[1]]
    if last - first + 1 < min_years:
        last = min(first + min_years - 1, years[-1])
        first = max(years[0], last - min_years + 1)
    return pd.Timestamp(year=first, month=1, day=1), pd.Timestamp(year=last + 1, month=1, day=1)


# --------------------------------------------------------------------------------------------
# The list of matching events


# what happened second: read on a projector, the table's first screen says what each event was
EVENT_LIST_COLUMNS = ["when", "what happened", "type", "place", "actors", "claim status", "grade",
                      "event page"]


def event_list(events: pd.DataFrame, full_text: bool = False, ordered: bool = False
               ) -> pd.DataFrame:
    """The matching events as a table to read (labelled events in, see with_event_labels): the
    date as the source gives it, with its note; type, place, actors by name, claim status,
    grade, the start of the description (all of it with `full_text`) and the event page's
    address. In date order, undated last (`ordered`: the rows already are)."""
    if events.empty:
        return pd.DataFrame(columns=EVENT_LIST_COLUMNS)
    if not ordered:
        events = events.sort_values(["span_start", "event_id"], na_position="last",
                                    kind="stable")
    ordered = events
    return pd.DataFrame({
        "when": ordered["date_text"].astype(object).map(presentable),
        "what happened": ordered["description"].astype(object).map(
            presentable if full_text else lambda text: short_text(presentable(text))),
        "type": ordered["event_type"].astype(object),
        "place": ordered["place_name"].astype(object).where(ordered["place_name"].astype(object)
                                                            .fillna("") != "", "no place given"),
        "actors": ordered["actors_text"].astype(object),
        "claim status": ordered["claim_status"].astype(object),
        "grade": ordered["grade"].astype(object) if "grade" in ordered else "",
        "event page": "event?event=" + ordered["event_id"].astype(str),
    }).reset_index(drop=True)


RECORD_ID = r"\b(?:ev|r|c)-\d{3,}\b"
_ONLY_IDS = re.compile(rf"\s*\((?:(?:see|as|like)\s+)?{RECORD_ID}(?:\s*(?:,|and|to)\s*{RECORD_ID})*\)")
_LISTED_ID = re.compile(rf",\s*(?:see\s+)?{RECORD_ID}(?:\s*(?:,|and|to)\s*{RECORD_ID})*"
                        r"(?=\s*[,;).]|$)")
_ANY_ID = re.compile(RECORD_ID)


def presentable(text) -> str:
    """Text for an audience: the records' cross-references by id ("(see ev-025)", "r-067,
    ev-038") taken out, which mean nothing on a slide."""
    if not isinstance(text, str):
        return ""
    text = _ONLY_IDS.sub("", text)
    text = re.sub(rf"\(\s*{RECORD_ID}\s*,\s*", "(", text)
    text = _LISTED_ID.sub("", text)
    text = _ANY_ID.sub("a separate record", text)
    text = re.sub(r"\(\s*,\s*", "(", text)
    text = re.sub(r"\(\s*\)", "", text)
    return re.sub(r"\s+([,.;:)])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


def short_text(text, limit: int = 160) -> str:
    """Text cut at a word boundary, with an ellipsis, never mid-word."""
    text = "" if not isinstance(text, str) else " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"
