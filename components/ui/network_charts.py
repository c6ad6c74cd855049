"""The actor network drawn two ways from the same drawing (components.linkchart.drawing):

- `echarts_option`: the interactive chart, an ECharts graph for st.echarts_chart. Zoom with
  the wheel, pan by dragging, hover an actor to bring out its neighbours and fade the rest,
  click it to filter every view to it. Labels are placed for the chart's size beside their
  node, clear of other labels and nodes (linkchart.label_boxes); one with no room is hidden and
  its name shows on hover. In the browser, ECharts hides any label that still overlaps another
  (labelLayout.hideOverlap: a narrower window than expected, or while zooming).
- `static_spec`: the same layout, merged edges and labels as a Vega-Lite spec, for the PNG
  and SVG downloads and the offline report (vl-convert renders it without a browser).

No Streamlit import: frames in, plain dicts out.
"""

from __future__ import annotations

import html

import altair as alt
import pandas as pd

from components import frames, linkchart, palette
from components.wording import counted
from components.ui.charts import records, to_spec

TITLE = "Actor network"
INACTIVE = ("not yet active", "no longer active")
# line style of a merged edge: its least certain claim status
DASH = {"confirmed": [1, 0], "reported": [6, 3], "alleged": [2, 3], "disputed": [8, 3, 2, 3]}
EDGE_OPACITY = {"confirmed": 0.8, "reported": 0.7, "alleged": 0.5, "disputed": 0.5}
FADED = 0.12  # opacity of what a highlighted actor is not linked to
EDGE_FIELDS = {"relation family": "family", "claim status": "claim_status", "grade": "grade_band",
               "change": "change"}  # change: the Compare page's lines (components.compare)
EDGE_TITLES = {"relation family": "Relation family", "claim status": "Claim status",
               "grade": "Grade band", "change": "What changed"}
SCHEMES = {"relation family": "relation family", "claim status": "claim status",
           "grade": "grade", "change": "relation change"}


def subtitle(size_by: str, compact: bool = False, presenting: bool = False) -> str:
    """What the node size means and, unless presenting to an audience, how to use the chart."""
    if presenting:
        return f"Node size: {size_by}. One line per pair of actors, wider for more relations."
    if compact:
        return f"Node size: {size_by}. Scroll to zoom, drag to pan, click an actor to filter."
    return (f"Node size: {size_by}. One line per pair of actors, wider for more relations. "
            "Scroll to zoom, drag to pan, hover an actor to bring out its links, click it to "
            "filter every view to it.")


def side_headings(nodes: pd.DataFrame) -> list[str]:
    return [s for s in linkchart.SIDES if (nodes["side"] == s).any()] if "side" in nodes else []


# --------------------------------------------------------------------------------------------
# The interactive chart


