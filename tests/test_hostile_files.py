"""Hostile and odd files: each gets a sentence naming the file (and row, where there is one) and
the limit it passes, never a traceback, and is read with bounded memory (issue 16)."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import pandas as pd
import pytest

from components import contract, datastore, exports, loader
from tests.apptest_helpers import run_app
from tests.conftest import read_rows, write_rows


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def lying_about_its_size(name: str, real_size: int, declared: int) -> bytes:
    """A zip whose one member inflates to `real_size` bytes while both its headers declare
    `declared`: the zip bomb the Data page was handed."""
    data = bytearray(zipped({name: b"0" * real_size}))
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)  # local header: uncompressed size
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)  # central directory: the same
    return bytes(data)


def staged_messages(folder, name: str, content: bytes, **limits) -> tuple[list[str], list[str]]:
    staged = datastore.stage_upload(folder, [(name, content)], **limits)
    try:
        return staged.messages, staged.files
    finally:
        datastore.discard(staged)


def test_a_zip_lying_about_its_size_is_refused_without_inflating_it_in_memory(data_copy):
    bomb = lying_about_its_size("events.csv", real_size=300_000_000, declared=1_000)
    assert len(bomb) < 1_000_000
    tracemalloc.start()
    try:
        messages, files = staged_messages(data_copy, "data.zip", bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert files == []
    assert messages == [m for m in messages if m.startswith("data.zip is damaged")]
    assert messages and "nothing was taken from it" in messages[0]
    assert peak < 50_000_000  # inflated a block at a time, never whole (it was 1.1 GB)


def test_a_zip_that_unpacks_past_the_limit_is_refused_with_the_limit(data_copy):
    archive = zipped({"events.csv": b"x" * 3_000_000, "actors.csv": b"y"})
    messages, files = staged_messages(data_copy, "big.zip", archive, max_bytes=2_000_000)
    assert files == []  # not even the small table: a zip is taken whole or not at all
    assert messages == ["big.zip unpacks to more than 2 MB, the most an upload may unpack to; "
                        "nothing was taken from it."]
    assert not list(data_copy.glob(".*.unpacking"))


def test_a_workbook_whose_sheets_unpack_past_the_limit_is_never_opened(data_copy, monkeypatch):
    actors = pd.read_csv(data_copy / "actors.csv", dtype=str, keep_default_na=False)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        actors.to_excel(writer, sheet_name="actors", index=False)
    monkeypatch.setattr(contract, "MAX_WORKBOOK_UNPACKED_BYTES", 20_000)

    def opened(*args, **kwargs):
        raise AssertionError("the workbook was read")

    monkeypatch.setattr(datastore.pd, "read_excel", opened)
    messages, files = staged_messages(data_copy, "actors.xlsx", buffer.getvalue())
    assert files == []
    assert messages == ["actors.xlsx unpacks to more than 0 MB, the most a workbook may; save its "
                        "sheets as CSV files (a CSV may be up to 210 MB) and upload those."]


def test_a_cell_past_the_limit_names_its_row_and_the_last_good_file_is_served(data_copy):
    last_good = datastore.last_good_dir(data_copy)
    good = loader.load_dataset(data_copy, last_good=last_good)
    rows = read_rows(data_copy / "events.csv")
    description = rows[0].index("description")
    rows[30][description] = "x" * (contract.MAX_CELL_CHARS + 1)
    write_rows(data_copy / "events.csv", rows)
    result = loader.load_dataset(data_copy, last_good=last_good)
    errors = [p for p in result.errors if p.file == "events.csv"]
    assert [p.sentence() for p in errors] == [
        "events.csv, row 31: has a cell longer than 131,072 characters, the most one cell may "
        "hold; the file cannot be used"]
    assert len(result.dataset.events) == len(good.dataset.events)
    report = next(f for f in result.files if f.table == "events")
    assert report.status == "unusable: last good version served"


def test_a_long_cell_in_a_large_csv_is_found_by_the_slice_reader_too(data_copy):
    rows = read_rows(data_copy / "events.csv")
    rows[12][rows[0].index("description")] = "y" * (contract.MAX_CELL_CHARS + 5)
    write_rows(data_copy / "events.csv", rows)
    log = loader.ProblemLog()
    slices = list(loader.csv_slices(data_copy / "events.csv", contract.EVENTS, log, 5))
    assert sum(len(s) for s in slices) == 11  # the records before it, then no more
    assert [(p.row, p.severity) for p in log.problems] == [(13, contract.ERROR)]


def test_a_table_with_too_many_columns_is_refused_before_it_is_checked(data_copy):
    header = ",".join(f"c{i}" for i in range(contract.MAX_COLUMNS + 100))
    (data_copy / "actors.csv").write_text(header + "\n" + "," * 599 + "\n", encoding="utf-8")
    result = loader.load_dataset(data_copy)
    assert [p.sentence() for p in result.errors if p.file == "actors.csv"] == [
        "actors.csv, row 1: has 600 columns, more than the 500 a table may have; the file cannot "
        "be used"]


@pytest.mark.parametrize("encoding,named", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"),
                                            ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_file_in_another_unicode_encoding_is_named(data_copy, encoding, named):
    text = (data_copy / "sources.csv").read_text(encoding="utf-8")
    (data_copy / "sources.csv").write_bytes(text.encode(encoding))
    result = loader.load_dataset(data_copy)
    assert [p.problem for p in result.errors if p.file == "sources.csv"] == [
        f"is {named} text, not UTF-8; in your spreadsheet use 'Save as' > 'CSV UTF-8'"]


def test_control_characters_are_reported_and_left_out_of_exports(data_copy):
    rows = read_rows(data_copy / "events.csv")
    description = rows[0].index("description")
    rows[-1][description] = "a bell\x07 and a vertical tab\x0b inside"
    write_rows(data_copy / "events.csv", rows)
    assert (data_copy / "events.csv").read_bytes().index(b"\x07") > 4096  # past the first 4 KB
    result = loader.load_dataset(data_copy)
    found = [p for p in result.problems if p.file == "events.csv" and p.column == "description"
             and "control character" in p.problem]
    assert [(p.row, p.severity) for p in found] == [(len(rows), contract.WARNING)]
    assert "U+0007" in found[0].problem
    workbook = exports.excel_bytes({"events": result.dataset.events})
    sheet = pd.read_excel(io.BytesIO(workbook), sheet_name="events", dtype=str)
    assert "a bell and a vertical tab inside" in set(sheet["description"])
    csv_text = exports.csv_bytes(result.dataset.events[["description"]]).decode("utf-8-sig")
    assert "\x07" not in csv_text and "a bell and a vertical tab inside" in csv_text


def test_the_validation_report_download_neutralises_formulas(data_copy, monkeypatch):
    import streamlit

    rows = read_rows(data_copy / "events.csv")
    rows[3][rows[0].index("claim_status")] = '=HYPERLINK("http://example.invalid","x")'
    rows[4][rows[0].index("claim_status")] = "@SUM(A1:A9)"
    write_rows(data_copy / "events.csv", rows)
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    handed = {}
    original = streamlit.download_button

    def recording(label, data=None, *args, **kwargs):
        handed[label] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    run_app("app_pages/data.py")
    report = handed["Download the report as CSV"].decode("utf-8-sig")
    assert "'=HYPERLINK(" in report and "'@SUM(A1:A9)" in report
    assert ",=HYPERLINK(" not in report and ",@SUM" not in report


def test_a_briefing_step_resting_on_an_unknown_id_says_so(data_copy, monkeypatch):
    rows = read_rows(data_copy / "briefing.csv")
    evidence = rows[0].index("evidence")
    rows[1][evidence] = (rows[1][evidence] + ";unknown42").lstrip(";")
    write_rows(data_copy / "briefing.csv", rows)
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    at = run_app("app_pages/briefing.py")
    assert not at.exception
    assert any("'unknown42' is no event, relation or claim" in c.value for c in at.caption)


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TEXT_COLUMNS = ("description", "source_locator", "date_note")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=st.integers(min_value=1, max_value=79), column=st.sampled_from(TEXT_COLUMNS),
       control=st.integers(min_value=0, max_value=31).filter(lambda c: c not in (9, 10, 13)),
       where=st.floats(min_value=0, max_value=1))
def test_any_control_character_anywhere_is_reported_where_it_is_and_never_exported(
        tmp_path_factory, record, column, control, where):
    import shutil

    from tests.conftest import DATA

    folder = tmp_path_factory.mktemp("control")
    shutil.copytree(DATA, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("README.md", ".history"))
    rows = read_rows(folder / "events.csv")
    index = rows[0].index(column)
    text = rows[record][index] or "x"
    cut = int(len(text) * where)
    rows[record][index] = text[:cut] + chr(control) + text[cut:]
    write_rows(folder / "events.csv", rows)
    result = loader.load_dataset(folder)
    found = [p for p in result.problems if "control character" in p.problem]
    if chr(control) in rows[record][index].strip():  # at a cell's edge, some are stripped
        assert [(p.file, p.row, p.column) for p in found] == [("events.csv", record + 1, column)]
        assert f"U+{control:04X}" in found[0].problem
    else:
        assert not found
    assert not result.errors
    exported = exports.csv_bytes(result.dataset.events[["event_id", column]])
    assert chr(control).encode() not in exported.replace(b"\r\n", b"").replace(b"\n", b"")
    exports.excel_bytes({"events": result.dataset.events[["event_id", column]]})  # no raise


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(encoding=st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
                                 "utf-32-be"]),
       table=st.sampled_from(["sources.csv", "actors.csv", "periods.csv"]))
def test_every_other_unicode_encoding_is_named_not_called_binary(tmp_path_factory, encoding,
                                                                 table):
    import shutil

    from tests.conftest import DATA

    folder = tmp_path_factory.mktemp("encoding")
    shutil.copytree(DATA, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("README.md", ".history"))
    text = (folder / table).read_text(encoding="utf-8")
    (folder / table).write_bytes(text.encode(encoding))
    problems = [p.problem for p in loader.load_dataset(folder).errors if p.file == table]
    assert len(problems) == 1 and "not UTF-8" in problems[0]
    assert problems[0].startswith(f"is {encoding[:6].upper()} text")
