"""The daily limit on new reports, counted so that it names nobody.

/delete removes a family's reports, so counting their cases would let anyone lift the limit by
deleting. Each day has a random salt; a person's count is stored under HMAC(salt, Telegram id),
with nothing else (no time, no case). The salt and the counts are deleted once the day is over
(`forget_past_days`, run by the daily purge): from then on no count can be tied to anyone, not
even by someone holding the database and a list of Telegram ids. While the day lasts, whoever
holds the database and one person's id could tell how many reports that id sent today; that is
exactly what enforcing the limit needs, and no more.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session

from db.models import DailyReportCount, DailySalt


def _tag(salt: str, telegram_id: int) -> str:
    return hmac.new(bytes.fromhex(salt), str(telegram_id).encode(), hashlib.sha256).hexdigest()


_SALTS, _COUNTS = DailySalt.__table__, DailyReportCount.__table__
# Plain statements, not ORM objects: both run for every report sent (and every /start).
_SALT_OF_DAY = select(_SALTS.c.salt).where(_SALTS.c.day == bindparam("on"))
_COUNT = select(_COUNTS.c.count).where(_COUNTS.c.day == bindparam("on"), _COUNTS.c.tag == bindparam("under"))
_ONE_MORE = update(_COUNTS).where(_COUNTS.c.day == bindparam("on"), _COUNTS.c.tag == bindparam("under")).values(count=_COUNTS.c.count + 1)


def reports_on(session: Session, telegram_id: int, day: date) -> int:
    connection = session.connection()
    salt = connection.execute(_SALT_OF_DAY, {"on": day}).scalar()
    if salt is None:
        return 0
    return connection.execute(_COUNT, {"on": day, "under": _tag(salt, telegram_id)}).scalar() or 0


def count_report(session: Session, telegram_id: int, day: date) -> None:
    connection = session.connection()
    salt = connection.execute(_SALT_OF_DAY, {"on": day}).scalar()
    if salt is None:
        salt = secrets.token_hex(32)
        connection.execute(insert(_SALTS), {"day": day, "salt": salt})
    tag = _tag(salt, telegram_id)
    # One writer at a time (the group-commit thread; on PostgreSQL, the one active copy).
    if not connection.execute(_ONE_MORE, {"on": day, "under": tag}).rowcount:
        connection.execute(insert(_COUNTS), {"day": day, "tag": tag, "count": 1})


def forget_past_days(session: Session, today: date) -> int:
    """The salts and counts of every day before `today`; returns how many counts went."""
    removed = session.execute(delete(DailyReportCount).where(DailyReportCount.day < today)).rowcount or 0
    session.execute(delete(DailySalt).where(DailySalt.day < today))
    return removed
