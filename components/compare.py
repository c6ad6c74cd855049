"""Compare two periods: what changed between window A and window B. No Streamlit import.

A window is a date range. On the Compare page (and in a briefing step whose view is
"compare") the two windows take the place of the sidebar's date range; every other filter,
and the date rule, applies to both. Each window is asked of the one query layer
(components.selection) like any other filter value, so its counts, places and relations are
the ones the other pages show for the same dates.

- `presets`: the windows offered by name: each period of periods.csv, each run of up to
  MAX_RUN consecutive periods (while there are at most RUNS_UP_TO periods), and the two halves
  of the data's dates. `default_keys` picks A and B among them.
- `changes_between` / `relation_changes`: every relation active in A or B, marked gained
  (active in B, not in A), lost (active in A, not in B) or kept (in both), decided by the
  relation's own dates against the windows: every other filter keeps or drops a relation alike
  in both windows. A relation's blank start or end is bounded by when the groups, states or
  forces it names existed (filters.relation_spans), so one the sources give no dates for is
  active in every window where they existed, mostly kept (under "certainly in the window" it
  is in neither). An event-only filter (event
  type, place) limits the relations shown to those between actors that the matching events of
  A or B name (`window_actors`).
- `place_changes`: events per place in A and in B (each place counted on its own, never as part
  of a grid cell), marked new, more, same, fewer or gone; `shared_cells` merges them into one
  grid for both windows when there are too many to draw.
- `headline_changes`: the headline counts of each window and the change.
- `change_drawing`: the relations' link chart (components.linkchart) with a `change` key on
  each line, and `place_change_frame` the map's rows, for components.ui.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from components import filterdefs, geography, linkchart, network, palette, selection
from components import filters as f
from components import views
from components.wording import counted

GAINED, LOST, KEPT, BOTH = "gained", "lost", "kept", "gained and lost"
RELATION_CHANGES = (GAINED, LOST, KEPT)
NEW, MORE, SAME, FEWER, GONE = "new", "more", "same", "fewer", "gone"
PLACE_CHANGES = (NEW, MORE, SAME, FEWER, GONE)
CUSTOM = "custom"  # the preset key of dates chosen by hand
RUN_SEPARATOR = ".."  # a run of periods: "<first period_id>..<last period_id>"
HALVES = ("first-half", "second-half")


@dataclass(frozen=True)
class Window:
    """A date window, both ends included, and what it is called."""

    start: date
    end: date
    label: str = ""

    @property
    def dates(self) -> str:
        return span_text(self.start, self.end)

    @property
    def title(self) -> str:
        """The dates, then the name ("2003-2005: Networks built"): a list cut short for width
        still shows the dates."""
        return f"{self.dates}: {self.label}" if self.label else self.dates

    def same_dates(self, other: "Window") -> bool:
        return (self.start, self.end) == (other.start, other.end)


def span_text(start: date, end: date) -> str:
    """Whole years as years ("2003-2005", "2006"), whole months as months ("2006-05 to
    2007-03"), anything else as days."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if start.is_year_start and end.is_year_end:
        return f"{start.year}" if start.year == end.year else f"{start.year}-{end.year}"
    if start.is_month_start and end.is_month_end:
        first, last = f"{start:%Y-%m}", f"{end:%Y-%m}"
        return first if first == last else f"{first} to {last}"
    first, last = f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}"
    return first if first == last else f"{first} to {last}"


def within(chosen: f.Filters, window: Window) -> f.Filters:
    """The filters with the window as their date range (the sidebar's own range replaced)."""
    return dataclasses.replace(chosen, date_from=window.start, date_to=window.end)


# --------------------------------------------------------------------------------------------
# The windows offered


MAX_RUN = 6  # the most periods a run offered by name spans
RUNS_UP_TO = 24  # past this many periods, each period is offered alone


