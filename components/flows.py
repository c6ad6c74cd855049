"""Support flows: how support passes from a patron through intermediaries to the proxies, and
on to whom the proxies target or fight. No Streamlit import.

A flow runs along the relations that carry support or control from one actor to another, each
read in the direction support travels (FLOW_WAYS): "A funds B" runs from A to B, "A proxy of B"
from the patron B to its proxy A, "A part of B" from the whole B to its part A. The last column
holds whom the actors reached target or fight (HOSTILE). A flow diagram cannot draw a loop or a
relation of an actor with itself: those are left out and named (`Flows.left_out`).
"""

from __future__ import annotations

import heapq
import html
from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from components import frames, grades, linkchart, network, palette
from components.wording import agreeing, counted

FORWARD, BACKWARD = "giver to receiver", "receiver to giver"
# the support family (palette.RELATION_FAMILY_OF) runs from the giver; so do command and
# founding; "proxy of" and "part of" name the receiver first
FLOW_WAYS = {
    **{relation: FORWARD for relation, family in palette.RELATION_FAMILY_OF.items()
       if family == "support"},
    "commands": FORWARD,
    "founded": FORWARD,
    "proxy of": BACKWARD,
    "part of": BACKWARD,
}
HOSTILE = ("targets", "fights")
WIDTH_BY = {"relations": "number of relations", "events": "number of events between the two"}
COLOUR_BY = {"claim status": "claim_status", "grade": "grade_band"}
TARGET_SUFFIX = " (as target)"
MAX_ACTORS = 60  # drawn at most (those with the largest flows; the patron always)

NODE_COLUMNS = ["key", "actor_id", "name", "role", "depth", "side", "actor_type"]
LINK_COLUMNS = ["source_key", "target_key", "source", "target", "kind", "relations", "events",
                "value", "relation_ids", "claim_status", "grade_band", "listing"]


@dataclass
class Flows:
    nodes: pd.DataFrame  # NODE_COLUMNS: one row per drawn node; `key` is unique
    links: pd.DataFrame  # LINK_COLUMNS: one row per drawn band, merged over relations
    patron: str | None  # the actor the flows start from; None: every patron
    width_by: str = "relations"  # a key of WIDTH_BY
    left_out: list[str] = field(default_factory=list)  # sentences: what could not be drawn

    @property
    def empty(self) -> bool:
        return self.links.empty

    def link_names(self) -> set[tuple[str, str]]:
        """(giver, receiver) actor ids of every drawn band."""
        return set(zip(self.links["source"], self.links["target"]))


def oriented(relations: pd.DataFrame) -> pd.DataFrame:
    """The relations that carry support, as giver -> receiver rows (kind "flow"), and the
    hostile ones as actor -> target rows (kind "target")."""
    rows = []
    for row in frames.row_tuples(relations[["relation_id", "relation", "source", "target"]]):
        way = FLOW_WAYS.get(row.relation)
        if way is not None:
            giver, receiver = ((row.source, row.target) if way == FORWARD
                               else (row.target, row.source))
            rows.append((giver, receiver, "flow", row.relation_id))
        elif row.relation in HOSTILE:
            rows.append((row.source, row.target, "target", row.relation_id))
    out = pd.DataFrame(rows, columns=["giver", "receiver", "kind", "relation_id"])
    return out.merge(relations, on="relation_id", how="left")


def patrons(relations: pd.DataFrame, actors: pd.DataFrame) -> list[tuple[str, int]]:
    """Every actor support flows from, with how many actors its drawn flows reach (before
    whom they target), most first; ties by id, so the order is stable."""
    flows = oriented(relations)
    gives = flows[(flows["kind"] == "flow") & (flows["giver"] != flows["receiver"])]
    graph = _flow_graph(gives)
    sides = frames.lookup(actors, "actor_id", "side") if "side" in actors else {}
    following = _adjacency(graph)  # a walk from every actor: plain lists, not networkx's views
    reach = {node: len(_walk(following, [node], sides)[1]) - 1 for node in graph
             if graph.out_degree(node) > 0}
    return sorted(reach.items(), key=lambda item: (-item[1], item[0]))


RULE_WORDS = ("Flows follow funds, trains, arms, supports, advises and commands from giver to "
              "receiver, founded from founder to founded, proxy of from patron to proxy and part "
              "of from the whole to its part; the last column holds whom they target or fight.")


