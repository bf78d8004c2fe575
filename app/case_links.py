"""What a new case is linked to when it is submitted: its home district as a key (for statistics
without free text) and the earlier cases that may be the same man (never merged: staff decide)."""

from __future__ import annotations

from sqlmodel import Session, select

from db.models import Case, DuplicateLink
from flows.districts import default_districts
from flows.duplicates import Candidate, is_possible_duplicate, similarity


_MATCHED_ON = (Case.id, Case.person_full_name, Case.person_name_ru, Case.home_district_key, Case.home_district,
               Case.birth_year, Case.person_father_name)


def _candidates(case) -> list[Candidate]:
    """One candidate per spelling we hold: the passport name and the Russian documents' name."""
    names = [case.person_full_name] + ([case.person_name_ru] if case.person_name_ru else [])
    district = case.home_district_key or case.home_district
    return [Candidate(name=name, birth_year=case.birth_year, home_district=district, father_name=case.person_father_name, key=case.id) for name in names]


def annotate(session: Session, case: Case) -> list[DuplicateLink]:
    district = default_districts().match(case.home_district) if case.home_district else None
    case.home_district_key = district.key if district else None
    session.add(case)
    mine = _candidates(case)
    # Birth years more than one apart are different men for the matcher too: let SQL narrow it.
    # Only the matched columns, as plain rows: the pool grows with every case ever submitted.
    pool = session.connection().execute(select(*_MATCHED_ON).where(Case.id != case.id, Case.birth_year.between(case.birth_year - 1, case.birth_year + 1)))
    links = []
    for other in pool:
        theirs = _candidates(other)
        pairs = [(a, b) for a in mine for b in theirs]
        matching = [similarity(a, b) for a, b in pairs if is_possible_duplicate(a, b)]
        if matching:
            link = DuplicateLink(case_id=case.id, other_case_id=other.id, score=max(matching))
            session.add(link)
            links.append(link)
    return links
