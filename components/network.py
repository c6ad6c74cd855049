"""Actor network: graph building, a stable seeded layout, metrics and chart-ready frames.

No Streamlit import. The layout is computed once over every actor and relation of a data version,
so filtering removes nodes and edges but never moves the ones that remain.
"""

from __future__ import annotations

import functools
import math

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from components import frames, grades, linkchart, palette
from components.views import date_words

LAYOUT_SEED = 7
DEFAULT_MAX_ACTORS = 80  # drawn by default; the Network page can show more
SIZE_MEASURES = {"degree": "number of relations", "betweenness": "betweenness centrality"}


def build_graph(actors: pd.DataFrame, relations: pd.DataFrame) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for actor_id, name, actor_type in zip(*_lists(actors, "actor_id", "name", "actor_type")):
        graph.add_node(actor_id, name=name, actor_type=actor_type)
    for source, target, relation_id, relation in zip(
            *_lists(relations, "source", "target", "relation_id", "relation")):
        for end in (source, target):
            if end not in graph:
                graph.add_node(end, name=end, actor_type="other")
        graph.add_edge(source, target, key=relation_id, relation=relation)
    return graph


def _lists(frame: pd.DataFrame, *columns: str) -> list[list]:
    return [frame[column].tolist() for column in columns]


def stable_layout(actors: pd.DataFrame, relations: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Positions in [-1, 1]² (y up) for every actor, seeded so the same data gives the same
    picture: Iran and its partners on the left, the U.S., the Coalition and the Iraqi government
    on the right, everyone else in the middle, spaced so labels have room (linkchart)."""
    return linkchart.sided_layout(actors, relations, seed=LAYOUT_SEED)


def node_metrics(graph: nx.MultiDiGraph) -> pd.DataFrame:
    simple = nx.Graph(graph)
    degree = dict(graph.degree())
    # edges in a fixed order: the sums, and so the rounded sizes, are the same in every process
    betweenness = _betweenness(tuple(simple.nodes), tuple(sorted(
        tuple(sorted(edge)) for edge in simple.edges)))
    return pd.DataFrame({
        "actor_id": list(graph.nodes),
        "degree": [degree.get(n, 0) for n in graph.nodes],
        "betweenness": [round(betweenness.get(n, 0.0), 4) for n in graph.nodes],
    })


@functools.lru_cache(maxsize=64)
def _betweenness(nodes: tuple, edges: tuple) -> dict:
    """Normalised betweenness centrality of an undirected graph, as networkx gives it, kept for
    the graphs drawn lately: most filter changes leave the drawn actors and their links as they
    were, and this is the network's slowest step."""
    if len(nodes) <= 2:
        return {n: 0.0 for n in nodes}
    if len(nodes) > MATRIX_BETWEENNESS_UP_TO:
        return _betweenness_by_networkx(nodes, edges)
    scores = betweenness_by_matrices(len(nodes), edges_as_positions(nodes, edges))
    if scores is None:  # a long chain of actors: networkx's search per source is cheaper
        return _betweenness_by_networkx(nodes, edges)
    return dict(zip(nodes, scores.tolist()))


def _betweenness_by_networkx(nodes: tuple, edges: tuple) -> dict:
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from(edges)
    return nx.betweenness_centrality(simple, seed=LAYOUT_SEED)


# a handful of n x n float matrices live at once: about 50 MB at a thousand actors (the
# default draws 80); each level of the search costs a few passes over them, so a graph
# deeper than MATRIX_MAX_DEPTH levels is left to networkx
MATRIX_BETWEENNESS_UP_TO = 1_000
MATRIX_MAX_DEPTH = 64


def edges_as_positions(nodes: tuple, edges: tuple) -> np.ndarray:
    at = {node: i for i, node in enumerate(nodes)}
    return np.array([(at[a], at[b]) for a, b in edges], dtype=np.int64).reshape(-1, 2)


def betweenness_by_matrices(n: int, edges: np.ndarray) -> np.ndarray | None:
    """Brandes's betweenness for an unweighted undirected graph of n nodes, from every source
    at once: a breadth-first search as sparse products, level by level, counting shortest
    paths (sigma), then the dependencies summed back from the farthest level. Row s of each
    matrix is the search from node s. Normalised by the (n-1)(n-2) ordered pairs that could
    pass through a node, as networkx normalises. A pure-Python search per source took 20 ms
    for 80 actors; this takes about three. None when the search goes deeper than
    MATRIX_MAX_DEPTH levels."""
    if n < 3:
        return np.zeros(n)
    apart = edges[edges[:, 0] != edges[:, 1]]  # a loop is never on a shortest path
    ends = np.concatenate([apart, apart[:, ::-1]])
    adjacency = sparse.csr_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(n, n))
    adjacency.data[:] = 1.0  # a pair linked twice is one edge
    sigma = np.eye(n)
    level = np.where(np.eye(n, dtype=bool), 0, -1)
    frontier, depth = sigma.copy(), 0
    while True:
        reached = np.asarray(frontier @ adjacency)
        new = (reached > 0) & (level < 0)
        if not new.any():
            break
        depth += 1
        if depth > MATRIX_MAX_DEPTH:
            return None
        level[new] = depth
        frontier = np.where(new, reached, 0.0)
        sigma += frontier
    del frontier, reached, new
    dependency = np.zeros((n, n))
    for depth_at in range(depth, 0, -1):
        at = level == depth_at
        share = np.where(at, (1.0 + dependency) / np.where(at, sigma, 1.0), 0.0)
        back = np.asarray(share @ adjacency)
        dependency += np.where(level == depth_at - 1, sigma * back, 0.0)
    np.fill_diagonal(dependency, 0.0)  # a search's source is not between anything
    return dependency.sum(axis=0) / ((n - 1) * (n - 2))


