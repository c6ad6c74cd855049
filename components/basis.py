"""What a briefing's steps rest on: kept when the briefing is saved, compared when it is shown.
No Streamlit import.

A saved briefing records, on each step, the data version that step was last checked against
(briefing.csv's `data_version` column, evidence.data_version): a step added or edited when the
briefing is saved gets the current version, the others keep theirs unless the person saving
marks every step as checked (components.briefing.stamped). At the same save, each step whose
version is the current one has its basis kept in the data folder's state folder
(datastore.state_dir, written atomically like every copy kept there):

    <state>/briefing-basis/<data version>/<step signature>.json
    <state>/briefing-basis/<data version>/ids.json    which ids each table held then

A step's signature is a digest of its filters and evidence ids, so the basis depends on nothing
else (not its title, words or number): every briefing of the folder finds its steps' bases by
their filters. A basis names the rows the step rests on (the rows its evidence names, and the
events, relations and claims its filters keep, up to LISTED_ROWS of each) with each row's
fields as text and a digest of them; and, for each table, a digest of every row the filters
keep however many there are (`parts`: the rows in 256 parts by their id, each with its number
of rows and two sums of a hash of each row's fields), so that a change among rows too many to
name is still seen. `ids.json` says which ids each table held at that version (up to IDS_KEPT
rows a table), so that a row that came into a step's view can be told apart from one added to
the data. When the data version has changed, `check` works the basis out again on the current
data and `compare` says, by id and field, what was added to or removed from the data, what
changed, and what only came into or left the step's view. A save removes the bases no saved
briefing of the folder refers to any more (`prune`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from components import briefing, contract, datastore, eventstore, filterdefs, loader, selection

LISTED_ROWS = 200  # rows of each table a basis names one by one; past it, only their digest
IDS_KEPT = 100_000  # a table's ids kept per data version up to this many rows (ids.json)
BASIS_DIR = "briefing-basis"
IDS_FILE = "ids.json"
LOCK_FILE = ".lock"
FORMAT = 2  # 2: each table's digest of all its rows (`parts`); 1 (no `format`): counts only
TABLES = {"events": "event_id", "relations": "relation_id", "claims": "claim_id"}
SHOWN = 8  # changes named per kind on a step; the rest are counted ("and 3 more")


def recorded_version(step: dict) -> str:
    """The data version a step was saved against ("" when none is recorded)."""
    value = step.get("data_version")
    return value.strip() if isinstance(value, str) else ""


def signature(step: dict) -> str:
    """What a step's basis depends on: its filters (as briefing.csv columns) and evidence."""
    machine = {column: (list(value) if isinstance(value, tuple) else value)
               for column, value in filterdefs.to_step(briefing.step_filters(step)).items()}
    evidence = sorted(step.get("evidence") or ())
    text = json.dumps({"filters": machine, "evidence": evidence}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def step_basis(dataset: loader.Dataset, step: dict, listed: int = LISTED_ROWS,
               also: dict[str, set[str]] | None = None) -> dict:
    """The rows a step rests on, on this data: per table, how many rows its filters keep, (up
    to `listed`) their ids and a digest of all of them; and the fields of those rows, of its
    evidence rows and of the rows `also` names (table -> ids: those the data still holds)."""
    chosen_filters = briefing.step_filters(step)
    relations, chosen = selection.filtered(dataset, chosen_filters)
    claims, _ = selection.claims_in_view(dataset, chosen, relations,
                                         bool(chosen_filters.active()))
    kept = {"events": None, "relations": relations, "claims": claims}
    counts = {"events": chosen.facts["events"], "relations": len(relations),
              "claims": len(claims)}
    ids: dict[str, list[str] | None] = {}
    parts: dict[str, dict] = {}
    for table, key in TABLES.items():
        if table == "events":
            # every matching event, summed up in SQL by the event store (as DuckDB and Spark
            # answer alike): its whole condition, never a narrowed copy's
            found = chosen.full_store.row_digests(chosen.full_where)
            parts[table] = {str(p): [int(n), str(s1), str(s2)] for p, n, s1, s2 in
                            zip(found["part"], found["n"], found["s1"], found["s2"])}
        else:
            parts[table] = _parts(kept[table], table)
        if counts[table] > listed:
            ids[table] = None
        elif table == "events":
            rows = chosen.store.rows(chosen.where, max(counts[table], 1)) if counts[table] else None
            ids[table] = sorted(rows["event_id"].tolist()) if rows is not None else []
        else:
            frame = kept[table]
            ids[table] = sorted(frame[key].astype(str).tolist()) if key in frame else []
    evidence = [str(i) for i in (step.get("evidence") or ())]
    also = also or {}
    rows = {table: _fields(dataset, table,
                           set(ids[table] or ()) | set(evidence) | set(also.get(table, ())))
            for table in TABLES}
    return {"format": FORMAT, "signature": signature(step), "evidence": evidence,
            "listed": listed, "looked_up": {t: sorted(also.get(t, ())) for t in also},
            "tables": {t: {"count": counts[t], "ids": ids[t], "parts": parts[t]}
                       for t in TABLES},
            "rows": rows}


def _fields(dataset: loader.Dataset, table: str, wanted: set[str]) -> dict[str, dict]:
    """id -> {"digest", "fields"} for the rows of `table` with these ids (those it has): the
    contract's columns as text, as the Data page's comparison of two versions reads them."""
    if not wanted:
        return {}
    spec = contract.TABLES_BY_NAME[table]
    key = TABLES[table]
    if table == "events":
        frame = dataset.event_rows(sorted(wanted))
    else:
        frame = dataset.table(table)
        if key not in frame:
            return {}
        frame = frame[frame[key].astype(str).isin(wanted)]
    # the fields as text, exactly as the Data page's comparison of two versions reads them
    texts = datastore._comparable(frame, spec).drop_duplicates(key)  # noqa: SLF001
    out = {}
    for record in texts.to_dict("records"):
        fields = {c: v for c, v in record.items() if c != key}
        out[str(record[key])] = {"digest": _digest(fields), "fields": fields}
    return out


def _digest(fields: dict[str, str]) -> str:
    text = "\x1f".join(f"{k}={v}" for k, v in sorted(fields.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _parts(frame: pd.DataFrame | None, table: str) -> dict[str, list]:
    """A digest of every row of `frame` whatever their order, as the event store sums up the
    events (EventStore.row_digests): the rows in 256 parts by the first two hex digits of their
    id's MD5, each part with its number of rows and two sums of 28-bit pieces of the MD5 of
    each row's fields (as text, as the Data page reads them)."""
    key = TABLES[table]
    if frame is None or frame.empty or key not in frame:
        return {}
    texts = datastore._comparable(frame, contract.TABLES_BY_NAME[table])  # noqa: SLF001
    sums: dict[str, list[int]] = {}
    for ident, record in zip(texts[key].tolist(), texts.itertuples(index=False, name=None)):
        part = hashlib.md5(str(ident).encode("utf-8")).hexdigest()[:2]
        hashed = hashlib.md5("\x1f".join(record).encode("utf-8")).hexdigest()
        total = sums.setdefault(part, [0, 0, 0])
        total[0] += 1
        total[1] += int(hashed[0:7], 16)
        total[2] += int(hashed[7:14], 16)
    return {part: [n, str(s1), str(s2)] for part, (n, s1, s2) in sorted(sums.items())}


def _differing_rows(then: dict, now: dict) -> int:
    """At least how many rows were added, removed or changed between two digests (`parts`):
    each part that differs holds at least one, and at least as many as its count moved by."""
    at_least = 0
    for part in set(then) | set(now):
        old, new = then.get(part, [0, "0", "0"]), now.get(part, [0, "0", "0"])
        if list(old) != list(new):
            at_least += max(1, abs(int(old[0]) - int(new[0])))
    return at_least


def data_ids(dataset: loader.Dataset, cap: int = IDS_KEPT) -> dict[str, list[str] | None]:
    """Every id each table holds (None for a table of more than `cap` rows)."""
    out: dict[str, list[str] | None] = {}
    for table, key in TABLES.items():
        if table == "events":
            store = eventstore.store_of(dataset)
            out[table] = (sorted(str(i) for i in store.event_id_array().to_pylist())
                          if store.count <= cap else None)
        else:
            frame = dataset.table(table)
            values = frame[key].astype(str).tolist() if key in frame else []
            out[table] = sorted(values) if len(values) <= cap else None
    return out


# --------------------------------------------------------------------------------------------
# Keeping bases


def basis_path(folder: str | os.PathLike, version: str, step_signature: str) -> Path:
    return datastore.state_dir(folder) / BASIS_DIR / version / f"{step_signature}.json"


def ids_path(folder: str | os.PathLike, version: str) -> Path:
    return datastore.state_dir(folder) / BASIS_DIR / version / IDS_FILE


@contextlib.contextmanager
def saving(folder: str | os.PathLike):
    """Held while a briefing is saved (its bases kept, the file written, the bases no briefing
    needs any more removed), so that one save never removes what another is about to record."""
    root = datastore.state_dir(folder) / BASIS_DIR
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def keep(folder: str | os.PathLike, dataset: loader.Dataset, steps: list[dict],
         version: str) -> int:
    """Keep each step's basis on this data version (before the briefing that records the
    version is saved), and which ids each table holds; a basis already kept in this format is
    not written again. Returns how many bases were written."""
    written = 0
    for step in steps:
        path = basis_path(folder, version, signature(step))
        kept = kept_basis(folder, version, signature(step))
        if kept is not None and kept.get("format") == FORMAT:
            continue
        basis = {"data_version": version, **step_basis(dataset, step)}
        datastore.atomic_write(path, json.dumps(basis, ensure_ascii=False).encode("utf-8"))
        written += 1
    if steps and not ids_path(folder, version).is_file():
        datastore.atomic_write(ids_path(folder, version),
                               json.dumps(data_ids(dataset)).encode("utf-8"))
    return written


def kept_basis(folder: str | os.PathLike, version: str, step_signature: str) -> dict | None:
    path = basis_path(folder, version, step_signature)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def kept_ids(folder: str | os.PathLike, version: str) -> dict[str, set[str] | None]:
    """Which ids each table held at `version` (None for a table not kept: too large, or the
    version's ids were never kept here)."""
    try:
        found = json.loads(ids_path(folder, version).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = {}
    return {t: (set(found[t]) if isinstance(found.get(t), list) else None) for t in TABLES}


def prune(folder: str | os.PathLike, dataset: loader.Dataset) -> int:
    """Remove the kept bases no saved briefing of the folder refers to (each step by its data
    version and signature), and a version's folder when none of its bases is left. A briefing
    file that cannot be read at all leaves everything in place (what it refers to is not
    known). Call it inside `saving`. Returns how many bases were removed."""
    wanted: set[tuple[str, str]] = set()
    for filename in briefing.named_briefings(folder):
        frame, problems = loader.load_briefing_file(folder, filename, dataset)
        if any(p.severity == contract.ERROR and p.row is None for p in problems):
            return 0
        for step in briefing.steps(frame):
            if recorded_version(step):
                wanted.add((recorded_version(step), signature(step)))
    root = datastore.state_dir(folder) / BASIS_DIR
    removed = 0
    if not root.is_dir():
        return 0
    for version_dir in root.iterdir():
        if not version_dir.is_dir():
            continue
        left = False
        for path in version_dir.iterdir():
            if path.name == IDS_FILE or path.name.startswith("."):
                continue
            if (version_dir.name, path.stem) in wanted:
                left = True
            else:
                path.unlink(missing_ok=True)
                removed += 1
        if not left:
            shutil.rmtree(version_dir, ignore_errors=True)
    return removed


# --------------------------------------------------------------------------------------------
# Comparing


Fields = list[tuple[str, str, str]]  # (field, then, now)


@dataclass
class StepChanges:
    """What changed in the rows one step rests on, by id."""

    added: list[tuple[str, str]] = field(default_factory=list)  # (table, id): new to the data
    removed: list[tuple[str, str]] = field(default_factory=list)  # gone from the data
    changed: list[tuple[str, str, Fields]] = field(default_factory=list)  # in view then and now
    # still in the data, no longer kept by the step's filters (with its fields that changed)
    left: list[tuple[str, str, Fields]] = field(default_factory=list)
    entered: list[tuple[str, str]] = field(default_factory=list)  # in the data then, not in view
    # now in view; whether the data held it then is not kept (a table past IDS_KEPT rows)
    appeared: list[tuple[str, str]] = field(default_factory=list)
    # rows too many to name: (table, count then, count now, at least how many differ)
    counted: list[tuple[str, int, int, int]] = field(default_factory=list)
    # rows too many to name, kept before their digest was: (table, count then and now)
    unverified: list[tuple[str, int]] = field(default_factory=list)
    listed: int = LISTED_ROWS  # past this many rows of a table, a basis names none of them

    def __bool__(self) -> bool:
        """Whether anything is known to have changed (`unverified` is not: it is unknown)."""
        return bool(self.added or self.removed or self.changed or self.left or self.entered
                    or self.appeared or self.counted)


def _field_changes(old: dict | None, new: dict | None) -> Fields:
    if old is None or new is None or old["digest"] == new["digest"]:
        return []
    return [(name, old["fields"].get(name, ""), new["fields"].get(name, ""))
            for name in dict.fromkeys(list(old["fields"]) + list(new["fields"]))
            if old["fields"].get(name, "") != new["fields"].get(name, "")]


def compare(then: dict, now: dict, existed: dict[str, set[str] | None] | None = None
            ) -> StepChanges:
    """What differs between a step's kept basis and its basis on the current data. A row no
    longer in the step is "removed" only when the data no longer holds it (`now` must name the
    fields of the rows `then` named: step_basis's `also`), else it left the step's view; a row
    new to the step is "added" only when `existed` (the ids each table held then, kept_ids)
    shows the data did not hold it. Past the rows a basis names, the digests of all rows tell
    whether any changed, and at least how many."""
    changes = StepChanges(listed=then.get("listed", LISTED_ROWS))
    existed = existed or {}
    evidence = list(dict.fromkeys(then.get("evidence", []) + now.get("evidence", [])))
    for table in TABLES:
        before, after = then["tables"][table], now["tables"][table]
        old_rows, new_rows = then["rows"].get(table, {}), now["rows"].get(table, {})
        # an evidence id is resting on a row of whichever table holds it (fetched whatever the
        # filters: in `rows` exactly when the data holds it)
        old_ids = {i for i in evidence if i in old_rows}
        new_ids = {i for i in evidence if i in new_rows}
        if before["ids"] is not None and after["ids"] is not None:
            old_ids |= set(before["ids"])
            new_ids |= set(after["ids"])
        elif "parts" in before and "parts" in after:
            if before["parts"] != after["parts"]:
                changes.counted.append((table, before["count"], after["count"],
                                        _differing_rows(before["parts"], after["parts"])))
        elif before["count"] != after["count"]:  # a basis kept before digests were
            changes.counted.append((table, before["count"], after["count"],
                                    abs(before["count"] - after["count"])))
        else:
            changes.unverified.append((table, after["count"]))
        looked_up = set(now.get("looked_up", {}).get(table, ())) | set(evidence)
        for ident in sorted(old_ids - new_ids):
            if ident not in new_rows and ident not in looked_up:
                raise ValueError(f"{ident} was not looked up in the current data: make `now` "
                                 "with step_basis(..., also=the ids `then` names)")
            if ident in new_rows:  # still in the data
                changes.left.append((table, ident,
                                     _field_changes(old_rows.get(ident), new_rows[ident])))
            else:
                changes.removed.append((table, ident))
        held = existed.get(table)
        for ident in sorted(new_ids - old_ids):
            if held is None:
                changes.appeared.append((table, ident))
            elif ident in held:
                changes.entered.append((table, ident))
            else:
                changes.added.append((table, ident))
        for ident in sorted(old_ids & new_ids):
            fields = _field_changes(old_rows.get(ident), new_rows.get(ident))
            if fields:
                changes.changed.append((table, ident, fields))
    return changes


@dataclass
class BriefingCheck:
    """What the Briefing page says about the data a briefing was saved against."""

    current: str  # the data version now
    recorded: list[str] = field(default_factory=list)  # versions the steps were saved against
    unrecorded: list[int] = field(default_factory=list)  # step indexes with no version
    not_kept: list[int] = field(default_factory=list)  # changed version, basis not kept here
    changes: dict[int, StepChanges] = field(default_factory=dict)  # step index -> changes
    # step index -> its changes, whose `unverified` tables (rows past those named, in a basis
    # kept before digests were) could not be compared
    unverified: dict[int, StepChanges] = field(default_factory=dict)

    @property
    def nothing_recorded(self) -> bool:
        return not self.recorded

    @property
    def data_changed(self) -> bool:
        return any(v != self.current for v in self.recorded)


def check(folder: str | os.PathLike, dataset: loader.Dataset, steps: list[dict],
          current: str) -> BriefingCheck:
    """For each step saved against another data version than `current`, what changed in the
    rows it rests on (steps saved against the current version, or with no version, are not
    compared)."""
    result = BriefingCheck(current)
    for index, step in enumerate(steps):
        version = recorded_version(step)
        if not version:
            result.unrecorded.append(index)
            continue
        if version not in result.recorded:
            result.recorded.append(version)
        if version == current:
            continue
        then = kept_basis(folder, version, signature(step))
        if then is None:
            result.not_kept.append(index)
            continue
        named = {t: set(then["rows"].get(t, {})) | set(then["tables"][t]["ids"] or ())
                 for t in TABLES}
        now = step_basis(dataset, step, then.get("listed", LISTED_ROWS), also=named)
        changes = compare(then, now, kept_ids(folder, version))
        if changes:
            result.changes[index] = changes
        if changes.unverified:
            result.unverified[index] = changes
    return result


TABLE_WORDS = {"events": "event", "relations": "relation", "claims": "claim"}


def change_lines(changes: StepChanges, shown: int = SHOWN, value_chars: int = 40) -> list[str]:
    """The changes in plain sentences, at most `shown` named per kind ("and 4 more")."""
    def some(items: list[str]) -> str:
        named = ", ".join(items[:shown])
        return named + (f", and {len(items) - shown} more" if len(items) > shown else "")

    def described(table: str, ident: str, fields: Fields) -> str:
        if not fields:
            return f"{TABLE_WORDS[table]} {ident}"
        parts = [f"{name} '{_short(old, value_chars)}' -> '{_short(new, value_chars)}'"
                 for name, old, new in fields[:4]]
        more = f", and {len(fields) - 4} more fields" if len(fields) > 4 else ""
        return f"{TABLE_WORDS[table]} {ident} ({'; '.join(parts)}{more})"

    lines = []
    if changes.added:
        lines.append("Added to the data: "
                     + some([f"{TABLE_WORDS[t]} {i}" for t, i in changes.added]))
    if changes.removed:
        lines.append("Removed from the data: "
                     + some([f"{TABLE_WORDS[t]} {i}" for t, i in changes.removed]))
    if changes.changed:
        lines.append("Changed: " + some([described(*c) for c in changes.changed]))
    if changes.left:
        lines.append("No longer in this step's view, though still in the data: "
                     + some([described(*c) for c in changes.left]))
    if changes.entered:
        lines.append("Now in this step's view, though already in the data when it was saved: "
                     + some([f"{TABLE_WORDS[t]} {i}" for t, i in changes.entered]))
    if changes.appeared:
        lines.append("Now in this step's view (whether the data already held them when it was "
                     "saved was not kept: the table was too large): "
                     + some([f"{TABLE_WORDS[t]} {i}" for t, i in changes.appeared]))
    for table, before, after, at_least in changes.counted:
        numbers = (f"{before:,} then and now" if before == after
                   else f"{before:,} then, {after:,} now")
        lines.append(f"The {table} this step's filters keep ({numbers}): at least {at_least:,} "
                     f"of them added, removed, changed, or come into or gone out of its view; "
                     f"too many to name (more than {changes.listed:,}).")
    for table, count in changes.unverified:
        lines.append(f"The {count:,} {table} this step's filters keep (more than "
                     f"{changes.listed:,}) were kept only as a number when it was saved: whether "
                     "any of them changed cannot be said.")
    return lines


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
