"""Support flows (components.flows): the relations read in the direction support travels, the
walk from a patron, loops and self-links left out and named, widths by relations or events,
the static drawing; and the Flows page (AppTest), on the shipped data and with the held ACLED
and UCDP samples added through the Data page."""

from __future__ import annotations

import re

import xml.etree.ElementTree as ET

import networkx as nx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import filters as f
from components import briefing, flows, grades, loader, selection
from tests.apptest_helpers import echarts_option, echarts_titled, run_app
from tests.conftest import DATA
from tests.test_evidence_pack import kept_media  # noqa: F401  (a fixture)
from tests.test_imported_views import imported  # noqa: F401  (a fixture)


@pytest.fixture(scope="module")
def ds():
    return loader.load_dataset(DATA).dataset


def relations_frame(rows) -> pd.DataFrame:
    """Relations as the loader types them, from (id, source, relation, target, status)."""
    columns = ["relation_id", "source", "target", "relation", "start_date", "end_date",
               "claim_status", "credibility", "description", "source_ids", "source_locator",
               "grade"]
    return pd.DataFrame([(rid, s, t, rel, "", "", status, "2", "", ("isw",), "", "B2")
                         for rid, s, rel, t, status in rows], columns=columns)


def actors_frame(ids, side="Iran and its partners") -> pd.DataFrame:
    return pd.DataFrame({"actor_id": list(ids), "name": [i.upper() for i in ids],
                         "actor_type": "militia", "side": side})


# --------------------------------------------------------------------------------------------
# The shipped data


def test_irans_flows_run_through_the_qods_force_and_hezbollah_to_the_coalition(ds):
    assert flows.patrons(ds.relations, ds.actors)[0][0] == "iran"  # the widest reach first
    found = flows.support_flows(ds.relations, ds.actors, patron="iran")
    drawn = found.link_names()
    # Iran -> IRGC -> IRGC-Qods Force -> Lebanese Hezbollah -> Unit 3800 -> the militias
    # (part of and proxy of read from the whole, and the patron, to the part and the proxy)
    assert {("iran", "irgc"), ("irgc", "irgc-qf"), ("irgc-qf", "hezbollah"),
            ("hezbollah", "unit-3800"), ("unit-3800", "aah"), ("unit-3800", "kh"),
            ("hezbollah", "special-groups"), ("irgc-qf", "special-groups")} <= drawn
    # and on to whom the proxies target: the Coalition, in the last column
    assert ("special-groups", "coalition") in drawn
    targets = found.nodes[found.nodes["role"] == "target"]
    assert "coalition" in set(targets["actor_id"])
    assert (targets["depth"] == found.nodes["depth"].max()).all()
    # the disputed links are so, visibly: their colour key is the least certain status
    links = found.links.set_index(["source", "target"])
    assert links.loc[("irgc-qf", "special-groups"), "claim_status"] == "disputed"
    assert links.loc[("irgc-qf", "hezbollah"), "claim_status"] == "confirmed"
    # a band merges the pair's relations: the Qods Force funds, trains and arms the Groups
    assert set(links.loc[("irgc-qf", "special-groups"), "relation_ids"]) == {
        "r-013", "r-014", "r-015"}


def test_columns_follow_the_longest_way_from_the_patron(ds):
    found = flows.support_flows(ds.relations, ds.actors, patron="iran")
    depth = dict(zip(found.nodes["actor_id"][found.nodes["role"] != "target"],
                     found.nodes["depth"][found.nodes["role"] != "target"]))
    gives = found.links[found.links["kind"] == "flow"]
    assert depth["iran"] == 0
    assert all(depth[a] < depth[b] for a, b in zip(gives["source"], gives["target"]))
    assert depth["hezbollah"] == depth["irgc-qf"] + 1  # after the Qods Force, not beside Iran


def test_support_reaching_the_other_side_is_not_followed_further(ds):
    """Iran's alleged support of SCIRI, which the record says supported the United States,
    reaches the United States; the United States' own support (of Ba'athist Iraq in the 1980s)
    is another patron's flow."""
    found = flows.support_flows(ds.relations, ds.actors, patron="iran")
    assert "usa" in set(found.nodes["actor_id"])
    assert not {link for link in found.link_names() if link[0] == "usa"}
    assert "usa" not in set(found.links.loc[found.links["kind"] == "target", "source"])


