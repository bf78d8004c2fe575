"""Privacy that holds: /delete, retention, and limits against floods."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlmodel import Session, create_engine, select

from app.privacy import FloodGuard, Purged, purge
from app.texts import consent_text
from core.config import load_settings
from core.i18n import t, tn
from db.migrate import upgrade
from db.models import Case, CaseTombstone, InboxUpdate
from tests.support.bots import ADMIN_IDS, settle
from tests.support.conversation import submit_report


def test_the_consent_says_how_to_delete_and_every_period_the_purge_uses():
    for language in ("az", "ru", "en"):
        assert "/delete" in consent_text(language, load_settings())
    # The numbers come from the settings the purge reads, in words a person uses.
    chosen = load_settings(draft_retention_days=31, retention_days_closed=365, retention_days_deceased=730, retention_days_no_report=45)
    russian = consent_text("ru", chosen)
    assert all(period in russian for period in ("через 31 день", "через 1 год", "через 2 года", "через 45 дней")), russian
    english = consent_text("en", chosen)
    assert all(period in english for period in ("31 days after", "1 year after", "2 years after", "45 days after")), english
    assert "30 gün sonra" in consent_text("az", load_settings()) and "2 il sonra" in consent_text("az", load_settings())


def test_delete_removes_everything_and_staff_see_a_tombstone(bot, standin, relative):
    mother = relative("ru")
    ref = submit_report(mother, "ru")
    mother.ask("/new")
    mother.tap(t("ru", "button.agree"))
    mother.tap(t("ru", "choice.relationship.mother"))  # an unfinished second report
    confirm = mother.ask("/delete")
    assert ref in confirm.text and t("ru", "delete.what.draft") in confirm.text
    done = mother.tap(t("ru", "button.delete_yes"))
    assert done.text.startswith(t("ru", "delete.done", what="")[:8]) and ref in done.text

    assert bot.cases_of(mother.id) == []
    assert bot.conversation_of(mother.id) is None
    for table, column in (("user_profile", "telegram_id"), ("inbox_update", "chat_key"), ("pending_input", "telegram_id")):
        assert bot.query(f"select count(*) from {table} where {column} = :id", id=mother.id)[0][0] == 0, table
    for table in ("attachment", "case_block"):  # files' records, and the name's blocks for duplicate look-ups
        assert bot.query(f"select count(*) from {table} a left join \"case\" c on c.id = a.case_id where c.id is null")[0][0] == 0, table
    assert bot.query("select reason from case_tombstone where ref = :r", r=ref) == [("reporter",)]

    admin = standin.user(ADMIN_IDS[0], first_name="Admin", language_code="en")
    settle(admin)
    card = admin.ask(f"/case {ref}")
    assert ref in card.text and t("en", "staff.tombstone.reporter") in card.text and "Тахир" not in card.text
    settle(mother)
    assert mother.ask("/delete").text == t("ru", "delete.nothing")


def test_delete_can_be_declined(bot, relative):
    son = relative("en")
    ref = submit_report(son, "en")
    son.ask("/delete")
    assert son.tap(t("en", "button.delete_no")).text == t("en", "delete.kept")
    assert [c.ref for c in bot.cases_of(son.id)] == [ref]


def test_retention_purges_old_closed_cases_and_processed_updates(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    upgrade(url)
    engine = create_engine(url)
    now = datetime.now(timezone.utc)
    old, recent = now - timedelta(days=400), now - timedelta(days=10)
    common = dict(reporter_chat_id=1, language="az", consent_version="x", reporter_relationship="mother", person_full_name="A B",
                  birth_year=1980, last_contact_date=date(2025, 1, 1), last_contact_precision="day", last_contact_text="x",
                  last_location="x", reporter_contact_method="telegram")
    with Session(engine) as session:
        session.add(Case(ref="OLD-CLS", status="closed", updated_at=old, created_at=old, reporter_telegram_id=1, submitted_receipt=1, **common))
        session.add(Case(ref="OLD-NEW", status="new", updated_at=old, created_at=old, reporter_telegram_id=2, submitted_receipt=2, **common))
        session.add(Case(ref="NEW-CLS", status="closed", updated_at=recent, created_at=recent, reporter_telegram_id=3, submitted_receipt=3, **common))
        session.add(InboxUpdate(receipt=1, update_id=1, digest="d1", payload="{}", done_at=now - timedelta(days=30)))
        session.add(InboxUpdate(receipt=2, update_id=2, digest="d2", payload="{}", done_at=now - timedelta(hours=1)))
        session.add(InboxUpdate(receipt=3, update_id=3, digest="d3", payload="{}", done_at=None, received_at=old))
        session.commit()
        assert purge(session, load_settings(_env_file=None)) == Purged(closed=1, updates=1)
        session.commit()
        assert sorted(session.exec(select(Case.ref))) == ["NEW-CLS", "OLD-NEW"], "only closed cases past retention go"
        assert sorted(session.exec(select(InboxUpdate.receipt))) == [2, 3], "unprocessed updates are never purged"
        assert session.get(CaseTombstone, "OLD-CLS").reason == "retention"
    engine.dispose()


def test_flood_guard_warns_once_then_waits_for_the_person_to_slow_down():
    guard = FloodGuard(limit=3, seconds=10)
    assert [guard.admit(1, now=n * 0.1) for n in range(6)] == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert guard.admit(2, now=0.6) == "ok", "another person is not affected"
    assert guard.admit(1, now=30) == "ok"


def test_one_person_flooding_is_throttled_and_others_are_unaffected(fresh_bot, relative):
    fresh_bot.extra_env["FLOOD_MESSAGES"] = "30"  # the default: no person types 30 messages in 10 s
    fresh_bot.start()
    flooder, other = relative("en"), relative("en")
    for n in range(100):
        flooder.send(f"message {n}")
    assert other.ask("/help", timeout=20).text == t("en", "help.text")
    settle(flooder, quiet=1.5)
    waits = [m for m in flooder.messages if m.text == t("en", "flood.wait")]
    assert len(waits) == 1
    assert len(flooder.messages) <= 31, "at most the allowed messages were answered, plus one polite wait"


def test_new_reports_per_day_are_capped(standin, fresh_bot, relative):
    fresh_bot.extra_env["MAX_CASES_PER_DAY"] = "1"
    fresh_bot.start()
    mother = relative("az")
    submit_report(mother, "az")
    reply = mother.ask("/new")
    assert reply.text == tn("az", "limit.cases_per_day", "limit.cases_per_day.plural", 1)
    assert len(fresh_bot.cases_of(mother.id)) == 1


def test_flood_guard_forgets_people_who_have_gone_quiet_but_not_a_flooder_still_warned():
    guard = FloodGuard(limit=3, seconds=10)
    for n in range(4):
        assert guard.admit(7, now=95 + n * 0.1) in ("ok", "warn")
    for person in range(FloodGuard.SWEEP_EVERY):
        guard.admit(1000 + person, now=person * 0.1)  # a surge of people each writing once, over 100 s
    assert len(guard._seen) < 200, "people quiet for longer than the window are forgotten"
    assert guard.admit(7, now=99.9) == "drop", "someone still flooding stays throttled"
