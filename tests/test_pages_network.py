"""AppTest: the readable link chart on the Network, Overview, Actor and Briefing pages: merged
edges (one line per pair of actors), the camps apart, a click that filters every view to the
actor, a highlighted actor that fades the rest, and the static drawing for exports."""

from __future__ import annotations

import pytest

from components import linkchart, loader
from components.ui import network_charts
from tests.apptest_helpers import (
    click_graph_node,
    echarts_option,
    echarts_titled,
    graph_links,
    graph_nodes,
    graph_relations,
    run_app,
)
from tests.conftest import DATA


@pytest.fixture(scope="module")
def ds():
    return loader.load_dataset(DATA).dataset


def test_the_network_page_draws_one_line_per_pair_of_actors(ds):
    at = run_app("app_pages/network.py")
    chart = echarts_titled(at, "Actor network")
    links = graph_links(chart)
    pairs = links.apply(lambda r: tuple(sorted((r["source"], r["target"]))), axis=1)
    assert pairs.is_unique  # parallel relations merged
    expected = {tuple(sorted(p)) for p in zip(ds.relations["source"], ds.relations["target"])}
    assert set(pairs) == expected and len(links) < len(ds.relations)
    relations = graph_relations(chart)
    assert sorted(relations["relation_id"]) == sorted(ds.relations["relation_id"])
    iran_sg = links[pairs == ("iran", "special-groups")].iloc[0]
    assert iran_sg["count"] == 5 and len(iran_sg["relation_ids"]) == 5
    assert iran_sg["tooltip"]["formatter"].count("• ") == 5
    assert iran_sg["lineStyle"]["width"] > links[links["count"] == 1]["lineStyle"].iloc[0]["width"]
    assert any("60 actors, 138 relations drawn as 110 lines" in c.value for c in at.caption)


def test_the_network_page_keeps_the_camps_apart(ds):
    at = run_app("app_pages/network.py")
    nodes = graph_nodes(echarts_titled(at, "Actor network"))
    by_side = nodes.groupby("side")["x"]
    assert by_side.mean()[linkchart.IRAN_SIDE] < by_side.mean()[linkchart.OTHER_SIDE]
    assert by_side.max()[linkchart.IRAN_SIDE] < by_side.min()[linkchart.US_SIDE]
    header = " ".join(m.value for m in at.markdown)
    assert "Iran and its partners" in header and "U.S., Coalition and Iraqi government" in header


def test_clicking_an_actor_filters_every_view_to_it():
    at = run_app("app_pages/network.py")
    chart = echarts_titled(at, "Actor network")
    assert len(graph_nodes(chart)) > 40
    click_graph_node(at, chart, "daqduq")
    assert not at.exception
    assert at.multiselect(key="actors").value == ["daqduq"]
    narrowed = echarts_titled(at, "Actor network")
    nodes = set(graph_nodes(narrowed)["actor_id"])
    assert "daqduq" in nodes and {"hezbollah", "special-groups"} <= nodes and len(nodes) <= 6
    relations = graph_relations(narrowed)
    assert ((relations["source"] == "daqduq") | (relations["target"] == "daqduq")).all()
    assert any("Open the profile of Ali Mussa Daqduq" in link.proto.label
               for link in at.get("page_link"))
    # the chosen actor stands out; nothing it is linked to is faded
    item = next(d for d in echarts_option(narrowed)["series"][0]["data"] if d["id"] == "daqduq")
    assert item["itemStyle"]["borderWidth"] == 3
    assert not [d for d in echarts_option(narrowed)["series"][0]["data"]
                if d.get("actor_id") and d.get("itemStyle", {}).get("opacity")]
    # and the other views follow: the overview counts only Daqduq's events
    at.switch_page("app_pages/overview.py").run()
    assert int({m.label: m.value for m in at.metric}["Events"]) <= 5


