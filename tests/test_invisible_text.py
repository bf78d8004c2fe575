"""Text that hides or reorders what staff read: direction controls are dropped before anything
is stored, and a name made of nothing visible is asked for again."""

from __future__ import annotations

import pytest

from core.i18n import t
from flows.readers import Input, long_text, place
from flows.text import BIDI_CONTROLS, clean_text
from flows.validators import NAME_TOO_SHORT, Invalid, free_text, person_name
from tests.support.bots import ADMIN_IDS, settle
from tests.support.conversation import submit_report

pytestmark = pytest.mark.inprocess

BLANK_NAMES = ["\u3164\u3164", "\u3164 \u3164\u3164", "\u115f\u1160", "\uffa0\uffa0", "\u2800\u2800\u2800", "\u200b\u200b\u200c\u200d",
               "\u00a0\u00a0", "\u2060\ufeff", "\u202e\u202d"]


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_every_direction_control_is_dropped_from_stored_text(control):
    assert clean_text(f"Voronej{control} şəhəri") == "Voronej şəhəri"
    assert free_text(f"{control}Polis saxladı{control}") == "Polis saxladı"
    assert place(Input("text", text=f"Vor{control}onej"), None)["text"] == "Voronej"
    assert person_name(f"Əli{control} Məmmədov") == "Əli Məmmədov"


def test_an_override_cannot_turn_a_story_around():
    assert long_text(Input("text", text="Son zəng: \u202e11097 hissə\u202c"), None) == "Son zəng: 11097 hissə"


@pytest.mark.parametrize("name", BLANK_NAMES)
def test_a_name_of_invisible_or_filler_characters_is_asked_again(name):
    with pytest.raises(Invalid) as refused:
        person_name(name)
    assert refused.value.reason == NAME_TOO_SHORT
    with pytest.raises(Invalid):
        free_text(name)


def test_a_name_with_a_stray_filler_keeps_its_letters():
    assert person_name("\u3164Əli Məmmədov\u200b") == "Əli Məmmədov"


def test_a_mother_typing_a_blank_name_hears_the_kind_re_ask(bot, relative):
    mother = relative("ru")
    mother.ask("/start")
    mother.tap(t("ru", "button.agree"))
    mother.tap(t("ru", "choice.relationship.mother"))
    for name in ("\u3164\u3164\u3164", "\u2800\u2800 \u2800"):
        reply = mother.ask(name)
        assert reply.text.startswith(t("ru", "invalid.name.too_short", min=2)) and t("ru", "ask.full_name") in reply.text
    assert t("ru", "ask.birth") in mother.ask("Тахир\u202e Абдуллаев").text


def test_staff_notes_are_stored_without_direction_controls(bot, standin, relative):
    mother = relative("en")
    ref = submit_report(mother, "en")
    admin = standin.user(ADMIN_IDS[0], first_name="Admin", language_code="en")
    settle(admin)
    admin.ask(f"/case {ref}")
    admin.tap(t("en", "button.staff.note"))
    assert admin.ask("Brother \u202ecalled\u202c today").text == t("en", "staff.note.saved")
    assert bot.query("select text from case_note n join \"case\" c on c.id = n.case_id where c.ref = :r", r=ref) == [("Brother called today",)]
