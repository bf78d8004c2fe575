"""Every table Homeward keeps, imported from here (Alembic reads this metadata): the relatives'
side, the guidance and the counters here, the team's work on cases in `db.case_work`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.case_work import (  # noqa: F401 - every table is imported from here
    StaffRole,
    StaffProfile,
    CaseNote,
    CaseStatusChange,
    CaseAddition,
    DuplicateLink,
    CaseBlock,
    ExportAudit,
    CaseTombstone,
    CaseMessage,
)
from db.columns import empty_dict, empty_list, utcnow  # noqa: F401 - utcnow is imported from here


class InboxUpdate(SQLModel, table=True):
    """A raw Telegram update, stored before Telegram is told we have it.

    Telegram's update_id is not a key: after a week without updates Telegram numbers the next
    ones from a random, possibly lower, point, so an old id may come again for a new update. A
    delivery is known by its id *and* its content (`digest`); the `receipt` is our own number,
    given in the order updates are stored, and is what everything the update caused refers to.
    """

    __tablename__ = "inbox_update"
    __table_args__ = (UniqueConstraint("update_id", "digest", name="uq_inbox_update_delivery"),)

    receipt: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    update_id: int = Field(sa_type=BigInteger)
    digest: str = Field(max_length=32)
    chat_key: int | None = Field(default=None, sa_type=BigInteger, index=True)
    payload: str = Field(sa_type=Text)
    received_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    done_at: datetime | None = Field(default=None, index=True)


class UserProfile(SQLModel, table=True):
    """What the bot remembers about a person between reports: only their language."""

    __tablename__ = "user_profile"

    telegram_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    language: str = Field(max_length=8)
    language_chosen: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    """Where a person is in the bot, and the report they are filling in (the draft)."""

    __tablename__ = "conversation"

    telegram_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    chat_id: int = Field(sa_type=BigInteger)
    phase: str = Field(default="idle", max_length=32)
    step: str | None = Field(default=None, max_length=64)
    editing: bool = False
    confirming_cancel: bool = False
    answers: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    consent_version: str | None = Field(default=None, max_length=32)
    # The receipt of the newest update whose effects are committed: a redelivered update only
    # re-sends the reply.
    last_receipt: int = Field(default=0, sa_type=BigInteger)
    # What that update answered, so a redelivery re-sends exactly it.
    last_outputs: list[dict[str, Any]] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    started_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class DraftReminder(SQLModel, table=True):
    """The one reminder for a report left half-way (`app.drafts`): which draft it was for (the
    draft's `started_at`), and whether it was waived (/cancel), claimed (written before sending,
    so a crash never sends it twice), sent or failed. Goes with the conversation."""

    __tablename__ = "draft_reminder"

    telegram_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False},
                             foreign_key="conversation.telegram_id", ondelete="CASCADE")
    draft_started_at: datetime
    state: str = Field(max_length=16)  # waived | claimed | sent | failed
    at: datetime = Field(default_factory=utcnow)


class Case(SQLModel, table=True):
    """A submitted report."""

    __tablename__ = "case"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True, index=True)
    reporter_telegram_id: int = Field(sa_type=BigInteger, index=True)
    reporter_chat_id: int = Field(sa_type=BigInteger)
    language: str = Field(max_length=8)
    status: str = Field(default="new", max_length=32, index=True)
    consent_version: str = Field(max_length=32)
    share_with_authorities: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    # Idempotency: the update that submitted the case; a redelivered "Submit" finds it again.
    submitted_receipt: int = Field(sa_type=BigInteger, unique=True)

    reporter_relationship: str = Field(max_length=32)
    person_full_name: str = Field(max_length=100)
    birth_year: int
    birth_date: date | None = None
    last_contact_date: date | None = None  # None: the family does not know (precision "unknown")
    last_contact_precision: str = Field(max_length=16)
    last_contact_text: str = Field(sa_type=Text)
    last_location: str = Field(sa_type=Text)
    last_location_lat: float | None = None
    last_location_lon: float | None = None
    reporter_contact_method: str = Field(max_length=16)
    reporter_phone: str | None = Field(default=None, max_length=32)
    # The latest value a family gave; set when their /update changed it (None: as first reported).
    reporter_phone_changed_at: datetime | None = None
    last_location_changed_at: datetime | None = None

    person_name_ru: str | None = Field(default=None, max_length=100)
    person_father_name: str | None = Field(default=None, max_length=100)
    home_district: str | None = Field(default=None, sa_type=Text)
    circumstances: str | None = Field(default=None, max_length=32)
    details: str | None = Field(default=None, sa_type=Text)
    person_situation: str | None = Field(default=None, max_length=32)
    last_phone: str | None = Field(default=None, max_length=32)
    already_contacted: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    skipped: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    # Optional questions answered "I don't know" (no value kept), apart from those skipped.
    unknown_answers: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    reporter_name: str | None = Field(default=None, max_length=100)
    # Worked out at submit, for routing and de-identified statistics (never free text).
    consular_mission: str | None = Field(default=None, max_length=32)
    region_key: str | None = Field(default=None, max_length=64, index=True)
    home_district_key: str | None = Field(default=None, max_length=64)
    # The staff member working the case (a Telegram id), if one has taken it.
    assignee_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    # Since when the family's newest messages have waited for our answer (None: nothing waits).
    awaiting_reply_since: datetime | None = Field(default=None, index=True)


class Attachment(SQLModel, table=True):
    """A photo, document or voice message, kept as Telegram's file_id (the file stays with Telegram)."""

    __tablename__ = "attachment"
    __table_args__ = (UniqueConstraint("case_id", "file_unique_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    file_id: str = Field(max_length=256)
    file_unique_id: str = Field(max_length=128)
    mime_type: str | None = Field(default=None, max_length=128)
    file_size: int | None = None
    file_name: str | None = Field(default=None, max_length=128)  # as sent, made safe to show
    # Photos, voice, video, audio and PDF go to staff on "Send the files"; anything else (an
    # executable, a script, an archive) is only kept for the export and flagged on the case.
    forwardable: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class GuidanceText(SQLModel, table=True):
    """One version of one guidance section in one language; the current one is shown."""

    __tablename__ = "guidance_text"
    __table_args__ = (UniqueConstraint("section", "language", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    section: str = Field(max_length=64, index=True)
    language: str = Field(max_length=8)
    version: int = 1
    position: int = 0
    situations: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    # Situations that never receive this section (a family told he was killed gets no legal warning).
    not_for: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    title: str = Field(sa_type=Text)
    body: str = Field(sa_type=Text)
    sources: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    is_current: bool = Field(default=True, index=True)
    author_id: int | None = Field(default=None, sa_type=BigInteger)  # None: loaded from seeds/
    created_at: datetime = Field(default_factory=utcnow)
    # Another language of the section was published since; cleared by an update or a confirmation.
    outdated: bool = False
    reviewed_by: int | None = Field(default=None, sa_type=BigInteger)
    reviewed_at: datetime | None = None


class Mission(SQLModel, table=True):
    """An Azerbaijani mission families may contact (names from the glossary)."""

    __tablename__ = "mission"

    key: str = Field(max_length=32, primary_key=True)
    position: int = 0
    name: dict[str, str] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))


class ContactField(SQLModel, table=True):
    """One detail of a mission. Shown to families only once an admin has verified it."""

    __tablename__ = "contact_field"
    __table_args__ = (UniqueConstraint("mission_key", "field"),)

    id: int | None = Field(default=None, primary_key=True)
    mission_key: str = Field(foreign_key="mission.key", max_length=32, index=True)
    field: str = Field(max_length=32)  # address | phone | hotline | email | hours | consular_district
    value: str = Field(default="", sa_type=Text)
    source: str = Field(default="", sa_type=Text)
    updated_by: int | None = Field(default=None, sa_type=BigInteger)
    updated_at: datetime = Field(default_factory=utcnow)
    verified_by: int | None = Field(default=None, sa_type=BigInteger)
    verified_at: datetime | None = None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None and bool(self.value)


class PendingInput(SQLModel, table=True):
    """The bot waits for this person's next message for something other than the intake: an
    admin's guidance text or contact detail, a staff note or status message, a family's
    addition to a submitted case. Kept across restarts."""

    __tablename__ = "pending_input"

    telegram_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    target: str = Field(max_length=128)  # "<kind>:<key>:<sub>", e.g. "guidance:have_ready:az"
    pending_text: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)


class DailySalt(SQLModel, table=True):
    """A random key for one day's report counter; deleted with the day's counts, after which
    no count can be tied to a Telegram id again."""

    __tablename__ = "daily_salt"

    day: date = Field(primary_key=True)
    salt: str = Field(max_length=64)


class DailyReportCount(SQLModel, table=True):
    """How many reports one person sent on one day, under a keyed hash of their id (that
    day's salt): /delete removes the reports but not this, so deleting does not lift the
    daily limit, and nothing here names or points at a family."""

    __tablename__ = "daily_report_count"

    day: date = Field(primary_key=True)
    tag: str = Field(primary_key=True, max_length=64)
    count: int = 0
