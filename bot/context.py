"""What every handler reaches through PTB's context: the services built once at start-up, who
is writing, and read-only look-ups in their language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from app import staff_people
from app.intake import Person, language_of
from app.privacy import FloodGuard
from app.roles import ADMIN, STAFF, role_of
from bot.inbox import Inbox
from bot.processor import ChatOrderedProcessor
from core.config import Settings
from db.database import Database

SERVICES = "services"
Context = ContextTypes.DEFAULT_TYPE


@dataclass
class Services:
    settings: Settings
    db: Database
    inbox: Inbox
    processor: ChatOrderedProcessor
    flood_guard: FloodGuard
    # Filled by `bot.wiring`: what handles an awaited message, by kind, and the role it needs;
    # and who hears (context, case reference) once a new case's confirmation is sent.
    desk: dict[str, tuple[str | None, Any]] = field(default_factory=dict)
    on_submitted: tuple = ()


def services(context: Context) -> Services:
    return context.bot_data[SERVICES]


def person_of(update: Update) -> Person:
    user = update.effective_user
    return Person(user.id, update.effective_chat.id, user.language_code)


async def read(update: Update, context: Context, query=lambda _session, _person, _language: None):
    """A read-only look-up for this person: their language, and what `query` returns."""
    app = services(context)
    person = person_of(update)

    def look_up(session: Session):
        language = language_of(session, person, app.settings.default_language)
        return person, language, query(session, person, language)

    return await app.db.read(look_up)


async def language(update: Update, context: Context) -> str:
    return (await read(update, context))[1]


async def role_language(update: Update, context: Context, role: str = STAFF) -> str | None:
    """The caller's language if they hold `role` (staff: staff or admin) in a private chat; the
    role is looked up on every use, on the read path. Anyone holding a role is also seen as
    colleagues will be shown them (`app.staff_people`)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != "private":
        return None
    app = services(context)

    seen = staff_people.Seen(user.id, user.first_name, user.username, user.language_code)

    def look_up(session: Session, _person: Person, _language: str) -> tuple[str | None, bool]:
        held = role_of(session, app.settings, user.id)
        return held, held is None or staff_people.is_current(session, seen)

    _person, language, (held, current) = await read(update, context, look_up)
    if not current:  # a new colleague, or one who renamed themselves: written only then
        await app.db.run(lambda s: staff_people.record(s, app.settings, seen))
    if held is None or (role == ADMIN and held != ADMIN):
        return None
    return language
