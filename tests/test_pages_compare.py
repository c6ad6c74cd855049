"""AppTest: the Compare page on the shipped data (counts, the relations gained, lost and kept
on the link chart, the change per place on the map, the timeline with both windows shaded),
its windows in the address, its empty states, and a briefing step whose view is "compare"."""

from __future__ import annotations

import csv
import dataclasses
import re
from datetime import date

import pytest

from components import compare, filters, loader, selection
from tests.apptest_helpers import (
    deck_layers,
    echarts_option,
    echarts_titled,
    open_export_menu,
    run_app,
    vega_charts,
    vega_spec,
)
from tests.conftest import DATA
from tests.test_evidence_pack import click_download, csv_rows, kept_media  # noqa: F401

PAGE = "app_pages/compare.py"
NETWORK = "Actor network, A to B"
EVERYTHING = filters.Filters()


@pytest.fixture(scope="module")
def ds():
    return loader.load_dataset(DATA).dataset


@pytest.fixture(scope="module")
def default_page():
    return run_app(PAGE)


def shown_counts(at) -> dict[str, tuple[int, int]]:
    """Each headline metric as (A, B), read from its "A → B" value."""
    out = {}
    for metric in at.metric:
        a, b = (int(part.replace(",", "")) for part in metric.value.split("→"))
        out[metric.label] = (a, b)
    return out


def expected_counts(ds, chosen: filters.Filters, a: compare.Window, b: compare.Window):
    return {m: (int(row.A), int(row.B)) for m, row in compare.headline_changes(
        *compare.headline_for(ds, chosen, a, b)).set_index("measure").iterrows()}


def relation_change(at) -> dict[str, str]:
    """Each relation the chart carries (a line lists its relations) and its change."""
    option = echarts_option(echarts_titled(at, NETWORK))
    return {r["relation_id"]: r["change"] for link in option["series"][0]["links"]
            for r in link["relations"]}


def timeline_spec(at) -> dict:
    for chart in vega_charts(at):
        spec = vega_spec(chart)
        if (spec.get("title") or {}).get("text") == "Timeline of A and B":
            return spec
    raise AssertionError("no timeline of A and B")


A_DEFAULT = compare.Window(date(2003, 1, 1), date(2005, 12, 31))
B_DEFAULT = compare.Window(date(2006, 1, 1), date(2007, 12, 31))


def test_the_page_opens_on_2003_2005_against_2006_2007_with_the_counts(ds, default_page):
    at = default_page
    assert at.title[0].value == "Compare two periods"
    assert at.selectbox(key="cmp_a").value == "networks-built"
    assert at.selectbox(key="cmp_b").value == "special-groups-reorganised..surge-response"
    counts = shown_counts(at)
    assert counts == expected_counts(ds, EVERYTHING, A_DEFAULT, B_DEFAULT)
    assert counts["Events"] == (12, 36)
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["Events"] == "+24"
    assert any("take the place of the sidebar's date range" in c.value for c in at.caption)
    # B's title is longer than its select box shows: written out in full beneath it; A's fits
    captions = [c.value.replace("\\", "") for c in at.caption]  # markdown escapes taken out
    assert "2006-2007: Special Groups reorganised to Secret cells and the surge response" \
        in captions
    assert "2003-2005: Networks built" not in captions


def test_the_network_marks_the_special_groups_leadership_as_gained(ds, default_page):
    at = default_page
    change = relation_change(at)
    assert change["r-035"] == change["r-034"] == "gained"
    assert change["r-002"] == "kept"  # no dates in the sources: active in both windows
    expected = compare.relation_changes(ds, EVERYTHING, A_DEFAULT, B_DEFAULT)
    assert change == dict(zip(expected["relation_id"], expected["change"]))
    links = echarts_option(echarts_titled(at, NETWORK))["series"][0]["links"]
    khazali = next(link for link in links if "r-035" in link["relation_ids"])
    assert khazali["colour_key"] == "gained"
    legend = " ".join(m.value for m in at.markdown)
    assert "Relations: what changed" in legend
    for word in ("gained", "lost", "kept"):
        assert f"</span> {word}" in legend
    captions = " ".join(c.value for c in at.caption)
    assert "relations gained (active in B, not in A)" in captions
    undated = compare.undated_relations(expected)
    assert f"{undated} of the {len(expected)} relations compared have no dates in the sources: " \
        "nothing says when they held, so they count as active in any window where the groups, " \
        "states or forces they name existed" in captions
    # the list of what changed names the relations gained and lost
    table = at.dataframe[0].value
    assert "Qais Khazali leads Special Groups" in set(table["relation"])
    assert "kept" not in set(table["change"])


