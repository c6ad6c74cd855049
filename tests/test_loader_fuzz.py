"""Random and malformed tables never make the loader raise; each problem names its file."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import contract, loader
from tests.conftest import DATA

TABLE_FILES = [t.filename for t in contract.TABLES]
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "2006-05", "2007-01-20", "1e309", "-5", "basra", "Quds Force", "=1+1",
                     "\"", ";;", "NaN", "9999-99-99", "irgc-qf;;jam"]),
)


def _csv_text(header, rows):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    filename=st.sampled_from(TABLE_FILES),
    header_mode=st.sampled_from(["contract", "shuffled", "partial", "random"]),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=22), max_size=8),
    data=st.data(),
)
def test_loader_never_raises_on_random_tables(tmp_path_factory, filename, header_mode, rows, data):
    folder = tmp_path_factory.mktemp("fuzz")
    for name in TABLE_FILES:
        source = DATA / name
        if source.exists():
            shutil.copy(source, folder / name)
    table = next(t for t in contract.TABLES if t.filename == filename)
    header = list(table.column_names)
    if header_mode == "shuffled":
        header = data.draw(st.permutations(header))
    elif header_mode == "partial":
        header = header[: data.draw(st.integers(1, len(header)))]
    elif header_mode == "random":
        header = data.draw(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=6))
    (folder / filename).write_text(_csv_text(header, rows), encoding="utf-8")

    result = loader.load_dataset(folder)

    for problem in result.problems:
        assert problem.file in TABLE_FILES
        assert problem.severity in (contract.ERROR, contract.WARNING)
        assert problem.sentence().startswith(problem.file)
    frame = result.dataset.table(table.name)
    assert table.column_names == list(frame.columns[: len(table.column_names)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300), filename=st.sampled_from(TABLE_FILES))
def test_loader_never_raises_on_random_bytes(tmp_path_factory, raw, filename):
    folder = tmp_path_factory.mktemp("bytes")
    for name in TABLE_FILES:
        if (DATA / name).exists():
            shutil.copy(DATA / name, folder / name)
    (folder / filename).write_bytes(raw)
    result = loader.load_dataset(folder)
    assert all(p.sentence() for p in result.problems)