def echarts_option(nodes: pd.DataFrame, edges: pd.DataFrame, size_by: str = "degree",
                   size_title: str = "number of relations", edge_colour: str = "relation family",
                   title: str = TITLE, compact: bool = False, highlight: tuple[str, ...] = (),
                   width_px: int = 1000, height_px: int = 700, presenting: bool = False) -> dict:
    """nodes, edges: linkchart.drawing's frames. presenting: for an audience (a briefing
    step): no instructions in the subtitle or the tooltips. highlight: actors whose neighbours
    stay lit while everything else fades. width_px, height_px: the chart's expected size, for
    which the labels are placed (beside their node, clear of other labels and nodes; the rest hidden,
    their names in the tooltip); ECharts hides any that still overlap in the browser."""
    lit = _neighbourhood(edges, highlight)
    types = sorted(set(nodes["actor_type"].tolist()))
    category = {t: i for i, t in enumerate(types)}
    box = plot_box(width_px, height_px)
    # the drawing is stretched to the chart's box (its shape differs from page to page): the
    # positions keep their order and sides, and labels, which do not stretch, get the room
    inner_w = max(width_px - box["left"] - box["right"], 100)
    inner_h = max(height_px - box["top"] - box["bottom"], 100)
    x0, y0, x1, y1 = linkchart.frame(nodes["px"], nodes["py"])
    x = (nodes["px"].to_numpy() - x0) / (x1 - x0) * inner_w
    y = (nodes["py"].to_numpy() - y0) / (y1 - y0) * inner_h
    places = _places_at(nodes, x + box["left"], y + box["top"], box, width_px, height_px, lit)
    data = [_node_item(row, category, lit, highlight, place, xi, yi, label_box, presenting)
            for row, (place, label_box), xi, yi in zip(nodes.itertuples(), places, x, y)]
    # two invisible corners pin the window (linkchart.frame), so ECharts draws the positions
    # as given instead of fitting its own
    for corner, (cx, cy) in (("frame-top-left", (0, 0)),
                             ("frame-bottom-right", (inner_w, inner_h))):
        data.append({"id": corner, "name": "", "x": cx, "y": cy, "symbolSize": 0,
                     "label": {"show": False}, "tooltip": {"show": False},
                     "emphasis": {"disabled": True}, "select": {"disabled": True},
                     "itemStyle": {"opacity": 0}})
    links = [_link_item(row, edge_colour, lit) for row in edges.itertuples()]
    return {
        # the title is drawn above the chart (header_html), where zoomed-in actors cannot
        # cover it; it stays here, hidden, to name the chart
        "title": {"text": title, "subtext": subtitle(size_title, compact, presenting),
                  "show": False},
        "tooltip": {"trigger": "item", "confine": True, "enterable": False,
                    "extraCssText": "max-width:460px;white-space:normal;"},
        "animation": False,
        "series": [{
            "type": "graph", "id": "network", "name": title, "layout": "none",
            **box, "roam": True, "scaleLimit": {"min": 0.6, "max": 8}, "draggable": False,
            "selectedMode": "single",
            "select": {"itemStyle": {"borderColor": "#111", "borderWidth": 3}},
            "categories": [{"name": t, "itemStyle": {"color": palette.colour("actor type", t)}}
                           for t in types],
            "data": data, "links": links,
            "label": {"show": True, "fontSize": 11, "color": "#222",
                      "lineHeight": linkchart.LINE_PX, "distance": linkchart.LABEL_GAP,
                      "textBorderColor": "#ffffff", "textBorderWidth": 2.5},
            "labelLayout": {"hideOverlap": True},
            "edgeSymbol": ["none", "arrow"],
            "lineStyle": {"curveness": linkchart.CURVENESS},
            "emphasis": {"focus": "adjacency", "label": {"show": True, "fontWeight": "bold"},
                         "lineStyle": {"opacity": 1}},
            "blur": {"itemStyle": {"opacity": FADED}, "lineStyle": {"opacity": 0.06},
                     "label": {"opacity": 0.25}},
        }],
    }


def plot_box(width_px: int, height_px: int) -> dict:
    """Where the drawing goes inside the chart (the title, the sides' names and the legend
    are drawn around the chart, in the page, where zoomed-in actors cannot cover them)."""
    return {"left": 10, "right": 10, "top": 6, "bottom": 8}


def _places_at(nodes: pd.DataFrame, x, y, box: dict, width_px: int, height_px: int,
               lit: set | None = None) -> list:
    """Each label's place (or None) with the nodes at x, y pixels of a width_px x height_px
    chart. With a highlight, only the lit actors are labelled."""
    radius = nodes["radius"].to_numpy()
    order = sorted(range(len(nodes)), key=lambda i: -radius[i])
    if lit is not None:
        order = [i for i in order if nodes["actor_id"].iat[i] in lit]
    places, boxes = linkchart.label_boxes(x, y, radius, list(nodes["label_w"]),
                                          list(nodes["label_h"]),
                                          bounds=(0, box["top"] - 4, width_px,
                                                  height_px - box["bottom"] + 4), order=order)
    # as offsets from the node's centre
    return [(p, None if b is None else (b[0] - xi, b[1] - yi, b[2] - xi, b[3] - yi))
            for p, b, xi, yi in zip(places, boxes, x, y)]


