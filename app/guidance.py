"""Guidance for families: loaded from `seeds/guidance/*.toml` into the database, read from there.

Every item names its source as families can read it (publication and date, see
`app.guidance_sources`); the bot shows no phone number or address until admins have verified
them, so the seeds contain none.
"""

from __future__ import annotations

import html
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app import guidance_versions as versions
from app.guidance_sources import HOMEWARD, cite, cited, label_of, references
from core.config import LANGUAGES, PROJECT_ROOT
from core.i18n import t
from core.telegram_html import split_message
from db.models import GuidanceText

SEEDS = PROJECT_ROOT / "seeds" / "guidance"
FIRST_SECTIONS = 2  # general sections sent right after a report; the rest on request, so a mother is not flooded


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    body: str  # Telegram HTML
    for_situation: bool = False  # written for the family's situation: sent before anything else


def section_messages(title: str, body: str) -> list[str]:
    """A guidance section as families receive it: title and body, split at paragraphs if long."""
    return split_message(f"<b>{html.escape(title)}</b>\n\n{body}")


def read_seed_files(folder: Path = SEEDS) -> list[dict]:
    sections = []
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        if "key" in data:  # sources.toml lists reviewed documents, it is not a section
            sections.append(data)
    return sorted(sections, key=lambda s: s["order"])


def render_body(items: list[dict], language: str) -> str:
    return "\n\n".join(cite(f"• {item[language].strip()}", label_of(item["source"], language)) for item in items)


def _seeded(data: dict, language: str) -> dict:
    return {"position": data["order"], "situations": list(data.get("situations", [])), "not_for": list(data.get("not_for", [])),
            "title": data["title"][language], "body": render_body(data["items"], language),
            "sources": references(render_body(data["items"], language))}


def load_seeds(session: Session, folder: Path = SEEDS) -> int:
    """Insert the seed text of every section and language that has none yet; returns how many.

    A section nobody has edited or reviewed (only its seeded first version) follows the seed
    files, so a text moved between sections reaches a database seeded before the move."""
    existing = {(row.section, row.language): row for row in session.exec(select(GuidanceText))}
    added = 0
    for data in read_seed_files(folder):
        for language in LANGUAGES:
            values = _seeded(data, language)
            row = existing.get((data["key"], language))
            if row is None:
                session.add(GuidanceText(section=data["key"], language=language, **values))
                added += 1
            elif row.version == 1 and row.is_current and row.author_id is None and row.reviewed_by is None:
                changed = {name: value for name, value in values.items() if getattr(row, name) != value}
                for name, value in changed.items():
                    setattr(row, name, value)
                if changed:
                    session.add(row)
    return added


def sources_text(session: Session, section: str, language: str) -> str | None:
    """Why trust this: the publications behind a section, as families see them under each item."""
    row = versions.current(session, section, language)
    if row is None:
        return None
    lines = [t(language, "sources.title", section=row.title), ""]
    for label in cited(row.body):
        lines.append("• " + (t(language, "sources.homeward") if label == label_of(HOMEWARD, language) else html.escape(label, quote=False)))
    lines += ["", t(language, "sources.note")]
    return "\n".join(lines)


def _current(session: Session, language: str) -> list:
    """The current sections as plain rows (section, title, body, situations, not_for): read for
    every report sent, where loading whole ORM objects was a tenth of a surge's database time."""
    query = (
        select(GuidanceText.section, GuidanceText.title, GuidanceText.body, GuidanceText.situations, GuidanceText.not_for)
        .where(GuidanceText.language == language, GuidanceText.is_current)
        .order_by(GuidanceText.position)
    )
    return list(session.connection().execute(query))


def _general(rows: list, situation: str | None) -> list:
    """The sections for every family, in order, without those this situation never receives."""
    return [r for r in rows if not r.situations and (situation is None or situation not in r.not_for)]


def for_family(session: Session, language: str, situation: str | None) -> list[Section]:
    """Right after a report: first what was written for the family's situation (the condolence
    for a man killed, captivity for a prisoner), then the first general sections."""
    rows = _current(session, language)
    specific = [r for r in rows if situation and situation in r.situations]
    return [Section(r.section, r.title, r.body, True) for r in specific] + [Section(r.section, r.title, r.body) for r in _general(rows, situation)[:FIRST_SECTIONS]]


def the_rest(session: Session, language: str, situation: str | None = None) -> list[Section]:
    rows = _general(_current(session, language), situation)
    return [Section(r.section, r.title, r.body) for r in rows[FIRST_SECTIONS:]]
