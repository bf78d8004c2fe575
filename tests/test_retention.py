"""Nothing is kept forever: purges run at dates in the future show what goes, and when."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import Session, create_engine, select

from app import daily_limit
from app.privacy import Purged, purge
from core.config import load_settings
from db.migrate import upgrade
from db.models import (Case, CaseStatusChange, CaseTombstone, Conversation, DailyReportCount, DailySalt, InboxUpdate,
                       StaffRole, UserProfile)

pytestmark = pytest.mark.inprocess

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
CASE = dict(reporter_chat_id=1, language="az", consent_version="x", reporter_relationship="mother", person_full_name="Əli Məmmədov",
            birth_year=1980, last_contact_date=date(2025, 1, 1), last_contact_precision="day", last_contact_text="x",
            last_location="x", reporter_contact_method="telegram")
QUIET, MID_REPORT, STAFF, REPORTER = 501, 502, 503, 504


@pytest.fixture
def session(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def someone(session: Session, telegram_id: int, phase: str, answers: dict | None = None) -> None:
    session.add(UserProfile(telegram_id=telegram_id, language="az", created_at=T0, updated_at=T0))
    session.add(Conversation(telegram_id=telegram_id, chat_id=telegram_id, phase=phase, answers=answers or {}, updated_at=T0))
    session.add(InboxUpdate(receipt=telegram_id, update_id=telegram_id, digest="d", chat_key=telegram_id, payload="{}",
                            received_at=T0, done_at=T0))


def test_people_who_never_sent_a_report_are_forgotten_after_the_period_but_not_mid_report_or_staff(session):
    settings = load_settings(_env_file=None)
    someone(session, QUIET, "idle")  # agreed, then cancelled: never sent a report
    someone(session, MID_REPORT, "asking", {"relationship": "mother"})  # still within the draft's own period
    someone(session, STAFF, "idle")
    session.add(StaffRole(telegram_id=STAFF, role="staff"))
    someone(session, REPORTER, "idle")
    session.add(Case(ref="REP-ORT", reporter_telegram_id=REPORTER, submitted_receipt=1, created_at=T0, updated_at=T0, **CASE))
    session.commit()
    days = settings.retention_days_no_report
    # inbox retention takes processed raw updates after 7 days whoever wrote them
    assert purge(session, settings, T0 + timedelta(days=days - 1)).people == 0
    session.commit()
    assert purge(session, settings, T0 + timedelta(days=days, minutes=1)) == Purged(people=1)
    session.commit()
    assert session.get(UserProfile, QUIET) is None and session.get(Conversation, QUIET) is None
    assert sorted(session.exec(select(UserProfile.telegram_id))) == [MID_REPORT, STAFF, REPORTER]
    assert session.get(Conversation, MID_REPORT).answers == {"relationship": "mother"}


def test_the_last_message_counts_as_activity(session):
    settings = load_settings(_env_file=None)
    someone(session, QUIET, "consent")
    later = T0 + timedelta(days=20)
    session.add(InboxUpdate(receipt=9, update_id=9, digest="e", chat_key=QUIET, payload="{}", received_at=later))  # not yet handled
    session.commit()
    assert purge(session, settings, T0 + timedelta(days=settings.retention_days_no_report + 1)).people == 0
    session.commit()
    assert purge(session, settings, later + timedelta(days=settings.retention_days_no_report + 1)).people == 1


def test_a_case_marked_deceased_is_deleted_the_set_period_after_the_status_was_set(session):
    settings = load_settings(_env_file=None)
    created, marked = T0 - timedelta(days=900), T0
    for n, ref in enumerate(("DEC-EAS", "NEW-ONE"), 1):
        session.add(Case(ref=ref, status="deceased" if n == 1 else "new", reporter_telegram_id=600 + n, submitted_receipt=n,
                         created_at=created, updated_at=created, **CASE))
    session.flush()
    dead = session.exec(select(Case).where(Case.ref == "DEC-EAS")).one()
    session.add(CaseStatusChange(case_id=dead.id, old_status="new", new_status="deceased", author_id=1, created_at=marked))
    session.commit()
    days = settings.retention_days_deceased
    assert purge(session, settings, marked + timedelta(days=days - 1)).deceased == 0, "counted from the status, not the report"
    session.commit()
    assert purge(session, settings, marked + timedelta(days=days, minutes=1)).deceased == 1
    session.commit()
    assert sorted(session.exec(select(Case.ref))) == ["NEW-ONE"]
    assert session.get(CaseTombstone, "DEC-EAS").reason == "retention"


def test_the_daily_counter_and_its_salt_are_gone_after_the_day(session):
    day = T0.date()
    # A real id's length: three digits would turn up in the hex tag by chance (1 run in 70).
    mother, stranger = 5_123_456_789, 5_123_456_790
    daily_limit.count_report(session, mother, day)
    daily_limit.count_report(session, mother, day)
    session.commit()
    assert daily_limit.reports_on(session, mother, day) == 2 and daily_limit.reports_on(session, stranger, day) == 0
    assert str(mother) not in session.exec(select(DailyReportCount.tag)).one()
    purge(session, load_settings(_env_file=None), T0 + timedelta(hours=6))
    session.commit()
    assert daily_limit.reports_on(session, mother, day) == 2, "kept while the day lasts"
    purge(session, load_settings(_env_file=None), T0 + timedelta(days=1))
    session.commit()
    assert session.exec(select(DailySalt)).all() == [] and session.exec(select(DailyReportCount)).all() == []
