"""AppTest: the Briefing page, its editor, and the share link."""

from __future__ import annotations

import re

import pytest

from components import datastore, loader
from tests.apptest_helpers import (WRITER_PASSWORD, deck_layers, echarts_titled, graph_links,
                                    graph_nodes, open_export_menu, run_app, sign_in_as_writer)


def briefing_at(step: str | None = None):
    at = run_app("app_pages/briefing.py")
    if step:
        at.query_params["step"] = step
        at.run()
    return at


def button(at, key):
    return next(b for b in at.button if b.key == key)


def test_briefing_opens_at_the_step_in_the_url():
    at = briefing_at("4")
    assert at.title[0].value == "May 2006: the Special Groups reorganised"
    assert any("Step **4** of **9**" in m.value for m in at.markdown)
    assert at.query_params["step"] in (["4"], "4")


def test_next_and_previous_move_through_the_steps():
    at = briefing_at()
    assert at.title[0].value.startswith("Background")
    assert button(at, "briefing-prev").disabled
    button(at, "briefing-next").click().run()
    assert at.title[0].value.startswith("2003")
    button(at, "briefing-prev").click().run()
    assert at.title[0].value.startswith("Background")


def test_a_step_shows_its_own_view_of_the_data():
    at = briefing_at("6")  # January 2007: Irbil and Karbala
    layers = deck_layers(at)
    places = {r["location"] for r in layers["places"] + layers["regions"]}
    assert places == {"irbil", "karbala-pjcc"}
    links = [e.proto.label for e in at.get("page_link")]
    # the date and what happened, not only its type and place
    karbala = loader.load_dataset().dataset.events.set_index("event_id").loc["ev-038"]
    assert karbala["event_date"] == "2007-01-20"
    assert any(label.startswith("20 Jan 2007 · " + " ".join(karbala["description"].split()[:3]))
               for label in links)
    assert any("Institute for the Study of War asserts" in label for label in links)
    assert not any(re.search(r"\b(?:ev|r|c)-\d{3}\b", label) for label in links)  # no raw ids


def test_the_background_step_draws_no_one_who_came_later():
    """Step 1 covers 1979-2002. The relations the sources give no dates for between the Qods
    Force or Hezbollah and the Maliki government (from May 2006) or the Coalition (from the
    invasion of March 2003) could not hold then, so its network leaves them and those actors
    out; the Qods Force's undated place in the IRGC stays."""
    at = briefing_at("1")
    chart = echarts_titled(at, "Actor network")
    drawn = set(graph_nodes(chart)["actor_id"])
    assert {"irgc-qf", "hezbollah"} <= drawn
    assert not drawn & {"iraq-gov", "coalition"}
    relations = {rid for ids in graph_links(chart)["relation_ids"] for rid in ids}
    assert "r-002" in relations and not relations & {"r-220", "r-221", "r-222", "r-223"}


def test_evidence_events_fit_one_line_of_the_words_column_and_say_all_on_hover():
    from components.ui import briefing_ui

    at = briefing_at("5")  # events whose date notes run long
    events = [e.proto for e in at.get("page_link") if e.proto.page == "event"]
    assert events
    assert all(len(link.label) <= briefing_ui.EVIDENCE_LABEL_CHARS + 2 for link in events)
    cut = [link for link in events if link.label.endswith(" …")]
    assert cut  # step 5 has labels longer than a line
    for link in cut:  # the whole label on hover, beginning with what is shown
        assert len(link.help) > len(link.label)
        assert " ".join(link.help.split()).startswith(link.label[:-2])
    assert all(not link.help for link in events if not link.label.endswith(" …"))


def test_evidence_claims_fit_one_line_of_the_words_column_and_say_when_cut():
    from components.ui import briefing_ui

    at = briefing_at("3")  # the West Point report's long claim
    claims = [e.proto.label for e in at.get("page_link") if "asserts" in e.proto.label
              or "denies" in e.proto.label]
    assert claims
    assert all(len(label) <= briefing_ui.EVIDENCE_LABEL_CHARS + 2 for label in claims)
    assert any(label.endswith(" …") for label in claims)


def test_add_the_current_view_reorder_and_save(data_copy, monkeypatch):
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    at = run_app("app_pages/briefing.py")
    at.sidebar.multiselect(key="actors").set_value(["badr"]).run()
    at.text_input(key="new-step-title").set_value("Badr after the invasion").run()
    at.text_area(key="new-step-narrative").set_value("Badr **crossed** in 2003.").run()
    button(at, "briefing-add").click().run()
    titles = [m.value for m in at.markdown if m.value.startswith("10. ")]
    assert titles and "Badr after the invasion" in titles[0].replace("\\", "")
    button(at, "up-9").click().run()
    texts = [m.value.replace("\\", "") for m in at.markdown]  # titles are markdown-escaped
    assert any(t.startswith("9. Badr after the invasion") for t in texts)
    assert button(at, "briefing-save").disabled  # writing is off unless turned on
    assert any("Writing is off on this server" in c.value for c in at.caption)
    monkeypatch.setenv("PROXYLENS_WRITE", "on")
    at.secrets["proxylens"] = {"write_password": WRITER_PASSWORD}
    at.run()
    assert button(at, "briefing-save").disabled
    sign_in_as_writer(at, "briefing-writer")
    button(at, "briefing-save").click().run()
    assert any("Saved to" in s.value for s in at.success)
    kept = datastore.list_history(data_copy)
    assert list(kept["file"]) == ["briefing.csv"]  # the replaced version, in the one history
    steps = loader.load_dataset(data_copy).dataset.briefing
    assert len(steps) == 10
    assert steps.iloc[8]["title"] == "Badr after the invasion"
    assert steps.iloc[8]["actors"] == ("badr",)