def presets(periods: pd.DataFrame, date_min: date | None, date_max: date | None
            ) -> dict[str, Window]:
    """Windows by key: each period (by its period_id), each run of two to MAX_RUN consecutive
    periods ("<first>..<last>", named from the first to the last), then the first and second
    halves of the data's dates (date_min to date_max).

    Every run of any length would be n(n+1)/2 windows (20,100 for 200 periods), too many to
    offer in a list: runs are capped at MAX_RUN periods, and with more than RUNS_UP_TO periods
    only the periods alone are offered (at most 129 runs and periods in all). Any longer span
    is still a window: chosen as dates ("Custom dates")."""
    found: dict[str, Window] = {}
    ordered = _ordered(periods)
    longest = MAX_RUN if len(ordered) <= RUNS_UP_TO else 1
    for i, first in enumerate(ordered):
        for j in range(i, min(i + longest, len(ordered))):
            last = ordered[j]
            key = first["id"] if j == i else f"{first['id']}{RUN_SEPARATOR}{last['id']}"
            label = first["label"] if j == i else f"{first['label']} to {last['label']}"
            found[key] = Window(first["start"], max(p["end"] for p in ordered[i:j + 1]), label)
    if date_min and date_max and date_min < date_max:
        middle = date_min + (date_max - date_min) // 2
        found[HALVES[0]] = Window(date_min, middle, "First half of the record")
        found[HALVES[1]] = Window(middle + timedelta(days=1), date_max, "Second half of the record")
    return found


def _ordered(periods: pd.DataFrame) -> list[dict]:
    """The periods with both dates, in order of their start (then end), as plain dicts."""
    if periods is None or periods.empty:
        return []
    usable = periods.dropna(subset=["period_start", "period_end"])
    usable = usable[usable["period_start"] <= usable["period_end"]]
    usable = usable.sort_values(["period_start", "period_end"], kind="stable")
    return [{"id": str(row.period_id), "label": str(row.label).strip() or str(row.period_id),
             "start": row.period_start.date(), "end": row.period_end.date()}
            for row in usable.itertuples()]


def default_keys(periods: pd.DataFrame, offered: dict[str, Window], year_counts: pd.Series
                 ) -> tuple[str, str]:
    """The windows the page opens on. Among the periods that start in the years where the
    dated events are dense (views.dense_window, where the timeline opens): A is the first,
    B the run of those after it, or as much of it as is offered (presets caps runs at MAX_RUN
    periods; for the shipped record, "Networks built" 2003-2005 against 2006-2007). With
    fewer than two such periods: the two halves of the data's dates."""
    ordered = _ordered(periods)
    dense = views.dense_window(year_counts) if year_counts is not None else None
    if dense is not None:
        ordered = [p for p in ordered
                   if dense[0] <= pd.Timestamp(p["start"]) < dense[1]]
    if len(ordered) >= 2:
        a, rest = ordered[0], ordered[1:]
        runs = [rest[0]["id"]] + [f"{rest[0]['id']}{RUN_SEPARATOR}{last['id']}"
                                  for last in rest[1:]]
        b = next((key for key in reversed(runs) if key in offered), None)
        if a["id"] in offered and b is not None:
            return a["id"], b
    if all(h in offered for h in HALVES):
        return HALVES
    keys = list(offered)
    return (keys[0], keys[-1]) if keys else (CUSTOM, CUSTOM)


def key_of(offered: dict[str, Window], window: Window) -> str:
    """The preset with the window's dates (the first one), else CUSTOM."""
    return next((k for k, w in offered.items() if w.same_dates(window)), CUSTOM)


