"""The Claims page's pieces: one subject's competing claims, side by side."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import profiles
from components.ui import cards

# a subject whose claims all take one stance lays them out up to this many across (one alone
# takes the width): each in a third of the page beside two empty columns, the page ran to
# 17,600 pixels for 19 subjects at 1280x720 (now 15,200)
ACROSS = 3


def subject_claims(group: pd.DataFrame, actor_names: dict) -> None:
    """The claims about one subject: a column per stance (asserts, denies or doubts,
    qualifies) when they disagree; when they all take one stance, that stance's cards across
    the width, with a line saying what no claim does."""
    present = profiles.stances_present(group)
    if len(present) == 1:
        title = present[0]
        st.markdown(f"**{title}**")
        st.caption(profiles.unopposed_sentence(present))
        shown = list(group.itertuples())
        columns = st.columns(min(ACROSS, len(shown)), gap="medium")
        for i, claim in enumerate(shown):
            claim_card(columns[i % len(columns)], claim, actor_names)
        return
    columns = st.columns(len(profiles.STANCE_COLUMNS), gap="medium")
    for column, (title, stances) in zip(columns, profiles.STANCE_COLUMNS.items()):
        column.markdown(f"**{title}**")
        shown = group[group["stance"].isin(stances)]
        if shown.empty:
            column.caption("No claim recorded.")
        for claim in shown.itertuples():
            claim_card(column, claim, actor_names)


def claim_card(column, claim, actor_names: dict) -> None:
    card = column.container(border=True)
    who = cards.escape(claim.claimant_name)
    card.markdown(f"**{who}** · {cards.escape(claim.stance)} · {cards.escape(claim.when)}")
    card.markdown(cards.escape(claim.statement))
    card.caption(cards.escape(claim.cited))
    if claim.claimant_kind == "actor" and claim.claimant in actor_names:
        # the name heads the card: a label that repeats it was cut mid-word in a third of the
        # page's width
        card.page_link("app_pages/actor.py", label="Profile", icon=":material/person:",
                       help=f"{claim.claimant_name}: relations, events and sources",
                       query_params={"actor": claim.claimant})
