"""Altair builders for the network and the timeline. Frames in, charts out.

Selections are named so pages can wire them to the shared filters:
NODE_SELECTION (click an actor), BRUSH (drag a period on the timeline).
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass

import altair as alt
import pandas as pd

from components import network, palette

NODE_SELECTION = "actor_click"
BRUSH = "period_brush"
BAR_BRUSH = "month_brush"
INACTIVE = ("not yet active", "no longer active")
DASH = {"confirmed": [1, 0], "reported": [6, 3], "alleged": [3, 3], "disputed": [8, 3, 2, 3]}


def vega_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy Vega reads: plain (not large) Arrow strings, microsecond timestamps, no index.

    pandas 3 turns text into Arrow large_string, which the chart front end reads as empty.
    """
    out = frame.reset_index(drop=True).copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].astype("datetime64[us]")
        elif pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            out[column] = out[column].astype(object)
    return out


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart as a Vega-Lite dict with its data inline. Skipping Altair's schema validation
    (the charts here are built by code, not by users) halves the cost of a rerun."""
    return chart.to_dict(validate=False)


def _dash_scale(present: list[str]) -> alt.Scale:
    domain = [k for k in DASH if k in present] + [k for k in present if k not in DASH]
    return alt.Scale(domain=domain, range=[DASH.get(k, [2, 2]) for k in domain])


def _colour_scale(scheme: str, present) -> alt.Scale:
    spec = palette.altair_scale(scheme, sorted(set(present)))
    return alt.Scale(domain=spec["domain"], range=spec["range"])


# --------------------------------------------------------------------------------------------
# Network


def network_chart(nodes: pd.DataFrame, edges: pd.DataFrame, height: int = 560,
                  size_by: str = "degree", compact: bool = False,
                  edge_colour: str = "relation family", title: str = "Actor network") -> dict:
    """The network as a Vega-Lite spec.

    compact: for a half-width panel; the line-style legend is left to the caption.
    edge_colour: "relation family" or "claim status". Nodes with a `status` other than
    "active" or "dates not given" are drawn as hollow grey rings (not yet or no longer active).

    The chart's structure (layers, encodings, legends) is built by Altair once per shape and
    kept; each call only fills in the data and the window, which is what changes with the
    filters. Altair's own build costs more than everything else in a network rerun."""
    edge_field = EDGE_FIELDS[edge_colour]
    inactive = nodes["status"].isin(INACTIVE) if "status" in nodes else pd.Series(False, index=nodes.index)
    labelled = nodes[nodes["label"] != ""]
    parts = {"edges": edges, "inactive": nodes[inactive], "nodes": nodes[~inactive]}
    aligns = tuple(a for a in ("left", "right", "center") if (labelled["label_align"] == a).any())
    parts.update({f"labels_{a}": labelled[labelled["label_align"] == a] for a in aligns})
    shape = NetworkShape(
        height=height, size_by=size_by, compact=compact, edge_colour=edge_colour, title=title,
        edge_domain=tuple(sorted(set(edges[edge_field]))) if len(edges) else (),
        claim_domain=tuple(sorted(set(edges["claim_status"]))) if len(edges) else (),
        type_domain=tuple(sorted(set(nodes["actor_type"]))),
        has_edges=not edges.empty, has_inactive=bool(inactive.any()), label_aligns=aligns,
    )
    x_domain, y_domain = network.fit_domain(nodes["x"], nodes["y"])
    template, names = _network_template(shape)
    spec = _with_values(template, {X_WINDOW: list(x_domain), Y_WINDOW: list(y_domain)})
    spec["datasets"] = {name: records(parts[name]) for name in names}
    return spec


# how the network's edges can be coloured: the field coloured and the legend's title
EDGE_FIELDS = {"relation family": "family", "claim status": "claim_status", "grade": "grade_band"}
EDGE_TITLES = {"relation family": "Relation (family)", "claim status": "Claim status",
               "grade": "Grade (weaker half)"}


# Placeholders for the plot window in the kept template; replaced on every call.
X_WINDOW = (-9191.5, 9191.5)
Y_WINDOW = (-8181.5, 8181.5)


