"""The evidence pack (components.evidence), the data version, and briefings that record the data
version they were saved against (components.basis): in the core, and in the app (AppTest)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import time
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from components import (basis, briefing, datastore, eventstore, evidence, filterdefs, loader,
                        selection)
from components.filters import Filters, filter_relations
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
    assert "Added to the data: event ev-900" in text
    assert "Removed from the data: event ev-036" in text
    assert "event ev-037 (fatalities '' -> '6'; description 'Raid on the Karbala" in text
    assert 0 not in check.changes  # step 1 (before 2003) rests on none of them
    assert header[0] == "event_id"


def test_a_briefing_with_no_recorded_version_says_so_and_compares_nothing():
    result = load(DATA)
    steps = briefing.steps(result.dataset.briefing)
    check = basis.check(DATA, result.dataset, steps, evidence.data_version(result.files))
    assert check.nothing_recorded and check.unrecorded == list(range(len(steps)))
    assert not check.changes and not check.data_changed


def save_with_bases(folder: Path, listed: int) -> str:
    """As save_recorded, each step's basis (as basis.keep keeps it) naming at most `listed`
    rows of a table."""
    result = load(folder)
    version = evidence.data_version(result.files)
    steps = briefing.steps(result.dataset.briefing)
    for step in steps:
        kept = {"data_version": version, **basis.step_basis(result.dataset, step, listed)}
        path = basis.basis_path(folder, version, basis.signature(step))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(kept), encoding="utf-8")
    briefing.save(steps, folder, data_version=version)
    return version


def check_now(folder: Path) -> basis.BriefingCheck:
    result = load(folder)
    return basis.check(folder, result.dataset, briefing.steps(result.dataset.briefing),
                       evidence.data_version(result.files))


def test_a_change_among_more_rows_than_a_basis_names_is_still_seen(data_copy):
    # step 1 rests on more than 10 relations (17 today): with 10 named at most, r-006 is only
    # in the digest
    save_with_bases(data_copy, listed=10)
    result = load(data_copy)
    step = briefing.steps(result.dataset.briefing)[0]
    then = basis.step_basis(result.dataset, step, listed=10)
    assert then["tables"]["relations"]["ids"] is None
    kept = then["tables"]["relations"]["count"]
    assert kept > 10 and "r-006" in set(filter_relations(
        result.dataset, briefing.step_filters(step))["relation_id"])
    set_by_id(data_copy / "relations.csv", "relation_id", "r-006", "claim_status", "disputed")
    check = check_now(data_copy)
    assert check.data_changed
    changes = check.changes[0]
    assert changes.counted == [("relations", kept, kept, 1)]
    assert not changes.unverified and 0 not in check.unverified
    text = " ".join(basis.change_lines(changes))
    assert f"The relations this step's filters keep ({kept} then and now): at least 1 of them" \
        in text
    assert "too many to name (more than 10)" in text
    # an unchanged step (step 3: Tehran and Iran) is not reported
    assert 2 not in check.changes and 2 not in check.unverified


def test_rows_kept_only_as_a_number_are_never_said_to_be_unchanged(data_copy, monkeypatch):
    # a basis kept before digests were: a table past the named rows has its number only, and
    # the same number later does not mean the same rows
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    version = save_with_bases(data_copy, listed=10)
    step = briefing.steps(load(data_copy).dataset.briefing)[0]
    path = basis.basis_path(data_copy, version, basis.signature(step))
    old = json.loads(path.read_text(encoding="utf-8"))
    old.pop("format", None)
    for table in old["tables"].values():
        table.pop("parts", None)
    path.write_text(json.dumps(old), encoding="utf-8")
    set_by_id(data_copy / "relations.csv", "relation_id", "r-006", "claim_status", "disputed")
    from tests.apptest_helpers import run_app

    page = run_app("app_pages/briefing.py", params={"step": "1"})
    captions = [c.value for c in page.caption]
    assert not [c for c in captions if "none of the rows" in c]
    assert len([c for c in captions if c.startswith(
        ":material/help: Step 1 rests on more rows than were kept one by one when it was "
        "saved")
        and "whether those rows changed cannot be said" in c]) == 1
    kept = old["tables"]["relations"]["count"]
    on_step = [c.replace("\\", "") for c in captions if c.startswith(  # markdown escapes
        f":material/help: The {kept} relations this step's filters keep")]
    assert len(on_step) == 1 and "more than 10" in on_step[0]
    assert on_step[0].endswith("were kept only as a number when it was saved: whether any of "
                               "them changed cannot be said.")
    assert not [w for w in page.warning if "data changed" in w.value]  # nothing known changed
    check = check_now(data_copy)
    assert 0 not in check.changes and check.unverified[0].unverified == [("relations", kept)]


def test_a_row_that_only_leaves_a_steps_view_is_not_called_removed(data_copy):
    # the reviewer's case: ev-037 (Karbala, 20 January 2007) moved to 2008 takes its actors'
    # relations and claims out of step 6's view; they are all still in the data, unchanged
    save_recorded(data_copy)
    set_by_id(data_copy / "events.csv", "event_id", "ev-037", "event_date", "2008-01-20")
    check = check_now(data_copy)
    changes = check.changes[5]
    assert not changes.removed and not changes.added
    changed = {ident: fields for table, ident, fields in changes.changed}
    assert changed["ev-037"] == [("event_date", "2007-01-20", "2008-01-20")]
    left = {ident: fields for table, ident, fields in changes.left}
    assert {"r-013", "r-014", "r-015", "c-001", "c-008"} <= set(left)
    assert left["r-013"] == []  # unchanged: it only left the view
    text = "\n".join(basis.change_lines(changes))
    assert "Removed" not in text and "Added" not in text
    assert "Changed: event ev-037 (event_date '2007-01-20' -> '2008-01-20')" in text
    assert "No longer in this step's view, though still in the data: relation r-013," in text


def test_a_row_already_in_the_data_that_comes_into_a_step_is_not_called_added(data_copy):
    save_recorded(data_copy)
    # ev-041 (a statement of 2007, placed nowhere) moved to Irbil on 11 January 2007: step 6
    set_by_id(data_copy / "events.csv", "event_id", "ev-041", "location", "irbil")
    set_by_id(data_copy / "events.csv", "event_id", "ev-041", "event_date", "2007-01-11")
    set_by_id(data_copy / "events.csv", "event_id", "ev-041", "time_precision", "day")
    changes = check_now(data_copy).changes[5]
    text = "\n".join(basis.change_lines(changes))
    assert ("Now in this step's view, though already in the data when it was saved: event "
            "ev-041") in text and "Added" not in text
    assert ("events", "ev-041") in changes.entered
    assert not changes.added and not changes.appeared


def test_a_row_gone_from_the_data_is_removed_and_a_new_one_added(data_copy):
    save_recorded(data_copy)
    rows = read_rows(data_copy / "relations.csv")
    write_rows(data_copy / "relations.csv", [r for r in rows if r[0] != "r-013"])
    check = check_now(data_copy)
    assert ("relations", "r-013") in check.changes[5].removed
    assert "r-013" not in {ident for _, ident, _ in check.changes[5].left}


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
    """What the browser receives when the deferred download button `key` is clicked (the
    report and pack of a view are in the Export menu: it is opened first)."""
    if key in ("report-view", "pack-view"):
        from tests.apptest_helpers import open_export_menu

        open_export_menu(at)
    button = at.download_button(key=key)
    manager = managers[-1]
    url = manager.execute_deferred(button.proto.deferred_file_id)
    return manager._storage.get_file(url.rsplit("/", 1)[-1]).content  # noqa: SLF001


def test_the_pack_download_of_a_page_holds_the_view_and_the_data_pages_version(kept_media):
    from tests.apptest_helpers import open_export_menu, run_app

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
    open_export_menu(at)
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
    summary = [c.value for c in changed.caption if "on rows that changed" in c.value]
    assert len(summary) == 1 and " 6" in summary[0]
    first = run_app("app_pages/briefing.py", params={"step": "1"})  # rests on none of it
    assert not first.warning


# ---------------------------------------------------------------------------------------------
# Saving: which steps record the current data, and the bases kept


def test_a_save_removes_the_bases_no_saved_briefing_refers_to(data_copy):
    first = save_recorded(data_copy)
    root = datastore.state_dir(data_copy) / basis.BASIS_DIR
    signatures = sorted(basis.signature(s)
                        for s in briefing.steps(load(data_copy).dataset.briefing))
    assert sorted(p.stem for p in (root / first).glob("*.json")
                  if p.name != basis.IDS_FILE) == signatures
    shutil.copy(data_copy / "briefing.csv", data_copy / "briefing-earlier.csv")  # records `first`
    set_by_id(data_copy / "events.csv", "event_id", "ev-037", "description", "Rewritten.")
    result = load(data_copy)
    second = evidence.data_version(result.files)
    steps = briefing.steps(result.dataset.briefing)
    basis.keep(data_copy, result.dataset, steps, second)  # every step kept on `second` ...
    # ... the last one dropped, and one added from a view, as the editor adds it
    added = briefing.step_from_filters(9, "Added", "", Filters(
        actors=("irgc-qf",), event_types=("kidnapping",), date_from=date(2006, 1, 1)))
    kept = briefing.stamped(steps[:8] + [added], steps, second, all_checked=True)
    with basis.saving(data_copy):
        basis.keep(data_copy, result.dataset, kept, second)
        briefing.save(kept, data_copy)
        removed = basis.prune(data_copy, result.dataset)
    assert removed == 1  # the dropped step's basis on `second`: nothing records it
    # every step as read back from the file finds its basis (its signature is the same)
    for step in briefing.steps(loader.load_dataset(data_copy).dataset.briefing):
        assert basis.kept_basis(data_copy, second, basis.signature(step)) is not None
    assert sorted(p.stem for p in (root / second).glob("*.json")
                  if p.name != basis.IDS_FILE) == sorted(basis.signature(s) for s in kept)
    # briefing-earlier.csv still records `first`: its bases stay
    assert sorted(p.stem for p in (root / first).glob("*.json")
                  if p.name != basis.IDS_FILE) == signatures
    (data_copy / "briefing-earlier.csv").unlink()
    with basis.saving(data_copy):
        assert basis.prune(data_copy, result.dataset) == len(signatures)
    assert not (root / first).exists() and (root / second / basis.IDS_FILE).is_file()


def test_an_unreadable_briefing_leaves_every_basis_in_place(data_copy):
    first = save_recorded(data_copy)
    (data_copy / "briefing-broken.csv").write_bytes(b"\xff\xfe\x00not a briefing")
    (data_copy / "briefing.csv").write_text(
        (data_copy / "briefing.csv").read_text(encoding="utf-8").replace(first, ""),
        encoding="utf-8")
    with basis.saving(data_copy):
        assert basis.prune(data_copy, load(data_copy).dataset) == 0
    assert (datastore.state_dir(data_copy) / basis.BASIS_DIR / first).is_dir()


def test_stamping_keeps_the_version_of_every_step_not_added_or_edited():
    saved = [{"step": str(i), "title": f"Step {i}", "narrative": "", "evidence": (),
              "data_version": "a" * 16} for i in (1, 2, 3)]
    saved[2]["data_version"] = ""  # never recorded
    draft = briefing.renumber([saved[1], {**saved[0], "narrative": "Edited."}, saved[2],
                               {"step": "4", "title": "New", "narrative": "", "evidence": ()}])
    versions = [s["data_version"] for s in briefing.stamped(draft, saved, "b" * 16)]
    assert versions == ["a" * 16, "b" * 16, "b" * 16, "b" * 16]  # moved, edited, unrecorded, new
    assert {s["data_version"] for s in briefing.stamped(draft, saved, "b" * 16,
                                                          all_checked=True)} == {"b" * 16}


def all_bases_kept(folder: Path) -> bool:
    """Whether every step of the folder's briefing finds the basis of the version it records."""
    steps = briefing.steps(loader.load_dataset(folder).dataset.briefing)
    return all(basis.kept_basis(folder, s["data_version"], basis.signature(s)) is not None
               for s in steps)


