"""ACLED and UCDP GED importers: the real files in ../shared/realdata, and random malformed ones."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import contract, importers, loader
from components.contract import ERROR, WARNING
from tests.conftest import DATA, shared_path

REAL_FILES = {
    "acled_2022_iraq.csv": ("acled", 221),
    "acled_2016_africa_oldlayout.csv": ("acled-old", 1000),
    "ucdp_ged_sample.csv": ("ucdp-ged", 1000),
    "ucdp_ged_sample_iraq.csv": ("ucdp-ged", 19),
}
CONTRACT_TABLES = {name: table.column_names for name, table in importers.OUTPUT_TABLES.items()}


def real(name: str):
    return shared_path("realdata", name)


def raw_records(name: str) -> list[dict]:
    """The real file's records as dicts, read independently of the importer."""
    data = real(name).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return [{(k or "").lower(): v for k, v in row.items()} for row in rows]


_IMPORTS: dict[str, importers.ImportResult] = {}


def imported(name: str) -> importers.ImportResult:
    path = real(name)
    if name not in _IMPORTS:
        _IMPORTS[name] = importers.import_file(path)
    return _IMPORTS[name]


def events_by_id(result: importers.ImportResult) -> dict[str, dict]:
    return {row["event_id"]: row for row in result.tables["events"].to_dict("records")}


def assert_contract_shape(result: importers.ImportResult) -> None:
    assert set(result.tables) == set(CONTRACT_TABLES)
    for name, columns in CONTRACT_TABLES.items():
        frame = result.tables[name]
        assert list(frame.columns) == columns, name
        for column in frame.columns:
            assert all(isinstance(v, str) for v in frame[column]), (name, column)
    assert all(isinstance(note, str) and note for note in result.notes)


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Detection and row counts


@pytest.mark.parametrize("name", REAL_FILES)
def test_detects_the_format_from_the_header(name):
    assert importers.detect_format(real(name)) == REAL_FILES[name][0]
    frame = pd.read_csv(real(name), nrows=0, encoding="latin-1")
    assert importers.detect_format(frame) == REAL_FILES[name][0]


@pytest.mark.parametrize("name", REAL_FILES)
def test_every_data_row_of_each_real_file_becomes_an_event(name):
    fmt, rows = REAL_FILES[name]
    result = imported(name)
    assert result.source_format == fmt
    assert len(raw_records(name)) == rows
    assert result.rows_read == rows
    assert len(result.tables["events"]) == rows
    assert result.skipped_rows == []
    assert result.tables["events"]["event_id"].is_unique
    assert len(result.tables["relations"]) == 0
    assert_contract_shape(result)
    assert result.notes[0].startswith(f"Read {rows:,} data rows from {name}")


def test_import_functions_agree_with_import_file():
    acled = importers.import_acled(real("acled_2022_iraq.csv"))
    ucdp = importers.import_ucdp(real("ucdp_ged_sample_iraq.csv"))
    for direct, name in ((acled, "acled_2022_iraq.csv"), (ucdp, "ucdp_ged_sample_iraq.csv")):
        via_file = imported(name)
        for table in CONTRACT_TABLES:
            pd.testing.assert_frame_equal(direct.tables[table], via_file.tables[table])


def test_ids_are_stable_across_imports():
    again = importers.import_file(real("acled_2016_africa_oldlayout.csv"))
    first = imported("acled_2016_africa_oldlayout.csv")
    for table in CONTRACT_TABLES:
        pd.testing.assert_frame_equal(again.tables[table], first.tables[table])
    for table, id_column in (("actors", "actor_id"), ("locations", "location_id"),
                             ("sources", "source_id")):
        assert first.tables[table][id_column].is_unique


# ---------------------------------------------------------------------------------------------
# ACLED


