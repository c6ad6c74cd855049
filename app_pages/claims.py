"""Claims: who asserts, denies, doubts or qualifies what, side by side, with sources."""

import streamlit as st

from components import grades, profiles
from components.wording import agreeing, counted
from components.ui import cards
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
        columns = st.columns(len(profiles.STANCE_COLUMNS), gap="medium")
        for column, (title, stances) in zip(columns, profiles.STANCE_COLUMNS.items()):
            column.markdown(f"**{title}**")
            shown = group[group["stance"].isin(stances)]
            if shown.empty:
                column.caption("No claim recorded.")
            for claim in shown.itertuples():
                card = column.container(border=True)
                who = cards.escape(claim.claimant_name)
                card.markdown(f"**{who}** · {cards.escape(claim.stance)} · "
                              f"{cards.escape(claim.when)}")
                card.markdown(cards.escape(claim.statement))
                card.caption(cards.escape(claim.cited))
                if claim.claimant_kind == "actor" and claim.claimant in names:
                    # the name heads the card: a label that repeats it was cut mid-word in
                    # a third of the page's width
                    card.page_link("app_pages/actor.py", label="Profile",
                                   icon=":material/person:",
                                   help=f"{claim.claimant_name}: relations, events and sources",
                                   query_params={"actor": claim.claimant})
