"""Each filter declared once (components.filterdefs): the sidebar, chips, query, briefing steps
and pages follow the declarations, and the filters that once went silently wrong hold."""

from __future__ import annotations

import dataclasses
from datetime import date

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components import briefing, contract, filterdefs, loader, selection
from components import filters as f
from tests.apptest_helpers import run_app


@pytest.fixture(scope="module")
def ds():
    return loader.load_dataset().dataset

EVERY_FILTER = f.Filters(
    date_from=date(2006, 1, 1), date_to=date(2007, 12, 31), date_rule=f.WITHIN,
    actors=("irgc-qf", "kh"), include_linked=True, actor_types=("state",),
    event_types=("armed attack", "kidnapping"), claim_statuses=("alleged",),
    places=("karbala", "province:Diyala"), text="Karbala", min_reliability="B",
    min_credibility="3")


def test_every_filters_field_is_declared_once():
    declared = [name for d in filterdefs.FILTERS for name in d.fields]
    assert sorted(declared) == sorted(f.Filters.__dataclass_fields__)
    keys = [key for d in filterdefs.FILTERS for key in d.keys]
    assert len(keys) == len(set(keys))


def test_every_declared_briefing_column_is_in_the_contract():
    assert set(filterdefs.briefing_columns()) <= set(contract.BRIEFING.column_names)


def test_a_briefing_step_carries_every_filter():
    step = briefing.step_from_filters(1, "All of them", "", EVERY_FILTER)
    assert briefing.step_filters(step) == EVERY_FILTER
    # and through the file: written as briefing.csv text, read back by the loader's rules
    text = briefing.to_csv_text([step])
    header = text.splitlines()[0].split(",")
    assert {"provinces", "event_types", "min_reliability", "text"} <= set(header)


def test_every_chip_removes_only_its_own_filter():
    for name, value in EVERY_FILTER.active():
        left = EVERY_FILTER.without(name, value)
        assert (name, value) not in left.active()
        others = [chip for chip in EVERY_FILTER.active() if chip[0] != name]
        if name == "dates":  # the date rule means nothing without dates
            others = [chip for chip in others if chip[0] != "date_rule"]
        assert [chip for chip in left.active() if chip[0] != name] == others


def test_a_city_filter_keeps_the_events_of_the_places_within_it(ds):
    """Karbala city has no events of its own: they sit at the Provincial Joint Coordination
    Center, which locations.csv places within it."""
    within = set(ds.locations.loc[ds.locations["within"] == "karbala", "location_id"])
    assert within == {"karbala-pjcc"}
    matching = selection.matching_events(ds, f.Filters(places=("karbala",)))
    expected = ds.events[ds.events["location"].isin({"karbala"} | within)]
    assert set(matching["event_id"]) == set(expected["event_id"]) and len(expected)


def test_a_province_or_country_place_keeps_the_places_in_it(ds):
    in_diyala = set(ds.locations.loc[ds.locations["admin1"] == "Diyala", "location_id"])
    matching = selection.matching_events(ds, f.Filters(places=("diyala",)))
    assert set(matching["location"]) <= in_diyala
    assert set(matching["event_id"]) == set(
        ds.events.loc[ds.events["location"].isin(in_diyala), "event_id"])
    in_iraq = set(ds.locations.loc[ds.locations["country"] == "Iraq", "location_id"])
    iraq = selection.matching_events(ds, f.Filters(places=("iraq",)))
    assert set(iraq["event_id"]) == set(
        ds.events.loc[ds.events["location"].isin(in_iraq), "event_id"])
    assert len(iraq) > len(matching)


def test_a_within_that_names_no_place_or_loops_is_reported(data_copy):
    from components import loader
    from tests.conftest import read_rows, write_rows

    rows = read_rows(data_copy / "locations.csv")
    column = rows[0].index("within")
    by_id = {r[0]: r for r in rows[1:]}
    by_id["basra"][column] = "atlantis"
    by_id["baghdad"][column] = "green-zone"  # green-zone is within baghdad: a loop
    write_rows(data_copy / "locations.csv", rows)
    result = loader.load_dataset(data_copy)
    sentences = [p.sentence() for p in result.problems if p.column == "within"]
    assert any("locations.csv, row" in s and "'atlantis' is not a location_id" in s
               for s in sentences)
    assert any("would lie within itself" in s for s in sentences)
    kept = result.dataset.locations.set_index("location_id")["within"]
    assert kept["basra"] == "" and "" in (kept["baghdad"], kept["green-zone"])