@dataclass(frozen=True)
class NetworkShape:
    height: int
    size_by: str
    compact: bool
    edge_colour: str
    title: str
    edge_domain: tuple
    claim_domain: tuple
    type_domain: tuple
    has_edges: bool
    has_inactive: bool
    label_aligns: tuple


@functools.lru_cache(maxsize=128)
def _network_template(shape: NetworkShape) -> tuple[dict, tuple[str, ...]]:
    """The spec without data (its datasets named, its window a placeholder) and the names of
    the datasets it reads."""
    x_scale = alt.Scale(domain=list(X_WINDOW))
    y_scale = alt.Scale(domain=list(Y_WINDOW))
    x = alt.X("x:Q", axis=None, scale=x_scale)
    y = alt.Y("y:Q", axis=None, scale=y_scale)
    compact = shape.compact
    layers, names = [], []

    def data(name: str) -> alt.NamedData:
        names.append(name)
        return alt.NamedData(name)

    if shape.has_edges:
        edge_tooltip = [
            alt.Tooltip("source_name:N", title="From"),
            alt.Tooltip("relation:N", title="Relation"),
            alt.Tooltip("target_name:N", title="To"),
            alt.Tooltip("period:N", title="Period"),
            alt.Tooltip("claim_status:N", title="Claim"),
            alt.Tooltip("grade:N", title="Grade (source, credibility)"),
            alt.Tooltip("description:N", title="Says"),
            alt.Tooltip("sources_text:N", title="Sources (reliability)"),
        ]
        edge_field = EDGE_FIELDS[shape.edge_colour]
        colour = alt.Color(f"{edge_field}:N", title=EDGE_TITLES[shape.edge_colour],
                           scale=_colour_scale(shape.edge_colour, shape.edge_domain),
                           legend=alt.Legend(orient="top" if compact else "bottom",
                                             direction="horizontal",
                                             columns=2 if compact else 4,
                                             labelLimit=170 if compact else 220))
        edges = data("edges")
        layers.append(alt.Chart(edges).mark_rule(strokeWidth=1.6, opacity=0.75).encode(
            x=x, y=y, x2="x2:Q", y2="y2:Q", color=colour,
            strokeDash=alt.StrokeDash("claim_status:N", title="Claim status (line style)",
                                      scale=_dash_scale(list(shape.claim_domain)),
                                      legend=None if compact else alt.Legend(
                                          orient="bottom", direction="horizontal", columns=4)),
            tooltip=edge_tooltip,
        ))
        layers.append(alt.Chart(edges).mark_point(shape="triangle", filled=True, size=70,
                                                  opacity=0.9).encode(
            x=alt.X("arrow_x:Q", axis=None, scale=x_scale),
            y=alt.Y("arrow_y:Q", axis=None, scale=y_scale),
            angle=alt.Angle("angle:Q", scale=None), color=colour.legend(None),
            tooltip=edge_tooltip,
        ))
    select = alt.selection_point(name=NODE_SELECTION, fields=["actor_id"], on="click",
                                 clear="dblclick")
    if shape.has_inactive:
        layers.append(alt.Chart(data("inactive")).mark_point(
            shape="circle", filled=False, stroke="#777", strokeWidth=1.5, strokeDash=[3, 2],
        ).encode(
            x=x, y=y, size=alt.Size("size:Q", scale=None, legend=None),
            tooltip=[alt.Tooltip("name:N", title="Actor"), alt.Tooltip("status:N", title="On this date")],
        ))
    node_layer = alt.Chart(data("nodes")).mark_circle(stroke="white", strokeWidth=1.5, opacity=0.95).encode(
        x=x, y=y,
        size=alt.Size("size:Q", scale=None, legend=None),
        color=alt.Color("actor_type:N", title="Actor type",
                        scale=_colour_scale("actor type", shape.type_domain),
                        legend=alt.Legend(orient="bottom", direction="horizontal",
                                          columns=3 if compact else 4,
                                          labelLimit=150 if compact else 220)),
        tooltip=[
            alt.Tooltip("name:N", title="Actor"),
            alt.Tooltip("actor_type:N", title="Type"),
            alt.Tooltip("aliases:N", title="Also known as"),
            alt.Tooltip("degree:Q", title="Relations shown"),
            alt.Tooltip("betweenness:Q", title="Betweenness", format=".3f"),
        ],
    ).add_params(select)
    layers.append(node_layer)
    for align in shape.label_aligns:
        layers.append(alt.Chart(data(f"labels_{align}")).mark_text(
            align=align, baseline="middle", fontSize=11, color="#222",
        ).encode(
            x=alt.X("label_x:Q", axis=None, scale=x_scale),
            y=alt.Y("label_y:Q", axis=None, scale=y_scale),
            text="label:N",
        ))
    chart = (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .properties(height=shape.height, width="container",
                    title=alt.Title(shape.title, anchor="start",
                                    subtitle=f"Node size: {shape.size_by}. Arrows point from "
                                    "source to target. Click an actor to filter to it; "
                                    "double-click to clear."))
        .configure_view(stroke=None)
    )
    return to_spec(chart), tuple(names)


