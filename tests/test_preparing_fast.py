"""Preparing many events quickly gives the same answers: Parquet columns read as dictionaries
are checked per distinct value with the problems a CSV read gives, and a store served from
memory while it is kept on disk answers as a store prepared on disk, before and after."""

from __future__ import annotations

import fcntl
import re
import threading
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components import contract as c
from components import eventstore, filterdefs, frames, loader, selection
from components import filters as f
from tests.conftest import read_rows, write_rows
from tests.test_eventstore import as_parquet, open_store


def messy_events(folder) -> None:
    """Cells the checks catch in the columns read as dictionaries: spaces around a term, an
    unknown term, a term in another case, a bad date, a bad number, an unknown actor name,
    an actor named by its name rather than its id, an empty required term."""
    rows = read_rows(folder / "events.csv")
    header = rows[0]

    def put(row, column, value):
        rows[row][header.index(column)] = value

    put(2, "event_type", "  armed attack ")
    put(3, "event_type", "riot")
    put(4, "claim_status", "ALLEGED")
    put(5, "event_date", "2007-13-45")
    put(6, "fatalities", "many")
    put(7, "actor2", "Nobody We Know")
    put(8, "actor1", "Kata'ib Hezbollah")
    put(9, "claim_status", "")
    put(10, "geo_precision", "")
    put(11, "time_precision", "year")  # the date's own form is the day: a clash
    write_rows(folder / "events.csv", rows)


def test_dictionary_columns_are_the_repeating_text_columns_of_events():
    schema = pa.schema([("event_id", pa.string()), ("Event Type", pa.large_string()),
                        ("description", pa.string()), ("actor1", pa.string()),
                        ("latitude", pa.float64()), ("source_locator", pa.string())])
    events = loader.c.TABLES_BY_NAME["events"]
    assert loader.dictionary_columns(schema, events) == ["Event Type", "actor1",
                                                         "source_locator"]
    assert loader.dictionary_columns(schema, loader.c.TABLES_BY_NAME["actors"]) == []


def test_messy_cells_read_as_dictionaries_give_the_problems_and_values_of_a_csv(data_copy,
                                                                                tmp_path):
    messy_events(data_copy)
    from_csv = loader.load_dataset(data_copy)
    # as Parquet: empty cells as nulls, in row groups of 8 (a batch's dictionary holds values
    # other batches use)
    events = pd.read_csv(data_copy / "events.csv", dtype=str, keep_default_na=False)
    events = events.replace("", None)
    events.to_parquet(data_copy / "events.parquet", index=False, row_group_size=8)
    (data_copy / "events.csv").unlink()
    from_parquet = loader.load_dataset(data_copy)
    assert isinstance(from_parquet.dataset.events["actor2"].dtype, pd.CategoricalDtype)

    def problems(result, filename):
        return sorted((p.row, p.column, p.value, p.problem, p.severity)
                      for p in result.problems if p.file == filename)
    expected = problems(from_csv, "events.csv")
    assert {(row, column) for row, column, *_ in expected} >= {
        (4, "event_type"), (6, "event_date"), (7, "fatalities"), (8, "actor2"),
        (10, "claim_status"), (12, "time_precision")}
    assert problems(from_parquet, "events.parquet") == expected
    events = from_parquet.dataset.events
    assert events["event_type"].iat[1] == "armed attack"  # spaces gone
    assert events["claim_status"].iat[3] == "alleged"  # the vocabulary's own case
    assert events["actor1"].iat[7] == "kh"  # a name resolved to its id
    columns = ["event_id", "event_type", "claim_status", "time_precision", "geo_precision",
               "actor1", "actor2", "assoc_actors", "source_ids", "span_start", "span_end",
               "place_name", "admin1", "lat", "lon", "fatalities", "grade", "credibility",
               "source_locator", "date_end", "origin_location", "description", "date_note"]
    pd.testing.assert_frame_equal(
        from_parquet.dataset.events[columns].astype(object),
        from_csv.dataset.events[columns].astype(object))
    # and prepared in slices of 7 on disk, the same problems again
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(eventstore, "SLICE_ROWS", 7)
        result, _ = open_store(data_copy, tmp_path / "cache")
    assert problems(result, "events.parquet") == expected


