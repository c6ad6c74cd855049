"""The view caches in front of Streamlit's (components/ui/caching.py): a hit is the answer first
computed for equal arguments, a copy for view_data and the object itself for view_resource;
arguments that differ as Streamlit would tell them apart are kept apart; each key computed
once when several ask together; and arguments that are not plain values still cached, by
Streamlit."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.runtime.caching.cache_type import CacheType
from streamlit.runtime.caching.hashing import update_hash

from components import compare
from components.filters import Filters
from components.ui import caching


class Calls:
    """A view builder that notes each computation (as a function: Streamlit's caches need
    one)."""

    def __init__(self) -> None:
        self.seen: list[tuple] = []

        def build(*args, **kwargs):
            self.seen.append((args, kwargs))
            return pd.DataFrame({"asked": [repr(args)], "n": [len(self.seen)]})

        self.build = build


def kept(decorator, function):
    """The decorated function, failing the test if Streamlit's cache is asked instead."""
    view = decorator(function)

    def not_here(*args, **kwargs):
        raise AssertionError("the arguments went to Streamlit's cache")

    view._fallback = not_here
    return view


def test_a_view_is_computed_once_and_each_caller_gets_a_copy_to_change():
    calls = Calls()
    view = kept(caching.view_data(4), calls.build)
    first = view("folder", "f1", Filters(event_types=("raid",)))
    first.loc[0, "n"] = -1  # a caller changing its copy
    again = view("folder", "f1", Filters(event_types=("raid",)))
    assert len(calls.seen) == 1
    assert again["n"].tolist() == [1]
    assert again is not first


def test_a_resource_is_the_same_object_on_every_hit():
    calls = Calls()
    view = kept(caching.view_resource(4), calls.build)
    assert view("folder", "f1", Filters()) is view("folder", "f1", Filters())
    assert len(calls.seen) == 1


def test_filters_data_versions_and_keywords_are_told_apart():
    calls = Calls()
    view = kept(caching.view_data(64), calls.build)
    asked = [("folder", "f1", Filters()), ("folder", "f2", Filters()),
             ("other", "f1", Filters()), ("folder", "f1", Filters(text="karbala")),
             ("folder", "f1", Filters(date_from=date(2006, 1, 1)))]
    for args in asked:
        view(*args)
        view(*args, width_by="events")
        view(*args, width_by="relations")
    assert len(calls.seen) == 3 * len(asked)
    for args in asked:
        assert view(*args, width_by="events")["asked"].tolist() == [repr(args)]
    assert len(calls.seen) == 3 * len(asked)


@pytest.mark.parametrize("one, other", [(1, True), (1, 1.0), (0, False), (0, None),
                                        (date(2006, 1, 1), datetime(2006, 1, 1)),
                                        (datetime(2006, 1, 1), pd.Timestamp("2006-01-01")),
                                        (datetime(2006, 1, 1, 3, tzinfo=timezone(timedelta(hours=3))),
                                         datetime(2006, 1, 1, tzinfo=timezone.utc)),
                                        (pd.Timestamp("2006-01-01 03:00+03:00"),
                                         pd.Timestamp("2006-01-01 00:00+00:00")),
                                        (("a",), frozenset({"a"})), ("1", 1)])
def test_values_python_calls_equal_but_streamlit_tells_apart_are_kept_apart(one, other):
    calls = Calls()
    view = kept(caching.view_data(8), calls.build)
    view("folder", one)
    view("folder", other)
    assert len(calls.seen) == 2


def test_a_timeline_window_of_timestamps_is_a_plain_key():
    calls = Calls()
    view = kept(caching.view_data(8), calls.build)
    window = (pd.Timestamp("2006-01-01"), pd.Timestamp("2008-01-01"))
    assert caching.plain_key(("folder", window), {}) is not None
    view("folder", window)
    view("folder", (pd.Timestamp("2006-01-01"), pd.Timestamp("2008-01-01")))
    view("folder", (pd.Timestamp("2006-01-01"), pd.Timestamp("2008-01-02")))
    assert len(calls.seen) == 2


def test_frozen_dataclasses_are_keyed_by_their_fields():
    calls = Calls()
    view = kept(caching.view_data(8), calls.build)
    window = compare.Window(date(2006, 1, 1), date(2006, 12, 31), "2006")
    view("folder", window)
    view("folder", compare.Window(date(2006, 1, 1), date(2006, 12, 31), "2006"))
    view("folder", replace(window, label="a year"))
    assert len(calls.seen) == 2


@dataclass
class Mutable:
    value: int


def test_arguments_that_are_not_plain_values_are_cached_by_streamlit():
    calls = Calls()
    view = caching.view_data(8)(calls.build)
    view._fallback.clear()  # every Calls().build is one function to Streamlit
    for argument in (Mutable(3), ["a", "b"], pd.DataFrame({"a": [1]})):
        assert caching.plain_key(("folder", argument), {}) is None
        view("folder", argument)
        view("folder", argument)
    assert len(calls.seen) == 3  # Streamlit's cache answered the second asks


