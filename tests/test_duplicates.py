"""Name keys, duplicate scoring, the blocking index, and the quality gate on name_pairs.csv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.duplicates import (
    THRESHOLD,
    Candidate,
    DuplicateIndex,
    find_candidates,
    is_possible_duplicate,
    similarity,
    word_similarity,
)
from flows.known_names import read_names, word_keys
from flows.names import name_key, parse_name

PAIRS_CSV = Path(__file__).parent / "data" / "name_pairs.csv"

# Each line: spellings of one name by different relatives (Azerbaijani, Russian, English).
RECONCILED = [
    ["Məmmədov", "Мамедов", "Mammadov", "Mamedov", "MƏMMƏDOV"],
    ["Abdullayev", "Абдуллаев", "Abdullayev", "Abdullaev"],
    ["Hacıyev", "Гаджиев", "Hajiyev", "Gadzhiev", "Gadjiev"],
    ["Hüseynov", "Гусейнов", "Huseynov", "Guseynov", "Guseinov"],
    ["Əliyev", "Алиев", "Aliyev", "Aliev"],
    ["Həsənov", "Гасанов", "Hasanov", "Gasanov"],
    ["Şahruz", "Шахруз", "Shahruz"],
    ["Çingiz", "Чингиз", "Chingiz", "Cingiz"],
    ["Xəlil", "Халил", "Khalil", "Halil"],
    ["Qasım", "Гасым", "Gasym", "Qasim"],
    ["Ziyəddin", "Зияддин", "Ziyaddin"],
    ["Fəxri", "Фахри", "Fakhri"],
    ["Tahir", "Тахир"],
    ["Elçin", "Эльчин", "Elchin", "Elcin"],
    ["Orucov", "Оруджев", "Orujov"],
    ["Göyçay", "Гёйчай"],
    ["Kənan", "Кянан"],
    ["Tahir Abdullayev Əli oğlu", "Абдуллаев Тахир Алиевич", "Абдуллаев Тахир Али оглы", "Abdullayev Tahir Ali ogly"],
    ["Tahir Abdullayev", "Абдуллаев Тахир"],
    ["Məmmədova", "Мамедова", "Mammadova"],
]

# Different names that must keep different keys.
KEPT_APART = [
    ("Həsənov", "Hüseynov"),
    ("Qasımov", "Kazımov"),
    ("Haşımov", "Qasımov"),
    ("Həsənov", "Həsənli"),
    ("Elçin", "Elnur"),
    ("Tahir", "Tahirə"),
    ("Əliyev", "Vəliyev"),
]


@pytest.mark.parametrize("spellings", RECONCILED, ids=lambda s: s[0])
def test_name_key_reconciles_spellings(spellings):
    keys = {name_key(s) for s in spellings}
    assert len(keys) == 1, {s: name_key(s) for s in spellings}


@pytest.mark.parametrize(("a", "b"), KEPT_APART)
def test_name_key_keeps_different_names_apart(a, b):
    assert name_key(a) != name_key(b)


def test_name_key_ignores_order_and_markers():
    assert name_key("Tahir Abdullayev") == name_key("Abdullayev Tahir")
    assert "oHlu" not in "".join(name_key("Abdullayev Tahir Əli oğlu"))
    assert name_key("") == ()


def test_parse_name_azerbaijani_with_oglu():
    person = parse_name("Abdullayev Tahir Əli oğlu")
    assert (person.given, person.surname, person.father) == ("Tahir", "Abdullayev", "Əli")
    assert person.tokens == ("Abdullayev", "Tahir", "Əli")
    assert person.gender == "m"


def test_parse_name_russian_patronymic():
    person = parse_name("Абдуллаев Тахир Алиевич")
    assert (person.given, person.surname, person.father) == ("Тахир", "Абдуллаев", "Алиевич")


def test_parse_name_english_order_and_oglu_in_the_middle():
    person = parse_name("Ramil Yusif oglu Gasimov")
    assert (person.given, person.surname, person.father) == ("Ramil", "Gasimov", "Yusif")


def test_parse_name_woman():
    person = parse_name("Məmmədova Tahirə Əli qızı")
    assert (person.given, person.surname, person.father, person.gender) == ("Tahirə", "Məmmədova", "Əli", "f")


def test_parse_name_surname_by_ending_wherever_it_stands():
    assert parse_name("Fakhri Hajiyev").surname == "Hajiyev"
    assert parse_name("Hacıyev Fəxri").surname == "Hacıyev"
    assert parse_name("Səfərli Tural").surname == "Səfərli"
    assert parse_name("Çingiz İsmayılzadə").surname == "İsmayılzadə"


def test_parse_name_without_surname_ending_uses_script_order():
    assert parse_name("Тахир Рустам").surname == "Тахир"  # Russian documents: surname first
    assert parse_name("Tahir Rustam").surname == "Rustam"


# --- Scoring ---------------------------------------------------------------------------

TAHIR = Candidate("Tahir Abdullayev", 1980, "Biləsuvar", key="case-1")


def test_cross_script_same_man_is_duplicate():
    assert is_possible_duplicate(TAHIR, Candidate("Абдуллаев Тахир Алиевич", 1980, "Билясуварский район"))
    assert is_possible_duplicate(TAHIR, Candidate("Tahir Abdulayev", 1981, None))


def test_brother_and_distant_year_are_not_duplicates():
    assert not is_possible_duplicate(TAHIR, Candidate("Abdullayev Elşad", 1984, "Biləsuvar"))
    assert not is_possible_duplicate(TAHIR, Candidate("Tahir Abdullayev", 1970, "Biləsuvar"))


def test_father_name_decides():
    a = Candidate("Cəfərov Orxan", 1994, "Şəmkir", father_name="Rafiq")
    assert is_possible_duplicate(a, Candidate("Джафаров Орхан Рафикович", 1994, None))
    assert not is_possible_duplicate(a, Candidate("Cəfərov Orxan Tofiq oğlu", 1994, "Şəmkir"))


def test_similarity_is_bounded():
    assert similarity(TAHIR, TAHIR) == 1.0
    assert similarity(TAHIR, Candidate("", None, None)) == 0.0


# --- Known names: a typo or another man --------------------------------------------------

# Different real names one letter apart, same birth year and district: two men.
ANOTHER_MAN = [
    ("Kazımov Emin", "Kazımov Emil"), ("Qasımov Ramil", "Qasımov Ramin"), ("Məmmədov Elçin", "Məmmədov Elvin"),
    ("Bağırov Samir", "Bağırov Sabir"), ("Kərimov Fuad", "Kazımov Fuad"), ("Гасымов Рамиль", "Qasımov Ramin"),
]
# Real typos of those names: one man.
SAME_MAN = [
    ("Kazımov Emin", "Kazimov Emim"), ("Qasımov Ramil", "Гасымов Рамиль"), ("Məmmədov Elçin", "Memmedov Elchn"),
    ("Bağırov Samir", "Bagirov Samiir"), ("Kərimov Fuad", "Kerimov Fuat"), ("Kərimov Fuad", "Kərmov Fuad"),
    ("Mirzəyev Bəhruz", "Мирзоев Бахруз"), ("Qəmbərov Akif", "Ganbarov Akif"),
]


@pytest.mark.parametrize(("a", "b"), ANOTHER_MAN)
def test_two_known_names_one_letter_apart_are_two_men(a, b):
    assert not is_possible_duplicate(Candidate(a, 1990, "Quba"), Candidate(b, 1990, "Quba"))


@pytest.mark.parametrize(("a", "b"), SAME_MAN)
def test_a_typo_or_another_spelling_of_a_known_name_is_one_man(a, b):
    assert is_possible_duplicate(Candidate(a, 1990, "Quba"), Candidate(b, 1990, "Quba"))


def test_a_fathers_known_name_one_letter_off_is_another_father():
    a = Candidate("Cəfərov Orxan", 1994, "Şəmkir", father_name="Ramil")
    assert not is_possible_duplicate(a, Candidate("Cəfərov Orxan", 1994, "Şəmkir", father_name="Ramiz"))
    assert is_possible_duplicate(a, Candidate("Cəfərov Orxan", 1994, "Şəmkir", father_name="Рамиль"))


def test_every_listed_name_is_spelled_alike_in_its_three_scripts():
    """The rules alone read a name's az, ru and en spellings as one word: a spelling that reads
    far from the others is a slip in the list, which would keep reports of one man apart."""
    for _, spellings in read_names():
        keys = [word_keys(spelling) for spelling in spellings[:3]]
        assert all(len(k) == 1 for k in keys), spellings
        first, *others = (next(iter(k)) for k in keys)
        assert all(word_similarity(first, other) >= 0.85 for other in others), spellings


def test_the_list_holds_a_few_hundred_names():
    kinds = [kind for kind, _ in read_names()]
    assert kinds.count("given") >= 200 and kinds.count("surname") >= 100


# --- Index and find_candidates ---------------------------------------------------------

EXISTING = [
    Candidate("Orxan Cəfərov", 1994, "Şəmkir", key=1),
    Candidate("Tahir Abdullayev", 1981, None, key=2),  # same man, year one off
    Candidate("Абдуллаев Тахир", 1980, "Билясувар", key=3),  # same man, everything agrees
    Candidate("Abdullayev Elşad", 1984, "Biləsuvar", key=4),  # his brother
    Candidate("Tahir Məmmədov", 1980, "Biləsuvar", key=5),
    Candidate("Tahir Abdulayev", None, None, key=6),  # a typo, nothing else known
    Candidate("Tahir Abdullayev", 1980, "Biləsuvar", key="case-1"),  # the case itself
    Candidate("Tahir Abdullayev", 1955, "Biləsuvar", key=7),  # a namesake, 25 years older
]


def test_find_candidates_best_first_and_excludes_self_and_others():
    found = find_candidates(TAHIR, EXISTING)
    assert [c.key for c, _ in found] == [3, 2, 6]
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True)
    assert all(s >= THRESHOLD for s in scores)


def test_find_candidates_limit_and_min_score():
    assert len(find_candidates(TAHIR, EXISTING, limit=1)) == 1
    wider = find_candidates(TAHIR, EXISTING, min_score=0.0)
    # Near misses that share a block appear when asked for; unrelated names never do.
    assert [c.key for c, _ in wider] == [3, 2, 6, 7]
    assert wider[-1][1] < THRESHOLD


def test_index_blocks_the_right_candidates():
    index = DuplicateIndex(EXISTING)
    assert len(index) == len(EXISTING)
    blocked = {c.key for c in index.candidates_for(TAHIR)}
    assert {2, 3, 6, "case-1"} <= blocked
    assert 1 not in blocked  # Orxan Cəfərov shares nothing with Tahir Abdullayev
    index.add(Candidate("Abdullayev Tahir Ali oglu", 1980, "Bilasuvar", key=8))
    assert 8 in {c.key for c, _ in find_candidates(TAHIR, index)}


def test_index_tolerates_one_consonant_typo_and_one_word_names():
    index = DuplicateIndex([Candidate("Abdullayev Tahir", 1980, None, key=1), Candidate("Tahir", 1980, None, key=2)])
    assert {1, 2} <= {c.key for c in index.candidates_for(Candidate("Tahir Abduldayev", 1980, None))}
    # A one-word name meets stored one-word names; against a full name it could never reach
    # the threshold (one word says too little), so it is not blocked with full names.
    assert {c.key for c in index.candidates_for(Candidate("Тахир", 1980, None))} == {2}


def test_index_finds_one_case_among_many():
    given = ["Elnur", "Vüqar", "Rəşad", "Orxan", "Nicat", "Samir", "Kənan", "Zaur", "Anar", "Emin"]
    surnames = ["Məmmədov", "Əliyev", "Həsənov", "Hüseynov", "Quliyev", "Abbasov", "Bağırov", "Babayev"]
    many = [Candidate(f"{g} {s}", 1960 + i % 45, None, key=i)
            for i, (g, s) in enumerate((g, s) for _ in range(60) for g in given for s in surnames)]
    index = DuplicateIndex(many + [TAHIR])
    found = find_candidates(Candidate("Абдуллаев Тахир", 1980, None), index)
    assert [c.key for c, _ in found] == ["case-1"]
    assert len(index.candidates_for(TAHIR)) < 10


# --- Quality gate on the measured set ----------------------------------------------------

def _pairs() -> list[tuple[Candidate, Candidate, bool, str]]:
    def year(text: str) -> int | None:
        return int(text) if text.strip() else None

    with PAIRS_CSV.open(encoding="utf-8", newline="") as handle:
        return [
            (Candidate(r["name_a"], year(r["birth_year_a"]), r["district_a"] or None),
             Candidate(r["name_b"], year(r["birth_year_b"]), r["district_b"] or None),
             r["same"] == "1", r["split"])
            for r in csv.DictReader(handle)
        ]


def test_pair_set_has_the_required_shape():
    pairs = _pairs()
    assert len(pairs) >= 80
    assert sum(same for _, _, same, _ in pairs) >= 45
    assert sum(not same for _, _, same, _ in pairs) >= 35
    assert sum(split == "held_out" for *_, split in pairs) >= 20


def test_quality_gate_precision_and_recall():
    tp = fp = fn = 0
    for a, b, same, _ in _pairs():
        predicted = is_possible_duplicate(a, b)
        tp += predicted and same
        fp += predicted and not same
        fn += same and not predicted
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_every_true_pair_shares_a_block():
    for a, b, same, _ in _pairs():
        if same:
            assert b in DuplicateIndex([b]).candidates_for(a), (a.name, b.name)


# --- Properties ------------------------------------------------------------------------

names = st.text(max_size=60) | st.sampled_from([s for line in RECONCILED for s in line])
years = st.none() | st.integers(min_value=1900, max_value=2030)
candidates = st.builds(Candidate, names, years, st.none() | st.text(max_size=30), st.none() | names)


@settings(max_examples=300, deadline=None)
@given(candidates, candidates)
def test_similarity_never_raises_is_bounded_and_symmetric(a, b):
    score = similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert score == similarity(b, a)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_name_functions_never_raise(text):
    assert name_key(text) == name_key(text)
    parse_name(text)
