"""Waiting for someone's next message outside the intake: an admin's guidance text or contact
detail, a staff note or status message, a family's addition to a submitted case.

Each kind declares the role it needs; the role is checked again when the message arrives, so a
right revoked meanwhile is not used. The hook runs before the intake (handler group -1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import bindparam, select
from sqlmodel import Session
from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.handlers import Context, read, services
from core.i18n import t
from app.roles import ADMIN, STAFF, role_of
from db.models import PendingInput

Handler = Callable[[Update, Context, PendingInput], Awaitable[None]]
_KINDS: dict[str, tuple[str | None, Handler]] = {}


def expects(kind: str, role: str | None):
    """Register what handles the next message for `kind` (role None: anyone, e.g. a family)."""

    def register(handler: Handler) -> Handler:
        _KINDS[kind] = (role, handler)
        return handler

    return register


def kind_of(pending: PendingInput) -> str:
    return pending.target.split(":", 1)[0]


def wait_for(session: Session, telegram_id: int, target: str) -> None:
    session.merge(PendingInput(telegram_id=telegram_id, target=target, pending_text=None))


def stop_waiting(session: Session, telegram_id: int) -> None:
    row = session.get(PendingInput, telegram_id)
    if row is not None:
        session.delete(row)


_ANY_PENDING = select(PendingInput.__table__.c.telegram_id).where(PendingInput.__table__.c.telegram_id == bindparam("key"))


def pending_for(session: Session, settings, telegram_id: int) -> PendingInput | None:
    # Asked before every message a relative types: a plain look-up first, the ORM only when
    # the bot is waiting for something (rarely, and mostly for staff).
    if session.connection().execute(_ANY_PENDING, {"key": telegram_id}).first() is None:
        return None
    row = session.get(PendingInput, telegram_id)
    if row is None or kind_of(row) not in _KINDS:
        return None
    needed = _KINDS[kind_of(row)][0]
    role = role_of(session, settings, telegram_id) if needed else None
    if needed == ADMIN and role != ADMIN or needed == STAFF and role not in (STAFF, ADMIN):
        return None
    return row


async def _pending(update: Update, context: Context) -> PendingInput | None:
    if update.effective_chat is None or update.effective_chat.type != "private" or update.effective_user is None:
        return None
    app = services(context)
    return await app.db.read(lambda s: pending_for(s, app.settings, update.effective_user.id))


async def on_message(update: Update, context: Context) -> None:
    pending = await _pending(update, context)
    if pending is None:
        return
    await _KINDS[kind_of(pending)][1](update, context, pending)
    raise ApplicationHandlerStop


async def on_cancel(update: Update, context: Context) -> None:
    """/cancel while the bot waits for something else than a report answer cancels that."""
    if await _pending(update, context) is None:
        return
    app = services(context)
    await app.db.run(lambda s: stop_waiting(s, update.effective_user.id))
    _person, language, _ = await read(update, context)
    await context.bot.send_message(update.effective_chat.id, t(language, "admin.cancelled"))
    raise ApplicationHandlerStop
