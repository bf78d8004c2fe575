"""Comparison keys for people's names written in Azerbaijani, Russian or English.

A missing man is often reported twice: by his mother in Azerbaijani Latin ("Abdullayev Tahir
Əli oğlu"), by his brother in Russian ("Абдуллаев Тахир Алиевич"), by a cousin in English
("Tahir Abdullayev"). This module turns each written word into a spelling *skeleton* so that
those spellings meet; `flows.duplicates` then compares skeletons with a small edit distance.
Keys are for matching only, never stored or shown.

Rules (applied to every word, in this order)
--------------------------------------------
1. Case, NFC, Azerbaijani letters: ə/ä → e, ı → i, ö → o, ü → u, and ş → sh, ç → ch, ğ → gh
   *before* `flows.text.fold`, because fold would turn ş into s and lose the difference.
2. Cyrillic (Russian and Azerbaijani) → Latin letters: х → kh, ш/щ → sh, ч → ch, ж → zh,
   дж → dzh, ы → i, й/ј → y, я → ya, ю → yu, ё → yo (Гёйчай = Göyçay), е → ye at the start of a word or after a
   vowel (Евлах = Yevlax, Алиев = Aliyev) and e elsewhere; ь and ъ are dropped. Azerbaijani
   Cyrillic: ә → e, ғ → gh, һ → h, ҝ → g, ө → o, ү → u, ҹ → c.
3. Surname endings: -ov/-ev/-yev and the female -ova/-eva/-yeva are cut off the stem and
   replaced by one canonical "ov" (Aliyev = Aliev = Алиев = Əliyev; Orucov = Оруджев), so the
   male and female forms share a key; the female ending is kept as a gender *signal* instead.
   Russian patronymics -ович/-евич/-овна/-евна are cut to the father's name (Алиевич → Али).
   -lı/-li/-ли/-лы and -zadə are left alone: Həsənli and Həsənzadə are other families than
   Həsənov, and their spellings already agree once vowels are classed (rule 5).
4. Consonant classes (upper-case letters in a skeleton are classes, not letters):
   * H = h, x, kh, q, g, gh, ğ, г, х. Azerbaijani x is Russian х and English kh (Xəlil =
     Халил = Khalil = Halil); Azerbaijani h is written г in Russian names (Həsən = Гасан,
     Hüseyn = Гусейн, Hacı = Гаджи) and q is written г too (Qasım = Гасым = Gasym). Since the
     Russian letter г stands for h, q, g and ğ alike, no rule on the Latin side can pull them
     apart again: the class is deliberately wide. The measured cost is that Habil and Qabil
     (both Габил in Russian) share a skeleton; birth year and district decide those.
   * C = c, ç, ch, j, dj, dzh, zh, ч, дж, ж. Azerbaijani c is English j and Russian дж (Hacı =
     Hajiyev = Гаджиев); ç is ch/ч, and people without an Azerbaijani keyboard type ç as c
     (Elcin), so ç and c cannot be kept apart either.
   * S = ş, sh, ш, щ: kept apart from s (Haşımov is not Qasımov); the distance treats s ↔ S as
     half an edit because ş is often typed as s.
   * k stays k: Azerbaijani keeps k and q apart (Kazımov ≠ Qasımov). Russian often writes q as к
     (Tofiq = Тофик, Qurbanov = Курбанов), so the distance treats k ↔ H as half an edit.
5. Vowel classes: a = a, e, ə, э (Məmməd = Мамед = Mammad); i = i, ı, y, ы, и, й; u = u, ü,
   ю; o = o, ö. A y (or the y of я/ю/ё) between a consonant and a vowel only softens the
   consonant and is dropped (Кянан = Kənan, Гюльнара = Gülnarə, Ильяс = İlyas).
6. A run of one letter or class is written once (Mammadov = Mamedov, Zərdab = Зардаб).

Patronymics: "Əli oğlu" / "Али оглы" / "Ali ogly" (and qızı / кызы / kyzy / gizi for women)
mark the word before them as the father's name; a word ending in -ович/-евич/-ovich (or
-овна/-евна) is the father's name itself. Word order is free: keys are compared as sets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from flows.text import fold

__all__ = ["PersonName", "name_key", "parse_name", "skeleton", "word_skeletons"]

VOWELS = frozenset("aiou")

# Step 1: Azerbaijani Latin letters that fold() would merge with plain ones (ş → s).
_AZ_LATIN = str.maketrans({"ə": "e", "ǝ": "e", "ä": "e", "ı": "i", "ö": "o", "ü": "u",
                           "ş": "sh", "ș": "sh", "ç": "ch", "ğ": "gh", "ҝ": "г",
                           # fold() turns ё into е; as "йо" it keeps its o (Гёйчай = Göyçay).
                           "ё": "йо"})

# Step 2: Cyrillic after fold() (which already turned ә ғ һ ј ө ү ҹ into Russian letters).
# е is handled separately because its reading depends on what precedes it.
_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "қ": "q", "ң": "n", "ұ": "u", "ў": "u", "ҳ": "h",  # Kazakh/Uzbek keyboards, seen in pasted text
})
_CYRILLIC_VOWELS = "аеиоуыэюяьъ"
_YE = re.compile(rf"(?:^|(?<=[{_CYRILLIC_VOWELS}]))е")

_WORD = re.compile(r"[^\W\d_]+")

# Step 4–5: letter clusters first, then single letters; anything unlisted passes through.
_CLUSTER = re.compile(r"dzh|dj|zh|kh|gh|sh|ch|.", re.DOTALL)
_CLASS = {
    "dzh": "C", "dj": "C", "zh": "C", "ch": "C", "c": "C", "j": "C",
    "kh": "H", "gh": "H", "h": "H", "x": "H", "q": "H", "g": "H",
    "sh": "S", "w": "v", "e": "a",
}

# Step 3. The stem must keep three letters so that a short given name is never cut.
_SURNAME_ENDING = re.compile(r"^(.{3,}?)y?(ov|ev|ova|eva)$")
_PATRONYMIC_ENDING = re.compile(r"^(.{2,}?)y?(ovich|evich|ovna|evna)$")
_OTHER_SURNAME_ENDING = re.compile(r"(?:zade|skiy|skii|sky|ski|skaya|yan|.{4,}(?:li|ly|lu))$")

# Skeletons of the patronymic markers: oğlu/oglu/oqlu, оглы/ogly/ogli; qızı/кызы/kyzy/gizi.
_SON_OF = frozenset({"oHlu", "oHli"})
_DAUGHTER_OF = frozenset({"Hizi", "kizi"})


def _latin_words(text: str) -> list[str]:
    """Steps 1–2: the words of `text`, lower-case, in Latin letters (other scripts untouched)."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_AZ_LATIN)
    text = fold(text)
    words = []
    for word in _WORD.findall(text):
        word = _YE.sub("ye", word).replace("е", "e").translate(_CYRILLIC)
        # Accents from other keyboards (é, ñ) and the dot of casefolded İ carry nothing here.
        word = "".join(ch for ch in unicodedata.normalize("NFD", word) if unicodedata.category(ch) != "Mn")
        if word:
            words.append(word)
    return words


