"""The network panel: the readable link chart (components.linkchart, drawn by
components.ui.network_charts), its controls and legend, its downloads, and the click that filters
every view to an actor. Also the Actor page's ego network."""

from __future__ import annotations

import json
import os
from functools import partial

import pandas as pd
import streamlit as st

from components import frames, linkchart, network, timeslice
from components.wording import agreeing, counted
from components.ui import caching, cards, export_ui, network_charts, sidebar
from components.ui.context import PageContext, context_for, context_key, positions

EDGE_COLOURS = ("relation family", "claim status", "grade")
# network.SIZE_MEASURES as the buttons name them, short enough for a column at 1280x720
SIZE_BUTTONS = {"degree": "relations", "betweenness": "betweenness"}


def network_panel(ctx: PageContext, height: int = 560, key: str = "network",
                  controls: bool = True, width_px: int = 1000, presenting: bool = False) -> None:
    """width_px: the chart's expected width; below 700 pixels the chart is laid out compact.
    presenting: for an audience (a briefing step): no instructions, no downloads."""
    size_by, edge_colour, as_of, highlight = "degree", "relation family", None, ()
    if controls:
        left, middle, right = st.columns([3, 3, 2])
        size_by = left.segmented_control(
            "Size actors by", list(network.SIZE_MEASURES), default="degree", key="size_by",
            bind="query-params", required=True,
            format_func=lambda m: SIZE_BUTTONS[m],
            help="**relations**: the number of relations an actor has. **betweenness**: "
            "betweenness centrality, how often an actor lies on the shortest paths between "
            "two others (a broker between groups).",
        ) or "degree"
        edge_colour = middle.segmented_control(
            "Colour relations by", list(EDGE_COLOURS), default="relation family",
            key="edge_colour", bind="query-params", required=True,
        ) or "relation family"
        chosen = right.selectbox(
            "Highlight an actor", list(ctx.options.actors), index=None,
            format_func=lambda a: ctx.options.actors.get(a, a), key="highlight",
            bind="query-params", placeholder="Type a name",
            help="Brings out the actor, its neighbours and the relations between them, and "
            "fades the rest, without filtering the other views. Clicking an actor filters "
            "every view to it.")
        highlight = (chosen,) if chosen else ()
        as_of = as_of_control(ctx)
    if not highlight:
        highlight = tuple(ctx.filters.actors)
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
    drawn = network_option(*context_key(ctx), size_by, edge_colour, as_of, max_actors,
                           highlight, width_px, height, presenting)
    option, node_ids, shown_nodes, shown_relations, legend, header, undated, lines, hidden = drawn
    if shown_relations == 0:
        st.info(f"No dated relation was active on {as_of:%d %B %Y}. "
                f"{counted(undated, 'relation')} {agreeing(undated, 'has', 'have')} no dates "
                f"in the sources and cannot be placed in time.",
                icon=":material/hub:")
        return
    # The chart keeps its key while the filters change (the browser then updates the drawing
    # in place instead of building a new chart), and takes a new one after each click, so a
    # selection never outlives the drawing it was made on (it would light up whichever actor
    # now has that place in the list).
    chart_key = f"{key}-{st.session_state.get(click_generation_key(key), 0)}"
    st.markdown(header, unsafe_allow_html=True)
    st.echarts_chart(option, key=chart_key, height=height, renderer=chart_renderer(),
                     on_select=partial(on_actor_click, chart_key, tuple(node_ids), key),
                     alt=f"Actor network: {counted(shown_nodes, 'actor')} and "
                     f"{counted(shown_relations, 'relation')}")
    if not presenting:
        args = (*context_key(ctx), size_by, 1000, 760, edge_colour, as_of, max_actors)
        export_ui.chart_downloads(lambda: network_spec(*args)[0], "network", key)
    st.markdown(legend, unsafe_allow_html=True)
    note = (f"{counted(shown_nodes, 'actor')}, {counted(shown_relations, 'relation')} drawn "
            f"as {counted(lines, 'line')}.")
    if total > shown_nodes and as_of is None:
        note = (f"The {shown_nodes:,} actors with the most relations (of {total:,} matching), "
                f"{counted(shown_relations, 'relation')} between them, drawn as "
                f"{counted(lines, 'line')}.")
    if as_of is not None:
        note = (f"As of {as_of:%d %B %Y}: {counted(shown_relations, 'dated relation')} "
                f"active, drawn as {counted(lines, 'line')}, {counted(shown_nodes, 'actor')}. "
                f"{counted(undated, 'relation')} {agreeing(undated, 'has', 'have')} no dates in "
                f"the sources and {agreeing(undated, 'is', 'are')} left out. Grey dashed rings: actors not yet or no longer active "
                "on that date.")
    if as_of is None:
        note += events_only_note(ctx)
    if hidden:
        note += (f" {hidden} labels are hidden where they would overlap" + (
            "." if presenting else ": hover an actor for its name"
            + (", or see the Network page." if width_px < 700 else ".")))
    st.caption(note)
    if len(ctx.filters.actors) == 1:
        actor = ctx.filters.actors[0]
        st.page_link("app_pages/actor.py", label=f"Open the profile of {ctx.options.actors[actor]}",
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
    # kept in the address by hand, not bound: the step buttons change it in a callback, and
    # a bound value reaches the address only after the run, so a link shared then lagged
    cards.read_address_value("as_of", labels)
    row = st.container(horizontal=True, vertical_alignment="bottom")
    for text, shift in (("◀ year", -12), ("◀ month", -1)):
        row.button(text, key=f"as_of_{shift}", on_click=_step_as_of, args=(labels, shift, default))
    chosen = row.select_slider("As of", labels, key="as_of", width="stretch",
                               **({} if "as_of" in st.session_state else {"value": default}))
    for text, shift in (("month ▶", 1), ("year ▶", 12)):
        row.button(text, key=f"as_of_{shift}", on_click=_step_as_of, args=(labels, shift, default))
    cards.write_address_value("as_of", chosen, default)
    return pd.Timestamp(chosen + "-01").date()


def _step_as_of(labels: list[str], shift: int, default: str) -> None:
    current = st.session_state.get("as_of", default)
    index = labels.index(current) if current in labels else labels.index(default)
    st.session_state["as_of"] = labels[min(max(index + shift, 0), len(labels) - 1)]


# --------------------------------------------------------------------------------------------
# What is drawn, cached per data version, filter value and choice


def events_only_note(ctx: PageContext) -> str:
    """The actors the headline counts that the network cannot draw: named by matching events
    but in no matching relation (the Overview said 63 actors involved beside 60 drawn)."""
    only = ctx.selection.involved_actor_ids() - frames.relation_ends(ctx.relations) - {""}
    if not only:
        return ""
    return (f" {counted(len(only), 'more actor')} {agreeing(len(only), 'is', 'are')} named only "
            "by events, with no relation to draw.")


@caching.view_data(64)
def network_drawing(folder: str, fingerprint: str, filters, size_by: str, as_of=None,
                    max_actors: int = network.DEFAULT_MAX_ACTORS
                    ) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """The nodes and merged edges in pixels of the reference drawing, how many relations they
    hold and how many undated relations an as-of date left out."""
    ctx = context_for(folder, fingerprint, filters)
    relations, extra, status, undated = ctx.relations, set(filters.actors), None, 0
    if as_of is not None:
        relations, undated = timeslice.relations_as_of(ctx.relations, as_of)
        status = timeslice.actor_status_as_of(ctx.dataset.actors, as_of)
        dated = ctx.relations[ctx.relations["period_start"].notna()
                              | ctx.relations["period_end"].notna()]
        in_dated = frames.relation_ends(dated)
        extra |= {a for a in in_dated if status.get(a) in network_charts.INACTIVE}
    nodes, edges = network.network_frames(ctx.dataset.actors, relations, positions(), size_by,
                                          extra_nodes=extra, status=status,
                                          reliability=reliability_letters(ctx.dataset),
                                          max_actors=max_actors)
    nodes, merged = linkchart.drawing(nodes, edges, size_by)
    return nodes, merged, len(edges), undated


@caching.view_data(64)
def network_option(folder: str, fingerprint: str, filters, size_by: str, edge_colour: str,
                   as_of, max_actors: int, highlight: tuple, width_px: int, height: int,
                   presenting: bool = False
                   ) -> tuple[str, list[str], int, int, str, str, int, int, int]:
    """The ECharts option (JSON text), the actor id of each node in its order (what a click
    reports is an index), the counts of actors and relations, the edges' legend, the header
    above the chart, the undated count, the lines drawn and the labels hidden where they
    would overlap."""
    nodes, merged, relations, undated = network_drawing(folder, fingerprint, filters, size_by,
                                                        as_of, max_actors)
    shown = set(nodes["actor_id"].tolist())
    option = network_charts.echarts_option(
        nodes, merged, size_by=size_by, size_title=network.SIZE_MEASURES[size_by],
        edge_colour=edge_colour, compact=width_px < 700,
        highlight=tuple(a for a in highlight if a in shown), width_px=width_px, height_px=height,
        presenting=presenting)
    legend = network_charts.legend_markdown(nodes, merged, edge_colour)
    header = network_charts.header_html(network_charts.TITLE, network.SIZE_MEASURES[size_by],
                                        network_charts.side_headings(nodes), width_px < 700,
                                        presenting)
    lines = len(option["series"][0]["links"])
    hidden = sum(1 for item in option["series"][0]["data"]  # faded by a highlight: not counted
                 if item.get("actor_id") and not item["label"].get("show", True)
                 and item.get("itemStyle", {}).get("opacity") != network_charts.FADED)
    # as JSON text: st.echarts_chart parses text in C, where it copies a dict node by node in
    # Python (and a cached text is read back without unpickling every node)
    return (json.dumps(option), list(nodes["actor_id"]), len(nodes), relations, legend, header,
            undated, lines, hidden)


@caching.view_data(64)
def network_spec(folder: str, fingerprint: str, filters, size_by: str, width_px: int = 1000,
                 height: int = 760, edge_colour: str = "relation family", as_of=None,
                 max_actors: int = network.DEFAULT_MAX_ACTORS
                 ) -> tuple[dict, int, int, int, int]:
    """The static drawing (Vega-Lite) for downloads and reports: the spec, the actors and
    relations drawn, how many labels are hidden and how many undated relations were left out.
    It is drawn at the reference size whatever width_px and height (kept for callers)."""
    nodes, merged, relations, undated = network_drawing(folder, fingerprint, filters, size_by,
                                                        as_of, max_actors)
    spec = network_charts.static_spec(
        nodes, merged, size_title=network.SIZE_MEASURES[size_by], edge_colour=edge_colour,
        bands=layout_bands(folder, fingerprint))
    return spec, len(nodes), relations, int(nodes["label_place"].isna().sum()), undated


@st.cache_resource(show_spinner=False, max_entries=8)
def layout_bands(folder: str, fingerprint: str) -> dict:
    from components.ui import data_access

    dataset = data_access.load(folder, fingerprint).dataset
    return linkchart.layout_bands(dataset.actors, dataset.relations)


def reliability_letters(dataset) -> dict[str, str]:
    return frames.lookup(dataset.sources, "source_id", "reliability")


RENDERER_ENV = "PROXYLENS_CHART_RENDERER"


def chart_renderer() -> str:
    """How the browser draws the link charts: "canvas" (the default: one picture, redrawn in a
    few milliseconds when the filters change) or "svg" (PROXYLENS_CHART_RENDERER=svg: every
    circle and label an element of the page, which a test can measure, at a few hundred
    milliseconds more per redraw in a browser without a graphics card)."""
    value = os.environ.get(RENDERER_ENV, "canvas").strip().lower()
    return value if value in ("canvas", "svg") else "canvas"


def click_generation_key(key: str) -> str:
    return f"_{key}_clicks"


def on_actor_click(key: str, node_ids: tuple[str, ...] = (), panel_key: str = "") -> None:
    """A click on an actor adds it to the sidebar's actors filter (a click on a line, on
    nothing, or a double-click that clears the selection changes nothing). For every chart
    whose nodes are actors: the network, the support flows, the comparison."""
    state = st.session_state.get(key)
    if panel_key:  # the next drawing is a new chart, with no selection
        generation = click_generation_key(panel_key)
        st.session_state[generation] = st.session_state.get(generation, 0) + 1
    if not state:
        return
    actors = []
    for group in state.get("selection", {}).get("selected", []) or []:
        if group.get("data_type") not in ("node", "main", None):
            continue
        for index in group.get("data_indices", []) or []:
            if isinstance(index, int) and 0 <= index < len(node_ids):
                actors.append(node_ids[index])
    if actors:
        sidebar.add_to_filter("actors", actors)


# --------------------------------------------------------------------------------------------
# The Actor page's ego network


@st.cache_data(show_spinner="Laying out the actor's network…", max_entries=64)
def _ego_drawing(folder: str, fingerprint: str, actor_id: str, hops: int,
                 grade: tuple[str, str], width_px: int, height: int):
    """The ego network's chart option and what its header and legend read, or None when the
    actor has no relation (graded as asked)."""
    from components import profiles
    from components.ui import data_access

    dataset = data_access.load(folder, fingerprint).dataset
    relations = profiles.ego_relations(profiles.within_grade(dataset.relations, *grade),
                                       actor_id, hops)
    if relations.empty:
        return None
    reach = frames.relation_ends(relations) | {actor_id}
    local_actors = dataset.actors[dataset.actors["actor_id"].isin(reach)]
    # laid out at the chart's own size, so its few labels all find room
    box = network_charts.plot_box(width_px, height)
    local = linkchart.sided_layout(local_actors, relations, seed=network.LAYOUT_SEED,
                                   width=width_px - box["left"] - box["right"],
                                   height=height - box["top"] - box["bottom"])
    nodes, edges = network.network_frames(dataset.actors, relations, local, "degree",
                                          extra_nodes={actor_id},
                                          reliability=reliability_letters(dataset))
    nodes, merged = linkchart.drawing(nodes, edges)
    option = network_charts.echarts_option(
        nodes, merged, compact=width_px < 700, highlight=(actor_id,),
        title=f"Within {counted(hops, 'relation')}", width_px=width_px,
        height_px=height)
    return option, nodes, merged


def ego_network(actor_id: str, hops: int, key: str, height: int = 520,
                width_px: int = 640, grade: tuple[str, str] = ("", "")) -> None:
    """grade: the sidebar's (min_reliability, min_credibility); weaker relations are left out.
    Drawn once per actor, reach, grade and size (the layout of a busy actor's neighbourhood
    takes a second), not on every rerun of the page."""
    from components.ui import data_access

    folder = data_access.active_folder()
    drawn = _ego_drawing(str(folder), data_access.version_key(folder), actor_id, hops,
                         tuple(grade), width_px, height)
    if drawn is None:
        st.info("The data records no relation for this actor" + (
            " graded as the sidebar asks." if any(grade) else "."), icon=":material/hub:")
        return
    option, nodes, merged = drawn
    st.markdown(network_charts.header_html(option["title"]["text"], "number of relations",
                                           network_charts.side_headings(nodes), True),
                unsafe_allow_html=True)
    st.echarts_chart(option, key=key, height=height, renderer=chart_renderer(),
                     alt=f"The actors within {counted(hops, 'relation')} of {actor_id}")
    st.markdown(network_charts.legend_markdown(nodes, merged, "relation family"),
                unsafe_allow_html=True)