def support_flows(relations: pd.DataFrame, actors: pd.DataFrame, patron: str | None = None,
                  width_by: str = "relations", pair_events: dict | Callable | None = None,
                  reliability: dict | None = None, max_actors: int | None = MAX_ACTORS
                  ) -> Flows:
    """The flows from `patron` (None: from every actor that gives support) through the actors
    they reach, and on to whom those actors target or fight.

    pair_events: {frozenset({a, b}): events naming both}, or a function giving it for a list
    of pairs (Selection.pair_counts: asked only of the pairs the flows link), needed when the
    widths are by events; reliability: source id -> letter, for the tooltips."""
    names = frames.lookup(actors, "actor_id", "name")
    flows = oriented(relations)
    gives, hostile = flows[flows["kind"] == "flow"], flows[flows["kind"] == "target"]
    left_out = []
    selfish = gives[gives["giver"] == gives["receiver"]]
    gives = gives[gives["giver"] != gives["receiver"]]
    graph = _flow_graph(gives)
    if patron is not None and patron not in graph:
        return Flows(pd.DataFrame(columns=NODE_COLUMNS), pd.DataFrame(columns=LINK_COLUMNS),
                     patron, width_by, left_out)
    starts = [patron] if patron is not None else _starts(graph)
    sides = frames.lookup(actors, "actor_id", "side") if "side" in actors else {}
    followed, reached = _walk(_adjacency(graph), starts, sides if patron is not None else {})
    gives = gives[gives["giver"].isin(followed) & gives["receiver"].isin(reached)]
    if patron is not None:  # with every patron, every self-link is named
        selfish = selfish[selfish["giver"].isin(followed)]
    if len(selfish):
        left_out.append(_sentence("relation of an actor with itself", selfish, names))
    # only the edges to be drawn: an edge out of an actor reached but not followed is not
    drawn = _flow_graph(gives)
    drawn.add_nodes_from(starts)
    loops = _loop_closers(drawn, starts)
    closing = [(g, r) in loops for g, r in zip(gives["giver"], gives["receiver"])]
    if any(closing):
        left_out.append(_sentence("relation that would close a loop", gives[closing], names))
    gives = gives[[not c for c in closing]]
    hostile = hostile[hostile["giver"].isin(followed)]
    targeting_self = hostile[hostile["giver"] == hostile["receiver"]]
    if len(targeting_self):
        left_out.append(_sentence("relation of an actor with itself", targeting_self, names))
    hostile = hostile[hostile["giver"] != hostile["receiver"]]
    links = _merged(pd.concat([gives, hostile], ignore_index=True), names, reliability or {})
    if callable(pair_events):
        pair_events = pair_events(list(zip(links["source"], links["target"])))
    links["events"] = [int((pair_events or {}).get(frozenset((a, b)), 0))
                       for a, b in zip(links["source"], links["target"])]
    if width_by == "events":
        silent = int((links["events"] == 0).sum())
        kept = _still_reached(links[links["events"] > 0], starts)
        beyond = len(links) - silent - len(kept)
        links = kept
        if silent and not len(kept):  # the reason nothing is drawn: said first
            left_out.insert(0, f"No link has a matching event, and widths are by events: "
                            f"\"Widths by: relations\" draws its {counted(silent, 'link')}.")
        elif silent:
            left_out.append(
                f"{counted(silent, 'link')} with no matching event "
                f"{agreeing(silent, 'is', 'are')} not drawn while widths are by events"
                + (f", nor {beyond} beyond them that the patron's flows no longer reach."
                   if beyond else "."))
    links["value"] = links["events"] if width_by == "events" else links["relations"]
    if max_actors is not None:
        links, reached_in_all = _busiest(links, starts, max_actors)
        if reached_in_all > max_actors:
            left_out.append(
                f"Drawn: {max_actors} of the {reached_in_all:,} actors these flows join, "
                "taken out from the patron by the largest flows (a flow diagram of more "
                "cannot be read); narrow the filters or start from another actor for the rest.")
    nodes, links = _nodes(links, actors, starts)
    return Flows(nodes, links.reset_index(drop=True), patron, width_by, left_out)