def test_old_layout_dates_become_iso_at_their_precision():
    result = imported("acled_2016_africa_oldlayout.csv")
    events = events_by_id(result)
    for record in raw_records("acled_2016_africa_oldlayout.csv"):
        event = events[record["event_id_cnty"]]
        day = datetime.strptime(record["event_date"], "%d/%m/%Y").date()
        if record["time_precision"] == "3":
            assert event["time_precision"] == "month"
            assert event["event_date"] == day.strftime("%Y-%m")
        else:
            assert event["time_precision"] == "day"
            assert event["event_date"] == day.isoformat()
    assert any("Windows-1252" in note for note in result.notes)


def test_old_layout_keeps_accented_text_and_ally_actors():
    result = imported("acled_2016_africa_oldlayout.csv")
    names = set(result.tables["actors"]["name"])
    assert "Séléka Militia" in names
    assert "Students (Chad)" in names  # an ALLY_ACTOR_1 value
    assert (result.tables["events"]["assoc_actors"] != "").sum() > 100


def test_acled_time_precision_codes():
    result = imported("acled_2022_iraq.csv")
    events = events_by_id(result)
    week = [r for r in raw_records("acled_2022_iraq.csv") if r["time_precision"] == "2"]
    assert len(week) == 9
    for record in week:
        event = events[record["event_id_cnty"]]
        assert event["time_precision"] == "day"
        assert event["event_date"] == record["event_date"]
        assert "within a week" in event["description"]
    week_notes = [n for n in result.notes if "time_precision 2" in n]
    assert len(week_notes) == 1 and "9 rows" in week_notes[0]


def test_acled_geo_precision_and_place_kinds():
    result = imported("acled_2022_iraq.csv")
    events = events_by_id(result)
    places = result.tables["locations"].set_index("location_id")
    expected = {"1": "exact", "2": "near", "3": "region"}
    for record in raw_records("acled_2022_iraq.csv"):
        event = events[record["event_id_cnty"]]
        assert event["geo_precision"] == expected[record["geo_precision"]]
        place = places.loc[event["location"]]
        assert place["name"] == record["location"]
        assert place["country"] == "Iraq" and place["admin1"] == record["admin1"]
        if record["geo_precision"] == "1":
            assert place["kind"] == "city"


def test_acled_event_types_actors_and_sources():
    result = imported("acled_2022_iraq.csv")
    events = events_by_id(result)
    expected = {"Battles": "armed attack", "Explosions/Remote violence": "armed attack",
                "Violence against civilians": "armed attack", "Protests": "statement",
                "Riots": "statement", "Strategic developments": "organisational change"}
    for record in raw_records("acled_2022_iraq.csv"):
        event = events[record["event_id_cnty"]]
        assert event["event_type"] == expected[record["event_type"]]
        assert record["event_type"] in event["description"]
        assert record["sub_event_type"] in event["description"]
        assert event["claim_status"] == "reported"
        assert event["source_locator"] == f"ACLED event_id_cnty {record['event_id_cnty']}"
    actors = result.tables["actors"].set_index("name")
    assert actors.loc["Military Forces of Turkey (2016-)", "actor_type"] == "state force"
    assert actors.loc["Military Forces of Turkey (2016-)", "country"] == "Turkey"
    assert actors.loc["PKK: Kurdistan Workers Party", "actor_type"] == "armed group"
    assert actors.loc["Unidentified Armed Group (Iraq)", "actor_type"] == "militia"
    assert actors.loc["Protesters (Iraq)", "actor_type"] == "political party"
    assert actors.loc["Civilians (Iraq)", "actor_type"] == "person"
    assert actors.loc["Global Coalition Against Daesh", "actor_type"] == "international coalition"
    assert set(actors["description"].str[:19]) == {"Imported from ACLED"}
    sources = result.tables["sources"]
    assert set(sources["publisher"]) == {"ACLED"}
    assert set(sources["reliability"]) == {"F"}
    assert set(sources["notes"]) == {"Imported from acled_2022_iraq.csv"}
    assert "Shafaaq News; Al Mirbad" in set(sources["title"])


