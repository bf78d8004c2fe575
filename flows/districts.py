"""Finding the home district (rayon) or city of Azerbaijan a family names for the missing man.

Families write the place as they say it, in Azerbaijani Latin (often without ə ı ö ü ş ç ğ),
Russian or English: "Biləsuvar rayonu", "Bilasuvar", "Билясуварский район", "Zərdab rayonu,
Məlikli kəndi", "Баку, Сабунчинский район". `DistrictIndex.match` returns the first-level
division named (one of the rayons or cities of republican subordination in
`seeds/az_districts.toml`), or None when none is: the caller counts that case as "other", so
statistics never carry the free text. The module is pure: no I/O beyond reading the seed file.

How text is read (the approach of `flows.regions`, tuned for Azerbaijani names)
---------------------------------------------------------------------------------
* Text is folded (`flows.text.fold`) and split into words at anything that is not a letter or
  digit, so "Kasum-Ismailov" and "Kasum Ismailov" are the same two words.
* Each word is reduced to a spelling *skeleton*, so that the spellings of one name meet:
  - Latin: dzh/dj/zh/j → c (Jalilabad = Cəlilabad), kh/x/h → x (Khachmaz = Xaçmaz), gh/ğ → g
    (Aghdam = Ağdam), ch/ç → c, sh/ş → s, q → g (Gabala = Qəbələ, Gakh = Qax), y → i, and ə/e → a,
    because English writes ə as a and Russian romanisation as e (Lankaran = Lənkəran = Lenkeran);
    k stays k, so "Bakı" never meets "bağı" (Russian-style Kuba, Kusary, Kakh are listed);
  - Cyrillic: е/э/я → а, ы/й → и, ю → у, ь/ъ dropped (Билясувар = Биласувар, Шеки = Шаки);
  - both: doubled letters once (Masallı = Masally = Masali), and a leading y/й-glide dropped
    (Yevlakh = Evlakh, Йевлах = Евлах).
* Each alias word matches a text word that is
  - the same word, or one of its listed forms: for a short Latin name (skeleton of 5 letters or
    fewer: Qax, Quba, Şəki, Lerik, Qusar, Bakı) only the word with Azerbaijani case, possessive
    and "-lı" suffixes ("Qaxda", "Qubanın", "Şəkidən", "Bakılı"), so "Qax" never matches "Qaxet";
    for a short Russian noun, its case endings ("в Губе", "в Гахе", "Шуши"); for a Russian
    adjective ("Билясуварский", "Загатальский"), all its forms ("в Билясуварском районе");
  - for a longer name, any word starting with it and at most 8 letters longer: Azerbaijani
    suffixes ("Biləsuvarda", "Zərdabdan", "Sumqayıtlı") and Russian endings ("в Ленкорани",
    "из Сумгаита", "Агдамский") — except when the rest starts like a surname ("-ov", "-ev",
    "-zadə": "Şirvanov", "Агдамова"), since many surnames are made from place names.
* Names in the three languages are aliases too. Where aliases overlap, the one covering more
  words wins ("Lənkəran rayonu" over "Lənkəran", "Naxçıvan MR" over "Naxçıvan"), then an exact
  match over an inflected one, then the longer alias.
* *Weak* aliases (names that are also first names: Füzuli, Babək, Laçın, Cəbrayıl, Şirvan, Oğuz;
  Soviet names that are ordinary words elsewhere: Пушкино) match only the whole word (Latin ones
  also with Azerbaijani suffixes), only when nothing else in the text names a district, and
  never within two words of a surname or patronymic ("Füzuli Həsənov", "Laçın Rauf qızı").
* `not_districts` in the seed file are names that begin like a district but are not one: the
  Nakhchivan Autonomous Republic, economic regions ("Quba-Xaçmaz"), Kazakhstan ("Казахстан"
  would otherwise read as the Qazax district). They claim their words and yield nothing, so
  "Naxçıvan MR, Şərur rayonu" is Sharur. `common_words` do the same, but only as the whole word:
  "sakini" (a resident) folds like "Şəkini", yet "Şəkinin" must stay Shaki.
* Three cities share their name with a rayon (Lənkəran, Şəki, Yevlax). The bare name is the
  city; a rayon or village word right after it ("Lənkəran, Haftoni kəndi", "Şəki r-nu") makes it
  the rayon, and so do the rayon's own names ("Şəki rayonu", "Шекинский район").
* When the text names several districts, `match` returns the first one mentioned (people write
  the district first and the village after it); `find_all` returns all of them.

Aliases shorter than 3 letters are refused when loading, and so is an alias (after folding and
reduction to the skeleton) shared by two districts or by a district and `not_districts`:
`load_districts` raises `ValueError` naming the problem, so a bad edit fails at start-up and in
tests, not silently.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from flows.text import fold

__all__ = [
    "KINDS",
    "LANGUAGES",
    "SEED_PATH",
    "District",
    "DistrictIndex",
    "default_districts",
    "load_common_words",
    "load_districts",
    "load_economic_regions",
    "load_not_districts",
]

SEED_PATH = Path(__file__).resolve().parent.parent / "seeds" / "az_districts.toml"
KINDS = ("rayon", "city")
LANGUAGES = ("az", "ru", "en")

# Only the beginning of a very long message is read: the district is named early, and this
# keeps the cost of a pasted essay bounded.
MAX_TEXT = 2000


@dataclass(frozen=True)
class District:
    key: str
    kind: str  # "rayon" or "city"
    name: dict[str, str] = field(hash=False)
    aliases: tuple[str, ...]
    weak_aliases: tuple[str, ...] = ()
    economic_region: str | None = None
    rayon: str | None = None  # cities only: the key of the rayon with the same name


# --- Spelling skeleton -----------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_LATIN = re.compile(r"[a-z]")
# Order matters: longer clusters first, "h" only after kh/gh/ch/sh/zh are resolved, and
# "e" → "a" last (ə is already "e" after folding).
_LATIN_CLUSTERS = (
    ("dzh", "c"),
    ("dj", "c"),
    ("zh", "c"),
    ("kh", "x"),
    ("gh", "g"),
    ("ch", "c"),
    ("sh", "s"),
    ("h", "x"),
    ("q", "g"),
    ("j", "c"),
    ("w", "v"),
    ("y", "i"),
    ("e", "a"),
)
_CYRILLIC = str.maketrans({"е": "а", "э": "а", "я": "а", "ы": "и", "й": "и", "ю": "у", "ь": None, "ъ": None})
_DOUBLE = re.compile(r"(.)\1+")
_GLIDE = re.compile(r"^[iи](?=[aiouаиоу])")


@lru_cache(maxsize=16384)
def _skeleton(word: str) -> str:
    """Matching key of one folded word; spellings of one name meet (see module doc)."""
    if _LATIN.search(word):
        for cluster, letter in _LATIN_CLUSTERS:
            word = word.replace(cluster, letter)
    else:
        word = word.translate(_CYRILLIC)
    word = _DOUBLE.sub(r"\1", word)
    if len(word) > 2:
        word = _GLIDE.sub("", word)
    return word


def _split(text: str) -> tuple[list[str], list[str]]:
    """The text's words as skeletons, and as folded words (for the surname check)."""
    folded = _WORD.findall(fold(text[:MAX_TEXT]))
    return [_skeleton(word) for word in folded], folded