def _still_reached(links: pd.DataFrame, starts: list[str]) -> pd.DataFrame:
    """The bands still reached from the starts through the bands kept (dropping a band can
    cut off what lay beyond it)."""
    gives = links[links["kind"] == "flow"]
    graph = _flow_graph(gives.rename(columns={"source": "giver", "target": "receiver"}))
    graph.add_nodes_from(starts)
    reached = set(starts).union(*(nx.descendants(graph, s) for s in starts))
    return links[links["source"].isin(reached)]


def _flow_graph(gives: pd.DataFrame) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_edges_from(zip(gives["giver"], gives["receiver"]))
    return graph


def _adjacency(graph: nx.DiGraph) -> dict[str, list[str]]:
    """Each actor's receivers."""
    return {node: list(graph.successors(node)) for node in graph}


def _reachable(following: dict[str, list[str]], sources, seen: set[str]) -> set[str]:
    """`seen` (closed: whatever a seen actor reaches is seen) with the sources and every actor
    they reach added; what was seen already is not walked again."""
    walking = [s for s in sources if s not in seen]
    seen.update(walking)
    while walking:
        for receiver in following[walking.pop()]:
            if receiver not in seen:
                seen.add(receiver)
                walking.append(receiver)
    return seen


def _walk(graph: dict[str, list[str]], starts: list[str], sides: dict
          ) -> tuple[set[str], set[str]]:
    """The actors whose flows are followed from the starts, and every actor reached (`graph`:
    each actor's receivers, _adjacency). With
    `sides` (a single patron's walk), support that reaches an actor of another known side
    (the patron's flows reaching its adversaries' camp) is drawn to that actor and followed no
    further: its own flows belong to another patron."""
    home = {sides.get(s) for s in starts}
    if not home & set(linkchart.SIDES) - {linkchart.OTHER_SIDE}:
        sides = {}  # a patron of no known side: no side to stop at
    followed, reached = set(), set(starts)
    walking = list(starts)
    while walking:
        node = walking.pop()
        if node in followed:
            continue
        side = sides.get(node)
        if node not in starts and side in linkchart.SIDES and side != linkchart.OTHER_SIDE and (
                side not in home):
            continue
        followed.add(node)
        for receiver in graph[node]:
            reached.add(receiver)
            if receiver not in followed:
                walking.append(receiver)
    return followed, reached


def _starts(graph: nx.DiGraph) -> list[str]:
    """Where the flows of every patron begin: the actors nothing flows into, and one actor of
    each loop nothing outside flows into (so every actor is reached)."""
    starts = sorted(n for n in graph if graph.in_degree(n) == 0)
    following = _adjacency(graph)
    # one walk over the whole graph (a search from each start, as networkx's descendants,
    # cost 0.8 s at a million events)
    seen = _reachable(following, starts, set())
    for node in sorted(graph):
        if node not in seen:
            starts.append(node)
            _reachable(following, [node], seen)
    return starts


def _loop_closers(graph: nx.DiGraph, starts: list[str]) -> set[tuple[str, str]]:
    """The edges that point back to an actor still being walked from, in a depth-first walk
    from the starts: without them the flows have no loop."""
    closers: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the path being walked, 2 done
    for start in starts:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(sorted(graph.successors(start))))]
        while stack:
            node, following = stack[-1]
            step = next(following, None)
            if step is None:
                state[node] = 2
                stack.pop()
            elif state.get(step) == 1:
                closers.add((node, step))
            elif step not in state:
                state[step] = 1
                stack.append((step, iter(sorted(graph.successors(step)))))
    return closers


def _sentence(what: str, rows: pd.DataFrame, names: dict) -> str:
    listed = [f"{names.get(r.source, r.source)} {r.relation} {names.get(r.target, r.target)}"
              f" ({r.relation_id})" for r in rows.itertuples()]
    shown = "; ".join(listed[:6]) + (f"; and {len(listed) - 6} more" if len(listed) > 6 else "")
    if len(listed) > 1:  # "relation ..." -> "relations ..."
        what = what.replace("relation ", "relations ", 1).replace(" would ", " would each ")
    return f"Left out {len(listed)} {what}: {shown}."


