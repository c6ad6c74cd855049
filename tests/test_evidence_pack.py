"""The evidence pack (components.evidence), the data version, and briefings that record the data
version they were saved against (components.basis): in the core, and in the app (AppTest)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from components import basis, briefing, eventstore, evidence, filterdefs, loader, selection
from components.filters import Filters
from tests.conftest import DATA, read_rows, write_rows

FILES = ["report.html", "events.csv", "actors.csv", "relations.csv", "claims.csv",
         "sources.csv", "README.txt", "manifest.json"]


def load(folder):
    """The folder as the app loads it (events in the event store)."""
    return eventstore.load_folder(folder, loader.folder_fingerprint(folder))


def view_part(dataset, chosen_filters: Filters, lines=()) -> evidence.PackPart:
    relations, chosen = selection.filtered(dataset, chosen_filters)
    claims, _ = selection.claims_in_view(dataset, chosen, relations, bool(chosen_filters.active()))
    return evidence.PackPart("the current view", chosen, relations, claims, chosen_filters,
                             list(lines))


def make_pack(result, parts, scope="view", **kwargs) -> zipfile.ZipFile:
    info = evidence.PackInfo(page="Timeline" if scope == "view" else "Briefing",
                             record="A record", engine="DuckDB, in memory", scope=scope,
                             briefing_file="briefing.csv" if scope == "briefing" else None,
                             created=datetime(2026, 11, 30, 21, 5, tzinfo=timezone.utc))
    data = evidence.pack_bytes(result.dataset, result.files, parts, info,
                               "<html><body>report</body></html>", result.dataset.sources,
                               **kwargs)
    return zipfile.ZipFile(io.BytesIO(data))


def csv_rows(pack: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(pack.read(name).decode("utf-8-sig"))))


def set_by_id(path: Path, key: str, ident: str, column: str, value: str) -> None:
    rows = read_rows(path)
    row = next(r for r in rows[1:] if r[rows[0].index(key)] == ident)
    row[rows[0].index(column)] = value
    write_rows(path, rows)


# ---------------------------------------------------------------------------------------------
# The data version


def test_data_version_follows_the_files_content_not_their_times(data_copy):
    first = evidence.data_version(loader.load_dataset(data_copy).files)
    assert len(first) == 16 and int(first, 16) >= 0
    assert evidence.data_version(loader.load_dataset(DATA).files) == first  # same bytes
    later = time.time() + 60
    os.utime(data_copy / "events.csv", (later, later))  # touched, not changed
    assert evidence.data_version(loader.load_dataset(data_copy).files) == first
    set_by_id(data_copy / "briefing.csv", "step", "1", "title", "Retitled")  # not data
    assert evidence.data_version(loader.load_dataset(data_copy).files) == first
    set_by_id(data_copy / "events.csv", "event_id", "ev-037", "fatalities", "6")
    assert evidence.data_version(loader.load_dataset(data_copy).files) != first


# ---------------------------------------------------------------------------------------------
# The pack of a view


@pytest.fixture
def hostile_copy(data_copy):
    """The shipped data with cells a spreadsheet would run as formulas, one per table."""
    set_by_id(data_copy / "events.csv", "event_id", "ev-037", "description",
              '=HYPERLINK("http://example.invalid","raid")')
    set_by_id(data_copy / "actors.csv", "actor_id", "special-groups", "description", "+1+1")
    set_by_id(data_copy / "relations.csv", "relation_id", "r-027", "description", "-2-2")
    set_by_id(data_copy / "claims.csv", "claim_id", "c-013", "statement", "@SUM(A1:A9)")
    set_by_id(data_copy / "sources.csv", "source_id", "isw", "notes", "=1+2")
    return data_copy


def test_the_pack_of_a_view_holds_every_file_its_manifest_names(hostile_copy):
    result = load(hostile_copy)
    chosen = Filters(date_from=date(2007, 1, 1), date_to=date(2007, 12, 31),
                     actors=("special-groups",))
    lines = ["Dates: 2007-01-01 to 2007-12-31", "Actor: Special Groups"]
    pack = make_pack(result, [view_part(result.dataset, chosen, lines)])
    assert pack.namelist() == FILES
    manifest = json.loads(pack.read("manifest.json"))
    # every file but the manifest, with its size and SHA-256
    assert [f["name"] for f in manifest["files"]] == FILES[:-1]
    for entry in manifest["files"]:
        content = pack.read(entry["name"])
        assert entry["bytes"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    # the data version is the Data page's for that folder
    assert manifest["data_version"] == evidence.data_version(loader.load_dataset(hostile_copy).files)
    assert manifest["proxylens_version"] == evidence.APP_VERSION
    assert manifest["created_utc"] == "2026-11-30T21:05:00Z"
    assert manifest["page"] == "Timeline" and manifest["engine"] == "DuckDB, in memory"
    assert {f["file"] for f in manifest["data_files"]} >= {"events.csv", "briefing.csv"}
    # the filters: as the page reads them, and as briefing.csv columns that give them back
    assert manifest["filters"]["lines"] == lines
    assert manifest["filters"]["machine"]["actors"] == ["special-groups"]
    assert filterdefs.from_step(manifest["filters"]["machine"]) == chosen
    # the tables are the view's
    relations, matching = selection.filtered(result.dataset, chosen)
    expected = set(selection.matching_events(result.dataset, chosen)["event_id"])
    events = csv_rows(pack, "events.csv")
    assert {e["event_id"] for e in events} == expected and len(events) == len(expected)
    assert manifest["tables"]["events"]["rows"] == len(expected)
    assert not manifest["tables"]["events"]["cut"]
    assert {r["relation_id"] for r in csv_rows(pack, "relations.csv")} == set(
        relations["relation_id"])
    involved = matching.involved_actor_ids() | set(relations["source"]) | set(relations["target"])
    assert {a["actor_id"] for a in csv_rows(pack, "actors.csv")} == involved
    assert "c-013" in {c["claim_id"] for c in csv_rows(pack, "claims.csv")}
    sources = csv_rows(pack, "sources.csv")
    assert {s["source_id"] for s in sources} == set(result.dataset.sources["source_id"])
    # formula-like cells neutralised in every CSV
    by_id = {e["event_id"]: e for e in events}
    assert by_id["ev-037"]["description"] == "'=HYPERLINK(\"http://example.invalid\",\"raid\")"
    actor = next(a for a in csv_rows(pack, "actors.csv") if a["actor_id"] == "special-groups")
    assert actor["description"] == "'+1+1"
    relation = next(r for r in csv_rows(pack, "relations.csv") if r["relation_id"] == "r-027")
    assert relation["description"] == "'-2-2"
    claim = next(c for c in csv_rows(pack, "claims.csv") if c["claim_id"] == "c-013")
    assert claim["statement"] == "'@SUM(A1:A9)"
    assert next(s for s in sources if s["source_id"] == "isw")["notes"] == "'=1+2"
    for name in ("events.csv", "actors.csv", "relations.csv", "claims.csv", "sources.csv"):
        for row in csv_rows(pack, name):
            assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values()), name
    # README.txt says the same in sentences
    readme = pack.read("README.txt").decode("utf-8")
    assert f"Data version: {manifest['data_version']}" in readme
    assert "Filters: Dates: 2007-01-01 to 2007-12-31; Actor: Special Groups" in readme
    assert hashlib.sha256(pack.read("events.csv")).hexdigest() + "  events.csv" in readme
    assert pack.read("report.html") == b"<html><body>report</body></html>"


def test_a_view_with_more_events_than_the_pack_holds_is_cut_and_says_so(monkeypatch):
    monkeypatch.setattr(evidence, "PAGE_ROWS", 7)  # several pages, as with millions of events
    result = load(DATA)
    pack = make_pack(result, [view_part(result.dataset, Filters())], event_rows=20)
    events = csv_rows(pack, "events.csv")
    everything = selection.matching_events(result.dataset, Filters())
    assert [e["event_id"] for e in events] == everything["event_id"].tolist()[:20]  # date order
    facts = json.loads(pack.read("manifest.json"))["tables"]["events"]
    assert facts["rows"] == 20 and facts["cut"] and facts["matching"] == len(everything)
    assert facts["note"].startswith(f"events.csv holds the first 20 of the {len(everything)} "
                                    "matching events")
    assert facts["note"] in pack.read("README.txt").decode("utf-8")
    assert pack.read("events.csv").count(b"\xef\xbb\xbf") == 1  # one header, one BOM


def test_a_view_matching_nothing_still_writes_each_table_with_its_header():
    result = load(DATA)
    pack = make_pack(result, [view_part(result.dataset, Filters(text="no such words anywhere"))])
    header = pack.read("events.csv").decode("utf-8-sig").splitlines()
    assert len(header) == 1 and header[0].startswith("event_id,")
    assert json.loads(pack.read("manifest.json"))["tables"]["events"]["rows"] == 0


# ---------------------------------------------------------------------------------------------
# The pack of a briefing


def test_the_pack_of_a_briefing_is_the_union_of_its_steps_saying_which_step_each_row_is_in():
    result = load(DATA)
    dataset = result.dataset
    steps = briefing.steps(dataset.briefing)
    parts = []
    for number, step in enumerate(steps, start=1):
        chosen = briefing.step_filters(step)
        part = view_part(dataset, chosen, [f"step {number}"])
        part.step, part.title, part.evidence = str(number), step["title"], step["evidence"]
        parts.append(part)
    pack = make_pack(result, parts, scope="briefing")
    manifest = json.loads(pack.read("manifest.json"))
    assert [s["step"] for s in manifest["steps"]] == [str(i) for i in range(1, len(steps) + 1)]
    assert manifest["steps"][5]["evidence"] == list(steps[5]["evidence"])
    assert filterdefs.from_step(manifest["steps"][3]["filters"]["machine"]) == \
        briefing.step_filters(steps[3])
    events = csv_rows(pack, "events.csv")
    assert len({e["event_id"] for e in events}) == len(events)  # each event once
    for number, step in enumerate(steps, start=1):
        wanted = set(selection.matching_events(dataset, briefing.step_filters(step))["event_id"])
        listed = {e["event_id"] for e in events if str(number) in e["in_steps"].split(";")}
        assert listed == wanted, number
        assert manifest["tables"]["events"]["written_per_step"][str(number)] == len(wanted)
    relations = csv_rows(pack, "relations.csv")
    assert all(r["in_steps"] for r in relations)
    readme = pack.read("README.txt").decode("utf-8")
    assert "for the whole briefing briefing.csv" in readme and "Step 6: January 2007" in readme


# ---------------------------------------------------------------------------------------------
# A briefing records its data version; the page says what changed since


def save_recorded(folder: Path) -> str:
    """Save the folder's briefing as the Briefing page does: its basis kept, its version
    recorded. Returns the version."""
    result = load(folder)
    version = evidence.data_version(result.files)
    steps = briefing.steps(result.dataset.briefing)
    assert basis.keep(folder, result.dataset, steps, version) == len(steps)
    briefing.save(steps, folder, data_version=version)
    return version


def test_a_saved_briefing_records_its_data_version_and_names_what_changed_since(data_copy):
    version = save_recorded(data_copy)
    saved = loader.load_dataset(data_copy)
    assert not saved.problems
    steps = briefing.steps(saved.dataset.briefing)
    assert {s["data_version"] for s in steps} == {version}
    unchanged = basis.check(data_copy, load(data_copy).dataset, steps, version)
    assert not unchanged.data_changed and not unchanged.changes and not unchanged.nothing_recorded
    # step 6 (January 2007) rests on ev-036 (its evidence) and the month's events
    set_by_id(data_copy / "events.csv", "event_id", "ev-037", "description", "Rewritten.")
    set_by_id(data_copy / "events.csv", "event_id", "ev-037", "fatalities", "6")
    rows = read_rows(data_copy / "events.csv")
    header = rows[0]
    removed = [r for r in rows if r[0] == "ev-036"][0]
    added = list(removed)
    added[0] = "ev-900"
    write_rows(data_copy / "events.csv", [r for r in rows if r[0] != "ev-036"] + [added])
    result = load(data_copy)
    now = evidence.data_version(result.files)
    assert now != version
    check = basis.check(data_copy, result.dataset,
                        briefing.steps(result.dataset.briefing), now)
    assert check.data_changed and check.recorded == [version]
    changes = check.changes[5]
    assert ("events", "ev-900") in changes.added
    assert ("events", "ev-036") in changes.removed
    changed = {ident: fields for table, ident, fields in changes.changed}
    assert {f[0] for f in changed["ev-037"]} == {"description", "fatalities"}
    assert ("fatalities", "", "6") in changed["ev-037"]
    assert ("description", "Rewritten.") == next(
        (f[0], f[2]) for f in changed["ev-037"] if f[0] == "description")
    text = " ".join(basis.change_lines(changes))
    assert "Added: event ev-900" in text and "Removed: event ev-036" in text
    assert "event ev-037 (fatalities '' -> '6'; description 'Raid on the Karbala" in text
    assert 0 not in check.changes  # step 1 (before 2003) rests on none of them
    assert header[0] == "event_id"


def test_a_briefing_with_no_recorded_version_says_so_and_compares_nothing():
    result = load(DATA)
    steps = briefing.steps(result.dataset.briefing)
    check = basis.check(DATA, result.dataset, steps, evidence.data_version(result.files))
    assert check.nothing_recorded and check.unrecorded == list(range(len(steps)))
    assert not check.changes and not check.data_changed


def test_a_step_resting_on_too_many_rows_compares_their_number_only(data_copy):
    result = load(data_copy)
    step = briefing.steps(result.dataset.briefing)[0]
    then = basis.step_basis(result.dataset, {**step, "date_from": "", "date_to": "",
                                             "actors": ()}, listed=10)
    assert then["tables"]["events"]["ids"] is None and then["tables"]["events"]["count"] > 10
    now = json.loads(json.dumps(then))
    now["tables"]["events"]["count"] += 1
    lines = basis.change_lines(basis.compare(then, now))
    assert any("then" in line and "only their number is compared" in line for line in lines)


def test_a_list_of_changes_is_bounded():
    changes = basis.StepChanges(added=[("events", f"ev-{i:03}") for i in range(20)])
    line = basis.change_lines(changes)[0]
    assert line.count("event ev-") == basis.SHOWN and line.endswith("and 12 more")


# ---------------------------------------------------------------------------------------------
# In the app


@pytest.fixture
def kept_media(monkeypatch):
    """The media managers of AppTest runs, kept, so a deferred download can be made after a run
    as a click would make it."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.media_file_manager import MediaFileManager

    managers = []

    class Kept(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Kept)
    return managers


