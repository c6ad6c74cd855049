"""The Compare page's pieces: the two windows (kept in the address), the headline counts with
their change, the relations gained, lost and kept on the link chart, the change in events per
place on the map, and the timeline with both windows shaded. Also a briefing step's comparison.

Every count comes from the query layer (components.selection) through the cached page
contexts (components.ui.context), one per window: the windows replace the sidebar's date
range, every other filter applies to both (components.compare).
"""

from __future__ import annotations

import copy
import dataclasses
import html
from functools import partial

import pandas as pd
import streamlit as st

from components import compare, evidence, exports, filterdefs, network, palette, selection, views
from components import filters as f
from components.wording import agreeing, counted
from components.ui import caching, cards, charts, export_ui, network_charts, screen, sidebar, vega
from components.ui import map as map_ui
from components.ui.context import PageContext, context_for, context_key, layout_positions
from components.ui.network_panel import (
    chart_renderer,
    click_generation_key,
    layout_bands,
    on_actor_click,
    reliability_letters,
)

KEYS = {"a": "cmp_a", "b": "cmp_b"}  # the windows' presets, in the address
DATE_KEYS = {"a": "cmp_a_dates", "b": "cmp_b_dates"}  # custom dates, in the address
CUSTOM_LABEL = "Custom dates"
TITLE = "Actor network, A to B"


# --------------------------------------------------------------------------------------------
# The two windows


@st.cache_data(show_spinner=False, max_entries=8)
def offered_windows(folder: str, fingerprint: str) -> tuple[dict, tuple[str, str]]:
    """The windows offered by name and the keys of the default A and B, per data version
    (the defaults must not move while the analyst works: the address leaves them out)."""
    ctx = context_for(folder, fingerprint, f.Filters())
    offered = compare.presets(ctx.dataset.periods, ctx.options.date_min, ctx.options.date_max)
    return offered, compare.default_keys(ctx.dataset.periods, offered,
                                         ctx.selection.year_counts())


def window_controls(ctx: PageContext) -> tuple[compare.Window | None, compare.Window | None]:
    """A choice of window for A and for B, side by side: a named period (or run of periods)
    or dates chosen by hand. Both are bound to the address, so a link reopens them. None, None
    when there is nothing to compare (no dates, or every date on one day and no periods)."""
    offered, defaults = offered_windows(*context_key(ctx)[:2])
    if not offered or ctx.options.date_min is None:
        st.info(nothing_to_compare(ctx), icon=":material/compare_arrows:")
        return None, None
    columns = st.columns(2, gap="medium")
    chosen = []
    for column, name, default in zip(columns, ("a", "b"), defaults):
        with column:
            chosen.append(_window_control(ctx, offered, name, default))
    held = st.session_state.get(HELD_WINDOWS)
    if held is not None:  # the Export menu's report and pack (export_buttons) compare them
        held.update(a=chosen[0], b=chosen[1])
    return chosen[0], chosen[1]


def nothing_to_compare(ctx: PageContext) -> str:
    """Why no windows are offered, in a sentence that is true of the data."""
    first, last = ctx.options.date_min, ctx.options.date_max
    if first is None:
        return "The data has no dates, so there are no periods to compare."
    if first == last:
        return (f"Every dated event falls on one day ({first.isoformat()}) and periods.csv "
                "names no period, so there are no two periods to compare.")
    return "periods.csv names no usable period, so there are no periods to compare."


def clamped(window: compare.Window, first, last) -> tuple:
    """The window's first and last day moved inside [first, last] (a date input refuses a
    value outside its bounds): a preset may run past the data's dates."""
    start = min(max(window.start, first), last)
    end = min(max(window.end, first), last)
    return start, max(start, end)


# what a window's select box shows before cutting its title, half the page wide at 1280x720
SELECT_FITS_CHARS = 44