def _key(text: str) -> str:
    """One alias as a comparable key (for the loader's clash check and the tests)."""
    return " ".join(_skeleton(word) for word in _WORD.findall(fold(text)))


# --- Word matching ---------------------------------------------------------------------

_LATIN_PREFIX_MIN = 6  # a Latin name this long may match any word that begins with it
_CYRILLIC_PREFIX_MIN = 5  # ... a Russian stem this long (regions.py uses the same)
_MAX_EXTRA = 8  # ... at most this many letters longer
# What a surname adds to a place name (Şirvanov, Агдамова, Şirvanzadə): never a form of it.
_SURNAME_EXTRAS = ("ov", "av", "zad", "ов", "ав", "зад")

# Azerbaijani suffixes, folded (so "da" also covers "də", "in" covers "ın", "un" covers "ün"):
# case endings, the possessive before a case ending ("rayonunda"), "-lı" (a person from there),
# plural and "-dır" (is). Words ending in a vowel take the buffered forms (Bakıya, Qubanın).
_AZ_AFTER_CONSONANT = (
    "", "a", "i", "u", "in", "un", "da", "ta", "dan", "tan", "daki", "taki", "la", "li", "lu",
    "lar", "dir", "dur", "inda", "indan", "ina", "inin", "ini", "indaki", "unda", "undan", "una",
    "unun", "unu", "lilar", "lular", "lidir", "ludur", "dadir", "dandir", "liyam", "luyam", "dadi",
    "dandi", "dayam",
)
_AZ_AFTER_VOWEL = (
    "", "ya", "da", "dan", "daki", "nin", "nun", "ni", "nu", "la", "li", "lu", "lar", "dir", "dur",
    "si", "su", "sinda", "sindan", "sina", "sinin", "sini", "sunda", "sundan", "suna", "sunun", "sunu",
    "lilar", "lular", "lidir", "ludur", "dadir", "dandir", "liyam", "luyam", "dadi", "dandi", "dayam",
)
_LATIN_VOWELS = "aeiou"
_CYRILLIC_VOWELS = "аеиоуыэюя"

