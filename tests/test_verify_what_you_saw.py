"""An admin verifies the contact detail they were shown, never a value changed behind their back."""

from __future__ import annotations

import pytest

from app.directory import fingerprint
from core.callbacks import pack
from core.i18n import t
from tests.support.bots import ADMIN_IDS, settle

pytestmark = pytest.mark.inprocess

EMBASSY = "Embassy of the Republic of Azerbaijan in the Russian Federation"


def open_field(admin, field: str):
    settle(admin)
    admin.ask("/guidance")
    admin.tap(t("en", "button.admin.contacts"))
    admin.tap(EMBASSY)
    return admin.tap(t("en", f"contact.field.{field}"))


def test_verify_after_another_admin_changed_the_value_is_refused_showing_the_new_value(bot, standin):
    first = standin.user(ADMIN_IDS[0], first_name="Aysel", language_code="en")
    second = standin.user(ADMIN_IDS[1], first_name="Rauf", language_code="en")
    seen = open_field(first, "address")
    assert t("en", "button.admin.verify") in seen.buttons
    open_field(second, "address")
    second.tap(t("en", "button.admin.edit"))
    assert second.ask("Leontyevsky Lane 16, Moscow | called the office").text == t("en", "admin.field.saved")

    first.click(t("en", "button.admin.verify"))  # on the screen from before the change
    refused = first.next_message()
    assert refused.text == t("en", "admin.field.changed_since", field=t("en", "contact.field.address"), value="Leontyevsky Lane 16, Moscow")
    assert bot.query("select verified_at from contact_field where mission_key = 'embassy_moscow' and field = 'address'") == [(None,)]
    fresh = first.next_message()
    assert "Leontyevsky Lane 16, Moscow" in fresh.text and t("en", "button.admin.verify") in fresh.buttons
    first.click(t("en", "button.admin.verify"))
    assert first.next_message().text == t("en", "admin.field.verified_now")
    assert bot.query("select value, verified_by from contact_field where mission_key = 'embassy_moscow' and field = 'address'") == [
        ("Leontyevsky Lane 16, Moscow", ADMIN_IDS[0])]


def test_a_verify_button_without_the_shown_value_verifies_nothing(bot, standin):
    admin = standin.user(ADMIN_IDS[0], first_name="Aysel", language_code="en")
    open_field(admin, "consular_district")
    admin.click_data("ad:fver:embassy_moscow:consular_district")  # a button from before buttons carried the value
    assert admin.next_message().text.startswith(t("en", "admin.field.changed_since", field="", value="")[:14])
    assert bot.query("select verified_at from contact_field where mission_key = 'embassy_moscow' and field = 'consular_district'") == [(None,)]


def test_the_verify_button_fits_telegrams_64_bytes_for_every_field():
    for field in ("address", "phone", "hotline", "email", "hours", "consular_district"):
        assert len(pack("ad", "fver", "consulate_yekaterinburg", field, fingerprint("x" * 500)).encode()) <= 64