def test_a_briefing_step_added_from_a_province_view_keeps_the_province(ds):
    filtered = f.Filters(date_from=date(2006, 1, 1), date_to=date(2007, 12, 31),
                         places=("province:Diyala",))
    step = briefing.step_from_filters(1, "Diyala, 2006-2007", "", filtered)
    assert step["provinces"] == ("Diyala",)
    in_step = selection.matching_events(ds, briefing.step_filters(step))
    assert len(in_step) and set(in_step["admin1"]) == {"Diyala"}
    window = selection.matching_events(ds, dataclasses.replace(filtered, places=()))
    assert len(window) > len(in_step)  # what the step showed when it dropped the province


def test_the_claims_page_follows_the_sidebar(ds):
    everything = run_app("app_pages/claims.py")
    disputed = run_app("app_pages/claims.py", params={"claims": "disputed"})
    assert not disputed.exception
    subjects = {h.value for h in disputed.subheader}
    assert 0 < len(subjects) < len({h.value for h in everything.subheader})
    relations, matching = selection.filtered(ds, f.Filters(claim_statuses=("disputed",)))
    claims = ds.claims
    about_view = claims[((claims["subject_type"] == "relation")
                         & claims["subject_id"].isin(set(relations["relation_id"])))
                        | ((claims["subject_type"] == "event") & claims["subject_id"].isin(
                            set(selection.matching_events(
                                ds, f.Filters(claim_statuses=("disputed",)))["event_id"])))]
    assert {s.replace("\\", "") for s in subjects} == set(about_view["subject"])
    assert any("Narrowed by the sidebar's filters" in c.value for c in disputed.caption)


def test_the_event_page_says_when_the_event_is_outside_the_filters(ds):
    statement = ds.events.loc[ds.events["event_type"] == "statement", "event_id"].iloc[0]
    at = run_app("app_pages/event.py", params={"event": statement, "event_types": "kidnapping"})
    assert any("does not match the sidebar's filters" in w.value
               and "Event type: kidnapping" in w.value for w in at.warning)
    at = run_app("app_pages/event.py", params={"event": statement})
    assert not [w for w in at.warning if "does not match" in w.value]


@pytest.mark.parametrize("name", [d.name for d in filterdefs.FILTERS])
def test_each_declaration_narrows_or_says_why_not(ds, name):
    """Every declaration with events conditions narrows the events for the value it is given
    in EVERY_FILTER (alone), and every declaration shows a chip for it."""
    declared = filterdefs.BY_NAME[name]
    alone = dataclasses.replace(f.Filters(), **{field: getattr(EVERY_FILTER, field)
                                                for field in declared.fields})
    if name == "date_rule":  # a rule narrows only within a date window
        alone = dataclasses.replace(alone, date_from=EVERY_FILTER.date_from,
                                    date_to=EVERY_FILTER.date_to)
    if name == "include_linked":
        alone = dataclasses.replace(alone, actors=EVERY_FILTER.actors)
    assert any(chip[0] == name for chip in alone.active())
    if declared.events(ds, alone):
        every = selection.select(ds, f.Filters()).facts["events"]
        assert selection.select(ds, alone).facts["events"] < every


# ---------------------------------------------------------------------------------------------
# The address: ids, current the same run, old label links still understood


def share_code(at) -> str:
    return next(c.value for c in at.code if c.value.startswith("http") or "?" in c.value)


def test_the_address_carries_ids_and_follows_a_change_the_same_run(ds):
    at = run_app()
    at.sidebar.multiselect(key="actors").set_value(["irgc-qf"]).run()
    at.sidebar.multiselect(key="places").set_value(["karbala", "province:Diyala"]).run()
    assert at.query_params["actors"] == "irgc-qf"
    assert at.query_params["places"] == ["karbala", "province:Diyala"]
    assert "actors=irgc-qf" in share_code(at) and "places=karbala" in share_code(at)
    at.button(key="chip-clear-all").click().run()
    assert "actors" not in at.query_params and "places" not in at.query_params


