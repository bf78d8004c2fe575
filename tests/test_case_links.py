"""Linking a new case to its possible duplicates: found on the read path, written by the writer
as links only, and never missed when the same man is submitted at the same moment."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date

import pytest
from sqlalchemy import MetaData, Table
from sqlmodel import Session, SQLModel, create_engine, select

from app import case_links
from db.database import Database, normalise_url
from db.migrate import upgrade
from db.models import Case, CaseBlock, Conversation, DuplicateLink
from flows.duplicates import stored_keys
from tests.support.bots import database_url

_IDS = itertools.count(1)


@pytest.fixture
def db(tmp_path):
    db = Database(database_url(tmp_path))  # SQLite, or a fresh PostgreSQL schema with TEST_BACKEND=postgres
    SQLModel.metadata.create_all(db.engine)
    yield db
    db.close()


def new_case(name: str, year: int, district: str | None = None, name_ru: str | None = None,
             father: str | None = None) -> Case:
    n = next(_IDS)
    return Case(ref=f"T{n:05d}", reporter_telegram_id=n, reporter_chat_id=n, language="az", consent_version="1",
                submitted_receipt=n, reporter_relationship="mother", person_full_name=name, birth_year=year,
                last_contact_date=date(2026, 1, 15), last_contact_precision="month", last_contact_text="yanvar",
                last_location="Voronej", reporter_contact_method="telegram", person_name_ru=name_ru,
                person_father_name=father, home_district=district)


def submit(case: Case, found: case_links.Found | None = None):
    """What the writer runs for a submit: the case, then its links."""
    def write(session: Session) -> int:
        session.add(case)
        session.flush()
        case_links.write_links(session, case, found)
        return case.id

    return write


def read_first(db: Database, case: Case) -> case_links.Found:
    """The look-up the submit path makes on the read engine before its write."""
    return db.read_sync(lambda s: case_links.find_candidates(s, case_links.facts_of_case(case)))


def links(db: Database) -> set[tuple[str, str]]:
    with Session(db.engine) as session:
        refs = dict(session.exec(select(Case.id, Case.ref)).all())
        return {(refs[link.case_id], refs[link.other_case_id]) for link in session.exec(select(DuplicateLink))}


def test_mother_and_brother_in_two_scripts_are_linked_from_what_was_read_before(db):
    mother = new_case("Tahir Abdullayev", 1980, "Biləsuvar rayonu")
    db.run_sync(submit(mother))
    brother = new_case("Абдуллаев Тахир", 1980, "Билясуварский район")
    found = read_first(db, brother)
    assert list(found.scores) == [mother.id]
    db.run_sync(submit(brother, found))
    assert links(db) == {(brother.ref, mother.ref)}
    with Session(db.engine) as session:
        assert session.get(Case, brother.id).home_district_key == "bilasuvar"


def test_the_submit_path_reads_ahead_only_for_a_draft_in_review(db):
    db.run_sync(submit(mother := new_case("Tahir Abdullayev", 1980, "Biləsuvar")))
    answers = {"full_name": "Абдуллаев Тахир", "birth": {"year": 1980}, "home_district": "Билясувар"}
    db.run_sync(lambda s: s.add_all([Conversation(telegram_id=71, chat_id=71, phase="review", answers=answers),
                                     Conversation(telegram_id=72, chat_id=72, phase="asking", answers=answers)]))
    found = db.read_sync(lambda s: case_links.candidates_for_draft(s, 71))
    assert found.scores.keys() == {mother.id} and found.facts.district_key == "bilasuvar"
    assert db.read_sync(lambda s: case_links.candidates_for_draft(s, 72)) is None  # no submit button yet
    assert db.read_sync(lambda s: case_links.candidates_for_draft(s, 73)) is None  # nobody


def test_other_men_are_not_linked(db):
    db.run_sync(submit(new_case("Tahir Abdullayev", 1980, "Biləsuvar")))
    for other in (new_case("Abdullayev Elşad", 1980, "Biləsuvar"), new_case("Tahir Abdullayev", 1960, "Biləsuvar"),
                  new_case("Orxan Cəfərov", 1980, "Biləsuvar")):
        db.run_sync(submit(other, read_first(db, other)))
    assert links(db) == set()


def test_a_duplicate_committed_between_the_read_and_the_write_is_still_linked(db):
    mother, son = new_case("Fəxri Hacıyev", 1973, "Zərdab"), new_case("Гаджиев Фахри", 1973, "Зардаб")
    mothers_read, sons_read = read_first(db, mother), read_first(db, son)  # both before either write
    assert mothers_read.scores == {} and sons_read.scores == {}
    db.run_sync(submit(mother, mothers_read))
    db.run_sync(submit(son, sons_read))
    assert links(db) == {(son.ref, mother.ref)}


def test_two_duplicates_in_one_group_commit_are_linked(db):
    cousin, aunt = new_case("Fakhri Hajiyev", 1973), new_case("Hacıyev Fəxri", 1973, "Zərdab")
    reads = [read_first(db, cousin), read_first(db, aunt)]

    async def at_once():
        return await asyncio.gather(db.run(submit(cousin, reads[0])), db.run(submit(aunt, reads[1])))

    asyncio.run(at_once())
    assert links(db) == {(aunt.ref, cousin.ref)}


def test_a_crowd_reporting_one_man_links_each_case_to_the_newest_few(db):
    crowd = [new_case("Elçin Məmmədov", 1985, "Sabirabad") for _ in range(case_links.MAX_LINKS + 5)]
    for case in crowd:
        db.run_sync(submit(case, read_first(db, case)))
    last = crowd[-1]
    linked = {other for newer, other in links(db) if newer == last.ref}
    assert linked == {case.ref for case in crowd[-1 - case_links.MAX_LINKS:-1]}


def test_a_changed_draft_is_looked_up_again_in_the_write(db):
    first = new_case("Vüqar Əliyev", 1988, "Salyan")
    db.run_sync(submit(first))
    stale = read_first(db, new_case("Orxan Cəfərov", 1988, "Salyan"))  # read for another name
    db.run_sync(submit(second := new_case("Алиев Вугар", 1988, "Сальян"), stale))
    assert links(db) == {(second.ref, first.ref)}


def test_the_candidate_query_uses_the_block_index(db):
    db.run_sync(submit(new_case("Tahir Abdullayev", 1980)))

    def plan(session: Session) -> str:
        connection = session.connection()
        query, params = case_links.candidate_query(case_links.facts_of_case(new_case("Tahir Abdullayev", 1980)), above=1)
        sql = str(query.params(params).compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
        if db.is_sqlite:
            return " ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway
        return " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))

    shown = db.read_sync(plan)
    if db.is_sqlite:
        assert "SEARCH case_block USING" in shown and "SCAN case_block" not in shown, shown
    else:
        assert "case_block_pkey" in shown, shown


def test_cases_stored_before_the_upgrade_are_filed_by_the_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0005")
    engine = create_engine(normalise_url(url))
    with engine.begin() as connection:  # the columns the table had then: later ones do not exist yet
        table = Table("case", MetaData(), autoload_with=connection)
        row = new_case("Tahir Abdullayev", 1980, name_ru="Абдуллаев Тахир").model_dump(exclude={"id"})
        old_id = connection.execute(table.insert().values({k: v for k, v in row.items() if k in table.c})).inserted_primary_key[0]
    engine.dispose()
    upgrade(url)
    db = Database(url)
    try:
        filed = db.read_sync(lambda s: set(s.exec(select(CaseBlock.key).where(CaseBlock.case_id == old_id))))
        assert filed == stored_keys(["Tahir Abdullayev", "Абдуллаев Тахир"])
        newcomer = new_case("Tahir Abdullayev", 1980)
        assert list(read_first(db, newcomer).scores) == [old_id]
    finally:
        db.close()