def test_words_worked_out_per_value_equal_the_words_of_each_row():
    values = pa.array(["Baghdad", "Al-Başra  (port)", None, "Baghdad", "", "Karbala PJCC"])
    known: dict = {}
    per_value = eventstore._words_per_value(values.dictionary_encode(), known)
    row_by_row = [filterdefs.words_key(v or "") for v in values.to_pylist()]
    assert per_value.to_pylist() == row_by_row  # a missing value has no words, as coalesce gives
    assert known["Baghdad"] == "baghdad" and "Karbala PJCC" in known
    again = eventstore._words_per_value(pa.array(["Karbala PJCC"]).dictionary_encode(), known)
    assert again.to_pylist() == [known["Karbala PJCC"]]


def test_codes_and_values_group_categoricals_tuples_and_text():
    shared = ("s1", "s2")
    tuples = pd.Series([shared, ("s3",), shared, float("nan"), ("s3",)], dtype=object)
    codes, values = frames.codes_and_values(tuples)
    assert [values[c] if isinstance(values[c], tuple) else None for c in codes] == [
        shared, ("s3",), shared, None, ("s3",)]
    assert codes[0] == codes[2]
    terms = pd.Series(pd.Categorical(["b", None, "a", "b"]))
    codes, values = frames.codes_and_values(terms)
    assert [values[c] for c in codes][0::2] == ["b", "a"] and pd.isna(values[codes[1]])
    codes, values = frames.codes_and_values(pd.Series(["x", "y", "x"]))
    assert list(values[codes]) == ["x", "y", "x"]


def test_categoricals_combined_and_compared_on_their_codes():
    chosen = pd.Series(pd.Categorical(["day", "month", "bad", "year"]))
    otherwise = pd.Series(pd.Categorical(["", "year", "day", "other"]))
    condition = pd.Series([True, False, False, True])
    combined = loader.where_categorical(condition, chosen, otherwise)
    assert combined.astype(object).tolist() == ["day", "year", "day", "year"]
    assert loader.differs(chosen, otherwise).tolist() == [True, True, True, True]
    assert loader.differs(chosen, chosen.astype(object)).tolist() == [False] * 4
    assert loader.differs(pd.Series(["a", "b"]), pd.Series(["a", "c"])).tolist() == [False, True]


@pytest.fixture
def served(data_copy, tmp_path, monkeypatch):
    """The shipped events prepared as a store served from memory, its keeping on disk held
    back until the test lets it go (`release`)."""
    as_parquet(data_copy)
    monkeypatch.setattr(eventstore, "SERVE_WHILE_KEEPING_FROM", 0)
    monkeypatch.setattr(eventstore, "SLICE_ROWS", 10)  # several slices
    hold = threading.Event()
    keep = eventstore._keep_on_disk

    def held_keep(*args):
        hold.wait(60)
        keep(*args)
    monkeypatch.setattr(eventstore, "_keep_on_disk", held_keep)
    cache = tmp_path / "cache"
    result, store_loader = open_store(data_copy, cache)
    yield result, store_loader, cache, hold
    hold.set()
    assert eventstore.wait_until_kept(60)


def rows_in_order(store) -> pd.DataFrame:
    return store._frame("SELECT event_id, _row, words, order_key FROM events ORDER BY order_key")