def test_the_map_draws_the_change_per_place(ds, default_page):
    layers = deck_layers(default_page)
    rows = layers.get("places", []) + layers.get("regions", [])
    drawn = {r["location"]: r for r in rows}
    expected = compare.place_changes(
        selection.select(ds, compare.within(EVERYTHING, A_DEFAULT)),
        selection.select(ds, compare.within(EVERYTHING, B_DEFAULT))).set_index("location")
    assert set(drawn) == set(expected.index)
    assert drawn["karbala-pjcc"]["key"] == "new" and drawn["tehran"]["key"] == "gone"
    assert "0 events in A, 2 in B (+2: new)" in drawn["karbala-pjcc"]["tooltip"]
    legend = " ".join(m.value for m in default_page.markdown)
    assert "Events per place, A to B" in legend and "new (" in legend


def test_the_timeline_shades_both_windows(default_page):
    spec = timeline_spec(default_page)
    labels = [layer["data"]["values"][0]["label"] for layer in spec["layer"]
              if layer.get("mark", {}).get("type") == "text" and "values" in layer.get("data", {})]
    assert labels == ["A: 2003-2005", "B: 2006-2007"]
    bands = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "rect"
             and "values" in layer.get("data", {})]
    assert [b["data"]["values"][0]["start"][:10] for b in bands] == ["2003-01-01", "2006-01-01"]
    assert not any("params" in layer for layer in spec["layer"])  # no brush on this page


def test_the_windows_come_from_the_address(ds):
    at = run_app(PAGE, params={"cmp_a": "custom",
                               "cmp_a_dates": ["2006-05-01", "2006-12-31"],
                               "cmp_b": "surge-response"})
    assert at.selectbox(key="cmp_a").value == compare.CUSTOM
    assert at.date_input(key="cmp_a_dates").value == (date(2006, 5, 1), date(2006, 12, 31))
    assert at.selectbox(key="cmp_b").value == "surge-response"
    a = compare.Window(date(2006, 5, 1), date(2006, 12, 31))
    b = compare.Window(date(2007, 1, 1), date(2007, 12, 31))
    assert shown_counts(at) == expected_counts(ds, EVERYTHING, a, b)
    assert relation_change(at)["r-035"] == "kept"  # Khazali led them in both windows
    # the same address opened again gives the same comparison
    again = run_app(PAGE, params=dict(at.query_params))
    assert shown_counts(again) == shown_counts(at)


def test_every_other_sidebar_filter_applies_to_both_windows_but_not_its_dates(ds):
    at = run_app(PAGE, params={"event_types": "armed attack",
                               "dates": ["2007-01-01", "2007-06-30"]})
    chosen = filters.Filters(event_types=("armed attack",))
    assert shown_counts(at) == expected_counts(ds, chosen, A_DEFAULT, B_DEFAULT)
    assert any("own date range is set but not used here" in c.value for c in at.caption)


def test_an_empty_window_and_two_equal_windows_say_so():
    at = run_app(PAGE, params={"cmp_a": "custom",
                               "cmp_a_dates": ["1995-01-01", "1995-12-31"]})
    assert any("No events match the filters in A (1995)" in i.value for i in at.info)
    same = run_app(PAGE, params={"cmp_a": "surge-response",
                                 "cmp_b": "surge-response"})
    assert any("A and B are the same window (2007)" in w.value for w in same.warning)
    assert not same.metric and not same.get("echarts_chart")


