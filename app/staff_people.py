"""Staff as colleagues see them: "Aysel (@aysel_hw)" rather than a numeric id, on the case card,
in the hand-over list and in notices; and the language their notices are written in.

What is kept is what Telegram shows of them when they use a staff command (first name,
@username, their app's language), refreshed when it changes, and only while they hold a role:
a family's name is never recorded. Exports keep the numeric id; families never see staff names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from app.intake import Person, language_of
from app.roles import role_of
from core.config import Settings, language_code
from db.models import StaffProfile, utcnow

FIRST_NAME, USERNAME = 64, 32  # Telegram's longest


@dataclass(frozen=True)
class Seen:
    """What Telegram told us about the person behind an update."""

    telegram_id: int
    first_name: str
    username: str | None
    language_code: str | None

    def as_kept(self) -> tuple[str, str | None, str | None]:
        return self.first_name[:FIRST_NAME], (self.username or None) and self.username[:USERNAME], language_code(self.language_code)


def _kept(profile: StaffProfile | None) -> tuple[str, str | None, str | None] | None:
    return None if profile is None else (profile.first_name, profile.username, profile.language_code)


def is_current(session: Session, seen: Seen) -> bool:
    """Whether what we keep already matches (the read path: most uses change nothing)."""
    return _kept(session.get(StaffProfile, seen.telegram_id)) == seen.as_kept()


def record(session: Session, settings: Settings, seen: Seen) -> bool:
    """Keep (or refresh) how a staff member appears; nothing for someone without a role."""
    if role_of(session, settings, seen.telegram_id) is None:
        return False
    profile = session.get(StaffProfile, seen.telegram_id)
    if _kept(profile) == seen.as_kept():
        return False
    profile = profile or StaffProfile(telegram_id=seen.telegram_id, first_name=seen.as_kept()[0])
    profile.first_name, profile.username, profile.language_code = seen.as_kept()
    profile.updated_at = utcnow()
    session.add(profile)
    return True


def shown(profile: StaffProfile | None, telegram_id: int) -> str:
    if profile is None:
        return str(telegram_id)
    return f"{profile.first_name} (@{profile.username})" if profile.username else profile.first_name


def names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Each id as staff read it; an id we know no name for stays the id."""
    wanted = {i for i in ids if i is not None}
    found = {p.telegram_id: p for p in session.exec(select(StaffProfile).where(StaffProfile.telegram_id.in_(wanted)))} if wanted else {}
    return {i: shown(found.get(i), i) for i in wanted}


def name_of(session: Session, telegram_id: int) -> str:
    return shown(session.get(StaffProfile, telegram_id), telegram_id)


def language_for(session: Session, telegram_id: int, default: str) -> str:
    """The language a staff member's notices are in, resolved as when they use the bot: the
    one chosen with /language (or read the consent in), else their Telegram app's, else the default."""
    profile = session.get(StaffProfile, telegram_id)
    return language_of(session, Person(telegram_id, telegram_id, profile.language_code if profile else None), default)
