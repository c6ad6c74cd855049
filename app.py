"""ProxyLens entry point: page config, the cached data, shared sidebar filters, navigation."""

import streamlit as st

from components.ui import cards, context, data_access, export_ui, panels, screen, sidebar, turns

# an emoji icon: a Material icon would be fetched from the internet, which briefing rooms lack
st.set_page_config(page_title="ProxyLens", page_icon="🕸️", layout="wide")
screen.page_styles()  # first, so a page that stops early (preparing, an error) has it too

navigation = st.navigation(
    [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("app_pages/map.py", title="Map", icon=":material/map:", url_path="map"),
        st.Page("app_pages/network.py", title="Network", icon=":material/hub:", url_path="network"),
        st.Page("app_pages/flows.py", title="Flows", icon=":material/account_tree:",
                url_path="flows"),
        st.Page("app_pages/timeline.py", title="Timeline", icon=":material/timeline:",
                url_path="timeline"),
        st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:",
                url_path="compare"),
        st.Page("app_pages/actor.py", title="Actor", icon=":material/person:", url_path="actor"),
        st.Page("app_pages/event.py", title="Event", icon=":material/event:", url_path="event"),
        st.Page("app_pages/claims.py", title="Claims", icon=":material/gavel:", url_path="claims"),
        st.Page("app_pages/briefing.py", title="Briefing", icon=":material/slideshow:",
                url_path="briefing"),
        st.Page("app_pages/data.py", title="Data", icon=":material/table_view:", url_path="data"),
        st.Page("app_pages/help.py", title="Help", icon=":material/help:", url_path="help"),
    ]
)
# the shared sidebar is drawn after st.navigation (its links need the pages) and before run()
with turns.turn():  # one session's script at a time, for a moment (components/ui/turns.py)
    data_access.follow_upload_link()  # a reload keeps the session's uploaded data
    data_access.prepare_events()  # millions of new events: prepared once, with a progress bar
    options = context.filter_options()
    sidebar.draw_finder(context.find)
    current = sidebar.draw_filters(options)
    ctx = context.page_context()
    cards.problem_banner(ctx.result)
    share = None
    if navigation.url_path not in ("help", "briefing"):  # a briefing step sets its own filters
        share = panels.page_bar(ctx, current, options, navigation.title)
    try:
        navigation.run()
    finally:  # also when a page stops early: its own choices are in the address by now
        if share is not None:
            export_ui.fill_share_link(share)