def step_warnings(number: int) -> list[str]:
    from tests.apptest_helpers import run_app

    return [w.value for w in run_app("app_pages/briefing.py", params={"step": str(number)}).warning]


def test_saving_one_edited_step_leaves_the_other_steps_warnings(data_copy, monkeypatch):
    from tests.apptest_helpers import WRITER_PASSWORD, run_app, sign_in_as_writer

    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("PROXYLENS_WRITE", "on")
    first = save_recorded(data_copy)
    # the data changes under every step: the first row each step's evidence names
    for step in briefing.steps(load(data_copy).dataset.briefing):
        set_by_id(data_copy / "events.csv", "event_id", step["evidence"][0], "description",
                  f"Rewritten under step {step['step']}.")
    second = evidence.data_version(loader.load_dataset(data_copy).files)
    assert set(check_now(data_copy).changes) == set(range(9))
    at = run_app("app_pages/briefing.py", params={"step": "3"},
                 writer_password=WRITER_PASSWORD)
    assert len(at.warning) == 1 and "Rewritten under step 3" in at.warning[0].value
    # step 3 is checked against the new data and its words edited; nothing else is touched
    at.text_area(key="edit-narrative-2").set_value("Checked against the rewritten record.").run()
    next(b for b in at.button if b.key == "update-2").click().run()
    sign_in_as_writer(at, "briefing-writer")
    next(b for b in at.button if b.key == "briefing-save").click().run()
    assert set(check_now(data_copy).changes) == set(range(9)) - {2}
    for number in (1, 4, 9):
        warnings = step_warnings(number)
        assert len(warnings) == 1 and f"Rewritten under step {number}" in warnings[0]
    assert not step_warnings(3)
    rows = read_rows(data_copy / "briefing.csv")
    versions = [row[rows[0].index("data_version")] for row in rows[1:]]
    assert versions == [first, first, second] + [first] * 6
    assert all_bases_kept(data_copy)
    assert any("Steps 1, 2, 4, 5, 6, 7, 8, 9, not edited, keep the data version" in s.value
               for s in at.success)
    # saving again, every step marked as checked against the current data
    at.text_input(key="edit-title-0").set_value("Background, checked").run()
    next(b for b in at.button if b.key == "update-0").click().run()
    assert at.checkbox(key="briefing-all-checked").value is False  # off unless ticked
    at.checkbox(key="briefing-all-checked").check().run()
    next(b for b in at.button if b.key == "briefing-save").click().run()
    rows = read_rows(data_copy / "briefing.csv")
    assert {row[rows[0].index("data_version")] for row in rows[1:]} == {second}
    assert all_bases_kept(data_copy)
    assert not check_now(data_copy).changes
    for number in (1, 4, 9):
        assert not step_warnings(number)
    # no saved briefing records the first version any more: its bases are gone
    root = datastore.state_dir(data_copy) / basis.BASIS_DIR
    assert not (root / first).exists() and (root / second).is_dir()


