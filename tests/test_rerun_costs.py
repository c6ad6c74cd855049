"""What keeps a warm rerun cheap (python -m bench.load measures it; nothing here is timed):
chart data converted once per content, filter values hashed as plain tuples, maps drawn from
prepared JSON without pydeck's set-up, and Streamlit's per-rerun collection and code watch off.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import fields, replace
from datetime import date

import pandas as pd
import pyarrow as pa
from streamlit import dataframe_util

from components.filters import Filters
from components.ui import caching, charts, vega
from components.ui import map as map_ui
from tests.conftest import PROJECT


def _rows(frame_bytes: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(frame_bytes).read_pandas()


def test_a_chart_is_sent_the_rows_streamlit_would_have_sent():
    counts = pd.DataFrame({"month": pd.to_datetime(["2006-01-01", "2006-02-01", "2007-05-01"]),
                           "category": ["violence", "support", "violence"], "events": [3, 1, 4]})
    spec = charts.to_spec(charts.monthly_chart(counts))
    named = [name for name in spec["datasets"] if vega.CONTENT_NAMED.fullmatch(name)]
    assert named, "Altair names its inline data by content"
    wired = vega.wire_spec(spec)
    for name, rows in spec["datasets"].items():
        assert isinstance(rows, list), "the spec given keeps its rows (the downloads read them)"
        assert wired["datasets"][name] == dataframe_util.convert_anything_to_arrow_bytes(rows)
        assert len(_rows(wired["datasets"][name])) == len(rows)
    assert {k: v for k, v in wired.items() if k != "datasets"} == \
        {k: v for k, v in spec.items() if k != "datasets"}


def test_rows_are_converted_once_and_new_rows_never_get_old_bytes():
    first = {"datasets": {"years": [{"start": "2003-01-01", "events": 4}]}, "mark": "bar"}
    again = {"datasets": {"years": [{"start": "2003-01-01", "events": 4}]}, "mark": "bar"}
    changed = {"datasets": {"years": [{"start": "2003-01-01", "events": 5}]}, "mark": "bar"}
    kept = vega.wire_spec(first)["datasets"]["years"]
    assert vega.wire_spec(again)["datasets"]["years"] is kept  # converted once, reused
    other = vega.wire_spec(changed)["datasets"]["years"]
    assert _rows(other)["events"].tolist() == [5]
    assert _rows(kept)["events"].tolist() == [4]


def test_rows_that_are_not_plain_json_or_are_geography_are_left_to_streamlit():
    frame_a = pd.DataFrame({"n": range(100)})
    frame_b = frame_a.copy()
    frame_b.loc[50, "n"] = -1  # their text (as str() prints them) is the same
    assert str(frame_a) == str(frame_b)
    for rows in ([{"frame": frame_a}], [{"frame": frame_b}]):
        assert vega.wire_spec({"datasets": {"odd": rows}})["datasets"]["odd"] is rows
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [44, 33]},
                 "properties": {}}]
    assert vega.wire_spec({"datasets": {"places": features}})["datasets"]["places"] is features


def test_a_spec_without_datasets_is_passed_as_it_is():
    spec = {"data": {"values": [{"a": 1}]}, "mark": "point"}
    assert vega.wire_spec(spec) is spec


EXAMPLES = {"date_from": date(2006, 3, 1), "date_to": date(2007, 1, 31),
            "actors": ("a-qods",), "include_linked": True, "actor_types": ("militia",),
            "event_types": ("kidnapping",), "claim_statuses": ("disputed",),
            "places": ("province:Basra",), "text": "karbala", "date_rule": "within",
            "min_reliability": "B", "min_credibility": "2"}


def test_the_cache_key_tells_every_filter_field_apart():
    assert set(EXAMPLES) == {field.name for field in fields(Filters)}, \
        "a new filter field needs an example here"
    plain = Filters()
    keys = {plain.cache_key()}
    for name, value in EXAMPLES.items():
        changed = replace(plain, **{name: value})
        assert changed.cache_key() != plain.cache_key(), name
        keys.add(changed.cache_key())
    assert len(keys) == len(EXAMPLES) + 1
    assert Filters(**EXAMPLES).cache_key() == Filters(**EXAMPLES).cache_key()
    # a day apart is a different key (dates are hashed as ISO text)
    assert replace(plain, date_from=date(2006, 3, 2)).cache_key() != \
        replace(plain, date_from=date(2006, 3, 1)).cache_key()


def _cached_views_keyed_on_filters():
    """(file, function, decorator text) of each cached function taking a filter value."""
    found = []
    for path in sorted((PROJECT / "components" / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            names = [a.arg for a in node.args.args]
            takes_filters = any(n in ("filters", "both") or n.startswith("filters_")
                                for n in names)
            for decorator in node.decorator_list:
                text = ast.unparse(decorator)
                if "cache_" in text or "caching." in text:
                    if takes_filters:
                        found.append((path.name, node.name, text))
    return found


def test_every_view_cache_on_filters_hashes_them_as_plain_tuples():
    found = _cached_views_keyed_on_filters()
    assert len(found) > 15
    slow = [(f, name) for f, name, text in found if not text.startswith("caching.view_")]
    assert not slow, f"cache these with caching.view_data/view_resource: {slow}"
    assert caching.HASH_FUNCS[Filters] is Filters.cache_key


def test_a_prepared_deck_skips_pydeck_set_up(monkeypatch):
    import pydeck.bindings.deck as deck_module

    def probe():
        raise AssertionError("pydeck's Jupyter probe ran")

    monkeypatch.setattr(deck_module, "has_jupyter_extra", probe)
    deck = map_ui.PrebuiltDeck('{"layers": []}')
    assert deck.to_json() == '{"layers": []}'
    assert deck._tooltip == map_ui.TOOLTIP and deck.layers == []


def test_streamlit_does_not_collect_or_watch_the_code_after_every_rerun():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"
    makefile = (PROJECT / "Makefile").read_text()
    dev = makefile.split("\ndev:", 1)[1].split("\n\n", 1)[0]
    assert "--server.fileWatcherType auto" in dev and "--server.runOnSave true" in dev
    assert "make dev" in (PROJECT / "README.md").read_text()


def test_bench_load_reads_a_process_memory():
    import os

    from bench.load import server_memory

    memory = server_memory([os.getpid()])
    assert 0 < memory["memory_mb"] <= memory["peak_mb"]
    assert server_memory([2 ** 22 + 12345]) == {"memory_mb": 0, "peak_mb": 0}


def test_the_export_menu_is_drawn_only_while_open():
    from tests.apptest_helpers import open_export_menu, run_app

    table_files = {"Events CSV", "Actors CSV", "Relations CSV", "Excel workbook",
                   "Report (HTML)", "Evidence pack (zip)"}
    at = run_app("app_pages/overview.py")
    assert not table_files & {b.proto.label for b in at.get("download_button")}
    open_export_menu(at)
    assert table_files <= {b.proto.label for b in at.get("download_button")}
    at.query_params["event_types"] = "kidnapping"
    at.run()  # a filter change with the menu open keeps it open, its files the new view's
    assert table_files <= {b.proto.label for b in at.get("download_button")}


def test_the_event_list_sends_the_rows_its_frame_held():
    """The event list's page is kept as the Arrow table Streamlit would have made of the frame
    (converted once): the same rows, columns and values."""
    from components import views
    from components.ui import context, data_access, panels

    folder = data_access.shared_folder()
    key = (str(folder), data_access.version_key(folder))
    for filters in (Filters(), Filters(event_types=("kidnapping",)), Filters(text="karbala")):
        table = panels.event_list_page(*key, filters, 0, 25)
        selection = context.context_for(*key, filters).selection
        frame = views.event_list(selection.rows(25, 0), ordered=True)
        assert isinstance(table, pa.Table)
        assert table.num_rows == len(frame) > 0
        pd.testing.assert_frame_equal(table.to_pandas(), frame.reset_index(drop=True),
                                      check_dtype=False)  # text comes back as a string dtype
        assert panels.event_list_page(*key, filters, 0, 25) is table  # converted once


def test_the_map_drawing_is_shared_and_what_reads_it_leaves_it_as_it_was():
    """map_drawing's frames are shared by every rerun (not copied): the legend is made with
    them, and the static map the downloads draw only reads them."""
    import copy

    from components import exports
    from components.ui import context, data_access, panels

    folder = data_access.shared_folder()
    key = (str(folder), data_access.version_key(folder))
    filters = Filters(event_types=("armed attack", "kidnapping"))
    drawn = panels.map_drawing(*key, filters, "event category", "none", 520, 560, None)
    places, arcs, view, deck_json, legend = drawn
    assert not places.empty and deck_json
    assert legend == map_ui.legend_markdown(places, "event category", not arcs.empty)
    before = (places.copy(), arcs.copy(), copy.deepcopy(view))
    exports.static_map_spec(places, arcs, view, context.context_for(*key, filters)
                            .dataset.boundaries, "event category")
    pd.testing.assert_frame_equal(places, before[0])
    pd.testing.assert_frame_equal(arcs, before[1])
    assert view == before[2]
    again = panels.map_drawing(*key, filters, "event category", "none", 520, 560, None)
    assert all(a is b for a, b in zip(again, drawn))


def test_a_page_asks_for_the_filtered_data_only_when_it_shows_it(monkeypatch):
    """The sidebar's selection and its relations are asked of the query layer when a page
    first uses them: the Help page never does, and Compare only for what its windows show
    (their own selections; the relations it compares are decided per window)."""
    from components import selection
    from tests.apptest_helpers import run_app

    asked = {"select": [], "relations": []}
    select, relations = selection.select, selection.filtered_relations

    def counting_select(dataset, chosen):
        asked["select"].append(chosen)
        return select(dataset, chosen)

    def counting_relations(dataset, chosen, matching):
        asked["relations"].append(chosen)
        return relations(dataset, chosen, matching)

    monkeypatch.setattr(selection, "select", counting_select)
    monkeypatch.setattr(selection, "filtered_relations", counting_relations)
    caching.clear()  # another test may have asked the same
    at = run_app(params={"event_types": "training"})  # the Overview, which shows both
    assert [f.event_types for f in asked["select"]] == [("training",)]
    assert [f.event_types for f in asked["relations"]] == [("training",)]
    for page in ("app_pages/help.py", "app_pages/compare.py"):
        caching.clear()
        asked["select"].clear()
        asked["relations"].clear()
        at.switch_page(page)
        at.run()
        assert not at.exception
        assert asked["relations"] == [], page
        if page.endswith("help.py"):
            assert asked["select"] == []
        else:  # the windows' selections, under the sidebar's event type (and the whole
            # record's, for the windows offered)
            windows = [f for f in asked["select"] if f.event_types == ("training",)]
            assert len({(f.date_from, f.date_to) for f in windows}) >= 2


def test_a_views_cache_key_names_the_contexts_own_folder():
    """An export made on click runs outside the session (no session state): its charts are
    keyed on the folder the page worked from, a session's upload, not the shared folder."""
    import threading

    from components.ui import context
    from tests.conftest import DATA

    dataset_free = context.PageContext(None, "fingerprint-of-an-upload", None, Filters(),
                                       "/tmp/an-upload-staged-for-one-session")
    keys = []
    worker = threading.Thread(target=lambda: keys.append(context.context_key(dataset_free)))
    worker.start()
    worker.join()
    assert keys == [("/tmp/an-upload-staged-for-one-session", "fingerprint-of-an-upload",
                     Filters())]
    assert str(DATA) not in keys[0]
