"""The shared filters: drawn once in app.py, kept in the address, read by every page.

Widget keys double as URL query parameter names, so a copied link reopens the same view. The
address carries ids (an actor's or a place's), never display labels, so a link survives a
rename; an old link's labels are still understood where they are unambiguous. The sidebar
writes the address itself after every run (see write_address), rather than binding the widgets
to it, so a value set by a click on a chart is in the address the same run, and a link shared
right after holds it.
Chart clicks change filters through the named actions at the bottom of this module; they run as
callbacks, before the script reruns, which is when Streamlit allows a widget's value to change.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from components import filterdefs, grades
from components import filters as f
from components.contract import VOCABULARIES
from components.ui import address

ANY_GRADE = "any"
DATE_RULE_OF = {words: rule for rule, words in f.DATE_RULES.items()}  # the radio shows the words


FIND_PAGES = {"actor": ("app_pages/actor.py", "actor", ":material/person:"),
              "event": ("app_pages/event.py", "event", ":material/event:"),
              "place": ("app_pages/map.py", "places", ":material/place:")}


def draw_finder(find) -> None:
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
        st.sidebar.page_link(page, label=f"{hit.label} ({hit.kind})", icon=icon,
                             query_params={param: hit.id})


def draw_filters(options: f.FilterOptions) -> f.Filters:
    """Draw every declared filter (components.filterdefs) and return their current value,
    which the address then holds."""
    read_address(options)
    sidebar = st.sidebar
    sidebar.header("Filters")
    for declared in filterdefs.FILTERS:
        DRAWERS[declared.widget](sidebar, declared, options)
    chosen = current_filters(options)
    write_address(chosen, options)
    return chosen


# --------------------------------------------------------------------------------------------
# The address


def read_address(options: f.FilterOptions) -> None:
    """Before the widgets are drawn: a filter whose parameter a link put in the address takes
    the address's value (components.ui.address)."""
    for declared in filterdefs.FILTERS:
        for key in declared.keys:
            values = address.incoming(key)
            if values is not None:
                st.session_state[key] = _from_address(declared, key, values, options)


def write_address(chosen: f.Filters, options: f.FilterOptions) -> None:
    """Put the filters in the address: ids, and nothing for a filter that is not set."""
    for declared in filterdefs.FILTERS:
        for key, values in _to_address(declared, chosen).items():
            address.write(key, values)


def _to_address(declared: filterdefs.FilterDef, chosen: f.Filters) -> dict[str, tuple]:
    if declared.widget == filterdefs.DATE_RANGE:
        if not chosen.dated_window:
            return {declared.keys[0]: ()}
        return {declared.keys[0]: (_iso(chosen.date_from), _iso(chosen.date_to))}
    if declared.widget == filterdefs.GRADE:
        return {key: (value,) if value else ()
                for key, value in zip(declared.keys, (chosen.min_reliability,
                                                      chosen.min_credibility))}
    value = getattr(chosen, declared.fields[0])
    if declared.widget == filterdefs.RADIO:
        value = f.DATE_RULES[value] if value != f.OVERLAPS else ""
    if declared.widget == filterdefs.TOGGLE:
        value = "true" if value else ""
    return {declared.keys[0]: tuple(value) if isinstance(value, tuple) else
            ((value,) if value else ())}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _from_address(declared: filterdefs.FilterDef, key: str, values: tuple[str, ...],
                  options: f.FilterOptions):
    """A widget's value from its parameter's values (as the widget holds it)."""
    first = values[0] if values else ""
    if declared.widget == filterdefs.DATE_RANGE:
        if not (options.date_min and options.date_max):
            return ()
        st.session_state[f"_extent_{key}"] = (options.date_min, options.date_max)
        days = [_parse_day(v) for v in values[:2]]
        start = days[0] if days and days[0] else options.date_min
        end = days[1] if len(days) > 1 and days[1] else options.date_max
        clamp = lambda day: min(max(day, options.date_min), options.date_max)  # noqa: E731
        return (clamp(start), clamp(end))
    if declared.widget == filterdefs.RADIO:
        return f.DATE_RULES.get(first, first) if first in (*f.DATE_RULES, *DATE_RULE_OF) \
            else f.DATE_RULES[f.OVERLAPS]
    if declared.widget == filterdefs.TOGGLE:
        return first.strip().lower() in ("true", "yes", "1", "on")
    if declared.widget == filterdefs.TEXT:
        return first
    if declared.widget == filterdefs.GRADE:
        return first if first else ANY_GRADE
    offered = getattr(options, declared.options)
    if isinstance(offered, dict):
        return list(as_option_values(values, offered))
    return [v for v in values if v in offered]


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _help(declared: filterdefs.FilterDef) -> str | None:
    parts = [declared.help, _terms_help(declared.vocab) if declared.vocab else ""]
    return "\n\n".join(p for p in parts if p) or None


