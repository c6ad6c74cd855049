"""The events, in DuckDB: filtered and aggregated in SQL whatever the folder's size.

No Streamlit import. A folder's events are checked by the loader and then held in an in-memory
DuckDB database; with millions of events (from STORE_FROM_ROWS in a Parquet events file, or
whenever PROXYLENS_STORE=disk) the loader hands the events file to `StoreLoader` instead: it
reads the file in slices, checks and types each slice with the loader's own rules (so problems
read the same, with the same row numbers), and appends it to a DuckDB database in the cache
folder, one per data version. Opening a data version already prepared costs only its problem
list.

The views ask the store (through components.selection) for what they draw: counts per place,
per route, per lane and period, per month, the actors involved, the sources cited, a bounded
page of rows. Only those small frames come back into pandas, to be finished for drawing by
components.views.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import fcntl
import hashlib
import logging
import os
import queue
import tempfile
import threading
import weakref
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from components import contract as c
from components import filterdefs
from components import filters as f
from components import datastore, engines, loader, views
from components import frames as frames_ops
from components.contract import ERROR, WARNING, Problem

_log = logging.getLogger(__name__)

# What a query runs inside: a context manager factory. While DuckDB (or Spark) works, the
# thread mostly waits (DuckDB lets go of the interpreter lock); the app sets this so another
# session's script takes its turn meanwhile (components.ui.turns). By default, nothing.
engine_wait: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext

STORE_FROM_ROWS = 500_000  # a Parquet events file this long is prepared in a database on disk
STORE_FROM_BYTES = 64 * 1024 * 1024  # as is an events CSV file this large (about 300,000 rows)
STORE_ENV = "PROXYLENS_STORE"  # "disk" or "memory" forces where the events database is kept
CACHE_ENV = datastore.CACHE_ENV
STORE_VERSION = 5  # bump when the stored columns or their order change: older stores are rebuilt
SLICE_ROWS = 250_000
# Slices stored together, in one INSERT: each costs DuckDB a good deal besides its rows (at
# ten million events on two cores, slices of 262,144 stored one by one took 38-45 s and 67 s
# of processor time; two at a time 34 s and 51 s; four, 36 s). Slices twice as big would do
# as well, but every event of a slice is in pandas while it is typed (peak 1.7 GB against 1.5).
SLICES_TOGETHER = 2
# the database is written out every so many slices, while the next ones are typed, rather
# than all at the end (at ten million events that final write took 8 s)
CHECKPOINT_SLICES = 8
MEMORY_LIMIT = "1GB"  # DuckDB's own buffers, when querying
BUILD_MEMORY_LIMIT = "512MB"  # while a store is written, beside a slice in pandas
# an upload is checked in a server that goes on serving everyone else: a leaner preparation
# (smaller slices, less for DuckDB), slower by a few seconds at a million events, in a
# database inside the upload's staging folder (gone with it)
UPLOAD_STORE_DIR = ".store"
UPLOAD_SLICE_ROWS = 25_000
UPLOAD_SLICE_BYTES = 4 * 1024 * 1024  # or fewer rows, when they are long (as ACLED's are)
UPLOAD_BUILD_MEMORY_LIMIT = "64MB"
# and from a smaller size than the data folder's: held in memory, a 47 MB events CSV cost 440 MB
UPLOAD_STORE_FROM_BYTES = 16 * 1024 * 1024
UPLOAD_STORE_FROM_ROWS = 100_000
LIST_COLUMNS = ("assoc_actors", "source_ids")
LABEL_COLUMNS = ("category", "actor1_side", "actor1_name", "grade_band")
# what the views' queries read (a narrowed store copies these only; rows are read in full)
VIEWED_COLUMNS = ("order_key", "location", "place_name", "lat", "lon", "geo_precision",
                  "span_start", "span_end", "event_date", "time_precision", "date_end",
                  "date_note", "event_type", "category",
                  "claim_status", "grade", "grade_band", "actor1", "actor2", "assoc_actors", "actor1_side",
                  "actor1_name", "origin_location", "origin_lat", "origin_lon")
SEARCHED_COLUMNS = ("description", "event_type", "place_name", "event_id", "source_locator")


def events_file(folder: Path) -> Path | None:
    """The file the events are read from (events.csv or events.parquet, the newer)."""
    return loader.table_path(folder, c.TABLES_BY_NAME["events"])


def wants_store(folder: str | os.PathLike, lean: bool = False) -> bool:
    """Whether a folder's events are prepared in a database on disk (else held in memory):
    from STORE_FROM_ROWS events in Parquet or STORE_FROM_BYTES of CSV (an upload's check,
    `lean`: the UPLOAD_ thresholds), unless PROXYLENS_STORE says otherwise."""
    forced = os.environ.get(STORE_ENV, "").strip().lower()
    path = events_file(Path(folder))
    if forced in ("disk", "memory"):
        return forced == "disk" and path is not None
    if path is None:
        return False
    try:
        if path.suffix == ".parquet":
            return pq.ParquetFile(path).metadata.num_rows >= (
                UPLOAD_STORE_FROM_ROWS if lean else STORE_FROM_ROWS)
        return path.stat().st_size >= (UPLOAD_STORE_FROM_BYTES if lean else STORE_FROM_BYTES)
    except Exception:  # noqa: BLE001 - an unreadable file is reported by the usual loader
        return False


def row_estimate(path: Path) -> int:
    """How many events a file holds: exact for Parquet; for CSV its lines less the header
    (a field with line breaks makes it an overestimate, corrected as the slices come in)."""
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    with path.open("rb") as handle:
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 24), b""))
    return max(lines - 1, 0)


Progress = Callable[[int, int], None]  # rows prepared so far, rows in the file


def load_folder(folder: str | os.PathLike, fingerprint: str, last_good=None,
                progress: Progress | None = None, directory: Path | None = None,
                lean: bool = False) -> loader.LoadResult:
    """loader.load_dataset, with the events in an event store: prepared on disk once per data
    version when the folder wants one (wants_store), else held in memory. Either way the
    dataset's events frame is left empty: every question about events goes to the store.
    `progress(done, total)` is told after each slice of events a preparation writes; the
    database goes to `directory` (default: the cache folder), prepared `lean` or not (see
    StoreLoader). An upload whose check prepared its events on disk (check_upload) is
    answered from that database: a session that uses the upload does not prepare it again."""
    checked = Path(folder) / UPLOAD_STORE_DIR
    if directory is None and checked.is_dir():
        directory, lean = checked, True
    store_loader = (StoreLoader(fingerprint, directory=directory, last_good=last_good,
                                progress=progress, lean=lean)
                    if wants_store(folder, lean) else None)
    result = loader.load_dataset(folder, last_good=last_good, events_loader=store_loader)
    dataset = result.dataset
    if store_loader is not None:
        dataset.event_store = on_engine(store_loader.store)
    else:
        store_of(dataset)
        dataset.events = dataset.events.iloc[:0]
    return result


def check_upload(folder: str | os.PathLike) -> loader.LoadResult:
    """An upload staged in `folder`, checked as the loader checks the data folder: its events
    prepared in a database inside the staging folder (gone with it) within the upload memory
    budget when they are many (wants_store), else read into memory."""
    folder = Path(folder)
    if not wants_store(folder, lean=True):
        return loader.load_dataset(folder)
    return load_folder(folder, loader.folder_fingerprint(folder),
                       directory=folder / UPLOAD_STORE_DIR, lean=True)


def needs_preparing(folder: str | os.PathLike, fingerprint: str) -> int:
    """How many events a load of this folder would first prepare on disk (0: none, the
    folder's events are held in memory or this version is prepared already)."""
    folder = Path(folder)
    checked = folder / UPLOAD_STORE_DIR
    if not wants_store(folder, lean=checked.is_dir()):
        return 0
    directory = checked if checked.is_dir() else cache_dir()
    target = directory / _store_name(_folder_key(folder), fingerprint)
    fallback = Path(tempfile.gettempdir()) / "proxylens-cache" / target.name
    if target.exists() or fallback.exists() or target in _SERVING:
        return 0
    return row_estimate(events_file(folder))


def _folder_key(folder: Path) -> str:
    return hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:8]


