"""Measure duplicate detection: quality on tests/data/name_pairs.csv and lookup speed.

    .venv/bin/python benchmarks/duplicates.py                 # everything
    .venv/bin/python benchmarks/duplicates.py --split tune    # only the pairs used for tuning
    .venv/bin/python benchmarks/duplicates.py --no-timing

The CSV's `split` column separates the pairs the algorithm was tuned on ("tune") from pairs
written at the same time but never run while tuning ("held_out"); both are reported apart,
because only the held-out figures say how the rules do on names they were not fitted to.
The speed test indexes 100,000 synthetic cases built deterministically from name parts in
the three scripts and times `find_candidates` against that index.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.duplicates import (  # noqa: E402 - after the path set-up above
    THRESHOLD,
    Candidate,
    DuplicateIndex,
    find_candidates,
    similarity,
)

from flows.districts import default_districts  # noqa: E402
from flows.known_names import Known, read_names, relation, word_keys  # noqa: E402

PAIRS_CSV = ROOT / "tests" / "data" / "name_pairs.csv"


@dataclass(frozen=True)
class Pair:
    a: Candidate
    b: Candidate
    same: bool
    split: str
    line: int


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


def load_pairs(path: Path = PAIRS_CSV) -> list[Pair]:
    pairs = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            a = Candidate(row["name_a"], _year(row["birth_year_a"]), row["district_a"] or None, key=f"{line}a")
            b = Candidate(row["name_b"], _year(row["birth_year_b"]), row["district_b"] or None, key=f"{line}b")
            pairs.append(Pair(a, b, row["same"].strip() == "1", row.get("split") or "tune", line))
    return pairs


def year_and_district_agree(pair: Pair) -> bool:
    """Both known and equal: only the name can tell these men apart."""
    a, b = pair.a, pair.b
    if a.birth_year is None or a.birth_year != b.birth_year or not a.home_district or not b.home_district:
        return False
    return match_district(a.home_district) == match_district(b.home_district) is not None


def match_district(text: str) -> str | None:
    found = default_districts().match(text)
    return found.key if found else None


@dataclass
class Report:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(pairs: list[Pair]) -> tuple[Report, list[tuple[Pair, float]]]:
    """Confusion counts at THRESHOLD and the misclassified pairs with their scores."""
    report, wrong = Report(), []
    for pair in pairs:
        score = similarity(pair.a, pair.b)
        predicted = score >= THRESHOLD
        if predicted and pair.same:
            report.tp += 1
        elif predicted:
            report.fp += 1
            wrong.append((pair, score))
        elif pair.same:
            report.fn += 1
            wrong.append((pair, score))
        else:
            report.tn += 1
    return report, wrong


def blocking_misses(pairs: list[Pair]) -> list[Pair]:
    """True pairs the index would never put side by side (so no score could save them)."""
    misses = []
    for pair in pairs:
        if pair.same and pair.b not in DuplicateIndex([pair.b]).candidates_for(pair.a):
            misses.append(pair)
    return misses


def _describe(c: Candidate) -> str:
    return f"{c.name} ({c.birth_year or '?'}, {c.home_district or '?'})"


def print_quality(title: str, pairs: list[Pair]) -> None:
    report, wrong = evaluate(pairs)
    same = sum(p.same for p in pairs)
    print(f"\n== {title}: {len(pairs)} pairs ({same} same, {len(pairs) - same} different)")
    print(f"TP {report.tp}  FP {report.fp}  FN {report.fn}  TN {report.tn}")
    print(f"precision {report.precision:.3f}  recall {report.recall:.3f}  F1 {report.f1:.3f}  (threshold {THRESHOLD})")
    for pair, score in wrong:
        kind = "FN" if pair.same else "FP"
        print(f"  {kind} line {pair.line}  {score:.3f}  {_describe(pair.a)}  ~  {_describe(pair.b)}")
    misses = blocking_misses(pairs)
    print(f"blocking: {same - len(misses)}/{same} true pairs share a block")
    for pair in misses:
        print(f"  not blocked together: line {pair.line}  {pair.a.name}  ~  {pair.b.name}")


# --- Synthetic cases for the speed test ----------------------------------------------------

# (Azerbaijani Latin, Russian, English) spellings, so the index holds every script.
GIVEN = [
    ("Tahir", "Тахир", "Tahir"), ("Fəxri", "Фахри", "Fakhri"), ("Şahruz", "Шахруз", "Shahruz"),
    ("Elçin", "Эльчин", "Elchin"), ("Elnur", "Эльнур", "Elnur"), ("Rəşad", "Рашад", "Rashad"),
    ("Vüqar", "Вугар", "Vugar"), ("Nicat", "Ниджат", "Nijat"), ("Ramil", "Рамиль", "Ramil"),
    ("Ziyəddin", "Зияддин", "Ziyaddin"), ("Çingiz", "Чингиз", "Chingiz"), ("Orxan", "Орхан", "Orkhan"),
    ("Seymur", "Сеймур", "Seymur"), ("İlqar", "Ильгар", "Ilgar"), ("Taleh", "Талех", "Taleh"),
    ("Rövşən", "Ровшан", "Rovshan"), ("Tofiq", "Тофик", "Tofig"), ("Kənan", "Кянан", "Kanan"),
    ("Samir", "Самир", "Samir"), ("Mübariz", "Мубариз", "Mubariz"), ("Zaur", "Заур", "Zaur"),
    ("Natiq", "Натиг", "Natig"), ("Vidadi", "Видади", "Vidadi"), ("Elşən", "Эльшан", "Elshan"),
    ("Emin", "Эмин", "Emin"), ("Anar", "Анар", "Anar"), ("Arif", "Ариф", "Arif"),
    ("Cavid", "Джавид", "Javid"), ("Namiq", "Намик", "Namig"), ("Ülvi", "Ульви", "Ulvi"),
    ("Pərviz", "Парвиз", "Parviz"), ("Bəhruz", "Бахруз", "Bahruz"), ("Coşqun", "Джошгун", "Joshgun"),
    ("Fuad", "Фуад", "Fuad"), ("Rauf", "Рауф", "Rauf"), ("Xəlil", "Халил", "Khalil"),
    ("Qasım", "Гасым", "Gasym"), ("Hüseyn", "Гусейн", "Huseyn"), ("Həsən", "Гасан", "Hasan"),
    ("Əli", "Али", "Ali"), ("Vəli", "Вели", "Vali"), ("Mehman", "Мехман", "Mehman"),
    ("Asif", "Асиф", "Asif"), ("Eldar", "Эльдар", "Eldar"), ("Etibar", "Этибар", "Etibar"),
    ("Səbuhi", "Сабухи", "Sabuhi"), ("Vasif", "Васиф", "Vasif"), ("Mahir", "Махир", "Mahir"),
    ("Ceyhun", "Джейхун", "Jeyhun"), ("Rasim", "Расим", "Rasim"), ("Akif", "Акиф", "Akif"),
    ("İlkin", "Илькин", "Ilkin"), ("Şamil", "Шамиль", "Shamil"), ("Tural", "Турал", "Tural"),
    ("Vaqif", "Вагиф", "Vagif"), ("Yusif", "Юсиф", "Yusif"), ("Rüstəm", "Рустам", "Rustam"),
    ("Zahir", "Захир", "Zahir"), ("Habil", "Габил", "Habil"), ("Cəlal", "Джалал", "Jalal"),
]
SURNAMES = [
    ("Məmmədov", "Мамедов", "Mammadov"), ("Əliyev", "Алиев", "Aliyev"), ("Həsənov", "Гасанов", "Hasanov"),
    ("Hüseynov", "Гусейнов", "Huseynov"), ("Quliyev", "Кулиев", "Guliyev"), ("Hacıyev", "Гаджиев", "Hajiyev"),
    ("Abdullayev", "Абдуллаев", "Abdullayev"), ("İsmayılov", "Исмаилов", "Ismayilov"), ("Abbasov", "Аббасов", "Abbasov"),
    ("Cəfərov", "Джафаров", "Jafarov"), ("Rəhimov", "Рагимов", "Rahimov"), ("Nəsirov", "Насиров", "Nasirov"),
    ("Qasımov", "Гасымов", "Gasimov"), ("Kazımov", "Казымов", "Kazimov"), ("Bağırov", "Багиров", "Bagirov"),
    ("Orucov", "Оруджев", "Orujov"), ("Novruzov", "Новрузов", "Novruzov"), ("Məhərrəmov", "Магеррамов", "Maharramov"),
    ("Babayev", "Бабаев", "Babayev"), ("Əsədov", "Асадов", "Asadov"), ("İbrahimov", "Ибрагимов", "Ibrahimov"),
    ("Süleymanov", "Сулейманов", "Suleymanov"), ("Hümbətov", "Гумбатов", "Humbatov"), ("Qurbanov", "Курбанов", "Gurbanov"),
    ("Əhmədov", "Ахмедов", "Ahmadov"), ("Sadıqov", "Садыхов", "Sadigov"), ("Vəliyev", "Велиев", "Valiyev"),
    ("Musayev", "Мусаев", "Musayev"), ("Allahverdiyev", "Аллахвердиев", "Allahverdiyev"), ("Nağıyev", "Нагиев", "Nagiyev"),
    ("Aliquliyev", "Алигулиев", "Aliguliyev"), ("Səfərov", "Сафаров", "Safarov"), ("Mirzəyev", "Мирзоев", "Mirzayev"),
    ("Zeynalov", "Зейналов", "Zeynalov"), ("Kərimov", "Керимов", "Karimov"), ("Rzayev", "Рзаев", "Rzayev"),
    ("Şükürov", "Шукюров", "Shukurov"), ("Tağıyev", "Тагиев", "Taghiyev"), ("Hətəmov", "Гатамов", "Hatamov"),
    ("Qəmbərov", "Гамбаров", "Gambarov"), ("Xəlilov", "Халилов", "Khalilov"), ("Cəbrayılov", "Джабраилов", "Jabrayilov"),
    ("Mustafayev", "Мустафаев", "Mustafayev"), ("Heydərov", "Гейдаров", "Heydarov"), ("Haşımov", "Гашимов", "Hashimov"),
    ("Əsgərov", "Аскеров", "Asgarov"), ("Ələkbərov", "Алекперов", "Alakbarov"), ("Əmirov", "Амиров", "Amirov"),
    ("Hüseynli", "Гусейнли", "Huseynli"), ("Qasımlı", "Гасымлы", "Gasimli"), ("Əlizadə", "Ализаде", "Alizade"),
]
DISTRICTS = [
    "Biləsuvar", "Zərdab", "Goranboy", "Sabirabad", "Masallı", "Salyan", "Lənkəran", "İmişli", "Ağcabədi",
    "Cəlilabad", "Şəmkir", "Bərdə", "Neftçala", "Tərtər", "Saatlı", "Yardımlı", "Şəki", "Tovuz", "Qazax",
    "Göyçay", "Kürdəmir", "Beyləqan", "Ağdam", "Quba", "Gəncə", "Şamaxı", "Yevlax", "Astara", "Xaçmaz", "Lerik",
]


def synthetic_candidates(count: int, seed: int = 20240611) -> list[Candidate]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        script = rng.randrange(3)
        given, surname = rng.choice(GIVEN)[script], rng.choice(SURNAMES)[script]
        name = f"{surname} {given}" if script == 1 or rng.random() < 0.5 else f"{given} {surname}"
        father = rng.choice(GIVEN)[script] if rng.random() < 0.3 else None
        year = rng.randrange(1960, 2006) if rng.random() < 0.9 else None
        district = rng.choice(DISTRICTS) if rng.random() < 0.8 else None
        out.append(Candidate(name, year, district, father_name=father, key=i))
    return out


def print_timing(pairs: list[Pair], size: int = 100_000, lookups: int = 500) -> None:
    started = time.perf_counter()
    stored = synthetic_candidates(size)
    index = DuplicateIndex(stored)
    built = time.perf_counter() - started
    rng = random.Random(7)
    queries = [p.a for p in pairs] + [p.b for p in pairs]
    # Stored cases looked up again without their key: each finds at least itself.
    queries += [Candidate(c.name, c.birth_year, c.home_district, c.father_name) for c in rng.sample(stored, lookups)]
    find_candidates(queries[0], index)  # first call fills caches that every later call shares
    times, blocked, found = [], [], 0
    for query in queries:
        t0 = time.perf_counter()
        result = find_candidates(query, index)
        times.append((time.perf_counter() - t0) * 1000)
        blocked.append(len(index.candidates_for(query)))
        found += bool(result)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"\n== lookup speed: {len(queries)} lookups against {len(index):,} synthetic cases", end="")
    print(f" (index built in {built:.1f} s)")
    print(f"median {statistics.median(times):.2f} ms  p99 {p99:.2f} ms  max {times[-1]:.2f} ms per lookup")
    print(f"cases sharing a block per lookup: median {statistics.median(blocked):.0f}, max {max(blocked)}")
    print(f"lookups with at least one candidate: {found}")


# Letters next to each other on a Latin keyboard: the substitutions a hurried thumb makes.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {ch: {row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)} for row in _ROWS for i, ch in enumerate(row)}


def one_slip_typos(word: str) -> set[str]:
    """A letter left out, doubled, swapped with the next, or hit beside (in Latin letters)."""
    out = set()
    for i, ch in enumerate(word):
        out.add(word[:i] + word[i + 1:])
        out.add(word[:i] + ch + word[i:])
        if i + 1 < len(word):
            out.add(word[:i] + word[i + 1] + ch + word[i + 2:])
        out.update(word[:i] + other + word[i + 1:] for other in _NEIGHBOURS.get(ch.lower(), ()))
    out.discard(word)
    return out


def print_typo_cost() -> None:
    """What the list of known names costs in recall: typos of a listed name (its English
    spelling) that spell another listed name, so are taken for another man."""
    typos = lost = 0
    examples = []
    for _, spellings in read_names():
        [own] = word_keys(spellings[2]) or [""]
        for typo in sorted(one_slip_typos(spellings[2])):
            keys = word_keys(typo)
            if len(keys) != 1 or keys == {own}:
                continue  # the rules already read it as the same name
            typos += 1
            if relation(own, next(iter(keys))) is Known.OTHER:
                lost += 1
                examples.append(f"{spellings[2]}→{typo}")
    print(f"\n== one-slip typos of the {len(read_names())} known names (English spelling): {typos} typos, "
          f"{lost} ({lost / typos:.1%}) spell another known name and are no longer linked")
    print("  e.g. " + ", ".join(examples[:12]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("all", "tune", "held_out"), default="all")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()
    pairs = load_pairs()
    if args.split == "all":
        print_quality("all pairs", pairs)
        for split in ("tune", "held_out"):
            print_quality(f"{split} pairs", [p for p in pairs if p.split == split])
        print_quality("pairs whose birth year and district agree (the hard ones)", [p for p in pairs if year_and_district_agree(p)])
    else:
        print_quality(f"{args.split} pairs", [p for p in pairs if p.split == args.split])
    print_typo_cost()
    if not args.no_timing:
        print_timing(pairs)


if __name__ == "__main__":
    main()
