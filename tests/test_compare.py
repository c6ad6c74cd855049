"""The comparison of two periods (components.compare) on the shipped data and on an imported
ACLED export: windows offered and chosen by default, relations gained, lost and kept, events
per place, headline counts, the link chart's change keys and a briefing step's windows."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from components import (compare, filters, geography, importers, linkchart, loader, network,
                        selection, views)
from components.ui import screen
from tests.conftest import DATA, shared_path

EVERYTHING = filters.Filters()


@pytest.fixture(scope="module")
def ds():
    return loader.load_dataset(DATA).dataset


@pytest.fixture(scope="module")
def windows(ds):
    options = selection.filter_options(ds)
    offered = compare.presets(ds.periods, options.date_min, options.date_max)
    a, b = compare.default_keys(ds.periods, offered,
                                selection.select(ds, EVERYTHING).year_counts())
    return offered, offered[a], offered[b]


def relation_ids(ds, chosen: filters.Filters) -> set[str]:
    relations, _ = selection.filtered(ds, chosen)
    return set(relations["relation_id"])


def events_per_place(ds, chosen: filters.Filters) -> dict[str, int]:
    """Counted from the matching events themselves, apart from the map's own query."""
    events = selection.matching_events(ds, chosen)
    placed = events[events["location"].astype(str) != ""]
    return placed["location"].value_counts().to_dict()


# --------------------------------------------------------------------------------------------
# The windows


def test_the_default_comparison_is_networks_built_against_2006_2007(windows):
    offered, a, b = windows
    assert (a.start, a.end, a.label) == (date(2003, 1, 1), date(2005, 12, 31), "Networks built")
    assert (b.start, b.end) == (date(2006, 1, 1), date(2007, 12, 31))
    assert b.dates == "2006-2007" and a.title == "2003-2005: Networks built"
    assert compare.key_of(offered, b) == "special-groups-reorganised..surge-response"
    # every period alone, every run of periods and the two halves of the record are offered
    assert {"before-war", "surge-response", "before-war..surge-response",
            *compare.HALVES} <= set(offered)


def test_without_periods_the_default_is_the_two_halves_of_the_dates(ds):
    offered = compare.presets(ds.periods.iloc[0:0], date(2000, 1, 1), date(2009, 12, 31))
    a, b = compare.default_keys(ds.periods.iloc[0:0], offered, pd.Series(dtype=int))
    assert (a, b) == compare.HALVES
    first, second = offered[a], offered[b]
    assert first.start == date(2000, 1, 1) and second.end == date(2009, 12, 31)
    assert (second.start - first.end).days == 1


def test_span_text_names_whole_years_and_months():
    assert compare.span_text(date(2006, 1, 1), date(2006, 12, 31)) == "2006"
    assert compare.span_text(date(2006, 5, 1), date(2007, 3, 31)) == "2006-05 to 2007-03"
    assert compare.span_text(date(2006, 5, 2), date(2007, 3, 20)) == "2006-05-02 to 2007-03-20"


def test_a_briefing_steps_windows_come_from_its_compare_columns(windows):
    _, a, b = windows
    step = {"compare_a_from": "2004", "compare_a_to": "2005-06",
            "compare_b_from": "", "compare_b_to": None}
    got_a, got_b = compare.step_windows(step, (a, b))
    assert (got_a.start, got_a.end) == (date(2004, 1, 1), date(2005, 6, 30))
    assert got_b is b  # empty columns: the page's default
    assert compare.step_windows({}, (a, b)) == (a, b)


# --------------------------------------------------------------------------------------------
# Relations gained, lost and kept


def test_the_special_groups_leadership_is_gained_from_2003_2005_to_2006_2007(ds, windows):
    _, a, b = windows
    changes = compare.relation_changes(ds, EVERYTHING, a, b).set_index("relation_id")
    # r-035 Qais Khazali leads the Special Groups (2006-06 to 2007-03-20), r-034 Daqduq
    # advises them (from 2006-05): active in B, not in A
    assert changes.loc["r-035", "change"] == compare.GAINED
    assert changes.loc["r-034", "change"] == compare.GAINED
    # the Qods Force is part of the IRGC: no dates in the sources, so active in both windows
    assert ds.relations.set_index("relation_id").loc["r-002", ["start_date", "end_date"]].eq(
        "").all()
    assert changes.loc["r-002", "change"] == compare.KEPT