def test_acled_sub_events_and_month_precision_from_a_small_table():
    header = ["event_id_cnty", "event_date", "year", "time_precision", "event_type",
              "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "inter2",
              "country", "admin1", "location", "latitude", "longitude", "geo_precision",
              "source", "notes", "fatalities"]
    rows = [
        ["X1", "2022-03-15", "2022", "3", "Violence against civilians",
         "Abduction/forced disappearance", "Unidentified Armed Group (Iraq)", "", "3",
         "Civilians (Iraq)", "7", "Iraq", "Basra", "Basra", "30.5", "47.8", "1", "Src",
         "Line one\nline two", "0"],
        ["X2", "2022-03-16", "2022", "1", "Strategic developments", "Arrests",
         "Police Forces of Iraq (2020-)", "A; B", "1", "", "0", "Iraq", "Basra", "Basra",
         "30.5", "47.8", "1", "", "", "1,234"],
    ]
    result = importers.import_acled(pd.DataFrame(rows, columns=header))
    events = events_by_id(result)
    assert events["X1"]["event_type"] == "kidnapping"
    assert events["X1"]["event_date"] == "2022-03" and events["X1"]["time_precision"] == "month"
    assert events["X1"]["description"].startswith("Line one line two")
    assert events["X2"]["event_type"] == "capture or arrest"
    assert events["X2"]["fatalities"] == "1234"
    assert events["X2"]["description"]  # built from the type when notes are empty
    assert events["X1"]["location"] == events["X2"]["location"]
    assoc = events["X2"]["assoc_actors"].split(";")
    assert len(assoc) == 2
    assert len(result.tables["sources"]) == 2  # "Src", and "ACLED" for the empty source


# ---------------------------------------------------------------------------------------------
# UCDP GED


def test_ucdp_text_fields_with_line_breaks_survive():
    result = imported("ucdp_ged_sample.csv")
    events = events_by_id(result)
    broken = [r for r in raw_records("ucdp_ged_sample.csv") if "\n" in r["source_headline"]]
    assert broken, "the sample has headlines with line breaks"
    for record in broken:
        description = events[f"ged-{record['id']}"]["description"]
        assert " ".join(record["source_headline"].split()) in description
    for name, frame in result.tables.items():
        for column in frame.columns:
            assert not frame[column].str.contains("[\r\n]", regex=True).any(), (name, column)


def test_ucdp_date_and_place_precision_codes():
    result = imported("ucdp_ged_sample.csv")
    events = events_by_id(result)
    time_expected = {"1": "day", "2": "day", "3": "day", "4": "month", "5": "year"}
    geo_expected = {"1": "exact", "2": "near", "3": "region", "4": "region", "5": "region",
                    "6": "country", "7": "region"}
    lengths = {"day": 10, "month": 7, "year": 4}
    seen = set()
    for record in raw_records("ucdp_ged_sample.csv"):
        event = events[f"ged-{record['id']}"]
        precision = time_expected[record["date_prec"]]
        assert event["time_precision"] == precision
        assert event["event_date"] == record["date_start"][: lengths[precision]]
        end = record["date_end"][: lengths[precision]]
        assert event["date_end"] == ("" if end == event["event_date"] else end)
        assert event["geo_precision"] == geo_expected[record["where_prec"]]
        assert event["event_type"] == "armed attack"
        assert event["fatalities"] == record["best"]
        seen.add((record["date_prec"], record["where_prec"]))
    assert {d for d, _ in seen} == set(time_expected)
    assert {w for _, w in seen} == set(geo_expected)
    assert any("where_prec 7" in note and "row 185" in note for note in result.notes)
    kinds = result.tables["locations"].set_index("name")["kind"]
    assert kinds.get("Syria") == "country"