def header_html(title: str, size_title: str, shown_sides: list[str], compact: bool,
                presenting: bool = False) -> str:
    """The chart's title, subtitle and the sides' names over the left, middle and right of the
    drawing, as HTML for st.markdown above the chart (data text is escaped)."""
    names = {linkchart.IRAN_SIDE: "◀ Iran and its partners",
             linkchart.OTHER_SIDE: "Others or unclear",
             linkchart.US_SIDE: "U.S., Coalition and Iraqi government ▶"}
    cells = []
    for side in linkchart.SIDES:
        colour = "#555" if side == linkchart.OTHER_SIDE else palette.colour("actor side", side)
        text = html.escape(names[side]) if side in shown_sides else ""
        cells.append(f"<span style='color:{colour};font-weight:600;white-space:nowrap'>"
                     f"{text}</span>")
    size = "0.75rem" if compact else "0.85rem"
    return (f"<div style='line-height:1.3'><span style='font-size:1.05rem;font-weight:600'>"
            f"{html.escape(title)}</span><br/><span style='font-size:0.8rem;color:#555'>"
            f"{html.escape(subtitle(size_title, compact, presenting))}</span>"
            f"<div style='display:flex;justify-content:space-between;gap:0.5rem;"
            f"font-size:{size};margin-top:0.35rem'>{''.join(cells)}</div></div>")


def _neighbourhood(edges: pd.DataFrame, highlight) -> set[str] | None:
    if not highlight:
        return None
    chosen = set(highlight)
    touching = edges[edges["source"].isin(chosen) | edges["target"].isin(chosen)]
    return chosen | frames.relation_ends(touching)


def _node_item(row, category: dict, lit: set | None, highlight, place, x, y, box,
               presenting: bool = False) -> dict:
    inactive = getattr(row, "status", None) in INACTIVE
    item = {
        "id": row.actor_id, "name": row.name, "value": int(row.degree),
        "x": round(float(x), 2), "y": round(float(y), 2),
        "symbolSize": round(2 * float(row.radius), 2), "category": category[row.actor_type],
        "actor_id": row.actor_id, "side": row.side,
        "label": {"formatter": _label_text(row.short), "show": place is not None,
                  **_label_position(place, box, float(row.radius))},
        "tooltip": {"formatter": node_tooltip(row, instructions=not presenting)},
    }
    if getattr(row, "status", None) is not None:
        item["status"] = row.status
    if inactive:
        item["itemStyle"] = {"color": "#ffffff", "borderColor": "#777777", "borderWidth": 1.5,
                             "borderType": "dashed"}
    if lit is not None and row.actor_id not in lit:
        item["itemStyle"] = {**item.get("itemStyle", {}), "opacity": FADED}
        item["label"]["show"] = False
    elif row.actor_id in highlight:
        item["itemStyle"] = {**item.get("itemStyle", {}), "borderColor": "#111",
                             "borderWidth": 3}
        item["label"]["fontWeight"] = "bold"
    return item


def _link_item(row, edge_colour: str, lit: set | None) -> dict:
    key = getattr(row, EDGE_FIELDS[edge_colour])
    width = linkchart.edge_width(row.count)
    opacity = EDGE_OPACITY.get(row.claim_status, 0.6)
    if lit is not None and not (row.source in lit and row.target in lit):
        opacity = FADED / 2
    dash = DASH.get(row.claim_status, [2, 2])
    item = {
        "source": row.source, "target": row.target, "value": int(row.count),
        "lineStyle": {"width": width, "color": palette.colour(SCHEMES[edge_colour], key),
                      "type": "solid" if dash == [1, 0] else dash, "opacity": opacity},
        "symbolSize": [0, 6 + width * 1.6],
        "tooltip": {"formatter": edge_tooltip(row, edge_colour)},
        "colour_key": key, "count": int(row.count),
        "relation_ids": list(row.relation_ids), "relations": row.relations,
    }
    if row.direction == "both ways":
        item["symbol"] = ["arrow", "arrow"]
        item["symbolSize"] = [6 + width * 1.6, 6 + width * 1.6]
    return item


