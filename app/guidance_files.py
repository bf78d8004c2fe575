"""Guidance as files, for translators who prefer an editor: export and import a folder.

One TOML file per section, the three languages side by side. Import checks everything first
(every section known, every language present, Telegram's HTML rules and length) and then applies
all changes in one transaction, so an error changes nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from app import guidance_versions as versions
from core.config import LANGUAGES
from app.guidance import section_messages
from app.guidance_sources import attach
from core.telegram_html import EntityError, TooLong
from db.models import GuidanceText

IMPORTED_BY = 0  # author id of versions that came from files (no Telegram user behind them)


def _basic(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _multiline(text: str) -> str:
    # A newline right after the opening quotes is dropped by TOML readers: start with it always.
    body = text.replace("\\", "\\\\").replace('"""', '""\\"')
    if body.endswith('"'):
        body = body[:-1] + '\\"'
    return f'"""\n{body}"""'


def dump_section(key: str, texts: dict[str, GuidanceText]) -> str:
    lines = [f"key = {_basic(key)}", ""]
    for language in LANGUAGES:
        row = texts[language]
        lines += [f"[{language}]", f"title = {_basic(row.title)}", f"body = {_multiline(row.body)}", ""]
    return "\n".join(lines)


def export(session: Session, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = session.exec(select(GuidanceText).where(GuidanceText.is_current).order_by(GuidanceText.position, GuidanceText.section)).all()
    by_section: dict[str, dict[str, GuidanceText]] = {}
    for row in rows:
        by_section.setdefault(row.section, {})[row.language] = row
    written = []
    for key, texts in by_section.items():
        path = folder / f"{texts[LANGUAGES[0]].position:02d}_{key}.toml"
        path.write_text(dump_section(key, texts), encoding="utf-8")
        written.append(path)
    return written


@dataclass
class ImportReport:
    changed: list[str] = field(default_factory=list)  # "section/language vN"
    unchanged: int = 0
    outdated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_folder(session: Session, folder: Path) -> tuple[dict[str, dict[str, dict[str, str]]], list[str]]:
    """Parse and check every file; returns the texts and every problem found."""
    known = set(session.exec(select(GuidanceText.section).where(GuidanceText.is_current)))
    found: dict[str, dict[str, dict[str, str]]] = {}
    errors: list[str] = []
    files = sorted(folder.glob("*.toml"))
    if not files:
        errors.append(f"{folder}: no .toml files")
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            errors.append(f"{path.name}: not valid TOML ({exc})")
            continue
        key = data.get("key")
        if key not in known:
            errors.append(f"{path.name}: unknown section {key!r}")
            continue
        if key in found:
            errors.append(f"{path.name}: section {key!r} appears twice")
        found[key] = {}
        for language in LANGUAGES:
            entry = data.get(language)
            if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) and entry[f].strip() for f in ("title", "body")):
                errors.append(f"{path.name}: [{language}] needs a non-empty title and body")
                continue
            try:
                section_messages(entry["title"], entry["body"])
            except (EntityError, TooLong) as exc:
                errors.append(f"{path.name}: [{language}] {exc}")
                continue
            body, unsourced = _with_sources(session, key, language, entry["body"])
            if unsourced is not None:
                errors.append(f"{path.name}: [{language}] item {unsourced} has no source: end it with a line “Source: publication, date”")
                continue
            found[key][language] = {"title": entry["title"], "body": body}
    return found, errors


def _with_sources(session: Session, key: str, language: str, body: str) -> tuple[str, int | None]:
    """A changed text keeps or gets each item's source, as an edit in Telegram does."""
    current = versions.current(session, key, language)
    if current is None or current.body == body:
        return body, None
    return attach(body, current.body)


def import_folder(session: Session, folder: Path) -> ImportReport:
    """Raises nothing on bad files: the report's errors say why and the session is left untouched."""
    report = ImportReport()
    found, report.errors = read_folder(session, folder)
    if report.errors:
        return report
    for key, texts in found.items():
        changed = []
        for language, entry in texts.items():
            row = versions.current(session, key, language)
            if row.title == entry["title"] and row.body == entry["body"]:
                report.unchanged += 1
                continue
            new = versions.new_version(session, key, language, entry["body"], IMPORTED_BY, entry["title"])
            changed.append(language)
            report.changed.append(f"{key}/{language} v{new.version}")
        if changed:
            for language in LANGUAGES:
                if language not in changed:
                    versions.mark_outdated(session, key, language)
                    report.outdated.append(f"{key}/{language}")
    return report