def click_download(managers, at, key: str) -> bytes:
    """What the browser receives when the deferred download button `key` is clicked."""
    button = at.download_button(key=key)
    manager = managers[-1]
    url = manager.execute_deferred(button.proto.deferred_file_id)
    return manager._storage.get_file(url.rsplit("/", 1)[-1]).content  # noqa: SLF001


def test_the_pack_download_of_a_page_holds_the_view_and_the_data_pages_version(kept_media):
    from tests.apptest_helpers import run_app

    data_page = run_app("app_pages/data.py")
    shown = [m.value for m in data_page.markdown if m.value.startswith("**Data version:")]
    assert len(shown) == 1
    at = run_app("app_pages/timeline.py", params={"event_types": "kidnapping",
                                                  "claims": "confirmed"})
    pack = zipfile.ZipFile(io.BytesIO(click_download(kept_media, at, "pack-view")))
    assert pack.namelist() == FILES
    manifest = json.loads(pack.read("manifest.json"))
    assert f"`{manifest['data_version']}`" in shown[0]
    assert manifest["data_version"] == evidence.data_version(loader.load_dataset(DATA).files)
    assert manifest["page"] == "Timeline" and manifest["scope"] == "view"
    chips = [b.label.removesuffix("  ✕") for b in at.button
             if b.key and b.key.startswith("chip-") and b.key != "chip-clear-all"]
    assert manifest["filters"]["lines"] == chips and len(chips) == 2
    assert filterdefs.from_step(manifest["filters"]["machine"]) == Filters(
        event_types=("kidnapping",), claim_statuses=("confirmed",))
    # the same tables as the page's own CSV downloads (export_ui.filtered_tables), byte for byte
    for name in ("events", "actors", "relations"):
        assert pack.read(f"{name}.csv") == click_download(kept_media, at, f"tables-{name}-csv")
    events = csv_rows(pack, "events.csv")
    assert events and {e["event_type"] for e in events} == {"kidnapping"}
    assert {e["claim_status"] for e in events} == {"confirmed"}
    report = pack.read("report.html").decode("utf-8")
    assert f"data version {manifest['data_version']}" in report and "<svg" in report


