"""Adding an export to the current data (components.merge): matches by name and alias, ids
kept apart, references pointed at what they became, nothing else touched."""

from __future__ import annotations

from components import datastore, importers, loader, merge
from tests.conftest import shared_path


def imported(name: str):
    return importers.import_file(shared_path("realdata", name))


def test_matches_are_proposed_by_name_or_alias_and_say_why(data_copy):
    current = merge.current_tables(data_copy)
    found = {(m.table, m.imported_name): (m.existing_id, m.why)
             for m in merge.propose_matches(current, imported("acled_2022_iraq.csv").tables)}
    assert found[("actors", "Badr Organization")] == ("badr", "'Badr Organization' is one of "
                                                      "its aliases")
    assert found[("locations", "Baghdad")][1] == "same name"
    assert found[("locations", "Erbil")][0] == "irbil"


def test_added_events_keep_their_ids_apart_and_point_at_matched_rows(data_copy):
    result = imported("acled_2022_iraq.csv")
    current = merge.current_tables(data_copy)
    accepted = merge.propose_matches(current, result.tables)
    tables, already = merge.merged(current, result.tables, result.source_format, accepted)
    assert already == 0
    events = tables["events"]
    assert len(events) == len(current["events"]) + 221
    added = events.iloc[len(current["events"]):]
    assert added["event_id"].str.startswith("acled-").all()
    assert events["event_id"].is_unique
    badr = next(m.imported_id for m in accepted if m.existing_id == "badr")
    named = added["actor1"] + ";" + added["actor2"] + ";" + added["assoc_actors"]
    assert named.str.split(";").map(lambda ids: "badr" in ids).any()
    assert badr == "badr" or not named.str.split(";").map(lambda ids: badr in ids).any()
    assert (added["location"] == "irbil").any()
    # the curated rows are untouched
    kept = events.iloc[: len(current["events"])]
    assert kept.values.tolist() == current["events"].values.tolist()


def test_an_added_export_passes_every_check_and_leaves_claims_and_briefing(data_copy):
    acled = shared_path("realdata", "acled_2022_iraq.csv").read_bytes()
    staged = datastore.stage_upload(data_copy, [("acled.csv", acled)])
    try:
        result = loader.load_dataset(staged.folder)
        assert not result.errors
        assert not [p for p in result.warnings if p.file in ("events.csv", "actors.csv")]
        assert set(staged.files) == {"events.csv", "actors.csv", "locations.csv", "sources.csv"}
        for kept in ("claims.csv", "briefing.csv", "relations.csv", "periods.csv"):
            assert (staged.folder / kept).read_bytes() == (data_copy / kept).read_bytes()
    finally:
        datastore.discard(staged)


def test_an_export_added_to_a_parquet_folder_keeps_its_events(data_copy):
    from tests.test_eventstore import as_parquet

    as_parquet(data_copy)
    acled = shared_path("realdata", "acled_2022_iraq.csv").read_bytes()
    staged = datastore.stage_upload(data_copy, [("acled.csv", acled)])
    try:
        curated = len(loader.load_dataset(data_copy).dataset.events)
        assert len(loader.load_dataset(staged.folder).dataset.events) == curated + 221
    finally:
        datastore.discard(staged)


def test_matches_are_found_when_the_current_tables_have_no_aliases_column(data_copy):
    current = merge.current_tables(data_copy)
    without = {name: frame.drop(columns="aliases", errors="ignore")
               for name, frame in current.items()}
    found = merge.propose_matches(without, imported("acled_2022_iraq.csv").tables)
    assert {(m.table, m.imported_name) for m in found} >= {("locations", "Baghdad"),
                                                          ("locations", "Mosul")}


def test_an_export_added_twice_adds_its_events_once(data_copy):
    acled = shared_path("realdata", "acled_2022_iraq.csv").read_bytes()
    once = datastore.stage_upload(data_copy, [("acled.csv", acled)])
    try:
        twice = datastore.stage_upload(once.folder, [("acled.csv", acled)])
        try:
            events = loader.load_dataset(twice.folder).dataset.events
            assert len(events) == len(loader.load_dataset(once.folder).dataset.events)
            assert events["event_id"].is_unique
            assert any("221 of its events were left out" in m for m in twice.messages)
        finally:
            datastore.discard(twice)
    finally:
        datastore.discard(once)


def test_adding_to_a_folder_a_chunk_at_a_time_gives_what_merged_gives(data_copy, monkeypatch):
    """merge.add_to_folder (the Data page's path: the events streamed, never held) writes
    the tables merge.merged computes from whole frames, and counts the same."""
    import pandas as pd

    monkeypatch.setattr(importers, "IMPORT_CHUNK_ROWS", 40)
    current = merge.current_tables(data_copy)
    whole = imported("acled_2022_iraq.csv")
    accepted = merge.propose_matches(current, whole.tables)[:3]
    expected, already = merge.merged(current, whole.tables, whole.source_format, accepted)
    streamed = importers.import_export(shared_path("realdata", "acled_2022_iraq.csv"))
    gained, streamed_already = merge.add_to_folder(data_copy, streamed, accepted)
    assert streamed_already == already == 0
    for name, frame in expected.items():
        written = pd.read_csv(data_copy / f"{name}.csv", dtype=str, keep_default_na=False)
        assert written.values.tolist() == frame.values.tolist(), name
        assert gained[name] == len(frame) - len(current[name])
    assert gained["events"] == 221