def _window_control(ctx: PageContext, offered: dict, name: str, default: str) -> compare.Window:
    keys = [*offered, compare.CUSTOM]
    titles = {k: w.title for k, w in offered.items()} | {compare.CUSTOM: CUSTOM_LABEL}
    letter = name.upper()
    default = default if default in keys else keys[0]
    # the preset's id in the address, not its label (kept by hand: a bound selectbox writes
    # the label, and renaming a period would break old links)
    cards.read_address_value(KEYS[name], keys)
    if st.session_state.get(KEYS[name]) not in keys:
        st.session_state.pop(KEYS[name], None)  # a preset this data version lacks
    key = st.selectbox(
        f"Period {letter}", keys, format_func=titles.get, key=KEYS[name],
        **({} if KEYS[name] in st.session_state else {"index": keys.index(default)}),
        help="A named period from periods.csv (or several in a row), a half of the record, or "
        "dates of your own. The address keeps the choice, so a link reopens the comparison.")
    cards.write_address_value(KEYS[name], key, default)
    if key != compare.CUSTOM:
        if len(titles[key]) > SELECT_FITS_CHARS:  # the box shows only its start
            st.caption(cards.escape(titles[key]))
        return offered[key]
    fallback = offered.get(default) or next(iter(offered.values()))
    first, last = ctx.options.date_min, ctx.options.date_max
    picked = st.date_input(
        f"Dates of {letter}", value=clamped(fallback, first, last),
        min_value=first, max_value=last, key=DATE_KEYS[name],
        bind="query-params", format="YYYY-MM-DD",
        help="The first and the last day of the window, both included.")
    days = [d for d in (picked if isinstance(picked, (tuple, list)) else (picked,)) if d]
    if not days:
        return fallback
    if len(days) == 1:
        st.caption("Pick the last day too; until then the window is that one day.")
    return compare.Window(min(days), max(days))


def date_rule_caption(ctx: PageContext) -> None:
    """How the windows and the sidebar work together, in one caption."""
    rule = f.DATE_RULES[ctx.filters.date_rule]
    ignored = (" The sidebar's own date range is set but not used here." if
               ctx.filters.dated_window else "")
    st.caption("The two windows take the place of the sidebar's date range on this page; every "
               f"other sidebar filter applies to both, and so does the date rule (*{rule}*)."
               + ignored)


# --------------------------------------------------------------------------------------------
# What is compared, cached per data version, filter value and windows


def window_filters(ctx: PageContext, a: compare.Window, b: compare.Window
                   ) -> tuple[f.Filters, f.Filters]:
    return compare.within(ctx.filters, a), compare.within(ctx.filters, b)


@caching.view_data(32)
def comparison(folder: str, fingerprint: str, filters_a: f.Filters, filters_b: f.Filters
               ) -> dict:
    """The headline counts of each window, the relations gained, lost and kept (each decided
    by the relation's own dates, blank ones bounded by its actors'; an event-only filter limits them to the actors the matching
    events of A or B name) and the change in events per place (components.compare), from the
    query layer's answer for each window."""
    ctx_a = context_for(folder, fingerprint, filters_a)
    ctx_b = context_for(folder, fingerprint, filters_b)
    a, b = window_of(filters_a), window_of(filters_b)
    involved = ctx_a.selection.involved_actor_ids() | ctx_b.selection.involved_actor_ids()
    changes = compare.relation_changes(ctx_a.dataset, filters_a, a, b, involved)
    counts_a = selection.view_counts(ctx_a.selection, compare.relations_in(changes, "A"))
    counts_b = selection.view_counts(ctx_b.selection, compare.relations_in(changes, "B"))
    return {
        "headline": compare.headline_changes(counts_a, counts_b),
        "relations": changes,
        "undated_in_neither": compare.undated_in_neither(ctx_a.dataset, filters_a, a, b,
                                                         involved),
        "narrowed_to_events": filterdefs.narrows_network_to_events(filters_a),
        "places": compare.place_changes(ctx_a.selection, ctx_b.selection),
        "facts": (dict(ctx_a.selection.facts), dict(ctx_b.selection.facts)),
    }


def window_of(chosen: f.Filters) -> compare.Window:
    """The window a comparison's filters hold as their date range (window_filters)."""
    return compare.Window(chosen.date_from, chosen.date_to)


def same_windows(a: compare.Window, b: compare.Window) -> bool:
    """Say so when A and B are the same dates (nothing to compare)."""
    if not a.same_dates(b):
        return False
    st.warning(f"A and B are the same window ({a.dates}): there is nothing to compare. Choose "
               "another period for one of them.", icon=":material/compare_arrows:")
    return True


def headline(ctx: PageContext, a: compare.Window, b: compare.Window,
             compact: bool = False) -> None:
    """The headline counts: A, then B, and the change; a window with no events says so.
    compact: on one line (a briefing step, where the height goes to the network)."""
    found = comparison(*context_key(ctx)[:2], *window_filters(ctx, a, b))
    if compact:
        st.markdown(" · ".join(
            f"**{row.measure}** {row.A:,} → {row.B:,} ({compare.signed(row.change)})"
            for row in found["headline"].itertuples()))
    columns = [] if compact else st.columns(len(found["headline"]))
    for column, row in zip(columns, found["headline"].itertuples()):
        column.metric(row.measure, f"{row.A:,} → {row.B:,}",
                      delta=f"{row.change:+,}" if row.change else "no change",
                      delta_color="off", delta_arrow="auto" if row.change else "off",
                      help=f"{row.measure}: {row.A:,} in A ({a.dates}), {row.B:,} in B "
                      f"({b.dates}); the change is B minus A.")
    for letter, window, facts in zip("AB", (a, b), found["facts"]):
        if not facts["events"]:
            st.info(f"No events match the filters in {letter} ({window.title}).",
                    icon=":material/event_busy:")


