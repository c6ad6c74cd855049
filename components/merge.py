"""Adding an imported export (ACLED, UCDP) to the current data instead of replacing it. No
Streamlit import.

The imported events are appended with their ids kept apart by source ("acled-IRQ38819";
UCDP's "ged-..." ids already are). Imported actors and places are matched to the current ones
by name or alias (case, accents and punctuation aside; a place also by country when both give
one); each match is proposed, and the user accepts or rejects it. An accepted match points the
imported events at the existing row; anything else is added as a new row, its id made unique.
Tables the import does not touch (relations, periods, claims, briefing) are left as they are.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from components import contract as c
from components import importers, loader
from components.loader import normalise_key, split_list

ADDED_TABLES = ("events", "actors", "locations", "sources")
SMALL_TABLES = ("actors", "locations", "sources")  # merged whole; the events a chunk at a time
SOURCE_TAGS = {"acled": "acled", "acled-old": "acled", "ucdp-ged": "ged"}


@dataclass(frozen=True)
class Match:
    """An imported actor or place proposed as one the current data already has."""

    table: str  # "actors" or "locations"
    imported_id: str
    imported_name: str
    existing_id: str
    existing_name: str
    why: str  # "same name", or "'Jaish al-Mahdi' is one of its aliases"


def read_table(folder: Path, table: c.Table) -> pd.DataFrame:
    """A table of a staged folder as text, from its CSV or Parquet file (the newer, as the
    loader reads it); an absent optional table: no rows."""
    path = loader.table_path(folder, table)
    if path is None:
        return pd.DataFrame(columns=table.column_names)
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        return frame.astype(object).where(frame.notna(), "").astype(str)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def propose_matches(current: dict[str, pd.DataFrame], imported: dict[str, pd.DataFrame]
                    ) -> list[Match]:
    """Each imported actor and place whose name or alias names exactly one current row."""
    found = []
    for name, key in (("actors", "actor_id"), ("locations", "location_id")):
        index = _names_index(current[name], key)
        names = dict(zip(current[name][key], current[name]["name"]))
        for row in imported[name].itertuples(index=False):
            row = row._asdict()
            match = _match(row, index, current[name], key, name == "locations")
            if match is not None:
                existing, why = match
                found.append(Match(name, row[key], row["name"], existing, names[existing], why))
    return found


def merged(current: dict[str, pd.DataFrame], imported: dict[str, pd.DataFrame],
           source_format: str, accepted: list[Match]) -> tuple[dict[str, pd.DataFrame], int]:
    """The current tables with the import added (ADDED_TABLES only), and how many imported
    events were left out as already there (the same export, or an overlapping one, added
    again: same source, same id)."""
    tag = SOURCE_TAGS.get(source_format, "import")
    out, ids = _merged_small_tables(current, imported, tag, accepted)
    adder = _EventAdder(set(current["events"]["event_id"]), tag, ids)
    added = adder.add(imported["events"])
    out["events"] = pd.concat([current["events"], added.reindex(columns=current["events"].columns)],
                              ignore_index=True).fillna("")
    return out, adder.already


def add_to_folder(folder: Path, imported, accepted: list[Match],
                  current: dict[str, pd.DataFrame] | None = None) -> tuple[dict[str, int], int]:
    """merged, written into a (staged) folder without holding its events or the import's:
    the actors, places and sources are merged whole (they are few), the events file is
    rewritten as the current events followed by the imported ones, a chunk at a time.
    `imported` is an importers.ImportResult. Returns how many rows each of ADDED_TABLES
    gained, and how many imported events were left out as already there. `current`: the
    folder's SMALL_TABLES, when the caller has read them already."""
    tag = SOURCE_TAGS.get(imported.source_format, "import")
    current = current if current is not None else current_tables(folder, SMALL_TABLES)
    out, ids = _merged_small_tables(current, imported.tables, tag, accepted)
    # every table is written aside first and all are put in place at the end, so an import
    # that fails (or is killed) part way leaves the folder as it was, with only .partial files
    partials = [_written_aside(frame, folder, c.TABLES_BY_NAME[name])
                for name, frame in out.items()]
    adder = _EventAdder(_event_ids(folder), tag, ids)
    written = _rewrite_events(folder, (adder.add(chunk) for chunk in imported.event_chunks()))
    importers.put_in_place(partials + [written[1]])
    gained = {name: len(out[name]) - len(current[name]) for name in out}
    return {**gained, "events": written[0]}, adder.already


