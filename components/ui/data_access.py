"""The cached bridge between the loader and the pages."""

from __future__ import annotations

import streamlit as st

from components import loader


@st.cache_data(show_spinner="Reading the data folder…", max_entries=8)
def _load(folder: str, fingerprint: str) -> loader.LoadResult:
    # fingerprint is only a cache key: it changes whenever a file in the folder changes.
    return loader.load_dataset(folder)


def current_result() -> loader.LoadResult:
    folder = loader.data_folder()
    return _load(str(folder), loader.folder_fingerprint(folder))
