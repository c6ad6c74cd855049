"""ProxyLens entry point: page config, the cached data, shared sidebar filters, navigation."""

import streamlit as st

from components.ui import cards, context, sidebar

# an emoji icon: a Material icon would be fetched from the internet, which briefing rooms lack
st.set_page_config(page_title="ProxyLens", page_icon="🕸️", layout="wide")

options = context.filter_options()
current = sidebar.draw_filters(options)

navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/map.py", title="Map", icon=":material/map:", url_path="map"),
        st.Page("pages/network.py", title="Network", icon=":material/hub:", url_path="network"),
        st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:",
                url_path="timeline"),
        st.Page("pages/data.py", title="Data", icon=":material/table_view:", url_path="data"),
    ]
)
cards.problem_banner(context.page_context().result)
sidebar.draw_active_filters(current, options)
navigation.run()
