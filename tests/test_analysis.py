"""Analysis depth, core: profiles, search, claims, uncertainty in words, the network over time."""

from __future__ import annotations

from datetime import date

import pytest

from components import loader, profiles, search, selection, timeslice
from tests.conftest import DATA, set_cell


@pytest.fixture(scope="module")
def ds():
    return loader.load_dataset(DATA).dataset


@pytest.fixture(scope="module")
def index(ds):
    return search.build_index(ds)


# ---------------------------------------------------------------------------------------------
# Search


@pytest.mark.parametrize("query,kind,ident", [
    ("Quds", "actor", "irgc-qf"),
    ("Qods Force", "actor", "irgc-qf"),
    ("Sulleimani", "actor", "soleimani"),
    ("Suleimany", "actor", "soleimani"),  # a spelling in no alias: caught by its consonants
    ("Erbil", "place", "irbil"),
    ("Arbil", "place", "irbil"),
    ("Irbil", "place", "irbil"),
    ("Jaysh al-Mahdi", "actor", "jam"),
    ("khazaly", "actor", "khazali"),
    ("Daqdouq", "actor", "daqduq"),
])
def test_search_forgives_spelling_variants(index, query, kind, ident):
    hits = search.search(index, query)
    assert (hits.iloc[0]["kind"], hits.iloc[0]["id"]) == (kind, ident)


def test_search_finds_events_by_words_in_their_description(index, ds):
    hits = search.search(index, "EFP")
    events = hits[hits["kind"] == "event"]
    assert len(events) >= 1
    described = ds.events.set_index("event_id").loc[events["id"], "description"]
    assert described.str.contains("EFP").all()


def test_events_are_found_by_their_words_through_the_query_layer(ds):
    """The index keeps one entry per actor and place; events are asked of the event store by
    every query word; the same events come back as the descriptions hold."""
    large = search.build_index(ds)
    assert large.event_store is ds.event_store
    assert {e.kind for e in large.entries} == {"actor", "place"}
    hits = search.search(large, "EFP", limit=50)
    events = hits[hits["kind"] == "event"]
    described = ds.events.set_index("event_id")["description"]
    expected = set(described.index[described.str.lower().str.contains("efp")])
    assert set(events["id"]) == expected and expected
    assert search.search(large, "Quds")["id"].iloc[0] == "irgc-qf"  # actors still forgiving
    two_words = search.search(large, "EFP Basra", limit=50)
    for ident in two_words.loc[two_words["kind"] == "event", "id"]:
        text = (described[ident] + " " + ds.events.set_index("event_id").loc[ident, "place_name"]).lower()
        assert "efp" in text and "basra" in text


def test_search_with_nothing_to_find(index):
    assert search.search(index, "zzzzqqq").empty
    assert search.search(index, " ").empty


def test_consonant_skeleton():
    assert search.consonant_skeleton("sulleimani") == search.consonant_skeleton("soleimani")
    assert search.consonant_skeleton("erbil") == search.consonant_skeleton("irbil")


# ---------------------------------------------------------------------------------------------
# Actor profile


def test_qods_force_relations_list_hezbollah_and_special_groups_with_sources(ds):
    table = profiles.actor_relations_table(ds, "irgc-qf")
    others = set(table["other actor"])
    assert {"Lebanese Hezbollah", "Special Groups"} <= others
    arms = table[(table["type"] == "arms") & (table["other actor"] == "Special Groups")].iloc[0]
    assert arms["direction"] == "outgoing" and arms["claim status"] == "disputed"
    assert "isw (B)" in arms["sources"]
    founded = table[table["type"] == "founded"].iloc[0]
    assert founded["direction"] == "incoming"
    assert founded["relation"] == "Ayatollah Ruhollah Khomeini founded IRGC-Qods Force"


def test_profile_fields_in_words(ds):
    profile = profiles.actor_profile(ds, "irgc-qf")
    assert profile["Type"] == "intelligence or paramilitary unit"
    assert "Quds Force" in profile["Also known as"]
    assert "reliability B" in profile["Sources"]
    assert profiles.actor_profile(ds, "no-such-actor") == {}


