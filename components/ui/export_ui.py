"""Download buttons for charts, the map, tables and the report, and the "share this view" link.

Files are made only when a button is clicked (deferred data), so exports cost nothing per rerun.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components import (evidence, exports, filterdefs, frames, profiles, selection,
                        summary, views, workbook)
from components.ui import sidebar
from components.ui.context import PageContext, claims_in_view


def slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def chart_downloads(spec, name: str, key: str) -> None:
    """PNG and SVG of one Vega-Lite chart, side by side. spec: the spec, or a function that
    makes it (called only when a button is clicked: the network's static drawing)."""
    def make() -> dict:
        return spec() if callable(spec) else spec

    row = st.container(horizontal=True, gap="small")
    row.download_button("PNG", lambda: exports.chart_png(make()), file_name=f"{slug(name)}.png",
                        mime="image/png", key=f"{key}-png", icon=":material/image:",
                        on_click="ignore", help=f"Download the {name} as a PNG image")
    row.download_button("SVG", lambda: exports.chart_svg(make()), file_name=f"{slug(name)}.svg",
                        mime="image/svg+xml", key=f"{key}-svg", icon=":material/draw:",
                        on_click="ignore", help=f"Download the {name} as an SVG drawing")


def map_downloads(places: pd.DataFrame, arcs: pd.DataFrame, view: dict, boundaries,
                  colour_by: str, key: str) -> None:
    def spec():
        return exports.static_map_spec(places, arcs, view, boundaries, colour_by)

    row = st.container(horizontal=True, gap="small")
    row.download_button("Map PNG", lambda: exports.map_png(spec()), file_name="map.png",
                        mime="image/png", key=f"{key}-png", icon=":material/image:",
                        on_click="ignore", help="A static drawing of the same places, arcs and "
                        "outlines")
    row.download_button("Map SVG", lambda: exports.map_svg(spec()), file_name="map.svg",
                        mime="image/svg+xml", key=f"{key}-svg", icon=":material/draw:",
                        on_click="ignore")


def filtered_tables(ctx: PageContext) -> dict[str, pd.DataFrame]:
    """The filtered events, the actors they and the relations involve, and the relations."""
    dataset = ctx.dataset
    involved = (frames.relation_ends(ctx.relations)
                | ctx.selection.involved_actor_ids())
    events = ctx.events[[c for c in dataset.events.columns if c in ctx.events.columns]]
    return {
        "events": exports.flatten(events, drop=set(views_helper_columns("events"))),
        "actors": exports.flatten(dataset.actors[dataset.actors["actor_id"].isin(involved)],
                                  drop=set(views_helper_columns("actors"))),
        "relations": exports.flatten(ctx.relations, drop=set(views_helper_columns("relations"))),
    }


def views_helper_columns(table: str) -> list[str]:
    from components.loader import helper_columns

    return helper_columns(table)


def table_downloads(ctx: PageContext, key: str = "tables", view: str = "view") -> None:
    if ctx.bounded:
        st.caption(f"The events table holds the first {selection.LISTED_ROWS:,} of the "
                   f"{ctx.selection.facts['events']:,} matching events, in date order: narrow "
                   "the filters to export them all.")
    row = st.container(horizontal=True, gap="small")
    for name in ("events", "actors", "relations"):
        row.download_button(f"{name.capitalize()} CSV",
                            lambda name=name: exports.csv_bytes(filtered_tables(ctx)[name]),
                            file_name=workbook.file_name(f"{view}-{name}", "csv"),
                            mime="text/csv",
                            key=f"{key}-{name}-csv", on_click="ignore",
                            icon=":material/table:")
    row.download_button("Excel workbook",
                        lambda: workbook.workbook_bytes(workbook_sheets(ctx, view)),
                        file_name=workbook.file_name(view, "xlsx"),
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"{key}-xlsx", on_click="ignore", icon=":material/grid_on:",
                        help="Events, relations and actors by name, dates as dates with their "
                        "precision, the filters and the sources, each sheet with a frozen "
                        "header and filters. Formula-like cells (starting with =, +, - or @) "
                        "are neutralised.")


def workbook_sheets(ctx: PageContext, view: str) -> dict[str, pd.DataFrame]:
    """The sheets of the view's Excel workbook."""
    dataset = ctx.dataset
    names = dataset.actor_names
    involved = (frames.relation_ends(ctx.relations)
                | ctx.selection.involved_actor_ids())
    title = summary.record_title(dataset)[0]
    return {
        "Events": workbook.events_sheet(ctx.events, names, dataset.sources),
        "Relations": workbook.relations_sheet(ctx.relations, names, dataset.sources),
        "Actors": workbook.actors_sheet(dataset.actors[dataset.actors["actor_id"].isin(involved)],
                                        dataset.sources),
        "Filters": workbook.about_sheet(view, filter_lines(ctx), ctx.data_version, title),
        "Sources": sources_table(dataset),
    }


def filter_lines(ctx: PageContext) -> list[str]:
    return [sidebar.chip_label(name, value, ctx.options)
            for name, value in ctx.filters.active()]


def sources_table(dataset) -> pd.DataFrame:
    frame = dataset.sources[["source_id", "title", "publisher", "published", "reliability", "notes"]].copy()
    frame["reliability"] = frame["reliability"].map(profiles.reliability_text)
    return frame


def share_link(label: str = "Share this view"):
    """The popover holding the address that reopens this page with these filters; the
    address is written into the returned placeholder by fill_share_link, once the page has
    run and put its own choices in the address."""
    with st.popover(label, icon=":material/link:"):
        st.caption("Copy this address (button at the right of the box). It reopens this page "
                   "with the same filters and choices.")
        return st.empty()


def fill_share_link(placeholder) -> None:
    """Write the address into the share popover, once the page has run (and put its own
    choices in the address); the evidence packs offered in this run learn them too."""
    base = st.context.url or ""
    pairs = [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]
    link = base + ("?" + urlencode(pairs) if pairs else "")
    placeholder.code(link, language=None, wrap_lines=True)
    now = page_address()
    for held in st.session_state.pop(HELD_ADDRESSES, []):
        held.clear()
        held.update(now)


HELD_ADDRESSES = "export-held-addresses"  # this run's packs' addresses, filled at its end
NOT_CHOICES = {"upload"}  # data_access.UPLOAD_PARAM: the session's upload, not a choice


def page_address() -> dict:
    """The page's own choices in the address (Compare's windows, Flows' patron and band
    width, a briefing's step...): every query parameter but the sidebar's filters (a pack's
    manifest records those as filters) and the session's upload; a parameter given more than
    once as a list."""
    filter_keys = {key for declared in filterdefs.FILTERS for key in declared.keys}
    out = {}
    for key in st.query_params:
        if key in filter_keys or key in NOT_CHOICES:
            continue
        values = st.query_params.get_all(key)
        out[key] = values[0] if len(values) == 1 else list(values)
    return out


def held_address() -> dict:
    """The page's choices as the address holds them now, in a dict that fill_share_link
    brings up to date when the page has run (the toolbar is drawn before the page puts its
    choices in the address; a pack is made later, on click)."""
    held = page_address()
    waiting = st.session_state.setdefault(HELD_ADDRESSES, [])
    waiting.append(held)
    del waiting[:-8]  # a page without the toolbar (the Briefing) never fills them: keep a few
    return held


def report_text(ctx: PageContext, build_sections, title: str, generated_for: str,
                lines=None) -> str:
    """The HTML report of `build_sections()`, with the view's filters (or `lines()`, when the
    page says its filters otherwise), sources and data version."""
    return exports.report_html(title, generated_for, lines() if lines else filter_lines(ctx),
                               build_sections(), sources_table(ctx.dataset), ctx.data_version)


def report_button(ctx: PageContext, build_sections, title: str, generated_for: str,
                  key: str, lines=None) -> None:
    """A self-contained HTML report; `build_sections()` (and `lines()`) called only on click."""
    def make() -> str:
        return report_text(ctx, build_sections, title, generated_for, lines)

    st.download_button("Report (HTML)", make, file_name=f"{slug(title)}.html", mime="text/html",
                       key=key, on_click="ignore", icon=":material/description:",
                       help="One file with the charts, tables, sources and filters; opens in any "
                       "browser without internet")


def view_sections(ctx: PageContext, network_spec: dict | None, timeline_spec: dict | None,
                  map_parts: tuple | None) -> list[dict]:
    """The report's sections for the current view."""
    charts = []
    if map_parts is not None:
        charts.append(exports.map_svg(exports.static_map_spec(*map_parts)))
    if network_spec is not None:
        charts.append(exports.chart_svg(network_spec))
    if timeline_spec is not None:
        charts.append(exports.chart_svg(timeline_spec))
    return [{"heading": "Charts", "charts": charts},
            {"heading": "Tables", "tables": report_tables(ctx)}]


def report_tables(ctx: PageContext) -> dict[str, pd.DataFrame]:
    """The view's events, relations and actors for an audience: in words, headers in words,
    no ids (the workbook's sheets without their id columns)."""
    sheets = workbook_sheets(ctx, "report")
    events = views.event_list(ctx.events, full_text=True).drop(columns=["event page"])
    relations = sheets["Relations"].drop(columns=["relation id"])
    relations["says"] = relations["says"].map(views.presentable)
    actors = sheets["Actors"].drop(columns=["actor id"])
    actors["description"] = actors["description"].map(views.presentable)
    return {"Events": events, "Relations": relations, "Actors": actors}


# --------------------------------------------------------------------------------------------
# The evidence pack (components.evidence)


def pack_part(ctx: PageContext, label: str = "the current view", **step) -> evidence.PackPart:
    """What a view contributes to an evidence pack: its selection, relations, claims and
    filters (as export_ui.filtered_tables and the Claims page read them)."""
    return evidence.PackPart(label, ctx.selection, ctx.relations, claims_in_view(ctx)[0],
                             ctx.filters, filter_lines(ctx), **step)


def pack_download(ctx: PageContext, build_parts, build_report, page: str, key: str,
                  scope: str = "view", briefing_file: str | None = None) -> None:
    """The evidence pack's button: the zip is made only on click (deferred, like the report;
    the button shows that it is working while the report's charts are drawn)."""
    matching = ctx.selection.facts["events"]
    if scope == "view" and matching > evidence.PACK_EVENT_ROWS:
        st.caption(f"The pack's events.csv will hold the first {evidence.PACK_EVENT_ROWS:,} of "
                   f"the {matching:,} matching events, in date order (its manifest says so).")
    info = evidence.PackInfo(page=page, record=summary.record_title(ctx.dataset)[0],
                             engine=ctx.dataset.event_store.engine_text, scope=scope,
                             briefing_file=briefing_file,
                             data_folder=Path(ctx.dataset.folder).name,
                             address=held_address())

    def make() -> bytes:
        return evidence.pack_bytes(ctx.dataset, ctx.result.files, build_parts(), info,
                                   build_report(), sources_table(ctx.dataset))

    name = briefing_file.rsplit(".", 1)[0] if briefing_file else page
    st.download_button("Evidence pack (zip)", make,
                       file_name=workbook.file_name(f"{name}-evidence", "zip"),
                       mime="application/zip", key=key, on_click="ignore",
                       icon=":material/folder_zip:",
                       help="One zip: the report, the filtered events, actors, relations and "
                       "claims as CSV (formula-safe), the sources with their reliability, and "
                       "a manifest (data version, filters, page, time, ProxyLens version, "
                       "every file's SHA-256) with a README.txt")


def pack_button(ctx: PageContext, build_sections, title: str, page: str, key: str) -> None:
    """The evidence pack of the current view, beside its report."""
    pack_download(ctx, lambda: [pack_part(ctx)],
                  lambda: report_text(ctx, build_sections, title, "the current view"),
                  page, key)
