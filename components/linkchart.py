"""The readable link chart, core: sides kept apart, parallel relations merged, labels that fit.

No Streamlit import. Three things make the actor network readable:

- `sided_layout`: Iran and its partners on the left, the U.S., the Coalition and the Iraqi
  government on the right, everyone else in the middle. A seeded force layout inside each
  side's band, then a pass that pushes apart any two actors whose labels would overlap at the
  reference size (REF_W x REF_H pixels, the size of exports and reports). Computed once per
  data version over every actor, so filtering never moves an actor.
- `merge_edges`: every relation between the same two actors becomes one edge, as wide as how
  many they are, carrying the list of them (type, period, claim status, grade, sources). Its
  colour is the family most of them belong to, or the least certain claim status, or the
  weakest grade, and the edge says which.
- `short_label` and `label_boxes`: names too long for one line are wrapped on two (or replaced
  by their acronym) and each label is given a place beside its node (above, below, to a side or
  slanted), or hidden when every place would overlap another label or the middle of another
  node or leave the chart; the full name is always in the tooltip.
- `frame`: the window a chart shows, the actors drawn with a margin; the layout never changes,
  the window only zooms in on the actors a filter leaves.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from components import frames, grades

IRAN_SIDE = "Iran and its partners"
OTHER_SIDE = "other or unclear"
US_SIDE = "U.S., Coalition and Iraqi government"
SIDES = (IRAN_SIDE, OTHER_SIDE, US_SIDE)  # left to right
SIDE_TITLES = {IRAN_SIDE: "Iran and its partners", OTHER_SIDE: "Others or unclear",
               US_SIDE: "U.S., Coalition and Iraqi government"}

SEED = 7
REF_W, REF_H = 1100, 640  # the reference drawing, in pixels: exports and reports use it
BAND_GAP = 0.045  # share of the width left empty between two sides
MARGIN_X, MARGIN_Y = 6, 8  # pixels kept clear around the drawing

LABEL_CHARS = 22  # a line of a label holds at most this many characters
CHAR_PX, LINE_PX = 6.3, 15  # the width of a character and the height of a line, at 11 px
LABEL_GAP = 3  # between a node and its label, pixels
HEADING_PX = 30  # above the static drawing: the sides' names

# merged edges: which of a pair's relations gives the colour
STATUS_ORDER = ("confirmed", "reported", "alleged", "disputed")  # most to least certain
FAMILY_ORDER = ("command and membership", "support", "hostility", "cooperation and talks",
                "other")  # breaks ties between families with as many relations
MERGE_RULES = {
    "relation family": "the family of most of the pair's relations",
    "claim status": "the least certain claim among the pair's relations",
    "grade": "the weakest grade among the pair's relations",
    "change": "gained when any of the pair's relations is active in B only and none in A "
    "only, lost when any is active in A only and none in B only, kept when all are active in "
    "both",
}
MAX_LISTED = 12  # relations listed in one edge's tooltip; the rest are counted


# --------------------------------------------------------------------------------------------
# Sides


def sides(actors: pd.DataFrame) -> dict[str, str]:
    """Each actor's side, one of SIDES (unknown or missing: the middle)."""
    if "side" not in actors:
        return {a: OTHER_SIDE for a in actors["actor_id"]}
    return {a: (s if s in SIDES else OTHER_SIDE) for a, s in zip(actors["actor_id"], actors["side"])}


def side_bands(present: list[str], width: float = REF_W) -> dict[str, tuple[float, float]]:
    """The horizontal band (in pixels) of each side present, left to right, wide in
    proportion to (the square root of) how many actors each holds."""
    counts = pd.Series(present).value_counts()
    shown = [s for s in SIDES if counts.get(s, 0)]
    if not shown:
        return {}
    weights = np.array([math.sqrt(counts[s]) + 1.0 for s in shown])
    usable = width * (1 - BAND_GAP * (len(shown) - 1))
    bands, left = {}, 0.0
    for side, weight in zip(shown, weights):
        span = usable * weight / weights.sum()
        bands[side] = (left, left + span)
        left += span + width * BAND_GAP
    return bands


def layout_bands(actors: pd.DataFrame, relations: pd.DataFrame,
                 width: float = REF_W) -> dict[str, tuple[float, float]]:
    """The bands sided_layout puts each side in, for the same actors and relations."""
    ids = set(actors["actor_id"].tolist()) | frames.relation_ends(relations)
    side = sides(actors)
    return side_bands([side.get(a, OTHER_SIDE) for a in sorted(ids)], width)


