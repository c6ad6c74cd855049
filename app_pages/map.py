"""Map: events by place, cross-border movements, outlines."""

import streamlit as st

from components.ui import panels
from components.ui.context import page_context

ctx = page_context()
st.title("Map")
panels.map_panel(ctx, height=640, width_px=1150)
panels.event_list_panel(ctx, key="map_events")