def _merged(rows: pd.DataFrame, names: dict, reliability: dict) -> pd.DataFrame:
    """One band per (giver, receiver, kind): how many relations, the least certain status and
    the weakest grade among them, and each relation for the tooltip. (Plain records grouped in
    a dict: a frame's groupby with a row loop per group took seconds for a few thousand
    relations.)"""
    bands = list(grades.GRADE_BANDS)
    statuses = list(linkchart.STATUS_ORDER)
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for record in frames.records(rows):
        groups.setdefault((record["giver"], record["receiver"], record["kind"]), []).append(record)
    out = []
    for (giver, receiver, kind) in sorted(groups):
        group = groups[giver, receiver, kind]
        out.append({
            "source": giver, "target": receiver, "kind": kind, "relations": len(group),
            "relation_ids": tuple(r["relation_id"] for r in group),
            "claim_status": max((r["claim_status"] for r in group),
                                key=lambda v: statuses.index(v) if v in statuses
                                else len(statuses)),
            "grade_band": max((grades.grade_band(r.get("grade") or "") for r in group),
                              key=lambda b: bands.index(b) if b in bands else len(bands)),
            "listing": [{"from": names.get(r["source"], r["source"]), "relation": r["relation"],
                         "to": names.get(r["target"], r["target"]),
                         "period": network.period_text(r["start_date"], r["end_date"]),
                         "claim_status": r["claim_status"], "grade": r.get("grade") or "",
                         "sources": "; ".join(f"{s} ({reliability.get(s, '?')})"
                                              for s in (r["source_ids"] or ()))}
                        for r in group],
        })
    return pd.DataFrame(out, columns=[c for c in LINK_COLUMNS
                                      if c not in ("source_key", "target_key", "events",
                                                   "value")])


def _busiest(links: pd.DataFrame, starts: list[str], most: int) -> tuple[pd.DataFrame, int]:
    """At most `most` actors, grown out from the starts: each time, of the actors a kept actor
    gives to (or targets), the one with the largest flows in all (what its bands carry in and
    out) joins, so every kept actor is reached from a start through kept ones. Returns the
    bands among the kept actors, and how many actors the flows join in all."""
    volume: dict[str, float] = {}
    following: dict[str, list[str]] = {}
    for a, b, v in zip(links["source"], links["target"], links["value"]):
        volume[a] = volume.get(a, 0) + v
        volume[b] = volume.get(b, 0) + v
        following.setdefault(a, []).append(b)
    if len(volume) <= most:
        return links, len(volume)
    kept = set(starts)
    frontier = [(-volume.get(b, 0), b) for s in starts for b in following.get(s, [])]
    heapq.heapify(frontier)
    while frontier and len(kept) < most:
        _, actor = heapq.heappop(frontier)
        if actor in kept:
            continue
        kept.add(actor)
        for b in following.get(actor, []):
            if b not in kept:
                heapq.heappush(frontier, (-volume.get(b, 0), b))
    return links[links["source"].isin(kept) & links["target"].isin(kept)], len(volume)


