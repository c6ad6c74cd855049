"""Shared fixtures: paths, copies of the shipped data to break, CSV editing helpers."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
DATA = PROJECT / "data"
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory):
    """The tests' prepared databases, state folders (history, last good copies) and staged
    uploads go to a folder of their own, not the user's ~/.cache/proxylens (a test may still
    point PROXYLENS_CACHE_DIR elsewhere)."""
    import os

    before = os.environ.get("PROXYLENS_CACHE_DIR")
    os.environ["PROXYLENS_CACHE_DIR"] = str(tmp_path_factory.mktemp("proxylens-cache"))
    yield
    if before is None:
        os.environ.pop("PROXYLENS_CACHE_DIR", None)
    else:
        os.environ["PROXYLENS_CACHE_DIR"] = before


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or skip the test with the reason when the project was cloned alone."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared is only beside the project in the team's workspace")
    return path


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("README.md", ".history"))
    return target


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def set_cell(path: Path, record_index: int, column: str, value: str) -> int:
    """Overwrite one cell; returns the spreadsheet row number of that record (header = row 1)."""
    rows = read_rows(path)
    rows[record_index + 1][rows[0].index(column)] = value
    write_rows(path, rows)
    return record_index + 2


def cell(path: Path, record_index: int, column: str) -> str:
    rows = read_rows(path)
    return rows[record_index + 1][rows[0].index(column)]


def drop_column(path: Path, column: str) -> None:
    rows = read_rows(path)
    index = rows[0].index(column)
    write_rows(path, [row[:index] + row[index + 1 :] for row in rows])