def test_the_least_recently_used_answer_goes_first_past_the_bound():
    calls = Calls()
    view = kept(caching.view_data(2), calls.build)
    view("a")
    view("b")
    view("a")  # "b" is now the least recently used
    view("c")
    assert len(calls.seen) == 3
    view("a")
    assert len(calls.seen) == 3
    view("b")
    assert len(calls.seen) == 4


def test_arguments_named_with_an_underscore_are_left_out_of_the_key_as_streamlit_does():
    seen = []

    def converted(key, _rows, *, _note=None):
        seen.append(key)
        return [dict(row) for row in _rows]

    view = kept(caching.view_resource(8), converted)
    rows = [{"month": "2006-01", "events": 3}]
    assert caching.plain_key(("rows-1", rows), {"_note": ["x"]}, view.unhashed) is not None
    first = view("rows-1", rows, _note=["not hashable"])
    assert view("rows-1", [{"something": "else"}], _note={}) is first
    view("rows-2", rows)
    assert seen == ["rows-1", "rows-2"]


def test_a_failure_is_not_kept():
    attempts = []

    def flaky(name):
        attempts.append(name)
        if len(attempts) == 1:
            raise RuntimeError("the engine was busy")
        return name.upper()

    view = kept(caching.view_data(4), flaky)
    with pytest.raises(RuntimeError):
        view("basra")
    assert view("basra") == "BASRA"
    assert view("basra") == "BASRA"
    assert attempts == ["basra", "basra"]


def test_sessions_asking_together_wait_for_one_computation():
    started = []

    def slow(name):
        started.append(name)
        time.sleep(0.2)
        return {"name": name}

    view = kept(caching.view_resource(4), slow)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(view("karbala")))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert started == ["karbala"]
    assert len(answers) == 6 and all(answer is answers[0] for answer in answers)


def test_an_answer_made_under_a_spinner_is_kept_when_a_rerun_interrupts_the_script(monkeypatch):
    """Streamlit stops a script for a rerun the user asked for when the script next sends a
    message: closing the spinner. The answer made meanwhile must be kept, not made again."""
    class Interrupted(Exception):
        pass

    shown = []

    @contextlib.contextmanager
    def spinner(text):
        shown.append(text)
        yield
        raise Interrupted  # the spinner's closing message meets the rerun request

    monkeypatch.setattr(caching.st, "spinner", spinner)
    monkeypatch.setattr(caching, "get_script_run_ctx", lambda suppress_warning: object())
    made = []

    def load(folder):
        made.append(folder)
        return {"folder": folder}

    view = kept(caching.view_resource(2, spinner="Reading the data folder…"), load)
    with pytest.raises(Interrupted):
        view("data")
    assert view("data") == {"folder": "data"}
    assert made == ["data"] and shown == ["Reading the data folder…"]


def test_no_spinner_inside_another_cached_computation(monkeypatch):
    shown = []

    @contextlib.contextmanager
    def spinner(text):
        shown.append(text)
        yield

    monkeypatch.setattr(caching.st, "spinner", spinner)
    monkeypatch.setattr(caching, "get_script_run_ctx", lambda suppress_warning: object())
    inner = kept(caching.view_resource(2, spinner="Reading the data folder…"), lambda n: n)
    outer = kept(caching.view_resource(2, spinner="Laying out the network…"),
                 lambda n: inner(n) * 2)
    assert outer(4) == 8
    assert shown == ["Laying out the network…"]
    assert inner(5) == 5
    assert shown == ["Laying out the network…", "Reading the data folder…"]


def test_clear_forgets_every_answer():
    calls = Calls()
    view = kept(caching.view_resource(4), calls.build)
    view("a")
    caching.clear()
    view("a")
    assert len(calls.seen) == 2


plain_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=5), st.dates(), st.just(float("nan")),
              st.datetimes(timezones=st.none() | st.timezones())),
    lambda inner: st.tuples(inner, inner) | st.frozensets(st.integers(), max_size=3),
    max_leaves=6)


@settings(max_examples=200, deadline=None)
@given(plain_values, plain_values)
def test_two_plain_values_share_a_key_only_when_streamlit_would_hash_them_alike(one, other):
    """Never one answer for arguments Streamlit's cache kept apart (keeping apart some it
    would not, such as 1 and True, costs only a second computation)."""
    if caching.plain_key((one,), {}) == caching.plain_key((other,), {}):
        assert streamlit_hash(one) == streamlit_hash(other)
    assert caching.plain_key((one,), {}) == caching.plain_key((one,), {})


def streamlit_hash(value) -> str:
    hasher = hashlib.new("md5")
    update_hash(value, hasher, cache_type=CacheType.DATA)
    return hasher.hexdigest()