@lru_cache(maxsize=65536)
def skeleton(latin_word: str) -> str:
    """Steps 4–6 on one Latin word from `_latin_words` (see the module docstring)."""
    codes = [_CLASS.get(piece, piece) for piece in _CLUSTER.findall(latin_word)]
    out: list[str] = []
    for i, code in enumerate(codes):
        if code == "y":
            softening = (0 < i < len(codes) - 1 and codes[i - 1] not in VOWELS
                         and codes[i - 1] != "y" and codes[i + 1] in VOWELS)
            if softening:
                continue
            code = "i"
        if not out or out[-1] != code:
            out.append(code)
    return "".join(out)


def word_skeletons(text: str) -> list[str]:
    """Skeletons of every word in `text`, no name rules (used for places such as districts)."""
    return [skeleton(word) for word in _latin_words(text)]


@dataclass(frozen=True, slots=True)
class NameToken:
    """One word of a name, as written and as keys."""

    text: str
    stem: str  # skeleton without a surname/patronymic ending
    key: str  # stem + "ov" when a surname ending was cut, so Aliyev ≠ Əli
    surname_like: bool
    gender: str | None  # "m"/"f" when the ending tells it


@dataclass(frozen=True, slots=True)
class ParsedName:
    """Internal, cached form of a name: the words split into core words and father's name."""

    core: tuple[NameToken, ...]
    father: NameToken | None
    gender: str | None


