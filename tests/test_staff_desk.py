"""The staff desk: roles, cases, status changes the family hears about, notes, additions."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.config import LANGUAGE_NAMES
from core.i18n import format_day, t
from tests.support.bots import ADMIN_IDS, STAFF_CHAT, new_user_id, settle
from tests.support.conversation import submit_report

STAFF_ONLY_COMMANDS = ["/cases", "/case ABC-DEF", "/export", "/grant 1 staff", "/revoke 1", "/guidance"]
STAFF_ONLY_BUTTONS = ["sl:all:all:0", "sc:{ref}", "ss:{ref}", "sx:{ref}:closed", "sy:{ref}:closed", "sn:{ref}",
                      "sf:{ref}", "sd:1:y", "sp:{ref}", "sk:{ref}:y", "sk:{ref}:n", "sx:{ref}:deceased", "xf:csv", "xp:csv:full", "xr:csv:full:all", "ad:home", "ad:fver:embassy_moscow:address",
                      "sl:awaiting:all:0:0", "sl:mine:all:0:0", "tp:{ref}:0", "tp:{ref}:-1", "tr:{ref}", "ta:{ref}", "th:{ref}",
                      "tg:{ref}:%d" % ADMIN_IDS[0]]




@pytest.fixture(scope="module")
def case_ref(bot, standin):
    mother = standin.user(new_user_id(), first_name="Mother", language_code="az")
    return mother, submit_report(mother, "az")


@pytest.mark.parametrize("command", STAFF_ONLY_COMMANDS)
def test_a_family_member_gets_only_the_help_from_every_staff_command(bot, relative, command):
    person = relative("en")
    assert person.ask(command).text == t("en", "help.text")


@pytest.mark.parametrize("data", STAFF_ONLY_BUTTONS)
def test_a_family_member_gets_nothing_from_every_staff_button_even_forged(bot, relative, case_ref, data):
    person = relative("en")
    person.ask("/help")
    held = ("select status, assignee_id, (select count(*) from case_note), (select count(*) from export_audit), "
            "(select count(*) from case_message), (select count(*) from pending_input) from \"case\" where ref = :r")
    before = bot.query(held, r=case_ref[1])
    person.click_data(data.format(ref=case_ref[1]))
    assert person.next_message().text == t("en", "button.stale")
    settle(person)
    assert not any(m.kind == "document" for m in person.messages)
    assert person.ask("Tahir Abdullayev").text == t("en", "idle.text"), "nothing awaited from them: not a staff reply"
    assert before == bot.query(held, r=case_ref[1])


def test_export_in_a_group_is_refused_with_the_reason(bot, staff, standin):
    staff.send_in_group(STAFF_CHAT, "/export")
    refused = staff.wait_for(lambda: next((m for m in standin.sent_messages(STAFF_CHAT) if m.text == t("az", "export.group_refused")), None), what="refusal")
    assert refused is not None
    assert not any(m.kind == "document" for m in standin.sent_messages(STAFF_CHAT))


def test_a_new_case_is_announced_to_the_staff_chat_without_names_or_phones(bot, standin, case_ref):
    mother, ref = case_ref
    notice = mother.wait_for(lambda: next((m for m in standin.sent_messages(STAFF_CHAT) if ref in m.text), None), what="the staff chat notice")
    assert "Abdullayev" not in notice.text and "994" not in notice.text
    link = notice.reply_markup["inline_keyboard"][0][0]["url"]
    assert link.endswith(f"?start=case_{ref}")


def test_staff_open_a_case_change_its_status_and_the_family_hears_in_their_language(bot, staff, case_ref):
    mother, ref = case_ref
    settle(staff)
    card = staff.ask(f"/start case_{ref}")  # the staff chat's "Open the report" link
    assert card.text.startswith(t("ru", "staff.case.title", ref=ref, status=t("ru", "staff.status.new")))
    assert "Tahir Abdullayev" in card.text and "+994501234567" in card.text
    staff.tap(t("ru", "button.staff.status"))
    staff.tap(t("ru", "staff.status.in_review"))
    done = staff.ask("Мы связались с посольством.")
    assert done.text == t("ru", "staff.status.done", ref=ref, status=t("ru", "staff.status.in_review"))
    news = mother.next_message()
    assert news.text.startswith(t("az", "status.news.plain", ref=ref, name="Tahir Abdullayev", status=t("az", "status.value.in_review")))
    assert "Мы связались с посольством." in news.text, "staff's own words are passed on as written"
    assert t("az", "status.value.in_review") in mother.ask("/status").text
    rows = bot.query("select old_status, new_status, message from case_status_change")
    assert ("new", "in_review", "Мы связались с посольством.") in rows
    # The history on the card names the statuses as the status buttons do, never by their codes.
    changed = bot.query("select created_at from case_status_change where new_status = 'in_review'")[0][0]
    changed = datetime.fromisoformat(changed) if isinstance(changed, str) else changed
    history = t("ru", "staff.case.status_change", date=format_day("ru", changed.date()), who="Staff",  # the staff member's Telegram first name
                old=t("ru", "staff.status.new"), new=t("ru", "staff.status.in_review"))
    card = staff.ask(f"/case {ref}").text
    assert history in card and "in_review" not in card


def test_a_status_step_that_is_not_allowed_changes_nothing(bot, staff, case_ref):
    _mother, ref = case_ref
    settle(staff)
    staff.ask(f"/start case_{ref}")  # the card: new, or in review if the test above ran first
    before = bot.query("select status from \"case\" where ref = :r", r=ref)[0][0]
    assert before in ("new", "in_review")
    staff.click_data(f"sy:{ref}:contact_restored")  # either way it skips "referred"
    assert staff.next_message().text == t("ru", "staff.status.not_applied", ref=ref)
    assert bot.query("select status from \"case\" where ref = :r", r=ref)[0][0] == before


def test_cases_list_filters_by_status_language_and_period(bot, staff, case_ref):
    _mother, ref = case_ref
    settle(staff)
    listing = staff.ask("/cases")
    assert ref in listing.text
    staff.click(t("ru", "staff.status.closed"))
    assert ref not in staff.next_message().text
    settle(staff)
    staff.ask("/cases")
    staff.click(t("ru", "button.export.7d"))
    assert ref in staff.next_message().text
    settle(staff)
    staff.ask("/cases")
    staff.click(LANGUAGE_NAMES["ru"])
    assert ref not in staff.next_message().text, "an Azerbaijani report is not among the Russian ones"


def test_staff_add_a_note_only_staff_see(bot, staff, case_ref):
    _mother, ref = case_ref
    settle(staff)
    staff.ask(f"/case {ref}")
    assert staff.tap(t("ru", "button.staff.note")).text == t("ru", "staff.note.prompt", ref=ref)
    assert staff.ask("Брат звонил, есть номер части 11097.").text == t("ru", "staff.note.saved")
    assert "11097" in staff.ask(f"/case {ref}").text
    assert bot.query("select text from case_note")[-1][0] == "Брат звонил, есть номер части 11097."


def test_a_family_adds_information_after_submitting(bot, standin, relative):
    son = relative("ru")
    ref = submit_report(son, "ru")
    standin_notices = len(standin.sent_messages(STAFF_CHAT))
    son.ask("/update")
    assert t("ru", "update.ask.location") in son.tap(t("ru", "button.update.location")).text
    assert son.ask("Ростов-на-Дону, военная часть").text == t("ru", "update.saved", ref=ref)
    son.ask("/update")
    son.tap(t("ru", "button.update.attachment"))
    son.send_photo()
    assert son.next_message().text == t("ru", "update.file_saved")
    assert son.tap(t("ru", "button.done")).text == t("ru", "update.saved", ref=ref)
    rows = bot.query("select kind from case_addition a join \"case\" c on c.id = a.case_id where c.ref = :r order by a.id", r=ref)
    assert [r[0] for r in rows] == ["location", "attachment"]
    # The staff chat hears of each addition just after the family is thanked.
    def both_notices():
        found = standin.sent_messages(STAFF_CHAT)[standin_notices:]
        return found if len(found) >= 2 else None

    notices = son.wait_for(both_notices, what="two staff notices")
    assert len(notices) == 2 and all(ref in n.text and "Ростов" not in n.text for n in notices)


def test_another_family_cannot_add_to_a_case_that_is_not_theirs(bot, relative, case_ref):
    stranger = relative("en")
    stranger.ask("/help")
    stranger.click_data(f"uk:{case_ref[1]}:location")
    assert stranger.next_message().text == t("en", "button.stale")
    settle(stranger)
    stranger.click_data(f"tw:{case_ref[1]}")  # nor write into its conversation
    assert stranger.next_message().text == t("en", "button.stale")
    settle(stranger)
    assert stranger.ask("Salam").text == t("en", "idle.text")
    assert bot.query("select count(*) from case_message m join \"case\" c on c.id = m.case_id where c.ref = :r", r=case_ref[1]) == [(0,)]


def test_a_family_and_staff_talk_through_the_case_in_a_running_bot(bot, relative, staff):
    """The real process: her message reaches the thread, staff's reply reaches her, hers goes back."""
    mother = relative("az")
    ref = submit_report(mother, "az")
    assert mother.tap(t("az", "button.write_to_team")).text == t("az", "thread.prompt", ref=ref, name="Tahir Abdullayev")
    assert mother.ask("Xəbər varmı?").text == t("az", "thread.received")
    settle(staff)
    staff.ask(f"/case {ref}")
    staff.tap(t("ru", "button.staff.reply"))
    assert staff.ask("Hələ yoxdur, səfirliyə yazmışıq.").text == t("ru", "staff.reply.sent", ref=ref)
    assert mother.next_message().text == t("az", "thread.from_team", ref=ref) + "\n\nHələ yoxdur, səfirliyə yazmışıq."
    assert mother.ask("Çox sağ olun.").text == t("az", "thread.received")
    rows = bot.query("select direction, text from case_message m join \"case\" c on c.id = m.case_id where c.ref = :r order by m.id", r=ref)
    assert rows == [("family", "Xəbər varmı?"), ("team", "Hələ yoxdur, səfirliyə yazmışıq."), ("family", "Çox sağ olun.")]


def test_admins_grant_and_revoke_and_revoked_staff_lose_access_at_once(bot, admin, relative):
    helper = relative("en")
    admin.ask(f"/grant {helper.id} staff")
    assert helper.ask("/cases").text.startswith(t("en", "staff.cases.title", filter="all, all")[:10])
    assert admin.ask(f"/revoke {helper.id}").text == t("en", "roles.revoked", id=str(helper.id))
    settle(helper)
    assert helper.ask("/cases").text == t("en", "help.text")
    assert admin.ask(f"/revoke {ADMIN_IDS[0]}").text == t("en", "roles.from_settings", id=str(ADMIN_IDS[0]))
