"""One turn of a relative's conversation, as one database transaction.

Load the draft, skip what a redelivered update already did, run the engine, turn a submitted
draft into a case, and store the reply with the answer: the caller sends it only after commit.

The draft is read and written with plain SQL statements rather than through the ORM: a turn
runs for every message and button of every relative, and in a surge the ORM's identity map and
unit of work were a third of the bot's CPU. The engine works on a plain `Draft` either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, select

from app import case_links, daily_limit, directory, drafts, guidance
from app.case_schema import case_values
from core.config import language_code
from core.i18n import format_day, t, tn
from db.models import Attachment, Case, Conversation, UserProfile, utcnow
from flows import engine, files
from flows.engine import Out, OutKind
from flows.reference import new_reference


@dataclass
class Turn:
    language: str
    outs: list[Out]
    answers: dict[str, Any]
    step: str | None
    guidance: list[guidance.Section] = field(default_factory=list)
    route: directory.Route | None = None
    replay: bool = False


@dataclass(frozen=True)
class Person:
    telegram_id: int
    chat_id: int
    language_code: str | None


_DRAFTS = Conversation.__table__
_PROFILES = UserProfile.__table__
# The draft and the remembered language in one look-up.
_LOAD_DRAFT = (select(_DRAFTS, _PROFILES.c.language.label("remembered"))
               .select_from(_DRAFTS.outerjoin(_PROFILES, _PROFILES.c.telegram_id == _DRAFTS.c.telegram_id))
               .where(_DRAFTS.c.telegram_id == bindparam("key")))
_PROFILE_LANGUAGE = select(_PROFILES.c.language).where(_PROFILES.c.telegram_id == bindparam("key"))
_INSERT_DRAFT = insert(_DRAFTS)
_UPDATE_DRAFT = update(_DRAFTS).where(_DRAFTS.c.telegram_id == bindparam("key"))
DRAFT_FIELDS = tuple(column.name for column in _DRAFTS.columns)
# A new draft: the model's defaults, without building (and validating) a model to read them.
# (pydantic's own `get_default` inspects a factory's signature on every call: 0.15 ms for `list`.)
_DRAFT_DEFAULTS = tuple((name, info.default, info.default_factory) for name, info in Conversation.model_fields.items()
                        if name not in ("telegram_id", "chat_id"))


class Draft:
    """A conversation row as a plain object: what `flows.engine` reads and changes."""

    __slots__ = (*DRAFT_FIELDS, "stored")

    def __init__(self, stored: bool, **values: Any):
        self.stored = stored  # a row exists: the turn updates it rather than inserting one
        for name in DRAFT_FIELDS:
            setattr(self, name, values[name])

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in DRAFT_FIELDS}


def profile_language(session: Session, telegram_id: int) -> str | None:
    """The language this person chose or read the consent in, if the bot remembers one."""
    return session.connection().execute(_PROFILE_LANGUAGE, {"key": telegram_id}).scalar()


def language_of(session: Session, person: Person, default: str) -> str:
    return _language(profile_language(session, person.telegram_id), person, default)


def _language(remembered: str | None, person: Person, default: str) -> str:
    return remembered or language_code(person.language_code) or default


def set_language(session: Session, person: Person, language: str) -> None:
    profile = session.get(UserProfile, person.telegram_id) or UserProfile(telegram_id=person.telegram_id, language=language)
    profile.language = language
    profile.language_chosen = True
    profile.updated_at = utcnow()
    session.add(profile)


def draft_of(session: Session, person: Person) -> tuple[Draft, str | None]:
    """The person's draft, and the language the bot remembers for them (None: none yet)."""
    row = session.connection().execute(_LOAD_DRAFT, {"key": person.telegram_id}).mappings().first()
    if row is None:  # a first message: the model's defaults make the new draft
        new = {name: factory() if factory else default for name, default, factory in _DRAFT_DEFAULTS}
        return Draft(False, telegram_id=person.telegram_id, chat_id=person.chat_id, **new), \
            profile_language(session, person.telegram_id)
    return Draft(True, **row), row["remembered"]


def store_draft(session: Session, draft: Draft) -> None:
    if draft.stored:
        session.connection().execute(_UPDATE_DRAFT, {"key": draft.telegram_id, **draft.values()})
    else:
        session.connection().execute(_INSERT_DRAFT, draft.values())
        draft.stored = True


