"""Waiting for someone's next message outside the intake: an admin's guidance text or contact
detail, a staff note or status message, a family's addition to a submitted case.

What is awaited is stored as a target `kind:arg:arg`. Each kind needs a role (given by the
adapter's wiring); the role is checked again when the message arrives, so a right revoked
meanwhile is not used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from app.roles import ADMIN, STAFF, role_of
from db.models import PendingInput


@dataclass(frozen=True)
class Pending:
    kind: str
    args: list[str]
    text: str | None  # what was kept for a later step (an admin's previewed guidance text)


# Everyone the bot may be waiting for a message from: whoever it waited for when this copy began
# to serve, and whoever it has begun waiting for since. Asked before every message a relative
# types, so that the look-up runs only for them (staff mostly). Never narrowed while serving: a
# wait written in a transaction that then rolled back costs one look-up, while one forgotten
# would hand a staff note to the intake. In memory: it is rebuilt from the table at each start.
_MAY_BE_AWAITED: set[int] = set()


def remember_awaited(session: Session) -> None:
    """At the start of serving: everyone the table says the bot waits for."""
    _MAY_BE_AWAITED.update(session.connection().execute(select(PendingInput.__table__.c.telegram_id)).scalars())


def note_awaited(telegram_id: int) -> None:
    _MAY_BE_AWAITED.add(telegram_id)


def may_be_awaited(telegram_id: int) -> bool:
    return telegram_id in _MAY_BE_AWAITED


def target(kind: str, *args: object) -> str:
    return ":".join((kind, *(str(a) for a in args)))


def wait_for(session: Session, telegram_id: int, what: str) -> None:
    note_awaited(telegram_id)
    session.merge(PendingInput(telegram_id=telegram_id, target=what, pending_text=None))


def stop_waiting(session: Session, telegram_id: int) -> None:
    row = session.get(PendingInput, telegram_id)
    if row is not None:
        session.delete(row)


def pending_for(session: Session, settings, telegram_id: int, roles_needed: Mapping[str, str | None]) -> Pending | None:
    """What the bot waits for from this person, if anything they may still give."""
    # Asked only for people the bot may be waiting for (`may_be_awaited`, mostly staff).
    row = session.get(PendingInput, telegram_id)
    if row is None:
        return None
    kind, *args = row.target.split(":")
    if kind not in roles_needed:
        return None
    needed = roles_needed[kind]
    role = role_of(session, settings, telegram_id) if needed else None
    if needed == ADMIN and role != ADMIN or needed == STAFF and role not in (STAFF, ADMIN):
        return None
    return Pending(kind, args, row.pending_text)


def keep_text(session: Session, telegram_id: int, text: str) -> None:
    row = session.get(PendingInput, telegram_id)
    if row is not None:
        row.pending_text = text
        session.add(row)
