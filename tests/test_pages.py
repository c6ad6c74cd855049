"""AppTest: every page on the shipped data, with filters applied, asserting on what charts receive."""

from __future__ import annotations

import pandas as pd
import pytest

from components import loader
from tests.apptest_helpers import (
    all_rows,
    chart_titled,
    deck_layers,
    echarts_charts,
    echarts_titled,
    graph_nodes,
    graph_relations,
    run_app,
    vega_charts,
)
from tests.conftest import DATA, set_cell

PAGES = ["app_pages/overview.py", "app_pages/map.py", "app_pages/network.py", "app_pages/timeline.py",
         "app_pages/data.py"]


@pytest.fixture(scope="module")
def events():
    return loader.load_dataset(DATA).dataset.events


def map_place_rows(at) -> list[dict]:
    layers = deck_layers(at)
    return layers.get("places", []) + layers.get("regions", [])


def timeline_events(at) -> pd.DataFrame:
    rows = all_rows(chart_titled(at, "Timeline"))
    return rows.dropna(subset=["event_id"]) if "event_id" in rows else rows


def network_nodes(at) -> pd.DataFrame:
    return graph_nodes(echarts_titled(at, "Actor network"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_shipped_data(page):
    at = run_app(page)
    assert at.title[0].value
    assert not at.error  # no problem banner on good data


def test_overview_shows_counts_map_network_and_timeline(events):
    at = run_app()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Events"] == str(len(events))
    assert len(at.get("deck_gl_json_chart")) == 1
    assert chart_titled(at, "Timeline") is not None
    assert echarts_titled(at, "Actor network") is not None
    assert len(map_place_rows(at)) > 5


def test_filtering_to_karbala_narrows_map_timeline_and_network(events):
    at = run_app()
    at.multiselect(key="places").set_value(["karbala-pjcc"]).run()
    assert not at.exception
    rows = map_place_rows(at)
    assert {r["location"] for r in rows} == {"karbala-pjcc"}
    karbala_ids = set(events.loc[events["location"] == "karbala-pjcc", "event_id"])
    assert set(timeline_events(at)["event_id"]) == karbala_ids
    nodes = set(network_nodes(at)["actor_id"])
    assert "special-groups" in nodes and "us-forces" in nodes
    assert {m.label: m.value for m in at.metric}["Events"] == str(len(karbala_ids))


def test_filter_state_comes_from_the_url(events):
    # the URL carries the option as the sidebar shows it, so a shared link stays readable
    at = run_app(params={"places": "Karbala Provincial Joint Coordination Center (facility)"})
    assert at.multiselect(key="places").value == ["karbala-pjcc"]
    assert {r["location"] for r in map_place_rows(at)} == {"karbala-pjcc"}


def test_date_range_narrows_the_timeline_with_span_overlap():
    at = run_app("app_pages/timeline.py")
    at.date_input(key="dates").set_value((pd.Timestamp("2006-06-01").date(),
                                          pd.Timestamp("2006-06-30").date())).run()
    marks = timeline_events(at)
    assert len(marks) > 0
    assert (pd.to_datetime(marks["start"]) <= pd.Timestamp("2006-06-30")).all()
    assert (pd.to_datetime(marks["end"]) >= pd.Timestamp("2006-06-01")).all()
    # the year-only 2006 events overlap June 2006 and are drawn as spans over the year
    spans = marks[marks["is_span"]]
    assert len(spans) > 0
    assert ((pd.to_datetime(spans["end"]) - pd.to_datetime(spans["start"])).dt.days >= 28).all()


def test_actor_filter_narrows_network_and_map(events):
    at = run_app("app_pages/network.py")
    at.multiselect(key="actors").set_value(["daqduq"]).run()
    nodes = set(network_nodes(at)["actor_id"])
    assert "daqduq" in nodes and {"hezbollah", "special-groups"} <= nodes
    edges = graph_relations(echarts_titled(at, "Actor network"))
    assert len(edges) and ((edges["source"] == "daqduq") | (edges["target"] == "daqduq")).all()
    at.toggle(key="linked").set_value(True).run()
    # the neighbours' own links to each other are drawn too (Hezbollah trains the Special Groups)
    linked = graph_relations(echarts_titled(at, "Actor network"))
    assert len(linked) > len(edges)
    assert ((linked["source"] == "hezbollah") & (linked["target"] == "special-groups")).any()


def test_active_filter_chip_removes_its_filter():
    at = run_app(params={"event_types": "kidnapping"})
    chip = next(b for b in at.button if b.label.startswith("Event type: kidnapping"))
    chip.click().run()
    assert at.multiselect(key="event_types").value == []
    assert not any(b.label.startswith("Event type:") for b in at.button)


def test_clear_all_resets_every_filter(events):
    at = run_app(params={"event_types": "kidnapping", "q": "Karbala"})
    assert len(timeline_events(at)) < len(events)
    next(b for b in at.button if b.label == "Clear all").click().run()
    assert at.multiselect(key="event_types").value == []
    assert at.text_input(key="q").value == ""
    assert {m.label: m.value for m in at.metric}["Events"] == str(len(events))


def test_no_match_says_so_in_every_view():
    at = run_app(params={"q": "words that match nothing at all"})
    messages = " ".join(i.body for i in at.info)
    assert "No events match the current filters" in messages
    assert "No relations match" in messages
    assert not at.get("deck_gl_json_chart")
    assert not vega_charts(at) and not echarts_charts(at)
    assert {m.label: m.value for m in at.metric}["Events"] == "0"


def test_map_page_colour_choice_and_arcs():
    at = run_app("app_pages/map.py")
    layers = deck_layers(at)
    assert {"places", "regions", "labels", "arcs"} <= set(layers)
    assert any(a["origin"] == "lebanon" for a in layers["arcs"])
    at.segmented_control(key="map_colour").set_value("claim status").run()
    keys = {r["key"] for r in map_place_rows(at)}
    assert keys <= {"confirmed", "reported", "alleged", "disputed"}


def test_map_draws_boundaries_from_the_data_folder(data_copy, monkeypatch):
    from tests.conftest import shared_path

    outline = shared_path("geo", "iraq_admin1.json")
    (data_copy / "boundaries.geojson").write_bytes(outline.read_bytes())
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    at = run_app("app_pages/map.py")
    layers = deck_layers(at)
    assert "boundaries" in layers
    assert len(layers["boundaries"]["features"]) == 18
    order = list(layers)
    # over the shipped outlines, under the events
    assert order.index("outlines") < order.index("boundaries") < order.index("places")


def test_timeline_lanes_by_actor_and_period_bands():
    at = run_app("app_pages/timeline.py")
    at.segmented_control(key="lanes").set_value("actor").run()
    rows = all_rows(chart_titled(at, "Timeline"))
    assert "Special Groups" in set(rows["lane"].dropna())
    assert "Special Groups reorganised" in set(rows["label"].dropna())
    monthly = all_rows(chart_titled(at, "Events per month"))
    assert monthly["events"].sum() > 0


def test_data_page_lists_files_and_reports_problems(data_copy, monkeypatch):
    row = set_cell(data_copy / "events.csv", 2, "event_type", "arms suply")
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    at = run_app("app_pages/data.py")
    problems = next(df.value for df in at.dataframe if "problem" in df.value.columns)
    hit = problems[(problems["file"] == "events.csv") & (problems["row"] == row)]
    assert "did you mean 'arms supply'" in hit["problem"].iloc[0]
    assert any("warning" in w.body for w in at.warning)


def test_unusable_file_shows_a_banner_on_every_page(data_copy, monkeypatch):
    (data_copy / "actors.csv").write_bytes(b"PK\x03\x04 not a csv")
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    at = run_app("app_pages/network.py")
    assert "actors.csv" in at.error[0].body and "Excel" in at.error[0].body