# Russian noun endings for short names: Гах → Гаха, Гахе; Губа → Губы, Губе; Кусары → Кусарах.
_CONSONANT_ENDINGS = ("а", "у", "е", "ом", "ы", "ах", "ам")
_A_ENDINGS = ("а", "я", "ы", "и", "е", "у", "ю", "ой", "ей", "ою", "ею")
_O_ENDINGS = ("о", "а", "у", "е", "ом")
_PLURAL_ENDINGS = ("ы", "и", "ах", "ях", "ам", "ям", "ами", "ями")
_SOFT_ENDINGS = ("ь", "и", "ю", "ью", "я", "е")
# A Russian adjective names the district in every gender and case ("Загатальская зона",
# "в Билясуварском районе"), unlike regions.py, where gender tells oblast from district.
_ADJECTIVE_NOMINATIVES = ("ий", "ый", "ая", "яя", "ое", "ее", "ые", "ие")
_ADJECTIVE_ENDINGS = (
    "ий", "ый", "ая", "яя", "ое", "ее", "ого", "его", "ому", "ему", "им", "ым", "ом", "ем", "ой",
    "ей", "ую", "юю", "ою", "ею", "ые", "ие", "ых", "их", "ыми", "ими",
)


@dataclass(frozen=True)
class _Word:
    """One word of an alias and the text words it accepts."""

    full: str
    stem: str  # non-empty only for long names, which match by beginning
    forms: frozenset[str]

    def accepts(self, word: str) -> bool:
        if word == self.full or word in self.forms:
            return True
        if self.stem and word.startswith(self.stem):
            extra = word[len(self.stem):]
            return len(extra) <= _MAX_EXTRA and not extra.startswith(_SURNAME_EXTRAS)
        return False


def _az_forms(folded: str) -> frozenset[str]:
    suffixes = _AZ_AFTER_VOWEL if folded[-1] in _LATIN_VOWELS else _AZ_AFTER_CONSONANT
    return frozenset(_skeleton(folded + suffix) for suffix in suffixes)


def _alias_word(folded: str) -> _Word:
    full = _skeleton(folded)
    if _LATIN.search(folded):
        if len(full) >= _LATIN_PREFIX_MIN:
            return _Word(full, full, frozenset())
        return _Word(full, "", _az_forms(folded))
    if folded.endswith(_ADJECTIVE_NOMINATIVES) and len(folded) > 4:
        stem = folded[:-2]
        return _Word(full, "", frozenset(_skeleton(stem + ending) for ending in _ADJECTIVE_ENDINGS))
    last = folded[-1]
    stem = folded[:-1] if last in _CYRILLIC_VOWELS + "ьй" else folded
    if len(stem) >= _CYRILLIC_PREFIX_MIN:
        return _Word(full, _skeleton(stem), frozenset())
    if last in "ая":
        endings = _A_ENDINGS
    elif last == "о":
        endings = _O_ENDINGS
    elif last == "ы":
        endings = _PLURAL_ENDINGS
    elif last in "ьй":
        endings = _SOFT_ENDINGS
    elif last in _CYRILLIC_VOWELS:  # indeclinable: Шеки, Баку, Агсу
        endings = ()
    else:
        endings = _CONSONANT_ENDINGS
    return _Word(full, "", frozenset(_skeleton(stem + ending) for ending in endings))