def pairs_named(events: pd.DataFrame) -> dict[frozenset, int]:
    """Events per pair of actors they name, counted row by row: every actor an event names
    (its first and second actor and its associated actors), each once."""
    expected: dict[frozenset, int] = {}
    for row in events.itertuples():
        named = sorted({a for a in (row.actor1, row.actor2, *(row.assoc_actors or ())) if a})
        for i, a in enumerate(named):
            for b in named[i + 1:]:
                expected[frozenset((a, b))] = expected.get(frozenset((a, b)), 0) + 1
    return expected


def test_the_widths_by_events_count_the_matching_events_naming_both_actors(ds):
    matching = selection.select(ds, f.Filters())
    pairs = matching.pair_counts()
    assert pairs == pairs_named(ds.events)
    # the Qods Force's funding of Hezbollah is drawn by events too: events name both
    assert pairs[frozenset(("irgc-qf", "hezbollah"))] > 0
    found = flows.support_flows(ds.relations, ds.actors, "iran", "events", pairs)
    assert len(found.links) and (found.links["value"] == found.links["events"]).all()
    assert all(found.links["events"] == [pairs[frozenset(p)] for p in
                                         zip(found.links["source"], found.links["target"])])
    by_relations = flows.support_flows(ds.relations, ds.actors, "iran", "relations", pairs)
    silent = int((by_relations.links["events"] == 0).sum())
    assert silent and any(f"{silent} links with no matching event" in s
                          for s in found.left_out)


def test_the_flows_narrow_with_the_filters(ds):
    chosen = f.Filters(claim_statuses=("confirmed",))
    relations, _ = selection.filtered(ds, chosen)
    found = flows.support_flows(relations, ds.actors, "iran")
    assert set(found.links["claim_status"]) == {"confirmed"}
    assert ("irgc-qf", "special-groups") not in found.link_names()


def test_the_static_drawing_holds_every_band_node_and_legend(ds):
    found = flows.support_flows(ds.relations, ds.actors, patron="iran")
    svg = flows.flow_svg(found, "claim status", title="Support flows from Iran")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}path")) == len(found.links)
    texts = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    assert "Support flows from Iran" in texts
    for status in set(found.links["claim_status"]):
        assert status in texts
    assert "Iran and its partners" in texts
    titles = {t.text for t in root.iter(f"{ns}title")}
    assert "Supreme Council for the Islamic Revolution in Iraq" in titles  # cut, named whole


# --------------------------------------------------------------------------------------------
# Loops, self-links and any relations


def test_a_loop_and_a_self_link_are_left_out_and_named():
    relations = relations_frame([
        ("r1", "a", "funds", "b", "confirmed"),
        ("r2", "b", "arms", "c", "alleged"),
        ("r3", "c", "supports", "a", "disputed"),  # closes a loop back to the patron
        ("r4", "b", "trains", "b", "reported"),  # an actor with itself
        ("r5", "c", "targets", "d", "confirmed"),
    ])
    found = flows.support_flows(relations, actors_frame("abcd"), patron="a")
    assert found.link_names() == {("a", "b"), ("b", "c"), ("c", "d")}
    said = " ".join(found.left_out)
    assert "C supports A (r3)" in said and "would close a loop" in said
    assert "B trains B (r4)" in said and "with itself" in said


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from("abcdef"),
                          st.sampled_from(["funds", "arms", "proxy of", "part of", "targets",
                                           "fights", "member of", "allied with"]),
                          st.sampled_from("abcdef")), max_size=25),
       st.sampled_from([None, "a", "b"]),
       st.lists(st.sampled_from(["", "Iran and its partners",
                                 "U.S., Coalition and Iraqi government"]),
                min_size=6, max_size=6))