def parse_day(value, end: bool = False) -> date | None:
    """A date given as YYYY, YYYY-MM or YYYY-MM-DD (a briefing step's column); an end of a
    year or month is its last day. None when empty or unreadable."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return value if isinstance(value, date) else None
    try:
        stamp = pd.Timestamp(text + ("-01" * (2 - text.count("-"))))
    except (ValueError, TypeError):
        return None
    if end and text.count("-") == 0:
        stamp += pd.offsets.YearEnd(0)
    elif end and text.count("-") == 1:
        stamp += pd.offsets.MonthEnd(0)
    return stamp.date()


STEP_COLUMNS = ("compare_a_from", "compare_a_to", "compare_b_from", "compare_b_to")


def step_columns(a: Window, b: Window) -> dict[str, str]:
    """The compare_* columns a briefing step keeps for windows A and B (step_windows reads
    them back)."""
    return {"compare_a_from": a.start.isoformat(), "compare_a_to": a.end.isoformat(),
            "compare_b_from": b.start.isoformat(), "compare_b_to": b.end.isoformat()}


def step_windows(step: dict, defaults: tuple[Window, Window]) -> tuple[Window, Window]:
    """A briefing step's two windows (its compare_* columns); a window whose columns are empty
    is the page's default one, and a missing end of a window is the default's."""
    out = []
    for name, default in zip(("a", "b"), defaults):
        start = parse_day(step.get(f"compare_{name}_from"))
        end = parse_day(step.get(f"compare_{name}_to"), end=True)
        if start is None and end is None:
            out.append(default)
            continue
        start, end = start or default.start, end or default.end
        out.append(Window(min(start, end), max(start, end)))
    return out[0], out[1]


# --------------------------------------------------------------------------------------------
# What changed


def changes_between(relations_a: pd.DataFrame, relations_b: pd.DataFrame) -> pd.DataFrame:
    """Every relation drawn in A or in B (the rows of dataset.relations the two filter values
    keep, matched by their index), with `change`: gained, lost or kept; gained first, then
    lost, then kept, each in the data's order."""
    in_a, in_b = relations_a.index, relations_b.index
    union = pd.concat([relations_a, relations_b[~in_b.isin(in_a)]])
    change = np.where(union.index.isin(in_a) & union.index.isin(in_b), KEPT,
                      np.where(union.index.isin(in_b), GAINED, LOST))
    union = union.assign(change=change)
    order = union["change"].map({GAINED: 0, LOST: 1, KEPT: 2})
    return union.assign(_order=order).sort_values("_order", kind="stable").drop(
        columns="_order")


def relation_changes(dataset, chosen: f.Filters, a: Window, b: Window,
                     involved: set[str] | None = None) -> pd.DataFrame:
    """The relations gained, lost and kept from window A to window B under the other filters.

    Whether a relation is in a window is decided by its own dates (its period against the
    window, under the date rule; a blank one bounded by its actors', filters.relation_spans),
    never by which events match there: every other filter
    (actors, actor types, claim status, grade, words) keeps or drops a relation alike in both
    windows (kept_alike). With an event-only filter (event type, place), the relations shown
    are those between actors that the matching events of A or B name: `involved`, their
    union (window_actors; asked of the query layer when not given)."""
    if involved is None:
        involved = window_actors(dataset, chosen, a, b)
    relations = dataset.relations
    kept = kept_alike(dataset, chosen, a, b, involved)
    in_a = kept & f.relation_dates_mask(relations, dataset.actors, within(chosen, a))
    in_b = kept & f.relation_dates_mask(relations, dataset.actors, within(chosen, b))
    return changes_between(relations[in_a], relations[in_b])


def window_actors(dataset, chosen: f.Filters, a: Window, b: Window) -> set[str]:
    """The actors the matching events of A or of B name (the query layer's answer for each)."""
    return (selection.select(dataset, within(chosen, a)).involved_actor_ids()
            | selection.select(dataset, within(chosen, b)).involved_actor_ids())


def kept_alike(dataset, chosen: f.Filters, a: Window, b: Window,
               involved: set[str] | None = None) -> pd.Series:
    """The relations every filter but the date range keeps, one mask for both windows
    (filterdefs.relations_mask without the dates). With "include directly linked actors",
    a relation is kept when its two ends are the chosen actors or their neighbours in either
    window; an event-only filter keeps the relations whose two ends `involved` holds (the
    actors the matching events of A or B name), and the words filter also those touching
    them."""
    relations = dataset.relations
    undated = dataclasses.replace(chosen, date_from=None, date_to=None, actors=(),
                                  include_linked=False)
    named = (lambda: involved) if involved is not None else None
    kept = filterdefs.relations_mask(dataset, undated, relations, named)
    if chosen.actors:
        by_actors = filterdefs.BY_NAME["actors"].relations
        kept &= (by_actors(dataset, within(chosen, a), relations)
                 | by_actors(dataset, within(chosen, b), relations))
    return kept


def undated_relations(changes: pd.DataFrame) -> int:
    """How many of the compared relations have no dates at all (under "possibly in the
    window", each is active in every window where the groups, states or forces it names
    existed)."""
    if changes.empty:
        return 0
    return int((changes["period_start"].isna() & changes["period_end"].isna()).sum())


def undated_in_neither(dataset, chosen: f.Filters, a: Window, b: Window,
                       involved: set[str] | None = None) -> int:
    """How many relations the other filters keep but that have no dates and so are in neither
    window: under "certainly in the window" (a window needs a relation's start and end), none
    otherwise."""
    relations = dataset.relations
    if not within(chosen, a).certain_dates:
        return 0
    undated = relations["period_start"].isna() & relations["period_end"].isna()
    return int((undated & kept_alike(dataset, chosen, a, b, involved)).sum())


