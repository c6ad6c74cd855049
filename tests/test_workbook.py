"""The Excel workbook of a view: names, real dates with their precision, a usable sheet."""

from __future__ import annotations

import io
from datetime import datetime

import pandas as pd
from openpyxl import load_workbook

from components import loader, views, workbook


def sheets():
    dataset = loader.load_dataset().dataset
    events = views.with_event_labels(dataset.events, dataset.actors, dataset.sources)
    names = dict(zip(dataset.actors["actor_id"], dataset.actors["name"]))
    return dataset, {
        "Events": workbook.events_sheet(events, names, dataset.sources),
        "Relations": workbook.relations_sheet(dataset.relations, names, dataset.sources),
        "Actors": workbook.actors_sheet(dataset.actors, dataset.sources),
        "Filters": workbook.about_sheet("Map", ["Claim: disputed"], "abc123", "A record"),
    }


def test_the_sheets_name_actors_and_places_and_keep_dates_as_dates():
    dataset, built = sheets()
    events = built["Events"]
    assert pd.api.types.is_datetime64_any_dtype(events["date (first day)"])
    raid = events[events["event id"] == "ev-037"].iloc[0]
    assert raid["first actor"] == "Special Groups" and raid["place"].startswith("Karbala")
    assert raid["precision"] == "day" and raid["date (first day)"] == pd.Timestamp("2007-01-20")
    assert raid["grade"].startswith(dataset.events.set_index("event_id").loc["ev-037", "grade"])
    undated = events[events["precision"] == "undated"]
    assert len(undated) and undated["date (first day)"].isna().all()
    assert not events["first actor"].isin(dataset.actors["actor_id"]).any()
    relations = built["Relations"]
    assert set(relations["from"]) <= set(dataset.actors["name"])
    assert "Iran's Proxy War Against the United States and Iraq" in " ".join(relations["sources"])


def test_the_workbook_has_frozen_filtered_sized_sheets():
    _, built = sheets()
    book = load_workbook(io.BytesIO(workbook.workbook_bytes(built)))
    assert book.sheetnames == list(built)
    events = book["Events"]
    assert events.freeze_panes == "A2"
    assert events.auto_filter.ref.startswith("A1:")
    assert events["A2"].is_date and events["A2"].number_format == workbook.DATE_FORMAT
    widths = {c: events.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOPQ"}
    assert all(workbook.MIN_WIDTH <= w <= workbook.MAX_WIDTH for w in widths.values())
    filters = book["Filters"]
    assert [c.value for c in filters["A"]][1:] == ["record", "view", "exported", "data version",
                                                   "filter"]


def test_files_are_named_after_the_view_and_the_day():
    day = datetime(2026, 11, 30)
    assert workbook.file_name("Map", "xlsx", day) == "proxylens-map-2026-11-30.xlsx"
    assert workbook.file_name("Actor network", "csv", day) == "proxylens-actor-network-2026-11-30.csv"