# --------------------------------------------------------------------------------------------
# The link chart of the changes


@caching.view_data(32)
def _change_drawing(folder: str, fingerprint: str, filters_a: f.Filters, filters_b: f.Filters,
                    size_by: str = "degree"):
    changes = comparison(folder, fingerprint, filters_a, filters_b)["relations"]
    dataset = context_for(folder, fingerprint, filters_a).dataset
    return compare.change_drawing(dataset.actors, changes,
                                  layout_positions(folder, fingerprint), size_by,
                                  reliability=reliability_letters(dataset))


@caching.view_data(32)
def change_option(folder: str, fingerprint: str, filters_a: f.Filters, filters_b: f.Filters,
                  width_px: int, height: int, presenting: bool = False):
    """The ECharts option of the changes, the node ids in order, the legend and the header."""
    nodes, merged = _change_drawing(folder, fingerprint, filters_a, filters_b)
    option = network_charts.echarts_option(
        nodes, merged, size_title=network.SIZE_MEASURES["degree"], edge_colour="change",
        title=TITLE, compact=width_px < 700, width_px=width_px, height_px=height,
        presenting=presenting)
    legend = network_charts.legend_markdown(nodes, merged, "change")
    header = network_charts.header_html(TITLE, network.SIZE_MEASURES["degree"],
                                        network_charts.side_headings(nodes), width_px < 700,
                                        presenting)
    return option, list(nodes["actor_id"]), legend, header


@caching.view_data(16)
def change_spec(folder: str, fingerprint: str, filters_a: f.Filters, filters_b: f.Filters,
                a_title: str, b_title: str) -> dict:
    """The static drawing of the changes (Vega-Lite) for the PNG and SVG downloads."""
    nodes, merged = _change_drawing(folder, fingerprint, filters_a, filters_b)
    spec = network_charts.static_spec(nodes, merged, edge_colour="change",
                                      title=f"{TITLE}: A {a_title}, B {b_title}",
                                      bands=layout_bands(folder, fingerprint))
    return spec


def change_network(ctx: PageContext, a: compare.Window, b: compare.Window, key: str,
                   width_px: int = 1150, height: int = 620, presenting: bool = False) -> None:
    """The relations drawn in A or B, each line marked gained, lost or kept (palette colours,
    named in the legend); a click on an actor filters every view to it."""
    folder, fingerprint, _ = context_key(ctx)
    filters_a, filters_b = window_filters(ctx, a, b)
    changes = comparison(folder, fingerprint, filters_a, filters_b)["relations"]
    if changes.empty:
        st.info("No relations match the filters in either window.", icon=":material/hub:")
        return
    option, node_ids, legend, header = change_option(folder, fingerprint, filters_a, filters_b,
                                                     width_px, height, presenting)
    chart_key = f"{key}-{st.session_state.get(click_generation_key(key), 0)}"
    st.markdown(header, unsafe_allow_html=True)
    by_change = changes["change"].value_counts()
    st.echarts_chart(option, key=chart_key, height=height, renderer=chart_renderer(),
                     on_select="ignore" if presenting else partial(
                         on_actor_click, chart_key, tuple(node_ids), key),
                     alt=f"Relations from A to B: {by_change.get(compare.GAINED, 0)} gained, "
                     f"{by_change.get(compare.LOST, 0)} lost, "
                     f"{by_change.get(compare.KEPT, 0)} kept")
    if presenting:  # a one-line key for an audience
        st.markdown(change_key(option), unsafe_allow_html=True)
        return
    export_ui.chart_downloads(
        lambda: change_spec(folder, fingerprint, filters_a, filters_b, a.dates, b.dates),
        "relations gained lost kept", key)
    st.markdown(legend, unsafe_allow_html=True)
    found = comparison(folder, fingerprint, filters_a, filters_b)
    st.caption(relations_sentence(changes, len(node_ids), len(option["series"][0]["links"]),
                                  found["undated_in_neither"], found["narrowed_to_events"]))


def change_key(option: dict) -> str:
    """The lines' colours present, with how many lines each, on one line."""
    per_key: dict[str, int] = {}
    for link in option["series"][0]["links"]:
        per_key[link["colour_key"]] = per_key.get(link["colour_key"], 0) + 1
    scheme = palette.RELATION_CHANGE
    swatches = " ".join(f"<span style='color:{scheme[k]}'>━━</span> {html.escape(k)} "
                        f"({per_key[k]})" for k in scheme if k in per_key)
    return f"**Lines, A to B:** {swatches} · dashed: not confirmed"