def _draw_date_range(sidebar, declared, options: f.FilterOptions) -> None:
    if options.date_min and options.date_max:
        key = declared.keys[0]
        extent = (options.date_min, options.date_max)
        if st.session_state.get(f"_extent_{key}") not in (None, extent):
            st.session_state.pop(key, None)  # other data, other dates: the window starts over
        st.session_state[f"_extent_{key}"] = extent
        # the whole range until a value is set (by the address or a click): passing both
        # would make Streamlit warn that the value was set twice
        full = {} if key in st.session_state else {"value": (options.date_min,
                                                             options.date_max)}
        sidebar.date_input(declared.title, min_value=options.date_min,
                           max_value=options.date_max, key=key, format="YYYY-MM-DD",
                           help=_help(declared), **full)


def _draw_radio(sidebar, declared, options: f.FilterOptions) -> None:
    if options.date_min and options.date_max:  # the date rule only means something with dates
        sidebar.radio(declared.title, list(f.DATE_RULES.values()), key=declared.keys[0],
                      horizontal=True, help=_help(declared))


def _draw_multiselect(sidebar, declared, options: f.FilterOptions) -> None:
    offered = getattr(options, declared.options)
    key = declared.keys[0]
    help_text = _help(declared)
    if isinstance(offered, dict):  # ids with labels, perhaps too many to list
        choices = listed(offered, getattr(options, f"ranked_{declared.options}"), key)
        if len(offered) > MAX_LISTED:
            help_text = (help_text or "") + (
                f" Lists the {MAX_LISTED:,} named most often (of {len(offered):,}); for any "
                "other, click it on a chart, or find it and follow its link.")
        sidebar.multiselect(declared.title, choices, key=key,
                            format_func=lambda v, labels=offered: labels.get(v, v),
                            placeholder=declared.placeholder, help=help_text)
    else:
        sidebar.multiselect(declared.title, list(offered), key=key,
                            placeholder=declared.placeholder, help=help_text)


def _draw_toggle(sidebar, declared, options: f.FilterOptions) -> None:
    sidebar.toggle(declared.title, key=declared.keys[0],
                   help=_help(declared))


def _draw_text(sidebar, declared, options: f.FilterOptions) -> None:
    sidebar.text_input(declared.title, key=declared.keys[0],
                       placeholder=declared.placeholder, help=_help(declared))


def _draw_grade(sidebar, declared, options: f.FilterOptions) -> None:
    """'At least grade ...': the source's reliability and the information's credibility. The
    options are the letters and numbers themselves, so the address reads `min_rel=B`."""
    reliability_key, credibility_key = declared.keys
    sidebar.markdown(f"**{declared.title}**", help=declared.help)
    left, right = sidebar.columns(2)
    left.selectbox(
        "Source", [ANY_GRADE, *grades.RELIABILITY_LEVELS[:-1]], key=reliability_key,
        help="Admiralty code, source reliability (sources.csv). A record takes the best letter "
        "of the sources it cites.\n\n" + _terms_help("reliability"))
    right.selectbox(
        "Credibility", [ANY_GRADE, *grades.CREDIBILITY_LEVELS[:-1]], key=credibility_key,
        help="Admiralty code, information credibility (the `credibility` column of events "
        "and relations; empty counts as 6).\n\n" + _terms_help("credibility"))


DRAWERS = {filterdefs.DATE_RANGE: _draw_date_range, filterdefs.RADIO: _draw_radio,
           filterdefs.MULTISELECT: _draw_multiselect, filterdefs.TOGGLE: _draw_toggle,
           filterdefs.TEXT: _draw_text, filterdefs.GRADE: _draw_grade}


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
    values = {}
    for declared in filterdefs.FILTERS:
        values.update(READERS[declared.widget](declared, state, options))
    return f.Filters(**values)