def test_ucdp_actors_and_sources():
    result = imported("ucdp_ged_sample_iraq.csv")
    actors = result.tables["actors"].set_index("name")
    assert actors.loc["Government of Iraq", "actor_type"] == "state"
    assert actors.loc["Government of Iraq", "country"] == "Iraq"
    assert actors.loc["IS", "actor_type"] == "armed group"
    assert actors.loc["Civilians", "actor_type"] == "person"
    assert set(actors["description"]) == {"Imported from UCDP GED."}
    sources = result.tables["sources"]
    assert set(sources["publisher"]) == {"UCDP GED"}
    assert "security and medical sources" in set(sources["title"])
    events = events_by_id(result)
    assert events["ged-219322"]["source_locator"] == "UCDP GED id 219322 (relid IRQ-2016-1-448-212)"


def test_ucdp_published_datetime_form_parses(tmp_path):
    source = real("ucdp_ged_sample_iraq.csv")
    frame = pd.read_csv(source, dtype=str, keep_default_na=False).head(5)
    for column in ("date_start", "date_end"):
        frame[column] = frame[column] + " 00:00:00.000"
    copy = tmp_path / "ged_published_dates.csv"
    frame.to_csv(copy, index=False)
    assert importers.detect_format(copy) == "ucdp-ged"

    result = importers.import_file(copy)

    assert len(result.tables["events"]) == 5 and result.skipped_rows == []
    original = imported("ucdp_ged_sample_iraq.csv").tables["events"].head(5)
    pd.testing.assert_series_equal(result.tables["events"]["event_date"], original["event_date"])
    pd.testing.assert_series_equal(result.tables["events"]["date_end"], original["date_end"])
    assert result.tables["events"]["event_date"].str.fullmatch(r"\d{4}(-\d{2}){0,2}").all()


# ---------------------------------------------------------------------------------------------
# Writing a folder the loader reads


@pytest.mark.parametrize("name", REAL_FILES)
def test_written_folder_loads_without_errors(tmp_path, name):
    result = imported(name)
    paths = importers.write_folder(result, tmp_path / "out")
    expected = sorted(t.filename for t in importers.OUTPUT_TABLES.values())
    assert sorted(p.name for p in paths) == expected

    loaded = loader.load_dataset(tmp_path / "out")

    assert [p.sentence() for p in loaded.problems if p.severity == ERROR] == []
    assert [p.sentence() for p in loaded.problems if p.severity == WARNING] == []
    events = loaded.dataset.events
    assert len(events) == REAL_FILES[name][1]
    assert events["lat"].notna().all() and events["lon"].notna().all()
    assert events["span_start"].notna().all()
    assert (events["place_name"] != "").all()


# ---------------------------------------------------------------------------------------------
# Files that are not ACLED or UCDP


def _assert_empty_with_note(result: importers.ImportResult) -> None:
    assert_contract_shape(result)
    assert all(len(frame) == 0 for frame in result.tables.values())
    assert result.notes


def test_contract_file_is_not_acled_or_ucdp(tmp_path):
    path = DATA / "events.csv"
    assert importers.detect_format(path) is None
    result = importers.import_file(path)
    _assert_empty_with_note(result)
    assert result.source_format == "unknown"
    assert "not an ACLED or UCDP GED file" in result.notes[0]
    importers.write_folder(result, tmp_path / "empty")
    loaded = loader.load_dataset(tmp_path / "empty")
    assert [p for p in loaded.problems if p.severity == ERROR] == []


@pytest.mark.parametrize("content", [b"", b"   \n", b"PK\x03\x04rest-of-a-zip", b"just one line",
                                     b"\x00\x01\x02\xff\xfe", b'a,b\n"unclosed,1\n'])
def test_odd_files_give_notes_not_exceptions(tmp_path, content):
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    assert importers.detect_format(path) is None
    for function in (importers.import_file, importers.import_acled, importers.import_ucdp):
        _assert_empty_with_note(function(path))


def test_missing_file_gives_a_note(tmp_path):
    result = importers.import_file(tmp_path / "nope.csv")
    _assert_empty_with_note(result)
    assert "cannot be read" in result.notes[0]
    assert importers.detect_format(tmp_path / "nope.csv") is None