def test_a_briefing_step_can_show_the_comparison(data_copy, monkeypatch):
    path = data_copy / "briefing.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    step = {**rows[3], "views": "compare", "compare_a_from": "2003", "compare_a_to": "2005",
            "compare_b_from": "2006", "compare_b_to": "2007"}
    rows[3] = step
    columns = list(rows[0]) + [c for c in compare.STEP_COLUMNS if c not in rows[0]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows([{c: r.get(c, "") for c in columns} for r in rows])
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    result = loader.load_dataset(data_copy)
    assert not [p.sentence() for p in result.errors]
    at = run_app("app_pages/briefing.py")
    at.query_params["step"] = "4"
    at.run()
    assert not at.exception
    dataset = result.dataset
    step_filters = dataclasses.replace(
        filters.Filters(), **{k: v for k, v in dataclasses.asdict(
            loader_step_filters(dataset, 3)).items() if k not in ("date_from", "date_to")})
    line = next(m.value for m in at.markdown if m.value.startswith("**Events**"))
    shown = {measure: (int(a.replace(",", "")), int(b.replace(",", ""))) for measure, a, b in
             re.findall(r"\*\*([A-Za-z ]+)\*\* ([\d,]+) → ([\d,]+)", line)}
    assert shown == expected_counts(dataset, step_filters, A_DEFAULT, B_DEFAULT)
    change = relation_change(at)
    assert change and set(change.values()) <= {"gained", "lost", "kept"}
    markdown = " ".join(m.value for m in at.markdown)
    assert "**A:** 2003-2005: Networks built" in markdown
    assert "**Lines, A to B:**" in markdown and "</span> gained (" in markdown
    # the step's other views are not drawn: it asked for the comparison alone
    assert not at.get("deck_gl_json_chart")


def loader_step_filters(dataset, index: int) -> filters.Filters:
    from components import briefing

    return briefing.step_filters(briefing.steps(dataset.briefing)[index])


def test_the_briefing_report_draws_a_compare_steps_changes():
    from components import briefing
    from components.ui import compare_ui, data_access
    from components.ui.context import context_for

    step = {"views": ("compare",), "compare_a_from": "2003", "compare_a_to": "2005",
            "compare_b_from": "2006", "compare_b_to": "2007", "actors": ("special-groups",)}
    folder = data_access.active_folder()
    step_ctx = context_for(str(folder), data_access.version_key(folder),
                           briefing.step_filters(step))
    specs = compare_ui.step_specs(step_ctx, step)
    assert len(specs) == 1
    text = str(specs[0])
    assert "gained" in text and "kept" in text and "A 2003-2005, B 2006-2007" in text
    same = {**step, "compare_b_from": "2003", "compare_b_to": "2005"}
    assert compare_ui.step_specs(step_ctx, same) == []


def test_a_timeline_of_counts_gets_the_two_windows_too(ds):
    """Past views.MAX_TIMELINE_MARKS dated events the timeline counts events per period (one
    view, not layers): the windows are laid under it all the same, and its brush removed."""
    import pandas as pd

    from components.ui import charts, compare_ui

    chosen = selection.select(ds, compare.within(EVERYTHING, compare.hull(A_DEFAULT,
                                                                            B_DEFAULT)))
    bins, unit = chosen.timeline_bins("event category")
    domain = (pd.Timestamp("2002-12-01"), pd.Timestamp("2008-02-01"))
    counts = charts.timeline_density_chart(bins, unit, "Event category", domain)
    assert "params" in counts and "layer" not in counts
    spec = compare_ui.with_windows(counts, compare.windows_frame(A_DEFAULT, B_DEFAULT), domain,
                                   "Shaded: window A and window B.")
    assert "params" not in spec and "mark" not in spec
    kinds = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
             for layer in spec["layer"]]
    assert kinds[:4] == ["rect", "text", "rect", "text"] and len(kinds) == 5
    assert spec["datasets"] == counts["datasets"]  # the counts' data stays where it was named
    assert spec["title"]["text"] == "Timeline of A and B"


def test_the_briefing_editor_sets_a_compare_steps_windows():
    from components.ui import briefing_ui

    at = run_app("app_pages/briefing.py")
    at.multiselect(key="new-step-views").set_value(["compare"]).run()
    # the windows start at the Compare page's defaults
    assert at.date_input(key="new-step-window-a").value == (date(2003, 1, 1), date(2005, 12, 31))
    assert at.date_input(key="new-step-window-b").value == (date(2006, 1, 1), date(2007, 12, 31))
    at.date_input(key="new-step-window-b").set_value((date(2007, 1, 1), date(2007, 12, 31))).run()
    at.text_input(key="new-step-title").set_value("The networks against the surge year").run()
    next(b for b in at.button if b.key == "briefing-add").click().run()
    assert not at.exception
    added = at.session_state[briefing_ui._draft()][-1]
    assert added["views"] == ("compare",)
    assert {k: added[k] for k in compare.STEP_COLUMNS} == {
        "compare_a_from": "2003-01-01", "compare_a_to": "2005-12-31",
        "compare_b_from": "2007-01-01", "compare_b_to": "2007-12-31"}


