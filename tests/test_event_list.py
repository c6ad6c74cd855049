"""Events you can read: the matching events listed below the charts on Overview, Map and
Timeline, in words, with their grade and a link to their page."""

from __future__ import annotations

import pandas as pd
import pytest

from components import filters as f
from components import loader, views
from tests.apptest_helpers import run_app


@pytest.fixture(scope="module")
def labelled():
    dataset = loader.load_dataset().dataset
    return views.with_event_labels(dataset.events, dataset.actors, dataset.sources)


def test_the_list_reads_in_words_in_date_order(labelled):
    listed = views.event_list(labelled)
    assert list(listed.columns) == views.EVENT_LIST_COLUMNS
    # what happened comes right after the date: on a 1280-wide projector, long date notes had
    # pushed it off the table's first screen
    assert list(listed.columns[:2]) == ["when", "what happened"]
    assert len(listed) == len(labelled)
    assert not listed["actors"].str.contains(r"\b(?:irgc-qf|special-groups)\b").any()  # names
    assert listed["event page"].str.match(r"^event\?event=ev-\d{3}$").all()
    dated = labelled.dropna(subset=["span_start"]).sort_values(["span_start", "event_id"])
    assert list(listed["when"].iloc[:len(dated)]) == [views.presentable(t) for t in
                                                       dated["date_text"].astype(str)]
    assert (listed["when"].iloc[len(dated):] .str.startswith("undated")).all()
    assert listed["grade"].str.match(r"^[A-F][1-6]$").all()


@pytest.mark.parametrize("text,limit,expected", [
    ("short enough", 40, "short enough"),
    ("one two three four five", 12, "one two …"),
    ("  spaced\n  out   words ", 40, "spaced out words"),
])
def test_descriptions_are_cut_at_a_word(text, limit, expected):
    assert views.short_text(text, limit) == expected


def listed_frame(at) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "event page" in df.value.columns)


@pytest.mark.parametrize("page", [None, "app_pages/map.py", "app_pages/timeline.py"])
def test_overview_map_and_timeline_list_the_matching_events(page, labelled):
    at = run_app(page, params={"event_types": "kidnapping"})
    kidnappings = labelled[labelled["event_type"] == "kidnapping"]
    table = listed_frame(at)
    assert len(table) == len(kidnappings) > 0
    assert set(table["type"]) == {"kidnapping"}
    assert list(table.columns[:2]) == ["when", "what happened"]
    assert set(table["event page"]) == {f"event?event={e}" for e in kidnappings["event_id"]}
    heading = [h.value for h in at.subheader if h.value.startswith("The matching events")]
    assert heading == [f"The matching events ({len(kidnappings)})"]


def test_the_list_is_paged():
    at = run_app()
    table = listed_frame(at)
    total = len(loader.load_dataset().dataset.events)
    assert len(table) == min(total, 25)
    pages = at.number_input(key="overview_events")
    assert pages.max == -(-total // 25)
    pages.set_value(2).run()
    assert listed_frame(at)["when"].iloc[0] != table["when"].iloc[0]


def test_the_list_pages_through_every_matching_event_in_date_order(labelled):
    """Each page is the query layer's next rows: together, every event once, by start date
    (undated last), then by file row."""
    at = run_app()
    pages = at.number_input(key="overview_events")
    seen = []
    for page in range(1, int(pages.max) + 1):
        at.number_input(key="overview_events").set_value(page).run()
        seen += [link.removeprefix("event?event=") for link in listed_frame(at)["event page"]]
    expected = labelled.sort_values(["span_start", loader.ROW], na_position="last")
    assert seen == list(expected["event_id"])


def test_events_on_the_same_day_in_one_lane_are_two_marks_apart(labelled):
    events = labelled
    day = events[events["time_precision"] == "day"].iloc[[0]]
    twin = day.assign(event_id="ev-twin", description="A second event on that day.")
    marks = views.timeline_marks(pd.concat([day, twin, events.iloc[[5]]]))
    same = marks[marks["event_id"].isin([day["event_id"].iloc[0], "ev-twin"])]
    assert len(same) == 2 and same["start"].nunique() == 1
    assert sorted(same["slot"]) == [0, 2]  # above and below the lane's middle
    assert (marks[~marks["event_id"].isin(same["event_id"])]["slot"] == 1).all()  # on it


def test_timeline_tooltips_are_cut_at_a_word_not_mid_word(labelled):
    events = labelled
    marks = views.timeline_marks(events)
    long = marks[marks["label"].str.endswith("…")]
    assert len(long)  # the record has descriptions longer than a tooltip line
    for label, event_id in zip(long["label"], long["event_id"]):
        full = " ".join(events.loc[events["event_id"] == event_id, "description"].iloc[0].split())
        kept = label.removesuffix(" …")
        assert full.startswith(kept) and full[len(kept)] in " ,;:", label  # a word ends there