def test_bad_rows_are_named_by_spreadsheet_row(tmp_path):
    header = ["event_id_cnty", "event_date", "year", "time_precision", "event_type", "actor1",
              "inter1", "country", "location", "latitude", "longitude", "geo_precision",
              "fatalities"]
    rows = [
        ["A1", "2022-01-05", "2022", "1", "Battles", "X", "2", "Iraq", "P", "33", "44", "1", "2"],
        ["A2", "not a date", "", "1", "Battles", "X", "2", "Iraq", "P", "33", "44", "1", "2"],
        ["A3", "31/02/2022", "2022", "9", "Mystery", "", "", "", "", "95", "44", "x", "-3"],
    ]
    path = tmp_path / "acled_bad.csv"
    path.write_text(csv_text(header, rows), encoding="utf-8")

    result = importers.import_file(path)

    assert result.source_format == "acled"
    assert result.skipped_rows == [3]
    events = events_by_id(result)
    assert set(events) == {"A1", "A3"}
    assert events["A3"]["event_date"] == "2022" and events["A3"]["time_precision"] == "year"
    assert events["A3"]["location"] == "" and events["A3"]["fatalities"] == ""
    text = " ".join(result.notes)
    assert "usable event_date were skipped" in text and "row 3." in text
    assert "year column" in text and "row 4." in text
    assert "no usable latitude and longitude" in text
    assert "not a whole number" in text
    importers.write_folder(result, tmp_path / "out")
    loaded = loader.load_dataset(tmp_path / "out")
    assert [p.sentence() for p in loaded.problems] == []


# ---------------------------------------------------------------------------------------------
# Property tests: random and malformed tables never raise


ACLED_HEADER = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
                "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2",
                "assoc_actor_2", "inter2", "interaction", "country", "admin1", "admin2",
                "location", "latitude", "longitude", "geo_precision", "source", "notes",
                "fatalities"]
ACLED_OLD_HEADER = ["GWNO", "EVENT_ID_CNTY", "EVENT_DATE", "YEAR", "TIME_PRECISION",
                    "EVENT_TYPE", "ACTOR1", "ALLY_ACTOR_1", "INTER1", "ACTOR2", "INTER2",
                    "COUNTRY", "LOCATION", "LATITUDE", "LONGITUDE", "GEO_PRECISION", "SOURCE",
                    "NOTES", "FATALITIES", "", ""]
UCDP_HEADER = ["id", "relid", "year", "type_of_violence", "dyad_name", "side_a", "side_b",
               "source_headline", "source_original", "where_prec", "where_coordinates",
               "adm_1", "adm_2", "latitude", "longitude", "country", "date_prec", "date_start",
               "date_end", "best"]

SPECIAL = st.sampled_from([
    "", "1", "2", "3", "7", "0", "-1", "1.0", "1.5", "NaN", "inf", "-inf", "1e309", "١",
    "2022-06-13", "2022-06-13 00:00:00.000", "13/06/2022", "31/02/2022", "0001-01-01",
    "9999-12-31", "2022-13-45", "13 June 2022", "33.3", "-200", "91", "44.36", "Battles",
    "Protests", "Strategic developments", "Arrests", "Government of Iraq", "Civilians",
    "A; B;;", ";", "=1+1", '"', "line\nbreak", "tab\there", "\r\n", "\x00", "\u2028",
    "Séléka", "Военные силы", "العراق", "  padded  ",
])
CELL = st.one_of(SPECIAL, st.text(max_size=15))


@st.composite
def like_tables(draw):
    base = draw(st.sampled_from([ACLED_HEADER, ACLED_OLD_HEADER, UCDP_HEADER]))
    mode = draw(st.sampled_from(["full", "subset", "shuffled", "extra"]))
    header = list(base)
    if mode == "subset":
        header = draw(st.lists(st.sampled_from(base), unique=True, max_size=len(base)))
    elif mode == "shuffled":
        header = draw(st.permutations(base))
    elif mode == "extra":
        header = header + draw(st.lists(st.text(max_size=8), max_size=3))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(header) + 2), max_size=6))
    return header, rows


