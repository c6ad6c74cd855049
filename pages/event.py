"""Event page: every field in plain words, the place on a map, linked actors, sources."""

import streamlit as st

from components import profiles
from components.ui import cards, panels
from components.ui.context import page_context

ctx = page_context()
dataset = ctx.dataset
events = dataset.events.sort_values("span_start")
labels = {row.event_id: f"{row.event_id} · {profiles.event_label(row._asdict())}"
          for row in events.itertuples()}
event_id = cards.url_choice("event", labels, "Event", help="Type to search by date, type or place.")
if event_id is None:
    st.title("Event")
    st.info("No events are loaded. The Data page says why.", icon=":material/event:")
    st.stop()

details = profiles.event_details(dataset, event_id)
row = dataset.events.set_index("event_id").loc[event_id]
st.title(f"{row['event_type'].capitalize()}, {details['When'].split(': ', 1)[1]}")
left, right = st.columns([3, 2], gap="large")
with left:
    st.markdown(cards.fields_markdown(details))
    st.markdown("**Actors**")
    for role, actor_id, name in profiles.event_actor_links(dataset, event_id):
        st.page_link("pages/actor.py", label=f"{name} ({role})", query_params={"actor": actor_id},
                     icon=":material/person:")
with right:
    panels.small_map(dataset, dataset.events[dataset.events["event_id"] == event_id],
                     key="event_map", height=360, width_px=520,
                     empty_message="The sources give no place for this event, so there is "
                     "nothing to map.")

claims = dataset.claims[(dataset.claims["subject_type"] == "event")
                        & (dataset.claims["subject_id"] == event_id)] if len(dataset.claims) else []
if len(claims):
    st.subheader("Claims about this event")
    names = {**dict(zip(dataset.sources["source_id"], dataset.sources["title"])),
             **ctx.options.actors}
    for claim in claims.itertuples():
        who = cards.escape(names.get(claim.claimant, claim.claimant))
        st.markdown(f"- **{who}** {cards.escape(claim.stance)}: {cards.escape(claim.statement)}")
    st.page_link("pages/claims.py", label="Compare them on the Claims page",
                 icon=":material/gavel:")
