"""Drawing a Vega-Lite spec with its inline data sent as Arrow, converted once per content.

Streamlit converts every inline dataset of a spec to Arrow on every call, even when the chart
is unchanged: on the Overview that was the largest single cost of a rerun. Altair names an
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

CONTENT_NAMED = re.compile(r"data-[0-9a-f]{32}")


def draw(spec: dict, **kwargs):
    """st.vega_lite_chart, with the spec's datasets as Arrow bytes converted once per content."""
    return st.vega_lite_chart(wire_spec(spec), **kwargs)


def wire_spec(spec: dict) -> dict:
    """A shallow copy of the spec whose datasets are Arrow bytes (the spec given
    is left as it is: the downloads still read its rows)."""
    datasets = spec.get("datasets")
    if not datasets:
        return spec
    return {**spec, "datasets": {name: arrow_bytes(content_key(name, rows), rows)
                                 for name, rows in datasets.items()}}


def content_key(name, rows) -> str:
    """The dataset's name when Altair made it from the rows, else a digest of the rows."""
    if CONTENT_NAMED.fullmatch(str(name)):
        return str(name)
    text = json.dumps(rows, sort_keys=True, default=str)
    return "rows-" + hashlib.sha256(text.encode()).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=1024)
def arrow_bytes(key: str, _rows) -> bytes:
    """The rows as Streamlit would convert them, kept by their digest."""
    if isinstance(_rows, bytes):
        return _rows
    return dataframe_util.convert_anything_to_arrow_bytes(_rows)