def _label_position(place, box, radius: float) -> dict:
    """The label at its place: ECharts reads an [x, y] position from the top-left corner of
    the node's square, in pixels that do not grow when zooming in."""
    if place is None:
        return {"position": "right"}
    ax, ay, align = linkchart.label_anchor(place, box)
    return {"position": [round(ax + radius, 1), round(ay + radius, 1)], "align": align,
            "verticalAlign": "top"}


def _label_text(text: str) -> str:
    # a brace would start ECharts' rich text; labels are names, so a bracket reads the same
    return str(text).replace("{", "(").replace("}", ")")


def tooltip_text(text) -> str:
    """Data text for an ECharts tooltip: HTML-escaped, braces kept from its templates."""
    return html.escape("" if text is None else str(text)).replace("{", "&#123;").replace(
        "}", "&#125;")


def node_tooltip(row, instructions: bool = True) -> str:
    lines = [f"<b>{tooltip_text(row.name)}</b>",
             f"{tooltip_text(row.actor_type)} · {tooltip_text(row.side)}"]
    if getattr(row, "aliases", ""):
        lines.append(f"Also known as: {tooltip_text(row.aliases)}")
    lines.append(f"Relations shown: {int(row.degree)} · betweenness {float(row.betweenness):.3f}")
    if getattr(row, "status", None) in INACTIVE:
        lines.append(f"On this date: {tooltip_text(row.status)}")
    if instructions:
        lines.append("<i>Click to filter every view to this actor</i>")
    return "<br/>".join(lines)


def edge_tooltip(row, edge_colour: str) -> str:
    """Every relation of a merged edge: who does what to whom, when, how sure, from where."""
    head = (f"<b>{tooltip_text(row.source_name)} – {tooltip_text(row.target_name)}</b>: "
            f"{counted(row.count, 'relation')}")
    lines = [head]
    for item in row.listing[:linkchart.MAX_LISTED]:
        lines.append(
            f"• {tooltip_text(item['from'])} <b>{tooltip_text(item['relation'])}</b> {tooltip_text(item['to'])} · "
            f"{tooltip_text(item['period'])} · {tooltip_text(item['claim_status'])} · grade "
            f"{tooltip_text(item['grade'])} · {tooltip_text(item['sources'])}")
    if len(row.listing) > linkchart.MAX_LISTED:
        lines.append(f"… and {len(row.listing) - linkchart.MAX_LISTED} more (see the tables)")
    note = linkchart.colour_note(row._asdict(), edge_colour)
    if note:
        lines.append(f"<i>{tooltip_text(note)}</i>")
    return "<br/>".join(lines)


def legend_markdown(nodes: pd.DataFrame, edges: pd.DataFrame, edge_colour: str) -> str:
    """The legend under the chart: the actors' types, the relations' colours and line styles
    and what a merged line shows."""
    types = sorted(set(nodes["actor_type"].tolist()))
    dots = " ".join(f"<span style='color:{palette.colour('actor type', t)}'>●</span> "
                    f"{html.escape(str(t))}" for t in types)
    return (f"**Actors: type** {dots} · grey dashed ring: not active on the date chosen  \n"
            if "status" in nodes else f"**Actors: type** {dots}  \n") + edge_legend_markdown(
        edges, edge_colour)


def edge_legend_markdown(edges: pd.DataFrame, edge_colour: str) -> str:
    """The edges' legend, under the chart: colours, line styles and what a merged edge shows."""
    field = EDGE_FIELDS[edge_colour]
    scheme = palette.SCHEMES[SCHEMES[edge_colour]]
    present = set(edges[field]) if len(edges) else set()
    keys = [k for k in scheme if k in present] + sorted(k for k in present if k not in scheme)
    swatches = " ".join(f"<span style='color:{scheme.get(k, scheme['other'])}'>━━</span> "
                        f"{html.escape(str(k))}" for k in keys)
    styles = " · ".join(f"{mark} {status}" for status, mark in (
        ("confirmed", "──"), ("reported", "╌╌"), ("alleged", "┈┈"), ("disputed", "─·─"))
        if status in set(edges["claim_status"].tolist()))
    rule = linkchart.MERGE_RULES[edge_colour]
    return "  \n".join([
        f"**Relations: {EDGE_TITLES[edge_colour].lower()}** {swatches}",
        f"**One line per pair of actors**, wider for more relations; where a pair has several, "
        f"its colour is {rule} and its line style the least certain claim "
        f"({styles}). Hover a line for each relation.",
    ])


