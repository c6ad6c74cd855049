"""The shared filters: drawn once in app.py, bound to the URL, read by every page.

Widget keys double as URL query parameter names, so a copied link reopens the same view.
Chart clicks change filters through the named actions at the bottom of this module; they run as
callbacks, before the script reruns, which is when Streamlit allows a widget's value to change.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from components import filters as f
from components import grades
from components.contract import VOCABULARIES

# widget key (and URL parameter) -> Filters field
KEYS = {
    "dates": "dates",
    "actors": "actors",
    "linked": "include_linked",
    "actor_types": "actor_types",
    "event_types": "event_types",
    "claims": "claim_statuses",
    "places": "places",
    "q": "text",
    "date_rule": "date_rule",
    "min_rel": "min_reliability",
    "min_cred": "min_credibility",
}
FIELD_TO_KEY = {v: k for k, v in KEYS.items()}

FIELD_LABELS = {
    "dates": "Dates",
    "actors": "Actor",
    "include_linked": "Linked actors",
    "actor_types": "Actor type",
    "event_types": "Event type",
    "claim_statuses": "Claim",
    "places": "Place",
    "text": "Search",
    "date_rule": "Date rule",
    "grade": "Grade",
}
ANY_GRADE = "any"
DATE_RULE_OF = {words: rule for rule, words in f.DATE_RULES.items()}  # the radio shows the words


FIND_PAGES = {"actor": ("pages/actor.py", "actor", ":material/person:"),
              "event": ("pages/event.py", "event", ":material/event:"),
              "place": ("pages/map.py", "places", ":material/place:")}


def draw_finder(find, options: f.FilterOptions) -> None:
    """'Find': actors, events and places by name, alias or description, as links to their pages.
    find(query) -> hits; the index behind it is built on the first query, not on every page."""
    query = st.sidebar.text_input(
        "Find an actor, event or place", key="find", placeholder="e.g. Sulleimani, Erbil, EFP",
        help="Forgives spelling variants of names (Quds/Qods, Irbil/Erbil). Results open the "
        "actor or event page; places open on the map.")
    if not query or len(query.strip()) < 2:
        return
    hits = find(query)
    if hits.empty:
        st.sidebar.caption(f"Nothing found for '{query.strip()}'.")
        return
    for hit in hits.itertuples():
        page, param, icon = FIND_PAGES[hit.kind]
        # the map's place filter is bound to the URL by the option's label
        value = options.places.get(hit.id, hit.id) if hit.kind == "place" else hit.id
        st.sidebar.page_link(page, label=f"{hit.label} ({hit.kind})", icon=icon,
                             query_params={param: value})


def draw_filters(options: f.FilterOptions) -> f.Filters:
    """Draw the sidebar filters and return their current value."""
    sidebar = st.sidebar
    sidebar.header("Filters")
    if options.date_min and options.date_max:
        sidebar.date_input(
            "Date range",
            value=(options.date_min, options.date_max),
            min_value=options.date_min,
            max_value=options.date_max,
            key="dates",
            bind="query-params",
            format="YYYY-MM-DD",
            help="Which events and relations a range keeps depends on the date rule below.",
        )
        sidebar.radio(
            "Date rule", list(f.DATE_RULES.values()), key="date_rule", bind="query-params",
            horizontal=True,
            help="**Possibly in the window**: the day, month or year the source gives overlaps "
            "the range, so an event known only to 2005 matches any range that touches 2005, and "
            "a relation with no dates is kept.\n\n**Certainly in the window**: the whole span "
            "lies inside the range, so an event known only to 2005 matches 2005-01-01 to "
            "2005-12-31 but not June to December 2005, and a relation without a start (or end) "
            "is left out of a range with a start (or end).\n\nEvents with no date are left out "
            "of any range under either rule.",
        )
    actors_help = "Events naming any of these actors, and the relations that touch them."
    if len(options.actors) > MAX_LISTED:
        actors_help += (f" Lists the {MAX_LISTED:,} actors named most often (of "
                        f"{len(options.actors):,}); for any other, click its node in the "
                        "network, or find it and use 'Filter every view to this actor'.")
    sidebar.multiselect(
        "Actors", listed(options.actors, options.ranked_actors, "actors"), key="actors",
        bind="query-params", format_func=lambda a: options.actors.get(a, a),
        placeholder="Any actor", help=actors_help,
    )
    sidebar.toggle(
        "Include directly linked actors", key="linked", bind="query-params",
        help="Also keep actors one relation away from the chosen actors.",
    )
    sidebar.multiselect(
        "Actor types", list(options.actor_types), key="actor_types", bind="query-params",
        placeholder="Any type", help=_terms_help("actor_type"),
    )
    sidebar.multiselect(
        "Event types", list(options.event_types), key="event_types", bind="query-params",
        placeholder="Any type", help=_terms_help("event_type"),
    )
    sidebar.multiselect(
        "Claim status", list(options.claim_statuses), key="claims", bind="query-params",
        placeholder="Any status", help=_terms_help("claim_status"),
    )
    sidebar.multiselect(
        "Places or provinces", listed(options.places, options.ranked_places, "places"),
        key="places", bind="query-params", format_func=lambda p: options.places.get(p, p),
        placeholder="Anywhere",
        help=None if len(options.places) <= MAX_LISTED else (
            f"Lists the {MAX_LISTED:,} places and provinces with the most events (of "
            f"{len(options.places):,}); click the map, or use Find, for any other."),
    )
    draw_grade_filter(sidebar)
    sidebar.text_input(
        "Filter by words in names and descriptions", key="q", bind="query-params",
        placeholder="e.g. Karbala, EFP, Quds",
        help="Matches actor names and aliases, event and relation descriptions, place names.",
    )
    return current_filters(options)


def draw_grade_filter(sidebar) -> None:
    """'At least grade ...': the source's reliability and the information's credibility. The
    options are the letters and numbers themselves, so the address reads `min_rel=B`."""
    sidebar.markdown("**Grade at least**", help="Keep only the events and relations graded "
                     "as well or better in both halves of the grade (for example B2).")
    left, right = sidebar.columns(2)
    left.selectbox(
        "Source", [ANY_GRADE, *grades.RELIABILITY_LEVELS[:-1]], key="min_rel",
        bind="query-params",
        help="Admiralty code, source reliability (sources.csv). A record takes the best letter "
        "of the sources it cites.\n\n" + _terms_help("reliability"))
    right.selectbox(
        "Credibility", [ANY_GRADE, *grades.CREDIBILITY_LEVELS[:-1]], key="min_cred",
        bind="query-params",
        help="Admiralty code, information credibility (the `credibility` column of events "
        "and relations; empty counts as 6).\n\n" + _terms_help("credibility"))


MAX_LISTED = 1000  # options a long list offers: every rerun sends them to the browser


def listed(labels: dict[str, str], ranked: tuple[str, ...], key: str) -> list[str]:
    """The options a multiselect offers: all of them when few; else the busiest MAX_LISTED
    plus whatever is chosen, whether by a click elsewhere (session state) or by the address,
    so a choice outside the list is never dropped. Before the widget is drawn, its state and
    the address may hold option labels rather than values; both are understood."""
    if len(labels) <= MAX_LISTED:
        return list(labels)
    chosen = [*(st.session_state.get(key) or []), *st.query_params.get_all(key)]
    keep = set(ranked[:MAX_LISTED]) | set(as_option_values(chosen, labels))
    return [value for value in labels if value in keep]


def as_option_values(values, labels: dict[str, str]) -> tuple[str, ...]:
    """The chosen option values; a label stands for its value. A choice made outside a capped
    list (a click on the map) reaches the widget as its label on the first rerun after it."""
    values = list(values or [])
    if all(v in labels for v in values):
        return tuple(values)
    by_label = {label: value for value, label in labels.items()}
    out = [v if v in labels else by_label.get(v) for v in values]
    return tuple(dict.fromkeys(v for v in out if v is not None))


def current_filters(options: f.FilterOptions) -> f.Filters:
    """The filter value held by the sidebar widgets (and so by the URL)."""
    state = st.session_state
    date_from, date_to = _date_window(state.get("dates"), options)
    known = lambda values, allowed: tuple(v for v in (values or []) if v in allowed)  # noqa: E731
    return f.Filters(
        date_from=date_from, date_to=date_to,
        actors=as_option_values(state.get("actors"), options.actors),
        include_linked=bool(state.get("linked", False)),
        actor_types=known(state.get("actor_types"), options.actor_types),
        event_types=known(state.get("event_types"), options.event_types),
        claim_statuses=known(state.get("claims"), options.claim_statuses),
        places=as_option_values(state.get("places"), options.places),
        text=(state.get("q") or "").strip(),
        date_rule=DATE_RULE_OF.get(state.get("date_rule"), f.OVERLAPS),
        min_reliability=_level(state.get("min_rel"), grades.RELIABILITY_LEVELS),
        min_credibility=_level(state.get("min_cred"), grades.CREDIBILITY_LEVELS),
    )


def _level(value, levels) -> str:
    """A chosen grade level, "" for any (the last level, "cannot be judged", is any too)."""
    return value if value in levels[:-1] else ""


def _terms_help(vocab: str) -> str:
    return "\n".join(f"- **{term}**: {meaning}" for term, meaning in VOCABULARIES[vocab].items())


def _date_window(dates, options: f.FilterOptions) -> tuple[date | None, date | None]:
    """The chosen window, or (None, None) while it is the full extent of the data."""
    if not dates:
        return None, None
    if isinstance(dates, date):
        dates = (dates,)
    start = dates[0] if len(dates) > 0 else None
    end = dates[1] if len(dates) > 1 else None
    if start == options.date_min and end in (options.date_max, None):
        return None, None
    return start, end


# --------------------------------------------------------------------------------------------
# The active-filters line


def draw_active_filters(current: f.Filters, options: f.FilterOptions) -> None:
    """One removable chip per active filter, and 'Clear all'."""
    chips = current.active()
    full_range = (options.date_min, options.date_max) if options.date_min else ()
    if not chips:
        st.caption("No filters: showing everything. Narrow the view in the sidebar or by "
                   "clicking a place, an actor or a period.")
        return
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.markdown("**Active filters:**")
    for name, value in chips:
        label = f"{FIELD_LABELS[name]}: {chip_text(name, value, options)}"
        row.button(f"{label}  ✕", key=f"chip-{name}-{value}", on_click=remove_filter,
                   args=(name, value, full_range), help="Remove this filter", type="secondary")
    row.button("Clear all", key="chip-clear-all", on_click=clear_filters, args=(full_range,),
               type="primary", icon=":material/filter_alt_off:")


def chip_text(name: str, value: str, options: f.FilterOptions) -> str:
    if name == "actors":
        return options.actors.get(value, value)
    if name == "places":
        return options.places.get(value, value)
    return value


# --------------------------------------------------------------------------------------------
# Named actions (callbacks)


def remove_filter(name: str, value: str, full_range: tuple) -> None:
    key = FIELD_TO_KEY.get(name, name)
    if name == "dates":
        st.session_state["dates"] = full_range
        st.session_state["date_rule"] = f.DATE_RULES[f.OVERLAPS]
    elif name == "text":
        st.session_state["q"] = ""
    elif name == "include_linked":
        st.session_state["linked"] = False
    elif name == "date_rule":
        st.session_state["date_rule"] = f.DATE_RULES[f.OVERLAPS]
    elif name == "grade":
        st.session_state["min_rel"] = st.session_state["min_cred"] = ANY_GRADE
    else:
        st.session_state[key] = [v for v in st.session_state.get(key, []) if v != value]


def clear_filters(full_range: tuple) -> None:
    for key in ("actors", "actor_types", "event_types", "claims", "places"):
        st.session_state[key] = []
    st.session_state["linked"] = False
    st.session_state["q"] = ""
    st.session_state["dates"] = full_range
    st.session_state["date_rule"] = f.DATE_RULES[f.OVERLAPS]
    st.session_state["min_rel"] = st.session_state["min_cred"] = ANY_GRADE


def add_to_filter(key: str, values: list[str]) -> None:
    current = list(st.session_state.get(key, []))
    st.session_state[key] = current + [v for v in values if v not in current]


def set_date_window(start: date, end: date, options: f.FilterOptions | None = None) -> None:
    """Set the date filter, clamped to the dates the data covers."""
    if options and options.date_min:
        start = min(max(start, options.date_min), options.date_max)
        end = min(max(end, options.date_min), options.date_max)
    st.session_state["dates"] = (start, end)
