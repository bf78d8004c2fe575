"""What staff and admins see that families do not: their commands in /help, the launch list on
top of /guidance, a case opened by its reference however it was typed."""

from __future__ import annotations

import pytest

from app.roles import ADMIN_COMMANDS, STAFF_COMMANDS
from core.i18n import t
from tests.support.bots import settle
from tests.support.conversation import submit_report

pytestmark = pytest.mark.inprocess


def commands_in(text: str) -> set[str]:
    return {word.removeprefix("/") for word in text.split() if word.startswith("/")}


def test_help_lists_each_role_its_own_commands_and_no_more(bot, admin, staff, relative):
    family = relative("az").ask("/help").text
    assert family == t("az", "help.text")
    assert not commands_in(family) & {*STAFF_COMMANDS, *ADMIN_COMMANDS}

    settle(staff)
    for_staff = staff.ask("/help").text
    assert for_staff.startswith(t("ru", "help.text"))
    assert f"/cases — {t('ru', 'command.cases')}" in for_staff
    assert commands_in(for_staff) >= set(STAFF_COMMANDS) and not commands_in(for_staff) & set(ADMIN_COMMANDS)

    settle(admin)
    for_admin = admin.ask("/help").text
    assert for_admin.startswith(t("en", "help.text"))
    assert commands_in(for_admin) >= {*STAFF_COMMANDS, *ADMIN_COMMANDS}
    assert f"/guidance — {t('en', 'command.guidance')}" in for_admin


def test_guidance_opens_with_what_stands_between_the_install_and_families(bot, admin):
    settle(admin)
    overview = admin.ask("/guidance").text
    lines = overview.splitlines()
    assert lines[0] == t("en", "launch.title")
    # The test bot has ADMIN_IDS and STAFF_CHAT_ID, but no verified contacts and no backups.
    embassy = "Embassy of the Republic of Azerbaijan in the Russian Federation"
    assert "⛔ " + t("en", "launch.office_unverified", office=embassy) in lines
    assert "⚠️ " + t("en", "launch.no_backup_dir") in lines
    assert t("en", "launch.no_admin") not in overview and t("en", "launch.no_staff_chat") not in overview
    assert t("en", "admin.overview.title") in lines, "the overview follows the list"


@pytest.mark.parametrize("typed", ["{ref}", "{bare}", "{lower}", "{lower_dash}", "{spaced}"])
def test_a_case_opens_by_its_reference_typed_any_way(bot, staff, relative, typed):
    mother = relative("az")
    ref = submit_report(mother, "az")
    bare = ref.replace("-", "")
    settle(staff)
    card = staff.ask("/case " + typed.format(ref=ref, bare=bare, lower=bare.lower(), lower_dash=ref.lower(),
                                             spaced=f"{bare[:3]} {bare[3:]}")).text
    assert card.splitlines()[0] == t("ru", "staff.case.title", ref=ref, status=t("ru", "staff.status.new"))


def test_a_reference_that_is_not_one_is_said_not_found(bot, staff):
    settle(staff)
    assert staff.ask("/case ZZ9").text == t("ru", "staff.case.not_found", ref="ZZ9")