def _store_name(folder_key: str, version: str) -> str:
    return f"events-{folder_key}-{version}-v{STORE_VERSION}.duckdb"


def store_of(dataset: loader.Dataset) -> "EventStore":
    """The dataset's event store; a dataset read without one (loader.load_dataset, as the Data
    page checks an upload) gets one in memory from its events frame, built once."""
    if dataset.event_store is None:
        frames = {"actors": dataset.actors, "sources": dataset.sources}
        dataset.event_store = on_engine(
            EventStore.in_memory(_stored_slice(dataset.events, frames)))
    return dataset.event_store


def on_engine(store: "EventStore | None") -> "EventStore | None":
    """The store whose queries the chosen engine runs (engines.engine_name): DuckDB's own, or
    the same queries on Spark over the same events."""
    if store is None or engines.engine_name() == "duckdb":
        return store
    return SparkEventStore.of(store)


cache_dir = datastore.cache_dir  # the prepared databases, beside the state folders


# --------------------------------------------------------------------------------------------
# Preparing a store


class StoreLoader:
    """The loader's `events_loader`: events into a DuckDB database, prepared once per version.

    The database is derived from the events file, so it keeps no versions of its own: its last
    good version is the database prepared from the events file's last good copy, which
    components.datastore keeps as it keeps every table's (`last_good`, a folder; None keeps
    none, as for an upload checked in a staging folder)."""

    def __init__(self, fingerprint: str, directory: Path | None = None,
                 last_good: Path | None = None, progress: Progress | None = None,
                 lean: bool = False) -> None:
        self.fingerprint = fingerprint
        self.lean = lean  # prepared within an upload's memory budget (UPLOAD_*)
        self.directory = directory or cache_dir()
        self.last_good = Path(last_good) if last_good is not None else None
        self.progress = progress
        self.store: EventStore | None = None

    def __call__(self, folder: Path, table: c.Table, frames, indexes, log: loader.ProblemLog):
        path = events_file(folder)
        self.folder_key = _folder_key(folder)
        modified = pd.Timestamp(path.stat().st_mtime, unit="s")
        store = self._prepared(path, self.fingerprint, table, frames, indexes)
        problems, rows, fingerprint = store.load_report()
        log.problems.extend(problems)
        report = loader.FileReport(table.name, path.name, "warnings" if problems else "ok", rows,
                                   fingerprint, modified)
        kept = {store.path}
        if any(p.severity == ERROR for p in problems):
            store, report = self._last_good_store(path, table, frames, indexes, report, log)
            kept.add(store.path if store is not None else None)
        elif self.last_good is not None:
            datastore.keep_good(self.last_good, path, fingerprint)
        for old in self.directory.glob(f"events-{self.folder_key}-*.duckdb"):
            if old not in kept:  # earlier versions, no longer needed
                old.unlink(missing_ok=True)
                old.with_suffix(".parquet").unlink(missing_ok=True)
                old.with_suffix(".lock").unlink(missing_ok=True)
        self.store = store
        return loader.empty_table(_read_from(table, path.name)), report

    def _prepared(self, path: Path, version: str, table, frames, indexes,
                  told: bool = True) -> "EventStore":
        """The database prepared from an events file, for a version key (built if need be)."""
        target = self.directory / _store_name(self.folder_key, version)
        if not target.exists():
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
            except OSError:  # a cache folder that cannot be written: the system's temp folder
                self.directory = Path(tempfile.gettempdir()) / "proxylens-cache"
                self.directory.mkdir(parents=True, exist_ok=True)
                target = self.directory / target.name
        if not target.exists():
            # one preparation at a time, of this process's sessions and of other processes
            # serving the same folder: all share the result
            with _BUILDING:
                if (serving := _SERVING.get(target)) is not None:
                    return serving  # prepared in memory here, being kept on disk
                lock = _BuildingLock(target)
                try:
                    if not target.exists():
                        progress = self.progress if told else None
                        if not self.lean and serves_while_keeping(path):
                            store = _serve_while_keeping(path, target, table, frames,
                                                         indexes, progress, lock)
                            if store is not None:
                                lock = None  # let go by the thread that keeps the database
                                return store
                        _build(path, target, table, frames, indexes, progress, lean=self.lean)
                finally:
                    if lock is not None:
                        lock.release()
        return EventStore(target)

    def _last_good_store(self, path: Path, table, frames, indexes, report: loader.FileReport,
                         log: loader.ProblemLog):
        """The database of the events file's last good copy, served in place of an unusable
        events file (as the loader serves a last good copy of any other file)."""
        kept = datastore.good_copy(self.last_good, path.name) if self.last_good else None
        if kept is not None:
            # named by the folder's version: the database also holds labels from the other
            # tables, so a change to them prepares it again
            older = self._prepared(kept, "good-" + self.fingerprint, table, frames, indexes,
                                   told=False)
            problems, rows, _ = older.load_report()
            if not any(p.severity == ERROR for p in problems):
                when = pd.Timestamp(kept.stat().st_mtime, unit="s").strftime("%Y-%m-%d %H:%M")
                log.add(report.filename, None, None, None,
                        f"cannot be used, so the last good version (kept {when} UTC) is "
                        "served until the file is fixed", WARNING, kind="last good")
                return older, dataclasses.replace(
                    report, status="unusable: last good version served", rows=rows)
        return None, dataclasses.replace(report, status="unusable", rows=0)


def _read_from(table: c.Table, filename: str) -> c.Table:
    """The table as read from `filename`, so problems name the file (events.parquet)."""
    return dataclasses.replace(table, filename=filename)


_BUILDING = threading.Lock()


class _BuildingLock:
    """A lock on preparing `target` that other processes honour too (a file lock beside it),
    taken at once; any thread may let it go (the one keeping a database served from memory)."""

    def __init__(self, target: Path) -> None:
        self._file = open(target.with_suffix(".lock"), "a+b")
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)

    def release(self) -> None:
        fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        self._file.close()


# Events from SERVE_WHILE_KEEPING_FROM to SERVE_WHILE_KEEPING_UP_TO are prepared in memory and
# served at once, while a thread of their own keeps the database on disk for later loads and
# for other processes. At a million events, DuckDB's writing of its compressed file took longer
# than checking and typing the events (4 s against 2.5 on two cores) and the first page waited
# for both. Fewer events are written straight away (it is quick); more would not fit in memory.
SERVE_WHILE_KEEPING_FROM = 100_000
SERVE_WHILE_KEEPING_UP_TO = 2_000_000
SERVE_WHILE_KEEPING_BYTES = 256 * 1024 * 1024  # a Parquet file; a CSV of a million events: 112 MB
# a million events take about 420 MB in memory, before what queries need
SERVING_MEMORY_LIMIT = "2GB"
# DuckDB's threads while Python types the next slice: one, so the typing keeps a core
FILL_THREADS = 1
_SERVING: "weakref.WeakValueDictionary[Path, EventStore]" = weakref.WeakValueDictionary()
_KEEPING: set[threading.Thread] = set()
_KEEPING_LOCK = threading.Lock()


def serves_while_keeping(path: Path) -> bool:
    """Whether the preparation of this events file serves its events from memory while it
    keeps them on disk: by rows, and by bytes (long rows, as ACLED's, take more memory)."""
    return (SERVE_WHILE_KEEPING_FROM <= row_estimate(path) <= SERVE_WHILE_KEEPING_UP_TO
            and path.stat().st_size <= SERVE_WHILE_KEEPING_BYTES)


