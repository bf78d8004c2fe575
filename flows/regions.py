"""Finding the Russian region (federal subject) a family names as the last known location.

Families write the place as they heard it, in Azerbaijani Latin (often without ə ı ö ü ş ç ğ),
Russian or English: "Voronej şəhəri", "в Тюмени", "Ростов-на-Дону, стройка", "hərbi hissə
11097, Voronej vilayəti". `Gazetteer.match_text` returns the region, whose federal district
decides which Azerbaijani mission's consular district covers the case. `Gazetteer.nearest`
does the same for a location pin. The data (regions, aliases, points) lives in
`seeds/regions.toml` (loaded and checked by `flows.region_data`), where admins can add spellings
without touching code.

How text is read: `flows.place_names` finds the aliases (reading, overlaps, weak aliases, the
order of what is found); what is particular to Russian regions is this.
* Latin words are reduced to a spelling *skeleton*, so that romanisations of one Russian name
  meet: zh/j → j, kh/x/h → x, ch/ç → c, sh/shch/ş → s, ts → s, q → g (Azerbaijani writes a hard
  г as q: Yekaterinburq, Qroznı), y → i, doubled letters once, and the soft i/y between a
  consonant and a vowel dropped (Tyumen = Tümen = Tumen, Chelyabinsk = Çelyabinsk, Nizhny =
  Nizhniy = Nijni, Yekaterinburg = Ekaterinburg). Cyrillic words are compared as folded.
* Each alias word matches a text word that is
  - the same word (an *exact* match), or
  - for a long stem (the word minus one final vowel, ь or й, at least 5 letters): any word
    starting with that stem and at most 8 letters longer — Russian cases ("в Воронеже",
    "из Екатеринбурга") and stacked Azerbaijani suffixes ("Yekaterinburqdakı") — except
    when the rest begins with "ск"/"sk": "Кировский район" is a district named after a man,
    not the Kirov region, so adjective forms are listed as aliases when wanted ("Ростовская");
  - for a Russian adjective ("Нижний", "Набережные", "Воронежская"): its own forms, in the same
    gender ("Нижнем", "Набережных", "Воронежской"; "Кировская" never matches "Кировский");
  - for a short stem (4 letters or fewer): one of a fixed list of Russian case endings
    ("Перми", "Уфе", "в Крыму") or Azerbaijani suffixes ("Ufada", "Permdə"). Words shorter
    than that never match by beginning, so a 4-letter name cannot swallow a longer word
    ("Krım" does not match "kriminal"). Indeclinable short names (Коми, Сочи) match only whole.
* *Weak* aliases (city names that are also common words, such as "Шахты", "mines") match only
  the whole word, and count only when no other alias is found in the text. Names of places
  outside Russia that begin like an alias ("Kirovabad", the old name of Ganja; "Samarkand")
  claim their words and yield nothing.
* `match_text` returns the first region mentioned; `find_all` returns all of them so a
  conversation can ask which one is meant.
* "Moskva" is the city of Moscow unless an oblast word follows it closely ("Москва, область",
  "Moskva vilayətində") or Moscow Oblast is named in the text as well ("Подмосковье"): then
  the oblast. St Petersburg and Leningrad Oblast work the same way.

Aliases shorter than 3 letters are refused when loading, and 3-letter ones (ДНР, СПб, Уфа)
only ever match the whole word (with its case endings, for a declinable name such as Уфа).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

# `MAX_TEXT`, `_without_parentheses` and `_words` were defined here and stay importable.
from flows.place_names import (  # noqa: F401
    A_ENDINGS,
    CYRILLIC_VOWELS,
    DOUBLE,
    LATIN,
    LATIN_VOWELS,
    MAX_TEXT,
    PLURAL_ENDINGS,
    Aliases,
    Word,
    by_key,
    choose,
    folded_words,
    replace_all,
    whole_word,
)
from flows.place_names import without_parentheses as _without_parentheses  # noqa: F401
from flows.region_data import (
    FEDERAL_DISTRICTS,
    LANGUAGES,
    SEED_PATH,
    Region,
    load_elsewhere,
    load_regions,
)
from flows.text import fold

__all__ = ["FEDERAL_DISTRICTS", "LANGUAGES", "SEED_PATH", "Gazetteer", "Region", "default_gazetteer", "load_elsewhere", "load_regions"]


# --- Spelling skeleton -----------------------------------------------------------------

# Order matters: longer clusters first, and "h" only after kh/zh/ch/sh are resolved.
_LATIN_CLUSTERS = (
    ("shch", "s"),
    ("sch", "s"),
    ("dzh", "c"),
    ("zh", "j"),
    ("kh", "x"),
    ("ch", "c"),
    ("sh", "s"),
    ("ts", "s"),
    ("tz", "s"),
    ("h", "x"),
    ("w", "v"),
    ("q", "g"),
    ("y", "i"),
)
_SOFT_I = re.compile(r"(?<=[bcdfgjklmnprstvxz])i(?=[aeiou])")


@lru_cache(maxsize=8192)
def _skeleton(word: str) -> str:
    """Matching key of one folded word; Latin spellings of one Russian name meet (see module doc)."""
    if not LATIN.search(word):
        return word
    word = DOUBLE.sub(r"\1", replace_all(word, _LATIN_CLUSTERS))
    word = _SOFT_I.sub("", word)
    if word.startswith("ie"):  # Yekaterinburg / Ekaterinburg, Yelets / Elets
        word = word[1:]
    return word


def _words(text: str) -> list[str]:
    return [_skeleton(word) for word in folded_words(text)]


# --- Word matching ---------------------------------------------------------------------

_PREFIX_MIN = 5  # a stem this long may match any word that begins with it

# Russian noun endings added to a 4-letter stem (Пермь → Перми, Крым → Крыму, Химки → Химках).
_NOUN_ENDINGS = ("", "а", "я", "у", "ю", "е", "и", "ы", "ь", "ой", "ей", "ом", "ем", "ою", "ею",
                 "ах", "ях", "ам", "ям", "ами", "ями", "ии", "ия", "ию", "ией")
# Short nouns in -й ("край" in "Краснодарский край"): края, краю, крае, краем.
_I_ENDINGS = ("я", "ю", "е", "ем")
# Russian adjectives keep their gender: "Кировская" (область) must not match "Кировский" (район).
_ADJECTIVE_ENDINGS = {
    "ая": ("ая", "ой", "ую", "ою"),
    "яя": ("яя", "ей", "юю", "ею"),
    "ый": ("ый", "ого", "ому", "ым", "ом"),
    "ий": ("ий", "ого", "его", "ому", "ему", "им", "ом", "ем"),
    "ое": ("ое", "ого", "ому", "ым", "ом"),
    "ее": ("ее", "его", "ему", "им", "ем"),
    "ые": ("ые", "ых", "ым", "ыми"),
    "ие": ("ие", "их", "им", "ими"),
}
# Azerbaijani case and possessive suffixes, folded (Rostovda, Ufaya, Moskvanın, Tümendəki).
_AZ_SUFFIXES = tuple(
    fold(s)
    for s in (
        "da", "də", "ta", "tə", "dan", "dən", "tan", "tən", "a", "ə", "ya", "yə",
        "ın", "in", "un", "ün", "nın", "nin", "nun", "nün", "ı", "i", "u", "ü",
        "nı", "ni", "nu", "nü", "dakı", "dəki", "ndan", "ndən", "nda", "ndə",
    )
)


class _Word(Word):
    """An alias word of a region: a stem never matches an adjective made from it ("Кировский")."""

    def refuses(self, extra: str) -> bool:
        return extra.lstrip("ь").startswith(("ск", "sk"))


def _alias_word(folded: str) -> Word:
    full = _skeleton(folded)
    if LATIN.search(folded):
        stem = full[:-1] if full[-1] in LATIN_VOWELS else full
        if len(stem) >= _PREFIX_MIN:
            return _Word(full, stem, frozenset())
        return _Word(full, "", frozenset(_skeleton(folded + suffix) for suffix in _AZ_SUFFIXES))
    ending = full[-2:]
    if ending in _ADJECTIVE_ENDINGS and len(full) > 4:
        stem = full[:-2]
        return _Word(full, "", frozenset(stem + e for e in _ADJECTIVE_ENDINGS[ending]))
    stem = full[:-1] if full[-1] in CYRILLIC_VOWELS + "ьй" else full
    if len(stem) >= _PREFIX_MIN:
        return _Word(full, stem, frozenset())
    if len(stem) == 4:
        endings: tuple[str, ...] = _NOUN_ENDINGS
    elif full[-1] in "ая":
        endings = A_ENDINGS
    elif full[-1] == "й":
        endings = _I_ENDINGS
    elif full[-1] == "ы":
        endings = PLURAL_ENDINGS
    else:  # indeclinable (Коми, Сочи, Удэ) or an abbreviation (ДНР, СПб)
        endings = ()
    return _Word(full, "", frozenset(stem + e for e in endings))


_whole_word = whole_word(_skeleton)  # a weak alias word: the whole word only


# Words that turn "Moskva" into Moscow Oblast when they follow it closely.
_AREA_WORDS = tuple(
    _alias_word(fold(w))
    for w in ("область", "обл", "мо", "oblast", "oblastı", "vilayət", "vilayəti", "region", "регион")
)
_AREA_WINDOW = 3  # words after the city's name
# City → the region around it, for the rule above.
_SURROUNDING = {"moscow": "moscow_oblast", "saint_petersburg": "leningrad_oblast"}


def _is_area_word(word: str) -> bool:
    return any(area.accepts(word) for area in _AREA_WORDS)


# --- Gazetteer -------------------------------------------------------------------------


class Gazetteer:
    """Region lookup by free text or by coordinates; build once, query many times."""

    def __init__(self, regions: Iterable[Region], elsewhere: Iterable[str] | None = None) -> None:
        """`elsewhere`: names of places outside Russia to ignore; None reads them from the seed
        file (they are not per-region data, so a gazetteer built from database rows gets them too).
        """
        if elsewhere is None:
            elsewhere = _seeded_elsewhere()
        self.regions: tuple[Region, ...] = tuple(regions)
        self._by_key = by_key(self.regions, "region")
        self._aliases: Aliases[Region] = Aliases()
        for region in self.regions:
            self._aliases.add_place(region, _alias_word, _whole_word)
        self._aliases.add_claims(elsewhere, _alias_word)

    @classmethod
    def from_seeds(cls, path: Path | str = SEED_PATH) -> Gazetteer:
        regions, _ = load_regions(path)
        return cls(regions, load_elsewhere(path))

    def get(self, key: str) -> Region:
        return self._by_key[key]

    # --- text ---

    def match_text(self, text: str) -> Region | None:
        """The region named in `text` (the first one, if several), or None."""
        found = self.find_all(text)
        return found[0] if found else None

    def find_all(self, text: str) -> list[Region]:
        """Every region named in `text`, in the order they are first mentioned."""
        words = _words(text)
        found = self._aliases.hits(words)
        # A weak alias counts only when no other alias is found.
        hits = choose([hit for hit in found if not hit.alias.weak] or found)
        mentioned = [hit.alias.place.key for hit in hits if hit.alias.place is not None]
        result: list[str] = []
        for hit in hits:
            region = hit.alias.place
            if region is None:
                continue
            key = region.key
            wider = _SURROUNDING.get(key)
            if wider in self._by_key and (
                wider in mentioned
                or any(_is_area_word(w) for w in words[hit.end : hit.end + _AREA_WINDOW])
            ):
                key = wider
            if key not in result:
                result.append(key)
        return [self._by_key[key] for key in result]

    # --- coordinates ---

    def nearest(self, lat: float, lon: float) -> Region:
        """The region whose main point is closest (great-circle) to the pin.

        Approximate by design: one point per region, so a pin near a border may land in the
        neighbour. The conversation should show the result and let the family correct it.
        """
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"not a valid position: {lat}, {lon}")
        return min(self.regions, key=lambda region: _distance_km(lat, lon, region.lat, region.lon))


_EARTH_RADIUS_KM = 6371.0


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=1)
def _seeded_elsewhere() -> tuple[str, ...]:
    return load_elsewhere(SEED_PATH)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer built from `seeds/regions.toml`, loaded once per process."""
    return Gazetteer.from_seeds()

