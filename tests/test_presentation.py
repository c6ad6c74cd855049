"""Slides and exports fit for a general: no internal file paths, no raw ids, headers in words,
the evidence a step rests on in words."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.conftest import DATA

PATH = re.compile(r"\.\./|/shared/|\b\w+\.txt\b")


def test_no_shipped_text_names_an_internal_file():
    for name in ("sources", "events", "relations", "actors", "claims", "briefing"):
        frame = pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)
        for column in frame.columns:
            hits = frame[column].str.contains(PATH)
            assert not hits.any(), (name, column, list(frame.loc[hits, column])[:2])


RAW_ID = re.compile(r"\b(?:ev|r|c)-\d{3}\b")


def test_a_steps_evidence_reads_in_words_without_ids():
    from components import loader, profiles

    dataset = loader.load_dataset().dataset
    step = dataset.briefing.iloc[5]  # January 2007: Irbil and Karbala
    table = profiles.evidence_rows(dataset, step["evidence"])
    assert len(table) == len(step["evidence"])
    assert set(table["kind"]) == {"event", "claim"}
    assert not table["what it says"].str.contains(RAW_ID).any()
    assert list(table.columns) == ["kind", "what it says", "claim status or stance", "grade",
                                   "sources"]


def test_an_unknown_evidence_id_is_left_out_not_a_crash():
    from components import loader, profiles

    dataset = loader.load_dataset().dataset
    table = profiles.evidence_rows(dataset, ("ev-037", "no-such-id"))
    assert len(table) == 1


def test_the_briefing_report_tables_have_headers_in_words_and_no_ids():
    from components import loader, views
    from components.ui import briefing_ui

    dataset = loader.load_dataset().dataset
    events = views.with_event_labels(dataset.events, dataset.actors, dataset.sources)
    table = briefing_ui.report_events(events)
    assert "event_id" not in table.columns and "event page" not in table.columns
    assert all(" " in c or c.isalpha() for c in table.columns)
    assert not table.astype(str).apply(lambda col: col.str.contains(RAW_ID)).any().any()


@pytest.mark.parametrize("text,expected", [
    ("like that reorganisation (ev-026): Hezbollah", "like that reorganisation: Hezbollah"),
    ("carried out the raid (r-067, ev-038).", "carried out the raid."),
    ("camps in Iran (ev-025, disputed) do", "camps in Iran (disputed) do"),
    ("the alternative attribution, ev-038).", "the alternative attribution)."),
    ("the year is used (as ev-106).", "the year is used."),
    ("ev-043 summarises it", "a separate record summarises it"),
    ("no references here", "no references here"),
])
def test_cross_references_by_id_are_taken_out_for_an_audience(text, expected):
    from components import views

    assert views.presentable(text) == expected


def test_the_view_report_reads_in_words_without_ids():
    from components.ui import export_ui
    from components.ui.context import context_for
    from components import filters as f, loader

    folder = str(DATA)
    ctx = context_for(folder, loader.folder_fingerprint(folder), f.Filters())
    tables = export_ui.report_tables(ctx)
    assert set(tables) == {"Events", "Relations", "Actors"}
    for name, table in tables.items():
        assert not any("_" in column for column in table.columns), (name, list(table.columns))
        assert not table.astype(str).apply(lambda col: col.str.contains(RAW_ID)).any().any(), name
    assert "Special Groups" in set(tables["Relations"]["from"]) | set(tables["Relations"]["to"])


def test_the_readme_shows_the_four_views_from_the_screenshot_script():
    from tests.conftest import PROJECT

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    script = (PROJECT / "scripts" / "readme_screenshots.py").read_text(encoding="utf-8")
    for view in ("overview", "map", "network", "timeline"):
        path = f"docs/screenshot-{view}.png"
        assert f"({path})" in readme and (PROJECT / path).stat().st_size > 20_000
        assert f'"{view}"' in script


# --------------------------------------------------------------------------------------------
# A briefing step shown to an audience: no instructions, no downloads


@pytest.mark.parametrize("step", ["2", "6"])
def test_a_step_shows_no_instructions_and_no_downloads(step):
    import json

    from tests.apptest_helpers import run_app, vega_charts, vega_spec

    at = run_app("app_pages/briefing.py", params={"step": step})
    words = " ".join([str(m.value) for m in at.markdown] + [str(c.value) for c in at.caption])
    for spec in (vega_spec(chart) for chart in vega_charts(at)):
        words += " " + json.dumps(spec.get("title", ""))
    for chart in at.get("echarts_chart"):
        words += " " + chart.proto.spec if hasattr(chart.proto, "spec") else ""
    for instruction in ("Drag across", "drag across", "click an actor", "Click to filter",
                        "click it to filter", "Click a place", "hover an actor"):
        assert instruction not in words, instruction
    assert not [b for b in at.get("download_button")
                if b.label in ("PNG", "SVG", "Map PNG", "Map SVG")]
    assert len(vega_charts(at)) == 1  # the timeline alone: no strip of the whole record


def test_a_steps_own_map_view_zooms_out_for_a_shorter_map():
    from components import briefing

    view = {"latitude": 34.0, "longitude": 44.0, "zoom": 5.5}
    assert briefing.view_for_height(view, 460) == view
    assert briefing.view_for_height(view, 230) == {**view, "zoom": 4.5}  # half as tall
    assert briefing.view_for_height(None, 230) is None


def test_the_explorers_pages_keep_their_instructions():
    """The counterpart of the test above: the same charts on the Timeline and Network pages
    tell an explorer how to filter with them."""
    import json

    from tests.apptest_helpers import run_app, vega_charts, vega_spec

    timeline = run_app("app_pages/timeline.py")
    assert "Drag across" in json.dumps(vega_spec(vega_charts(timeline)[0]).get("title", ""))
    network = run_app("app_pages/network.py")
    assert "Click to filter" in network.get("echarts_chart")[0].proto.spec


def test_the_dense_timeline_drops_its_instructions_for_an_audience():
    """Past 600 events the timeline counts events per period; for an audience it too says
    nothing about dragging."""
    from components.ui import charts

    bins = pd.DataFrame({"lane": ["violence"], "category": ["violence"],
                         "start": [pd.Timestamp("2007-01-01")], "end": [pd.Timestamp("2007-02-01")],
                         "events": [700]})
    explorer = charts.timeline_density_chart(bins, "month", "Event category")
    audience = charts.timeline_density_chart(bins, "month", "Event category", instructions=False)
    assert "Drag across" in explorer["title"]["subtitle"]
    assert "Drag" not in audience["title"]["subtitle"]


def test_a_step_timeline_is_short_under_the_map_unless_its_lanes_need_room():
    from components.ui import briefing_ui

    class Step:  # the one field timeline_height reads
        def __init__(self, types):
            self.events = pd.DataFrame({"event_type": types,
                                        "span_start": pd.Timestamp("2007-01-01")})

    few = Step(["kidnapping", "capture or arrest"])
    many = Step(["kidnapping", "capture or arrest", "statement", "funding", "organisational change"])
    assert briefing_ui.timeline_height(few, True) == 258
    assert briefing_ui.timeline_height(few, False) is None
    assert briefing_ui.timeline_height(many, True) is None  # five categories: room to read them