def _serve_while_keeping(path: Path, target: Path, table: c.Table, frames, indexes,
                         progress: Progress | None, lock: _BuildingLock
                         ) -> "EventStore | None":
    """The events prepared in an in-memory database and served from it, while a thread writes
    that database to `target` (then lets go of `lock`, and the store reads from disk). None
    when they did not fit in memory (DuckDB refused): the caller prepares them on disk."""
    # insertion order kept: the events on disk in the order the file gives them
    con = duckdb.connect(":memory:", config={"memory_limit": SERVING_MEMORY_LIMIT,
                                             "preserve_insertion_order": True,
                                             "threads": FILL_THREADS})
    try:
        _fill(con, path, table, frames, indexes, progress, lean=False, words_later=True)
    except duckdb.OutOfMemoryException as exc:
        con.close()
        _log.warning("%s did not fit in memory (%s); preparing it on disk", path.name, exc)
        return None
    except BaseException:
        con.close()
        raise
    store = EventStore(target, connection=con)
    store.ROW_LOCATOR = None  # a view's rows have no positions: fetched by order key
    store.keeping = True
    _SERVING[target] = store
    # not a daemon (whatever the thread preparing is): a server that stops waits for the
    # database to be written rather than leave half of it
    keeper = threading.Thread(target=_keep_on_disk, args=(store, con, target, lock),
                              name="proxylens-keep-events", daemon=False)
    with _KEEPING_LOCK:
        _KEEPING.add(keeper)
    try:
        keeper.start()
    except BaseException:
        with _KEEPING_LOCK:
            _KEEPING.discard(keeper)
        raise
    return store


def _keep_on_disk(store: "EventStore", con, target: Path, lock: _BuildingLock) -> None:
    partial = target.with_suffix(".partial")
    try:
        partial.unlink(missing_ok=True)
        cursor = con.cursor()
        attached = False
        try:
            quoted = str(partial).replace("'", "''")
            cursor.execute(f"ATTACH '{quoted}' AS keeping")
            attached = True
            for name in ("events", "problems", "report"):  # the events' words made here
                cursor.execute(f"CREATE TABLE keeping.{name} AS SELECT * FROM memory.{name}")
            cursor.execute("DETACH keeping")
            attached = False
        finally:
            if attached:
                with contextlib.suppress(Exception):
                    cursor.execute("DETACH keeping")
            cursor.close()
        partial.replace(target)
        store.read_from_disk()
    except Exception as exc:  # noqa: BLE001 - the store goes on serving from memory
        _log.warning("the events database could not be written to %s (%s); this process "
                     "serves the events from memory", target.parent, exc)
        for left in (partial, partial.with_name(partial.name + ".wal")):
            with contextlib.suppress(OSError):
                left.unlink(missing_ok=True)
        if _SERVING.get(target) is store:  # the next load of this version prepares it again
            _SERVING.pop(target, None)
    finally:
        lock.release()
        with _KEEPING_LOCK:
            _KEEPING.discard(threading.current_thread())


def wait_until_kept(timeout: float | None = None) -> bool:
    """Wait for the databases served from memory to be written to disk; whether all were."""
    with _KEEPING_LOCK:
        keepers = list(_KEEPING)
    for keeper in keepers:
        keeper.join(timeout)
    return not any(keeper.is_alive() for keeper in keepers)


def _build(path: Path, target: Path, table: c.Table, frames, indexes,
           progress: Progress | None = None, lean: bool = False) -> None:
    """Read the events file slice by slice into a new database (written aside, then renamed),
    telling `progress` how far along it is."""
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    con = duckdb.connect(str(partial), config={
        "memory_limit": UPLOAD_BUILD_MEMORY_LIMIT if lean else BUILD_MEMORY_LIMIT,
        "preserve_insertion_order": False})
    try:
        _fill(con, path, table, frames, indexes, progress, lean)
    except BaseException:
        con.close()
        partial.unlink(missing_ok=True)
        raise
    con.close()
    partial.replace(target)


def _fill(con, path: Path, table: c.Table, frames, indexes, progress: Progress | None,
          lean: bool, words_later: bool = False) -> None:
    """The events file's checked events, its problems and its fingerprint, as tables of the
    database `con` (events, problems, report). With `words_later`, the events are a view that
    works out the search words of each row when a query asks for them (over a table
    stored_events), so storing the slices costs less."""
    table = _read_from(table, path.name)
    log = loader.ProblemLog()
    digest = datastore.file_digest(path)
    total = row_estimate(path)
    done, created, told = 0, False, (0, total)
    known_words: dict = {}
    if progress:
        progress(*told)
    # served from memory (words_later), the writer's inserts are quick and it has time to
    # spare: it clusters each slice itself, and the typing of the next one starts sooner (at a
    # million events, the first load took 0.3-0.5 s less); written to disk, the writer is the
    # slower of the two, and the slices come to it clustered
    cluster_in_writer = words_later
    # in memory an INSERT costs little, and slices held back only lengthen the wait after the
    # last one is typed (at a million events 0.13-0.17 s one by one, 0.22-0.31 s in pairs)
    together = 1 if lean or words_later else SLICES_TOGETHER
    with _SliceWriter(con, words_later, cluster=cluster_in_writer,
                      together=together) as writer:
        for raw in _raw_slices(path, table, log, _slice_rows(path, total, lean), lean):
            done += len(raw)
            typed = loader.type_events_chunk(raw, table, frames, indexes, log)
            if typed is None:
                break
            writer.put(_stored_slice(typed, frames, known_words,
                                     clustered=not cluster_in_writer))
            created = True
            told = (done, max(total, done))
            if progress:
                progress(*told)
        # the typing is done: DuckDB may have every core for the slices still to store
        with contextlib.closing(con.cursor()) as cursor:
            cursor.execute(f"SET threads = {os.cpu_count() or 1}")
    if progress and told[0] != told[1]:  # stopped at an error, or a CSV's estimate was
        progress(told[1], told[1])        # off: the bar ends full either way
    if created:
        if words_later:
            con.execute(f"CREATE VIEW events AS SELECT {ROW_SELECT}, {WORDS_SQL} AS words,"
                        " order_key FROM stored_events")
        _check_unique_ids(con, table.filename, log)
    else:
        con.execute("CREATE TABLE events (event_id VARCHAR)")
    problems = loader.problems_to_frame(log.summarise())
    problems = problems.astype({"row": "Int64"}).astype(
        {col: object for col in problems.columns if col != "row"})
    con.register("found", problems)
    con.execute("CREATE TABLE problems AS SELECT * FROM found")
    con.execute("CREATE TABLE report AS SELECT ? AS fingerprint",
                [digest])


def _slice_rows(path: Path, total: int, lean: bool) -> int:
    """How many events a slice holds: SLICE_ROWS; for an upload's check (`lean`),
    UPLOAD_SLICE_ROWS, or as many as make UPLOAD_SLICE_BYTES of the file when its rows are
    long (an ACLED export's are four times bench.generate's)."""
    if not lean:
        return SLICE_ROWS
    size = path.stat().st_size
    if not total or not size:
        return UPLOAD_SLICE_ROWS
    return max(1, min(UPLOAD_SLICE_ROWS, int(UPLOAD_SLICE_BYTES * total / size)))