# --------------------------------------------------------------------------------------------
# An event-only filter, windows past the data's dates, data on one day


def test_a_place_filter_limits_the_relations_shown_but_not_their_change():
    at = run_app(PAGE, params={"places": "baghdad"})
    change = relation_change(at)
    # no dates in the sources: active in both windows, whichever window's Baghdad events name
    # the actors (before, "gained": the Special Groups' Baghdad events are all in B)
    assert change["r-062"] == change["r-063"] == "kept"
    assert change["r-068"] == "gained"  # from 2007-01
    captions = " ".join(c.value for c in at.caption)
    assert "2 of the 4 relations compared have no dates in the sources" in captions
    assert "of the kept relations" not in captions
    assert "only relations between actors that the matching events of A or of B name are " \
        "shown" in captions


def test_an_event_type_filter_loses_no_undated_relation():
    at = run_app(PAGE, params={"event_types": "training"})
    change = relation_change(at)
    assert change["r-011"] == "kept" and "lost" not in set(change.values())


def test_under_certainly_in_the_window_the_undated_relations_are_in_neither(ds):
    at = run_app(PAGE, params={"date_rule": "certainly in the window"})
    change = relation_change(at)
    assert "r-002" not in change
    undated = int((ds.relations["period_start"].isna() & ds.relations["period_end"].isna()).sum())
    captions = " ".join(c.value for c in at.caption)
    assert undated > 1
    assert f"{undated} relations with no dates in the sources are in neither window" in captions
    assert "relations compared have no dates" not in captions


