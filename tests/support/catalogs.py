"""The message catalogs as data, for tests that sweep every key."""

from __future__ import annotations

from functools import cache

from babel.messages.pofile import read_po

from core.i18n import LOCALES


@cache
def catalog_keys(language: str = "en") -> tuple[str, ...]:
    with (LOCALES / language / "LC_MESSAGES" / "homeward.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return tuple(m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id)
