"""Candidate duplicates among reported cases: the same man reported by two relatives.

Nothing here merges cases. Staff are shown candidates with a score and decide.

Scoring (`similarity`, in [0, 1])
---------------------------------
* Names: each word becomes a skeleton (`flows.names`), and the man's own words (not the
  father's name) of both names are paired up in the best order, so "Tahir Abdullayev" and
  "Абдуллаев Тахир" pair Tahir with Тахир. Two words are compared with an edit distance in
  which cross-script near-misses cost half an edit (vowels, k/q, s/ş, b/p, d/t, v/f) and a
  swap of two neighbouring letters one edit; a full edit on a word's first consonant costs
  1.5 (first letters are rarely mistyped; Əliyev / Vəliyev are two families). Up to one edit
  (1.5 for words of 10 letters or more) is a typo and keeps the pair similar; more than that
  is another name and scores low, because Həsənov/Hüseynov or Elçin/Elnur are different
  people, not typos. A feminine form (Tahir → Tahirə) is never a typo, nor is one name on the
  list of known names (`flows.known_names`) a typo of another (Emin / Emil). The name score
  leans on the *worst* word pair: one wrong word is enough to make two men different.
* Support: birth year equal (+), one year apart (0, families misremember by one), two years
  apart (strong −: an identical name alone no longer reaches the threshold), more (reject);
  home district the same (+) or different (−); the father's name the same (+) or different
  (strong −); a man and a woman (reject). Missing facts count neither way.
* The sum is clamped to [0, 1]; the index ranks by the unclamped sum, so "name, year and
  district agree" comes before "name agrees" although both show 1.0.

`is_possible_duplicate` puts the threshold at THRESHOLD; `benchmarks/duplicates.py` measures
it on `tests/data/name_pairs.csv`.

Blocking (`DuplicateIndex`)
---------------------------
Comparing a new case with every stored case would be slow over 100,000 cases, so the index
only scores cases that share a *block*: a pair of words (one from each of two of the man's
words) whose consonant outlines agree. An outline is the word's stem skeleton without vowels,
with the half-edit consonants merged (k = H, s = S, p = b, t = d, f = v). Each outline also
stands for its one-consonant-deleted variants, so one consonant typo still lands in a shared
block. A one-word name is blocked by that word alone.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from flows.known_names import Known, relation
from flows.names import VOWELS, NameToken, parse_key, word_skeletons

__all__ = ["THRESHOLD", "Candidate", "DuplicateIndex", "find_candidates", "is_possible_duplicate", "lookup_keys",
           "similarity", "stored_keys"]

THRESHOLD = 0.8

# At most this many of a name's own words take part; a longer "name" is pasted text and
# the pairing below tries every order (4! = 24 at most).
MAX_WORDS = 4


@dataclass(frozen=True)
class Candidate:
    name: str
    birth_year: int | None
    home_district: str | None
    father_name: str | None = None
    key: object = None  # the case id; opaque here


# --- Word distance ---------------------------------------------------------------------

# Pairs that differ between scripts or keyboards rather than between names (half an edit).
_HALF = {frozenset(p) for p in ("kH", "sS", "bp", "dt", "vf")}


def _substitution(x: str, y: str) -> float:
    if x == y:
        return 0.0
    if (x in VOWELS and y in VOWELS) or frozenset((x, y)) in _HALF:
        return 0.5
    return 1.0


# People rarely get the first letter of a name wrong (the reason behind Jaro-Winkler's prefix
# bonus), while a different first consonant is a different name: Əliyev / Vəliyev,
# Həsən / Məhəmməd. A full edit on a word's first consonant therefore costs this much.
FIRST_CONSONANT_EDIT = 1.5


def _indel(word: str, position: int) -> float:
    return FIRST_CONSONANT_EDIT if position == 0 and word[0] not in VOWELS else 1.0


@lru_cache(maxsize=262_144)
def _distance(a: str, b: str) -> float:
    """Weighted edit distance with adjacent swaps (optimal string alignment)."""
    if a == b:
        return 0.0
    rows = [[0.0]]
    for j in range(1, len(b) + 1):
        rows[0].append(rows[0][-1] + _indel(b, j - 1))
    for i in range(1, len(a) + 1):
        row = [rows[-1][0] + _indel(a, i - 1)] + [0.0] * len(b)
        for j in range(1, len(b) + 1):
            substitution = _substitution(a[i - 1], b[j - 1])
            if i == 1 and j == 1 and substitution == 1.0 and (a[0] not in VOWELS or b[0] not in VOWELS):
                substitution = FIRST_CONSONANT_EDIT
            row[j] = min(
                rows[-1][j] + _indel(a, i - 1), row[j - 1] + _indel(b, j - 1), rows[-1][j - 1] + substitution
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] and a[i - 1] != b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _allowed_edits(length: int) -> float:
    # A 3-letter name has no room for a typo that leaves it recognisable (Əli / Ağa).
    if length <= 3:
        return 0.5
    return 1.0 if length < 10 else 1.5


def _feminine_pair(a: str, b: str) -> bool:
    """Tahir / Tahirə, Pərviz / Pərvizə: the female name made from the male one."""
    short, long = sorted((a, b), key=len)
    return len(long) == len(short) + 1 and long.startswith(short) and long[-1] == "a" and short[-1:] not in VOWELS


@lru_cache(maxsize=262_144)
def word_similarity(a: str, b: str) -> float:
    """Similarity of two word skeletons in [0, 1]; at least 0.85 means "the same word"."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if _feminine_pair(a, b):
        return 0.2
    distance = _distance(a, b)
    length = max(len(a), len(b))
    if distance <= _allowed_edits(length):
        return 1.0 - 0.1 * distance
    return _another_word(distance, length)


