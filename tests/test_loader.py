"""The loader on the shipped data and on a broken copy of every file."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from components import contract, loader
from components.contract import ERROR, WARNING
from tests.conftest import DATA, cell, drop_column, read_rows, set_cell, write_rows


@pytest.fixture(scope="module")
def shipped():
    return loader.load_dataset(DATA)


def find(result, file, column=None, severity=None, row=None, text=None):
    """Problems matching every given field; `text` is a substring of the problem sentence."""
    return [
        p
        for p in result.problems
        if p.file == file
        and (column is None or p.column == column)
        and (severity is None or p.severity == severity)
        and (row is None or p.row == row)
        and (text is None or text in p.problem)
    ]


# ---------------------------------------------------------------------------------------------
# Shipped data


def test_shipped_data_loads_without_errors_or_warnings(shipped):
    assert [p.sentence() for p in shipped.problems] == []
    assert {f.status for f in shipped.files} == {"ok"}


def test_shipped_data_has_the_breadth_the_documents_support(shipped):
    ds = shipped.dataset
    assert len(ds.events) >= 70
    assert len(ds.actors) >= 60
    assert len(ds.relations) >= 130
    assert len(ds.locations) >= 22
    assert len(ds.periods) >= 3


def test_shipped_events_are_typed(shipped):
    events = shipped.dataset.events
    assert pd.api.types.is_datetime64_any_dtype(events["span_start"])
    dated = events[events["event_date"] != ""]
    assert (dated["span_end"] >= dated["span_start"]).all()
    assert set(dated["time_precision"]) <= {"day", "month", "year"}
    undated = events[events["event_date"] == ""]  # facts the documents state without a date
    assert undated["span_start"].isna().all() and set(undated["time_precision"]) <= {""}
    placed = events[events["location"] != ""]
    assert placed["lat"].between(-90, 90).all() and placed["lon"].between(-180, 180).all()
    assert all(isinstance(v, tuple) and v for v in events["source_ids"])


def test_month_and_year_dates_become_spans(shipped):
    events = shipped.dataset.events
    month = events[(events["time_precision"] == "month") & (events["date_end"] == "")].iloc[0]
    assert month["span_start"].day == 1
    assert month["span_end"] == month["span_start"] + pd.offsets.MonthEnd(0)
    year = events[(events["time_precision"] == "year") & (events["date_end"] == "")].iloc[0]
    assert (year["span_start"].month, year["span_start"].day) == (1, 1)
    assert (year["span_end"].month, year["span_end"].day) == (12, 31)


def test_aliases_resolve_spelling_variants(shipped):
    index = loader.NameIndex(shipped.dataset.actors, "actor_id", "name")
    assert index.resolve("Quds Force")[0] == index.resolve("Qods Force")[0] == "irgc-qf"
    assert index.resolve("Jaysh al-Mahdi")[0] == index.resolve("JAM")[0] == "jam"
    places = loader.NameIndex(shipped.dataset.locations, "location_id", "name")
    assert places.resolve("Erbil")[0] == places.resolve("Irbil")[0] == "irbil"


def test_data_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(loader.DATA_DIR_ENV, str(tmp_path))
    assert loader.data_folder() == tmp_path
    monkeypatch.delenv(loader.DATA_DIR_ENV)
    assert loader.data_folder() == loader.DEFAULT_DATA_DIR


# ---------------------------------------------------------------------------------------------
# One broken cell per check: each problem names file, row and column, and nothing raises


CELL_BREAKS = [
    # file, column, bad value, severity, words in the problem
    ("events.csv", "event_date", "20/01/2007", WARNING, "YYYY-MM-DD"),
    ("events.csv", "event_type", "arms suply", WARNING, "did you mean 'arms supply'"),
    ("events.csv", "claim_status", "rumoured", WARNING, "not a claim status term"),
    ("events.csv", "actor1", "Nobody Known", WARNING, "not an id, name or alias in actors.csv"),
    ("events.csv", "assoc_actors", "jam;ghost-group", WARNING, "'ghost-group'"),
    ("events.csv", "location", "Atlantis", WARNING, "locations.csv"),
    ("events.csv", "latitude", "123", WARNING, "outside -90 to 90"),
    ("events.csv", "fatalities", "-3", WARNING, "whole number"),
    ("events.csv", "fatalities", "many", WARNING, "not a number"),
    ("events.csv", "source_ids", "isw;nyt", WARNING, "'nyt'"),
    ("events.csv", "time_precision", "weekly", WARNING, "time precision term"),
    ("actors.csv", "actor_type", "gang", WARNING, "actor type term"),
    ("actors.csv", "active_from", "May 2006", WARNING, "not a date"),
    ("actors.csv", "source_ids", "unknown-source", WARNING, "sources.csv"),
    ("relations.csv", "target", "nobody", WARNING, "actors.csv"),
    ("relations.csv", "relation", "bankrolls", WARNING, "relation term"),
    ("relations.csv", "claim_status", "", WARNING, "empty"),
    ("locations.csv", "latitude", "200", WARNING, "outside -90 to 90"),
    ("locations.csv", "longitude", "east", WARNING, "not a number"),
    ("locations.csv", "kind", "town", WARNING, "location kind term"),
    ("sources.csv", "reliability", "Z", WARNING, "reliability term"),
    ("sources.csv", "published", "2007-13", WARNING, "not a date"),
    ("periods.csv", "start_date", "spring", WARNING, "not a date"),
]


@pytest.mark.parametrize("filename,column,value,severity,words", CELL_BREAKS)
def test_a_broken_cell_is_reported_with_file_row_and_column(
    data_copy, filename, column, value, severity, words
):
    record = 2
    row = set_cell(data_copy / filename, record, column, value)
    result = loader.load_dataset(data_copy)
    hits = find(result, filename, column=column, row=row, text=words)
    assert hits, [p.sentence() for p in result.problems]
    assert hits[0].severity == severity
    table = contract.TABLES_BY_NAME[filename.removesuffix(".csv")]
    # a warning keeps every row
    assert len(result.dataset.table(table.name)) == len(read_rows(data_copy / filename)) - 1


def test_duplicate_id_makes_the_file_unusable(data_copy):
    path = data_copy / "actors.csv"
    first_id = cell(path, 0, "actor_id")
    row = set_cell(path, 5, "actor_id", first_id)
    result = loader.load_dataset(data_copy)
    hits = find(result, "actors.csv", column="actor_id", row=row, severity=ERROR)
    assert hits and "more than one row" in hits[0].problem
    assert result.dataset.actors.empty
    assert next(f for f in result.files if f.table == "actors").status == "unusable"
    # the other tables still load, and references into the unusable table are not flagged
    assert len(result.dataset.events) > 0
    assert not find(result, "events.csv", column="actor1")


def test_event_with_end_before_start(data_copy):
    path = data_copy / "events.csv"
    rows = read_rows(path)
    index = next(i for i, r in enumerate(rows[1:]) if r[rows[0].index("event_date")] > "2004")
    row = set_cell(path, index, "date_end", "1990-01-01")
    result = loader.load_dataset(data_copy)
    assert find(result, "events.csv", column="date_end", row=row, text="ends before")


def test_time_precision_clash_uses_the_dates_own_form(data_copy):
    path = data_copy / "events.csv"
    set_cell(path, 0, "event_date", "2006-05")
    row = set_cell(path, 0, "time_precision", "day")
    result = loader.load_dataset(data_copy)
    assert find(result, "events.csv", column="time_precision", row=row)
    assert result.dataset.events.loc[0, "time_precision"] == "month"


def test_missing_time_precision_is_derived(data_copy):
    path = data_copy / "events.csv"
    set_cell(path, 0, "event_date", "2007")
    set_cell(path, 0, "time_precision", "")
    result = loader.load_dataset(data_copy)
    assert not find(result, "events.csv", column="time_precision")
    assert result.dataset.events.loc[0, "time_precision"] == "year"


def test_names_and_aliases_work_instead_of_ids(data_copy):
    path = data_copy / "events.csv"
    set_cell(path, 0, "location", "basra")
    set_cell(path, 1, "location", "Erbil")
    set_cell(path, 2, "actor1", "Quds Force")
    set_cell(path, 2, "assoc_actors", "Mahdi Army; jaysh al mahdi")
    result = loader.load_dataset(data_copy)
    events = result.dataset.events
    assert events.loc[0, "location"] == "basra" and events.loc[0, "place_name"] == "Basra"
    assert events.loc[1, "location"] == "irbil"
    assert events.loc[2, "actor1"] == "irgc-qf"
    assert events.loc[2, "assoc_actors"] == ("jam", "jam")
    assert not find(result, "events.csv", column="location")


def test_ambiguous_name_is_reported(data_copy):
    path = data_copy / "actors.csv"
    rows = read_rows(path)
    alias_col = rows[0].index("aliases")
    rows[1][alias_col] = "Twins"
    rows[2][alias_col] = "Twins"
    write_rows(path, rows)
    row = set_cell(data_copy / "events.csv", 0, "actor1", "Twins")
    result = loader.load_dataset(data_copy)
    hits = find(result, "events.csv", column="actor1", row=row)
    assert hits and "more than one row" in hits[0].problem


def test_missing_required_column_is_an_error_naming_it(data_copy):
    drop_column(data_copy / "events.csv", "event_type")
    result = loader.load_dataset(data_copy)
    hits = find(result, "events.csv", column="event_type", severity=ERROR, row=1)
    assert hits and "missing" in hits[0].problem
    assert result.dataset.events.empty
    assert list(result.dataset.events.columns)[: len(contract.EVENTS.columns)] == (
        contract.EVENTS.column_names
    )


def test_missing_optional_column_is_added_empty(data_copy):
    drop_column(data_copy / "events.csv", "origin_location")
    result = loader.load_dataset(data_copy)
    assert not result.errors
    assert (result.dataset.events["origin_location"] == "").all()


def test_misspelt_header_gets_a_hint(data_copy):
    path = data_copy / "relations.csv"
    rows = read_rows(path)
    rows[0][rows[0].index("relation")] = "relaton"
    write_rows(path, rows)
    result = loader.load_dataset(data_copy)
    hits = find(result, "relations.csv", column="relation", severity=ERROR)
    assert hits and "did you mean 'relaton'" in hits[0].problem


def test_header_is_forgiving_about_case_and_spaces(data_copy):
    path = data_copy / "locations.csv"
    rows = read_rows(path)
    rows[0] = [h.upper().replace("_", " ") for h in rows[0]]
    write_rows(path, rows)
    result = loader.load_dataset(data_copy)
    assert not result.errors
    assert len(result.dataset.locations) == len(rows) - 1


def test_extra_columns_are_kept(data_copy):
    path = data_copy / "actors.csv"
    rows = read_rows(path)
    rows[0].append("analyst_note")
    for i, row in enumerate(rows[1:]):
        row.append(f"note {i}")
    write_rows(path, rows)
    result = loader.load_dataset(data_copy)
    assert not result.problems
    assert result.dataset.actors["analyst_note"].iloc[2] == "note 2"


def test_row_with_too_many_values_keeps_them(data_copy):
    path = data_copy / "sources.csv"
    rows = read_rows(path)
    rows[2] = rows[2] + ["stray", "values"]
    write_rows(path, rows)
    result = loader.load_dataset(data_copy)
    hits = find(result, "sources.csv", row=3, text="extra values are kept")
    assert hits and hits[0].value == "stray;values"
    assert result.dataset.sources["extra_values"].iloc[1] == "stray;values"


def test_row_numbers_count_records_not_lines(data_copy):
    path = data_copy / "events.csv"
    set_cell(path, 0, "description", "a description\nthat spans\nthree lines")
    row = set_cell(path, 4, "event_type", "not-a-type")
    result = loader.load_dataset(data_copy)
    assert find(result, "events.csv", column="event_type", row=row)
    assert row == 6


FILE_BREAKS = [
    # how to break the file, severity, words
    (lambda p: p.write_bytes(b""), ERROR, "is empty"),
    (lambda p: p.write_bytes("name,é\n".encode("latin-1") + b"\xff\xfe\n"), ERROR, "not UTF-8"),
    (lambda p: p.write_bytes(b"PK\x03\x04 rest of a workbook"), ERROR, "Excel workbook"),
    (lambda p: p.write_bytes(b"\x00\x01\x02binary"), ERROR, "binary"),
    (lambda p: p.write_text("<html><body>not a table</body></html>\n"), ERROR, "does not look like"),
    (lambda p: p.unlink(), ERROR, "not found"),
]


@pytest.mark.parametrize("table", ["events", "actors", "relations", "locations", "sources"])
@pytest.mark.parametrize("breaker,severity,words", FILE_BREAKS)
def test_an_unusable_file_is_reported_and_served_empty(data_copy, table, breaker, severity, words):
    filename = f"{table}.csv"
    breaker(data_copy / filename)
    result = loader.load_dataset(data_copy)
    hits = find(result, filename, severity=severity, text=words)
    assert hits, [p.sentence() for p in result.problems]
    assert result.dataset.table(table).empty
    others = [t for t in ("events", "actors", "relations", "locations", "sources") if t != table]
    assert any(len(result.dataset.table(t)) for t in others)


def test_not_utf8_names_the_row(data_copy):
    path = data_copy / "actors.csv"
    raw = path.read_bytes().split(b"\n")
    raw[4] = raw[4] + "Café".encode("latin-1")
    path.write_bytes(b"\n".join(raw))
    result = loader.load_dataset(data_copy)
    hits = find(result, "actors.csv", severity=ERROR, text="not UTF-8")
    assert hits and hits[0].row == 5


def test_semicolon_separated_file_still_loads(data_copy):
    path = data_copy / "locations.csv"
    rows = read_rows(path)
    with path.open("w", encoding="utf-8", newline="") as handle:
        import csv

        csv.writer(handle, delimiter=";").writerows(rows)
    result = loader.load_dataset(data_copy)
    assert find(result, "locations.csv", severity=WARNING, text="semicolons")
    assert len(result.dataset.locations) == len(rows) - 1


def test_excel_byte_order_mark_is_accepted(data_copy):
    path = data_copy / "sources.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert not loader.load_dataset(data_copy).problems


def test_header_only_events_file_loads_empty(data_copy):
    path = data_copy / "events.csv"
    write_rows(path, read_rows(path)[:1])
    result = loader.load_dataset(data_copy)
    assert not result.errors
    assert result.dataset.events.empty


def test_many_identical_problems_are_summarised(data_copy):
    path = data_copy / "events.csv"
    rows = read_rows(path)
    col = rows[0].index("event_type")
    for row in rows[1:]:
        row[col] = "bogus"
    write_rows(path, rows)
    result = loader.load_dataset(data_copy)
    hits = find(result, "events.csv", column="event_type")
    assert len(hits) == loader.MAX_PROBLEMS_PER_KIND + 1
    assert "more rows have the same problem" in hits[-1].problem


def test_missing_folder_is_an_error(tmp_path):
    result = loader.load_dataset(tmp_path / "nowhere")
    assert result.errors
    assert all(result.dataset.table(t.name).empty for t in contract.TABLES)


def test_boundaries_file_is_read_when_valid_and_reported_when_not(data_copy):
    path = data_copy / contract.BOUNDARIES_FILENAME
    path.write_text('{"type": "FeatureCollection", "features": []}')
    assert loader.load_dataset(data_copy).dataset.boundaries["type"] == "FeatureCollection"
    path.write_text("{not json")
    result = loader.load_dataset(data_copy)
    assert result.dataset.boundaries is None
    assert find(result, contract.BOUNDARIES_FILENAME, severity=WARNING)


def test_problem_sentence_names_everything():
    problem = contract.Problem("events.csv", 7, "event_date", "May 2006", "is not a date", ERROR)
    assert problem.sentence() == "events.csv, row 7, column 'event_date': is not a date (value: 'May 2006')"


def test_fingerprint_changes_when_a_file_changes(data_copy):
    before = loader.folder_fingerprint(data_copy)
    path = data_copy / "events.csv"
    path.write_text(path.read_text() + "\n")
    assert loader.folder_fingerprint(data_copy) != before


def test_a_table_may_be_given_as_parquet(data_copy):
    import os

    csv_path = data_copy / "events.csv"
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    frame.to_parquet(data_copy / "events.parquet", index=False)
    csv_path.unlink()
    result = loader.load_dataset(data_copy)
    assert not result.problems
    assert next(f for f in result.files if f.table == "events").filename == "events.parquet"
    assert len(result.dataset.events) == len(frame)
    # with both present, the newer file is read
    frame.head(3).to_csv(csv_path, index=False)
    os.utime(data_copy / "events.parquet", (1, 1))
    assert len(loader.load_dataset(data_copy).dataset.events) == 3


def test_typed_parquet_numbers_are_checked_as_numbers(data_copy):
    """A Parquet file written by pandas keeps coordinates as floats; they are range-checked
    like CSV text, and a missing required coordinate is still reported by row."""
    places = pd.read_csv(data_copy / "locations.csv", dtype=str, keep_default_na=False)
    typed = places.copy()
    typed["latitude"] = pd.to_numeric(typed["latitude"])
    typed["longitude"] = pd.to_numeric(typed["longitude"])
    typed.loc[1, "latitude"] = 123.0  # out of range
    typed.loc[2, "longitude"] = float("nan")  # missing
    typed.to_parquet(data_copy / "locations.parquet", index=False)
    (data_copy / "locations.csv").unlink()
    result = loader.load_dataset(data_copy)
    locations = result.dataset.locations
    assert locations["latitude"].dtype == float
    expected = pd.to_numeric(places["latitude"]).drop(index=[1])
    assert locations["latitude"].drop(index=[1]).tolist() == expected.tolist()
    assert pd.isna(locations.loc[1, "latitude"]) and pd.isna(locations.loc[2, "longitude"])
    out_of_range = find(result, "locations.parquet", column="latitude")
    assert [p.row for p in out_of_range] == [3] and "outside -90 to 90" in out_of_range[0].problem
    missing = find(result, "locations.parquet", column="longitude")
    assert [p.row for p in missing] == [4] and "empty" in missing[0].problem


def test_bad_parquet_is_an_error_naming_the_file(data_copy):
    (data_copy / "actors.csv").unlink()
    (data_copy / "actors.parquet").write_bytes(b"PAR1 not really")
    result = loader.load_dataset(data_copy)
    hits = find(result, "actors.parquet", severity=ERROR)
    assert hits and "cannot be read as Parquet" in hits[0].problem


def test_synthetic_generator_writes_a_valid_folder(tmp_path):
    from bench import generate

    counts = generate.generate(2_000, tmp_path / "synthetic", seed=3)
    result = loader.load_dataset(tmp_path / "synthetic")
    assert not result.errors, [p.sentence() for p in result.errors]
    assert len(result.dataset.events) == counts["events"] == 2_000
    assert set(result.dataset.events["time_precision"]) == {"day", "month", "year"}
    assert result.dataset.events["lat"].notna().all()


def _fail(*args, **kwargs):
    raise AssertionError("a regular CSV file is read by Arrow, not record by record")


def test_a_regular_csv_is_sliced_by_arrow_with_the_same_text_and_rows(monkeypatch):
    table = contract.TABLES_BY_NAME["events"]
    whole, _ = loader.read_csv_text(DATA / "events.csv", table, loader.ProblemLog())
    monkeypatch.setattr(loader, "_csv_records", _fail)
    sliced = list(loader.csv_slices(DATA / "events.csv", table, loader.ProblemLog(), 7))
    assert len(sliced) == -(-len(whole) // 7)
    pd.testing.assert_frame_equal(pd.concat(sliced, ignore_index=True), whole, check_dtype=False)


def test_an_irregular_csv_is_sliced_record_by_record_with_the_same_notes(data_copy):
    rows = read_rows(data_copy / "events.csv")
    rows[4] = rows[4] + ["a stray value"]  # wider than the header
    rows.insert(9, [""] * len(rows[0]))  # a blank record
    write_rows(data_copy / "events.csv", rows)
    table = contract.TABLES_BY_NAME["events"]
    whole_log, sliced_log = loader.ProblemLog(), loader.ProblemLog()
    whole, _ = loader.read_csv_text(data_copy / "events.csv", table, whole_log)
    sliced = list(loader.csv_slices(data_copy / "events.csv", table, sliced_log, 7))
    # a slice without extra values has no such column, as a whole file without them has none
    joined = pd.concat(sliced, ignore_index=True).fillna({"extra_values": ""})
    pd.testing.assert_frame_equal(joined, whole, check_dtype=False)
    assert sliced_log.problems == whole_log.problems
    assert [p.row for p in whole_log.problems] == [5]
    assert 10 not in set(whole[loader.ROW])  # the blank record is skipped, numbers kept


def _csv_variants(path):
    """The shipped events' first records, written in the ways spreadsheets and exports do."""
    rows = read_rows(DATA / "events.csv")[:13]
    width = len(rows[0])

    def text(records, newline="\n"):
        import csv as csv_module
        import io as io_module
        out = io_module.StringIO()
        csv_module.writer(out, lineterminator=newline).writerows(records)
        return out.getvalue()

    multi = [r[:] for r in rows]
    multi[3][rows[0].index("description")] = "Two lines,\nwith a comma"
    return {
        "plain": text(rows).encode(),
        "crlf": text(rows, "\r\n").encode(),
        "bom": b"\xef\xbb\xbf" + text(rows).encode(),
        "no final newline": text(rows).rstrip("\n").encode(),
        "header only": text(rows[:1]).encode(),
        "multi-line value": text(multi).encode(),
        "quoted blank record": (text(rows[:6]) + ",".join(['""'] * width) + "\n"
                                + text(rows[6:])).encode(),
        "no-break spaces": (text(rows[:6]) + ",".join(["\u00a0"] * width) + "\n"
                            + text(rows[6:])).encode(),
        "lone CR line ends": text(rows, "\r").encode(),
        "trailing delimiter": text([r + [""] for r in rows]).encode(),
    }