def active_by_own_dates(relations: pd.DataFrame, window: compare.Window,
                        actors: pd.DataFrame) -> pd.Series:
    """Possibly in the window, read row by row from the relation's own period: it starts by
    the window's end and ends from its start; a missing start (end) is the later start (earlier
    end) of the active periods of its actors that are not persons (a person's dates mark a
    role), unless that lies past its own end (before its own start); open when none says."""
    active = {row.actor_id: (row.active_start, row.active_end) for row in actors.itertuples()
              if row.actor_type != "person"}
    kept = []
    for row in relations.itertuples():
        ends = [active.get(row.source, (pd.NaT, pd.NaT)), active.get(row.target, (pd.NaT, pd.NaT))]
        starts = [s for s, _ in ends if pd.notna(s)]
        finishes = [e for _, e in ends if pd.notna(e)]
        bound_start = max(starts) if starts else pd.NaT
        if pd.notna(bound_start) and pd.notna(row.period_end) and bound_start >= row.period_end:
            bound_start = pd.NaT
        bound_end = min(finishes) if finishes else pd.NaT
        if pd.notna(bound_end) and pd.notna(row.period_start) and bound_end <= row.period_start:
            bound_end = pd.NaT
        start = row.period_start if pd.notna(row.period_start) else bound_start
        end = row.period_end if pd.notna(row.period_end) else bound_end
        kept.append((pd.isna(start) or start <= pd.Timestamp(window.end))
                    and (pd.isna(end) or end >= pd.Timestamp(window.start)))
    return pd.Series(kept, index=relations.index, dtype=bool)


def expected_changes(relations: pd.DataFrame, a: compare.Window, b: compare.Window,
                     actors: pd.DataFrame) -> dict[str, str]:
    in_a, in_b = active_by_own_dates(relations, a, actors), active_by_own_dates(relations, b,
                                                                             actors)
    change = np.where(in_a & in_b, compare.KEPT, np.where(in_b, compare.GAINED, compare.LOST))
    held = (in_a | in_b).to_numpy()
    return dict(zip(relations.loc[held, "relation_id"], change[held]))


def actors_named(ds, chosen: filters.Filters) -> set[str]:
    """The actors the matching events name, read from the events' own rows."""
    events = selection.matching_events(ds, chosen)
    named = set(events["actor1"]) | set(events["actor2"])
    for listed in events["assoc_actors"]:
        named |= set(listed)
    return named - {""}


def test_each_relations_change_follows_from_its_dates_or_its_actors(ds, windows):
    _, a, b = windows
    changes = compare.relation_changes(ds, EVERYTHING, a, b)
    assert dict(zip(changes["relation_id"], changes["change"])) == expected_changes(
        ds.relations, a, b, ds.actors)
    undated = ds.relations[(ds.relations["start_date"] == "") & (ds.relations["end_date"] == "")]
    by_change = changes.groupby("change")["relation_id"].apply(set).to_dict()
    # with no dates, a relation is active wherever both its actors were: the Qods Force and
    # the IRGC (both from 1979) in both windows, the Qods Force against the Maliki
    # government (from May 2006) only in B
    assert {"r-002", "r-003"} <= by_change[compare.KEPT]
    assert "r-220" in by_change[compare.GAINED]
    # a person's dates mark a role: Daqduq's membership of Hezbollah (no dates) is kept, not
    # gained in May 2006 when he became its man in Iraq
    assert "r-033" in by_change[compare.KEPT]
    assert compare.undated_relations(changes) == len(
        set(undated["relation_id"]) & set(changes["relation_id"]))


@pytest.mark.parametrize("chosen", [filters.Filters(places=("baghdad",)),
                                    filters.Filters(event_types=("training",))],
                         ids=["place", "event type"])
def test_an_event_only_filter_limits_the_relations_shown_not_their_change(ds, windows, chosen):
    """With an event type or place chosen, the relations shown are those between actors that
    the matching events of A or B name; each one's change still follows from its own dates,
    not from which window's events name its actors."""
    _, a, b = windows
    changes = compare.relation_changes(ds, chosen, a, b)
    named = (actors_named(ds, compare.within(chosen, a))
             | actors_named(ds, compare.within(chosen, b)))
    shown = ds.relations[ds.relations["source"].isin(named) & ds.relations["target"].isin(named)]
    assert len(changes) and dict(zip(changes["relation_id"], changes["change"])) == (
        expected_changes(shown, a, b, ds.actors))