def test_adding_to_a_folder_whose_events_lack_a_final_line_end(data_copy):
    path = data_copy / "events.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))
    before = len(loader.load_dataset(data_copy).dataset.events)
    streamed = importers.import_export(shared_path("realdata", "ucdp_ged_sample_iraq.csv"))
    gained, _ = merge.add_to_folder(data_copy, streamed, [])
    result = loader.load_dataset(data_copy)
    assert len(result.dataset.events) == before + gained["events"] == before + 19
    assert not result.errors


def test_a_large_export_imported_in_a_child_process_stages_what_one_in_process_does(
        data_copy, monkeypatch):
    """Past IMPORT_APART_FROM_BYTES an export is converted by a child process (what the
    conversion leaves with the allocator goes with it): the staged files, messages and
    proposed matches are those an import in the server's own process gives."""
    acled = shared_path("realdata", "acled_2022_iraq.csv").read_bytes()
    inside = datastore.stage_upload(data_copy, [("acled.csv", acled)])
    monkeypatch.setattr(datastore, "IMPORT_APART_FROM_BYTES", 0)
    apart = datastore.stage_upload(data_copy, [("acled.csv", acled)])
    try:
        assert (apart.files, apart.messages, apart.matches) == (
            inside.files, inside.messages, inside.matches)
        for name in inside.files:
            assert (apart.folder / name).read_bytes() == (inside.folder / name).read_bytes()
    finally:
        datastore.discard(inside)
        datastore.discard(apart)


def test_a_failed_child_import_is_a_sentence(data_copy, monkeypatch):
    monkeypatch.setattr(datastore, "IMPORT_APART_FROM_BYTES", 0)
    monkeypatch.setenv("PYTHONPATH", "")
    acled = shared_path("realdata", "acled_2022_iraq.csv").read_bytes()
    monkeypatch.setattr("sys.executable", "/bin/false")
    staged = datastore.stage_upload(data_copy, [("acled.csv", acled)])
    try:
        assert staged.messages == ["acled.csv could not be imported (exit status 1); nothing "
                                   "was taken from it."]
        assert staged.files == []
    finally:
        datastore.discard(staged)


def test_an_import_that_fails_part_way_leaves_the_staged_tables_as_they_were(
        data_copy, monkeypatch):
    """Every table is written aside and put in place only at the end: an import killed or
    failing while it writes the events leaves actors, places, sources and events untouched."""
    before = {p.name: p.read_bytes() for p in data_copy.glob("*.csv")}
    streamed = importers.import_export(shared_path("realdata", "acled_2022_iraq.csv"))

    original = streamed.event_chunks

    def failing_chunks():
        yield next(iter(original()))
        raise OSError("No space left on device")

    monkeypatch.setattr(streamed, "event_chunks", failing_chunks)
    try:
        merge.add_to_folder(data_copy, streamed, [])
    except OSError:
        pass
    else:
        raise AssertionError("the failure was swallowed")
    assert {p.name: p.read_bytes() for p in data_copy.glob("*.csv")} == before


def test_a_killed_child_import_leaves_nothing_half_applied(data_copy, monkeypatch):
    """A child import killed part way (for memory, say) is a sentence, and what it wrote
    aside is removed: the staged tables are those of the current data."""
    import pickle
    import re
    import subprocess

    monkeypatch.setattr(datastore, "IMPORT_APART_FROM_BYTES", 0)

    def killed(args, **kwargs):  # writes a table aside, then dies as a killed process does
        order = re.search(r"_import_child\('([^']+)'", args[-1]).group(1)
        staged, _, _ = pickle.loads(open(order, "rb").read())
        (staged.folder / ".actors.csv.partial").write_text("half")
        return subprocess.CompletedProcess(args, -9, "", "")

    monkeypatch.setattr(subprocess, "run", killed)
    acled = shared_path("realdata", "acled_2022_iraq.csv").read_bytes()
    staged = datastore.stage_upload(data_copy, [("acled.csv", acled)])
    try:
        assert staged.messages == ["acled.csv could not be imported (exit status -9); nothing "
                                   "was taken from it."]
        assert not list(staged.folder.glob(".*.partial"))
        for name in ("actors.csv", "events.csv", "locations.csv", "sources.csv"):
            assert (staged.folder / name).read_bytes() == (data_copy / name).read_bytes()
    finally:
        datastore.discard(staged)
