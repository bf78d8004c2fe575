"""Guidance as admins keep it: every publish a new version, history and rollback per section and
language, and the other languages of a section marked outdated until updated or confirmed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app.guidance_sources import references
from core.config import LANGUAGES
from db.models import GuidanceText, utcnow

CURRENT, OUTDATED, UNVERIFIED = "current", "outdated", "unverified"


@dataclass(frozen=True)
class SectionState:
    key: str
    title: str  # in the admin's language
    states: dict[str, str]  # language → CURRENT | OUTDATED | UNVERIFIED


def current(session: Session, section: str, language: str) -> GuidanceText | None:
    query = select(GuidanceText).where(
        GuidanceText.section == section, GuidanceText.language == language, GuidanceText.is_current
    )
    return session.exec(query).first()


def state_of(row: GuidanceText) -> str:
    if row.outdated:
        return OUTDATED
    if row.author_id is None and row.reviewed_by is None:
        return UNVERIFIED  # our seed text, not yet read and confirmed by an admin
    return CURRENT


def overview(session: Session, language: str) -> list[SectionState]:
    rows = session.exec(select(GuidanceText).where(GuidanceText.is_current).order_by(GuidanceText.position)).all()
    sections: dict[str, SectionState] = {}
    for row in rows:
        entry = sections.setdefault(row.section, SectionState(row.section, row.section, {}))
        entry.states[row.language] = state_of(row)
        if row.language == language:
            sections[row.section] = SectionState(row.section, row.title, entry.states)
    return list(sections.values())


def publish(session: Session, section: str, language: str, body: str, admin_id: int, title: str | None = None) -> GuidanceText:
    """A new current version; the section's other languages become outdated."""
    row = _new_version(session, section, language, body, admin_id, title)
    for other in LANGUAGES:
        if other != language:
            mark_outdated(session, section, other)
    return row


def new_version(session: Session, section: str, language: str, body: str, author_id: int, title: str | None = None) -> GuidanceText:
    """A new current version that leaves the other languages alone (the caller decides)."""
    return _new_version(session, section, language, body, author_id, title)


def mark_outdated(session: Session, section: str, language: str) -> None:
    sibling = current(session, section, language)
    if sibling is not None:
        sibling.outdated = True
        session.add(sibling)


def confirm(session: Session, section: str, language: str, admin_id: int) -> GuidanceText | None:
    """An admin read this language against the newer one and found it still right."""
    row = current(session, section, language)
    if row is not None:
        row.outdated = False
        row.reviewed_by, row.reviewed_at = admin_id, utcnow()
        session.add(row)
    return row


def history(session: Session, section: str, language: str) -> list[GuidanceText]:
    query = (
        select(GuidanceText)
        .where(GuidanceText.section == section, GuidanceText.language == language)
        .order_by(GuidanceText.version.desc())
    )
    return list(session.exec(query))


def rollback(session: Session, section: str, language: str, version: int, admin_id: int) -> GuidanceText | None:
    """Bring back an earlier text as a new version. The other languages keep their state: a
    rollback undoes a change, it does not make a new one they must follow."""
    query = select(GuidanceText).where(
        GuidanceText.section == section, GuidanceText.language == language, GuidanceText.version == version
    )
    earlier = session.exec(query).first()
    if earlier is None:
        return None
    return _new_version(session, section, language, earlier.body, admin_id, earlier.title)


def _new_version(session: Session, section: str, language: str, body: str, admin_id: int | None, title: str | None) -> GuidanceText:
    previous = current(session, section, language)
    if previous is None:
        raise KeyError(f"no guidance section {section!r} in {language!r}")
    newest = session.exec(
        select(func.max(GuidanceText.version)).where(GuidanceText.section == section, GuidanceText.language == language)
    ).one()
    previous.is_current = False
    session.add(previous)
    session.flush()  # the unique (section, language, version) and is_current must not clash
    row = GuidanceText(
        section=section,
        language=language,
        version=newest + 1,
        position=previous.position,
        situations=list(previous.situations),
        not_for=list(previous.not_for),
        title=title if title is not None else previous.title,
        body=body,
        sources=references(body) or list(previous.sources),
        author_id=admin_id,
    )
    session.add(row)
    session.flush()
    return row