def test_a_click_on_a_line_or_an_empty_selection_changes_nothing():
    at = run_app("app_pages/network.py")
    chart = echarts_titled(at, "Actor network")
    states = at._tree.get_widget_states()
    widget = states.widgets.add()
    widget.id = chart.proto.id
    widget.string_value = ('{"selection": {"selected": [{"series_index": 0, "data_type": "edge",'
                           ' "data_indices": [0]}], "areas": []}}')
    at._run(states)
    assert not at.exception and at.multiselect(key="actors").value == []


def test_highlighting_an_actor_fades_what_it_is_not_linked_to(ds):
    at = run_app("app_pages/network.py", params={"highlight": "IRGC-Qods Force"})
    assert at.selectbox(key="highlight").value == "irgc-qf"
    chart = echarts_titled(at, "Actor network")
    nodes = graph_nodes(chart).set_index("actor_id")
    relations = ds.relations
    linked = set(relations.loc[relations["source"] == "irgc-qf", "target"]) | set(
        relations.loc[relations["target"] == "irgc-qf", "source"]) | {"irgc-qf"}
    faded = {a for a, style in nodes["itemStyle"].items()
             if isinstance(style, dict) and style.get("opacity") == network_charts.FADED}
    assert faded and faded == set(nodes.index) - linked
    assert all(not nodes.loc[a, "label"]["show"] for a in faded)
    # the other views are not filtered by a highlight
    assert at.multiselect(key="actors").value == []


def test_colour_choices_reach_the_merged_edges():
    at = run_app("app_pages/network.py", params={"edge_colour": "claim status"})
    links = graph_links(echarts_titled(at, "Actor network"))
    relations = graph_relations(echarts_titled(at, "Actor network"))
    assert set(links["colour_key"]) <= set(linkchart.STATUS_ORDER)
    # a line coloured by claim status shows the least certain of its relations
    for link in links.itertuples():
        statuses = [r["claim_status"] for r in link.relations]
        assert link.colour_key == max(statuses, key=linkchart.STATUS_ORDER.index)
    assert len(relations) == links["count"].sum()
    legend = " ".join(m.value for m in at.markdown)
    assert "the least certain claim among the pair's relations" in legend


@pytest.mark.parametrize("page, params, title", [
    ("app_pages/overview.py", {}, "Actor network"),
    ("app_pages/actor.py", {"actor": "irgc-qf"}, "Within 1 relation"),
    ("app_pages/briefing.py", {"step": "4"}, "Actor network"),
])
def test_every_page_with_a_network_uses_the_link_chart(page, params, title):
    at = run_app(page, params=params)
    chart = echarts_titled(at, title)
    links = graph_links(chart)
    pairs = links.apply(lambda r: tuple(sorted((r["source"], r["target"]))), axis=1)
    assert len(links) and pairs.is_unique
    option = echarts_option(chart)
    assert option["series"][0]["labelLayout"] == {"hideOverlap": True}
    assert option["series"][0]["emphasis"]["focus"] == "adjacency"
    assert option["series"][0]["roam"] is True
    assert not [c for c in at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")
                if "network" in str(c.proto.spec)[:400].lower()]


def test_the_network_page_offers_png_and_svg_of_the_static_drawing():
    at = run_app("app_pages/network.py")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "PNG" in labels and "SVG" in labels


def test_the_overview_says_which_actors_involved_the_network_cannot_draw(ds):
    """The headline counts every actor the matching events or relations name; the network
    draws those with a relation. The caption accounts for the difference (63 against 60)."""
    at = run_app()
    involved = int(next(m.value for m in at.metric if m.label == "Actors involved"))
    drawn = set(graph_nodes(echarts_titled(at, "Actor network"))["actor_id"])
    in_events = set(ds.events["actor1"]) | set(ds.events["actor2"])
    for listed in ds.events["assoc_actors"]:
        in_events |= set(listed)
    ends = set(ds.relations["source"]) | set(ds.relations["target"])
    only = (in_events - {""}) - ends
    assert only and involved == len(drawn) + len(only)
    note = next(c.value for c in at.caption if "drawn as" in c.value)
    assert f"{len(only)} more actors are named only by events, with no relation to draw" in note
