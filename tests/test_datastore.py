"""Swapping data safely: atomic saves with history, restore, last good versions, uploads, diffs."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import datastore, loader
from tests.conftest import cell, read_rows, set_cell


def test_save_keeps_the_replaced_version_and_restore_brings_it_back(data_copy):
    original = (data_copy / "events.csv").read_bytes()
    kept = datastore.save_file(data_copy, "events.csv", b"event_id\n")
    assert kept.read_bytes() == original
    assert (data_copy / "events.csv").read_bytes() == b"event_id\n"
    history = datastore.list_history(data_copy)
    assert list(history["file"]) == ["events.csv"]
    datastore.restore(data_copy, history.iloc[0]["path"])
    assert (data_copy / "events.csv").read_bytes() == original
    # the restore itself kept the version it replaced
    assert len(datastore.list_history(data_copy)) == 2


def test_a_crash_mid_write_leaves_the_old_file_whole(data_copy, monkeypatch):
    original = (data_copy / "actors.csv").read_bytes()

    def crash(*args, **kwargs):
        raise OSError("power cut")

    monkeypatch.setattr(datastore.os, "replace", crash)
    with pytest.raises(OSError):
        datastore.save_file(data_copy, "actors.csv", b"half a file")
    assert (data_copy / "actors.csv").read_bytes() == original
    assert not [p for p in data_copy.iterdir() if p.name.endswith(".tmp")]


def test_restore_refuses_paths_outside_the_history(data_copy, tmp_path):
    stray = tmp_path / "20260101T000000000000Z__events.csv"
    stray.write_text("x")
    with pytest.raises(ValueError):
        datastore.restore(data_copy, stray)


PROJECT = Path(__file__).resolve().parents[1]
KILLS = 100


def test_a_hundred_multi_table_saves_killed_at_random_leave_all_old_or_all_new(tmp_path):
    """tests/kill_saves.py kills a save of three tables at a random moment, a hundred times,
    and reads the folder after each kill as the app does. Saved file by file (as before
    save_files), 17 of 100 kills left some tables new and some old, and 8 left temporary
    files behind."""
    done = subprocess.run([sys.executable, "-m", "tests.kill_saves", str(tmp_path / "data"),
                           str(KILLS), "7"], cwd=PROJECT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["mixed"] == [] and report["damaged"] == []
    # the kills landed both before and after the point of no return
    assert report["outcomes"]["old"] > 0 and report["outcomes"]["new"] > 0
    assert sum(report["outcomes"].values()) == KILLS
    assert report["strays"] == []  # the next save cleared what the kills left
    assert set(report["history_states"]) == {"whole"}


def test_a_save_cut_short_after_its_journal_is_finished_by_the_next_read(data_copy):
    """The moment of no return: every new file written aside and the journal written, no file
    yet renamed. Reading the folder finishes the save, so its fingerprint is of the new data."""
    before = loader.folder_fingerprint(data_copy)
    new = {"actors.csv": (data_copy / "actors.csv").read_bytes() + b"\n",
           "sources.csv": (data_copy / "sources.csv").read_bytes() + b"\n"}
    moves = []
    for name, content in new.items():
        aside = datastore._write_aside(data_copy / name, content)
        moves.append([aside.name, name])
    datastore.atomic_write(datastore.state_dir(data_copy) / datastore.JOURNAL,
                           json.dumps(moves).encode())
    assert loader.folder_fingerprint(data_copy) != before
    assert all((data_copy / name).read_bytes() == content for name, content in new.items())
    assert not (datastore.state_dir(data_copy) / datastore.JOURNAL).exists()


def test_what_a_cut_short_save_left_is_cleared_by_the_next_save(data_copy):
    strays = [data_copy / ".events.csv-abc123.tmp",
              datastore.history_dir(data_copy) / ".20260101T000000000000Z__events.csv-x1.tmp"]
    for stray in strays:
        stray.parent.mkdir(parents=True, exist_ok=True)
        stray.write_bytes(b"half")
    datastore.save_file(data_copy, "briefing.csv", (data_copy / "briefing.csv").read_bytes())
    assert not any(stray.exists() for stray in strays)


def test_saved_files_keep_the_folders_usual_permissions(data_copy):
    os.chmod(data_copy / "briefing.csv", 0o644)
    datastore.save_file(data_copy, "briefing.csv", b"step,title\n")
    assert stat.S_IMODE((data_copy / "briefing.csv").stat().st_mode) == 0o644
    os.chmod(data_copy, 0o755)
    (data_copy / "periods.csv").unlink()  # a new file takes the folder's read and write bits
    datastore.save_file(data_copy, "periods.csv", b"period_id,label,start,end\n")
    assert stat.S_IMODE((data_copy / "periods.csv").stat().st_mode) == 0o644
    assert datastore.list_history(data_copy)["state"].tolist() == ["whole"]


def test_restore_refuses_a_damaged_copy_and_says_so(data_copy):
    original = (data_copy / "events.csv").read_bytes()
    datastore.save_file(data_copy, "events.csv", original + b"\n")
    kept = Path(datastore.list_history(data_copy).iloc[0]["path"])
    kept.write_bytes(original[: len(original) // 3])  # cut at a third, as a crash could
    assert datastore.list_history(data_copy).iloc[0]["state"] == "damaged"
    with pytest.raises(datastore.RestoreRefused, match="events.csv.*is damaged"):
        datastore.restore(data_copy, kept)
    assert (data_copy / "events.csv").read_bytes() == original + b"\n"


def test_restore_refuses_a_copy_the_loader_finds_errors_in(data_copy):
    rows = read_rows(data_copy / "events.csv")
    original = (data_copy / "events.csv").read_bytes()
    rows[2][0] = rows[1][0]  # an id used twice: an error, the file would be unusable
    broken = "".join(",".join(f'"{v}"' for v in row) + "\n" for row in rows).encode()
    (data_copy / "events.csv").write_bytes(broken)
    datastore.save_file(data_copy, "events.csv", original)  # the broken version is kept
    kept = datastore.list_history(data_copy).iloc[0]["path"]
    with pytest.raises(datastore.RestoreRefused,
                       match=r"would not load \(events.csv row \d+, column 'event_id'"):
        datastore.restore(data_copy, kept)
    assert (data_copy / "events.csv").read_bytes() == original


def test_bad_new_file_never_replaces_good_data(data_copy):
    last_good = datastore.last_good_dir(data_copy)
    good = loader.load_dataset(data_copy, last_good=last_good)
    assert (last_good / "events.csv").exists()
    (data_copy / "events.csv").write_bytes(b"PK\x03\x04 a workbook saved by mistake")
    bad = loader.load_dataset(data_copy, last_good=last_good)
    assert len(bad.dataset.events) == len(good.dataset.events)
    report = next(f for f in bad.files if f.table == "events")
    assert report.status == "unusable: last good version served"
    sentences = [p.sentence() for p in bad.problems if p.file == "events.csv"]
    assert any("Excel workbook" in s for s in sentences)
    assert any("last good version" in s for s in sentences)
    # once fixed, the fixed file is served and becomes the new last good
    fixed = (last_good / "events.csv").read_bytes().replace(b"Iran\xe2\x80\x93Iraq War", b"Gulf War I")
    (data_copy / "events.csv").write_bytes(fixed)
    again = loader.load_dataset(data_copy, last_good=last_good)
    assert again.dataset.events["description"].str.contains("Gulf War I").any()
    assert (last_good / "events.csv").read_bytes() == fixed


def test_row_warnings_do_not_trigger_the_fallback(data_copy):
    last_good = datastore.last_good_dir(data_copy)
    loader.load_dataset(data_copy, last_good=last_good)
    set_cell(data_copy / "events.csv", 0, "event_type", "arms suply")
    result = loader.load_dataset(data_copy, last_good=last_good)
    assert result.dataset.events.loc[0, "event_type"] == "arms suply"
    assert next(f for f in result.files if f.table == "events").status == "warnings"


# ---------------------------------------------------------------------------------------------
# Uploads


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_stage_csv_over_a_copy_of_the_current_folder(data_copy):
    new_events = (data_copy / "events.csv").read_bytes()
    staged = datastore.stage_upload(data_copy, [("events.csv", new_events)])
    assert staged.files == ["events.csv"] and not staged.messages
    assert (staged.folder / "actors.csv").read_bytes() == (data_copy / "actors.csv").read_bytes()
    datastore.discard(staged)
    assert not staged.folder.exists()


def test_stage_a_zip_of_a_data_folder(data_copy):
    archive = zipped({"mydata/actors.csv": (data_copy / "actors.csv").read_bytes(),
                      "mydata/notes.txt": b"ignored"})
    staged = datastore.stage_upload(data_copy, [("folder.zip", archive)])
    assert staged.files == ["actors.csv"]


def test_zip_with_paths_outside_itself_is_refused(data_copy):
    archive = zipped({"../../etc/events.csv": b"event_id\n", "actors.csv": b"x"})
    staged = datastore.stage_upload(data_copy, [("evil.zip", archive)])
    assert staged.files == []
    assert "paths outside itself" in staged.messages[0]


def test_limits_and_wrong_kinds_get_a_sentence(data_copy):
    staged = datastore.stage_upload(data_copy, [
        ("events.csv", b"x" * 2000), ("photo.png", b"\x89PNG"), ("notes.csv", b"a,b\n1,2\n"),
        ("broken.zip", b"not a zip"), ("table.xlsx", b"not a workbook")], max_bytes=1000)
    text = " ".join(staged.messages)
    assert "events.csv is 0 MB, more than" in text
    assert "photo.png is not a CSV file" in text
    assert "notes.csv is not one of the ProxyLens tables" in text
    assert "broken.zip is not a readable zip file" in text
    assert "table.xlsx could not be read as an Excel workbook" in text
    assert staged.files == []


def test_excel_workbook_sheets_become_tables(data_copy):
    actors = pd.read_csv(data_copy / "actors.csv", dtype=str, keep_default_na=False)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        actors.to_excel(writer, sheet_name="actors", index=False)
        actors.head(1).to_excel(writer, sheet_name="scratch", index=False)
    staged = datastore.stage_upload(data_copy, [("update.xlsx", buffer.getvalue())])
    assert staged.files == ["actors.csv"]
    assert "sheet 'scratch'" in staged.messages[0]
    result = loader.load_dataset(staged.folder)
    assert not result.errors and len(result.dataset.actors) == len(actors)


def test_not_utf8_upload_is_reported_by_the_checks(data_copy):
    latin = (data_copy / "sources.csv").read_text(encoding="utf-8").replace("–", "-")
    latin = latin + "extra,Caf\xe9,x,,,B,\n"
    staged = datastore.stage_upload(data_copy, [("sources.csv", latin.encode("latin-1"))])
    problems = loader.load_dataset(staged.folder).problems
    assert any(p.file == "sources.csv" and "not UTF-8" in p.problem for p in problems)


# ---------------------------------------------------------------------------------------------
# Diffs


def test_diff_by_id_field_by_field(data_copy):
    old = loader.load_dataset(data_copy).dataset
    path = data_copy / "events.csv"
    first_id = cell(path, 0, "event_id")
    set_cell(path, 0, "description", "A new description")
    rows = read_rows(path)
    removed_id = rows[2][0]
    new_row = list(rows[1])
    new_row[0] = "ev-new"
    rows = rows[:2] + rows[3:] + [new_row]
    with path.open("w", encoding="utf-8", newline="") as handle:
        import csv

        csv.writer(handle).writerows(rows)
    new = loader.load_dataset(data_copy).dataset
    found = datastore.diff(old, new)
    assert found.counts == {("events", "added"): 1, ("events", "removed"): 1,
                            ("events", "changed"): 1}
    changes = found.listed
    events = changes[changes["table"] == "events"]
    assert ("ev-new", "added") in set(zip(events["id"], events["change"]))
    assert (removed_id, "removed") in set(zip(events["id"], events["change"]))
    changed = events[events["change"] == "changed"]
    assert list(changed["id"]) == [first_id] and list(changed["column"]) == ["description"]
    assert changed.iloc[0]["new"] == "A new description"
    assert set(changes["table"]) == {"events"}


def test_diff_of_identical_data_is_empty(data_copy):
    ds = loader.load_dataset(data_copy).dataset
    assert datastore.diff(ds, ds).empty


@settings(max_examples=60, deadline=None)
@given(before=st.lists(st.sampled_from(["a", "b", "c", "d", "e", "é", "", "a b"]), max_size=12),
       after=st.lists(st.sampled_from(["a", "b", "c", "d", "e", "é", "", "a b"]), max_size=12),
       listed=st.integers(min_value=1, max_value=4), chunk=st.integers(min_value=1, max_value=3))
def test_id_comparison_answers_as_python_sets_do(before, after, listed, chunk):
    """The diff's id sets, compared by DuckDB within a memory budget, give what set arithmetic
    gives: distinct ids only in one version (counted, the first few in id order) and the
    shared ids in id order, a chunk at a time."""
    import pyarrow as pa

    with pytest.MonkeyPatch.context() as patch, datastore._IdComparison(
            pa.array(before, type=pa.string()), pa.array(after, type=pa.string())) as ids:
        patch.setattr(datastore, "DIFF_CHUNK_ROWS", chunk)
        for side, mine, theirs in (("new", after, before), ("old", before, after)):
            expected = sorted(set(mine) - set(theirs))
            assert ids.only_in(side, listed) == (len(expected), expected[:listed])
        chunks = list(ids.shared())
    assert all(0 < len(part) <= chunk for part in chunks)
    assert [i for part in chunks for i in part] == sorted(set(before) & set(after))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(min_size=1, max_size=20), max_size=4),
       blobs=st.lists(st.binary(max_size=200), max_size=4))
def test_staging_never_raises_on_random_uploads(data_copy, names, blobs):
    staged = datastore.stage_upload(data_copy, list(zip(names, blobs)))
    try:
        assert all(isinstance(m, str) and m for m in staged.messages)
        loader.load_dataset(staged.folder)
    finally:
        datastore.discard(staged)


def test_a_parquet_table_keeps_its_last_good_version_too(data_copy):
    """The one mechanism keeps the file actually read, CSV or Parquet (it once copied only the
    CSV name, so a broken Parquet table had nothing to fall back on)."""
    actors = pd.read_csv(data_copy / "actors.csv", dtype=str, keep_default_na=False)
    actors.to_parquet(data_copy / "actors.parquet", index=False)
    (data_copy / "actors.csv").unlink()
    last_good = datastore.last_good_dir(data_copy)
    good = loader.load_dataset(data_copy, last_good=last_good)
    assert (last_good / "actors.parquet").read_bytes() == (data_copy / "actors.parquet").read_bytes()
    (data_copy / "actors.parquet").write_bytes(b"not parquet at all")
    bad = loader.load_dataset(data_copy, last_good=last_good)
    assert next(f for f in bad.files if f.table == "actors").status == (
        "unusable: last good version served")
    assert list(bad.dataset.actors["actor_id"]) == list(good.dataset.actors["actor_id"])


def test_the_last_good_copy_is_written_once_per_version(data_copy):
    last_good = datastore.last_good_dir(data_copy)
    loader.load_dataset(data_copy, last_good=last_good)
    kept = last_good / "events.csv"
    first = kept.stat().st_ino
    loader.load_dataset(data_copy, last_good=last_good)
    assert kept.stat().st_ino == first  # the same version: not copied again
    set_cell(data_copy / "events.csv", 0, "description", "Changed, and still valid.")
    loader.load_dataset(data_copy, last_good=last_good)
    assert b"Changed, and still valid." in kept.read_bytes()
    assert not list(last_good.glob(".*.tmp"))  # copied aside and renamed: nothing left over


def _everything_in(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_reading_a_folder_writes_nothing_in_it(data_copy, tmp_path, monkeypatch):
    """The last good copies (and the history, the journal, the lock) live in the data folder's
    state folder: reading it, as the app does, leaves the folder as it was."""
    monkeypatch.setenv(datastore.STATE_ENV, str(tmp_path / "state"))
    before = _everything_in(data_copy)
    loader.folder_fingerprint(data_copy)
    result = loader.load_dataset(data_copy, last_good=datastore.last_good_dir(data_copy))
    assert not result.errors
    assert _everything_in(data_copy) == before
    kept = {p.name for p in datastore.last_good_dir(data_copy).iterdir()}
    assert {"events.csv", "actors.csv", "briefing.csv"} <= kept
    assert datastore.state_dir(data_copy).parent == tmp_path / "state"


def test_two_data_folders_of_the_same_name_keep_apart_states(tmp_path):
    first, second = tmp_path / "a" / "data", tmp_path / "b" / "data"
    assert datastore.state_dir(first) != datastore.state_dir(second)
    assert datastore.state_dir(first).name.startswith("data-")


def test_copies_kept_in_the_folder_by_earlier_versions_are_listed_and_restored(data_copy):
    original = (data_copy / "sources.csv").read_bytes()
    legacy = data_copy / datastore.LEGACY_HISTORY / "20250101T000000000000Z__sources.csv"
    legacy.parent.mkdir()
    legacy.write_bytes(original)
    (data_copy / "sources.csv").write_bytes(original + b"\n")
    history = datastore.list_history(data_copy)
    assert history[["file", "state"]].values.tolist() == [["sources.csv", "not recorded"]]
    datastore.restore(data_copy, history.iloc[0]["path"])
    assert (data_copy / "sources.csv").read_bytes() == original


def test_a_folder_the_server_cannot_write_is_said_so(data_copy, monkeypatch):
    assert datastore.write_problem(data_copy) is None
    monkeypatch.setattr(datastore.os, "access", lambda path, mode: False)
    assert "cannot be written by the server" in datastore.write_problem(data_copy)
    assert "does not exist" in datastore.write_problem(data_copy / "missing")


def test_a_state_folder_that_cannot_be_made_is_said_before_any_save(data_copy, tmp_path,
                                                                    monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the state folder should go")
    monkeypatch.setenv(datastore.STATE_ENV, str(blocker / "state"))
    problem = datastore.write_problem(data_copy)
    assert problem and "state folder" in problem and datastore.STATE_ENV in problem


def test_a_named_briefings_damaged_version_and_stray_names_are_not_restored(data_copy):
    briefing = (data_copy / "briefing.csv").read_bytes()
    (data_copy / "briefing-basra.csv").write_bytes(b"this is not,a briefing\n\x00\x00garba")
    datastore.save_file(data_copy, "briefing-basra.csv", briefing)  # the bad one is kept
    kept = datastore.list_history(data_copy).iloc[0]["path"]
    with pytest.raises(datastore.RestoreRefused, match="would not load"):
        datastore.restore(data_copy, kept)
    assert (data_copy / "briefing-basra.csv").read_bytes() == briefing
    stray = datastore.history_dir(data_copy) / "20260101T000000000000Z__notes.txt"
    stray.write_text("x")
    with pytest.raises(datastore.RestoreRefused, match="not a table or briefing"):
        datastore.restore(data_copy, stray)
