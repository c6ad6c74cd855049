"""The Flows panel: support flows (components.flows) drawn as an ECharts sankey, its controls,
legend and downloads, and the click on an actor that filters every view to it."""

from __future__ import annotations

import html
from functools import partial

import streamlit as st

from components import exports, flows, palette
from components.wording import counted
from components.ui import caching, cards
from components.ui.context import PageContext, context_for, context_key
from components.ui.network_charts import tooltip_text
from components.ui.network_panel import (chart_renderer, click_generation_key, on_actor_click,
                                         reliability_letters)

EVERY_PATRON = "*"
TITLE = "Support flows"
SIDE_NOTE = ("Support that reaches an actor of the other side is drawn to it and followed no "
             "further.")


def flows_panel(ctx: PageContext, height: int = 640, key: str = "flows", controls: bool = True,
                presenting: bool = False, width_px: int = 900) -> None:
    """The sankey of the filtered relations' support flows. controls: the patron, width and
    colour choices (a briefing step draws the defaults); presenting: for an audience."""
    choices = patron_choices(*context_key(ctx))
    patron = choices[0][0] if choices else None
    width_by, colour_by = "relations", "claim status"
    if controls:
        left, middle, right = st.columns([4, 2, 2])
        names = ctx.options.actors
        options = [EVERY_PATRON] + [a for a, _ in choices]
        reach = dict(choices)
        default = options[1] if choices else EVERY_PATRON
        # ids in the address, not names (kept by hand: a bound selectbox writes the label)
        cards.read_address_value("patron", options)
        if st.session_state.get("patron") not in options:
            st.session_state.pop("patron", None)  # a patron the filters no longer reach
        picked = left.selectbox(
            "Flows from", options, key="patron",
            **({} if "patron" in st.session_state else {"index": options.index(default)}),
            format_func=lambda a: "every patron" if a == EVERY_PATRON else
            f"{names.get(a, a)} (reaches {counted(reach[a], 'actor')})",
            help="The actor whose support is traced; the list starts with the actors whose "
            "support reaches the most others. " + SIDE_NOTE)
        cards.write_address_value("patron", picked, default)
        patron = None if picked in (EVERY_PATRON, None) else picked
        width_by = middle.segmented_control(
            "Widths by", list(flows.WIDTH_BY), default="relations", key="flow_width",
            bind="query-params", required=True,
            help="The number of relations between two actors, or of the matching events that "
            "name both") or "relations"
        colour_by = right.segmented_control(
            "Colour by", list(flows.COLOUR_BY), default="claim status", key="flow_colour",
            bind="query-params", required=True) or "claim status"
        # kept where the report's deferred download finds them (it runs outside the session)
        page_choices().update(patron=patron, width_by=width_by, colour_by=colour_by)
    if not choices:
        st.info("No support relation matches the current filters, so there is no flow to "
                "trace. " + flows.RULE_WORDS + " Remove a filter to see more.",
                icon=":material/account_tree:")
        return
    drawn = flow_option(*context_key(ctx), patron, width_by, colour_by, presenting, width_px)
    found, option, node_ids = drawn
    if found.empty:
        st.info("Nothing to draw: " + " ".join(found.left_out or ["no flow has a matching "
                                                                    "event."]),
                icon=":material/account_tree:")
        return
    chart_key = f"{key}-{st.session_state.get(click_generation_key(key), 0)}"
    start = ctx.options.actors.get(patron, patron) if patron else "every patron"
    st.markdown(f"**Support flows from {html.escape(str(start))}**, widths by "
                f"{flows.WIDTH_BY[width_by]}")
    st.echarts_chart(option, key=chart_key, height=height, renderer=chart_renderer(),
                     on_select=partial(on_actor_click, chart_key, tuple(node_ids), key),
                     alt=f"Support flows from {start}: {counted(len(found.nodes), 'actor')}, "
                     f"{counted(int(found.links['relations'].sum()), 'relation')}")
    st.markdown(legend_markdown(found, colour_by), unsafe_allow_html=True)
    st.caption(summary_sentence(found) + " " + " ".join(found.left_out))
    if not presenting:
        args = (*context_key(ctx), patron, width_by, colour_by)
        row = st.container(horizontal=True, gap="small")
        row.download_button("PNG", lambda: exports.svg_png(flow_svg(*args)),
                            file_name="support-flows.png", mime="image/png", key=f"{key}-png",
                            icon=":material/image:", on_click="ignore",
                            help="Download the support flows as a PNG image")
        row.download_button("SVG", lambda: flow_svg(*args), file_name="support-flows.svg",
                            mime="image/svg+xml", key=f"{key}-svg", icon=":material/draw:",
                            on_click="ignore", help="Download the support flows as an SVG drawing")


