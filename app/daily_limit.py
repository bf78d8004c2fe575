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

from sqlalchemy import delete
from sqlmodel import Session

from db.models import DailyReportCount, DailySalt


def _tag(salt: str, telegram_id: int) -> str:
    return hmac.new(bytes.fromhex(salt), str(telegram_id).encode(), hashlib.sha256).hexdigest()


def reports_on(session: Session, telegram_id: int, day: date) -> int:
    salt = session.get(DailySalt, day)
    if salt is None:
        return 0
    row = session.get(DailyReportCount, (day, _tag(salt.salt, telegram_id)))
    return row.count if row else 0


def count_report(session: Session, telegram_id: int, day: date) -> None:
    salt = session.get(DailySalt, day)
    if salt is None:
        salt = DailySalt(day=day, salt=secrets.token_hex(32))
        session.add(salt)
        session.flush()
    key = (day, _tag(salt.salt, telegram_id))
    row = session.get(DailyReportCount, key) or DailyReportCount(day=day, tag=key[1], count=0)
    row.count += 1
    session.add(row)


def forget_past_days(session: Session, today: date) -> int:
    """The salts and counts of every day before `today`; returns how many counts went."""
    removed = session.execute(delete(DailyReportCount).where(DailyReportCount.day < today)).rowcount or 0
    session.execute(delete(DailySalt).where(DailySalt.day < today))
    return removed
