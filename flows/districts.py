"""Finding the home district (rayon) or city of Azerbaijan a family names for the missing man.

Families write the place as they say it, in Azerbaijani Latin (often without ə ı ö ü ş ç ğ),
Russian or English: "Biləsuvar rayonu", "Bilasuvar", "Билясуварский район", "Zərdab rayonu,
Məlikli kəndi", "Баку, Сабунчинский район". `DistrictIndex.match` returns the first-level
division named (one of the rayons or cities of republican subordination in
`seeds/az_districts.toml`), or None when none is: the caller counts that case as "other", so
statistics never carry the free text. The module is pure: no I/O beyond reading the seed file.

How text is read: `flows.place_names` finds the aliases (reading, overlaps, weak aliases, the
order of what is found; "Kasum-Ismailov" is the two words of "Kasum Ismailov", "Lənkəran
rayonu" wins over "Lənkəran"); what is particular to Azerbaijani districts is this.
* Each word is reduced to a spelling *skeleton*, so that the spellings of one name meet:
  - Latin: dzh/dj/zh/j → c (Jalilabad = Cəlilabad), kh/x/h → x (Khachmaz = Xaçmaz), gh/ğ → g
    (Aghdam = Ağdam), ch/ç → c, sh/ş → s, q → g (Gabala = Qəbələ, Gakh = Qax), y → i, and ə/e → a,
    because English writes ə as a and Russian romanisation as e (Lankaran = Lənkəran = Lenkeran);
    k stays k, so "Bakı" never meets "bağı" (Russian-style Kuba, Kusary, Kakh are listed);
  - Cyrillic: е/э/я → а, ы/й → и, ю → у, ь/ъ dropped (Билясувар = Биласувар, Шеки = Шаки);
  - both: doubled letters once (Masallı = Masally = Masali), and a leading y/й-glide dropped
    (Yevlakh = Evlakh, Йевлах = Евлах).
* Besides the same word, an alias word accepts
  - for a short Latin name (skeleton of 5 letters or fewer: Qax, Quba, Şəki, Lerik, Qusar, Bakı)
    only the word with Azerbaijani case, possessive and "-lı" suffixes ("Qaxda", "Qubanın",
    "Şəkidən", "Bakılı"), so "Qax" never matches "Qaxet"; for a short Russian noun, its case
    endings ("в Губе", "в Гахе", "Шуши"); for a Russian adjective ("Билясуварский",
    "Загатальский"), all its forms ("в Билясуварском районе");
  - for a longer name, any word starting with it and at most 8 letters longer: Azerbaijani
    suffixes ("Biləsuvarda", "Zərdabdan", "Sumqayıtlı") and Russian endings ("в Ленкорани",
    "из Сумгаита", "Агдамский") — except when the rest starts like a surname ("-ov", "-ev",
    "-zadə": "Şirvanov", "Агдамова"), since many surnames are made from place names.
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

`load_districts` also refuses an alias (after folding and reduction to the skeleton) shared by
two districts, or by a district and `not_districts` or `common_words`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from flows.place_names import (
    A_ENDINGS,
    CYRILLIC_VOWELS,
    DOUBLE,
    KEY,
    LANGUAGES,
    LATIN,
    LATIN_VOWELS,
    PLURAL_ENDINGS,
    WORD,
    Aliases,
    Hit,
    Word,
    by_key,
    check_alias,
    choose,
    folded_words,
    names,
    place_fields,
    read_toml,
    replace_all,
    rows,
    strings,
    strong_texts,
    whole_word,
)
from flows.text import fold

__all__ = [
    "KINDS", "LANGUAGES", "SEED_PATH", "District", "DistrictIndex", "default_districts",
    "load_common_words", "load_districts", "load_economic_regions", "load_not_districts",
]

SEED_PATH = Path(__file__).resolve().parent.parent / "seeds" / "az_districts.toml"
KINDS = ("rayon", "city")


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
_GLIDE = re.compile(r"^[iи](?=[aiouаиоу])")


@lru_cache(maxsize=16384)
def _skeleton(word: str) -> str:
    """Matching key of one folded word; spellings of one name meet (see module doc)."""
    word = replace_all(word, _LATIN_CLUSTERS) if LATIN.search(word) else word.translate(_CYRILLIC)
    word = DOUBLE.sub(r"\1", word)
    if len(word) > 2:
        word = _GLIDE.sub("", word)
    return word


def _split(text: str) -> tuple[list[str], list[str]]:
    """The text's words as skeletons, and as folded words (for the surname check)."""
    folded = folded_words(text)
    return [_skeleton(word) for word in folded], folded


