"""The shape of the code: the core never imports Streamlit; every contract term is documented."""

from __future__ import annotations

import ast
import re

import pytest

from components import contract
from tests.conftest import PROJECT

CORE_MODULES = sorted((PROJECT / "components").glob("*.py"))


@pytest.mark.parametrize("path", CORE_MODULES, ids=lambda p: p.name)
def test_core_modules_do_not_import_streamlit(path):
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
            if node.module == "components":
                imported |= {f"components.{a.name}" for a in node.names}
    assert "streamlit" not in imported
    assert "components.ui" not in imported


@pytest.fixture(scope="module")
def data_readme() -> str:
    return (PROJECT / "data" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("table", contract.TABLES, ids=lambda t: t.name)
def test_every_column_is_documented(data_readme, table):
    section = _section(data_readme, table.filename)
    missing = [c.name for c in table.columns if f"`{c.name}`" not in section]
    assert not missing, f"data/README.md does not document {missing} under {table.filename}"


@pytest.mark.parametrize("vocab", sorted(contract.VOCABULARIES))
def test_every_vocabulary_term_is_documented(data_readme, vocab):
    missing = [t for t in contract.VOCABULARIES[vocab] if f"`{t}`" not in data_readme]
    assert not missing, f"data/README.md does not document the {vocab} terms {missing}"


def test_boundaries_file_is_documented(data_readme):
    assert contract.BOUNDARIES_FILENAME in data_readme


def _section(text: str, filename: str) -> str:
    """The README section whose heading names the file, up to the next heading of that level."""
    match = re.search(rf"^(#+) .*{re.escape(filename)}.*$", text, flags=re.M)
    assert match, f"data/README.md has no heading for {filename}"
    level = len(match.group(1))
    rest = text[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.M)
    return rest[: end.start()] if end else rest


def test_every_setting_is_documented_in_the_readme():
    """Each PROXYLENS_* environment variable the code reads is explained in README.md."""
    sources = [PROJECT / "app.py", *(PROJECT / "components").rglob("*.py"),
               *(PROJECT / "app_pages").glob("*.py"), *(PROJECT / "bench").glob("*.py")]
    settings = {name for path in sources
                for name in re.findall(r"\bPROXYLENS_[A-Z_]+\b", path.read_text())}
    assert {"PROXYLENS_DATA_DIR", "PROXYLENS_STORE", "PROXYLENS_CACHE_DIR"} <= settings
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert sorted(s for s in settings if s not in readme) == []


def test_no_legacy_pages_folder_and_no_patch_for_it():
    """The page modules live in app_pages/: a pages/ folder beside app.py would make Streamlit
    start a deep link as a legacy multipage app, which the code once patched around."""
    assert not (PROJECT / "pages").exists() and (PROJECT / "app_pages").is_dir()
    sources = [PROJECT / "app.py", *(PROJECT / "components").rglob("*.py"),
               *(PROJECT / "tests").rglob("*.py")]
    patched = [p.name for p in sources if p.name != "test_architecture.py"
               and "uses_pages_directory" in p.read_text(encoding="utf-8")]
    assert patched == []