def _another_word(distance: float, length: int) -> float:
    return max(0.0, 0.6 * (1.0 - distance / length))


@lru_cache(maxsize=262_144)
def name_word_similarity(a: str, b: str) -> float:
    """`word_similarity` for the words of a name, told by the list of known names: a listed
    name is never a typo of another listed name (Emin / Emil), two listed spellings of one
    name are that name, and a word on no list is judged by distance alone."""
    known = relation(a, b) if a != b else None
    if known is Known.SAME:
        return 1.0
    score = word_similarity(a, b)
    return min(score, _another_word(_distance(a, b), max(len(a), len(b)))) if known is Known.OTHER else score


# --- Profiles: what is compared, computed once per case ---------------------------------

# Words in a district field that are not the district's name (in the Latin form of names.py).
_PLACE_TEXT = (
    "rayon rayonu rayonunun raion r rn district region kend kendi village kand kandi selo s "
    "seheri sheheri shahari city gorod g qesebe qesebesi settlement poselok pgt obl oblast "
    "rayonskiy rayonnyy rayonniy"
)
_PLACE_WORDS = frozenset(word for text in _PLACE_TEXT.split() for word in word_skeletons(text))


@dataclass(frozen=True, slots=True)
class _Profile:
    words: tuple[str, ...]  # skeletons of the man's own words (surname with its "ov")
    father: str | None
    gender: str | None
    birth_year: int | None
    district: tuple[str, ...]


@lru_cache(maxsize=200_000)
def _name_parts(name: str, father_name: str | None) -> tuple[tuple[NameToken, ...], str | None, str | None]:
    parsed = parse_key(name or "")
    father = parsed.father.stem if parsed.father else None
    if father_name:
        given = parse_key(father_name)
        # A father's full name may be given ("Əli Abdullayev"); his given name is the first word.
        first = given.core[0] if given.core else given.father
        father = first.stem if first else father
    return parsed.core[:MAX_WORDS], father, parsed.gender


@lru_cache(maxsize=65_536)
def _district_words(district: str | None) -> tuple[str, ...]:
    if not district:
        return ()
    return tuple(w for w in word_skeletons(district) if len(w) > 1 and w not in _PLACE_WORDS)


def _profile(candidate: Candidate) -> _Profile:
    core, father, gender = _name_parts(candidate.name, candidate.father_name)
    year = candidate.birth_year if isinstance(candidate.birth_year, int) else None
    return _Profile(tuple(t.key for t in core), father, gender, year, _district_words(candidate.home_district))


# --- Scoring -------------------------------------------------------------------------------

