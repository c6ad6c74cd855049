"""Briefing: step through a story on a projector; build and save the steps in the app."""

import streamlit as st

from components.ui import briefing_ui, evidence_ui
from components.ui.context import page_context

ctx = page_context()
st.set_page_config(initial_sidebar_state="collapsed")
briefing_ui.presenter_styles()

row = briefing_ui.controls_row()
_, saved_steps = briefing_ui.choose_briefing(ctx, row)
steps = briefing_ui.draft_steps(saved_steps)
if not steps:
    st.title("Briefing")
    st.info("This data folder has no briefing yet. Open *Build or edit the briefing* below to "
            "add the current view as a first step.", icon=":material/slideshow:")
else:
    number = briefing_ui.step_from_url(len(steps))
    step = steps[number - 1]
    briefing_ui.presenter_controls(number, len(steps), row)
    check = evidence_ui.data_check(ctx, steps)  # the data the steps were saved against
    briefing_ui.show_step(ctx, step, number, len(steps), check)
    evidence_ui.data_check_notice(check)
    briefing_ui.briefing_exports(ctx, steps)

briefing_ui.editor(ctx, steps)
