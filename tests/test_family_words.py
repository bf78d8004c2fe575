"""What families read follows the glossary: no words it tells us to avoid, no real person, and
the bot speaks as "we" (buttons speak as the relative: "I agree", "Reply to me")."""

from __future__ import annotations

import re

import pytest

from app.guidance import read_seed_files
from core.config import LANGUAGES
from core.i18n import t
from tests.support.catalogs import catalog_keys

STAFF_AND_ADMIN = ("staff.", "admin.", "button.staff.", "button.admin.", "button.export.", "export.", "roles.",
                   "contact.field.consular_district", "command.cases", "command.case", "command.export", "command.grant",
                   "command.revoke", "command.guidance")
AVOID = re.compile(r"(?<!\{)\bmissions?\b(?!\})|nümayəndəl|представительств|consular district|konsul dairə|консульск\w* округ|"
                   r"official channels|rəsmi kanal|официальн\w* канал|end-to-end|uçdan-uca|сквозн|yenilik|\(а\)", re.IGNORECASE)
PRIVATE_PEOPLE = ("rufull", "rüfull", "руфулл", "sonab", "сонаб", "farziy", "fərziy", "фарзи")  # of the news reports
SPEAKS_AS_I = {"en": re.compile(r"\bI\b|\bme\b|\bmy\b"), "ru": re.compile(r"\b(?:я|мне|меня|мной)\b", re.IGNORECASE),
               "az": re.compile(r"\b(?:mən|mənə|məni)\b|bilirəm\b|bilmədim\b|oxuyacağam\b|göndərirəm\b", re.IGNORECASE)}


def family_texts(language: str) -> dict[str, str]:
    texts = {key: t(language, key) for key in catalog_keys() if not key.startswith(STAFF_AND_ADMIN)}
    for section in read_seed_files():
        texts[f"guidance {section['key']} title"] = section["title"][language]
        texts |= {f"guidance {section['key']} item {n}": item[language] for n, item in enumerate(section["items"], 1)}
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_family_texts_avoid_the_words_the_glossary_avoids_and_name_no_real_person(language):
    found = [f"{key}: {AVOID.search(text).group(0)!r}" for key, text in family_texts(language).items() if AVOID.search(text)]
    found += [f"{key}: a private person of the news reports" for key, text in family_texts(language).items()
              if any(name in text.lower() for name in PRIVATE_PEOPLE)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_bot_speaks_as_we(language):
    spoken = {key: text for key, text in family_texts(language).items() if not key.startswith(("button.", "choice.", "words."))}
    quoted = re.compile(r"«[^»]*»|“[^”]*”")  # a button's label, quoted, speaks as the relative
    found = [f"{key}: {text[:80]!r}" for key, text in spoken.items() if SPEAKS_AS_I[language].search(quoted.sub("", text))]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_guidance_names_the_write_to_our_team_button_as_it_reads(language):
    """How to tell us about someone asking for money: the button under her report, by its label."""
    safety = next(s for s in read_seed_files() if s["key"] == "staying_safe")
    assert any(t(language, "button.write_to_team") in item[language] for item in safety["items"])