def _key(text: str) -> str:
    """One alias as a comparable key (for the loader's clash check and the tests)."""
    return " ".join(_skeleton(word) for word in WORD.findall(fold(text)))


# --- Word matching ---------------------------------------------------------------------

_LATIN_PREFIX_MIN = 6  # a Latin name this long may match any word that begins with it
_CYRILLIC_PREFIX_MIN = 5  # ... a Russian stem this long (regions.py uses the same)
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
# Russian noun endings for short names: Гах → Гаха, Гахе; Губа → Губы, Губе; Кусары → Кусарах.
_CONSONANT_ENDINGS = ("а", "у", "е", "ом", "ы", "ах", "ам")
_O_ENDINGS = ("о", "а", "у", "е", "ом")
_SOFT_ENDINGS = ("ь", "и", "ю", "ью", "я", "е")
# A Russian adjective names the district in every gender and case ("Загатальская зона",
# "в Билясуварском районе"), unlike regions.py, where gender tells oblast from district.
_ADJECTIVE_NOMINATIVES = ("ий", "ый", "ая", "яя", "ое", "ее", "ые", "ие")
_ADJECTIVE_ENDINGS = (
    "ий", "ый", "ая", "яя", "ое", "ее", "ого", "его", "ому", "ему", "им", "ым", "ом", "ем", "ой",
    "ей", "ую", "юю", "ою", "ею", "ые", "ие", "ых", "их", "ыми", "ими",
)


class _Word(Word):
    """An alias word of a district: a stem never matches a surname made from it ("Şirvanov")."""

    def refuses(self, extra: str) -> bool:
        return extra.startswith(_SURNAME_EXTRAS)


def _az_forms(folded: str) -> frozenset[str]:
    suffixes = _AZ_AFTER_VOWEL if folded[-1] in LATIN_VOWELS else _AZ_AFTER_CONSONANT
    return frozenset(_skeleton(folded + suffix) for suffix in suffixes)


def _alias_word(folded: str) -> _Word:
    full = _skeleton(folded)
    if LATIN.search(folded):
        if len(full) >= _LATIN_PREFIX_MIN:
            return _Word(full, full, frozenset())
        return _Word(full, "", _az_forms(folded))
    if folded.endswith(_ADJECTIVE_NOMINATIVES) and len(folded) > 4:
        stem = folded[:-2]
        return _Word(full, "", frozenset(_skeleton(stem + ending) for ending in _ADJECTIVE_ENDINGS))
    last = folded[-1]
    stem = folded[:-1] if last in CYRILLIC_VOWELS + "ьй" else folded
    if len(stem) >= _CYRILLIC_PREFIX_MIN:
        return _Word(full, _skeleton(stem), frozenset())
    if last in "ая":
        endings: tuple[str, ...] = A_ENDINGS
    elif last == "о":
        endings = _O_ENDINGS
    elif last == "ы":
        endings = PLURAL_ENDINGS
    elif last in "ьй":
        endings = _SOFT_ENDINGS
    elif last in CYRILLIC_VOWELS:  # indeclinable: Шеки, Баку, Агсу
        endings = ()
    else:
        endings = _CONSONANT_ENDINGS
    return _Word(full, "", frozenset(_skeleton(stem + ending) for ending in endings))


def _weak_word(folded: str) -> _Word:
    """A weak alias word: the whole word, and for Latin also with Azerbaijani suffixes."""
    full = _skeleton(folded)
    return _Word(full, "", _az_forms(folded) if LATIN.search(folded) else frozenset())


_whole_word = whole_word(_skeleton)  # a common word: the whole word only


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


