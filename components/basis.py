"""What a briefing's steps rest on: kept when the briefing is saved, compared when it is shown.
No Streamlit import.

A saved briefing records the data version it was saved against (briefing.csv's `data_version`
column, evidence.data_version). At the same save, each step's basis is kept in the data
folder's state folder (datastore.state_dir, written atomically like every copy kept there):

    <state>/briefing-basis/<data version>/<step signature>.json

A step's signature is a digest of its filters and evidence ids, so the basis depends on nothing
else (not its title, words or number): every briefing of the folder, and every kept version of
one, finds its steps' bases by their filters. A basis names the rows the step rests on (the
rows its evidence names, and the events, relations and claims its filters keep, up to
LISTED_ROWS of each; past that only their number is kept) with each row's fields as text and a
digest of them. When the data version has changed, `check` works the basis out again on the
current data and `compare` says, by id and field, what was added, removed or changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from components import briefing, contract, datastore, filterdefs, loader, selection

LISTED_ROWS = 200  # rows of each table a basis names one by one; past it, only counted
BASIS_DIR = "briefing-basis"
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


def step_basis(dataset: loader.Dataset, step: dict, listed: int = LISTED_ROWS) -> dict:
    """The rows a step rests on, on this data: per table, how many rows its filters keep and
    (up to `listed`) their ids; and the fields of those rows and of its evidence rows."""
    chosen_filters = briefing.step_filters(step)
    relations, chosen = selection.filtered(dataset, chosen_filters)
    claims, _ = selection.claims_in_view(dataset, chosen, relations,
                                         bool(chosen_filters.active()))
    kept = {"events": None, "relations": relations, "claims": claims}
    counts = {"events": chosen.facts["events"], "relations": len(relations),
              "claims": len(claims)}
    ids: dict[str, list[str] | None] = {}
    for table, key in TABLES.items():
        if counts[table] > listed:
            ids[table] = None
        elif table == "events":
            rows = chosen.store.rows(chosen.where, max(counts[table], 1)) if counts[table] else None
            ids[table] = sorted(rows["event_id"].tolist()) if rows is not None else []
        else:
            frame = kept[table]
            ids[table] = sorted(frame[key].astype(str).tolist()) if key in frame else []
    evidence = [str(i) for i in (step.get("evidence") or ())]
    rows = {table: _fields(dataset, table, set(ids[table] or ()) | set(evidence))
            for table in TABLES}
    return {"signature": signature(step), "evidence": evidence, "listed": listed,
            "tables": {t: {"count": counts[t], "ids": ids[t]} for t in TABLES}, "rows": rows}


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


# --------------------------------------------------------------------------------------------
# Keeping bases


def basis_path(folder: str | os.PathLike, version: str, step_signature: str) -> Path:
    return datastore.state_dir(folder) / BASIS_DIR / version / f"{step_signature}.json"


def keep(folder: str | os.PathLike, dataset: loader.Dataset, steps: list[dict],
         version: str) -> int:
    """Keep each step's basis on this data version (before the briefing that records the
    version is saved); a basis already kept is not written again. Returns how many were
    written."""
    written = 0
    for step in steps:
        path = basis_path(folder, version, signature(step))
        if path.is_file():
            continue
        basis = {"data_version": version, **step_basis(dataset, step)}
        datastore.atomic_write(path, json.dumps(basis, ensure_ascii=False).encode("utf-8"))
        written += 1
    return written


def kept_basis(folder: str | os.PathLike, version: str, step_signature: str) -> dict | None:
    path = basis_path(folder, version, step_signature)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# Comparing


@dataclass
class StepChanges:
    """What changed in the rows one step rests on, by id."""

    added: list[tuple[str, str]] = field(default_factory=list)  # (table, id)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str, list[tuple[str, str, str]]]] = field(default_factory=list)
    counted: list[tuple[str, int, int]] = field(default_factory=list)  # table, then, now

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.counted)


def compare(then: dict, now: dict) -> StepChanges:
    """The rows added, removed and changed (with the fields, old and new) between a step's
    kept basis and its basis on the current data; for a table the step keeps too many rows of
    to name, only its count."""
    changes = StepChanges()
    evidence = list(dict.fromkeys(then.get("evidence", []) + now.get("evidence", [])))
    for table in TABLES:
        before, after = then["tables"][table], now["tables"][table]
        old_rows, new_rows = then["rows"].get(table, {}), now["rows"].get(table, {})
        if before["ids"] is not None and after["ids"] is not None:
            old_ids, new_ids = set(before["ids"]), set(after["ids"])
        else:
            old_ids, new_ids = set(), set()
            if before["count"] != after["count"]:
                changes.counted.append((table, before["count"], after["count"]))
        # an evidence id is resting on a row of whichever table holds it
        old_ids |= {i for i in evidence if i in old_rows}
        new_ids |= {i for i in evidence if i in new_rows}
        changes.added += [(table, i) for i in sorted(new_ids - old_ids)]
        changes.removed += [(table, i) for i in sorted(old_ids - new_ids)]
        for ident in sorted(old_ids & new_ids):
            old, new = old_rows.get(ident), new_rows.get(ident)
            if old is None or new is None or old["digest"] == new["digest"]:
                continue
            fields = [(name, old["fields"].get(name, ""), new["fields"].get(name, ""))
                      for name in dict.fromkeys(list(old["fields"]) + list(new["fields"]))
                      if old["fields"].get(name, "") != new["fields"].get(name, "")]
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
        changes = compare(then, step_basis(dataset, step, then.get("listed", LISTED_ROWS)))
        if changes:
            result.changes[index] = changes
    return result


TABLE_WORDS = {"events": "event", "relations": "relation", "claims": "claim"}


def change_lines(changes: StepChanges, shown: int = SHOWN, value_chars: int = 40) -> list[str]:
    """The changes in plain sentences, at most `shown` named per kind ("and 4 more")."""
    def some(items: list[str]) -> str:
        named = ", ".join(items[:shown])
        return named + (f", and {len(items) - shown} more" if len(items) > shown else "")

    lines = []
    if changes.added:
        lines.append("Added: " + some([f"{TABLE_WORDS[t]} {i}" for t, i in changes.added]))
    if changes.removed:
        lines.append("Removed: " + some([f"{TABLE_WORDS[t]} {i}" for t, i in changes.removed]))
    if changes.changed:
        described = []
        for table, ident, fields in changes.changed:
            parts = [f"{name} '{_short(old, value_chars)}' -> '{_short(new, value_chars)}'"
                     for name, old, new in fields[:4]]
            more = f", and {len(fields) - 4} more fields" if len(fields) > 4 else ""
            described.append(f"{TABLE_WORDS[table]} {ident} ({'; '.join(parts)}{more})")
        lines.append("Changed: " + some(described))
    for table, before, after in changes.counted:
        lines.append(f"The {table} the step's filters keep: {before:,} then, {after:,} now "
                     f"(more than {LISTED_ROWS:,}, so only their number is compared).")
    return lines


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