def _with_values(template, values: dict):
    """A copy of a spec with each placeholder value (a tuple, matched as a list) replaced."""
    if isinstance(template, dict):
        return {k: _with_values(v, values) for k, v in template.items()}
    if isinstance(template, list):
        for placeholder, value in values.items():
            if template == list(placeholder):
                return list(value)
        return [_with_values(v, values) for v in template]
    return template


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: text for categories, ISO text for times, None for missing."""
    # pandas' JSON writer is compiled: much faster than building the dicts in Python
    return json.loads(vega_ready(frame).to_json(orient="records", date_format="iso",
                                                date_unit="s"))


# --------------------------------------------------------------------------------------------
# Timeline


def timeline_chart(marks: pd.DataFrame, bands: pd.DataFrame, lane_title: str,
                   domain: tuple | None = None, height: int | None = None) -> alt.LayerChart:
    lanes = list(dict.fromkeys(marks.sort_values("start")["lane"]))
    lane_height = 30
    # the height includes the title, the axis and the legend below the plot
    height = height or max(150, lane_height * len(lanes)) + 190
    x_scale = alt.Scale(domain=[pd.Timestamp(domain[0]).isoformat(), pd.Timestamp(domain[1]).isoformat()]
                        ) if domain else alt.Undefined
    x = alt.X("start:T", title=None, scale=x_scale, axis=alt.Axis(format="%Y", tickCount="year"))
    y = alt.Y("lane:N", title=lane_title, sort=lanes, axis=alt.Axis(labelLimit=220))
    colour = alt.Color("category:N", title="Event category",
                       scale=_colour_scale("event category", marks["category"]),
                       legend=alt.Legend(orient="bottom", direction="horizontal", columns=3, labelLimit=200))
    tooltip = [
        alt.Tooltip("date_text:N", title="When"),
        alt.Tooltip("precision_text:N", title="Precision"),
        alt.Tooltip("event_type:N", title="Type"),
        alt.Tooltip("actors_text:N", title="Actors"),
        alt.Tooltip("place_name:N", title="Place"),
        alt.Tooltip("claim_status:N", title="Claim"),
        alt.Tooltip("grade:N", title="Grade (source, credibility)"),
        alt.Tooltip("label:N", title="What happened"),
        alt.Tooltip("sources_text:N", title="Sources (reliability)"),
    ]
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    layers = []
    if not bands.empty:
        band = alt.Chart(vega_ready(bands))
        layers.append(band.mark_rect(color="#000", opacity=0.05).encode(
            x=alt.X("start:T", scale=x_scale), x2="end:T"))
        # alternate rows so labels of short neighbouring periods do not overprint
        layers.append(band.mark_text(align="left", baseline="top", dx=3, fontSize=11,
                                     color="#444").encode(x=alt.X("start:T", scale=x_scale),
                                                          y=alt.Y("label_row:Q", axis=None,
                                                                  scale=None),
                                                          text="label:N"))
    spans = marks[marks["is_span"]]
    points = marks[~marks["is_span"]]
    base_span = alt.Chart(vega_ready(spans)).mark_bar(height=12, opacity=0.55, cornerRadius=2).encode(
        x=x, x2="end:T", y=y, color=colour, tooltip=tooltip)
    base_point = alt.Chart(vega_ready(points)).mark_point(filled=True, size=90, opacity=0.95,
                                              stroke="white", strokeWidth=0.8).encode(
        x=x, y=y, color=colour, tooltip=tooltip)
    # the brush lives on the layer that is always present, so it works with any data mix
    if len(spans):
        layers.append(base_span.add_params(brush))
        if len(points):
            layers.append(base_point)
    else:
        layers.append(base_point.add_params(brush))
    return (
        alt.layer(*layers)
        .properties(height=height, width="container",
                    title=alt.Title("Timeline", anchor="start", subtitle="Bars: dates known only to the month or "
                                    "year, or periods. Dots: known to the day. Drag across the "
                                    "chart to filter to a period."))
    )


def timeline_density_chart(bins: pd.DataFrame, unit: str, lane_title: str,
                           domain: tuple | None = None) -> dict:
    """Too many events for one mark each: counts per lane and period, darker where more.
    Returned as a spec; its structure is built once per unit, lanes, categories and window."""
    lanes = tuple(sorted(set(bins["lane"])))
    window = (pd.Timestamp(domain[0]).isoformat(), pd.Timestamp(domain[1]).isoformat()) if domain else None
    spec = copy.deepcopy(_density_template(unit, lane_title, window, lanes,
                                           tuple(sorted(set(bins["category"])))))
    spec["datasets"] = {"bins": records(bins)}
    return spec


@functools.lru_cache(maxsize=64)
def _density_template(unit: str, lane_title: str, window: tuple | None, lanes: tuple,
                      categories: tuple) -> dict:
    x_scale = alt.Scale(domain=list(window)) if window else alt.Undefined
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    chart = (
        alt.Chart(alt.NamedData("bins")).mark_rect(height=18).encode(
            x=alt.X("start:T", title=None, scale=x_scale, axis=alt.Axis(format="%Y", tickCount="year")),
            x2="end:T",
            y=alt.Y("lane:N", title=lane_title, sort=list(lanes), axis=alt.Axis(labelLimit=220)),
            color=alt.Color("category:N", title="Event category",
                            scale=_colour_scale("event category", categories),
                            legend=alt.Legend(orient="bottom", direction="horizontal", columns=3)),
            opacity=alt.Opacity("events:Q", title=f"Events per {unit}",
                                scale=alt.Scale(type="sqrt", range=[0.25, 1]),
                                legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("lane:N", title="Lane"),
                     alt.Tooltip("start:T", title=f"{unit.capitalize()} from", format="%d %b %Y"),
                     alt.Tooltip("events:Q", title="Events")],
        ).add_params(brush)
        .properties(height=max(150, 30 * len(lanes)) + 190, width="container",
                    title=alt.Title("Timeline", anchor="start",
                                    subtitle=f"Too many events for one mark each: events per "
                                    f"{unit}, darker where there are more. Drag across the chart "
                                    "to filter to a period; narrow the filters to see each event."))
    )
    return to_spec(chart)


def monthly_chart(counts: pd.DataFrame, domain: tuple | None = None, height: int = 300
                  ) -> alt.Chart:
    x_scale = alt.Scale(domain=[pd.Timestamp(domain[0]).isoformat(), pd.Timestamp(domain[1]).isoformat()]
                        ) if domain else alt.Undefined
    brush = alt.selection_interval(name=BAR_BRUSH, encodings=["x"])
    return (
        alt.Chart(vega_ready(counts)).mark_bar().encode(
            x=alt.X("yearmonth(month):T", title=None, scale=x_scale),
            y=alt.Y("sum(events):Q", title="Events per month"),
            color=alt.Color("category:N", title="Event category",
                            scale=_colour_scale("event category", counts["category"]),
                            legend=alt.Legend(orient="bottom", direction="horizontal", columns=4)),
            tooltip=[alt.Tooltip("yearmonth(month):T", title="Month"),
                     alt.Tooltip("category:N", title="Category"),
                     alt.Tooltip("sum(events):Q", title="Events")],
        ).add_params(brush)
        .properties(height=height, width="container",
                    title=alt.Title("Events per month",
                                    subtitle="Stacked by category; events known only to the year "
                                    "are not counted here."))
    )
