"""The timeline opens on the story: the dense years first, the whole record in a strip below,
period labels that never overprint."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from components import filters, loader, selection, views
from components.ui import charts
from tests.apptest_helpers import chart_titled, run_app, vega_spec


@pytest.fixture(scope="module")
def dataset():
    return loader.load_dataset().dataset


def test_the_dense_window_is_taken_from_the_data(dataset):
    counts = selection.select(dataset, filters.Filters()).year_counts()
    start, end = views.dense_window(counts)
    in_window = counts[(counts.index >= start.year) & (counts.index < end.year)].sum()
    assert in_window >= views.DENSE_SHARE * counts.sum()
    assert start.year >= 2002 and end.year <= 2009  # the shipped record: 2003-2008
    assert (start.year, end.year) == (2003, 2009)


@pytest.mark.parametrize("counts,expected", [
    ({1990: 1, 2010: 50, 2011: 50}, (2010, 2012)),          # the dense years, not the outlier
    ({2000: 10}, (2000, 2001)),                              # one year only: just that year
    ({2000: 5, 2001: 5, 2002: 5, 2003: 5, 2004: 5}, (2001, 2005)),  # even: the latest 4 years
])
def test_dense_window_on_small_records(counts, expected):
    start, end = views.dense_window(pd.Series(counts), min_years=1)
    assert (start.year, end.year) == expected


def test_no_dated_events_no_window():
    assert views.dense_window(pd.Series([], dtype="int64")) is None


def label_boxes(bands: pd.DataFrame, start, end, width_px: int):
    per_px = (pd.Timestamp(end) - pd.Timestamp(start)) / width_px
    for band in bands.itertuples():
        width = per_px * len(band.label) * views.PERIOD_LABEL_CHAR_PX
        yield band.label_row, band.label_at, band.label_at + width


@pytest.mark.parametrize("window", [("1979-01-01", "2009-01-01"), ("2003-01-01", "2009-01-01"),
                                    ("2005-06-01", "2008-01-01")])
def test_period_labels_never_overlap(dataset, window):
    bands = views.periods_in_range(dataset.periods, *window, width_px=700)
    boxes = sorted(label_boxes(bands, *window, 700))
    assert len(boxes) >= 2
    for (row_a, a0, a1), (row_b, b0, b1) in zip(boxes, boxes[1:]):
        if row_a == row_b:
            assert a1 <= b0, (a0, a1, b0, b1)
    assert all(pd.Timestamp(window[0]) <= at for _, at, _ in boxes)
    assert all(end <= pd.Timestamp(window[1]) for _, _, end in boxes)


def x_domain(spec: dict) -> list[pd.Timestamp]:
    text = json.dumps(spec)
    found = []
    for layer in spec.get("layer", [spec]):
        scale = layer.get("encoding", {}).get("x", {}).get("scale", {})
        if "domain" in scale:
            found = [pd.Timestamp(v) for v in scale["domain"]]
            break
    assert found, text[:300]
    return found


def test_the_timeline_opens_on_the_dense_years_and_the_strip_covers_the_record():
    at = run_app("app_pages/timeline.py")
    detail = x_domain(vega_spec(chart_titled(at, "Timeline")))
    assert detail[0] >= pd.Timestamp("2002-01-01") and detail[1] <= pd.Timestamp("2009-12-31")
    whole = x_domain(vega_spec(chart_titled(at, "The whole record")))
    assert whole[0] <= pd.Timestamp("1979-01-01") and whole[1] >= pd.Timestamp("2008-12-31")
    months = x_domain(vega_spec(chart_titled(at, "Events per month")))
    assert months == detail  # the monthly chart follows the same window
    assert any("where the matching events are dense" in c.value for c in at.caption)


def test_a_chosen_range_is_the_window():
    at = run_app("app_pages/timeline.py")
    at.date_input(key="dates").set_value((pd.Timestamp("1985-01-01").date(),
                                          pd.Timestamp("1990-12-31").date())).run()
    detail = x_domain(vega_spec(chart_titled(at, "Timeline")))
    assert detail[0] == pd.Timestamp("1985-01-01")
    assert not any("where the matching events are dense" in c.value for c in at.caption)


def test_the_overview_strip_is_brushable():
    spec = charts.timeline_overview_chart(pd.Series({2003: 4, 2007: 9}),
                                          (pd.Timestamp("1979-01-01"), pd.Timestamp("2009-01-01")),
                                          (pd.Timestamp("2003-01-01"), pd.Timestamp("2009-01-01")))
    assert charts.OVERVIEW_BRUSH in json.dumps(spec["params"] if "params" in spec else spec)
    # the spec's structure is reused; its data are each call's own
    assert [(r["start"][:4], r["events"]) for r in spec["datasets"]["years"]] == [
        ("2003", 4), ("2007", 9)]
    assert spec["datasets"]["window"][0]["start"].startswith("2003-01-01")
    other = charts.timeline_overview_chart(pd.Series({2005: 2}),
                                           (pd.Timestamp("1979-01-01"), pd.Timestamp("2009-01-01")),
                                           (pd.Timestamp("2005-01-01"), pd.Timestamp("2006-01-01")))
    assert [r["events"] for r in other["datasets"]["years"]] == [2]
    assert other["datasets"]["window"][0]["end"].startswith("2006-01-01")
    assert [r["events"] for r in spec["datasets"]["years"]] == [4, 9]
