"""Finding place names in what families type: the machinery shared by `flows.regions` (Russian
regions) and `flows.districts` (Azerbaijani districts).

Each of those modules supplies what is particular to its places: the seed file and its schema,
the spelling *skeleton* (which spellings of its names must meet), the forms an alias word
accepts (which case endings and suffixes), and the rules applied to what is found (Moscow city
or oblast; a city or the rayon of the same name; weak aliases next to a surname). The rest works
the same way for both and lives here.

How text is read
----------------
* Only the first `MAX_TEXT` characters are read: a place is named early, and this keeps the
  cost of a pasted essay bounded.
* Text is folded (`flows.text.fold`) and split into words at anything that is not a letter or
  digit, so "Ростов-на-Дону", "Ростов на Дону" and "St.Petersburg" become word sequences, and
  each word is reduced to the module's spelling skeleton.
* An alias (a place's name or another spelling of it) is a sequence of alias words (`Word`); it
  is found where consecutive text words are each accepted by its word. A `Word` accepts
  - the same word (an *exact* match), or one of its listed *forms* (case endings, suffixes);
  - for a long *stem*: any word starting with it and at most `MAX_EXTRA` letters longer, unless
    what follows the stem shows another word (`Word.refuses`: an adjective, a surname).
* A place's names in the three `LANGUAGES`, without their parenthesised part, are aliases too.
  *Weak* aliases (names that are also common words or first names) accept fewer forms and count
  only when nothing else names a place; each module says exactly how. An alias of no place
  (a place elsewhere, or a word that only looks like a name) claims its words and yields nothing.
* Where found aliases overlap, the one covering more words wins ("Нижний Новгород" over
  "Новгород"), then a strong alias over a weak one, then an exact match over an inflected one,
  then the longer alias (in letters), then the earlier one. The aliases chosen come back in text
  order, so the place mentioned first comes first: people write the place first and the details
  after it.

Seed files (TOML) are checked when loading, with the checks both share here: snake_case unique
keys, no unknown fields, names in exactly the `LANGUAGES`, lists of non-empty strings, and
aliases of at least 3 letters. A bad edit raises `ValueError` naming the problem, so it fails at
start-up and in tests, not silently.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from core.config import LANGUAGES
from flows.text import fold

MAX_TEXT = 2000  # characters of a message that are read
MAX_EXTRA = 8  # letters a word may add to a stem
PREFIX_KEY = 5  # stems are indexed by this many first letters: no module allows a shorter stem

WORD = re.compile(r"[^\W_]+")
LATIN = re.compile(r"[a-z]")
DOUBLE = re.compile(r"(.)\1+")
LATIN_VOWELS = "aeiou"
CYRILLIC_VOWELS = "аеиоуыэюя"
# Russian endings of short names: first declension (Уфа → Уфы, Уфе; Губа → Губе) and plural
# (Воды → Водах in "Минеральные Воды"; Кусары → Кусарах).
A_ENDINGS = ("а", "я", "ы", "и", "е", "у", "ю", "ой", "ей", "ою", "ею")
PLURAL_ENDINGS = ("ы", "и", "ах", "ях", "ам", "ям", "ами", "ями")


def folded_words(text: str) -> list[str]:
    """The folded words of the beginning (`MAX_TEXT`) of `text`."""
    return WORD.findall(fold(text[:MAX_TEXT]))


def without_parentheses(text: str) -> str:
    return re.sub(r"\([^)]*\)", " ", text)


def replace_all(word: str, replacements: Iterable[tuple[str, str]]) -> str:
    """`word` with each (old, new) pair replaced in turn."""
    for old, new in replacements:
        word = word.replace(old, new)
    return word


# --- Aliases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """One word of an alias and the text words it accepts."""

    full: str
    stem: str  # non-empty only for long stems, which match by beginning
    forms: frozenset[str]

    def accepts(self, word: str) -> bool:
        if word == self.full or word in self.forms:
            return True
        if self.stem and word.startswith(self.stem):
            extra = word[len(self.stem):]
            return len(extra) <= MAX_EXTRA and not self.refuses(extra)
        return False

    def refuses(self, extra: str) -> bool:
        """Whether `extra`, what a text word adds to the stem, makes it another word."""
        return False


class Place(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> dict[str, str]: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def weak_aliases(self) -> tuple[str, ...]: ...


P = TypeVar("P", bound=Place)


@dataclass(frozen=True)
class Alias(Generic[P]):
    place: P | None  # None: a name that is not one of our places and claims its words
    text: str
    words: tuple[Word, ...]
    weak: bool

    @property
    def size(self) -> int:
        return sum(len(word.full) for word in self.words)


@dataclass(frozen=True)
class Hit(Generic[P]):
    alias: Alias[P]
    start: int
    end: int
    exact: bool


def make_alias(place: P | None, text: str, word: Callable[[str], Word], *, weak: bool = False) -> Alias[P] | None:
    """The alias `text` of `place`, each folded word built by `word`; None if it has no words."""
    words = tuple(word(folded) for folded in WORD.findall(fold(text)))
    return Alias(place, text, words, weak) if words else None


def whole_word(skeleton: Callable[[str], str]) -> Callable[[str], Word]:
    """A builder of alias words that accept only the whole word: no stems, no forms."""
    return lambda folded: Word(skeleton(folded), "", frozenset())


def strong_texts(place: Place) -> list[str]:
    """A place's names (without their parenthesised part) and aliases, weak ones aside."""
    return [without_parentheses(name) for name in place.name.values()] + list(place.aliases)


