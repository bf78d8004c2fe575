"""Translators' files: `run_bot.py guidance export DIR` and `guidance import DIR`."""

from __future__ import annotations

import filecmp
import shutil

import pytest
from sqlalchemy import create_engine, text

from db.database import normalise_url
from tests.support.bots import database_url, run_bot


@pytest.fixture
def database(tmp_path):
    url = database_url(tmp_path)
    assert run_bot("migrate", env={"DATABASE_URL": url}).returncode == 0
    return url


def versions(url: str) -> list[tuple]:
    engine = create_engine(normalise_url(url))
    with engine.connect() as connection:
        rows = connection.execute(text("select section, language, version, is_current, outdated, body from guidance_text order by 1, 2, 3")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_export_import_round_trips_byte_for_byte(database, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run_bot("guidance", "export", str(first), env={"DATABASE_URL": database}).returncode == 0
    before = versions(database)
    result = run_bot("guidance", "import", str(first), env={"DATABASE_URL": database})
    assert result.returncode == 0 and "0 changed" in result.stdout
    assert versions(database) == before, "an unchanged import creates no versions"
    run_bot("guidance", "export", str(second), env={"DATABASE_URL": database})
    names = sorted(p.name for p in first.iterdir())
    assert len(names) >= 6 and names == sorted(p.name for p in second.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(first, second, names, shallow=False)
    assert not mismatch and not errors


def test_an_edited_file_imports_as_new_versions_and_flags_the_other_languages(database, tmp_path):
    folder = tmp_path / "texts"
    run_bot("guidance", "export", str(folder), env={"DATABASE_URL": database})
    path = next(folder.glob("*what_to_expect.toml"))
    content = path.read_text(encoding="utf-8")
    marker = '[ru]\ntitle = "'
    path.write_text(content.replace(marker, marker + "Обновлено: ", 1), encoding="utf-8")
    result = run_bot("guidance", "import", str(folder), env={"DATABASE_URL": database})
    assert result.returncode == 0, result.stderr
    assert "updated what_to_expect/ru v2" in result.stdout and "1 changed" in result.stdout
    assert "what_to_expect/az" in result.stdout and "what_to_expect/en" in result.stdout
    rows = [r for r in versions(database) if r[0] == "what_to_expect" and r[3]]
    assert {(r[1], r[2], r[4]) for r in rows} == {("az", 1, True), ("en", 1, True), ("ru", 2, False)}
    again = tmp_path / "again"
    run_bot("guidance", "export", str(again), env={"DATABASE_URL": database})
    assert (again / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.replace("<b>", "<b><blink>", 1) if "<b>" in text else text.replace('body = """', 'body = """<i>', 1),
        lambda text: text.split("[en]")[0],
        lambda text: text.replace("key = ", "key = \"no_such_section\"\nold = ", 1),
        lambda text: text + "\n[[[ not toml",
    ],
    ids=["broken-html", "missing-language", "unknown-section", "not-toml"],
)
def test_a_malformed_import_changes_nothing(database, tmp_path, damage):
    folder = tmp_path / "texts"
    run_bot("guidance", "export", str(folder), env={"DATABASE_URL": database})
    files = sorted(folder.glob("*.toml"))
    # One good change and one bad file: the good change must not land either.
    files[0].write_text(files[0].read_text(encoding="utf-8").replace('title = "', 'title = "Changed ', 1), encoding="utf-8")
    files[-1].write_text(damage(files[-1].read_text(encoding="utf-8")), encoding="utf-8")
    before = versions(database)
    result = run_bot("guidance", "import", str(folder), env={"DATABASE_URL": database})
    assert result.returncode == 1 and "Nothing was imported" in result.stderr and files[-1].name in result.stderr
    assert versions(database) == before
    shutil.rmtree(folder)