def _weak_word(folded: str) -> _Word:
    """A weak alias word: the whole word, and for Latin also with Azerbaijani suffixes."""
    full = _skeleton(folded)
    return _Word(full, "", _az_forms(folded) if _LATIN.search(folded) else frozenset())


@dataclass(frozen=True)
class _Alias:
    district: District | None  # None: a name that is not a district and claims its words
    text: str
    words: tuple[_Word, ...]
    weak: bool

    @property
    def size(self) -> int:
        return sum(len(word.full) for word in self.words)


@dataclass(frozen=True)
class _Hit:
    alias: _Alias
    start: int
    end: int
    exact: bool


def _without_parentheses(text: str) -> str:
    return re.sub(r"\([^)]*\)", " ", text)


def _make_alias(district: District | None, text: str, *, weak: bool) -> _Alias | None:
    build = _weak_word if weak else _alias_word
    words = tuple(build(word) for word in _WORD.findall(fold(text)))
    return _Alias(district, text, words, weak) if words else None


# Words after a city's name that make it the rayon of the same name, or keep it the city.
_RAYON_WORDS = tuple(_alias_word(fold(w)) for w in ("rayon", "district", "район", "kənd", "village", "село", "деревня"))
_CITY_WORDS = tuple(_alias_word(fold(w)) for w in ("şəhər", "city", "town", "город"))
_RAYON_ABBREVIATIONS = frozenset({"r", "ray", "rn", "р", "рн"})
_CITY_ABBREVIATIONS = frozenset({"g", "г", "sax"})  # sax: "şəh."
_KIND_WINDOW = 3  # words after the city's name

# Endings of a surname or patronymic near a weak alias ("Füzuli Həsənov", "Laçın Rauf qızı").
_SURNAME_ENDINGS = (
    "ov", "ova", "ev", "eva", "ovu", "evu", "oglu", "ogli", "qizi", "gizi", "zade", "ovich", "evich",
    "ovna", "evna", "ов", "ова", "ев", "ева", "ову", "еву", "овым", "евым", "овой", "евой", "ович",
    "евич", "овна", "евна", "оглы", "кызы", "заде",
)
_SURNAME_WINDOW = 2


def _kind(words: list[str]) -> str | None:
    """"rayon" or "city" by the first place word among `words`, else None."""
    for word in words:
        if word in _RAYON_ABBREVIATIONS or any(w.accepts(word) for w in _RAYON_WORDS):
            return "rayon"
        if word in _CITY_ABBREVIATIONS or any(w.accepts(word) for w in _CITY_WORDS):
            return "city"
    return None


def _near_surname(folded: list[str], hit: _Hit) -> bool:
    around = folded[max(0, hit.start - _SURNAME_WINDOW) : hit.start] + folded[hit.end : hit.end + _SURNAME_WINDOW]
    return any(len(word) >= 4 and word.endswith(_SURNAME_ENDINGS) for word in around)


# --- The index -------------------------------------------------------------------------


