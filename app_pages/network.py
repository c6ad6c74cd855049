"""Network: who is linked to whom, by which relation, how sure the record is."""

import streamlit as st

from components.ui import panels
from components.ui.context import page_context

ctx = page_context()
st.title("Network")
panels.network_panel(ctx, height=820, width_px=1150)