def _nodes(links: pd.DataFrame, actors: pd.DataFrame, starts: list[str]
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The drawn nodes, in columns: each actor given or receiving support at its longest
    distance from a start; whom they target in one last column, apart (an actor both in the
    flows and targeted is drawn twice, the second time named "... (as target)")."""
    names = frames.lookup(actors, "actor_id", "name")
    sides = frames.lookup(actors, "actor_id", "side") if "side" in actors else {}
    types = frames.lookup(actors, "actor_id", "actor_type")
    gives = links[links["kind"] == "flow"]
    graph = _flow_graph(gives.rename(columns={"source": "giver", "target": "receiver"}))
    depth = {}
    for node in nx.topological_sort(graph):
        before = [depth[p] + 1 for p in graph.predecessors(node)]
        depth[node] = max(before, default=0)
    targeted = links.loc[links["kind"] == "target", "target"]
    givers = links.loc[links["kind"] == "target", "source"]
    for giver in givers:  # an actor that only targets (a patron with no flow drawn)
        depth.setdefault(giver, 0)
    last = max(depth.values(), default=-1) + 1
    rows, used = [], {}

    def unique(label: str, actor_id: str) -> str:
        key = label if label not in used or used[label] == actor_id else f"{label} ({actor_id})"
        used[key] = actor_id
        return key

    flow_key = {}
    for actor_id in sorted(depth, key=lambda a: (depth[a], a)):
        flow_key[actor_id] = unique(str(names.get(actor_id, actor_id)), actor_id)
        role = "patron" if actor_id in starts else "intermediary or proxy"
        rows.append((flow_key[actor_id], actor_id, names.get(actor_id, actor_id), role,
                     depth[actor_id]))
    target_key = {}
    for actor_id in sorted(set(targeted)):
        label = str(names.get(actor_id, actor_id))
        key = label + TARGET_SUFFIX if label in used else label
        target_key[actor_id] = unique(key, f"target:{actor_id}")
        rows.append((target_key[actor_id], actor_id, names.get(actor_id, actor_id), "target",
                     last))
    nodes = pd.DataFrame(rows, columns=NODE_COLUMNS[:5])
    nodes["side"] = [sides.get(a) if sides.get(a) in linkchart.SIDES else linkchart.OTHER_SIDE
                     for a in nodes["actor_id"]]
    nodes["actor_type"] = [types.get(a) or "other" for a in nodes["actor_id"]]
    links = links.copy()
    links["source_key"] = [flow_key[a] for a in links["source"]]
    links["target_key"] = [flow_key[b] if kind == "flow" else target_key[b]
                           for b, kind in zip(links["target"], links["kind"])]
    return nodes, links[LINK_COLUMNS]


# --------------------------------------------------------------------------------------------
# The static drawing (SVG), for the PNG and SVG downloads and the offline report

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
LABEL_CHARS = 30  # a longer name is cut in the drawing (its full name is the element's title)


def flow_svg(flows: Flows, colour_by: str = "claim status", width: int = 1400,
             height: int = 760, title: str = "Support flows") -> str:
    """The flows drawn as bands between columns of nodes: the same nodes, columns, widths and
    colours as the interactive chart, laid out here (nodes stacked in each column in the order
    that keeps bands short), with a legend of the colours."""
    top, bottom, left, right, node_w, gap = 50, 48, 16, 200, 14, 8
    nodes, links = flows.nodes, flows.links
    columns = int(nodes["depth"].max()) + 1 if len(nodes) else 1
    size = _node_sizes(nodes, links)
    inner_h = height - top - bottom
    # one unit of width (a relation, or an event) in pixels: the fullest column fills the height
    unit = min(((inner_h - gap * (len(group) - 1)) / sum(size[k] for k in group["key"])
                for _, group in nodes.groupby("depth")), default=1.0)
    unit = max(min(unit, 30.0), 0.5)
    step_x = (width - left - right - node_w) / max(columns - 1, 1)
    place: dict[str, tuple[float, float, float]] = {}  # key -> x, y, height
    for depth, keys in column_order(nodes, links).items():
        y = top
        for key in keys:
            h = max(size[key] * unit, 2)
            place[key] = (left + depth * step_x, y, h)
            y += h + gap
    scheme = "claim status" if colour_by == "claim status" else "grade"
    field_name = COLOUR_BY[colour_by]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="{FONT}">',
             f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
             f'<text x="{left}" y="24" font-size="17" font-weight="bold" fill="#222">'
             f'{html.escape(title)}</text>']
    # a node's bands leave it in the order of where they arrive, and arrive in the order of
    # where they leave, so that bands from one node do not cross each other
    centre = {k: y + h / 2 for k, (_, y, h) in place.items()}
    out_at, in_at = {}, {}
    for key_column, other, offsets in (("source_key", "target_key", out_at),
                                       ("target_key", "source_key", in_at)):
        used = {k: 0.0 for k in place}
        ordered = sorted(links.itertuples(), key=lambda r: (getattr(r, key_column),
                                                            centre[getattr(r, other)]))
        for row in ordered:
            offsets[row.Index] = used[getattr(row, key_column)]
            used[getattr(row, key_column)] += row.value * unit
    label_chars = max(int((step_x - node_w - 12) / 7), 10) if columns > 1 else LABEL_CHARS
    for link in links.itertuples():
        x0, y0, _ = place[link.source_key]
        x1, y1, _ = place[link.target_key]
        w = link.value * unit
        a = y0 + out_at[link.Index]
        b = y1 + in_at[link.Index]
        sx, tx = x0 + node_w, x1
        mid = (sx + tx) / 2
        colour = palette.colour(scheme, getattr(link, field_name))
        parts.append(
            f'<path d="M{sx:.1f},{a:.1f} C{mid:.1f},{a:.1f} {mid:.1f},{b:.1f} {tx:.1f},{b:.1f} '
            f'L{tx:.1f},{b + w:.1f} C{mid:.1f},{b + w:.1f} {mid:.1f},{a + w:.1f} '
            f'{sx:.1f},{a + w:.1f} Z" fill="{colour}" fill-opacity="0.5">'
            f'<title>{html.escape(link.source_key)} to {html.escape(link.target_key)}: '
            f'{int(link.relations)} relations, {html.escape(str(link.claim_status))}</title>'
            '</path>')
    for node in nodes.itertuples():
        x, y, h = place[node.key]
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{node_w}" height="{h:.1f}" '
                     f'fill="{palette.colour("actor side", node.side)}"/>')
        label = str(node.key)
        room = LABEL_CHARS if node.depth == columns - 1 else label_chars
        short = label if len(label) <= room else label[:room - 1].rstrip() + "…"
        parts.append(f'<text x="{x + node_w + 4:.1f}" y="{y + h / 2 + 4:.1f}" font-size="12" '
                     f'fill="#222" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                     f'<title>{html.escape(label)}</title>{html.escape(short)}</text>')
    present = [k for k in palette.SCHEMES[scheme] if k in set(links[field_name])]
    x = left
    legend_y = height - 16
    heading = f"Bands by {colour_by}, widths by {flows.width_by}:"
    parts.append(f'<text x="{x}" y="{legend_y}" font-size="12" fill="#222">'
                 f'{html.escape(heading)}</text>')
    x += 12 + 6.8 * len(heading)
    for key in present:
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" '
                     f'fill="{palette.colour(scheme, key)}" fill-opacity="0.7"/>')
        parts.append(f'<text x="{x + 16}" y="{legend_y}" font-size="12" fill="#222">'
                     f'{html.escape(key)}</text>')
        x += 24 + 7.2 * len(key)
    x += 24
    parts.append(f'<text x="{x}" y="{legend_y}" font-size="12" fill="#222">Actors by side:</text>')
    x += 100
    for side in [s for s in palette.SIDE if s in set(nodes["side"])]:
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" '
                     f'fill="{palette.colour("actor side", side)}"/>')
        parts.append(f'<text x="{x + 16}" y="{legend_y}" font-size="12" fill="#222">'
                     f'{html.escape(side)}</text>')
        x += 24 + 7.2 * len(side)
    parts.append("</svg>")
    return "\n".join(parts)


def _node_sizes(nodes: pd.DataFrame, links: pd.DataFrame) -> dict[str, float]:
    """A node is as tall as the larger of what flows in and out of it."""
    into = links.groupby("target_key")["value"].sum().to_dict()
    out = links.groupby("source_key")["value"].sum().to_dict()
    return {k: float(max(into.get(k, 0), out.get(k, 0), 1)) for k in nodes["key"]}


def column_order(nodes: pd.DataFrame, links: pd.DataFrame, sweeps: int = 4
                 ) -> dict[int, list[str]]:
    """Each column's nodes, top to bottom, so that bands cross little: barycentre sweeps,
    left to right by where a node's givers sit, then right to left by where its receivers
    sit, weighted by the bands' values."""
    columns = {int(d): sorted(nodes.loc[nodes["depth"] == d, "key"].tolist())
               for d in sorted(nodes["depth"].unique())}
    ends = list(zip(links["source_key"], links["target_key"], links["value"]))
    givers: dict[str, list] = {}
    receivers: dict[str, list] = {}
    for a, b, v in ends:
        givers.setdefault(b, []).append((a, v))
        receivers.setdefault(a, []).append((b, v))
    position = {k: i / max(len(keys) - 1, 1) for keys in columns.values()
                for i, k in enumerate(keys)}

    def reorder(depths, neighbours):
        for depth in depths:
            keys = columns[depth]

            def centre(key):
                near = [(position[n], v) for n, v in neighbours.get(key, []) if n in position]
                total = sum(v for _, v in near)
                return (sum(p * v for p, v in near) / total if total else position[key], key)

            columns[depth] = sorted(keys, key=centre)
            position.update({k: i / max(len(keys) - 1, 1) for i, k in enumerate(columns[depth])})

    for _ in range(sweeps):
        reorder(sorted(columns)[1:], givers)
        reorder(sorted(columns, reverse=True)[1:], receivers)
    return columns
