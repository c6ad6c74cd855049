"""Grades (source reliability + information credibility), the two date rules and undated
events, in the core: loader, filters, views, importers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from components import filters as f
from components import grades, importers, loader, selection, views
from tests.conftest import read_rows, set_cell, shared_path, write_rows


# --------------------------------------------------------------------------------------------
# The grade itself


def test_a_record_takes_the_best_letter_of_the_sources_it_cites():
    letters = {"isw": "B", "enc": "C", "blog": "E"}
    assert grades.best_reliability(("enc", "isw"), letters) == "B"
    assert grades.best_reliability(("blog",), letters) == "E"
    assert grades.best_reliability(("unknown",), letters) == "F"
    assert grades.best_reliability((), letters) == "F"


def test_an_empty_credibility_is_graded_cannot_be_judged():
    assert grades.grade("B", "2") == "B2"
    assert grades.grade("B", "") == "B6"
    assert grades.grade("", "3") == "F3"


@pytest.mark.parametrize("value,band", [
    ("A1", "strong"), ("B2", "strong"), ("B3", "fair"), ("C1", "fair"),
    ("C4", "weak"), ("E2", "weak"), ("B6", "not judged"), ("F1", "not judged"),
    ("", "not judged"),
])
def test_a_grade_band_is_the_weaker_half_of_the_grade(value, band):
    assert grades.grade_band(value).startswith(band)


def test_at_least_keeps_grades_as_good_or_better_in_both_halves():
    values = pd.Series(["A1", "B2", "B4", "C2", "F6"])
    assert list(values[grades.meets(values, "B", "")]) == ["A1", "B2", "B4"]
    assert list(values[grades.meets(values, "", "2")]) == ["A1", "B2", "C2"]
    assert list(values[grades.meets(values, "B", "2")]) == ["A1", "B2"]
    assert grades.meets(values, "", "").all()


def test_grade_words_spell_out_both_halves():
    assert grades.grade_words("B2") == "B2: usually reliable source; probably true"


# --------------------------------------------------------------------------------------------
# Loaded data


def test_every_shipped_event_and_relation_has_a_grade_from_its_sources(tmp_path):
    dataset = loader.load_dataset().dataset
    letters = dict(zip(dataset.sources["source_id"], dataset.sources["reliability"]))
    for frame in (dataset.events, dataset.relations):
        assert frame["grade"].notna().all()
        for row in frame.itertuples():
            expected = grades.grade(grades.best_reliability(row.source_ids, letters),
                                    row.credibility)
            assert row.grade == expected


def test_a_credibility_outside_1_to_6_is_a_warning_naming_the_cell(data_copy):
    row = set_cell(data_copy / "relations.csv", 0, "credibility", "7")
    result = loader.load_dataset(data_copy)
    hits = [p for p in result.problems if p.file == "relations.csv" and p.row == row
            and p.column == "credibility"]
    assert hits, [p.sentence() for p in result.problems]


def labelled(dataset):
    import dataclasses
    return dataclasses.replace(dataset, events=views.with_event_labels(
        dataset.events, dataset.actors, dataset.sources))


@pytest.fixture
def graded(data_copy):
    """The shipped folder with known credibilities: ev rows 0-9 graded 1, the rest 4; the
    first ten relations 2, the rest 5."""
    for name, first, rest in (("events.csv", "1", "4"), ("relations.csv", "2", "5")):
        rows = read_rows(data_copy / name)
        column = rows[0].index("credibility")
        for i, row in enumerate(rows[1:]):
            row[column] = first if i < 10 else rest
        write_rows(data_copy / name, rows)
    return labelled(loader.load_dataset(data_copy).dataset)


def test_the_grade_filter_narrows_events_and_relations(graded):
    chosen = f.Filters(min_credibility="2")
    events = selection.matching_events(graded, chosen)
    assert len(events) == 10 and set(events["grade"].astype(str).str[1]) == {"1"}
    relations, _ = selection.filtered(graded, chosen)
    assert 0 < len(relations) <= 10
    assert set(relations["grade"].str[1]) == {"2"}
    # the letter half: the encyclopedia (C) alone is not "B or better"
    only_b = selection.matching_events(graded, f.Filters(min_reliability="B"))
    assert len(only_b) and (only_b["grade"].astype(str).str[0] <= "B").all()
    assert len(only_b) < len(graded.events)


def test_the_grade_filter_is_a_removable_chip(graded):
    chosen = f.Filters(min_reliability="B", min_credibility="3")
    assert ("grade", "B3 or better") in chosen.active()
    cleared = chosen.without("grade")
    assert (cleared.min_reliability, cleared.min_credibility) == ("", "")


def test_map_can_be_coloured_by_grade(graded):
    places = selection.select(graded, f.Filters()).map_places("grade")
    assert set(places["key"]) <= set(grades.GRADE_BANDS)
    assert len(set(places["key"])) >= 2


def test_map_tooltips_carry_the_grade(graded):
    places = selection.select(graded, f.Filters()).map_places()
    assert places["tooltip"].str.contains(r"· [A-F][1-6]", regex=True).all()


# --------------------------------------------------------------------------------------------
# Date rules


def year_only_event(data_copy, year: str = "2006") -> str:
    rows = read_rows(data_copy / "events.csv")
    header = rows[0]
    rows[1][header.index("event_date")] = year
    rows[1][header.index("time_precision")] = "year"
    rows[1][header.index("date_end")] = ""
    write_rows(data_copy / "events.csv", rows)
    return rows[1][header.index("event_id")]


def test_possibly_in_the_window_keeps_an_overlapping_year(data_copy):
    event_id = year_only_event(data_copy)
    dataset = labelled(loader.load_dataset(data_copy).dataset)
    half_year = f.Filters(date_from=date(2006, 6, 1), date_to=date(2006, 12, 31))
    assert event_id in set(selection.matching_events(dataset, half_year)["event_id"])


def test_certainly_in_the_window_needs_the_whole_span_inside(data_copy):
    event_id = year_only_event(data_copy)
    dataset = labelled(loader.load_dataset(data_copy).dataset)
    half_year = f.Filters(date_from=date(2006, 6, 1), date_to=date(2006, 12, 31),
                          date_rule=f.WITHIN)
    whole_year = f.Filters(date_from=date(2006, 1, 1), date_to=date(2006, 12, 31),
                           date_rule=f.WITHIN)
    assert event_id not in set(selection.matching_events(dataset, half_year)["event_id"])
    assert event_id in set(selection.matching_events(dataset, whole_year)["event_id"])
    kept = selection.matching_events(dataset, half_year)
    assert (kept["span_start"] >= pd.Timestamp("2006-06-01")).all()
    assert (kept["span_end"] <= pd.Timestamp("2006-12-31")).all()


def test_certainly_in_the_window_leaves_out_relations_without_dates():
    dataset = labelled(loader.load_dataset().dataset)
    window = dict(date_from=date(2003, 1, 1), date_to=date(2008, 12, 31))
    possibly = f.filter_relations(dataset, f.Filters(**window))
    certainly = f.filter_relations(dataset, f.Filters(**window, date_rule=f.WITHIN))
    assert possibly["period_start"].isna().any()
    assert certainly["period_start"].notna().all() and certainly["period_end"].notna().all()
    assert set(certainly["relation_id"]) < set(possibly["relation_id"])


def test_the_certain_rule_is_a_chip_only_with_a_window():
    assert ("date_rule", "certainly in the window") not in f.Filters(date_rule=f.WITHIN).active()
    chosen = f.Filters(date_from=date(2006, 1, 1), date_rule=f.WITHIN)
    assert ("date_rule", "certainly in the window") in chosen.active()
    assert chosen.without("date_rule").date_rule == f.OVERLAPS


# --------------------------------------------------------------------------------------------
# Undated events


@pytest.fixture
def with_undated(data_copy):
    rows = read_rows(data_copy / "events.csv")
    header = rows[0]
    new = dict(zip(header, rows[1]))
    new.update(event_id="ev-undated", event_date="", time_precision="", date_end="",
               date_note="", location="basra", geo_precision="exact",
               description="A test event whose source gives no date.")
    rows.append([new[column] for column in header])
    write_rows(data_copy / "events.csv", rows)
    result = loader.load_dataset(data_copy)
    return result, labelled(result.dataset)


def test_an_event_without_a_date_loads_without_a_problem(with_undated):
    result, dataset = with_undated
    assert not [p for p in result.problems if p.file == "events.csv"], result.problems
    row = dataset.events.set_index("event_id").loc["ev-undated"]
    assert pd.isna(row["span_start"]) and row["date_text"] == "undated"


def test_an_undated_event_is_on_the_map_but_not_the_timeline(with_undated):
    _, dataset = with_undated
    chosen = selection.select(dataset, f.Filters())
    assert chosen.facts["events"] - chosen.facts["dated"] >= 1
    listed = chosen.listed_events(selection.LISTED_ROWS)
    assert "ev-undated" in set(listed["event_id"])  # listed, so left off the timeline below
    assert "ev-undated" not in set(views.timeline_marks(listed)["event_id"])
    basra = chosen.map_places().set_index("location").loc["basra"]
    assert "undated" in basra["tooltip"]


def test_a_date_window_leaves_undated_events_out_under_either_rule(with_undated):
    _, dataset = with_undated
    for rule in f.DATE_RULES:
        chosen = f.Filters(date_from=date(1970, 1, 1), date_to=date(2030, 1, 1), date_rule=rule)
        assert "ev-undated" not in set(selection.matching_events(dataset, chosen)["event_id"])


def test_a_date_note_is_shown_beside_the_date():
    assert views.date_text("2006-11-15", "day", "", "the public record has 14 Nov 2006") == (
        "15 Nov 2006 [the public record has 14 Nov 2006]")
    assert views.date_text("2006-11-15", "day") == "15 Nov 2006"


# --------------------------------------------------------------------------------------------
# Importers


@pytest.mark.parametrize("sources,vague,expected", [
    (2, False, "2"), (3, True, "3"), (1, False, "3"), (1, True, "4"), (None, False, "3"),
    (0, False, "6"),
])
def test_imported_credibility_counts_sources_and_vagueness(sources, vague, expected):
    assert importers.imported_credibility(sources, vague) == expected


def test_acled_rows_are_graded_from_their_sources():
    result = importers.import_file(shared_path("realdata", "acled_2022_iraq.csv"))
    raw = pd.read_csv(shared_path("realdata", "acled_2022_iraq.csv"), dtype=str,
                      keep_default_na=False)
    events = result.events.set_index("event_id")
    for row in raw.itertuples():
        named = len([s for s in row.source.split(";") if s.strip()])
        vague = row.time_precision == "3" or row.geo_precision == "3"
        assert events.loc[row.event_id_cnty, "credibility"] == importers.imported_credibility(
            named, vague)
    assert set(events["credibility"]) >= {"2", "3"}


def test_ucdp_rows_are_graded_from_number_of_sources_and_clarity():
    path = shared_path("realdata", "ucdp_ged_sample.csv")
    result = importers.import_file(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("id")
    events = result.events.set_index("event_id")
    checked = 0
    for event_id, credibility in events["credibility"].items():
        source = raw.loc[event_id.removeprefix("ged-")]
        count = int(source["number_of_sources"])
        vague = (source["event_clarity"] == "2" or int(source["date_prec"]) >= 4
                 or int(source["where_prec"]) >= 4)
        assert credibility == importers.imported_credibility(count if count >= 1 else None,
                                                             vague)
        checked += 1
    assert checked > 100


def test_an_imported_folder_loads_with_grades(tmp_path):
    result = importers.import_file(shared_path("realdata", "ucdp_ged_sample_iraq.csv"))
    importers.write_folder(result, tmp_path / "imported")
    dataset = loader.load_dataset(tmp_path / "imported").dataset
    assert set(dataset.events["grade"].astype(str)) <= {f"F{n}" for n in "123456"}
    assert dataset.events["grade"].astype(str).str[1].isin(["2", "3", "4"]).all()


# --------------------------------------------------------------------------------------------
# Review findings: linked actors, Parquet numbers, labels


def test_linked_actors_come_only_through_relations_the_grade_keeps(graded):
    chosen = f.Filters(actors=("kh",), include_linked=True, min_credibility="2")
    kept = f.relations_in_scope(graded, chosen)
    assert set(kept["grade"].str[1]) <= {"1", "2"}
    touching = kept[(kept["source"] == "kh") | (kept["target"] == "kh")]
    expected = {"kh"} | set(touching["source"]) | set(touching["target"])
    assert f.expanded_actor_set(graded, chosen) == expected
    every = f.expanded_actor_set(graded, f.Filters(actors=("kh",), include_linked=True))
    assert expected < every  # the weaker relations no longer bring their actors in


def test_linked_actors_follow_the_claim_status_filter_too():
    dataset = loader.load_dataset().dataset
    chosen = f.Filters(actors=("irgc-qf",), include_linked=True, claim_statuses=("confirmed",))
    linked = f.expanded_actor_set(dataset, chosen)
    relations = dataset.relations
    confirmed = relations[(relations["claim_status"] == "confirmed")
                          & ((relations["source"] == "irgc-qf")
                             | (relations["target"] == "irgc-qf"))]
    assert linked == {"irgc-qf"} | set(confirmed["source"]) | set(confirmed["target"])


def test_a_parquet_credibility_column_with_gaps_keeps_its_grades(data_copy):
    events = pd.read_csv(data_copy / "events.csv", dtype=str, keep_default_na=False)
    numbers = pd.to_numeric(events["credibility"]).astype(float)
    numbers.iloc[0] = float("nan")  # a gap makes a writer store whole numbers as floats
    events["credibility"] = numbers
    events.to_parquet(data_copy / "events.parquet", index=False)
    (data_copy / "events.csv").unlink()
    result = loader.load_dataset(data_copy)
    assert not [p for p in result.problems if p.column == "credibility"], result.problems
    loaded = result.dataset.events
    assert loaded["credibility"].iloc[0] == ""
    assert list(loaded["credibility"].iloc[1:]) == [str(int(v)) for v in numbers.iloc[1:]]
    assert loaded["grade"].astype(str).iloc[0].endswith("6")


def test_event_labels_and_find_hits_carry_the_date_note():
    from components import profiles, search

    dataset = loader.load_dataset().dataset
    row = dataset.events.set_index("event_id").loc["ev-035"]
    assert row["date_note"] and row["date_note"] in profiles.event_label(row)
    hits = search.search(search.build_index(dataset), "Ministry of Education kidnapping")
    label = hits.loc[hits["id"] == "ev-035", "label"].iloc[0]
    assert row["date_note"] in label and f"({row['grade']})" in label


def test_an_undated_event_label_says_so():
    from components import profiles

    dataset = loader.load_dataset().dataset
    undated = dataset.events[dataset.events["event_date"] == ""].iloc[0]
    assert profiles.event_label(undated).startswith("undated")
    details = profiles.event_details(dataset, undated["event_id"])
    assert profiles.event_heading(details).endswith("date not given")


@pytest.mark.parametrize("status,credibility,words", [
    ("disputed", "1", "more certain than the row's claim status"),
    ("alleged", "3", "more certain than the row's claim status"),
    ("confirmed", "4", "less certain than 'confirmed'"),
])
def test_a_credibility_at_odds_with_the_status_is_a_warning(data_copy, status, credibility,
                                                           words):
    for name in ("events.csv", "relations.csv"):
        set_cell(data_copy / name, 0, "claim_status", status)
        row = set_cell(data_copy / name, 0, "credibility", credibility)
        result = loader.load_dataset(data_copy)
        hits = [p for p in result.problems if p.file == name and p.row == row
                and p.column == "credibility" and words in p.problem]
        assert hits, [p.sentence() for p in result.problems]
        assert len(result.dataset.table(name.removesuffix(".csv"))) > 0  # the row is kept