def relations_sentence(changes: pd.DataFrame, actors: int, lines: int,
                       undated_in_neither: int = 0, narrowed_to_events: bool = False) -> str:
    """The counts of what changed, how relations without dates are counted, and, with an
    event-only filter, which relations are shown."""
    by_change = changes["change"].value_counts()
    undated = compare.undated_relations(changes)
    words = (f"{counted(int(by_change.get(compare.GAINED, 0)), 'relation')} gained (active in "
             f"B, not in A), {by_change.get(compare.LOST, 0):,} lost (active in A, not in B), "
             f"{by_change.get(compare.KEPT, 0):,} kept; {counted(actors, 'actor')}, "
             f"{counted(lines, 'line')}. Whether a relation is active in a window follows from "
             "its own dates, and where those are blank, from when the groups, states or forces "
             "it names existed.")
    if undated:
        words += (f" {undated:,} of the {counted(len(changes), 'relation')} compared "
                  f"{agreeing(undated, 'has', 'have')} no dates in the sources: nothing says "
                  f"when {agreeing(undated, 'it', 'they')} held, so "
                  f"{agreeing(undated, 'it counts', 'they count')} as active in any window "
                  "where the groups, states or forces "
                  f"{agreeing(undated, 'it names', 'they name')} existed (by their dates in "
                  "actors.csv).")
    if undated_in_neither:
        words += (f" {counted(undated_in_neither, 'relation')} with no dates in the sources "
                  f"{agreeing(undated_in_neither, 'is', 'are')} in neither window: under the "
                  "date rule *certainly in the window* a relation needs dates inside the "
                  "window.")
    if narrowed_to_events:
        words += (" An event type or place filter is set: only relations between actors that "
                  "the matching events of A or of B name are shown.")
    return words


def change_list(ctx: PageContext, a: compare.Window, b: compare.Window, key: str) -> None:
    """The relations gained and lost, to read (kept ones are the grey lines)."""
    found = comparison(*context_key(ctx)[:2], *window_filters(ctx, a, b))["relations"]
    table = compare.change_table(found, ctx.options.actors)
    if table.empty:
        st.caption("No relation was gained or lost: every relation drawn holds in both windows.")
        return
    st.dataframe(table, hide_index=True, width="stretch", key=key, height=min(
        38 + 35 * len(table), 390), column_config={
            "change": st.column_config.TextColumn("change", width=70),
            "claim status": st.column_config.TextColumn("claim", width=85),
            "grade": st.column_config.TextColumn("grade", width=50),
            "relation id": st.column_config.TextColumn("id", width=55)})
    st.caption("Kept relations (the grey lines) are left out of this list; every relation is "
               "in the network's tooltips.")


# --------------------------------------------------------------------------------------------
# The map of the change in events per place


NO_ARCS = pd.DataFrame(columns=["from_lat", "from_lon", "to_lat", "to_lon", "events"])


@caching.view_data(32)
def change_map_drawing(folder: str, fingerprint: str, filters_a: f.Filters,
                       filters_b: f.Filters, basemap: str, height: int, width_px: int):
    """The map's rows, its view and the deck's JSON for the change per place."""
    changes = comparison(folder, fingerprint, filters_a, filters_b)["places"]
    places = compare.place_change_frame(compare.shared_cells(changes))
    if places.empty:
        return places, {}, ""
    arcs = NO_ARCS
    view = views.map_view_bounds(places, width_px, height)
    places["label"] = compare.clear_labels(places, view)
    boundaries = context_for(folder, fingerprint, filters_a).dataset.boundaries
    deck = map_ui.build_deck(places, arcs, view, boundaries, basemap, height, width_px=width_px)
    return places, view, map_ui.deck_json(deck)