@pytest.mark.parametrize("variant", list(_csv_variants(DATA / "events.csv")))
def test_a_csv_read_in_slices_reads_as_a_csv_read_whole(tmp_path, variant):
    """Arrow's fast path or the record-by-record reader, the slices give the whole read's
    text, row numbers and notes, whatever way the file was written."""
    path = tmp_path / "events.csv"
    path.write_bytes(_csv_variants(DATA / "events.csv")[variant])
    table = contract.TABLES_BY_NAME["events"]
    whole_log, sliced_log = loader.ProblemLog(), loader.ProblemLog()
    whole, _ = loader.read_csv_text(path, table, whole_log)
    sliced = list(loader.csv_slices(path, table, sliced_log, 4))
    assert sliced_log.problems == whole_log.problems
    if whole is None or whole.empty:
        assert not sliced or pd.concat(sliced).empty
        return
    joined = pd.concat(sliced, ignore_index=True)
    if "extra_values" in whole:
        joined = joined.fillna({"extra_values": ""})
    pd.testing.assert_frame_equal(joined, whole, check_dtype=False)


def test_many_unknown_references_are_each_reported_once_and_kept_as_written(data_copy):
    """An events file whose actors are mostly not in actors.csv (uploaded without its actors):
    every row is counted, the first few are shown (with a suggestion where one is close), the
    values are kept as written. Resolved row by row, 100,000 such rows took a minute."""
    rows = read_rows(data_copy / "events.csv")
    header, first = rows[0], rows[1]
    actor1 = header.index("actor1")
    extra = []
    for n in range(400):
        row = list(first)
        row[0] = f"ev-x{n:04d}"
        row[actor1] = "irgc-qf" if n % 2 else f"unknown-actor-{n}"
        extra.append(row)
    write_rows(data_copy / "events.csv", rows + extra)
    result = loader.load_dataset(data_copy)
    shown = [p for p in result.problems if p.file == "events.csv" and p.column == "actor1"
             and p.row is not None and "is not an id, name or alias" in p.problem]
    assert len(shown) == loader.MAX_PROBLEMS_PER_KIND
    assert shown[0].row == len(rows) + 1 and shown[0].value == "unknown-actor-0"
    summary = [p for p in result.problems if p.file == "events.csv" and p.column == "actor1"
               and p.row is None]
    assert summary and summary[0].problem.startswith(f"{200 - loader.MAX_PROBLEMS_PER_KIND:,} more")
    events = result.dataset.events.set_index("event_id")
    assert events.loc["ev-x0000", "actor1"] == "unknown-actor-0"
    assert events.loc["ev-x0001", "actor1"] == "irgc-qf"


