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
FIRST_SECTIONS = 2  # sent right after a report; the rest on request, so a mother is not flooded


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    body: str  # Telegram HTML


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


def load_seeds(session: Session, folder: Path = SEEDS) -> int:
    """Insert the seed text of every section and language that has none yet, and bring seed
    text no admin has touched or confirmed up to date with the files; returns how many."""
    existing = {(row.section, row.language): row for row in session.exec(select(GuidanceText).where(GuidanceText.is_current))}
    added = 0
    for data in read_seed_files(folder):
        for language in LANGUAGES:
            title, body = data["title"][language], render_body(data["items"], language)
            row = existing.get((data["key"], language))
            if row is None:
                session.add(GuidanceText(section=data["key"], language=language, position=data["order"],
                                         situations=list(data.get("situations", [])), title=title, body=body,
                                         sources=references(body)))
                added += 1
            elif row.author_id is None and row.reviewed_by is None and not row.outdated and (row.title, row.body) != (title, body):
                versions.new_version(session, data["key"], language, body, None, title)
                added += 1
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
    """The current sections as plain rows (section, title, body, situations): read for every
    report sent, where loading whole ORM objects was a tenth of a surge's database time."""
    query = (
        select(GuidanceText.section, GuidanceText.title, GuidanceText.body, GuidanceText.situations)
        .where(GuidanceText.language == language, GuidanceText.is_current)
        .order_by(GuidanceText.position)
    )
    return list(session.connection().execute(query))


def for_family(session: Session, language: str, situation: str | None) -> list[Section]:
    """The first sections everyone gets, plus those written for the person's situation."""
    rows = _current(session, language)
    general = [r for r in rows if not r.situations][:FIRST_SECTIONS]
    specific = [r for r in rows if situation and situation in r.situations]
    return [Section(r.section, r.title, r.body) for r in general + specific]


def the_rest(session: Session, language: str) -> list[Section]:
    rows = [r for r in _current(session, language) if not r.situations]
    return [Section(r.section, r.title, r.body) for r in rows[FIRST_SECTIONS:]]
