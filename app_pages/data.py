"""Data page: what was loaded and every problem in it; swap files in, restore old versions."""

from functools import partial

import streamlit as st

from components import evidence, exports, selection, summary
from components.ui import cards, data_access, data_ui
from components.ui.context import page_context

result = page_context().result
dataset = result.dataset

st.title("Data")
data_ui.session_banner()
data_ui.saved_notice()
st.caption(f"Data folder: `{dataset.folder}`")
st.caption(f"Queries run on {dataset.event_store.engine_text}.")
cards.headline_counts(summary.table_counts(dataset))
st.markdown(summary.coverage_sentence(dataset))
if dataset.event_store.prepared:
    st.caption("The events are many, so they are kept in a DuckDB database prepared once for "
               "this version of the file (the views ask it for counts; lists and exports hold "
               f"the first {selection.LISTED_ROWS:,} matching events). The Help page says more.")

st.subheader("Files")
st.markdown(f"**Data version: `{evidence.data_version(result.files)}`**")
st.caption("Exports, evidence packs and saved briefings name this version. It is a digest of "
           "the fingerprints below (each the SHA-256 of a file's bytes), the briefing files "
           "left out, and changes when a file's content changes, not when a file is only "
           "touched.")
st.dataframe(cards.files_table(result), hide_index=True, width="stretch")

st.subheader("Validation report")
problems = result.problems_frame()
if problems.empty:
    st.success("Every file passed every check.", icon=":material/check_circle:")
else:
    st.dataframe(problems, hide_index=True, width="stretch")
    st.download_button(
        "Download the report as CSV",
        exports.csv_bytes(problems),  # formulas neutralised, as in every export
        file_name="proxylens-validation-report.csv",
        mime="text/csv",
    )

data_ui.swap_in(result)
data_ui.history(data_access.shared_folder())
data_ui.templates()

st.subheader("Tables")
tabs = st.tabs([name for name in summary.TABLE_LABELS.values()])
for tab, name in zip(tabs, summary.TABLE_LABELS):
    with tab:
        cards.paged_rows(dataset.rows_in(name), partial(dataset.file_rows, name), key=f"page-{name}",
                         prepare=lambda part, name=name: summary.display_rows(part, name))
