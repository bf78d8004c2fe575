"""What a new case is linked to when it is submitted: its home district as a key (for statistics
without free text) and the earlier cases that may be the same man (never merged: staff decide).

Finding them never holds the writer. The submit path asks `find_candidates` on a read session
*before* its write: an indexed query on `case_block` (the blocks of `flows.duplicates`) and the
scoring, off the writer thread. Inside the write, `write_links` only looks again among cases
with an id above the highest that read could see (a relative who submitted the same man
meanwhile, even in the same group commit), files the new case under its blocks and inserts the
links. The single writer commits cases in id order, so nothing can slip between the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlmodel import Session

from db.models import Case, CaseBlock, Conversation, DuplicateLink, utcnow
from flows.districts import default_districts
from flows.duplicates import THRESHOLD, Candidate, lookup_keys, similarity, stored_keys
from flows.engine import Phase

# A new case is linked to at most this many earlier ones, best first (then newest): when a crowd
# reports one man, each case joins the crowd's chain without a staff card of hundreds of links.
MAX_LINKS = 10
# At most this many cases sharing a block are scored for one submit (the newest): a bound on
# the work a name shared by thousands (with one birth year) could cost.
MAX_POOL = 100
# Birth years further apart than this cannot reach the threshold (see flows.duplicates.YEAR_GAP).
YEARS_APART = 2

_BLOCKS = CaseBlock.__table__
_CASES = Case.__table__
_LINKS = DuplicateLink.__table__
_MATCHED_ON = (_CASES.c.id, _CASES.c.person_full_name, _CASES.c.person_name_ru, _CASES.c.home_district_key,
               _CASES.c.home_district, _CASES.c.birth_year, _CASES.c.person_father_name)


@dataclass(frozen=True)
class Facts:
    """What a case is compared on: every spelling of the name held, father, year, district."""

    names: tuple[str, ...]
    father: str | None
    birth_year: int | None
    district_key: str | None
    district: str | None

    def candidates(self, key: object = None) -> list[Candidate]:
        place = self.district_key or self.district
        return [Candidate(name, self.birth_year, place, father_name=self.father, key=key) for name in self.names]


def facts(full_name: str, name_ru: str | None, father: str | None, birth_year: int | None,
          district: str | None) -> Facts:
    matched = default_districts().match(district) if district else None
    names = (full_name,) + ((name_ru,) if name_ru else ())
    return Facts(names, father, birth_year, matched.key if matched else None, district)


def facts_of_case(case: Case) -> Facts:
    return facts(case.person_full_name, case.person_name_ru, case.person_father_name, case.birth_year, case.home_district)


def facts_of_answers(answers: Mapping[str, Any]) -> Facts | None:
    """The facts a draft would submit (None while the name or year is not given yet)."""
    birth = answers.get("birth") or {}
    if not answers.get("full_name") or not isinstance(birth, dict):
        return None
    return facts(answers["full_name"], answers.get("name_ru"), answers.get("father_name"), birth.get("year"),
                 answers.get("home_district"))


@dataclass(frozen=True)
class Found:
    """Possible duplicates of `facts` among the cases with ids up to `seen_up_to`."""

    facts: Facts
    seen_up_to: int
    scores: dict[int, float] = field(default_factory=dict)  # case id -> score, all ≥ THRESHOLD


def _candidate_query(newer_only: bool):
    blocked = select(_BLOCKS.c.case_id).where(_BLOCKS.c.key.in_(bindparam("keys", expanding=True)),
                                              _BLOCKS.c.birth_year.between(bindparam("low"), bindparam("high")))
    if newer_only:
        blocked = blocked.where(_BLOCKS.c.case_id > bindparam("above"))
    return (select(*_MATCHED_ON).where(_CASES.c.id.in_(blocked), _CASES.c.id != bindparam("exclude"))
            .order_by(_CASES.c.id.desc()).limit(MAX_POOL))


# Built once: building a statement per submit cost more than running it.
_ANY, _NEWER = _candidate_query(False), _candidate_query(True)


def candidate_query(mine: Facts, above: int = 0, exclude: int | None = None):
    """Stored cases sharing a block with `mine` within YEARS_APART (ids above `above`), newest
    first, and its parameters: one index range per block in `case_block`, never a scan."""
    year = mine.birth_year
    low, high = (year - YEARS_APART, year + YEARS_APART) if year is not None else (0, 9999)
    params = {"keys": sorted(lookup_keys(mine.names)), "low": low, "high": high, "above": above,
              "exclude": -1 if exclude is None else exclude}
    return (_NEWER if above else _ANY), params


def _scored(session: Session, mine: Facts, above: int = 0, exclude: int | None = None) -> dict[int, float]:
    found: dict[int, float] = {}
    ours = mine.candidates()
    # When a crowd reports one man, most of the pool holds the same few spellings: score each once.
    scores: dict[tuple, float] = {}
    query, params = candidate_query(mine, above, exclude)
    for case_id, *compared in session.connection().execute(query, params):
        key = tuple(compared)
        if key not in scores:
            full_name, name_ru, district_key, district, year, father = key
            theirs = Facts((full_name,) + ((name_ru,) if name_ru else ()), father, year, district_key, district)
            scores[key] = max(similarity(a, b) for a in ours for b in theirs.candidates())
        if scores[key] >= THRESHOLD:
            found[case_id] = scores[key]
    return found


def find_candidates(session: Session, mine: Facts) -> Found:
    """On a read session, before the write: every stored case that may be the same man."""
    seen_up_to = session.connection().execute(select(func.max(_CASES.c.id))).scalar() or 0
    # Read after the maximum: a case committed in between is scored here or again in the write.
    return Found(mine, seen_up_to, _scored(session, mine))


_DRAFT_FOR_SUBMIT = select(Conversation.__table__.c.phase, Conversation.__table__.c.answers).where(
    Conversation.__table__.c.telegram_id == bindparam("key"))


def candidates_for_draft(session: Session, telegram_id: int) -> Found | None:
    """`find_candidates` for the draft this person is about to send (None: nothing to send)."""
    row = session.connection().execute(_DRAFT_FOR_SUBMIT, {"key": telegram_id}).first()
    if row is None or row.phase != Phase.REVIEW:
        return None
    mine = facts_of_answers(row.answers or {})
    return find_candidates(session, mine) if mine else None


def write_links(session: Session, case: Case, found: Found | None = None, mine: Facts | None = None) -> dict[int, float]:
    """Inside the write: file the new case and link it to what `found` (read before) and a
    look at the cases committed since turn up. Without `found`, everything is looked up here.
    `mine`: the case's facts, when its home district key was set before it was inserted."""
    if mine is None:
        mine = facts_of_case(case)
        case.home_district_key = mine.district_key
        session.add(case)
    if found is None or found.facts != mine:
        scores = _scored(session, mine, exclude=case.id)
    else:
        scores = dict(found.scores)
        scores.update(_scored(session, mine, above=found.seen_up_to, exclude=case.id))
    _file(session, case.id, case.birth_year, mine.names)
    best = dict(sorted(scores.items(), key=lambda item: (-item[1], -item[0]))[:MAX_LINKS])
    if best:
        now = utcnow()
        session.connection().execute(insert(_LINKS), [
            {"case_id": case.id, "other_case_id": other, "score": score, "state": "candidate", "created_at": now}
            for other, score in best.items()])
    return best


def _file(session: Session, case_id: int, birth_year: int, names: Iterable[str]) -> None:
    rows = [{"key": key, "birth_year": birth_year, "case_id": case_id} for key in sorted(stored_keys(names))]
    if rows:
        session.connection().execute(insert(_BLOCKS), rows)

