"""Who may do what: admins (ADMIN_IDS, or granted) and staff (granted). Identity is the numeric
Telegram id, never the username; the role is looked up on every command and button."""

from __future__ import annotations

from sqlmodel import Session, select

from core.config import Settings
from db.models import StaffProfile, StaffRole, utcnow

ADMIN, STAFF = "admin", "staff"
ROLES = (STAFF, ADMIN)
# The commands each kind of person has (bot/wiring.py routes them; each checks the role on use).
COMMANDS = ("start", "new", "status", "update", "language", "help", "cancel", "delete")
STAFF_COMMANDS = ("cases", "case", "export")
ADMIN_COMMANDS = ("guidance", "grant", "revoke")


def commands_beyond_families(role: str | None) -> tuple[str, ...]:
    """Staff have theirs; admins have the staff's and their own."""
    if role == ADMIN:
        return STAFF_COMMANDS + ADMIN_COMMANDS
    return STAFF_COMMANDS if role == STAFF else ()


def role_of(session: Session, settings: Settings, telegram_id: int | None) -> str | None:
    if telegram_id is None:
        return None
    if telegram_id in settings.admin_ids:
        return ADMIN
    row = session.get(StaffRole, telegram_id)
    return row.role if row else None


def is_admin(session: Session, settings: Settings, telegram_id: int | None) -> bool:
    return role_of(session, settings, telegram_id) == ADMIN


def is_staff(session: Session, settings: Settings, telegram_id: int | None) -> bool:
    """Staff rights: staff and admins."""
    return role_of(session, settings, telegram_id) in ROLES


def grant(session: Session, telegram_id: int, role: str, granted_by: int | None) -> StaffRole:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    row = session.get(StaffRole, telegram_id) or StaffRole(telegram_id=telegram_id, role=role)
    row.role, row.granted_by, row.granted_at = role, granted_by, utcnow()
    session.add(row)
    return row


def revoke(session: Session, telegram_id: int) -> bool:
    row = session.get(StaffRole, telegram_id)
    if row is None:
        return False
    session.delete(row)
    profile = session.get(StaffProfile, telegram_id)  # how colleagues saw them: not kept without a role
    if profile is not None:
        session.delete(profile)
    return True


def all_roles(session: Session, settings: Settings) -> list[tuple[int, str, str]]:
    """(id, role, where from) for everyone with rights."""
    rows = [(admin_id, ADMIN, "ADMIN_IDS") for admin_id in settings.admin_ids]
    rows += [(r.telegram_id, r.role, f"granted by {r.granted_by or 'command line'}") for r in session.exec(select(StaffRole).order_by(StaffRole.telegram_id))]
    return rows
