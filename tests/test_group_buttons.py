"""A family's button tapped in a group does nothing there: no review, no status message, no
question lands in a group; the tapper is only told, privately, to use a private chat."""

from __future__ import annotations

import pytest

from core.i18n import t
from tests.support.bots import ADMIN_IDS, new_user_id, settle
from tests.support.conversation import submit_report

pytestmark = pytest.mark.inprocess

# Every kind of button a family gets (bot/events.py, bot/handlers.py, the /update, /delete and
# "write to our team" buttons), and staff's status button, which would message the family.
FAMILY_BUTTONS = ["k:agree", "k:decline", "a:relationship:mother", "s:reporter_name", "d:already_contacted", "f:attachments",
                  "e:full_name", "g:more", "g:review", "x:submit", "c:yes", "c:no", "n:resume", "n:new", "n:restart", "l:ru",
                  "m:guidance", "src:have_ready", "ua:{ref}", "uk:{ref}:contact", "ud:{ref}", "dl:yes", "dl:no", "tw", "tw:{ref}"]


# A group of the family's own that the bot was added to (not the staff group, where other
# tests' new reports are announced meanwhile).
GROUP = -1000999


@pytest.fixture(scope="module")
def family(bot, standin):
    mother = standin.user(new_user_id(), first_name="Gulnara", language_code="en")
    ref = submit_report(mother, "en")
    mother.send_in_group(GROUP, "/start")
    mother.wait_for(lambda: standin.sent_messages(GROUP), what="a message of the bot in the group to tap on")
    mother.ask("/new")
    mother.tap(t("en", "button.agree"))  # a report under way: a review could be shown
    settle(mother)
    return mother, ref


@pytest.mark.parametrize("data", FAMILY_BUTTONS)
def test_a_family_button_in_a_group_only_points_to_the_private_chat(bot, standin, family, data):
    mother, ref = family
    in_group = len(standin.sent_messages(GROUP))
    draft = bot.conversation_of(mother.id)
    mother.click_data_in_group(GROUP, data.format(ref=ref))
    answer = mother.wait_callback_answered()
    assert answer["text"] == t("en", "group.buttons_private", bot=standin.telegram.bot_username)
    settle(mother, quiet=0.3)
    assert len(standin.sent_messages(GROUP)) == in_group, "nothing is sent into the group"
    after = bot.conversation_of(mother.id)
    assert (after.phase, after.step, after.answers) == (draft.phase, draft.step, draft.answers)
    assert [c.ref for c in bot.cases_of(mother.id)] == [ref]


def test_staff_status_button_in_a_group_sends_the_family_nothing(bot, standin, family):
    mother, ref = family
    admin = standin.user(ADMIN_IDS[0], first_name="Admin", language_code="en")
    settle(admin)
    heard = len(mother.messages)
    in_group = len(standin.sent_messages(GROUP))
    admin.click_data_in_group(GROUP, f"sy:{ref}:closed")
    assert admin.wait_callback_answered()["text"] == t("en", "group.buttons_private", bot=standin.telegram.bot_username)
    settle(mother, quiet=0.3)
    assert len(mother.messages) == heard and len(standin.sent_messages(GROUP)) == in_group
    assert bot.query('select status from "case" where ref = :r', r=ref) == [("new",)]