# --------------------------------------------------------------------------------------------
# The static drawing (exports and the report)


def static_spec(nodes: pd.DataFrame, edges: pd.DataFrame, size_title: str = "number of relations",
                edge_colour: str = "relation family", title: str = TITLE,
                bands: dict | None = None) -> dict:
    """The same drawing as a Vega-Lite spec REF_W x REF_H pixels (plus title and legends).
    bands: linkchart.layout_bands of the layout, for the sides' headings."""
    width, height = linkchart.REF_W, linkchart.REF_H
    x_scale = alt.Scale(domain=[0, width], nice=False, zero=False)
    # the sides' names go in a strip above the layout
    y_scale = alt.Scale(domain=[-linkchart.HEADING_PX, height], nice=False, zero=False,
                        reverse=True)
    field = EDGE_FIELDS[edge_colour]
    edge_keys = sorted(set(edges[field])) if len(edges) else []
    status_keys = [s for s in DASH if len(edges) and s in set(edges["claim_status"].tolist())]
    layers = []
    lines = _edge_points(edges, field)
    if len(lines):
        colour = alt.Color(f"{field}:N", title=f"{EDGE_TITLES[edge_colour]} "
                           f"({linkchart.MERGE_RULES[edge_colour]})",
                           scale=_scale(SCHEMES[edge_colour], edge_keys),
                           legend=alt.Legend(orient="bottom", direction="horizontal",
                                             columns=4, labelLimit=220, titleLimit=600))
        layers.append(alt.Chart(alt.Data(values=records(lines))).mark_line(
            interpolate="linear").encode(
            x=alt.X("x:Q", axis=None, scale=x_scale), y=alt.Y("y:Q", axis=None, scale=y_scale),
            detail="pair:N", order="step:Q", color=colour,
            strokeWidth=alt.StrokeWidth("width:Q", scale=None, legend=None),
            strokeDash=alt.StrokeDash(
                "claim_status:N", title="Line style (least certain claim)",
                scale=alt.Scale(domain=status_keys, range=[DASH[s] for s in status_keys]),
                legend=alt.Legend(orient="bottom", direction="horizontal", columns=4)),
            opacity=alt.Opacity("opacity:Q", scale=None, legend=None),
        ))
        heads = _arrow_heads(edges, field)
        layers.append(alt.Chart(alt.Data(values=records(heads))).mark_point(
            shape="triangle", filled=True, opacity=0.9).encode(
            x=alt.X("x:Q", axis=None, scale=x_scale), y=alt.Y("y:Q", axis=None, scale=y_scale),
            angle=alt.Angle("angle:Q", scale=None), size=alt.Size("size:Q", scale=None, legend=None),
            color=alt.Color(f"{field}:N", scale=_scale(SCHEMES[edge_colour], edge_keys),
                            legend=None),
        ))
    inactive = nodes["status"].isin(INACTIVE) if "status" in nodes else pd.Series(False, index=nodes.index)
    drawn = nodes.assign(area=(nodes["radius"] * 2) ** 2)[
        ["actor_id", "name", "actor_type", "px", "py", "area"]]
    if inactive.any():
        layers.append(alt.Chart(alt.Data(values=records(drawn[inactive]))).mark_point(
            shape="circle", filled=False, stroke="#777", strokeWidth=1.5, strokeDash=[3, 2]).encode(
            x=alt.X("px:Q", axis=None, scale=x_scale), y=alt.Y("py:Q", axis=None, scale=y_scale),
            size=alt.Size("area:Q", scale=None, legend=None)))
    types = sorted(set(nodes["actor_type"].tolist()))
    layers.append(alt.Chart(alt.Data(values=records(drawn[~inactive]))).mark_point(
        shape="circle", filled=True, stroke="white", strokeWidth=1, opacity=1).encode(
        x=alt.X("px:Q", axis=None, scale=x_scale), y=alt.Y("py:Q", axis=None, scale=y_scale),
        size=alt.Size("area:Q", scale=None, legend=None),
        color=alt.Color("actor_type:N", title="Actor type", scale=_scale("actor type", types),
                        legend=alt.Legend(orient="bottom", direction="horizontal", columns=4,
                                          labelLimit=220)),
        tooltip=[alt.Tooltip("name:N", title="Actor")]))
    labels = _label_rows(nodes)
    for align in ("center", "left", "right"):
        part = [r for r in labels if r["align"] == align]
        if part:
            for halo in (True, False):  # a white halo under the text keeps it off the lines
                layers.append(alt.Chart(alt.Data(values=part)).mark_text(
                    align=align, baseline="top", fontSize=11, lineHeight=linkchart.LINE_PX,
                    lineBreak="\n", color="#222",
                    **({"stroke": "white", "strokeWidth": 3, "strokeJoin": "round"} if halo
                       else {})).encode(
                    x=alt.X("x:Q", axis=None, scale=x_scale),
                    y=alt.Y("y:Q", axis=None, scale=y_scale), text="text:N"))
    headings = _heading_rows(side_headings(nodes), bands or {})
    if headings:
        layers.append(alt.Chart(alt.Data(values=headings)).mark_text(
            align="center", baseline="top", fontSize=13, fontWeight="bold").encode(
            x=alt.X("x:Q", axis=None, scale=x_scale), y=alt.Y("y:Q", axis=None, scale=y_scale),
            text="text:N", color=alt.Color("colour:N", scale=None, legend=None)))
    chart = (alt.layer(*layers).resolve_scale(color="independent")
             .properties(width=width, height=height + linkchart.HEADING_PX,
                         title=alt.Title(title, anchor="start",
                                         subtitle=f"Node size: {size_title}. One line per pair "
                                         "of actors, wider for more relations; arrows point "
                                         "from source to target."))
             .configure_view(stroke=None))
    return to_spec(chart)


