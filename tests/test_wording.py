"""Counts read as sentences: a noun and a verb in the number the count takes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.wording import agreeing, counted, numbered


def test_one_is_singular_and_any_other_count_plural():
    assert counted(1, "matching event") == "1 matching event"
    assert counted(0, "event") == "0 events"
    assert counted(1204, "event") == "1,204 events"
    assert counted(2, "analysis", "analyses") == "2 analyses"
    assert agreeing(1, "has", "have") == "has" and agreeing(3, "has", "have") == "have"
    assert numbered("Step", [3]) == "Step 3"
    assert numbered("Step", [1, 2, 4]) == "Steps 1, 2, 4"


@given(st.integers(min_value=0, max_value=10**9))
def test_a_count_in_words_starts_with_the_number_and_takes_the_plural_unless_one(n):
    words = counted(n, "event")
    assert words.replace(",", "").startswith(f"{n} event")
    assert words.endswith("events") == (n != 1)


def _texts(tree):
    """The text of every string in a module but its docstrings, an f-string's {expressions}
    read as an X (so "{label}(s)" is still caught)."""
    import ast

    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    inside_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                       for part in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(part.value if isinstance(part, ast.Constant) else "X"
                                       for part in node.values)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docstrings and id(node) not in inside_fstrings):
            yield node.lineno, node.value


def test_no_page_or_core_module_writes_a_plural_in_brackets():
    """"event(s)", "match(es)": in the text of strings, not in code such as join(s)."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    paths = [root / "app.py"] + [p for folder in ("components", "app_pages")
                                 for p in (root / folder).rglob("*.py") if p.name != "wording.py"]
    found = [f"{path.relative_to(root)}:{line}" for path in paths
             for line, text in _texts(ast.parse(path.read_text(encoding="utf-8")))
             if re.search(r"[A-Za-z]\((?:s|es)\)", text)]
    assert not found, found


def test_the_compare_sentence_agrees_with_one_and_with_many():
    import pandas as pd

    from components import compare
    from components.ui.compare_ui import relations_sentence

    def changes(kinds, undated):  # the first `undated` relations without dates
        dated = len(kinds) - undated
        return pd.DataFrame({"change": kinds,
                             "period_start": [None] * undated + ["2005-01-01"] * dated,
                             "period_end": [None] * undated + ["2006-01-01"] * dated})

    one = relations_sentence(changes([compare.GAINED, compare.KEPT], 1), 1, 1, 1)
    assert one.startswith("1 relation gained (active in B, not in A), 0 lost")
    assert "1 actor, 1 line." in one
    assert "1 of the 2 relations compared has no dates in the sources: nothing says when it " \
           "held, so it counts as active in any window where the groups, states or forces it names " \
        "existed" in one
    assert "1 relation with no dates in the sources is in neither window" in one
    many = relations_sentence(changes([compare.GAINED] * 3, 2), 4, 3, 2)
    assert many.startswith("3 relations gained") and "4 actors, 3 lines." in many
    assert "2 of the 3 relations compared have no dates" in many and "they count" in many \
        and "forces they name existed" in many
    assert "2 relations with no dates in the sources are in neither window" in many


@pytest.mark.parametrize("start,end,expected", [
    ("2006-11-15", "2006-11-15", "15 Nov 2006"),  # one day, not "2006-11-15 to 2006-11-15"
    ("2004", "2006-05", "2004 to May 2006"),
    ("2006-05", "", "from May 2006"),
    ("", "2007-03-20", "until 20 Mar 2007"),
    ("", "", "dates not given"),
    ("2006-13", "", "from 2006-13"),  # not a date: as written (the loader reported it)
])
def test_a_relations_period_reads_as_the_events_dates_do(start, end, expected):
    from components import network

    assert network.period_text(start, end) == expected
