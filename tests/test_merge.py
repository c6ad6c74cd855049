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