def test_the_reviewers_cases_are_kept_not_gained_or_lost(ds, windows):
    _, a, b = windows
    baghdad = compare.relation_changes(ds, filters.Filters(places=("baghdad",)), a, b)
    change = dict(zip(baghdad["relation_id"], baghdad["change"]))
    # Special Groups targets the Coalition (r-062) and r-063 have no dates in the sources:
    # active in both windows, whichever window's Baghdad events name their actors
    assert change["r-062"] == change["r-063"] == compare.KEPT
    training = compare.relation_changes(ds, filters.Filters(event_types=("training",)), a, b)
    assert dict(zip(training["relation_id"], training["change"]))["r-011"] == compare.KEPT
    undated = baghdad["period_start"].isna() & baghdad["period_end"].isna()
    assert compare.undated_relations(baghdad) == int(undated.sum()) == 2
    assert set(baghdad.loc[undated, "change"]) == {compare.KEPT}


def test_under_certainly_in_the_window_an_undated_relation_is_in_neither(ds, windows):
    _, a, b = windows
    certain = filters.Filters(date_rule=filters.WITHIN)
    changes = compare.relation_changes(ds, certain, a, b)
    assert "r-002" not in set(changes["relation_id"])
    assert compare.undated_relations(changes) == 0
    undated = ds.relations["period_start"].isna() & ds.relations["period_end"].isna()
    assert compare.undated_in_neither(ds, certain, a, b) == int(undated.sum()) > 0
    assert compare.undated_in_neither(ds, EVERYTHING, a, b) == 0


def test_other_filters_apply_to_both_windows(ds, windows):
    _, a, b = windows
    chosen = filters.Filters(actors=("special-groups",))
    changes = compare.relation_changes(ds, chosen, a, b)
    touching = (changes["source"] == "special-groups") | (changes["target"] == "special-groups")
    assert len(changes) and touching.all()
    assert "r-035" in set(changes.loc[changes["change"] == compare.GAINED, "relation_id"])


def test_a_line_takes_the_change_of_its_relations():
    assert compare.pair_change([compare.KEPT, compare.KEPT]) == compare.KEPT
    assert compare.pair_change([compare.KEPT, compare.GAINED]) == compare.GAINED
    assert compare.pair_change([compare.LOST, compare.KEPT]) == compare.LOST
    assert compare.pair_change([compare.GAINED, compare.LOST]) == compare.BOTH


def test_the_link_chart_carries_each_relations_change(ds, windows):
    _, a, b = windows
    changes = compare.relation_changes(ds, EVERYTHING, a, b)
    positions = network.stable_layout(ds.actors, ds.relations)
    nodes, merged = compare.change_drawing(ds.actors, changes, positions)
    per_relation = {r["relation_id"]: r["change"] for rs in merged["relations"] for r in rs}
    assert per_relation["r-035"] == per_relation["r-034"] == compare.GAINED
    khazali = merged[merged["relation_ids"].map(lambda ids: "r-035" in ids)].iloc[0]
    assert khazali["change"] == compare.GAINED
    assert any("(gained)" in line["period"] for line in khazali["listing"])
    assert set(merged["change"]) <= {*compare.RELATION_CHANGES, compare.BOTH}
    assert linkchart.colour_note({**khazali.to_dict(), "count": 2}, "change").startswith(
        "Colour: gained")


def test_the_list_of_changes_names_the_actors(ds, windows):
    _, a, b = windows
    changes = compare.relation_changes(ds, EVERYTHING, a, b)
    names = dict(zip(ds.actors["actor_id"], ds.actors["name"]))
    table = compare.change_table(changes, names)
    assert compare.KEPT not in set(table["change"])
    row = table[table["relation id"] == "r-035"].iloc[0]
    assert row["relation"] == f"{names['khazali']} leads {names['special-groups']}"
    assert row["change"] == compare.GAINED and row["period"] == "Jun 2006 to 20 Mar 2007"


# --------------------------------------------------------------------------------------------
# Events per place and the headline counts


