"""What stands between this install and families, one finding each: `run_bot.py check` prints
them (and exits non-zero while one blocks), admins see them at the top of /guidance, and the
bot logs the files other users of the server can read at every start.

A finding blocks a launch when families would be harmed or turned away by it: nobody can
administer the bot, an office families are sent to has no verified way to reach it, the token
or the database does not work, or the reports sit in files other accounts can read. A missing
staff chat or backup is a warning: the bot serves families without them, but someone should act.
"""

from __future__ import annotations

import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app import directory, roles
from core.config import PROJECT_ROOT, Settings
from core.i18n import t
from db.models import ContactField, Mission, StaffRole

BACKUP_MAX_AGE_HOURS = 26  # a daily backup, with two hours' slack for a slow dump
ACCESS_BY_OTHERS = stat.S_IRWXG | stat.S_IRWXO


@dataclass(frozen=True)
class Finding:
    key: str  # its text is the catalog's `launch.<key>`
    blocks: bool
    params: dict[str, str] = field(default_factory=dict)

    def text(self, language: str) -> str:
        return t(language, f"launch.{self.key}", **self.params)


def database_files(settings: Settings) -> list[Path]:
    """The SQLite file with its journal files; nothing for PostgreSQL (its server keeps them)."""
    url = make_url(settings.database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return []
    path = Path(url.database)
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def exposed_files(settings: Settings, env_file: Path = PROJECT_ROOT / ".env") -> list[Path]:
    """Data files (database, its journal, `.env` with the token) that other accounts on this
    server may read or write."""
    exposed = []
    for path in [*database_files(settings), env_file]:
        try:
            mode = path.stat().st_mode
        except OSError:
            continue  # not there (yet): nothing to read
        if mode & ACCESS_BY_OTHERS:
            exposed.append(path)
    return exposed


def files_finding(settings: Settings) -> list[Finding]:
    exposed = exposed_files(settings)
    return [Finding("files_exposed", True, {"files": ", ".join(str(p) for p in exposed)})] if exposed else []


def backup_finding(settings: Settings, now: float | None = None) -> list[Finding]:
    folder = settings.backup_dir
    if folder is None:
        return [Finding("no_backup_dir", False)]
    try:
        ages = [(now or time.time()) - entry.stat().st_mtime for entry in folder.iterdir() if entry.is_file()]
    except OSError:
        ages = []
    if not ages:
        return [Finding("no_backup", False, {"folder": str(folder)})]
    hours = min(ages) / 3600
    if hours > BACKUP_MAX_AGE_HOURS:
        return [Finding("backup_old", False, {"folder": str(folder), "hours": f"{hours:.0f}"})]
    return []


def staff_chat_finding(settings: Settings) -> list[Finding]:
    return [] if settings.staff_chat_id is not None else [Finding("no_staff_chat", False)]


def admin_finding(session: Session, settings: Settings) -> list[Finding]:
    if settings.admin_ids or session.exec(select(StaffRole).where(StaffRole.role == roles.ADMIN)).first():
        return []
    return [Finding("no_admin", True)]


def office_findings(session: Session, language: str) -> list[Finding]:
    """One per office with no verified way to reach it (families get only its name). It blocks
    when families are sent there (it covers a consular district); otherwise it warns."""
    fields: dict[str, list[ContactField]] = {}
    for row in session.exec(select(ContactField)):
        fields.setdefault(row.mission_key, []).append(row)
    findings = []
    for mission in session.exec(select(Mission).order_by(Mission.position)):
        rows = fields.get(mission.key, [])
        if any(row.verified for row in rows if row.field in directory.SHOWN_TO_FAMILIES):
            continue
        routed_there = any(row.field == "consular_district" and row.value.strip() for row in rows)
        name = mission.name.get(language) or mission.name["en"]
        findings.append(Finding("office_unverified", routed_there, {"office": name}))
    return findings


def in_the_bot(session: Session, settings: Settings, language: str) -> list[Finding]:
    """What a running bot can tell (its token and database evidently work), blocking first."""
    findings = [*admin_finding(session, settings), *office_findings(session, language), *files_finding(settings),
                *staff_chat_finding(settings), *backup_finding(settings)]
    return sorted(findings, key=lambda finding: not finding.blocks)


def admin_lines(session: Session, settings: Settings, language: str) -> list[str]:
    """The list at the top of /guidance: a title and one line per finding, or nothing."""
    findings = in_the_bot(session, settings, language)
    if not findings:
        return []
    return [t(language, "launch.title")] + [("⛔ " if f.blocks else "⚠️ ") + f.text(language) for f in findings]


def database_findings(settings: Settings) -> tuple[list[Finding], bool]:
    """Whether the database answers and is migrated, without creating or changing anything;
    and whether it can be read for the other findings."""
    from sqlalchemy import create_engine

    from db.database import normalise_url
    from db.migrate import revisions

    where = settings.database_url.split("@")[-1]  # never the password
    files = database_files(settings)
    if files and not files[0].exists():
        return [Finding("database_not_migrated", True, {"where": where, "current": "—"})], False
    engine = create_engine(normalise_url(settings.database_url))
    try:
        with engine.connect() as connection:
            current, head = revisions(connection)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the finding, in one line
        return [Finding("database_unreachable", True, {"where": where, "error": type(exc).__name__})], False
    finally:
        engine.dispose()
    if current != head:
        return [Finding("database_not_migrated", True, {"where": where, "current": current or "—"})], False
    return [], True


def with_database(settings: Settings, language: str) -> list[Finding]:
    """What the database itself says: an admin, the offices' contact details."""
    from db.database import make_engine

    engine = make_engine(settings.database_url, read_only=True)
    try:
        with Session(engine) as session:
            return [*admin_finding(session, settings), *office_findings(session, language)]
    finally:
        engine.dispose()


def run_checks(settings: Settings, token_findings: list[Finding], language: str = "en") -> list[Finding]:
    """Every finding for `run_bot.py check`, blocking first; `token_findings` come from asking
    Telegram (bot/launch.py: app/ does not speak to Telegram)."""
    database, usable = database_findings(settings)
    findings = [*token_findings, *database, *(with_database(settings, language) if usable else []),
                *files_finding(settings), *staff_chat_finding(settings), *backup_finding(settings)]
    return sorted(findings, key=lambda finding: not finding.blocks)