def by_key(places: tuple[P, ...], noun: str) -> dict[str, P]:
    """The places by key; ValueError if two share one."""
    found = {place.key: place for place in places}
    if len(found) != len(places):
        raise ValueError(f"{noun} keys must be unique")
    return found


class Aliases(Generic[P]):
    """Aliases indexed by their first word, found in a text's words."""

    def __init__(self) -> None:
        self._exact: dict[str, list[Alias[P]]] = {}
        self._prefix: dict[str, list[Alias[P]]] = {}

    def add(self, alias: Alias[P] | None) -> None:
        if alias is None:
            return
        first = alias.words[0]
        if first.stem:
            self._prefix.setdefault(first.stem[:PREFIX_KEY], []).append(alias)
        for form in {first.full, *first.forms}:
            self._exact.setdefault(form, []).append(alias)

    def add_place(self, place: P, word: Callable[[str], Word], weak_word: Callable[[str], Word]) -> None:
        """Index the place's names and aliases (words built by `word`), then its weak aliases."""
        for text in dict.fromkeys(strong_texts(place)):
            self.add(make_alias(place, text, word))
        for text in place.weak_aliases:
            self.add(make_alias(place, text, weak_word, weak=True))

    def add_claims(self, texts: Iterable[str], word: Callable[[str], Word]) -> None:
        """Index names that claim their words for no place."""
        for text in texts:
            self.add(make_alias(None, text, word))

    def hits(self, words: list[str]) -> list[Hit[P]]:
        """Every alias found in `words` (skeletons), overlapping or not."""
        hits: list[Hit[P]] = []
        for start, word in enumerate(words):
            candidates = list(self._exact.get(word, ()))
            if len(word) >= PREFIX_KEY:
                candidates += self._prefix.get(word[:PREFIX_KEY], ())
            for alias in dict.fromkeys(candidates):  # an alias may be indexed under two forms
                end = start + len(alias.words)
                if end > len(words):
                    continue
                span = words[start:end]
                if all(part.accepts(w) for part, w in zip(alias.words, span, strict=True)):
                    exact = all(part.full == w for part, w in zip(alias.words, span, strict=True))
                    hits.append(Hit(alias, start, end, exact))
        return hits


def choose(hits: list[Hit[P]]) -> list[Hit[P]]:
    """Hits that do not overlap, the best first (see the module doc), returned in text order."""
    hits.sort(key=lambda h: (-(h.end - h.start), h.alias.weak, not h.exact, -h.alias.size, h.start))
    taken: list[Hit[P]] = []
    used: set[int] = set()
    for hit in hits:
        span = range(hit.start, hit.end)
        if used.isdisjoint(span):
            taken.append(hit)
            used.update(span)
    taken.sort(key=lambda h: h.start)
    return taken


# --- Seed files ------------------------------------------------------------------------

KEY = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def read_toml(path: Path | str, tables: set[str] | None = None) -> dict:
    """The file's data; with `tables`, ValueError if it has any other top-level table."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    unknown = set(data) - tables if tables is not None else set()
    if unknown:
        raise ValueError(f"unknown table(s) {', '.join(sorted(unknown))}")
    return data


def strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f"{where}: expected a list of non-empty strings")
    return tuple(item.strip() for item in value)


def names(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise ValueError(f"{where}: expected a table with exactly the keys {', '.join(LANGUAGES)}")
    if not all(isinstance(text, str) and text.strip() for text in value.values()):
        raise ValueError(f"{where}: every name must be a non-empty string")
    return {language: value[language].strip() for language in LANGUAGES}


def check_alias(alias: str, where: str) -> None:
    words = WORD.findall(fold(alias))
    if not words:
        raise ValueError(f"{where}: alias {alias!r} has no letters")
    if len("".join(words)) < 3:
        raise ValueError(f"{where}: alias {alias!r} is too short to be safe")


def place_fields(raw: dict, where: str) -> dict[str, Any]:
    """The checked fields every place has: key, name (in each language), aliases, weak_aliases."""
    found = {
        "key": raw["key"],
        "name": names(raw.get("name"), f"{where}.name"),
        "aliases": strings(raw.get("aliases"), f"{where}.aliases"),
        "weak_aliases": strings(raw.get("weak_aliases", []), f"{where}.weak_aliases"),
    }
    for alias in found["aliases"] + found["weak_aliases"]:
        check_alias(alias, where)
    return found


def rows(data: dict, table: str, fields: set[str]) -> Iterator[tuple[str, dict]]:
    """Each row of `[[table]]` with where it is (for messages), once the checks every row needs
    pass: a snake_case key, not seen before, no unknown field. ValueError if there is no row."""
    seen: set[str] = set()
    for index, raw in enumerate(data.get(table, [])):
        key = raw.get("key")
        where = f"{table}[{index}] ({key})"
        if not isinstance(key, str) or not KEY.match(key):
            raise ValueError(f"{where}: key must be snake_case")
        if key in seen:
            raise ValueError(f"{where}: duplicate key")
        seen.add(key)
        unknown = set(raw) - fields
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        yield where, raw
    if not seen:
        raise ValueError(f"no [[{table}]] in the file")