def test_place_changes_match_the_events_of_each_window(ds, windows):
    _, a, b = windows
    chosen_a, chosen_b = compare.within(EVERYTHING, a), compare.within(EVERYTHING, b)
    changes = compare.place_changes(selection.select(ds, chosen_a),
                                    selection.select(ds, chosen_b)).set_index("location")
    counts_a, counts_b = events_per_place(ds, chosen_a), events_per_place(ds, chosen_b)
    assert set(changes.index) == set(counts_a) | set(counts_b)
    for place, row in changes.iterrows():
        assert row["events_a"] == counts_a.get(place, 0), place
        assert row["events_b"] == counts_b.get(place, 0), place
        assert row["change"] == row["events_b"] - row["events_a"]
    # Karbala's PJCC was attacked in January 2007: new in B; Tehran's one event is in A only
    assert changes.loc["karbala-pjcc", "kind"] == compare.NEW
    assert changes.loc["tehran", "kind"] == compare.GONE
    summary = compare.place_change_summary(changes.reset_index())
    assert sum(summary.values()) == len(changes)


def test_place_kinds():
    class Stub:
        def __init__(self, counts):
            self.counts = counts

        def location_counts(self):
            return pd.DataFrame({
                "location": list(self.counts), "name": [p.title() for p in self.counts],
                "lat": [33.0] * len(self.counts), "lon": [44.0] * len(self.counts),
                "precision": ["exact"] * len(self.counts),
                "events": list(self.counts.values())})

    found = compare.place_changes(Stub({"basra": 3, "mosul": 2, "kut": 1, "hit": 4}),
                                  Stub({"basra": 5, "mosul": 1, "kut": 1, "irbil": 2}))
    kinds = dict(zip(found["location"], found["kind"]))
    assert kinds == {"basra": compare.MORE, "mosul": compare.FEWER, "kut": compare.SAME,
                     "irbil": compare.NEW, "hit": compare.GONE}
    drawn = compare.place_change_frame(found).set_index("location")
    assert drawn.loc["basra", "name"] == "Basra +2" and drawn.loc["hit", "name"] == "Hit -4"
    assert drawn.loc["kut", "name"] == "Kut ="
    assert "3 events in A, 5 in B (+2: more)" in drawn.loc["basra", "tooltip"]
    assert drawn.loc["hit", "radius"] > drawn.loc["mosul", "radius"]  # sized by the change


def test_a_window_with_no_events_makes_every_place_new(ds, windows):
    _, _, b = windows
    empty = compare.Window(date(1995, 1, 1), date(1995, 12, 31))
    nothing = selection.select(ds, compare.within(EVERYTHING, empty))
    assert nothing.facts["events"] == 0
    changes = compare.place_changes(nothing,
                                    selection.select(ds, compare.within(EVERYTHING, b)))
    assert len(changes) and set(changes["kind"]) == {compare.NEW}


def test_headline_changes_are_the_two_windows_view_counts(ds, windows):
    _, a, b = windows
    counts = []
    for window in (a, b):
        relations, matching = selection.filtered(ds, compare.within(EVERYTHING, window))
        counts.append(selection.view_counts(matching, relations))
    table = compare.headline_changes(*compare.headline_for(ds, EVERYTHING, a, b)).set_index(
        "measure")
    for measure in compare.HEADLINES:
        assert table.loc[measure, "A"] == counts[0][measure]
        assert table.loc[measure, "B"] == counts[1][measure]
        assert table.loc[measure, "change"] == counts[1][measure] - counts[0][measure]
    assert table.loc["Events", "A"] < table.loc["Events", "B"]


def test_map_labels_cover_no_other_label_and_no_named_place(ds, windows):
    _, a, b = windows
    changes = compare.place_changes(selection.select(ds, compare.within(EVERYTHING, a)),
                                    selection.select(ds, compare.within(EVERYTHING, b)))
    places = compare.place_change_frame(changes)
    view = views.map_view_bounds(places, screen.column_px([1], 0), 520)  # as the page frames it
    labels = compare.clear_labels(places, view)
    assert (labels != "").sum() >= 4
    boxes = []
    for (lon, lat, radius, label) in zip(places["lon"], places["lat"], places["radius"], labels):
        x, y = geography.to_pixels(view, lon, lat)
        if label:
            half = geography.LABEL_CHAR_PX * len(label) / 2
            boxes.append((x - half, y - radius - 20, x + half, y - radius - 2))
    assert not any(linkchart.overlap(p, q) for i, p in enumerate(boxes) for q in boxes[i + 1:])


