"""Compare: two date windows side by side: counts, relations gained and lost, places, time."""

import streamlit as st

from components.ui import compare_ui, screen
from components.ui.context import page_context

ctx = page_context()
st.title("Compare two periods")
a, b = compare_ui.window_controls(ctx)
if a is None or compare_ui.same_windows(a, b):
    st.stop()
compare_ui.date_rule_caption(ctx)
compare_ui.headline(ctx, a, b)

st.subheader("Who: relations gained, lost and kept")
compare_ui.change_network(ctx, a, b, key="compare_network", width_px=1150, height=600)
compare_ui.change_list(ctx, a, b, key="compare_changes")

st.subheader("Where: events per place")
compare_ui.change_map(ctx, a, b, key="compare_map", height=520,
                      width_px=screen.column_px([1], 0))

st.subheader("When")
compare_ui.windows_timeline(ctx, a, b, key="compare_timeline")
