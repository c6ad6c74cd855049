"""Drawing a Vega-Lite spec with its inline data sent as Arrow, converted once per content.

Streamlit converts every inline dataset of a spec to Arrow on every call, even when the chart
is unchanged: 14% of a warm Overview rerun (py-spy), one of its largest costs. Altair names an
inline dataset after a digest of its rows ("data-" and 32 hex digits), so the converted bytes
can be kept by that name (other datasets, named by hand, by a digest taken here) and handed to
Streamlit, which sends bytes as they are.
"""

from __future__ import annotations

import hashlib
import json
import re

import streamlit as st
from streamlit import dataframe_util

from components.ui import caching

CONTENT_NAMED = re.compile(r"data-[0-9a-f]{32}")


def draw(spec: dict, **kwargs):
    """st.vega_lite_chart, with the spec's datasets as Arrow bytes converted once per content."""
    return st.vega_lite_chart(wire_spec(spec), **kwargs)


def wire_spec(spec: dict) -> dict:
    """A shallow copy of the spec whose tables of rows are Arrow bytes (the spec given is left
    as it is: the downloads still read its rows). Geographic data stays in the spec, as
    Streamlit leaves it for Vega-Lite to read; rows that are not plain JSON are left for
    Streamlit to convert, as before."""
    datasets = spec.get("datasets")
    if not datasets:
        return spec
    wired = {}
    for name, rows in datasets.items():
        key = content_key(name, rows) if is_table(rows) else None
        wired[name] = arrow_bytes(key, rows) if key else rows
    return {**spec, "datasets": wired}


def is_table(rows) -> bool:
    """A list of records, not GeoJSON features (whose first record says it is one)."""
    return (isinstance(rows, list) and bool(rows) and isinstance(rows[0], dict)
            and rows[0].get("type") != "Feature")


def content_key(name, rows) -> str | None:
    """The dataset's name when Altair made it from the rows, else a digest of the rows; None
    when the rows are not plain JSON (a digest of their text could not tell them apart)."""
    if CONTENT_NAMED.fullmatch(str(name)):
        return str(name)
    try:
        text = json.dumps(rows, sort_keys=True, allow_nan=True)
    except TypeError:
        return None
    return "rows-" + hashlib.sha256(text.encode()).hexdigest()


# a view's datasets are a few kB to half a MB; the view caches feeding them keep 64 views each
@caching.view_resource(256)
def arrow_bytes(key: str, _rows: list) -> bytes:
    """The rows as Streamlit would convert them, kept by their digest."""
    return dataframe_util.convert_anything_to_arrow_bytes(_rows)