def test_the_timeline_bands_are_the_two_windows(windows):
    _, a, b = windows
    bands = compare.windows_frame(a, b)
    assert list(bands["window"]) == ["A", "B"]
    assert list(bands["label"]) == ["A: 2003-2005", "B: 2006-2007"]
    assert bands["end"].iloc[0] == pd.Timestamp("2006-01-01")
    assert compare.hull(a, b) == compare.Window(date(2003, 1, 1), date(2007, 12, 31))


# --------------------------------------------------------------------------------------------
# An imported ACLED export


@pytest.fixture(scope="module")
def acled(tmp_path_factory):
    source = shared_path("realdata", "acled_2022_iraq.csv")
    folder = tmp_path_factory.mktemp("acled") / "data"
    importers.write_folder(importers.import_file(source), folder)
    return loader.load_dataset(folder).dataset


def test_the_comparison_runs_on_an_imported_acled_export(acled):
    options = selection.filter_options(acled)
    offered = compare.presets(acled.periods, options.date_min, options.date_max)
    key_a, key_b = compare.default_keys(acled.periods, offered,
                                        selection.select(acled, EVERYTHING).year_counts())
    assert (key_a, key_b) == compare.HALVES  # an export brings no periods
    a, b = offered[key_a], offered[key_b]
    chosen_a, chosen_b = compare.within(EVERYTHING, a), compare.within(EVERYTHING, b)
    selection_a, selection_b = selection.select(acled, chosen_a), selection.select(acled, chosen_b)
    # the two halves hold every event between them (each event is dated to the day)
    assert selection_a.facts["events"] + selection_b.facts["events"] == len(acled.events)
    changes = compare.place_changes(selection_a, selection_b).set_index("location")
    counts_a, counts_b = events_per_place(acled, chosen_a), events_per_place(acled, chosen_b)
    assert set(changes.index) == set(counts_a) | set(counts_b)
    assert changes["events_a"].to_dict() == {p: counts_a.get(p, 0) for p in changes.index}
    assert changes["events_b"].to_dict() == {p: counts_b.get(p, 0) for p in changes.index}
    relations = compare.relation_changes(acled, EVERYTHING, a, b)
    assert relations.empty  # an export brings no relations: the page says so
    table = compare.headline_changes(*compare.headline_for(acled, EVERYTHING, a, b))
    assert table["A"].sum() > 0 and table["B"].sum() > 0
    drawn = compare.place_change_frame(changes.reset_index())
    assert set(drawn["key"]) <= set(compare.PLACE_CHANGES)


def test_narrowing_an_acled_comparison_by_event_type(acled):
    options = selection.filter_options(acled)
    offered = compare.presets(acled.periods, options.date_min, options.date_max)
    a, b = offered[compare.HALVES[0]], offered[compare.HALVES[1]]
    kind = acled.events["event_type"].value_counts().index[0]
    narrowed = dataclasses.replace(EVERYTHING, event_types=(kind,))
    table = compare.headline_changes(*compare.headline_for(acled, narrowed, a, b)).set_index(
        "measure")
    of_kind = acled.events[acled.events["event_type"] == kind]
    assert table.loc["Events", "A"] + table.loc["Events", "B"] == len(of_kind)


# --------------------------------------------------------------------------------------------
# Many places: each place compared on its own, drawn in one grid for both windows


@pytest.fixture(scope="module")
def many_places(tmp_path_factory):
    """A synthetic folder (bench.generate's tables) of 900 places: places 0-699 with one event
    in 2004 and one in 2006, places 700-899 with one event in 2006 only. A has 700 places, B
    900: past views.MAX_PLACES_DRAWN, so B's map merges places into grid cells."""
    from bench import generate

    rng = np.random.default_rng(3)
    actors = generate.make_actors(rng, 300)
    places = generate.make_locations(rng, 900).assign(kind="city")
    at = list(places["location_id"][:700]) * 2 + list(places["location_id"][700:])
    dates = ["2004-06-01"] * 700 + ["2006-06-01"] * 900
    events = pd.DataFrame({
        "event_id": [f"e{i:05d}" for i in range(len(at))], "event_date": dates,
        "time_precision": "day", "date_end": "", "event_type": "armed attack",
        "actor1": actors["actor_id"].iloc[0], "actor2": "", "assoc_actors": "",
        "location": at, "origin_location": "", "latitude": "", "longitude": "",
        "geo_precision": "", "claim_status": "reported", "fatalities": "0",
        "description": "Synthetic event", "source_ids": "s00", "source_locator": "synthetic"})
    folder = tmp_path_factory.mktemp("many-places") / "data"
    folder.mkdir()
    for name, frame in {"sources": generate.make_sources(), "locations": places,
                        "actors": actors, "events": events,
                        "relations": generate.make_relations(rng, actors, 50)}.items():
        frame.astype(str).to_parquet(folder / f"{name}.parquet", index=False)
    return loader.load_dataset(folder).dataset


