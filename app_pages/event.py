"""Event page: every field in plain words, the place on a map, linked actors, sources."""

import streamlit as st

from components import grades, profiles
from components.ui import cards, export_ui, panels, screen
from components.ui.context import event_pool, event_selection, page_context

ctx = page_context()
dataset = event_pool(ctx, [st.query_params.get("event", "")])
event_id = cards.url_choice("event", profiles.event_choices(dataset), "Event",
                            help="Type to search by date, type or place.")
if event_id is None:
    st.title("Event")
    st.info("No events are loaded. The Data page says why.", icon=":material/event:")
    st.stop()

details = profiles.event_details(dataset, event_id)
st.title(profiles.event_heading(details))
chosen_grade = (ctx.filters.min_reliability, ctx.filters.min_credibility)
if profiles.within_grade(dataset.event_rows([event_id]), *chosen_grade).empty:
    st.warning(f"This event is graded below "
               f"{grades.at_least_text(*chosen_grade)}, the sidebar's grade filter: the other "
               "views leave it out.", icon=":material/grade:")
elif event_id not in ctx.selection.holding([event_id]):
    st.warning("This event does not match the sidebar's filters ("
               + "; ".join(export_ui.filter_lines(ctx)) + "): the other views leave it out, "
               "and the list of events to pick from holds only those that match.",
               icon=":material/filter_alt:")
COLUMNS = [3, 2]
left, right = st.columns(COLUMNS, gap="large")
with left:
    st.markdown(cards.fields_markdown(details))
    st.markdown("**Actors**")
    for role, actor_id, name in profiles.event_actor_links(dataset, event_id):
        st.page_link("app_pages/actor.py", label=f"{name} ({role})", query_params={"actor": actor_id},
                     icon=":material/person:")
with right:
    panels.small_map(dataset, event_selection((event_id,)),
                     key="event_map", height=360,
                     width_px=screen.column_px(COLUMNS, 1, "large"),
                     empty_message="The sources give no place for this event, so there is "
                     "nothing to map.")

claims = profiles.claims_about_event(dataset, event_id)
if len(claims):
    st.subheader("Claims about this event")
    names = profiles.claimant_names(dataset)
    for claim in claims.itertuples():
        who = cards.escape(names.get(claim.claimant, claim.claimant))
        st.markdown(f"- **{who}** {cards.escape(claim.stance)}: {cards.escape(claim.statement)}")
    st.page_link("app_pages/claims.py", label="Compare them on the Claims page",
                 icon=":material/gavel:")
