"""Actor network: graph building, a stable seeded layout, metrics and chart-ready frames.

No Streamlit import. The layout is computed once over every actor and relation of a data version,
so filtering removes nodes and edges but never moves the ones that remain.
"""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd

from components import grades, palette

LAYOUT_SEED = 7
DEFAULT_MAX_ACTORS = 80  # drawn by default; the Network page can show more
SIZE_MEASURES = {"degree": "number of relations", "betweenness": "betweenness centrality"}


def build_graph(actors: pd.DataFrame, relations: pd.DataFrame) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for row in actors.itertuples():
        graph.add_node(row.actor_id, name=row.name, actor_type=row.actor_type)
    for row in relations.itertuples():
        for end in (row.source, row.target):
            if end not in graph:
                graph.add_node(end, name=end, actor_type="other")
        graph.add_edge(row.source, row.target, key=row.relation_id, relation=row.relation)
    return graph


def stable_layout(actors: pd.DataFrame, relations: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Positions in [-1, 1]² for every actor, seeded so the same data gives the same picture.

    Connected actors are laid out by a force model; isolated actors go on a ring around them.
    """
    simple = nx.Graph()
    simple.add_nodes_from(sorted(actors["actor_id"]))
    simple.add_edges_from(sorted(zip(relations["source"], relations["target"])))
    if simple.number_of_nodes() == 0:
        return {}
    connected = [n for n in simple.nodes if simple.degree(n) > 0]
    isolated = sorted(n for n in simple.nodes if simple.degree(n) == 0)
    positions: dict[str, tuple[float, float]] = {}
    if connected:
        core = simple.subgraph(connected)
        # Kamada-Kawai spreads small graphs evenly but is quadratic in memory and slow past a
        # few hundred actors, where a seeded force layout takes over
        start = nx.kamada_kawai_layout(core) if 2 < len(connected) <= 400 else None
        k = 2.0 / math.sqrt(max(len(connected), 1))
        raw = start if start is not None else nx.spring_layout(core, seed=LAYOUT_SEED, k=k,
                                                               iterations=40)
        positions.update({n: (float(x), float(y)) for n, (x, y) in raw.items()})
        positions = _normalise(positions)
    for i, node in enumerate(isolated):
        angle = 2 * math.pi * i / max(len(isolated), 1)
        positions[node] = (1.15 * math.cos(angle), 1.1 * math.sin(angle))
    return positions


def _normalise(positions):
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    scale = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) / 2
    return {n: ((x - cx) / scale, (y - cy) / scale) for n, (x, y) in positions.items()}


def node_metrics(graph: nx.MultiDiGraph) -> pd.DataFrame:
    simple = nx.Graph(graph)
    degree = dict(graph.degree())
    betweenness = nx.betweenness_centrality(simple, seed=LAYOUT_SEED) if len(simple) > 2 else {
        n: 0.0 for n in simple}
    return pd.DataFrame({
        "actor_id": list(graph.nodes),
        "degree": [degree.get(n, 0) for n in graph.nodes],
        "betweenness": [round(betweenness.get(n, 0.0), 4) for n in graph.nodes],
    })


def network_frames(actors: pd.DataFrame, relations: pd.DataFrame,
                   positions: dict[str, tuple[float, float]], size_by: str = "degree",
                   extra_nodes: set[str] | None = None, width_px: int = 900, height_px: int = 600,
                   status: pd.Series | None = None, reliability: dict | None = None,
                   max_actors: int | None = DEFAULT_MAX_ACTORS
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges ready to draw: the actors named by the relations (plus extra_nodes).
    With more than `max_actors`, only the actors with the most relations are drawn (and the
    relations among them), so the chart stays readable and small whatever the data.
    `status` (by actor_id), when given, becomes the nodes' status column."""
    if max_actors is not None:
        relations = top_actor_relations(relations, max_actors, extra_nodes or set())
    node_ids = set(relations["source"]) | set(relations["target"]) | (extra_nodes or set())
    node_ids = {n for n in node_ids if n in positions}
    relations = relations[relations["source"].isin(node_ids) & relations["target"].isin(node_ids)]
    shown = actors[actors["actor_id"].isin(node_ids)]
    graph = build_graph(shown, relations)
    metrics = node_metrics(graph)
    nodes = metrics.merge(
        actors[["actor_id", "name", "actor_type", "country", "aliases"]], on="actor_id", how="left")
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
    x_domain, y_domain = fit_domain(nodes["x"], nodes["y"])
    nodes = place_labels(nodes, x_per_px=(x_domain[1] - x_domain[0]) / width_px,
                         y_per_px=(y_domain[1] - y_domain[0]) / height_px,
                         x_domain=x_domain, y_domain=y_domain)
    edges = edge_frame(relations, positions, dict(zip(actors["actor_id"], actors["name"])),
                       reliability or {})
    return nodes.reset_index(drop=True), edges


def top_actor_relations(relations: pd.DataFrame, max_actors: int, keep: set[str]) -> pd.DataFrame:
    """The relations among the `max_actors` actors with the most relations (plus `keep`)."""
    degree = pd.concat([relations["source"], relations["target"]]).value_counts()
    if len(degree) <= max_actors:
        return relations
    top = set(degree.index[:max_actors]) | keep
    return relations[relations["source"].isin(top) & relations["target"].isin(top)]


def actor_count(relations: pd.DataFrame) -> int:
    return len(set(relations["source"]) | set(relations["target"]))


def edge_frame(relations: pd.DataFrame, positions, names: dict[str, str],
               reliability: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per relation; `reliability` maps source ids to their letter for the tooltip."""
    reliability = reliability or {}
    columns = ["relation_id", "source", "target", "source_name", "target_name", "relation",
               "family", "claim_status", "grade", "grade_band", "period", "description", "sources_text", "x", "y",
               "x2", "y2", "arrow_x", "arrow_y", "angle"]
    rows = []
    # parallel relations between the same pair are bent apart so each stays visible
    pair_count: dict[tuple[str, str], int] = {}
    for row in relations.itertuples():
        (x1, y1), (x2, y2) = positions[row.source], positions[row.target]
        pair = tuple(sorted((row.source, row.target)))
        offset_index = pair_count.get(pair, 0)
        pair_count[pair] = offset_index + 1
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1e-9
        shift = 0.025 * offset_index
        nx_, ny_ = -dy / length * shift, dx / length * shift
        x1, y1, x2, y2 = x1 + nx_, y1 + ny_, x2 + nx_, y2 + ny_
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
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return "dates not given"


X_DOMAIN, Y_DOMAIN = (-1.35, 1.35), (-1.15, 1.15)  # the chart's data window, labels included
X_EXTENT, Y_EXTENT = X_DOMAIN[1] - X_DOMAIN[0], Y_DOMAIN[1] - Y_DOMAIN[0]
LABEL_CHAR_PX, LABEL_HEIGHT_PX = 6.2, 13


def fit_domain(xs, ys) -> tuple[tuple[float, float], tuple[float, float]]:
    """The window that frames the nodes shown (with room for labels), inside the full one.
    Positions never change with filtering; the window only zooms in on the ones that remain."""
    if len(xs) == 0:
        return X_DOMAIN, Y_DOMAIN
    x0, x1, y0, y1 = float(min(xs)), float(max(xs)), float(min(ys)), float(max(ys))
    span_x, span_y = max(x1 - x0, 0.5), max(y1 - y0, 0.5)
    mx, my = 0.22 * span_x + 0.12, 0.1 * span_y + 0.08
    return ((max(x0 - mx, X_DOMAIN[0]), min(x1 + mx, X_DOMAIN[1])),
            (max(y0 - my, Y_DOMAIN[0]), min(y1 + my, Y_DOMAIN[1])))


def place_labels(nodes: pd.DataFrame, x_per_px: float, y_per_px: float,
                 x_domain=X_DOMAIN, y_domain=Y_DOMAIN) -> pd.DataFrame:
    """Greedy label placement: biggest nodes first, each label tries right, left, above, below
    and is hidden when all four would overlap a label already placed."""
    nodes = nodes.sort_values("size", ascending=False).copy()
    placed: list[tuple[float, float, float, float]] = []
    label_x, label_y, align, shown = [], [], [], []
    height = LABEL_HEIGHT_PX * y_per_px
    for row in nodes.itertuples():
        width = LABEL_CHAR_PX * len(str(row.name)) * x_per_px
        radius_px = math.sqrt(row.size / math.pi) + 3
        gx, gy = radius_px * x_per_px, radius_px * y_per_px
        candidates = [
            (row.x + gx, row.y, "left", (row.x + gx, row.y - height / 2, row.x + gx + width, row.y + height / 2)),
            (row.x - gx, row.y, "right", (row.x - gx - width, row.y - height / 2, row.x - gx, row.y + height / 2)),
            (row.x, row.y + gy + height / 2, "center", (row.x - width / 2, row.y + gy, row.x + width / 2, row.y + gy + height)),
            (row.x, row.y - gy - height / 2, "center", (row.x - width / 2, row.y - gy - height, row.x + width / 2, row.y - gy)),
        ]
        for lx, ly, al, box in candidates:
            inside = (x_domain[0] <= box[0] and box[2] <= x_domain[1]
                      and y_domain[0] <= box[1] and box[3] <= y_domain[1])
            if inside and not any(_overlap(box, other) for other in placed):
                placed.append(box)
                label_x.append(lx), label_y.append(ly), align.append(al), shown.append(True)
                break
        else:
            label_x.append(row.x), label_y.append(row.y), align.append("left"), shown.append(False)
    nodes["label_x"], nodes["label_y"], nodes["label_align"] = label_x, label_y, align
    nodes["label"] = [n if s else "" for n, s in zip(nodes["name"], shown)]
    return nodes


def _overlap(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])