def test_ego_network_grows_with_hops(ds):
    one = profiles.ego_relations(ds.relations, "daqduq", 1)
    two = profiles.ego_relations(ds.relations, "daqduq", 2)
    assert ((one["source"] == "daqduq") | (one["target"] == "daqduq")).all()
    assert len(two) > len(one)
    reach = profiles.ego_actor_ids(ds.relations, "daqduq", 1)
    assert two["source"].isin(reach).__or__(two["target"].isin(reach)).all()


def citing_rows(ds, actor_id: str) -> dict[str, int]:
    """Rows of the actor's profile, its relations and the events naming it, per source cited,
    counted straight from the tables."""
    counted: dict[str, int] = {}
    actor = ds.actors.set_index("actor_id").loc[actor_id]
    relations = ds.relations[(ds.relations["source"] == actor_id)
                             | (ds.relations["target"] == actor_id)]
    events = ds.events[[actor_id in (a1, a2, *assoc) for a1, a2, assoc in
                        zip(ds.events["actor1"], ds.events["actor2"], ds.events["assoc_actors"])]]
    for cited in [actor["source_ids"], *relations["source_ids"], *events["source_ids"]]:
        for source_id in cited:
            counted[source_id] = counted.get(source_id, 0) + 1
    return counted


def test_actor_sources_count_every_citing_row_with_reliability(ds):
    named = selection.actor_events(ds, "irgc-qf")
    sources = profiles.actor_sources(ds, "irgc-qf", named.citations()).set_index("source")
    expected = citing_rows(ds, "irgc-qf")
    assert dict(sources["rows citing it"]) == expected
    assert expected["isw"] > 11 and expected["enc"] > 5  # more than the store once listed
    assert sources.loc["isw", "reliability"].startswith("B")
    assert "events" in sources.loc["isw", "cited for"]
    sections = sources.loc["isw", "sections"]
    assert sections and "../shared" not in sections


# ---------------------------------------------------------------------------------------------
# Event details and precision in words


def test_event_details_spell_out_precision(ds):
    month_event = ds.events[(ds.events["time_precision"] == "month")
                            & (ds.events["event_date"] == "2006-05")].iloc[0]
    details = profiles.event_details(ds, month_event["event_id"])
    assert details["When"] == "date known to the month: May 2006"
    assert "reliability B" in details["Sources"]
    assert details["Claim status"].startswith(month_event["claim_status"] + ":")


def test_event_place_precision_in_words(ds):
    karbala = ds.events[ds.events["location"] == "karbala-pjcc"].iloc[0]
    assert "at the named place" in profiles.event_details(ds, karbala["event_id"])["Where"]
    region = ds.events[ds.events["geo_precision"] == "region"].iloc[0]
    assert "drawn at its centre" in profiles.event_details(ds, region["event_id"])["Where"]
    unplaced = ds.events[ds.events["location"] == ""].iloc[0]
    assert "no place" in profiles.event_details(ds, unplaced["event_id"])["Where"]


def test_event_actor_links(ds):
    links = profiles.event_actor_links(ds, "ev-039")
    assert links[0][:2] == ("main actor", "coalition")
    assert {a for _, a, _ in links} >= {"coalition", "khazali", "daqduq"}
    # Khomeini created the Qods Force: its second actor, not "the other side" of a clash
    created = profiles.event_actor_links(ds, "ev-001")
    assert ("second actor", "irgc-qf") in [link[:2] for link in created]
    assert profiles.event_details(ds, "ev-001")["Second actor"] == "IRGC-Qods Force"
    assert not any(role == "other side" for role, _, _ in links + created)


def test_an_events_summary_is_its_date_and_what_happened_or_its_type_and_place(ds):
    row = ds.events.set_index("event_id").loc["ev-002"].to_dict()
    assert profiles.event_summary(row).startswith("Sep 1980 to 1988 (month only) · The Iran")
    silent = {**row, "description": ""}  # the contract allows an event without words
    assert profiles.event_summary(silent) == profiles.event_label({**silent, "date_note": ""})
    assert not profiles.event_summary(silent).endswith("· ")


