"""AppTest: the grade is shown on every page and the sidebar's "at least" grade narrows every
page; the two date rules; events without a date. Assertions are on what the charts and tables
receive, against counts worked out from the loaded data."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from components import filters as f
from components import grades, loader
from tests.apptest_helpers import (
    all_rows,
    chart_titled,
    deck_layers,
    echarts_option,
    echarts_titled,
    graph_links,
    graph_relations,
    run_app,
)

GRADED = {"min_cred": "2"}  # probably true or better


@pytest.fixture(scope="module")
def dataset():
    loaded = loader.load_dataset().dataset
    return loaded


def meets(frame: pd.DataFrame, min_reliability: str = "", min_credibility: str = "2"):
    return frame[grades.meets(frame["grade"].astype(object), min_reliability, min_credibility)]


def page_text(at) -> str:
    """The page's markdown as read, without the escapes that keep data text from being read
    as markdown."""
    return " ".join(m.value for m in at.markdown).replace("\\", "")


def map_rows(at) -> list[dict]:
    if not at.get("deck_gl_json_chart"):
        return []  # no map drawn: nothing to place
    layers = deck_layers(at)
    return layers.get("places", []) + layers.get("regions", [])


def timeline_marks(at) -> pd.DataFrame:
    rows = all_rows(chart_titled(at, "Timeline"))
    return rows.dropna(subset=["event_id"])


def network_edges(at) -> pd.DataFrame:
    return network_edges_titled(at, "Actor network")


def network_edges_titled(at, title: str) -> pd.DataFrame:
    """Every relation the network chart carries (its lines merge a pair's relations)."""
    return graph_relations(echarts_titled(at, title))


def test_the_shipped_record_is_graded_unevenly(dataset):
    """The pages below are only a test of the grade filter if it hides something."""
    for frame in (dataset.events, dataset.relations):
        kept = meets(frame)
        assert 0 < len(kept) < len(frame)


def test_the_grade_filter_narrows_the_overview(dataset):
    at = run_app(params=GRADED)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Events"] == str(len(meets(dataset.events)))
    placed = meets(dataset.events).dropna(subset=["lat"])
    assert sum(r["events"] for r in map_rows(at)) == len(placed)
    edges = network_edges(at)
    assert len(edges) and edges["grade"].str[1].le("2").all()
    marks = timeline_marks(at)
    assert len(marks) and marks["grade"].str[1].le("2").all()
    expected = set(meets(dataset.events).dropna(subset=["span_start"])["event_id"])
    assert set(marks["event_id"]) == expected


def test_the_grade_filter_is_a_chip_that_removes_itself():
    at = run_app(params={"min_rel": "B", "min_cred": "2"})
    chip = next(b for b in at.button if b.label.startswith("Grade: B2 or better"))
    chip.click().run()
    assert at.selectbox(key="min_rel").value == "any"
    assert at.selectbox(key="min_cred").value == "any"
    assert not any(b.label.startswith("Grade:") for b in at.button)


def test_map_tooltips_carry_the_grade_and_the_map_colours_by_grade(dataset):
    at = run_app("app_pages/map.py", params={"map_colour": "grade"})
    rows = map_rows(at)
    assert rows and all(r["key"] in grades.GRADE_BANDS for r in rows)
    assert all(any(g in r["tooltip"] for g in set(dataset.events["grade"])) for r in rows)
    legend = " ".join(m.value for m in at.markdown)
    assert "strong (A-B and 1-2)" in legend


def test_the_network_colours_relations_by_grade():
    at = run_app("app_pages/network.py", params={"edge_colour": "grade"})
    chart = echarts_titled(at, "Actor network")
    legend = " ".join(m.value for m in at.markdown)
    assert "Relations: grade band" in legend and "the weakest grade" in legend
    lines = graph_links(chart)
    assert set(lines["colour_key"]) <= set(grades.GRADE_BANDS)
    # a line joining several relations is coloured by the weakest grade band among them
    for line in lines.itertuples():
        bands = [grades.grade_band(r["grade"]) for r in line.relations]
        assert line.colour_key == max(bands, key=list(grades.GRADE_BANDS).index)
    tooltips = json.dumps([link["tooltip"] for link in echarts_option(chart)["series"][0]["links"]])
    assert "grade B2" in tooltips  # each relation's grade in the tooltip


def test_the_timeline_tooltip_names_the_grade(dataset):
    at = run_app("app_pages/timeline.py")
    spec = json.dumps(json.loads(chart_titled(at, "Timeline").proto.spec))
    assert '"field": "grade"' in spec and "Grade (source, credibility)" in spec
    marks = timeline_marks(at).set_index("event_id")
    expected = dataset.events.set_index("event_id")["grade"].astype(str)
    assert (marks["grade"] == expected.reindex(marks.index)).all()


def test_the_actor_page_shows_grades_and_follows_the_grade_filter(dataset):
    at = run_app("app_pages/actor.py", params={"actor": "irgc-qf"})
    table = at.dataframe[0].value
    assert "grade" in table.columns and table["grade"].str.match(r"^[A-F][1-6]$").all()
    every = len(table)
    at = run_app("app_pages/actor.py", params={"actor": "irgc-qf", **GRADED})
    narrowed = at.dataframe[0].value if len(at.dataframe) > 1 else pd.DataFrame()
    relations = dataset.relations
    touching = relations[(relations["source"] == "irgc-qf") | (relations["target"] == "irgc-qf")]
    assert len(narrowed) == len(meets(touching)) < every
    assert any("hidden, as the sidebar's grade filter asks" in c.value for c in at.caption)
    links = [link.label for link in at.get("page_link") if "grade" in link.label]
    assert links and all(label.split("grade ")[-1][1] <= "2" for label in links)


def test_the_event_page_shows_the_grade_and_warns_below_the_filter(dataset):
    weak = dataset.events[dataset.events["grade"].astype(str).str[1] > "2"].iloc[0]
    at = run_app("app_pages/event.py", params={"event": weak["event_id"]})
    assert grades.grade_words(weak["grade"]) in page_text(at)
    at = run_app("app_pages/event.py", params={"event": weak["event_id"], **GRADED})
    assert any("graded below" in w.value for w in at.warning)


def test_the_claims_page_shows_and_filters_by_the_subjects_grade(dataset):
    at = run_app("app_pages/claims.py")
    subjects = [h.value for h in at.subheader]
    assert any("The record itself is graded" in c.value for c in at.caption)
    at = run_app("app_pages/claims.py", params=GRADED)
    assert len([h.value for h in at.subheader]) < len(subjects)
    assert any("Narrowed by the sidebar's filters" in c.value for c in at.caption)
    shown = [c.value for c in at.caption if c.value.startswith("The record itself is graded")]
    assert shown and all(words.split("graded ")[1][1] in "12" for words in shown)


def test_the_briefing_follows_the_grade_filter(dataset):
    at = run_app("app_pages/briefing.py", params={"step": "8"})
    every = {r["location"] for r in map_rows(at)}
    counted = sum(r["events"] for r in map_rows(at))
    assert counted
    at = run_app("app_pages/briefing.py", params={"step": "8", **GRADED})
    assert any("Only records graded credibility 2 or better" in c.value for c in at.caption)
    graded_rows = map_rows(at)
    assert sum(r["events"] for r in graded_rows) < counted
    assert {r["location"] for r in graded_rows} <= every


def test_the_ego_network_follows_the_grade_filter(dataset):
    relations = dataset.relations
    touching = relations[(relations["source"] == "irgc-qf") | (relations["target"] == "irgc-qf")]
    at = run_app("app_pages/actor.py", params={"actor": "irgc-qf", **GRADED})
    ego = network_edges_titled(at, "Within 1 relation")
    assert set(ego["relation_id"]) == set(meets(touching)["relation_id"])
    assert len(ego) < len(touching)


def test_the_actor_heading_counts_graded_events(dataset):
    events = dataset.events
    named = events[(events["actor1"] == "irgc-qf") | (events["actor2"] == "irgc-qf")
                   | events["assoc_actors"].map(lambda a: "irgc-qf" in a)]
    graded = meets(named)
    assert 0 < len(graded) < len(named)
    at = run_app("app_pages/actor.py", params={"actor": "irgc-qf", **GRADED})
    heading = next(h.value for h in at.subheader if h.value.startswith("Events"))
    assert heading == f"Events ({len(graded)})"
    hidden = len(named) - len(graded)
    assert any(c.value.startswith(f"{hidden} event") and "hidden" in c.value for c in at.caption)


def test_the_data_page_shows_the_grade():
    at = run_app("app_pages/data.py")
    shown = next(df.value for df in at.dataframe if "event_id" in df.value.columns)
    assert "grade" in shown.columns and shown["grade"].str.match(r"^[A-F][1-6]$").all()


def test_certainly_in_the_window_narrows_the_timeline(dataset):
    window = (date(2006, 6, 1), date(2007, 12, 31))
    at = run_app("app_pages/timeline.py")
    at.date_input(key="dates").set_value(window).run()
    possibly = set(timeline_marks(at)["event_id"])
    at.radio(key="date_rule").set_value(f.DATE_RULES[f.WITHIN]).run()
    certainly = timeline_marks(at)
    assert set(certainly["event_id"]) < possibly
    assert (pd.to_datetime(certainly["start"]) >= pd.Timestamp(window[0])).all()
    assert (pd.to_datetime(certainly["end"]) <= pd.Timestamp(window[1]) + pd.Timedelta(days=1)).all()
    assert any(b.label.startswith("Date rule: certainly in the window") for b in at.button)


def test_the_timeline_says_how_many_events_have_no_date(dataset):
    undated = int(dataset.events["span_start"].isna().sum())
    assert undated > 0
    at = run_app("app_pages/timeline.py")
    assert undated > 1
    assert any(f"{undated:,} matching events have no date" in c.value for c in at.caption)
    assert not set(dataset.events.loc[dataset.events["span_start"].isna(), "event_id"]) & set(
        timeline_marks(at)["event_id"])


def test_a_date_note_is_shown_where_the_date_is(dataset):
    noted = dataset.events[dataset.events["date_note"] != ""].iloc[0]
    at = run_app("app_pages/event.py", params={"event": noted["event_id"]})
    assert noted["date_note"] in page_text(at)
    marks = timeline_marks(run_app("app_pages/timeline.py")).set_index("event_id")
    dated_notes = dataset.events[(dataset.events["date_note"] != "")
                                 & dataset.events["span_start"].notna()]
    assert len(dated_notes)
    for row in dated_notes.itertuples():
        assert row.date_note in marks.loc[row.event_id, "date_text"]
    # the labels that list events (actor page, event picker, briefing evidence) and Find
    at = run_app("app_pages/actor.py", params={"actor": "special-groups"})
    labels = [link.label for link in at.get("page_link")]
    assert any("[ISW's date; the public record has 14 November 2006" in label
               for label in labels), labels