def test_share_link_carries_the_filters():
    at = run_app(params={"event_types": "kidnapping", "claims": "confirmed"})
    code = " ".join(c.value for c in at.code)
    assert "event_types=kidnapping" in code and "claims=confirmed" in code


def test_every_dashboard_page_offers_chart_and_table_downloads():
    at = open_export_menu(run_app("app_pages/timeline.py"))
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"PNG", "SVG", "Events CSV", "Actors CSV", "Relations CSV", "Excel workbook",
            "Report (HTML)"} <= labels
    at = run_app("app_pages/map.py")
    assert {"Map PNG", "Map SVG"} <= {b.proto.label for b in at.get("download_button")}


def test_edit_a_steps_words_in_the_app():
    at = run_app("app_pages/briefing.py")
    at.text_input(key="edit-title-0").set_value("Background, retitled").run()
    at.text_area(key="edit-narrative-0").set_value("New words.").run()
    button(at, "update-0").click().run()
    assert at.title[0].value == "Background, retitled"
    assert any(m.value == "New words." for m in at.markdown)
    assert any("Unsaved changes" in c.value for c in at.caption)


def test_several_named_briefings_each_with_its_own_history(data_copy, monkeypatch):
    """A briefing saved under a name is a file of its own (briefing-<name>.csv), chosen from
    the Briefing page and the address, saved and restored apart from the main one."""
    from components import briefing

    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("PROXYLENS_WRITE", "on")
    at = run_app("app_pages/briefing.py", writer_password=WRITER_PASSWORD)
    assert not [s for s in at.selectbox if s.key == "briefing-file"]  # one briefing: no choice
    at.sidebar.multiselect(key="actors").set_value(["badr"]).run()
    at.text_input(key="new-step-title").set_value("Badr after the invasion").run()
    button(at, "briefing-add").click().run()
    sign_in_as_writer(at, "briefing-writer")
    at.text_input(key="new-briefing-name").set_value("Badr for the committee").run()
    button(at, "briefing-save-new").click().run()
    named = data_copy / "briefing-badr-for-the-committee.csv"
    assert named.exists()
    main_before = (data_copy / "briefing.csv").read_bytes()
    choice = at.selectbox(key="briefing-file")
    assert set(choice.options) == {"Main briefing", "badr for the committee"}
    address = at.query_params["briefing-file"]  # the address names it
    titles = [m.value.replace("\\", "") for m in at.markdown if m.value.startswith("10. ")]
    assert titles and "Badr after the invasion" in titles[0]
    # editing the named one leaves the main one as it was, and keeps the named one's history
    button(at, "remove-0").click().run()
    button(at, "briefing-save").click().run()
    assert (data_copy / "briefing.csv").read_bytes() == main_before
    steps = briefing.steps(loader.load_briefing_file(
        data_copy, named.name, loader.load_dataset(data_copy).dataset)[0])
    assert len(steps) == 9 and steps[-1]["title"] == "Badr after the invasion"
    kept = datastore.list_history(data_copy)
    assert list(kept["file"]) == [named.name]
    # the address reopens it, in another session
    other = run_app("app_pages/briefing.py", params={"briefing-file": address})
    assert any(m.value == "Step **1** of **9**" for m in other.markdown)
    main = run_app("app_pages/briefing.py")
    assert any(m.value == "Step **1** of **9**" for m in main.markdown)  # 9 steps too,
    assert (data_copy / "briefing.csv").read_bytes() == main_before  # but its own


def test_a_new_briefing_needs_a_name_of_its_own(data_copy, monkeypatch):
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("PROXYLENS_WRITE", "on")
    (data_copy / "briefing-basra.csv").write_bytes((data_copy / "briefing.csv").read_bytes())
    at = run_app("app_pages/briefing.py", writer_password=WRITER_PASSWORD)
    button(at, "briefing-add").click().run()
    sign_in_as_writer(at, "briefing-writer")
    at.text_input(key="new-briefing-name").set_value("Basra").run()
    button(at, "briefing-save-new").click().run()
    assert any("is taken" in e.value for e in at.error)
    assert not list(data_copy.glob("briefing-basra-*.csv"))


def test_a_briefing_file_name_is_made_from_its_name_only():
    from components import briefing

    assert briefing.file_for_name("Basra 2008: for the committee!") == \
        "briefing-basra-2008-for-the-committee.csv"
    assert briefing.file_for_name("../../etc") == "briefing-etc.csv"
    assert briefing.file_for_name("  ") == "briefing.csv"
    with pytest.raises(ValueError):
        briefing.save([], "/tmp", "../briefing-x.csv")


def test_each_steps_evidence_events_are_in_its_own_view():
    """A step shows what it rests on: every event its evidence lists matches the step's
    filters, so it is on the step's timeline and map. Step 1 (1979-2002) cites the Iran-Iraq
    War (ev-002) and had left out its parties; its timeline showed a single 1979 bar."""
    from components import briefing, selection

    dataset = loader.load_dataset().dataset
    steps = list(briefing.steps(dataset.briefing))
    assert len(steps) >= 9
    for step in steps:
        shown = set(selection.matching_events(dataset, briefing.step_filters(step))["event_id"])
        cited = [e for e in str(step.get("evidence", "")).split(";") if e.startswith("ev-")]
        assert set(cited) <= shown, (step["step"], set(cited) - shown)
    first = briefing.step_filters(steps[0])
    assert "ev-002" in set(selection.matching_events(dataset, first)["event_id"])
