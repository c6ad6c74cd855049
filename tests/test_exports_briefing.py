"""Exports (images, tables, the report) and briefings as data, in the core."""

from __future__ import annotations

import io
from pathlib import Path
import json
from datetime import date

import openpyxl
import pandas as pd
import pytest

from components import briefing, datastore, exports, loader, selection, views
from components.filters import Filters
from components.ui import charts
from tests.conftest import DATA, shared_path

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def ds():
    return loader.load_dataset(DATA).dataset


@pytest.fixture(scope="module")
def labelled(ds):
    return views.with_event_labels(ds.events, ds.actors, ds.sources)


# ---------------------------------------------------------------------------------------------
# Tables


def test_formula_cells_are_neutralised_in_csv_and_excel():
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "plain"],
                          "count": [1, 2, 3, 4, 5]})
    text = exports.csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text and "'-2" in text and "'@SUM" in text
    assert "\nplain," in text
    book = openpyxl.load_workbook(io.BytesIO(exports.excel_bytes({"events": frame})))
    cells = [row[0].value for row in book["events"].iter_rows(min_row=2)]
    assert cells == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "plain"]
    assert [row[1].value for row in book["events"].iter_rows(min_row=2)] == [1, 2, 3, 4, 5]


def test_flatten_joins_lists_and_drops_helpers(ds):
    flat = exports.flatten(ds.events, drop={"span_start"})
    assert "_row" not in flat and "span_start" not in flat
    assert flat["source_ids"].str.contains("isw").any()


# ---------------------------------------------------------------------------------------------
# Images