def change_map(ctx: PageContext, a: compare.Window, b: compare.Window, key: str,
               height: int = 520, width_px: int = 700) -> None:
    """Each place coloured new, more, same, fewer or gone from A to B and sized by how much
    its number of events changed; click a place to filter every view to it."""
    from components.ui import panels

    folder, fingerprint, _ = context_key(ctx)
    filters_a, filters_b = window_filters(ctx, a, b)
    places, view, deck_json = change_map_drawing(folder, fingerprint, filters_a, filters_b,
                                                 map_ui.default_basemap(), height, width_px)
    if places.empty:
        st.info("No event with a place matches the filters in either window, so the map is "
                "empty.", icon=":material/map:")
        return
    map_ui.draw_deck(deck_json, key, height, on_select=partial(panels.on_place_click, key),
                     selection_mode="single-object")
    st.markdown(place_legend(places), unsafe_allow_html=True)
    export_ui.map_downloads(places, NO_ARCS, view, ctx.dataset.boundaries, "place change", key)
    found = comparison(folder, fingerprint, filters_a, filters_b)
    unplaced = [facts["events"] - facts["placed"] for facts in found["facts"]]
    notes = []
    if any(unplaced):
        notes.append(f"Events with no place in the sources are not on the map: {unplaced[0]:,} "
                     f"in A, {unplaced[1]:,} in B.")
    if (places["places"] > 1).any():
        summary = compare.place_change_summary(found["places"])
        notes.append(f"Too many places to draw one by one ({len(found['places']):,}): nearby "
                     "places are merged into grid cells, the same cells for A and B, each "
                     "cell's events in A and in B summed. Place by place: " + ", ".join(
                         f"{n:,} {kind}" for kind, n in summary.items()) + ".")
    notes.append("Hover a place for its events in A and in B; click it to filter every view "
                 "to it.")
    st.caption(" ".join(notes))


def place_legend(places: pd.DataFrame) -> str:
    """The kinds of change drawn, in the palette's colours, and what size and rings mean."""
    scheme = palette.PLACE_CHANGE
    present = set(places["key"])
    counts = places["key"].value_counts()
    swatches = " ".join(
        f"<span style='color:{scheme[k]}'>●</span> {html.escape(k)} ({counts[k]})"
        for k in compare.PLACE_CHANGES if k in present)
    return "  \n".join([
        f"**Events per place, A to B:** {swatches}",
        "**Size:** how much the number of events changed (B minus A, as in each label) · "
        "**ring:** placed only to a region or country",
    ])


# --------------------------------------------------------------------------------------------
# The timeline with both windows shaded


def windows_timeline(ctx: PageContext, a: compare.Window, b: compare.Window, key: str) -> None:
    """The events of both windows under the other filters, the windows shaded and labelled
    "A" and "B"."""
    folder, fingerprint, _ = context_key(ctx)
    both = compare.within(ctx.filters, compare.hull(a, b))
    spec = timeline_spec(folder, fingerprint, both, a, b)
    if spec is None:
        st.info("No dated event matches the filters in either window, so there is no timeline.",
                icon=":material/timeline:")
        return
    vega.draw(spec, key=key, width="stretch")
    export_ui.chart_downloads(spec, "timeline of A and B", key)
    undated_caption(ctx)


@caching.view_data(32)
def timeline_spec(folder: str, fingerprint: str, both: f.Filters, a: compare.Window,
                  b: compare.Window) -> dict | None:
    """The timeline of the events from the start of the earlier window to the end of the
    later one, both windows shaded (a spec, or None when nothing is dated)."""
    ctx = context_for(folder, fingerprint, both)
    facts = ctx.selection.facts
    if not facts["dated"]:
        return None
    whole = compare.hull(a, b)
    start, end = pd.Timestamp(whole.start), pd.Timestamp(whole.end) + pd.Timedelta(days=1)
    pad = max((end - start) / 40, pd.Timedelta(days=20))
    domain = (start - pad, end + pad)
    if facts["dated"] > views.MAX_TIMELINE_MARKS:
        bins, unit = ctx.selection.timeline_bins("event category")
        spec = charts.timeline_density_chart(bins, unit, "Event category", domain,
                                             instructions=False)
        marks_text = f"Too many events for one mark each: events per {unit}, darker where more."
    else:
        marks = views.timeline_marks(ctx.events, "event category")
        empty = views.periods_in_range(ctx.dataset.periods.iloc[0:0], *domain)
        spec = charts.to_spec(charts.timeline_chart(marks, empty, "Event category", domain,
                                                    instructions=False))
        marks_text = ("Bars: dates known only to the month or year, or periods. Dots: known "
                      "to the day.")
    return with_windows(spec, compare.windows_frame(a, b), domain,
                        "Shaded: window A and window B. " + marks_text)