# ---------------------------------------------------------------------------------------------
# Claims


def test_claims_put_assertion_and_denial_of_iranian_arming_side_by_side(ds):
    groups = profiles.claims_by_subject(ds)
    subject, group = groups[0]
    assert "Special Groups" in subject
    stances = dict(zip(group["claimant"], group["stance"]))
    assert stances["isw"] == "asserts"
    assert stances["iran"] == "denies"
    assert "doubts" in set(group["stance"])
    assert all("reliability" in c for c in group["cited"])


def test_claims_filter_by_words(ds):
    groups = profiles.claims_by_subject(ds, "Dubik")
    claims = ds.claims
    expected = set(claims.loc[claims["statement"].str.contains("Dubik")
                              | claims["subject"].str.contains("Dubik")
                              | (claims["claimant"] == "dubik"), "subject"])
    assert expected and {subject for subject, _ in groups} == expected
    assert all(any("Dubik" in " ".join(group[col]) for col in ("claimant_name", "statement"))
               for _, group in groups)


def test_claims_loader_checks_claimant_and_subject(data_copy):
    row = set_cell(data_copy / "claims.csv", 0, "claimant", "Nobody at all")
    row2 = set_cell(data_copy / "claims.csv", 1, "subject_type", "event")
    set_cell(data_copy / "claims.csv", 1, "subject_id", "ev-999")
    result = loader.load_dataset(data_copy)
    sentences = [p.sentence() for p in result.problems]
    assert any(f"claims.csv, row {row}, column 'claimant'" in s for s in sentences)
    assert any(f"claims.csv, row {row2}, column 'subject_id'" in s and "ev-999" in s
               for s in sentences)


def test_claimant_may_be_a_name(data_copy):
    set_cell(data_copy / "claims.csv", 0, "claimant", "General Petraeus")
    claims = loader.load_dataset(data_copy).dataset.claims
    assert claims.loc[0, "claimant"] == "petraeus" and claims.loc[0, "claimant_kind"] == "actor"


def test_claims_file_is_optional(data_copy):
    (data_copy / "claims.csv").unlink()
    result = loader.load_dataset(data_copy)
    # only the briefing's evidence, which cites claims, notices they are gone
    assert {(p.file, p.column) for p in result.problems} <= {("briefing.csv", "evidence")}
    assert result.dataset.claims.empty
    assert profiles.claims_by_subject(result.dataset) == []


# ---------------------------------------------------------------------------------------------
# The network through time


def test_special_groups_leaders_links_form_in_2006_and_end_with_their_capture(ds):
    def leader_links(on):
        active, _ = timeslice.relations_as_of(ds.relations, on)
        return set(active.loc[active["source"].isin(["daqduq", "khazali"]), "relation"])

    assert leader_links(date(2005, 6, 1)) == set()
    assert leader_links(date(2006, 7, 1)) == {"advises", "leads"}
    assert leader_links(date(2007, 6, 1)) == set()


def test_actor_status_as_of(ds):
    before = timeslice.actor_status_as_of(ds.actors, date(2005, 1, 1))
    after = timeslice.actor_status_as_of(ds.actors, date(2007, 6, 1))
    assert before["daqduq"] == timeslice.NOT_YET
    assert after["daqduq"] == timeslice.ENDED and after["khazali"] == timeslice.ENDED
    assert after["irgc-qf"] == timeslice.ACTIVE
    assert after["hezbollah"] == timeslice.UNKNOWN


def test_undated_relations_are_counted_apart(ds):
    active, undated = timeslice.relations_as_of(ds.relations, date(2006, 7, 1))
    no_dates = ds.relations["period_start"].isna() & ds.relations["period_end"].isna()
    assert undated == int(no_dates.sum())
    assert active["relation_id"].isin(ds.relations.loc[~no_dates, "relation_id"]).all()


def test_month_steps():
    steps = timeslice.month_steps(date(2006, 11, 15), date(2007, 2, 3))
    assert steps == [date(2006, 11, 1), date(2006, 12, 1), date(2007, 1, 1), date(2007, 2, 1)]