def test_charts_export_as_png_and_svg(labelled, ds):
    marks = views.timeline_marks(labelled)
    spec = charts.to_spec(charts.timeline_chart(marks, views.periods_in_range(
        ds.periods, marks["start"].min(), marks["end"].max()), "Event category"))
    png = exports.chart_png(spec, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = exports.chart_svg(spec)
    assert "<svg" in svg and "Timeline" in svg
    assert spec["width"] == "container"  # the on-screen spec is untouched


def test_static_map_has_places_arcs_and_outlines(ds):
    everything = selection.select(ds, Filters())
    places, arcs = everything.map_places(), everything.map_arcs()
    view = views.map_view_bounds(places, 1000, 640, arcs)
    outlines = json.loads(shared_path("geo", "iraq_admin1.json").read_text())
    spec = exports.static_map_spec(places, arcs, view, outlines, "event category")
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks[0] == "geoshape" and "rule" in marks and "text" in marks
    svg = exports.map_svg(spec)
    assert "Basra" in svg and svg.count("<path") > 18
    assert exports.map_png(spec)[:4] == b"\x89PNG"


# ---------------------------------------------------------------------------------------------
# The report


def test_report_is_self_contained_and_escapes_data_text(ds):
    events = pd.DataFrame({"event_id": ["ev-x"], "description": [EVIL + "<script>alert(2)</script>"]})
    svg = exports.chart_svg({"data": {"values": [{"a": EVIL}]}, "mark": "text",
                             "encoding": {"text": {"field": "a"}}})
    page = exports.report_html(f"Report {EVIL}", "a test", [f"Actor: {EVIL}"],
                               [{"heading": EVIL, "narrative": f"**bold** {EVIL}",
                                 "charts": [svg], "tables": {"Events": events}}], ds.sources)
    assert "<img" not in page and "<script" not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 5
    assert "<strong>bold</strong>" in page
    assert "<svg" in page and "Content-Security-Policy" in page
    assert "http://" not in page.replace("http://www.w3.org", "")  # nothing to fetch


def test_markdown_subset():
    html_text = exports.markdown_to_html("One **two** *three*\n\n- a\n- b\n\n<b>raw</b>")
    assert "<p>One <strong>two</strong> <em>three</em></p>" in html_text
    assert "<ul><li>a</li><li>b</li></ul>" in html_text
    assert "&lt;b&gt;raw&lt;/b&gt;" in html_text


# ---------------------------------------------------------------------------------------------
# Briefings as data


def test_default_briefing_has_six_to_ten_steps_tied_to_the_data(ds):
    steps = briefing.steps(ds.briefing)
    assert 6 <= len(steps) <= 10
    assert [s["step"] for s in steps] == [str(i) for i in range(1, len(steps) + 1)]
    known = set(ds.events["event_id"]) | set(ds.relations["relation_id"]) | set(ds.claims["claim_id"])
    for step in steps:
        assert step["evidence"], f"step {step['step']} cites no evidence"
        assert set(step["evidence"]) <= known
        assert step["narrative"].strip()


def test_step_filters_and_views(ds):
    step = next(s for s in briefing.steps(ds.briefing) if "May 2006" in s["title"])
    flt = briefing.step_filters(step)
    assert (flt.date_from, flt.date_to) == (date(2006, 1, 1), date(2006, 12, 31))
    assert "daqduq" in flt.actors
    assert briefing.step_views({"views": ()}) == briefing.VIEWS
    assert briefing.step_views({"views": ("map", "bogus")}) == ("map",)
    assert briefing.step_map_view({"map_latitude": 33.0, "map_longitude": 44.0, "map_zoom": 5.0}) == {
        "latitude": 33.0, "longitude": 44.0, "zoom": 5.0}
    assert briefing.step_map_view({"map_latitude": None}) is None


def test_year_and_month_windows_cover_the_whole_period():
    flt = briefing.step_filters({"date_from": "2006-05", "date_to": "2007"})
    assert (flt.date_from, flt.date_to) == (date(2006, 5, 1), date(2007, 12, 31))


def test_new_step_from_the_current_view():
    flt = Filters(date_from=date(2007, 1, 1), date_to=date(2007, 3, 31), actors=("jam",),
                  places=("basra", "province:Diyala"))
    step = briefing.step_from_filters(4, "Basra", "words", flt, ("map",))
    assert step["date_from"] == "2007-01-01" and step["places"] == ("basra",)
    assert briefing.step_filters(step).actors == ("jam",)


def test_reorder_and_renumber():
    steps = [{"step": str(i), "title": t} for i, t in enumerate("abc", start=1)]
    moved = briefing.move(steps, 2, -1)
    assert [s["title"] for s in moved] == ["a", "c", "b"]
    assert [s["step"] for s in moved] == ["1", "2", "3"]
    assert briefing.move(steps, 0, -1) == steps


def test_save_is_atomic_keeps_the_old_version_and_round_trips(data_copy):
    ds = loader.load_dataset(data_copy).dataset
    steps = briefing.steps(ds.briefing)
    before = (data_copy / "briefing.csv").read_text(encoding="utf-8")
    extra = briefing.step_from_filters(len(steps) + 1, "New, with a comma", "Line one\n\nLine two",
                                       Filters(actors=("badr",)), ("network",))
    briefing.save(steps + [extra], data_copy)
    history = datastore.list_history(data_copy)
    assert list(history["file"]) == ["briefing.csv"]  # kept as every saved table is
    assert Path(history.iloc[0]["path"]).read_text(encoding="utf-8") == before
    assert not (data_copy / "briefing.csv.bak").exists()
    assert not list(data_copy.glob(".briefing-*"))  # no temporary file left behind
    reloaded = loader.load_dataset(data_copy)
    assert not reloaded.problems
    again = briefing.steps(reloaded.dataset.briefing)
    assert len(again) == len(steps) + 1
    assert again[-1]["title"] == "New, with a comma"
    assert again[-1]["narrative"] == "Line one\n\nLine two"
    assert again[-1]["actors"] == ("badr",) and again[-1]["views"] == ("network",)
    assert again[0]["evidence"] == steps[0]["evidence"]


def test_failed_save_leaves_the_old_file_whole(data_copy, monkeypatch):
    before = (data_copy / "briefing.csv").read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(briefing.os, "replace", explode)
    with pytest.raises(OSError):
        briefing.save([{"step": "1", "title": "x", "narrative": ""}], data_copy)
    assert (data_copy / "briefing.csv").read_bytes() == before
    assert not list(data_copy.glob(".briefing-*"))


def test_briefing_with_bad_views_and_evidence_is_reported(data_copy):
    from tests.conftest import set_cell

    row = set_cell(data_copy / "briefing.csv", 0, "views", "map;globe")
    set_cell(data_copy / "briefing.csv", 1, "evidence", "ev-001;ev-999")
    problems = [p.sentence() for p in loader.load_dataset(data_copy).problems]
    assert any(f"briefing.csv, row {row}, column 'views'" in p and "globe" in p for p in problems)
    assert any("column 'evidence'" in p and "ev-999" in p for p in problems)
