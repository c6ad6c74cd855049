"""Per-view frames: the filtered events shaped for the map and the timeline. No Streamlit import.

Every frame here is bounded by the number of places or lanes, not by the number of events,
where the view allows it (the map aggregates by place; the monthly chart by month and category).
"""

from __future__ import annotations

import pandas as pd

from components import palette

COLOUR_BY = {
    "event category": "category",
    "claim status": "claim_status",
}

PRECISION_WORDS = {
    "day": "date known to the day",
    "month": "date known to the month",
    "year": "date known to the year",
}


def with_event_labels(events: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """Add the columns charts and tooltips read: category, actor names, a readable date."""
    names = dict(zip(actors["actor_id"], actors["name"]))
    frame = events.copy()
    frame["category"] = frame["event_type"].map(palette.event_category)
    frame["actor1_name"] = frame["actor1"].map(lambda a: names.get(a, a))
    frame["actor2_name"] = frame["actor2"].map(lambda a: names.get(a, a) if a else "")
    frame["actors_text"] = [
        ", ".join(x for x in (a1, a2) if x) for a1, a2 in zip(frame["actor1_name"], frame["actor2_name"])
    ]
    frame["date_text"] = [date_text(d, p, e) for d, p, e in
                          zip(frame["event_date"], frame["time_precision"], frame["date_end"])]
    return frame


def date_text(event_date: str, precision: str, date_end: str = "") -> str:
    """'20 Jan 2007', 'May 2006 (month only)', '2005 (year only)', with ranges for periods."""
    def one(value: str) -> str:
        parts = value.split("-")
        stamp = pd.Timestamp(value if len(parts) == 3 else value + ("-01" if len(parts) == 2 else "-01-01"))
        if len(parts) == 3:
            return f"{stamp.day} {stamp:%b %Y}"
        if len(parts) == 2:
            return f"{stamp:%b %Y}"
        return f"{stamp:%Y}"

    if not event_date:
        return "undated"
    try:
        text = one(event_date)
        if date_end:
            text += f" to {one(date_end)}"
    except ValueError:
        return event_date
    if precision in ("month", "year"):
        text += f" ({precision} only)"
    return text


# --------------------------------------------------------------------------------------------
# Map


def map_places(events: pd.DataFrame, colour_by: str = "event category",
               max_listed: int = 8) -> pd.DataFrame:
    """One row per place: count, dominant colour key, a plain-text tooltip list of its events."""
    placed = events.dropna(subset=["lat", "lon"])
    columns = ["location", "name", "lat", "lon", "events", "key", "colour", "precision",
               "filled", "radius", "tooltip"]
    if placed.empty:
        return pd.DataFrame(columns=columns)
    key_column = COLOUR_BY[colour_by]
    rows = []
    for (location, lat, lon), group in placed.groupby(["location", "lat", "lon"], sort=False):
        group = group.sort_values("span_start")
        key = group[key_column].value_counts().index[0]
        precision = group["geo_precision"].value_counts().index[0] if len(group) else ""
        lines = [f"{d} · {t} · {a}" for d, t, a in
                 zip(group["date_text"], group["event_type"], group["actors_text"])]
        if len(lines) > max_listed:
            lines = lines[:max_listed] + [f"… and {len(lines) - max_listed} more"]
        name = group["place_name"].iloc[0] or location
        rows.append({
            "location": location,
            "name": name,
            "lat": float(lat),
            "lon": float(lon),
            "events": len(group),
            "key": key,
            "colour": palette.rgb(palette.colour(colour_by, key), 220),
            "precision": precision,
            "filled": precision in ("exact", "near"),
            "tooltip": f"{name}: {len(group)} event(s)\n" + "\n".join(lines),
        })
    frame = pd.DataFrame(rows, columns=[c for c in columns if c != "radius"])
    frame["radius"] = 9 + 5 * frame["events"].pow(0.5)  # pixels; area grows with the count
    return frame.sort_values("events", ascending=False).reset_index(drop=True)


def map_arcs(events: pd.DataFrame) -> pd.DataFrame:
    """Cross-border movements the data states: events with an origin_location, by route."""
    moving = events[(events["origin_location"] != "") & events["origin_lat"].notna()
                    & events["lat"].notna()]
    columns = ["origin", "destination", "from_lat", "from_lon", "to_lat", "to_lon", "events",
               "types", "tooltip"]
    if moving.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for (origin, dest), group in moving.groupby(["origin_location", "location"], sort=False):
        types = ", ".join(sorted(set(group["event_type"])))
        first = group.iloc[0]
        rows.append({
            "origin": origin,
            "destination": first["place_name"] or dest,
            "from_lat": float(first["origin_lat"]), "from_lon": float(first["origin_lon"]),
            "to_lat": float(first["lat"]), "to_lon": float(first["lon"]),
            "events": len(group),
            "types": types,
            "tooltip": f"{len(group)} movement(s) into {first['place_name'] or dest}: {types}",
        })
    return pd.DataFrame(rows, columns=columns)


def map_view_bounds(places: pd.DataFrame) -> dict:
    """Centre and zoom that frame every place drawn."""
    if places.empty:
        return {"latitude": 33.3, "longitude": 44.4, "zoom": 4.5}
    lat_span = places["lat"].max() - places["lat"].min()
    lon_span = places["lon"].max() - places["lon"].min()
    span = max(lat_span, lon_span, 0.5)
    zoom = max(2.0, min(9.0, 8.3 - 1.5 * (span ** 0.5)))
    return {"latitude": float(places["lat"].mean()), "longitude": float(places["lon"].mean()),
            "zoom": round(zoom, 2)}


# --------------------------------------------------------------------------------------------
# Timeline


LANE_BY = {"event category": "category", "actor": "actor1_name", "event type": "event_type"}


def timeline_marks(events: pd.DataFrame, lane_by: str = "event category") -> pd.DataFrame:
    """One mark per dated event. Day-precision events are points; month, year and period events
    are spans from the first to the last day the source allows."""
    dated = events.dropna(subset=["span_start"]).copy()
    if dated.empty:
        return pd.DataFrame(columns=["event_id", "lane", "start", "end", "is_span", "category",
                                     "claim_status", "label", "date_text", "event_type",
                                     "actors_text", "place_name", "precision_text"])
    dated["lane"] = dated[LANE_BY[lane_by]]
    dated["start"] = dated["span_start"]
    # drawn to the end of the last day covered
    dated["end"] = dated["span_end"] + pd.Timedelta(days=1)
    dated["is_span"] = (dated["time_precision"] != "day") | (dated["date_end"] != "")
    dated["label"] = dated["description"].str.slice(0, 140)
    dated["precision_text"] = dated["time_precision"].map(PRECISION_WORDS).fillna("")
    keep = ["event_id", "lane", "start", "end", "is_span", "category", "claim_status", "label",
            "date_text", "event_type", "actors_text", "place_name", "precision_text"]
    return dated[keep].sort_values("start").reset_index(drop=True)


def monthly_counts(events: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Events per month by category, for events known at least to the month.

    Returns the counts and how many events were left out because only their year is known.
    """
    known = events[events["time_precision"].isin(["day", "month"]) & events["span_start"].notna()]
    year_only = int(events["span_start"].notna().sum() - len(known))
    if known.empty:
        return pd.DataFrame(columns=["month", "category", "events"]), year_only
    months = known["span_start"].dt.to_period("M").dt.to_timestamp()
    counts = (known.assign(month=months)
              .groupby(["month", "category"], observed=True).size()
              .rename("events").reset_index())
    return counts, year_only


def periods_in_range(periods: pd.DataFrame, start, end) -> pd.DataFrame:
    if periods.empty or start is None:
        return pd.DataFrame(columns=["label", "start", "end"])
    shown = periods[(periods["period_start"] <= end) & (periods["period_end"] >= start)]
    return pd.DataFrame({
        "label": shown["label"],
        "start": shown["period_start"].clip(lower=start),
        "end": (shown["period_end"] + pd.Timedelta(days=1)).clip(upper=end),
    }).reset_index(drop=True)