def run_turn(
    session: Session,
    person: Person,
    receipt: int,
    act: Callable[[Session, Draft], list[Out]],
    default_language: str,
    today: date,
    found: case_links.Found | None = None,
) -> Turn:
    """`found`: the duplicates `case_links.candidates_for_draft` read before this write, if the
    turn may submit (so the writer only inserts the links)."""
    conversation, remembered = draft_of(session, person)
    # Receipts are the inbox's own numbers, given in the order updates were stored (unlike
    # Telegram's update ids, which may restart lower), and one chat's updates are handled in
    # that order: a receipt not above the last one applied was applied before a crash.
    if receipt <= conversation.last_receipt:
        # Re-send what it answered if it was the last one; change nothing either way.
        repeat = receipt == conversation.last_receipt
        outs = [Out.from_json(o) for o in conversation.last_outputs] if repeat else []
        return _turn(session, conversation, _language(remembered, person, default_language), outs, replay=True)

    outs = act(session, conversation)
    submitted_route = None
    if session.new or session.dirty:  # the act wrote through the ORM (a language chosen)
        session.flush()
        remembered = profile_language(session, person.telegram_id)
    language = _language(remembered, person, default_language)
    if any(o.kind == OutKind.SUBMIT for o in outs):
        where = directory.route(session, language, conversation.answers.get("last_location"))
        case, mine = _create_case(session, conversation, person, language, receipt, where)
        case_links.write_links(session, case, found, mine)
        submitted_route = where
        about = {"situation": conversation.answers.get("situation"), "location": conversation.answers.get("last_location")}
        engine.after_submit(conversation)
        outs = [Out(OutKind.SUBMITTED, params={"ref": case.ref}), Out(OutKind.GUIDANCE, params=about)]
    if conversation.consent_version and remembered is None:
        # After consent we remember the language the relative is reading in.
        session.add(UserProfile(telegram_id=person.telegram_id, language=language))

    if conversation.confirming_cancel:  # she sent /cancel: no reminder for this draft, even if she keeps it
        drafts.waive(session, person.telegram_id, conversation.started_at)
    conversation.chat_id = person.chat_id
    conversation.last_receipt = receipt
    conversation.last_outputs = [o.to_json() for o in outs]
    conversation.updated_at = utcnow()
    store_draft(session, conversation)
    return _turn(session, conversation, language, outs, route=submitted_route)


def _turn(session: Session, conversation: Draft, language: str, outs: list[Out], replay: bool = False, route=None) -> Turn:
    sections: list[guidance.Section] = []
    for out in outs:
        if out.kind == OutKind.GUIDANCE:
            sections = guidance.for_family(session, language, out.params.get("situation"))
            route = route or directory.route(session, language, out.params.get("location"))
    return Turn(language, outs, dict(conversation.answers), conversation.step, sections, route, replay)


def _create_case(session: Session, draft: Draft, person: Person, language: str, receipt: int,
                 where: directory.Route | None) -> tuple[Case, case_links.Facts]:
    """The case as one INSERT, with its office and home district already in it."""
    answers = draft.answers
    unknown = answers.get(engine.UNKNOWN_ANSWERS) or []
    case = Case(
        ref=_unused_reference(session),
        reporter_telegram_id=person.telegram_id,
        reporter_chat_id=person.chat_id,
        language=language,
        consent_version=draft.consent_version or engine.CONSENT_VERSION,
        submitted_receipt=receipt,
        skipped=sorted(name for name, value in answers.items() if value is None and name not in unknown),
        unknown_answers=sorted(unknown),
        consular_mission=where.mission_key if where else None,
        region_key=where.region_key if where else None,
        **case_values(answers),
    )
    mine = case_links.facts_of_case(case)
    case.home_district_key = mine.district_key
    session.add(case)
    session.flush()
    daily_limit.count_report(session, person.telegram_id, case.created_at.date())
    for item in answers.get("attachments") or []:
        session.add(
            Attachment(
                case_id=case.id,
                kind=item["kind"],
                file_id=item["file_id"],
                file_unique_id=item["file_unique_id"],
                mime_type=item.get("mime_type"),
                file_size=item.get("file_size"),
                file_name=item.get("file_name"),
                forwardable=files.recorded_forwardable(item),
            )
        )
    return case, mine


def _unused_reference(session: Session) -> str:
    while True:
        ref = new_reference()
        if session.exec(select(Case.id).where(Case.ref == ref)).first() is None:
            return ref


def cases_of(session: Session, telegram_id: int) -> list[Case]:
    query = select(Case).where(Case.reporter_telegram_id == telegram_id).order_by(Case.created_at.desc())
    return list(session.exec(query))


def cases_today(session: Session, telegram_id: int) -> int:
    """Reports this person sent today (UTC), deleted ones included (a flood of reports is capped)."""
    return daily_limit.reports_on(session, telegram_id, utcnow().date())


def status_lines(session: Session, telegram_id: int, language: str) -> list[str] | None:
    """/status: each report with the man's name, its date and where it stands (None: no reports)."""
    cases = cases_of(session, telegram_id)
    if not cases:
        return None
    lines = [tn(language, "status.header", "status.header.plural", len(cases)), ""]
    for case in cases:
        lines.append(t(language, "status.line", ref=case.ref, name=case.person_full_name, date=format_day(language, case.created_at.date()), status=t(language, f"status.value.{case.status}")))
    return lines
