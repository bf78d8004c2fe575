"""A conversation per case: a family writes to our team after sending a report, staff answer
from the case, her answers thread back; who works a case; the card in pages; exports; /delete."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import Session

from app.screens import PHONE_WIDTH
from core.config import LANGUAGE_NAMES
from core.i18n import t
from db.models import CaseAddition
from tests.support.bots import ADMIN_IDS, STAFF_CHAT, run_bot, settle
from tests.support.conversation import submit_report

pytestmark = pytest.mark.inprocess

NAMES = {"az": "Tahir Abdullayev", "ru": "Тахир Абдуллаев", "en": "Tahir Abdullayev"}


def thread_of(bot, ref: str) -> list[tuple]:
    return bot.query("select m.direction, m.author_role, m.text, m.attachment_kind, m.staff_id from case_message m "
                     "join \"case\" c on c.id = m.case_id where c.ref = :r order by m.id", r=ref)


def reply_as_staff(staff, ref: str, text: str):
    settle(staff)
    staff.ask(f"/case {ref}")
    staff.tap(t("ru", "button.staff.reply"))
    return staff.ask(text)


def take(staff, ref: str) -> None:
    settle(staff)
    staff.ask(f"/case {ref}")
    assert staff.tap(t("ru", "button.staff.assign_me")).text == t("ru", "staff.assign.done", ref=ref, who=staff.first_name)


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_a_family_message_after_submit_reaches_the_thread_and_the_assignee_is_told(bot, standin, relative, staff, language):
    mother = relative(language)
    ref = submit_report(mother, language)
    take(staff, ref)
    in_staff_chat = len(standin.sent_messages(STAFF_CHAT))
    prompt = mother.tap(t(language, "button.write_to_team"))
    assert prompt.text == t(language, "thread.prompt", ref=ref, name=NAMES[language])
    assert mother.ask("Oğlum yenə zəng etmədi. Nə etməliyəm?").text == t(language, "thread.received")
    assert thread_of(bot, ref) == [("family", "family", "Oğlum yenə zəng etmədi. Nə etməliyəm?", None, None)]
    # Staff are told in their Telegram app's language (ru here) unless they chose one with /language.
    notice = staff.wait_for(lambda: next((m for m in standin.sent_messages(staff.id) if m.text == t("ru", "staff.thread.notice", ref=ref)), None),
                            what="the assignee's notice")
    assert NAMES[language] not in notice.text and "zəng" not in notice.text
    group = staff.wait_for(lambda: next((m for m in standin.sent_messages(STAFF_CHAT)[in_staff_chat:] if m.text == t("az", "staff.thread.notice", ref=ref)), None),
                           what="the staff chat notice")
    assert NAMES[language] not in group.plain_text and "zəng" not in group.plain_text, "the reference only: no name, no words of hers"
    # A photo and a voice message go the same way, with one notice for the whole wait.
    mother.send_photo(caption="Bu onun son şəklidir")
    assert mother.next_message().text == t(language, "thread.received")
    mother.send_voice()
    assert mother.next_message().text == t(language, "thread.received")
    assert [(d, kind) for d, _r, _text, kind, _s in thread_of(bot, ref)] == [("family", None), ("family", "photo"), ("family", "voice")]
    settle(staff)
    assert len([m for m in standin.sent_messages(staff.id) if m.text == t("ru", "staff.thread.notice", ref=ref)]) == 1


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_a_staff_reply_reaches_the_family_framed_in_her_language_and_her_answer_threads_back(bot, relative, staff, language):
    mother = relative(language)
    ref = submit_report(mother, language)
    settle(staff)
    staff.ask(f"/case {ref}")
    prompt = staff.tap(t("ru", "button.staff.reply")).text
    assert prompt == t("ru", "staff.reply.prompt", ref=ref, language=LANGUAGE_NAMES[language]), "her language by its name, not its code"
    assert staff.ask("Пришлите, пожалуйста, фото паспорта <b>сына</b> & номер части.").text == t("ru", "staff.reply.sent", ref=ref)
    news = mother.next_message()
    assert news.text == t(language, "thread.from_team", ref=ref) + "\n\nПришлите, пожалуйста, фото паспорта &lt;b&gt;сына&lt;/b&gt; &amp; номер части."
    assert news.plain_text.endswith("фото паспорта <b>сына</b> & номер части."), "staff text arrives as written"
    assert t(language, "button.write_back") in news.buttons
    # She just answers: it threads back to the case, without a button.
    assert mother.ask("Hissə 11097, pasportu indi göndərirəm.").text == t(language, "thread.received")
    mother.send_document()
    assert mother.next_message().text == t(language, "thread.received")
    thread = thread_of(bot, ref)
    assert [(d, r, s) for d, r, _text, _k, s in thread] == [("team", "staff", staff.id), ("family", "family", None), ("family", "family", None)]
    assert thread[1][2] == "Hissə 11097, pasportu indi göndərirəm." and thread[2][3] == "document"
    settle(staff)
    card = staff.ask(f"/case {ref}")
    assert t("ru", "staff.card.thread_title") in card.text and "Hissə 11097" in card.text
    assert f"[{t('ru', 'staff.card.file.document')}]" in card.text, "a file by its name in the staff member's language"
    assert card.text.index("номер части") < card.text.index("Hissə 11097"), "newest last"


def test_two_reports_ask_which_one_and_free_text_offers_the_same(bot, relative, staff):
    mother = relative("ru")
    first = submit_report(mother, "ru", name="Тахир Абдуллаев")
    second = submit_report(mother, "ru", name="Эльчин Абдуллаев")
    offer = mother.ask("Есть ли новости про младшего?")  # outside any question
    assert offer.text == t("ru", "thread.offer.many")
    assert f"Эльчин Абдуллаев · {second}" in offer.buttons and f"Тахир Абдуллаев · {first}" in offer.buttons
    assert t("ru", "button.new_report") in offer.buttons
    assert not thread_of(bot, first) and not thread_of(bot, second), "nothing goes anywhere before she chooses"
    assert mother.tap(f"Эльчин Абдуллаев · {second}").text == t("ru", "thread.received")
    assert [text for _d, _r, text, _k, _s in thread_of(bot, second)] == ["Есть ли новости про младшего?"]
    assert mother.ask("Он звонил в октябре.").text == t("ru", "thread.received"), "she is now writing about that report"
    assert len(thread_of(bot, second)) == 2 and not thread_of(bot, first)
    # /status offers the same: which report, then writing to it.
    status = mother.ask("/status")
    assert t("ru", "button.write_to_team") in status.buttons
    assert mother.tap(t("ru", "button.write_to_team")).text == t("ru", "thread.which")
    assert mother.tap(f"Тахир Абдуллаев · {first}").text == t("ru", "thread.prompt", ref=first, name="Тахир Абдуллаев")
    assert mother.ask("И про старшего тоже.").text == t("ru", "thread.received")
    assert [text for _d, _r, text, _k, _s in thread_of(bot, first)] == ["И про старшего тоже."]


@pytest.mark.parametrize(("language", "long_name"), [("az", "Abdurrəhmanov Əli Həsən oğlu"), ("ru", "Абдурахманов Али Гасан оглы")])
def test_a_long_name_is_cut_on_the_report_button_the_reference_never(bot, relative, language, long_name):
    mother = relative(language)
    first = submit_report(mother, language, name=long_name)
    second = submit_report(mother, language, name=NAMES[language])
    assert len(f"{long_name} · {first}") > PHONE_WIDTH, "the name is long enough to need cutting"
    mother.ask("/status")  # its button names no report: which one
    which = mother.tap(t(language, "button.write_to_team"))
    assert which.text == t(language, "thread.which")
    assert all(len(label) <= PHONE_WIDTH for label in which.buttons), which.buttons
    cut = next(label for label in which.buttons if label.endswith(f" · {first}"))
    assert cut.startswith(long_name.split()[0]) and "…" in cut and f"{NAMES[language]} · {second}" in which.buttons
    assert mother.tap(cut).text == t(language, "thread.prompt", ref=first, name=long_name), "the full name in the message itself"


def test_a_voice_message_outside_any_question_is_kept_until_she_says_it_is_for_our_team(bot, relative):
    mother = relative("az")
    ref = submit_report(mother, "az")
    mother.send_voice()
    offer = mother.next_message()
    assert offer.text == t("az", "thread.offer.one")
    assert offer.buttons == [f"Tahir Abdullayev · {ref}", t("az", "button.new_report")]
    assert not thread_of(bot, ref)
    assert mother.tap(f"Tahir Abdullayev · {ref}").text == t("az", "thread.received")
    assert [(d, kind) for d, _r, _text, kind, _s in thread_of(bot, ref)] == [("family", "voice")]
    mother.click_data(f"tw:{ref}")  # the same button again: nothing is stored twice
    settle(mother)
    assert len(thread_of(bot, ref)) == 1


def test_a_new_report_after_writing_to_our_team_is_answered_as_a_report(bot, relative):
    mother = relative("en")
    ref = submit_report(mother, "en")
    mother.tap(t("en", "button.write_to_team"))
    mother.ask("/new")
    settle(mother)
    mother.tap(t("en", "button.agree"))
    assert t("en", "ask.full_name") in mother.tap(t("en", "choice.relationship.mother")).text
    assert t("en", "ask.birth") in mother.ask("Elvin Mammadov").text, "the answer is the report's, not a message to our team"
    assert not thread_of(bot, ref)


def test_cases_awaiting_our_reply_and_mine(bot, relative, staff):
    mother = relative("az")
    ref = submit_report(mother, "az")
    settle(staff)
    assert ref not in staff.ask("/cases awaiting").text
    mother.tap(t("az", "button.write_to_team"))
    mother.ask("Salam, xəbər varmı?")
    listing = staff.ask("/cases awaiting")
    assert listing.text.startswith(t("ru", "staff.cases.title", filter=f"{t('ru', 'staff.cases.view.awaiting')}, {t('ru', 'staff.language.all')}, {t('ru', 'button.export.all')}"))
    assert ref in listing.text and t("ru", "staff.cases.waiting", hours=0) in listing.text
    assert ref not in staff.ask("/cases mine").text
    take(staff, ref)
    assert ref in staff.ask("/cases mine").text
    reply_as_staff(staff, ref, "Salam. Səfirliklə danışırıq.")
    assert ref not in staff.ask("/cases awaiting").text, "answered: nobody waits"
    assert ref in staff.tap(t("ru", "button.staff.view.mine")).text


def test_a_case_is_handed_to_another_staff_member_who_is_told(bot, standin, relative, admin, staff):
    mother = relative("en")
    ref = submit_report(mother, "en")
    settle(staff)
    staff.ask("/cases")  # staff are known by name once they have used the desk
    settle(admin)
    card = admin.ask(f"/case {ref}")
    assert t("en", "staff.card.unassigned") in card.text
    menu = admin.tap(t("en", "button.staff.hand_over"))
    assert menu.text == t("en", "staff.assign.choose", ref=ref)
    assert f"Staff · {t('en', 'staff.role.staff')}" in menu.buttons
    assert f"{ADMIN_IDS[0]} · {t('en', 'staff.role.admin')}" in menu.buttons, "never seen in the bot: shown by id"
    assert admin.tap(f"Staff · {t('en', 'staff.role.staff')}").text == t("en", "staff.assign.done", ref=ref, who="Staff")
    told = staff.wait_for(lambda: next((m for m in standin.sent_messages(staff.id) if m.text == t("ru", "staff.assign.to_you", ref=ref, who="Admin")), None),
                          what="the handover notice, in the assignee's Telegram language")
    assert told is not None
    assert bot.query("select assignee_id from \"case\" where ref = :r", r=ref) == [(staff.id,)]
    assert t("en", "staff.card.assignee", who="Staff") in admin.ask(f"/case {ref}").text
    # Someone who is not staff cannot be given a case, even by a forged button.
    admin.click_data(f"tg:{ref}:{mother.id}")
    assert admin.next_message().text == t("en", "staff.assign.not_applied", ref=ref)
    assert bot.query("select assignee_id from \"case\" where ref = :r", r=ref) == [(staff.id,)]


def test_a_long_case_still_opens_in_pages_that_hold_everything(bot, relative, staff):
    mother = relative("en")
    ref = submit_report(mother, "en")
    case_id = bot.query("select id from \"case\" where ref = :r", r=ref)[0][0]
    with Session(bot.engine) as session:  # sixteen additions, each as long as a family may write
        for n in range(16):
            session.add(CaseAddition(case_id=case_id, kind="location", value={"text": f"place {n:02d} " + "Rostov-on-Don, military unit, barracks " * 24}))
        session.commit()
    notes = [f"note-{n} " + " ".join(f"w{n}x{i}" for i in range(700)) for n in (1, 2)]  # about 4,000 characters each
    settle(staff)
    for note in notes:
        staff.ask(f"/case {ref}")
        staff.tap(t("ru", "button.staff.note"))
        assert staff.ask(note).text == t("ru", "staff.note.saved")
    pages = [staff.ask(f"/case {ref}")]
    while t("ru", "button.staff.page_on") in pages[-1].buttons:
        pages.append(staff.tap(t("ru", "button.staff.page_on")))
    assert len(pages) >= 4
    for number, page in enumerate(pages, 1):
        assert page.text.startswith(t("ru", "staff.card.page", ref=ref, page=number, pages=len(pages)))
    assert all(len(page.plain_text) <= 4096 for page in pages)
    assert all(t("ru", "button.staff.reply") in page.buttons for page in pages), "every page can act on the case"
    everything = " ".join(page.plain_text for page in pages)
    for n in range(16):
        assert f"place {n:02d}" in everything
    for note in notes:
        assert all(word in everything for word in note.split()), "a long note goes on over pages, nothing cut away"
    staff.ask(f"/case {ref}")
    assert staff.tap(t("ru", "button.staff.page_last")).text == pages[-1].text, "straight to the newest"


def test_a_reply_too_long_to_deliver_is_asked_again_and_nothing_is_sent(bot, relative, staff):
    mother = relative("az")
    ref = submit_report(mother, "az")
    settle(staff)
    staff.ask(f"/case {ref}")
    staff.tap(t("ru", "button.staff.reply"))
    refused = staff.ask("я" * 4090)
    assert refused.text.startswith(t("ru", "staff.reply.too_long", length=4090, limit=0)[:20])
    assert "4090" in refused.text
    mother.expect_silence(0.5)
    assert not thread_of(bot, ref)
    assert staff.ask("Короче.").text == t("ru", "staff.reply.sent", ref=ref), "still waiting for the reply"
    assert mother.next_message().text.endswith("Короче.")


def test_exports_carry_the_thread_in_full_and_the_summary_in_csv(bot, tmp_path, relative, staff):
    mother = relative("en")
    ref = submit_report(mother, "en")
    take(staff, ref)
    mother.tap(t("en", "button.write_to_team"))
    mother.ask("Is there any news?")
    reply_as_staff(staff, ref, "We have written to the Embassy.")
    mother.next_message()
    mother.ask("Thank you.")
    env = {"DATABASE_URL": bot.database_url}
    for fmt, profile in (("json", "full"), ("csv", "full"), ("csv", "embassy"), ("csv", "stats")):
        assert run_bot("export", "--format", fmt, "--profile", profile, "--out", str(tmp_path / f"{profile}.{fmt}"), env=env).returncode == 0
    record = next(r for r in map(json.loads, (tmp_path / "full.json").read_text().splitlines()) if r["case_ref"] == ref)
    assert [(m["direction"], m["author_role"], m["text"]) for m in record["thread"]] == [
        ("family", "family", "Is there any news?"), ("team", "staff", "We have written to the Embassy."), ("family", "family", "Thank you.")]
    assert all(m["time"].endswith("Z") for m in record["thread"])
    assert str(staff.id) not in json.dumps(record["thread"]), "no staff ids in the thread"
    assert record["assignee_id"] == staff.id and record["thread_messages"] == 3
    rows = {r["case_ref"]: r for r in csv.DictReader(io.StringIO((tmp_path / "full.csv").read_text(encoding="utf-8-sig")))}
    assert rows[ref]["thread_messages"] == "3" and rows[ref]["last_family_message_at"] == record["last_family_message_at"]
    assert "thread" not in rows[ref] and "Thank you." not in (tmp_path / "full.csv").read_text(encoding="utf-8-sig")
    for other in ("embassy.csv", "stats.csv"):
        text = (tmp_path / other).read_text(encoding="utf-8-sig")
        assert "thread" not in text and "Is there any news?" not in text and "last_family_message_at" not in text


def test_delete_removes_the_thread(bot, relative, staff):
    mother = relative("ru")
    ref = submit_report(mother, "ru")
    mother.tap(t("ru", "button.write_to_team"))
    mother.ask("Мой номер изменился.")
    reply_as_staff(staff, ref, "Спасибо, записали.")
    settle(mother)
    case_id = bot.query("select id from \"case\" where ref = :r", r=ref)[0][0]
    assert bot.query("select count(*) from case_message where case_id = :c", c=case_id) == [(2,)]
    confirm = mother.ask("/delete")
    assert "2 сообщения в переписке с нашей командой" in confirm.text
    mother.tap(t("ru", "button.delete_yes"))
    settle(mother)
    assert bot.query("select count(*) from case_message where case_id = :c", c=case_id) == [(0,)]
    assert bot.query("select count(*) from case_message where text like '%номер изменился%'") == [(0,)]
    gone = staff.ask(f"/case {ref}").text
    assert ref in gone and "Мой номер" not in gone and "Спасибо, записали" not in gone