def _written_aside(frame: pd.DataFrame, folder: Path, table: c.Table) -> Path:
    partial = importers.partial_path(folder, table.filename)
    with partial.open("w", encoding="utf-8", newline="") as handle:
        frame.to_csv(handle, index=False, quoting=csv.QUOTE_MINIMAL)
    return partial


def _merged_small_tables(current, imported, tag: str, accepted: list[Match]):
    """The actors, places and sources merged (matched rows not added again, the others with
    ids kept apart), and how each imported id maps into the merged data."""
    ids = {}
    for name in SMALL_TABLES:
        key = c.TABLES_BY_NAME[name].id_column
        taken = set(current[name][key])
        mapping = {m.imported_id: m.existing_id for m in accepted if m.table == name}
        for ident in imported[name][key]:
            if ident not in mapping:
                mapping[ident] = _kept_apart(ident, tag, taken, always=False)
                taken.add(mapping[ident])
        ids[name] = mapping
    out = {}
    for name in ids:
        table = c.TABLES_BY_NAME[name]
        rows = imported[name]
        if name in ("actors", "locations"):  # matched rows are not added again
            rows = rows[~rows[table.id_column].isin([m.imported_id for m in accepted
                                                     if m.table == name])]
        rows = _pointed(rows.copy(), table, ids)
        out[name] = pd.concat([current[name], rows.reindex(columns=current[name].columns)],
                              ignore_index=True).fillna("")
    return out, ids


class _EventAdder:
    """Imported events, a chunk at a time, as they join the current ones: those the current
    data already has (same source, same id) left out and counted, the others with ids kept
    apart by source and their references pointed at the merged actors, places and sources."""

    def __init__(self, current_ids: set[str], tag: str, ids: dict[str, dict[str, str]]) -> None:
        self._current, self._assigned = current_ids, set()
        self._tag, self._ids = tag, ids
        self.already = 0

    def __contains__(self, ident: str) -> bool:  # the ids taken: current or given out here
        return ident in self._current or ident in self._assigned

    def add(self, events: pd.DataFrame) -> pd.DataFrame:
        tag = self._tag
        present = events["event_id"].map(
            lambda i: i if i.startswith(f"{tag}-") else f"{tag}-{i}").isin(self._current)
        self.already += int(present.sum())
        events = events[~present]
        mapping = {}
        for ident in events["event_id"]:
            mapping[ident] = _kept_apart(ident, tag, self, always=True)
            self._assigned.add(mapping[ident])
        return _pointed(events.copy(), c.EVENTS, {**self._ids, "events": mapping})


def _event_ids(folder: Path) -> set[str]:
    """The ids of a folder's events, read as a single column."""
    path = loader.table_path(folder, c.EVENTS)
    if path is None:
        return set()
    if path.suffix == ".parquet":
        column = pq.read_table(path, columns=["event_id"]).column(0)
        return {"" if v is None else str(v) for v in column.to_pylist()}
    ids = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                      usecols=lambda col: col == "event_id")
    return set(ids["event_id"]) if "event_id" in ids else set()


def _rewrite_events(folder: Path, added_chunks) -> tuple[int, Path]:
    """events.csv as the folder's events followed by `added_chunks` (frames of contract
    rows), written aside (importers.put_in_place puts it in place); how many rows were added, and the
    file written."""
    path = loader.table_path(folder, c.EVENTS)
    if path is not None and path.stat().st_size == 0:
        path = None  # an empty file: written anew, with the header
    partial = importers.partial_path(folder, c.EVENTS.filename)
    added = 0
    with partial.open("w", encoding="utf-8", newline="") as out:
        columns, ending = _copy_events(path, out)
        for chunk in added_chunks:
            chunk.reindex(columns=columns).fillna("").to_csv(out, index=False, header=False,
                                                             lineterminator=ending)
            added += len(chunk)
    return added, partial


