"""The people in the surge: relatives who fill in a report, each waiting for the bot's reply
before answering, and the plain chatters the echo bot is measured with.

Everything here runs on the stand-in's own event loop: thousands of relatives are coroutines,
and each wakes only when the bot sends to her own chat.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from core.config import LANGUAGES
from core.i18n import t
from standin.users import FakeUser

GIVEN = {"az": ["Tahir", "Elçin", "Fəxri", "Şahruz", "Ziyəddin", "Rəşad", "Anar", "Orxan"],
         "ru": ["Тахир", "Эльчин", "Фахри", "Шахруз", "Зиятдин", "Рашад", "Анар", "Орхан"],
         "en": ["Tahir", "Elchin", "Fakhri", "Shahruz", "Ziyaddin", "Rashad", "Anar", "Orkhan"]}
SURNAMES = {"az": ["Abdullayev", "Məmmədov", "Hacıyev", "Əliyev", "Həsənov", "Quliyev"],
            "ru": ["Абдуллаев", "Мамедов", "Гаджиев", "Алиев", "Гасанов", "Кулиев"],
            "en": ["Abdullayev", "Mammadov", "Hajiyev", "Aliyev", "Hasanov", "Guliyev"]}
LAST_CONTACT = {"az": "yanvarın ortası", "ru": "в середине января", "en": "mid-January"}
LOCATION = {"az": "Voronej şəhəri", "ru": "Воронеж", "en": "Voronezh"}
PHONE = "+994 50 123 45 67"


@dataclass(frozen=True)
class Step:
    """One thing a relative does, and how many new messages she waits for before the next."""

    kind: str  # "send" | "tap" | "contact"
    value: str
    replies: int = 1


@dataclass(frozen=True)
class Report:
    """What one relative will tell the bot; `answers` is what the case must then hold."""

    language: str
    steps: tuple[Step, ...]
    answers: dict


def report_for(index: int, one_man: bool = False) -> Report:
    """The required answers, then review and send: what a frightened relative does first.
    `one_man`: every relative reports the same man (in her own script), as after a news story."""
    language = LANGUAGES[index % 3]
    given, surname = (0, 0) if one_man else (index % 8, index // 8 % 6)
    name = f"{GIVEN[language][given]} {SURNAMES[language][surname]}"
    birth_year = 1980 if one_man else 1970 + index % 30
    steps = (
        Step("send", "/start"),
        Step("tap", t(language, "button.agree")),
        Step("tap", t(language, "choice.relationship.mother")),
        Step("send", name),
        Step("send", str(birth_year)),
        Step("send", LAST_CONTACT[language]),
        Step("send", LOCATION[language]),
        Step("contact", t(language, "button.share_phone"), 2),  # "saved", then the next question
        Step("tap", t(language, "choice.share_with_authorities.yes")),
        Step("tap", t(language, "button.review")),
        Step("tap", "✅ " + t(language, "button.submit"), 4),  # confirmation, where to turn, guidance
    )
    answers = {"reporter_relationship": "mother", "person_full_name": name, "birth_year": birth_year,
               "last_contact_text": LAST_CONTACT[language], "last_location": LOCATION[language],
               "reporter_phone": "+994501234567", "share_with_authorities": True}
    return Report(language, steps, answers)


def draft_for(index: int, answered: int = 4) -> Report:
    """A relative who has started and stopped part-way: her draft stays open."""
    report = report_for(index)
    return Report(report.language, report.steps[:answered], {})


def chatter_for(index: int, messages: int) -> Report:
    """For the echo bot: as many messages as a report has updates, each echoed once."""
    return Report("en", tuple(Step("send", f"message {n} from {index}") for n in range(messages)), {})


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    updates: int = 0
    replies_lost: int = 0
    first_sent: float | None = None
    last_reply: float = 0.0


def send_step(user: FakeUser, step: Step) -> None:
    if step.kind == "send":
        user._send(step.value)
    elif step.kind == "contact":
        user._click(step.value, phone_number=PHONE)
    else:
        user._click(step.value)


async def take_steps(user: FakeUser, steps: tuple[Step, ...], tally: Tally, timeout: float,
                     stop_at: float | None = None) -> None:
    """One relative: each step, then wait for its replies. A reply that never comes is lost,
    and she gives up there (as a person would, rather than answering into silence)."""
    for number, step in enumerate(steps):
        if stop_at is not None and time.monotonic() >= stop_at:
            return
        started = time.perf_counter()
        if tally.first_sent is None:
            tally.first_sent = started
        send_step(user, step)
        tally.updates += 1
        try:
            await user.anext_messages(step.replies, timeout)
        except AssertionError:
            tally.replies_lost += sum(s.replies for s in steps[number:])
            return
        tally.last_reply = time.perf_counter()
        tally.latencies.append(tally.last_reply - started)


async def crowd(telegram, reports: dict[int, Report], timeout: float, run_for: float | None = None) -> Tally:
    """Every relative at once, as when a story has just been on television."""
    tally = Tally()
    stop_at = time.monotonic() + run_for if run_for else None
    users = {user_id: telegram.user(user_id, first_name="Relative", language_code=report.language)
             for user_id, report in reports.items()}
    await asyncio.gather(*(take_steps(users[user_id], report.steps, tally, timeout, stop_at)
                           for user_id, report in reports.items()))
    return tally