def test_any_relations_give_flows_without_loops_drawn_from_real_relations(rows, patron, sides):
    relations = relations_frame([(f"r{i}", s, rel, t, "confirmed")
                                 for i, (s, rel, t) in enumerate(rows)])
    found = flows.support_flows(relations, actors_frame("abcdef").assign(side=sides),
                                patron=patron)
    oriented = flows.oriented(relations)
    real = set(zip(oriented["giver"], oriented["receiver"], oriented["kind"]))
    assert set(zip(found.links["source"], found.links["target"], found.links["kind"])) <= real
    graph = nx.DiGraph()
    graph.add_edges_from(zip(found.links["source_key"], found.links["target_key"]))
    assert nx.is_directed_acyclic_graph(graph)
    # a relation said to close a loop does: with it, the drawn flows would have a cycle
    gives = found.links[found.links["kind"] == "flow"]
    for sentence in found.left_out:
        if "close a loop" in sentence:
            for rid in [r for r in relations["relation_id"] if f"({r})" in sentence]:
                row = oriented[oriented["relation_id"] == rid].iloc[0]
                loop = nx.DiGraph(list(zip(gives["source"], gives["target"])))
                loop.add_edge(row["giver"], row["receiver"])
                assert not nx.is_directed_acyclic_graph(loop), sentence
    assert found.nodes["key"].is_unique
    assert set(found.links["source_key"]) | set(found.links["target_key"]) <= set(
        found.nodes["key"])
    left = sum(int(s.split()[2]) for s in found.left_out if s.startswith("Left out"))
    drawn = int(found.links["relations"].sum())
    reachable = len(oriented) - left
    assert drawn <= reachable  # nothing drawn twice
    if patron is None:  # every patron: each relation is drawn or said to be left out
        gives = oriented[(oriented["kind"] == "flow")
                         & (oriented["giver"] != oriented["receiver"])]
        in_flows = set(gives["giver"]) | set(gives["receiver"])
        hostile_unreached = oriented[(oriented["kind"] == "target")
                                     & ~oriented["giver"].isin(in_flows)]
        assert drawn + left + len(hostile_unreached) == len(oriented)


def test_a_patron_of_no_known_side_is_followed_through_every_side():
    relations = relations_frame([("r1", "p", "funds", "a", "confirmed"),
                                 ("r2", "a", "arms", "b", "confirmed")])
    actors = actors_frame("pab").assign(side=["", "Iran and its partners",
                                              "U.S., Coalition and Iraqi government"])
    assert flows.support_flows(relations, actors, "p").link_names() == {("p", "a"), ("a", "b")}


def test_an_edge_out_of_an_actor_not_followed_closes_no_loop():
    """P funds Z and B (B of the other side); B funds Z, Z arms B. Only P's flows are drawn
    (B is reached, not followed): Z arms B is drawn and no loop is said to be left out."""
    relations = relations_frame([("r1", "p", "funds", "z", "confirmed"),
                                 ("r2", "p", "funds", "b", "confirmed"),
                                 ("r3", "b", "funds", "z", "confirmed"),
                                 ("r4", "z", "arms", "b", "confirmed")])
    actors = actors_frame("pzb").assign(side=["Iran and its partners", "Iran and its partners",
                                              "U.S., Coalition and Iraqi government"])
    found = flows.support_flows(relations, actors, "p")
    assert found.link_names() == {("p", "z"), ("p", "b"), ("z", "b")}
    assert found.left_out == []


def test_no_support_relation_gives_no_patron_and_an_empty_drawing(ds):
    hostile = ds.relations[ds.relations["relation"].isin(["fights", "accuses"])]
    assert flows.patrons(hostile, ds.actors) == []
    assert flows.support_flows(hostile, ds.actors, patron="iran").empty


# --------------------------------------------------------------------------------------------
# The Flows page


def flow_links_by_actor(chart) -> set[tuple[str, str]]:
    series = echarts_option(chart)["series"][0]
    actor_of = {d["name"]: d["actor_id"] for d in series["data"]}
    return {(actor_of[link["source"]], actor_of[link["target"]]) for link in series["links"]}


def test_the_flows_page_draws_irans_support_flows():
    at = run_app("app_pages/flows.py")
    assert at.selectbox(key="patron").value == "iran"
    chart = echarts_titled(at, "Support flows")
    assert {("irgc-qf", "hezbollah"), ("hezbollah", "unit-3800"),
            ("special-groups", "coalition")} <= flow_links_by_actor(chart)
    series = echarts_option(chart)["series"][0]
    disputed = [link for link in series["links"] if link["colour_key"] == "disputed"]
    assert disputed and all(link["lineStyle"]["color"] == "#D55E00" for link in disputed)
    legend = " ".join(m.value for m in at.markdown)
    assert "disputed" in legend and "Iran and its partners" in legend
    said = " ".join(c.value for c in at.caption)
    assert "Flows follow funds" in said
    # the caption counts the actors reached as the "Flows from" choice does ("reaches 18")
    chosen = next(o for o in at.selectbox(key="patron").options if o.startswith("Iran "))
    reach = int(re.search(r"reaches (\d+) actors", chosen).group(1))
    assert f"Iran and the {reach} actors its support reaches, in " in said