class _SliceWriter:
    """Stores slices in a thread of its own: DuckDB writes one slice while Python checks and
    types the next (DuckDB lets go of the GIL), so the two cores are both at work. With
    `cluster`, it also clusters each slice (_clustered) before storing it. It stores slices
    `together` at a time (one INSERT), and what it holds when the caller is done (not when
    the caller failed). At most one slice waits to be taken, besides the `together` - 1 held;
    a failure (clustering or writing) is raised in the caller at its next put or on leaving."""

    def __init__(self, con, words_later: bool = False, cluster: bool = False,
                 together: int = 1) -> None:
        self._con = con
        self._words_later = words_later
        self._cluster = cluster  # slices come unclustered: the writer clusters them
        self._together = max(1, together)
        self._waiting: queue.Queue = queue.Queue(maxsize=1)
        self._failure: BaseException | None = None
        self._abandoned = False  # the caller failed: what is held is not stored
        self._created = False
        self._written = 0  # slices stored
        self._thread = threading.Thread(target=self._write_all, name="proxylens-store-writer",
                                        daemon=True)

    def __enter__(self) -> "_SliceWriter":
        self._thread.start()
        return self

    def put(self, stored: pa.Table) -> None:
        self._raise_failure()
        self._waiting.put(stored)

    def __exit__(self, *exc) -> None:
        self._abandoned = exc[0] is not None
        self._waiting.put(None)
        self._thread.join()
        if exc[0] is None:
            self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _write_all(self) -> None:
        held: list[pa.Table] = []
        while True:
            stored = self._waiting.get()
            if self._failure is None:  # after one, only drained: the caller never blocks
                try:
                    if stored is not None:
                        held.append(_clustered(stored) if self._cluster else stored)
                    done = stored is None
                    if held and (len(held) == self._together or done and not self._abandoned):
                        self._insert(held)
                        held = []
                except BaseException as exc:  # handed to the caller's thread
                    self._failure = exc
                    held = []
            if stored is None:
                return

    def _insert(self, slices: list[pa.Table]) -> None:
        self._con.register("slice", pa.concat_tables(slices))
        table, select = (("stored_events", WITHOUT_WORDS) if self._words_later
                         else ("events", WITH_WORDS))
        self._con.execute(f"INSERT INTO {table} {select}" if self._created
                          else f"CREATE TABLE {table} AS {select}")
        self._con.unregister("slice")
        self._created = True
        before, self._written = self._written, self._written + len(slices)
        if self._written // CHECKPOINT_SLICES > before // CHECKPOINT_SLICES:
            self._con.execute("CHECKPOINT")


def _raw_slices(path: Path, table: c.Table, log: loader.ProblemLog, rows: int,
                lean: bool = False):
    """The events file as frames of strings, `rows` records at a time, with file row
    numbers: Parquet batches, or CSV records read with the loader's own checks (block by
    block when `lean`)."""
    if path.suffix != ".parquet":
        yield from loader.csv_slices(path, table, log, rows, lean)
        return
    done = 0
    dictionaries = loader.dictionary_columns(pq.read_schema(path), table)
    source = pq.ParquetFile(path, read_dictionary=dictionaries)
    if not lean:  # an upload's check keeps to its slices' size: it is held to less memory
        rows = even_slice_rows(source.metadata, rows)
    batches = (batch.to_pandas() for batch in source.iter_batches(batch_size=rows))
    for frame in read_ahead(batches):
        raw = loader.parquet_as_text(frame, table, first_record=done)
        done += len(raw)
        yield raw