def test_a_store_served_from_memory_answers_at_once_and_then_from_disk(served, data_copy,
                                                                       monkeypatch):
    result, store_loader, cache, hold = served
    store = store_loader.store
    assert store.prepared and not list(cache.glob("*.duckdb"))  # not on disk yet
    assert eventstore.needs_preparing(data_copy, loader.folder_fingerprint(data_copy)) == 0
    # another load of the same version is answered by the same store, not a second build
    again, again_loader = open_store(data_copy, cache)
    assert again_loader.store is store
    chosen = f.Filters(text="Karbala")
    from_memory = selection.select(result.dataset, chosen)
    before = rows_in_order(store)
    assert store.ROW_LOCATOR is None  # from memory, rows are fetched by their order key
    assert "while the database" in store.engine_text
    page = store.rows(eventstore.where_clause(result.dataset, chosen), limit=5)
    assert len(page) and store._frame("SELECT count(*) FROM stored_events").iat[0, 0] == len(
        before)

    hold.set()
    assert eventstore.wait_until_kept(60)
    (database,) = cache.glob("*.duckdb")
    assert store._frame("SELECT current_database()").iat[0, 0] == database.stem
    pd.testing.assert_frame_equal(rows_in_order(store), before)  # the same rows and words
    assert store.ROW_LOCATOR == "rowid"  # on disk, rows are fetched by position
    pd.testing.assert_frame_equal(
        store.rows(eventstore.where_clause(result.dataset, chosen), limit=5), page)
    from_disk = selection.select(result.dataset, chosen)
    assert from_disk.facts == from_memory.facts and from_disk.facts["events"] > 0
    pd.testing.assert_frame_equal(from_disk.map_places(), from_memory.map_places())

    # and it equals a store prepared straight on disk
    monkeypatch.setattr(eventstore, "SERVE_WHILE_KEEPING_FROM", 10**9)
    direct, _ = open_store(data_copy, cache.parent / "direct")
    straight = selection.select(direct.dataset, chosen)
    assert straight.facts == from_disk.facts
    pd.testing.assert_frame_equal(straight.map_places(), from_disk.map_places())
    assert [p for p in direct.problems] == [p for p in result.problems]
    # the words made by the view equal those a store written slice by slice stores
    pd.testing.assert_frame_equal(rows_in_order(direct.dataset.event_store), before)
    assert "prepared on disk" in store.engine_text


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_keep_that_fails_leaves_the_store_in_memory_and_the_lock_free(data_copy, tmp_path,
                                                                        monkeypatch):
    as_parquet(data_copy)
    monkeypatch.setattr(eventstore, "SERVE_WHILE_KEEPING_FROM", 0)
    cache = tmp_path / "cache"
    cache.mkdir()
    target = cache / eventstore._store_name(eventstore._folder_key(data_copy),
                                            loader.folder_fingerprint(data_copy))
    target.with_suffix(".partial").mkdir()  # the database cannot be written there
    result, store_loader = open_store(data_copy, cache)
    assert eventstore.wait_until_kept(60)
    assert not target.exists()
    store = store_loader.store
    assert store._frame("SELECT current_database()").iat[0, 0] == "memory"
    assert store.count == len(loader.load_dataset(data_copy).dataset.events)
    with open(target.with_suffix(".lock"), "a+b") as lock:  # let go: taken without waiting
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


@pytest.mark.parametrize("unit", ["ns", "us", "s"])
def test_order_keys_put_undated_events_last_and_keep_file_order(unit):
    starts = pd.Series(pd.to_datetime(["2007-03-01", None, "2003-01-20", "2007-03-01"])
                       ).astype(f"datetime64[{unit}]")
    keys = eventstore.order_keys(starts, pd.Series([2, 3, 4, 5]))
    assert list(np.argsort(keys, kind="stable")) == [2, 0, 3, 1]
    assert keys[1] >> 40 == eventstore.UNDATED_DAY
    assert keys[2] >> 40 == (pd.Timestamp("2003-01-20") - eventstore.DAY_ZERO).days
    assert keys[0] & ((1 << 40) - 1) == 2  # the file row below the day


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FF)),
                max_size=12))
def test_the_control_character_check_finds_what_the_pattern_finds(cells):
    values = pd.Series(cells, dtype="str")
    expected = [bool(re.search(loader.c.CONTROL_CHARACTERS, cell)) for cell in cells]
    assert loader.holds_control_character(values).tolist() == expected