def test_clicking_an_actor_in_the_flows_filters_every_view_to_it(ds):
    import json

    at = run_app("app_pages/flows.py")
    chart = echarts_titled(at, "Support flows")
    data = echarts_option(chart)["series"][0]["data"]
    index = [d["actor_id"] for d in data].index("unit-3800")
    states = at._tree.get_widget_states()
    widget = states.widgets.add()
    widget.id = chart.proto.id
    widget.string_value = json.dumps({"selection": {"selected": [{
        "series_index": 0, "series_id": "flows", "data_type": "node",
        "data_indices": [index]}], "areas": []}})
    at._run(states)
    assert not at.exception
    assert at.multiselect(key="actors").value == ["unit-3800"]
    narrowed = flow_links_by_actor(echarts_titled(at, "Support flows"))
    assert narrowed and all("unit-3800" in link for link in narrowed)
    at.switch_page("app_pages/overview.py").run()
    named = ds.events[(ds.events["actor1"] == "unit-3800") | (ds.events["actor2"] == "unit-3800")
                      | ds.events["assoc_actors"].map(lambda a: "unit-3800" in (a or ()))]
    assert int({m.label: m.value for m in at.metric}["Events"]) == len(named)


def test_the_flows_choices_live_in_the_address():
    at = run_app("app_pages/flows.py", params={"patron": "hezbollah", "flow_width": "events",
                                              "flow_colour": "grade"})
    assert at.selectbox(key="patron").value == "hezbollah"
    series = echarts_option(echarts_titled(at, "Support flows"))["series"][0]
    roots = [d["actor_id"] for d in series["data"] if d["depth"] == 0]
    assert roots == ["hezbollah"]
    assert all(link["value"] == link["events"] > 0 for link in series["links"])
    assert {link["colour_key"] for link in series["links"]} <= set(grades.GRADE_BANDS)


def test_flows_with_no_support_relation_say_so():
    # Qais Khazali's own relations: he leads the Special Groups and is a Sadrist, and was
    # detained; none of them carries support
    at = run_app("app_pages/flows.py", params={"actors": "khazali"})
    assert not at.exception
    assert not [c for c in at.get("echarts_chart")]
    assert any("no flow to trace" in i.value for i in at.info)


def test_flows_work_with_the_acled_and_ucdp_samples_added(imported):  # noqa: F811
    at, _ = imported
    at.query_params["flow_width"] = "events"
    at.switch_page("app_pages/flows.py").run()
    assert not at.exception
    series = echarts_option(echarts_titled(at, "Support flows"))["series"][0]
    # the curated relations still draw Iran's flows; the widths now count the added events too
    links = {(d["source"], d["target"]): d for d in series["links"]}
    by_actor = flow_links_by_actor(echarts_titled(at, "Support flows"))
    assert ("special-groups", "coalition") in by_actor
    assert all(link["events"] > 0 for link in links.values())


def test_a_briefing_step_can_show_the_flows(data_copy, monkeypatch):
    import csv

    from components.ui import briefing_ui
    from components.ui.context import context_for

    path = data_copy / "briefing.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0] = {**rows[0], "views": "flows", "date_from": "", "date_to": "", "actors": "",
               "places": ""}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    at = run_app("app_pages/briefing.py")
    assert not at.exception
    chart = echarts_titled(at, "Support flows")
    assert ("irgc-qf", "hezbollah") in flow_links_by_actor(chart)
    assert not at.get("deck_gl_json_chart")  # it asked for the flows alone
    # presenting: no instructions in the tooltips, no download buttons under the chart
    series = echarts_option(chart)["series"][0]
    assert not [d for d in series["data"] if "Click to filter" in d["tooltip"]["formatter"]]
    assert not [b for b in at.get("download_button") if "flows" in (b.proto.id or "")]
    # and the briefing's report draws the step's flows
    from components.ui import data_access

    dataset = loader.load_dataset(data_copy).dataset
    step = briefing.steps(dataset.briefing)[0]
    folder = data_access.active_folder()
    step_ctx = context_for(str(folder), data_access.version_key(folder),
                           briefing.step_filters(step))
    sections = briefing_ui.briefing_sections(step_ctx, [step])
    assert any("Support flows from Iran" in chart for chart in sections[0]["charts"])


