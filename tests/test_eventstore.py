"""The event store prepared on disk (Parquet read slice by slice) answers every view's question
as the in-memory store of the same events does."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from components import datastore, eventstore, loader, selection, views
from components import filters as f
from components.contract import ERROR
from tests.apptest_helpers import deck_layers, open_export_menu, run_app, vega_charts
from tests.conftest import PROJECT, read_rows, write_rows


def as_parquet(folder: Path) -> None:
    """Replace the folder's events.csv by an events.parquet of the same text."""
    events = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
    events.to_parquet(folder / "events.parquet", index=False)
    (folder / "events.csv").unlink()


def open_store(folder: Path, cache: Path, last_good: Path | None = None
               ) -> tuple[loader.LoadResult, eventstore.StoreLoader]:
    """The folder loaded with its events in a store (as eventstore.load_folder does), and the
    store loader, to look at what it did."""
    store_loader = eventstore.StoreLoader(loader.folder_fingerprint(folder), cache, last_good)
    result = loader.load_dataset(folder, last_good=last_good, events_loader=store_loader)
    result.dataset.event_store = store_loader.store
    return result, store_loader


@pytest.fixture(params=["parquet", "csv"])
def stored(data_copy, tmp_path, request):
    """The same folder with its events prepared on disk (read from Parquet, or from CSV as a
    large events.csv is), and held in memory."""
    if request.param == "parquet":
        as_parquet(data_copy)
    result, _ = open_store(data_copy, tmp_path / "cache")
    return result.dataset, loader.load_dataset(data_copy).dataset


SOME_FILTERS = [
    f.Filters(),
    f.Filters(event_types=("armed attack", "arms supply")),
    f.Filters(actors=("irgc-qf",), include_linked=True),
    f.Filters(actors=("kh",)),
    f.Filters(actor_types=("state",)),
    f.Filters(claim_statuses=("alleged", "disputed")),
    f.Filters(places=("basra", "province:Diyala")),
    f.Filters(date_from=date(2007, 1, 1), date_to=date(2007, 12, 31)),
    f.Filters(date_from=date(2008, 3, 1)),
    f.Filters(text="Karbala"),
    f.Filters(text="qods"),
    f.Filters(text="no such words anywhere"),
    f.Filters(min_reliability="B"),
    f.Filters(min_credibility="3"),
    f.Filters(min_reliability="C", min_credibility="2"),
    f.Filters(date_from=date(2006, 6, 1), date_to=date(2007, 12, 31), date_rule=f.WITHIN),
    f.Filters(date_from=date(2003, 1, 1), date_rule=f.WITHIN),
]