def even_slice_rows(metadata, rows: int) -> int:
    """About `rows` rows a slice (at most half as many again), cut so the file's biggest row
    group splits evenly. A batch never spans two row groups: slices of 250,000 from row groups
    of 1,048,576 rows left one of 48,576 after every four, and each slice costs the typing and
    the writer a fixed time besides its rows (ten million events came in 48 slices, now 39)."""
    if metadata.num_row_groups == 0:
        return rows
    group_rows = max(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups))
    if group_rows <= rows:
        return rows
    return -(-group_rows // max(1, round(group_rows / rows)))


def read_ahead(items):
    """The items, each produced in a thread while the caller works on the one before (reading
    and decoding a Parquet batch mostly lets go of the interpreter lock). The thread stops when
    the caller stops early; an error in it is raised in the caller."""
    waiting: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    finished = object()

    def offer(entry) -> bool:
        """Put the entry in the queue unless the caller stopped; whether it went in."""
        while not stop.is_set():
            try:
                waiting.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((item, None)):
                    return
            offer((finished, None))
        except BaseException as exc:  # handed to the caller's thread
            offer((finished, exc))

    producer = threading.Thread(target=produce, name="proxylens-read-ahead", daemon=True)
    producer.start()
    try:
        while True:
            item, failure = waiting.get()
            if failure is not None:
                raise failure
            if item is finished:
                return
            yield item
    finally:
        stop.set()
        producer.join()


def _stored_slice(typed: pd.DataFrame, frames, known_words: dict | None = None,
                  clustered: bool = True) -> pa.Table:
    """A typed slice as stored: text (a categorical as an Arrow dictionary), lists as lists,
    with the labels the views group by, the words the text filter searches and the date-order
    key. `known_words`: the words of values met in earlier slices (_words_per_value). Its rows
    are clustered (_clustered) unless `clustered` is False, when whoever stores it must."""
    labelled = views.with_event_labels(typed, frames["actors"], frames["sources"],
                                       labels=LABEL_COLUMNS)
    columns = {}
    for column in STORED_COLUMNS:
        values = labelled[column]
        if column in LIST_COLUMNS:
            columns[column] = _list_array(values)
        elif isinstance(values.dtype, pd.CategoricalDtype):
            columns[column] = _categorical_text(values)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            columns[column] = pa.array(values.fillna(""), type=pa.string())
        elif column in ("span_start", "span_end"):
            columns[column] = pa.array(values.to_numpy(dtype="datetime64[us]"),
                                       type=pa.timestamp("us"))
        elif column == "fatalities":
            columns[column] = pa.array(values.astype("Float64").to_numpy(dtype=float,
                                                                        na_value=np.nan),
                                       from_pandas=True)
        else:
            columns[column] = pa.array(values.to_numpy(), from_pandas=True)
    # the text filter's words are added in SQL as the slice is stored (WITH_WORDS)
    for column in WORDED_PER_VALUE:
        columns[f"words_{column}"] = _words_per_value(
            columns[column], None if known_words is None else known_words.setdefault(column, {}))
    columns["order_key"] = pa.array(order_keys(labelled["span_start"], labelled[loader.ROW]))
    stored = pa.table(columns)
    return _clustered(stored) if clustered else stored


def _clustered(stored: pa.Table) -> pa.Table:
    """The slice's rows grouped by event type, in date order within each type. DuckDB reads a
    column only for the blocks of 2,048 rows a filter keeps some of: spread over every block,
    the events of one type (a twentieth of them) cost nearly a full read of every column a
    view asks for; grouped, about a twentieth (at a million events, a page's grouping of one
    type's events took 17 ms instead of 42). Dates in order keep a period's events together
    too. Rows are told apart by order_key and kept in file order by _row, not by position."""
    types = stored["event_type"].combine_chunks()
    if not pa.types.is_dictionary(types.type):
        types = pc.dictionary_encode(types)
    codes = pc.fill_null(types.indices, -1).to_numpy(zero_copy_only=False)
    keys = stored["order_key"].to_numpy()
    return stored.take(pa.array(np.lexsort((keys, codes))))


UNDATED_DAY = (1 << 22) - 1  # undated events sort after every dated one
DAY_ZERO = pd.Timestamp("1800-01-01")


def order_keys(span_start: pd.Series, rows: pd.Series) -> np.ndarray:
    """One integer per event ordering events by start date, then file row: the store lists
    "the earliest" events with integer comparisons instead of sorting dates and rows."""
    stamps = span_start.to_numpy()  # datetime64 in the column's own unit
    if stamps.dtype.kind != "M":
        stamps = stamps.astype("datetime64[ns]")
    unit = np.datetime_data(stamps.dtype)[0]
    ticks_per_day = int(np.timedelta64(1, "D") / np.timedelta64(1, unit))
    origin = np.datetime64(DAY_ZERO.date()).astype(stamps.dtype).view(np.int64)
    days = (stamps.view(np.int64) - origin) // ticks_per_day
    days = np.where(np.isnat(stamps), UNDATED_DAY, days).clip(0, UNDATED_DAY).astype(np.int64)
    return (days << 40) + rows.to_numpy(dtype=np.int64)


def _list_array(values: pd.Series) -> pa.Array:
    """Tuples as an Arrow list column (a missing value an empty list), converted once per
    distinct tuple."""
    codes, distinct = frames_ops.codes_and_values(values)
    lists = pa.array([list(v) if isinstance(v, tuple) else [] for v in distinct],
                     type=pa.list_(pa.string()))
    return lists.take(pa.array(codes))


REMEMBERED_WORDS = 100_000  # distinct values whose words a preparation remembers per column


def _words_per_value(values: pa.Array, known: dict | None = None) -> pa.DictionaryArray:
    """The words of a dictionary column, worked out per dictionary value (once per value over
    a preparation's slices, remembered in `known`)."""
    if not isinstance(values, pa.DictionaryArray):
        values = values.dictionary_encode()
    if known is None or len(values.dictionary) > REMEMBERED_WORDS:
        known = {}  # values nearly unique per row (an import's locators): nothing to reuse
    elif len(known) + len(values.dictionary) > REMEMBERED_WORDS:
        known.clear()
    texts = values.dictionary.to_pylist()
    new = [text for text in dict.fromkeys(texts) if text not in known]
    if new:
        known.update(zip(new, filterdefs.words_keys(pa.array(new, type=pa.string())).to_pylist()))
    return pa.DictionaryArray.from_arrays(
        values.indices.fill_null(len(texts)),  # a missing value's words: none, as coalesce gives
        pa.array([known[text] for text in texts] + [""], type=pa.string()))


def _categorical_text(values: pd.Series) -> pa.Array:
    """A categorical column as Arrow dictionary text (a missing value ""): its codes and
    categories as they are, stored by DuckDB as plain text without a copy per row here."""
    words = pa.concat_arrays([pa.array(values.cat.categories.astype(str), type=pa.string()),
                              pa.array([""], type=pa.string())])
    codes = values.cat.codes.to_numpy()
    return pa.DictionaryArray.from_arrays(
        pa.array(np.where(codes < 0, len(words) - 1, codes).astype(np.int32)), words)


STORED_COLUMNS = (
    [col.name for col in c.TABLES_BY_NAME["events"].columns]
    + list(loader.DERIVED_COLUMNS["events"]) + [loader.ROW] + list(LABEL_COLUMNS)
)
# The words the text filter searches, per row: each searched column as filters.normalise_key
# has it (accents stripped, lower case, every run of characters other than letters, digits
# and _ made one space), a line per column so a phrase never spans two. Done by DuckDB as a
# slice is stored: in pandas it was a quarter of preparing a million events.
# Columns with few distinct values have their words worked out once per value as the slice is
# made (_stored_slice: a words_<column> of the slice, not stored); the others' row by row.
WORDED_PER_VALUE = ("event_type", "place_name", "source_locator")
WORDS_SQL = " || chr(10) || ".join(
    f"words_{column}" if column in WORDED_PER_VALUE
    else filterdefs.WORD_FORM.format(f"coalesce({column}, '')") for column in SEARCHED_COLUMNS)
WITH_WORDS = (f"SELECT {', '.join(STORED_COLUMNS)}, {WORDS_SQL} AS words, order_key"
              " FROM slice")
# a slice kept with what its words are made of, for a view to make them (_fill, words_later)
WITHOUT_WORDS = (f"SELECT {', '.join(STORED_COLUMNS)}, "
                 + "".join(f"words_{column}, " for column in WORDED_PER_VALUE)
                 + "order_key FROM slice")

# a whole row as the views read it (every stored column but the search words and order key),
# named one by one: a star with exceptions is spelt differently by every engine
ROW_SELECT = ", ".join(STORED_COLUMNS)


def _check_unique_ids(con, filename: str, log: loader.ProblemLog) -> None:
    """Ids repeated across slices (each slice checked its own)."""
    repeated = con.execute(
        "SELECT _row, event_id FROM events WHERE event_id IN ("
        " SELECT event_id FROM events WHERE event_id <> '' GROUP BY 1 HAVING count(*) > 1)"
        " ORDER BY _row LIMIT 1000").fetchall()
    for row, event_id in repeated:
        log.add(filename, int(row), "event_id", event_id,
                "the id is used by more than one row; 'event_id' must be unique", ERROR)


# --------------------------------------------------------------------------------------------
# Querying a store


Where = filterdefs.Where  # a SQL condition over the events table and its parameters


PAIR_KEY_SQL = "a || chr(31) || b"  # a pair of actor ids as one text, as pair_key makes it


def pair_key(a: str, b: str) -> str:
    """Two actor ids as one text (the unit separator between them: no id holds it, the loader
    reports control characters), to ask for pairs with one list."""
    return f"{a}\x1f{b}"


def where_clause(dataset: loader.Dataset, filters: f.Filters) -> Where:
    """The filters as one SQL condition over the events (each filter's own, filterdefs)."""
    return filterdefs.where_clause(dataset, filters)


def where_ids(event_ids) -> Where:
    """The events with these ids."""
    return Where(filterdefs.is_in("event_id", list(event_ids)), (list(event_ids),))


def _read_only(path: Path):
    return duckdb.connect(str(path), read_only=True, config={"memory_limit": MEMORY_LIMIT})


class EventStore:
    """Read-only queries over one prepared database. Safe to share between sessions: each
    query runs on its own cursor (a narrowed store, on its own connection, under a lock)."""

    table = "events"  # what the views' queries read: all events, or a narrowed copy
    keeping = False  # served from memory while its database is written (_serve_while_keeping)

    def __init__(self, path: Path | None, connection=None) -> None:
        self.path = path
        self._con = connection or _read_only(path)
        self._lock = threading.Lock()
        self._own = None

    def read_from_disk(self) -> None:
        """Answer from the database at `path` from now on (a store served from memory while
        that database was written); narrowed copies made before read from memory still."""
        con = _read_only(self.path)
        with self._lock:
            self._con = con
            self.__dict__.pop("ROW_LOCATOR", None)  # rows have positions again
            self.keeping = False

    @classmethod
    def in_memory(cls, stored: pa.Table) -> "EventStore":
        """A store over events already loaded and checked (their problems are the loader's)."""
        con = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT})
        for column in WORDED_PER_VALUE:  # a table made elsewhere than by _stored_slice
            if f"words_{column}" not in stored.column_names:
                stored = stored.append_column(f"words_{column}",
                                              _words_per_value(stored[column].combine_chunks()))
        con.register("slice", stored)
        con.execute(f"CREATE TABLE events AS {WITH_WORDS}")
        con.unregister("slice")
        return cls(None, con)

    # how a query names one row to fetch it again: DuckDB's row position reads only the rows
    # asked for (a tenth of the time of matching order keys against every row at 10M events)
    ROW_LOCATOR: str | None = "rowid"

    def _frame(self, sql: str, params=()) -> pd.DataFrame:
        with engine_wait():
            if self._own is not None:
                with self._lock:
                    return self._own.execute(sql, list(params)).df()
            with self._lock:
                cursor = self._con.cursor()
            try:
                return cursor.execute(sql, list(params)).df()
            finally:
                cursor.close()

    def narrowed(self, where: Where) -> "EventStore":
        """The store restricted to the events matching `where`, copied once into a temporary
        table on a connection of its own (closed, and the table dropped, when the narrowed
        store is forgotten). A view's queries then read the matching events only, not every
        event with a filter: for a selective filter, tens of times less."""
        narrow = copy.copy(self)
        narrow._lock = threading.Lock()
        with self._lock:
            narrow._own = self._con.cursor()
        weakref.finalize(narrow, narrow._own.close)
        with engine_wait():
            narrow._own.execute(f"CREATE TEMP TABLE matching AS SELECT "
                                f"{', '.join(VIEWED_COLUMNS)} FROM events WHERE {where.sql}",
                                list(where.params))
        narrow.table = "matching"
        return narrow

    def _value(self, sql: str, params=()):
        frame = self._frame(sql, params)
        return frame.iat[0, 0] if len(frame) else None

    def load_report(self) -> tuple[list[Problem], int, str]:
        problems = self._frame("SELECT * FROM problems")
        found = [Problem(p.file, None if pd.isna(p.row) else int(p.row), _text_or_none(p.column),
                         _text_or_none(p.value), p.problem, p.severity)
                 for p in problems.itertuples(index=False)]
        return found, int(self._value("SELECT count(*) FROM events")), str(
            self._value("SELECT fingerprint FROM report"))

    # what the views draw

    def facts(self, where: Where) -> dict:
        """Counts the pages state: events, dated, placed, known only to the year, the first and
        last day covered; and apart from them, `places` (how many distinct places)."""
        row = self._frame(
            "SELECT count(*) AS events, count(span_start) AS dated,"
            " count(DISTINCT location) FILTER (WHERE location <> '') AS places,"
            " count(*) FILTER (WHERE lat IS NOT NULL AND lon IS NOT NULL) AS placed,"
            " count(*) FILTER (WHERE span_start IS NOT NULL"
            "   AND time_precision NOT IN ('day', 'month')) AS year_only,"
            f" min(span_start) AS first, max(span_end) AS last FROM {self.table} WHERE {where.sql}",
            where.params).iloc[0]
        return {k: (_timestamp(row[k]) if k in ("first", "last") else int(row[k]))
                for k in row.index}

    def rows(self, where: Where, limit: int, offset: int = 0) -> pd.DataFrame:
        """A page of matching events in date order, typed like the loader's frame: the keys
        first (a scan of two columns), then those rows' columns only."""
        # a narrowed copy's row positions are not the events table's
        locator = self.ROW_LOCATOR  # read once: a store served from memory may switch to disk
        located = locator if locator and self.table == "events" else "order_key"
        keys = self._frame(f"SELECT {located} AS k FROM {self.table} WHERE {where.sql}"
                           " ORDER BY order_key LIMIT ? OFFSET ?", where.params + (limit, offset))
        return as_loaded(self._frame(f"SELECT {ROW_SELECT} FROM events WHERE {located} IN"
                                     " (SELECT unnest(?)) ORDER BY order_key",
                                     (keys["k"].tolist(),)))

    def place_counts(self, where: Where, colour_by: str, actor_names: dict,
                     max_listed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Events per place (by id and position), colour key and precision, and the earliest
        events of each place, or of each grid cell when places are merged (as
        views.places_from_counts will), as tooltip lines (`actor_names`: actor id -> name).
        A place's name follows from its id: views.places_from_counts looks up those it shows
        (carrying names through the grouping cost a third of the query)."""
        placed = f"lat IS NOT NULL AND lon IS NOT NULL AND {where.sql}"
        key = views.COLOUR_BY[colour_by]
        locator = self.ROW_LOCATOR  # read once: a store served from memory may switch to disk
        located = locator or "order_key"
        counts = self._frame(
            f"SELECT location, lat, lon, {key} AS key, geo_precision AS precision,"
            f" count(*) AS events FROM {self.table} WHERE {placed}"
            f" GROUP BY location, lat, lon, {key}, geo_precision", where.params)
        counts = counts.astype({"events": np.int64})
        if counts.empty:
            return counts, pd.DataFrame(columns=views.LISTED_COLUMNS)
        # the tooltips' candidates: each cell's earliest events, asked once the cells are known
        # (a list per place, then a cut per cell in Python, cost three times as much)
        places = counts.drop_duplicates(["location", "lat", "lon"])
        size = views.grid_size(places["lat"].to_numpy(float), places["lon"].to_numpy(float))
        cell = "location, lat, lon" if size is None else views.grid_cell_sql(size)
        n = int(max_listed)
        picked = f"min_by({locator}, order_key, {n})" if locator else f"min(order_key, {n})"
        # one query: the keys of each cell's earliest events, then those rows (asked apart, the
        # keys made a round trip through Python: 34 ms against 27 at a million events)
        earliest = as_loaded(self._frame(
            "SELECT location, lat, lon, span_start, event_date, time_precision, date_end,"
            " date_note, event_type, actor1, actor2, claim_status, grade"
            f" FROM {self.table} WHERE {located} IN (SELECT unnest(k) FROM ("
            f"SELECT {picked} AS k FROM {self.table} WHERE {placed} GROUP BY {cell}))"
            " ORDER BY order_key", where.params))
        return counts, views.tooltip_lines(earliest, actor_names)

    def location_counts(self, where: Where) -> pd.DataFrame:
        """Matching events per place as the data gives it, never merged into grid cells:
        location id, position and precision (a place whose events give their own coordinates
        has a row per position), and events; in that order."""
        return self._frame(
            "SELECT location, lat, lon, geo_precision AS precision, count(*) AS events"
            f" FROM {self.table} WHERE lat IS NOT NULL AND lon IS NOT NULL AND {where.sql}"
            " GROUP BY location, lat, lon, geo_precision"
            " ORDER BY location, lat, lon, precision", where.params).astype({"events": np.int64})

    def routes(self, where: Where) -> pd.DataFrame:
        """Movements per route, as views.map_arcs counts them. A route's ends are where its
        earliest event puts them (events may give their own coordinates): any row's, as it
        was, depended on how the rows happen to be stored."""
        return self._frame(
            "SELECT origin_location AS origin,"
            " coalesce(nullif(min_by(place_name, order_key), ''), location) AS destination,"
            " min_by(origin_lat, order_key) AS from_lat, min_by(origin_lon, order_key) AS from_lon,"
            " min_by(lat, order_key) AS to_lat, min_by(lon, order_key) AS to_lon,"
            " count(*) AS events,"
            " array_to_string(list_sort(list(DISTINCT event_type)), ', ') AS types"
            f" FROM {self.table} WHERE origin_location <> '' AND origin_lat IS NOT NULL"
            f" AND lat IS NOT NULL AND {where.sql} GROUP BY origin_location, location"
            " ORDER BY origin_location, location",
            where.params)

    def timeline_bins(self, where: Where, lane_by: str, facts: dict) -> tuple[pd.DataFrame, str]:
        if not facts["dated"]:
            return pd.DataFrame(columns=views.BIN_COLUMNS), "month"
        unit = views.bin_unit(pd.Timestamp(facts["first"]), pd.Timestamp(facts["last"]))
        counts = self._frame(
            f"SELECT {views.LANE_BY[lane_by]} AS lane, category,"
            f" date_trunc('{unit}', span_start) AS start, count(*) AS events"
            f" FROM {self.table} WHERE span_start IS NOT NULL AND {where.sql} GROUP BY ALL"
            " ORDER BY lane, category, start", where.params)
        return views.bins_with_ends(counts, unit), unit

    def month_grid(self, where: Where, lane_by: str) -> pd.DataFrame:
        """Dated events per lane, category, month and `precise` (known to the day or month)."""
        grid = self._frame(
            f"SELECT {views.LANE_BY[lane_by]} AS lane, category,"
            " date_trunc('month', span_start) AS start,"
            " time_precision IN ('day', 'month') AS precise, count(*) AS events"
            f" FROM {self.table} WHERE span_start IS NOT NULL AND {where.sql} GROUP BY ALL",
            where.params)
        grid["start"] = pd.to_datetime(grid["start"]).astype("datetime64[ns]")
        return grid.astype({"events": np.int64, "precise": bool})

    def monthly_counts(self, where: Where, facts: dict) -> tuple[pd.DataFrame, int]:
        counts = self._frame(
            "SELECT date_trunc('month', span_start) AS month, category, count(*) AS events"
            f" FROM {self.table} WHERE span_start IS NOT NULL"
            f" AND time_precision IN ('day', 'month') AND {where.sql}"
            " GROUP BY ALL ORDER BY month, category", where.params)
        counts["month"] = pd.to_datetime(counts["month"]).astype("datetime64[ns]")
        return counts.astype({"events": np.int64}), facts["year_only"]

    def year_counts(self, where: Where) -> pd.Series:
        """views.year_counts in SQL."""
        frame = self._frame(
            f"SELECT year(span_start) AS year, count(*) AS events FROM {self.table}"
            f" WHERE span_start IS NOT NULL AND {where.sql} GROUP BY 1 ORDER BY 1", where.params)
        return pd.Series(frame["events"].to_numpy(dtype="int64"),
                         index=pd.Index(frame["year"].astype("int32"), name="span_start"),
                         name="count")

    def holding(self, where: Where, event_ids) -> set[str]:
        """Which of these events match."""
        ids = [i for i in event_ids if i]
        if not ids:
            return set()
        frame = self._frame(f"SELECT event_id FROM {self.table} WHERE {where.sql}"
                            f" AND {filterdefs.is_in('event_id', ids)}", where.params + (ids,))
        return set(frame["event_id"].tolist())

    def citations(self, where: Where) -> pd.DataFrame:
        """The sources the matching events cite: per source, how many events cite it and the
        sections they name (the parts of their locators, split at ';')."""
        cited = (f"SELECT unnest(source_ids) AS source_id, source_locator FROM {self.table}"
                 f" WHERE array_length(source_ids) > 0 AND {where.sql}")
        counts = self._frame(f"SELECT source_id, count(*) AS rows FROM ({cited}) GROUP BY 1"
                             " ORDER BY 1", where.params)
        sections = self._frame(
            # split, then trimmed: Spark cannot nest a function around unnest
            f"SELECT source_id, list_sort(list(DISTINCT trim(part))) AS sections FROM ("
            f" SELECT source_id, unnest(string_split(source_locator, ';')) AS part"
            f" FROM ({cited})) WHERE trim(part) <> '' GROUP BY 1", where.params)
        out = counts.merge(sections, on="source_id", how="left")
        out["sections"] = [tuple(s) if isinstance(s, (list, np.ndarray)) else ()
                           for s in out["sections"]]
        return out.astype({"rows": np.int64})

    def pair_counts(self, where: Where, pairs=None) -> pd.DataFrame:
        """Matching events per unordered pair of actors the event names (actor1, actor2 or
        among its associated actors, as the actors filter reads them): the support flows'
        widths by events. Columns a, b (a < b) and events. (Events are told apart by their
        order_key, which a narrowed copy keeps and which is unique per event.) `pairs`: only
        these pairs of actors, (a, b) in either order (None: every pair).

        An event that lists no associated actors names at most one pair, read off the row;
        only events with associated actors go through the self-join of every name an event
        holds (every event through it: 235 ms against 94 for an event type at ten million
        events, where few list associated actors).
        A list's length is at most 0 when it is empty or missing (Spark says -1 for missing)."""
        listed = "coalesce(array_length(assoc_actors), 0) > 0"
        params = list(where.params)
        kept_names = kept_pairs = kept_counts = ""
        if pairs is not None:
            # every pair the events name was some 200,000 rows at ten million events, longer
            # to hold as a dict than to count: the names, then the pairs, are semi-joins on the
            # ones asked for (a list test per row crawled with thousands of actors)
            wanted = sorted({(min(a, b), max(a, b)) for a, b in pairs})
            actors = sorted({name for pair in wanted for name in pair})
            kept_names = " WHERE a IN (SELECT unnest(?))"
            kept_pairs = " AND actor1 IN (SELECT unnest(?)) AND actor2 IN (SELECT unnest(?))"
            kept_counts = f" WHERE {PAIR_KEY_SQL} IN (SELECT unnest(?))"
            params += [actors, actors, actors, [pair_key(a, b) for a, b in wanted]]
        return self._frame(
            "WITH chosen AS (SELECT order_key AS e, actor1, actor2, assoc_actors"
            f" FROM {self.table} WHERE {where.sql}),"
            f" listing AS (SELECT * FROM chosen WHERE {listed}),"
            " named AS (SELECT * FROM (SELECT e, actor1 AS a FROM listing"
            " UNION SELECT e, actor2 FROM listing"
            f" UNION SELECT e, unnest(assoc_actors) FROM listing){kept_names}),"
            " pairs AS (SELECT least(actor1, actor2) AS a, greatest(actor1, actor2) AS b"
            f" FROM chosen WHERE NOT ({listed}) AND actor1 <> '' AND actor2 <> ''"
            f" AND actor1 <> actor2{kept_pairs}"
            " UNION ALL SELECT x.a, y.a FROM named x JOIN named y ON x.e = y.e AND x.a < y.a"
            " WHERE x.a <> '' AND y.a <> '')"
            " SELECT * FROM (SELECT a, b, count(*) AS events FROM pairs GROUP BY 1, 2)"
            f"{kept_counts} ORDER BY 1, 2",
            params).astype({"events": np.int64})

    def involved_actor_ids(self, where: Where) -> set[str]:
        frame = self._frame(
            f"WITH chosen AS (SELECT actor1, actor2, assoc_actors FROM {self.table}"
            f" WHERE {where.sql}) SELECT actor1 AS a FROM chosen UNION SELECT actor2 FROM chosen"
            " UNION SELECT unnest(assoc_actors) FROM chosen", where.params)
        return {a for a in frame["a"].tolist() if isinstance(a, str) and a}

    def option_facts(self) -> f.EventFacts:
        """What the sidebar offers from the events, read once per data version."""
        span = self._frame("SELECT min(span_start) AS first, max(span_end) AS last FROM events")
        distinct = {column: tuple(self._frame(
            f"SELECT DISTINCT {column} AS v FROM events WHERE {column} <> '' ORDER BY 1")["v"])
            for column in ("event_type", "claim_status", "admin1")}
        mentions = self._frame(
            "SELECT a, count(*) AS n FROM (SELECT actor1 AS a FROM events"
            " UNION ALL SELECT actor2 FROM events) WHERE a <> '' GROUP BY a")
        places = self._frame(
            "SELECT location AS p, count(*) AS n FROM events WHERE location <> '' GROUP BY 1"
            f" UNION ALL SELECT '{f.PROVINCE_PREFIX}' || admin1, count(*) FROM events"
            " WHERE admin1 <> '' GROUP BY admin1")
        return f.EventFacts(
            first=_timestamp(span.at[0, "first"]), last=_timestamp(span.at[0, "last"]),
            event_types=distinct["event_type"], claim_statuses=distinct["claim_status"],
            provinces=distinct["admin1"],
            actor_mentions=pd.Series(mentions["n"].to_numpy(), index=mentions["a"]),
            place_mentions=pd.Series(places["n"].to_numpy(), index=places["p"]),
        )

    def word_hits(self, words: list[str], limit: int) -> pd.DataFrame:
        """Events whose searched columns hold every word (in the stored words' form)."""
        words = [w for w in (filterdefs.words_key(word) for word in words) if w]
        condition = " AND ".join(["contains(words, ?)"] * len(words)) or "FALSE"
        return as_loaded(self._frame(f"SELECT {ROW_SELECT} FROM events"
                                     f" WHERE {condition} ORDER BY _row LIMIT ?",
                                     tuple(words) + (limit,)))

    @property
    def prepared(self) -> bool:
        """Whether the store is a database prepared on disk (else it is held in memory)."""
        return self.path is not None

    @property
    def engine_text(self) -> str:
        """Which engine answers, for the Data page."""
        if self.keeping:
            return ("DuckDB, in memory while the database for this version of the events is "
                    "written to disk")
        return ("DuckDB, in a database prepared on disk for this version of the events"
                if self.prepared else "DuckDB, in memory")

    @cached_property
    def count(self) -> int:
        return int(self._value("SELECT count(*) FROM events"))

    def file_rows(self, start: int, stop: int) -> pd.DataFrame:
        return as_loaded(self._frame(f"SELECT {ROW_SELECT} FROM events ORDER BY _row"
                                     " LIMIT ? OFFSET ?", (stop - start, start)))

    def coverage(self) -> dict:
        """What summary.coverage_sentence states about the events (asked once per store: a
        page's title reads it on every rerun, a scan of every event at a million)."""
        return dict(self._coverage)

    @cached_property
    def _coverage(self) -> dict:
        row = self._frame(
            "SELECT min(span_start) AS first, max(span_end) AS last,"
            " count(*) FILTER (WHERE span_start IS NOT NULL AND time_precision = 'day') AS day,"
            " count(*) FILTER (WHERE span_start IS NOT NULL AND time_precision = 'month') AS month,"
            " count(*) FILTER (WHERE span_start IS NOT NULL AND time_precision = 'year') AS year,"
            " count(*) FILTER (WHERE location = '') AS unplaced FROM events").iloc[0]
        return {"first": _timestamp(row["first"]), "last": _timestamp(row["last"]),
                **{k: int(row[k]) for k in ("day", "month", "year", "unplaced")}}

    def countries(self) -> list[str]:
        """The countries of the events' places, most events first."""
        return list(self._countries)

    @cached_property
    def _countries(self) -> tuple[str, ...]:
        frame = self._frame("SELECT place_country, count(*) AS n FROM events"
                            " WHERE place_country <> '' GROUP BY 1 ORDER BY n DESC, 1")
        return tuple(frame["place_country"].tolist())

    def existing_ids(self, ids) -> set[str]:
        """Which of these ids are events'."""
        ids = [i for i in ids if i]
        if not ids:
            return set()
        frame = self._frame("SELECT event_id FROM events WHERE event_id IN (SELECT unnest(?))",
                            (ids,))
        return set(frame["event_id"].tolist())

    def event_id_array(self) -> pa.Array:
        """Every event's id, in no particular order, as Arrow text (a million ids as Python
        strings cost about 70 MB; as Arrow, a quarter of that; sorted by file row, DuckDB's
        sort cost as much again)."""
        with self._lock:
            cursor = (self._own or self._con).cursor()
        try:
            ids = cursor.sql("SELECT event_id FROM events").to_arrow_table()
        finally:
            cursor.close()
        return ids.column(0).combine_chunks().cast(pa.string())

    def events_by_id(self, ids) -> pd.DataFrame:
        frame = self._frame(f"SELECT {ROW_SELECT} FROM events WHERE event_id IN"
                            " (SELECT unnest(?)) ORDER BY _row", (list(ids),))
        return as_loaded(frame)

    def row_digests(self, where: Where) -> pd.DataFrame:
        """A digest of every event matching `where` (over all events: a Selection's
        full_where), whatever their order or number, for components.basis: the events in 256
        parts by the first two hex digits of their id's MD5; per part, `n` events and two sums
        (`s1`, `s2`, as text) of 28-bit pieces of the MD5 of each event's contract fields.
        Spelt so that DuckDB and Spark answer alike: MD5 rather than an engine's own hash,
        numbers to a billionth, hex digits read with instr."""
        return self._frame(f"WITH hashed AS (SELECT substr(md5(event_id), 1, 2) AS part,"
                           f" md5({_row_text()}) AS h FROM events WHERE {where.sql})"
                           f" SELECT part, count(*) AS n, {_hex_sum('h', 1)} AS s1,"
                           f" {_hex_sum('h', 8)} AS s2 FROM hashed GROUP BY part ORDER BY part",
                           where.params)


def _row_text() -> str:
    """An event's contract fields as one text, in SQL (EventStore.row_digests)."""
    fields = []
    for column in c.TABLES_BY_NAME["events"].columns:
        if column.name in LIST_COLUMNS:
            fields.append(f"coalesce(array_to_string({column.name}, ';'), '')")
        elif column.kind in (c.FLOAT, c.INT):  # stored as doubles
            fields.append(f"coalesce(CAST(CAST(floor({column.name} * CAST(1000000000 AS DOUBLE))"
                          " AS BIGINT) AS VARCHAR), '')")
        else:
            fields.append(f"coalesce({column.name}, '')")
    return f"concat_ws(chr(31), {', '.join(fields)})"


def _hex_sum(column: str, start: int, digits: int = 7) -> str:
    """The sum, as text, of the number the hex digits start..start+digits-1 of `column` read."""
    value = " + ".join(f"(instr('0123456789abcdef', substr({column}, {start + i}, 1)) - 1)"
                       f" * {16 ** (digits - 1 - i)}" for i in range(digits))
    return f"CAST(sum({value}) AS VARCHAR)"


def _text_or_none(value):
    """A text cell read back from the problems table (missing ones come back as NaN)."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _timestamp(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


def as_loaded(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows from the store typed like the loader's events frame (lists as tuples, timestamps
    in nanoseconds), so every function written for that frame takes them."""
    for column in LIST_COLUMNS:
        if column in frame:
            frame[column] = [tuple(v) if v is not None else () for v in frame[column]]
    for column in ("span_start", "span_end"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    if "fatalities" in frame:
        frame["fatalities"] = frame["fatalities"].astype("Int64")
    return frame.drop(columns=[c for c in LABEL_COLUMNS if c in frame])


class SparkEventStore(EventStore):
    """The event store's queries, unchanged, run by Spark (engines.to_spark translates them)
    over the events of a DuckDB store, registered with Spark as a cached temporary view."""

    ROW_LOCATOR = None  # Spark's rows have no fixed position: fetched by order key

    def __init__(self, path: Path | None, views: dict[str, str]) -> None:
        self.path = path
        self._views = views
        self._con = None
        self._own = None

    @classmethod
    def of(cls, store: EventStore) -> "SparkEventStore":
        if store.prepared:  # Spark reads the prepared events from Parquet beside the database
            parquet = store.path.with_suffix(".parquet")
            if not parquet.exists():
                handle, partial = tempfile.mkstemp(dir=parquet.parent, suffix=".partial")
                os.close(handle)
                quoted = partial.replace("'", "''")
                store._frame(f"COPY events TO '{quoted}' (FORMAT parquet)")
                os.replace(partial, parquet)
            view = engines.SparkEngine.register(parquet=str(parquet))
        else:
            view = engines.SparkEngine.register(
                events=store._con.sql("SELECT * FROM events").to_arrow_table())
        spark_store = cls(store.path, {"events": view})
        weakref.finalize(spark_store, engines.SparkEngine.drop, view)
        return spark_store

    def _frame(self, sql: str, params=()) -> pd.DataFrame:
        with engine_wait():
            return engines.SparkEngine.frame(engines.to_spark(sql, params, self._views))

    def event_id_array(self) -> pa.Array:
        ids = self._frame("SELECT event_id FROM events")["event_id"]
        return pa.array(ids.tolist(), type=pa.string())

    @property
    def engine_text(self) -> str:
        return f"Spark ({engines.SparkEngine.where()})"

    def narrowed(self, where: Where) -> "SparkEventStore":
        query = engines.to_spark(f"SELECT {', '.join(VIEWED_COLUMNS)} FROM events"
                                 f" WHERE {where.sql}", where.params, self._views)
        matching = engines.SparkEngine.view_of(query, "matching")
        narrow = SparkEventStore(self.path, {**self._views, "matching": matching})
        narrow.table = "matching"
        weakref.finalize(narrow, engines.SparkEngine.drop, matching)
        return narrow
