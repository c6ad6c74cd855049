"""At 100,000 events every view stays bounded in what it sends to the browser (AppTest)."""

from __future__ import annotations

import json

import pytest

from components import network, views
from tests.apptest_helpers import (
    all_rows,
    chart_titled,
    deck_layers,
    echarts_titled,
    graph_nodes,
    run_app,
)

MB = 1_000_000


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory):
    from bench.generate import generate

    folder = tmp_path_factory.mktemp("scale") / "events-100k"
    generate(100_000, folder, seed=5)
    return folder


@pytest.fixture
def big(big_folder, monkeypatch):
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(big_folder))
    return big_folder


def sent_bytes(at, kind: str) -> int:
    return sum(len(e.proto.SerializeToString()) for e in at.get(kind))


def test_map_sends_places_not_events(big):
    at = run_app("app_pages/map.py", timeout=300)
    layers = deck_layers(at)
    drawn = layers["places"] + layers["regions"]
    assert 0 < len(drawn) <= views.MAX_PLACES_DRAWN
    assert sum(p["events"] for p in drawn) == 100_000
    assert sent_bytes(at, "deck_gl_json_chart") < MB


def test_timeline_bins_instead_of_drawing_every_event(big):
    at = run_app("app_pages/timeline.py", timeout=300)
    rows = all_rows(chart_titled(at, "Timeline"))
    assert "event_id" not in rows.columns  # counts per period, not one mark per event
    assert rows["events"].sum() == 100_000
    assert len(rows) < 2_000
    spec = json.loads(chart_titled(at, "Timeline").proto.spec)
    assert "events per month" in json.dumps(spec["title"])
    assert sum(len(c.proto.SerializeToString()) for c in at.get("vega_lite_chart")) < MB


def test_network_draws_the_top_actors(big):
    at = run_app("app_pages/network.py", timeout=300)
    nodes = graph_nodes(echarts_titled(at, "Actor network"))
    assert nodes["actor_id"].nunique() <= network.DEFAULT_MAX_ACTORS
    assert any("with the most relations" in c.value for c in at.caption)
    assert sent_bytes(at, "vega_lite_chart") < MB


def test_data_page_tables_are_paged(big):
    at = run_app("app_pages/data.py", timeout=300)
    events = next(df.value for df in at.dataframe if "event_id" in df.value.columns)
    assert len(events) == 1_000
    assert any("of 100,000" in c.value for c in at.caption)


def test_long_option_lists_offer_the_busiest_and_keep_any_choice(big):
    """Thousands of places are not all sent to the sidebar on every rerun: the busiest
    MAX_LISTED are, plus whatever is chosen, by the address or by a click on the map."""
    from components import loader, selection
    from components.ui import sidebar

    options = selection.filter_options(loader.load_dataset(big).dataset)
    assert len(options.places) > sidebar.MAX_LISTED
    quiet = options.ranked_places[-1]  # the place with the fewest events: never in the list
    at = run_app("app_pages/map.py", params={"places": options.places[quiet]}, timeout=300)
    widget = at.multiselect(key="places")
    assert len(widget.options) == sidebar.MAX_LISTED + 1
    assert widget.value == [quiet]
    assert any(options.places[quiet] in b.label for b in at.button)  # its chip

    clicked = options.ranked_places[-2]
    at = run_app("app_pages/map.py", timeout=300)
    at.session_state["places"] = [clicked]  # what a click on the map does
    at.run()
    assert any(options.places[clicked] in b.label for b in at.button)  # filtered at once
    at.run()
    assert at.multiselect(key="places").value == [clicked]
    assert not at.exception


def test_an_actor_outside_the_list_can_still_be_filtered_to(big, monkeypatch):
    """Among many actors, one named least often is not in the sidebar's list; its page links
    to every view filtered to it, and the link's address keeps it chosen."""
    from components import loader, selection
    from components.ui import sidebar

    monkeypatch.setattr(sidebar, "MAX_LISTED", 100)  # the synthetic 100k folder has 333 actors
    options = selection.filter_options(loader.load_dataset(big).dataset)
    assert len(options.actors) > sidebar.MAX_LISTED
    rare = options.ranked_actors[-1]
    at = run_app("app_pages/actor.py", params={"actor": rare}, timeout=300)
    link = next(p for p in at.get("page_link") if "Filter every view" in p.proto.label)
    assert link.proto.query_string == f"actors={rare}"  # the id: a rename keeps links working
    for value in (rare, options.actors[rare]):  # and an older link's label still resolves
        at = run_app(None, params={"actors": value}, timeout=300)
        widget = at.multiselect(key="actors")
        assert widget.value == [rare] and len(widget.options) == sidebar.MAX_LISTED + 1
        assert any(options.actors[rare] in b.label for b in at.button)  # its chip


def test_merged_cells_are_explained_and_named_by_their_busiest_place(big):
    at = run_app("app_pages/map.py", timeout=300)
    assert any("merged into" in c.value and "grid cells" in c.value for c in at.caption)
    layers = deck_layers(at)
    cells = [p for p in layers["places"] + layers["regions"] if p["places"] > 1]
    assert cells and all(p["name"] == f"{p['places']} places" for p in cells)