# --------------------------------------------------------------------------------------------
# Labels


ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.\-]{1,7}$")


def short_label(name: str, aliases=()) -> str:
    """The name on at most two lines of LABEL_CHARS characters; a name that does not fit is
    replaced by an acronym it is also known by, or cut with an ellipsis."""
    name = " ".join(str(name).split())
    if len(name) <= LABEL_CHARS:
        return name
    lines = _wrap(name, LABEL_CHARS)
    if len(lines) <= 2:
        return "\n".join(lines)
    acronyms = [a for a in (aliases or ()) if isinstance(a, str) and ACRONYM.match(a.strip())]
    if acronyms:
        return min(acronyms, key=len).strip()
    second = " ".join(lines[1:])
    return lines[0] + "\n" + second[: LABEL_CHARS - 1].rstrip() + "…"


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines


def label_size(label: str) -> tuple[float, float]:
    """Width and height of a label in pixels at the chart's 11 px font."""
    lines = label.split("\n") if label else [""]
    return CHAR_PX * max(len(line) for line in lines), LINE_PX * len(lines)


def node_radius(measure: pd.Series) -> pd.Series:
    """Node radius in pixels, 4.5 to 15, by a measure (its area grows with the measure)."""
    top = float(measure.max()) if len(measure) and measure.max() > 0 else 1.0
    return np.sqrt((60 + 640 * measure.astype(float) / top) / math.pi)


PLACES = ("top", "bottom", "right", "left", "top right", "top left", "bottom right",
          "bottom left")
NODE_CORE = 0.6  # the share of another node's radius a label must keep clear of
SLANT = 0.35  # a label above or below and to one side starts this share of the radius off centre


def place_box(place: str, x: float, y: float, r: float, w: float, h: float):
    """The box (x0, y0, x1, y1) of a w x h label at a place around a node at x, y, r being its
    radius plus the gap to the label."""
    vertical, _, side = place.partition(" ")
    if vertical in ("right", "left"):
        x0 = x + r if vertical == "right" else x - r - w
        return (x0, y - h / 2, x0 + w, y + h / 2)
    y0 = y - r - h if vertical == "top" else y + r
    x0 = {"": x - w / 2, "right": x + SLANT * r, "left": x - SLANT * r - w}[side]
    return (x0, y0, x0 + w, y0 + h)


def label_anchor(place: str, box) -> tuple[float, float, str]:
    """Where a label's text is anchored in its box: x, the top y and the alignment (labels
    beside or slanted to one side start at the edge nearest their node)."""
    x0, y0, x1, _ = box
    side = place.split(" ")[-1]
    if side in ("right", "left"):
        return (x0, y0, "left") if side == "right" else (x1, y0, "right")
    return ((x0 + x1) / 2, y0, "center")


def label_boxes(x, y, radius, widths, heights, bounds=None, order=None):
    """Greedy label placement in pixels (y down): the biggest nodes first, each label tries
    above, below, right and left of its node and is hidden when all four would overlap a
    label already placed or another node, or leave `bounds` (x0, y0, x1, y1). Returns each
    label's place (None when hidden) and its box (x0, y0, x1, y1)."""
    n = len(x)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    radius = np.asarray(radius, dtype=float)
    order = list(order) if order is not None else sorted(range(n), key=lambda i: -radius[i])
    # a label may brush the rim of another node (its halo keeps it readable), not its middle
    core = radius * NODE_CORE
    nodes = np.column_stack([x - core, y - core, x + core, y + core]) if n else np.zeros((0, 4))
    placed = np.zeros((0, 4))
    places: list = [None] * n
    boxes: list = [None] * n
    for i in order:
        w, h, r = widths[i], heights[i], radius[i] + LABEL_GAP
        others = np.delete(nodes, i, axis=0)
        for place in PLACES:
            box = place_box(place, x[i], y[i], r, w, h)
            if bounds is not None and not (bounds[0] <= box[0] and box[2] <= bounds[2]
                                           and bounds[1] <= box[1] and box[3] <= bounds[3]):
                continue
            if _hits(box, placed) or _hits(box, others):
                continue
            placed = np.vstack([placed, box])
            places[i], boxes[i] = place, tuple(float(v) for v in box)
            break
    return places, boxes