def summary_sentence(found: flows.Flows) -> str:
    gives = found.links[found.links["kind"] == "flow"]
    targets = found.nodes[found.nodes["role"] == "target"]
    columns = int(found.nodes["depth"].max()) + 1
    hostile = int(found.links["relations"].sum() - gives["relations"].sum())
    patrons = found.nodes[found.nodes["role"] == "patron"]
    supporting = len(found.nodes) - len(targets)
    # one patron: counted apart, as the "Flows from" choice counts the actors it reaches
    who = (f"{cards.escape(patrons['name'].iloc[0])} and the "
           f"{counted(supporting - 1, 'actor')} its support reaches" if len(patrons) == 1 else
           f"{counted(supporting, 'actor')} giving or receiving support")
    return (f"{who}, in {counted(columns - (1 if len(targets) else 0), 'column')}, "
            f"{counted(int(gives['relations'].sum()), 'support relation')}; in the last column, "
            f"{counted(len(targets), 'actor')} they target or fight "
            f"({counted(hostile, 'relation')}). {flows.RULE_WORDS} {SIDE_NOTE}")


def legend_markdown(found: flows.Flows, colour_by: str) -> str:
    field = flows.COLOUR_BY[colour_by]
    scheme = "claim status" if colour_by == "claim status" else "grade"
    present = set(found.links[field])
    bands = " ".join(f"<span style='color:{palette.colour(scheme, k)}'>━━</span> "
                     f"{html.escape(k)}" for k in palette.SCHEMES[scheme] if k in present)
    sides = " ".join(f"<span style='color:{palette.colour('actor side', s)}'>■</span> "
                     f"{html.escape(s)}" for s in palette.SIDE if s in set(found.nodes["side"]))
    rule = "the least certain claim" if colour_by == "claim status" else "the weakest grade"
    return (f"**Bands: {colour_by}** {bands} (where two actors share several relations, "
            f"{rule} among them; hover a band for each relation)  \n**Actors: side** {sides}"
            " · click an actor to filter every view to it")


# --------------------------------------------------------------------------------------------
# What is drawn, cached per data version, filter value and choice


@caching.view_data(64)
def patron_choices(folder: str, fingerprint: str, filters) -> list[tuple[str, int]]:
    """The actors support flows from, widest reach first (a walk from each: worked out once
    per data version and filter value, not on every rerun)."""
    ctx = context_for(folder, fingerprint, filters)
    return flows.patrons(ctx.relations, ctx.dataset.actors)


@caching.view_data(64)
def flows_found(folder: str, fingerprint: str, filters, patron, width_by: str) -> flows.Flows:
    ctx = context_for(folder, fingerprint, filters)
    pairs = ctx.selection.pair_counts if width_by == "events" else None  # asked of its links
    return flows.support_flows(ctx.relations, ctx.dataset.actors, patron, width_by, pairs,
                               reliability_letters(ctx.dataset))


@caching.view_data(64)
def flow_option(folder: str, fingerprint: str, filters, patron, width_by: str, colour_by: str,
                presenting: bool = False, width_px: int = 900) -> tuple[flows.Flows, dict, list[str]]:
    found = flows_found(folder, fingerprint, filters, patron, width_by)
    if found.empty:  # nothing to draw (the panel says why)
        return found, None, []
    option = echarts_option(found, colour_by, presenting, width_px)
    return found, option, [item["actor_id"] for item in option["series"][0]["data"]]


@caching.view_data(16)
def flow_svg(folder: str, fingerprint: str, filters, patron, width_by: str,
             colour_by: str) -> str:
    found = flows_found(folder, fingerprint, filters, patron, width_by)
    ctx = context_for(folder, fingerprint, filters)
    start = ctx.options.actors.get(patron, patron) if patron else "every patron"
    return flows.flow_svg(found, colour_by, title=f"Support flows from {start}")


RIGHT_MARGIN_PX = 190  # room for the last column's labels


def label_width(columns: int, width_px: int) -> int:
    """A label's width in pixels, so that it ends before the next column's nodes at the chart's
    expected width (longer names wrap onto more lines: cut short, eleven of them were
    unreadable on a projector, where no one can hover)."""
    if columns <= 1:
        return RIGHT_MARGIN_PX - 10
    return max(int((width_px - RIGHT_MARGIN_PX - 20) / (columns - 1)) - 26, 56)