def with_windows(spec: dict, windows: pd.DataFrame, domain: tuple, subtitle: str = "") -> dict:
    """A timeline spec with the two windows as shaded bands under its marks, each named ("A:
    2003-2005") at the top of its band, and no brush (dragging sets no filter here)."""
    spec = copy.deepcopy(spec)
    view_keys = ("mark", "encoding", "data", "params", "transform", "selection")
    if "layer" in spec:
        layers = spec.pop("layer")
    else:
        layers = [{k: spec.pop(k) for k in view_keys if k in spec}]
    for layer in layers:
        layer.pop("params", None)
    first, last = (pd.Timestamp(d) for d in domain)
    scale = {"domain": [first.isoformat(), last.isoformat()]}
    # the names above the plot, where they cover no mark: on one row when the windows are
    # apart and each wide enough for its name, else on two
    rows = _label_rows(windows, first, last)
    bands = []
    for row_number, row in zip(rows, windows.itertuples()):
        colour = palette.colour("compare window", row.window)
        values = [{"start": row.start.isoformat(), "end": row.end.isoformat(),
                   "label_at": max(row.start, first).isoformat(), "label": row.label}]
        x = {"field": "start", "type": "temporal", "scale": scale, "title": None}
        bands.append({"data": {"values": values},
                      "mark": {"type": "rect", "color": colour, "opacity": 0.35, "clip": True},
                      "encoding": {"x": x, "x2": {"field": "end"}}})
        bands.append({"data": {"values": values},
                      "mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": 3,
                               "fontSize": 13, "fontWeight": "bold", "color": "#333"},
                      "encoding": {"x": {**x, "field": "label_at"},
                                   "y": {"value": -3 - WINDOW_LABEL_PX * row_number},
                                   "text": {"field": "label"}}})
    spec["layer"] = bands + layers
    title = spec.get("title") or {}
    spec["title"] = {**(title if isinstance(title, dict) else {"text": title}),
                     "text": "Timeline of A and B", "subtitle": subtitle or "Shaded: window A "
                     "and window B.", "offset": 6 + WINDOW_LABEL_PX * (max(rows) + 1)}
    return spec


WINDOW_LABEL_PX = 17  # a row of the windows' names above the timeline