def test_read_ahead_yields_in_order_raises_in_the_caller_and_stops_with_it():
    assert list(eventstore.read_ahead(iter(range(5)))) == [0, 1, 2, 3, 4]

    def failing():
        yield 1
        raise ValueError("unreadable batch")
    with pytest.raises(ValueError, match="unreadable batch"):
        list(eventstore.read_ahead(failing()))
    produced = []

    def endless():
        for number in range(10**6):
            produced.append(number)
            yield number
    ahead = eventstore.read_ahead(endless())
    assert next(ahead) == 0
    ahead.close()  # the caller stops early: the producing thread ends, not blocked forever
    assert len(produced) < 10
    assert not any(t.name == "proxylens-read-ahead" for t in threading.enumerate())


def test_place_counts_keep_one_way_of_fetching_rows_when_the_store_switches_midway(served):
    """The switch to disk may come between a view's two queries: each view reads how rows are
    fetched once (it raised a KeyError when the second query asked for row positions the first
    had not taken)."""
    result, store_loader, cache, hold = served
    store = store_loader.store
    where = eventstore.where_clause(result.dataset, f.Filters())
    args = (where, "event category", result.dataset.actor_names)
    expected = store.place_counts(*args)
    real_frame = store._frame

    def switching(sql, params=()):
        frame = real_frame(sql, params)
        store.ROW_LOCATOR = "rowid"  # as read_from_disk would, after the first query
        return frame
    store._frame = switching
    try:
        counts, listed = store.place_counts(*args)
    finally:
        del store._frame
        store.ROW_LOCATOR = None
    def in_order(frame):  # a grouping's rows come in no fixed order
        return frame.astype(str).sort_values(list(frame.columns), ignore_index=True)
    pd.testing.assert_frame_equal(in_order(counts), in_order(expected[0]))
    pd.testing.assert_frame_equal(in_order(listed), in_order(expected[1]))


def test_the_keeping_thread_is_not_a_daemon_even_when_the_preparing_one_is(data_copy, tmp_path,
                                                                          monkeypatch):
    as_parquet(data_copy)
    monkeypatch.setattr(eventstore, "SERVE_WHILE_KEEPING_FROM", 0)
    hold = threading.Event()
    seen = []
    keep = eventstore._keep_on_disk

    def held_keep(*args):
        seen.append(threading.current_thread().daemon)
        hold.wait(60)
        keep(*args)
    monkeypatch.setattr(eventstore, "_keep_on_disk", held_keep)
    preparing = threading.Thread(target=open_store, args=(data_copy, tmp_path / "cache"),
                                 daemon=True)  # as the app's preparation thread is
    preparing.start()
    preparing.join(60)
    hold.set()
    assert eventstore.wait_until_kept(60)
    assert seen == [False]
    assert list((tmp_path / "cache").glob("*.duckdb"))


def test_a_failed_keep_lets_the_next_load_prepare_again(data_copy, tmp_path, monkeypatch):
    as_parquet(data_copy)
    monkeypatch.setattr(eventstore, "SERVE_WHILE_KEEPING_FROM", 0)
    cache = tmp_path / "cache"
    cache.mkdir()
    fingerprint = loader.folder_fingerprint(data_copy)
    target = cache / eventstore._store_name(eventstore._folder_key(data_copy), fingerprint)
    target.with_suffix(".partial").mkdir()
    result, store_loader = open_store(data_copy, cache)
    assert eventstore.wait_until_kept(60)
    assert target not in eventstore._SERVING
    target.with_suffix(".partial").rmdir()
    again, again_loader = open_store(data_copy, cache)
    assert again_loader.store is not store_loader.store
    assert eventstore.wait_until_kept(60) and target.exists()


