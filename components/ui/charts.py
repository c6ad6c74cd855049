"""Altair builders for the timeline. Frames in, charts out. (The actor network is drawn by
components.ui.network_charts.)

Selections are named so pages can wire them to the shared filters: BRUSH (drag a period on
the timeline).
"""

from __future__ import annotations

import copy
import functools
import json

import altair as alt
import pandas as pd

from components import palette, views

BRUSH = "period_brush"
BAR_BRUSH = "month_brush"


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


def _colour_scale(scheme: str, present) -> alt.Scale:
    spec = palette.altair_scale(scheme, sorted(set(present)))
    return alt.Scale(domain=spec["domain"], range=spec["range"])


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: text for categories, ISO text for times, None for missing."""
    # pandas' JSON writer is compiled: much faster than building the dicts in Python
    return json.loads(vega_ready(frame).to_json(orient="records", date_format="iso",
                                                date_unit="s"))


# --------------------------------------------------------------------------------------------
# Timeline


def timeline_chart(marks: pd.DataFrame, bands: pd.DataFrame, lane_title: str,
                   domain: tuple | None = None, height: int | None = None,
                   instructions: bool = True, legend_columns: int = 3) -> alt.LayerChart:
    """instructions: say how to filter by dragging (not to an audience). legend_columns: 0 for
    no legend, where the lanes are the colours' categories and name them (a narrow column,
    where the legend's columns ran past the chart's edge)."""
    lanes = list(dict.fromkeys(marks.sort_values("start")["lane"]))
    lane_height = 30
    categories = marks["category"].nunique() if "category" in marks else 0
    legend_px = 20 * (1 + -(-categories // legend_columns)) if legend_columns else 0
    label_rows = bands["label_row"].nunique() if not bands.empty else 0
    # the height includes the title, the period labels, the axis and the legend below the
    # plot: each lane keeps its row (a squeezed plot hid lanes' names)
    height = height or (max(150, lane_height * len(lanes)) + 145 + legend_px
                        + views_label_rows_px(label_rows))
    x_scale = alt.Scale(domain=[pd.Timestamp(domain[0]).isoformat(), pd.Timestamp(domain[1]).isoformat()]
                        ) if domain else alt.Undefined
    x = alt.X("start:T", title=None, scale=x_scale, axis=alt.Axis(format="%Y", tickCount="year"))
    y = alt.Y("lane:N", title=lane_title, sort=lanes, axis=alt.Axis(labelLimit=220))
    colour = alt.Color("category:N", title="Event category",
                       scale=_colour_scale("event category", marks["category"]),
                       legend=alt.Legend(orient="bottom", direction="horizontal",
                                         columns=legend_columns, labelLimit=200)
                       if legend_columns else None)
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
        period = [alt.Tooltip("name:N", title="Period")] if "name" in bands else []
        layers.append(band.mark_rect(color="#000", opacity=0.05).encode(
            x=alt.X("start:T", scale=x_scale), x2="end:T", tooltip=period))
        # alternate rows so labels of short neighbouring periods do not overprint
        layers.append(band.mark_text(align="left", baseline="bottom", dx=3, fontSize=11,
                                     color="#444").encode(x=alt.X("label_at:T", scale=x_scale),
                                                          y=alt.Y("label_row:Q", axis=None,
                                                                  scale=None),
                                                          text="label:N", tooltip=period))
    spans = marks[marks["is_span"]]
    points = marks[~marks["is_span"]]
    # clip: the window can be narrower than the events (the dense years first; the strip below
    # shows the rest)
    # dots on the same spot (same lane and day) are moved apart: each its own tooltip
    apart = alt.YOffset("slot:O", scale=alt.Scale(domain=list(range(views.SAME_SPOT_SLOTS))))
    base_span = alt.Chart(vega_ready(spans)).mark_bar(height=12, opacity=0.55, cornerRadius=2,
                                                      clip=True).encode(
        x=x, x2="end:T", y=y, color=colour, tooltip=tooltip)
    base_point = alt.Chart(vega_ready(points)).mark_point(filled=True, size=90, opacity=0.95,
                                              stroke="white", strokeWidth=0.8,
                                              clip=True).encode(
        x=x, y=y, yOffset=apart, color=colour, tooltip=tooltip)
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
                    # two lines: one was cut at a narrow column's edge
                    title=alt.Title("Timeline", anchor="start", subtitle=[
                        "Bars: dates known only to the month or year, or periods.",
                        "Dots: known to the day." + (
                            " Drag across the chart to filter to a period."
                            if instructions else "")],
                        offset=4 + views_label_rows_px(label_rows)))
    )


def views_label_rows_px(rows: int) -> int:
    """Room above the plot for `rows` rows of period labels."""
    from components.views import PERIOD_LABEL_ROW_PX

    return PERIOD_LABEL_ROW_PX * rows


OVERVIEW_BRUSH = "overview_brush"


def timeline_overview_chart(counts: pd.Series, whole: tuple, window: tuple) -> dict:
    """The whole record as events per year, the window the timeline above shows shaded; a
    brush across it chooses the years (overview and detail). The spec's structure is built
    once per record span and window (Altair takes 50 ms to build it); each call fills in the
    data."""
    frame = pd.DataFrame({"start": [pd.Timestamp(year=int(y), month=1, day=1) for y in counts.index],
                          "events": counts.to_numpy()})
    frame["end"] = frame["start"] + pd.offsets.YearBegin(1)
    shaded = pd.DataFrame({"start": [pd.Timestamp(window[0])], "end": [pd.Timestamp(window[1])]})
    spec = copy.deepcopy(_overview_template(pd.Timestamp(whole[0]).isoformat(),
                                            pd.Timestamp(whole[1]).isoformat()))
    spec["datasets"] = {"years": records(frame), "window": records(shaded)}
    return spec


@functools.lru_cache(maxsize=64)
def _overview_template(first: str, last: str) -> dict:
    x_scale = alt.Scale(domain=[first, last])
    brush = alt.selection_interval(name=OVERVIEW_BRUSH, encodings=["x"])
    x = alt.X("start:T", title=None, scale=x_scale, axis=alt.Axis(format="%Y", tickCount="year",
                                                                  labelOverlap=True))
    window_band = alt.Chart(alt.NamedData("window")).mark_rect(
        color=palette.SKY, opacity=0.25).encode(x=x, x2="end:T")
    bars = alt.Chart(alt.NamedData("years")).mark_rect(color="#777", opacity=0.8).encode(
        x=x, x2="end:T", y=alt.Y("events:Q", title=None,
                                 axis=alt.Axis(tickCount=2, grid=False, format="d")),
        y2=alt.datum(0),
        tooltip=[alt.Tooltip("year(start):T", title="Year"),
                 alt.Tooltip("events:Q", title="Dated events")],
    ).add_params(brush)
    # in the app the height holds the title and the axis too (the chart is fitted to it)
    return to_spec(alt.layer(window_band, bars).properties(
        height=150, width="container",
        title=alt.Title("The whole record", anchor="start", fontSize=12,
                        subtitle="Dated events per year; shaded: the years shown above. Drag "
                        "across it to show other years.")))


def timeline_density_chart(bins: pd.DataFrame, unit: str, lane_title: str,
                           domain: tuple | None = None, instructions: bool = True) -> dict:
    """Too many events for one mark each: counts per lane and period, darker where more.
    Returned as a spec; its structure is built once per unit, lanes, categories and window."""
    lanes = tuple(sorted(set(bins["lane"].tolist())))
    window = (pd.Timestamp(domain[0]).isoformat(), pd.Timestamp(domain[1]).isoformat()) if domain else None
    spec = copy.deepcopy(_density_template(unit, lane_title, window, lanes,
                                           tuple(sorted(set(bins["category"].tolist()))),
                                           instructions))
    spec["datasets"] = {"bins": records(bins)}
    return spec


@functools.lru_cache(maxsize=64)
def _density_template(unit: str, lane_title: str, window: tuple | None, lanes: tuple,
                      categories: tuple, instructions: bool = True) -> dict:
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
                                    f"{unit}, darker where there are more." + (
                                        " Drag across the chart to filter to a period; narrow "
                                        "the filters to see each event." if instructions else "")))
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
