"""The team's work on cases: staff roles, notes, status changes, additions, duplicate links,
blocks, export audits, tombstones and the conversation with the family. Part of `db.models`,
which imports every table from here: import them from there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.columns import empty_dict, utcnow


class StaffRole(SQLModel, table=True):
    """Staff and admins granted in the bot (ADMIN_IDS are admins without a row)."""

    __tablename__ = "staff_role"

    telegram_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    role: str = Field(max_length=16)  # staff | admin
    granted_by: int | None = Field(default=None, sa_type=BigInteger)
    granted_at: datetime = Field(default_factory=utcnow)


class StaffProfile(SQLModel, table=True):
    """How a staff member or admin appears to colleagues (Telegram first name and @username) and
    the language their Telegram app uses, as last seen when they used a staff command. Only for
    people holding a role (ADMIN_IDS admins included): a family's name is never kept here."""

    __tablename__ = "staff_profile"

    telegram_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    first_name: str = Field(max_length=64)
    username: str | None = Field(default=None, max_length=32)
    language_code: str | None = Field(default=None, max_length=8)  # one of LANGUAGES, or None
    updated_at: datetime = Field(default_factory=utcnow)


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True, ondelete="CASCADE")
    author_id: int = Field(sa_type=BigInteger)
    text: str = Field(sa_type=Text)
    source_receipt: int | None = Field(default=None, sa_type=BigInteger, unique=True)  # redelivery-safe
    created_at: datetime = Field(default_factory=utcnow)


class CaseStatusChange(SQLModel, table=True):
    __tablename__ = "case_status_change"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True, ondelete="CASCADE")
    old_status: str = Field(max_length=32)
    new_status: str = Field(max_length=32)
    message: str | None = Field(default=None, sa_type=Text)  # staff's words to the family, if any
    author_id: int = Field(sa_type=BigInteger)
    source_receipt: int | None = Field(default=None, sa_type=BigInteger, unique=True)  # redelivery-safe
    created_at: datetime = Field(default_factory=utcnow)


class CaseAddition(SQLModel, table=True):
    """What a family added after submitting: a new contact, a new location, more files."""

    __tablename__ = "case_addition"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)  # contact | location | attachment
    value: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    source_receipt: int | None = Field(default=None, sa_type=BigInteger, unique=True)  # redelivery-safe
    created_at: datetime = Field(default_factory=utcnow)


class DuplicateLink(SQLModel, table=True):
    """Two cases that may be the same man. Never merged: staff confirm or reject the link."""

    __tablename__ = "duplicate_link"
    __table_args__ = (UniqueConstraint("case_id", "other_case_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True, ondelete="CASCADE")  # the newer case
    other_case_id: int = Field(foreign_key="case.id", index=True, ondelete="CASCADE")
    score: float
    state: str = Field(default="candidate", max_length=16)  # candidate | confirmed | rejected
    decided_by: int | None = Field(default=None, sa_type=BigInteger)
    decided_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class CaseBlock(SQLModel, table=True):
    """The blocks a case is filed under for duplicate look-ups (`flows.duplicates.stored_keys`):
    consonant outlines of its name, with its birth year, so that a new case finds its possible
    duplicates by one index range per block (key, then years). Derived from the name, so it
    goes with the case (cascade)."""

    __tablename__ = "case_block"

    key: str = Field(primary_key=True, max_length=96)
    birth_year: int = Field(primary_key=True)
    case_id: int = Field(primary_key=True, foreign_key="case.id", index=True, ondelete="CASCADE")


class ExportAudit(SQLModel, table=True):
    """Who exported what: profile, filters, row count. Never a field value."""

    __tablename__ = "export_audit"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, sa_type=BigInteger)  # None: the command line
    actor: str = Field(max_length=128)
    channel: str = Field(max_length=16)  # telegram | cli
    format: str = Field(max_length=8)
    profile: str = Field(max_length=16)
    filters: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    row_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class CaseTombstone(SQLModel, table=True):
    """All that is left of a deleted case, so a case under work does not silently vanish."""

    __tablename__ = "case_tombstone"

    ref: str = Field(max_length=16, primary_key=True)
    received_at: datetime
    deleted_at: datetime = Field(default_factory=utcnow)
    reason: str = Field(max_length=16)  # reporter | retention


class CaseMessage(SQLModel, table=True):
    """One message of a case's conversation between the family and our team."""

    __tablename__ = "case_message"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True, ondelete="CASCADE")
    direction: str = Field(max_length=8)  # family | team
    author_role: str = Field(max_length=16)  # family | staff | admin
    staff_id: int | None = Field(default=None, sa_type=BigInteger)  # who wrote a team message
    text: str | None = Field(default=None, sa_type=Text)  # a file's caption, if any
    attachment_kind: str | None = Field(default=None, max_length=16)  # photo | voice | document | ...
    file_id: str | None = Field(default=None, max_length=256)  # the file stays with Telegram
    mime_type: str | None = Field(default=None, max_length=128)
    file_name: str | None = Field(default=None, max_length=128)  # as sent, made safe to show
    # Whether staff may be sent the file, by the intake's rule (flows.files); None for a text
    # message, or a file stored before the rule applied here (then only Telegram's own kinds pass).
    forwardable: bool | None = None
    source_receipt: int | None = Field(default=None, sa_type=BigInteger, unique=True)  # redelivery-safe
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # A team message reaches the family after it is stored; None until Telegram took it.
    delivered_at: datetime | None = None