def network_frames(actors: pd.DataFrame, relations: pd.DataFrame,
                   positions: dict[str, tuple[float, float]], size_by: str = "degree",
                   extra_nodes: set[str] | None = None,
                   status: pd.Series | None = None, reliability: dict | None = None,
                   max_actors: int | None = DEFAULT_MAX_ACTORS
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges ready to draw (linkchart.drawing merges and places them): the actors
    named by the relations (plus extra_nodes).
    With more than `max_actors`, only the actors with the most relations are drawn (and the
    relations among them), so the chart stays readable and small whatever the data.
    `status` (by actor_id), when given, becomes the nodes' status column."""
    if max_actors is not None:
        relations = top_actor_relations(relations, max_actors, extra_nodes or set())
    node_ids = frames.relation_ends(relations) | (extra_nodes or set())
    node_ids = {n for n in node_ids if n in positions}
    relations = relations[frames.both_ends_in(relations, node_ids)]
    shown = actors[frames.is_in(actors["actor_id"], node_ids)]
    graph = build_graph(shown, relations)
    metrics = node_metrics(graph)
    described = [c for c in ("actor_id", "name", "actor_type", "country", "aliases", "side")
                 if c in actors]
    nodes = metrics.merge(actors[described], on="actor_id", how="left")
    nodes["side"] = (nodes["side"] if "side" in nodes else pd.Series(index=nodes.index, dtype=object)
                     ).where(lambda s: s.isin(linkchart.SIDES), linkchart.OTHER_SIDE)
    nodes["name"] = nodes["name"].fillna(nodes["actor_id"])
    nodes["actor_type"] = nodes["actor_type"].fillna("other")
    nodes["x"] = nodes["actor_id"].map(lambda n: positions[n][0])
    nodes["y"] = nodes["actor_id"].map(lambda n: positions[n][1])
    measure = nodes[size_by].astype(float)
    top = measure.max() if len(measure) and measure.max() > 0 else 1.0
    nodes["size"] = 60 + 640 * (measure / top)
    nodes["aliases"] = nodes["aliases"].map(lambda v: "; ".join(v) if isinstance(v, tuple) else "")
    if status is not None:
        nodes["status"] = nodes["actor_id"].map(status).fillna("dates not given")
    edges = edge_frame(relations, positions, frames.lookup(shown, "actor_id", "name"),
                       reliability or {})
    return nodes.reset_index(drop=True), edges


def top_actor_relations(relations: pd.DataFrame, max_actors: int, keep: set[str]) -> pd.DataFrame:
    """The relations among the `max_actors` actors with the most relations (plus `keep`)."""
    degree = pd.concat([relations["source"], relations["target"]]).value_counts()
    if len(degree) <= max_actors:
        return relations
    top = set(degree.index[:max_actors]) | keep
    return relations[frames.both_ends_in(relations, top)]


def actor_count(relations: pd.DataFrame) -> int:
    return len(frames.relation_ends(relations))


def edge_frame(relations: pd.DataFrame, positions, names: dict[str, str],
               reliability: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per relation; `reliability` maps source ids to their letter for the tooltip."""
    reliability = reliability or {}
    columns = ["relation_id", "source", "target", "source_name", "target_name", "relation",
               "family", "claim_status", "grade", "grade_band", "period", "description", "sources_text", "x", "y",
               "x2", "y2", "arrow_x", "arrow_y", "angle"]
    rows = []
    # parallel relations between the same pair are merged into one line by the chart
    # (linkchart.merge_edges); here each keeps its own row
    for row in frames.row_tuples(relations):
        (x1, y1), (x2, y2) = positions[row.source], positions[row.target]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1e-9
        # the arrow head sits short of the target so the node does not hide it
        t = max(0.5, 1 - 0.07 / length)
        rows.append({
            "relation_id": row.relation_id,
            "source": row.source, "target": row.target,
            "source_name": names.get(row.source, row.source),
            "target_name": names.get(row.target, row.target),
            "relation": row.relation,
            "family": palette.relation_family(row.relation),
            "claim_status": row.claim_status,
            "grade": getattr(row, "grade", "") or "",
            "grade_band": grades.grade_band(getattr(row, "grade", "")),
            "period": period_text(row.start_date, row.end_date),
            "description": row.description,
            "sources_text": "; ".join(f"{s} ({reliability.get(s, '?')})" for s in row.source_ids)
            + (f", {row.source_locator}" if row.source_locator else ""),
            "x": x1, "y": y1, "x2": x2, "y2": y2,
            "arrow_x": x1 + dx * t, "arrow_y": y1 + dy * t,
            "angle": (math.degrees(math.atan2(dx, dy)) + 360) % 360,
        })
    return pd.DataFrame(rows, columns=columns)


def period_text(start: str, end: str) -> str:
    """A relation's or an actor's period as the events' dates read: '15 Nov 2006' (one day),
    '2004 to May 2006', 'from May 2006', 'until 20 Mar 2007' or 'dates not given'."""
    first, last = _in_words(start), _in_words(end)
    if start and end:
        return first if start == end else f"{first} to {last}"
    if start:
        return f"from {first}"
    if end:
        return f"until {last}"
    return "dates not given"


def _in_words(value: str) -> str:
    """An ISO day, month or year in words; anything else as written (the loader reported it)."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        return date_words(value)
    except ValueError:
        return value
