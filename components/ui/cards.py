"""Small display pieces shared by pages: banners, counts, problem tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import loader


def problem_banner(result: loader.LoadResult) -> None:
    """A short banner on every page when a file cannot be used or has warnings."""
    unusable = [f for f in result.files if f.status in ("unusable", "missing")]
    if unusable:
        names = ", ".join(f.filename for f in unusable)
        first = result.errors[0].sentence() if result.errors else ""
        st.error(
            f"**{names}** could not be used, so {'it is' if len(unusable) == 1 else 'they are'} "
            f"shown empty. First problem: {first}. The Data page lists every problem.",
            icon=":material/error:",
        )
    elif result.warnings:
        st.warning(
            f"The data loaded with {len(result.warnings)} warning(s); see the Data page.",
            icon=":material/warning:",
        )


def files_table(result: loader.LoadResult) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": [f.filename for f in result.files],
            "status": [f.status for f in result.files],
            "rows": [f.rows for f in result.files],
            "last change": [f.modified for f in result.files],
            "fingerprint": [f.fingerprint for f in result.files],
        }
    )


def headline_counts(counts: dict[str, int]) -> None:
    columns = st.columns(len(counts))
    for column, (label, value) in zip(columns, counts.items()):
        column.metric(label, f"{value:,}")