def test_the_view_report_draws_the_flows_as_the_page_shows_them(kept_media):  # noqa: F811
    from tests.test_evidence_pack import click_download

    at = run_app("app_pages/flows.py", params={"patron": "hezbollah", "flow_colour": "grade"})
    report = click_download(kept_media, at, "report-view").decode("utf-8")
    assert "Support flows from Lebanese Hezbollah" in report
    assert "Bands by grade, widths by relations" in report
    default = run_app("app_pages/overview.py")
    report = click_download(kept_media, default, "report-view").decode("utf-8")
    assert "Support flows from Iran" in report


def test_a_large_record_draws_the_busiest_actors_and_says_how_many_it_left_out():
    """Three hundred groups each funding the next two: the flows reach them all; the drawing
    keeps 60, grown out from the patron by the largest flows, and says so."""
    rows = [(f"r{i}-{j}", f"g{i:03d}", "funds", f"g{i + j:03d}", "confirmed")
            for i in range(300) for j in (1, 2) if i + j < 300]
    found = flows.support_flows(relations_frame(rows), actors_frame([f"g{i:03d}" for i in
                                                                     range(300)]), "g000")
    assert found.nodes["actor_id"].nunique() <= flows.MAX_ACTORS
    assert "g000" in set(found.nodes["actor_id"])
    assert any("Drawn: 60 of the 300 actors these flows join" in s for s in found.left_out)
    # every drawn band is still reached from the patron
    graph = nx.DiGraph(list(zip(found.links["source"], found.links["target"])))
    assert all(nx.has_path(graph, "g000", a) for a in set(found.links["source"]))


def test_widths_by_events_with_no_event_between_any_two_say_so_on_the_page(data_copy,
                                                                            monkeypatch):
    import csv

    path = data_copy / "events.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:  # no event names two actors any more
        row["actor2"], row["assoc_actors"] = "", ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    at = run_app("app_pages/flows.py", params={"flow_width": "events"})
    assert not at.exception
    assert any(i.value.startswith("Nothing to draw: No link has a matching event")
               for i in at.info)
    assert not at.get("echarts_chart")


def test_labels_end_before_the_next_column_at_the_charts_width(ds):
    from components.ui import flows_panel

    found = flows.support_flows(ds.relations, ds.actors, patron="iran")
    for width_px in (700, 900, 1100):
        series = flows_panel.echarts_option(found, "claim status", width_px=width_px)["series"][0]
        columns = int(found.nodes["depth"].max()) + 1
        spacing = (width_px - series["left"] - series["right"] - series["nodeWidth"]) / (
            columns - 1)
        assert series["label"]["width"] + series["nodeWidth"] <= spacing
        assert series["labelLayout"] == {"hideOverlap": True}
        assert series["label"]["overflow"] == "break"  # whole names, wrapped, not cut
        last = [d for d in series["data"] if d["depth"] == columns - 1]
        assert last and all(d["label"]["width"] < series["right"] for d in last)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
def test_every_actor_is_reached_from_the_starts_found_in_one_walk(edges):
    """The starts (actors nothing flows into, then one actor of each loop not yet reached) are
    those a search from each start with networkx finds, loops and repeated edges included."""
    graph = nx.DiGraph()
    graph.add_edges_from((f"a{g:02d}", f"a{r:02d}") for g, r in edges if g != r)
    expected = sorted(n for n in graph if graph.in_degree(n) == 0)
    seen = set(expected).union(*(nx.descendants(graph, s) for s in expected))
    for node in sorted(graph):
        if node not in seen:
            expected.append(node)
            seen |= {node} | nx.descendants(graph, node)
    assert flows._starts(graph) == expected
    following = flows._adjacency(graph)
    assert flows._reachable(following, expected, set()) == set(graph)