def _hits(box, boxes: np.ndarray) -> bool:
    if not len(boxes):
        return False
    return bool(((boxes[:, 0] < box[2]) & (box[0] < boxes[:, 2])
                 & (boxes[:, 1] < box[3]) & (box[1] < boxes[:, 3])).any())


def overlap(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


# --------------------------------------------------------------------------------------------
# Layout


def sided_layout(actors: pd.DataFrame, relations: pd.DataFrame, seed: int = SEED,
                 width: float = REF_W, height: float = REF_H) -> dict[str, tuple[float, float]]:
    """Positions in [-1, 1]² (y up) for every actor and every end of a relation, the sides in
    their bands. Drawn at width x height pixels (or any size of that shape), no two labels
    placed above their nodes overlap where there is room for them."""
    ids = sorted(set(actors["actor_id"].tolist()) | frames.relation_ends(relations))
    if not ids:
        return {}
    index = {a: i for i, a in enumerate(ids)}
    side = sides(actors)
    side_of = [side.get(a, OTHER_SIDE) for a in ids]
    bands = side_bands(side_of, width)
    names = frames.lookup(actors, "actor_id", "name")
    aliases = frames.lookup(actors, "actor_id", "aliases") if "aliases" in actors else {}
    pairs = pd.Series([tuple(sorted((s, t))) for s, t in zip(relations["source"],
                                                             relations["target"]) if s != t])
    weight = pairs.value_counts() if len(pairs) else pd.Series(dtype=int)
    ends = pd.concat([pd.Series([a for a, _ in weight.index], dtype=object),
                      pd.Series([b for _, b in weight.index], dtype=object)])
    counts = pd.concat([pd.Series(weight.to_numpy(dtype=float))] * 2)
    degree = counts.groupby(ends.to_numpy()).sum().reindex(ids, fill_value=0.0) if len(
        weight) else pd.Series(0.0, index=ids)
    radius = node_radius(degree).to_numpy()
    sizes = [label_size(short_label(names.get(a, a), aliases.get(a))) for a in ids]
    half_w = np.array([max(w / 2, r) + 4 for (w, _), r in zip(sizes, radius)])
    above = np.array([h + r + LABEL_GAP for (_, h), r in zip(sizes, radius)])  # label on top
    below = radius + 2
    lo = np.array([bands[s][0] for s in side_of]) + half_w + MARGIN_X
    hi = np.array([bands[s][1] for s in side_of]) - half_w - MARGIN_X
    hi = np.maximum(hi, lo)
    top, bottom = above + MARGIN_Y, height - below - MARGIN_Y

    edges = np.array([(index[a], index[b]) for a, b in weight.index], dtype=int).reshape(-1, 2)
    strength = np.sqrt(weight.to_numpy(dtype=float)) if len(weight) else np.zeros(0)
    # a relation across two sides pulls its actors level, not sideways: each stays in its band
    # without piling up against the border nearest the other side
    across = np.array([side_of[a] != side_of[b] for a, b in edges], dtype=bool)
    rng = np.random.default_rng(seed)
    n = len(ids)
    if n > LARGE:
        pos = _large(ids, weight, side_of, lo, hi, top, bottom, seed)
    else:
        pos = np.column_stack([lo + rng.random(n) * (hi - lo),
                               top + rng.random(n) * (bottom - top)])
        pos = _force(pos, edges, strength, across, lo, hi, top, bottom, width, height)
        pos = _separate(pos, half_w, above, below, lo, hi, top, bottom)
    return {a: (float(2 * pos[i, 0] / width - 1), float(1 - 2 * pos[i, 1] / height))
            for a, i in index.items()}


LARGE = 250  # more actors than this: a sparse force layout, spread into the sides' bands


def _large(ids, weight, side_of, lo, hi, top, bottom, seed) -> np.ndarray:
    """Thousands of actors: networkx's sparse force layout (seconds, where the label-aware one
    takes minutes), each actor then spread across its side's band by its rank. Only the
    busiest actors are drawn at once (network.DEFAULT_MAX_ACTORS), so labels still mostly fit."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(len(ids)))
    index = {a: i for i, a in enumerate(ids)}
    graph.add_edges_from((index[a], index[b]) for a, b in weight.index)
    raw = nx.spring_layout(graph, seed=seed, iterations=40, k=2.0 / math.sqrt(len(ids)))
    xy = np.array([raw[i] for i in range(len(ids))])
    pos = np.zeros_like(xy)
    sides_arr = np.array(side_of)
    for side in set(side_of):
        members = np.nonzero(sides_arr == side)[0]
        for axis in (0, 1):
            order = np.argsort(np.argsort(xy[members, axis], kind="stable"), kind="stable")
            share = (order + 0.5) / len(members)
            if axis == 0:
                pos[members, 0] = lo[members] + share * (hi[members] - lo[members])
            else:
                pos[members, 1] = top[members] + share * (bottom[members] - top[members])
    return pos


def _force(pos, edges, strength, across, lo, hi, top, bottom, width, height, iterations=350):
    """Fruchterman-Reingold in pixels, each actor kept inside its side's band. Distances are
    measured with x shrunk, because labels are wider than tall."""
    n = len(pos)
    stretch = np.array([0.55, 1.0])  # x counts for less: labels need room sideways
    k = 0.495 * math.sqrt(width * height / max(n, 1))  # the ideal distance between actors
    temperature = width / 8
    centre_y = (top + bottom) / 2
    for step in range(iterations):
        delta = (pos[:, None, :] - pos[None, :, :]) * stretch
        dist = np.sqrt((delta ** 2).sum(-1)) + np.eye(n) + 1e-6
        push = (k * k / dist ** 2)[:, :, None] * delta
        np.einsum("iik->ik", push)[:] = 0
        move = push.sum(1)
        if len(edges):
            d = (pos[edges[:, 1]] - pos[edges[:, 0]]) * stretch
            length = np.sqrt((d ** 2).sum(1)) + 1e-6
            pull = (length / k * strength)[:, None] * d
            pull[across, 0] *= 0.15
            np.add.at(move, edges[:, 0], pull)
            np.add.at(move, edges[:, 1], -pull)
        move[:, 1] += (centre_y - pos[:, 1]) * 0.2 * k / height  # a little gravity, vertically
        size = np.sqrt((move ** 2).sum(1)) + 1e-9
        pos = pos + move / size[:, None] * np.minimum(size, temperature)[:, None]
        pos[:, 0] = np.clip(pos[:, 0], lo, hi)
        pos[:, 1] = np.clip(pos[:, 1], top, bottom)
        temperature = max(width / 8 * (1 - step / iterations), 1.0)
    return pos


def _separate(pos, half_w, above, below, lo, hi, top, bottom, passes=400):
    """Push apart any two actors whose footprints (node plus the label above it, with a
    margin) overlap, along the axis where they overlap least, inside the bands."""
    pos = pos.copy()
    n = len(pos)
    gap_x, gap_y = 8.0, 4.0
    for _ in range(passes):
        x, y = pos[:, 0], pos[:, 1]
        left, right = x - half_w, x + half_w
        upper, lower = y - above, y + below
        ox = np.minimum(right[:, None], right[None, :]) - np.maximum(left[:, None], left[None, :]) + gap_x
        oy = np.minimum(lower[:, None], lower[None, :]) - np.maximum(upper[:, None], upper[None, :]) + gap_y
        clash = (ox > 0) & (oy > 0)
        np.fill_diagonal(clash, False)
        if not clash.any():
            break
        move = np.zeros_like(pos)
        i, j = np.nonzero(np.triu(clash))
        along_y = oy[i, j] <= ox[i, j] * 1.5  # moving up or down costs the layout least
        sign_x = np.where(x[i] < x[j], -1.0, 1.0)
        sign_x[x[i] == x[j]] = np.where(i[x[i] == x[j]] < j[x[i] == x[j]], -1.0, 1.0)
        sign_y = np.where(y[i] < y[j], -1.0, 1.0)
        sign_y[y[i] == y[j]] = -1.0
        shift_y = np.where(along_y, oy[i, j] / 2 + 0.5, 0.0) * sign_y
        shift_x = np.where(along_y, 0.0, ox[i, j] / 2 + 0.5) * sign_x
        np.add.at(move[:, 0], i, shift_x)
        np.add.at(move[:, 0], j, -shift_x)
        np.add.at(move[:, 1], i, shift_y)
        np.add.at(move[:, 1], j, -shift_y)
        pos += move * 0.6
        pos[:, 0] = np.clip(pos[:, 0], lo, hi)
        pos[:, 1] = np.clip(pos[:, 1], top, bottom)
    return pos


# --------------------------------------------------------------------------------------------
# Merged edges


def merge_edges(edges: pd.DataFrame) -> pd.DataFrame:
    """One row per pair of actors from one row per relation (network.edge_frame): how many
    relations join them, in which directions, the colour keys of the merged edge and the list
    of its relations for the tooltip."""
    columns = ["pair", "source", "target", "source_name", "target_name", "count", "direction",
               "relation_ids", "relations", "family", "family_count", "claim_status",
               "grade_band", "grade", "listing"]
    if edges.empty:
        return pd.DataFrame(columns=columns)
    # plain records grouped in a dict: a frame's groupby costs about a second for the few
    # thousand relations of a million synthetic events, this a few milliseconds
    by_pair: dict[str, list[dict]] = {}
    for record in edges.to_dict("records"):
        pair = " | ".join(sorted((record["source"], record["target"])))
        by_pair.setdefault(pair, []).append(record)
    bands = list(grades.GRADE_BANDS)
    rows = []
    for pair in sorted(by_pair):
        group = by_pair[pair]
        # the edge points the way most of its relations do (ties: the first relation's way)
        ways: dict[tuple[str, str], int] = {}
        for r in group:
            ways[(r["source"], r["target"])] = ways.get((r["source"], r["target"]), 0) + 1
        source, target = max(ways, key=lambda way: ways[way])  # first of the most, in order
        first = next(r for r in group if (r["source"], r["target"]) == (source, target))
        families: dict[str, int] = {}
        for r in group:
            if isinstance(r["family"], str):  # a missing family counts for none
                families[r["family"]] = families.get(r["family"], 0) + 1
        families = families or {"": 0}
        top = max(families, key=lambda f: (families[f], -_rank(FAMILY_ORDER, f)))
        rows.append({
            "pair": pair, "source": source, "target": target,
            "source_name": first["source_name"], "target_name": first["target_name"],
            "count": len(group), "direction": "both ways" if len(ways) > 1 else "one way",
            "relation_ids": tuple(r["relation_id"] for r in group),
            "relations": [{key: r[key] for key in ("relation_id", "source", "target", "relation",
                                                    "claim_status", "grade", "period")}
                          for r in group],
            "family": top, "family_count": families[top],
            "claim_status": max((r["claim_status"] for r in group),
                                key=lambda v: _rank(STATUS_ORDER, v)),
            "grade_band": max((r["grade_band"] for r in group), key=lambda b: _rank(bands, b)),
            "grade": max((str(r["grade"]) for r in group), key=_grade_weakness),
            "listing": [_listing_line(r) for r in group],
        })
    return pd.DataFrame(rows, columns=columns)


def _rank(order, value) -> int:
    return list(order).index(value) if value in order else len(order)


def _grade_weakness(value: str) -> tuple:
    """Sorts grades from strongest to weakest: by band, then credibility, then reliability."""
    if not isinstance(value, str) or len(value) != 2:
        return (len(grades.GRADE_BANDS), "9", "Z")
    return (_rank(list(grades.GRADE_BANDS), grades.grade_band(value)), value[1], value[0])


def _listing_line(row: dict) -> dict:
    return {"from": row["source_name"], "relation": row["relation"], "to": row["target_name"],
            "period": row["period"], "claim_status": row["claim_status"], "grade": row["grade"],
            "sources": row["sources_text"]}


def colour_note(row, colour_by: str) -> str:
    """Why a merged edge has its colour, in words, for the tooltip."""
    if row["count"] == 1:
        return ""
    if colour_by == "relation family":
        return (f"Colour: {row['family']}, the family of {row['family_count']} of these "
                f"{row['count']} relations")
    if colour_by == "claim status":
        return f"Colour and line: {row['claim_status']}, the least certain of these"
    if colour_by == "change":
        return f"Colour: {row['change']} from A to B, from the change of each relation"
    return f"Colour: {row['grade_band']}, the weakest grade among these"


def edge_width(count) -> float:
    """Line width in pixels for a merged edge of `count` relations."""
    return round(1.3 + 1.5 * (min(int(count), 6) - 1), 2)


# --------------------------------------------------------------------------------------------
# The drawing: pixels, labels and curved edges at the reference size

CURVENESS = 0.16  # how far an edge bends: its control point sits this share of its length off


MIN_FRAME = 0.55  # a chart never zooms in on less than this share of the layout, each way


def frame(px, py, width: float = REF_W, height: float = REF_H,
          margin: float = 40) -> tuple[float, float, float, float]:
    """The window (x0, y0, x1, y1, pixels of the layout) a chart shows: the actors drawn, with
    a margin, at least MIN_FRAME of the layout each way and never beyond it. The layout never
    changes with filtering; the window only zooms in on the actors that remain."""
    px, py = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
    if not len(px):
        return (0.0, 0.0, float(width), float(height))

    def span(lo, hi, full):
        lo, hi = lo - margin, hi + margin
        need = MIN_FRAME * full
        if hi - lo < need:
            middle = (lo + hi) / 2
            lo, hi = middle - need / 2, middle + need / 2
        if lo < 0:
            lo, hi = 0.0, hi - lo
        if hi > full:
            lo, hi = max(lo - (hi - full), 0.0), float(full)
        return lo, hi

    x0, x1 = span(px.min(), px.max(), width)
    y0, y1 = span(py.min(), py.max(), height)
    return (x0, y0, x1, y1)


def to_pixels(x, y, width: float = REF_W, height: float = REF_H):
    """Layout positions ([-1, 1]², y up) to pixels of the reference drawing (y down)."""
    return (np.asarray(x, dtype=float) + 1) / 2 * width, (1 - np.asarray(y, dtype=float)) / 2 * height


def drawing(nodes: pd.DataFrame, edges: pd.DataFrame, size_by: str = "degree",
            width: float = REF_W, height: float = REF_H) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The nodes and merged edges of network.network_frames, in pixels of a width x height
    drawing: each node with its radius, short label and label place (None when hidden), each
    merged edge with its curve and arrow heads."""
    nodes = nodes.copy().reset_index(drop=True)
    px, py = to_pixels(nodes["x"], nodes["y"], width, height)
    nodes["px"], nodes["py"] = px, py
    nodes["radius"] = node_radius(nodes[size_by]) if len(nodes) else []
    nodes["short"] = [short_label(n, a.split("; ") if isinstance(a, str) and a else ())
                      for n, a in zip(nodes["name"], nodes.get("aliases", [""] * len(nodes)))]
    sizes = [label_size(s) for s in nodes["short"]]
    places, boxes = label_boxes(px, py, nodes["radius"], [s[0] for s in sizes],
                                [s[1] for s in sizes], bounds=(0, 0, width, height))
    nodes["label_place"], nodes["label_box"] = places, boxes
    nodes["label_w"], nodes["label_h"] = [s[0] for s in sizes], [s[1] for s in sizes]
    merged = merge_edges(edges)
    where = dict(zip(nodes["actor_id"], zip(px, py, nodes["radius"])))
    geometry = [edge_geometry(where[s], where[t], both=d == "both ways")
                for s, t, d in zip(merged["source"], merged["target"], merged["direction"])]
    for column in ("path", "arrow", "back_arrow"):
        merged[column] = [g[column] for g in geometry]
    return nodes, merged


def edge_geometry(start, end, both: bool = False, curveness: float = CURVENESS,
                  points: int = 12) -> dict:
    """A quadratic curve from node to node (bent the way ECharts bends a graph edge), sampled
    as points, with an arrow head (x, y, angle in degrees clockwise from up) where it meets the
    target and, for relations both ways, where it leaves the source."""
    (x1, y1, r1), (x2, y2, r2) = start, end
    cx = (x1 + x2) / 2 - (y1 - y2) * curveness
    cy = (y1 + y2) / 2 - (x2 - x1) * curveness

    def at(t):
        return ((1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t * t * x2,
                (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t * t * y2)

    def heading(t):
        dx = 2 * (1 - t) * (cx - x1) + 2 * t * (x2 - cx)
        dy = 2 * (1 - t) * (cy - y1) + 2 * t * (y2 - cy)
        return (math.degrees(math.atan2(dx, -dy)) + 360) % 360

    length = math.hypot(x2 - x1, y2 - y1) or 1e-9
    end_t = max(0.5, 1 - (r2 + 4) / length)
    start_t = min(0.5, (r1 + 4) / length)
    path = [at(i / (points - 1)) for i in range(points)]
    arrow = (*at(end_t), heading(end_t))
    back = (*at(start_t), (heading(start_t) + 180) % 360) if both else None
    return {"path": path, "arrow": arrow, "back_arrow": back}