def _check_never_raises(folder, header, rows, encoding="utf-8"):
    path = folder / "input.csv"
    text = csv_text(header, rows) if header or rows else ""
    path.write_bytes(text.encode(encoding, errors="replace"))
    detected = importers.detect_format(path)
    assert detected in (None, "acled", "acled-old", "ucdp-ged")
    for function in (importers.import_file, importers.import_acled, importers.import_ucdp):
        result = function(path)
        assert_contract_shape(result)
        assert isinstance(result.source_format, str)
        assert len(result.tables["events"]) + len(result.skipped_rows) <= len(rows)
        out = folder / f"out-{function.__name__}"
        importers.write_folder(result, out)
        loaded = loader.load_dataset(out)
        assert [p.sentence() for p in loaded.problems if p.severity == ERROR] == []
    return detected


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(table=like_tables())
def test_random_acled_and_ucdp_like_files_never_raise(tmp_path_factory, table):
    header, rows = table
    _check_never_raises(tmp_path_factory.mktemp("like"), header, rows)


@SETTINGS
@given(table=like_tables(), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_random_tables_in_other_encodings_never_raise(tmp_path_factory, table, encoding):
    header, rows = table
    _check_never_raises(tmp_path_factory.mktemp("enc"), header, rows, encoding)


@SETTINGS
@given(frame_rows=st.lists(st.lists(CELL, min_size=len(UCDP_HEADER), max_size=len(UCDP_HEADER)),
                           max_size=6),
       base=st.sampled_from([ACLED_HEADER, UCDP_HEADER]))
def test_random_frames_never_raise(frame_rows, base):
    rows = [row[: len(base)] + [""] * (len(base) - len(row[: len(base)])) for row in frame_rows]
    frame = pd.DataFrame(rows, columns=base)
    for function in (importers.import_file, importers.import_acled, importers.import_ucdp):
        result = function(frame)
        assert_contract_shape(result)
    assert importers.detect_format(frame) in ("acled", "ucdp-ged")


@SETTINGS
@given(content=st.binary(max_size=300))
def test_random_bytes_never_raise(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("bytes") / "input.csv"
    path.write_bytes(content)
    for function in (importers.import_file, importers.import_acled, importers.import_ucdp):
        assert_contract_shape(function(path))
    importers.detect_format(path)


def test_header_only_and_empty_files(tmp_path):
    for header in (ACLED_HEADER, UCDP_HEADER, []):
        result = _check_never_raises(tmp_path, header, [])
        assert result in ("acled", "ucdp-ged", None)
    header_only = importers.import_file(_write(tmp_path / "h.csv", csv_text(ACLED_HEADER, [])))
    assert "no data rows" in header_only.notes[0]


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_contract_tables_match_the_contract():
    assert CONTRACT_TABLES["events"] == contract.EVENTS.column_names
    assert CONTRACT_TABLES["relations"] == contract.RELATIONS.column_names
    for frame in importers.empty_tables().values():
        assert len(frame) == 0


@pytest.mark.parametrize("name", sorted(REAL_FILES))
@pytest.mark.parametrize("chunk", [7, 100])
def test_a_streamed_import_gives_what_a_whole_one_gives(name, chunk, monkeypatch):
    """An export is read, converted and spilled IMPORT_CHUNK_ROWS records at a time (a 200 MB
    export is never held whole): small chunks give the same tables, notes and row numbers as
    one chunk holding the whole file."""
    monkeypatch.setattr(importers, "IMPORT_CHUNK_ROWS", 100_000)
    whole = importers.import_file(real(name))
    monkeypatch.setattr(importers, "IMPORT_CHUNK_ROWS", chunk)
    streamed = importers.import_export(real(name))
    assert "events" not in streamed.tables  # not held: read back from disk a chunk at a time
    frames = list(streamed.event_chunks())
    assert all(len(frame) <= chunk for frame in frames)
    events = pd.concat(frames, ignore_index=True)
    assert events.values.tolist() == whole.events.values.tolist()
    for table in ("actors", "locations", "sources"):
        assert streamed.tables[table].values.tolist() == whole.tables[table].values.tolist()
    assert streamed.notes == whole.notes
    assert (streamed.rows_read, streamed.skipped_rows) == (whole.rows_read, whole.skipped_rows)


def test_a_streamed_import_numbers_rows_across_chunks(tmp_path, monkeypatch):
    """Blank records, repeated ids and short rows are named by their spreadsheet row even when
    they fall in a later chunk."""
    monkeypatch.setattr(importers, "IMPORT_CHUNK_ROWS", 3)
    source = real("acled_2022_iraq.csv").read_text(encoding="utf-8").splitlines()
    header, rows = source[0], source[1:9]
    lines = [header] + rows[:4] + [""] + [rows[4], rows[4]] + rows[5:]
    path = tmp_path / "acled.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = importers.import_file(path)
    assert result.rows_read == 9  # the blank line is not a record
    repeated = [n for n in result.notes if "event id was already used" in n]
    assert repeated and "row 8" in repeated[0]  # header 1, rows 2-5, blank 6, 7, repeat at 8
    assert list(result.events["event_id"]).count(result.events["event_id"][4]) == 1


def test_write_folder_streams_the_events_it_never_held(tmp_path, monkeypatch):
    monkeypatch.setattr(importers, "IMPORT_CHUNK_ROWS", 50)
    streamed = importers.import_export(real("ucdp_ged_sample.csv"))
    importers.write_folder(streamed, tmp_path)
    written = pd.read_csv(tmp_path / "events.csv", dtype=str, keep_default_na=False)
    whole = importers.import_file(real("ucdp_ged_sample.csv")).events
    assert written.values.tolist() == whole.values.tolist()
    assert not loader.load_dataset(tmp_path).errors


def test_nul_bytes_with_windows_line_ends_keep_row_numbers(tmp_path):
    """UTF-16 saved without its byte-order mark reads as UTF-8 text with a NUL after every
    character: the NULs go before the text is split into lines, so "\\r\\x00\\n" ends one
    line and the rows keep their numbers."""
    lines = real("acled_2022_iraq.csv").read_text(encoding="utf-8").splitlines()[:30]
    plain, wide = tmp_path / "plain.csv", tmp_path / "wide.csv"
    plain.write_bytes("\r\n".join(lines).encode("utf-8") + b"\r\n")
    wide.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    expected, found = importers.import_file(plain), importers.import_file(wide)
    assert any("holds NUL bytes" in n for n in found.notes)

    def flagged(result):
        return [n for n in result.notes if n.startswith("Rows with ACLED time_precision")]

    assert flagged(found) == flagged(expected) and flagged(expected)
    assert found.events.values.tolist() == expected.events.values.tolist()


def test_a_header_cell_with_a_line_break_is_one_cell(tmp_path):
    lines = real("acled_2022_iraq.csv").read_text(encoding="utf-8").splitlines()[:10]
    path = tmp_path / "acled.csv"
    path.write_text('"first\nnote",' + lines[0] + "\n"
                    + "\n".join("q," + line for line in lines[1:]) + "\n", encoding="utf-8")
    assert importers.detect_format(path) == "acled"
    result = importers.import_file(path)
    assert len(result.events) == 9
    assert result.notes[0].startswith("Read 9 data rows")
    assert list(result.events["event_id"]) == [line.split(",")[0] for line in lines[1:]]


def test_a_source_whose_title_has_no_letters_gets_a_readable_id():
    """UCDP names a source "." in its sample: its id was "src-", which reads as a cut-off id."""
    sources = importers.import_file(real("ucdp_ged_sample.csv")).tables["sources"]
    assert not sources["source_id"].str.endswith("-").any()
    assert sources.loc[sources["title"] == ".", "source_id"].tolist() == ["src-untitled"]
