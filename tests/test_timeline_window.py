"""The timeline opens on the story: the dense years first, the whole record in a strip below,
period labels that never overprint."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from components import filters, loader, selection, views
from components.ui import charts
from tests.apptest_helpers import all_rows, chart_titled, run_app, vega_spec


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


@settings(max_examples=80, deadline=None)
@given(spans=st.lists(st.tuples(st.integers(0, 360), st.integers(1, 120),
                                st.text("abcdefgh ", min_size=1, max_size=40)),
                      min_size=1, max_size=6),
       width_px=st.integers(150, 900))
@example(spans=[(209, 1, "aaaaaaa aa")], width_px=150)  # cut at a space: 7 characters left
def test_each_period_label_starts_at_its_band_and_ends_inside_the_window(spans, width_px):
    """Any periods, any plot width: a label is drawn from its band's start (moved left to fit,
    it stood over an earlier period), whole or cut with an ellipsis to end inside the window,
    or left out when little would show; labels on one row never overlap."""
    start, end = pd.Timestamp("2000-01-01"), pd.Timestamp("2030-01-01")
    periods = pd.DataFrame({
        "label": [text for _, _, text in spans],
        "period_start": [start + pd.DateOffset(months=m) for m, _, _ in spans],
        "period_end": [start + pd.DateOffset(months=m + n) for m, n, _ in spans]})
    bands = views.periods_in_range(periods, start, end, width_px=width_px)
    assert (bands["label_at"] == bands["start"]).all()
    per_px = (end - start) / width_px
    placed = []
    for band in bands.itertuples():
        if not band.label:
            continue
        whole = band.label == band.name
        assert whole or (band.label.endswith("…")
                         and band.name.startswith(band.label[:-1].rstrip(" ,;:-"))
                         and len(band.label) - 1 >= views.PERIOD_LABEL_MIN_CHARS)
        label_end = band.label_at + per_px * len(band.label) * views.PERIOD_LABEL_CHAR_PX
        assert label_end <= end
        placed.append((band.label_row, band.label_at, label_end))
    for (row_a, _, a1), (row_b, b0, _) in zip(sorted(placed), sorted(placed)[1:]):
        if row_a == row_b:
            assert a1 <= b0


def test_the_actor_pages_narrow_timeline_puts_no_label_over_another_period(dataset):
    """The reviewer's case: the Actor page's timeline is ~210 px of plot for 1975-2009; the
    labels of 2003-2008's periods had been moved left as far as 1984."""
    bands = views.periods_in_range(dataset.periods, "1975-06-01", "2009-06-01", width_px=210)
    assert (bands["label_at"] == bands["start"]).all()
    assert "Before the war" in set(bands["label"])
    late = bands[bands["start"] >= pd.Timestamp("2006-01-01")]
    assert len(late) and (late["label"] == "").all()  # no room: the band's tooltip names it
    assert set(late["name"]) >= {"Special Groups reorganised"}


def test_the_actor_pages_timeline_names_every_lane_and_asks_no_drag():
    """Beside the map, half the page wide: its lanes are the event categories and name the
    colours (a legend there ran past the chart's edge), it has room for a row per lane (a
    squeezed plot hid two lanes' names), and it says nothing of dragging (it does not filter)."""
    at = run_app("app_pages/actor.py", params={"actor": "irgc-qf"})
    spec = vega_spec(chart_titled(at, "Timeline"))
    assert "Drag" not in " ".join(spec["title"]["subtitle"])
    colours = [layer["encoding"]["color"] for layer in spec["layer"]
               if "color" in layer.get("encoding", {})]
    assert colours and all(colour.get("legend", "none") is None for colour in colours)
    lanes = {row["lane"] for row in all_rows(chart_titled(at, "Timeline")).dropna(
        subset=["lane"]).to_dict("records")}
    assert len(lanes) >= 4 and spec["height"] >= 30 * len(lanes) + 145


def test_a_window_of_one_instant_places_its_labels_without_dividing_by_zero(dataset):
    day = pd.Timestamp("2006-06-01")
    bands = views.periods_in_range(dataset.periods, day, day, width_px=600)
    assert len(bands) and (bands["label"] == "").all()  # no room for any label
