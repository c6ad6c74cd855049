"""Small display pieces shared by pages: banners, counts, problem tables."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from components import grades, loader
from components.wording import counted
from components.ui import address


def problem_banner(result: loader.LoadResult) -> None:
    """A short banner on every page when a file cannot be used or has warnings."""
    fallback = [f for f in result.files if f.status.startswith("unusable: last good")]
    for report in fallback:
        first = next((p.sentence() for p in result.errors if p.file == report.filename), "")
        st.error(f"**{report.filename}** has a problem, so its last good version is shown until "
                 f"it is fixed. {first}. The Data page lists every problem.",
                 icon=":material/history:")
    unusable = [f for f in result.files if f.status in ("unusable", "missing")]
    if unusable:
        names = ", ".join(f.filename for f in unusable)
        first = result.errors[0].sentence() if result.errors else ""
        st.error(
            f"**{names}** could not be used, so {'it is' if len(unusable) == 1 else 'they are'} "
            f"shown empty. First problem: {first}. The Data page lists every problem.",
            icon=":material/error:",
        )
    elif result.warnings and not fallback:
        st.warning(
            f"The data loaded with {counted(len(result.warnings), 'warning')}; see the Data page.",
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


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape(text) -> str:
    """Data text shown literally inside markdown: no links, images, HTML or emphasis from data."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def fields_markdown(fields: dict[str, str]) -> str:
    return "\n\n".join(f"**{label}:** {escape(value)}" for label, value in fields.items())


def url_choice(param: str, options: dict[str, str], label: str, default: str | None = None,
               **kwargs) -> str | None:
    """A selectbox whose value is the URL parameter `param` (an id), so links can open it."""
    if not options:
        return None
    ids = list(options)
    key = f"choose_{param}"
    wanted = (address.incoming(param) or (None,))[-1]
    if wanted in options:
        st.session_state[key] = wanted
    elif st.session_state.get(key) not in options:
        st.session_state[key] = default if default in options else ids[0]
    choice = st.selectbox(label, ids, format_func=lambda i: options.get(i, i), key=key,
                          on_change=lambda: address.write(param, (st.session_state[key],)),
                          **kwargs)
    address.write(param, (choice,))
    return choice


def read_address_value(key: str, allowed) -> None:
    """Before the widget keyed `key` is drawn: the address's value when a link set it."""
    wanted = (address.incoming(key) or (None,))[-1]
    if wanted in allowed:
        st.session_state[key] = wanted


def write_address_value(key: str, value: str, default: str) -> None:
    """Keep a widget's value in the address (left out while it is the default)."""
    address.write(key, () if value == default else (value,))



PAGE_ROWS = 1000


def paged_table(frame: pd.DataFrame, key: str, prepare=lambda part: part,
                page_rows: int = PAGE_ROWS, **table) -> None:
    """A table sent a page at a time: a million rows never travel to the browser at once.
    `prepare` turns the page's rows into what is shown; `table` goes to st.dataframe."""
    paged_rows(len(frame), lambda start, stop: frame.iloc[start:stop], key, prepare,
               page_rows, **table)


def paged_rows(total: int, rows, key: str, prepare=lambda part: part,
               page_rows: int = PAGE_ROWS, **table) -> None:
    """paged_table for rows fetched a page at a time: rows(start, stop) -> a frame, or the
    Arrow table st.dataframe would have made of it."""
    pages = max(1, -(-total // page_rows))
    page = 1
    if pages > 1:
        page = st.number_input(f"Page (of {pages:,}, {page_rows:,} rows each)", 1, pages, 1,
                               key=key)
    start = (page - 1) * page_rows
    st.dataframe(prepare(rows(start, start + page_rows)), hide_index=True, width="stretch",
                 **table)
    if pages > 1:
        st.caption(f"Rows {start + 1:,} to {min(start + page_rows, total):,} of {total:,}.")


def grade_hidden_note(hidden: int, noun: str, filters) -> None:
    """Say how many rows the sidebar's grade filter hides from a list."""
    if hidden > 0:
        st.caption(f"{counted(hidden, noun)} graded below "
                   f"{grades.at_least_text(filters.min_reliability, filters.min_credibility)} "
                   "hidden, as the sidebar's grade filter asks.")