def _pairing_score(sims: list[float]) -> float:
    # Mostly the worst pair: one wrong word makes two men different. The similarities come
    # sorted, so swapping the two names gives a bit-identical sum and a symmetric score.
    return 0.7 * sims[0] + 0.3 * sum(sims) / len(sims)


def _name_score(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    score = max(_pairing_score(sorted(name_word_similarity(x, b[j]) for x, j in zip(a, order)))
                for order in itertools.permutations(range(len(b)), len(a)))
    if len(a) == 1:
        # One word (a given name alone) says little about who the man is.
        score *= 0.8
    # A word only one side has (a second given name, a patronymic without oğlu) weighs little.
    return score - 0.05 * (len(b) - len(a))


def _same_place(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    for x in a:
        for y in b:
            # "Zardabskiy rayon" begins with "Zardab"; Lənkəran/Ленкорань differ by a vowel.
            prefix = min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x))
            if prefix or word_similarity(x, y) >= 0.85:
                return True
    return False


# Support added to the name score. Birth year by gap in years; beyond the table: FAR_YEARS.
YEAR_GAP = {0: 0.05, 1: 0.0, 2: -0.3}
FAR_YEARS = -0.5
SAME_DISTRICT, OTHER_DISTRICT = 0.05, -0.1
SAME_FATHER, OTHER_FATHER = 0.05, -0.4
MAN_AND_WOMAN = -0.5
# The best score a pair whose birth years are far apart can reach; lets the index skip them.
_BEST_WITH_FAR_YEARS = 1.0 + FAR_YEARS + SAME_DISTRICT + SAME_FATHER


def _raw_score(a: _Profile, b: _Profile) -> float:
    """Name score plus support, unclamped: above 1 when everything agrees (used for ranking)."""
    score = _name_score(a.words, b.words)
    if a.gender and b.gender and a.gender != b.gender:
        score += MAN_AND_WOMAN
    if a.birth_year is not None and b.birth_year is not None:
        score += YEAR_GAP.get(abs(a.birth_year - b.birth_year), FAR_YEARS)
    if a.district and b.district:
        score += SAME_DISTRICT if _same_place(a.district, b.district) else OTHER_DISTRICT
    if a.father and b.father:
        score += SAME_FATHER if name_word_similarity(a.father, b.father) >= 0.85 else OTHER_FATHER
    return score


def _clamp(score: float) -> float:
    return min(1.0, max(0.0, score))


def similarity(a: Candidate, b: Candidate) -> float:
    """How likely `a` and `b` are one man, in [0, 1]; symmetric. See the module docstring."""
    return _clamp(_raw_score(_profile(a), _profile(b)))


def is_possible_duplicate(a: Candidate, b: Candidate) -> bool:
    return similarity(a, b) >= THRESHOLD


# --- Blocking index ------------------------------------------------------------------------

_OUTLINE = str.maketrans({"k": "H", "S": "s", "p": "b", "t": "d", "f": "v"})


def _outline(stem: str) -> str:
    consonants = "".join(ch for ch in stem.translate(_OUTLINE) if ch not in VOWELS)
    return "".join(ch for i, ch in enumerate(consonants) if i == 0 or ch != consonants[i - 1])


@lru_cache(maxsize=65_536)
def _deletions(outline: str) -> frozenset[str]:
    """The outline with one consonant left out: two outlines one edit apart share one of
    these or contain each other (the symmetric-deletion trick of SymSpell)."""
    if len(outline) < 2:
        return frozenset()
    return frozenset(outline[:i] + outline[i + 1:] for i in range(len(outline)))


def _block_keys(core: tuple[NameToken, ...]) -> set[tuple[str, ...]]:
    if len(core) == 1:
        return {("1", _outline(core[0].stem))}
    keys: set[tuple[str, ...]] = set()
    for x, y in itertools.combinations(core, 2):
        ox, oy = _outline(x.stem), _outline(y.stem)
        keys.add(("2", *sorted((ox, oy))))
        # One word exact, the other with one consonant edit: one typo per name is tolerated
        # in blocking; the scoring tolerates no more in a matching word anyway.
        keys.update(("2", *sorted((ox, v))) for v in _deletions(oy))
        keys.update(("2", *sorted((v, oy))) for v in _deletions(ox))
    return keys


