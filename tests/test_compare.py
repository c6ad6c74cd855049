"""The comparison of two periods (components.compare) on the shipped data and on an imported
ACLED export: windows offered and chosen by default, relations gained, lost and kept, events
per place, headline counts, the link chart's change keys and a briefing step's windows."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest

from components import (compare, filters, geography, importers, linkchart, loader, network,
                        selection, views)
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


def test_changes_agree_with_each_window_asked_on_its_own(ds, windows):
    _, a, b = windows
    changes = compare.relation_changes(ds, EVERYTHING, a, b)
    in_a = relation_ids(ds, compare.within(EVERYTHING, a))
    in_b = relation_ids(ds, compare.within(EVERYTHING, b))
    by_change = changes.groupby("change")["relation_id"].apply(set).to_dict()
    assert by_change[compare.GAINED] == in_b - in_a
    assert by_change[compare.LOST] == in_a - in_b
    assert by_change[compare.KEPT] == in_a & in_b
    assert len(changes) == len(in_a | in_b)
    undated = ds.relations[(ds.relations["start_date"] == "") & (ds.relations["end_date"] == "")]
    assert set(undated["relation_id"]) <= by_change[compare.KEPT]
    assert compare.undated_relations(changes) == len(undated)


def test_under_certainly_in_the_window_an_undated_relation_is_in_neither(ds, windows):
    _, a, b = windows
    certain = filters.Filters(date_rule=filters.WITHIN)
    changes = compare.relation_changes(ds, certain, a, b)
    assert "r-002" not in set(changes["relation_id"])
    assert compare.undated_relations(changes) == 0


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
    assert row["change"] == compare.GAINED and row["period"] == "2006-06 to 2007-03-20"


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

        def map_places(self):
            return pd.DataFrame({
                "location": list(self.counts), "name": [p.title() for p in self.counts],
                "lat": [33.0] * len(self.counts), "lon": [44.0] * len(self.counts),
                "events": list(self.counts.values()), "places": [1] * len(self.counts),
                "precision": ["exact"] * len(self.counts)})

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
    table = compare.headline_changes(compare.headline_for(ds, EVERYTHING, a),
                                     compare.headline_for(ds, EVERYTHING, b)).set_index("measure")
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
    view = views.map_view_bounds(places, 860, 520)
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
    table = compare.headline_changes(compare.headline_for(acled, EVERYTHING, a),
                                     compare.headline_for(acled, EVERYTHING, b))
    assert table["A"].sum() > 0 and table["B"].sum() > 0
    drawn = compare.place_change_frame(changes.reset_index())
    assert set(drawn["key"]) <= set(compare.PLACE_CHANGES)


def test_narrowing_an_acled_comparison_by_event_type(acled):
    options = selection.filter_options(acled)
    offered = compare.presets(acled.periods, options.date_min, options.date_max)
    a, b = offered[compare.HALVES[0]], offered[compare.HALVES[1]]
    kind = acled.events["event_type"].value_counts().index[0]
    narrowed = dataclasses.replace(EVERYTHING, event_types=(kind,))
    table = compare.headline_changes(compare.headline_for(acled, narrowed, a),
                                     compare.headline_for(acled, narrowed, b)).set_index("measure")
    of_kind = acled.events[acled.events["event_type"] == kind]
    assert table.loc["Events", "A"] + table.loc["Events", "B"] == len(of_kind)
