"""Claims: who asserts, denies, doubts or qualifies what, side by side, with sources."""

import streamlit as st

from components import grades, profiles
from components.wording import agreeing, counted
from components.ui import cards, claims_ui
from components.ui.context import claims_in_view, page_context

ctx = page_context()
dataset = ctx.dataset
st.title("Contested claims")
st.caption("Competing claims about the same subject, side by side. Subjects where one party "
           "asserts and another denies or doubts come first. Every source is shown with its "
           "reliability (see Help).")
if dataset.claims.empty:
    st.info("This data folder has no claims.csv, so there are no claims to compare. "
            "data/README.md describes the file.", icon=":material/gavel:")
    st.stop()

query = st.text_input("Filter claims by words", key="claims_q", bind="query-params",
                      placeholder="e.g. EFP, Karbala, Dubik")
in_view, statements_hidden = claims_in_view(ctx)
groups = profiles.claims_by_subject(dataset, query or "", in_view)
if ctx.filters.active():
    st.caption("Narrowed by the sidebar's filters to claims about the matching events and the "
               "relations the network draws." + (
                   f" {counted(statements_hidden, 'claim')} about statements with no single "
                   f"record {agreeing(statements_hidden, 'is', 'are')} shown only without "
                   "filters." if statements_hidden else ""))
if not groups:
    st.info("No claim matches these words and filters.", icon=":material/gavel:")
names = ctx.options.actors
graded = [(subject, group, profiles.claim_subject_grade(dataset, group.iloc[0]["subject_type"],
                                                        group.iloc[0]["subject_id"]))
          for subject, group in groups]


for subject, group, subject_grade in graded:
    with st.container(border=True):
        st.subheader(cards.escape(subject))
        if subject_grade:
            st.caption(f"The record itself is graded {grades.grade_words(subject_grade)}.")
        first = group.iloc[0]
        link = profiles.claim_subject_link(dataset, first["subject_type"], first["subject_id"])
        if link and link[0] == "event":
            st.page_link("app_pages/event.py", label=link[2], query_params={"event": link[1]},
                         icon=":material/event:")
        elif link:
            st.page_link("app_pages/actor.py", label=link[2], query_params={"actor": link[1]},
                         icon=":material/hub:")
        claims_ui.subject_claims(group, names)