def test_a_table_other_than_events_written_with_categoricals_loads_as_text(data_copy):
    relations = pd.read_csv(data_copy / "relations.csv", dtype=str, keep_default_na=False)
    relations["relation_id"] = relations["relation_id"].where(relations.index != 0, "")
    for column in ("source", "target", "relation_id"):
        relations[column] = relations[column].astype("category")
    relations.to_parquet(data_copy / "relations.parquet", index=False)
    (data_copy / "relations.csv").unlink()
    result = loader.load_dataset(data_copy)
    assert not [p for p in result.errors if p.file == "relations.parquet"]
    loaded = result.dataset.relations
    assert len(loaded) == len(relations) and loaded["relation_id"].iat[0] != ""
    assert not isinstance(loaded["source"].dtype, pd.CategoricalDtype)


def test_events_with_long_rows_are_prepared_on_disk_straight_away(data_copy, tmp_path,
                                                                  monkeypatch):
    as_parquet(data_copy)
    monkeypatch.setattr(eventstore, "SERVE_WHILE_KEEPING_FROM", 0)
    events = data_copy / "events.parquet"
    assert eventstore.serves_while_keeping(events)
    monkeypatch.setattr(eventstore, "SERVE_WHILE_KEEPING_BYTES", events.stat().st_size - 1)
    assert not eventstore.serves_while_keeping(events)
    result, store_loader = open_store(data_copy, tmp_path / "cache")
    assert not store_loader.store.keeping and list((tmp_path / "cache").glob("*.duckdb"))


@pytest.mark.parametrize("served_from_memory", [False, True])
def test_a_prepared_store_keeps_each_slices_events_of_a_type_together_in_date_order(
        data_copy, tmp_path, monkeypatch, served_from_memory):
    """Stored rows are clustered (eventstore._clustered), so a filter on one event type reads a
    few blocks; the file's order stays what the pages list by. Prepared on disk, the slices
    reach the writer clustered; served from memory, the writer clusters them: both ways, the
    database kept on disk holds them clustered."""
    as_parquet(data_copy)
    monkeypatch.setattr(eventstore, "SLICE_ROWS", 20)  # several slices of the shipped events
    if served_from_memory:
        monkeypatch.setattr(eventstore, "SERVE_WHILE_KEEPING_FROM", 0)
    served, serve = [], eventstore._serve_while_keeping
    monkeypatch.setattr(eventstore, "_serve_while_keeping",
                        lambda *args: served.append(args[0]) or serve(*args))
    result, store_loader = open_store(data_copy, tmp_path / "cache")
    store = store_loader.store
    assert bool(served) == served_from_memory
    assert eventstore.wait_until_kept(60) and not store.keeping  # read from disk now
    stored = store._frame("SELECT _row, event_type, order_key FROM events ORDER BY rowid")
    rows_a_slice = eventstore.even_slice_rows(
        pq.ParquetFile(data_copy / "events.parquet").metadata, 20)
    # the slices a file's rows fell in; slices stored together may land in either order
    slice_of = (stored["_row"] - stored["_row"].min()) // rows_a_slice
    assert slice_of.nunique() > 2
    for _, rows in stored.groupby(slice_of):
        assert (np.diff(rows.index.to_numpy()) == 1).all()  # a slice's rows stored together
        types = rows["event_type"].tolist()
        runs = [t for i, t in enumerate(types) if i == 0 or types[i - 1] != t]
        assert len(runs) == len(set(types))  # each type in one run
        for _, of_type in rows.groupby("event_type"):
            assert of_type["order_key"].is_monotonic_increasing
    assert len(set(stored["event_type"])) > 3
    listed = store.file_rows(0, result.dataset.event_store.count)
    assert listed["event_id"].tolist() == pd.read_parquet(data_copy / "events.parquet")[
        "event_id"].tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["ev-1", "ev-2", "ev-3", "", "é", " ev-1"]), max_size=12),
       st.sampled_from(["str", "string[pyarrow]", object]))
