"""The Admiralty grade of a record: its source's reliability (A-F) and its credibility (1-6).

A record's reliability is that of the most reliable source it cites (the letter on
sources.csv); its credibility is the `credibility` column of events.csv or relations.csv, and
6 ("cannot be judged") when the column is empty. "B2" reads: a usually reliable source, and
probably true. No Streamlit import.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from components import frames
from components.contract import VOCABULARIES

RELIABILITY_LEVELS = tuple(VOCABULARIES["reliability"])  # "A" (best) .. "F"
CREDIBILITY_LEVELS = tuple(VOCABULARIES["credibility"])  # "1" (best) .. "6"
UNJUDGED_RELIABILITY = "F"
UNJUDGED_CREDIBILITY = "6"


def best_reliability(source_ids, letters: dict[str, str]) -> str:
    """The best letter among the cited sources; F when none of them has a known letter."""
    known = [letters[s] for s in (source_ids or ()) if letters.get(s) in RELIABILITY_LEVELS]
    return min(known) if known else UNJUDGED_RELIABILITY


def grade(reliability: str, credibility: str) -> str:
    reliability = reliability if reliability in RELIABILITY_LEVELS else UNJUDGED_RELIABILITY
    credibility = credibility if credibility in CREDIBILITY_LEVELS else UNJUDGED_CREDIBILITY
    return reliability + credibility


def grade_columns(frame: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """The grade of each row of an events or relations frame, worked out once per distinct
    (sources, credibility) pair."""
    letters = frames.lookup(sources, "source_id", "reliability") if len(sources) else {}
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    credibility = (frame["credibility"] if "credibility" in frame
                   else pd.Series("", index=frame.index, dtype=object))
    # the distinct pairs from each column's own codes: no tuple per row
    source_codes, source_ids = frames.codes_and_values(frame["source_ids"])
    credibility_codes, credibilities = frames.codes_and_values(credibility)
    pairs = source_codes.astype(np.int64) * len(credibilities) + credibility_codes
    codes, distinct_pairs = pd.factorize(pairs)
    labels = pd.Index([grade(best_reliability(ids if isinstance(ids, tuple) else (), letters),
                             str(credibilities[pair % len(credibilities)]))
                       for pair in distinct_pairs
                       for ids in (source_ids[pair // len(credibilities)],)], dtype=object)
    categories = labels.unique().sort_values()
    return pd.Series(pd.Categorical.from_codes(categories.get_indexer(labels)[codes],
                                               categories=categories), index=frame.index)


def meets(grades: pd.Series, min_reliability: str, min_credibility: str) -> pd.Series:
    """Whether each grade is at least as good as the chosen letter and number ("" = any)."""
    mask = pd.Series(True, index=grades.index)
    if not (min_reliability or min_credibility):
        return mask
    codes, distinct = pd.factorize(grades.astype(object), use_na_sentinel=False)
    ok = [isinstance(g, str) and len(g) == 2
          and (not min_reliability or g[0] <= min_reliability)
          and (not min_credibility or g[1] <= min_credibility) for g in distinct]
    return pd.Series(pd.Series(ok, dtype=bool).to_numpy()[codes] if len(codes) else [],
                     index=grades.index, dtype=bool)


SOURCE_WORDS = {"A": "completely reliable source", "B": "usually reliable source",
                "C": "fairly reliable source", "D": "source not usually reliable",
                "E": "unreliable source", "F": "source not judged"}
INFORMATION_WORDS = {"1": "confirmed by other sources", "2": "probably true",
                     "3": "possibly true", "4": "doubtful", "5": "improbable",
                     "6": "truth cannot be judged"}


def grade_words(value: str) -> str:
    """'B2: usually reliable source; probably true'."""
    if not isinstance(value, str) or len(value) != 2:
        return value if isinstance(value, str) else ""
    return (f"{value}: {SOURCE_WORDS.get(value[0], value[0])}; "
            f"{INFORMATION_WORDS.get(value[1], value[1])}")


def sql_condition(min_reliability: str, min_credibility: str) -> tuple[str, tuple]:
    """meets() as a SQL condition over a `grade` column, with its parameters."""
    parts, params = [], []
    if min_reliability:
        parts.append("substr(grade, 1, 1) <= ?")
        params.append(min_reliability)
    if min_credibility:
        parts.append("substr(grade, 2, 1) <= ?")
        params.append(min_credibility)
    if parts:
        parts.insert(0, "length(grade) = 2")
    return " AND ".join(parts), tuple(params)


def at_least_text(min_reliability: str, min_credibility: str) -> str:
    """How an 'at least' grade filter reads on a chip: 'B3 or better', 'reliability B or
    better'."""
    if min_reliability and min_credibility:
        return f"{min_reliability}{min_credibility} or better"
    if min_reliability:
        return f"source {min_reliability} or better"
    return f"credibility {min_credibility} or better"


# Grade bands for colour: 36 grades cannot be told apart by hue. A record's band is the weaker
# of its two halves.
GRADE_BANDS = {
    "strong (A-B and 1-2)": ("AB", "12"),
    "fair (C or 3)": ("C", "3"),
    "weak (D-E or 4-5)": ("DE", "45"),
    "not judged (F or 6)": ("F", "6"),
}


def grade_band(value: str) -> str:
    if not isinstance(value, str) or len(value) != 2:
        return list(GRADE_BANDS)[-1]
    ranks = [i for i, (letters, numbers) in enumerate(GRADE_BANDS.values())
             if value[0] in letters or value[1] in numbers]
    return list(GRADE_BANDS)[max(ranks)] if ranks else list(GRADE_BANDS)[-1]
