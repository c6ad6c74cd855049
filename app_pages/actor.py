"""Actor page: profile, ego network, relations, events on a map and a timeline, sources."""

import streamlit as st

from components import profiles, selection
from components.wording import counted
from components.ui import cards, panels, screen
from components.ui.context import actor_events, page_context

MAP_BESIDE_TIMELINE = [2, 3]  # the actor's places, then its timeline

ctx = page_context()
dataset = ctx.dataset
actor_id = cards.url_choice("actor", ctx.options.actors, "Actor", default="irgc-qf",
                            help="Type to search. The page's address carries the actor, so a "
                            "link opens it directly.")
if actor_id is None:
    st.title("Actor")
    st.info("No actors are loaded. The Data page says why.", icon=":material/person:")
    st.stop()

profile = profiles.actor_profile(dataset, actor_id)
st.title(profile["Name"])
st.page_link("app_pages/overview.py", label="Filter every view to this actor",
             query_params={"actors": actor_id},
             icon=":material/filter_alt:")
graded = (ctx.filters.min_reliability, ctx.filters.min_credibility)
left, right = st.columns([2, 3], gap="large")
with left:
    st.markdown(cards.fields_markdown({k: v for k, v in profile.items() if k != "Name"}))
with right:
    hops = st.segmented_control("Ego network", [1, 2], default=1, key="hops",
                                format_func=lambda h: counted(h, "hop"),
                                required=True) or 1
    panels.ego_network(actor_id, hops, key="ego", grade=graded)

st.subheader("Relations")
every_relation = profiles.actor_relations_table(dataset, actor_id)
table = profiles.within_grade(every_relation, *graded)
cards.grade_hidden_note(len(every_relation) - len(table), "relation", ctx.filters)
if every_relation.empty:
    st.info("The data records no relation for this actor.")
elif not table.empty:
    st.dataframe(table.drop(columns=["other_id", "relation_id", "type"]), hide_index=True,
                 width="stretch")

named = actor_events(actor_id, *graded)
events = named.listed_events(selection.LISTED_ROWS).head(profiles.EVENT_LINKS)
total = named.facts["events"]
every_event = actor_events(actor_id).facts["events"] if any(graded) else total
st.subheader(f"Events ({total:,})" if total == len(events) else
             f"Events (the first {len(events):,} of {total:,}, in date order)")
cards.grade_hidden_note(every_event - total, "event", ctx.filters)
if every_event == 0:
    st.info("No event in the data names this actor.")
elif not events.empty:
    where, when = st.columns(MAP_BESIDE_TIMELINE, gap="medium")
    with where:
        panels.small_map(dataset, named, key="actor_map",
                         width_px=screen.column_px(MAP_BESIDE_TIMELINE, 0, "medium"))
    with when:
        panels.small_timeline(dataset, named, key="actor_timeline",
                              width_px=screen.column_px(MAP_BESIDE_TIMELINE, 1, "medium"))
    for row in events.itertuples():
        st.page_link("app_pages/event.py", label=profiles.event_label(row._asdict()),
                     query_params={"event": row.event_id}, icon=":material/event:")
    if total > len(events):
        st.page_link("app_pages/timeline.py", label="Every event of this actor on the Timeline",
                     query_params={"actors": actor_id}, icon=":material/timeline:")

claims = profiles.claims_by(dataset, actor_id)
if len(claims):
    st.subheader("Claims this actor makes")
    for claim in claims.itertuples():
        st.markdown(f"**{cards.escape(claim.stance)}** that {cards.escape(claim.subject)}: "
                    f"{cards.escape(claim.statement)}")
    st.page_link("app_pages/claims.py", label="See the competing claims", icon=":material/gavel:")

st.subheader("Sources that mention it")
st.dataframe(profiles.actor_sources(dataset, actor_id, actor_events(actor_id).citations()),
             hide_index=True, width="stretch")
