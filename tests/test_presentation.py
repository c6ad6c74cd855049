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
