"""The page's address (its query parameters) as the app keeps it: one place that reads what a
link put there and writes what the widgets hold.

A value in the address is taken up by a widget only when it differs from what this session
last wrote there: a link was followed or an address opened. Otherwise the widget's own value
stands, and is written back after the widget is drawn. A key the address lacks changes
nothing (moving to another page drops parameters; the choices stay as they were).
"""

from __future__ import annotations

import streamlit as st

WRITTEN = "_address_written"  # key -> the values this session last wrote to the address


def incoming(key: str) -> tuple[str, ...] | None:
    """The address's values for `key` when a link put them there, else None."""
    if key not in st.query_params:
        return None
    values = tuple(st.query_params.get_all(key))
    if st.session_state.get(WRITTEN, {}).get(key) == values:
        return None
    return values


def write(key: str, values: tuple[str, ...]) -> None:
    """Put these values in the address (none: the key is left out), and remember them as this
    session's own."""
    values = tuple(values)
    if values:
        if tuple(st.query_params.get_all(key)) != values:
            st.query_params[key] = list(values)
    elif key in st.query_params:
        del st.query_params[key]
    st.session_state.setdefault(WRITTEN, {})[key] = values
