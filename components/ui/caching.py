"""The caches views are kept in, keyed on the data version and the filter value.

Streamlit hashes a dataclass argument through its generic path (a copy as a dict, then field
by field): with a dozen cached views per rerun, making cache keys was an eighth of a warm
Overview rerun (py-spy). The filters are hashed here as the plain tuple Filters.cache_key
gives, in a quarter of the time.
"""

from __future__ import annotations

import streamlit as st

from components.filters import Filters

HASH_FUNCS = {Filters: Filters.cache_key}


def view_data(max_entries: int):
    """st.cache_data for a view builder (a copy per call: the caller may change it)."""
    return st.cache_data(show_spinner=False, max_entries=max_entries, hash_funcs=HASH_FUNCS)


def view_resource(max_entries: int):
    """st.cache_resource for a shared object the callers only read."""
    return st.cache_resource(show_spinner=False, max_entries=max_entries,
                             hash_funcs=HASH_FUNCS)