def _slices(path, rows=40):
    log = loader.ProblemLog()
    frames = list(loader.csv_slices(path, contract.EVENTS, log, rows, lean=True))
    whole = pd.concat(frames, ignore_index=True) if frames else None
    return whole, sorted((p.file, p.row or 0, p.column or "", p.problem) for p in log.problems)


@pytest.mark.parametrize("variant", ["as shipped", "crlf", "semicolons", "bom", "blank line",
                                     "lone cr", "quoted newline", "too long a cell",
                                     "quoted blanks", "trailing blank lines",
                                     "crlf trailing blank lines"])
@pytest.mark.parametrize("block", [53, 97, 1009])
def test_a_large_csv_read_block_by_block_gives_what_the_whole_text_reader_gives(
        data_copy, tmp_path, monkeypatch, variant, block):
    """csv_slices reads a large file block by block (never the whole text); with tiny blocks,
    so records and line ends straddle them, the slices and the notes equal the whole-text
    reader's, and a file it cannot stream (a blank line, a lone CR, a cell too long) is read
    whole with the same notes."""
    text = (data_copy / "events.csv").read_text(encoding="utf-8")
    if variant == "crlf":
        text = text.replace("\n", "\r\n")
    elif variant == "semicolons":
        rows = read_rows(data_copy / "events.csv")
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
        text = buffer.getvalue()
    elif variant == "bom":
        text = "\ufeff" + text
    elif variant == "blank line":
        lines = text.split("\n")
        text = "\n".join(lines[:20] + [""] + lines[20:])
    elif variant == "lone cr":
        text = text.replace("\n", "\r", 1)
    elif variant == "quoted newline":
        rows = read_rows(data_copy / "events.csv")
        rows[5][rows[0].index("description")] = "first line\nsecond line, with a comma"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        text = buffer.getvalue()
    elif variant == "trailing blank lines":  # as spreadsheets leave them: read, not noted
        text = text.rstrip("\n") + "\n\n\n"
    elif variant == "crlf trailing blank lines":
        text = text.rstrip("\n").replace("\n", "\r\n") + "\r\n\r\n"
    elif variant == "quoted blanks":  # a record of empty quoted values: blank, noted
        rows = read_rows(data_copy / "events.csv")
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(
            rows[:9] + [[""] * len(rows[0])] + rows[9:])
        text = buffer.getvalue()
    elif variant == "too long a cell":
        rows = read_rows(data_copy / "events.csv")
        rows[7][rows[0].index("description")] = "x" * (contract.MAX_CELL_CHARS + 1)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        text = buffer.getvalue()
    path = tmp_path / "events.csv"
    path.write_bytes(text.encode("utf-8"))
    whole, whole_notes = _slices(path)  # below STREAM_FROM_BYTES: the whole-text reader
    streamed_calls = []
    real = loader._streamed_csv
    monkeypatch.setattr(loader, "_streamed_csv", lambda *a: streamed_calls.append(
        real(*a)) or streamed_calls[-1])
    monkeypatch.setattr(loader, "STREAM_FROM_BYTES", 0)
    monkeypatch.setattr(loader, "STREAM_BLOCK_BYTES", block)  # records straddle the blocks
    # several Arrow batches; a block large enough for the long cell, so that it is Arrow's
    # check of cell lengths, not a record straddling blocks, that sends the file back
    monkeypatch.setattr(loader, "ARROW_BLOCK_BYTES",
                        1 << 20 if variant == "too long a cell" else 4096)
    streamed, streamed_notes = _slices(path)
    pd.testing.assert_frame_equal(streamed, whole)
    # in slices of the size asked for, as the whole-text reader gives them
    sizes = [len(f) for f in loader.csv_slices(path, contract.EVENTS, loader.ProblemLog(), 40,
                                               lean=True)]
    assert sizes[:-1] == [40] * (len(sizes) - 1) and 0 < sizes[-1] <= 40
    assert streamed_notes == whole_notes
    was_streamed = streamed_calls[0] is not None
    assert was_streamed == (variant in ("as shipped", "crlf", "semicolons", "bom",
                                        "quoted newline", "trailing blank lines",
                                        "crlf trailing blank lines"))