def _lookup_keys(core: tuple[NameToken, ...]) -> set[tuple[str, ...]]:
    keys = _block_keys(core)
    # A stored one-word name is worth showing for any name containing that word.
    keys.update(("1", _outline(t.stem)) for t in core)
    return keys


# Stored keys are text in a column of bounded width; cutting a long one only merges blocks.
KEY_WIDTH = 96


def _as_text(keys: set[tuple[str, ...]]) -> set[str]:
    return {"|".join(key)[:KEY_WIDTH] for key in keys}


def stored_keys(names: Iterable[str]) -> set[str]:
    """The blocks a case (every spelling of its name) is filed under, as the database keeps them."""
    return _as_text(set().union(*(_block_keys(_name_parts(n, None)[0]) for n in names if n)))


def lookup_keys(names: Iterable[str]) -> set[str]:
    """The blocks to look in: cases filed under them are what `DuplicateIndex.candidates_for` finds."""
    return _as_text(set().union(*(_lookup_keys(_name_parts(n, None)[0]) for n in names if n)))


class DuplicateIndex:
    """Stored cases, blocked so that a lookup scores only the plausible ones."""

    def __init__(self, candidates: Iterable[Candidate] = ()) -> None:
        self._candidates: list[Candidate] = []
        self._profiles: list[_Profile] = []
        self._blocks: dict[tuple[str, ...], list[int]] = {}
        for candidate in candidates:
            self.add(candidate)

    def __len__(self) -> int:
        return len(self._candidates)

    def __iter__(self) -> Iterator[Candidate]:
        return iter(self._candidates)

    def add(self, candidate: Candidate) -> None:
        position = len(self._candidates)
        self._candidates.append(candidate)
        self._profiles.append(_profile(candidate))
        core, _, _ = _name_parts(candidate.name, candidate.father_name)
        for key in _block_keys(core):
            self._blocks.setdefault(key, []).append(position)

    def _positions(self, candidate: Candidate) -> list[int]:
        core, _, _ = _name_parts(candidate.name, candidate.father_name)
        found: set[int] = set()
        for key in _lookup_keys(core):
            found.update(self._blocks.get(key, ()))
        return sorted(found)

    def candidates_for(self, candidate: Candidate) -> list[Candidate]:
        """Stored cases sharing a block with `candidate` (unscored, in the order added)."""
        return [self._candidates[i] for i in self._positions(candidate)]

    def find(
        self, candidate: Candidate, limit: int = 10, min_score: float = THRESHOLD
    ) -> list[tuple[Candidate, float]]:
        """The best-scoring stored cases, best first; a case is never its own duplicate.

        Only cases sharing a block are scored: a `min_score` below THRESHOLD adds near misses
        (same name, other birth year) but never unrelated names.
        """
        profile = _profile(candidate)
        year = profile.birth_year
        skip_far_years = year is not None and min_score > _BEST_WITH_FAR_YEARS
        scored = []
        for i in self._positions(candidate):
            other, other_profile = self._candidates[i], self._profiles[i]
            if candidate.key is not None and other.key == candidate.key:
                continue
            other_year = other_profile.birth_year
            if skip_far_years and other_year is not None and year is not None and abs(other_year - year) not in YEAR_GAP:
                continue  # cannot reach min_score: saves most of the scoring in a large index
            raw = _raw_score(profile, other_profile)
            if _clamp(raw) >= min_score:
                scored.append((raw, i))
        # Ranked by the unclamped score, so a match on name, year and district comes before a
        # match on name alone although both show 1.0; ties keep the order of adding.
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [(self._candidates[i], _clamp(raw)) for raw, i in scored[:limit]]


def find_candidates(new: Candidate, existing: Iterable[Candidate] | DuplicateIndex, limit: int = 10, min_score: float = THRESHOLD) -> list[tuple[Candidate, float]]:
    """Possible duplicates of `new` among `existing`, best first, at most `limit`.

    Pass a `DuplicateIndex` kept up to date as cases arrive; any other iterable is indexed on the spot (fine for a few thousand cases, wasteful when repeated).
    """
    index = existing if isinstance(existing, DuplicateIndex) else DuplicateIndex(existing)
    return index.find(new, limit=limit, min_score=min_score)
