"""The screen the pages are laid out for: 1280x720, as a projector in a briefing room shows
them, with the sidebar open (the Briefing page folds it away: MAIN_FOLDED_PX).

A map's first view is framed on the server, before any browser has said how wide it is: it is
framed for the width its canvas has on this screen, so nothing it frames (a place, its label,
an arc's origin) is cut here; a wider screen shows more around the same places.
tests/browser/test_map_framing.py opens each page with a map at this size and checks.
"""

from __future__ import annotations

import streamlit as st

REFERENCE = (1280, 720)
SIDEBAR_PX = 300  # Streamlit's sidebar, open
MARGINS_PX = 160  # the main area's padding, left and right
MAIN_PX = REFERENCE[0] - SIDEBAR_PX - MARGINS_PX  # 820
MAIN_FOLDED_PX = REFERENCE[0] - MARGINS_PX  # 1120, on a page that folds the sidebar away
GAPS_PX = {"small": 16, "medium": 32, "large": 64}  # between st.columns
SLACK_PX = 8  # borders and rounding of the browser's layout


def column_px(weights: list[float], index: int, gap: str = "medium",
              width_px: int = MAIN_PX) -> int:
    """The width of column `index` of st.columns(weights, gap=gap) in a container
    `width_px` wide (the page's main area unless nested). Streamlit sizes each column as its
    share of the width less an equal share of the gaps (flex-basis: calc(w% - gap (n-1)/n))."""
    share = width_px * weights[index] / sum(weights)
    return int(share - GAPS_PX[gap] * (len(weights) - 1) / len(weights)) - SLACK_PX


# The main area's top padding: room for Streamlit's header (3.75rem, opaque: its menu, the
# sidebar's toggle) and a little air. Streamlit's own 6rem left 96 px blank above every page
# on a 720-pixel screen.
TOP_PADDING_REM = 4.4


def page_styles() -> None:
    """The layout this module describes, as a style sheet of our own (no data in it)."""
    # st.html with nothing but a style sheet takes no room (a markdown element took a gap)
    st.html(f"<style>[data-testid='stMainBlockContainer'] {{padding-top: {TOP_PADDING_REM}rem;}}"
            "</style>")
