"""The evidence pack: one zip that hands over what a view or a whole briefing rests on, and the
data version it was made from. No Streamlit import.

A pack holds
    report.html     the offline report of the view or briefing (exports.report_html)
    events.csv      the matching events (for a briefing: the union over its steps)
    actors.csv      the actors those events and relations involve
    relations.csv   the relations the view keeps
    claims.csv      the claims about what the view shows (selection.claims_in_view)
    sources.csv     every source with its reliability in words
    README.txt      the same facts as the manifest, in sentences
    manifest.json   ProxyLens's version, the time (UTC), the page, the engine, the data version
                    and the files it was made from, the filters (as chips read and as
                    briefing.csv columns), the page's own choices in its address, what each
                    table holds and whether it was cut, and every other file of the zip with
                    its size and SHA-256
A pack covers one view, or several parts: a briefing's steps (scope "briefing"), or the two
windows of a comparison (scope "comparison", from the Compare page), whose tables are the union
over the parts, each row saying which parts it belongs to (the in_steps or in_windows column).
Every CSV is formula-safe (exports.csv_bytes). The events are written a page at a time, at most
PACK_EVENT_ROWS of them: with millions of matching events the file is cut, and the manifest and
README.txt say so and how many matched.

The data version (data_version) is the one string the Data page shows, the exports state and a
briefing records: a digest of the loaded files' content fingerprints, so it changes when a
file's bytes change and not when a file is merely touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd

from components import __version__ as APP_VERSION
from components import exports, filterdefs, frames, loader, selection
from components.filters import Filters

PACK_EVENT_ROWS = 100_000  # events written to a pack's events.csv at most
PAGE_ROWS = 5_000  # events fetched and written at a time
UNVERSIONED = ("briefing",)  # tables a data version leaves out: saving a briefing changes no data
STEPS_COLUMN = "in_steps"  # a briefing pack's tables: the steps each row belongs to
WINDOWS_COLUMN = "in_windows"  # a comparison's tables: the windows (A, B) each row is in


# --------------------------------------------------------------------------------------------
# The data version


def data_version(files: list[loader.FileReport]) -> str:
    """The data version: sixteen hex digits of the SHA-256 of the sorted (file name, content
    fingerprint) pairs of the loaded files (loader.FileReport, as the Data page lists them),
    the briefing files left out. The same bytes give the same version on any machine and in
    any folder; touching a file changes nothing, editing one cell changes it."""
    pairs = sorted((f.filename, f.fingerprint) for f in files
                   if f.fingerprint and f.table not in UNVERSIONED)
    text = "\n".join(f"{name}\t{fingerprint}" for name, fingerprint in pairs)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# What a pack is made of


@dataclass
class PackPart:
    """One view a pack covers: the current view, or one step of a briefing."""

    label: str  # "the current view", "Step 2: 2003-2005, the networks form", "Window A: 2006"
    chosen: selection.Selection
    relations: pd.DataFrame  # under the filters
    claims: pd.DataFrame  # about what the view shows
    filters: Filters
    filter_lines: list[str]  # the chips, as the page reads them
    step: str | None = None  # a briefing step's number, or a comparison's window ("A", "B")
    title: str | None = None
    evidence: tuple[str, ...] = ()


@dataclass
class PackInfo:
    """What the manifest says besides the parts: where and when the pack was made."""

    page: str  # the page it was downloaded from
    record: str  # the record's title (summary.record_title)
    engine: str  # which engine answered (the event store's engine_text)
    scope: str = "view"  # "view", "briefing" or "comparison" (the Compare page's two windows)
    briefing_file: str | None = None
    created: datetime | None = None  # default: now, UTC
    data_folder: str = ""  # the folder's name (not its path on the server)
    extra: dict = field(default_factory=dict)
    # the page's own choices in its address (st.query_params, the sidebar's filters left out:
    # "filters" holds them), e.g. {"cmp_b": "surge-response"} or {"patron": "iran"}
    address: dict = field(default_factory=dict)


def _parts_column(info: PackInfo, parts: list[PackPart]) -> str | None:
    """The column naming the parts each row belongs to: in_steps for a briefing, in_windows
    for a comparison of two windows; None for a pack of one view."""
    if info.scope == "briefing":
        return STEPS_COLUMN
    return WINDOWS_COLUMN if len(parts) > 1 else None


def pack_bytes(dataset: loader.Dataset, files: list[loader.FileReport], parts: list[PackPart],
               info: PackInfo, report_html: str, sources: pd.DataFrame,
               event_rows: int = PACK_EVENT_ROWS) -> bytes:
    """The evidence pack as the bytes of a zip (see the module's docstring)."""
    created = (info.created or datetime.now(timezone.utc)).astimezone(timezone.utc)
    version = data_version(files)
    column = _parts_column(info, parts)
    written: dict[str, dict] = {}  # zip name -> {"bytes", "sha256"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        def put(name: str, content: bytes) -> None:
            pack.writestr(_entry(name, created), content)
            written[name] = {"bytes": len(content),
                             "sha256": hashlib.sha256(content).hexdigest()}

        put("report.html", report_html.encode("utf-8"))
        with pack.open(_entry("events.csv", created), "w") as out:
            sink = _HashingSink(out)
            events = _write_events(sink, dataset, parts, column, event_rows)
        written["events.csv"] = {"bytes": sink.size, "sha256": sink.digest()}
        tables = {"events": events}
        for name, frame in _other_tables(dataset, parts, column).items():
            put(f"{name}.csv", exports.csv_bytes(frame))
            tables[name] = {"rows": len(frame)}
        put("sources.csv", exports.csv_bytes(sources))
        tables["sources"] = {"rows": len(sources)}
        manifest = _manifest(version, files, parts, info, created, tables, written, column)
        put("README.txt", _readme(manifest).encode("utf-8"))
        manifest["files"] = [{"name": name, **facts} for name, facts in written.items()]
        pack.writestr(_entry("manifest.json", created),
                      json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")
    return buffer.getvalue()


def _entry(name: str, when: datetime) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    return entry


class _HashingSink:
    """Bytes written to a zip member, counted and hashed on the way."""

    def __init__(self, out) -> None:
        self.out, self.size, self._hash = out, 0, hashlib.sha256()

    def write(self, content: bytes) -> None:
        self.out.write(content)
        self._hash.update(content)
        self.size += len(content)

    def digest(self) -> str:
        return self._hash.hexdigest()


# --------------------------------------------------------------------------------------------
# The tables


def _event_columns(dataset: loader.Dataset) -> list[str]:
    """The events' columns as the Events CSV download writes them (export_ui.filtered_tables):
    the loaded table's, without the helper columns."""
    helpers = set(loader.helper_columns("events"))
    return [c for c in dataset.events.columns if c not in helpers and not c.startswith("_")]


def _write_events(sink: _HashingSink, dataset: loader.Dataset, parts: list[PackPart],
                  column: str | None, limit: int) -> dict:
    """Write the matching events (their union over the parts, each row saying in `column`
    which steps or windows it belongs to) a page at a time, at most `limit`; return what the
    manifest says of them."""
    several = column is not None
    columns = _event_columns(dataset)
    seen: set[str] = set()
    per_part = [0] * len(parts)
    total = 0
    first = True
    cut = False
    for index, part in enumerate(parts):
        matching = part.chosen.facts["events"]
        offset = 0
        while offset < matching:
            if total >= limit:
                cut = True
                break
            page = part.chosen.store.rows(part.chosen.where, PAGE_ROWS, offset)
            offset += PAGE_ROWS
            if page.empty:
                break
            page = page[~page["event_id"].isin(seen)]
            page = page.iloc[: limit - total]
            if page.empty:
                continue
            out = exports.flatten(page[[c for c in columns if c in page.columns]])
            if several:
                ids = page["event_id"].tolist()
                holding = [other.chosen.holding(ids) if j >= index else set()
                           for j, other in enumerate(parts)]
                steps = [[parts[j].step or str(j + 1) for j in range(len(parts))
                          if ident in holding[j]] for ident in ids]
                out[column] = [";".join(s) for s in steps]
                for j in range(len(parts)):
                    per_part[j] += sum(ident in holding[j] for ident in ids)
            else:
                per_part[index] += len(page)
            seen.update(page["event_id"].tolist())
            total += len(page)
            sink.write(_csv_part(out, first))
            first = False
        if cut:
            break
    if first:  # nothing matched: the header alone
        empty = exports.flatten(dataset.events.iloc[:0][columns])
        if several:
            empty[column] = pd.Series(dtype=object)
        sink.write(_csv_part(empty, True))
    matching = [p.chosen.facts["events"] for p in parts]
    facts = {"rows": total, "cut": cut or any(k < m for k, m in zip(per_part, matching)),
             "limit": limit, "matching": matching[0] if not several else None,
             "order": "date order"}
    if several:
        facts["matching_per_step"] = {p.step or str(i + 1): m
                                      for i, (p, m) in enumerate(zip(parts, matching))}
        facts["written_per_step"] = {p.step or str(i + 1): k
                                     for i, (p, k) in enumerate(zip(parts, per_part))}
    facts["note"] = _events_note(facts, several, "step" if column == STEPS_COLUMN else "window")
    return facts


def _csv_part(frame: pd.DataFrame, header: bool) -> bytes:
    """A page of rows as formula-safe CSV; the first carries the header and the byte-order
    mark, as exports.csv_bytes writes them."""
    if header:
        return exports.csv_bytes(frame)
    return exports.neutralise(frame).to_csv(index=False, header=False).encode("utf-8")


def _events_note(facts: dict, several: bool, part: str = "step") -> str:
    if not facts["cut"]:
        return f"events.csv holds every matching event ({facts['rows']:,}), in date order."
    if not several:
        return (f"events.csv holds the first {facts['rows']:,} of the {facts['matching']:,} "
                "matching events, in date order: the file is cut. Narrow the filters to "
                "export them all.")
    short = [f"{part} {s}: {facts['written_per_step'][s]:,} of {m:,}"
             for s, m in facts["matching_per_step"].items() if facts["written_per_step"][s] < m]
    return (f"events.csv holds {facts['rows']:,} events (at most {facts['limit']:,}), so some "
            f"{part}s' events are cut ({'; '.join(short)}), each {part}'s in date order.")


def _other_tables(dataset: loader.Dataset, parts: list[PackPart], column: str | None
                  ) -> dict[str, pd.DataFrame]:
    """Actors, relations and claims as the Events CSV's neighbours are written
    (export_ui.filtered_tables): the actors the matching events and kept relations involve,
    the kept relations, the claims about what the view shows; for a briefing or a
    comparison, their union over the parts with the parts each row belongs to (`column`)."""
    several = column is not None
    actor_sets = [frames.relation_ends(p.relations) | p.chosen.involved_actor_ids()
                  for p in parts]
    actors = dataset.actors[dataset.actors["actor_id"].isin(set().union(*actor_sets))]
    out = {"actors": _with_steps(actors, "actor_id", actor_sets, parts, column)}
    relation_sets = [set(p.relations["relation_id"].tolist()) for p in parts]
    relations = (pd.concat([p.relations for p in parts], ignore_index=True)
                 .drop_duplicates("relation_id") if several else parts[0].relations)
    out["relations"] = _with_steps(relations, "relation_id", relation_sets, parts, column)
    claims = (pd.concat([p.claims for p in parts], ignore_index=True) if several
              else parts[0].claims)
    if "claim_id" in claims:
        claim_sets = [set(p.claims["claim_id"].tolist()) for p in parts]
        claims = claims.drop_duplicates("claim_id") if several else claims
        out["claims"] = _with_steps(claims, "claim_id", claim_sets, parts, column)
    else:
        out["claims"] = claims
    return out


def _with_steps(frame: pd.DataFrame, key: str, sets: list[set], parts: list[PackPart],
                column: str | None) -> pd.DataFrame:
    table = {"actor_id": "actors", "relation_id": "relations", "claim_id": "claims"}[key]
    flat = exports.flatten(frame, drop=set(loader.helper_columns(table)))
    if column is not None:
        flat[column] = [";".join(p.step or str(i + 1) for i, p in enumerate(parts)
                                       if ident in sets[i]) for ident in frame[key]]
    return flat


# --------------------------------------------------------------------------------------------
# The manifest and README.txt


def filters_record(chosen: Filters, lines: list[str]) -> dict:
    """The filters as the page's chips read them and as briefing.csv columns carry them
    (filterdefs.to_step): what reopens the same view."""
    machine = {column: (list(value) if isinstance(value, tuple) else value)
               for column, value in filterdefs.to_step(chosen).items()}
    return {"lines": list(lines), "machine": machine}


def _manifest(version: str, files, parts: list[PackPart], info: PackInfo, created: datetime,
              tables: dict, written: dict, column: str | None) -> dict:
    manifest = {
        "proxylens_version": APP_VERSION,
        "created_utc": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "page": info.page,
        "scope": info.scope,
        "record": info.record,
        "data_version": version,
        "data_folder": info.data_folder,
        "data_files": [{"file": f.filename, "table": f.table, "fingerprint": f.fingerprint,
                        "rows": f.rows, "status": f.status,
                        "in_data_version": bool(f.fingerprint) and f.table not in UNVERSIONED}
                       for f in files],
        "engine": info.engine,
    }
    if column == WINDOWS_COLUMN:  # a comparison: each window, its dates and its filters
        manifest["windows"] = [{
            "window": p.step, "title": p.title,
            "from": p.filters.date_from.isoformat() if p.filters.date_from else None,
            "to": p.filters.date_to.isoformat() if p.filters.date_to else None,
            "filters": filters_record(p.filters, p.filter_lines),
            "matching": {"events": p.chosen.facts["events"], "relations": len(p.relations),
                         "claims": len(p.claims)},
        } for p in parts]
    elif column is not None:
        manifest["briefing_file"] = info.briefing_file
        manifest["steps"] = [{
            "step": p.step, "title": p.title, "filters": filters_record(p.filters, p.filter_lines),
            "evidence": list(p.evidence),
            "matching": {"events": p.chosen.facts["events"], "relations": len(p.relations),
                         "claims": len(p.claims)},
        } for p in parts]
    else:
        manifest["filters"] = filters_record(parts[0].filters, parts[0].filter_lines)
    manifest["tables"] = {name: {"file": f"{name}.csv", **facts} for name, facts in tables.items()}
    manifest["report"] = {"file": "report.html", "note": (
        f"The report's tables hold at most the first {selection.LISTED_ROWS:,} matching events "
        "of each view, as the page lists them; events.csv holds more.")}
    manifest["address"] = dict(info.address)
    manifest.update(info.extra)
    manifest["files"] = [{"name": name, **facts} for name, facts in written.items()]
    manifest["files_note"] = ("Every file of the zip but manifest.json itself, with its size in "
                              "bytes and its SHA-256 (check with: sha256sum FILE).")
    return manifest


def _readme(manifest: dict) -> str:
    """The manifest in sentences, for whoever opens the zip first."""
    lines = [
        f"ProxyLens evidence pack: {manifest['record']}",
        "",
        f"Made by ProxyLens {manifest['proxylens_version']} on {manifest['created_utc']} (UTC), "
        f"from the {manifest['page']} page"
        + (f", for the whole briefing {manifest.get('briefing_file')}." if
           manifest["scope"] == "briefing" else
           ", for the comparison of two windows shown there." if "windows" in manifest
           else ", for the view shown there."),
        f"Data version: {manifest['data_version']} (the Data page shows the same; it is a digest "
        "of the content fingerprints of the data files below).",
        f"Engine: {manifest['engine']}.",
        "",
        "Data files read:",
    ]
    lines += [f"  {f['file']}: {f['rows']:,} rows, fingerprint {f['fingerprint'] or '(none)'}"
              + ("" if f["in_data_version"] else " (not part of the data version)")
              for f in manifest["data_files"]]
    lines.append("")
    if manifest["scope"] == "briefing":
        lines.append("Steps and their filters (each table's in_steps column says which steps "
                     "a row belongs to):")
        for step in manifest["steps"]:
            chips = "; ".join(step["filters"]["lines"]) or "no filters"
            lines.append(f"  Step {step['step']}: {step['title']} - {chips}")
    elif "windows" in manifest:
        lines.append("Windows compared, each with its filters (each table's in_windows column "
                     "says which windows a row belongs to):")
        for window in manifest["windows"]:
            chips = "; ".join(window["filters"]["lines"]) or "no filters"
            lines.append(f"  Window {window['window']}: {window['title']} ({window['from']} to "
                         f"{window['to']}) - {chips}")
    else:
        chips = "; ".join(manifest["filters"]["lines"]) or "none: everything is shown"
        lines.append(f"Filters: {chips}")
    if manifest["address"]:
        lines.append("The page's own choices in its address: " + "; ".join(
            f"{key}={value}" for key, value in manifest["address"].items()) + ".")
    lines += ["", "What each file holds:",
              "  report.html    the offline report (opens in any browser without internet)"]
    for name, facts in manifest["tables"].items():
        lines.append(f"  {facts['file']:<14} {facts['rows']:,} rows")
    lines.append(f"  Note: {manifest['tables']['events']['note']}")
    lines += ["  Cells beginning with =, +, - or @ start with an apostrophe, so no spreadsheet "
              "runs them as formulas.",
              "  manifest.json  all of the above for programs: filters as briefing.csv "
              "columns, counts, and every file's SHA-256", "", "SHA-256 of the files:"]
    lines += [f"  {facts['sha256']}  {name}" for name, facts in
              ((f["name"], f) for f in manifest["files"])]
    return "\n".join(lines) + "\n"
