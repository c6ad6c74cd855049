"""Flows: how support passes from a patron through intermediaries to the proxies, and on to
whom they target."""

import streamlit as st

from components.ui import flows_panel
from components.ui.context import page_context

ctx = page_context()
st.title("Support flows")
flows_panel.flows_panel(ctx, height=680)
