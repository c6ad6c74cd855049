"""Slides and exports fit for a general: what the shipped data puts in front of an audience
carries no internal file paths."""

from __future__ import annotations

import re

import pandas as pd

from tests.conftest import DATA

PATH = re.compile(r"\.\./|/shared/|\b\w+\.txt\b")


def test_no_shipped_text_names_an_internal_file():
    for name in ("sources", "events", "relations", "actors", "claims", "briefing"):
        frame = pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)
        for column in frame.columns:
            hits = frame[column].str.contains(PATH)
            assert not hits.any(), (name, column, list(frame.loc[hits, column])[:2])