def test_the_briefing_pack_download_holds_every_step(kept_media):
    from tests.apptest_helpers import run_app

    at = run_app("app_pages/briefing.py")
    data = click_download(kept_media, at, "pack-briefing")
    pack = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(pack.read("manifest.json"))
    assert manifest["scope"] == "briefing" and manifest["briefing_file"] == "briefing.csv"
    assert len(manifest["steps"]) == 9
    assert manifest["steps"][5]["title"] == "January 2007: Irbil and Karbala"
    events = csv_rows(pack, "events.csv")
    step6 = {e["event_id"] for e in events if "6" in e["in_steps"].split(";")}
    assert {"ev-036", "ev-037", "ev-038"} <= step6
    report = pack.read("report.html").decode("utf-8")
    assert "Step 6: January 2007: Irbil and Karbala" in report


def test_the_briefing_page_names_the_rows_changed_since_it_was_saved(data_copy, monkeypatch):
    from tests.apptest_helpers import WRITER_PASSWORD, run_app, sign_in_as_writer

    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("PROXYLENS_WRITE", "on")
    at = run_app("app_pages/briefing.py", writer_password=WRITER_PASSWORD)
    notices = [c.value for c in at.caption if "records no data version" in c.value]
    assert len(notices) == 1  # once, not per step
    at.text_input(key="edit-title-0").set_value("Background, retitled").run()
    next(b for b in at.button if b.key == "update-0").click().run()
    sign_in_as_writer(at, "briefing-writer")
    next(b for b in at.button if b.key == "briefing-save").click().run()
    assert any("Saved to" in s.value for s in at.success)
    version = evidence.data_version(loader.load_dataset(data_copy).files)
    rows = read_rows(data_copy / "briefing.csv")
    column = rows[0].index("data_version")
    assert {row[column] for row in rows[1:]} == {version}
    fresh = run_app("app_pages/briefing.py", params={"step": "6"})
    assert not fresh.warning
    assert not [c for c in fresh.caption if "records no data version" in c.value]
    # the data changes under the saved briefing: a field of an event step 6 rests on
    set_by_id(data_copy / "events.csv", "event_id", "ev-037", "description",
              "A rewritten account of the raid.")
    changed = run_app("app_pages/briefing.py", params={"step": "6"})
    warnings = [w.value for w in changed.warning]
    assert len(warnings) == 1
    assert "ev\\-037" in warnings[0] and "description" in warnings[0]
    assert "A rewritten account" in warnings[0]
    assert f"`{version}` then" in warnings[0]
    summary = [c.value for c in changed.caption if "rest on rows that changed" in c.value]
    assert len(summary) == 1 and " 6" in summary[0]
    first = run_app("app_pages/briefing.py", params={"step": "1"})  # rests on none of it
    assert not first.warning
