"""The caches views are kept in, keyed on the data version and the filter value.

A view builder's arguments are plain values (the folder, its fingerprint, the filter value,
names and numbers), so its answers are kept in a plain dictionary keyed on them, in front of
Streamlit's caches. On a warm rerun Streamlit's own hit path was a fifth of the script's time
(py-spy on a live server): it looks up the function's signature and hashes every argument on
every call (about half of that), then unpickles the answer. Here a hit is one dictionary
look-up; view_data's answers are still unpickled, so each caller gets its own copy to change.
Arguments that are not plain values go to Streamlit's cache as before, their filter values
hashed as the plain tuple Filters.cache_key gives.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import functools
import inspect
import pickle
import threading
from dataclasses import fields, is_dataclass
from datetime import date, datetime

import pandas as pd
import streamlit as st
from streamlit.runtime.caching.cached_message_replay import in_cached_function
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from components.filters import Filters

HASH_FUNCS = {Filters: Filters.cache_key}
_SCALARS = (str, int, bool, type(None), date)
_MISSING = object()
_computing = contextvars.ContextVar("computing_a_kept_answer", default=False)


def view_data(max_entries: int):
    """A view builder's answers, a copy per call (the caller may change it)."""
    return _kept(max_entries, shared=False)


def view_resource(max_entries: int, spinner: str | None = None):
    """A shared object the callers only read; `spinner`: what the page says while it is
    made."""
    return _kept(max_entries, shared=True, spinner=spinner)


def clear() -> None:
    """Forget every kept answer (tests; Streamlit's own caches are cleared on their own)."""
    for kept in list(_ALL):
        kept.clear()


_ALL: list["_Kept"] = []


def _kept(max_entries: int, shared: bool, spinner: str | None = None):
    def decorate(function):
        streamlit_cache = st.cache_resource if shared else st.cache_data
        fallback = streamlit_cache(show_spinner=spinner or False, max_entries=max_entries,
                                   hash_funcs=HASH_FUNCS)(function)
        kept = _Kept(function, fallback, max_entries, shared, spinner)
        _ALL.append(kept)
        return functools.wraps(function)(kept)
    return decorate


class _Kept:
    """Answers of one function by plain-valued arguments, the least recently used dropped
    past max_entries; each key computed once when several sessions ask for it together."""

    def __init__(self, function, fallback, max_entries: int, shared: bool,
                 spinner: str | None = None) -> None:
        self._function = function
        self._fallback = fallback
        self._max_entries = max_entries
        self._shared = shared
        self._spinner = spinner
        # as in Streamlit's caches, an argument named with a leading underscore is not hashed
        self.unhashed = _unhashed_parameters(function)
        self._answers: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple, threading.Lock] = {}

    def __call__(self, *args, **kwargs):
        key = plain_key(args, kwargs, self.unhashed)
        if key is None:
            return self._fallback(*args, **kwargs)
        stored = self._stored(key)
        if stored is _MISSING:
            with self._spinning():  # around the wait too: a second session sees it as well
                stored = self._compute(key, args, kwargs)
        return stored if self._shared else pickle.loads(stored)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def _stored(self, key: tuple):
        with self._lock:
            stored = self._answers.get(key, _MISSING)
            if stored is not _MISSING:
                self._answers.move_to_end(key)
            return stored

    def _compute(self, key: tuple, args: tuple, kwargs: dict):
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # a second asker waits for the first's answer
            stored = self._stored(key)
            if stored is not _MISSING:
                return stored
            token = _computing.set(True)
            try:
                answer = self._function(*args, **kwargs)
                stored = answer if self._shared else pickle.dumps(answer, protocol=5)
                with self._lock:
                    self._answers[key] = stored
                    while len(self._answers) > self._max_entries:
                        self._answers.popitem(last=False)
            finally:
                _computing.reset(token)
                with self._lock:
                    self._computing.pop(key, None)
        return stored

    def _spinning(self):
        """The spinner while the answer is made, unless this runs inside another cached
        computation (whose spinner, if any, says enough), as in Streamlit's caches. The answer
        is kept before the spinner closes: closing it is where a rerun asked for meanwhile
        interrupts the script, and the work would otherwise be lost."""
        if (self._spinner is None or _computing.get() or in_cached_function.get()
                or get_script_run_ctx(suppress_warning=True) is None):
            return contextlib.nullcontext()
        return st.spinner(self._spinner)


def _unhashed_parameters(function) -> tuple[frozenset[int], frozenset[str]]:
    """The positions and names of the parameters named with a leading underscore."""
    parameters = list(inspect.signature(function).parameters.values())
    hidden = [(i, p.name) for i, p in enumerate(parameters) if p.name.startswith("_")]
    return frozenset(i for i, _ in hidden), frozenset(name for _, name in hidden)


def plain_key(args: tuple, kwargs: dict,
              unhashed: tuple[frozenset[int], frozenset[str]] = (frozenset(), frozenset())
              ) -> tuple | None:
    """The arguments as a hashable key that tells apart what Streamlit's hashing tells apart
    (1, 1.0 and True; a date and a datetime; one instant in two time zones), or None when one
    is not a plain value. `unhashed`: positions and names of arguments left out of the key."""
    positions, names = unhashed
    try:
        key = (tuple(_plain(value) for i, value in enumerate(args) if i not in positions),
               tuple(sorted((name, _plain(value)) for name, value in kwargs.items()
                            if name not in names)))
    except _NotPlain:
        return None
    return key


class _NotPlain(Exception):
    pass


def _plain(value):
    if isinstance(value, Filters):
        return (Filters, _plain(value.cache_key()))
    kind = type(value)
    if kind is float:  # -0.0 and 0.0 apart, and a NaN equal to itself
        return (kind, repr(value))
    if kind in (datetime, pd.Timestamp):  # the same instant in two time zones apart
        return (kind, value.isoformat())
    if kind in _SCALARS:
        return (kind, value)
    if kind in (tuple, frozenset):
        items = tuple(_plain(item) for item in value)
        return (kind, items if kind is tuple else frozenset(items))
    if is_dataclass(value) and kind.__dataclass_params__.frozen:
        return (kind, tuple(_plain(getattr(value, field.name)) for field in fields(value)))
    raise _NotPlain