@dataclass
class PersonName:
    """Best-effort reading of a written name. Words are kept as written, markers left out."""

    given: str | None
    surname: str | None
    father: str | None
    tokens: tuple[str, ...]
    gender: str | None = None  # "m"/"f" from -ov/-ova, oğlu/qızı, -ович/-овна; else None


def _token(original: str, latin: str) -> NameToken:
    if m := _PATRONYMIC_ENDING.match(latin):
        stem = skeleton(m.group(1))
        return NameToken(original, stem, stem, False, "f" if m.group(2).endswith("a") else "m")
    if m := _SURNAME_ENDING.match(latin):
        stem = skeleton(m.group(1))
        return NameToken(original, stem, stem + "ov", True, "f" if m.group(2).endswith("a") else "m")
    stem = skeleton(latin)
    return NameToken(original, stem, stem, bool(_OTHER_SURNAME_ENDING.search(latin)), None)


def _original_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(unicodedata.normalize("NFC", text))]


@lru_cache(maxsize=200_000)
def parse_key(name: str) -> ParsedName:
    """Split `name` into core words and the father's name; cached (names repeat a lot)."""
    latin = _latin_words(name)
    originals = _original_words(name)
    if len(originals) != len(latin):  # a word vanished in folding (e.g. only a format mark)
        originals = latin
    tokens = [_token(o, w) for o, w in zip(originals, latin)]
    father: NameToken | None = None
    gender: str | None = None
    core: list[NameToken] = []
    for token in tokens:
        is_marker = token.key in _SON_OF or token.key in _DAUGHTER_OF
        if is_marker and core:
            gender = gender or ("m" if token.key in _SON_OF else "f")
            if father is None:
                # The word before "oğlu" is the father's name, not one of the man's own.
                father = core.pop()
            continue
        if is_marker:
            continue
        if father is None and not token.surname_like and token.gender is not None:
            father = token  # -ович/-евич: the father's name in Russian form
            gender = gender or token.gender
            continue
        core.append(token)
    for token in core:
        if token.surname_like and token.gender and gender is None:
            gender = token.gender
    return ParsedName(tuple(core), father, gender)


def parse_name(name: str) -> PersonName:
    """Read given name, surname and father's name from a written name (best effort).

    The father is the word marked by oğlu/оглы/qızı or written as -ович/-евич. Of the other
    words, the first with a surname ending (-ov/-ev/-yev/-ova, -lı/-li, -zadə, -ский) is the
    surname and the first remaining word the given name. With no surname ending, Cyrillic
    text is read surname first (the order of Russian documents) and Latin text given name
    first (the order of Azerbaijani and English speech).
    """
    parsed = parse_key(name)
    core = list(parsed.core)
    surname = next((t for t in core if t.surname_like), None)
    if surname is None and len(core) >= 2:
        cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in core[0].text)
        surname = core[0] if cyrillic else core[-1]
    rest = [t for t in core if t is not surname]
    given = rest[0] if rest else None
    words = tuple(t.text for t in parsed.core) + ((parsed.father.text,) if parsed.father else ())
    return PersonName(
        given=given.text if given else None,
        surname=surname.text if surname else None,
        father=parsed.father.text if parsed.father else None,
        tokens=words,
        gender=parsed.gender,
    )


def name_key(name: str) -> tuple[str, ...]:
    """Comparison key of a name: the skeletons of its words, sorted (word order is free).

    The father's name counts as a word (so "Tahir Abdullayev Əli oğlu" and "Абдуллаев Тахир
    Алиевич" have one key); the markers oğlu/оглы do not. Equal keys mean "spelled the same
    under the rules above"; near misses (one typo) are the business of `flows.duplicates`.
    """
    parsed = parse_key(name)
    keys = [t.key for t in parsed.core] + ([parsed.father.stem] if parsed.father else [])
    return tuple(sorted(keys))
