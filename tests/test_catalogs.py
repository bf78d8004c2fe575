"""Every message exists in az, ru and en, with the same placeholders, and is valid Telegram HTML."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.wiring import ADMIN_COMMANDS, COMMANDS, STAFF_COMMANDS
from core.config import LANGUAGES, PROJECT_ROOT
from core.i18n import LOCALES, t, tn
from core.telegram_html import EntityError, parse_html
from flows import engine, readers, validators
from flows.steps import STEPS

STATUSES = ("new", "in_review", "referred", "wounded", "captured", "contact_restored", "closed", "deceased")
KEYWORDS = {"t": (2,), "tn": (2, 3), "N_": None}


def catalog(language: str):
    with (LOCALES / language / "LC_MESSAGES" / "homeward.po").open("rb") as handle:
        return read_po(handle, locale=language)


def keys_in_code() -> set[str]:
    found: set[str] = set()
    for folder in ("app", "bot", "core", "flows"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.update([message] if isinstance(message, str) else [m for m in message if m])
    return {k for k in found if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", k)}


def keys_from_data() -> set[str]:
    """Keys the code builds from data: answer labels, review labels, re-ask reasons, statuses."""
    keys = {f"field.{f}" for f in STEPS}
    keys |= {f"choice.{s.field}.{v}" for s in STEPS.values() for v in s.choices}
    reasons = [v for module in (validators, readers, engine) for k, v in vars(module).items()
               if k.isupper() and isinstance(v, str) and re.fullmatch(r"[a-z_]+\.[a-z_]+", v)]
    keys |= {f"invalid.{r}" for r in reasons}
    keys |= {f"status.value.{s}" for s in STATUSES} | {f"command.{c}" for c in (*COMMANDS, *STAFF_COMMANDS, *ADMIN_COMMANDS)}
    return keys


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


EN = catalog("en")


def test_every_key_the_bot_uses_is_in_the_english_catalog():
    known = {key for m in EN if m.id for key in ((m.id,) if isinstance(m.id, str) else m.id)}
    missing = (keys_in_code() | keys_from_data()) - known
    assert not missing, f"keys used but not in locales/en: {sorted(missing)}"
    assert len(keys_in_code()) > 50, "the extractor found too few keys: the check would be hollow"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_consistent(language):
    translated = catalog(language)
    problems = []
    for reference in EN:
        if not reference.id:
            continue
        message = translated.get(reference.id)
        if message is None:
            problems.append(f"{reference.id}: missing")
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        english = reference.string if isinstance(reference.string, tuple) else (reference.string,)
        if message.fuzzy:
            problems.append(f"{reference.id}: fuzzy")
        if not all(forms):
            problems.append(f"{reference.id}: untranslated")
        if isinstance(message.id, tuple) and len(forms) != translated.num_plurals:
            problems.append(f"{reference.id}: {len(forms)} plural forms, CLDR says {translated.num_plurals}")
        expected = placeholders(english[0]) | placeholders(english[-1])
        for form in forms:
            if placeholders(form) != expected:
                problems.append(f"{reference.id}: placeholders {sorted(placeholders(form))} != {sorted(expected)}")
        problems += [f"{reference.id}: {error}" for error in message.check(translated)]
    extra = {m.id if isinstance(m.id, str) else m.id[0] for m in translated if m.id} - {m.id if isinstance(m.id, str) else m.id[0] for m in EN if m.id}
    problems += [f"{key}: not in the English catalog" for key in sorted(extra)]
    assert not problems, "\n".join(problems)


SAMPLE = {"ref": "K7M-4PX", "year": "2025/26", "count": 3, "max": 20, "min": 1940, "number": 2, "total": 7, "label": "Ad <x>",
          "value": "Əli & co", "text": "a < b", "where": "51.1, 39.2", "date": "15 yanvar 2026",
          "typed": "yanvarın <ortası>", "status": "new", "length": 4000, "region": "Tümen <vil.>",
          "district": "Ural", "mission": "Baş Konsulluq", "source": "1news.az & co", "title": "Başlıq",
          "states": "az ✅ · ru ⚠️", "items": "a, b", "version": 3, "when": "21 noyabr 2026", "who": "admin 5",
          "state": "outdated", "language": "ru", "error": "can't parse <b>", "languages": "ru, en", "old": 1,
          "field": "Telefon", "id": "42", "section": "Başlıq", "message": "Biz <b>səfirliklə</b> & danışdıq",
          "filter": "all, ru", "new": "in_review", "kind": "location", "score": 93,
          "role": "staff", "situation": "captured", "what": "2 <reports>", "refs": "K7M-4PX, ABC-DEF",
          "reason": "by the reporter", "deleted": "21 noyabr 2026",
          "name": "Əli <Məmmədov> & co", "page": 2, "pages": 3, "hours": 5, "limit": 4050, "bot": "HomewardBot", "office": "Səfirlik <Moskva>",
          "files": "data/a&b.db", "folder": "/var/backups/<h>", "current": "0004",
          "draft": "30 gün", "closed": "1 il", "deceased": "2 il", "no_report": "30 <gün>", "reference": "000_c46e.txt"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_valid_telegram_html(language):
    failures = []
    for reference in EN:
        if not reference.id:
            continue
        for count in (1, 2, 5, 21):
            text = tn(language, reference.id[0], reference.id[1], count, **{k: v for k, v in SAMPLE.items() if k != "count"}) if isinstance(reference.id, tuple) else t(language, reference.id, **SAMPLE)
            try:
                plain = parse_html(text)
            except EntityError as exc:
                failures.append(f"{reference.id}: {exc}")
                break
            if len(plain) > 4096 or not plain.strip():
                failures.append(f"{reference.id}: length {len(plain)}")
    assert not failures, "\n".join(failures)


def test_russian_plurals_follow_cldr():
    forms = {n: tn("ru", "review.files", "review.files.plural", n) for n in (1, 3, 5, 21, 22, 25)}
    assert forms[1] == forms[21].replace("21", "1")
    assert forms[3] == forms[22].replace("22", "3")
    assert forms[5] == forms[25].replace("25", "5")
    assert len({forms[1].split()[-1], forms[3].split()[-1], forms[5].split()[-1]}) == 3, forms