@pytest.fixture
def aftermath(data_copy, monkeypatch):
    """The shipped data with a period that runs past the data's last date (2008-12-31)."""
    with (data_copy / "periods.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write('aftermath,Aftermath,2008,2011,"After the surge, past the record."\n')
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    return data_copy


def test_custom_dates_start_inside_the_datas_dates_when_the_period_runs_past_them(aftermath):
    at = run_app(PAGE)
    # B opens on the run of periods up to the aftermath: 2006 to 2011, past the data's end
    assert at.selectbox(key="cmp_b").value == "special-groups-reorganised..aftermath"
    assert at.metric and not at.exception
    at.selectbox(key="cmp_b").set_value(compare.CUSTOM).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.date_input(key="cmp_b_dates").value == (date(2006, 1, 1), date(2008, 12, 31))
    assert shown_counts(at)["Events"][1] > 0
    at.selectbox(key="cmp_a").set_value("aftermath").run()  # the period itself still compares
    assert not at.exception and shown_counts(at)


def test_the_briefing_editor_keeps_a_window_past_the_datas_dates(aftermath):
    at = run_app("app_pages/briefing.py")
    at.multiselect(key="new-step-views").set_value(["compare"]).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.date_input(key="new-step-window-b").value == (date(2006, 1, 1),
                                                             date(2011, 12, 31))


def test_data_on_one_day_without_periods_says_so(data_copy, monkeypatch):
    from tests.conftest import read_rows, write_rows

    events = read_rows(data_copy / "events.csv")
    header = events[0]
    for row in events[1:]:
        if row[header.index("event_date")]:
            row[header.index("event_date")] = "2006-05-01"
            row[header.index("time_precision")] = "day"
            row[header.index("date_end")] = ""
    write_rows(data_copy / "events.csv", events)
    relations = read_rows(data_copy / "relations.csv")
    for row in relations[1:]:
        row[relations[0].index("start_date")] = row[relations[0].index("end_date")] = ""
    write_rows(data_copy / "relations.csv", relations)
    write_rows(data_copy / "periods.csv", read_rows(data_copy / "periods.csv")[:1])
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    at = run_app(PAGE)
    said = " ".join(i.value for i in at.info)
    assert "Every dated event falls on one day (2006-05-01)" in said
    assert "has no dates" not in said
    assert not at.metric


# --------------------------------------------------------------------------------------------
# The Export menu: the comparison's report and evidence pack


def test_the_evidence_pack_holds_window_a_and_window_b(ds, kept_media):
    import io
    import json
    import zipfile

    at = run_app(PAGE, params={"cmp_b": "surge-response", "claims": "confirmed"})
    b = compare.Window(date(2007, 1, 1), date(2007, 12, 31))
    pack = zipfile.ZipFile(io.BytesIO(click_download(kept_media, at, "pack-view")))
    manifest = json.loads(pack.read("manifest.json"))
    assert manifest["page"] == "Compare" and manifest["scope"] == "comparison"
    assert [(w["window"], w["from"], w["to"]) for w in manifest["windows"]] == [
        ("A", "2003-01-01", "2005-12-31"), ("B", "2007-01-01", "2007-12-31")]
    assert manifest["windows"][0]["title"] == "2003-2005: Networks built"
    assert manifest["windows"][1]["title"] == "2007: Secret cells and the surge response"
    assert "Claim: confirmed" in manifest["windows"][1]["filters"]["lines"]
    assert manifest["address"] == {"cmp_b": "surge-response"}  # the page's own choice
    chosen = filters.Filters(claim_statuses=("confirmed",))
    in_a = set(selection.matching_events(ds, compare.within(chosen, A_DEFAULT))["event_id"])
    in_b = set(selection.matching_events(ds, compare.within(chosen, b))["event_id"])
    rows = csv_rows(pack, "events.csv")
    assert {r["event_id"] for r in rows} == in_a | in_b and len(rows) == len(in_a | in_b)
    for row in rows:
        expected = [w for w, held in (("A", in_a), ("B", in_b)) if row["event_id"] in held]
        assert row["in_windows"] == ";".join(expected), row["event_id"]
    relations = {r["relation_id"]: r["in_windows"] for r in csv_rows(pack, "relations.csv")}
    changes = compare.relation_changes(ds, chosen, A_DEFAULT, b)
    word = {"kept": "A;B", "lost": "A", "gained": "B"}
    assert relations == {i: word[c] for i, c in zip(changes["relation_id"], changes["change"])}
    readme = pack.read("README.txt").decode("utf-8")
    assert "Window B: 2007: Secret cells and the surge response (2007-01-01 to 2007-12-31)" \
        in readme
    assert "cmp_b=surge-response" in readme


def test_the_report_holds_the_comparison(kept_media):
    at = run_app(PAGE)
    report = click_download(kept_media, at, "report-view").decode("utf-8")
    # the change network's SVG, titled with both windows, and the windows' timeline
    assert re.search(r"<svg[^>]*>(?:(?!</svg>).)*Actor network, A to B: A 2003-2005, B "
                     r"2006-2007(?:(?!</svg>).)*</svg>", report, re.S)
    assert "Timeline of A and B" in report
    assert "Window A: 2003-2005: Networks built" in report
    assert "Headline counts, A to B" in report and "Relations gained and lost" in report
    assert "Qais Khazali leads Special Groups" in report
    assert "Events per place, A to B" in report and report.count("<svg") >= 3


def test_a_flows_pack_names_the_patron_it_shows(kept_media):
    import io
    import json
    import zipfile

    at = run_app("app_pages/flows.py", params={"patron": "irgc-qf", "flow_width": "events",
                                               "actor_types": "militia"})
    assert at.selectbox(key="patron").value == "irgc-qf"
    pack = zipfile.ZipFile(io.BytesIO(click_download(kept_media, at, "pack-view")))
    manifest = json.loads(pack.read("manifest.json"))
    # the page's own choices, not the sidebar's filters (those are the manifest's filters)
    assert manifest["address"] == {"patron": "irgc-qf", "flow_width": "events"}
    assert manifest["filters"]["machine"]["actor_types"] == ["militia"]
    # a choice made on the page after it opened is in the pack made from that run
    at.segmented_control(key="flow_width").set_value("relations").run()
    at.selectbox(key="patron").set_value("*").run()
    pack = zipfile.ZipFile(io.BytesIO(click_download(kept_media, at, "pack-view")))
    assert json.loads(pack.read("manifest.json"))["address"] == {"patron": "*"}


def test_the_export_menu_offers_no_table_of_the_sidebars_view_on_this_page():
    at = open_export_menu(run_app(PAGE))
    labels = {b.proto.label for b in at.get("download_button")}
    assert not labels & {"Events CSV", "Actors CSV", "Relations CSV", "Excel workbook"}
    assert {"Report (HTML)", "Evidence pack (zip)"} <= labels
    assert any("each row saying which window it is in" in c.value for c in at.caption)