def relations_in(changes: pd.DataFrame, window: str) -> pd.DataFrame:
    """The compared relations active in window "A" (lost or kept) or "B" (gained or kept)."""
    held = (LOST, KEPT) if window == "A" else (GAINED, KEPT)
    return changes[changes["change"].isin(held)].drop(columns="change", errors="ignore")


HEADLINES = ("Events", "Actors involved", "Relations", "Places")


def headline_changes(counts_a: dict[str, int], counts_b: dict[str, int]) -> pd.DataFrame:
    """The headline counts (selection.view_counts) of A and B side by side, and B minus A."""
    rows = [{"measure": m, "A": int(counts_a.get(m, 0)), "B": int(counts_b.get(m, 0))}
            for m in HEADLINES if m in counts_a or m in counts_b]
    frame = pd.DataFrame(rows, columns=["measure", "A", "B"])
    frame["change"] = frame["B"] - frame["A"]
    return frame


def headline_for(dataset, chosen: f.Filters, a: Window, b: Window
                 ) -> tuple[dict[str, int], dict[str, int]]:
    """Both windows' headline counts (selection.view_counts), each window's relations those
    the comparison finds active in it (relation_changes)."""
    matching = [selection.select(dataset, within(chosen, w)) for w in (a, b)]
    involved = matching[0].involved_actor_ids() | matching[1].involved_actor_ids()
    changes = relation_changes(dataset, chosen, a, b, involved)
    return (selection.view_counts(matching[0], relations_in(changes, "A")),
            selection.view_counts(matching[1], relations_in(changes, "B")))


PLACE_COLUMNS = ["location", "name", "lat", "lon", "events_a", "events_b", "change", "kind",
                 "precision", "places", "merged"]


def place_changes(selection_a, selection_b) -> pd.DataFrame:
    """Events per place in window A and in window B (each selection's location_counts: every
    place counted on its own, never merged into a grid cell), the change (B minus A) and its
    kind: new (none in A), gone (none in B), more, fewer or the same. Places are matched by
    their location id (a position stands for a place with none). Biggest changes first."""
    a = _per_location(selection_a.location_counts())
    b = _per_location(selection_b.location_counts())
    both = a.merge(b, on="place", how="outer", suffixes=("_a", "_b"))
    if both.empty:
        return pd.DataFrame(columns=PLACE_COLUMNS)
    for column in ("location", "name", "lat", "lon", "precision"):
        both[column] = both[f"{column}_b"].where(both[f"{column}_b"].notna(), both[f"{column}_a"])
    both["events_a"] = both["events_a"].fillna(0).astype("int64")
    both["events_b"] = both["events_b"].fillna(0).astype("int64")
    both["places"], both["merged"] = 1, False
    return _with_kinds(both)


def _with_kinds(both: pd.DataFrame) -> pd.DataFrame:
    """The change (B minus A) and its kind for rows with events_a and events_b, biggest
    change first."""
    both["change"] = both["events_b"] - both["events_a"]
    both["kind"] = np.select(
        [both["events_a"] == 0, both["events_b"] == 0, both["change"] > 0, both["change"] < 0],
        [NEW, GONE, MORE, FEWER], default=SAME)
    both = both[PLACE_COLUMNS]
    ordered = both.assign(_size=both["change"].abs()).sort_values(
        ["_size", "events_b", "location"], ascending=[False, False, True], kind="stable")
    return ordered.drop(columns="_size").reset_index(drop=True)


