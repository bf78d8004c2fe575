"""Staff and admin screens speak the staff member's language: no raw keys, codes or arrows
between stored values. The test walks every button it can reach from the staff and admin
commands, so a screen added later is read too, in az, ru and en."""

from __future__ import annotations

import html
import re

import pytest

from core.config import LANGUAGES
from core.i18n import t
from tests.support.catalogs import catalog_keys
from tests.support.bots import ADMIN_IDS, STAFF_CHAT, new_user_id, settle
from tests.support.conversation import submit_report

pytestmark = pytest.mark.inprocess

COMMANDS = ["/cases", "/case", "/case NOP-NOP", "/guidance", "/export", "/grant", "/revoke 1"]
# Taps that change or send something for real are left out; every one of them only leads to a
# screen the walk reaches anyway (a status change's outcome, a published text, an export file).
CHANGES = {"sy", "sd", "sf", "xr", "ad:ok", "ad:rb", "ad:pub", "ad:fver"}
WALK_LIMIT = 80

# What a raw value looks like: snake_case keys (voronezh_oblast, embassy_moscow, in_review), dotted
# keys (staff.status.new), an arrow between stored words (new → in_review), a lowercase word in
# brackets that is no word of the catalog (contact), a bare language code.
RAW = [
    re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*_[a-z0-9_]+(?![\w.])"),
    re.compile(r"(?<![\w/@-])[a-z]+(?:\.[a-z_]+){2,}(?![\w.])"),
    re.compile(r"\b[a-z_]+\s*(?:→|->)\s*[a-z_]+\b"),
    re.compile(r"(?<![\w.])(?:az|ru|en)(?![\w.])"),
]
BRACKETED = re.compile(r"\(([a-z_]+)\)")
CATALOG_WORDS = {t(language, key) for language in LANGUAGES for key in catalog_keys()}


def raw_values(text: str, typed: tuple[str, ...] = ()) -> list[str]:
    # A file reference set as code is meant for admins; links are addresses, not words; what
    # an admin typed (a contact detail and where it comes from) is shown as typed.
    text = re.sub(r"<code>.*?</code>|https?://\S+", " ", text)
    for value in typed:
        text = text.replace(html.escape(value, quote=False), " ")
    text = re.sub(r"<[^>]+>", "", text)
    found = [found for pattern in RAW for found in pattern.findall(text)]
    return found + [f"({word})" for word in BRACKETED.findall(text) if word not in CATALOG_WORDS]


def test_the_pattern_catches_what_staff_saw_before():
    seen = "voronezh_oblast · embassy_moscow · (contact) · 21 Nov: new → in_review · Filter: all, az"
    found = raw_values(seen)
    assert {"voronezh_oblast", "embassy_moscow", "new → in_review", "(contact)", "az"} <= set(found), found
    assert raw_values("Report K7M-4PX — 3 Dec 2026 — In review — Русский — Voronezh Oblast (1news.az)") == []


def callback_data(message) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    return [b["callback_data"] for row in rows for b in row if b.get("callback_data")]


def shape(data: str) -> str:
    prefix, _, rest = data.partition(":")
    first = rest.split(":")[0]
    return f"{prefix}:{first}" if prefix in ("ad", "sl", "xf", "xp") else prefix


@pytest.fixture(scope="module")
def a_worked_case(bot, standin):
    """A report with an addition and a status change, and a second report of the same man."""
    mother = standin.user(new_user_id(), first_name="Mother", language_code="az")
    ref = submit_report(mother, "az", district="Biləsuvar rayonu")
    submit_report(standin.user(new_user_id(), first_name="Sister", language_code="ru"), "ru")
    mother.ask("/update")
    settle(mother)
    chief = standin.user(ADMIN_IDS[0], first_name="Admin", language_code="en")
    chief.ask("/help")
    for tap in (f"sx:{ref}:in_review", f"sy:{ref}:in_review"):
        chief.click_data(tap)
        settle(chief)
    assert bot.query('select status from "case" where ref = :r', r=ref) == [("in_review",)]
    return ref


def walk(person, ref: str) -> list[tuple[str, str]]:
    """(where, text) of every message and button the person reaches."""
    seen: list[tuple[str, str]] = []
    queue: list[str] = []
    shapes: set[str] = set()

    def read_new(since: int, where: str) -> None:
        for message in person.messages[since:]:
            seen.append((where, message.text or ""))
            seen.extend((where, label) for label in message.buttons)
            for data in callback_data(message):
                if shape(data) not in shapes and not ({data.split(":")[0], ":".join(data.split(":")[:2])} & CHANGES):
                    shapes.add(shape(data))
                    queue.append(data)

    for command in [*COMMANDS, f"/case {ref}"]:
        since = len(person.messages)
        person.send(command)
        settle(person, quiet=0.3)
        read_new(since, command)
    taps = 0
    while queue and taps < WALK_LIMIT:
        data, taps = queue.pop(0), taps + 1
        since = len(person.messages)
        person.click_data(data)
        settle(person, quiet=0.3)
        read_new(since, data)
    return seen


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_staff_and_admin_screen_speaks_plainly(bot, standin, a_worked_case, language):
    chief = standin.user(ADMIN_IDS[0], first_name="Admin", language_code="en")
    settle(chief)
    person = standin.user(new_user_id(), first_name="Staff", language_code=language)
    chief.ask(f"/grant {person.id} admin")
    person.ask("/help")
    settle(person)
    seen = walk(person, a_worked_case)
    assert len({where for where, _ in seen}) > 15, "the walk reached too few screens to mean anything"
    typed = tuple(v for row in bot.query("select value, source from contact_field") for v in row if v)
    found = [f"{where}: {raw_values(text, typed)} in {text[:120]!r}" for where, text in seen if raw_values(text, typed)]
    group = [m.text or "" for m in standin.sent_messages(STAFF_CHAT)]
    found += [f"staff chat: {raw_values(text, typed)}" for text in group if raw_values(text, typed)]
    assert not found, "\n".join(found)