def _scale(scheme: str, present) -> alt.Scale:
    spec = palette.altair_scale(scheme, sorted(set(present)))
    return alt.Scale(domain=spec["domain"], range=spec["range"])


def _edge_points(edges: pd.DataFrame, field: str) -> pd.DataFrame:
    rows = []
    for row in edges.itertuples():
        for step, (x, y) in enumerate(row.path):
            rows.append({"pair": row.pair, "step": step, "x": round(x, 2), "y": round(y, 2),
                         field: getattr(row, field), "claim_status": row.claim_status,
                         "width": linkchart.edge_width(row.count),
                         "opacity": EDGE_OPACITY.get(row.claim_status, 0.6)})
    return pd.DataFrame(rows)


def _arrow_heads(edges: pd.DataFrame, field: str) -> pd.DataFrame:
    rows = []
    for row in edges.itertuples():
        size = (5 + linkchart.edge_width(row.count) * 1.4) ** 2
        for head in (row.arrow, row.back_arrow):
            if head is not None:
                rows.append({"x": round(head[0], 2), "y": round(head[1], 2),
                             "angle": round(head[2], 1), "size": size,
                             field: getattr(row, field)})
    return pd.DataFrame(rows)


def _label_rows(nodes: pd.DataFrame) -> list[dict]:
    """Where each shown label's text is anchored, and how it is aligned."""
    rows = []
    for row in nodes.itertuples():
        if row.label_place is not None:
            x, y, align = linkchart.label_anchor(row.label_place, row.label_box)
            rows.append({"x": round(x, 2), "y": round(y, 2), "text": row.short, "align": align})
    return rows


def _heading_rows(shown: list[str], bands: dict) -> list[dict]:
    """The names of the sides shown, centred over their bands (pixels of the layout)."""
    return [{"x": (bands[s][0] + bands[s][1]) / 2, "y": 6 - linkchart.HEADING_PX,
             "text": linkchart.SIDE_TITLES[s],
             "colour": "#555" if s == linkchart.OTHER_SIDE else palette.colour("actor side", s)}
            for s in shown if s in bands]


