"""Overview: headline counts, then map, network and timeline on one screen."""

import streamlit as st

from components import summary
from components.ui import cards, context, panels, screen

ctx = context.page_context()
title, subtitle = summary.record_title(ctx.dataset)
st.title(title)
if subtitle:
    st.caption(subtitle)
cards.headline_counts(context.view_counts(ctx))

COLUMNS, GAP = [1, 1], "medium"
left, right = st.columns(COLUMNS, gap=GAP)
with left:
    st.subheader("Where")
    panels.map_panel(ctx, height=520, key="overview_map", controls=False,
                     width_px=screen.column_px(COLUMNS, 0, GAP))
with right:
    st.subheader("Who")
    panels.network_panel(ctx, height=600, key="overview_network", controls=False,
                         width_px=520)
st.subheader("When")
panels.timeline_panel(ctx, key="overview_timeline", controls=False, monthly=False)
panels.event_list_panel(ctx, key="overview_events")