def _per_location(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per place of location_counts (a place whose events give their own coordinates
    can have several positions): events summed, the busiest position; `place` is the key the
    windows are matched on (the location id, or the position of an event with none)."""
    columns = ["place", "location", "name", "lat", "lon", "precision", "events"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    location = counts["location"].fillna("").astype(str)
    position = [f"@{lat:.6f},{lon:.6f}" for lat, lon in zip(counts["lat"], counts["lon"])]
    rows = counts.assign(location=location, place=location.where(location != "", position))
    rows = rows.sort_values("events", ascending=False, kind="stable")
    first = rows.drop_duplicates("place")
    total = rows.groupby("place", sort=False)["events"].sum()
    first = first.assign(events=first["place"].map(total).astype("int64"),
                         name=first["name"].where(first["name"] != "", first["location"]))
    return first[columns]


def shared_cells(changes: pd.DataFrame) -> pd.DataFrame:
    """The place changes as the map draws them: each place on its own while there are at
    most views.MAX_PLACES_DRAWN, else merged into ONE grid of cells for both windows
    (views.grid_size over every place of A or B), each cell's events in A and in B summed
    and its change worked out from those sums, so a cell is never new or gone because the
    windows were cut into different cells. A cell is placed at the events' centre, named by
    (and filtering to) its busiest place; `places` says how many it holds."""
    if changes.empty:
        return changes
    lat, lon = changes["lat"].to_numpy(dtype=float), changes["lon"].to_numpy(dtype=float)
    size = views.grid_size(lat, lon)
    if size is None:
        return changes
    cell = views.grid_cells(lat, lon, size)
    weight = (changes["events_a"] + changes["events_b"]).to_numpy(dtype=float)
    rows = changes.assign(_cell=cell, _weight=weight, _lat=lat * weight, _lon=lon * weight)
    busiest = rows.sort_values(["_weight", "location"], ascending=[False, True],
                               kind="stable").drop_duplicates("_cell").set_index("_cell")
    summed = rows.groupby("_cell").agg(events_a=("events_a", "sum"), events_b=("events_b", "sum"),
                                       places=("location", "size"), _lat=("_lat", "sum"),
                                       _lon=("_lon", "sum"), _weight=("_weight", "sum"))
    cells = busiest[["location", "name", "precision"]].join(summed)
    cells["lat"] = cells["_lat"] / cells["_weight"]
    cells["lon"] = cells["_lon"] / cells["_weight"]
    cells["merged"] = cells["places"] > 1
    cells.loc[cells["merged"], "name"] = cells.loc[cells["merged"], "places"].map(
        lambda n: f"{n} places")
    return _with_kinds(cells.reset_index(drop=True))


def place_change_summary(changes: pd.DataFrame) -> dict[str, int]:
    """How many places of each kind (new, more, same, fewer, gone), in that order."""
    counts = changes["kind"].value_counts() if len(changes) else pd.Series(dtype=int)
    return {kind: int(counts.get(kind, 0)) for kind in PLACE_CHANGES}


def place_change_frame(changes: pd.DataFrame) -> pd.DataFrame:
    """The map's rows (the columns components.ui.map.build_deck draws) for the place changes:
    coloured by kind, sized by how much the number of events changed, each label the place's
    name and its change ("Basra +3"), each tooltip both windows' counts."""
    columns = ["location", "name", "lat", "lon", "events", "places", "key", "colour",
               "precision", "filled", "radius", "tooltip", "change"]
    if changes.empty:
        return pd.DataFrame(columns=columns)
    out = changes.copy()
    out["key"] = out["kind"]
    out["colour"] = out["kind"].map(lambda k: palette.rgb(palette.colour("place change", k), 225))
    out["filled"] = out["precision"].isin(["exact", "near"]) & ~out["merged"]
    # the label priority and the size: how much changed (a place with the same count last)
    out["events"] = out["change"].abs()
    out["radius"] = views.place_radius(out["change"].abs())
    out["tooltip"] = [
        f"{name}: {counted(a, 'event')} in A, {b:,} in B ({signed(b - a)}: {kind})"
        for name, a, b, kind in zip(out["name"], out["events_a"], out["events_b"], out["kind"])]
    out["name"] = [f"{name} {signed(c)}" if c else f"{name} =" for name, c in
                   zip(out["name"], out["change"])]
    return out[columns].reset_index(drop=True)


def clear_labels(places: pd.DataFrame, view: dict) -> pd.Series:
    """The map's labels (above each circle, as components.ui.map draws them) that cover no other
    label and not the middle of another place's filled circle at the view (a ring is hollow:
    a label over it hides nothing): the biggest changes first among the named places, then
    among the rings of regions and countries (whose centres are not where anything
    happened); a place left unlabelled is still named in its tooltip."""
    xy = [geography.to_pixels(view, lon, lat) for lon, lat in zip(places["lon"], places["lat"])]
    radius = places["radius"].to_numpy(dtype=float)
    core = radius * linkchart.NODE_CORE  # a label may brush a circle's rim, not its middle
    circles = [(x - r, y - r, x + r, y + r) if filled else (x, y, x, y)
               for (x, y), r, filled in zip(xy, core, places["filled"])]
    labels = [""] * len(places)
    taken: list[tuple] = []
    order = np.lexsort((-places["events"].to_numpy(dtype=float),
                        ~places["filled"].to_numpy(dtype=bool)))
    for i in order.tolist():
        (x, y), r, name = xy[i], radius[i], str(places["name"].iat[i])
        half = geography.LABEL_CHAR_PX * len(name) / 2
        box = (x - half, y - r - 20, x + half, y - r - 2)
        if any(linkchart.overlap(box, other) for other in taken) or any(
                linkchart.overlap(box, circle) for j, circle in enumerate(circles) if j != i):
            continue
        taken.append(box)
        labels[i] = name
    return pd.Series(labels, index=places.index, dtype=object)


def signed(number: int) -> str:
    """A change with its sign ("+3", "-1"), "±0" for none."""
    return f"{number:+,}" if number else "±0"


# --------------------------------------------------------------------------------------------
# The link chart of the changes


def pair_change(changes) -> str:
    """A line's change from its relations' changes: gained when one or more is gained and none
    lost, lost when one or more is lost and none gained, both when some are gained and others
    lost, kept when every one is kept."""
    found = set(changes)
    if GAINED in found and LOST in found:
        return BOTH
    if GAINED in found:
        return GAINED
    if LOST in found:
        return LOST
    return KEPT


def change_drawing(actors: pd.DataFrame, changes: pd.DataFrame, positions: dict,
                   size_by: str = "degree", reliability: dict | None = None,
                   max_actors: int | None = network.DEFAULT_MAX_ACTORS
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The nodes and merged lines (linkchart.drawing) of every relation compared, each line
    with its `change` (pair_change), each of its relations with its own, also in the tooltip."""
    nodes, edges = network.network_frames(actors, changes, positions, size_by,
                                          reliability=reliability, max_actors=max_actors)
    nodes, merged = linkchart.drawing(nodes, edges, size_by)
    change_of = dict(zip(changes["relation_id"], changes["change"]))
    merged["change"] = [pair_change(change_of.get(i, KEPT) for i in ids)
                        for ids in merged["relation_ids"]]
    merged["relations"] = [[{**r, "change": change_of.get(r["relation_id"], KEPT)} for r in rs]
                           for rs in merged["relations"]]
    merged["listing"] = [
        [{**line, "period": f"{line['period']} ({change_of.get(i, KEPT)})"}
         for line, i in zip(listing, ids)]
        for listing, ids in zip(merged["listing"], merged["relation_ids"])]
    return nodes, merged


def change_table(changes: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The relations gained and lost, to read: the change, the relation in words ("Qais
    Khazali leads Special Groups"), its period, claim status and grade, and its id (kept
    relations are left out: they are the grey lines)."""
    columns = ["change", "relation", "period", "claim status", "grade", "relation id"]
    moved = changes[changes["change"] != KEPT]
    if moved.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame({
        "change": moved["change"],
        "relation": [f"{names.get(s, s)} {r} {names.get(o, o)}" for s, r, o in
                     zip(moved["source"], moved["relation"], moved["target"])],
        "period": [network.period_text(s, e) for s, e in zip(moved["start_date"],
                                                             moved["end_date"])],
        "claim status": moved["claim_status"],
        "grade": moved["grade"] if "grade" in moved else "",
        "relation id": moved["relation_id"],
    })[columns].reset_index(drop=True)


def windows_frame(a: Window, b: Window) -> pd.DataFrame:
    """The two windows as bands for the timeline: start, the day after the end, the name."""
    return pd.DataFrame({
        "window": ["A", "B"],
        "start": [pd.Timestamp(a.start), pd.Timestamp(b.start)],
        "end": [pd.Timestamp(a.end) + pd.Timedelta(days=1),
                pd.Timestamp(b.end) + pd.Timedelta(days=1)],
        "label": [f"A: {a.dates}", f"B: {b.dates}"],
    })


def hull(a: Window, b: Window) -> Window:
    """The smallest window holding both."""
    return Window(min(a.start, b.start), max(a.end, b.end))