def test_a_briefing_saved_elsewhere_says_on_its_step_that_the_changes_cannot_be_named(
        data_copy, monkeypatch):
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    rows = read_rows(data_copy / "briefing.csv")
    # a version whose bases were kept on another server
    write_rows(data_copy / "briefing.csv", [rows[0] + ["data_version"]]
               + [row + ["0123456789abcdef"] for row in rows[1:]])
    warnings = step_warnings(6)
    assert len(warnings) == 1
    assert warnings[0].startswith("**The data changed since this step was saved** (data "
                                  "version `0123456789abcdef` then")
    assert "which of its rows changed cannot be named" in warnings[0]


def test_a_basis_is_the_same_on_duckdb_and_on_spark(tmp_path):
    from bench.generate import generate
    from tests.test_spark import _load, _spark_or_skip

    import pyarrow as pa
    import pyarrow.parquet as pq

    _spark_or_skip()
    generate(400, tmp_path / "synthetic", seed=11)
    # coordinates of the events' own, as fractions that print differently in Java and C++
    path = tmp_path / "synthetic" / "events.parquet"
    events = pq.read_table(path)
    spots = [f"{33 + i / 7:.6f}" if i % 3 else "" for i in range(events.num_rows)]
    for column in ("latitude", "longitude"):
        events = events.set_column(events.schema.get_field_index(column), column,
                                   pa.array(spots, type=events.schema.field(column).type)
                                   if pa.types.is_string(events.schema.field(column).type)
                                   else pa.array([float(v) if v else None for v in spots]))
    pq.write_table(events, path)
    with pytest.MonkeyPatch.context() as patch:
        duck = _load(tmp_path / "synthetic", "duckdb", patch)
        spark = _load(tmp_path / "synthetic", "spark", patch)
    assert isinstance(spark.event_store, eventstore.SparkEventStore)
    first = eventstore.store_of(duck).option_facts().event_types[0]
    for chosen in (Filters(), Filters(event_types=(first,))):
        step = briefing.step_from_filters(1, "A step", "", chosen)
        on_duck = basis.step_basis(duck, step, listed=10)
        assert on_duck["tables"]["events"]["ids"] is None
        assert sum(n for n, _, _ in on_duck["tables"]["events"]["parts"].values()) == \
            on_duck["tables"]["events"]["count"]
        assert basis.step_basis(spark, step, listed=10) == on_duck