def test_places_are_compared_one_by_one_however_each_window_draws_them(many_places):
    a = compare.Window(date(2004, 1, 1), date(2004, 12, 31))
    b = compare.Window(date(2006, 1, 1), date(2006, 12, 31))
    selection_a = selection.select(many_places, compare.within(EVERYTHING, a))
    selection_b = selection.select(many_places, compare.within(EVERYTHING, b))
    assert (selection_b.map_places()["places"] > 1).any()  # B's own map merges places
    changes = compare.place_changes(selection_a, selection_b)
    summary = compare.place_change_summary(changes)
    # no place lost an event: none is gone or fewer (cell against place, hundreds were)
    assert summary == {compare.NEW: 200, compare.MORE: 0, compare.SAME: 700, compare.FEWER: 0,
                       compare.GONE: 0}
    assert len(changes) == 900
    later = set(many_places.locations["location_id"].iloc[700:])
    assert set(changes.loc[changes["kind"] == compare.NEW, "location"]) == later
    # drawn: one grid for both windows, each cell's events summed; nothing lost anywhere, so
    # no cell is gone or fewer, and every event of each window is in some cell
    drawn = compare.shared_cells(changes)
    assert len(drawn) <= views.MAX_PLACES_DRAWN and drawn["merged"].any()
    assert not set(drawn["kind"]) & {compare.GONE, compare.FEWER}
    assert drawn["events_a"].sum() == 700 and drawn["events_b"].sum() == 900
    assert drawn["places"].sum() == 900
    frame = compare.place_change_frame(drawn)
    assert set(frame["key"]) <= {compare.NEW, compare.MORE, compare.SAME}


def test_few_places_are_drawn_one_by_one(ds, windows):
    _, a, b = windows
    changes = compare.place_changes(selection.select(ds, compare.within(EVERYTHING, a)),
                                    selection.select(ds, compare.within(EVERYTHING, b)))
    pd.testing.assert_frame_equal(compare.shared_cells(changes), changes)


# --------------------------------------------------------------------------------------------
# How many windows are offered


def periods_frame(n: int) -> pd.DataFrame:
    """n consecutive one-month periods from January 2000."""
    starts = pd.date_range("2000-01-01", periods=n, freq="MS")
    return pd.DataFrame({"period_id": [f"p{i:03d}" for i in range(n)],
                         "label": [f"Month {i}" for i in range(n)],
                         "period_start": starts, "period_end": starts + pd.offsets.MonthEnd(0)})


def test_runs_of_periods_are_capped():
    few = compare.presets(periods_frame(12), date(2000, 1, 1), date(2000, 12, 31))
    runs = [k for k in few if compare.RUN_SEPARATOR in k]
    # runs of two to six periods: 11 + 10 + 9 + 8 + 7
    assert len(runs) == 45 and "p000..p005" in few and "p000..p006" not in few
    assert few["p000..p005"] == compare.Window(date(2000, 1, 1), date(2000, 6, 30),
                                               "Month 0 to Month 5")
    assert len(few) == 12 + 45 + len(compare.HALVES)
    many = compare.presets(periods_frame(200), date(2000, 1, 1), date(2016, 8, 31))
    assert len(many) == 200 + len(compare.HALVES)  # each period alone, and the halves
    assert not [k for k in many if compare.RUN_SEPARATOR in k]


def test_the_default_b_is_a_run_that_is_offered():
    periods = periods_frame(12)
    offered = compare.presets(periods, date(2000, 1, 1), date(2000, 12, 31))
    a, b = compare.default_keys(periods, offered, pd.Series({2000: 50}))
    assert (a, b) == ("p000", "p001..p006")  # B: the longest run offered after A
    assert a in offered and b in offered
    periods = periods_frame(30)
    offered = compare.presets(periods, date(2000, 1, 1), date(2002, 6, 30))
    a, b = compare.default_keys(periods, offered, pd.Series({2000: 50, 2001: 50, 2002: 20}))
    assert (a, b) == ("p000", "p001")
