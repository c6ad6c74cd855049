"""The three linked views as page panels: each draws its chart, its legend, its empty state,
and turns clicks on it into filter changes (the named actions in components.ui.sidebar)."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial

import pandas as pd
import streamlit as st

from components import network, timeslice, views
from components.ui import charts, export_ui, sidebar
from components.ui import map as map_ui
from components.ui.context import PageContext, context_for, context_key, positions

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
            help="Without internet the Carto tiles cannot load; the outlines from "
            "boundaries.geojson (when the data folder has one) and the place labels still draw.",
        )
    fixed_view = tuple(sorted(view.items())) if view else None
    places, arcs, view, deck_json = map_drawing(*context_key(ctx), colour_by, basemap, height,
                                                width_px, fixed_view)
    if places.empty:
        st.info(NO_MATCH if not ctx.selection.facts["events"] else
                "None of the matching events has a place, so the map is empty.",
                icon=":material/map:")
        return
    st.pydeck_chart(map_ui.PrebuiltDeck(deck_json), on_select=partial(_on_map_select, key),
                    selection_mode="single-object", key=key, height=height)
    if not extras:
        st.caption("Filled circle: at the named place · ring: placed only to a region or country"
                   " · orange arcs: cross-border movements · size: number of events")
        return
    export_ui.map_downloads(places, arcs, view, ctx.dataset.boundaries, colour_by, key)
    st.markdown(map_ui.legend_markdown(places, colour_by, not arcs.empty),
                unsafe_allow_html=True)
    merged = int((places["places"] > 1).sum())
    if merged:
        st.caption(f"{int(places['places'].sum()):,} places are too many to draw one by one: "
                   f"nearby places are merged into {len(places):,} grid cells (rings named "
                   "'N places'); clicking a cell filters to its busiest place. Narrow the "
                   "filters to see places one by one.")
    unplaced = ctx.selection.facts["events"] - ctx.selection.facts["placed"]
    if unplaced:
        st.caption(f"{unplaced} matching event(s) have no place in the sources and are not on "
                   "the map; they are in the tables (and on the timeline when dated). Click a "
                   "place to filter to it.")
    else:
        st.caption("Click a place to filter every view to it.")


@st.cache_data(show_spinner=False, max_entries=64)
def map_frames(folder: str, fingerprint: str, filters, colour_by: str = "event category"
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The places and arcs the map draws for one data version and filter value."""
    chosen = context_for(folder, fingerprint, filters).selection
    return chosen.map_places(colour_by), chosen.map_arcs()


@st.cache_data(show_spinner=False, max_entries=64)
def map_drawing(folder: str, fingerprint: str, filters, colour_by: str, basemap: str,
                height: int, width_px: int, fixed_view: tuple | None
                ) -> tuple[pd.DataFrame, pd.DataFrame, dict, str]:
    """Places (with their labels), arcs, the view and the deck's JSON, for one data version,
    filter value and map setting: a rerun that changes none of them serialises nothing."""
    places, arcs = map_frames(folder, fingerprint, filters, colour_by)
    if places.empty:
        return places, arcs, {}, ""
    view = dict(fixed_view) if fixed_view else views.map_view_bounds(places, width_px, height, arcs)
    places["label"] = views.label_places(places, view)
    boundaries = context_for(folder, fingerprint, filters).dataset.boundaries
    deck = map_ui.build_deck(places, arcs, view, boundaries, basemap, height)
    return places, arcs, view, map_ui.deck_json(deck)


def _on_map_select(key: str = "map") -> None:
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


EDGE_COLOURS = ("relation family", "claim status", "grade")


