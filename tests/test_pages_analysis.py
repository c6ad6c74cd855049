"""AppTest: actor, event, claims and help pages; the Find box; the network as of a date."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.apptest_helpers import (
    all_rows,
    chart_titled,
    echarts_titled,
    graph_nodes,
    graph_relations,
    run_app,
)


def page_links(at) -> list[str]:
    return [e.proto.label for e in at.get("page_link")]


def test_actor_page_for_the_qods_force_lists_its_relations_with_sources():
    at = run_app("app_pages/actor.py")
    at.query_params["actor"] = "irgc-qf"
    at.run()
    assert at.title[0].value == "IRGC-Qods Force"
    table = next(df.value for df in at.dataframe if "relation" in df.value.columns)
    assert {"Lebanese Hezbollah", "Special Groups"} <= set(table["other actor"])
    to_sg = table[table["other actor"] == "Special Groups"]
    assert set(to_sg["claim status"]) == {"disputed"}
    assert to_sg["sources"].str.contains(r"isw \(B\)").all()
    sources = next(df.value for df in at.dataframe if "reliability" in df.value.columns)
    assert "isw" in set(sources["source"])
    # its events on a small map and timeline, each event linked to its page
    assert at.get("deck_gl_json_chart")
    assert chart_titled(at, "Timeline")
    assert any("Karbala" in label for label in page_links(at))


def test_actor_page_ego_network_two_hops_is_larger():
    at = run_app("app_pages/actor.py")
    at.query_params["actor"] = "daqduq"
    at.run()
    one = graph_nodes(echarts_titled(at, "Within 1 relation"))
    at.segmented_control(key="hops").set_value(2).run()
    two = graph_nodes(echarts_titled(at, "Within 2 relations"))
    assert "daqduq" in set(one["actor_id"])
    assert two["actor_id"].nunique() > one["actor_id"].nunique()


def test_year_precision_event_is_a_span_on_the_actor_timeline():
    at = run_app("app_pages/actor.py")
    at.query_params["actor"] = "irgc-qf"
    at.run()
    marks = all_rows(chart_titled(at, "Timeline")).dropna(subset=["event_id"])
    year = marks[marks["precision_text"] == "date known to the year"]
    assert len(year) > 0 and year["is_span"].all()
    days = (pd.to_datetime(year["end"]) - pd.to_datetime(year["start"])).dt.days
    assert (days >= 365).all()


def test_event_page_spells_out_precision_and_links_actors():
    at = run_app("app_pages/event.py")
    at.query_params["event"] = "ev-026"  # the May 2006 reorganisation of the Special Groups
    at.run()
    text = " ".join(m.value for m in at.markdown)
    assert "date known to the month: May 2006" in text.replace("\\", "")
    assert "reliability B" in text.replace("\\", "")
    links = page_links(at)
    assert any(label.startswith("IRGC-Qods Force") for label in links)
    assert any(label.startswith("Special Groups") for label in links)


def test_claims_page_puts_assertion_and_denial_side_by_side():
    at = run_app("app_pages/claims.py")
    first_assert = next(c for c in at.columns if c.markdown and c.markdown[0].value == "**Asserts**")
    first_deny = next(c for c in at.columns
                      if c.markdown and c.markdown[0].value == "**Denies or doubts**")
    asserted = " ".join(m.value for m in first_assert.markdown)
    denied = " ".join(m.value for m in first_deny.markdown)
    assert "**Institute for the Study of War** · asserts" in asserted
    assert "**Iran** · denies" in denied
    assert at.subheader[0].value.startswith("Iran's Qods Force and Hezbollah arm")
    assert any("reliability B" in c.value for c in at.caption)
    # each claimant's profile link is short enough for a card a third of the page wide (its
    # name heads the card); the tooltip names whose profile it is
    profiles = [e.proto for e in at.get("page_link") if e.proto.label == "Profile"]
    assert profiles and all(p.help.endswith(": relations, events and sources") for p in profiles)
    assert any(p.help.startswith("Institute for the Study of War:") for p in profiles)
    assert not any(e.proto.label.startswith("Profile of") for e in at.get("page_link"))


def test_find_box_leads_to_pages_despite_spelling():
    at = run_app()
    at.sidebar.text_input(key="find").set_value("Sulleimani").run()
    assert page_links(at)[0].startswith("Qassem Soleimani")
    at.sidebar.text_input(key="find").set_value("Erbil").run()
    assert any(label.startswith("Irbil (place)") for label in page_links(at))


def test_network_as_of_a_date():
    at = run_app("app_pages/network.py")
    at.toggle(key="as_of_on").set_value(True).run()
    at.select_slider(key="as_of").set_value("2006-07").run()
    edges = graph_relations(echarts_titled(at, "Actor network"))
    assert {"r-034", "r-035"} <= set(edges["relation_id"])  # Daqduq advises, Khazali leads
    at.select_slider(key="as_of").set_value("2007-06").run()
    chart = echarts_titled(at, "Actor network")
    edges = graph_relations(chart)
    assert not {"r-034", "r-035"} & set(edges["relation_id"])
    status = graph_nodes(chart).set_index("actor_id")
    assert status.loc["daqduq", "status"] == "no longer active"
    assert status.loc["daqduq", "itemStyle"]["borderType"] == "dashed"  # a grey ring
    assert any("As of 01 June 2007" in c.value for c in at.caption)


def test_network_step_buttons_move_the_date():
    at = run_app("app_pages/network.py")
    at.toggle(key="as_of_on").set_value(True).run()
    at.select_slider(key="as_of").set_value("2006-07").run()
    next(b for b in at.button if b.label == "year ▶").click().run()
    assert at.select_slider(key="as_of").value == "2007-07"
    next(b for b in at.button if b.label == "◀ month").click().run()
    assert at.select_slider(key="as_of").value == "2007-06"


def test_network_colours_relations_by_claim_status():
    at = run_app("app_pages/network.py")
    at.segmented_control(key="edge_colour").set_value("claim status").run()
    chart = echarts_titled(at, "Actor network")
    relations = graph_relations(chart)
    assert set(relations["line_colour_key"]) <= {"confirmed", "reported", "alleged", "disputed"}
    assert "**Relations: claim status**" in " ".join(m.value for m in at.markdown)


def test_help_page_states_the_date_rule():
    at = run_app("app_pages/help.py")
    text = " ".join(m.value for m in at.markdown)
    assert "overlaps the range" in text
    assert "Certainly in the window" in text and "whole span lies inside the range" in text


def test_the_actor_page_lists_a_bounded_number_of_events_and_links_to_all(monkeypatch):
    from components import profiles

    monkeypatch.setattr(profiles, "EVENT_LINKS", 3)
    at = run_app("app_pages/actor.py", params={"actor": "irgc-qf"})
    heading = next(s.value for s in at.subheader if s.value.startswith("Events"))
    total = int(heading.split(" of ")[1].split(",")[0].split(" ")[0]) if " of " in heading else 0
    assert heading.startswith("Events (the first 3 of ") and total > 3
    labels = [link.proto.label for link in at.get("page_link")]
    assert "Every event of this actor on the Timeline" in labels
    assert sum(1 for link in at.get("page_link") if link.proto.icon == ":material/event:") == 3


@pytest.mark.parametrize("present,expected", [
    (["Asserts"], "No claim in the record denies, doubts or qualifies it."),
    (["Asserts", "Qualifies"], "No claim in the record denies or doubts it."),
    (["Asserts", "Denies or doubts"], "No claim in the record qualifies it."),
    (["Asserts", "Denies or doubts", "Qualifies"], ""),
])
def test_what_no_claim_does_is_said_in_words(present, expected):
    from components import profiles

    assert profiles.unopposed_sentence(present) == expected


def test_claims_that_all_take_one_stance_are_laid_across_the_page():
    """Eleven of the nineteen subjects have only assertions: each was drawn in a third of the
    page beside two columns saying "No claim recorded." They now run across the width under
    one sentence saying what no claim does; subjects in dispute keep a column per stance."""
    from components import loader, profiles

    dataset = loader.load_dataset().dataset
    groups = profiles.claims_by_subject(dataset, "", None)
    single = [g for _, g in groups if len(profiles.stances_present(g)) == 1]
    disputed = [g for _, g in groups if len(profiles.stances_present(g)) > 1]
    assert single and disputed
    at = run_app("app_pages/claims.py")
    captions = [c.value for c in at.caption]
    said = sum(c.startswith("No claim in the record ") for c in captions)
    empty_columns = sum(len(profiles.STANCE_COLUMNS) - len(profiles.stances_present(g))
                        for g in disputed)
    assert said == len(single)
    assert captions.count("No claim recorded.") == empty_columns
