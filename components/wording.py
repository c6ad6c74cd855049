"""Counts in words: "1 event has", "31 events have", never "event(s)". No Streamlit import."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """The number (with thousands separators) and the noun in the number it takes:
    counted(1, "matching event") -> "1 matching event", counted(1204, "event") ->
    "1,204 events"; `plural` for nouns that do not take an s."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def agreeing(n: int, one: str, many: str) -> str:
    """The word agreeing with a count: agreeing(1, "has", "have") -> "has"."""
    return one if n == 1 else many


def numbered(noun: str, numbers: list) -> str:
    """A noun before the numbers it names: numbered("Step", [3]) -> "Step 3",
    numbered("Step", [1, 2]) -> "Steps 1, 2"."""
    return f"{noun if len(numbers) == 1 else noun + 's'} {', '.join(map(str, numbers))}"