def network_panel(ctx: PageContext, height: int = 560, key: str = "network",
                  controls: bool = True, width_px: int = 1000) -> None:
    """width_px: the plot's expected width, so labels can be kept from overlapping."""
    size_by, edge_colour, as_of = "degree", "relation family", None
    if controls:
        left, middle = st.columns(2)
        size_by = left.segmented_control(
            "Size actors by", list(network.SIZE_MEASURES), default="degree", key="size_by",
            bind="query-params", required=True,
            format_func=lambda m: network.SIZE_MEASURES[m],
        ) or "degree"
        edge_colour = middle.segmented_control(
            "Colour relations by", list(EDGE_COLOURS), default="relation family",
            key="edge_colour", bind="query-params", required=True,
        ) or "relation family"
        as_of = as_of_control(ctx)
    max_actors = network.DEFAULT_MAX_ACTORS
    total = network.actor_count(ctx.relations)
    if controls and total > network.DEFAULT_MAX_ACTORS:
        max_actors = st.slider(
            "Actors shown (those with the most relations first)", 20, min(total, 400),
            network.DEFAULT_MAX_ACTORS, step=10, key="top_actors", bind="query-params",
            help="The network draws the actors with the most relations among those that match "
            "the filters, and the relations between them.")
    if ctx.relations.empty:
        st.info("No relations match the current filters. Relations are drawn when their period "
                "overlaps the date range; remove a filter above to see more.",
                icon=":material/hub:")
        return
    spec, shown_nodes, shown_edges, hidden, undated = network_spec(
        *context_key(ctx), size_by, width_px, height, edge_colour, as_of, max_actors)
    if shown_edges == 0:
        st.info(f"No dated relation was active on {as_of:%d %B %Y}. "
                f"{undated} relations have no dates in the sources and cannot be placed in time.",
                icon=":material/hub:")
        return
    st.vega_lite_chart(spec, on_select=partial(_on_network_select, key), key=key,
                       width="stretch", selection_mode=[charts.NODE_SELECTION])
    export_ui.chart_downloads(spec, "network", key)
    note = f"{shown_nodes} actors, {shown_edges} relations."
    if total > shown_nodes and as_of is None:
        note = (f"The {shown_nodes} actors with the most relations (of {total} matching), "
                f"{shown_edges} relations between them.")
    if as_of is not None:
        note = (f"As of {as_of:%d %B %Y}: {shown_edges} dated relations active, {shown_nodes} "
                f"actors. {undated} relations have no dates in the sources and are left out. "
                "Grey dashed rings: actors not yet or no longer active on that date.")
    if hidden:
        note += f" {hidden} labels are hidden where they would overlap: hover a node for its name."
    st.caption(note + " Solid lines: confirmed; dashed: reported, alleged or disputed.")
    if len(ctx.filters.actors) == 1:
        actor = ctx.filters.actors[0]
        st.page_link("pages/actor.py", label=f"Open the profile of {ctx.options.actors[actor]}",
                     icon=":material/person:", query_params={"actor": actor})