def _near_surname(folded: list[str], hit: Hit[District]) -> bool:
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
        self._by_key = by_key(self.districts, "district")
        for district in self.districts:
            if district.rayon is not None and district.rayon not in self._by_key:
                raise ValueError(f"{district.key}: unknown rayon {district.rayon!r}")
        self._aliases: Aliases[District] = Aliases()
        for district in self.districts:
            self._aliases.add_place(district, _alias_word, _weak_word)
        self._aliases.add_claims(not_districts, _alias_word)
        self._aliases.add_claims(common_words, _whole_word)

    @classmethod
    def from_seeds(cls, path: Path | str = SEED_PATH) -> DistrictIndex:
        return cls(load_districts(path), load_not_districts(path), load_common_words(path))

    def get(self, key: str) -> District:
        return self._by_key[key]

    def match(self, text: str) -> District | None:
        """The district named in `text` (the first one, if several), or None."""
        found = self.find_all(text)
        return found[0] if found else None

    def find_all(self, text: str) -> list[District]:
        """Every district named in `text`, in the order they are first mentioned."""
        words, folded = _split(text)
        hits = choose(self._aliases.hits(words))
        named = any(hit.alias.place is not None and not hit.alias.weak for hit in hits)
        result: list[District] = []
        for index, hit in enumerate(hits):
            district = hit.alias.place
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


# --- The seed file ---------------------------------------------------------------------

_DISTRICT_FIELDS = {"key", "kind", "name", "aliases", "weak_aliases", "economic_region", "rayon"}
_TOP_LEVEL = {"not_districts", "common_words", "economic_regions", "districts"}  # tables of the file


def load_economic_regions(path: Path | str = SEED_PATH) -> dict[str, dict[str, str]]:
    """The economic regions' names by key; raise ValueError on a bad table."""
    raw = read_toml(path, _TOP_LEVEL).get("economic_regions", {})
    if not raw or not isinstance(raw, dict):
        raise ValueError("[economic_regions] must be a non-empty table")
    for key in raw:
        if not KEY.match(key):
            raise ValueError(f"economic_regions.{key}: key must be snake_case")
    return {key: names(value, f"economic_regions.{key}") for key, value in raw.items()}


def load_not_districts(path: Path | str = SEED_PATH) -> tuple[str, ...]:
    """Names that begin like a district but are not one (see the seed file)."""
    found = strings(read_toml(path, _TOP_LEVEL).get("not_districts", []), "not_districts")
    for name in found:
        check_alias(name, "not_districts")
    return found


def load_common_words(path: Path | str = SEED_PATH) -> tuple[str, ...]:
    """Common words that fold like a form of a district's name (see the seed file)."""
    return strings(read_toml(path, _TOP_LEVEL).get("common_words", []), "common_words")


def _alias_texts(district: District) -> list[str]:
    return strong_texts(district) + list(district.weak_aliases)


def load_districts(path: Path | str = SEED_PATH) -> list[District]:
    """Read the districts; raise ValueError on a bad file (see the module doc for the checks)."""
    path = Path(path)
    data = read_toml(path, _TOP_LEVEL)
    regions = load_economic_regions(path)
    districts: list[District] = []
    for where, raw in rows(data, "districts", _DISTRICT_FIELDS):
        if raw.get("kind") not in KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}")
        region = raw.get("economic_region")
        if region is not None and region not in regions:
            raise ValueError(f"{where}: unknown economic_region {region!r}")
        rayon = raw.get("rayon")
        if rayon is not None and (raw["kind"] != "city" or not isinstance(rayon, str)):
            raise ValueError(f"{where}: only a city may name a rayon of the same name")
        districts.append(District(**place_fields(raw, where), kind=raw["kind"], economic_region=region, rayon=rayon))

    kinds = {district.key: district.kind for district in districts}
    for district in districts:
        if district.rayon is not None and kinds.get(district.rayon) != "rayon":
            raise ValueError(f"{district.key}: rayon {district.rayon!r} is not a rayon in the file")
    owners: dict[str, str] = {_key(name): "not_districts" for name in load_not_districts(path)}
    owners.update({_key(word): "common_words" for word in load_common_words(path)})
    for district in districts:
        for text in _alias_texts(district):
            owner = owners.setdefault(_key(text), district.key)
            if owner != district.key:
                raise ValueError(f"{district.key}: alias {text!r} is also a name of {owner}")
    return districts


# What an index built without them uses (not per-district data, so not in database rows).
_seeded_not_districts = lru_cache(maxsize=1)(partial(load_not_districts, SEED_PATH))
_seeded_common_words = lru_cache(maxsize=1)(partial(load_common_words, SEED_PATH))


@lru_cache(maxsize=1)
def default_districts() -> DistrictIndex:
    """The index built from `seeds/az_districts.toml`, loaded once per process."""
    return DistrictIndex.from_seeds()
