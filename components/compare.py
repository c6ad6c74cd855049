"""Compare two periods: what changed between window A and window B. No Streamlit import.

A window is a date range. On the Compare page (and in a briefing step whose view is
"compare") the two windows take the place of the sidebar's date range; every other filter,
and the date rule, applies to both. Each window is asked of the one query layer
(components.selection) like any other filter value, so its counts, places and relations are
the ones the other pages show for the same dates.

- `presets`: the windows offered by name: each period of periods.csv, each run of consecutive
  periods, and the two halves of the data's dates. `default_keys` picks A and B among them.
- `changes_between` / `relation_changes`: every relation active in A or B, marked gained
  (active in B, not in A), lost (active in A, not in B) or kept (in both). A relation the
  sources give no dates for is active in every window, so it is kept.
- `place_changes`: events per place in A and in B, marked new, more, same, fewer or gone.
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

from components import filters as f
from components import geography, linkchart, network, palette, selection, views

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


def presets(periods: pd.DataFrame, date_min: date | None, date_max: date | None
            ) -> dict[str, Window]:
    """Windows by key: each period (by its period_id), each run of two or more consecutive
    periods ("<first>..<last>", named from the first to the last), then the first and second
    halves of the data's dates (date_min to date_max)."""
    found: dict[str, Window] = {}
    ordered = _ordered(periods)
    for i, first in enumerate(ordered):
        for j in range(i, len(ordered)):
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
    B the run of those after it (for the shipped record, "Networks built" 2003-2005 against
    2006-2007). With fewer than two such periods: the two halves of the data's dates."""
    ordered = _ordered(periods)
    dense = views.dense_window(year_counts) if year_counts is not None else None
    if dense is not None:
        ordered = [p for p in ordered
                   if dense[0] <= pd.Timestamp(p["start"]) < dense[1]]
    if len(ordered) >= 2:
        a, rest = ordered[0], ordered[1:]
        b = rest[0]["id"] if len(rest) == 1 else f"{rest[0]['id']}{RUN_SEPARATOR}{rest[-1]['id']}"
        if a["id"] in offered and b in offered:
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


def relation_changes(dataset, chosen: f.Filters, a: Window, b: Window) -> pd.DataFrame:
    """The relations gained, lost and kept from window A to window B under the other
    filters (selection.filtered for each window)."""
    relations_a, _ = selection.filtered(dataset, within(chosen, a))
    relations_b, _ = selection.filtered(dataset, within(chosen, b))
    return changes_between(relations_a, relations_b)


def undated_relations(changes: pd.DataFrame) -> int:
    """How many of the compared relations have no dates at all (kept, whatever the windows)."""
    if changes.empty:
        return 0
    return int((changes["period_start"].isna() & changes["period_end"].isna()).sum())


HEADLINES = ("Events", "Actors involved", "Relations", "Places")


def headline_changes(counts_a: dict[str, int], counts_b: dict[str, int]) -> pd.DataFrame:
    """The headline counts (selection.view_counts) of A and B side by side, and B minus A."""
    rows = [{"measure": m, "A": int(counts_a.get(m, 0)), "B": int(counts_b.get(m, 0))}
            for m in HEADLINES if m in counts_a or m in counts_b]
    frame = pd.DataFrame(rows, columns=["measure", "A", "B"])
    frame["change"] = frame["B"] - frame["A"]
    return frame


def headline_for(dataset, chosen: f.Filters, window: Window) -> dict[str, int]:
    """One window's headline counts, as the query layer gives them."""
    relations, matching = selection.filtered(dataset, within(chosen, window))
    return selection.view_counts(matching, relations)


PLACE_COLUMNS = ["location", "name", "lat", "lon", "events_a", "events_b", "change", "kind",
                 "precision", "merged"]


def place_changes(selection_a, selection_b) -> pd.DataFrame:
    """Events per place in window A and in window B (each selection's map_places), the change
    (B minus A) and its kind: new (none in A), gone (none in B), more, fewer or the same.
    Places are matched by their location id; where the map merges places into grid cells
    (too many to draw), a cell goes by its busiest place (`merged` says so)."""
    a, b = _per_location(selection_a.map_places()), _per_location(selection_b.map_places())
    both = a.merge(b, on="location", how="outer", suffixes=("_a", "_b"))
    if both.empty:
        return pd.DataFrame(columns=PLACE_COLUMNS)
    for column in ("name", "lat", "lon", "precision"):
        both[column] = both[f"{column}_b"].where(both[f"{column}_b"].notna(), both[f"{column}_a"])
    both["events_a"] = both["events_a"].fillna(0).astype("int64")
    both["events_b"] = both["events_b"].fillna(0).astype("int64")
    both["merged"] = both["merged_a"].fillna(False).astype(bool) | both["merged_b"].fillna(
        False).astype(bool)
    both["change"] = both["events_b"] - both["events_a"]
    both["kind"] = np.select(
        [both["events_a"] == 0, both["events_b"] == 0, both["change"] > 0, both["change"] < 0],
        [NEW, GONE, MORE, FEWER], default=SAME)
    both = both[PLACE_COLUMNS]
    ordered = both.assign(_size=both["change"].abs()).sort_values(
        ["_size", "events_b", "location"], ascending=[False, False, True], kind="stable")
    return ordered.drop(columns="_size").reset_index(drop=True)


def _per_location(places: pd.DataFrame) -> pd.DataFrame:
    """One row per location id of the map's rows (a place whose events give their own
    coordinates can appear more than once): events summed, the busiest row's position."""
    columns = ["location", "name", "lat", "lon", "events", "precision", "merged"]
    if places.empty:
        return pd.DataFrame(columns=columns)
    rows = places.assign(merged=places["places"] > 1).sort_values("events", ascending=False,
                                                                  kind="stable")
    first = rows.drop_duplicates("location")[["location", "name", "lat", "lon", "precision",
                                              "merged"]]
    total = rows.groupby("location", sort=False)["events"].sum()
    return first.assign(events=first["location"].map(total).astype("int64"))[columns]


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
    out["places"] = 1
    # the label priority and the size: how much changed (a place with the same count last)
    out["events"] = out["change"].abs()
    out["radius"] = views.place_radius(out["change"].abs())
    out["tooltip"] = [
        f"{name}: {a:,} event{'s' if a != 1 else ''} in A, {b:,} in B ({signed(b - a)}: {kind})"
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
