"""Help: how to read ProxyLens — dates, places, claims, sources, the network over time."""

import streamlit as st

from components.contract import VOCABULARIES
from components.ui.context import page_context

page_context()
st.title("How to read ProxyLens")


def terms(vocab: str) -> str:
    return "\n".join(f"- **{term}**: {meaning}" for term, meaning in VOCABULARIES[vocab].items())


st.subheader("Dates and the date filter")
st.markdown(
    "Each event keeps the precision its source gives: a day, a month or only a year. An event "
    "known only to a month or a year is drawn as a bar across that whole month or year, never as "
    "a point on a day the source does not give. Where the sources disagree on a date, or a day "
    "was filled from the public record, a note in brackets follows the date wherever it is "
    "shown.\n\n"
    "The date range is read by one of two **date rules**, chosen under it in the sidebar:\n\n"
    "- **Possibly in the window** (the default): an event matches when the day, month or year "
    "its source gives overlaps the range (for a period, from its start to its end). An event "
    "known only to 2005 matches any range that touches 2005. A relation is drawn when its "
    "period overlaps the range. Where the sources leave its start or end blank, it is "
    "bounded by when the groups, states or forces it names existed (their dates in "
    "actors.csv): one with no dates at all is drawn wherever they existed, because nothing "
    "says when it held, but it cannot have held before a group existed or after it ceased. A "
    "person's dates mark a role in this story (Daqduq's as Hezbollah's man in Iraq) and bound "
    "nothing.\n"
    "- **Certainly in the window**: an event or relation matches only when its whole span lies "
    "inside the range. An event known only to 2005 matches 2005-01-01 to 2005-12-31 but not "
    "June to December 2005; a relation without a start (or an end) is left out of a range "
    "that has a start (or an end).\n\n"
    "Events the sources give no date for are left out of any date range. Without a range they "
    "are in the tables, on the map, in the network and in search, and the timeline says how "
    "many it leaves off. The monthly chart counts only events known at least to the month.")
st.subheader("Places")
st.markdown("Filled circles are events at a named place; rings are events the sources place "
            "only in a province, region or country, drawn at its centre.\n\n" + terms("geo_precision"))
st.subheader("Claim status")
st.markdown(terms("claim_status"))
st.subheader("Grades: source reliability and credibility")
st.markdown("Every event and relation is graded on the scale intelligence analysts use (the "
            "Admiralty code), for example **B2**. The letter rates the source: a record takes "
            "the best letter of the sources it cites.\n\n" + terms("reliability")
            + "\n\nThe number rates the information itself, read against everything else the "
            "sources say (an empty credibility counts as 6):\n\n" + terms("credibility")
            + "\n\nThe grade is in every tooltip, table, card and export. *Grade at least* ("
            "a source letter and a credibility number) in the sidebar keeps only records graded "
            "as well or better in both; "
            "the map and the network can be coloured by grade, in four bands taken from the "
            "weaker half of the grade.")
st.subheader("Claims")
st.markdown("The Claims page sets side by side who says what about the same subject:\n\n"
            + terms("stance"))
st.subheader("The network through time")
st.markdown(
    "On the Network page, *Show the network as of a date* keeps only the relations whose period "
    "covers that date (a relation with a start and no end is still active; one with an end and "
    "no start held until then). Relations the sources give no dates for cannot be placed on one "
    "day and are left out of that view, with their number shown (a date range keeps them while "
    "their actors existed). Actors not yet formed or no longer "
    "active on the date (for example the Special Groups' leaders after their capture) are drawn "
    "as grey dashed rings.")
st.subheader("Search")
st.markdown("The *Find* box at the top of the sidebar looks through actor and place names and "
            "their other spellings (Quds/Qods, Sulleimani/Soleimani, Irbil/Erbil), and through "
            "the descriptions of events. It leads to the actor and event pages, and places open "
            "on the map.")
st.subheader("Large data")
st.markdown("With more than 1,000 actors or places, the sidebar lists the 1,000 named in the most "
            "events, plus whatever you have chosen. Reach any other by clicking it on the map or "
            "in the network, through its address, or from its actor page (*Filter every view to "
            "this actor*). Past 20,000 events, *Find* matches events by the words they contain, "
            "without the spelling tolerance it keeps for names. The map merges nearby places "
            "past 800, the timeline counts events per period past 600, and the network draws the "
            "actors with the most relations: each view says so where it happens.")
st.markdown("From two million events (in a Parquet file) the events are kept in a DuckDB "
            "database rather than in memory. The first load of a new version of the file takes "
            "a while, with the same checks; afterwards it opens at once. The views are the "
            "same; lists and exports of events hold the first 1,000 matching events in date "
            "order, and say so: narrow the filters to see the rest.")