def test_repeated_ids_are_the_rows_pandas_marks_duplicated(ids, dtype):
    """loader.repeated answers at once when every id differs, and otherwise row by row."""
    values = pd.Series(ids, dtype=dtype, index=range(3, 3 + len(ids)))
    found = loader.repeated(values)
    assert found.tolist() == values.duplicated(keep=False).tolist()
    assert found.index.equals(values.index)


def test_the_writer_stores_slices_together_and_what_it_holds_at_the_end(monkeypatch):
    """Each INSERT costs DuckDB a good deal besides its rows: slices are stored `together` at
    a time, the rest when the typing ends, and the database is checkpointed each time the
    slices stored pass another CHECKPOINT_SLICES."""
    con = duckdb.connect(":memory:")
    statements: list[str] = []

    class Watched:  # the connection, its statements noted
        def __getattr__(self, name):
            return getattr(con, name)

        def execute(self, sql, *args):
            statements.append(sql.split()[0])
            return con.execute(sql, *args)

    monkeypatch.setattr(eventstore, "WITH_WORDS", "SELECT n FROM slice")
    monkeypatch.setattr(eventstore, "CHECKPOINT_SLICES", 2)
    with eventstore._SliceWriter(Watched(), together=3) as writer:
        for n in range(7):
            writer.put(pa.table({"n": [n, n]}))
    assert [s for s in statements if s in ("CREATE", "INSERT")] == ["CREATE", "INSERT", "INSERT"]
    # stored 3 slices (past 2: a checkpoint), 6 (past 4 and 6: one), then 7 (none)
    assert statements == ["CREATE", "CHECKPOINT", "INSERT", "CHECKPOINT", "INSERT"]
    assert sorted(n for (n,) in con.execute("SELECT n FROM events").fetchall()) == sorted(
        list(range(7)) * 2)


class _Groups:
    """Parquet metadata's row groups, as even_slice_rows reads them."""

    def __init__(self, rows: list[int]) -> None:
        self.num_row_groups = len(rows)
        self._rows = rows

    def row_group(self, i: int):
        return type("RowGroup", (), {"num_rows": self._rows[i]})()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 5_000), min_size=1, max_size=4), st.integers(1, 1_000))
def test_slices_split_the_biggest_row_group_evenly(groups, rows):
    """A Parquet batch never spans two row groups: slices of a fixed size leave a short one at
    the end of each group (four of 250,000 and one of 48,576 from a group of 1,048,576).
    The slices cut the biggest group in as many nearly equal parts as `rows` fits best."""
    size = eventstore.even_slice_rows(_Groups(groups), rows)
    biggest = max(groups)
    if biggest <= rows:
        assert size == rows
        return
    parts = -(-biggest // size)
    assert parts <= max(1, round(biggest / rows))  # fewer when they divide it as evenly
    assert biggest - (parts - 1) * size > size - parts  # the last part nearly as big
    assert size <= 1.5 * rows + 1


def test_a_parquet_files_slices_follow_its_row_groups(data_copy):
    as_parquet(data_copy)
    path = data_copy / "events.parquet"
    events = pq.read_table(path)
    pq.write_table(events, path, row_group_size=42)
    table = c.TABLES_BY_NAME["events"]
    slices = [len(raw) for raw in eventstore._raw_slices(path, table, loader.ProblemLog(), 10)]
    assert sum(slices) == events.num_rows > 42
    assert slices[:4] == [11, 11, 11, 9]  # the first group in four, not 10, 10, 10, 10 and 2


def test_a_writer_whose_caller_failed_stores_nothing_more(monkeypatch):
    """When the typing fails, the slices the writer holds are dropped: the database goes."""
    con = duckdb.connect(":memory:")
    monkeypatch.setattr(eventstore, "WITH_WORDS", "SELECT n FROM slice")
    with pytest.raises(ValueError, match="a bad slice"):
        with eventstore._SliceWriter(con, together=2) as writer:
            for n in range(3):
                writer.put(pa.table({"n": [n]}))
            raise ValueError("a bad slice")
    assert con.execute("SELECT n FROM events").fetchall() == [(0,), (1,)]  # the third: held