def _copy_events(path: Path | None, out) -> tuple[list[str], str]:
    """The current events written to `out` as CSV (a CSV file's lines as they are); their
    columns and line ending."""
    if path is None:
        columns = c.EVENTS.column_names
        pd.DataFrame(columns=columns).to_csv(out, index=False)
        return columns, "\n"
    if path.suffix == ".parquet":
        source = pq.ParquetFile(path)
        # as pandas reads it: a stored frame index is not a column
        columns = [n for n in source.schema_arrow.names if not n.startswith("__index_level_")]
        pd.DataFrame(columns=columns).to_csv(out, index=False)
        for batch in source.iter_batches(batch_size=ROWS_AT_A_TIME, columns=columns):
            frame = batch.to_pandas()
            frame.astype(object).where(frame.notna(), "").astype(str).to_csv(
                out, index=False, header=False)
        return columns, "\n"
    columns = list(pd.read_csv(path, dtype=str, nrows=0, encoding="utf-8-sig").columns)
    with path.open("r", encoding="utf-8-sig", newline="") as current:
        first = current.readline()
        ending = "\r\n" if first.endswith("\r\n") else "\n"
        out.write(first)
        last = first
        while block := current.read(1 << 20):
            out.write(block)
            last = block
        if last and not last.endswith(("\n", "\r")):
            out.write(ending)
    return columns, ending


ROWS_AT_A_TIME = 10_000


def current_tables(folder: Path, names=ADDED_TABLES) -> dict[str, pd.DataFrame]:
    return {name: read_table(folder, c.TABLES_BY_NAME[name]) for name in names}


def _names_index(frame: pd.DataFrame, key: str) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    aliases_of = frame["aliases"] if "aliases" in frame else [""] * len(frame)
    for ident, name, aliases in zip(frame[key], frame["name"], aliases_of):
        for label in (name, *split_list(aliases or "")):
            normal = normalise_key(label)
            if normal:
                index.setdefault(normal, set()).add(ident)
    return index


def _match(row: dict, index: dict[str, set[str]], current: pd.DataFrame, key: str,
           by_country: bool) -> tuple[str, str] | None:
    """The one current row the imported row's name (or else an alias) names, and why."""
    names = dict(zip(current[key], current["name"]))
    countries = dict(zip(current[key], current["country"])) if "country" in current else {}
    for label in (row["name"], *split_list(row.get("aliases") or "")):
        candidates = index.get(normalise_key(label), set())
        if by_country and row.get("country"):  # Basra, Iraq is not a Basra elsewhere
            candidates = {i for i in candidates if countries.get(i) in ("", row["country"])}
        if len(candidates) == 1:
            existing = next(iter(candidates))
            if normalise_key(names[existing]) == normalise_key(label):
                return existing, "same name"
            return existing, f"'{label}' is one of its aliases"
    return None


def _kept_apart(ident: str, tag: str, taken: set[str], always: bool) -> str:
    """An imported id that cannot be mistaken for a current one: tagged with its source when
    it is an event's (or would collide), numbered if even that is taken."""
    base = ident if (ident.startswith(f"{tag}-") or not (always or ident in taken)) \
        else f"{tag}-{ident}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _pointed(rows: pd.DataFrame, table: c.Table, ids: dict[str, dict[str, str]]
             ) -> pd.DataFrame:
    """Every id and reference in imported rows mapped to what it is in the merged data."""
    rows[table.id_column] = rows[table.id_column].map(lambda v: ids[table.name].get(v, v))
    for column in table.columns:
        if column.kind not in (c.REF, c.REF_LIST) or column.ref not in ids:
            continue
        mapping = ids[column.ref]
        if column.kind == c.REF:
            rows[column.name] = rows[column.name].map(lambda v: mapping.get(v, v) if v else v)
        else:
            rows[column.name] = rows[column.name].map(
                lambda v: c.LIST_SEPARATOR.join(mapping.get(p, p) for p in split_list(v or "")))
    return rows