def as_of_control(ctx: PageContext):
    """The "network as of a date" switch, month slider and step buttons; the date or None."""
    steps = timeslice.month_steps(ctx.options.date_min, ctx.options.date_max) if (
        ctx.options.date_min) else []
    if not steps:
        return None
    on = st.toggle("Show the network as of a date", key="as_of_on", bind="query-params",
                   help="Only relations whose period covers the date; actors not yet formed or "
                   "already ended (captured) are drawn as grey rings.")
    if not on:
        return None
    labels = [f"{d:%Y-%m}" for d in steps]
    default = "2006-07" if "2006-07" in labels else labels[len(labels) // 2]
    row = st.container(horizontal=True, vertical_alignment="bottom")
    for text, shift in (("◀ year", -12), ("◀ month", -1)):
        row.button(text, key=f"as_of_{shift}", on_click=_step_as_of, args=(labels, shift, default))
    chosen = row.select_slider("As of", labels, value=default, key="as_of",
                               bind="query-params", width="stretch")
    for text, shift in (("month ▶", 1), ("year ▶", 12)):
        row.button(text, key=f"as_of_{shift}", on_click=_step_as_of, args=(labels, shift, default))
    return pd.Timestamp(chosen + "-01").date()


def _step_as_of(labels: list[str], shift: int, default: str) -> None:
    current = st.session_state.get("as_of", default)
    index = labels.index(current) if current in labels else labels.index(default)
    st.session_state["as_of"] = labels[min(max(index + shift, 0), len(labels) - 1)]


@st.cache_data(show_spinner=False, max_entries=64)
def network_spec(folder: str, fingerprint: str, filters, size_by: str, width_px: int,
                  height: int, edge_colour: str = "relation family", as_of=None,
                  max_actors: int = network.DEFAULT_MAX_ACTORS
                  ) -> tuple[dict, int, int, int, int]:
    """The network chart for one data version, filter value and layout: built once."""
    ctx = context_for(folder, fingerprint, filters)
    relations, extra, status, undated = ctx.relations, set(filters.actors), None, 0
    if as_of is not None:
        relations, undated = timeslice.relations_as_of(ctx.relations, as_of)
        status = timeslice.actor_status_as_of(ctx.dataset.actors, as_of)
        dated = ctx.relations[ctx.relations["period_start"].notna()
                              | ctx.relations["period_end"].notna()]
        in_dated = set(dated["source"]) | set(dated["target"])
        extra |= {a for a in in_dated if status.get(a) in charts.INACTIVE}
    nodes, edges = network.network_frames(ctx.dataset.actors, relations, positions(),
                                          size_by, extra_nodes=extra, width_px=width_px,
                                          height_px=max(height - 170, 200), status=status,
                                          reliability=reliability_letters(ctx.dataset),
                                          max_actors=max_actors)
    spec = charts.network_chart(nodes, edges, height=height,
                                size_by=network.SIZE_MEASURES[size_by], compact=width_px < 700,
                                edge_colour=edge_colour)
    return spec, len(nodes), len(edges), int((nodes["label"] == "").sum()), undated


def reliability_letters(dataset) -> dict[str, str]:
    return dict(zip(dataset.sources["source_id"], dataset.sources["reliability"]))


def _on_network_select(key: str = "network") -> None:
    state = st.session_state.get(key)
    if not state:
        return
    picked = state.get("selection", {}).get(charts.NODE_SELECTION) or []
    actors = [p.get("actor_id") for p in picked if isinstance(p, dict) and p.get("actor_id")]
    if actors:
        sidebar.add_to_filter("actors", actors)


# --------------------------------------------------------------------------------------------
# Timeline


LANE_TITLES = {"event category": "Event category", "actor": "First actor",
               "event type": "Event type"}


def timeline_panel(ctx: PageContext, height: int | None = None, key: str = "timeline",
                   controls: bool = True, monthly: bool = True) -> None:
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
    spec = timeline_spec(*context_key(ctx), lane_by, domain, height)
    st.vega_lite_chart(spec, on_select=partial(_on_brush, key, charts.BRUSH, ctx.options),
                       key=key, width="stretch", selection_mode=[charts.BRUSH])
    export_ui.chart_downloads(spec, "timeline", key)
    undated_caption(ctx)
    if monthly:
        counts, year_only = ctx.selection.monthly_counts()
        if counts.empty:
            st.caption("No matching event is known to the month, so there is no monthly chart.")
        else:
            monthly_spec = charts.to_spec(charts.monthly_chart(counts, domain))
            st.vega_lite_chart(monthly_spec,
                               on_select=partial(_on_brush, key + "_months", charts.BAR_BRUSH,
                                                 ctx.options),
                               key=key + "_months", width="stretch",
                               selection_mode=[charts.BAR_BRUSH])
            export_ui.chart_downloads(monthly_spec, "events per month", key + "_months")
            if year_only:
                st.caption(f"{year_only} matching event(s) known only to the year are in the "
                           "timeline above but not in the monthly counts.")


def undated_caption(ctx: PageContext) -> None:
    """The timeline cannot draw an event without a date: say how many are left off."""
    undated = ctx.selection.facts["events"] - ctx.selection.facts["dated"]
    if undated:
        st.caption(f"{undated:,} matching event(s) have no date in the sources: they are "
                   "left off the timeline but kept on the map, in the network and in the "
                   "tables and search.")


@st.cache_data(show_spinner=False, max_entries=64)
def timeline_spec(folder: str, fingerprint: str, filters, lane_by: str, domain,
                   height: int | None) -> dict:
    ctx = context_for(folder, fingerprint, filters)
    if ctx.selection.facts["dated"] > views.MAX_TIMELINE_MARKS:
        bins, unit = ctx.selection.timeline_bins(lane_by)
        return charts.timeline_density_chart(bins, unit, LANE_TITLES[lane_by], domain)
    marks = views.timeline_marks(ctx.events, lane_by)
    bands = views.periods_in_range(ctx.dataset.periods, *domain)
    return charts.to_spec(charts.timeline_chart(marks, bands, LANE_TITLES[lane_by], domain, height))


def time_domain(ctx: PageContext) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = ctx.filters.date_from or ctx.options.date_min
    end = ctx.filters.date_to or ctx.options.date_max
    start = pd.Timestamp(start) if start else ctx.selection.facts["first"]
    end = pd.Timestamp(end) + pd.Timedelta(days=1) if end else ctx.selection.facts["last"]
    return start, end


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


def small_map(dataset, events: pd.DataFrame, key: str, height: int = 340,
              width_px: int = 620,
              empty_message: str = "None of these events has a place in the sources.") -> None:
    """The events' places, no controls, no click action."""
    labelled = views.with_event_labels(events, dataset.actors, dataset.sources)
    places = views.map_places(labelled)
    if places.empty:
        st.info(empty_message, icon=":material/map:")
        return
    arcs = views.map_arcs(labelled)
    view = views.map_view_bounds(places, width_px, height, arcs)
    view["zoom"] = min(view["zoom"], 6.5)  # a single place should still show its surroundings
    places["label"] = views.label_places(places, view)
    cities = dataset.locations[dataset.locations["kind"] == "city"]
    reference = cities.rename(columns={"latitude": "lat", "longitude": "lon"})[["name", "lat", "lon"]]
    # a city at (or within ~5 km of) a place already drawn would only overprint it
    near = reference.apply(lambda c: ((places["lat"] - c["lat"]).abs().lt(0.05)
                                      & (places["lon"] - c["lon"]).abs().lt(0.05)).any(), axis=1)
    reference = reference[~near] if len(reference) else reference
    deck = map_ui.build_deck(places, arcs, view, dataset.boundaries, map_ui.default_basemap(),
                             height, reference=reference)
    st.pydeck_chart(deck, key=key, height=height)
    st.caption("Filled circle: at the named place; ring: placed only to a region or country. "
               "Small grey dots: other cities in the data, for orientation.")


def small_timeline(dataset, events: pd.DataFrame, key: str) -> None:
    labelled = views.with_event_labels(events, dataset.actors, dataset.sources)
    dated = labelled.dropna(subset=["span_start"])
    if dated.empty:
        st.info("None of these events is dated.", icon=":material/timeline:")
        return
    start, end = dated["span_start"].min(), dated["span_end"].max() + pd.Timedelta(days=1)
    pad = max((end - start) / 20, pd.Timedelta(days=60))
    domain = (start - pad, end + pad)
    if len(dated) > views.MAX_TIMELINE_MARKS:
        bins, unit = views.timeline_bins(labelled)
        spec = charts.timeline_density_chart(bins, unit, LANE_TITLES["event category"], domain)
    else:
        marks = views.timeline_marks(labelled, "event category")
        bands = views.periods_in_range(dataset.periods, *domain)
        spec = charts.to_spec(charts.timeline_chart(marks, bands, LANE_TITLES["event category"],
                                                    domain))
    st.vega_lite_chart(spec, key=key, width="stretch")
    if len(dated) < len(labelled):
        st.caption(f"{len(labelled) - len(dated):,} of these events have no date in the "
                   "sources and are not on the timeline.")


def ego_network(dataset, actor_id: str, hops: int, key: str, height: int = 520,
                width_px: int = 700, grade: tuple[str, str] = ("", "")) -> None:
    """grade: the sidebar's (min_reliability, min_credibility); weaker relations are left out."""
    from components import profiles

    relations = profiles.ego_relations(profiles.within_grade(dataset.relations, *grade),
                                       actor_id, hops)
    if relations.empty:
        st.info("The data records no relation for this actor" + (
            " graded as the sidebar asks." if any(grade) else "."), icon=":material/hub:")
        return
    reach = set(relations["source"]) | set(relations["target"]) | {actor_id}
    local = network.stable_layout(dataset.actors[dataset.actors["actor_id"].isin(reach)],
                                  relations)
    nodes, edges = network.network_frames(dataset.actors, relations, local, "degree",
                                          extra_nodes={actor_id}, width_px=width_px,
                                          height_px=max(height - 170, 200),
                                          reliability=reliability_letters(dataset))
    spec = charts.network_chart(nodes, edges, height=height, compact=True,
                                title=f"Within {hops} relation{'s' if hops > 1 else ''}")
    st.vega_lite_chart(spec, key=key, width="stretch")


# --------------------------------------------------------------------------------------------
# The toolbar: share, export tables, report


def toolbar(ctx: PageContext, page_title: str) -> None:
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    with row:
        export_ui.share_link()
        with st.popover("Export", icon=":material/download:"):
            st.markdown("**The filtered data**")
            export_ui.table_downloads(ctx)
            st.markdown("**A report of this view**")
            export_ui.report_button(ctx, lambda: view_report_sections(ctx),
                                    f"ProxyLens: {page_title}", "the current view",
                                    key="report-view")


def view_report_sections(ctx: PageContext) -> list[dict]:
    """Charts (map, network, timeline) and tables of the current view, for the report."""
    folder, fingerprint, filters = context_key(ctx)
    network_chart = None
    if not ctx.relations.empty:
        network_chart = network_spec(folder, fingerprint, filters, "degree", 1000, 760)[0]
    timeline_chart = None
    if ctx.selection.facts["dated"]:
        timeline_chart = timeline_spec(folder, fingerprint, filters, "event category",
                                       time_domain(ctx), None)
    places, arcs = map_frames(folder, fingerprint, filters)
    map_parts = None
    if not places.empty:
        view = views.map_view_bounds(places, 1000, 640, arcs)
        places["label"] = views.label_places(places, view)
        map_parts = (places, arcs, view, ctx.dataset.boundaries, "event category")
    return export_ui.view_sections(ctx, network_chart, timeline_chart, map_parts)
