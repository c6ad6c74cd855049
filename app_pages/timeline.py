"""Timeline: when it unfolded, with the precision the sources give."""

import streamlit as st

from components.ui import panels
from components.ui.context import page_context

ctx = page_context()
st.title("Timeline")
panels.timeline_panel(ctx)
panels.event_list_panel(ctx, key="timeline_events")