def _read_date_range(declared, state, options) -> dict:
    date_from, date_to = _date_window(state.get(declared.keys[0]), options)
    return {"date_from": date_from, "date_to": date_to}


def _read_radio(declared, state, options) -> dict:
    return {declared.fields[0]: DATE_RULE_OF.get(state.get(declared.keys[0]), f.OVERLAPS)}


def _read_multiselect(declared, state, options) -> dict:
    offered = getattr(options, declared.options)
    chosen = state.get(declared.keys[0])
    if isinstance(offered, dict):
        return {declared.fields[0]: as_option_values(chosen, offered)}
    return {declared.fields[0]: tuple(v for v in (chosen or []) if v in offered)}


def _read_toggle(declared, state, options) -> dict:
    return {declared.fields[0]: bool(state.get(declared.keys[0], False))}


def _read_text(declared, state, options) -> dict:
    return {declared.fields[0]: (state.get(declared.keys[0]) or "").strip()}


def _read_grade(declared, state, options) -> dict:
    reliability_key, credibility_key = declared.keys
    return {"min_reliability": _level(state.get(reliability_key), grades.RELIABILITY_LEVELS),
            "min_credibility": _level(state.get(credibility_key), grades.CREDIBILITY_LEVELS)}


READERS = {filterdefs.DATE_RANGE: _read_date_range, filterdefs.RADIO: _read_radio,
           filterdefs.MULTISELECT: _read_multiselect, filterdefs.TOGGLE: _read_toggle,
           filterdefs.TEXT: _read_text, filterdefs.GRADE: _read_grade}


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
        label = chip_label(name, value, options)
        row.button(f"{label}  ✕", key=f"chip-{name}-{value}", on_click=remove_filter,
                   args=(name, value, full_range), help="Remove this filter", type="secondary")
    row.button("Clear all", key="chip-clear-all", on_click=clear_filters, args=(full_range,),
               type="primary", icon=":material/filter_alt_off:")


def chip_label(name: str, value: str, options: f.FilterOptions | None) -> str:
    """'Actor: Badr Organization': the declaration's label and its chip text."""
    declared = filterdefs.BY_NAME[name]
    return f"{declared.label}: {declared.chip_text(value, options)}"


# --------------------------------------------------------------------------------------------
# Named actions (callbacks)


def remove_filter(name: str, value: str, full_range: tuple) -> None:
    """Remove one chip: a value from a list, or the whole filter (and those it also clears)."""
    declared = filterdefs.BY_NAME[name]
    current = st.session_state.get(declared.keys[0])
    if declared.widget == filterdefs.MULTISELECT:
        st.session_state[declared.keys[0]] = [v for v in current or [] if v != value]
        return
    _reset(declared, full_range)
    for other in declared.also_clears:
        _reset(filterdefs.BY_NAME[other], full_range)


def clear_filters(full_range: tuple) -> None:
    for declared in filterdefs.FILTERS:
        _reset(declared, full_range)


def _reset(declared: filterdefs.FilterDef, full_range: tuple) -> None:
    """Put a filter's widgets back to their unfiltered value."""
    empty = {filterdefs.DATE_RANGE: full_range, filterdefs.RADIO: f.DATE_RULES[f.OVERLAPS],
             filterdefs.MULTISELECT: [], filterdefs.TOGGLE: False, filterdefs.TEXT: "",
             filterdefs.GRADE: ANY_GRADE}[declared.widget]
    for key in declared.keys:
        st.session_state[key] = empty


def add_to_filter(key: str, values: list[str]) -> None:
    current = list(st.session_state.get(key, []))
    st.session_state[key] = current + [v for v in values if v not in current]


def set_date_window(start: date, end: date, options: f.FilterOptions | None = None) -> None:
    """Set the date filter, clamped to the dates the data covers."""
    if options and options.date_min:
        start = min(max(start, options.date_min), options.date_max)
        end = min(max(end, options.date_min), options.date_max)
    st.session_state["dates"] = (start, end)
