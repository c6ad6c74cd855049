"""The three linked views as page panels: each draws its chart, its legend, its empty state,
and turns clicks on it into filter changes (the named actions in components.ui.sidebar)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from functools import partial

import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit import dataframe_util

from components import views
from components.wording import agreeing, counted
from components.selection import LISTED_ROWS
from components.ui import caching, charts, export_ui, flows_panel, screen, sidebar, vega
from components.ui import map as map_ui
from components.ui.context import PageContext, context_for, context_key

NO_MATCH = "No events match the current filters. Remove a filter above, or widen the date range."


# --------------------------------------------------------------------------------------------
# Map


def map_panel(ctx: PageContext, height: int = 520, key: str = "map", controls: bool = True,
              width_px: int = 1000, view: dict | None = None, extras: bool = True) -> None:
    """width_px: the map's expected width, used to choose a zoom that frames every place.
    view: a fixed centre and zoom (a briefing step's), instead of framing the places.
    extras: the legend, notes and download buttons (a briefing shows a one-line key instead)."""
    colour_by = "event category"
    basemap = map_ui.default_basemap()
    if controls:
        left, right = st.columns(2)
        colour_by = left.segmented_control(
            "Colour places by", list(views.COLOUR_BY), default="event category",
            key="map_colour", bind="query-params", required=True,
        ) or "event category"
        basemap = right.selectbox(
            "Basemap", list(map_ui.BASEMAPS), index=list(map_ui.BASEMAPS).index(basemap),
            format_func=map_ui.BASEMAPS.get, key="basemap", bind="query-params",
            help="Carto's tiles need internet. Either way the map draws the outlines shipped with "
            "ProxyLens (Natural Earth's countries, coast, borders and rivers, and Iraq's "
            "provinces), the outlines of boundaries.geojson when the data folder has one, and "
            "the place labels. None makes no network request at all.",
        )
    fixed_view = tuple(sorted(view.items())) if view else None
    places, arcs, view, deck_json, legend = map_drawing(
        *context_key(ctx), colour_by, basemap, height, width_px, fixed_view)
    if places.empty:
        st.info(NO_MATCH if not ctx.selection.facts["events"] else
                "None of the matching events has a place, so the map is empty.",
                icon=":material/map:")
        return
    map_ui.draw_deck(deck_json, key, height, on_select=partial(on_place_click, key),
                     selection_mode="single-object")
    if not extras:
        st.caption("Filled: at the named place · ring: a region or country · orange arcs: "
                   "movements across borders · size: events")
        return
    export_ui.map_downloads(places, arcs, view, ctx.dataset.boundaries, colour_by, key)
    st.markdown(legend, unsafe_allow_html=True)
    merged = int((places["places"] > 1).sum())
    if merged:
        st.caption(f"{int(places['places'].sum()):,} places are too many to draw one by one: "
                   f"nearby places are merged into {len(places):,} grid cells (rings named "
                   "'N places'); clicking a cell filters to its busiest place. Narrow the "
                   "filters to see places one by one.")
    unplaced = ctx.selection.facts["events"] - ctx.selection.facts["placed"]
    if unplaced:
        st.caption(f"{counted(unplaced, 'matching event')} {agreeing(unplaced, 'has', 'have')} "
                   f"no place in the sources and {agreeing(unplaced, 'is', 'are')} not on "
                   f"the map; {agreeing(unplaced, 'it is', 'they are')} in the tables (and on "
                   "the timeline when dated). Click a place to filter to it.")
    else:
        st.caption("Click a place to filter every view to it.")


@caching.view_data(64)
def map_frames(folder: str, fingerprint: str, filters, colour_by: str = "event category"
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The places and arcs the map draws for one data version and filter value."""
    chosen = context_for(folder, fingerprint, filters).selection
    return chosen.map_places(colour_by), chosen.map_arcs()


@caching.view_resource(64)
def map_drawing(folder: str, fingerprint: str, filters, colour_by: str, basemap: str,
                height: int, width_px: int, fixed_view: tuple | None
                ) -> tuple[pd.DataFrame, pd.DataFrame, dict, str, str]:
    """Places (with their labels), arcs, the view, the deck's JSON (its outlines picture a
    mark that map_ui.with_outlines serves) and the legend, for one data version, filter value
    and map setting: a rerun that changes none of them serialises nothing. Shared by every
    rerun that asks (not copied): the callers only read them."""
    places, arcs = map_frames(folder, fingerprint, filters, colour_by)
    if places.empty:
        return places, arcs, {}, "", ""
    view = dict(fixed_view) if fixed_view else views.map_view_bounds(places, width_px, height, arcs)
    places["label"] = views.label_places(places, view)
    boundaries = context_for(folder, fingerprint, filters).dataset.boundaries
    deck = map_ui.build_deck(places, arcs, view, boundaries, basemap, height, width_px=width_px)
    legend = map_ui.legend_markdown(places, colour_by, not arcs.empty)
    return places, arcs, view, map_ui.deck_json(deck), legend


def on_place_click(key: str = "map") -> None:
    state = st.session_state.get(key)
    if not state:
        return
    objects = state.get("selection", {}).get("objects", {})
    chosen = [o.get("location") for layer in ("places", "regions") for o in objects.get(layer, [])]
    chosen = [c for c in chosen if c]
    if chosen:
        sidebar.add_to_filter("places", chosen)


# --------------------------------------------------------------------------------------------
# Network


# The network panel, its cached drawing and the Actor page's ego network live in
# components.ui.network_panel (the readable link chart); their names stay importable from here.
from components.ui.network_panel import (  # noqa: E402
    EDGE_COLOURS,
    as_of_control,
    ego_network,
    network_panel,
    network_spec,
    reliability_letters,
)


# --------------------------------------------------------------------------------------------
# Timeline


LANE_TITLES = {"event category": "Event category", "actor": "First actor",
               "event type": "Event type"}


# left of the plot, the lanes' title and names (an actor's name may take 220 px), and a margin
TIMELINE_GUTTER_PX = {"event category": 200, "event type": 200, "actor": 270}


def plot_px(width_px: int, lane_by: str) -> int:
    """A timeline's plot width in a chart `width_px` wide: a narrow guess puts period labels
    further left or on more rows, a wide one past the chart's edge."""
    return max(width_px - TIMELINE_GUTTER_PX.get(lane_by, 270), 200)


def timeline_panel(ctx: PageContext, height: int | None = None, key: str = "timeline",
                   controls: bool = True, monthly: bool = True, presenting: bool = False,
                   width_px: int = screen.column_px([1], 0)) -> None:
    """presenting: for an audience (a briefing step): the timeline alone, with no instructions,
    downloads or strip of the whole record. width_px: the chart's width on the reference screen
    (components.ui.screen), for which the period labels are placed: none runs past the plot."""
    lane_by = "event category"
    if controls:
        lane_by = st.segmented_control(
            "Lanes", list(views.LANE_BY), default="event category", key="lanes",
            bind="query-params", required=True,
        ) or "event category"
    if not ctx.selection.facts["dated"]:
        st.info(NO_MATCH if not ctx.selection.facts["events"] else
                "None of the matching events is dated.",
                icon=":material/timeline:")
        undated_caption(ctx)
        return
    domain = time_domain(ctx)
    spec = timeline_spec(*context_key(ctx), lane_by, domain, height, not presenting,
                         plot_px(width_px, lane_by))
    vega.draw(spec, on_select=partial(_on_brush, key, charts.BRUSH, ctx.options),
              key=key, width="stretch", selection_mode=[charts.BRUSH])
    if presenting:
        return
    export_ui.chart_downloads(spec, "timeline", key)
    timeline_overview(ctx, domain, key + "_whole")
    undated_caption(ctx)
    if monthly:
        monthly_spec, year_only = monthly_chart_spec(*context_key(ctx), domain)
        if monthly_spec is None:
            st.caption("No matching event is known to the month, so there is no monthly chart.")
        else:
            vega.draw(monthly_spec,
                      on_select=partial(_on_brush, key + "_months", charts.BAR_BRUSH,
                                        ctx.options),
                      key=key + "_months", width="stretch", selection_mode=[charts.BAR_BRUSH])
            export_ui.chart_downloads(monthly_spec, "events per month", key + "_months")
            if year_only:
                st.caption(f"{counted(year_only, 'matching event')} known only to the year "
                           f"{agreeing(year_only, 'is', 'are')} in the timeline above but not "
                           "in the monthly counts.")


@caching.view_data(64)
def monthly_chart_spec(folder: str, fingerprint: str, filters, domain) -> tuple[dict | None, int]:
    """The events-per-month chart (None when no matching event is known to the month) and how
    many matching events are known only to the year, built once per view and window."""
    counts, year_only = context_for(folder, fingerprint, filters).selection.monthly_counts()
    if counts.empty:
        return None, year_only
    return charts.to_spec(charts.monthly_chart(counts, domain)), year_only


def undated_caption(ctx: PageContext) -> None:
    """The timeline cannot draw an event without a date: say how many are left off."""
    undated = ctx.selection.facts["events"] - ctx.selection.facts["dated"]
    if undated:
        st.caption(f"{counted(undated, 'matching event')} {agreeing(undated, 'has', 'have')} "
                   f"no date in the sources: {agreeing(undated, 'it is', 'they are')} left off "
                   "the timeline but kept on the map, in the network and in the tables and "
                   "search.")


@caching.view_data(64)
def timeline_spec(folder: str, fingerprint: str, filters, lane_by: str, domain,
                   height: int | None, instructions: bool = True, plot_width_px: int = 800
                   ) -> dict:
    """plot_width_px: the plot's expected width, for placing the period labels."""
    ctx = context_for(folder, fingerprint, filters)
    if ctx.selection.facts["dated"] > views.MAX_TIMELINE_MARKS:
        bins, unit = ctx.selection.timeline_bins(lane_by)
        return charts.timeline_density_chart(bins, unit, LANE_TITLES[lane_by], domain,
                                             instructions)
    marks = views.timeline_marks(ctx.events, lane_by)
    bands = views.periods_in_range(ctx.dataset.periods, *domain, width_px=plot_width_px)
    return charts.to_spec(charts.timeline_chart(marks, bands, LANE_TITLES[lane_by], domain, height,
                                                instructions))


def time_domain(ctx: PageContext) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The window the timeline shows: the chosen dates, else the years where the matching
    events are dense (views.dense_window), the rest being in the strip of the whole record."""
    return _time_domain(*context_key(ctx))


@caching.view_resource(64)
def _time_domain(folder: str, fingerprint: str, filters) -> tuple[pd.Timestamp, pd.Timestamp]:
    ctx = context_for(folder, fingerprint, filters)
    if not ctx.filters.dated_window:
        dense = views.dense_window(ctx.selection.year_counts())
        if dense is not None:
            return dense
    start = ctx.filters.date_from or ctx.options.date_min
    end = ctx.filters.date_to or ctx.options.date_max
    start = pd.Timestamp(start) if start else ctx.selection.facts["first"]
    end = pd.Timestamp(end) + pd.Timedelta(days=1) if end else ctx.selection.facts["last"]
    return start, end


def whole_record(ctx: PageContext) -> tuple[tuple, pd.Series]:
    """The span of the whole record and its dated events per year under every filter but the
    dates: what the strip under the timeline shows."""
    undated = dataclasses.replace(ctx.filters, date_from=None, date_to=None)
    counts = context_for(*context_key(ctx)[:2], undated).selection.year_counts()
    first = pd.Timestamp(ctx.options.date_min) if ctx.options.date_min else None
    last = pd.Timestamp(ctx.options.date_max) + pd.Timedelta(days=1) if ctx.options.date_max \
        else None
    if len(counts):
        earliest = pd.Timestamp(year=int(counts.index.min()), month=1, day=1)
        latest = pd.Timestamp(year=int(counts.index.max()) + 1, month=1, day=1)
        first = min(first, earliest) if first is not None else earliest
        last = max(last, latest) if last is not None else latest
    return (first, last), counts


def timeline_overview(ctx: PageContext, window: tuple, key: str) -> None:
    """Overview and detail: the whole record under the timeline, its window shaded; a brush
    there sets the date range. Says how many dated events lie outside the window."""
    spec, counts = overview_strip(*context_key(ctx), tuple(window))
    if spec is None:
        return
    vega.draw(spec, on_select=partial(_on_brush, key, charts.OVERVIEW_BRUSH, ctx.options),
              key=key, width="stretch", selection_mode=[charts.OVERVIEW_BRUSH])
    years = counts.index.to_numpy()
    outside = int(counts[(years < window[0].year) | (years >= window[1].year)].sum()) \
        if not ctx.filters.dated_window else 0
    if outside:
        st.caption(f"The timeline opens on {window[0].year}-{window[1].year - 1}, where the "
                   f"matching events are dense; {counted(outside, 'dated event')} outside "
                   f"those years {agreeing(outside, 'is', 'are')} in the strip above: drag "
                   f"across the strip to show {agreeing(outside, 'it', 'them')}.")


@caching.view_data(64)
def overview_strip(folder: str, fingerprint: str, filters, window: tuple
                   ) -> tuple[dict | None, pd.Series]:
    """The strip's spec (None when nothing is dated) and the dated events per year, built once
    per view and window: a rerun that changes nothing else reuses them."""
    whole, counts = whole_record(context_for(folder, fingerprint, filters))
    if counts.empty or whole[0] is None:
        return None, counts
    return charts.timeline_overview_chart(counts, whole, window), counts


def _on_brush(key: str, selection: str, options=None) -> None:
    state = st.session_state.get(key)
    if not state:
        return
    brushed = state.get("selection", {}).get(selection) or {}
    values = next(iter(brushed.values()), None) if isinstance(brushed, dict) else None
    if not values or len(values) != 2:
        return
    start, end = (_to_date(v) for v in values)
    if start and end and start <= end:
        sidebar.set_date_window(start, end, options)


def _to_date(value):
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc).date()
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# Small views of a given set of events (actor and event pages)


def small_map(dataset, chosen, key: str, height: int = 340, width_px: int = 620,
              empty_message: str = "None of these events has a place in the sources.") -> None:
    """The places of a selection's events (selection.Selection), no controls, no click action."""
    places = chosen.map_places()
    if places.empty:
        st.info(empty_message, icon=":material/map:")
        return
    arcs = chosen.map_arcs()
    view = views.map_view_bounds(places, width_px, height, arcs)
    view["zoom"] = min(view["zoom"], 6.5)  # a single place should still show its surroundings
    places["label"] = views.label_places(places, view)
    reference = views.reference_cities(dataset.locations, places, view, width_px, height)
    deck = map_ui.build_deck(places, arcs, view, dataset.boundaries, map_ui.default_basemap(),
                             height, reference=reference, width_px=width_px)
    map_ui.draw_deck(map_ui.deck_json(deck), key, height)
    st.caption("Filled circle: at the named place; ring: placed only to a region or country. "
               "Small grey dots: other cities in the data, for orientation.")


# below this, a timeline laned by event category has no legend: its lanes name the colours
NARROW_TIMELINE_PX = 600


def small_timeline(dataset, chosen, key: str, width_px: int = screen.column_px([1], 0)) -> None:
    """A selection's events (selection.Selection) in time, no controls. width_px: as
    timeline_panel's."""
    facts = chosen.facts
    if not facts["dated"]:
        st.info("None of these events is dated.", icon=":material/timeline:")
        return
    start, end = facts["first"], facts["last"] + pd.Timedelta(days=1)
    pad = max((end - start) / 20, pd.Timedelta(days=60))
    domain = (start - pad, end + pad)
    if facts["dated"] > views.MAX_TIMELINE_MARKS:
        bins, unit = chosen.timeline_bins()
        spec = charts.timeline_density_chart(bins, unit, LANE_TITLES["event category"], domain)
    else:
        marks = views.timeline_marks(chosen.listed_events(LISTED_ROWS), "event category")
        bands = views.periods_in_range(dataset.periods, *domain,
                                       width_px=plot_px(width_px, "event category"))
        spec = charts.to_spec(charts.timeline_chart(
            marks, bands, LANE_TITLES["event category"], domain, instructions=False,
            legend_columns=0 if width_px < NARROW_TIMELINE_PX else 3))
    vega.draw(spec, key=key, width="stretch")
    if facts["dated"] < facts["events"]:
        st.caption(f"{facts['events'] - facts['dated']:,} of these events have no date in the "
                   "sources and are not on the timeline.")


# --------------------------------------------------------------------------------------------
# The toolbar: share, export tables, report


def page_bar(ctx: PageContext, current, options, page_title: str):
    """The top of a page, in one row: the active filters (or a line saying there are none),
    and Share and Export at its right end. On a 1280x720 screen, two rows there had put every
    page's first view below the fold. Returns the share link's placeholder (toolbar)."""
    with st.container(horizontal=True, vertical_alignment="top", gap="small", key="page-bar"):
        # a container of its own: a caption straight in the row takes the whole row's width
        # and pushes Share and Export onto a second line
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            sidebar.draw_active_filters(current, options)
        return toolbar(ctx, page_title)


def toolbar(ctx: PageContext, page_title: str):
    """Share, export the tables, the report; returns the share link's placeholder (see
    export_ui.fill_share_link)."""
    row = st.container(horizontal=True, gap="small", vertical_alignment="center",
                       width="content")
    with row:
        share = export_ui.share_link()
        # The menu's content is drawn only while it is open (opening it reruns the page): its
        # dozen download buttons, re-sent on every rerun, were an eighth of a warm rerun.
        menu = st.popover("Export", icon=":material/download:", key=EXPORT_MENU,
                          on_change="rerun")
        if menu.open:
            with menu:
                export_menu(ctx, page_title)
    return share


EXPORT_MENU = "export_menu"


def export_menu(ctx: PageContext, page_title: str) -> None:
    own = PAGE_EXPORTS.get(page_title)
    if own is not None:  # a page whose tables, report and pack are not the sidebar's
        own()(ctx, page_title)
        return
    st.markdown("**The filtered data**")
    export_ui.table_downloads(ctx, view=page_title)
    # the Flows page's choices, as it fills them in during this run (the files are made on
    # click, outside the session)
    flow_choices = flows_panel.page_choices()
    st.markdown("**A report of this view**")
    export_ui.report_button(ctx, lambda: view_report_sections(ctx, flow_choices),
                            f"ProxyLens: {page_title}", "the current view", key="report-view")
    st.markdown("**All of it in one zip, with a manifest**")
    export_ui.pack_button(ctx, lambda: view_report_sections(ctx, flow_choices),
                          f"ProxyLens: {page_title}", page_title, key="pack-view")


def _compare_exports():
    from components.ui import compare_ui  # it draws with this module's map clicks

    return compare_ui.export_buttons


# the pages that draw their own report and evidence pack in the Export menu, by title
PAGE_EXPORTS = {"Compare": _compare_exports}


def view_report_sections(ctx: PageContext, flow_choices: dict | None = None) -> list[dict]:
    """Charts (map, network, timeline, support flows as the Flows page last showed them) and
    tables of the current view, for the report."""
    folder, fingerprint, filters = context_key(ctx)
    network_chart = None
    if not ctx.relations.empty:
        network_chart = network_spec(folder, fingerprint, filters, "degree", 1000, 760)[0]
    timeline_chart = None
    if ctx.selection.facts["dated"]:
        timeline_chart = timeline_spec(folder, fingerprint, filters, "event category",
                                       time_domain(ctx), None, instructions=False)
    places, arcs = map_frames(folder, fingerprint, filters)
    map_parts = None
    if not places.empty:
        view = views.map_view_bounds(places, 1000, 640, arcs)
        places["label"] = views.label_places(places, view)
        map_parts = (places, arcs, view, ctx.dataset.boundaries, "event category")
    sections = export_ui.view_sections(ctx, network_chart, timeline_chart, map_parts)
    support = flows_panel.flows_for_report(ctx, flow_choices)
    if support is not None:  # the support flows, after the other charts
        sections[0]["charts"].append(support)
    return sections


# --------------------------------------------------------------------------------------------
# The matching events, to read


EVENT_LIST_ROWS = 25


@caching.view_resource(256)
def event_list_page(folder: str, fingerprint: str, filters, start: int, stop: int
                    ) -> pa.Table:
    """Rows start to stop of the matching events, in words, put together once per view, as
    the Arrow table st.dataframe sends (converted once; an Arrow table cannot be changed, so
    every rerun shares it)."""
    rows = context_for(folder, fingerprint, filters).selection.rows(stop - start, start)
    return dataframe_util.convert_pandas_df_to_arrow_table(views.event_list(rows, ordered=True))


def event_list_panel(ctx: PageContext, key: str) -> None:
    """The matching events below the charts, a page at a time, each with its event page. Only
    the page shown is put in words: a million matching events cost one sort, kept per view."""
    from components.ui import cards

    total = ctx.selection.facts["events"]
    st.subheader(f"The matching events ({total:,})")
    if not total:
        st.info(NO_MATCH, icon=":material/list:")
        return
    cards.paged_rows(total, partial(event_list_page, *context_key(ctx)), key,
                     page_rows=EVENT_LIST_ROWS, column_config={
                         # a long date note is cut here, whole on hover and in the exports
                         "when": st.column_config.TextColumn("when", width="medium"),
                         "event page": st.column_config.LinkColumn("event page",
                                                                   display_text="open"),
                         "what happened": st.column_config.TextColumn("what happened",
                                                                      width="large"),
                     })