def test_a_find_link_to_a_place_opens_the_map_filtered_to_it():
    at = run_app()
    at.sidebar.text_input(key="find").set_value("Karbala").run()
    link = next(p for p in at.get("page_link") if p.proto.label.endswith("(place)")
                and p.proto.label.startswith("Karbala"))
    assert link.proto.query_string == "places=karbala"  # an id: no label to mis-encode
    at = run_app("app_pages/map.py", params={"places": "karbala"})
    assert any(b.label.startswith("Place: Karbala (city)") for b in at.button)
    events = {m.label: m.value for m in at.metric}.get("Events")
    assert events is None or int(events) > 0


@pytest.mark.parametrize("value", ["karbala", "Karbala (city)"])
def test_old_label_links_and_id_links_both_open_the_filter(value):
    at = run_app(params={"places": value})
    assert at.sidebar.multiselect(key="places").value == ["karbala"]
    assert at.query_params["places"] == "karbala"  # rewritten as the id


def test_the_network_step_buttons_are_in_the_shared_link_at_once():
    at = run_app("app_pages/network.py", params={"as_of_on": "true"})
    assert at.select_slider(key="as_of").value == "2006-07"
    at.button(key="as_of_1").click().run()
    assert at.select_slider(key="as_of").value == "2006-08"
    assert at.query_params["as_of"] == "2006-08"
    assert "as_of=2006-08" in share_code(at)
    reopened = run_app("app_pages/network.py", params={"as_of_on": "true", "as_of": "2006-08"})
    assert reopened.select_slider(key="as_of").value == "2006-08"


def test_the_text_filter_and_find_search_words_as_they_are_stored(data_copy):
    """One word form (filterdefs.WORD_FORM) for the stored words and for what is searched:
    words a Python normalisation would spell otherwise (ß, a final sigma) are still found."""
    from components import eventstore, search
    from tests.conftest import set_cell

    set_cell(data_copy / "events.csv", 0, "description", "Talks at the Straße office, Αθήνας")
    dataset = loader.load_dataset(data_copy).dataset
    for text in ("Straße", "straße office", "Αθήνας", "αθηνας"):
        assert selection.select(dataset, f.Filters(text=text)).facts["events"] >= 1, text
    hits = search.search(search.build_index(dataset), "Straße")
    assert "event" in set(hits["kind"])
    assert filterdefs.words_key("  Qods Force’s EFPs; Iran–Iraq War ") == (
        "qods force s efps iran iraq war")
    assert eventstore.filterdefs is filterdefs  # the store makes its words with the same form


# text as descriptions and ids are written: mostly plain words, with capitals, punctuation,
# doubled or edge spaces, accents, other scripts and digits from other scripts
_WORDISH = st.text(alphabet=st.sampled_from(
    list("abcXYZ09_ ") + list(" ,.-'’;()") + list("éÉßΑθήςç٣") + ["\t", "\n"]), max_size=24)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDISH, min_size=1, max_size=40))
def test_the_word_form_is_the_full_form_whichever_way_it_is_worked_out(texts):
    """WORD_FORM only lowers text that is plain ASCII words one space apart, and works out
    the rest in full: the two give the same words for any text."""
    con = duckdb.connect(":memory:")
    con.register("texts", pa.table({"text": pa.array(texts, type=pa.string())}))
    quick, full = con.sql(
        f"SELECT list({filterdefs.WORD_FORM.format('text')}),"
        f" list({filterdefs.WORD_FORM_IN_FULL.format('text')}) FROM texts").fetchall()[0]
    assert quick == full
    assert filterdefs.words_key(texts[0]) == full[0]


def test_plain_words_are_only_lowered_and_the_rest_is_worked_out_in_full():
    assert filterdefs.words_key("Synthetic event 12") == "synthetic event 12"
    assert filterdefs.words_key("Kata'ib Hezbollah  EFP_cache") == "kata ib hezbollah efp_cache"
    assert filterdefs.words_key(" Basra") == "basra"
    assert filterdefs.words_key("Qods Force, Irbil") == "qods force irbil"
    assert filterdefs.words_key("Müller") == "muller"