def test_an_actor_named_twice_by_one_event_is_counted_once_per_pair(data_copy):
    """The store reads most pairs off the row (first and second actor) and only events with
    associated actors through every name they hold: an event naming one actor as both, one
    repeating its actors among its associated actors, and one with associated actors but no
    second actor all count as row-by-row counting says."""
    path = data_copy / "events.csv"
    events = pd.read_csv(path, dtype=str, keep_default_na=False)
    plain = events.index[events["assoc_actors"] == ""]
    listing = events.index[events["assoc_actors"] != ""]
    events.loc[plain[0], "actor2"] = events.loc[plain[0], "actor1"]
    repeated = listing[0]
    events.loc[repeated, "assoc_actors"] = ";".join(
        [events.loc[repeated, "actor1"], events.loc[repeated, "actor2"], "hezbollah"])
    events.loc[listing[1], ["actor2", "assoc_actors"]] = ["", "hezbollah;jam"]
    events.to_csv(path, index=False)
    loaded = loader.load_dataset(data_copy)
    assert not loaded.errors
    changed = loaded.dataset
    pairs = selection.select(changed, f.Filters()).pair_counts()
    assert pairs == pairs_named(changed.events)
    assert frozenset((events.loc[plain[0], "actor1"],)) not in pairs  # no pair with itself
    chosen = f.Filters(event_types=(events.loc[listing[1], "event_type"],))
    narrowed = selection.select(changed, chosen)
    assert narrowed.pair_counts() == pairs_named(
        changed.events[changed.events["event_type"] == chosen.event_types[0]])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.integers(min_value=0, max_value=200),
                                st.integers(min_value=0, max_value=200)), max_size=30),
       event_type=st.sampled_from([None, "funding", "armed attack", "training"]))
def test_pairs_asked_for_are_those_of_every_pair(ds, picks, event_type):
    """The flows ask the store only for the pairs they link: the same counts as every pair's,
    kept to those pairs, whatever they are (either order, an actor with itself, actors naming
    no event, pairs asked twice)."""
    chosen = f.Filters(event_types=(event_type,) if event_type else ())
    matching = selection.select(ds, chosen)
    every = matching.pair_counts()
    ids = sorted(ds.actors["actor_id"]) + ["no-such-actor"]
    asked = [(ids[i % len(ids)], ids[j % len(ids)]) for i, j in picks]
    # most random pairs name no event together: the pairs events do name, in either order
    named = sorted(tuple(sorted(pair)) for pair in every)
    asked += [named[i % len(named)][::(-1) ** i] for i, _ in picks if named]
    wanted = {frozenset(pair) for pair in asked}
    assert matching.pair_counts(asked) == {pair: n for pair, n in every.items()
                                           if pair in wanted}


def test_flows_by_events_read_the_same_asking_only_their_pairs(ds):
    matching = selection.select(ds, f.Filters())
    asked: list[list] = []

    def pairs_of(pairs):
        asked.append(list(pairs))
        return matching.pair_counts(pairs)
    lazily = flows.support_flows(ds.relations, ds.actors, "iran", "events", pairs_of)
    eagerly = flows.support_flows(ds.relations, ds.actors, "iran", "events",
                                  matching.pair_counts())
    pd.testing.assert_frame_equal(lazily.links, eagerly.links)
    pd.testing.assert_frame_equal(lazily.nodes, eagerly.nodes)
    assert lazily.left_out == eagerly.left_out
    assert len(asked) == 1 and all(isinstance(pair, tuple) for pair in asked[0])
    assert {frozenset(p) for p in zip(lazily.links["source"], lazily.links["target"])} <= {
        frozenset(p) for p in asked[0]}


def test_flows_with_no_matching_event_say_first_why_nothing_is_drawn():
    """Widths by events with no event naming any linked pair: the diagram is empty, and the
    first thing its message says is that, and how to draw the links (a loop left out, also
    named, was not the reason)."""
    relations = relations_frame([("r1", "a", "funds", "b", "confirmed"),
                                 ("r2", "b", "funds", "c", "confirmed"),
                                 ("r3", "c", "funds", "a", "confirmed")])
    found = flows.support_flows(relations, actors_frame(["a", "b", "c"]), "a", "events", {})
    assert found.empty
    assert found.left_out[0].startswith("No link has a matching event")
    assert '"Widths by: relations" draws its 2 links' in found.left_out[0]
    assert any("close a loop" in s for s in found.left_out[1:])