def echarts_option(found: flows.Flows, colour_by: str, presenting: bool = False,
                   width_px: int = 900) -> dict:
    """The sankey: one node per actor (targets apart, in the last column), one band per pair
    and kind, coloured by the least certain claim or the weakest grade among its relations.
    width_px: the chart's expected width, for which the labels are cut."""
    field = flows.COLOUR_BY[colour_by]
    scheme = "claim status" if colour_by == "claim status" else "grade"
    columns = int(found.nodes["depth"].max()) + 1
    last = columns - 1
    # ECharts keeps each column in the order given when it runs no layout iterations: the
    # order that crosses few bands (flows.column_order), the same as the static drawing's
    order = {key: i for keys in flows.column_order(found.nodes, found.links).values()
             for i, key in enumerate(keys)}
    ordered = found.nodes.assign(_at=found.nodes["key"].map(order)).sort_values(["depth", "_at"])
    data = [{
        "name": row.key, "depth": int(row.depth), "actor_id": row.actor_id, "role": row.role,
        "itemStyle": {"color": palette.colour("actor side", row.side),
                      "borderColor": "#222" if row.role == "patron" else "#ffffff",
                      "borderWidth": 1},
        "tooltip": {"formatter": node_tooltip(row, presenting)},
        **({"label": {"width": RIGHT_MARGIN_PX - 10}} if row.depth == last else {}),
    } for row in ordered.itertuples()]
    links = [{
        "source": row.source_key, "target": row.target_key, "value": int(row.value),
        "kind": row.kind, "relations": int(row.relations), "events": int(row.events),
        "relation_ids": list(row.relation_ids), "colour_key": getattr(row, field),
        "lineStyle": {"color": palette.colour(scheme, getattr(row, field)),
                      "opacity": 0.55 if row.kind == "flow" else 0.4},
        "tooltip": {"formatter": band_tooltip(row)},
    } for row in found.links.itertuples()]
    return {
        "title": {"text": TITLE, "show": False},  # named for tests and screen readers
        "tooltip": {"trigger": "item", "confine": True,
                    "extraCssText": "max-width:460px;white-space:normal;"},
        "animation": False,
        "series": [{
            "type": "sankey", "id": "flows", "left": 8, "right": RIGHT_MARGIN_PX, "top": 12,
            "bottom": 12,
            # a gap for wrapped labels: at 9 px, two-line names hid three neighbours' labels
            "nodeWidth": 14, "nodeGap": 12, "nodeAlign": "left", "layoutIterations": 0,
            "draggable": False, "selectedMode": "single",
            "select": {"itemStyle": {"borderColor": "#111", "borderWidth": 3}},
            "emphasis": {"focus": "adjacency"},
            "lineStyle": {"curveness": 0.5},
            "label": {"fontSize": 12, "color": "#222", "textBorderColor": "#ffffff",
                      "textBorderWidth": 2.5, "overflow": "break", "lineHeight": 13,
                      "width": label_width(columns, width_px)},
            "labelLayout": {"hideOverlap": True},  # what still meets another label hides
            "data": data, "links": links,
        }],
    }


def node_tooltip(row, presenting: bool) -> str:
    role = {"patron": "where the flows start", "target": "targeted or fought",
            }.get(row.role, "gives or receives support")
    lines = [f"<b>{tooltip_text(row.name)}</b>", f"{tooltip_text(row.actor_type)} · {tooltip_text(row.side)}",
             f"In this chart: {role}"]
    if not presenting:
        lines.append("<i>Click to filter every view to this actor</i>")
    return "<br/>".join(lines)


def band_tooltip(row) -> str:
    kind = "support" if row.kind == "flow" else "hostility"
    head = (f"<b>{tooltip_text(row.source_key)} → {tooltip_text(row.target_key)}</b>: "
            f"{counted(int(row.relations), kind + ' relation')}, "
            f"{counted(int(row.events), 'matching event')} naming both")
    lines = [head]
    for item in row.listing[:12]:
        lines.append(f"• {tooltip_text(item['from'])} <b>{tooltip_text(item['relation'])}</b> "
                     f"{tooltip_text(item['to'])} · {tooltip_text(item['period'])} · "
                     f"{tooltip_text(item['claim_status'])} · grade {tooltip_text(item['grade'])} · "
                     f"{tooltip_text(item['sources'])}")
    if len(row.listing) > 12:
        lines.append(f"… and {len(row.listing) - 12} more (see the tables)")
    return "<br/>".join(lines)


CHOICES = "_flows_page_choices"


def page_choices() -> dict:
    """The Flows page's current choices in this session: one dict, updated in place on each
    run of the page, which a report's deferred download (made outside the session, when
    clicked) reads."""
    return st.session_state.setdefault(CHOICES, {})


def flows_for_report(ctx: PageContext, choices: dict | None = None) -> str | None:
    """The support flows as SVG, for the offline report: with `choices` (page_choices, taken
    when the export menu is drawn), as the Flows page last showed them; else (a briefing
    step, a session that never opened the Flows page) from the widest-reaching patron. None
    when the view holds no support relation."""
    reach = dict(patron_choices(*context_key(ctx)))
    if not reach:
        return None
    choices = choices or {}
    patron = choices.get("patron", next(iter(reach)))
    if patron is not None and patron not in reach:
        patron = next(iter(reach))  # the filters no longer reach it
    width_by = choices.get("width_by", "relations")
    if flows_found(*context_key(ctx), patron, width_by).empty:
        return None  # (widths by events, and no flow has an event)
    return flow_svg(*context_key(ctx), patron, width_by, choices.get("colour_by", "claim status"))
