"""The readable link chart, core and drawing: parallel relations merged into one edge, the two
camps kept apart by a layout that filtering never moves, labels that never overlap."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from components import exports, linkchart, loader, network
from components.ui import network_charts
from tests.conftest import DATA


@pytest.fixture(scope="module")
def ds():
    return loader.load_dataset(DATA).dataset


@pytest.fixture(scope="module")
def layout(ds):
    return network.stable_layout(ds.actors, ds.relations)


@pytest.fixture(scope="module")
def frames(ds, layout):
    letters = dict(zip(ds.sources["source_id"], ds.sources["reliability"]))
    nodes, edges = network.network_frames(ds.actors, ds.relations, layout, reliability=letters)
    return nodes, edges


@pytest.fixture(scope="module")
def drawn(frames):
    return linkchart.drawing(*frames)


def _side_x(ds, positions):
    side = linkchart.sides(ds.actors)
    xs = {s: [positions[a][0] for a in positions if side.get(a) == s] for s in linkchart.SIDES}
    return xs


# --------------------------------------------------------------------------------------------
# Merged edges


def test_parallel_relations_become_one_edge_with_a_count(ds, frames, drawn):
    _, edges = frames
    _, merged = drawn
    pairs = {tuple(sorted(p)) for p in zip(ds.relations["source"], ds.relations["target"])}
    assert len(merged) == len(pairs) < len(ds.relations)
    assert merged["pair"].is_unique
    assert merged["count"].sum() == len(edges)
    assert sorted(itertools.chain(*merged["relation_ids"])) == sorted(ds.relations["relation_id"])
    # Iran and the Special Groups: five relations (funds, arms, trains...) drawn as one line
    iran_sg = merged.set_index("pair").loc["iran | special-groups"]
    expected = ds.relations[{"iran", "special-groups"} == ds.relations[["source", "target"]]
                            .apply(set, axis=1)]
    assert iran_sg["count"] == len(expected) == 5
    assert set(iran_sg["relation_ids"]) == set(expected["relation_id"])
    assert linkchart.edge_width(5) > linkchart.edge_width(1)


def test_a_merged_edge_tooltip_lists_each_relation(ds, drawn):
    _, merged = drawn
    row = next(merged[merged["pair"] == "iran | special-groups"].itertuples())
    tooltip = network_charts.edge_tooltip(row, "relation family")
    assert tooltip.count("• ") == 5
    for relation in ds.relations[ds.relations["relation_id"].isin(row.relation_ids)].itertuples():
        assert f"<b>{relation.relation}</b>" in tooltip
        assert relation.claim_status in tooltip and relation.grade in tooltip
        assert network.period_text(relation.start_date, relation.end_date) in tooltip
    assert "isw (B)" in tooltip  # the source with its reliability
    assert "5 relations" in tooltip


def _relations(rows) -> pd.DataFrame:
    columns = ["relation_id", "source", "target", "source_name", "target_name", "relation",
               "family", "claim_status", "grade", "grade_band", "period", "description",
               "sources_text"]
    frame = pd.DataFrame(rows, columns=columns[:9])
    frame["grade_band"] = frame["grade"].map(linkchart.grades.grade_band)
    frame["period"], frame["description"], frame["sources_text"] = "dates not given", "", "s (B)"
    return frame[columns]


def test_a_merged_edge_is_coloured_by_a_stated_rule():
    edges = _relations([
        ("r1", "a", "b", "A", "B", "funds", "support", "confirmed", "B2"),
        ("r2", "a", "b", "A", "B", "trains", "support", "disputed", "C3"),
        ("r3", "b", "a", "B", "A", "accuses", "hostility", "reported", "B1"),
        ("r4", "a", "c", "A", "C", "leads", "command and membership", "confirmed", "A1"),
    ])
    merged = linkchart.merge_edges(edges).set_index("pair")
    ab = merged.loc["a | b"]
    assert ab["count"] == 3 and ab["direction"] == "both ways"
    assert (ab["source"], ab["target"]) == ("a", "b")  # the way most of them point
    assert ab["family"] == "support" and ab["family_count"] == 2  # most of them
    assert ab["claim_status"] == "disputed"  # the least certain
    assert ab["grade_band"] == "fair (C or 3)" and ab["grade"] == "C3"  # the weakest
    assert merged.loc["a | c", "count"] == 1 and merged.loc["a | c", "direction"] == "one way"
    row = ab.to_dict() | {"count": 3}
    assert "the family of 2 of these 3" in linkchart.colour_note(row, "relation family")
    assert "least certain" in linkchart.colour_note(row, "claim status")
    assert "weakest" in linkchart.colour_note(row, "grade")
    # the line stays visibly disputed: dashed and lighter than a confirmed one
    nodes = pd.DataFrame({"actor_id": ["a", "b", "c"], "px": [0, 100, 50], "py": [0, 0, 80],
                          "radius": [5, 5, 5]})
    where = dict(zip(nodes["actor_id"], zip(nodes["px"], nodes["py"], nodes["radius"])))
    drawn = linkchart.merge_edges(edges)
    for column in ("path", "arrow", "back_arrow"):
        drawn[column] = [linkchart.edge_geometry(where[s], where[t], d == "both ways")[column]
                         for s, t, d in zip(drawn["source"], drawn["target"], drawn["direction"])]
    links = {(r.source, r.target): network_charts._link_item(r, "claim status", None)
             for r in drawn.itertuples()}
    disputed, confirmed = links[("a", "b")]["lineStyle"], links[("a", "c")]["lineStyle"]
    assert disputed["type"] != "solid" and confirmed["type"] == "solid"
    assert disputed["opacity"] < confirmed["opacity"]
    assert links[("a", "b")]["symbol"] == ["arrow", "arrow"]  # relations both ways


def test_every_colouring_works_on_merged_edges(drawn):
    nodes, merged = drawn
    from components.ui.network_panel import EDGE_COLOURS

    for colour_by in EDGE_COLOURS:  # the Network page's ("change" is the Compare page's)
        option = network_charts.echarts_option(nodes, merged, edge_colour=colour_by)
        links = option["series"][0]["links"]
        keys = {link["colour_key"] for link in links}
        assert keys == set(merged[network_charts.EDGE_FIELDS[colour_by]])
        assert len({link["lineStyle"]["color"] for link in links}) == len(keys)
        legend = network_charts.edge_legend_markdown(merged, colour_by)
        assert linkchart.MERGE_RULES[colour_by] in legend


# --------------------------------------------------------------------------------------------
# The layout


def test_the_layout_keeps_the_camps_apart(ds, layout):
    xs = _side_x(ds, layout)
    iran, other, us = (xs[s] for s in linkchart.SIDES)
    assert len(iran) > 10 and len(us) > 10
    assert np.mean(iran) < np.mean(other) < np.mean(us)
    assert max(iran) < min(us)  # every actor of Iran's camp left of every one of the other camp
    bands = linkchart.layout_bands(ds.actors, ds.relations)
    side = linkchart.sides(ds.actors)
    for actor, (x, _) in layout.items():
        lo, hi = bands[side.get(actor, linkchart.OTHER_SIDE)]
        assert lo <= (x + 1) / 2 * linkchart.REF_W <= hi


def test_the_layout_is_seeded_and_filtering_never_moves_an_actor(ds, layout):
    assert network.stable_layout(ds.actors, ds.relations) == layout
    subset = ds.relations[ds.relations["source"].isin(["irgc-qf", "hezbollah", "usa"])]
    nodes, _ = network.network_frames(ds.actors, subset, layout)
    assert len(nodes) < len(layout)
    for row in nodes.itertuples():
        assert (row.x, row.y) == layout[row.actor_id]
    # and on screen: the subset is drawn where the layout puts it, the window only zoomed in
    # (one scale and shift per axis for every actor, the same for the whole data)
    for shown in (nodes, network.network_frames(ds.actors, ds.relations, layout)[0]):
        drawn_nodes, merged = linkchart.drawing(shown, network.network_frames(
            ds.actors, ds.relations[ds.relations["source"].isin(shown["actor_id"])
                                    & ds.relations["target"].isin(shown["actor_id"])],
            layout)[1])
        option = network_charts.echarts_option(drawn_nodes, merged, width_px=1100,
                                               height_px=800)
        where = {d["id"]: (d["x"], d["y"]) for d in option["series"][0]["data"]
                 if d.get("actor_id")}
        lx = np.array([layout[a][0] for a in where])
        ly = np.array([layout[a][1] for a in where])
        sx = np.array([where[a][0] for a in where])
        sy = np.array([where[a][1] for a in where])
        for screen, laid, sign in ((sx, lx, 1), (sy, ly, -1)):  # screen y grows downwards
            slope, shift = np.polyfit(laid, screen, 1)
            assert sign * slope > 0
            assert np.abs(slope * laid + shift - screen).max() < 0.05
    # the whole data fills the chart; a few actors are zoomed in on, never beyond the layout
    assert linkchart.frame([0, linkchart.REF_W], [0, linkchart.REF_H]) == (
        0, 0, linkchart.REF_W, linkchart.REF_H)
    x0, y0, x1, y1 = linkchart.frame([500, 520], [300, 310])
    assert x1 - x0 == pytest.approx(linkchart.MIN_FRAME * linkchart.REF_W)
    assert 0 <= x0 < 500 and 520 < x1 <= linkchart.REF_W


def test_the_layout_handles_actors_without_a_side_and_empty_data(ds):
    actors = ds.actors.drop(columns=["side"])
    positions = linkchart.sided_layout(actors, ds.relations)
    assert set(positions) >= set(ds.actors["actor_id"])
    assert all(-1 <= x <= 1 and -1 <= y <= 1 for x, y in positions.values())
    assert linkchart.sided_layout(ds.actors.head(0), ds.relations.head(0)) == {}


# --------------------------------------------------------------------------------------------
# Labels


def test_shown_label_boxes_never_overlap(drawn):
    nodes, _ = drawn
    shown = nodes[nodes["label_place"].notna()]
    # at the reference size (exports, reports, the Network page) every actor is labelled
    assert len(shown) == len(nodes)
    _assert_clear(shown["label_box"].tolist(), nodes)


def test_labels_placed_for_a_narrow_chart_never_overlap(drawn):
    """The Overview's half-width chart: fewer labels fit, and those shown still never overlap
    each other or the middle of a node."""
    nodes, merged = drawn
    box = network_charts.plot_box(520, 600)
    inner_w, inner_h = 520 - box["left"] - box["right"], 600 - box["top"] - box["bottom"]
    x = nodes["px"].to_numpy() / linkchart.REF_W * inner_w + box["left"]
    y = nodes["py"].to_numpy() / linkchart.REF_H * inner_h + box["top"]
    placed = network_charts._places_at(nodes, x, y, box, 520, 600)
    boxes = [(b[0] + xi, b[1] + yi, b[2] + xi, b[3] + yi)
             for (p, b), xi, yi in zip(placed, x, y) if p is not None]
    assert len(nodes) // 3 < len(boxes) < len(nodes)
    moved = nodes.assign(px=x, py=y)
    _assert_clear(boxes, moved)
    assert all(0 <= b[0] and b[2] <= 520 for b in boxes)  # inside the chart
    option = network_charts.echarts_option(nodes, merged, compact=True, width_px=520,
                                           height_px=600)
    shown = [d for d in option["series"][0]["data"] if d.get("actor_id")
             and d["label"]["show"]]
    assert len(shown) == len(boxes)
    assert option["series"][0]["labelLayout"] == {"hideOverlap": True}  # and in the browser


def test_random_labels_never_overlap():
    rng = np.random.default_rng(3)
    for _ in range(20):
        n = int(rng.integers(5, 60))
        x, y = rng.uniform(0, 600, n), rng.uniform(0, 400, n)
        radius = rng.uniform(4, 15, n)
        widths, heights = rng.uniform(20, 140, n), rng.choice([15.0, 30.0], n)
        places, boxes = linkchart.label_boxes(x, y, radius, widths, heights,
                                              bounds=(0, 0, 600, 400))
        shown = [b for b in boxes if b is not None]
        nodes = pd.DataFrame({"px": x, "py": y, "radius": radius})
        _assert_clear(shown, nodes)
        for place, box, w, h in zip(places, boxes, widths, heights):
            if place is not None:
                assert box[2] - box[0] == pytest.approx(w) and box[3] - box[1] == pytest.approx(h)


def _assert_clear(boxes, nodes):
    for a, b in itertools.combinations(boxes, 2):
        assert not linkchart.overlap(a, b), (a, b)
    cores = [(r.px - linkchart.NODE_CORE * r.radius, r.py - linkchart.NODE_CORE * r.radius,
              r.px + linkchart.NODE_CORE * r.radius, r.py + linkchart.NODE_CORE * r.radius)
             for r in nodes.itertuples()]
    for box in boxes:
        assert sum(linkchart.overlap(box, core) for core in cores) == 0


def test_long_names_are_wrapped_or_shortened_with_the_full_name_on_hover(drawn):
    assert linkchart.short_label("Iran") == "Iran"
    assert linkchart.short_label("Combating Terrorism Center at West Point") == (
        "Combating Terrorism\nCenter at West Point")
    assert linkchart.short_label("Supreme Council for the Islamic Revolution in Iraq",
                                 ("SCIRI",)) == "SCIRI"
    cut = linkchart.short_label("A very long name that has no short form at all, none")
    assert cut.endswith("…") and all(len(line) <= linkchart.LABEL_CHARS for line in cut.split("\n"))
    nodes, _ = drawn
    sciri = nodes.set_index("actor_id").loc["sciri"]
    assert sciri["short"] == "SCIRI"
    assert "Supreme Council for the Islamic Revolution in Iraq" in network_charts.node_tooltip(
        next(nodes[nodes["actor_id"] == "sciri"].itertuples()))


# --------------------------------------------------------------------------------------------
# The static drawing for exports and the report


def test_the_static_drawing_has_the_same_merged_edges_and_sides(ds, drawn):
    nodes, merged = drawn
    spec = network_charts.static_spec(nodes, merged,
                                      bands=linkchart.layout_bands(ds.actors, ds.relations))
    lines = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    points = pd.DataFrame(lines["data"]["values"])
    assert points["pair"].nunique() == len(merged)
    svg = exports.chart_svg(spec)
    assert svg.startswith("<svg") and "Iran and its partners" in svg
    assert "U.S., Coalition and Iraqi government" in svg and "Special Groups" in svg
    texts = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "text"
                 and "stroke" not in layer["mark"])
    assert texts["mark"]["lineBreak"] == "\n"