@pytest.mark.parametrize("chosen", SOME_FILTERS, ids=lambda x: str(x.active()) or "unfiltered")
def test_prepared_and_in_memory_stores_draw_the_same_views(stored, chosen):
    dataset, in_memory = stored
    in_store = selection.select(dataset, chosen)
    in_frame = selection.select(in_memory, chosen)
    assert in_store.store.prepared and not in_frame.store.prepared
    assert in_store.facts == in_frame.facts
    pd.testing.assert_frame_equal(in_store.map_places(), in_frame.map_places(), check_dtype=False)
    pd.testing.assert_frame_equal(in_store.map_places("claim status"),
                                  in_frame.map_places("claim status"), check_dtype=False)
    pd.testing.assert_frame_equal(in_store.map_places("grade"), in_frame.map_places("grade"),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(in_store.map_arcs().sort_values("tooltip", ignore_index=True),
                                  in_frame.map_arcs().sort_values("tooltip", ignore_index=True),
                                  check_dtype=False)
    pd.testing.assert_series_equal(in_store.year_counts(), in_frame.year_counts(),
                                   check_dtype=False, check_names=False, check_index_type=False)
    for lane_by in views.LANE_BY:
        (store_bins, store_unit), (frame_bins, frame_unit) = (
            in_store.timeline_bins(lane_by), in_frame.timeline_bins(lane_by))
        assert store_unit == frame_unit
        order = ["lane", "category", "start"]
        pd.testing.assert_frame_equal(
            store_bins.astype({"lane": object, "category": object}).sort_values(order, ignore_index=True),
            frame_bins.astype({"lane": object, "category": object}).sort_values(order, ignore_index=True),
            check_dtype=False)
    (store_months, store_year_only), (frame_months, frame_year_only) = (
        in_store.monthly_counts(), in_frame.monthly_counts())
    assert store_year_only == frame_year_only
    pd.testing.assert_frame_equal(
        store_months.astype({"category": object}).sort_values(["month", "category"], ignore_index=True),
        frame_months.astype({"category": object}).sort_values(["month", "category"], ignore_index=True),
        check_dtype=False)
    assert in_store.involved_actor_ids() == in_frame.involved_actor_ids()
    relations = f.filter_relations(dataset, chosen, involved=in_store.involved_actor_ids)
    pd.testing.assert_frame_equal(relations, f.filter_relations(
        in_memory, chosen, involved=in_frame.involved_actor_ids))
    pd.testing.assert_frame_equal(in_store.citations(), in_frame.citations())
    assert (selection.view_counts(in_store, relations)
            == selection.view_counts(in_frame, relations))


def test_store_rows_are_the_matching_events_in_date_order(stored):
    dataset, in_memory = stored
    chosen = f.Filters(event_types=("military operation", "statement"))
    rows = selection.select(dataset, chosen).rows(1000)
    labelled = views.with_event_labels(in_memory.events, in_memory.actors, in_memory.sources)
    expected = labelled[labelled["event_type"].isin(chosen.event_types)].sort_values(
        ["span_start", loader.ROW], na_position="last")
    assert list(rows["event_id"]) == list(expected["event_id"])
    assert list(rows["date_text"]) == list(expected["date_text"].astype(str))
    assert rows["assoc_actors"].map(lambda v: isinstance(v, tuple)).all()
    first_two = selection.select(dataset, chosen).rows(2, offset=1)
    assert list(first_two["event_id"]) == list(expected["event_id"])[1:3]


def test_store_offers_the_same_sidebar_options(stored):
    dataset, in_memory = stored
    assert selection.filter_options(dataset) == selection.filter_options(in_memory)
    assert selection.filter_options(dataset).event_types == tuple(sorted(
        set(in_memory.events["event_type"]) - {""}))


@pytest.mark.parametrize("filename", ["events.parquet", "events.csv"])
def test_store_problems_read_as_the_loaders_and_name_the_file(data_copy, tmp_path, monkeypatch,
                                                              filename):
    rows = read_rows(data_copy / "events.csv")
    header = rows[0]
    rows[3][header.index("event_date")] = "2007-13-45"
    rows[5][header.index("actor1")] = "Qods Forse"
    if filename == "events.csv":  # more values than the header has columns (CSV only)
        rows[8] = rows[8] + ["a stray value"]
    write_rows(data_copy / "events.csv", rows)
    if filename == "events.parquet":
        as_parquet(data_copy)
    expected = [p for p in loader.load_dataset(data_copy).problems if p.file == filename]
    monkeypatch.setattr(eventstore, "SLICE_ROWS", 7)  # several slices, row numbers carried over
    result, _ = open_store(data_copy, tmp_path / "cache")
    assert result.dataset.event_store.prepared
    found = [p for p in result.problems if p.file == filename]

    def in_row_order(problems):  # a slice's reading and typing problems come together
        return sorted(problems, key=lambda p: (p.row or 0, p.column or "", p.problem))
    assert in_row_order(found) == in_row_order(expected)
    assert {p.row for p in found} >= {4, 6}
    report = next(r for r in result.files if r.table == "events")
    assert (report.filename, report.status, report.rows) == (filename, "warnings", len(rows) - 1)


def test_a_csv_that_is_not_utf8_is_refused_with_its_line_when_prepared(data_copy, tmp_path):
    raw = (data_copy / "events.csv").read_bytes().splitlines(keepends=True)
    raw[6] = raw[6].replace(b"a", b"\xe9", 1)  # Latin-1, not UTF-8
    (data_copy / "events.csv").write_bytes(b"".join(raw))
    expected = [p for p in loader.load_dataset(data_copy).errors if p.file == "events.csv"]
    result, store_loader = open_store(data_copy, tmp_path / "cache")
    assert [p for p in result.errors if p.file == "events.csv"] == expected
    assert expected and expected[0].row == 7 and "not UTF-8" in expected[0].problem


def test_an_id_repeated_in_two_slices_makes_the_file_unusable(data_copy, tmp_path, monkeypatch):
    rows = read_rows(data_copy / "events.csv")
    rows[-1][0] = rows[1][0]  # the last row repeats the first row's id
    write_rows(data_copy / "events.csv", rows)
    as_parquet(data_copy)
    monkeypatch.setattr(eventstore, "SLICE_ROWS", 10)
    result, store_loader = open_store(data_copy, tmp_path / "cache")
    errors = [p for p in result.errors if p.file == "events.parquet"]
    assert {p.row for p in errors} == {2, len(rows)}
    assert all("more than one row" in p.problem for p in errors)
    assert store_loader.store is None
    assert next(r for r in result.files if r.table == "events").status == "unusable"


def test_slices_written_beside_the_typing_land_whole(data_copy, tmp_path, monkeypatch):
    """The store is written in a thread of its own, checkpointed every few slices: with slices
    of ten rows and a checkpoint every second slice, every event lands once, with its own file row."""
    as_parquet(data_copy)
    monkeypatch.setattr(eventstore, "SLICE_ROWS", 10)
    monkeypatch.setattr(eventstore, "CHECKPOINT_SLICES", 2)
    result, store_loader = open_store(data_copy, tmp_path / "cache")
    stored = store_loader.store.file_rows(0, 10_000)
    expected = loader.load_dataset(data_copy).dataset.events
    assert len(stored) == len(expected) > 20
    assert stored["event_id"].tolist() == expected["event_id"].tolist()
    assert stored[loader.ROW].tolist() == expected[loader.ROW].tolist()
    # slices are stored two at a time, their dictionary columns' values each from its own
    for column in ("event_type", "time_precision", "location", "place_name", "claim_status"):
        assert stored[column].astype(str).tolist() == expected[column].astype(str).tolist()


def test_a_failed_write_is_raised_and_leaves_no_database(data_copy, tmp_path, monkeypatch):
    as_parquet(data_copy)
    monkeypatch.setattr(eventstore, "SLICE_ROWS", 10)
    monkeypatch.setattr(eventstore, "WITH_WORDS", "SELECT no_such_column FROM slice")
    cache = tmp_path / "cache"
    with pytest.raises(Exception, match="no_such_column"):
        open_store(data_copy, cache)
    left = {p.suffix for p in cache.iterdir()}
    assert not left & {".duckdb", ".partial", ".wal"}  # neither a database nor half of one


def test_list_and_categorical_columns_are_stored_as_text_with_gaps_empty():
    lists = eventstore._list_array(pd.Series([("a", "b"), float("nan"), (), ("a", "b"), None],
                                             dtype=object))
    assert lists.to_pylist() == [["a", "b"], [], [], ["a", "b"], []]
    terms = eventstore._categorical_text(pd.Series(pd.Categorical(["x", None, "y", "x"])))
    assert terms.to_pylist() == ["x", "", "y", "x"]


def test_a_prepared_version_is_opened_not_rebuilt(data_copy, tmp_path):
    as_parquet(data_copy)
    cache = tmp_path / "cache"
    open_store(data_copy, cache)
    built = {p: p.stat().st_mtime_ns for p in cache.glob("*.duckdb")}
    result, store_loader = open_store(data_copy, cache)
    assert {p: p.stat().st_mtime_ns for p in cache.glob("*.duckdb")} == built
    assert store_loader.store is not None
    # a new version of the data replaces the old database instead of piling up beside it
    rows = read_rows(data_copy / "actors.csv")
    write_rows(data_copy / "actors.csv", rows)
    (data_copy / "actors.csv").touch()
    open_store(data_copy, cache)
    assert len(list(cache.glob("*.duckdb"))) == 1
    assert set(cache.glob("*.duckdb")) != set(built)


def test_the_engine_is_chosen_by_size_unless_forced(data_copy, monkeypatch):
    monkeypatch.delenv(eventstore.STORE_ENV, raising=False)
    assert not eventstore.wants_store(data_copy)  # a small CSV is held in memory
    monkeypatch.setattr(eventstore, "STORE_FROM_BYTES", 1000)
    assert eventstore.wants_store(data_copy)  # a large one is prepared, as ACLED exports come
    as_parquet(data_copy)
    assert not eventstore.wants_store(data_copy)  # a few dozen rows
    monkeypatch.setattr(eventstore, "STORE_FROM_ROWS", 10)
    assert eventstore.wants_store(data_copy)
    monkeypatch.setenv(eventstore.STORE_ENV, "memory")
    assert not eventstore.wants_store(data_copy)


@pytest.fixture
def store_app(data_copy, tmp_path, monkeypatch):
    as_parquet(data_copy)
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    monkeypatch.setenv(eventstore.STORE_ENV, "disk")
    monkeypatch.setenv(eventstore.CACHE_ENV, str(tmp_path / "cache"))
    return data_copy


@pytest.mark.parametrize("page", ["app_pages/overview.py", "app_pages/map.py", "app_pages/timeline.py",
                                  "app_pages/network.py", "app_pages/actor.py", "app_pages/event.py",
                                  "app_pages/briefing.py", "app_pages/data.py"])
def test_pages_draw_from_the_store(store_app, page):
    at = run_app(page)
    assert not at.exception
    assert list((store_app.parent / "cache").glob("*.duckdb"))


def test_the_store_draws_what_the_frame_draws(store_app, monkeypatch):
    def drawn():
        overview = run_app(params={"event_types": "armed attack"})
        timeline = run_app("app_pages/timeline.py")
        return (deck_layers(run_app("app_pages/map.py")),
                {m.label: m.value for m in overview.metric},
                [c.proto.spec for c in vega_charts(timeline)])

    from_store = drawn()
    events = loader.load_dataset(store_app).dataset.events
    attacks = int((events["event_type"] == "armed attack").sum())
    assert 0 < attacks < len(events)
    assert from_store[1]["Events"] == str(attacks)  # the filter from the address was applied
    monkeypatch.setenv(eventstore.STORE_ENV, "memory")
    assert drawn() == from_store


def test_find_searches_the_store(store_app):
    at = run_app()
    at.sidebar.text_input(key="find").set_value("Karbala raid").run()
    assert not at.exception
    labels = [link.proto.label for link in at.get("page_link")]
    assert any(label.endswith("(event)") and "Karbala" in label for label in labels)


def test_data_page_counts_and_pages_through_the_stored_events(store_app):
    at = run_app("app_pages/data.py")
    metrics = {m.label: m.value for m in at.metric}
    loaded = loader.load_dataset(store_app).dataset
    assert metrics["Events"] == f"{len(loaded.events):,}"
    assert any("Events run from" in m.value and "to the day" in m.value for m in at.markdown)
    shown = next(df.value for df in at.dataframe if "event_id" in df.value.columns)
    assert list(shown["event_id"]) == list(loaded.events["event_id"])  # file order


def test_store_merges_places_into_the_same_grid_cells(tmp_path, monkeypatch):
    from bench.generate import generate

    monkeypatch.setattr(views, "MAX_PLACES_DRAWN", 100)  # 10,000 events are at ~500 places
    folder = tmp_path / "synthetic"
    generate(10_000, folder, seed=3)
    result, _ = open_store(folder, tmp_path / "cache")
    dataset = result.dataset
    in_memory = loader.load_dataset(folder).dataset
    for chosen in (f.Filters(), f.Filters(claim_statuses=("alleged",))):
        from_store = selection.select(dataset, chosen).map_places()
        from_frame = selection.select(in_memory, chosen).map_places()
        assert (from_store["places"] > 1).any()  # grid cells, not places one by one
        pd.testing.assert_frame_equal(from_store, from_frame, check_dtype=False)


@pytest.mark.parametrize("fetched_by", ["row position", "order key", "narrowed copy"])
def test_a_merged_cells_tooltip_lists_the_earliest_events_of_all_its_places(tmp_path,
                                                                           monkeypatch,
                                                                           fetched_by):
    """The store asks for each cell's earliest events once the cells are known: what each
    cell lists equals the first events of the cell's places in date order, worked out here in
    pandas; whether rows are fetched again by position, by order key (a store served from
    memory, or Spark) or from a narrowed copy of the matching events."""
    from bench.generate import generate

    monkeypatch.setattr(views, "MAX_PLACES_DRAWN", 100)
    folder = tmp_path / "synthetic"
    generate(10_000, folder, seed=5)
    dataset = open_store(folder, tmp_path / "cache")[0].dataset
    if fetched_by == "order key":
        monkeypatch.setattr(dataset.event_store, "ROW_LOCATOR", None)
    if fetched_by == "narrowed copy":
        monkeypatch.setattr(selection.Selection, "NARROW_FROM", 0)
        monkeypatch.setattr(selection.Selection, "NARROW_UP_TO", 10_000)
    chosen = f.Filters(claim_statuses=("alleged", "reported"))
    picked = selection.select(dataset, chosen)
    assert (picked.store is not dataset.event_store) == (fetched_by == "narrowed copy")
    drawn = picked.map_places()
    assert (drawn["places"] > 1).any()
    events = selection.matching_events(dataset, chosen)  # in date order
    placed = events[events["lat"].notna() & events["lon"].notna()].reset_index(drop=True)
    spots = placed.drop_duplicates(["location", "lat", "lon"])
    size = views.grid_size(spots["lat"].to_numpy(float), spots["lon"].to_numpy(float))

    def cell_of(lat, lon):
        return tuple(zip(np.round(np.asarray(lat, float) / size).tolist(),
                         np.round(np.asarray(lon, float) / size).tolist()))
    lines = pd.Series([" · ".join(parts) for parts in zip(*(
        placed[c].astype(object).fillna("").astype(str)
        for c in ("date_text", "event_type", "actors_text", "claim_status", "grade")))])
    cells = pd.Series(cell_of(placed["lat"], placed["lon"]))
    expected = {cell: "\n".join(lines[cells == cell].head(5)) for cell in set(cells)}
    where = spots.drop_duplicates("location").set_index("location")
    found = {}
    for location, tip in zip(drawn["location"], drawn["tooltip"]):  # named by its busiest place
        cell = cell_of([where.at[location, "lat"]], [where.at[location, "lon"]])[0]
        found[cell] = "\n".join(line for line in tip.split("\n")[1:]
                                if not line.startswith("…"))
    assert found == expected


def test_the_stores_grid_cells_round_halves_to_even_as_the_views_do():
    import duckdb

    from components import engines

    lat = np.array([30.25, 30.75, 31.25, -30.25, 0.25, -0.75, 33.3, 30.2500001])
    lon = np.array([44.75, 44.25, 45.25, 43.75, 0.75, -0.25, 44.1, 44.7500001])
    con = duckdb.connect()
    con.register("spots", pd.DataFrame({"lat": lat, "lon": lon}))
    in_sql = con.execute(f"SELECT {views.grid_cell_sql(0.5)} FROM spots").fetchall()
    assert pd.factorize(pd.Series(in_sql))[0].tolist() == views.grid_cells(lat, lon, 0.5).tolist()
    assert [row[0] for row in in_sql[:6]] == [60, 62, 62, -60, 0, -2]  # halves to the even one
    # a tenth is no exact double: the division must be the same double division in SQL
    lat = np.array([0.35, 0.45, -0.05, 0.25, 33.35, 44.45, 30.05, -0.15])
    con.register("tenths", pd.DataFrame({"lat": lat, "lon": lat[::-1].copy()}))
    in_sql = con.execute(f"SELECT {views.grid_cell_sql(0.1)} FROM tenths").fetchall()
    assert [r[0] for r in in_sql] == np.round(lat / 0.1).tolist()
    assert pd.factorize(pd.Series(in_sql))[0].tolist() == views.grid_cells(
        lat, lat[::-1].copy(), 0.1).tolist()
    assert "BROUND(lat / 0.5, 0)" in engines.to_spark(
        f"SELECT count(*) FROM events GROUP BY {views.grid_cell_sql(0.5)}")


def test_a_broken_events_file_is_served_from_the_last_good_store(data_copy, tmp_path):
    """The events database keeps no versions of its own: the last good copy of the events
    file is kept as every table's is (datastore), and its database is served."""
    as_parquet(data_copy)
    cache, last_good = tmp_path / "cache", datastore.last_good_dir(data_copy)
    good, _ = open_store(data_copy, cache, last_good)
    assert (last_good / "events.parquet").read_bytes() == (
        data_copy / "events.parquet").read_bytes()
    events = pd.read_parquet(data_copy / "events.parquet")
    events.loc[len(events) - 1, "event_id"] = events.loc[0, "event_id"]  # a repeated id
    events.to_parquet(data_copy / "events.parquet", index=False)
    broken, store_loader = open_store(data_copy, cache, last_good)
    assert any(p.severity == ERROR for p in broken.problems if p.file == "events.parquet")
    assert any("last good version" in p.problem for p in broken.warnings)
    report = next(r for r in broken.files if r.table == "events")
    assert report.status == "unusable: last good version served"
    assert store_loader.store.count == good.dataset.event_store.count == len(events)
    # fixed again: the new version is served and the old stores are cleared away
    events.loc[len(events) - 1, "event_id"] = "ev-fixed"
    events.to_parquet(data_copy / "events.parquet", index=False)
    fixed, store_loader = open_store(data_copy, cache, last_good)
    assert not fixed.errors
    assert (last_good / "events.parquet").read_bytes() == (
        data_copy / "events.parquet").read_bytes()  # the fixed file is the new last good
    assert store_loader.store.events_by_id(["ev-fixed"])["event_id"].tolist() == ["ev-fixed"]
    assert len(list(cache.glob("*.duckdb"))) == 1


def test_lists_from_the_store_are_bounded_and_say_so(store_app, monkeypatch):
    monkeypatch.setattr(selection, "LISTED_ROWS", 5)
    at = open_export_menu(run_app())  # the caption is under the Export menu's events table
    total = len(loader.load_dataset(store_app).dataset.events)
    assert any(f"first 5 of the {total} matching events" in c.value for c in at.caption)
    actor = run_app("app_pages/actor.py", params={"actor": "irgc-qf"})
    heading = next(s.value for s in actor.subheader if s.value.startswith("Events"))
    assert heading.startswith("Events (the first 5 of ")


def test_an_unwritable_cache_folder_falls_back_to_the_temp_folder(data_copy, tmp_path,
                                                                 monkeypatch):
    as_parquet(data_copy)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setattr(eventstore.tempfile, "gettempdir", lambda: str(tmp_path / "temp"))
    result, store_loader = open_store(data_copy, blocked / "cache")
    assert store_loader.store is not None and not result.errors
    assert store_loader.store.path.parent == tmp_path / "temp" / "proxylens-cache"


def test_the_store_actor_page_follows_the_grade_filter(store_app, monkeypatch):
    def actor_page():
        at = run_app("app_pages/actor.py", params={"actor": "irgc-qf", "min_cred": "2"})
        heading = next(h.value for h in at.subheader if h.value.startswith("Events"))
        hidden = [c.value for c in at.caption if "hidden" in c.value]
        links = sorted(link.proto.label for link in at.get("page_link")
                       if "grade " in link.proto.label)
        return heading, hidden, links

    from_store = actor_page()
    assert from_store[1] and from_store[2]
    assert all(label.split("grade ")[-1][1] in "12" for label in from_store[2])
    monkeypatch.setenv(eventstore.STORE_ENV, "memory")
    assert actor_page() == from_store


def test_the_actor_page_cites_the_same_sources_from_either_store(store_app, monkeypatch):
    """The Actor page's "Sources that mention it" counts the events' citations from the
    prepared store as from memory (it once lost every citation that came from events)."""
    def sources_table():
        at = run_app("app_pages/actor.py", params={"actor": "irgc-qf"})
        assert not at.exception
        return next(df.value for df in at.dataframe if "rows citing it" in df.value.columns)

    from_disk = sources_table()
    monkeypatch.setenv(eventstore.STORE_ENV, "memory")
    pd.testing.assert_frame_equal(from_disk, sources_table())
    assert "events" in from_disk.set_index("source").loc["isw", "cited for"]


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_preparing_says_how_far_along_it_is(data_copy, tmp_path, monkeypatch, kind):
    if kind == "parquet":
        as_parquet(data_copy)
    monkeypatch.setenv(eventstore.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(eventstore.STORE_ENV, "disk")
    monkeypatch.setattr(eventstore, "SLICE_ROWS", 20)
    fingerprint = loader.folder_fingerprint(data_copy)
    total = len(read_rows(data_copy / "events.csv")) - 1 if kind == "csv" else len(
        pd.read_parquet(data_copy / "events.parquet"))
    assert eventstore.needs_preparing(data_copy, fingerprint) == total
    told = []
    eventstore.load_folder(data_copy, fingerprint, progress=lambda done, of: told.append((done, of)))
    assert told[0] == (0, total) and told[-1] == (total, total)
    assert [done for done, _ in told] == sorted({done for done, _ in told})  # one step a slice
    rows_a_slice = 20 if kind == "csv" else eventstore.even_slice_rows(
        pq.ParquetFile(data_copy / "events.parquet").metadata, 20)
    assert len(told) == 1 + -(-total // rows_a_slice)
    assert eventstore.needs_preparing(data_copy, fingerprint) == 0  # prepared: opened at once


def test_the_app_prepares_new_events_behind_a_progress_bar(store_app, monkeypatch):
    """Prepared in a thread of its own (a click stops the page, not the preparation), with a
    bar that only moves forward, then taken away."""
    from components.ui import data_access

    monkeypatch.setattr(eventstore, "SLICE_ROWS", 25)
    shown = []

    class Bar:
        def progress(self, value, text):
            shown.append((value, text))

        def empty(self):
            shown.append("emptied")

    monkeypatch.setattr(data_access.st, "progress", lambda value, text: Bar().progress(
        value, text) or Bar())
    at = run_app()
    assert not at.exception
    fractions = [value for value, _ in shown[:-1]]
    assert fractions[0] == 0 and fractions == sorted(fractions) and fractions[-1] <= 1
    assert all("Preparing the" in text for _, text in shown[:-1])
    assert shown[-1] == "emptied"
    fingerprint = loader.folder_fingerprint(store_app)
    assert eventstore.needs_preparing(store_app, fingerprint) == 0
    assert not data_access._PREPARING  # the preparation's thread is done and forgotten
    shown.clear()
    run_app()
    assert shown == []  # prepared once: the next start opens it


def test_a_broken_events_file_prepares_its_last_good_copy_without_moving_the_bar_back(
        data_copy, tmp_path, monkeypatch):
    as_parquet(data_copy)
    cache, last_good = tmp_path / "cache", datastore.last_good_dir(data_copy)
    open_store(data_copy, cache, last_good)
    for old in cache.glob("*.duckdb"):
        old.unlink()  # the good version's database is gone: it is prepared from the copy
    events = pd.read_parquet(data_copy / "events.parquet")
    events.loc[len(events) - 1, "event_id"] = events.loc[0, "event_id"]
    events.to_parquet(data_copy / "events.parquet", index=False)
    told = []
    store_loader = eventstore.StoreLoader(loader.folder_fingerprint(data_copy), cache,
                                          last_good, progress=lambda d, n: told.append(d / n))
    result = loader.load_dataset(data_copy, last_good=last_good, events_loader=store_loader)
    assert next(r for r in result.files if r.table == "events").status == (
        "unusable: last good version served")
    assert told == sorted(told) and told[-1] == 1


PREPARE = """
import sys
from components import eventstore, loader
folder = sys.argv[1]
result = eventstore.load_folder(folder, loader.folder_fingerprint(folder))
print("EVENTS", result.dataset.event_store.count)
"""


def test_two_processes_preparing_one_folder_at_once_share_one_database(data_copy, tmp_path):
    """Two app processes serving one folder both start preparing its events: one prepares
    while the other waits for it (a file lock), and both then read the same database."""
    as_parquet(data_copy)
    env = {**os.environ, "PROXYLENS_CACHE_DIR": str(tmp_path / "cache"),
           eventstore.STORE_ENV: "disk"}
    runs = [subprocess.Popen([sys.executable, "-c", PREPARE, str(data_copy)], cwd=PROJECT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err[-1500:] for _, err in outputs]
    expected = len(loader.load_dataset(data_copy).dataset.events)
    assert [out.strip().splitlines()[-1] for out, _ in outputs] == [f"EVENTS {expected}"] * 3
    assert len(list((tmp_path / "cache").glob("*.duckdb"))) == 1
    assert not list((tmp_path / "cache").glob("*.partial"))


@pytest.mark.parametrize("chosen", [
    f.Filters(date_from=date(2006, 1, 1), date_to=date(2007, 12, 31)),
    f.Filters(date_from=date(2004, 1, 1), date_to=date(2008, 6, 30),
              event_types=("armed attack",))],
                         ids=["2006-2007", "armed attacks 2004-mid 2008"])
def test_timeline_bins_and_monthly_counts_read_from_one_month_grid_equal_their_own_queries(
        data_copy, chosen):
    """Binned by month, the timeline and the monthly counts are summed from one query: the
    same answers as each one's own query, whichever is asked first."""
    dataset = loader.load_dataset(data_copy).dataset
    for lane_by in views.LANE_BY:
        for bins_first in (True, False):
            matching = selection.select(dataset, chosen)
            assert matching._binned_by_month
            if bins_first:
                bins, unit = matching.timeline_bins(lane_by)
                months, year_only = matching.monthly_counts()
            else:
                months, year_only = matching.monthly_counts()
                bins, unit = matching.timeline_bins(lane_by)
            assert [q for q in matching._answers if q[0] == "month grid"], "no shared query"
            own_bins, own_unit = matching.store.timeline_bins(matching.where, lane_by,
                                                              matching.facts)
            own_months, own_year_only = matching.store.monthly_counts(matching.where,
                                                                      matching.facts)
            assert unit == own_unit == "month" and year_only == own_year_only
            assert not bins.empty and not months.empty
            pd.testing.assert_frame_equal(bins.astype({"lane": object, "category": object}),
                                          own_bins.astype({"lane": object, "category": object}))
            pd.testing.assert_frame_equal(months.astype({"category": object}),
                                          own_months.astype({"category": object}))


def test_a_diff_reads_the_events_in_slices_counts_every_change_and_lists_the_first(
        data_copy, tmp_path, monkeypatch):
    """Events in a store or in memory, the same changes: each kind counted in full, at most
    DIFF_LISTED of each listed, first ids first."""
    old = loader.load_dataset(data_copy).dataset
    rows = read_rows(data_copy / "events.csv")
    header, body = rows[0], rows[1:]
    described = header.index("description")
    for row in body[:4]:
        row[described] = row[described] + " (edited)"
    added = [list(body[0]) for _ in range(2)]
    for number, row in enumerate(added):
        row[0] = f"ev-added-{number}"
    # the edited rows in reverse id order: the listing still takes the first ids
    write_rows(data_copy / "events.csv", [header] + body[5:] + body[:4][::-1] + added)
    monkeypatch.setattr(datastore, "DIFF_CHUNK_ROWS", 7)
    monkeypatch.setattr(datastore, "DIFF_LISTED", 3)
    in_memory = loader.load_dataset(data_copy).dataset
    in_store, _ = open_store(data_copy, tmp_path / "cache")
    assert in_store.dataset.event_store.prepared
    expected_counts = {("events", "added"): 2, ("events", "removed"): 1,
                       ("events", "changed"): 4}
    found = [datastore.diff(old, new, listed=3) for new in (in_memory, in_store.dataset)]
    assert not datastore.diff(old, in_memory, listed=10).truncated
    for changes in found:
        assert changes.counts == expected_counts
        assert changes.truncated
        listed = changes.listed
        edited = listed[listed["change"] == "changed"]
        assert len(edited) == 3 and set(edited["column"]) == {"description"}
        assert edited["id"].tolist() == sorted(row[0] for row in body[:4])[:3]
        assert listed[listed["change"] == "added"]["id"].tolist() == ["ev-added-0", "ev-added-1"]
    pd.testing.assert_frame_equal(found[0].listed, found[1].listed)
    # and against the store as the old version: nothing changes
    assert datastore.diff(in_store.dataset, in_memory).empty


def test_a_large_upload_is_checked_in_a_database_inside_its_staging_folder(
        data_copy, tmp_path, monkeypatch):
    """Past UPLOAD_STORE_FROM_BYTES an upload's events are prepared on disk (within the
    upload budget) in its staging folder, with the same problems the in-memory check finds."""
    rows = read_rows(data_copy / "events.csv")
    rows[3][rows[0].index("event_date")] = "not a date"
    write_rows(tmp_path / "events.csv", rows)
    staged = datastore.stage_upload(data_copy, [("events.csv",
                                                 (tmp_path / "events.csv").read_bytes())])
    try:
        in_memory = loader.load_dataset(staged.folder)
        assert not eventstore.wants_store(staged.folder, lean=True)  # small: held in memory
        monkeypatch.setattr(eventstore, "UPLOAD_STORE_FROM_BYTES", 1)
        monkeypatch.setattr(loader, "STREAM_FROM_BYTES", 1)  # read block by block
        monkeypatch.setattr(loader, "STREAM_BLOCK_BYTES", 500)
        monkeypatch.setattr(eventstore, "UPLOAD_SLICE_ROWS", 9)  # several slices
        checked = eventstore.check_upload(staged.folder)
        assert checked.dataset.event_store.prepared
        assert checked.dataset.event_store.path.parent == staged.folder / ".store"
        def said(result):
            return sorted(((p.file, p.row or 0, p.column or "", p.problem)
                           for p in result.problems))
        assert said(checked) == said(in_memory) and any(
            p.column == "event_date" for p in checked.problems)
        assert checked.dataset.event_store.count == len(rows) - 1
    finally:
        datastore.discard(staged)
    assert not staged.folder.exists()


def test_a_session_using_a_checked_upload_reads_the_database_its_check_prepared(
        data_copy, tmp_path, monkeypatch):
    """"Use for my session" loads the staged folder: its events are answered from the
    database the check prepared in the staging folder, not prepared a second time."""
    monkeypatch.setenv(eventstore.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(eventstore, "UPLOAD_STORE_FROM_BYTES", 1)
    staged = datastore.stage_upload(data_copy, [("events.csv",
                                                 (data_copy / "events.csv").read_bytes())])
    try:
        checked = eventstore.check_upload(staged.folder)
        prepared = checked.dataset.event_store.path
        fingerprint = loader.folder_fingerprint(staged.folder)
        assert eventstore.needs_preparing(staged.folder, fingerprint) == 0
        built = []
        monkeypatch.setattr(eventstore, "_build", lambda *a, **k: built.append(a))
        session = eventstore.load_folder(staged.folder, fingerprint)
        assert session.dataset.event_store.path == prepared and not built
        assert session.dataset.event_store.count == checked.dataset.event_store.count
        assert list((tmp_path / "cache").glob("**/*.duckdb")) == [prepared]  # one database
    finally:
        datastore.discard(staged)


def test_claims_and_briefing_steps_citing_events_find_them_in_the_store(data_copy, tmp_path):
    """With the events prepared on disk their frame is empty: the ids claims and briefing
    steps cite are asked of the store (every cited event was reported missing before)."""
    in_memory = loader.load_dataset(data_copy)
    result, _ = open_store(data_copy, tmp_path / "cache")
    assert result.dataset.event_store.prepared and result.dataset.events.empty
    missing = [p for p in result.problems if "is not an id in events.csv" in p.problem
               or "is not an event, relation or claim id" in p.problem]
    assert not missing
    assert len(result.problems) == len(in_memory.problems)
    cited = result.dataset.claims[result.dataset.claims["subject_type"] == "event"]
    assert len(cited) > 0
    assert len(result.dataset.claims) == len(in_memory.dataset.claims)
