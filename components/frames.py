"""Small operations on loaded frames that pandas does slowly for the string columns the loader
makes (Arrow-backed)."""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def is_in(series: pd.Series, values: Iterable) -> pd.Series:
    """`series.isin(values)`, missing values never in. For an Arrow string column pandas turns
    each value into an Arrow scalar one by one (5 ms for 3,000 actor ids, on every filter
    change); here the set goes to Arrow as one array."""
    if not isinstance(series.dtype, pd.StringDtype) or series.dtype.storage != "pyarrow":
        return series.isin(values if isinstance(values, (set, frozenset, list, tuple, pd.Index,
                                                         np.ndarray, pd.Series)) else list(values))
    column = pa.array(series.array)
    wanted = pa.array([v for v in values if isinstance(v, str)], type=column.type)
    found = pc.is_in(column, value_set=wanted, skip_nulls=True).fill_null(False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=series.index, dtype=bool)


def lookup(frame: pd.DataFrame, key: str, value: str) -> dict:
    """{key: value} over a frame's rows (Arrow string columns iterate slowly element by
    element: 3,000 actors' names took 4 ms; as lists, a tenth of that)."""
    return dict(zip(frame[key].tolist(), frame[value].tolist()))


def row_tuples(frame: pd.DataFrame) -> Iterator[tuple]:
    """The frame's rows as named tuples, equal to what itertuples(index=False) gives (numbers as
    Python numbers), read column by column: itertuples reads Arrow string columns element by
    element (a hundred relations took 6 ms, a tenth of that this way)."""
    row = namedtuple("Row", [str(c) for c in frame.columns], rename=True)
    return map(row._make, zip(*(frame[c].tolist() for c in frame.columns)))


def records(frame: pd.DataFrame) -> list[dict]:
    """The frame's rows as dicts, as to_dict("records") gives them (a missing value of a column
    that marks it pd.NA given as None), read column by column."""
    columns = list(frame.columns)
    return [dict(zip(columns, values))
            for values in zip(*(_plain_values(frame[c]) for c in columns))]


def _plain_values(column: pd.Series) -> list:
    values = column.tolist()
    if getattr(column.dtype, "na_value", None) is pd.NA:
        return [None if v is pd.NA else v for v in values]
    return values


def relation_ends(relations: pd.DataFrame) -> set:
    """The actor ids at either end of the relations."""
    return set(relations["source"].tolist()) | set(relations["target"].tolist())


def both_ends_in(relations: pd.DataFrame, ids) -> pd.Series:
    """Relations whose source and target are both among `ids`."""
    ids = ids if isinstance(ids, (set, frozenset)) else set(ids)
    return is_in(relations["source"], ids) & is_in(relations["target"], ids)


def codes_and_values(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's position among a column's distinct values, and those values (as objects).

    A categorical gives its own codes (a missing value among the values as NaN). A column of
    tuples (lists of references) is grouped by the tuple objects themselves: the loader spreads
    one tuple object per distinct cell, so this finds the same groups without hashing every
    row's tuple, and where two equal tuples are distinct objects they only make two groups
    of the same value."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return category_codes(values)
    cells = values.to_numpy(dtype=object)
    if len(cells) and isinstance(cells[0], tuple):
        identities = np.fromiter(map(id, cells), dtype=np.int64, count=len(cells))
        codes, distinct = pd.factorize(identities)
        first = np.empty(len(distinct), dtype=np.int64)
        first[codes[::-1]] = np.arange(len(cells) - 1, -1, -1)  # each group's first row
        return codes, cells[first]
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def category_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A categorical's codes and categories (as objects), a missing value among them as NaN."""
    codes = values.cat.codes.to_numpy()
    uniques = values.cat.categories.to_numpy(dtype=object)
    if len(codes) and codes.min() < 0:
        codes = np.where(codes < 0, len(uniques), codes)
        uniques = np.append(uniques, np.array([np.nan], dtype=object))
    return codes, uniques
