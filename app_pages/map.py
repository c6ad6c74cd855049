"""Map: events by place, cross-border movements, outlines."""

import streamlit as st

from components.ui import panels, screen
from components.ui.context import page_context

ctx = page_context()
st.title("Map")
panels.map_panel(ctx, height=640, width_px=screen.column_px([1], 0))
panels.event_list_panel(ctx, key="map_events")