class DistrictIndex:
    """District lookup by free text; build once, query many times."""

    def __init__(
        self,
        districts: Iterable[District],
        not_districts: Iterable[str] | None = None,
        common_words: Iterable[str] | None = None,
    ) -> None:
        """`not_districts`: names to claim and ignore; `common_words`: the same, whole words only.
        None reads them from the seed file (they are not per-district data, so an index built from
        database rows gets them too).
        """
        if not_districts is None:
            not_districts = _seeded_not_districts()
        if common_words is None:
            common_words = _seeded_common_words()
        self.districts: tuple[District, ...] = tuple(districts)
        self._by_key = {district.key: district for district in self.districts}
        if len(self._by_key) != len(self.districts):
            raise ValueError("district keys must be unique")
        for district in self.districts:
            if district.rayon is not None and district.rayon not in self._by_key:
                raise ValueError(f"{district.key}: unknown rayon {district.rayon!r}")
        self._exact: dict[str, list[_Alias]] = {}
        self._prefix: dict[str, list[_Alias]] = {}
        for district in self.districts:
            strong = [_without_parentheses(name) for name in district.name.values()] + list(district.aliases)
            for text in dict.fromkeys(strong):
                self._add(_make_alias(district, text, weak=False))
            for text in district.weak_aliases:
                self._add(_make_alias(district, text, weak=True))
        for text in not_districts:
            self._add(_make_alias(None, text, weak=False))
        for text in common_words:
            words = tuple(_Word(_skeleton(w), "", frozenset()) for w in _WORD.findall(fold(text)))
            if words:
                self._add(_Alias(None, text, words, weak=False))

    @classmethod
    def from_seeds(cls, path: Path | str = SEED_PATH) -> DistrictIndex:
        return cls(load_districts(path), load_not_districts(path), load_common_words(path))

    def _add(self, alias: _Alias | None) -> None:
        if alias is None:
            return
        first = alias.words[0]
        if first.stem:
            self._prefix.setdefault(first.stem[:_CYRILLIC_PREFIX_MIN], []).append(alias)
        for form in {first.full, *first.forms}:
            self._exact.setdefault(form, []).append(alias)

    def get(self, key: str) -> District:
        return self._by_key[key]

    def match(self, text: str) -> District | None:
        """The district named in `text` (the first one, if several), or None."""
        found = self.find_all(text)
        return found[0] if found else None

    def find_all(self, text: str) -> list[District]:
        """Every district named in `text`, in the order they are first mentioned."""
        words, folded = _split(text)
        hits = self._choose(self._hits(words))
        named = any(hit.alias.district is not None and not hit.alias.weak for hit in hits)
        result: list[District] = []
        for index, hit in enumerate(hits):
            district = hit.alias.district
            if district is None:
                continue
            if hit.alias.weak and (named or _near_surname(folded, hit)):
                continue
            if district.rayon is not None:
                stop = hits[index + 1].start if index + 1 < len(hits) else len(words)
                if _kind(words[hit.end : min(hit.end + _KIND_WINDOW, stop)]) == "rayon":
                    district = self._by_key[district.rayon]
            if district not in result:
                result.append(district)
        return result

    def _hits(self, words: list[str]) -> list[_Hit]:
        hits: list[_Hit] = []
        for start, word in enumerate(words):
            candidates = list(self._exact.get(word, ()))
            if len(word) >= _CYRILLIC_PREFIX_MIN:
                candidates += self._prefix.get(word[:_CYRILLIC_PREFIX_MIN], ())
            for alias in dict.fromkeys(candidates):  # an alias may be indexed under two forms
                end = start + len(alias.words)
                if end > len(words):
                    continue
                span = words[start:end]
                if all(part.accepts(w) for part, w in zip(alias.words, span, strict=True)):
                    exact = all(part.full == w for part, w in zip(alias.words, span, strict=True))
                    hits.append(_Hit(alias, start, end, exact))
        return hits

    @staticmethod
    def _choose(hits: list[_Hit]) -> list[_Hit]:
        hits.sort(key=lambda h: (-(h.end - h.start), h.alias.weak, not h.exact, -h.alias.size, h.start))
        taken: list[_Hit] = []
        used: set[int] = set()
        for hit in hits:
            span = range(hit.start, hit.end)
            if used.isdisjoint(span):
                taken.append(hit)
                used.update(span)
        taken.sort(key=lambda h: h.start)
        return taken


# --- The seed file ---------------------------------------------------------------------

_KEY = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_DISTRICT_FIELDS = {"key", "kind", "name", "aliases", "weak_aliases", "economic_region", "rayon"}
_TOP_LEVEL = {"not_districts", "common_words", "economic_regions", "districts"}


def _read(path: Path) -> dict:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    unknown = set(data) - _TOP_LEVEL
    if unknown:
        raise ValueError(f"unknown table(s) {', '.join(sorted(unknown))}")
    return data


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f"{where}: expected a list of non-empty strings")
    return tuple(item.strip() for item in value)


