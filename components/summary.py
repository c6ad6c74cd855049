"""Headline figures and display-ready copies of the loaded tables. No Streamlit import."""

from __future__ import annotations

import pandas as pd

from components import filters, loader

TABLE_LABELS = {
    "events": "Events",
    "actors": "Actors",
    "relations": "Relations",
    "locations": "Places",
    "sources": "Sources",
    "periods": "Periods",
    "claims": "Claims",
    "briefing": "Briefing",
}


def table_counts(dataset: loader.Dataset) -> dict[str, int]:
    return {label: len(dataset.table(name)) for name, label in TABLE_LABELS.items()
            if name not in ("periods", "claims", "briefing")}


def coverage_sentence(dataset: loader.Dataset) -> str:
    events = dataset.events
    dated = events.dropna(subset=["span_start"])
    if dated.empty:
        return "No dated events are loaded."
    first, last = dated["span_start"].min(), dated["span_end"].max()
    by_precision = events["time_precision"].value_counts()
    parts = [f"{by_precision.get(p, 0)} to the {p}" for p in ("day", "month", "year")]
    unplaced = int((events["location"] == "").sum())
    return (
        f"Events run from **{first:%B %Y}** to **{last:%B %Y}**; their dates are known "
        f"{', '.join(parts)}. {unplaced} event(s) have no place and are left off the map."
    )


def display_table(dataset: loader.Dataset, name: str) -> pd.DataFrame:
    """The table as a person reads it: lists joined, helper columns dropped."""
    return display_rows(dataset.table(name), name)


def display_rows(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """display_table for some rows only (a page of a large table)."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object and frame[column].map(lambda v: isinstance(v, tuple)).any():
            frame[column] = frame[column].map(lambda v: "; ".join(v) if isinstance(v, tuple) else v)
    helper = set(loader.DERIVED_COLUMNS.get(name, {})) | {loader.ROW}
    return frame[[c for c in frame.columns if c not in helper]]
