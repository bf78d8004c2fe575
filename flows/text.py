"""Text normalisation shared by every parser.

Two jobs, kept apart on purpose:

* `clean_text` tidies what a person typed so it can be *stored* and shown back: it never
  changes letters, case or diacritics, because a name or a story must be kept as written.
* `fold` produces a *matching key* only: it throws information away (case, Azerbaijani
  diacritics, Cyrillic variants) so that "Yanvarın", "yanvarin" and "YANVARIN" compare
  equal. Folded text is never stored or displayed.

Decision on Azerbaijani Cyrillic: Cyrillic stays Cyrillic (we do not transliterate to
Latin, which would be lossy and surprising), but the letters that exist only in the
Azerbaijani Cyrillic alphabet are folded to the nearest Russian letter. Many older users
learnt Azerbaijani in Cyrillic and mix in Russian spellings ("январ" for "јанвар"), so the
nearest-Russian-letter rule makes both spellings land on keys that the word tables can
list. `ы` is already a Russian letter and is left alone. `ә` becomes `е`, mirroring the
Latin rule ə → e.
"""

from __future__ import annotations

import re
import unicodedata

# Applied after casefold(), so only lower-case keys are needed.
_FOLD_TABLE = str.maketrans(
    {
        # Azerbaijani Latin letters, as people type them when the keyboard lacks them.
        "ə": "e",
        "ǝ": "e",  # U+01DD "turned e" is a common look-alike typed for ə
        "ä": "e",  # the 1991–92 Azerbaijani Latin alphabet used ä for ə
        "ı": "i",
        "ö": "o",
        "ü": "u",
        "ş": "s",
        "ș": "s",  # s-comma from Romanian keyboards looks identical to ş
        "ç": "c",
        "ğ": "g",
        # casefold("İ") yields "i" + COMBINING DOT ABOVE; the dot means nothing here.
        "\u0307": None,
        # Azerbaijani Cyrillic → nearest Russian letter (see module docstring).
        "ә": "е",
        "ғ": "г",
        "һ": "х",
        "ј": "й",
        "ө": "о",
        "ү": "у",
        "ҹ": "ч",
        "ҝ": "к",
        # Russians routinely type е for ё; the two must match.
        "ё": "е",
    }
)

# Direction controls: pasted into a name or a story they reorder what staff read (an "override"
# shows characters backwards) and what a spreadsheet shows. Nothing in az/ru/en needs them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Characters that show nothing but are not whitespace (zero-width and word joiners, BOM, soft
# hyphen) or that some fonts draw blank though Unicode calls them letters or symbols (the Hangul
# fillers, the blank Braille pattern): a "name" made of them looks empty to staff.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u3164\uffa0\u115f\u1160\u2800")
_DROPPED = dict.fromkeys(map(ord, BIDI_CONTROLS))
_HORIZONTAL_SPACE_RUN = re.compile(r" {2,}")
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")
_BLANK_LINE_RUN = re.compile(r"\n{3,}")


def fold(text: str) -> str:
    """Return a comparison key for `text`: case-, diacritic- and script-variant-insensitive.

    Whitespace (including newlines) collapses to single spaces, and invisible format
    characters (bidi marks, zero-width joiners, BOM) are dropped, since a pasted
    right-to-left mark must not stop "15 января" from matching.
    """
    text = unicodedata.normalize("NFC", text).casefold().translate(_FOLD_TABLE)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc", "Cs") or ch.isspace())
    # Removing characters can leave combining marks out of canonical order; normalise again.
    return " ".join(unicodedata.normalize("NFC", text).split())


def clean_text(text: str) -> str:
    """Tidy free text for storage without altering what the person wrote.

    Keeps newlines (a mother's account reads better with her paragraphs); turns tabs and
    exotic spaces into plain spaces; drops direction controls (`BIDI_CONTROLS`), other control
    characters and lone surrogates, which would break the database encoder or the Telegram API
    when echoed back.
    """
    text = unicodedata.normalize("NFC", text).translate(_DROPPED)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch == "\n":
            kept.append(ch)
        elif ch == "\t" or category == "Zs":
            kept.append(" ")
        elif category in ("Zl", "Zp"):
            kept.append("\n")
        elif category in ("Cc", "Cs"):
            continue
        else:
            kept.append(ch)
    text = _HORIZONTAL_SPACE_RUN.sub(" ", "".join(kept))
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _BLANK_LINE_RUN.sub("\n\n", text)
    # Removing characters can leave combining marks out of canonical order; normalise again.
    return unicodedata.normalize("NFC", text).strip()


def shows_something(text: str) -> bool:
    """Whether any character of `text` is visible: not whitespace, not `INVISIBLE`, not a format character."""
    return any(not ch.isspace() and ch not in INVISIBLE and unicodedata.category(ch) != "Cf" for ch in text)