def _label_rows(windows: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> list[int]:
    """The row of each window's name: 0 for both when the windows do not overlap and each
    spans at least a sixth of the timeline (room for "A: 2003-2005"), else 0 and 1."""
    span = last - first
    ordered = windows.sort_values("start")
    apart = ordered["start"].iloc[1] >= ordered["end"].iloc[0]
    shown = windows["end"].clip(upper=last) - windows["start"].clip(lower=first)
    wide = bool((shown >= span / 6).all())
    return [0, 0] if apart and wide else [0, 1]


def undated_caption(ctx: PageContext) -> None:
    """Events the sources give no date for fall in neither window: say how many."""
    undated = dataclasses.replace(ctx.filters, date_from=None, date_to=None)
    facts = context_for(*context_key(ctx)[:2], undated).selection.facts
    if facts["events"] > facts["dated"]:
        undated_events = facts["events"] - facts["dated"]
        st.caption(f"{counted(undated_events, 'matching event')} "
                   f"{agreeing(undated_events, 'has', 'have')} no date in the sources, so "
                   f"{agreeing(undated_events, 'it falls', 'they fall')} in neither window and "
                   f"{agreeing(undated_events, 'is', 'are')} left out of every count here.")


# --------------------------------------------------------------------------------------------
# A briefing step whose view is "compare"


def step_view(step_ctx: PageContext, step: dict, number: int, width_px: int = 700) -> None:
    """The step's comparison for an audience: the two windows named, the headline counts with
    their change, and the relations gained, lost and kept. The step's own filters apply to
    both windows; its compare_* columns give the windows (the page's defaults where empty)."""
    offered, defaults = offered_windows(*context_key(step_ctx)[:2])
    if not offered:
        st.info(nothing_to_compare(step_ctx), icon=":material/compare_arrows:")
        return
    a, b = compare.step_windows(step, (offered[defaults[0]], offered[defaults[1]]))
    st.markdown(f"**A:** {html.escape(_titled(offered, a))} · **B:** "
                f"{html.escape(_titled(offered, b))}")
    if same_windows(a, b):
        return
    headline(step_ctx, a, b, compact=True)
    change_network(step_ctx, a, b, key=f"briefing-compare-{number}", width_px=width_px,
                   height=380, presenting=True)


def step_window_inputs(ctx: PageContext, prefix: str, step: dict | None = None) -> None:
    """In the briefing editor, for a step whose views include "compare": the dates of its
    windows A and B (the step's own, else the Compare page's defaults), read back by
    step_window_columns when the step is added or updated. Each input reaches from the data's
    first day to its last, and further when the window does (a period or a step's window may
    run past the data's dates: it is kept as it is, not cut)."""
    offered, defaults = offered_windows(*context_key(ctx)[:2])
    if not offered:
        return
    a, b = compare.step_windows(step or {}, (offered[defaults[0]], offered[defaults[1]]))
    left, right = st.columns(2)
    for column, name, window in ((left, "A", a), (right, "B", b)):
        first = min(d for d in (ctx.options.date_min, window.start) if d is not None)
        last = max(d for d in (ctx.options.date_max, window.end) if d is not None)
        column.date_input(f"Window {name} of the comparison", value=(window.start, window.end),
                          min_value=first, max_value=last,
                          key=f"{prefix}-window-{name.lower()}", format="YYYY-MM-DD")


def step_window_columns(prefix: str) -> dict[str, str]:
    """The compare_* columns from the editor's window inputs (none when they were not shown
    or a window lacks an end)."""
    windows = []
    for name in ("a", "b"):
        days = [d for d in (st.session_state.get(f"{prefix}-window-{name}") or ()) if d]
        if len(days) != 2:
            return {}
        windows.append(compare.Window(min(days), max(days)))
    return compare.step_columns(*windows)


def step_specs(step_ctx: PageContext, step: dict) -> list[dict]:
    """The step's comparison for the briefing's report: the relations gained, lost and kept
    between its windows, as a static drawing (none when there is nothing to compare)."""
    offered, defaults = offered_windows(*context_key(step_ctx)[:2])
    if not offered:
        return []
    a, b = compare.step_windows(step, (offered[defaults[0]], offered[defaults[1]]))
    folder, fingerprint, _ = context_key(step_ctx)
    filters_a, filters_b = window_filters(step_ctx, a, b)
    if a.same_dates(b) or comparison(folder, fingerprint, filters_a, filters_b)[
            "relations"].empty:
        return []
    return [change_spec(folder, fingerprint, filters_a, filters_b, a.dates, b.dates)]


def _titled(offered: dict, window: compare.Window) -> str:
    """A window's name when a preset has its dates, else its dates."""
    key = compare.key_of(offered, window)
    return offered[key].title if key != compare.CUSTOM else window.dates


# --------------------------------------------------------------------------------------------
# The Export menu on the Compare page: the report and the evidence pack of the comparison


HELD_WINDOWS = "compare-export-windows"  # this run's windows, for the Export menu (see below)
PLACES_IN_REPORT = 500  # the report lists at most this many places, the biggest changes first


def export_buttons(ctx: PageContext, page_title: str) -> None:
    """The report and the evidence pack in the Export menu of the Compare page (drawn by
    components.ui.panels.toolbar in place of the view's): both hold the comparison of the two
    windows the page shows, not the sidebar's view. The menu is drawn before the page chooses
    its windows, so it keeps a dict the page fills (window_controls); the files are made on
    click, after the page has run."""
    held: dict = {}
    st.session_state[HELD_WINDOWS] = held
    title = f"ProxyLens: {page_title}"
    generated_for = "the comparison of two periods"

    def sections() -> list[dict]:
        return report_sections(ctx, held.get("a"), held.get("b"))

    def lines() -> list[str]:
        return report_lines(ctx, held.get("a"), held.get("b"))

    st.markdown("**The comparison's tables**")
    st.caption("They are in the comparison's evidence pack below: the events, actors, "
               "relations and claims of either window as formula-safe CSV, each row saying "
               "which window it is in. (The sidebar's own view, without the windows, is on "
               "the other pages' Export menus.)")
    st.markdown("**A report of the comparison**")
    export_ui.report_button(ctx, sections, title, generated_for, key="report-view", lines=lines)
    st.markdown("**The comparison in one zip, with a manifest**")
    st.caption("Two parts, window A and window B, each under the other filters: the events, "
               "relations and claims of either, each row saying which window it is in.")
    export_ui.pack_download(
        ctx, lambda: pack_parts(ctx, held.get("a"), held.get("b")),
        lambda: export_ui.report_text(ctx, sections, title, generated_for, lines),
        page_title, key="pack-view", scope="comparison")


def report_lines(ctx: PageContext, a: compare.Window | None, b: compare.Window | None
                 ) -> list[str]:
    """The report's filters: the two windows, then every sidebar filter but its date range
    (which the windows replace here)."""
    undated = dataclasses.replace(ctx.filters, date_from=None, date_to=None)
    others = [sidebar.chip_label(name, value, ctx.options) for name, value in undated.active()]
    if a is None or b is None:
        return others
    offered, _ = offered_windows(*context_key(ctx)[:2])
    rule = f.DATE_RULES[ctx.filters.date_rule]
    return [f"Window A: {_titled(offered, a)}", f"Window B: {_titled(offered, b)}",
            f"Date rule: {rule}", *others]


def report_sections(ctx: PageContext, a: compare.Window | None, b: compare.Window | None
                    ) -> list[dict]:
    """The comparison for the offline report: the windows and the headline counts, the
    network of relations gained, lost and kept with the list of those gained and lost, the
    map of the change per place (when there is one) with the places as a table, and the
    timeline with both windows shaded."""
    if a is None or b is None:
        return [{"heading": "Nothing to compare", "narrative": nothing_to_compare(ctx)}]
    offered, _ = offered_windows(*context_key(ctx)[:2])
    names = f"**A:** {_titled(offered, a)} · **B:** {_titled(offered, b)}"
    if a.same_dates(b):
        return [{"heading": "The two windows", "narrative": names + f"\n\nA and B are the same "
                 f"window ({a.dates}): there is nothing to compare."}]
    folder, fingerprint, _ = context_key(ctx)
    filters_a, filters_b = window_filters(ctx, a, b)
    found = comparison(folder, fingerprint, filters_a, filters_b)
    counts = found["headline"].rename(columns={
        "measure": "measure", "A": f"A ({a.dates})", "B": f"B ({b.dates})",
        "change": "change (B minus A)"})
    out = [{"heading": "The two windows", "narrative": names + "\n\nThe windows take the "
            "place of the sidebar's date range; every other filter applies to both, and so "
            "does the date rule.", "tables": {"Headline counts, A to B": counts}}]
    changes = found["relations"]
    who: dict = {"heading": "Who: relations gained, lost and kept"}
    if changes.empty:
        who["narrative"] = "No relations match the filters in either window."
    else:
        nodes, merged = _change_drawing(folder, fingerprint, filters_a, filters_b)
        who["narrative"] = relations_sentence(changes, len(nodes), len(merged),
                                              found["undated_in_neither"],
                                              found["narrowed_to_events"])
        who["charts"] = [exports.chart_svg(change_spec(folder, fingerprint, filters_a,
                                                       filters_b, a.dates, b.dates))]
        who["tables"] = {"Relations gained and lost": compare.change_table(
            changes, ctx.options.actors)}
    out.append(who)
    where: dict = {"heading": "Where: events per place"}
    places, view, _ = change_map_drawing(folder, fingerprint, filters_a, filters_b,
                                         map_ui.default_basemap(), 520,
                                         screen.column_px([1], 0))  # the page's drawing
    if places.empty:
        where["narrative"] = "No event with a place matches the filters in either window."
    else:
        where["charts"] = [exports.map_svg(exports.static_map_spec(
            places, NO_ARCS, view, ctx.dataset.boundaries, "place change"))]
        where["tables"] = {"Events per place, A to B": place_table(found["places"])}
        if len(found["places"]) > PLACES_IN_REPORT:
            where["narrative"] = (f"The table lists the {PLACES_IN_REPORT:,} places whose "
                                  f"number of events changed most, of {len(found['places']):,}.")
    out.append(where)
    when: dict = {"heading": "When"}
    spec = timeline_spec(folder, fingerprint, compare.within(ctx.filters, compare.hull(a, b)),
                         a, b)
    if spec is None:
        when["narrative"] = "No dated event matches the filters in either window."
    else:
        when["charts"] = [exports.chart_svg(spec)]
    out.append(when)
    return out


def place_table(changes: pd.DataFrame) -> pd.DataFrame:
    """The places compared, to read: name, events in A and in B, the change and its kind (the
    biggest changes first, at most PLACES_IN_REPORT)."""
    shown = changes.head(PLACES_IN_REPORT)
    return pd.DataFrame({"place": shown["name"], "events in A": shown["events_a"],
                         "events in B": shown["events_b"],
                         "change": shown["change"].map(compare.signed), "kind": shown["kind"]})


def pack_parts(ctx: PageContext, a: compare.Window | None, b: compare.Window | None
               ) -> list:
    """The evidence pack's parts: window A and window B, each with its matching events, the
    relations the comparison finds active in it, the claims about them and its filters (the
    window as the date range); the sidebar's view when the page showed no windows."""
    if a is None or b is None:
        return [export_ui.pack_part(ctx)]
    folder, fingerprint, _ = context_key(ctx)
    filters_a, filters_b = window_filters(ctx, a, b)
    changes = comparison(folder, fingerprint, filters_a, filters_b)["relations"]
    offered, _ = offered_windows(folder, fingerprint)
    parts = []
    for letter, window, chosen in (("A", a, filters_a), ("B", b, filters_b)):
        window_ctx = context_for(folder, fingerprint, chosen)
        relations = compare.relations_in(changes, letter)
        claims, _ = selection.claims_in_view(window_ctx.dataset, window_ctx.selection,
                                             relations, True)
        title = _titled(offered, window)
        parts.append(evidence.PackPart(
            f"Window {letter}: {title}", window_ctx.selection, relations, claims, chosen,
            export_ui.filter_lines(window_ctx), step=letter, title=title))
    return parts
