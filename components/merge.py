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
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from components import contract as c
from components import loader
from components.loader import normalise_key, split_list

ADDED_TABLES = ("events", "actors", "locations", "sources")
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
    events = imported["events"]
    present = events["event_id"].map(lambda i: i if i.startswith(f"{tag}-") else f"{tag}-{i}"
                                     ).isin(set(current["events"]["event_id"]))
    imported = {**imported, "events": events[~present]}
    ids = {}
    for name in ADDED_TABLES:
        key = c.TABLES_BY_NAME[name].id_column
        taken = set(current[name][key])
        mapping = {m.imported_id: m.existing_id for m in accepted if m.table == name}
        for ident in imported[name][key]:
            if ident not in mapping:
                mapping[ident] = _kept_apart(ident, tag, taken, always=name == "events")
                taken.add(mapping[ident])
        ids[name] = mapping
    out = {}
    for name in ADDED_TABLES:
        table = c.TABLES_BY_NAME[name]
        rows = imported[name]
        if name in ("actors", "locations"):  # matched rows are not added again
            rows = rows[~rows[table.id_column].isin([m.imported_id for m in accepted
                                                     if m.table == name])]
        rows = _pointed(rows.copy(), table, ids)
        out[name] = pd.concat([current[name], rows.reindex(columns=current[name].columns)],
                              ignore_index=True).fillna("")
    return out, int(present.sum())


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> list[str]:
    """Write merged tables as CSV; returns their file names."""
    written = []
    for name, frame in tables.items():
        table = c.TABLES_BY_NAME[name]
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
        (folder / table.filename).write_text(buffer.getvalue(), encoding="utf-8")
        # the merged CSV is now the table (a Parquet copy beside it would be the older one)
        (folder / loader.parquet_name(table)).unlink(missing_ok=True)
        written.append(table.filename)
    return written


def current_tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: read_table(folder, c.TABLES_BY_NAME[name]) for name in ADDED_TABLES}


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