def _names(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise ValueError(f"{where}: expected a table with exactly the keys {', '.join(LANGUAGES)}")
    if not all(isinstance(text, str) and text.strip() for text in value.values()):
        raise ValueError(f"{where}: every name must be a non-empty string")
    return {language: value[language].strip() for language in LANGUAGES}


def _check_alias(alias: str, where: str) -> None:
    words = _WORD.findall(fold(alias))
    if not words:
        raise ValueError(f"{where}: alias {alias!r} has no letters")
    if len("".join(words)) < 3:
        raise ValueError(f"{where}: alias {alias!r} is too short to be safe")


def load_economic_regions(path: Path | str = SEED_PATH) -> dict[str, dict[str, str]]:
    """The economic regions' names by key; raise ValueError on a bad table."""
    raw = _read(Path(path)).get("economic_regions", {})
    if not raw or not isinstance(raw, dict):
        raise ValueError("[economic_regions] must be a non-empty table")
    for key in raw:
        if not _KEY.match(key):
            raise ValueError(f"economic_regions.{key}: key must be snake_case")
    return {key: _names(value, f"economic_regions.{key}") for key, value in raw.items()}


def load_not_districts(path: Path | str = SEED_PATH) -> tuple[str, ...]:
    """Names that begin like a district but are not one (see the seed file)."""
    names = _strings(_read(Path(path)).get("not_districts", []), "not_districts")
    for name in names:
        _check_alias(name, "not_districts")
    return names


def load_common_words(path: Path | str = SEED_PATH) -> tuple[str, ...]:
    """Common words that fold like a form of a district's name (see the seed file)."""
    return _strings(_read(Path(path)).get("common_words", []), "common_words")


def _alias_texts(district: District) -> list[str]:
    names = [_without_parentheses(name) for name in district.name.values()]
    return names + list(district.aliases) + list(district.weak_aliases)


def load_districts(path: Path | str = SEED_PATH) -> list[District]:
    """Read the districts; raise ValueError on a bad file (see the module doc for the checks)."""
    path = Path(path)
    data = _read(path)
    regions = load_economic_regions(path)
    districts: list[District] = []
    seen: set[str] = set()
    for index, raw in enumerate(data.get("districts", [])):
        key = raw.get("key")
        where = f"districts[{index}] ({key})"
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError(f"{where}: key must be snake_case")
        if key in seen:
            raise ValueError(f"{where}: duplicate key")
        seen.add(key)
        unknown = set(raw) - _DISTRICT_FIELDS
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        if raw.get("kind") not in KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}")
        region = raw.get("economic_region")
        if region is not None and region not in regions:
            raise ValueError(f"{where}: unknown economic_region {region!r}")
        rayon = raw.get("rayon")
        if rayon is not None and (raw["kind"] != "city" or not isinstance(rayon, str)):
            raise ValueError(f"{where}: only a city may name a rayon of the same name")
        district = District(
            key=key,
            kind=raw["kind"],
            name=_names(raw.get("name"), f"{where}.name"),
            aliases=_strings(raw.get("aliases"), f"{where}.aliases"),
            weak_aliases=_strings(raw.get("weak_aliases", []), f"{where}.weak_aliases"),
            economic_region=region,
            rayon=rayon,
        )
        for alias in district.aliases + district.weak_aliases:
            _check_alias(alias, where)
        districts.append(district)
    if not districts:
        raise ValueError("no [[districts]] in the file")

    by_key = {district.key: district for district in districts}
    for district in districts:
        if district.rayon is not None and getattr(by_key.get(district.rayon), "kind", None) != "rayon":
            raise ValueError(f"{district.key}: rayon {district.rayon!r} is not a rayon in the file")
    owners: dict[str, str] = {_key(name): "not_districts" for name in load_not_districts(path)}
    owners.update({_key(word): "common_words" for word in load_common_words(path)})
    for district in districts:
        for text in _alias_texts(district):
            owner = owners.setdefault(_key(text), district.key)
            if owner != district.key:
                raise ValueError(f"{district.key}: alias {text!r} is also a name of {owner}")
    return districts


@lru_cache(maxsize=1)
def _seeded_not_districts() -> tuple[str, ...]:
    return load_not_districts(SEED_PATH)


@lru_cache(maxsize=1)
def _seeded_common_words() -> tuple[str, ...]:
    return load_common_words(SEED_PATH)


@lru_cache(maxsize=1)
def default_districts() -> DistrictIndex:
    """The index built from `seeds/az_districts.toml`, loaded once per process."""
    return DistrictIndex.from_seeds()
