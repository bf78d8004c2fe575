"""Every button a family sees fits a phone screen in every language (Telegram cuts a long label
short), and the review's long ✏️ buttons stand in a row of their own."""

from __future__ import annotations

import pytest

from app.additions import kinds_reply
from app.screens import PHONE_WIDTH
from bot import keyboards
from core.config import LANGUAGES
from core.i18n import t
from flows.steps import STEPS, Keyboard
from tests.support.catalogs import catalog_keys


STAFF_ONLY = ("button.staff.", "button.admin.", "button.export.")
NOT_A_BUTTON = {"button.stale"}  # the reply to a tap on an old button

pytestmark = pytest.mark.inprocess


def labels(markup) -> list[str]:
    if markup is None:
        return []
    rows = getattr(markup, "inline_keyboard", None) or getattr(markup, "keyboard", ())
    return [b.text for row in rows for b in row]


def family_keyboards(language: str) -> dict[str, object]:
    shown = {f"question {field}": keyboards.question(language, step, list(step.choices) if step.keyboard == Keyboard.MULTI else None)
             for field, step in STEPS.items()}
    shown |= {"consent": keyboards.consent(language), "gate": keyboards.gate(language), "review": keyboards.review(language),
              "cancel": keyboards.confirm_cancel(language), "start": keyboards.start_report(language),
              "unfinished": keyboards.unfinished(language), "resume": keyboards.resume(language), "languages": keyboards.languages(),
              "guidance": keyboards.guidance(language, "what_to_do_now", True), "update": keyboards.add_information(language, "K7M-4PX")}
    return shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_family_keyboard_fits_a_phone(language):
    too_long = [f"{name}: {label!r} ({len(label)})" for name, markup in family_keyboards(language).items()
                for label in labels(markup) if len(label) > PHONE_WIDTH]
    too_long += [f"update kinds: {b.label!r}" for row in kinds_reply(language, "K7M-4PX").rows for b in row if len(b.label) > PHONE_WIDTH]
    assert not too_long, "\n".join(too_long)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_family_button_label_in_the_catalog_fits_a_phone(language):
    """Also the buttons of screens this test does not build: every `button.*` and `choice.*`
    label, the review's ✏️ + field name, and a ticked choice of a multi-select question."""
    keys = catalog_keys()
    shown = {key: t(language, key) for key in keys
             if key.startswith(("button.", "choice.")) and not key.startswith(STAFF_ONLY) and key not in NOT_A_BUTTON}
    shown |= {f"✏️ {key}": "✏️ " + t(language, key) for key in keys if key.startswith("field.")}
    ticked = {f"choice.{step.field}.{value}" for step in STEPS.values() if step.keyboard == Keyboard.MULTI for value in step.choices}
    shown |= {f"✓ {key}": "✓ " + t(language, key) for key in ticked}
    too_long = [f"{key}: {label!r} ({len(label)})" for key, label in shown.items() if len(label) > PHONE_WIDTH]
    assert not too_long, "\n".join(too_long)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_long_review_button_has_a_row_of_its_own(language):
    rows = keyboards.review(language).inline_keyboard
    edits = [row for row in rows if row[0].text.startswith("✏️")]
    assert sum(len(row) for row in edits) == len(STEPS), "one ✏️ button for every answer"
    assert all(len(row) == 1 for row in edits if any(len(b.text) > keyboards.WIDE_LABEL for b in row))
    assert any(len(row) == 2 for row in edits), "short ones still share a row"
